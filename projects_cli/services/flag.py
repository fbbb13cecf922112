"""The rotating red flag (流动红旗): score each responsible unit for a period, rank, award, keep the trend.

Who is ranked: the units answerable (责任单位) for at least one active project
(`cards.active_statuses`); a unit that only leads or helps on a problem is not.
Each unit's four shares, judged year to date at the rating date, from what was on
record then:

* investment: completed investment of its projects ÷ what 序时进度 expects of their annual plans;
* milestones: its projects' milestones planned (the plan in force at the rating date) from 1 January
  to the rating date, done by then and by that planned date;
* issues: problems it leads (and, with the rules' `flag.score_helpers`, helps on) with a deadline in
  that span, resolved by the deadline (their state, deadline and lead unit as on the rating date);
* ledger: dispatched workbooks (派工单) due in the period returned by the due date (and by the rating date);
* attendance (scored only when the rules weigh it): meetings held in the period up to the rating date that
  the unit was asked to, its attendance recorded, attended (出席 or 委派代表). A meeting's decisions are
  problems (`services.meetings`): they count in the issues share.

A share with nothing to judge counts as met, but a unit with nothing at all to
judge is not ranked: it gets neither the flag nor a talk (`rules.scoring.score_units`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select
from sqlmodel import Session

from projects_cli.config.rulebook import Rules
from projects_cli.facts import asof
from projects_cli.i18n import _
from projects_cli.rules import milestones as mrules
from projects_cli.rules.dates import completion_gap, period_end, period_start, provisional
from projects_cli.rules.scoring import score_units, share
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import Dispatch, FlagScore, IssueHelper, Meeting, MeetingUnit, Unit


def _milestones(session: Session, as_of: date, active: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Per unit: (milestones on time, milestones due) from 1 January to `as_of`, by the plan in force then."""
    m, p, u = asof.milestones_on(session, as_of), asof.projects_on(session, as_of), Unit.__table__
    year_start = date(as_of.year, 1, 1)
    # the plan in force on `as_of` is the current one but for milestones planned or re-planned after it
    histories = asof.replanned_after(session, as_of)
    window = and_(m.c.planned_date >= year_start, m.c.planned_date <= as_of)
    if histories:
        window = or_(window, m.c.id.in_(asof.replanned_query(as_of)))
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for mid, unit, planned, actual in session.connection().execute(
        select(m.c.id, asof.unit_name_on(session, as_of, u), m.c.planned_date, m.c.actual_date)
        .select_from(m.join(p, p.c.id == m.c.project_id).join(u, u.c.id == p.c.unit_id))
        .where(window, p.c.status.in_(active))
    ):
        if mid in histories:
            planned = mrules.plan_in_force(histories[mid], as_of)
        if planned is None or not (year_start <= planned <= as_of):
            continue
        out[unit][1] += 1
        if actual is not None and actual <= as_of and actual <= planned:
            out[unit][0] += 1
    return {unit: (done, due) for unit, (done, due) in out.items()}


def _issues(session: Session, as_of: date, helpers: bool) -> dict[str, tuple[int, int]]:
    """Per unit: (problems resolved by their deadline, problems with a deadline from 1 January to `as_of`),
    as on record at `as_of`; the lead unit answers, and with `helpers` the helper units too."""
    year_start = date(as_of.year, 1, 1)
    names = asof.unit_names_on(session, as_of)  # units are scored by their names on `as_of`
    ids = asof.unit_ids_by_name(session)
    helped: dict[int, list[str]] = defaultdict(list)
    replayed: dict[int, dict[str, Any]] = {}
    if helpers:
        replayed = asof.replay_issues(session, as_of)
        for iid, uid in session.connection().execute(select(IssueHelper.issue_id, IssueHelper.unit_id)):
            if iid not in replayed:
                helped[iid].append(names.get(uid))
        for iid, st in replayed.items():  # the events name units as they were named then
            helped[iid] = [names.get(ids.get(h), h) for h in st["helpers"]]
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for iid, st in asof.issue_states(session, as_of).items():
        deadline = st["deadline"]
        if st["state"] == "rejected" or deadline is None or not (year_start <= deadline <= as_of):
            continue
        on_time = st["resolved_on"] is not None and st["resolved_on"] <= deadline
        for unit in {names.get(st["lead_unit_id"]), *helped.get(iid, [])} - {None}:
            out[unit][1] += 1
            out[unit][0] += int(on_time)
    return {unit: (done, due) for unit, (done, due) in out.items()}


def _attendance(session: Session, period: str, as_of: date) -> dict[str, tuple[int, int]]:
    """Per unit: (meetings attended, meetings with its attendance recorded) held in `period` by `as_of`."""
    m, a, u = Meeting.__table__.c, MeetingUnit.__table__, Unit.__table__
    came = case((a.c.attendance.in_(("出席", "委派代表")), 1), else_=0)
    name = asof.unit_name_on(session, as_of, u)
    query = (select(name, func.count(), func.sum(came))
             .select_from(a.join(Meeting.__table__, m.id == a.c.meeting_id).join(u, u.c.id == a.c.unit_id))
             .where(a.c.attendance.is_not(None), m.held_on >= period_start(period),
                    m.held_on <= min(as_of, period_end(period)), m.recorded_on <= as_of)
             .group_by(name))
    return {name: (int(done or 0), asked) for name, asked, done in session.connection().execute(query)}


