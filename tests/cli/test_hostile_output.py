"""Hostile cases on the way out (issue 17): outputs over the command's own inputs, failed writes, damaged
databases, control characters, formula cells, dangerous schema moves. Each ends in one exact `Error:` line
(or correct output) and nothing lost: the files involved are byte-identical afterwards."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import ledger_samples as samples
import pytest
from typer.testing import CliRunner

from projects_cli.store import db

HEAD = db.head_revision()


def run(path: Path | str, *args: str, input: str | None = None):
    from projects_cli.cli.app import app

    r = CliRunner().invoke(app, ["--db", str(path), "--as-of", "2025-10-31", "--by", "tester", *args], input=input,
                           catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def files(folder: Path) -> dict[str, bytes]:
    """Every file in the folder and its bytes (nothing added, nothing changed)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def office(sqlite_url) -> Path:
    """A SQLite registry with the plan's projects, checkpointed (the -wal is empty)."""
    path = db.sqlite_path(sqlite_url)
    assert run(path, "add", "--name", "甲项目")[0] == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


def refused(path: Path, what: str) -> str:
    return f"错误：不能写入 {path}：它是本命令读取的{what}，写入会覆盖它；请另选输出文件；原文件未改动\n"


# ---------------------------------------------------------------- no command overwrites its own inputs


@pytest.mark.parametrize("args", [
    ("sheet", "weekly", "--format", "md", "--output", "{db}"),
    ("sheet", "weekly", "--format", "xlsx", "--output", "{db}"),
    ("overdue", "--format", "csv", "--output", "{db}"),
    ("overdue", "--format", "json", "--output", "{db}-wal"),
    ("overdue", "--format", "xlsx", "--output", "{db}-shm"),
    ("ledger", "export", "{db}"),
])
def test_an_output_over_the_database_is_refused_and_the_database_is_untouched(office, args):
    # ledger export names the file *.xlsx: make the database's own name end so
    if args[0] == "ledger":
        xlsx = office.with_name("office.xlsx")
        shutil.copyfile(office, xlsx)
        office = xlsx
    before = files(office.parent)
    argv = [a.replace("{db}", str(office)) for a in args]
    code, out, err = run(office, *argv)
    assert (code, out, err) == (1, "", refused(Path(argv[-1]), "数据库"))
    assert files(office.parent) == before  # nor a temporary file left behind
    assert run(office, "db", "check")[0] == 0


def test_a_different_spelling_of_the_database_path_is_the_same_file(office):
    other = office.parent / "." / ".." / office.parent.name / office.name
    os.symlink(office, office.parent / "link.md")
    before = files(office.parent)
    for target in (other, office.parent / "link.md"):
        code, out, err = run(office, "sheet", "weekly", "--format", "md", "--output", str(target))
        assert (code, out, err) == (1, "", refused(target, "数据库"))
    assert files(office.parent) == before


def test_ledger_import_errors_over_the_ledger_itself_is_refused(sqlite_url, tmp_path):
    path = samples.office_ledger(tmp_path / "b.xlsx", broken=True)
    before = path.read_bytes()
    code, out, err = run(db.sqlite_path(sqlite_url), "ledger", "import", "--create-units", str(path), "--errors", str(path))
    assert (code, out, err) == (1, "", refused(path, "导入的文件"))
    assert path.read_bytes() == before


def test_a_sheet_over_a_template_is_refused(office, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "weekly.md").write_text("not a template of ours, but in the templates folder\n")
    before = (folder / "weekly.md").read_bytes()
    code, out, err = run(office, "--templates", str(folder), "sheet", "weekly", "--output", str(folder / "weekly.md"))
    assert (code, out, err)[:2] == (1, "")
    assert err == refused(folder / "weekly.md", "模板")
    assert (folder / "weekly.md").read_bytes() == before


# ---------------------------------------------------------------- failed writes leave the old file


def test_a_failed_workbook_write_leaves_the_old_file_and_no_temporary(office, monkeypatch):
    out = office.parent / "逾期.xlsx"
    out.write_bytes(b"last week's report")
    from openpyxl import Workbook

    def full(self, filename):
        Path(filename).write_bytes(b"half a workbo")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full)
    before = files(office.parent)
    code, stdout, err = run(office, "overdue", "--output", str(out))
    assert (code, stdout, err) == (
        1, "", f"错误：无法写入 {out}（No space left on device）；原有文件未改动\n")
    assert files(office.parent) == before


