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
OFFICE, STAFF, U1, U2, LEADER, U3 = (f"pr{PID}_{n}" for n in ("office", "staff", "jfj", "jsj", "leader", "wyjd"))
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
    for args in (("scope",), ("scope", "--unit-reads", "own")):
        r = run(sqlite_url, "admin", "role", *args)
        assert (r.exit_code, r.stdout) == (1, ""), args
        assert r.stderr.startswith("错误：SQLite 没有登录和角色：数据库文件的读写权限就是访问控制")
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
    for role in (STAFF, U1, U2, U3, LEADER, OFFICE, *GROUPS):
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
def test_a_unit_re_imports_its_own_ledger_but_keeps_no_fingerprints(office, tmp_path):
    """The ledger fingerprints (ledger_fingerprint) make an import skip a row as unchanged: only the office and staff
    keep them. A unit's import reads them and stores none; through psql its login may not write them at all."""
    ledger = tmp_path / "经济发展局台账.xlsx"
    r = run(office, "ledger", "export", str(ledger), "--unit", "经济发展局")
    assert r.exit_code == 0, r.stderr
    mine = ("SELECT count(*) FROM ledger_fingerprint f JOIN project p ON p.id = f.project_id "
            "JOIN unit u ON u.id = p.unit_id WHERE u.name = '经济发展局'")
    _admin("DELETE FROM ledger_fingerprint", DB)
    for _n in range(2):
        r = run(as_login(U1), "ledger", "import", str(ledger), "--format", "json")
        assert r.exit_code == 0, r.stderr
    assert _admin_rows(mine, DB) == [(0,)]
    r = run(office, "ledger", "import", str(ledger), "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert _admin_rows(mine, DB) == [(8,)]
    r = run(as_login(U1), "ledger", "import", str(ledger), "--format", "json")  # (skips by the office's)
    assert r.exit_code == 0, r.stderr
    own = "(SELECT id FROM project WHERE code = 'GX-0003')"
    for sql in (f"UPDATE ledger_fingerprint SET digest = '\\x00' WHERE project_id = {own}",
                f"DELETE FROM ledger_fingerprint WHERE project_id = {own}",
                f"INSERT INTO ledger_fingerprint (project_id, digest) VALUES ({own}, '\\x00')"):
        assert _refused_sql(U1, sql) == "permission denied for table ledger_fingerprint", sql
    assert _admin_rows(mine, DB) == [(8,)]


@pg
def test_a_unit_may_record_its_return_but_not_alter_what_a_dispatch_sent(office, tmp_path):
    r = run(office, "--as-of", "2025-09-20", "ledger", "dispatch", "--unit", "经济发展局", "-o",
            str(tmp_path / "派工单.xlsx"))
    assert r.exit_code == 0, r.stderr
    sent = "SELECT (fingerprints::jsonb - 'applied')::text FROM dispatch WHERE unit_id = (SELECT id FROM unit " \
           "WHERE name = '经济发展局') AND period = '2025-09'"
    before = _admin_rows(sent, DB)
    mine = "unit_id = (SELECT unit_id FROM login_role WHERE login = session_user) AND period = '2025-09'"
    words = (f"你的登录 {U1}（责任单位）不能修改派工单派发时的记录（your login {U1} (unit) may not change what a dispatch "
             "sent）；单位只能登记报回 (a unit may only record its return)")
    assert _refused_sql(U1, f"UPDATE dispatch SET fingerprints = '{{}}' WHERE {mine}") == words
    assert _refused_sql(U1, "UPDATE dispatch SET fingerprints = jsonb_set(fingerprints::jsonb, '{rows,0,fp}', "
                            f"'\"forged\"')::json WHERE {mine}") == words
    assert _refused_sql(U1, f"UPDATE dispatch SET token = 'x' WHERE {mine}") == "permission denied for table dispatch"
    # what a return records, it may (rolled back)
    with _psql_as(U1) as conn:
        assert conn.execute("UPDATE dispatch SET returned_on = '2025-10-27', fingerprints = jsonb_set("
                            "fingerprints::jsonb, '{applied}', '{}')::json WHERE " + mine).rowcount == 1
        conn.rollback()
    assert _admin_rows(sent, DB) == before


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
        fails = [line for line in r.stdout.splitlines() if line.startswith("异常")]
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


# ---------------------------------------------------------------- what a unit reads: admin role scope


def answers_for(unit: str) -> str:
    """The projects a unit answers for, as the server's administrator finds them: its own, and those whose problems it
    leads or helps with (配合)."""
    u = f"(SELECT id FROM unit WHERE name = '{unit}')"
    return (f"(SELECT id FROM project WHERE unit_id = {u} UNION SELECT project_id FROM issue WHERE lead_unit_id = {u} "
            f"UNION SELECT i.project_id FROM issue i JOIN issue_helper h ON h.issue_id = i.id WHERE h.unit_id = {u})")


def codes_of(unit: str) -> list[str]:
    return [c for (c,) in _admin_rows(f"SELECT code FROM project WHERE id IN {answers_for(unit)} ORDER BY code", DB)]


def _seen(login: str, sql: str) -> list[tuple]:
    with _psql_as(login) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def _codes(url: str) -> list[str]:
    r = run(url, "list", "--format", "json")
    assert r.exit_code == 0, r.stderr
    return sorted(x["code"] for x in json.loads(r.stdout))


@pytest.fixture
def own(office):
    for login, unit in ((U2, "建设局"), (U3, "王因街道")):  # (U2 removed by a test above)
        r = run(office, "admin", "role", "add", login, "--as", "unit", "--unit", unit)
        assert r.exit_code == 0, r.stderr
    r = run(office, "admin", "role", "scope", "--unit-reads", "own")
    assert r.exit_code == 0, r.stderr
    try:
        yield office
    finally:
        r = run(office, "admin", "role", "scope", "--unit-reads", "all")
        assert r.exit_code == 0, r.stderr


@pg
def test_unit_logins_read_every_project_by_default(office):
    r = run(as_login(U1), "admin", "role", "scope")
    assert (r.exit_code, r.stdout) == (0, "单位的登录可读：所有项目（all）\n")
    everything = sorted(c for (c,) in _admin_rows("SELECT code FROM project", DB))
    assert len(everything) == 51
    assert _codes(as_login(U1)) == everything
    assert _seen(U1, "SELECT count(*) FROM issue") == _admin_rows("SELECT count(*) FROM issue", DB)


@pg
def test_under_own_a_unit_reads_only_its_own_projects_and_what_hangs_off_them(own, tmp_path):
    mine = codes_of("经济发展局")
    assert len(mine) == 9  # its 8, and GX-0001, whose problem it helps with
    r = run(own, "admin", "role", "scope")
    assert r.stdout == "单位的登录可读：本单位的项目和本单位牵头或配合办理问题的项目，及其节点、投资、问题、台账回收、招商线索和变更记录（own）\n"
    assert _codes(as_login(U1)) == mine
    assert _codes(as_login(U2)) == codes_of("建设局")
    # leaders and staff (and the office) read everything
    for login in (LEADER, STAFF, OFFICE):
        assert len(_codes(as_login(login))) == 51, login
    # through psql: the rows hanging off its projects, and no other unit's
    jfj = "(SELECT id FROM unit WHERE name = '经济发展局')"
    by_project = f"project_id IN {answers_for('经济发展局')}"
    issues = f"(SELECT id FROM issue WHERE {by_project} OR lead_unit_id = {jfj})"
    rows = {  # table: the rows (ids) of its own, as the server's administrator finds them
        "project": f"id IN {answers_for('经济发展局')}",
        "milestone": by_project,
        "milestone_plan": f"milestone_id IN (SELECT id FROM milestone WHERE {by_project})",
        "investment_report": by_project,
        "investment_plan": by_project,
        "progress_report": by_project,
        "card": by_project,
        "issue": f"id IN {issues}",
        "issue_event": f"issue_id IN {issues}",
        "dispatch": f"unit_id = {jfj}",
        "notice": f"unit_id = {jfj}",
        "lead": f"unit_id = {jfj}",
    }
    for table, where in rows.items():
        held = _admin_rows(f"SELECT id FROM {table} WHERE {where} ORDER BY id", DB)
        assert _seen(U1, f"SELECT id FROM {table} ORDER BY id") == held, table
        assert _seen(LEADER, f"SELECT count(*) FROM {table}") == _admin_rows(f"SELECT count(*) FROM {table}", DB), table
    assert _seen(U1, "SELECT number FROM issue ORDER BY number") == [("2025-002",), ("2025-004",)]  # (helps, leads)
    # what every command needs, it reads whole: the units, their names, the leaders, the counters, the sheets
    for table in ("unit", "unit_name", "leader", "counter", "sheet", "meeting", "log_anchor"):
        assert _seen(U1, f"SELECT count(*) FROM {table}") == _admin_rows(f"SELECT count(*) FROM {table}", DB), table
    # the change log: its own projects' rows and the rows its login wrote
    log = (f"SELECT id FROM change_log WHERE by = '{U1}' OR project_code IN (SELECT code FROM project "
           f"WHERE id IN {answers_for('经济发展局')}) ORDER BY id")
    assert _seen(U1, "SELECT id FROM change_log ORDER BY id") == _admin_rows(log, DB)
    assert _seen(U1, "SELECT count(*) FROM change_log WHERE by = session_user")[0][0] > 0
    # its everyday commands still work
    assert run(as_login(U1), "show", "GX-0003").exit_code == 0
    r = run(as_login(U1), "show", "GX-0045")
    assert (r.exit_code, len(r.stderr.splitlines())) == (1, 1)
    r = run(as_login(U1), "overdue", "--format", "json")
    assert r.exit_code == 0, r.stderr
    answers = answers_for("经济发展局")
    units = {n for (n,) in _admin_rows(f"SELECT name FROM unit WHERE id IN (SELECT unit_id FROM project WHERE id IN "
                                       f"{answers}) OR id IN (SELECT lead_unit_id FROM issue WHERE project_id IN {answers})",
                                       DB)}
    overdue = {x["unit"] for x in json.loads(r.stdout)["by_unit"]}
    assert overdue <= units and "经济发展局" in overdue
    r = run(as_login(LEADER), "overdue", "--format", "json")
    assert len({x["unit"] for x in json.loads(r.stdout)["by_unit"]}) > len(units)
    r = run(own, "issue", "send-back", "2025-004", "--reason", "未提供批复文件")
    assert r.exit_code == 0, r.stderr
    r = run(as_login(U1), "issue", "respond", "2025-004", "--text", "已按要求整改")
    assert r.exit_code == 0, r.stderr
    r = run(as_login(U1), "milestone", "done", "GX-0003", "开工", "--on", "2025-10-29")
    assert r.exit_code == 0, r.stderr
    sent = tmp_path / "经济发展局.xlsx"
    r = run(own, "--as-of", "2025-08-20", "ledger", "dispatch", "--unit", "经济发展局", "-o", str(sent), "--due", "2025-08-28")
    assert r.exit_code == 0, r.stderr
    r = run(as_login(U1), "--as-of", "2025-08-27", "ledger", "import", str(sent))
    assert r.exit_code == 0, r.stderr
    # a problem it leads on another unit's project: it reads that project too, and answers the problem
    assert _codes(as_login(U3)) == codes_of("王因街道")
    assert "GX-0041" in _codes(as_login(U3))
    r = run(as_login(U3), "issue", "respond", "2025-007", "--text", "已协调用地")
    assert r.exit_code == 0, r.stderr
    r = run(as_login(U3), "milestone", "done", "GX-0041", "开工", "--on", "2025-10-29")  # (reads it, may not change it)
    assert (r.exit_code, r.stderr) == (1, refused(U3, "王因街道", "农业农村局"))
    # the log it wrote chains onto the log's real tail, which it cannot read
    assert last_log(own)["by"] == U3
    r = run(own, "db", "check")
    assert r.exit_code == 0, r.stdout


@pg
def test_only_the_office_chooses_what_units_read(office):
    for login in (STAFF, U1, LEADER):
        r = run(as_login(login), "admin", "role", "scope", "--unit-reads", "own")
        assert r.exit_code == 1, login
        assert len(r.stderr.splitlines()) == 1
        assert r.stderr.startswith(f"错误：你的登录 {login}（"), r.stderr
    assert run(office, "admin", "role", "scope").stdout == "单位的登录可读：所有项目（all）\n"


@pg
def test_db_check_verifies_the_read_policies_match_the_choice(own):
    assert run(own, "db", "check").exit_code == 0
    _admin("DROP POLICY projects_read ON milestone", DB)
    _admin("CREATE POLICY projects_read ON milestone FOR SELECT USING (true)", DB)
    _admin("DROP POLICY projects_read ON card", DB)
    _admin("DROP TRIGGER projects_dispatch_sent ON dispatch", DB)
    r = run(own, "db", "check")
    assert r.exit_code == 1
    assert [line for line in r.stdout.splitlines() if line.startswith("异常")] == [
        "异常  表 milestone 的读取策略与设定不符：设定单位的登录可读 own，实际可读 all；"
        "请督查室运行 projects admin role scope --unit-reads own",
        "异常  表 card 缺少行级安全策略 projects_read",
        "异常  表 dispatch 缺少触发器 projects_dispatch_sent：单位的登录可以改派工单派发时的记录；请运行 projects db upgrade"]
    # the office's choice, put back by running it again; re-created policies keep it (db upgrade)
    assert run(own, "admin", "role", "scope", "--unit-reads", "own").exit_code == 0
    r = run(own, "db", "check")
    assert [line for line in r.stdout.splitlines() if line.startswith("异常")] == [
        "异常  表 dispatch 缺少触发器 projects_dispatch_sent：单位的登录可以改派工单派发时的记录；请运行 projects db upgrade"]
    from sqlalchemy import create_engine

    from projects_cli.store.roles import create_policies

    engine = create_engine(_server(DB))
    try:
        with engine.begin() as conn:
            create_policies(conn)
    finally:
        engine.dispose()
    assert run(own, "db", "check").exit_code == 0
    assert _codes(as_login(U2)) == codes_of("建设局")
