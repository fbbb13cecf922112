"""Logins on a shared PostgreSQL server: an office, two units and a leader (and staff) can each do exactly what
their role allows, through the CLI and through a direct connection as that login (row-level security holds);
the change log names the login; refusals are one Error line; a backup restores to an identical registry.

The PostgreSQL tests make a database and logins of their own (projects_roles_test_<pid>, pr<pid>_…) and drop
them at the end. The SQLite ones need no server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from projects_cli.store import db as store_db
from tests.conftest import PG_URL

HEAD = store_db.head_revision()
PID = os.getpid()
DB = f"projects_roles_test_{PID}"
RESTORED = f"{DB}_restored"
OLD = f"{DB}_old"
OFFICE, STAFF, U1, U2, LEADER = (f"pr{PID}_{n}" for n in ("office", "staff", "jfj", "jsj", "leader"))
GROUPS = [f"{DB}_{k}" for k in ("office", "staff", "unit", "leader")] + [f"{RESTORED}_{k}" for k in
                                                                          ("office", "staff", "unit", "leader")]


def run(url: str, *args: str, by: str | None = None):
    from projects_cli.cli.app import app

    base = ["--db", url, "--as-of", "2025-10-31"] + (["--by", by] if by else [])
    return CliRunner().invoke(app, [*base, *args], catch_exceptions=False)


# ---------------------------------------------------------------- SQLite: the file's permissions


def test_roles_on_sqlite_say_the_file_is_the_access_control(sqlite_url):
    r = run(sqlite_url, "admin", "role", "add", "wang", "--as", "office")
    assert r.exit_code == 1
    assert r.stderr.startswith("错误：SQLite 没有登录和角色：数据库文件的读写权限就是访问控制")
    assert len(r.stderr.strip().splitlines()) == 1
    r = run(sqlite_url, "admin", "role", "list")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == ("SQLite 没有登录和角色：数据库文件的读写权限就是访问控制（如 chmod 640，并为督查室设一个用户组）；"
                        "多个单位共用请用 PostgreSQL\n")


def test_sqlite_backup_restores_identically_and_refuses_an_old_schema(demo_template, tmp_path):
    import sqlite3

    from projects_cli.store import db

    src = tmp_path / "office.db"
    shutil.copyfile(demo_template, src)
    url = f"sqlite:///{src}"
    assert run(url, "db", "backup", str(tmp_path / "b.db")).exit_code == 0
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    r = run(target, "db", "restore", str(tmp_path / "b.db"))
    assert r.exit_code == 0, r.stderr

    def dump(path):
        conn = sqlite3.connect(path)
        try:
            return list(conn.iterdump())
        finally:
            conn.close()

    assert dump(tmp_path / "restored.db") == dump(src)
    # over a registry: asks (no terminal: refused), with --yes keeps the replaced file beside it
    r = run(target, "db", "restore", str(tmp_path / "b.db"))
    assert r.exit_code == 1
    r = run(target, "db", "restore", str(tmp_path / "b.db"), "--yes")
    assert r.exit_code == 0, r.stderr
    assert len(list(tmp_path.glob(f"restored.db.bak-{HEAD}-*"))) == 1
    old = tmp_path / "old.db"
    db.upgrade(f"sqlite:///{old}", "0013", backup=False)
    r = run(f"sqlite:///{tmp_path / 'new.db'}", "db", "restore", str(old))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{old} 的数据库版本是 0013，本程序需要 {HEAD}")
    assert not (tmp_path / "new.db").exists()


# ---------------------------------------------------------------- PostgreSQL: the logins

pg = pytest.mark.pg  # (the `office` fixture skips them without PROJECTS_TEST_PG)


def _server(database: str, user: str = "postgres") -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=database, username=user, query={}).render_as_string(hide_password=False)


def _admin(sql: str, database: str = "postgres") -> None:
    from sqlalchemy import create_engine

    engine = create_engine(_server(database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _admin_rows(sql: str, database: str) -> list[tuple]:
    from sqlalchemy import create_engine

    engine = create_engine(_server(database))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(sql).all()]
    finally:
        engine.dispose()


def _drop_all() -> None:
    for name in (DB, RESTORED, OLD):
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    for role in (STAFF, U1, U2, LEADER, OFFICE, *GROUPS):
        _admin(f"DROP ROLE IF EXISTS {role}")


@pytest.fixture(scope="module")
def office():
    """The registry (the sample) in a database of its own; the office login made it and granted the others."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need PROJECTS_TEST_PG")
    _drop_all()
    _admin(f"CREATE ROLE {OFFICE} LOGIN CREATEROLE")
    _admin(f"CREATE DATABASE {DB} OWNER {OFFICE}")
    url = as_login(OFFICE)
    try:
        r = run(url, "init", "--sample", by="tester")
        assert r.exit_code == 0, r.stderr
        for args in ((OFFICE, "--as", "office"), (STAFF, "--as", "staff"), (U1, "--as", "unit", "--unit", "经济发展局"),
                     (U2, "--as", "unit", "--unit", "建设局"), (LEADER, "--as", "leader")):
            r = run(url, "admin", "role", "add", *args)
            assert r.exit_code == 0, r.stderr
        yield url
    finally:
        _drop_all()


