"""The investment leads (信息库) as on record at a date: each lead's stage then, its last contact, when its
next follow-up fell due, and whether that is overdue.

A lead added after the date is not there; a stage or a follow-up dated or recorded after it is not seen
(`LeadStage`, `LeadFollow` keep both dates), so a report for last month reads last month's pipeline.
Three queries for all the leads, never one per lead.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.rules.milestones import START
from projects_cli.store.models import Lead, LeadAssignment, LeadFollow, LeadStage, Project, Unit
from projects_cli.values import clean_text, normalize_name

# The stages a lead is pursued in: its follow-ups fall due (signed, landed, shelved or ended leads do not).
ACTIVE_STAGES = ("线索", "接洽", "在谈")
SIGNED = "签约"
# Shipped default of the rules file's leads.follow_days: a lead not contacted for this many days is overdue.
FOLLOW_DAYS = 30


def leads_on(session: Session, as_of: date, *, follow_days: int = FOLLOW_DAYS) -> list[dict[str, Any]]:
    """Every lead on record at `as_of`, by code, with its stage then (`stage`, `stage_on`, `reason`), its unit and
    person then (`LeadAssignment`), its last contact (`last_follow`: date, who, what; None: never contacted) and
    its next follow-up, `follow_due`: set by the latest of its last contact (the date it named, `--next`, else
    `follow_days` after it) and its last assignment naming a date (that date), else `follow_days` after the day
    it was added; `days_late` past it (None: not late, or not an active stage) and `overdue`."""
    conn = session.connection()
    lead, project = Lead.__table__, Project.__table__
    rows = conn.execute(
        select(lead, project.c.code.label("project"))
        .select_from(lead.outerjoin(project, lead.c.project_id == project.c.id))
        .where(lead.c.recorded_on <= as_of)
        .order_by(lead.c.code)
    ).mappings().all()
    st = LeadStage.__table__.c
    stages: dict[int, Any] = {}
    signed: set[int] = set()  # signed on record at `as_of`: the project it became is shown
    for s in conn.execute(select(st.lead_id, st.stage, st.on, st.reason)
                          .where(st.on <= as_of, st.recorded_on <= as_of).order_by(st.on, st.id)):
        stages[s.lead_id] = s  # the last one on record wins
        if s.stage == SIGNED:
            signed.add(s.lead_id)
    fo = LeadFollow.__table__.c
    follows: dict[int, Any] = {}
    for f in conn.execute(select(fo.lead_id, fo.on, fo.who, fo.text, fo.next_on)
                          .where(fo.on <= as_of, fo.recorded_on <= as_of).order_by(fo.on, fo.id)):
        follows[f.lead_id] = f
    asg = LeadAssignment.__table__.c
    assigned: dict[int, Any] = {}
    dated: dict[int, Any] = {}  # the last assignment that named a follow-up date
    for a in conn.execute(select(asg.lead_id, asg.unit_id, asg.person, asg.next_on, asg.on)
                          .where(asg.on <= as_of).order_by(asg.on, asg.id)):
        assigned[a.lead_id] = a
        if a.next_on is not None:
            dated[a.lead_id] = a
    units = dict(conn.execute(select(Unit.__table__.c.id, Unit.__table__.c.name)).all())
    out = []
    for r in rows:
        stage = stages.get(r["id"])
        if stage is None:  # no stage on record yet (every lead has its first from the day it was added)
            continue
        last, set_by, who = follows.get(r["id"]), dated.get(r["id"]), assigned.get(r["id"])
        due = r["recorded_on"] + timedelta(days=follow_days)
        if last is not None:
            due = last.next_on or last.on + timedelta(days=follow_days)
        if set_by is not None and (last is None or set_by.on >= last.on):
            due = set_by.next_on
        active = stage.stage in ACTIVE_STAGES
        late = (as_of - due).days if active and due < as_of else None
        out.append({
            **{k: r[k] for k in ("id", "code", "name", "company", "chain", "source", "contact", "amount", "currency",
                                 "rate", "amount_wan", "leader", "project", "signed_on", "notes", "recorded_on")},
            "unit": units.get(who.unit_id) if who is not None else None,
            "person": who.person if who is not None else None,
            "project_id": r["project_id"],
            **({} if r["id"] in signed else {"project": None, "project_id": None, "signed_on": None}),
            "stage": stage.stage, "stage_on": stage.on, "reason": stage.reason,
            "last_follow": None if last is None else {"on": last.on, "who": last.who, "text": last.text},
            "follow_due": due if active else None,
            "days_late": late,
            "overdue": late is not None,
        })
    return out


def history_on(session: Session, lead_id: int, as_of: date) -> tuple[list[dict[str, Any]], ...]:
    """One lead's stages, follow-ups and assignments on record at `as_of`, oldest first."""
    conn = session.connection()
    st = LeadStage.__table__.c
    stages = [dict(m) for m in conn.execute(
        select(st.stage, st.on, st.reason, st.by).where(st.lead_id == lead_id, st.on <= as_of, st.recorded_on <= as_of)
        .order_by(st.on, st.id)).mappings()]
    fo = LeadFollow.__table__.c
    follows = [dict(m) for m in conn.execute(
        select(fo.on, fo.who, fo.text, fo.next_on).where(fo.lead_id == lead_id, fo.on <= as_of, fo.recorded_on <= as_of)
        .order_by(fo.on, fo.id)).mappings()]
    a, u = LeadAssignment.__table__.c, Unit.__table__.c
    assignments = [dict(m) for m in conn.execute(
        select(a.on, u.name.label("unit"), a.person, a.next_on, a.by)
        .select_from(LeadAssignment.__table__.outerjoin(Unit.__table__, a.unit_id == u.id))
        .where(a.lead_id == lead_id, a.on <= as_of).order_by(a.on, a.id)).mappings()]
    return stages, follows, assignments


