"""The interface's language (projects_cli/i18n.py): Chinese by default, English on request, and every
message and help text translated (the catalogs in projects_cli/locale)."""

from __future__ import annotations

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
