"""Alembic owns the schema: an empty database upgraded to head matches the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import projects_cli.store.models  # noqa: F401
from projects_cli.store import db


def test_upgrade_empty_database_has_no_difference_from_models(db_url):
    engine = create_engine(db_url)
    with engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(mc, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_head_revision_matches_alembic():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(db.migrations_dir()))
    assert ScriptDirectory.from_config(cfg).get_current_head() == db.head_revision()


def test_downgrade_to_base_and_up_again(sqlite_url):
    assert db.downgrade(sqlite_url, "base") == (db.head_revision(), None)
    before, after, backup = db.upgrade(sqlite_url)
    assert (before, after, backup) == (None, db.head_revision(), None)


def test_database_behind_is_refused_with_the_command_to_run(tmp_path):
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    db.upgrade(url, backup=False)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    engine.dispose()
    r = CliRunner().invoke(app, ["--db", str(path), "list"])
    assert r.exit_code == 1
    assert r.stderr == (
        f"Error: {path} is at schema 0000, this version of projects needs {db.head_revision()}; "
        f"run: projects --db {path} db upgrade\n"
    )
