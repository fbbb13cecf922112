"""The rules file (rules.toml): every error its reader can raise, with the exact message, and how an office file merges."""

from __future__ import annotations

from pathlib import Path

import pytest

from projects_cli.config.rulebook import load_rules
from projects_cli.errors import ConfigError

CARDS_KEYS = ("lag_yellow_points, lag_red_points, start_red_days, start_yellow_days, milestone_red_days, "
              "milestone_yellow_days, issue_overdue_yellow, issue_listed_red, yellows_to_red, red_steps_down, "
              "active_statuses, labels, meaning, consequence")
TOP_KEYS = "version, overdue, period, cards, flag, issues, leads, notify"
TIERS_EG = '例如 tiers = [{ name = "一般逾期", max_days = 30 }, { name = "严重逾期" }]'
WEIGHTS_EG = "例如 weights = { investment = 40, milestones = 30, issues = 20, ledger = 10 }"


def rules_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


# (what the office wrote, the error after "规则文件 <path> ")
ERRORS = [
    # tables and keys
    ("cards = 3\n", "第 1 行 [cards]：应为表"),
    ("[card]\nx = 1\n", f"第 1 行 [card]：未知的表；可用的键：{TOP_KEYS}"),
    ("version2 = 1\n", f"第 1 行 version2：未知的键；可用的键：{TOP_KEYS}"),
    ("[cards]\nlag_red_points = 30\nlag_yelow_points = 5\n",
     f"第 3 行 [cards] lag_yelow_points：未知的键；可用的键：{CARDS_KEYS}"),
    ("[flag]\nweights = { investment = 1, milestone = 2 }\n",
     "第 2 行 [flag.weights] milestone：未知的键；可用的键：investment, milestones, issues, ledger, attendance"),
    ("[cards.labels]\nred = \"红牌\"\ngreen = \"绿牌\"\n",
     "第 3 行 [cards.labels] green：未知的键；可用的键：red, yellow, blue"),
    # text
    ("version = 1\n", '第 1 行 version：应为文字，不能是 1，例如 version = "2025.1"'),
    ('[cards.labels]\nred = "  "\n', '第 2 行 [cards.labels] red：不能为空，例如 red = "红牌"'),
    # whole numbers
    ('[overdue]\ndue_soon_days = "14"\n',
     "第 2 行 [overdue] due_soon_days：应为 ≥ 0 的整数，不能是 '14'"),
    ("[cards]\nstart_red_days = 1.5\n",
     "第 2 行 [cards] start_red_days：应为 ≥ 0 的整数，不能是 1.5"),
    ("[flag]\nwinners = true\n", "第 2 行 [flag] winners：应为 ≥ 1 的整数，不能是 true"),
    ("[flag]\nwinners = 0\n", "第 2 行 [flag] winners：应为 ≥ 1 的整数，不能是 0"),
    ("[flag]\nbottom = -1\n", "第 2 行 [flag] bottom：应为 ≥ 0 的整数，不能是 -1"),
    ('[issues.deadline_days]\n"特急" = 0\n',
     "第 2 行 [issues.deadline_days] 特急：应为 ≥ 1 的整数，不能是 0"),
    ('[issues]\ndeadline_days = { "特急" = 1, "加急" = 2.5 }\n',
     "第 2 行 [issues.deadline_days] 加急：应为 ≥ 1 的整数，不能是 2.5"),
    # numbers
    ("[cards]\nlag_red_points = -1\n", "第 2 行 [cards] lag_red_points：应为 ≥ 0 的数，不能是 -1"),
    ("[cards]\nlag_red_points = nan\n", "第 2 行 [cards] lag_red_points：应为 ≥ 0 的数，不能是 nan"),
    ("[cards]\nlag_red_points = false\n",
     "第 2 行 [cards] lag_red_points：应为 ≥ 0 的数，不能是 false"),
    ("cards.lag_red_points = -3\n", "第 1 行 [cards] lag_red_points：应为 ≥ 0 的数，不能是 -3"),
    ('[flag]\nweights = { investment = "40" }\n',
     "第 2 行 [flag.weights] investment：应为 ≥ 0 的数，不能是 '40'"),
    # true/false and choices
    ("[cards]\nred_steps_down = 1\n", "第 2 行 [cards] red_steps_down：应为 true 或 false，不能是 1"),
    ('[period]\nkind = "daily"\n',
     "第 2 行 [period] kind：应为 monthly、weekly 之一，不能是 'daily'"),
    # lists of names
    ("[cards]\nactive_statuses = []\n",
     '第 2 行 [cards] active_statuses：不能为空，例如 active_statuses = ["前期", "在建", "投产"]'),
    ('[cards]\nactive_statuses = ["在建", 1]\n', "第 2 行 [cards] active_statuses 第 2 项：应为文字，不能是 1"),
    ("[cards]\nactive_statuses = 3\n",
     '第 2 行 [cards] active_statuses：应为名称列表，例如 active_statuses = ["前期", "在建", "投产"]'),
    # overdue tiers
    ('[overdue]\ntiers = "x"\n', f"第 2 行 [overdue] tiers：应为列表，{TIERS_EG}"),
    ("[overdue]\ntiers = []\n", f"第 2 行 [overdue] tiers：不能为空，{TIERS_EG}"),
    ("[overdue]\ntiers = [1]\n",
     '第 2 行 [overdue] tiers 第 1 项：应为表，例如 { name = "一般逾期", max_days = 30 }'),
    ('[overdue]\ntiers = [{ max_days = 3 }, { name = "b" }]\n',
     '第 2 行 [overdue] tiers 第 1 项：缺少 name，例如 { name = "一般逾期", max_days = 30 }'),
    ('[overdue]\ntiers = [{ name = "a", max_day = 3 }, { name = "b" }]\n',
     "第 2 行 [overdue] tiers 第 1 项 max_day：未知的键；可用的键：name, max_days"),
    ('[overdue]\ntiers = [{ name = "a", max_days = 0 }, { name = "b" }]\n',
     "第 2 行 [overdue] tiers 第 1 项 max_days：应为 ≥ 1 的整数，不能是 0"),
    ('[overdue]\ntiers = [{ name = "a", max_days = 30 }, { name = "b", max_days = 10 }, { name = "c" }]\n',
     "第 2 行 [overdue] tiers：各档的 max_days 应从小到大"),
    ('[overdue]\ntiers = [{ name = "a" }, { name = "b" }]\n',
     f"第 2 行 [overdue] tiers：除最后一档外每档都要写 max_days，最后一档不写，{TIERS_EG}"),
    ('[overdue]\ntiers = [{ name = "a", max_days = 3 }]\n',
     f"第 2 行 [overdue] tiers：除最后一档外每档都要写 max_days，最后一档不写，{TIERS_EG}"),
    # keys that must agree, checked on the rules as merged with the defaults
    ("[cards]\nlag_yellow_points = 40\n",
     "第 2 行 [cards] lag_yellow_points：不能大于 lag_red_points：40 > 30"),
    ("[cards]\nlag_red_points = 5\n",  # the default yellow (10) is not written in the file: no line to name
     "[cards] lag_yellow_points：不能大于 lag_red_points：10 > 5"),
    ("[cards]\nstart_yellow_days = 100\n",
     "第 2 行 [cards] start_yellow_days：不能大于 start_red_days：100 > 90"),
    ("[cards]\nmilestone_yellow_days = 31\n",
     "第 2 行 [cards] milestone_yellow_days：不能大于 milestone_red_days：31 > 30"),
    ("[issues]\nescalate_key_after = 6\n",
     "第 2 行 [issues] escalate_key_after：不能大于 escalate_listed_after：6 > 5"),
    ("[flag]\nweights = { investment = 0, milestones = 0, issues = 0, ledger = 0 }\n",
     "第 2 行 [flag] weights：各项权重之和为 0，至少一项应大于 0，"
     + WEIGHTS_EG),
    ("# 权重\n[flag.weights]\ninvestment = 0\nmilestones = 0\nissues = 0\nledger = 0\n",
     "第 2 行 [flag] weights：各项权重之和为 0，至少一项应大于 0，"
     + WEIGHTS_EG),
    # not TOML
    ("[cards\nx = 1\n",
     "不是有效的 TOML（Expected ']' at the end of a table declaration (at line 1, column 7)）"),
    ("[cards]\nlag_red_points = 30\nlag_red_points = 31\n",
     "不是有效的 TOML（Cannot overwrite a value (at line 3, column 20)）"),
]


