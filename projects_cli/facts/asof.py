"""Facts at an as-of date, read set-based (a few queries for the whole registry, never one per project).

Shared by the countdown and overdue reports, the card rating (红黄蓝牌) and the
red flag: open milestones with the plan in force on the date, year-to-date
investment against the annual plan and 序时进度, problems past their deadline,
and pending look-backs (回头看).

"At an as-of date" is meant exactly, so that last week's report re-run today
gives last week's answer: a milestone done after the date was still open then,
and a re-plan made after the date had not happened yet (see
`rules.milestones.plan_in_force`).
"""

from __future__ import annotations

import functools
import gc
import operator
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import compress, repeat
from typing import Any, Callable, Iterable, NamedTuple, TypeVar

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select, type_coerce, union_all
from sqlmodel import Session

from projects_cli.facts.filters import ProjectFilter
from projects_cli.rules import milestones as mrules
from projects_cli.rules.cards import Facts
from projects_cli.rules.dates import completion_gap, completion_rates, days_late, expected_percent
from projects_cli.rules.workdays import WorkCalendar, workdays_between
from projects_cli.store.db import query_rows
from projects_cli.store.models import (
    DEADLINE_STATES,
    PROJECT_HISTORY,
    InvestmentPlan,
    InvestmentReport,
    InvestmentRevision,
    Issue,
    IssueEvent,
    Milestone,
    MilestonePlan,
    MilestoneRevision,
    Project,
    ProjectArchive,
    ProjectRevision,
    Unit,
    UnitName,
)
from projects_cli.values import clean_text
from projects_cli.vocab import IssueEventType, Level

NO_FILTER = ProjectFilter()
T = TypeVar("T")


def _project_columns(p, unit_name):
    return (
        p.c.id.label("project_id"), p.c.code, p.c.name, p.c.chain, p.c.status, p.c.leader, unit_name.label("unit"),
    )


def without_gc(func: Callable[..., T]) -> Callable[..., T]:
    """Run `func` with Python's cyclic garbage collector paused.

    Reports build hundreds of thousands of plain dicts and tuples that hold no
    reference cycles; the collector would only rescan them again and again
    (a third of the overdue report's time on 100,000 projects). Reference
    counting still frees everything as usual.
    """
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


def _dicts(session: Session, query) -> list[dict[str, Any]]:
    """Rows as plain dicts (a tenth of the cost of iterating SQLAlchemy's mappings on 100,000 rows)."""
    result = session.connection().execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row)) for row in result.all()]


class ProjectInfo(NamedTuple):
    unit: str | None  # 责任单位
    leader: str | None  # 包保领导
    code: str
    name: str


def archive_holds(as_of: date):
    """SQL: a `project_archive` row holds on `as_of` (archived on or before it, not restored by then)."""
    a = ProjectArchive.__table__.c
    return and_(a.archived_on <= as_of, or_(a.restored_on.is_(None), a.restored_on > as_of))


def archived_ids(as_of: date):
    """SQL: ids of the projects archived (归档) on `as_of` (`archive_holds`)."""
    return select(ProjectArchive.__table__.c.project_id).where(archive_holds(as_of))


def not_archived(session: Session, column, as_of: date) -> list:
    """The conditions (none or one) that leave out the projects archived on `as_of`, `column` being a project id
    column; none when no project is (the usual case: the query stays as it was)."""
    if session.connection().execute(archived_ids(as_of).limit(1)).first() is None:
        return []
    return [column.not_in(archived_ids(as_of))]


def projects_on(session: Session, as_of: date | None):
    """The project table as on record on `as_of`: a project added after `as_of` is not there, nor one archived
    on it (`archived_ids`), and each field a later change replaced (`ProjectRevision`) holds the value it had
    then — the first value replaced after `as_of` is the one in force on it. The table itself when nothing was
    added, archived or changed after `as_of` (the usual case: a report for today).
    Same column names, so queries read `p.c.status`, `p.c.unit_id` … of either."""
    p, r = Project.__table__, ProjectRevision.__table__
    if as_of is None:
        return p
    conn = session.connection()
    added_later = conn.execute(select(p.c.id).where(p.c.recorded_on > as_of).limit(1)).first() is not None
    archived = not_archived(session, p.c.id, as_of)
    if not added_later and conn.execute(select(r.c.id).where(r.c.replaced_on > as_of).limit(1)).first() is None:
        return select(*p.c).where(*archived).subquery("project_on") if archived else p
    columns = []
    for column in p.c:
        if column.name not in PROJECT_HISTORY:
            columns.append(column)
            continue
        later = (r.c.project_id == p.c.id, r.c.field == column.name, r.c.replaced_on > as_of)
        first = select(r.c.value).where(*later).order_by(r.c.replaced_on, r.c.id).limit(1).scalar_subquery()
        value = case((exists().where(*later), cast(first, column.type)), else_=column)
        columns.append(type_coerce(value, column.type).label(column.name))
    on_record = select(*columns).where(*archived)
    if added_later:  # a project added after `as_of` was not on record then
        on_record = on_record.where(or_(p.c.recorded_on.is_(None), p.c.recorded_on <= as_of))
    return on_record.subquery("project_on")


