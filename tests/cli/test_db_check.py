"""`projects db check --expect HEAD` and the log key through the command line: output, exit codes, errors."""

from __future__ import annotations

import json

from loghead import footer, head_of, signing_key_id, summary
from sqlalchemy import create_engine, text

from projects_cli.store import db

OK = "正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整"


def sql(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_check_prints_the_head_and_verifies_a_printed_one(cli):
    assert cli("add", "--name", "甲").exit_code == 0
    r = cli("db", "check")
    printed = head_of(cli.url)
    assert (r.exit_code, r.stdout, r.stderr) == (0, f"{OK}\n{summary(printed, rows=1)}\n", "")
    assert cli("add", "--name", "乙").exit_code == 0
    short = f"{printed.mac[:6]}…{printed.mac[-4:]}"
    for given in (printed.text(), f"1:{printed.mac[:6]}...{printed.mac[-4:]}", f"1 {printed.mac}"):
        r = cli("db", "check", "--expect", given)
        shown = short if "…" in given or "..." in given else printed.mac
        assert (r.exit_code, r.stdout) == (0, f"{OK}\n{summary(head_of(cli.url), rows=2)}\n"
                                              f"核对 记录 1 · 校验 {shown}：仍在变更记录原位，其后又有 1 条"
                                              "\n"), given


def test_check_against_a_head_the_log_no_longer_holds_is_exit_1(cli):
    for name in ("甲", "乙"):
        assert cli("add", "--name", name).exit_code == 0
    printed = head_of(cli.url)
    sql(cli.url, "DELETE FROM change_log WHERE id = (SELECT max(id) FROM change_log)")
    r = cli("db", "check", "--expect", printed.text())
    short = f"{printed.mac[:6]}…{printed.mac[-4:]}"
    from projects_cli.store.anchor import head_path

    assert (r.exit_code, r.stdout) == (1, (
        f"异常  变更记录现有 1 条，少于本机上次写入后记下的 2 条（{head_path()}）：末尾 1 条被删去，或数据库换成了较早的"
        "备份；确是恢复了备份的，运行 projects db check "
        "--accept-head 以现状为准\n"
        f"异常  核对失败：变更记录只有 1 条，没有打印的第 2 条（校验 {short}）：末尾 1 条被删去，"
        "或这张单子不是这个数据库发出的\n"
        f"{summary(head_of(cli.url), rows=1)}\n"))
    # after restoring a backup the office takes the log as it is; the printed head is still missing
    r = cli("db", "check", "--accept-head")
    assert (r.exit_code, r.stdout) == (0, f"{OK}\n{summary(head_of(cli.url), rows=1)}\n"
                                          f"已以现状为准：本机 {head_path()} 记下 {head_of(cli.url).text()}\n")
    assert cli("db", "check").exit_code == 0
    assert cli("db", "check", "--expect", printed.text()).exit_code == 1


def test_a_head_that_is_not_one_is_a_usage_error(cli):
    r = cli("db", "check", "--expect", "记录 12")
    assert r.exit_code == 2 and r.stdout == ""
    assert "'记录 12' 不是变更记录头" in r.stderr and "--expect" in r.stderr


def test_without_the_key_writes_are_one_error_line_and_check_says_it_cannot_verify(cli, monkeypatch, tmp_path):
    assert cli("add", "--name", "甲").exit_code == 0
    monkeypatch.delenv("PROJECTS_LOG_KEY")
    monkeypatch.setenv("PROJECTS_HOME", str(tmp_path / "elsewhere"))
    key_file = tmp_path / "elsewhere" / "log.key"
    r = cli("add", "--name", "乙")
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", (
        f"错误：变更记录已用密钥（编号 {signing_key_id()}）签名，但找不到密钥：请把原来的 log.key 放到 "
        f"{key_file}（权限 600），或设置环境变量 PROJECTS_LOG_KEY；不会另生成新密钥，未写入任何内容\n"))
    r = cli("db", "check")
    assert r.exit_code == 1
    assert r.stdout == (
        f"异常  无法验证签名：找不到密钥，不是记录被篡改；签名这份记录的密钥编号 "
        f"{signing_key_id()}：请设置环境变量 PROJECTS_LOG_KEY，或把原来的 log.key 放到 {key_file}（权限 600）；哈希链已核对\n"
        + summary(head_of(cli.url), rows=1, key="本机没有") + "\n")
    assert not key_file.exists()


def test_an_issued_sheet_carries_a_head_that_db_check_verifies(cli):
    assert cli("add", "--name", "甲").exit_code == 0
    r = cli("sheet", "weekly")
    assert r.exit_code == 0, r.stderr
    printed = head_of(cli.url, back=1)  # as the sheet went out: before its own row
    assert r.stdout.endswith(f"*{footer(printed)}*\n")
    r = cli("db", "check", "--expect", printed.text())
    assert r.exit_code == 0 and r.stdout.endswith(
        f"核对 {printed.text()}：仍在变更记录原位，其后又有 1 条\n")
    # re-issued exactly as it went out, the head with it
    (sheet,) = json.loads(cli("sheet", "list", "--format", "json").stdout)
    again = cli("sheet", "reissue", sheet["number"])
    assert again.stdout.endswith(f"*{footer(printed)}*\n")
    rerendered = cli("sheet", "reissue", sheet["number"], "--rerender")
    assert rerendered.stdout.endswith(f"*{footer(printed)}*\n")
    html = cli("sheet", "reissue", sheet["number"], "--format", "html").stdout
    assert f'<p class="note">{footer(printed).replace(chr(34), "&#34;")}</p>' in html


def test_init_says_when_it_made_a_new_key(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    monkeypatch.delenv("PROJECTS_LOG_KEY")
    monkeypatch.setenv("PROJECTS_HOME", str(tmp_path / "home"))
    key_file = tmp_path / "home" / "log.key"
    first = CliRunner().invoke(app, ["--db", str(tmp_path / "a.db"), "init"])
    assert (first.exit_code, first.stderr) == (0, (
        f"已生成变更记录密钥 {key_file}（权限 600）：请与数据库分开备份；丢失后变更记录无法再核对、"
        f"也不能再写入\n{tmp_path / 'a.db'}：数据库版本 无 → {db.head_revision()}\n"))
    second = CliRunner().invoke(app, ["--db", str(tmp_path / "b.db"), "init"])
    assert second.exit_code == 0 and "已生成变更记录密钥" not in second.stderr
