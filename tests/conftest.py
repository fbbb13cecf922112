"""Shared fixtures: a database at head on SQLite (always) and PostgreSQL (when PROJECTS_TEST_PG names a server).

`db_url` is parametrised over both back ends; `cli` runs the real command tree
with CliRunner against it, with a fixed --as-of and --by.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

# Every run signs its change logs with one known key and keeps log.head in a folder of its own, never the
# user's data folder; tests of the key itself set these again (monkeypatch). Subprocesses inherit both.
TEST_LOG_KEY = "5a" * 32
os.environ["PROJECTS_LOG_KEY"] = TEST_LOG_KEY
os.environ["PROJECTS_HOME"] = tempfile.mkdtemp(prefix="projects-test-home-")
# The interface's language is Chinese whatever the developer's locale (tests of English set it again, in a
# subprocess: the language is read once per process).
os.environ["PROJECTS_LANG"] = "zh"
# Every command a test runs as a process imports everything itself: no resident process is started or used
# (tests/test_resident.py starts its own).
os.environ["PROJECTS_RESIDENT"] = "0"
PG_URL = os.environ.get("PROJECTS_TEST_PG")  # e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test
AS_OF = date(2025, 10, 31)
NOW = datetime(2025, 10, 31, 9, 0, tzinfo=timezone.utc)


def _pg_schema_url(base: str, schema: str) -> str:
    """The test server's URL with `schema` first on the search path. Tests need no durability, so commits
    do not wait for the disk (synchronous_commit=off: a crash could lose the last commits, never corrupt)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The sample registry with the demo scenario (`init --sample`), made once per run; copy it before writing."""
    from projects_cli.cli.app import app

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    r = CliRunner().invoke(app, ["--db", str(path), "--by", "tester", "init", "--sample"])
    assert r.exit_code == 0, r.stderr
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An empty SQLite registry migrated to head once per run; tests get a copy (migrating is the slow part)."""
    from projects_cli.store import db

    path = tmp_path_factory.mktemp("template") / "template.db"
    db.upgrade(f"sqlite:///{path}", backup=False)
    return path


def fresh_sqlite(template: Path, tmp_path: Path) -> str:
    import shutil

    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


class _PgSchema:
    """One PostgreSQL schema per run (per xdist worker), migrated once; each test gets it emptied.

    Migrating a new schema costs about 0.3 s, emptying one about 20 ms: with hundreds of `[pg]` tests that
    is minutes of the CI run. A test that changed the schema itself (a downgrade, a dropped table) leaves
    it different from the one migrated: then it is dropped and migrated again, so every test still starts
    from an empty registry at head."""

    def __init__(self, base: str):
        from sqlalchemy import create_engine

        self.admin = create_engine(base)
        self.base = base
        self.name = ""
        self.tables: set[str] = set()

    def _tables(self, conn) -> set[str]:
        from sqlalchemy import text

        rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": self.name})
        return {r[0] for r in rows}

    def _create(self) -> None:
        from sqlalchemy import text

        from projects_cli.store import db

        self.name = "t_" + uuid.uuid4().hex[:12]
        with self.admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {self.name}"))
        db.upgrade(self.url, backup=False)
        with self.admin.begin() as conn:
            self.tables = self._tables(conn)

    @property
    def url(self) -> str:
        return _pg_schema_url(self.base, self.name)

    def fresh(self) -> str:
        """The schema's URL, emptied (or re-made when the last test changed its tables or revision)."""
        from sqlalchemy import text

        from projects_cli.store import db

        if not self.name:
            self._create()
            return self.url
        with self.admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            version = conn.execute(text(f"SELECT version_num FROM {self.name}.alembic_version")).scalar() \
                if "alembic_version" in self._tables(conn) else None
            same = version == db.head_revision() and self._tables(conn) == self.tables
            if same:
                names = ", ".join(f"{self.name}.{t}" for t in sorted(self.tables - {"alembic_version"}))
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        if not same:
            self.drop()
            self._create()
            return self.url
        # the emptied log is anchored anew, as migration 0008 anchors a new database's: with a nonce of its own,
        # so this machine's log.head takes it for another log, not the last test's cut short
        from sqlalchemy import create_engine

        from projects_cli.store import changelog

        engine = create_engine(self.url)
        try:
            with engine.begin() as conn:
                changelog.anchor_log(conn)
        finally:
            engine.dispose()
        return self.url

    def drop(self) -> None:
        from sqlalchemy import text

        if self.name:
            with self.admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {self.name} CASCADE"))
            self.name = ""


@pytest.fixture(scope="session")
def pg_schema():
    if not PG_URL:
        yield None
        return
    schema = _PgSchema(PG_URL)
    try:
        yield schema
    finally:
        schema.drop()
        schema.admin.dispose()


@pytest.fixture
def another_pg_registry():
    """A second registry on the PostgreSQL server, in its own schema (another office's)."""
    if not PG_URL:
        pytest.skip("PostgreSQL tests need PROJECTS_TEST_PG")
    schema = _PgSchema(PG_URL)
    try:
        yield schema.fresh()
    finally:
        schema.drop()
        schema.admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path: Path, sqlite_template: Path):
    """An empty registry at the newest schema, on each back end."""
    if request.param == "sqlite":
        yield fresh_sqlite(sqlite_template, tmp_path)
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need PROJECTS_TEST_PG (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    yield request.getfixturevalue("pg_schema").fresh()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path):
    """A SQLite-only registry (for tests of SQLite behaviour: files, WAL, backups)."""
    return fresh_sqlite(sqlite_template, tmp_path)


def logged_by(url: str) -> str:
    """Who the change log names for a command run with --by tester: on PostgreSQL the login (--by is 代录
    beside it), on SQLite tester."""
    if not url.startswith("postgresql"):
        return "tester"
    from sqlalchemy.engine import make_url

    return make_url(url).username


@pytest.fixture
def ctx():
    from projects_cli.store.changelog import Ctx

    return Ctx(by="tester", as_of=AS_OF, now=NOW, command="test")


@pytest.fixture
def session(db_url):
    """A session inside one transaction, committed at the end of the test's block."""
    from projects_cli.store.db import session_scope

    with session_scope(db_url) as s:
        yield s


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(db_url):
    """Run `projects --db <db_url> --as-of 2025-10-31 --by tester ARGS…`; returns exit code, stdout, stderr."""
    from projects_cli.cli.app import app

    runner = CliRunner()

    def run(*args: str, as_of: str | None = AS_OF.isoformat(), input: str | None = None) -> Result:
        base = ["--db", db_url, "--by", "tester"]
        if as_of:
            base += ["--as-of", as_of]
        result = runner.invoke(app, [*base, *args], input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    run.url = db_url
    return run
