"""Meetings (调度会 · 会商 · 观摩) and their decisions (议定事项), tracked to closure through the problem loop.

A meeting (`Meeting`, numbered HY-0001 …) has a kind (周调度, 月调度, 专题会商, 现场观摩), a date, a chair,
a place, the projects it took up and the items discussed; the units asked to it are `MeetingUnit` rows, and
`attend` records how each attended (出席, 缺席, 委派代表).

A decision (`decide`) is not a second loop: it is a problem (`Issue`, category 议定事项) reported, accepted
and assigned to its unit with its deadline by the one command, through `services.issues` — so its states,
working-day deadline, misses, sweep, escalation, sheets, reminders, overdue report and the red flag's
problem share are the problem loop's, unchanged. `MeetingDecision` links it to the meeting (its place in
the meeting's list, the text as decided). A decision may also take up an existing problem (`issue`): the
decision is recorded on it as a 会商 event and, given a unit, it is assigned (改派) with the new deadline.

Where a decision stands on a date (`decision_status`, from the problem as on record then): 已落实 (resolved
by then; late by so many days if after its deadline), 正在落实 (its deadline not passed) or 逾期未落实 (the
deadline passed, days late). `agenda` is what a meeting opens with: the previous meeting's decisions (of the
same kind), each with its status on the meeting's date.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import func, select
from sqlmodel import Session

from projects_cli.errors import InvalidValue, NotFound
from projects_cli.i18n import N_, _
from projects_cli.services import issues, registry
from projects_cli.store import changelog, sequences
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import (
    DEADLINE_STATES,
    LIST_SEP,
    Issue,
    Meeting,
    MeetingDecision,
    MeetingUnit,
    Project,
    Unit,
)
from projects_cli.values import clean_text, resolve_name
from projects_cli.vocab import Attendance, MeetingKind

CATEGORY = "议定事项"  # the category (问题类别) of a problem made for a decision
TITLE_CHARS = 200  # Issue.title's length: a longer decision keeps its whole text in the description
DONE, RUNNING, LATE = N_("已落实"), N_("正在落实"), N_("逾期未落实")


def _label(meeting: Meeting) -> str:
    return f"{meeting.held_on.year}年{meeting.held_on.month}月{meeting.held_on.day}日{meeting.title}"


def parse_kind(typed: str) -> str:
    """周调度 / 月调度 / 专题会商 / 现场观摩 (or a short form: 会商, 观摩 …); anything else names the four."""
    found = MeetingKind.from_zh(clean_text(typed))
    if found is None:
        found = MeetingKind.from_zh(resolve_name(typed, [m.value for m in MeetingKind], ("会议类型", "meeting kind")))
    return found.value


def parse_attendance(typed: str) -> str:
    found = Attendance.from_zh(clean_text(typed))
    if found is None:
        found = Attendance.from_zh(resolve_name(typed, [m.value for m in Attendance], ("参会情况", "attendance")))
    return found.value


def _names(values: Iterable[str]) -> list[str]:
    """Repeated options, each also a 、/,-separated list, without blanks and repeats."""
    out: list[str] = []
    for value in values:
        for part in str(value).replace("，", ",").replace(",", LIST_SEP).split(LIST_SEP):
            part = clean_text(part)
            if part and part not in out:
                out.append(part)
    return out


# ---------------------------------------------------------------- finding


def get_meeting(session: Session, number: str, *, lock: bool = False) -> Meeting:
    """The meeting numbered `number` (HY-0001; hy-1, HY1 and 1 find it too)."""
    import re
    import unicodedata

    typed = unicodedata.normalize("NFKC", clean_text(number)).upper()
    match = re.fullmatch(r"(?:HY)?\s*[-－—]?\s*0*(\d{1,6})", typed)
    wanted = f"HY-{int(match.group(1)):04d}" if match else typed
    query = select(Meeting).where(Meeting.number == wanted)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    meeting = session.scalars(query).first()
    if meeting is None:
        raise NotFound(_("没有编号为 {number!r} 的会议；projects meeting list 列出会议编号，如 HY-0001").format(
            number=clean_text(number)))
    return meeting


def _unit_rows(session: Session, meeting_id: int, as_of: date | None = None) -> list[dict[str, Any]]:
    from projects_cli.facts import asof

    m = MeetingUnit.__table__.c
    query = (select(m.id, m.unit_id, asof.unit_name_on(session, as_of).label("unit"), m.attendance, m.deputy, m.note)
             .select_from(MeetingUnit.__table__.join(Unit.__table__, Unit.__table__.c.id == m.unit_id))
             .where(m.meeting_id == meeting_id).order_by(m.id))
    return [dict(r) for r in session.connection().execute(query).mappings()]


def _summary(session: Session, meeting: Meeting) -> dict[str, Any]:
    return {
        "number": meeting.number,
        "kind": meeting.kind,
        "title": meeting.title,
        "held_on": meeting.held_on,
        "place": meeting.place,
        "chair": meeting.chair,
        "projects": [c for c in meeting.projects.split(LIST_SEP) if c],
        "topics": list(meeting.topics or []),
    }


# ---------------------------------------------------------------- writing


def add_meeting(session: Session, ctx: Ctx, *, kind: str, held_on: date, chair: str, title: str | None = None,
                place: str | None = None, units: Sequence[str] = (), projects: Sequence[str] = (),
                topics: Sequence[str] = ()) -> Meeting:
    """A new meeting (numbered HY-0001 …) with the units asked to it (each must be in the registry) and the
    projects it takes up (by code). Without a title: 〔kind〕会 of its date (e.g. 周调度会)."""
    kind = parse_kind(kind)
    chair = clean_text(chair)
    if not chair:
        raise InvalidValue(_("主持人不能为空（--chair）"))
    codes = [registry.get_project(session, code).code for code in _names(projects)]
    found: list[Unit] = []
    for name in _names(units):
        unit = registry.unit_for(session, ctx, name)
        if unit.id not in [u.id for u in found]:
            found.append(unit)
    title = clean_text(title or "") or {"专题会商": "专题会商会", "现场观摩": "现场观摩会"}.get(kind, f"{kind}会")
    seq = sequences.next_number(session, "meeting")
    meeting = Meeting(number=f"HY-{seq:04d}", kind=kind, title=title[:200], held_on=held_on,
                      place=clean_text(place or "") or None, chair=chair[:50], projects=LIST_SEP.join(codes)[:500],
                      topics=[clean_text(t) for t in topics if clean_text(t)] or None, recorded_on=ctx.as_of,
                      by=ctx.by, created_at=ctx.now)
    session.add(meeting)
    session.flush()
    entries = [changelog.make_entry(ctx, "insert", "meeting", record_id=meeting.id, key=meeting.number, new={
        k: v for k, v in _summary(session, meeting).items() if v not in (None, [], "")} | {"units": [u.name for u in found]})]
    for unit in found:
        row = MeetingUnit(meeting_id=meeting.id, unit_id=unit.id)
        session.add(row)
        session.flush()
        entries.append(changelog.make_entry(ctx, "insert", "meeting_unit", record_id=row.id,
                                            key=f"{meeting.number}:{unit.name}", new={"unit": unit.name}))
    changelog.log_many(session, entries)
    return meeting


def attend(session: Session, ctx: Ctx, number: str, *, unit: str, attendance: str, deputy: str | None = None,
           note: str | None = None) -> MeetingUnit:
    """How a unit attended (出席 / 缺席 / 委派代表, with the deputy's name); a unit not asked is added."""
    meeting = get_meeting(session, number, lock=True)
    attendance = parse_attendance(attendance)
    deputy = clean_text(deputy or "") or None
    if attendance == Attendance.DEPUTY.value and deputy is None:
        raise InvalidValue(_("委派代表须写明代表姓名：--deputy 姓名"))
    if attendance != Attendance.DEPUTY.value and deputy is not None:
        raise InvalidValue(_("{attendance}不需要 --deputy，只有委派代表才写代表姓名").format(attendance=attendance))
    found = registry.unit_for(session, ctx, unit)
    row = session.scalars(select(MeetingUnit).where(MeetingUnit.meeting_id == meeting.id,
                                                    MeetingUnit.unit_id == found.id)).first()
    values = {"attendance": attendance, "deputy": deputy, "note": clean_text(note or "")[:200] or None}
    key = f"{meeting.number}:{found.name}"
    if row is None:
        row = MeetingUnit(meeting_id=meeting.id, unit_id=found.id, **values)
        session.add(row)
        session.flush()
        changelog.log_insert(session, ctx, "meeting_unit", row.id, {"unit": found.name, **values}, key=key)
        return row
    old = {k: getattr(row, k) for k in values}
    for k, v in values.items():
        setattr(row, k, v)
    session.flush()
    changelog.log_update(session, ctx, "meeting_unit", row.id, old, values, key=key)
    return row


def decide(session: Session, ctx: Ctx, number: str, rules: issues.IssueRules, *, text: str, unit: str | None = None,
           helpers: Sequence[str] = (), project: str | None = None, due: date | None = None,
           workdays: int | None = None, issue: str | None = None) -> MeetingDecision:
    """A decision (议定事项) of the meeting, in the problem loop: a new problem reported, accepted and assigned
    to `unit` (with `helpers`) for `project` (default: the meeting's project when it took up one), or (`issue`)
    an existing problem, on which the decision is a 会商 event and which, given `unit`, is assigned anew.

    The deadline: `due`, or `workdays` working days after the meeting's date, else the rules' deadline for a
    一般 problem from today. Every step is the problem loop's own, each in the change log.
    """
    meeting = get_meeting(session, number, lock=True)
    text = clean_text(text or "")
    if not text:
        raise InvalidValue(_("议定事项的内容不能为空（--text）"))
    if ctx.as_of < meeting.held_on:
        raise InvalidValue(_("会议 {number} 于{held_on}召开，议定事项不能记在此前（统计日期为 {as_of}）").format(
            number=meeting.number, held_on=meeting.held_on.isoformat(), as_of=ctx.as_of.isoformat()))
    if due is not None and workdays is not None:
        raise InvalidValue(_("--due 与 --workdays 只能给一个：完成时限写日期或写工作日数"))
    if workdays is not None:
        from projects_cli.rules.workdays import add_workdays

        if workdays < 1:
            raise InvalidValue(_("--workdays 应为至少 1 个工作日"))
        due = add_workdays(meeting.held_on, workdays, rules.calendar)
    note = f"{_label(meeting)}（{meeting.number}）议定：{text}"
    if issue is not None:
        if project is not None:
            raise InvalidValue(_("--issue 的问题已有项目，不需要 --project"))
        target = issues.get_issue(session, issue)
        issues.note_issue(session, ctx, target.number, "consult", text=note, who=f"{meeting.title}（主持：{meeting.chair}）")
        if unit is not None:
            issues.assign_issue(session, ctx, target.number, rules, unit=unit, helpers=helpers, due=due, text=note)
        elif helpers or due is not None:
            raise InvalidValue(_("改定配合单位或期限须同时给出 --unit（责任单位）"))
    else:
        if unit is None:
            raise InvalidValue(_("议定事项须明确责任单位：--unit 单位"))
        codes = [c for c in meeting.projects.split(LIST_SEP) if c]
        if project is None:
            if len(codes) != 1:
                shown = _("、").join(codes) if codes else _("无")
                raise InvalidValue(_("议定事项须关联一个项目：--project 项目编号（会议 {number} 关联的项目：{shown}）").format(
                    number=meeting.number, shown=shown))
            project = codes[0]
        title = text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS - 1] + "…"
        target = issues.report_issue(session, ctx, project, title=title, category=CATEGORY, description=note,
                                     urgency="一般", rules=rules)
        issues.accept_issue(session, ctx, target.number, text=f"{meeting.title}议定事项")
        issues.assign_issue(session, ctx, target.number, rules, unit=unit, helpers=helpers, due=due, text=note)
    seq = (session.scalar(select(func.max(MeetingDecision.seq)).where(MeetingDecision.meeting_id == meeting.id)) or 0) + 1
    row = MeetingDecision(meeting_id=meeting.id, seq=seq, issue_id=target.id, text=text, attached=issue is not None,
                          workdays=workdays, recorded_on=ctx.as_of)
    session.add(row)
    session.flush()
    changelog.log_insert(session, ctx, "meeting_decision", row.id, {
        "meeting": meeting.number, "seq": seq, "issue": target.number, "text": text, "attached": row.attached,
        **({"workdays": workdays} if workdays is not None else {})}, key=f"{meeting.number}#{seq}",
        project_code=issues._project_code(session, target))
    return row


