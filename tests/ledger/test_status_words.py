"""The status words of a ledger's 建设性质 / 项目性质 / 建设阶段 column, read through the config file's [ledger.status]."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from projects_cli.config.office import load_config, status_words, template_path
from projects_cli.errors import ConfigError
from projects_cli.ledger.importer import LedgerRejected, import_ledger, read_ledger

AS_OF = date(2025, 10, 31)


def ledger(path, header: str, words: list[str]):
    """A ledger with a status column named `header`, one project per word (rows 3 …, under a title row)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["2025年重点项目台账"])
    ws.append(["序号", "项目名称", header, "总投资（万元）"])
    for n, word in enumerate(words, 1):
        ws.append([n, f"项目{n}", word, 1000 * n])
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("word", "status"),
    [("续建", "在建"), ("在建", "在建"), ("加快建设", "在建"), ("新开工", "在建"), ("促竣工", "在建"),
     ("前期", "前期"), ("报批", "前期"), ("预备", "前期"), ("筹建", "前期"), ("竣工", "竣工"), ("部分竣工", "竣工"),
     ("在谈", "储备"), ("投产", "投产"), ("停缓建", "停缓建"), (" 续 建 ", "在建"), ("加快\n建设", "在建")],
)
@pytest.mark.parametrize("header", ["建设性质", "项目性质", "建设阶段", "项目状态"])
def test_the_shipped_status_words(tmp_path, header, word, status):
    parsed = read_ledger(ledger(tmp_path / "s.xlsx", header, [word]), as_of=AS_OF)
    assert parsed.problems == []
    assert parsed.rows[0].values["status"] == status


def test_an_unknown_word_is_an_error_naming_the_word_the_cell_and_the_key(session, ctx, tmp_path):
    path = ledger(tmp_path / "s.xlsx", "建设性质", ["续建", "正常", "加快推进"])
    with pytest.raises(LedgerRejected) as caught:
        import_ledger(session, ctx, path, create_units=True)
    assert str(caught.value) == "s.xlsx：2 处错误（第 4, 5 行）；未写入任何内容"
    assert [p.describe() for p in caught.value.result.errors] == [
        "错误：台账 第 4 行，C 列 建设性质：'正常' 不是认得的项目状态用词：请在配置文件 [ledger.status] 中写明它是哪种状态，"
        "例如 \"正常\" = \"在建\"（可选 储备/前期/在建/投产/竣工/停缓建）",
        "错误：台账 第 5 行，C 列 建设性质：'加快推进' 不是认得的项目状态用词：请在配置文件 [ledger.status] 中写明它是哪种状态，"
        "例如 \"加快推进\" = \"在建\"（可选 储备/前期/在建/投产/竣工/停缓建）",
    ]


def test_the_offices_words_are_added_and_win(tmp_path):
    config = {"ledger": {"status": {"加快推进": "在建", "报批": "储备"}}}
    parsed = read_ledger(ledger(tmp_path / "s.xlsx", "建设性质", ["加快推进", "报批", "续建", "—", None]), as_of=AS_OF,
                         config=config)
    assert parsed.problems == []
    assert [r.values.get("status") for r in parsed.rows] == ["在建", "储备", "在建", None, None]


def test_a_status_the_registry_does_not_have_is_a_config_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[ledger.status]\n"正常" = "正常推进"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"配置文件 {path} 第 2 行 [ledger.status] 正常：应为 储备、前期、在建、投产、竣工、停缓建 之一，不能是 '正常推进'"
        ""
    )


def test_the_shipped_template_is_a_valid_config_file_and_holds_the_defaults():
    config = load_config(template_path())
    assert set(config) == {"ledger"}
    words = status_words(None)
    assert "正常" not in words  # how a project is going, not where it is
    assert {w: words[w] for w in ("续建", "加快建设", "新开工", "促竣工", "报批", "预备", "筹建", "部分竣工", "在谈")} == {
        "续建": "在建", "加快建设": "在建", "新开工": "在建", "促竣工": "在建", "报批": "前期", "预备": "前期", "筹建": "前期",
        "部分竣工": "竣工", "在谈": "储备"}