def unit_shares(session: Session, period: str, as_of: date, active: tuple[str, ...],
                helpers: bool = False) -> dict[str, dict[str, Any]]:
    """Per unit answerable for an active project, its shares (Decimal 0–1, or None when nothing was due)."""
    conn = session.connection()
    p, u, d = asof.projects_on(session, as_of), Unit.__table__, Dispatch.__table__
    unit_name = asof.unit_name_on(session, as_of, u)
    units = {name for (name,) in conn.execute(
        select(unit_name).select_from(p.join(u, u.c.id == p.c.unit_id)).where(p.c.status.in_(active)).distinct()
    )}
    completed: dict[str, Decimal] = defaultdict(Decimal)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    unit_of = {pid: info.unit for pid, info in asof.project_info(session, as_of=as_of).items()}
    for pid, (plan, done) in asof.year_to_date(session, as_of).items():
        unit = unit_of.get(pid)
        gap = completion_gap(plan, done, as_of) if unit in units else None
        if gap is not None:
            completed[unit] += gap["completed"]
            expected[unit] += gap["expected_amount"]
    milestones = _milestones(session, as_of, active)
    issues = _issues(session, as_of, helpers)
    returned = case((and_(d.c.returned_on.is_not(None), d.c.returned_on <= d.c.due_on, d.c.returned_on <= as_of), 1),
                    else_=0)
    ledgers = {name: (int(done or 0), due) for name, due, done in conn.execute(
        select(unit_name, func.count(), func.sum(returned))
        .select_from(d.join(u, u.c.id == d.c.unit_id))
        .where(d.c.due_on >= period_start(period), d.c.due_on <= min(as_of, period_end(period)), d.c.sent_on <= as_of)
        .group_by(unit_name)
    )}
    attended = _attendance(session, period, as_of)
    out = {}
    for name in sorted(units):
        out[name] = {
            "investment": share(completed[name], expected[name]) if expected[name] > 0 else None,
            "milestones": share(*milestones[name]) if name in milestones else None,
            "issues": share(*issues[name]) if name in issues else None,
            "ledger": share(*ledgers[name]) if name in ledgers else None,
            "attendance": share(*attended[name]) if name in attended else None,
        }
    return out


def score_period(session: Session, ctx: Ctx, rules: Rules, period: str, as_of: date) -> list[dict[str, Any]]:
    """Score, rank and store every unit for the period (replacing an earlier scoring of it); best first."""
    flag = rules.get("flag")
    active = tuple(rules.get("cards.active_statuses"))
    shares = unit_shares(session, period, as_of, active, bool(flag["score_helpers"]))
    scored = score_units(shares, flag["weights"], int(flag["winners"]), int(flag["bottom"]))
    tentative = provisional(period, as_of)
    unit_ids = {name: uid for uid, name in asof.unit_names_on(session, as_of).items()}
    f = FlagScore.__table__.c
    old = {uid: (str(score), rank, flag_) for uid, score, rank, flag_ in session.connection().execute(
        select(f.unit_id, f.score, f.rank, f.flag).where(f.period == period))}
    session.execute(delete(FlagScore).where(FlagScore.period == period))
    rows = [{
        "period": period, "unit_id": unit_ids[s.unit], "score": s.score, "components": s.components, "rank": s.rank,
        "flag": s.flag, "bottom": s.bottom, "created_at": ctx.now, "as_of": as_of, "provisional": tentative,
    } for s in scored]
    if rows:
        session.execute(insert(FlagScore), rows)
    entries = []
    for s in scored:
        new = {"score": str(s.score), "rank": s.rank, "flag": s.flag}
        before = old.get(unit_ids[s.unit])
        if before is not None and (before[0], before[1], before[2]) == (new["score"], new["rank"], new["flag"]):
            continue
        entries.append(changelog.make_entry(
            ctx, "insert" if before is None else "update", "flag_score", record_id=unit_ids[s.unit],
            key=f"{s.unit}:{period}",
            old=dict(zip(("score", "rank", "flag"), before)) if before else None, new=new,
        ))
    changelog.log_many(session, entries)
    return [
        {"period": period, "as_of": as_of, "provisional": tentative, "rank": s.rank, "unit": s.unit,
         "score": s.score, "flag": s.flag,
         "bottom": s.bottom, **{f"{k}_share": v["share"] for k, v in s.components.items()}, "components": s.components}
        for s in scored
    ]


def history(session: Session, as_of: date | None = None) -> list[dict[str, Any]]:
    """Every unit's score and rank, period by period (oldest first), for `projects flag --history`; units named
    as on `as_of` (None: now, one trend per unit across a rename; `asof.unit_name_on`)."""
    f, u = FlagScore.__table__.c, Unit.__table__.c
    rows = session.connection().execute(
        select(f.period, asof.unit_name_on(session, as_of).label("unit"), f.score, f.rank, f.flag, f.bottom,
               f.provisional, f.as_of)
        .select_from(FlagScore.__table__.join(Unit.__table__, Unit.__table__.c.id == f.unit_id))
        .order_by(f.period, f.rank, u.name)
    ).mappings()
    return [dict(r) for r in rows]


def trend(rows: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """History as one row per unit with a `rank@period` column per period (for a table)."""
    periods = sorted({r["period"] for r in rows})
    units: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = units.setdefault(r["unit"], {"unit": r["unit"]})
        entry[r["period"]] = _("{rank}（{score}）").format(rank=r["rank"], score=r["score"]) + (_(" 红旗") if r["flag"] else "")
    return periods, sorted(units.values(), key=lambda e: e["unit"])