# ---------------------------------------------------------------- where a decision stands


def decision_status(state: str | None, deadline: date | None, resolved_on: date | None, as_of: date) -> dict[str, Any]:
    """Where a decision stands on `as_of`, from its problem then: status 已落实 (resolved or closed by then:
    `days_late` after the deadline, 0 on time), 正在落实 (its deadline not passed: `days_left`) or 逾期未落实
    (the deadline passed while it ran: `days_late`). Pure."""
    if state in ("resolved", "closed") and resolved_on is not None and resolved_on <= as_of:
        late = max(0, (resolved_on - deadline).days) if deadline is not None else 0
        return {"status": DONE, "days_late": late, "days_left": None, "done_on": resolved_on}
    if state in DEADLINE_STATES and deadline is not None and deadline < as_of:
        return {"status": LATE, "days_late": (as_of - deadline).days, "days_left": None, "done_on": None}
    return {"status": RUNNING, "days_late": None, "done_on": None,
            "days_left": (deadline - as_of).days if deadline is not None else None}


def status_text(row: dict[str, Any], translate: Callable[[str], str] = str) -> str:
    """已落实 · 已落实（逾期3天）· 正在落实（剩5天）· 逾期未落实（逾期4天）: in Chinese as sheets print it, or
    with ``translate=_`` in the interface's language (a terminal's table)."""
    status = translate(row["status"])
    if row["status"] in (DONE, LATE) and row["days_late"]:
        return translate(N_("{status}（逾期{days}天）")).format(status=status, days=row["days_late"])
    if row["status"] != RUNNING or row["days_left"] is None:
        return status
    left = row["days_left"]
    if left == 0:
        return translate(N_("{status}（今日到期）")).format(status=status)
    return translate(N_("{status}（剩{days}天）")).format(status=status, days=left)


