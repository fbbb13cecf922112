"""Engine, one-transaction sessions, and the alembic helpers behind `projects db …`.

SQLite is opened in WAL mode with a busy timeout and foreign keys on; a write
transaction begins with ``BEGIN IMMEDIATE`` so that two writers queue instead
of failing with "database is locked" half-way (a deferred transaction that
reads first cannot be upgraded to a write while another process writes).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from projects_cli.config.paths import resource_dir
from projects_cli.errors import ProjectsError, SchemaBehind
from projects_cli.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 30_000
WAIT_SECONDS = BUSY_TIMEOUT_MS / 1000  # how long a writer waits for another by default ([database] wait_seconds)
WRITER_LOCK = 7226001  # PostgreSQL advisory lock every write transaction takes first (the change log's own)
# ... keyed also by the registry's schema: advisory locks are per database, and registries in other schemas
# of it (several offices on one server) must not wait for each other.
_PG_LOCK_KEYS = "%s, hashtext(current_schema())"
WAITING = N_("正在等待另一个命令完成…")  # shown translated (`common.session`)


class DatabaseBusy(ProjectsError):
    """Another command held the database for longer than this one was willing to wait."""


def _busy(display: str, wait: float) -> DatabaseBusy:
    return DatabaseBusy(
        _("{db} 正被另一个命令占用，等待 {wait:g} 秒后仍未完成；请稍后再试，或在 config.toml 的 [database] wait_seconds "
          "中加长等待").format(db=display, wait=wait)
    )
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def migrations_dir() -> Path:
    return resource_dir("migrations")


def known_revisions() -> list[str]:
    """Every migration this version ships, oldest first, by the `NNNN_name.py` file naming (checked against alembic in tests)."""
    return sorted(m.group(1) for p in (migrations_dir() / "versions").iterdir() if (m := _REVISION_FILE.match(p.name)))


def head_revision() -> str:
    """The newest migration this version ships."""
    return known_revisions()[-1]


def _known_target(revision: str, *, allow_base: bool = False) -> str:
    """`revision` as a known revision ("head" is the newest), or a ProjectsError listing the known ones."""
    known = known_revisions()
    target = known[-1] if revision == "head" else revision.strip()
    if target in known or (allow_base and target == "base"):
        return target
    choices = ", ".join(known + (["base"] if allow_base else []))
    raise ProjectsError(_("没有数据库版本 {target}；可用的版本：{choices}").format(target=repr(target), choices=choices))


def newer_than_this_version(rev: str | None) -> bool:
    """A revision written by a newer version of projects (one this version does not ship)."""
    return rev is not None and rev not in known_revisions()


def _refuse_newer(display: str, rev: str) -> None:
    raise ProjectsError(
        _("{db} 的数据库版本 {rev} 比本程序新（本程序最高认得 {head}）；请升级 projects 本身，不要改动这个数据库").format(
            db=display, rev=rev, head=head_revision())
    )


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, None for in-memory or other databases."""
    if not is_sqlite(url):
        return None
    path = url.split("///", 1)[1] if "///" in url else ""
    if not path or path == ":memory:":
        return None
    return Path(path)