def unit_name_on(session: Session, as_of: date | None, u=Unit.__table__):
    """SQL: the name of unit `u` (the unit table or an alias of it) in force on `as_of` (None: now) — the first
    name a rename after `as_of` replaced (`UnitName`), else its name now. Just `u.c.name` when no unit was
    renamed after `as_of` (the usual case). A unit merged into another keeps its name: reports for a date
    before the merge name it, as its projects' `unit_id` then (`projects_on`) says."""
    n = UnitName.__table__
    if as_of is None or session.connection().execute(
            select(n.c.id).where(n.c.replaced_on > as_of).limit(1)).first() is None:
        return u.c.name
    first = select(n.c.name).where(n.c.unit_id == u.c.id, n.c.replaced_on > as_of).order_by(
        n.c.replaced_on, n.c.id).limit(1).scalar_subquery()
    return type_coerce(func.coalesce(first, u.c.name), u.c.name.type)


def unit_ids_by_name(session: Session) -> dict[str, int]:
    """Every name a unit has had → its id: its name now and those before a rename (`UnitName`). Problems'
    events name units as they were named then."""
    u, n = Unit.__table__.c, UnitName.__table__.c
    conn = session.connection()
    out = dict(conn.execute(select(n.name, n.unit_id).order_by(n.replaced_on, n.id)).all())
    out.update(conn.execute(select(u.name, u.id)).all())  # a name in force wins over one given up
    return out


def unit_in_force(session: Session, unit_id: int | None) -> int | None:
    """The unit that answers now for unit `unit_id`: itself, or the one it was merged into (to the end)."""
    u = Unit.__table__.c
    into = dict(session.connection().execute(select(u.id, u.merged_into)).all())
    seen: set[int] = set()
    while unit_id is not None and into.get(unit_id) is not None and unit_id not in seen:
        seen.add(unit_id)
        unit_id = into[unit_id]
    return unit_id


def unit_names_on(session: Session, as_of: date | None) -> dict[int, str]:
    """Unit id → its name in force on `as_of` (`unit_name_on`), every unit's (a few dozen)."""
    u = Unit.__table__
    return dict(query_rows(session.connection(), select(u.c.id, unit_name_on(session, as_of, u))))


def milestones_on(session: Session, as_of: date):
    """The milestone table as on record on `as_of`: an actual date recorded after `as_of` is not there yet,
    and one a correction replaced after `as_of` reads as it was (`MilestoneRevision`). The table itself
    when no actual date was recorded after `as_of` (the usual case). Same column names."""
    m, r = Milestone.__table__, MilestoneRevision.__table__
    if session.connection().execute(select(m.c.id).where(m.c.actual_recorded_on > as_of).limit(1)).first() is None:
        return m
    later = (r.c.milestone_id == m.c.id, r.c.replaced_on > as_of)
    # the first value replaced after `as_of`, if it was on record by then (else there was none yet)
    held = select(case((or_(r.c.recorded_on.is_(None), r.c.recorded_on <= as_of), r.c.actual_date))).where(
        *later).order_by(r.c.replaced_on, r.c.id).limit(1).scalar_subquery()
    actual = type_coerce(case(  # typed: older SQLAlchemy leaves a CASE over a subquery untyped (text on SQLite)
        (exists().where(*later), held),
        (m.c.actual_recorded_on > as_of, None),
        else_=m.c.actual_date,
    ), m.c.actual_date.type)
    return select(*(actual.label("actual_date") if c.name == "actual_date" else c for c in m.c)).subquery("milestone_on")


def _project_ids(filters: ProjectFilter, p=Project.__table__):
    """A query of the ids of the projects that match `filters` (`p`: the projects, e.g. `projects_on` a date)."""
    u = Unit.__table__
    query = select(p.c.id).select_from(p.outerjoin(u, u.c.id == p.c.unit_id))
    for clause in filters.clauses(projects=p):
        query = query.where(clause)
    return query


def project_info(session: Session, filters: ProjectFilter = NO_FILTER, as_of: date | None = None) -> dict[int, ProjectInfo]:
    """Per project id, what reports print beside each item (unit, leader, code, name) as on `as_of`
    (None: now), for the projects matching `filters`. Rows of other tables refer to these by id."""
    p = projects_on(session, as_of)
    query = select(p.c.id, p.c.unit_id, p.c.leader, p.c.code, p.c.name)
    if filters != NO_FILTER:
        query = query.where(p.c.id.in_(_project_ids(filters, p)))
    rows = query_rows(session.connection(), query)
    if not rows:
        return {}
    units = unit_names_on(session, as_of)  # a few dozen: no join
    ids, unit_ids, *rest = zip(*rows)
    return dict(zip(ids, map(tuple.__new__, repeat(ProjectInfo), zip(map(units.get, unit_ids), *rest))))


