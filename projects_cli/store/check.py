"""`projects db check`: is the registry sound? Integrity, schema at head, orphan rows, the change log's chain."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

import projects_cli.store.models  # noqa: F401  (registers the tables)
from projects_cli.store import changelog, db


def orphan_queries() -> list[tuple[str, str]]:
    """(description, SQL counting rows whose foreign key points at nothing), from the models' own foreign keys."""
    out = []
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            col, ref = fk.parent, fk.column
            sql = (
                f"SELECT count(*) FROM {table.name} t WHERE t.{col.name} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {ref.table.name} r WHERE r.{ref.name} = t.{col.name})"
            )
            out.append((f"{table.name}.{col.name} → {ref.table.name}", sql))
    return out


def check(session: Session) -> list[str]:
    """Every problem found, in words; an empty list means the registry is sound."""
    conn = session.connection()
    problems: list[str] = []
    if conn.dialect.name == "sqlite":
        result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        if result != ["ok"]:
            problems.extend(f"integrity: {line}" for line in result)
    current, head = db.current_revision(conn), db.head_revision()
    if current != head:
        problems.append(f"schema is at {current or 'none'}, this version needs {head}: run projects db upgrade")
        return problems
    missing = [t.name for t in SQLModel.metadata.sorted_tables if not inspect(conn).has_table(t.name)]
    problems.extend(f"table {name} is missing" for name in missing)
    for what, sql in orphan_queries():
        count = conn.execute(text(sql)).scalar()
        if count:
            problems.append(f"{count} orphan rows in {what}")
    problems.extend(changelog.verify_chain(session))
    return problems