def make_engine(url: str, *, write: bool = True, wait: float = WAIT_SECONDS,
                on_wait: Callable[[], None] | None = None) -> Engine:
    """An engine whose write transactions take the database's one writer lock first.

    A writer that finds another at work calls `on_wait` once (the CLI says
    "正在等待另一个命令完成…"), waits up to `wait` seconds, then gives up with
    one `DatabaseBusy` error. SQLite: BEGIN IMMEDIATE. PostgreSQL: an advisory
    lock, so match-or-create (projects, units) runs one writer at a time there too.
    """
    from sqlalchemy import create_engine, event

    busy_ms = max(int(wait * 1000), 0)
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None and not path.parent.exists():
            raise ProjectsError(_("文件夹 {folder} 不存在；请先创建它，或换一个 --db").format(folder=path.parent))
        engine = create_engine(url, connect_args={"timeout": wait})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
            # Let SQLAlchemy's "begin" event decide how transactions start.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cur.execute("PRAGMA foreign_keys = ON")
            if path is not None:
                cur.execute("PRAGMA journal_mode = WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # pragma: no cover - exercised by every test
            if write:
                _begin_sqlite_write(conn.connection.driver_connection, url, wait, on_wait)
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    try:
        engine = create_engine(url, pool_pre_ping=False)
    except ModuleNotFoundError as exc:
        raise ProjectsError(
            _("没有安装数据库驱动 {driver}；使用 PostgreSQL 请运行：pip install 'projects-cli[postgres]'").format(
                driver=repr(exc.name))
        ) from None
    if write and engine.dialect.name == "postgresql":

        @event.listens_for(engine, "begin")
        def _on_pg_begin(conn):
            _lock_pg_writer(conn.connection.driver_connection, url, wait, on_wait)

    return engine


def _locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _begin_sqlite_write(raw: sqlite3.Connection, url: str, wait: float, on_wait: Callable[[], None] | None) -> None:
    """BEGIN IMMEDIATE: at once if nobody writes, else say so once and wait up to `wait` seconds."""
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        raw.execute("BEGIN IMMEDIATE")
        return
    except sqlite3.OperationalError as exc:
        if not _locked(exc):
            raise
    finally:
        raw.execute(f"PRAGMA busy_timeout = {max(int(wait * 1000), 0)}")
    if on_wait is not None:
        on_wait()
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _locked(exc):
            raise _busy(display_name(url), wait) from None
        raise


def lock_pg_registry(conn: Connection) -> None:
    """Take the registry's writer lock inside a PostgreSQL transaction (waiting as long as it takes)."""
    from sqlalchemy import text

    conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEYS % ':k'})"), {"k": WRITER_LOCK})


def _lock_pg_writer(raw, url: str, wait: float, on_wait: Callable[[], None] | None) -> None:
    """The writer lock, held to the end of the transaction: at once, or said and waited for up to `wait` seconds."""
    if raw.execute(f"SELECT pg_try_advisory_xact_lock({_PG_LOCK_KEYS})", (WRITER_LOCK,)).fetchone()[0]:
        return
    if on_wait is not None:
        on_wait()
    import psycopg

    raw.execute(f"SET LOCAL lock_timeout = {max(int(wait * 1000), 1)}")
    try:
        raw.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEYS})", (WRITER_LOCK,))
    except psycopg.errors.LockNotAvailable:
        raise _busy(display_name(url), wait) from None
    raw.execute("SET LOCAL lock_timeout = DEFAULT")