@pytest.mark.parametrize("text, error", ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_every_rules_file_error_names_the_file_line_and_key(tmp_path, text, error):
    path = rules_file(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_rules(path)
    assert str(exc.value) == f"规则文件 {path} {error}"


def test_a_rules_file_that_cannot_be_read(tmp_path):
    missing = tmp_path / "没有.toml"
    with pytest.raises(ConfigError) as exc:
        load_rules(missing)
    assert str(exc.value) == f"规则文件 {missing} 不存在"
    with pytest.raises(ConfigError) as exc:
        load_rules(tmp_path)
    assert str(exc.value) == f"规则文件 {tmp_path} 是文件夹，不是文件"
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[cards.labels]\nred = "红牌"\n'.encode("gb18030"))
    with pytest.raises(ConfigError) as exc:
        load_rules(gbk)
    assert str(exc.value) == f"规则文件 {gbk} 不是 UTF-8 文本；请另存为 UTF-8"


def test_an_office_file_changes_only_what_it_names(tmp_path):
    shipped = load_rules(None)
    path = rules_file(tmp_path, '[cards.labels]\nred = "  红色预警 "\n[issues.deadline_days]\n"加急" = 2\n'
                                "[overdue]\ntiers = [{ name = \"逾期\" }]\n")
    rules = load_rules(path)
    assert rules.get("cards.labels") == {"red": "红色预警", "yellow": "黄牌", "blue": "蓝牌"}
    assert rules.get("issues.deadline_days") == {"特急": 1, "急件": 3, "一般": 5, "复杂": 15, "加急": 2}
    assert rules.get("overdue.tiers") == [{"name": "逾期"}]  # a list replaces the default's
    assert {k: v for k, v in rules.data.items() if k not in ("cards", "issues", "overdue")} == {
        k: v for k, v in shipped.data.items() if k not in ("cards", "issues", "overdue")}
    assert rules.path == path and rules.version.startswith("2025.1+") and rules.version != shipped.version


def test_a_rules_file_saved_with_a_bom_reads(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_bytes("\ufeff[cards]\nlag_red_points = 29\n".encode("utf-8"))
    assert load_rules(path).get("cards.lag_red_points") == 29


def test_rules_toml_in_the_data_folder_is_picked_up(tmp_path, monkeypatch):
    monkeypatch.setenv("PROJECTS_HOME", str(tmp_path))
    assert load_rules(None).path is None
    path = rules_file(tmp_path, "[flag]\nwinners = 0\n")
    with pytest.raises(ConfigError) as exc:
        load_rules(None)
    assert str(exc.value) == (
        f"规则文件 {path} 第 2 行 [flag] winners：应为 ≥ 1 的整数，不能是 0")


def test_flag_weights_adding_up_to_zero_is_a_rules_error_on_the_command_line(cli, tmp_path):
    path = rules_file(tmp_path, "[flag]\nweights = { investment = 0, milestones = 0, issues = 0, ledger = 0 }\n")
    r = cli("--rules", str(path), "flag", "--period", "2025-10")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        f"错误：规则文件 {path} 第 2 行 [flag] weights：各项权重之和为 0，至少一项应大于 0"
        f"，{WEIGHTS_EG}\n")
    r = cli("--rules", str(tmp_path / "nowhere.toml"), "flag", "--period", "2025-10")
    assert (r.exit_code, r.stderr) == (1, f"错误：规则文件 {tmp_path / 'nowhere.toml'} 不存在\n")