def test_a_written_file_replaces_the_old_one_whole_and_keeps_its_mode(office):
    out = office.parent / "逾期.csv"
    out.write_text("old\n")
    os.chmod(out, 0o640)
    code, _, err = run(office, "overdue", "--format", "csv", "--output", str(out))
    assert (code, err.splitlines()[0]) == (0, f"已写出 {out}")
    assert out.read_text(encoding="utf-8").startswith("\ufeff部分,类型,责任单位,")
    assert oct(out.stat().st_mode & 0o777) == oct(0o640)
    assert sorted(p.name for p in office.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_db_backup_to_an_existing_file_is_refused_and_a_new_one_is_whole(office):
    taken = office.parent / "taken.db"
    taken.write_bytes(b"keep me")
    assert run(office, "db", "backup", str(taken)) == (1, "", f"错误：{taken} 已存在；请换一个文件名\n")
    assert taken.read_bytes() == b"keep me"
    copy = office.parent / "copy.db"
    assert run(office, "db", "backup", str(copy)) == (0, "", f"已将 {office} 备份到 {copy}\n")
    code, out, _ = run(copy, "db", "check")
    assert (code, out.splitlines()[0]) == (0, "正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整")


def _projects(*args: str, stdout) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "projects_cli", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=60)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_disk_is_one_error_line_and_exit_1(office):
    with open("/dev/full", "w") as full:
        r = _projects("--db", str(office), "list", "--format", "csv", stdout=full)
    assert (r.returncode, r.stderr) == (
        1, "错误：无法写出到标准输出（No space left on device）；输出不完整\n")


