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
PG_URL = os.environ.get("PROJECTS_TEST_PG")  # e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test
AS_OF = date(2025, 10, 31)
NOW = datetime(2025, 10, 31, 9, 0, tzinfo=timezone.utc)


def _pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


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


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request, tmp_path: Path, sqlite_template: Path):
    """An empty registry at the newest schema, on each back end."""
    from projects_cli.store import db

    if request.param == "sqlite":
        yield fresh_sqlite(sqlite_template, tmp_path)
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need PROJECTS_TEST_PG (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    from sqlalchemy import create_engine, text

    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = _pg_schema_url(PG_URL, schema)
    try:
        db.upgrade(url, backup=False)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path):
    """A SQLite-only registry (for tests of SQLite behaviour: files, WAL, backups)."""
    return fresh_sqlite(sqlite_template, tmp_path)


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
