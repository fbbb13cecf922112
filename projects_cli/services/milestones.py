"""Milestones (节点): plan, re-plan with a reason, mark done, list with history.

Each milestone keeps its baseline (the first plan, never changed), its current
plan and its actual date; every plan it has had is a `MilestonePlan` row with
the date it was set and its reason. `set_planned` and `set_actual` are the
building blocks the ledger importer calls for 计划开工/实际开工/计划竣工/实际竣工:
setting the value a milestone already has changes and logs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.errors import ConfigError, InvalidValue, NotFound
from projects_cli.rules import milestones as rules
from projects_cli.rules.dates import days_late, days_left
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import MILESTONE_KINDS, Milestone, MilestonePlan, Project
from projects_cli.values import clean_text

TABLE = "milestone"


def configured_kinds(config: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The milestone kinds in chain order: the config file's `[milestones] kinds`, else the default chain."""
    section = (config or {}).get("milestones")
    if section is None:
        return MILESTONE_KINDS
    if not isinstance(section, dict):
        raise ConfigError("config file: [milestones] must be a table, e.g. [milestones] kinds = [\"立项\", \"开工\"]")
    unknown = sorted(set(section) - {"kinds"})
    if unknown:
        raise ConfigError(f"config file: unknown key {unknown[0]!r} in [milestones]; the known key is kinds")
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
        raise InvalidValue(f"unknown milestone kind {name!r}; known kinds (节点): {'、'.join(kinds)}")
    return name


def _key(project: Project, kind: str) -> str:
    return f"{project.code}:{kind}"


def _find(session: Session, project: Project, kind: str) -> Milestone | None:
    return session.scalars(
        select(Milestone).where(Milestone.project_id == project.id, Milestone.kind == kind)
    ).first()


def _plans(session: Session, milestone_id: int) -> list[MilestonePlan]:
    return list(
        session.scalars(
            select(MilestonePlan)
            .where(MilestonePlan.milestone_id == milestone_id)
            .order_by(MilestonePlan.on, MilestonePlan.id)
        )
    )


def _touch(project: Project, ctx: Ctx) -> None:
    # A milestone date is part of the project's ledger row: dispatched ledgers detect the edit by the version.
    project.version += 1
    project.updated_at = ctx.now


def _add_plan(session: Session, ctx: Ctx, project: Project, milestone: Milestone, planned: date, reason: str | None) -> None:
    plan = MilestonePlan(
        milestone_id=milestone.id, planned_date=planned, on=ctx.as_of, reason=reason, by=ctx.by, at=ctx.now
    )
    session.add(plan)
    session.flush()
    changelog.log_insert(
        session,
        ctx,
        "milestone_plan",
        plan.id,
        {"kind": milestone.kind, "planned_date": planned, "on": ctx.as_of, "reason": reason},
        key=_key(project, milestone.kind),
        project_code=project.code,
    )


def _create(
    session: Session, ctx: Ctx, project: Project, kind: str, kinds: Sequence[str], planned: date | None,
    actual: date | None, reason: str | None,
) -> Milestone:
    milestone = Milestone(
        project_id=project.id,
        kind=kind,
        seq=list(kinds).index(kind),
        baseline_date=planned,
        planned_date=planned,
        actual_date=actual,
    )
    session.add(milestone)
    session.flush()
    values = {k: v for k, v in {"kind": kind, "baseline_date": planned, "planned_date": planned,
                                "actual_date": actual}.items() if v is not None}
    changelog.log_insert(session, ctx, TABLE, milestone.id, values, key=_key(project, kind), project_code=project.code)
    if planned is not None:
        _add_plan(session, ctx, project, milestone, planned, reason)
    _touch(project, ctx)
    return milestone


def _check_actual(actual: date, ctx: Ctx, project: Project, kind: str) -> None:
    if actual > ctx.as_of:
        raise InvalidValue(
            f"{project.code} {kind}: the actual date (实际完成日期) {actual.isoformat()} is after the as-of date "
            f"{ctx.as_of.isoformat()}; a milestone cannot be done in the future"
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
    `reason` (the ledger importer passes e.g. "台账导入 某单位.xlsx"), is kept in
    the plan history and holds from the as-of date on. The same date again
    changes and logs nothing.
    """
    kind = check_kind(kind, kinds)
    if planned is None:
        raise InvalidValue(f"{project.code} {kind}: a planned date (计划日期) is needed")
    reason = clean_text(reason) or None
    milestone = _find(session, project, kind)
    if milestone is None:
        _create(session, ctx, project, kind, kinds, planned, None, reason)
        return True
    if milestone.planned_date == planned:
        return False
    old = {"baseline_date": milestone.baseline_date, "planned_date": milestone.planned_date}
    if milestone.planned_date is not None:
        if reason is None:
            raise InvalidValue(
                f"{project.code} {kind} is planned for {milestone.planned_date.isoformat()}; re-planning it to "
                f"{planned.isoformat()} needs a reason (--reason, 调整原因)"
            )
        history = _plans(session, milestone.id)
        if history and history[-1].on > ctx.as_of:
            raise InvalidValue(
                f"{project.code} {kind} was last re-planned on {history[-1].on.isoformat()}; a re-plan cannot be "
                f"dated before that (check --as-of)"
            )
    if milestone.baseline_date is None:
        milestone.baseline_date = planned
    milestone.planned_date = planned
    session.flush()
    new = {"baseline_date": milestone.baseline_date, "planned_date": planned}
    before, after = changelog.diff(old, new)
    if reason is not None:
        after["reason"] = reason
    changelog.log_many(
        session,
        [changelog.make_entry(ctx, "update", TABLE, record_id=milestone.id, key=_key(project, kind),
                          project_code=project.code, old=before, new=after)],
    )
    _add_plan(session, ctx, project, milestone, planned, reason)
    _touch(project, ctx)
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
    if milestone is None:
        if actual is None:
            return False
        _create(session, ctx, project, kind, kinds, None, actual, None)
        return True
    if milestone.actual_date == actual:
        return False
    old = milestone.actual_date
    milestone.actual_date = actual
    session.flush()
    changelog.log_update(
        session, ctx, TABLE, milestone.id, {"actual_date": old}, {"actual_date": actual},
        key=_key(project, kind), project_code=project.code,
    )
    _touch(project, ctx)
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
            f"{project.code} already has {kind}, planned for {existing.planned_date.isoformat()}; "
            f"to change the date: projects milestone replan {project.code} {kind} --planned DATE --reason TEXT"
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
        raise InvalidValue(f"re-planning {project.code} {kind} needs a reason (--reason, 调整原因)")
    milestone = _find(session, project, kind)
    if milestone is None or milestone.planned_date is None:
        raise NotFound(
            f"{project.code} has no plan for {kind} yet; plan it first: "
            f"projects milestone add {project.code} {kind} --planned DATE"
        )
    previous = milestone.planned_date
    set_planned(session, ctx, project, kind, planned, reason, kinds=kinds)
    return milestone, previous


def list_milestones(session: Session, code: str, as_of: date, horizon: int) -> list[dict[str, Any]]:
    """A project's milestones in chain order, each with its state at `as_of` and every plan it has had."""
    project = registry.get_project(session, code)
    milestones = list(
        session.scalars(select(Milestone).where(Milestone.project_id == project.id).order_by(Milestone.seq, Milestone.kind))
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
