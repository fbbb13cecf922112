"""The filters every listing shares (`projects list`, ledger export, reports, cards): SQL conditions on `project`.

Read-only: the same conditions on SQLite and PostgreSQL, joined to `unit` for the
responsible unit's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal, or_

from projects_cli.store.models import LIST_SEP, Project, Unit
from projects_cli.values import clean_text, normalize_name


@dataclass
class ProjectFilter:
    """The filters every listing shares (`projects list`, ledger export, reports)."""

    chain: str | None = None
    cluster: str | None = None
    unit: str | None = None
    leader: str | None = None
    category: str | None = None
    status: str | None = None
    column: str | None = None
    search: str | None = None

    def clauses(self, unit_table=Unit, projects=None) -> list:
        """SQL conditions on `project` (joined to `unit`), the same on SQLite and PostgreSQL.
        `projects`: the project table as on a date (`facts.asof.projects_on`) instead of the table."""
        p = (Project.__table__ if projects is None else projects).c
        out = []
        for key in ("chain", "cluster", "leader", "status"):
            value = getattr(self, key)
            if value:
                out.append(p[key] == clean_text(value))
        if self.unit:
            out.append(unit_table.__table__.c.name == clean_text(self.unit))
        if self.category:
            out.append(_has_item(p.categories, self.category))
        if self.column:
            out.append(_has_item(p.plan_columns, self.column))
        if self.search:
            like = f"%{like_literal(clean_text(self.search))}%"  # % and _ as typed, not as wildcards
            out.append(or_(*(p[key].like(like, escape="\\") for key in ("name", "owner", "content", "code"))))
        return out


def _has_item(column, item: str):
    """`item` is one of the 、-joined values (so 4-1 does not match 4-10)."""
    padded = literal(LIST_SEP) + column + literal(LIST_SEP)
    return padded.like(f"%{LIST_SEP}{like_literal(normalize_name(item))}{LIST_SEP}%", escape="\\")


def like_literal(text: str) -> str:
    """Text for a LIKE pattern that matches itself only: %, _ and the escape character escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