def replanned_query(after: date):
    """Ids of milestones planned or re-planned after `after` (a plan row set on a later date): for a date
    up to `after` their plan comes from their history (`rules.milestones.plan_in_force`)."""
    mp = MilestonePlan.__table__
    return select(mp.c.milestone_id).where(mp.c.on > after).distinct()


def replanned_after(session: Session, after: date) -> dict[int, list[tuple[date, date]]]:
    """Plan histories, as (set on, planned), of the milestones whose plan changed after `after`.

    Usually a handful: every other milestone's plan on any date since is its current plan.
    """
    mp = MilestonePlan.__table__
    rows = session.connection().execute(
        select(mp.c.milestone_id, mp.c.on, mp.c.planned_date)
        .where(mp.c.milestone_id.in_(replanned_query(after)))
        .order_by(mp.c.milestone_id, mp.c.on, mp.c.id)
    )
    out: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for mid, on, planned in rows:
        out[mid].append((on, planned))
    return dict(out)


class OpenMilestone(NamedTuple):
    project_id: int
    milestone_id: int
    kind: str
    planned: date  # the plan in force at the as-of date
    planned_since: date | None  # the plan in force at `since` (None without `since`)


class OpenMilestones(NamedTuple):
    """`OpenMilestone`s as columns: one list per field, row i across them. Reports on 100,000
    projects work on whole columns (`map`, `zip`) instead of row by row. `rows()` gives the rows."""

    project_id: list[int]
    milestone_id: list[int]
    kind: list[str]
    planned: list[date]
    planned_since: list[date | None]

    def rows(self) -> list[OpenMilestone]:
        return list(map(OpenMilestone._make, zip(*self)))


def open_milestones(
    session: Session,
    as_of: date,
    *,
    upto: date | None = None,
    since: date | None = None,
    filters: ProjectFilter = NO_FILTER,
    projects=None,
) -> OpenMilestones:
    """Milestones open at `as_of` (no actual date on or before it) with a plan in force then.

    `planned` is the plan in force at `as_of`; with `since` (an earlier date)
    `planned_since` is the plan in force then (for "was it overdue last week?").
    `upto` keeps only plans on or before it; `filters` and `projects` (a query
    of project ids) keep those projects. Rows carry the project's id only: see
    `project_info` for its columns.
    """
    m = milestones_on(session, as_of)
    first = min(as_of, since) if since else as_of
    histories = replanned_after(session, first)
    query = select(m.c.project_id, m.c.id, m.c.kind, m.c.planned_date).where(
        _open_at(m, as_of), m.c.planned_date.is_not(None)
    )
    if projects is not None:
        query = query.where(m.c.project_id.in_(projects))
    if filters != NO_FILTER:
        query = query.where(m.c.project_id.in_(_project_ids(filters, projects_on(session, as_of))))
    if upto is not None:
        window = m.c.planned_date <= upto
        if histories:
            window = or_(window, m.c.id.in_(replanned_query(first)))
        query = query.where(window)
    rows = query_rows(session.connection(), query, types=(None, None, None, m.c.planned_date))
    if not rows:
        return OpenMilestones([], [], [], [], [])
    pids, mids, kinds, planned = map(list, zip(*rows))
    since_planned = list(planned) if since else [None] * len(planned)
    replanned = set(mids).intersection(histories)
    if replanned:  # usually none: their plans at `as_of` and `since` come from their histories
        for i, mid in enumerate(mids):
            if mid in replanned:
                planned[i] = mrules.plan_in_force(histories[mid], as_of)
                if since:
                    since_planned[i] = mrules.plan_in_force(histories[mid], since)
        # not planned yet on `as_of` (its first plan was set later): not on record then
        keep = [d is not None and (upto is None or d <= upto) for d in planned]
        if not all(keep):
            return OpenMilestones(*(list(compress(col, keep)) for col in (pids, mids, kinds, planned, since_planned)))
    return OpenMilestones(pids, mids, kinds, planned, since_planned)