def current_revision(conn: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_schema(conn: Connection, display: str) -> None:
    """Refuse to work on a database that is not at this version's schema."""
    current = current_revision(conn)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaBehind(_("{db} 中还没有项目库；请运行：projects --db {db} init").format(db=display))
    if current < head:
        raise SchemaBehind(
            _("{db} 的数据库版本是 {current}，本程序需要 {head}；请运行：projects --db {db} db upgrade").format(
                db=display, current=current, head=head)
        )
    raise SchemaBehind(
        _("{db} 的数据库版本是 {current}，比本程序认得的（{head}）新；请升级 projects").format(
            db=display, current=current, head=head)
    )


def display_name(url: str) -> str:
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def location(url: str) -> str:
    """One name for one database, whatever the spelling of its URL (the key of `log.head`): a SQLite file's
    real path, else the URL without its password."""
    path = sqlite_path(url)
    return str(path.resolve()) if path is not None else display_name(url)


_SQLITE_DATE = "%(year)04d-%(month)02d-%(day)02d"  # how SQLAlchemy stores a Date on SQLite


def insert_columns(conn: Connection, table, columns: Mapping[str, Sequence[Any]]) -> None:
    """INSERT rows given column by column (equal-length sequences): one executemany straight to the driver
    (SQLite), one COPY (PostgreSQL).

    Each value is converted by its column's own SQLAlchemy type, so the rows
    are stored exactly as `conn.execute(insert(table), dicts)` stores them,
    without SQLAlchemy's per-row parameter handling (on 100,000 rows that
    handling costs more than the database's own work). A column holding one
    value in every row (a timestamp, a source file) is converted once.
    """
    names = list(columns)
    values = [columns[n] for n in names]
    count = len(values[0]) if values else 0
    if not count:
        return
    from projects_cli.store import guard

    guard.check_columns(table.name, columns)
    dialect = conn.dialect
    for i, name in enumerate(names):
        impl = table.c[name].type.dialect_impl(dialect)
        process = impl.bind_processor(dialect)
        if process is None:
            continue
        column = values[i]
        first = column[0]
        if column.count(first) == count:  # one value in every row
            values[i] = (process(first) if first is not None else None,) * count
        elif getattr(impl, "_storage_format", None) == _SQLITE_DATE:  # SQLite's Date: its text is the ISO date,
            # worked out once per distinct date (100,000 rows hold a few hundred)
            values[i] = _each_once(lambda v, process=process: v.isoformat() if type(v) is date else process(v), column)
        elif None not in column:
            values[i] = list(map(process, column))
        else:
            values[i] = [process(v) if v is not None else None for v in column]
    quote = dialect.identifier_preparer.quote
    columns_sql = ", ".join(quote(n) for n in names)
    if dialect.name == "postgresql" and not _row_security_active(conn, table.name):
        # COPY: the server's bulk load, a tenth of the time of row-by-row inserts (PostgreSQL refuses it where
        # row-level security applies to the login: a unit's, a leader's; those insert row by row below)
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(f"COPY {quote(table.name)} ({columns_sql}) FROM STDIN") as copy:
                for row in zip(*values):
                    copy.write_row(row)
        finally:
            cursor.close()
        return
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {quote(table.name)} ({columns_sql}) VALUES ({', '.join([mark] * len(names))})"
    conn.exec_driver_sql(sql, list(zip(*values)))


def _row_security_active(conn: Connection, table: str) -> bool:
    """Whether row-level security applies to this login on `table` (asked once per table and connection)."""
    known = conn.info.setdefault("projects.row_security", {})
    if table not in known:
        from sqlalchemy import text

        known[table] = bool(conn.execute(text("SELECT row_security_active(to_regclass(:t))"), {"t": table}).scalar())
    return known[table]


def insert_rows(conn: Connection, table, names: Sequence[str], rows: list[tuple]) -> None:
    """INSERT `rows` (tuples of values in `names` order): `insert_columns` for row-wise data."""
    if rows:
        insert_columns(conn, table, dict(zip(names, zip(*rows))))


def update_rows(conn: Connection, table, rows: list[dict[str, Any]], extra: Mapping[str, Any] | None = None) -> None:
    """UPDATE rows by id (each a dict of "_id" and the columns it changes): one executemany per set of columns
    changed; `extra` is set on every row (e.g. a version bump)."""
    from sqlalchemy import bindparam, update

    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    if rows:
        from projects_cli.store import guard

        keys = {k for row in rows for k in row if k != "_id"}
        guard.check_columns(table.name, {k: [row[k] for row in rows if k in row] for k in keys})
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if k != "_id")), []).append(row)
    for keys, group in groups.items():
        values: dict[str, Any] = {k: bindparam(f"v_{k}") for k in keys}
        values.update(extra or {})
        stmt = update(table).where(table.c.id == bindparam("_id")).values(values)
        conn.execute(stmt, [{"_id": r["_id"], **{f"v_{k}": r[k] for k in keys}} for r in group])


def query_rows(conn: Connection, sql: Any, params: Sequence[Any] = (), types: Sequence[Any] = (),
               raw: Callable[[list[tuple]], None] | None = None) -> list[tuple]:
    """The rows of a query as plain tuples straight from the database driver, each column in `types`
    turned into Python values by its SQLAlchemy type.

    `sql` is a SQLAlchemy statement, or plain SQL text using `?` for its
    `params` (rewritten for drivers that want `%s`). `types` gives result
    columns' types (a Column or a TypeEngine; None, or no entry, for a value
    taken as the driver gives it: on SQLite a date is 'YYYY-MM-DD' text and
    money a float, on PostgreSQL a `date` and a `Decimal`). This skips
    SQLAlchemy's Row objects and per-value result handling, and for many rows
    by id its expanding IN (…), which renders every id in Python on every
    execution: on 100,000 rows each costs more than the query itself. `raw`: shown the driver's rows first.
    """
    rows, description = fetch_rows(conn, sql, params)
    if raw is not None:
        raw(rows)
    return convert_rows(conn, rows, types, description)