def decisions(session: Session, meeting_ids: Sequence[int], as_of: date) -> list[dict[str, Any]]:
    """The decisions of the meetings (in meeting and list order), each with its problem as on `as_of`: number,
    lead unit and helpers, deadline, state, and its status (`decision_status`). A decision recorded after
    `as_of` is left out."""
    from projects_cli.facts import asof

    if not meeting_ids:
        return []
    d, i, m = MeetingDecision.__table__.c, Issue.__table__.c, Meeting.__table__.c
    rows = [dict(r) for r in session.connection().execute(
        select(d.id, d.meeting_id, m.number.label("meeting"), d.seq, d.text, d.attached, d.workdays, d.issue_id,
               i.number.label("issue"), i.project_id)
        .select_from(MeetingDecision.__table__.join(Issue.__table__, i.id == d.issue_id)
                     .join(Meeting.__table__, m.id == d.meeting_id))
        .where(d.meeting_id.in_(list(meeting_ids)), d.recorded_on <= as_of)
        .order_by(m.held_on, m.id, d.seq)).mappings()]
    if not rows:
        return []
    states = asof.issue_states(session, as_of)
    names = asof.unit_names_on(session, as_of)
    helpers = issues._helpers_of(session, [r["issue_id"] for r in rows], as_of)
    replayed = asof.replay_issues(session, as_of)
    p = Project.__table__.c
    codes = dict(session.connection().execute(select(p.id, p.code).where(p.id.in_({r["project_id"] for r in rows}))).all())
    out = []
    for row in rows:
        st = states.get(row["issue_id"]) or {}
        status = decision_status(st.get("state"), st.get("deadline"), st.get("resolved_on"), as_of)
        out.append({
            **row,
            "project_code": codes.get(row["project_id"]),
            "unit": names.get(st.get("lead_unit_id")),
            "helpers": list(replayed[row["issue_id"]]["helpers"]) if row["issue_id"] in replayed
            else helpers.get(row["issue_id"], []),
            "deadline": st.get("deadline"),
            "state": st.get("state"),
            "level": st.get("level"),
            **status,
            "status_text": status_text(status),
        })
    return out


