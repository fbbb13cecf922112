"""Row counts read straight from a registry, to show that a command wrote (or did not write) anything."""

from __future__ import annotations

from sqlalchemy import create_engine, text

TABLES = ("project", "unit", "milestone", "milestone_plan", "investment_plan", "investment_report", "change_log", "counter")


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    engine.dispose()
    return n


def table_counts(url: str, tables: tuple[str, ...] = TABLES) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}
    engine.dispose()
    return counts
