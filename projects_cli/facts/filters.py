"""The filters every listing shares (`projects list`, ledger export, reports, cards): SQL conditions on `project`.

Read-only: the same conditions on SQLite and PostgreSQL, joined to `unit` for the
responsible unit's name. A name typed in a filter must be one the registry knows
(`check_filter`): a typo is an error offering the nearest names, never an empty
listing that reads as "nothing overdue".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Mapping, NamedTuple

from sqlalchemy import literal, or_, select
from sqlmodel import Session

from projects_cli.config.chains import known_chains, known_clusters
from projects_cli.errors import InvalidValue
from projects_cli.i18n import _
from projects_cli.store.models import LIST_SEP, STATUSES, Leader, Project, Unit, UnitName
from projects_cli.values import clean_text, match_name, normalize_name, resolve_name, short_forms

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
    # every name the leader has had (`leader rename`/`merge`), set by `check_filter`: a report for a date before
    # a rename finds the projects under the name they carried then
    leader_names: tuple[str, ...] = ()

    def clauses(self, unit_table=Unit, projects=None) -> list:
        """SQL conditions on `project` (joined to `unit`), the same on SQLite and PostgreSQL.
        `projects`: the project table as on a date (`facts.asof.projects_on`) instead of the table."""
        p = (Project.__table__ if projects is None else projects).c
        out = []
        for key in ("chain", "cluster", "leader", "status"):
            value = getattr(self, key)
            if key == "leader" and value and self.leader_names:
                out.append(p.leader.in_(sorted({clean_text(value), *self.leader_names})))
            elif value:
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
    if key == "unit":  # a unit merged into another is not offered (`unit merge`)
        u = Unit.__table__.c
        return list(conn.execute(select(u.name).where(u.retired_on.is_(None))).scalars())
    p = Project.__table__.c
    if key in ("leader", "chain", "cluster"):
        held = sorted(v for v in conn.execute(select(p[key]).distinct()).scalars() if v)
        standard = known_chains(config) if key == "chain" else known_clusters(config) if key == "cluster" else ()
        if key == "leader":  # the leaders the office keeps (`leader add`), merged ones not offered
            lc = Leader.__table__.c
            standard = tuple(conn.execute(select(lc.name).where(lc.retired_on.is_(None)).order_by(lc.name)).scalars())
        return list(dict.fromkeys([*standard, *held]))
    items: set[str] = set()
    for text in conn.execute(select(p.categories if key == "category" else p.plan_columns).distinct()).scalars():
        items.update(item for item in (text or "").split(LIST_SEP) if item)
    return sorted(items)


def check_filter(session: Session, filters: ProjectFilter, config: Mapping[str, Any] | None = None,
                 notes: list[str] | None = None) -> ProjectFilter:
    """`filters` with each name in the registry's own spelling (经济 发展局 → 经济发展局); a former name of a unit or
    leader finds the one that holds it now (said in `notes`: "now NEW"); a name the registry does not know is
    an `errors.UnknownName` listing the nearest known ones."""
    out = replace(filters)
    for key, what in NAMED.items():
        typed = getattr(filters, key)
        if typed and clean_text(typed):
            known = known_names(session, key, config)
            if key in FORMER and match_name(typed, known) is None:
                former = find_former(session, key, typed)
                if former is not None:  # an old name: the unit (leader) that holds it now
                    setattr(out, key, former.now)
                    if notes is not None:
                        notes.append(former.message(what[0]))
                    continue
            if key == "unit" and match_name(typed, known) is None:
                if len(short := short_forms(typed, known)) == 1:  # 经发局: the one unit it can stand for
                    setattr(out, key, short[0])
                    if notes is not None:
                        notes.append(_("{what}“{typed}”即“{name}”").format(what=what[0], typed=clean_text(typed),
                                                                          name=short[0]))
                    continue
                if short:
                    raise InvalidValue(_("{what}“{typed}”可指{names}，请写全称").format(
                        what=what[0], typed=clean_text(typed), names='、'.join(short)))
            setattr(out, key, resolve_name(typed, known, what))
    if out.leader:
        out.leader_names = tuple(sorted(f.name for f in former_names(session, "leader").values() if f.now == out.leader))
    return out


# ---------------------------------------------------------------- former names


class Former(NamedTuple):
    """A name no longer in force (a unit's or leader's before a rename, or one merged into another) and
    the name in force now of the one that holds it (`now`), since `on`."""

    name: str
    now: str
    on: date | None
    merged: bool  # True: merged into `now` (机构改革); False: renamed to `now`

    def message(self, what: str = "责任单位") -> str:
        zh, en = (f"已于 {self.on.isoformat()} ", f" on {self.on.isoformat()}") if self.on else ("已", "")
        if self.merged:
            return f"{what}“{self.name}”{zh}并入“{self.now}”（merged into {self.now}{en}）"
        return f"{what}“{self.name}”{zh}更名为“{self.now}”（renamed {self.name} → {self.now}{en}）"


def former_names(session: Session, key: str = "unit") -> dict[str, Former]:
    """Every former name of a unit (`key` "unit") or leader ("leader"): the names units had before a rename
    (`UnitName`), the units merged into another (`Unit.retired_on`), and likewise the leaders' (`Leader.former`,
    `Leader.merged_into`); each → `Former` with the name in force now of the one that holds it, following
    merges to the end. A former name that is some unit's name in force again is not one."""
    conn = session.connection()
    table = (Unit if key == "unit" else Leader).__table__.c
    rows = {uid: (name, into, retired) for uid, name, into, retired in conn.execute(
        select(table.id, table.name, table.merged_into, table.retired_on))}

    def now(uid: int) -> str:
        seen = set()
        while rows[uid][1] is not None and uid not in seen:
            seen.add(uid)
            uid = rows[uid][1]
        return rows[uid][0]

    current = {name for name, into, _ in rows.values() if into is None}
    out: dict[str, Former] = {}
    if key == "unit":
        n = UnitName.__table__.c
        renames = conn.execute(select(n.unit_id, n.name, n.replaced_on).order_by(n.replaced_on, n.id)).all()
    else:
        renames = []
        for lid, former in conn.execute(select(table.id, table.former)):  # a leader's renames keep no date
            renames.extend((lid, name, None) for name in (former or "").split(LIST_SEP) if name)
    for uid, name, on in renames:
        if name not in current:
            out[name] = Former(name, now(uid), on, rows[uid][1] is not None and name == rows[uid][0])
    for uid, (name, into, retired) in rows.items():
        if into is not None and name not in current:
            out[name] = Former(name, now(uid), retired, True)
    return out


FORMER = ("unit", "leader")  # the filters whose former names still find what holds them now


def find_former(session: Session, key: str, typed: str) -> Former | None:
    """The `Former` name `typed` is (as `values.match_name` matches), None when it is none."""
    formers = former_names(session, key)
    found = match_name(typed, formers) if formers else None
    return formers[found] if found is not None else None