def year_progress(session: Session, as_of: date, kinds: tuple[str, ...] = ("开工", "竣工")) -> dict[str, dict[str, Any]]:
    """开工率 and 竣工率 of the as-of year, as on record on `as_of`: per milestone kind, the projects on record
    whose plan in force on `as_of` falls in that year (`planned`), how many of them were done by `as_of`
    (`done`), the rate (done / planned, %, one decimal; None with nothing planned), and how many were done in
    the year whatever their plan (`done_in_year`: started early, or late from last year's plan)."""
    m = milestones_on(session, as_of)
    p = projects_on(session, as_of)
    first, last = date(as_of.year, 1, 1), date(as_of.year, 12, 31)
    histories = replanned_after(session, as_of)
    rows = query_rows(session.connection(), select(m.c.id, m.c.kind, m.c.planned_date, m.c.actual_date).where(
        m.c.kind.in_(kinds), m.c.project_id.in_(select(p.c.id))), types=(None, None, m.c.planned_date, m.c.actual_date))
    out = {kind: {"planned": 0, "done": 0, "done_in_year": 0, "rate": None} for kind in kinds}
    for mid, kind, planned, actual in rows:
        if mid in histories:
            planned = mrules.plan_in_force(histories[mid], as_of)
        done = actual is not None and actual <= as_of
        entry = out[kind]
        if done and actual >= first:
            entry["done_in_year"] += 1
        if planned is not None and first <= planned <= last:
            entry["planned"] += 1
            entry["done"] += done
    for entry in out.values():
        if entry["planned"]:
            entry["rate"] = (Decimal(entry["done"] * 100) / entry["planned"]).quantize(Decimal("0.1"))
    return out


def _open_at(m, as_of: date):
    return or_(m.c.actual_date.is_(None), m.c.actual_date > as_of)


def next_milestones(session: Session, as_of: date, filters: ProjectFilter = NO_FILTER) -> list[dict[str, Any]]:
    """Per project, the open milestone it counts down to at `as_of` (`rules.milestones.countdown_pick`):
    its start (开工) while that is open, else its soonest open milestone. Rows as `open_milestones`.

    The pick runs in SQL (a window over each project's open milestones), so only
    one row per project is read; the few projects re-planned after `as_of` are
    picked in Python from the plans that held then.
    """
    m, p, u = milestones_on(session, as_of), projects_on(session, as_of), Unit.__table__
    unit_name = unit_name_on(session, as_of, u)
    replanned = select(m.c.project_id).where(m.c.id.in_(replanned_query(as_of)))
    order = (case((m.c.kind == mrules.START, 0), else_=1), m.c.planned_date, m.c.seq)
    ranked = (
        select(m.c.id.label("milestone_id"), m.c.project_id, m.c.kind, m.c.seq, m.c.baseline_date, m.c.planned_date,
               func.row_number().over(partition_by=m.c.project_id, order_by=order).label("rank"))
        .where(_open_at(m, as_of), m.c.planned_date.is_not(None), m.c.project_id.not_in(replanned))
        .subquery()
    )
    query = (
        select(*_project_columns(p, unit_name), ranked.c.milestone_id, ranked.c.kind, ranked.c.seq,
               ranked.c.baseline_date, ranked.c.planned_date.label("planned"))
        .select_from(ranked.join(p, p.c.id == ranked.c.project_id).outerjoin(u, u.c.id == p.c.unit_id))
        .where(ranked.c.rank == 1)
    )
    for clause in filters.clauses(projects=p):
        query = query.where(clause)
    rows = _dicts(session, query)
    by_project: dict[int, list[OpenMilestone]] = defaultdict(list)
    for row in open_milestones(session, as_of, filters=filters, projects=replanned).rows():
        by_project[row.project_id].append(row)
    if not by_project:
        return rows
    seq_of = {mid: (seq, baseline) for mid, seq, baseline in session.connection().execute(
        select(m.c.id, m.c.seq, m.c.baseline_date).where(m.c.project_id.in_(replanned)))}
    info = {r["project_id"]: r for r in _dicts(session, select(*_project_columns(p, unit_name)).select_from(
        p.outerjoin(u, u.c.id == p.c.unit_id)).where(p.c.id.in_(replanned)))}
    for pid, milestones in by_project.items():
        if pid not in info:  # a project added after `as_of`
            continue
        picked = mrules.countdown_pick(mrules.Open(r.kind, seq_of[r.milestone_id][0], r.planned) for r in milestones)
        m = next(r for r in milestones if r.kind == picked.kind)
        seq, baseline = seq_of[m.milestone_id]
        rows.append({**info[pid], "milestone_id": m.milestone_id, "kind": m.kind, "seq": seq,
                     "baseline_date": baseline, "planned": m.planned})
    return rows


def overdue_milestones(session: Session, as_of: date, filters: ProjectFilter = NO_FILTER) -> list[tuple[int, str, int]]:
    """Milestones overdue at `as_of`, as (project id, kind, days late)."""
    found = open_milestones(session, as_of, upto=as_of - timedelta(days=1), filters=filters)
    late = {d: days_late(d, None, as_of) for d in set(found.planned)}
    return list(zip(found.project_id, found.kind, map(late.__getitem__, found.planned)))


def _with_days_late(rows: list[dict[str, Any]], key: str, as_of: date) -> list[dict[str, Any]]:
    for row in rows:
        row["days_late"] = days_late(row[key], None, as_of)
    return rows


