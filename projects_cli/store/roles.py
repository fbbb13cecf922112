"""Who may do what on a shared PostgreSQL server: group roles, GRANTs and row-level security.

Four group roles per registry (`group_roles`: the database's name, and its schema when not public, then
_office, _staff, _unit, _leader) hold the GRANTs; a login is made a member of one (`add_login`) and, for a
unit, `login_role` records its unit. The policies migration 0014 creates read `login_role` by
`session_user`, so PostgreSQL itself refuses a unit's login a change to another unit's rows, through this
tool or through psql alike, and says why in one line (the functions below raise 42501 with the words).
The office group owns the tables: its members run `db upgrade` and bypass the policies (as owners do).
What a unit's login reads is the office's choice (`set_unit_reads`, recorded in `role_scope`): the read policies
follow it, and `check_policies` compares them with it.
On SQLite there are no logins: the file's permissions are the access control.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from projects_cli.errors import InvalidValue, NotFound, ProjectsError
from projects_cli.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

KINDS = {"office": "督查室", "staff": "督查室工作人员", "unit": "责任单位", "leader": "包保领导"}
SQLITE_HINT = _("SQLite 没有登录和角色：数据库文件的读写权限就是访问控制（如 chmod 640，并为督查室设一个用户组）；"
                "多个单位共用请用 PostgreSQL")

# Tables a unit may write (besides the change log), and what names the project or unit of a row, as SQL over
# the new row: (table, project expression, unit expression, event type expression).
_MILESTONE_PROJECT = "(SELECT m.project_id FROM milestone m WHERE m.id = milestone_id)"
_ISSUE = "(SELECT i.{} FROM issue i WHERE i.id = issue_id)"
_LEAD_UNIT = "(SELECT l.unit_id FROM lead l WHERE l.id = lead_id)"  # a lead's follow-ups and moves: its unit's
SCOPED: tuple[tuple[str, str, str, str], ...] = (
    ("project", "id", "unit_id", "NULL"),
    ("milestone", "project_id", "NULL", "NULL"),
    ("milestone_plan", _MILESTONE_PROJECT, "NULL", "NULL"),
    ("milestone_revision", _MILESTONE_PROJECT, "NULL", "NULL"),
    ("investment_report", "project_id", "NULL", "NULL"),
    ("investment_revision", "project_id", "NULL", "NULL"),
    ("progress_report", "project_id", "NULL", "NULL"),
    ("project_revision", "project_id", "NULL", "NULL"),
    ("issue", "project_id", "lead_unit_id", "NULL"),
    ("issue_event", _ISSUE.format("project_id"), _ISSUE.format("lead_unit_id"), "type"),
    ("dispatch", "NULL", "unit_id", "NULL"),
    ("ledger_fingerprint", "project_id", "NULL", "NULL"),  # what a re-import of its own ledger skips
    ("lead", "NULL", "unit_id", "NULL"),  # a returned 派工单's 招商线索 sheet: follow-ups and stage moves
    ("lead_follow", "NULL", _LEAD_UNIT, "NULL"),
    ("lead_stage", "NULL", _LEAD_UNIT, "NULL"),
    ("lead_assignment", "NULL", _LEAD_UNIT, "NULL"),
)
# Tables only the office writes whose rows still belong to one unit's projects: under `admin role scope
# --unit-reads own` a unit's login reads only its own (table, project expression, unit expression).
READ_SCOPED: tuple[tuple[str, str, str], ...] = (
    ("investment_plan", "project_id", "NULL"),
    ("project_archive", "project_id", "NULL"),
    ("card", "project_id", "NULL"),
    ("notice", "NULL", "unit_id"),
    ("issue_helper", _ISSUE.format("project_id"), _ISSUE.format("lead_unit_id")),
    ("meeting_decision", _ISSUE.format("project_id"), _ISSUE.format("lead_unit_id")),
)
# the change log: the rows of its own projects and those its login wrote
_LOG_READ = "by = session_user OR projects_may_read((SELECT p.id FROM project p WHERE p.code = project_code), NULL)"
# Every table with row-level security, and the policies each must have (`check_policies`).
RLS_TABLES = tuple(t for t, *_ in SCOPED) + ("change_log",) + tuple(t for t, *_ in READ_SCOPED)
POLICIES = ("projects_read", "projects_insert", "projects_update", "projects_delete")
# What unit logins may read (`admin role scope --unit-reads`, kept in `role_scope`): every project (the default),
# or only the projects they answer for (their unit's, and those whose problems they lead or help with: read, not
# changed) and the rows hanging off them (`projects_may_read`). The units, their names, the leaders, the
# counters, sheets, meetings and the config stay readable to all: a unit's commands need them.
UNIT_READS = ("all", "own")
DEFAULT_READS = "all"
# the trigger that keeps a dispatch's record as sent (what a return is judged against) the office's: a unit's login
# may record its return (returned_on, the "applied" key of fingerprints), nothing else of it
DISPATCH_TRIGGER = "projects_dispatch_sent"

# What a unit's login may INSERT and UPDATE (columns: a unit cannot move a row to another project or unit).
# Not ledger_fingerprint: a digest a unit wrote would make the office's next import skip that row as unchanged,
# so only the office and staff keep them (a unit's import reads them, and skips storing: `fingerprint.store`).
UNIT_INSERT = ("milestone_plan", "milestone_revision", "investment_report", "investment_revision", "progress_report",
               "project_revision", "issue_event", "change_log", "lead_follow", "lead_stage", "lead_assignment")
UNIT_DELETE: tuple[str, ...] = ()
UNIT_UPDATE = {
    "project": ("site_progress", "updated_at", "version"),
    "milestone": ("planned_date", "actual_date", "actual_recorded_on"),
    "investment_report": ("amount", "source", "recorded_on"),
    "issue": ("state", "resolved_on", "misses"),
    # a return records the date and what came back (the rows received, beside the fingerprints sent)
    "dispatch": ("returned_on", "fingerprints"),
    "lead": ("stage",),
}
LEADER_INSERT = ("issue_event", "change_log")
# a step on a problem locks its row first (SELECT … FOR UPDATE needs an UPDATE grant); the policy refuses a leader
# any actual change of it
LEADER_UPDATE = {"issue": ("state",)}
STAFF_READ_ONLY = ("login_role", "alembic_version", "log_anchor", "role_scope")

FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION projects_login_kind() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS
$$ SELECT kind FROM login_role WHERE login = session_user $$;

CREATE OR REPLACE FUNCTION projects_may_write(p_project integer, p_unit integer, p_event text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  k text; u integer; owner_unit integer; mine text; theirs text; who text := session_user;
BEGIN
  SELECT kind, unit_id INTO k, u FROM login_role WHERE login = session_user;
  IF k IN ('office', 'staff') THEN RETURN true; END IF;
  IF k = 'leader' THEN
    IF p_event = 'instruct' THEN RETURN true; END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
      '你的登录 %s（包保领导）只能查看和添加批示（your login %s (leader) may only read and add 批示）；'
      '其他改动请督查室或责任单位的登录来做 (the office or the unit''s logins may)', who, who);
  END IF;
  IF k = 'unit' THEN
    IF p_project IS NOT NULL THEN SELECT unit_id INTO owner_unit FROM project WHERE id = p_project; END IF;
    IF u = p_unit OR u = owner_unit THEN RETURN true; END IF;
    SELECT name INTO mine FROM unit WHERE id = u;
    SELECT name INTO theirs FROM unit WHERE id = coalesce(owner_unit, p_unit);
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
      '你的登录 %s（%s）不能修改%s的项目（your login %s (unit %s) may not change projects of %s）；'
      '只有督查室和%s的登录可以 (only the office and %s''s logins may)',
      who, mine, coalesce(theirs, '无责任单位'), who, mine, coalesce(theirs, 'no unit'),
      coalesce(theirs, '该单位'), coalesce(theirs, 'that unit'));
  END IF;
  RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
    '你的登录 %s 在这个项目库没有角色（your login %s has no role in this registry）；'
    '请督查室运行 projects admin role add %s --as …', who, who, who);
END $$;

CREATE OR REPLACE FUNCTION projects_may_read(p_project integer, p_unit integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  -- a unit reads the projects it answers for: its own, and those whose problems it leads or helps with (配合)
  SELECT CASE WHEN l.kind IS DISTINCT FROM 'unit' THEN true
              ELSE coalesce(l.unit_id = p_unit OR l.unit_id = (SELECT p.unit_id FROM project p WHERE p.id = p_project),
                            false)
                   OR EXISTS (SELECT 1 FROM issue i WHERE i.project_id = p_project AND i.lead_unit_id = l.unit_id)
                   OR EXISTS (SELECT 1 FROM issue i JOIN issue_helper h ON h.issue_id = i.id
                              WHERE i.project_id = p_project AND h.unit_id = l.unit_id) END
  FROM (SELECT (SELECT kind FROM login_role WHERE login = session_user) AS kind,
               (SELECT unit_id FROM login_role WHERE login = session_user) AS unit_id) l $$;

-- the log's last row (the last signed one when p_keyed): every writer chains onto it, whatever it may read
CREATE OR REPLACE FUNCTION projects_log_last(p_keyed boolean) RETURNS TABLE (hash text, seq integer, mac text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT c.hash::text, c.seq, c.mac::text FROM change_log c WHERE NOT p_keyed OR c.mac IS NOT NULL
  ORDER BY c.id DESC LIMIT 1 $$;

CREATE OR REPLACE FUNCTION projects_dispatch_sent() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE who text := session_user;
BEGIN
  IF projects_login_kind() = 'unit' AND (
       (OLD.fingerprints::jsonb - 'applied') IS DISTINCT FROM (NEW.fingerprints::jsonb - 'applied')) THEN
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
      '你的登录 %s（责任单位）不能修改派工单派发时的记录（your login %s (unit) may not change what a dispatch sent）；'
      '单位只能登记报回 (a unit may only record its return)', who, who);
  END IF;
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION projects_may_log(p_by text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_by = session_user THEN RETURN true; END IF;
  RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format(
    '变更记录的经办人必须是登录本人 %s，不能写成 %s（the change log names the login itself）；'
    '代人录入请写在 on_behalf (代录)', session_user, p_by);
END $$;
"""


