"""Migrations keep data: a database filled at each older revision upgrades to head with every row intact,
downgrades back to it unchanged, and upgrades again.

The filler is generic (one row per table, values by column type, all foreign
keys pointing at row 1), so every future revision is covered without new code.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from projects_cli.store import db


def revisions() -> list[str]:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.migrations_dir()))
    script = ScriptDirectory.from_config(cfg)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


OLDER = revisions()[:-1]


# Columns whose values the schema restricts (models.CHECKS): a valid value each.
VALID = {("project", "status"): "在建", ("card", "color"): "red", ("issue", "state"): "assigned",
         ("issue", "level"): "重点督办", ("lead", "stage"): "在谈", ("lead_stage", "stage"): "签约",
         ("notice", "channel"): "wecom", ("notice", "result"): "sent",
         ("meeting", "kind"): "周调度", ("meeting_unit", "attendance"): "出席",
         ("login_role", "kind"): "unit", ("role_scope", "reads"): "own"}


def value_for(table: sa.Table, col: sa.Column):
    if (table.name, col.name) in VALID:
        return VALID[(table.name, col.name)]
    if col.foreign_keys or (col.primary_key and isinstance(col.type, sa.Integer)):
        return 1
    t = col.type
    if isinstance(t, sa.Boolean):
        return True
    if isinstance(t, sa.Integer):
        return 7
    if isinstance(t, sa.Numeric):
        return Decimal("12.5")
    if isinstance(t, sa.DateTime):
        return datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    if isinstance(t, sa.Date):
        return date(2025, 1, 2)
    if isinstance(t, sa.JSON):
        return {"k": "值"}
    if isinstance(t, sa.LargeBinary):
        return f"{table.name}.{col.name}".encode()[: t.length]
    if isinstance(t, sa.String) and t.length:
        return f"{table.name}.{col.name}·值"[: t.length]
    return f"{table.name}.{col.name}·长文本"


def normal(value):
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, str) and value[:4] == "2025" and len(value) >= 19:
        return datetime.fromisoformat(value[:19])
    if isinstance(value, str) and value == "2025-01-02":
        return date(2025, 1, 2)
    return value


def snapshot(url: str) -> dict[str, dict]:
    engine = sa.create_engine(url)
    md = sa.MetaData()
    md.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for table in md.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = conn.execute(table.select()).mappings().all()
            out[table.name] = [{k: normal(v) for k, v in r.items()} for r in rows]
    engine.dispose()
    return out


def fill(url: str) -> dict[str, dict]:
    """One row in every table of the schema as it is at this revision; returns what was written."""
    engine = sa.create_engine(url)
    md = sa.MetaData()
    md.reflect(engine)
    with engine.begin() as conn:
        for table in md.sorted_tables:
            if table.name == "alembic_version" or conn.execute(sa.select(sa.func.count()).select_from(table)).scalar():
                continue  # (log_anchor: the row migration 0008 wrote)
            conn.execute(table.insert().values({c.name: value_for(table, c) for c in table.columns}))
    engine.dispose()
    return snapshot(url)


def test_there_is_history_to_check():
    assert OLDER, "no revision older than head: this test would check nothing"


# A cache a migration empties on purpose, on one engine: 0017 drops the ledger fingerprints on PostgreSQL, which a
# unit's login could write until then (the office's next import keeps them again). Nothing else may lose a row.
EMPTIED = {"ledger_fingerprint": ("postgresql", "0017")}


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
@pytest.mark.parametrize("revision", OLDER)
def test_data_written_at_an_older_revision_survives_upgrade_and_downgrade(revision, db_url):
    db.downgrade(db_url, "base")
    db.upgrade(db_url, revision, backup=False)
    before = fill(db_url)
    assert all(len(rows) == 1 for rows in before.values())
    db.upgrade(db_url, backup=False)
    after = snapshot(db_url)
    emptied = {table for table, (engine, by) in EMPTIED.items() if db_url.startswith(engine) and revision < by}
    for table, rows in before.items():
        assert table in after, f"table {table} was dropped"
        if table in emptied:
            assert after[table] == [], f"{table} was to be emptied"
            before[table] = []  # (and stays empty down and up again)
            continue
        kept = {k: after[table][0][k] for k in rows[0] if k in after[table][0]}
        assert kept == rows[0], table
        assert set(rows[0]) <= set(after[table][0]), f"{table} lost columns"
    db.downgrade(db_url, revision)
    down = snapshot(db_url)
    # a downgrade below 0010 keeps change_log.run and .on, below 0014 change_log.on_behalf: the hashes of rows
    # written since cover them, and an upgrade again must find them (migrations 0010, 0014); nothing else is kept
    for row in down.get("change_log", []):
        for kept in ("run", "on", "on_behalf"):
            if kept not in before["change_log"][0]:
                assert row.pop(kept) is None
    assert down == before
    db.upgrade(db_url, backup=False)
    again = snapshot(db_url)
    # upgrading past 0008 anchors the change log anew: the same rows signed, under a nonce (and so a MAC) of its own
    assert [{k: v for k, v in r.items() if k not in ("nonce", "mac")} for r in again.pop("log_anchor", [])] == \
        [{k: v for k, v in r.items() if k not in ("nonce", "mac")} for r in after.pop("log_anchor", [])]
    assert again == after


def test_upgrade_refuses_rows_that_break_the_new_checks_and_changes_nothing(tmp_path):
    from projects_cli.errors import ProjectsError

    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    db.upgrade(url, "0001", backup=False)
    before = fill(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE project SET status = '在办', total_investment = -5"))
    engine.dispose()
    with pytest.raises(ProjectsError) as info:
        db.upgrade(url)
    message = str(info.value)
    assert message.startswith(f"从 0001 升级到 {db.head_revision()} 失败，未做任何改动："
                              "fix these rows first: 1 rows of project break ck_project_status")
    assert "1 rows of project break ck_project_total_investment" in message
    assert "副本保存在" in message
    assert db.revision_of(url) == "0001"
    assert len(list(tmp_path.glob("old.db.bak-0001-*"))) == 1
    assert snapshot(url)["unit"] == before["unit"]


def test_a_bulk_insert_cannot_store_a_value_the_services_refuse(db_url):
    engine = sa.create_engine(db_url)
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO project (code, name, categories, status, plan_columns, created_at, updated_at, version)"
                " VALUES ('X-1', '甲', '', '在办', '', '2025-01-01', '2025-01-01', 1)"))
    engine.dispose()


@pytest.mark.slow  # a walk through the migrations: CI runs it (-m "slow or not slow")
def test_upgrade_refuses_issues_that_share_a_year_and_seq_and_changes_nothing(db_url):
    from projects_cli.errors import ProjectsError

    db.downgrade(db_url, "0002")
    fill(db_url)
    engine = sa.create_engine(db_url)
    md = sa.MetaData()
    issue = sa.Table("issue", md, autoload_with=engine)
    with engine.begin() as conn:
        conn.execute(issue.update().values(year=2025, seq=12, number="2025-012"))
        row = dict(conn.execute(issue.select()).mappings().one())
        for id_, year, seq, number in ((2, 2025, 12, "2025-12"), (3, 2025, 13, "2025-013"), (4, 2024, 12, "2024-012"),
                                       (5, 2024, 12, "2024-12"), (6, 2024, 12, "2024/12")):
            conn.execute(issue.insert().values({**row, "id": id_, "year": year, "seq": seq, "number": number}))
    engine.dispose()
    before = snapshot(db_url)
    with pytest.raises(ProjectsError) as info:
        db.upgrade(db_url, backup=False)
    assert str(info.value) == (
        f"从 0002 升级到 {db.head_revision()} 失败，未做任何改动："
        "这些问题的年份和序号（year, seq）重复，请先给每个问题改正序号 (issues share a year and seq; give each its own first): "
        "2024 年第 12 号 (year 2024, seq 12): 2024-012, 2024-12, 2024/12; "
        "2025 年第 12 号 (year 2025, seq 12): 2025-012, 2025-12"
    )
    assert db.revision_of(db_url) == "0002"
    assert snapshot(db_url) == before


def test_two_issues_cannot_share_a_year_and_seq(db_url):
    fill(db_url)
    engine = sa.create_engine(db_url)
    issue = sa.Table("issue", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        row = dict(conn.execute(issue.select()).mappings().one())
    with pytest.raises(sa.exc.IntegrityError, match="uq_issue_year_seq|issue.year, issue.seq"):
        with engine.begin() as conn:
            conn.execute(issue.insert().values({**row, "id": 2, "number": "2025-999"}))
    engine.dispose()