# ---------------------------------------------------------------- investment


def reports_on_record(as_of: date, first: str, last: str, projects=None):
    """SQL (a subquery): the monthly figures (project_id, month, amount, source) of months `first` … `last`
    (YYYY-MM) as on record on `as_of`: the figures recorded by then, and where a figure was replaced
    after it (更正), the one it replaced (`InvestmentRevision`). `projects`: a column clause to keep."""
    ir, rev = InvestmentReport.__table__.c, InvestmentRevision.__table__.c
    current = select(ir.project_id, ir.month, ir.amount, ir.source).where(
        ir.month >= first, ir.month <= last, or_(ir.recorded_on.is_(None), ir.recorded_on <= as_of))
    replaced = select(rev.project_id, rev.month, rev.amount, literal(None, String()).label("source")).where(
        rev.month >= first, rev.month <= last, or_(rev.recorded_on.is_(None), rev.recorded_on <= as_of),
        rev.replaced_on > as_of)
    if projects is not None:
        current, replaced = current.where(projects(ir.project_id)), replaced.where(projects(rev.project_id))
    return union_all(current, replaced).subquery()


def _ytd_subquery(as_of: date):
    """Investment completed per project from January to the as-of month, as on record on `as_of`."""
    ir = reports_on_record(as_of, f"{as_of.year:04d}-01", f"{as_of.year:04d}-{as_of.month:02d}")
    return select(ir.c.project_id, func.sum(ir.c.amount).label("completed")).group_by(ir.c.project_id)


def gap_of(plan: Decimal | None, completed: Decimal | None, as_of: date) -> dict[str, Any]:
    """plan, completed, and `rules.dates.completion_gap`'s rate, expected, behind (None without a plan)."""
    gap = completion_gap(plan, completed, as_of)
    if gap is None:
        return {"plan": plan, "completed": completed, "rate": None, "expected": None, "behind": None,
                "expected_amount": None}
    gap["completed"] = completed  # None stays None: nothing reported is not the same as 0 reported
    return gap


def year_to_date(session: Session, as_of: date) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """Per project id: (annual plan of the as-of year, completed from January to the as-of month).

    Two lean aggregate queries with no project columns; projects with neither are left out.
    """
    ip = InvestmentPlan.__table__
    money = (None, ip.c.amount)  # the sum of completed amounts reads as an amount too
    plans = dict(query_rows(session.connection(), select(ip.c.project_id, ip.c.amount).where(ip.c.year == as_of.year),
                            types=money))
    done = dict(query_rows(session.connection(), _ytd_subquery(as_of), types=money))
    return {pid: (plans.get(pid), done.get(pid)) for pid in plans.keys() | done.keys()}


def completion_by_project(session: Session, as_of: date, ids: Iterable[int] | None = None) -> dict[int, tuple[Decimal, Decimal]]:
    """Per project id with an annual plan (above 0) for the as-of year: (rate, behind) of
    `rules.dates.completion_gap`, every project's at once (given `ids`, those projects')."""
    ip = InvestmentPlan.__table__
    plans = dict(query_rows(session.connection(), select(ip.c.project_id, ip.c.amount).where(ip.c.year == as_of.year, ip.c.amount > 0)))
    done = dict(query_rows(session.connection(), _ytd_subquery(as_of)))
    if ids is not None:  # read every project's figures (one scan), judge only the ones asked for
        wanted = set(ids).intersection(plans)
        plans = dict(zip(wanted, map(plans.__getitem__, wanted)))
    return dict(zip(plans, completion_rates(_cents(plans.values()), _cents(map(done.get, plans, repeat(0))), as_of)))


def _cents(values: Iterable[Any]) -> list[int]:
    """A driver's money values (SQLite: float or int; PostgreSQL: Decimal; None: 0) → whole cents (分).

    Amounts are stored with two places, so a float sum is within a hair of a whole cent and rounds to it.
    """
    values = list(values)
    if set(map(type, values)) <= {float, int}:
        return list(map(round, map(operator.mul, values, repeat(100))))
    return [0 if v is None else round(v * 100) for v in values]


def investment_rows(
    session: Session, as_of: date, filters: ProjectFilter = NO_FILTER, *, every_project: bool = False
) -> list[dict[str, Any]]:
    """Per project, for listings: the project's columns and `gap_of` its plan and year-to-date completion.

    Projects with neither a plan nor a report for the year are left out unless `every_project`.
    """
    p, u = projects_on(session, as_of), Unit.__table__
    ip = InvestmentPlan.__table__
    ytd = _ytd_subquery(as_of).subquery()
    query = (
        select(*_project_columns(p, unit_name_on(session, as_of, u)), ip.c.amount.label("plan"), ytd.c.completed)
        .select_from(
            p.outerjoin(ip, and_(ip.c.project_id == p.c.id, ip.c.year == as_of.year))
            .outerjoin(ytd, ytd.c.project_id == p.c.id)
            .outerjoin(u, u.c.id == p.c.unit_id)
        )
        .order_by(p.c.code)
    )
    if not every_project:
        query = query.where(or_(ip.c.amount.is_not(None), ytd.c.completed.is_not(None)))
    for clause in filters.clauses(projects=p):
        query = query.where(clause)
    return [{**row, **gap_of(row["plan"], row["completed"], as_of)}
            for row in _dicts(session, query)]