OFFICE_ONLY = "projects_login_kind() IN ('office', 'staff')"
FUNCTIONS = ("projects_login_kind()", "projects_may_write(integer, integer, text)", "projects_may_log(text)",
             "projects_may_read(integer, integer)", "projects_log_last(boolean)", "projects_dispatch_sent()")


def read_policies(reads: str) -> dict[str, str]:
    """The USING expression of each table's projects_read policy when unit logins read `reads`."""
    if reads == "all":
        return {table: "true" for table in RLS_TABLES}
    found = {table: f"projects_may_read({project}, {unit})" for table, project, unit, _e in SCOPED}
    found.update((table, f"projects_may_read({project}, {unit})") for table, project, unit in READ_SCOPED)
    found["change_log"] = _LOG_READ
    return found


def _policies_sql(table: str, check: str, read: str = "true") -> list[str]:
    deleted = check if table in UNIT_DELETE else OFFICE_ONLY
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        *(f"DROP POLICY IF EXISTS {name} ON {table}" for name in POLICIES),
        f"CREATE POLICY projects_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY projects_insert ON {table} FOR INSERT WITH CHECK ({check})",
        # USING (true): the check on the new row raises with the reason, instead of a silent "0 rows"
        f"CREATE POLICY projects_update ON {table} FOR UPDATE USING (true) WITH CHECK ({check})",
        f"CREATE POLICY projects_delete ON {table} FOR DELETE USING ({deleted})",
    ]