def fetch_rows(conn: Connection, sql: Any, params: Sequence[Any] = ()) -> tuple[list[tuple], Sequence[Any]]:
    """The driver's rows as they come, and the cursor's description (for `convert_rows`)."""
    if isinstance(sql, str):
        if conn.dialect.paramstyle != "qmark":
            sql = sql.replace("%", "%%").replace("?", "%s")
        cursor = conn.connection.cursor()  # the driver's own: plain tuples, no Row objects
        try:
            cursor.execute(sql, tuple(params))
            return cursor.fetchall(), cursor.description
        finally:
            cursor.close()
    result = conn.execute(sql)
    try:
        return result.cursor.fetchall(), result.cursor.description
    finally:
        result.close()


def convert_rows(conn: Connection, rows: list[tuple], types: Sequence[Any], description: Sequence[Any]) -> list[tuple]:
    """Driver rows (and the cursor's `description`) with each column in `types` turned into Python
    values by its SQLAlchemy type, a whole column at a time."""
    if not rows or not any(t is not None for t in types):
        return rows
    dialect = conn.dialect
    columns: list[Any] = list(zip(*rows))
    for i, kind in enumerate(types):
        if kind is None:
            continue
        kind = getattr(kind, "type", kind)
        process = kind.dialect_impl(dialect).result_processor(dialect, description[i][1])
        if process is not None:
            columns[i] = _processed(process, columns[i])
    return list(zip(*columns))


