"""Nothing lost: concurrent writers, backups, db check, the tamper-evident change log."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from loghead import head_of, summary
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from projects_cli.cli.app import app

WRITER = textwrap.dedent(
    """
    import sys, time
    from projects_cli.store.changelog import Ctx
    from projects_cli.store.db import session_scope
    from projects_cli.services import registry
    from datetime import date
    url, who, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
    while time.time() < start:
        time.sleep(0.001)
    for i in range(25):
        # each transaction reads (the code counter, the change log's tail) and then writes
        with session_scope(url) as s:
            registry.add_project(s, Ctx(by=who, as_of=date(2025, 10, 31)), {"name": f"{who}-{i}"})
    print("done", who)
    """
)


def test_two_processes_writing_at_once_both_succeed(db_url, tmp_path: Path):
    """SQLite: one waits (BEGIN IMMEDIATE); PostgreSQL: the code counter's row lock and the change log's lock."""
    sqlite_url = db_url
    import time

    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    start = str(time.time() + 1.0)
    procs = [
        subprocess.Popen([sys.executable, str(script), sqlite_url, who, start], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for who in ("a", "b")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    engine = create_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM project")).scalar() == 50
        codes = conn.execute(text("SELECT code FROM project ORDER BY code")).scalars().all()
        assert codes == [f"GX-{i:04d}" for i in range(1, 51)]
        if sqlite_url.startswith("sqlite"):
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
    from projects_cli.store.changelog import verify_chain
    from projects_cli.store.db import session_scope

    with session_scope(sqlite_url, write=False) as s:
        assert verify_chain(s) == []


def _invoke(db: str, *args: str):
    return CliRunner().invoke(app, ["--db", db, "--by", "tester", *args])


def test_db_check_ok_then_detects_edited_and_deleted_log_entries(tmp_path: Path):
    db = str(tmp_path / "x.db")
    assert _invoke(db, "init").exit_code == 0
    for name in ("甲", "乙", "丙"):
        assert _invoke(db, "add", "--name", name).exit_code == 0
    url = f"sqlite:///{db}"
    r = _invoke(db, "db", "check")
    assert (r.exit_code, r.stdout) == (0, "正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整\n"
                                          + summary(head_of(url), rows=3) + "\n")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE change_log SET new = replace(new, '乙', '丁') WHERE record_key = 'GX-0002'"))
    r = _invoke(db, "db", "check")
    assert r.exit_code == 1
    assert r.stdout == ("异常  变更记录第 2 条在写入后被改动\n"
                        + summary(head_of(url), rows=3) + "\n")
    with engine.begin() as conn:
        conn.execute(text("UPDATE change_log SET new = replace(new, '丁', '乙') WHERE record_key = 'GX-0002'"))
        conn.execute(text("DELETE FROM change_log WHERE id = 2"))
    engine.dispose()
    r = _invoke(db, "db", "check")
    assert r.exit_code == 1
    assert r.stdout == (
        "异常  变更记录第 3 条接不上第 1 条：中间有记录被删去，或链被改写\n" + summary(head_of(url), rows=2) + "\n"
    )


def test_db_check_finds_orphans(tmp_path: Path):
    db = str(tmp_path / "x.db")
    _invoke(db, "init")
    _invoke(db, "add", "--create-units", "--name", "甲", "--unit", "建设局")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.execute(text("DELETE FROM unit"))
    engine.dispose()
    r = _invoke(db, "db", "check")
    assert r.exit_code == 1 and "异常  project.unit_id → unit 有 1 行指向不存在的记录\n" in r.stdout


def test_backup_is_a_consistent_copy_and_refuses_to_overwrite(tmp_path: Path):
    db = str(tmp_path / "x.db")
    _invoke(db, "init")
    _invoke(db, "add", "--name", "甲")
    copy = tmp_path / "copy.db"
    r = _invoke(db, "db", "backup", str(copy))
    assert r.exit_code == 0
    r = CliRunner().invoke(app, ["--db", str(copy), "list", "--format", "csv"])
    assert r.stdout.splitlines()[1].startswith("GX-0001,甲,")
    r = _invoke(db, "db", "backup", str(copy))
    assert (r.exit_code, r.stderr) == (1, f"错误：{copy} 已存在；请换一个文件名\n")


def test_log_filters_by_project_and_person(cli):
    cli("add", "--name", "甲")
    cli("add", "--name", "乙")
    cli("edit", "GX-0002", "--status", "在建")
    import json

    rows = json.loads(cli("log", "--project", "GX-0002", "--format", "json").stdout)
    assert [(r["action"], r["table_name"], r["record_key"], r["old"], r["new"]) for r in rows] == [
        ("update", "project", "GX-0002", {"status": "前期"}, {"status": "在建"}),
        ("insert", "project", "GX-0002", None, {"code": "GX-0002", "name": "乙", "status": "前期"}),
    ]
    from tests.conftest import logged_by

    pg = cli.url.startswith("postgresql")  # there the log names the login, and --by is 代录 beside it
    assert {(r["by"], r["on_behalf"]) for r in rows} == {(logged_by(cli.url), "tester" if pg else None)}
    assert len(json.loads(cli("log", "--by", "tester", "--format", "json").stdout)) == 3  # the login or its 代录
    r = cli("log", "--by", "nobody", "--format", "json")
    known = "、".join(sorted({"tester", logged_by(cli.url)}))
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", f"错误：经办人“nobody”不存在；现有的：{known}\n")
    r = cli("log", "--project", "GX-0003")  # a typo is an error, not an empty log
    assert (r.exit_code, r.stderr) == (1, "错误：项目编号“GX-0003”不存在；最接近的：GX-0001、GX-0002\n")
    r = cli("log", "--table", "projects")
    assert (r.exit_code, r.stderr) == (1, "错误：表“projects”不存在；最接近的：project、project_revision、project_archive\n")
    assert cli("log", "--table", "sheet", "--format", "json").stdout == "[]\n"  # a table with nothing logged yet