def matching(rows: list[dict[str, Any]], search: str | None = None, **exact: str | None) -> list[dict[str, Any]]:
    """The leads of `rows` whose fields equal each value of `exact` given (unit, chain, stage …, as stored) and,
    with `search`, whose code, name or company holds that text (spaces and full-width forms aside)."""
    for key, value in exact.items():
        if value:
            rows = [r for r in rows if r[key] == value]
    if search and clean_text(search):
        wanted = normalize_name(search)
        rows = [r for r in rows if any(wanted in normalize_name(r[k] or "") for k in ("code", "name", "company"))]
    return rows


def moves_between(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """The stage moves on record at `end` dated after `start` and by `end`, oldest first: lead id, the stage it
    left (`from_stage`), the one it entered (`stage`), the date and reason; a lead's first stage (its adding)
    is not a move."""
    st = LeadStage.__table__.c
    held: dict[int, str] = {}
    out = []
    for s in session.connection().execute(select(st.lead_id, st.stage, st.on, st.reason)
                                          .where(st.on <= end, st.recorded_on <= end).order_by(st.on, st.id)):
        before = held.get(s.lead_id)
        held[s.lead_id] = s.stage
        if before is not None and s.on > start:
            out.append({"lead_id": s.lead_id, "from_stage": before, "stage": s.stage, "on": s.on, "reason": s.reason})
    return out


def started_on(session: Session, as_of: date, project_ids: list[int]) -> dict[int, date]:
    """The start (开工) date on record at `as_of` of each of these projects that had started by then."""
    from projects_cli.facts.asof import milestones_on

    if not project_ids:
        return {}
    m = milestones_on(session, as_of).c
    query = select(m.project_id, m.actual_date).where(m.project_id.in_(project_ids), m.kind == START,
                                                      m.actual_date.is_not(None), m.actual_date <= as_of)
    return dict(session.connection().execute(query).all())
