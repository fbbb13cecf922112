"""The interface's language (projects_cli/i18n.py): Chinese by default, English on request, and every
message and help text translated (the catalogs in projects_cli/locale)."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys

import pytest

from projects_cli import i18n


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "zh"),
        ({"LANG": "C"}, "zh"),
        ({"LANG": "C.UTF-8"}, "zh"),
        ({"LANG": "POSIX"}, "zh"),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_GB"}, "en"),
        ({"LC_ALL": "C", "LANG": "en_US.UTF-8"}, "en"),  # C names no language: the next variable decides
        ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"PROJECTS_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
        ({"PROJECTS_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"PROJECTS_LANG": "", "LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "zh"),  # a language without a catalog: the default
    ],
)
def test_language_follows_projects_lang_then_the_locale(environ, expected):
    assert i18n.language(environ) == expected


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("No such option: --bogus", "没有这个选项：--bogus"),
        ("No such option: --colr Did you mean --color?", "没有这个选项：--colr；是不是 --color？"),
        ("No such option: --color (Possible options: --cluster, --column)",
         "没有这个选项：--color；是不是 --cluster, --column？"),
        ("Missing argument 'CODE'.", "缺少参数 'CODE'。"),
        ("Missing option '--amount'.", "缺少选项 '--amount'。"),
        ("Option '--unit' requires an argument.", "选项 '--unit' 后面需要一个值。"),
        ("Got unexpected extra arguments (a b)", "多余的参数：a b"),
        ("Invalid value for '--within': 'x' is not a valid integer.", "'--within' 的值无效：'x' 不是整数。"),
        ("Invalid value for '--format' / '-f': 'pdf' is not one of 'table', 'json'.",
         "'--format' / '-f' 的值无效：'pdf' 不是可选值之一：'table', 'json'。"),
        ("Got unexpected extra argument(s) (total=1)", "多余的参数：total=1"),
        ("Invalid value for 'file': file '/tmp' is a directory.", "'file' 的值无效：'/tmp' 是文件夹，这里需要文件。"),
        ("Invalid value for '--within': Input should be less than or equal to 3660", "'--within' 的值无效：应不大于 3660"),
        ("Invalid value for '--limit' / '-n': Input should be greater than or equal to 0",
         "'--limit' / '-n' 的值无效：应不小于 0"),
        ("Invalid value for '--limit' / '-n': Input should be a valid integer, unable to parse string as an integer",
         "'--limit' / '-n' 的值无效：应为整数"),
        # typer 0.2x: the frame already translated by the catalog, pydantic's "Value error, " around typer's own check
        ("'--format' / '-f' 的值无效：Value error, 'xyz' is not one of 'table', 'json', 'csv'.",
         "'--format' / '-f' 的值无效：'xyz' 不是可选值之一：'table', 'json', 'csv'。"),
        ("Something click says that no pattern knows.", "Something click says that no pattern knows."),
    ],
)
def test_library_messages_in_chinese(english, chinese):
    assert i18n.library_message(english) == chinese


def run(*args: str, lang: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROJECTS_LANG": lang, "COLUMNS": "100", "PROJECTS_HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "projects_cli", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path)


def test_an_error_in_either_language(tmp_path):
    db = str(tmp_path / "x.db")
    zh = run("--db", db, "show", "GX-0001", lang="zh", tmp_path=tmp_path)
    en = run("--db", db, "show", "GX-0001", lang="en", tmp_path=tmp_path)
    assert (zh.returncode, en.returncode) == (1, 1)
    assert zh.stderr.startswith("错误：")
    assert en.stderr.startswith("Error: ")


def test_a_usage_error_in_either_language(tmp_path):
    zh = run("overdue", "--bogus", lang="zh", tmp_path=tmp_path)
    en = run("overdue", "--bogus", lang="en", tmp_path=tmp_path)
    assert (zh.returncode, en.returncode) == (2, 2)
    assert re.search("用法： ?projects overdue", zh.stderr) and "没有这个选项：--bogus" in zh.stderr  # older click: a space
    assert "运行 'projects overdue -h' 查看帮助。" in zh.stderr
    assert "Usage: projects overdue" in en.stderr and "No such option: --bogus" in en.stderr


def test_extra_arguments_and_a_value_out_of_range_in_chinese(tmp_path):
    """Messages of typer's own (its click, its value checks) in Chinese too, not only those of the tool's."""
    extra = run("edit", "GX-0001", "total=1", lang="zh", tmp_path=tmp_path)
    within = run("countdown", "--within", "99999", lang="zh", tmp_path=tmp_path)
    assert (extra.returncode, within.returncode) == (2, 2)
    assert re.search("多余的参数(：|（)total=1", extra.stderr) and "unexpected" not in extra.stderr  # (older click: （…）)
    assert "Input should" not in within.stderr and "'--within' 的值无效" in within.stderr  # (no "(env var: 'None')")
    assert re.search("不大于 3660|3660", within.stderr)  # (typer before 0.2x words its range check otherwise)
    assert "unexpected extra argument" in run("edit", "GX-0001", "total=1", lang="en", tmp_path=tmp_path).stderr


def test_help_shows_no_value_for_a_flag_and_value_kinds_in_chinese(tmp_path):
    zh = run("list", "--help", lang="zh", tmp_path=tmp_path).stdout
    en = run("list", "--help", lang="en", tmp_path=tmp_path).stdout
    assert "<bool>" not in zh + en and re.search(r"--archived +只列", zh)  # a flag takes no value
    chain = next(line for line in zh.splitlines() if line.startswith("│ --chain"))
    assert "<str>" not in zh and ("<文字>" in chain or "TEXT" in chain)  # (typer before 0.2x: TEXT, as click says)


def test_help_in_either_language(tmp_path):
    zh = run("milestone", "--help", lang="zh", tmp_path=tmp_path).stdout
    en = run("milestone", "--help", lang="en", tmp_path=tmp_path).stdout
    assert "用法：" in zh and "选项" in zh and "显示本帮助并退出。" in zh
    assert "Usage:" in en and "Options" in en and "Show this message and exit." in en
    assert "Milestones (节点): plan, re-plan with a reason, mark done, list with their history." in en
    assert "Milestones (节点)" not in zh


def test_every_message_and_help_text_is_translated():
    """`python -m projects_cli.locale --check`: every message marked in the source has its English, every
    help paragraph its Chinese, with the same replacement fields, and the compiled catalogs are current."""
    pytest.importorskip("babel")
    done = subprocess.run([sys.executable, "-m", "projects_cli.locale", "--check"], capture_output=True, text=True)
    assert done.stderr == ""
    assert done.returncode == 0


def test_a_value_not_among_the_choices_is_said_in_chinese(tmp_path):
    """Through the whole command line, whatever typer and click version (.ci/constraints-min.txt too)."""
    done = run("--db", str(tmp_path / "x.db"), "list", "--format", "xyz", lang="zh", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "'--format' / '-f' 的值无效：'xyz' 不是可选值之一：'table', 'json', 'csv'。" in done.stderr


@pytest.mark.parametrize("text, english", [
    ("问题 2025-007：地上附着物清表受阻：待协调", "Problem 2025-007：地上附着物清表受阻：待协调"),
    ("议定事项 2025-010：三日内完成用电扩容方案报批", "Decision 2025-010：三日内完成用电扩容方案报批"),
    ("招商线索跟进（在谈）：上次跟进 2025-10-01，王强", "Lead follow-up (negotiating): last contact 2025-10-01, 王强"),
    ("招商线索跟进（线索）：2025-09-05 登记后未跟进", "Lead follow-up (lead): no contact since added 2025-09-05"),
    ("施工许可", "construction permit"),  # a milestone's kind: a word of the catalog
    ("逾期8个工作日（≥5）", None),  # not a report's item
])
def test_a_recorded_item_is_read_back_by_the_template_that_made_it(monkeypatch, text, english):
    from projects_cli.rules.escalation import BY_DAYS, reason_shown
    from projects_cli.services.report import shown_item

    monkeypatch.setattr(i18n, "_translation", gettext.translation(i18n.DOMAIN, i18n.LOCALE_DIR, languages=["en"]))
    if english is None:
        assert i18n.reworded(text, (BY_DAYS,)) == reason_shown(text) == "8 working days late (≥ 5)"
    else:
        assert shown_item(text) == english
