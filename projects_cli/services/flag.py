"""The rotating red flag (流动红旗): score each responsible unit for a period, rank, award, keep the trend.

Each unit's four shares, judged year to date at the rating date:

* investment: completed investment of its projects ÷ what 序时进度 expects of their annual plans;
* milestones: milestones planned from 1 January to the rating date done by their (current) planned date;
* issues: problems it leads with a deadline in that span resolved by the deadline;
* ledger: dispatched workbooks (派工单) due in the period returned by the due date.

A share with nothing to judge counts as met (see `rules.scoring.score_units`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, select
from sqlmodel import Session

from projects_cli.config.rulebook import Rules
from projects_cli.facts import asof
from projects_cli.rules.dates import completion_gap, period_end
from projects_cli.rules.scoring import score_units, share
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import Dispatch, FlagScore, Issue, Milestone, Project, Unit


def _period_start(period: str) -> date:
    if "-W" in period:
        return date.fromordinal(period_end(period).toordinal() - 6)
    return date.fromisoformat(f"{period}-01")


def unit_shares(session: Session, period: str, as_of: date, active: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Per unit name, the four shares (Decimal 0–1, or None when nothing was due)."""
    conn = session.connection()
    p, u, m, i, d = (t.__table__ for t in (Project, Unit, Milestone, Issue, Dispatch))
    year_start = date(as_of.year, 1, 1)
    units = {name for (name,) in conn.execute(
        select(u.c.name).select_from(p.join(u, u.c.id == p.c.unit_id)).where(p.c.status.in_(active)).distinct()
    )}
    completed: dict[str, Decimal] = defaultdict(Decimal)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    unit_of = {pid: info.unit for pid, info in asof.project_info(session).items()}
    for pid, (plan, done) in asof.year_to_date(session, as_of).items():
        unit = unit_of.get(pid)
        gap = completion_gap(plan, done, as_of) if unit in units else None
        if gap is not None:
            completed[unit] += gap["completed"]
            expected[unit] += gap["expected_amount"]
    on_time = case((and_(m.c.actual_date.is_not(None), m.c.actual_date <= m.c.planned_date), 1), else_=0)
    milestones = {name: (int(done or 0), due) for name, due, done in conn.execute(
        select(u.c.name, func.count(), func.sum(on_time))
        .select_from(m.join(p, p.c.id == m.c.project_id).join(u, u.c.id == p.c.unit_id))
        .where(m.c.planned_date >= year_start, m.c.planned_date <= as_of, p.c.status.in_(active))
        .group_by(u.c.name)
    )}
    resolved = case((and_(i.c.resolved_on.is_not(None), i.c.resolved_on <= i.c.deadline), 1), else_=0)
    issues = {name: (int(done or 0), due) for name, due, done in conn.execute(
        select(u.c.name, func.count(), func.sum(resolved))
        .select_from(i.join(u, u.c.id == i.c.lead_unit_id))
        .where(i.c.deadline >= year_start, i.c.deadline <= as_of, i.c.state != "rejected")
        .group_by(u.c.name)
    )}
    units |= set(issues)
    returned = case((and_(d.c.returned_on.is_not(None), d.c.returned_on <= d.c.due_on), 1), else_=0)
    ledgers = {name: (int(done or 0), due) for name, due, done in conn.execute(
        select(u.c.name, func.count(), func.sum(returned))
        .select_from(d.join(u, u.c.id == d.c.unit_id))
        .where(d.c.due_on >= _period_start(period), d.c.due_on <= min(as_of, period_end(period)))
        .group_by(u.c.name)
    )}
    out = {}
    for name in sorted(units):
        out[name] = {
            "investment": share(completed[name], expected[name]) if expected[name] > 0 else None,
            "milestones": share(*milestones[name]) if name in milestones else None,
            "issues": share(*issues[name]) if name in issues else None,
            "ledger": share(*ledgers[name]) if name in ledgers else None,
        }
    return out


def score_period(session: Session, ctx: Ctx, rules: Rules, period: str, as_of: date) -> list[dict[str, Any]]:
    """Score, rank and store every unit for the period (replacing an earlier scoring of it); best first."""
    flag = rules.get("flag")
    active = tuple(rules.get("cards.active_statuses"))
    scored = score_units(unit_shares(session, period, as_of, active), flag["weights"], int(flag["winners"]), int(flag["bottom"]))
    unit_ids = dict(session.connection().execute(select(Unit.__table__.c.name, Unit.__table__.c.id)).all())
    f = FlagScore.__table__.c
    old = {uid: (str(score), rank, flag_) for uid, score, rank, flag_ in session.connection().execute(
        select(f.unit_id, f.score, f.rank, f.flag).where(f.period == period))}
    session.execute(delete(FlagScore).where(FlagScore.period == period))
    rows = [{
        "period": period, "unit_id": unit_ids[s.unit], "score": s.score, "components": s.components, "rank": s.rank,
        "flag": s.flag, "bottom": s.bottom, "created_at": ctx.now,
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
        {"period": period, "as_of": as_of, "rank": s.rank, "unit": s.unit, "score": s.score, "flag": s.flag,
         "bottom": s.bottom, **{f"{k}_share": v["share"] for k, v in s.components.items()}, "components": s.components}
        for s in scored
    ]


def history(session: Session) -> list[dict[str, Any]]:
    """Every unit's score and rank, period by period (oldest first), for `projects flag --history`."""
    f, u = FlagScore.__table__.c, Unit.__table__.c
    rows = session.connection().execute(
        select(f.period, u.name.label("unit"), f.score, f.rank, f.flag, f.bottom)
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
        entry[r["period"]] = f"{r['rank']}（{r['score']}）" + (" 红旗" if r["flag"] else "")
    return periods, sorted(units.values(), key=lambda e: e["unit"])

