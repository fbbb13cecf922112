"""`projects db upgrade / current / downgrade` through the command line: output, exit codes, round trips, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projects_cli.store import db

HEAD = db.head_revision()
FIRST = "0001"


def run(path: Path, *args: str):
    from projects_cli.cli.app import app

    r = CliRunner().invoke(app, ["--db", str(path), *args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def backups(url: str, before: str = "*") -> list[Path]:
    """The copies `db upgrade` kept of a SQLite file at revision `before` (any revision by default)."""
    path = db.sqlite_path(url)
    return sorted(path.parent.glob(f"{path.name}.bak-{before}-*")) if path is not None else []


def names(cli) -> list[str]:
    r = cli("list", "--format", "json")
    assert r.exit_code == 0, r.stderr
    return [row["name"] for row in json.loads(r.stdout)]


def test_a_new_file_is_upgraded_from_nothing_and_then_already_at_head(tmp_path):
    path = tmp_path / "新建" / "office.db"  # the folder is made too
    assert run(path, "db", "upgrade") == (0, "", f"数据库版本 无 → {HEAD}\n")
    assert run(path, "db", "current") == (0, f"{HEAD}（最新）\n", "")
    assert run(path, "db", "upgrade") == (0, "", f"数据库版本已是 {HEAD}\n")
    assert sorted(p.name for p in path.parent.iterdir() if ".bak-" in p.name) == []  # nothing to back up


def test_current_of_a_file_that_does_not_exist(tmp_path):
    path = tmp_path / "none.db"
    assert run(path, "db", "current") == (1, "", f"错误：{path} 不存在；请运行：projects --db {path} init\n")
    assert not path.exists()


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
def test_downgrade_then_upgrade_keeps_the_registry(cli):
    display = db.display_name(cli.url)
    assert cli("add", "--name", "甲项目").exit_code == 0
    assert (cli("db", "current").exit_code, cli("db", "current").stdout) == (0, f"{HEAD}（最新）\n")
    r = cli("db", "downgrade", FIRST, "--yes")
    assert (r.exit_code, r.stdout, r.stderr) == (
        0, "", "".join(f"已备份到 {k}\n" for k in backups(cli.url, HEAD)) + f"数据库版本 {HEAD} → {FIRST}\n")
    r = cli("db", "current")
    assert (r.exit_code, r.stdout, r.stderr) == (0, f"{FIRST}（最新是 {HEAD}；请运行：projects db upgrade）\n", "")
    # every other command refuses the older schema and says what to run
    r = cli("list")
    assert (r.exit_code, r.stderr) == (
        1, f"错误：{display} 的数据库版本是 {FIRST}，本程序需要 {HEAD}；请运行：projects --db {display} db upgrade\n")
    r = cli("db", "upgrade")
    kept = backups(cli.url, FIRST)
    assert len(kept) == (1 if db.sqlite_path(cli.url) else 0)
    assert (r.exit_code, r.stdout, r.stderr) == (
        0, "", "".join(f"已备份到 {k}\n" for k in kept) + f"数据库版本 {FIRST} → {HEAD}\n")
    assert names(cli) == ["甲项目"]
    r = cli("db", "check")
    assert (r.exit_code, r.stdout.splitlines()[0]) == (0, "正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整")


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
def test_downgrade_to_base_and_up_again(cli):
    display = db.display_name(cli.url)
    r = cli("db", "downgrade", "base", "--yes")
    kept = backups(cli.url, HEAD)
    assert len(kept) == (1 if db.sqlite_path(cli.url) else 0)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "".join(f"已备份到 {k}\n" for k in kept) + f"数据库版本 {HEAD} → base\n")
    r = cli("db", "current")
    assert (r.exit_code, r.stdout) == (0, "无（请运行：projects init）\n")
    r = cli("list")
    assert (r.exit_code, r.stderr) == (1, f"错误：{display} 中还没有项目库；请运行：projects --db {display} init\n")
    r = cli("db", "downgrade", "base", "--yes")
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", f"错误：{display} 中没有项目库；没有可回退的\n")
    r = cli("db", "upgrade")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", f"数据库版本 无 → {HEAD}\n")  # an empty schema: no copy
    assert backups(cli.url) == kept and names(cli) == []  # the downgrade's copy; an empty schema needs none


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
def test_upgrade_step_by_step(cli):
    assert cli("db", "downgrade", "base", "--yes").exit_code == 0
    r = cli("db", "upgrade", FIRST)
    assert (r.exit_code, r.stderr) == (0, f"数据库版本 无 → {FIRST}\n")
    r = cli("db", "upgrade", HEAD)
    assert (r.exit_code, r.stderr) == (0, "".join(f"已备份到 {k}\n" for k in backups(cli.url, FIRST))
                                       + f"数据库版本 {FIRST} → {HEAD}\n")
    assert cli("db", "current").stdout == f"{HEAD}（最新）\n"


def test_unknown_revisions_are_refused_and_change_nothing(cli):
    known = ", ".join(db.known_revisions())
    r = cli("db", "downgrade", "9999")
    assert (r.exit_code, r.stdout, r.stderr) == (
        1, "", f"错误：没有数据库版本 '9999'；可用的版本：{known}, base\n")
    r = cli("db", "upgrade", "9999")
    assert (r.exit_code, r.stdout, r.stderr) == (
        1, "", f"错误：没有数据库版本 '9999'；可用的版本：{known}\n")
    assert backups(cli.url) == []  # refused before anything was copied
    assert cli("db", "downgrade", FIRST, "--yes").exit_code == 0
    r = cli("db", "downgrade", HEAD)  # a newer revision is not a downgrade
    display = db.display_name(cli.url)
    assert (r.exit_code, r.stderr) == (
        1, f"错误：{display} 是版本 {FIRST}，比 {HEAD} 旧；升级请用：projects db upgrade {HEAD}\n")
    r = cli("db", "downgrade", FIRST)  # already there: nothing to do, and said so
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", f"数据库版本已是 {FIRST}\n")
    assert cli("db", "current").stdout == f"{FIRST}（最新是 {HEAD}；请运行：projects db upgrade）\n"


def test_downgrade_needs_a_revision(cli):
    r = cli("db", "downgrade")
    assert r.exit_code == 2 and "缺少参数 'revision'" in r.stderr.lower()  # older click: 'REVISION'
    assert cli("db", "current").stdout == f"{HEAD}（最新）\n"


def test_downgrade_of_a_file_that_does_not_exist(tmp_path):
    path = tmp_path / "none.db"
    assert run(path, "db", "downgrade", FIRST) == (1, "", f"错误：{path} 不存在；没有可回退的\n")
    assert not path.exists()


def test_current_of_a_database_newer_than_this_version(tmp_path):
    from sqlalchemy import create_engine

    path = tmp_path / "newer.db"
    db.upgrade(f"sqlite:///{path}", backup=False)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9000'")
    engine.dispose()
    head = db.head_revision()
    assert run(path, "db", "current") == (
        0, f"9000（比本程序新：本程序只认识到 {head}；请升级 projects 本身）\n", "")
    code, out, err = run(path, "db", "upgrade")
    assert (code, out, err) == (1, "", f"错误：{path} 的数据库版本 9000 比本程序新（本程序最高认得 {head}）；"
                                       "请升级 projects 本身，不要改动这个数据库\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newer.db"]  # no copy, nothing changed


def test_upgrade_to_an_older_revision_is_refused(tmp_path):
    path = tmp_path / "office.db"
    run(path, "db", "upgrade")
    head = db.head_revision()
    assert run(path, "db", "upgrade", FIRST) == (
        1, "", f"错误：{path} 已是版本 {head}，比 {FIRST} 新；回退请用：projects db downgrade {FIRST}\n")
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak-" in p.name) == []
