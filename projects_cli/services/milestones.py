"""Milestones (节点): plan, re-plan with a reason, mark done, list with history.

Each milestone keeps its baseline (the first plan, never changed), its current
plan and its actual date; every plan it has had is a `MilestonePlan` row with
the date it was set and its reason. What setting dates changes is one rule
(`rules.milestones.change_dates`); `write_dates` writes what it decided, for
one milestone (`set_planned`, `set_actual`: the commands) or for many at once
(the ledger import), with the same change-log entries: the milestone's
insert or update, then the plan history row's insert. Setting the value a
milestone already has changes and logs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, NamedTuple, Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from projects_cli.errors import ConfigError, InvalidValue, NotFound
from projects_cli.i18n import _
from projects_cli.rules import milestones as rules
from projects_cli.rules.dates import days_late, days_left
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.db import insert_columns, reserve_ids, update_rows
from projects_cli.store.models import MILESTONE_KINDS, Milestone, MilestonePlan, MilestoneRevision, Project
from projects_cli.values import clean_text

CHUNK = 2000  # milestone ids per IN (…) lookup
TABLE = "milestone"
PLAN_TABLE = "milestone_plan"


def configured_kinds(config: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The milestone kinds in chain order: the config file's `[milestones] kinds`, else the default chain."""
    section = (config or {}).get("milestones")
    if section is None:
        return MILESTONE_KINDS
    if not isinstance(section, dict):
        raise ConfigError(_("配置文件：[milestones] 应为一个表，例如 [milestones] kinds = [\"立项\", \"开工\"]"))
    unknown = sorted(set(section) - {"kinds"})
    if unknown:
        raise ConfigError(_("配置文件：[milestones] 中有未知的键 {key!r}；可用的键只有 kinds").format(key=unknown[0]))
    if "kinds" not in section:
        return MILESTONE_KINDS
    try:
        return rules.check_kinds(section["kinds"])
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def check_kind(kind: str, kinds: Sequence[str] = MILESTONE_KINDS) -> str:
    """The kind as stored; an unknown kind is an error listing the known ones."""
    name = clean_text(kind)
    if name not in kinds:
        raise InvalidValue(_("未知的节点 {name!r}；现有节点：{kinds}").format(name=name, kinds="、".join(kinds)))
    return name


def _find(session: Session, project: Project, kind: str) -> Milestone | None:
    # populate_existing: the rows are written set-based (`write_dates`), past the session's objects
    return session.scalars(
        select(Milestone).where(Milestone.project_id == project.id, Milestone.kind == kind)
        .execution_options(populate_existing=True)
    ).first()


def _touch(project: Project, ctx: Ctx) -> None:
    # A milestone date is part of the project's ledger row: dispatched ledgers detect the edit by the version.
    project.version += 1
    project.updated_at = ctx.now


def _held(milestone: Milestone | None) -> rules.Held | None:
    if milestone is None:
        return None
    return rules.Held(milestone.id, milestone.baseline_date, milestone.planned_date, milestone.actual_date)


# ---------------------------------------------------------------- the write, for one milestone or many


class DatesWrite(NamedTuple):
    """One milestone's dates to write: what `rules.milestones.change_dates` decided for it."""

    project_id: int
    code: str  # the project's
    kind: str
    milestone_id: int | None  # None: a new milestone
    change: rules.DateChange


def last_planned(session: Session, milestone_ids: Sequence[int]) -> dict[int, date]:
    """Milestone id → the as-of date its latest plan was set on (see `rules.milestones.replanned_too_early`)."""
    mp = MilestonePlan.__table__.c
    out: dict[int, date] = {}
    ids = list(milestone_ids)
    for start in range(0, len(ids), CHUNK):
        query = (select(mp.milestone_id, func.max(mp.on)).where(mp.milestone_id.in_(ids[start:start + CHUNK]))
                 .group_by(mp.milestone_id))
        out.update((mid, on) for mid, on in session.connection().execute(query))
    return out