def _processed(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """`process` applied to each value; None stays None. Text (SQLite's dates and times) is processed
    once per distinct value: 100,000 rows hold a few hundred dates."""
    if str in set(map(type, values[:64])):
        return _each_once(process, values)
    return [process(v) if v is not None else None for v in values]


def _each_once(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """`process` applied to each of `values` (hashable ones, few distinct), once per distinct value; None stays None."""
    done = {v: process(v) if v is not None else None for v in set(values)}
    return list(map(done.__getitem__, values))


def placeholders(count: int) -> str:
    """`?, ?, …` for `query_rows`."""
    return ", ".join(["?"] * count)


def reserve_ids(conn: Connection, table, count: int) -> list[int]:
    """`count` primary keys for rows about to be inserted with explicit ids (no lookup after the insert).

    PostgreSQL: taken from the table's own sequence, so concurrent writers and
    later plain inserts never collide. SQLite: the ids after the largest in use;
    a write transaction holds the database's only write lock (BEGIN IMMEDIATE),
    so nobody else can take them before the commit.
    """
    from sqlalchemy import func, select, text

    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return sorted(conn.execute(query, {"t": table.name, "n": count}).scalars())
    last = conn.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


@contextmanager
def session_scope(url: str, *, write: bool = True, wait: float = WAIT_SECONDS,
                  on_wait: Callable[[], None] | None = None) -> Iterator[Session]:
    """One command, one transaction: commit at the end, roll back on any failure (`make_engine` for the wait)."""
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    from projects_cli.store import guard  # noqa: F401 - installs the check every flush makes

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise SchemaBehind(_("{path} 不存在；请运行：projects --db {path} init").format(path=path))
    engine = make_engine(url, write=write, wait=wait, on_wait=on_wait)
    try:
        with Session(engine, expire_on_commit=False) as session:
            check_schema(session.connection(), display_name(url))
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    except OperationalError as exc:
        from projects_cli.store.failures import database_problem

        raise database_problem(exc, display_name(url)) or ProjectsError(_("数据库出错：{reason}").format(reason=exc.orig)) from None
    finally:
        engine.dispose()


@contextmanager
def migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration. On SQLite, foreign keys are checked at the end
    instead of row by row: batch mode copies a table and drops the old one, which
    rows of other tables still point at."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection if is_sqlite(str(engine.url)) else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        try:
            with conn.begin():
                yield conn
                if raw is not None:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise ProjectsError(_("迁移后有 {n} 行指向不存在的记录；未做任何改动").format(n=len(broken)))
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


def _alembic_config(conn: Connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.attributes["connection"] = conn
    return cfg


def backup_sqlite(src: Path, dest: Path) -> Path:
    """An online, consistent copy of a SQLite database (the sqlite3 backup API), put in place only when whole."""
    from projects_cli.writes import replacing

    if dest.exists():
        raise ProjectsError(_("{dest} 已存在；请换一个文件名").format(dest=dest))
    if not dest.parent.exists():
        raise ProjectsError(_("文件夹 {folder} 不存在").format(folder=dest.parent))
    with replacing(dest, exclusive=True) as tmp:
        copy_sqlite(src, tmp)
    return dest


def copy_sqlite(src: Path, dest: Path) -> None:
    """`src` copied into the new file `dest` with the sqlite3 backup API (a consistent copy while others write)."""
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    finally:
        target.close()
        source.close()


def backup_before(url: str, before: str) -> Path | None:
    """A copy of a SQLite file about to change schema, beside it (`NAME.bak-REV-STAMP`); None for other databases."""
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.name}.bak-{before}-{stamp}")
    n = 1
    while dest.exists():  # two schema moves in one second
        n += 1
        dest = path.with_name(f"{path.name}.bak-{before}-{stamp}-{n}")
    return backup_sqlite(path, dest)


def upgrade(url: str, revision: str = "head", *, backup: bool = True) -> tuple[str | None, str, Path | None]:
    """Bring the schema to `revision`; returns (before, after, backup file or None).

    A SQLite file that already holds data is copied first, so a failed or
    regretted upgrade can be undone by putting the copy back.
    """
    from alembic import command

    target = _known_target(revision)
    engine = make_engine(url)
    backup_file = None
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
        if newer_than_this_version(before):
            _refuse_newer(display_name(url), before)
        if before is not None and target < before:
            raise ProjectsError(
                _("{db} 已是版本 {before}，比 {target} 新；回退请用：projects db downgrade {target}").format(
                    db=display_name(url), before=before, target=target)
            )
        if backup and before is not None and before != target:
            backup_file = backup_before(url, before)
        try:
            with migrating(engine) as conn:
                command.upgrade(_alembic_config(conn), revision)
        except ProjectsError:
            raise
        except Exception as exc:  # a migration refused the data, or alembic cannot walk from here
            kept = _("；副本保存在 {file}").format(file=backup_file) if backup_file else ""
            raise ProjectsError(_("从 {before} 升级到 {target} 失败，未做任何改动：{reason}{kept}").format(
                before=before or _("（无）"), target=target, reason=exc, kept=kept)) from None
        with engine.connect() as conn:
            after = current_revision(conn)
    finally:
        engine.dispose()
    return before, after, backup_file


def downgrade(url: str, revision: str, confirm: Callable[[str, str], None] | None = None, *, backup: bool = True,
              ) -> tuple[str | None, str | None, Path | None]:
    """Take the schema back to `revision`; returns (before, after, backup file or None).

    Nothing is changed until `confirm(before, target)` returns (it raises to
    refuse); then a SQLite file is copied beside itself, and only then migrated.
    """
    from alembic import command
    from alembic.util.exc import CommandError

    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise ProjectsError(_("{path} 不存在；没有可回退的").format(path=path))
    target = _known_target(revision, allow_base=True)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
        if before is None:
            raise ProjectsError(_("{db} 中没有项目库；没有可回退的").format(db=display_name(url)))
        if newer_than_this_version(before):
            _refuse_newer(display_name(url), before)
        if target == before:
            return before, before, None
        if target != "base" and target > before:
            raise ProjectsError(
                _("{db} 是版本 {before}，比 {target} 旧；升级请用：projects db upgrade {target}").format(
                    db=display_name(url), before=before, target=target)
            )
        if confirm is not None:
            confirm(before, target)
        backup_file = backup_before(url, before) if backup else None
        with migrating(engine) as conn:
            try:
                command.downgrade(_alembic_config(conn), target)
            except CommandError as exc:
                raise ProjectsError(_("不能回退到 {revision}：{reason}").format(revision=repr(revision), reason=exc)) from None
        with engine.connect() as conn:
            after = current_revision(conn)
    finally:
        engine.dispose()
    return before, after, backup_file


def revision_of(url: str) -> str | None:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        raise ProjectsError(_("{path} 不存在；请运行：projects --db {path} init").format(path=path))
    engine = make_engine(url, write=False)
    try:
        with engine.connect() as conn:
            return current_revision(conn)
    finally:
        engine.dispose()


def ensure_folder(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


__all__ = [
    "backup_sqlite",
    "check_schema",
    "downgrade",
    "head_revision",
    "make_engine",
    "session_scope",
    "upgrade",
]