# ---------------------------------------------------------------- issues


# The issue fields that move with its history; every other field (title, category …) is set when it is reported.
MOVING = ("state", "level", "urgency", "lead_unit_id", "assigned_on", "deadline", "resolved_on", "closed_on", "misses",
          "lookback_on", "lookback_done_on")


DATED = ("assigned_on", "deadline", "resolved_on", "closed_on", "lookback_on", "lookback_done_on")


def changed_after(as_of: date):
    """SQL: ids of the problems with an event dated after `as_of` (reported after it, or moved since).

    Every other problem stands today as it stood on `as_of`, so its row is read as it is;
    only these are replayed from their history (`replay_issues`).
    """
    e = IssueEvent.__table__.c
    return select(e.issue_id).where(e.on > as_of).distinct()


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


TRANSFER = IssueEventType.TRANSFER.value  # its units merged into another (`unit merge`), data {"from", "to"}


def replay(events: Iterable[tuple[str, date, str | None, dict[str, Any] | None]], unit_ids: dict[str, int],
           urgency: str) -> dict[str, Any] | None:
    """An issue's `MOVING` fields after `events` (type, on, to_state, data; in the order they were written),
    None when there is none (not reported yet). `unit_ids` maps unit names (the assign events name units) to ids;
    `urgency` is the issue's urgency when its report event does not say."""
    st: dict[str, Any] | None = None
    for kind, on, to_state, data in events:
        data = data or {}
        if st is None:
            st = dict.fromkeys(MOVING)
            st.update(state="reported", level=Level.GENERAL.value, urgency=data.get("urgency", urgency), misses=0)
        if to_state:
            st["state"] = to_state
        if kind == "assign":
            st.update(lead_unit_id=unit_ids.get(data.get("unit")), urgency=data.get("urgency", st["urgency"]),
                      helpers=list(data.get("helpers", [])), assigned_on=on, deadline=_day(data.get("deadline")))
        elif kind == TRANSFER:  # `unit merge A B`: what A led or helped with, B does from then on
            gone, to = data.get("from"), data.get("to")
            if st["lead_unit_id"] is not None and st["lead_unit_id"] == unit_ids.get(gone):
                st["lead_unit_id"] = unit_ids.get(to)
            if gone in st.get("helpers", []) or to in st.get("helpers", []):
                lead = st["lead_unit_id"]
                st["helpers"] = [h for h in dict.fromkeys(to if h == gone else h for h in st["helpers"])
                                 if lead is None or unit_ids.get(h) != lead]
        elif kind == "send-back" or (kind == "reopen" and data.get("deadline")):
            st.update(resolved_on=None, assigned_on=on, deadline=_day(data.get("deadline")))
            if kind == "reopen":
                st.update(closed_on=None, lookback_on=None, lookback_done_on=None)
        elif kind == "relimit":
            st["deadline"] = _day(data.get("deadline"))
        elif kind == "resolve":
            st["resolved_on"] = on
        elif kind == "close":
            st.update(closed_on=on, lookback_done_on=None, lookback_on=_day(data.get("lookback_on")))
        elif kind == "lookback":
            st["lookback_done_on"] = on
        elif kind == "escalate":
            st["level"] = data.get("to", st["level"])
        elif kind == "miss":
            st["misses"] = int(data.get("misses", st["misses"] + 1))
        elif kind == "revert":  # a step undone: what it set back (`services.issues.revert_step`)
            for key, value in data.get("fields", {}).items():
                if key == "lead_unit":
                    st["lead_unit_id"] = unit_ids.get(value) if value else None
                elif key == "helpers":
                    st["helpers"] = list(value or [])
                elif key in MOVING:
                    st[key] = _day(value) if key in DATED else value
    return st


def replay_issues(session: Session, as_of: date) -> dict[int, dict[str, Any]]:
    """Per problem changed after `as_of` (`changed_after`) and reported by then: its `MOVING` fields and
    `helpers` (names) as they stood on `as_of`, replayed from its events dated on or before it."""
    e, i = IssueEvent.__table__.c, Issue.__table__.c
    later = changed_after(as_of)
    conn = session.connection()
    urgency = dict(conn.execute(select(i.id, i.urgency).where(i.id.in_(later))).all())
    if not urgency:
        return {}
    unit_ids = unit_ids_by_name(session)
    events: dict[int, list[tuple[str, date, str | None, Any]]] = defaultdict(list)
    for iid, kind, on, to_state, data in conn.execute(
        select(e.issue_id, e.type, e.on, e.to_state, e.data).where(e.issue_id.in_(later), e.on <= as_of)
        .order_by(e.issue_id, e.id)
    ):
        events[iid].append((kind, on, to_state, data))
    out = {}
    for iid, evs in events.items():
        st = replay(evs, unit_ids, urgency[iid])
        if st is not None:
            st.setdefault("helpers", [])
            out[iid] = st
    return out