def write_dates(session: Session, ctx: Ctx, items: Sequence[DatesWrite], *, kinds: Sequence[str] = MILESTONE_KINDS,
                log: bool = True) -> None:
    """Write what `change_dates` decided for each item, set-based: new milestones (their ids reserved), changed
    dates, a plan history row per plan set (as of `ctx.as_of`) and, when `log`, each item's change-log
    entries. The projects' versions are the caller's to bump."""
    if not items:
        return
    session.flush()
    conn = session.connection()
    m_t, mp_t = Milestone.__table__, MilestonePlan.__table__
    created = [i for i, item in enumerate(items) if item.milestone_id is None]
    ids = [item.milestone_id for item in items]
    for i, new_id in zip(created, reserve_ids(conn, m_t, len(created))):
        ids[i] = new_id
    made = [items[i] for i in created]
    kind = [item.kind for item in made]
    seq = {k: list(kinds).index(k) for k in set(kind)}
    dated = [item.change.new for item in made]
    insert_columns(conn, m_t, {
        "id": [ids[i] for i in created],
        "project_id": [item.project_id for item in made],
        "kind": kind,
        "seq": list(map(seq.__getitem__, kind)),
        **{d: [new.get(d) for new in dated] for d in ("baseline_date", "planned_date", "actual_date")},
        "actual_recorded_on": [ctx.as_of if new.get("actual_date") else None for new in dated],
    })
    _keep_replaced_actuals(conn, ctx, [item for item in items
                                       if item.milestone_id is not None and "actual_date" in item.change.new])
    update_rows(conn, m_t, [
        {"_id": item.milestone_id, **item.change.new,
         **({"actual_recorded_on": ctx.as_of} if "actual_date" in item.change.new else {})}
        for item in items if item.milestone_id is not None
    ])
    planned = [i for i, item in enumerate(items) if item.change.plan is not None]
    n = len(planned)
    plan_ids = reserve_ids(conn, mp_t, n) if log else []  # the entries name them; unlogged rows take the next ids
    changes = [items[i].change for i in planned]
    insert_columns(conn, mp_t, {
        **({"id": plan_ids} if log else {}),
        "milestone_id": [ids[i] for i in planned],
        "planned_date": [change.plan for change in changes],
        "on": (ctx.as_of,) * n, "reason": [change.reason for change in changes],
        "by": (ctx.by,) * n, "at": (ctx.now,) * n,
    })
    if not log:
        return
    plan_id = dict(zip(planned, plan_ids))
    entries = []
    make = changelog.make_entry
    for i, item in enumerate(items):
        key, change = f"{item.code}:{item.kind}", item.change
        old, new = change.logged(item.kind)
        entries.append(make(ctx, "insert" if change.created else "update", TABLE, record_id=ids[i], key=key,
                            project_code=item.code, old=old, new=new))
        if change.plan is not None:
            entries.append(make(ctx, "insert", PLAN_TABLE, record_id=plan_id[i], key=key, project_code=item.code,
                                new=change.plan_logged(item.kind, ctx.as_of)))
    changelog.log_many(session, entries)


def _keep_replaced_actuals(conn, ctx: Ctx, items: Sequence[DatesWrite]) -> None:
    """Before actual dates are replaced (or cleared) on `ctx.as_of`: keep each replaced one
    (`MilestoneRevision`) with the dates it was on record, so reports for earlier dates read it."""
    m = Milestone.__table__
    ids = [item.milestone_id for item in items if item.change.old.get("actual_date") is not None]
    if not ids:
        return
    recorded = dict(conn.execute(select(m.c.id, m.c.actual_recorded_on).where(m.c.id.in_(ids))).all())
    conn.execute(MilestoneRevision.__table__.insert(), [
        {"milestone_id": item.milestone_id, "actual_date": item.change.old["actual_date"],
         "recorded_on": recorded.get(item.milestone_id), "replaced_on": ctx.as_of}
        for item in items if item.milestone_id in recorded
    ])


