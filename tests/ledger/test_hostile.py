"""Hostile and broken ledger files: a clear error in bounded time and memory, and nothing written."""

from __future__ import annotations

import time
import zipfile
from datetime import date

import ledger_samples as samples
import pytest

from projects_cli.errors import ConfigError
from projects_cli.ledger.importer import read_ledger
from projects_cli.ledger.reader import BadWorkbook, Limits

AS_OF = date(2025, 10, 31)


def read(path, **kw):
    start = time.perf_counter()
    try:
        return read_ledger(path, as_of=AS_OF, **kw)
    finally:
        assert time.perf_counter() - start < 5  # bounded: nothing is inflated or parsed


def test_text_named_xlsx(tmp_path):
    path = samples.not_a_workbook(tmp_path / "x.xlsx")
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == f"{path} 不是 Excel 工作簿（内容不是 .xlsx 或 .xls）；请用 Excel 另存为 .xlsx"


def test_not_a_ledger_file_at_all(tmp_path):
    path = samples.not_a_workbook(tmp_path / "x.pdf")
    with pytest.raises(BadWorkbook, match=r"x.pdf 不是台账文件；应为 Excel 工作簿（.xlsx、.xls）或 .csv 文件$"):
        read(path)


def test_empty_and_missing(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    with pytest.raises(BadWorkbook, match=r"e.xlsx 是空文件$"):
        read(tmp_path / "e.xlsx")
    with pytest.raises(BadWorkbook, match=r"nope.xlsx 不存在$"):
        read(tmp_path / "nope.xlsx")


def test_truncated(tmp_path):
    source = samples.office_ledger(tmp_path / "o.xlsx")
    path = samples.truncated(tmp_path / "t.xlsx", source)
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == f"{path} 已损坏或不完整（不是完整的 .xlsx 文件）；请对方重新发送"


def test_password_protected(tmp_path):
    path = samples.encrypted(tmp_path / "p.xlsx")
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == (
        f"{path} 设了密码（已加密）：请用 Excel 打开，取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx"
    )


def test_zip_bomb_is_refused_by_its_directory(tmp_path):
    path = samples.zip_bomb(tmp_path / "bomb.xlsx", megabytes=48)
    assert path.stat().st_size < 200_000
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value).startswith(f"{path}：部分 xl/worksheets/sheet1.xml 解压后放大 ")
    assert str(info.value).endswith(
        "倍（到 48 MB），超过允许的 200 倍（[limits] ledger_part_ratio）；文件像是压缩炸弹，未打开"
    )


def test_limits_from_the_config_file(tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    config = {"limits": {"ledger_unzipped_mb": 0.01}}
    with pytest.raises(BadWorkbook, match=r"MB（\[limits\] ledger_unzipped_mb）；请拆分台账或调高限额$"):
        read(path, config=config)
    with pytest.raises(BadWorkbook, match=r"o.xlsx 有 0.0 MB，超过允许的 0.001 MB（配置文件 \[limits\] ledger_file_mb"):
        read(path, config={"limits": {"ledger_file_mb": 0.001}})
    with pytest.raises(BadWorkbook) as rows:
        read(path, config={"limits": {"ledger_rows": 10}})
    assert str(rows.value) == (f"{path} 工作表 2025年台账 用到第 20 行（单元格 O20），超过允许的 10 行（[limits] ledger_rows）；"
                               "请删去表格以外的内容后另存")
    assert Limits.from_config({"ledger_rows": 50}) == Limits(ledger_rows=50)
    assert Limits.from_config(None) == Limits()
    known = "ledger_file_mb, ledger_unzipped_mb, ledger_part_ratio, ledger_rows, ledger_columns, ledger_cells"
    for section, message in [
        ({"ledger_rows": -1}, "[limits] ledger_rows：应为 ≥ 1 的整数，不能是 -1"),
        (3, "[limits]：应为表，例如 [limits] ledger_file_mb = 100"),
        ({"ledger_size": 1}, f"[limits] ledger_size：未知的键；可用的键：{known}"),
        ({"ledger_rows": 50, "template_kb": 3}, f"[limits] template_kb：未知的键；可用的键：{known}"),
    ]:
        with pytest.raises(ConfigError) as exc:
            Limits.from_config(section)
        assert str(exc.value) == f"配置文件 {message}"


def test_garbage_inside_a_zip(tmp_path):
    path = tmp_path / "g.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "not xml at all <<<")
    with pytest.raises(BadWorkbook, match=r"g.xlsx 不能作为工作簿读取（.*）；请用 Excel 另存为 .xlsx$"):
        read(path)
    other = tmp_path / "z.xlsx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(BadWorkbook, match=r"z.xlsx 是 zip 压缩文件，不是 Excel 工作簿；请用 Excel 另存为 .xlsx$"):
        read(other)


@pytest.mark.parametrize("kind", ["bomb", "truncated", "encrypted", "text"])
def test_cli_refuses_cleanly_and_writes_nothing(cli, tmp_path, kind):
    from counts import table_counts

    source = samples.office_ledger(tmp_path / "o.xlsx")
    path = {
        "bomb": lambda: samples.zip_bomb(tmp_path / "b.xlsx", megabytes=24),
        "truncated": lambda: samples.truncated(tmp_path / "t.xlsx", source),
        "encrypted": lambda: samples.encrypted(tmp_path / "e.xlsx"),
        "text": lambda: samples.not_a_workbook(tmp_path / "x.xlsx"),
    }[kind]()
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{path}") and r.stderr.count("\n") == 1
    assert table_counts(cli.url) == before


def test_entity_expansion_is_refused(tmp_path):
    path = samples.billion_laughs(tmp_path / "l.xlsx", samples.office_ledger(tmp_path / "o.xlsx"))
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == (
        f"{path} 不能作为工作簿读取（XmlError：at 0..0: unrecognized entity `&lol9;`）；请用 Excel 另存为 .xlsx"
    )