def issue_states(session: Session, as_of: date) -> dict[int, dict[str, Any]]:
    """Every problem reported by `as_of`: id → project_id, number and its `MOVING` fields as on `as_of`
    (helpers not included; `replay_issues` has them for the problems that changed since)."""
    i = Issue.__table__.c
    cols = (i.id, i.project_id, i.number, *(getattr(i, f) for f in MOVING))
    rows = {r["id"]: r for r in _dicts(session, select(*cols).where(i.id.not_in(changed_after(as_of))))}
    replayed = replay_issues(session, as_of)
    if replayed:
        for r in _dicts(session, select(i.id, i.project_id, i.number).where(i.id.in_(list(replayed)))):
            st = replayed[r["id"]]
            rows[r["id"]] = {**r, **{f: st[f] for f in MOVING}}
    return rows


def issue_order(row: dict[str, Any]) -> tuple[int, ...]:
    """A problem's number (2025-012) as (year, sequence), for sorting."""
    try:
        return tuple(int(part) for part in row["number"].split("-"))
    except (ValueError, AttributeError):
        return (0,)


def _issue_query(session: Session, as_of: date, filters: ProjectFilter, unit_filter: bool = True,
                 p=Project.__table__):
    """Issues joined to their project (`p`: the projects, e.g. `projects_on` a date); the responsible
    unit is the lead unit (牵头单位), else the project's, named as on `as_of` (filtered by its name now)."""
    i = Issue.__table__
    lead = Unit.__table__.alias("lead_unit")
    own = Unit.__table__.alias("project_unit")
    unit_name = func.coalesce(lead.c.name, own.c.name)
    shown = func.coalesce(unit_name_on(session, as_of, lead), unit_name_on(session, as_of, own))
    query = select(
        *_project_columns(p, shown), i.c.id.label("issue_id"), i.c.number, i.c.title, i.c.category, i.c.level,
        i.c.urgency, i.c.state, i.c.deadline, i.c.closed_on, i.c.lookback_on,
    ).select_from(
        i.join(p, p.c.id == i.c.project_id)
        .outerjoin(lead, lead.c.id == i.c.lead_unit_id)
        .outerjoin(own, own.c.id == p.c.unit_id)
    )
    for clause in replace(filters, unit=None).clauses(projects=p):
        query = query.where(clause)
    if filters.unit and unit_filter:
        query = query.where(unit_name == clean_text(filters.unit))
    return query, i


def _issues_at(session: Session, as_of: date, filters: ProjectFilter, where, keep, order) -> list[dict[str, Any]]:
    """Rows of `_issue_query` as on `as_of`: problems unchanged since are read in SQL (`where`), the ones
    changed since are replayed (`replay_issues`) and kept by `keep(row, state)`; sorted by `order`, then number."""
    projects = projects_on(session, as_of)
    query, i = _issue_query(session, as_of, filters, p=projects)
    rows = _dicts(session, query.where(where, i.c.id.not_in(changed_after(as_of))))
    replayed = replay_issues(session, as_of)
    if replayed:
        rows.extend(_replayed_rows(session, as_of, filters, replayed, keep, projects))
    rows.sort(key=lambda r: (order(r), issue_order(r)))
    return rows


def _replayed_rows(session: Session, as_of: date, filters: ProjectFilter, replayed: dict[int, dict[str, Any]], keep,
                   projects):
    query, i = _issue_query(session, as_of, filters, unit_filter=False, p=projects)
    p = projects.c
    units = dict(query_rows(session.connection(), select(Unit.__table__.c.id, Unit.__table__.c.name)))
    named = unit_names_on(session, as_of)
    own = dict(query_rows(session.connection(), select(p.id, p.unit_id).where(
        p.id.in_(select(Issue.__table__.c.project_id).where(Issue.__table__.c.id.in_(list(replayed)))))))
    wanted = clean_text(filters.unit) if filters.unit else None
    rows = []
    for row in _dicts(session, query.where(i.c.id.in_(list(replayed)))):
        st = replayed[row["issue_id"]]
        row.update({k: st[k] for k in ("level", "urgency", "state", "deadline", "closed_on", "lookback_on")})
        uid = st["lead_unit_id"] if st["lead_unit_id"] in units else own.get(row["project_id"])
        row["unit"] = named.get(uid)
        if (wanted is None or units.get(uid) == wanted) and keep(row, st):
            rows.append(row)
    return rows