def create_policies(conn: Connection) -> None:
    """The functions, the row-level security policies and the dispatch's trigger (migrations 0016 and 0017; PostgreSQL
    only), the read policies as `role_scope` records (re-created, they keep the office's choice)."""
    conn.connection.driver_connection.execute(FUNCTIONS_SQL)  # no parameters: its format()'s %s stay as written
    read = read_policies(unit_reads(conn))
    for table, project, unit, event in SCOPED:
        for sql in _policies_sql(table, f"projects_may_write({project}, {unit}, {event})", read[table]):
            conn.exec_driver_sql(sql)
    for sql in _policies_sql("change_log", "projects_may_log(by)", read["change_log"]):
        conn.exec_driver_sql(sql)
    for table, *_x in READ_SCOPED:
        if _has_table(conn, table):
            for sql in _policies_sql(table, OFFICE_ONLY, read[table]):
                conn.exec_driver_sql(sql)
    if _has_table(conn, "dispatch"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {DISPATCH_TRIGGER} ON dispatch")
        conn.exec_driver_sql(f"CREATE TRIGGER {DISPATCH_TRIGGER} BEFORE UPDATE ON dispatch FOR EACH ROW "
                             f"EXECUTE FUNCTION projects_dispatch_sent()")


def drop_policies(conn: Connection) -> None:
    for table in RLS_TABLES:
        if not _has_table(conn, table):
            continue
        for name in POLICIES:
            conn.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    if _has_table(conn, "dispatch"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {DISPATCH_TRIGGER} ON dispatch")
    for fn in reversed(FUNCTIONS):
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {fn}")


def _has_table(conn: Connection, table: str) -> bool:
    return conn.execute(_text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table}).scalar()


def unit_reads(conn: Connection) -> str:
    """What unit logins may read, as the office chose (`admin role scope`): all or own; all when never chosen."""
    if conn.dialect.name != "postgresql" or not _has_table(conn, "role_scope"):
        return DEFAULT_READS
    found = conn.execute(_text("SELECT reads FROM role_scope WHERE kind = 'unit'")).scalar()
    return found or DEFAULT_READS


def set_unit_reads(conn: Connection, reads: str, *, now: datetime | None = None) -> str:
    """Record what unit logins may read and put the read policies to match, in the caller's transaction; returns
    what they read before. Only the tables' owner (the office) may re-create policies."""
    require_postgres(conn)
    if reads not in UNIT_READS:
        raise InvalidValue(_("单位可读范围 {reads!r} 不存在；可用：--unit-reads own|all").format(reads=reads))
    before = unit_reads(conn)
    conn.execute(_text("DELETE FROM role_scope WHERE kind = 'unit'"))
    conn.execute(_text("INSERT INTO role_scope (kind, reads, by, at) VALUES ('unit', :r, session_user, :a)"),
                 {"r": reads, "a": now or datetime.now(timezone.utc)})
    for table, using in read_policies(reads).items():
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS projects_read ON {table}")
        conn.exec_driver_sql(f"CREATE POLICY projects_read ON {table} FOR SELECT USING ({using})")
    return before


def check_policies(conn: Connection) -> list[str]:
    """Problems with the row-level security of this registry (`db check` on PostgreSQL): a table whose
    security is off, a policy missing."""
    from sqlalchemy import text

    rows = conn.execute(text(
        "SELECT c.relname, c.relrowsecurity FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind = 'r'")).all()
    enabled = {name: on for name, on in rows}
    held = {(t, p) for t, p in conn.execute(text(
        "SELECT tablename, policyname FROM pg_policies WHERE schemaname = current_schema()")).all()}
    reads = unit_reads(conn)
    expected = read_policies(reads)
    quals = dict(conn.execute(text(
        "SELECT tablename, qual FROM pg_policies WHERE schemaname = current_schema() AND policyname = 'projects_read'"
    )).all())
    problems = []
    for table in RLS_TABLES:
        if not enabled.get(table):
            problems.append(_("表 {table} 的行级安全未启用：单位的登录可以改别的单位的数据；"
                              "请运行 projects db upgrade，或由督查室执行 ALTER TABLE {table} ENABLE ROW LEVEL SECURITY").format(
                                table=table))
        missing = [p for p in POLICIES if (table, p) not in held]
        if missing:
            problems.append(_("表 {table} 缺少行级安全策略 {policies}").format(table=table, policies=", ".join(missing)))
        qual = quals.get(table)
        if qual is not None and (qual == "true") != (expected[table] == "true"):
            problems.append(_("表 {table} 的读取策略与设定不符：设定单位的登录可读 {reads}，实际可读 {held}；"
                              "请督查室运行 projects admin role scope --unit-reads {reads}").format(
                                table=table, reads=reads, held="all" if qual == "true" else "own"))
    trigger = conn.execute(text(
        "SELECT t.tgenabled FROM pg_trigger t WHERE t.tgrelid = to_regclass('dispatch') AND t.tgname = :n"),
        {"n": DISPATCH_TRIGGER}).scalar()
    if trigger is None or trigger == "D":
        problems.append(_("表 dispatch 缺少触发器 {trigger}：单位的登录可以改派工单派发时的记录；请运行 projects db upgrade").format(
            trigger=DISPATCH_TRIGGER))
    return problems


def group_roles(conn: Connection) -> dict[str, str]:
    """The group role of each kind for this registry: <database>[_<schema>]_<kind> (a registry of its own in
    each database and schema, so two offices on one server never share one)."""
    database, schema = conn.execute(_text("SELECT current_database(), current_schema()")).one()
    base = database if schema == "public" else f"{database}_{schema}"
    return {kind: f"{base}_{kind}"[:63] for kind in KINDS}


def _text(sql: str):
    from sqlalchemy import text

    return text(sql)


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def require_postgres(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise ProjectsError(SQLITE_HINT)


@dataclass(frozen=True)
class Login:
    login: str
    kind: str
    unit: str | None
    by: str
    at: datetime
    member: bool  # PostgreSQL holds the membership too (a role revoked by hand shows here)


def apply_grants(conn: Connection) -> dict[str, str]:
    """Create the group roles if missing and (re)grant them what each may do on every table of the registry;
    the office group is made the tables' owner, so every office login may run `db upgrade`. Run by
    `admin role add` and after `db upgrade` (new tables)."""
    groups = group_roles(conn)
    q = {kind: _quote(conn, name) for kind, name in groups.items()}
    held = set(conn.execute(_text("SELECT rolname FROM pg_roles WHERE rolname = ANY(:n)"),
                            {"n": list(groups.values())}).scalars())
    for kind, name in groups.items():
        if name not in held:
            conn.exec_driver_sql(f"CREATE ROLE {q[kind]} NOLOGIN")
    schema = _quote(conn, conn.execute(_text("SELECT current_schema()")).scalar())
    me = conn.execute(_text("SELECT current_user")).scalar()
    office = q["office"]
    conn.exec_driver_sql(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO {office}")
    # the office group owns what this login owns of the registry (tables, their sequences, the policy functions)
    owned = conn.execute(_text(
        "SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind IN ('r', 'S') AND pg_get_userbyid(c.relowner) = :me"), {"me": me}).all()
    if owned and not _member(conn, me, groups["office"]) and not _superuser(conn):
        conn.exec_driver_sql(f"GRANT {office} TO {_quote(conn, me)}")  # to give the tables to the group
    for name, kind in owned:
        if kind == "r":
            conn.exec_driver_sql(f"ALTER TABLE {_quote(conn, name)} OWNER TO {office}")
    for fn in FUNCTIONS:
        if conn.execute(_text("SELECT pg_get_userbyid(proowner) = :me FROM pg_proc WHERE oid = to_regprocedure(:f)"),
                        {"me": me, "f": fn}).scalar():
            conn.exec_driver_sql(f"ALTER FUNCTION {fn} OWNER TO {office}")
    conn.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA {schema} TO {office}")
    conn.exec_driver_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema} TO {office}")
    for kind in ("staff", "unit", "leader"):
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {schema} TO {q[kind]}")
        conn.exec_driver_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {q[kind]}")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {q[kind]}")
        conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {q[kind]}")
    staff = q["staff"]
    conn.exec_driver_sql(f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {staff}")
    conn.exec_driver_sql(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {staff}")
    for table in STAFF_READ_ONLY:
        conn.exec_driver_sql(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {staff}")
    for table in UNIT_INSERT:
        conn.exec_driver_sql(f"GRANT INSERT ON {table} TO {q['unit']}")
    for table in UNIT_DELETE:
        conn.exec_driver_sql(f"GRANT DELETE ON {table} TO {q['unit']}")
    for login, kind in conn.execute(_text(
            "SELECT l.login, l.kind FROM login_role l JOIN pg_roles r ON r.rolname = l.login")).all():
        if not _member(conn, login, groups[kind]):  # a restored registry: its logins, to this one's groups
            conn.exec_driver_sql(f"GRANT {q[kind]} TO {_quote(conn, login)}")
    for table in LEADER_INSERT:
        conn.exec_driver_sql(f"GRANT INSERT ON {table} TO {q['leader']}")
    for kind, grants in (("unit", UNIT_UPDATE), ("leader", LEADER_UPDATE)):
        for table, columns in grants.items():
            conn.exec_driver_sql(f"GRANT UPDATE ({', '.join(_quote(conn, c) for c in columns)}) ON {table} TO {q[kind]}")
    return groups


def _superuser(conn: Connection) -> bool:
    return bool(conn.execute(_text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def regrant_url(url: str) -> None:
    """`regrant` in a transaction of its own (after `db upgrade`: the tables it added, to the roles)."""
    from projects_cli.store.db import is_sqlite, make_engine

    if is_sqlite(url):
        return
    engine = make_engine(url, write=False)
    try:
        with engine.begin() as conn:
            regrant(conn)
    finally:
        engine.dispose()


def regrant(conn: Connection) -> None:
    """After `db upgrade`: grant the roles what each may do on the tables the upgrade added, when the registry
    has logins (`apply_grants`); nothing otherwise."""
    from sqlalchemy import inspect

    if inspect(conn).has_table("login_role") and conn.execute(_text("SELECT count(*) FROM login_role")).scalar():
        apply_grants(conn)


def _member(conn: Connection, login: str, group: str) -> bool:
    return bool(conn.execute(_text(
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
        "JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = :g AND u.rolname = :l)"), {"g": group, "l": login}).scalar())


def add_login(conn: Connection, login: str, kind: str, unit_id: int | None, *, now: datetime | None = None) -> tuple[bool, dict[str, str]]:
    """Give `login` the role `kind` (creating the login, without a password, if PostgreSQL has none of that
    name); returns (created, group roles). A login already registered is moved to the new role."""
    require_postgres(conn)
    login = login.strip()
    if not login or len(login.encode()) > 63:
        raise InvalidValue(_("登录名 {login!r} 不合用：PostgreSQL 登录名须为 1 至 63 个字节").format(login=login))
    if kind not in KINDS:
        raise InvalidValue(_("角色 {kind!r} 不存在；可用：--as office|staff|unit|leader").format(kind=kind))
    if (kind == "unit") != (unit_id is not None):
        raise InvalidValue(_("单位的登录要用 --unit 指定单位，只有单位的登录才指定单位"))
    groups = apply_grants(conn)
    exists = conn.execute(_text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :l)"), {"l": login}).scalar()
    name = _quote(conn, login)
    if not exists:
        conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
    for other, group in groups.items():
        if other != kind and _member(conn, login, group):
            conn.exec_driver_sql(f"REVOKE {_quote(conn, group)} FROM {name}")
    if not _member(conn, login, groups[kind]):
        conn.exec_driver_sql(f"GRANT {_quote(conn, groups[kind])} TO {name}")
    at = now or datetime.now(timezone.utc)
    conn.execute(_text("DELETE FROM login_role WHERE login = :l"), {"l": login})
    conn.execute(_text("INSERT INTO login_role (login, kind, unit_id, by, at) VALUES (:l, :k, :u, session_user, :a)"),
                 {"l": login, "k": kind, "u": unit_id, "a": at})
    return not exists, groups


def remove_login(conn: Connection, login: str) -> None:
    """Take the role away (the membership and the `login_role` row); the login itself stays for the server's
    administrator to drop (it may own other things)."""
    require_postgres(conn)
    groups = group_roles(conn)
    found = conn.execute(_text("DELETE FROM login_role WHERE login = :l RETURNING kind"), {"l": login}).scalar()
    member = [g for g in groups.values() if _member(conn, login, g)]
    if found is None and not member:
        raise NotFound(_("登录 {login} 在这个项目库没有角色；projects admin role list 列出现有的").format(login=login))
    for group in member:
        conn.exec_driver_sql(f"REVOKE {_quote(conn, group)} FROM {_quote(conn, login)}")


def list_logins(conn: Connection) -> list[Login]:
    require_postgres(conn)
    groups = group_roles(conn)
    rows = conn.execute(_text(
        "SELECT l.login, l.kind, u.name, l.by, l.at FROM login_role l LEFT JOIN unit u ON u.id = l.unit_id "
        "ORDER BY l.kind, l.login")).all()
    return [Login(r[0], r[1], r[2], r[3], r[4], _member(conn, r[0], groups[r[1]])) for r in rows]


def who_am_i(conn: Connection) -> tuple[str, str | None, str | None]:
    """(session_user, its kind, its unit's name) for the error that explains a refusal; a login that may not
    even read the registry has no kind."""
    login = conn.execute(_text("SELECT session_user")).scalar()
    try:
        row = conn.execute(_text("SELECT l.kind, u.name FROM login_role l LEFT JOIN unit u ON u.id = l.unit_id "
                                 "WHERE l.login = :l"), {"l": login}).first()
    except Exception:  # no grant to read it: no role here
        row = None
    return login, (row[0] if row else None), (row[1] if row else None)


def refusal(url: str, words: str) -> ProjectsError:
    """A permission error (no GRANT for the table, or a policy said no) as one line: the policy's own words,
    else who this login is and who may do it."""
    if words.startswith(("你的登录", "变更记录的经办人")):
        return ProjectsError(words)
    from projects_cli.store.db import make_engine

    login = kind = unit = None
    try:
        engine = make_engine(url, write=False)
        try:
            with engine.connect() as conn:
                login, kind, unit = who_am_i(conn)
        finally:
            engine.dispose()
    except Exception:  # the explanation is best effort; the refusal stands either way
        pass
    if kind is None:
        who = _("你的登录 {login} 在这个项目库没有角色").format(login=login or "?")
    else:
        label = f"{KINDS[kind]} {unit}" if kind == "unit" else KINDS[kind]
        who = _("你的登录 {login}（{label}）不能做这件事").format(login=login, label=label)
    may = {"unit": _("只有督查室可以，单位只能改本单位项目的投资、节点、台账回收和问题反馈"),
           "leader": _("包保领导只能查看和添加批示"),
           "staff": _("数据库结构和登录只有督查室能改"),
           "office": _("新建登录要有 CREATEROLE（由数据库管理员 ALTER ROLE … CREATEROLE），改表结构要是表的属主（督查室用户组）")
           }.get(kind or "", _("请督查室运行 projects admin role add"))
    return ProjectsError(_("{who}；{may}（{words}）").format(who=who, may=may, words=words))
