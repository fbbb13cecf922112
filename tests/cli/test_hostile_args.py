"""Hostile arguments (issue 17): a usage error with the bounds stated, never a traceback."""

from __future__ import annotations

import os
import sys

import pytest

from projects_cli.cli import entry


def run_entry(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["projects", *args])
    with pytest.raises(SystemExit) as exc:
        entry.main()
    return exc.value.code, capsys.readouterr().err


def test_invalid_utf8_and_huge_arguments(monkeypatch, capsys):
    bad = os.fsdecode(b"a\xff")
    assert run_entry(monkeypatch, capsys, "list", "--search", bad) == (
        2, "错误：第 3 个参数不是有效的 UTF-8 文本；请检查终端或脚本的编码\n")
    assert run_entry(monkeypatch, capsys, "issue", "show", "9" * 100_000) == (
        2, "错误：第 3 个参数有 100,000 个字符，最多 10,000 个\n")


def test_extreme_dates_and_numbers(cli):
    r = cli("overdue", as_of="9999-12-31")
    assert r.exit_code == 2 and "9999-12-31 超出范围，日期应在 1990-01-01 到" in r.stderr
    r = cli("overdue", "--horizon", "999999999")
    assert r.exit_code == 2 and "3660" in r.stderr
    r = cli("issue", "show", "2025-" + "9" * 5000)
    assert (r.exit_code, r.stderr) == (1, "错误：'2025-99999999999999999999999999999999999…' 不是问题编号；"
                                          "问题编号形如 2025-012\n")


def test_search_takes_percent_and_underscore_literally(cli):
    assert cli("add", "--name", "50%_off").exit_code == 0
    assert cli("add", "--name", "普通项目").exit_code == 0
    assert [p["name"] for p in __import__("json").loads(cli("list", "--search", "%", "-f", "json").stdout)] == ["50%_off"]
    assert __import__("json").loads(cli("list", "--search", "_", "-f", "json").stdout)[0]["name"] == "50%_off"
    assert cli("list", "--search", "0_%", "-f", "json").stdout.strip() == "[]"


@pytest.mark.parametrize("option", ["--rules", "--config"])
def test_devices_and_fifos_as_office_files(cli, tmp_path, option):
    label = {"--rules": "规则文件", "--config": "配置文件"}[option]
    fifo = tmp_path / "f.toml"
    os.mkfifo(fifo)
    command = ("cards", "rate") if option == "--rules" else ("ledger", "export", str(tmp_path / "o.xlsx"))
    for path in ("/dev/zero", str(fifo)):
        r = cli(option, path, *command)
        assert (r.exit_code, r.stderr) == (1, f"错误：{label} {path} 不是普通文件（是管道或设备）\n")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 1_000_000, encoding="utf-8")
    r = cli(option, str(big), *command)
    assert (r.exit_code, r.stderr) == (1, f"错误：{label} {big} 超过 1,000,000 字节，不像是这个文件\n")


@pytest.mark.parametrize("args, message", [
    (["--by", "x" * 51, "add", "--name", "甲"],
     "change_log.by（操作人 --by） 最长 50 个字符，这个有 51 个"),
    (["add", "--create-units", "--name", "甲", "--unit", "局" * 61],
     "责任单位有 61 个字符，超过上限 60 个：局局局局局局局局局局局局局局局局局局局局…"),
    (["add", "--name", "乙\u200b"],
     "项目名称含有看不见的字符 U+200B（零宽空格 ZERO WIDTH SPACE），位于第 2 个字符，会造成以假乱真的名称，"
     "请删去后再填"),
    (["add", "--name", "丙\x1b]0;x\x07"],
     "项目名称含有控制字符 U+001B（ESC），位于第 2 个字符，请删去后再填"),
])
def test_lengths_and_characters_on_the_command_line(cli, args, message):
    if args[0] == "--by":
        from typer.testing import CliRunner

        from projects_cli.cli.app import app
        result = CliRunner().invoke(app, ["--db", cli.url, "--as-of", "2025-10-31", *args])
        code, err = result.exit_code, result.stderr
        if cli.url.startswith("postgresql"):  # there the log names the login, and --by is 代录 beside it
            message = message.replace("change_log.by（操作人 --by）", "change_log.on_behalf（代录 --by）").replace(
                "change_log.by holds", "change_log.on_behalf holds")
    else:
        r = cli(*args)
        code, err = r.exit_code, r.stderr
    assert (code, err) == (1, f"错误：{message}\n")


def test_issue_fields_longer_than_their_columns(cli):
    assert cli("add", "--name", "甲项目").exit_code == 0
    r = cli("issue", "report", "GX-0001", "--title", "标" * 201, "--category", "用地")
    assert (r.exit_code, r.stderr) == (1, "错误：issue.title（问题标题） 最长 200 个字符，这个有 201 个\n")
    r = cli("issue", "report", "GX-0001", "--title", "用地", "--category", "类" * 51)
    assert (r.exit_code, r.stderr) == (1, "错误：issue.category（问题类别） 最长 50 个字符，这个有 51 个\n")
