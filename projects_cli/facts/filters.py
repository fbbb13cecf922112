"""The filters every listing shares (`projects list`, ledger export, reports, cards): SQL conditions on `project`.

Read-only: the same conditions on SQLite and PostgreSQL, joined to `unit` for the
responsible unit's name. A name typed in a filter must be one the registry knows
(`check_filter`): a typo is an error offering the nearest names, never an empty
listing that reads as "nothing overdue".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

from sqlalchemy import literal, or_, select
from sqlmodel import Session

from projects_cli.config.chains import known_chains, known_clusters
from projects_cli.store.models import LIST_SEP, STATUSES, Project, Unit
from projects_cli.values import clean_text, normalize_name, resolve_name

# The filters that name something the registry knows, with what they name (中文, English).
NAMED = {
    "unit": ("责任单位", "unit"),
    "leader": ("包保领导", "leader"),
    "chain": ("产业链", "industry chain"),
    "cluster": ("产业集群", "industry cluster"),
    "category": ("项目类别", "category"),
    "status": ("项目状态", "status"),
    "column": ("规划专栏", "plan column"),
}


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


def known_names(session: Session, key: str, config: Mapping[str, Any] | None = None) -> list[str]:
    """Every name a filter `key` (of `NAMED`) may take: the registry's units; the leaders, chains, clusters,
    categories and plan columns its projects carry (chains and clusters also the office's known ones,
    `config.chains`); the six statuses."""
    if key == "status":
        return list(STATUSES)
    conn = session.connection()
    if key == "unit":
        return list(conn.execute(select(Unit.__table__.c.name)).scalars())
    p = Project.__table__.c
    if key in ("leader", "chain", "cluster"):
        held = sorted(v for v in conn.execute(select(p[key]).distinct()).scalars() if v)
        standard = known_chains(config) if key == "chain" else known_clusters(config) if key == "cluster" else ()
        return list(dict.fromkeys([*standard, *held]))
    items: set[str] = set()
    for text in conn.execute(select(p.categories if key == "category" else p.plan_columns).distinct()).scalars():
        items.update(item for item in (text or "").split(LIST_SEP) if item)
    return sorted(items)


def check_filter(session: Session, filters: ProjectFilter, config: Mapping[str, Any] | None = None) -> ProjectFilter:
    """`filters` with each name in the registry's own spelling (经济 发展局 → 经济发展局); a name the registry
    does not know is an `errors.UnknownName` listing the nearest known ones."""
    out = replace(filters)
    for key, what in NAMED.items():
        typed = getattr(filters, key)
        if typed and clean_text(typed):
            setattr(out, key, resolve_name(typed, known_names(session, key, config), what))
    return out