def _write_one(session: Session, ctx: Ctx, project: Project, kind: str, milestone: Milestone | None,
               change: rules.DateChange, kinds: Sequence[str]) -> None:
    write_dates(session, ctx, [DatesWrite(project.id, project.code, kind, milestone.id if milestone else None, change)],
                kinds=kinds)
    _find(session, project, kind)  # the session's object (if any) reads what was written
    _touch(project, ctx)


def _check_actual(actual: date, ctx: Ctx, project: Project, kind: str) -> None:
    if actual > ctx.as_of:
        raise InvalidValue(
            _("{code} {kind}：实际完成日期 {actual} 晚于统计截止日期 {day}；节点不能在将来完成").format(
                code=project.code, kind=kind, actual=actual.isoformat(), day=ctx.as_of.isoformat())
        )


# ---------------------------------------------------------------- building blocks


def set_planned(
    session: Session,
    ctx: Ctx,
    project: Project,
    kind: str,
    planned: date,
    reason: str | None = None,
    *,
    kinds: Sequence[str] = MILESTONE_KINDS,
) -> bool:
    """Plan a milestone (计划日期); returns True when something changed.

    A new milestone (or one that had no plan yet) takes `planned` as its
    baseline. A different date on a planned milestone is a re-plan: it needs a
    `reason` (the ledger importer gives "台账导入 某单位.xlsx"), is kept in
    the plan history and holds from the as-of date on. The same date again
    changes and logs nothing.
    """
    kind = check_kind(kind, kinds)
    if planned is None:
        raise InvalidValue(_("{code} {kind}：需要计划日期").format(code=project.code, kind=kind))
    reason = clean_text(reason) or None
    milestone = _find(session, project, kind)
    held = _held(milestone)
    if rules.is_replan(held, planned):
        if reason is None:
            raise InvalidValue(
                _("{code} {kind} 计划于 {held}；调整到 {planned} 需要写明调整原因（--reason）").format(
                    code=project.code, kind=kind, held=held.planned.isoformat(), planned=planned.isoformat())
            )
        last_on = last_planned(session, [held.id]).get(held.id)
        if rules.replanned_too_early(last_on, ctx.as_of):
            raise InvalidValue(
                _("{code} {kind} 最近一次调整计划在 {last}；新的调整不能早于这一天（请检查 --as-of）").format(
                    code=project.code, kind=kind, last=last_on.isoformat())
            )
    change = rules.change_dates(held, planned=planned, reason=reason)
    if change is None:
        return False
    _write_one(session, ctx, project, kind, milestone, change, kinds)
    return True


def set_actual(
    session: Session,
    ctx: Ctx,
    project: Project,
    kind: str,
    actual: date | None,
    *,
    kinds: Sequence[str] = MILESTONE_KINDS,
) -> bool:
    """Record when a milestone was done (实际日期); returns True when something changed.

    A milestone not on file yet is created without a plan (a step done before
    anyone planned it). A date after the as-of date is refused. `None` clears a
    wrongly recorded completion. The same value again changes and logs nothing.
    """
    kind = check_kind(kind, kinds)
    if actual is not None:
        _check_actual(actual, ctx, project, kind)
    milestone = _find(session, project, kind)
    change = rules.change_dates(_held(milestone), actual=actual)
    if change is None:
        return False
    _write_one(session, ctx, project, kind, milestone, change, kinds)
    return True


# ---------------------------------------------------------------- commands