# ---------------------------------------------------------------- reading


def list_meetings(session: Session, as_of: date, *, kind: str | None = None) -> list[dict[str, Any]]:
    """Meetings held by `as_of`, latest first, each with its counts of units asked, present, decisions and
    decisions done by `as_of`."""
    query = select(Meeting).where(Meeting.held_on <= as_of).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    if kind is not None:
        query = query.where(Meeting.kind == parse_kind(kind))
    meetings = list(session.scalars(query))
    found = decisions(session, [m.id for m in meetings], as_of)
    out = []
    for meeting in meetings:
        units = _unit_rows(session, meeting.id, as_of)
        mine = [d for d in found if d["meeting_id"] == meeting.id]
        out.append({**_summary(session, meeting), "units": len(units),
                    "present": sum(1 for u in units if u["attendance"] in (Attendance.PRESENT, Attendance.DEPUTY)),
                    "decisions": len(mine), "done": sum(1 for d in mine if d["status"] == DONE),
                    "late": sum(1 for d in mine if d["status"] == LATE)})
    return out


def previous_meeting(session: Session, meeting: Meeting | None, as_of: date, kind: str | None = None) -> Meeting | None:
    """The meeting before `meeting` (of its kind: the 调度会 before this 调度会); with no `meeting`, the last one
    held by `as_of` (of `kind` if given)."""
    query = select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    if meeting is not None:
        query = query.where(Meeting.kind == meeting.kind, Meeting.id != meeting.id,
                            (Meeting.held_on < meeting.held_on)
                            | ((Meeting.held_on == meeting.held_on) & (Meeting.id < meeting.id)))
    else:
        query = query.where(Meeting.held_on <= as_of)
        if kind is not None:
            query = query.where(Meeting.kind == parse_kind(kind))
    return session.scalars(query.limit(1)).first()


