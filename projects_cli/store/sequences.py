"""Number sequences (编号): project codes, issue numbers, sheet numbers — never one number given twice.

A sequence is a named row of `counter`, per year where numbers restart each
year (2025-001 …); the row is locked until the transaction ends.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.store.models import Counter


def locked_counter(session: Session, name: str, year: int) -> Counter:
    """A sequence's row, created if missing and locked until the transaction ends.

    SQLite writers are already one at a time (BEGIN IMMEDIATE); on PostgreSQL the
    row lock makes a second office wait instead of taking the same number.
    """
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect in ("postgresql", "sqlite"):
        from sqlalchemy.dialects import postgresql, sqlite

        insert = (postgresql if dialect == "postgresql" else sqlite).insert
        conn.execute(insert(Counter).values(name=name, year=year, value=0).on_conflict_do_nothing())
    counter = session.scalars(
        select(Counter).where(Counter.name == name, Counter.year == year).with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if counter is None:  # another dialect: no upsert, a plain insert (its unique key still guards)
        counter = Counter(name=name, year=year, value=0)
        session.add(counter)
    return counter


def next_number(session: Session, name: str, year: int = 0) -> int:
    """The next value of a named sequence (never given twice, even after deletes)."""
    counter = locked_counter(session, name, year)
    counter.value += 1
    session.flush()
    return counter.value