def test_stdout_closed_by_the_reader_is_one_error_line(office):
    import datetime as dt

    from projects_cli.services.registry import add_project
    from projects_cli.store.changelog import Ctx
    from projects_cli.store.db import session_scope

    ctx = Ctx(by="tester", as_of=dt.date(2025, 10, 31), now=dt.datetime(2025, 10, 31, 9, tzinfo=dt.timezone.utc), command="test")
    with session_scope(f"sqlite:///{office}") as session:  # one transaction: 300 `add` commands would take seconds
        for n in range(300):  # enough rows that the listing cannot fit in a pipe's buffer
            add_project(session, ctx, {"name": f"项目{n:04d}" + "长" * 60})
    proc = subprocess.Popen([sys.executable, "-m", "projects_cli", "--db", str(office), "list", "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 1
    assert err == "错误：无法写出到标准输出（Broken pipe）；输出不完整\n"


# ---------------------------------------------------------------- damaged databases


def _damaged(tmp_path: Path, office: Path) -> dict[str, Path]:
    out = {}
    out["random"] = tmp_path / "random.db"
    out["random"].write_bytes(bytes(range(256)) * 40)
    out["text"] = tmp_path / "text.db"
    out["text"].write_text("这不是数据库\n")
    from openpyxl import Workbook

    out["xlsx"] = tmp_path / "ledger.xlsx"
    Workbook().save(out["xlsx"])
    out["truncated"] = tmp_path / "truncated.db"
    out["truncated"].write_bytes(office.read_bytes()[: 4096 * 3])
    return out


NOT_A_DB = ("错误：数据库 {p} 不是本程序的数据库，或文件已损坏（{why}）；运行 projects --db {p} db check 查看，或"
            "用备份恢复（`db backup` 的副本，或 `db upgrade` 留下的 .bak- 文件）\n")


@pytest.mark.parametrize("command", [("list",), ("init",), ("db", "check"), ("db", "upgrade"), ("db", "current"),
                                     ("overdue",), ("add", "--name", "x"), ("db", "downgrade", "base", "--yes")])
def test_every_command_on_a_damaged_file_is_one_line_and_the_file_is_untouched(office, tmp_path, command):
    for kind, path in _damaged(tmp_path, office).items():
        before = path.read_bytes()
        code, out, err = run(path, *command)
        why = "database disk image is malformed" if kind == "truncated" else "file is not a database"
        assert (code, out, err) == (1, "", NOT_A_DB.format(p=path, why=why)), kind
        assert path.read_bytes() == before, kind


def test_db_check_reports_a_bad_timestamp_and_a_dropped_table(office):
    conn = sqlite3.connect(office)
    conn.execute("UPDATE change_log SET at = 'not a time' WHERE id = (SELECT min(id) FROM change_log)")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DROP TABLE issue_event")
    conn.commit()
    conn.close()
    code, out, err = run(office, "db", "check")
    assert (code, out, err) == (
        1, "异常  缺少表 issue_event\n"
           "异常  变更记录：无法检查（Invalid isoformat string: 'not a time'）\n", "")


def test_db_check_on_corrupt_pages_reports_them(office):
    data = bytearray(office.read_bytes())
    data[4096 * 2: 4096 * 4] = bytes(range(256)) * 32
    office.write_bytes(bytes(data))
    code, out, err = run(office, "db", "check")
    assert code == 1 and err == ""
    assert out.splitlines()[0].startswith("异常  完整性")


# ---------------------------------------------------------------- text that leaves is safe


HOSTILE = "恶意\x1b]0;pwned\x07项目\u202egnp.exe\x9b31m"


def test_control_characters_in_names_are_escaped_on_the_terminal_and_kept_in_json(office):
    code, _, _ = run(office, "add", "--name", HOSTILE, "--code", "GX-9001")
    if code != 0:
        pytest.skip("names with control characters are refused at the door (issue 17, input side)")
    escaped = "恶意\\u001b]0;pwned\\u0007项目\\u202egnp.exe\\u009b31m"
    code, out, _ = run(office, "show", "GX-9001")
    assert code == 0 and f"项目名称      {escaped}" in out.splitlines()[1:3] or escaped in out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    code, out, _ = run(office, "list", "--format", "json")
    assert [p["name"] for p in json.loads(out) if p["code"] == "GX-9001"] == [HOSTILE]  # the same text, escaped
    code, _, err = run(office, "show", HOSTILE)
    assert "\x1b" not in err and "\u202e" not in err and "\x07" not in err


def test_terminal_safe_escapes_what_a_terminal_would_obey():
    from projects_cli.listings.output import terminal_safe

    assert terminal_safe("a\x1b[2Jb\x07c\rd\u202ee\u2066f\x7fg\x85h\udcffi\tj\nk") == (
        "a\\u001b[2Jb\\u0007c\\u000dd\\u202ee\\u2066f\\u007fg\\u0085h\\udcffi\tj\nk")
    assert terminal_safe("逾期 Overdue · 2025年（万元）—“甲”…") == "逾期 Overdue · 2025年（万元）—“甲”…"


def test_csv_cells_that_start_a_formula_get_a_quote_and_numbers_stay_numbers():
    from decimal import Decimal

    from projects_cli.listings.output import render_csv

    rows = [{"name": "=HYPERLINK(\"http://x\",\"点我\")", "owner": "@SUM(A1)", "content": "+1", "notes": "-2+3",
             "tab": "\tx", "days": -3, "gap": Decimal("-12.5"), "plain": "乙-项目"}]
    columns = [(k, k) for k in rows[0]]
    got = list(csv.reader(io.StringIO(render_csv(rows, columns))))
    assert got[1] == ["'=HYPERLINK(\"http://x\",\"点我\")", "'@SUM(A1)", "'+1", "'-2+3", "'\tx", "-3", "-12.5",
                      "乙-项目"]
    from projects_cli.listings.output import csv_cell

    assert csv_cell("\rx") == "'\rx"


def test_list_csv_neutralises_a_formula_name(office):
    assert run(office, "add", "--name", "=1+2", "--code", "GX-9002")[0] == 0
    code, out, _ = run(office, "list", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert [r[1] for r in rows if r[0] == "GX-9002"] == ["'=1+2"]


# ---------------------------------------------------------------- dangerous schema moves


def test_downgrade_without_a_terminal_needs_yes_and_changes_nothing(office):
    before = files(office.parent)
    code, out, err = run(office, "db", "downgrade", "base")
    assert (code, out, err) == (
        1, "", f"回退 {office} 从 {HEAD} 到 base 会删除整个注册库的全部数据；"
               "先备份到同一文件夹\n"
               "错误：回退数据库版本需要确认：加 --yes；未改动任何内容\n")
    assert files(office.parent) == before


def test_downgrade_asks_on_a_terminal_and_no_changes_nothing(office, monkeypatch):
    import projects_cli.cli.db as cli_db

    monkeypatch.setattr(cli_db.common, "can_ask", lambda: True)
    monkeypatch.setattr(cli_db.common.typer, "confirm", lambda *a, **k: False)
    before = files(office.parent)
    code, out, err = run(office, "db", "downgrade", "base")
    assert (code, out, err.splitlines()[-1]) == (1, "", "错误：已取消，未改动任何内容")
    assert files(office.parent) == before


def test_downgrade_with_yes_keeps_a_copy_that_holds_the_registry(office):
    code, out, err = run(office, "db", "downgrade", "base", "--yes")
    kept = sorted(office.parent.glob(f"{office.name}.bak-{HEAD}-*"))
    assert (code, out, err) == (0, "", f"已备份到 {kept[0]}\n数据库版本 {HEAD} → base\n")
    code, out, _ = run(kept[0], "list", "--format", "json")
    assert code == 0 and [p["name"] for p in json.loads(out)] == ["甲项目"]


@pytest.mark.parametrize("option,what", [("--config", "配置文件"), ("--rules", "规则文件")])
def test_an_output_over_the_config_or_the_rules_file_is_refused(office, option, what):
    given = office.parent / ("config.toml" if option == "--config" else "rules.toml")
    given.write_text("# the office's own file\n", encoding="utf-8")
    before = given.read_bytes()
    code, out, err = run(office, option, str(given), "overdue", "--format", "csv", "--output", str(given))
    assert (code, out, err) == (
        1, "", f"错误：不能写入 {given}：它是本命令读取的{what}，写入会覆盖它；请另选输出文件；原文件未改动\n")
    assert given.read_bytes() == before


def test_dispatch_into_the_database_folder_cannot_replace_the_database(office):
    code, out, err = run(office, "ledger", "dispatch", "--unit", "经济发展局", "--output", str(office))
    assert (code, out, err) == (1, "", refused(office, "数据库"))  # refused as the database, before anything
    xlsx = office.with_name("office.xlsx")
    shutil.copyfile(office, xlsx)
    before = files(office.parent)
    code, out, err = run(xlsx, "ledger", "dispatch", "--unit", "经济发展局", "--output", str(xlsx))
    assert (code, out, err) == (1, "", refused(xlsx, "数据库"))
    assert files(office.parent) == before


@pytest.mark.parametrize("args", [("overdue",), ("cards", "report")])
def test_a_workbook_into_a_missing_folder_is_one_error_line(office, tmp_path, args):
    # the write-only workbook built before the folder is found missing must not print "Exception ignored …
    # Traceback" when it is dropped
    dest = tmp_path / "nowhere" / "x.xlsx"
    if args == ("cards", "report"):
        assert run(office, "cards", "rate", "--period", "2025-10")[0] == 0
        args = (*args, "--period", "2025-10")
    r = _projects("--db", str(office), "--as-of", "2025-10-31", *args, "-o", str(dest), stdout=subprocess.PIPE)
    assert (r.returncode, r.stderr) == (
        1, f"错误：无法写入 {dest}（文件夹 {dest.parent} 不存在）；原有文件未改动\n")


@pytest.mark.parametrize("args, can", [
    (("overdue", "-o", "{out}.pdf"), ".xlsx、.csv、.json、.txt"),
    (("cards", "report", "--period", "2025-10", "-o", "{out}.html"), ".xlsx"),
    (("ledger", "export", "{out}.csv"), ".xlsx"),
    (("ledger", "export", "{out}"), ".xlsx"),
    (("sheet", "weekly", "-o", "{out}.pdf"), ".xlsx、.html、.htm、.md、.txt、.docx"),
])
def test_an_output_the_command_cannot_write_is_refused_naming_what_it_can(office, tmp_path, args, can):
    folder = tmp_path / "out"
    folder.mkdir()
    out = str(folder / "报告")
    code, _, err = run(office, *(a.replace("{out}", out) for a in args))
    assert code == 2
    flat = "".join(line.strip("│ ") for line in err.splitlines())  # rich wraps the usage error in a box
    assert f"本命令可写{can}" in flat.replace(" ", "")
    assert sorted(p.name for p in folder.iterdir()) == []


# ---------------------------------------------------------------- Ctrl-C


def test_an_interrupted_command_says_what_it_left_behind(office, tmp_path, monkeypatch):
    from projects_cli.cli import common

    real_note = common.note

    def interrupt_after_writing(text: str) -> None:
        if text.startswith("已写出"):
            raise KeyboardInterrupt
        real_note(text)

    before = files(office.parent)
    monkeypatch.setattr(common, "note", interrupt_after_writing)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "逾期.csv"
    code, _, err = run(office, "overdue", "-o", str(out))
    assert (code, err) == (130, f"已中断：数据库未改动；已写完的文件：{out}\n")
    assert out.exists()
    assert files(office.parent) == before


def test_an_interrupted_write_says_whether_the_database_was_saved(office, monkeypatch):
    from projects_cli.services import registry

    real = registry.add_project

    def add_then_interrupt(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(registry, "add_project", add_then_interrupt)
    code, _, err = run(office, "add", "--name", "乙项目")
    assert (code, err) == (130, "已中断：数据库未改动；没有写出文件\n")
    monkeypatch.undo()
    code, out, _ = run(office, "list", "--format", "json")
    assert [p["name"] for p in json.loads(out)] == ["甲项目"]  # rolled back