def add_milestone(
    session: Session, ctx: Ctx, code: str, kind: str, planned: date, *, kinds: Sequence[str] = MILESTONE_KINDS
) -> Milestone:
    """`milestone add`: a new planned milestone; its plan is the baseline."""
    project = registry.get_project(session, code)
    kind = check_kind(kind, kinds)
    existing = _find(session, project, kind)
    if existing is not None and existing.planned_date is not None:
        raise InvalidValue(
            _("{code} 已有节点 {kind}，计划于 {planned}；要改日期请用：projects milestone replan {code} {kind} "
              "--planned 日期 --reason 原因").format(code=project.code, kind=kind, planned=existing.planned_date.isoformat())
        )
    set_planned(session, ctx, project, kind, planned, kinds=kinds)
    return _find(session, project, kind)


def done_milestone(
    session: Session, ctx: Ctx, code: str, kind: str, on: date, *, kinds: Sequence[str] = MILESTONE_KINDS
) -> tuple[Milestone, date | None]:
    """`milestone done`: the milestone was done on `on`. Returns it and the actual date it had before."""
    project = registry.get_project(session, code)
    kind = check_kind(kind, kinds)
    before = _find(session, project, kind)
    previous = before.actual_date if before is not None else None
    set_actual(session, ctx, project, kind, on, kinds=kinds)
    return _find(session, project, kind), previous


def replan_milestone(
    session: Session, ctx: Ctx, code: str, kind: str, planned: date, reason: str,
    *, kinds: Sequence[str] = MILESTONE_KINDS,
) -> tuple[Milestone, date | None]:
    """`milestone replan`: a new planned date with its reason. Returns the milestone and its previous plan."""
    project = registry.get_project(session, code)
    kind = check_kind(kind, kinds)
    if not clean_text(reason):
        raise InvalidValue(_("调整 {code} {kind} 的计划需要写明调整原因（--reason）").format(code=project.code, kind=kind))
    milestone = _find(session, project, kind)
    if milestone is None or milestone.planned_date is None:
        raise NotFound(
            _("{code} 还没有节点 {kind} 的计划；请先添加：projects milestone add {code} {kind} --planned 日期").format(
                code=project.code, kind=kind)
        )
    previous = milestone.planned_date
    set_planned(session, ctx, project, kind, planned, reason, kinds=kinds)
    return milestone, previous


def list_milestones(session: Session, code: str, as_of: date, horizon: int) -> list[dict[str, Any]]:
    """A project's milestones in chain order, each with its state at `as_of` and every plan it has had."""
    project = registry.get_project(session, code)
    milestones = list(
        session.scalars(select(Milestone).where(Milestone.project_id == project.id).order_by(Milestone.seq, Milestone.kind)
                        .execution_options(populate_existing=True))
    )
    history: dict[int, list[MilestonePlan]] = {m.id: [] for m in milestones}
    if milestones:
        for plan in session.scalars(
            select(MilestonePlan)
            .where(MilestonePlan.milestone_id.in_(list(history)))
            .order_by(MilestonePlan.on, MilestonePlan.id)
        ):
            history[plan.milestone_id].append(plan)
    rows = []
    for m in milestones:
        # Re-plans set after as-of had not happened yet then; the baseline holds always.
        plans = history[m.id][:1] + [p for p in history[m.id][1:] if p.on <= as_of]
        planned = rules.plan_in_force([(p.on, p.planned_date) for p in plans], as_of) if plans else m.planned_date
        st = rules.state(planned, m.actual_date, as_of, horizon)
        done = rules.is_done(m.actual_date, as_of)
        rows.append(
            {
                "code": project.code,
                "kind": m.kind,
                "baseline_date": m.baseline_date,
                "planned_date": planned,
                "actual_date": m.actual_date if done else None,
                "state": st,
                "state_label": rules.STATE_LABELS[st],
                "days_late": days_late(planned, m.actual_date, as_of) or None,
                "days_left": days_left(planned, as_of) if planned is not None and not done else None,
                "finish_delay": rules.finish_delay(planned, m.actual_date) if done else None,
                "replans": max(0, len(plans) - 1),
                "plans": [
                    {"planned_date": p.planned_date, "on": p.on, "reason": p.reason, "by": p.by} for p in plans
                ],
            }
        )
    return rows