def show_meeting(session: Session, number: str, as_of: date) -> dict[str, Any]:
    """A meeting: its fields, the units asked and how they attended, its decisions with their status on
    `as_of`, and the previous meeting's decisions with their status on this meeting's date (上次议定事项)."""
    meeting = get_meeting(session, number)
    previous = previous_meeting(session, meeting, as_of)
    return {
        **_summary(session, meeting),
        "attendance": _unit_rows(session, meeting.id, meeting.held_on),
        "decisions": decisions(session, [meeting.id], as_of),
        "previous": _summary(session, previous) if previous else None,
        "previous_decisions": decisions(session, [previous.id], meeting.held_on) if previous else [],
    }


def agenda(session: Session, as_of: date, *, kind: str | None = None) -> dict[str, Any]:
    """The next meeting's opening item (上次议定事项落实情况) as of `as_of`: the last meeting held by then (of
    `kind`), and each of its decisions with its status on `as_of`; counts per status."""
    previous = previous_meeting(session, None, as_of, kind)
    if previous is None:
        raise NotFound(_("{day}前没有{kind}会议记录；projects meeting add 记录会议").format(
            day=as_of.isoformat(), kind="" if kind is None else parse_kind(kind)))
    rows = decisions(session, [previous.id], as_of)
    return {"as_of": as_of, "previous": _summary(session, previous), "decisions": rows,
            "counts": {s: sum(1 for r in rows if r["status"] == s) for s in (DONE, RUNNING, LATE)}}


def due_or_overdue(session: Session, as_of: date, horizon_days: int) -> list[dict[str, Any]]:
    """Every meeting's decisions not done on `as_of` that are overdue or fall due within `horizon_days`
    calendar days (the weekly's 议定事项 section), most overdue first."""
    ids = list(session.scalars(select(Meeting.id).where(Meeting.held_on <= as_of)))
    rows = [r for r in decisions(session, ids, as_of) if r["status"] != DONE and r["state"] in DEADLINE_STATES
            and (r["status"] == LATE or (r["days_left"] is not None and r["days_left"] <= horizon_days))]
    return sorted(rows, key=lambda r: (-(r["days_late"] or 0), r["days_left"] or 0, r["meeting"], r["seq"]))


def decision_of_issue(session: Session, issue_id: int, as_of: date) -> dict[str, Any] | None:
    """The meeting and place of the decision a problem tracks (the latest recorded by `as_of`, if several), or None."""
    d, m = MeetingDecision.__table__.c, Meeting.__table__.c
    row = session.connection().execute(
        select(m.number, m.title, m.held_on, d.seq).select_from(MeetingDecision.__table__.join(
            Meeting.__table__, m.id == d.meeting_id)).where(d.issue_id == issue_id, d.recorded_on <= as_of)
        .order_by(d.id.desc()).limit(1)
    ).mappings().first()
    return dict(row) if row else None


def delete_meeting(session: Session, ctx: Ctx, meeting: Meeting) -> None:
    """Remove a meeting with no decisions and the units asked to it (`projects undo` of `meeting add`), logged;
    its number is not given again."""
    entries = []
    for row in session.scalars(select(MeetingUnit).where(MeetingUnit.meeting_id == meeting.id)).all():
        entries.append(changelog.make_entry(ctx, "delete", "meeting_unit", record_id=row.id, key=meeting.number,
                                            old={"unit_id": row.unit_id, "attendance": row.attendance}))
        session.delete(row)
    session.flush()
    entries.append(changelog.make_entry(ctx, "delete", "meeting", record_id=meeting.id, key=meeting.number,
                                        old={k: v for k, v in _summary(session, meeting).items() if v not in (None, [], "")}))
    session.delete(meeting)
    session.flush()
    changelog.log_many(session, entries)
