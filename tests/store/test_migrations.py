"""Alembic owns the schema: an empty database upgraded to head matches the models exactly, its keys and
indexes by name too, and a downgrade gives back the older revision's names."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
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


def keys_and_indexes(url: str) -> dict[str, set[tuple]]:
    """Per table, as the database has them: (kind, name, columns[, referred table]) of every primary, unique,
    foreign and check key and every index."""
    engine = create_engine(url)
    insp = sa.inspect(engine)
    out = {}
    for table in insp.get_table_names():
        if table == "alembic_version":
            continue
        pk = insp.get_pk_constraint(table)
        found = {("pk", pk["name"], tuple(pk["constrained_columns"]))}
        found |= {("uq", u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)}
        found |= {("fk", f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                  for f in insp.get_foreign_keys(table)}
        found |= {("ck", c["name"]) for c in insp.get_check_constraints(table)}
        found |= {("ix", i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)
                  if not i.get("duplicates_constraint")}  # PostgreSQL lists a unique key's index too
        out[table] = found
    engine.dispose()
    return out


def model_keys_and_indexes() -> dict[str, set[tuple]]:
    """The same, as the models declare them (names by the naming convention)."""
    out = {}
    for table in SQLModel.metadata.sorted_tables:
        found = set()
        for c in table.constraints:
            columns = tuple(col.name for col in c.columns)
            if isinstance(c, sa.PrimaryKeyConstraint):
                found.add(("pk", c.name, columns))
            elif isinstance(c, sa.UniqueConstraint):
                found.add(("uq", c.name, columns))
            elif isinstance(c, sa.ForeignKeyConstraint):
                found.add(("fk", c.name, columns, c.referred_table.name))
            elif isinstance(c, sa.CheckConstraint):
                found.add(("ck", c.name))
        found |= {("ix", i.name, tuple(col.name for col in i.columns), bool(i.unique)) for i in table.indexes}
        out[table.name] = found
    return out


def test_every_key_and_index_in_the_database_has_the_models_name(db_url):
    expected = model_keys_and_indexes()
    assert ("pk", "pk_issue", ("id",)) in expected["issue"]
    assert ("uq", "uq_issue_year_seq", ("year", "seq")) in expected["issue"]
    assert ("fk", "fk_card_project_id_project", ("project_id",), "project") in expected["card"]
    assert ("ck", "ck_project_status") in expected["project"]
    assert ("ix", "ix_card_period_color", ("period", "color"), False) in expected["card"]
    assert keys_and_indexes(db_url) == expected


# Redundant indexes 0003 drops: each column leads the table's unique key.
REDUNDANT_AT_0002 = {
    "card": ("ix", "ix_card_project_id", ("project_id",), False),
    "investment_plan": ("ix", "ix_investment_plan_project_id", ("project_id",), False),
    "investment_report": ("ix", "ix_investment_report_project_id", ("project_id",), False),
    "issue_helper": ("ix", "ix_issue_helper_issue_id", ("issue_id",), False),
    "milestone": ("ix", "ix_milestone_project_id", ("project_id",), False),
}


def test_no_single_column_index_repeats_the_lead_of_a_unique_key(db_url):
    for table, found in keys_and_indexes(db_url).items():
        leads = {k[2][0] for k in found if k[0] in ("pk", "uq")}
        single = {k[2][0] for k in found if k[0] == "ix" and len(k[2]) == 1}
        assert not leads & single, table


def columns(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    insp = sa.inspect(engine)
    out = {t: [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in insp.get_columns(t)]
           for t in insp.get_table_names()}
    engine.dispose()
    return out


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
def test_downgrade_to_0002_gives_back_its_names_and_indexes_exactly(db_url):
    db.downgrade(db_url, "base")
    db.upgrade(db_url, "0002", backup=False)
    at_0002, columns_at_0002 = keys_and_indexes(db_url), columns(db_url)
    db.upgrade(db_url, backup=False)
    head = keys_and_indexes(db_url)
    assert head == model_keys_and_indexes()
    db.downgrade(db_url, "0002")
    assert keys_and_indexes(db_url) == at_0002
    # but change_log.run and .on, and .on_behalf, which migrations 0010 and 0014 keep on a downgrade (the hashes
    # of later rows cover them)
    down = columns(db_url)
    kept = [c for c in down["change_log"] if c[0] in ("run", "on", "on_behalf")]
    assert [c[0] for c in kept] == ["run", "on", "on_behalf"]
    down["change_log"] = [c for c in down["change_log"] if c not in kept]
    assert down == columns_at_0002
    # What 0002 had: unnamed keys on SQLite, PostgreSQL's own names, the five indexes, no (year, seq) key.
    sqlite = db.is_sqlite(db_url)
    assert ("pk", None if sqlite else "issue_pkey", ("id",)) in at_0002["issue"]
    assert ("uq", None if sqlite else "milestone_project_id_kind_key", ("project_id", "kind")) in at_0002["milestone"]
    assert ("fk", None if sqlite else "card_project_id_fkey", ("project_id",), "project") in at_0002["card"]
    assert not any(k[0] == "uq" and k[2] == ("year", "seq") for k in at_0002["issue"])
    for table, index in REDUNDANT_AT_0002.items():
        assert index in at_0002[table] and index not in head[table], table


def test_head_revision_matches_alembic():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(db.migrations_dir()))
    assert ScriptDirectory.from_config(cfg).get_current_head() == db.head_revision()


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
def test_downgrade_to_base_and_up_again(sqlite_url):
    before, after, backup = db.downgrade(sqlite_url, "base")
    assert (before, after, backup.name.startswith("test.db.bak-" + before + "-")) == (db.head_revision(), None, True)
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
        f"错误：{path} 的数据库版本是 0000，本程序需要 {db.head_revision()}；请运行：projects --db {path} db upgrade\n"
    )