def as_login(login: str, database: str = DB) -> str:
    return _server(database, login)


def last_log(url: str) -> dict:
    r = run(url, "log", "-n", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)[0]


def refused(who: str, mine: str, theirs: str) -> str:
    return (f"错误：你的登录 {who}（{mine}）不能修改{theirs}的项目（your login {who} (unit {mine}) may not change projects of "
            f"{theirs}）；只有督查室和{theirs}的登录可以 (only the office and {theirs}'s logins may)\n")


@pg
def test_role_list_names_each_login_its_role_and_unit(office):
    r = run(office, "admin", "role", "list", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {(x["login"], x["kind"], x["unit"], x["member"], x["by"]) for x in json.loads(r.stdout)}
    assert rows == {(OFFICE, "office", None, "是", OFFICE), (STAFF, "staff", None, "是", OFFICE),
                    (U1, "unit", "经济发展局", "是", OFFICE), (U2, "unit", "建设局", "是", OFFICE),
                    (LEADER, "leader", None, "是", OFFICE)}


@pg
def test_a_unit_changes_its_own_projects_and_the_log_names_the_login(office):
    u1 = as_login(U1)
    r = run(u1, "milestone", "done", "GX-0007", "开工", "--on", "2025-10-30", by="王五")
    assert r.exit_code == 0, r.stderr
    entry = last_log(office)
    assert (entry["by"], entry["on_behalf"], entry["table_name"], entry["record_key"]) == (
        U1, "王五", "milestone", "GX-0007:开工")
    r = run(u1, "invest", "record", "GX-0003", "--month", "2025-10", "--amount", "1200")
    assert r.exit_code == 0, r.stderr
    entry = last_log(office)
    assert (entry["by"], entry["on_behalf"], entry["new"]) == (U1, None, {"amount": "1200", "source": None})


@pg
def test_a_unit_is_refused_another_units_projects_in_one_line(office):
    for args in (("milestone", "done", "GX-0045", "竣工", "--on", "2025-10-30"),
                 ("invest", "record", "GX-0045", "--month", "2025-10", "--amount", "900")):
        r = run(as_login(U1), *args)
        assert (r.exit_code, r.stderr) == (1, refused(U1, "经济发展局", "建设局")), args
    r = run(as_login(U2), "milestone", "done", "GX-0003", "开工", "--on", "2025-10-30")
    assert (r.exit_code, r.stderr) == (1, refused(U2, "建设局", "经济发展局"))
    # and the owner unit may
    r = run(as_login(U2), "invest", "record", "GX-0045", "--month", "2025-10", "--amount", "900")
    assert r.exit_code == 0, r.stderr
    assert last_log(office)["by"] == U2


@pg
def test_a_unit_answers_only_its_own_problems(office):
    r = run(as_login(U2), "issue", "respond", "2025-004", "--text", "已落实")
    assert (r.exit_code, r.stderr) == (1, refused(U2, "建设局", "经济发展局"))
    r = run(as_login(U1), "issue", "respond", "2025-004", "--text", "已落实")
    assert r.exit_code == 0, r.stderr
    entry = last_log(office)
    assert (entry["by"], entry["table_name"], entry["new"]["type"]) == (U1, "issue_event", "respond")


@pg
def test_a_unit_returns_its_own_dispatch_sheet_only(office, tmp_path):
    from openpyxl import load_workbook

    sent = tmp_path / "经济发展局.xlsx"
    r = run(office, "--as-of", "2025-10-20", "ledger", "dispatch", "--unit", "经济发展局", "-o", str(sent),
            "--due", "2025-10-28")
    assert r.exit_code == 0, r.stderr
    wb = load_workbook(sent)
    ws = wb.worksheets[0]
    header = next(i for i, row in enumerate(ws.iter_rows(values_only=True), 1) if row[1] == "项目编号")
    columns = [c.value for c in ws[header]]
    row = next(i for i, r in enumerate(ws.iter_rows(values_only=True), 1) if r[1] == "GX-0013")
    ws.cell(row=row, column=columns.index("2025年10月完成投资（万元）") + 1).value = 160
    ws.cell(row=row, column=columns.index("形象进度") + 1).value = "基础施工"
    back = tmp_path / "back.xlsx"
    wb.save(back)
    r = run(as_login(U2), "--as-of", "2025-10-27", "ledger", "import", str(back))
    assert (r.exit_code, r.stderr) == (1, refused(U2, "建设局", "经济发展局"))
    r = run(as_login(U1), "--as-of", "2025-10-27", "ledger", "import", str(back))
    assert r.exit_code == 0, r.stderr
    r = run(office, "log", "-n", "3", "--format", "json")
    assert [(e["by"], e["table_name"], e["record_key"]) for e in json.loads(r.stdout)] == [
        (U1, "dispatch", "经济发展局:2025-10"), (U1, "project", "GX-0013"), (U1, "progress_report", "GX-0013")]


@pg
def test_a_unit_re_imports_its_own_ledger(office, tmp_path):
    """An unchanged re-import writes the rows' fingerprints (ledger_fingerprint), as the unit's login may for its
    own projects; the next one skips them and still changes nothing."""
    ledger = tmp_path / "经济发展局台账.xlsx"
    r = run(office, "ledger", "export", str(ledger), "--unit", "经济发展局")
    assert r.exit_code == 0, r.stderr
    for _ in range(2):
        r = run(as_login(U1), "ledger", "import", str(ledger), "--format", "json")
        assert r.exit_code == 0, r.stderr
    held = _admin_rows("SELECT count(*) FROM ledger_fingerprint f JOIN project p ON p.id = f.project_id "
                       "JOIN unit u ON u.id = p.unit_id WHERE u.name = '经济发展局'", DB)
    assert held[0][0] > 0


@pg
def test_a_leader_reads_and_adds_instructions_only(office):
    leader = as_login(LEADER)
    assert run(leader, "overdue").exit_code == 0
    r = run(leader, "issue", "instruct", "2025-004", "--leader", "王芳", "--text", "抓紧办理")
    assert r.exit_code == 0, r.stderr
    entry = last_log(office)
    assert (entry["by"], entry["new"]["type"], entry["new"]["text"]) == (LEADER, "instruct", "抓紧办理")
    r = run(leader, "milestone", "done", "GX-0045", "竣工", "--on", "2025-10-30")
    assert r.exit_code == 1
    assert r.stderr == (f"错误：你的登录 {LEADER}（包保领导）不能做这件事；"
                        "包保领导只能查看和添加批示（permission denied for table milestone）\n")
    r = run(leader, "issue", "follow", "2025-004", "--text", "跟踪")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：你的登录 {LEADER}（包保领导）只能查看和添加批示")


@pg
def test_staff_change_any_project_but_not_the_logins(office):
    staff = as_login(STAFF)
    r = run(staff, "milestone", "done", "GX-0045", "竣工", "--on", "2025-10-30")
    assert r.exit_code == 0, r.stderr
    assert last_log(office)["by"] == STAFF
    r = run(staff, "admin", "role", "add", "pr_nobody", "--as", "office")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：你的登录 {STAFF}（督查室工作人员）不能做这件事")
    assert len(r.stderr.splitlines()) == 1


def _psql_as(login: str):
    import psycopg

    return psycopg.connect(as_login(login).replace("postgresql+psycopg", "postgresql"))


def _refused_sql(login: str, sql: str, params=()) -> str:
    import psycopg

    with _psql_as(login) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute(sql, params)
        conn.rollback()
    return str(caught.value).splitlines()[0]


@pg
def test_row_level_security_holds_on_a_direct_connection(office):
    other = "(SELECT id FROM project WHERE code = 'GX-0045')"
    own = "(SELECT id FROM project WHERE code = 'GX-0003')"
    assert _refused_sql(U1, f"UPDATE milestone SET actual_date = '2025-10-01' WHERE project_id = {other}") == \
        refused(U1, "经济发展局", "建设局")[len("错误："):-1]
    assert _refused_sql(U1, f"INSERT INTO progress_report (project_id, \"on\", progress) VALUES ({other}, '2025-10-31', 'x')") \
        == refused(U1, "经济发展局", "建设局")[len("错误："):-1]
    # its own rows it may change (rolled back), but not move them to another project
    with _psql_as(U1) as conn:
        assert conn.execute(f"UPDATE milestone SET planned_date = planned_date WHERE project_id = {own}").rowcount >= 1
        conn.rollback()
    assert _refused_sql(U1, f"UPDATE milestone SET project_id = {other} WHERE project_id = {own}") == \
        "permission denied for table milestone"
    assert _refused_sql(U1, "DELETE FROM project") == "permission denied for table project"
    assert _refused_sql(U1, "UPDATE project SET unit_id = NULL") == "permission denied for table project"
    # the log names the login itself, whatever is typed
    forged = _refused_sql(U1, "INSERT INTO change_log (at, by, command, action, table_name, fields, prev_hash, hash) "
                              "VALUES (now(), '督查室', '', 'update', 'project', '', '', '')")
    assert forged.startswith(f"变更记录的经办人必须是登录本人 {U1}，不能写成 督查室")
    assert _refused_sql(LEADER, "UPDATE issue SET state = 'closed'").startswith(f"你的登录 {LEADER}（包保领导）只能查看和添加批示")
    assert _refused_sql(LEADER, "INSERT INTO login_role (login, kind, by, at) VALUES ('x', 'office', 'x', now())") == \
        "permission denied for table login_role"
    assert _refused_sql(STAFF, "INSERT INTO login_role (login, kind, by, at) VALUES ('x', 'office', 'x', now())") == \
        "permission denied for table login_role"


@pg
def test_db_check_verifies_the_policies(office):
    r = run(office, "db", "check")
    assert r.exit_code == 0, r.stdout
    assert r.stdout.splitlines()[0] == "正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整"
    _admin("ALTER TABLE milestone DISABLE ROW LEVEL SECURITY", DB)
    _admin("DROP POLICY projects_update ON dispatch", DB)
    try:
        r = run(office, "db", "check")
        assert r.exit_code == 1
        fails = [line for line in r.stdout.splitlines() if line.startswith("FAIL")]
        assert fails == [
            "异常  表 milestone 的行级安全未启用：单位的登录可以改别的单位的数据；请运行 projects db "
            "upgrade，或由督查室执行 ALTER TABLE milestone ENABLE ROW LEVEL SECURITY",
            "异常  表 dispatch 缺少行级安全策略 projects_update"]
    finally:
        _admin("ALTER TABLE milestone ENABLE ROW LEVEL SECURITY", DB)
        _admin("CREATE POLICY projects_update ON dispatch FOR UPDATE USING (true) "
               "WITH CHECK (projects_may_write(NULL, unit_id, NULL))", DB)
    assert run(office, "db", "check").exit_code == 0


def _data_dump(database: str) -> list[str]:
    out = subprocess.run(["pg_dump", "--data-only", "--no-owner", "-d", _server(database).replace("+psycopg", "")],
                         capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if not line.startswith(("\\restrict", "\\unrestrict"))]


@pg
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump and pg_restore")
def test_a_backup_restores_to_an_identical_registry(office, tmp_path):
    dump = tmp_path / "office.dump"
    r = run(office, "db", "backup", str(dump))
    assert r.exit_code == 0, r.stderr
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    _admin(f"CREATE DATABASE {RESTORED} OWNER {OFFICE}")
    restored = as_login(OFFICE, RESTORED)
    r = run(restored, "db", "restore", str(dump))
    assert r.exit_code == 0, r.stderr
    assert _data_dump(RESTORED) == _data_dump(DB)
    assert run(restored, "db", "check", "--accept-head").exit_code == 0
    # its logins keep their roles under the restored database's groups, and the policies hold there too
    r = run(as_login(U1, RESTORED), "invest", "record", "GX-0045", "--month", "2025-08", "--amount", "5")
    assert (r.exit_code, r.stderr) == (1, refused(U1, "经济发展局", "建设局"))
    r = run(as_login(U1, RESTORED), "milestone", "done", "GX-0004", "达效", "--on", "2025-10-30")
    assert r.exit_code == 0, r.stderr
    # never over a registry, and only a backup at this version's schema
    r = run(restored, "db", "restore", str(dump))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{_server(RESTORED, OFFICE)} 已有项目库：")
    from projects_cli.store import db

    _admin(f"CREATE DATABASE {OLD} OWNER {OFFICE}")
    db.upgrade(as_login(OFFICE, OLD), "0013", backup=False)
    old = tmp_path / "old.dump"
    assert run(as_login(OFFICE, OLD), "db", "backup", str(old)).exit_code == 0
    _admin(f"DROP DATABASE {OLD} WITH (FORCE)")
    _admin(f"CREATE DATABASE {OLD} OWNER {OFFICE}")
    r = run(as_login(OFFICE, OLD), "db", "restore", str(old))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{old} 的数据库版本是 0013，本程序需要 {HEAD}")
    assert db.revision_of(as_login(OFFICE, OLD)) is None


@pg
def test_a_removed_login_is_refused(office):
    r = run(office, "admin", "role", "remove", U2)
    assert r.exit_code == 0, r.stderr
    r = run(as_login(U2), "invest", "record", "GX-0045", "--month", "2025-09", "--amount", "1")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：你的登录 {U2} 在这个项目库没有角色；")
    r = run(office, "admin", "role", "remove", U2)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：登录 {U2} 在这个项目库没有角色")
    assert run(office, "db", "check").exit_code == 0  # the log, with its 代录 rows, still verifies