def deadline_runs(as_of: date):
    """SQL: the problem's deadline (办理期限) runs at `as_of`: assigned (by then) or answered, not yet resolved."""
    i = Issue.__table__.c
    return and_(i.state.in_(DEADLINE_STATES), i.deadline.is_not(None), or_(i.assigned_on.is_(None), i.assigned_on <= as_of))


def runs_at(st: dict[str, Any], as_of: date) -> bool:
    """`deadline_runs` for a problem's fields as on `as_of` (a row of `issue_states`)."""
    return (st["state"] in DEADLINE_STATES and st["deadline"] is not None
            and (st["assigned_on"] is None or st["assigned_on"] <= as_of))


def open_issue_deadlines(
    session: Session, as_of: date, *, upto: date | None = None, filters: ProjectFilter = NO_FILTER
) -> list[dict[str, Any]]:
    """Problems whose deadline runs at `as_of` (`deadline_runs`), deadline ≤ `upto` if given; by deadline."""
    i = Issue.__table__.c
    where = deadline_runs(as_of) if upto is None else and_(deadline_runs(as_of), i.deadline <= upto)
    rows = _issues_at(
        session, as_of, filters, where,
        lambda row, st: runs_at(st, as_of) and (upto is None or st["deadline"] <= upto),
        lambda row: row["deadline"],
    )
    return rows


def overdue_issues(
    session: Session, as_of: date, filters: ProjectFilter = NO_FILTER, *, calendar: WorkCalendar | None = None
) -> list[dict[str, Any]]:
    """Problems past their deadline at `as_of`, by deadline, each with `days_late` (calendar days) and,
    given a `calendar` (`config.calendar.load_calendar`), `workdays_late`: working days after the deadline up
    to and including `as_of` (0 on the weekend right after a Friday deadline)."""
    rows = _with_days_late(open_issue_deadlines(session, as_of, upto=as_of - timedelta(days=1), filters=filters),
                           "deadline", as_of)
    if calendar is not None:
        for row in rows:
            row["workdays_late"] = workdays_between(row["deadline"], as_of, calendar)
    return rows


def open_lookbacks(
    session: Session, as_of: date, *, upto: date | None = None, filters: ProjectFilter = NO_FILTER
) -> list[dict[str, Any]]:
    """Closed problems whose look-back (回头看) is scheduled and not done at `as_of`, date ≤ `upto` if given;
    by look-back date."""
    i = Issue.__table__.c
    where = and_(
        i.state == "closed",
        i.lookback_on.is_not(None),
        or_(i.lookback_done_on.is_(None), i.lookback_done_on > as_of),
        or_(i.closed_on.is_(None), i.closed_on <= as_of),
        *([i.lookback_on <= upto] if upto is not None else []),
    )

    def keep(row: dict[str, Any], st: dict[str, Any]) -> bool:
        return (st["state"] == "closed" and st["lookback_on"] is not None
                and (st["lookback_done_on"] is None or st["lookback_done_on"] > as_of)
                and (upto is None or st["lookback_on"] <= upto))

    return _issues_at(session, as_of, filters, where, keep, lambda row: row["lookback_on"])


# ---------------------------------------------------------------- cards


@without_gc
def card_facts(session: Session, as_of: date, filters: ProjectFilter = NO_FILTER) -> dict[int, Facts]:
    """Per project id, what the card rules (`rules.cards.rate`) judge: investment gap, start and
    milestone days overdue, problems past their deadline with their level. Every project that
    matches the filters gets an entry (a project with no facts on file rates blue)."""
    p, u = projects_on(session, as_of), Unit.__table__
    query = select(p.c.id).select_from(p.outerjoin(u, u.c.id == p.c.unit_id))
    for clause in filters.clauses(projects=p):
        query = query.where(clause)
    facts = {pid: Facts() for (pid,) in session.connection().execute(query)}
    expected = expected_percent(as_of)
    for pid, (rate, behind) in completion_by_project(session, as_of).items():
        if pid in facts:
            facts[pid].gap = {"rate": rate, "expected": expected, "behind": behind}
    for pid, kind, late in overdue_milestones(session, as_of, filters):
        f = facts.get(pid)
        if f is None:
            continue
        if kind == mrules.START:
            f.start_overdue_days = late
        else:
            f.milestones_overdue.append((kind, late))
    for row in overdue_issues(session, as_of, replace(filters, unit=None)):
        f = facts.get(row["project_id"])
        if f is not None:
            f.issues_overdue.append((row["number"], row["level"], row["days_late"]))
    for f in facts.values():
        if len(f.milestones_overdue) > 1:
            f.milestones_overdue.sort(key=lambda m: (-m[1], m[0]))
        if len(f.issues_overdue) > 1:
            f.issues_overdue.sort(key=lambda i: (-i[2], i[0]))
    return facts
