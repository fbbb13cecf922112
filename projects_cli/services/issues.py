"""The closed loop of a project's problems (问题闭环督办): report, accept, assign, respond, resolve, close.

The loop is the table `MOVES` (action → {from state: to state}); every step
checks it, changes the issue, appends an event (type, date, actor, text) to
the issue's append-only history and writes the change log. An illegal step
raises `IllegalMove` naming the current state and the steps allowed in it.

Deadlines (办理期限) are working days on the PRC calendar
(`projects_cli.rules.workdays`): N working days from the day of assignment end
on the Nth working day after it. The number of days comes from the rules
file's `issues.deadline_days` for the issue's urgency unless a date is given.

Missed deadlines (`Issue.misses`): a deadline counts as missed once, on the
first of
  * an `issue sweep` run on an as-of date after it while it still runs
    (the issue is assigned or responded), or
  * a step that stops or replaces it late: resolve, re-assign or send-back
    on an as-of date after it.
Each miss is a ``miss`` event in the history; a deadline already counted is
never counted again (a miss event newer than the event that set the deadline),
so sweeping twice on the same day changes nothing.

Escalation (督办升级): `issue escalate` by hand, or `issue sweep` by the
rules `issues.escalate_key_after` / `escalate_listed_after` /
`listed_on_second_miss` (`projects_cli.rules.escalation`). Levels only go up.

Look-back (回头看): closing sets `lookback_on` to `overdue.lookback_days`
calendar days later (0: none); `issue lookback` records it done.

Reports read problems past their deadline and pending look-backs through
`facts` (`overdue_issues`, `open_lookbacks`), the one set-based read of them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from sqlalchemy import and_, exists, func, or_, select, update
from sqlmodel import Session

from projects_cli.errors import IllegalMove, InvalidValue, NotFound
from projects_cli.facts import asof
from projects_cli.i18n import _
from projects_cli.rules.escalation import EscalationRules, escalation
from projects_cli.rules.workdays import WorkCalendar, add_workdays, prc_calendar, workdays_between
from projects_cli.services import registry
from projects_cli.store import changelog, sequences
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import (
    DEADLINE_STATES,
    ISSUE_STATES,
    LEVELS,
    Issue,
    IssueEvent,
    IssueHelper,
    Project,
    Unit,
)
from projects_cli.values import clean_text
from projects_cli.vocab import IssueEventType, IssueState

if TYPE_CHECKING:
    from projects_cli.config.rulebook import Rules
    from projects_cli.config.settings import Settings

S, E = IssueState, IssueEventType
_OPEN = (S.REPORTED, S.ACCEPTED, S.ASSIGNED, S.RESPONDED, S.RESOLVED)

# The closed loop (README, "Problems (问题闭环督办)"): action → {from state: to state};
# None keeps the state (events such as 批示 that do not move the issue).
MOVES: dict[str, dict[str, str | None]] = {
    E.ACCEPT: {S.REPORTED: S.ACCEPTED},
    E.REJECT: {S.REPORTED: S.REJECTED},
    E.ASSIGN: {S.ACCEPTED: S.ASSIGNED, S.ASSIGNED: S.ASSIGNED},  # 交办; again = 改派 (re-assign)
    E.RESPOND: {S.ASSIGNED: S.RESPONDED},
    E.RESOLVE: {S.RESPONDED: S.RESOLVED},
    E.CLOSE: {S.RESOLVED: S.CLOSED},  # 销号 only after a verified resolution
    E.SEND_BACK: {S.RESPONDED: S.ASSIGNED, S.RESOLVED: S.ASSIGNED},  # 退回: not solved
    E.REOPEN: {S.CLOSED: S.ASSIGNED, S.REJECTED: S.REPORTED},
    E.ESCALATE: {S.ACCEPTED: None, S.ASSIGNED: None, S.RESPONDED: None},
    E.INSTRUCT: dict.fromkeys(_OPEN),
    E.CONSULT: dict.fromkeys(_OPEN),
    E.FOLLOW: dict.fromkeys(_OPEN),
    E.LOOKBACK: {S.CLOSED: None},
}
# Events after which a new deadline runs: a miss counts against the latest one.
# 重新限期 (relimit) follows an escalation to 挂牌督办 (the rules' issues.listed_deadline_days).
DEADLINE_SETTERS = (E.ASSIGN, E.SEND_BACK, E.REOPEN, E.RELIMIT)
_NUMBER = re.compile(r"^(\d{4})\s*[-－—/]\s*0*(\d{1,9})$")


def allowed_moves(state: str) -> list[str]:
    """The actions the loop allows in `state`, in the table's order."""
    return [action.value for action, moves in MOVES.items() if state in moves]


def next_state(number: str, state: str, action: str) -> str:
    """The state after `action`, or IllegalMove naming the current state and what is allowed."""
    moves = MOVES[action]
    if state not in moves:
        raise IllegalMove(
            _("不能对问题 {number} 执行 {action}：它现在是{state}；现在可以：{allowed}").format(
                number=number, action=action, state=_(IssueState(state).zh),
                allowed=", ".join(allowed_moves(state)))
        )
    return str(moves[state] or state)


# ---------------------------------------------------------------- rules in force


@dataclass(frozen=True)
class IssueRules:
    """What the loop needs from the rules file and the calendar."""

    calendar: WorkCalendar
    deadline_days: dict[str, int]
    escalation: EscalationRules
    lookback_days: int
    listed_deadline_days: int = 5  # 挂牌督办限期 (working days from the escalation; 0: keep the deadline)


def issue_rules(rules: Rules, calendar: WorkCalendar) -> IssueRules:
    return IssueRules(
        calendar=calendar,
        deadline_days=dict(rules.get("issues.deadline_days")),
        escalation=EscalationRules(
            key_after=int(rules.get("issues.escalate_key_after")),
            listed_after=int(rules.get("issues.escalate_listed_after")),
            listed_on_second_miss=bool(rules.get("issues.listed_on_second_miss")),
        ),
        lookback_days=int(rules.get("overdue.lookback_days")),
        listed_deadline_days=int(rules.get("issues.listed_deadline_days")),
    )


def rules_for(settings: Settings) -> IssueRules:
    """The rules file and the working-day calendar (config [calendar]) of a command."""
    from projects_cli.config.calendar import load_calendar

    return issue_rules(settings.rules, load_calendar(settings))


def default_rules() -> IssueRules:
    """The shipped rules and the package's calendar (for the demo loader and tests)."""
    from projects_cli.config.rulebook import load_rules

    return issue_rules(load_rules(None), prc_calendar())


# ---------------------------------------------------------------- finding


def normalize_number(text: str) -> str:
    """2025-012 from 2025-012, 2025-12, 2025/12 or ２０２５－１２."""
    import unicodedata

    raw = unicodedata.normalize("NFKC", clean_text(text))
    match = _NUMBER.match(raw)
    if not match:
        shown = clean_text(text)
        raise NotFound(_("{typed!r} 不是问题编号；问题编号形如 2025-012").format(
            typed=shown if len(shown) <= 40 else shown[:40] + "…"))
    return f"{match.group(1)}-{int(match.group(2)):03d}"


def get_issue(session: Session, number: str, *, lock: bool = False) -> Issue:
    """The issue numbered `number` (2025-12 finds 2025-012; a number kept as typed elsewhere is found too)."""
    import unicodedata

    wanted = normalize_number(number)
    typed = unicodedata.normalize("NFKC", clean_text(number))
    query = select(Issue).where(Issue.number.in_({wanted, typed})).order_by(Issue.number != wanted)
    if lock:  # and re-read: another command may have moved it since it was loaded
        query = query.with_for_update().execution_options(populate_existing=True)
    issue = session.scalars(query).first()
    if issue is None:
        raise NotFound(_("没有编号为 {number} 的问题；`projects issue list` 列出全部编号").format(number=wanted))
    return issue


def _project_code(session: Session, issue: Issue) -> str:
    return session.scalar(select(Project.code).where(Project.id == issue.project_id))


def _unit_name(session: Session, unit_id: int | None) -> str | None:
    return session.scalar(select(Unit.name).where(Unit.id == unit_id)) if unit_id else None


def _helper_names(session: Session, issue_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Unit.name)
            .join(IssueHelper, IssueHelper.unit_id == Unit.id)
            .where(IssueHelper.issue_id == issue_id)
            .order_by(IssueHelper.id)
        )
    )


_LOGGED = (
    "title",
    "category",
    "description",
    "urgency",
    "level",
    "state",
    "reported_on",
    "assigned_on",
    "deadline",
    "resolved_on",
    "closed_on",
    "misses",
    "lookback_on",
    "lookback_done_on",
)


_DATES = ("reported_on", "assigned_on", "deadline", "resolved_on", "closed_on", "lookback_on", "lookback_done_on")


def revert_step(session: Session, ctx: Ctx, number: str, event_id: int, old: dict[str, Any], note: str,
                undone: Iterable[int] = (), step_events: Iterable[int] = ()) -> Issue:
    """Undo a problem's last step (`services.undo`): the fields it changed back to `old` (as its change-log
    entries logged them: dates as text, the lead unit and helpers by name), recorded as a `revert` event whose
    data holds them (so `facts.asof.replay` reads the problem as it stood on every date). Refused when the
    problem has moved on since: every event after `event_id` (the step's) must be a step undone already
    (`undone`, event ids) or an undo's own `revert` event. The revert event names the step's events
    (`step_events`, `data.undoes`), so the weekly no longer counts them from its date on."""
    issue = get_issue(session, number, lock=True)
    skip = set(undone)
    for later_id, kind in session.execute(select(IssueEvent.id, IssueEvent.type).where(
            IssueEvent.issue_id == issue.id, IssueEvent.id > event_id).order_by(IssueEvent.id)):
        if later_id not in skip and kind != IssueEventType.REVERT.value:
            step = IssueEventType.from_zh(kind)
            raise IllegalMove(_("问题 {number} 此后已有办理（{step}）").format(
                number=issue.number, step=_(step.zh) if step else kind))
    code = _project_code(session, issue)
    before = _snapshot(session, issue)
    fields = {k: v for k, v in old.items() if k in _LOGGED or k in ("lead_unit", "helpers")}
    for key, value in fields.items():
        if key == "lead_unit":
            issue.lead_unit_id = registry.find_unit(session, value).id if value else None
        elif key == "helpers":
            wanted = [registry.find_unit(session, name).id for name in value or []]
            for row in session.scalars(select(IssueHelper).where(IssueHelper.issue_id == issue.id)).all():
                session.delete(row)
            session.flush()
            session.add_all(IssueHelper(issue_id=issue.id, unit_id=uid) for uid in wanted)
        elif key in _DATES:
            setattr(issue, key, date.fromisoformat(value) if value else None)
        else:
            setattr(issue, key, value)
    session.flush()
    after = _snapshot(session, issue)
    changed_old, changed_new = changelog.diff(before, after)
    moved = after["state"] != before["state"]
    entries = [changelog.make_entry(ctx, "update", "issue", record_id=issue.id, key=issue.number, project_code=code,
                                    old=changed_old, new=changed_new)] if changed_new else []
    entries.append(_event(session, ctx, issue, IssueEventType.REVERT.value, text=note,
                          from_state=before["state"] if moved else None, to_state=after["state"] if moved else None,
                          data={"fields": changelog.to_jsonable(fields), "undoes": sorted(set(step_events) | {event_id})},
                          project_code=code))
    changelog.log_many(session, entries)
    return issue


def _snapshot(session: Session, issue: Issue) -> dict[str, Any]:
    values = {k: getattr(issue, k) for k in _LOGGED}
    values["lead_unit"] = _unit_name(session, issue.lead_unit_id)
    values["helpers"] = _helper_names(session, issue.id) if issue.id else []
    return values


# ---------------------------------------------------------------- writing


def _require_text(text: str | None, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidValue(_("{what}不能为空").format(what=what))
    return value


def _event(
    session: Session,
    ctx: Ctx,
    issue: Issue,
    kind: str,
    *,
    text: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
    project_code: str,
) -> dict[str, Any]:
    """Append one event; returns its change-log entry."""
    event = IssueEvent(
        issue_id=issue.id,
        type=kind,
        on=ctx.as_of,
        at=ctx.now,
        actor=ctx.by,
        text=text,
        from_state=from_state,
        to_state=to_state,
        data=changelog.to_jsonable(data) if data else None,
    )
    session.add(event)
    session.flush()
    logged = {"type": kind, "on": ctx.as_of, "text": text, "from_state": from_state, "to_state": to_state}
    if data:
        logged["data"] = data
    return changelog.make_entry(
        ctx,
        "insert",
        "issue_event",
        record_id=event.id,
        key=issue.number,
        project_code=project_code,
        new={k: v for k, v in logged.items() if v is not None},
    )


def _miss_counted(session: Session, issue_id: int) -> bool:
    """True when the deadline now running was already counted as missed."""
    last = (
        select(IssueEvent.type)
        .where(IssueEvent.issue_id == issue_id, IssueEvent.type.in_((*DEADLINE_SETTERS, "miss")))
        .order_by(IssueEvent.id.desc())
        .limit(1)
    )
    return session.scalar(last) == "miss"


def _count_miss(session: Session, ctx: Ctx, issue: Issue, code: str) -> list[dict[str, Any]]:
    """Count the running deadline as missed if it passed and was not counted yet (see the module doc)."""
    if (
        issue.state not in DEADLINE_STATES
        or issue.deadline is None
        or issue.deadline >= ctx.as_of
        or _miss_counted(session, issue.id)
    ):
        return []
    issue.misses += 1
    data = {"deadline": issue.deadline, "days_late": (ctx.as_of - issue.deadline).days, "misses": issue.misses}
    return [_event(session, ctx, issue, "miss", data=data, project_code=code)]


def _step(
    session: Session,
    ctx: Ctx,
    number: str,
    action: str,
    change,
    *,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> Issue:
    """One step of the loop: check the move, let `change(issue, code)` alter the issue, log it all.

    `change` returns extra change-log entries (e.g. a counted miss) and may
    add to `data`; it runs before the state moves.
    """
    issue = get_issue(session, number, lock=True)
    before = issue.state
    after = next_state(issue.number, before, action)
    code = _project_code(session, issue)
    old = _snapshot(session, issue)
    entries = change(issue, code) if change else []
    issue.state = after
    session.flush()
    new = _snapshot(session, issue)
    moved = after != before
    entries.append(
        _event(
            session,
            ctx,
            issue,
            action,
            text=text,
            from_state=before if moved else None,
            to_state=after if moved else None,
            data=data,
            project_code=code,
        )
    )
    changed_old, changed_new = changelog.diff(old, new)
    if changed_new:
        entries.insert(
            0,
            changelog.make_entry(
                ctx, "update", "issue", record_id=issue.id, key=issue.number, project_code=code,
                old=changed_old, new=changed_new,
            ),
        )
    changelog.log_many(session, entries)
    return issue


def _check_urgency(urgency: str, rules: IssueRules) -> str:
    urgency = clean_text(urgency)
    if urgency not in rules.deadline_days:
        raise InvalidValue(_("紧急程度应为 {allowed} 之一，不能是 {urgency!r}").format(
            allowed="/".join(rules.deadline_days), urgency=urgency))
    return urgency


def _new_deadline(ctx: Ctx, rules: IssueRules, urgency: str, due: date | None) -> dict[str, Any]:
    """A deadline from today: `due`, else the urgency's working days on the PRC calendar (event data)."""
    if due is not None:
        if due < ctx.as_of:
            raise InvalidValue(_("期限 {due} 早于今天（{today}）").format(due=due.isoformat(), today=ctx.as_of.isoformat()))
        return {"deadline": due}
    days = rules.deadline_days.get(urgency)
    if days is None:
        raise InvalidValue(
            _("规则文件的 issues.deadline_days 中没有紧急程度 {urgency!r}（现有 {known}）；请用 --due 给出期限").format(
                urgency=urgency, known="/".join(rules.deadline_days))
        )
    return {"deadline": add_workdays(ctx.as_of, days, rules.calendar), "workdays": days}


# ---------------------------------------------------------------- the loop


def report_issue(
    session: Session,
    ctx: Ctx,
    code: str,
    *,
    title: str,
    category: str,
    description: str | None = None,
    urgency: str = "一般",
    rules: IssueRules | None = None,
) -> Issue:
    """提报: a project's new problem; returns the issue with its number (2025-012)."""
    project = registry.get_project(session, code)
    title = clean_text(title)
    if not title:
        raise InvalidValue(_("问题标题不能为空"))
    category = clean_text(category)
    if not category:
        raise InvalidValue(_("问题类别不能为空，例如 土地、资金、手续、用电、拆迁"))
    urgency = _check_urgency(urgency, rules or default_rules())
    year = ctx.as_of.year
    seq = sequences.next_number(session, "issue", year)
    issue = Issue(
        number=f"{year}-{seq:03d}",
        year=year,
        seq=seq,
        project_id=project.id,
        title=title,
        category=category,
        description=(description or "").strip() or None,
        urgency=urgency,
        level=LEVELS[0],
        state="reported",
        reported_on=ctx.as_of,
    )
    session.add(issue)
    session.flush()
    values = {k: v for k, v in _snapshot(session, issue).items() if v not in (None, [], "")}
    values["project"] = project.code
    entries = [
        changelog.make_entry(ctx, "insert", "issue", record_id=issue.id, key=issue.number, project_code=project.code,
                         new=values),
        _event(session, ctx, issue, "report", text=title, to_state="reported", data={"urgency": urgency},
               project_code=project.code),
    ]
    changelog.log_many(session, entries)
    return issue


def accept_issue(session: Session, ctx: Ctx, number: str, *, text: str | None = None) -> Issue:
    """受理."""
    return _step(session, ctx, number, "accept", None, text=(text or "").strip() or None)


def reject_issue(session: Session, ctx: Ctx, number: str, *, reason: str) -> Issue:
    """不予受理, with the reason."""
    return _step(session, ctx, number, "reject", None, text=_require_text(reason, _("理由（--reason）")))


def assign_issue(
    session: Session,
    ctx: Ctx,
    number: str,
    rules: IssueRules,
    *,
    unit: str,
    helpers: Sequence[str] = (),
    urgency: str | None = None,
    due: date | None = None,
    text: str | None = None,
    create_units: bool = False,
) -> Issue:
    """交办 (or 改派 when already assigned): lead unit, helper units, deadline.

    Units must be in the registry unless `create_units` (a typo must not
    create a unit nobody answers for).
    """
    def find(name: str) -> Unit:
        return registry.unit_for(session, ctx, name, create=create_units)

    data: dict[str, Any] = {}

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        lead = find(unit)
        helper_units: list[Unit] = []
        for name in helpers:
            helper = find(name)
            if helper.id == lead.id:
                raise InvalidValue(_("{unit} 是牵头单位，不能同时是配合单位").format(unit=lead.name))
            if helper.id not in [h.id for h in helper_units]:
                helper_units.append(helper)
        new_urgency = _check_urgency(urgency, rules) if urgency is not None else issue.urgency
        deadline = _new_deadline(ctx, rules, new_urgency, due)
        entries = _count_miss(session, ctx, issue, code)  # re-assigning over a passed deadline
        issue.urgency = new_urgency
        issue.deadline = deadline["deadline"]
        issue.lead_unit_id = lead.id
        issue.assigned_on = ctx.as_of
        wanted = [h.id for h in helper_units]
        for row in session.scalars(select(IssueHelper).where(IssueHelper.issue_id == issue.id)).all():
            if row.unit_id not in wanted:
                session.delete(row)
        have = set(session.scalars(select(IssueHelper.unit_id).where(IssueHelper.issue_id == issue.id)))
        for unit_id in wanted:
            if unit_id not in have:
                session.add(IssueHelper(issue_id=issue.id, unit_id=unit_id))
        data.update(unit=lead.name, helpers=[h.name for h in helper_units], urgency=issue.urgency, **deadline)
        return entries

    return _step(session, ctx, number, "assign", change, text=(text or "").strip() or None, data=data)


def unit_issues(session: Session, unit_id: int) -> list[Issue]:
    """The problems a unit leads (牵头) or helps with (配合), by number."""
    helps = exists().where(IssueHelper.issue_id == Issue.id, IssueHelper.unit_id == unit_id)
    return list(session.scalars(select(Issue).where(or_(Issue.lead_unit_id == unit_id, helps))
                                .order_by(Issue.year, Issue.seq)))


def transfer_unit(session: Session, ctx: Ctx, gone: Unit, to: Unit) -> int:
    """`unit merge`: every problem `gone` leads or helps with passes to `to` (a helper already leading or helping
    is not listed twice), with a 单位撤并移交 event on `ctx.as_of` (so a report for an earlier date still reads
    `gone`, `facts.asof.replay`) and its change-log entries. Returns how many problems moved. The state does
    not move."""
    found = unit_issues(session, gone.id)
    for issue in found:
        code = _project_code(session, issue)
        old = _snapshot(session, issue)
        if issue.lead_unit_id == gone.id:
            issue.lead_unit_id = to.id
        rows = session.scalars(select(IssueHelper).where(IssueHelper.issue_id == issue.id)).all()
        helping = {r.unit_id for r in rows}
        for row in rows:
            if row.unit_id == to.id and issue.lead_unit_id == to.id:
                session.delete(row)  # `to` leads it now
            elif row.unit_id == gone.id:
                if issue.lead_unit_id == to.id or to.id in helping:
                    session.delete(row)
                else:
                    row.unit_id = to.id
        session.flush()
        entries = [_event(session, ctx, issue, E.TRANSFER.value, text=f"{gone.name} 并入 {to.name}",
                          data={"from": gone.name, "to": to.name}, project_code=code)]
        before, after = changelog.diff(old, _snapshot(session, issue))
        if after:
            entries.insert(0, changelog.make_entry(ctx, "update", "issue", record_id=issue.id, key=issue.number,
                                                   project_code=code, old=before, new=after))
        changelog.log_many(session, entries)
    return len(found)


def respond_issue(session: Session, ctx: Ctx, number: str, *, text: str) -> Issue:
    """反馈: the unit's answer."""
    return _step(session, ctx, number, "respond", None, text=_require_text(text, _("反馈内容（--text）")))


def resolve_issue(session: Session, ctx: Ctx, number: str, *, text: str) -> Issue:
    """办结: solved, awaiting verification and 销号."""
    text = _require_text(text, _("办结情况（--text）"))

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        entries = _count_miss(session, ctx, issue, code)
        issue.resolved_on = ctx.as_of
        return entries

    return _step(session, ctx, number, "resolve", change, text=text)


def close_issue(session: Session, ctx: Ctx, number: str, rules: IssueRules, *, text: str | None = None) -> Issue:
    """销号: verified solved; schedules the look-back (回头看)."""
    data: dict[str, Any] = {}

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        issue.closed_on = ctx.as_of
        issue.lookback_done_on = None
        issue.lookback_on = ctx.as_of + timedelta(days=rules.lookback_days) if rules.lookback_days else None
        if issue.lookback_on:
            data["lookback_on"] = issue.lookback_on
        return []

    return _step(session, ctx, number, "close", change, text=(text or "").strip() or None, data=data)


def send_back_issue(
    session: Session, ctx: Ctx, number: str, rules: IssueRules, *, reason: str, due: date | None = None
) -> Issue:
    """退回: not solved; back to the lead unit with a new deadline."""
    reason = _require_text(reason, _("理由（--reason）"))
    data: dict[str, Any] = {}

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        data.update(_new_deadline(ctx, rules, issue.urgency, due))
        entries = _count_miss(session, ctx, issue, code)
        issue.resolved_on = None
        issue.assigned_on = ctx.as_of
        issue.deadline = data["deadline"]
        return entries

    return _step(session, ctx, number, "send-back", change, text=reason, data=data)


def reopen_issue(
    session: Session, ctx: Ctx, number: str, rules: IssueRules, *, reason: str, due: date | None = None
) -> Issue:
    """重新打开: a closed issue goes back to its lead unit with a new deadline; a rejected one back to reported."""
    reason = _require_text(reason, _("理由（--reason）"))
    data: dict[str, Any] = {}

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        if issue.state == "closed":
            data.update(_new_deadline(ctx, rules, issue.urgency, due))
            issue.resolved_on = issue.closed_on = issue.lookback_on = issue.lookback_done_on = None
            issue.assigned_on = ctx.as_of
            issue.deadline = data["deadline"]
        elif due is not None:
            raise InvalidValue(_("不予受理的问题重新打开后为待受理；请在交办时给出 --due"))
        return []

    return _step(session, ctx, number, "reopen", change, text=reason, data=data)


def escalate_issue(
    session: Session, ctx: Ctx, number: str, *, reason: str, level: str | None = None, rules: IssueRules | None = None
) -> Issue:
    """督办升级 by hand: to `level`, or one level up. Reaching 挂牌督办 sets its 限期 (`listed_deadline`)."""
    reason = _require_text(reason, _("理由（--reason）"))
    rules = rules or default_rules()
    data: dict[str, Any] = {}

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        rank = LEVELS.index(issue.level)
        if level is None:
            if rank == len(LEVELS) - 1:
                raise InvalidValue(_("问题 {number} 已是{level}，这是最高级别").format(number=issue.number, level=issue.level))
            target = LEVELS[rank + 1]
        else:
            target = clean_text(level)
            if target not in LEVELS:
                raise InvalidValue(_("督办级别应为 {allowed} 之一，不能是 {level!r}").format(
                    allowed="/".join(LEVELS[1:]), level=target))
            if LEVELS.index(target) <= rank:
                higher = "/".join(LEVELS[rank + 1:]) or _("没有：已是最高级别")
                raise InvalidValue(
                    _("问题 {number} 已是{level}；请升级到更高的级别（{higher}）").format(
                        number=issue.number, level=issue.level, higher=higher)
                )
        data.update({"from": issue.level, "to": target})
        issue.level = target
        return []

    issue = _step(session, ctx, number, "escalate", change, text=reason, data=data)
    relimit = listed_deadline(issue.level, issue.state, issue.deadline, ctx.as_of, rules)
    if relimit is not None:
        code = _project_code(session, issue)
        old_deadline = issue.deadline
        issue.deadline = relimit["deadline"]
        session.flush()
        changelog.log_many(session, [
            changelog.make_entry(ctx, "update", "issue", record_id=issue.id, key=issue.number, project_code=code,
                                 old={"deadline": old_deadline}, new={"deadline": issue.deadline}),
            _event(session, ctx, issue, E.RELIMIT, text=relimit_text(relimit), data=relimit, project_code=code),
        ])
    return issue


def listed_deadline(level: str, state: str, deadline: date | None, as_of: date, rules: IssueRules) -> dict[str, Any] | None:
    """挂牌督办限期: the new deadline an issue gets on reaching 挂牌督办 while its deadline runs (event data:
    deadline, workdays, old_deadline), or None (another level, no deadline running, or the rule is 0)."""
    if level != LEVELS[-1] or state not in DEADLINE_STATES or rules.listed_deadline_days <= 0:
        return None
    new = add_workdays(as_of, rules.listed_deadline_days, rules.calendar)
    return {"deadline": new, "workdays": rules.listed_deadline_days, "old_deadline": deadline}


def relimit_text(relimit: dict[str, Any]) -> str:
    """重新限期's text in the history: the new deadline and the old one it replaces."""
    def cn(day: date | None) -> str:
        return f"{day.year}年{day.month}月{day.day}日" if day else "无"

    return (f"挂牌督办限期：{relimit['workdays']}个工作日内办结，限期至{cn(relimit['deadline'])}"
            f"（原限期{cn(relimit['old_deadline'])}）")


def note_issue(session: Session, ctx: Ctx, number: str, kind: str, *, text: str, who: str | None = None) -> Issue:
    """批示 (instruct), 会商 (consult) or 跟踪 (follow): an event that keeps the state.

    `who`: the leader who gave the instruction, or the meeting's participants.
    """
    if kind not in ("instruct", "consult", "follow"):
        raise ValueError(kind)
    text = _require_text(text, _("{kind}内容（--text）").format(kind=_(IssueEventType(kind).zh)))
    data = {"who": clean_text(who)} if who and clean_text(who) else None
    return _step(session, ctx, number, kind, None, text=text, data=data)


def record_lookback(session: Session, ctx: Ctx, number: str, *, text: str) -> Issue:
    """回头看 done: the fix held. (If it did not, reopen the issue.)"""
    text = _require_text(text, _("回头看情况（--text）"))

    def change(issue: Issue, code: str) -> list[dict[str, Any]]:
        if issue.lookback_done_on is not None:
            raise InvalidValue(
                _("问题 {number} 的回头看已于 {day} 记录").format(number=issue.number, day=issue.lookback_done_on.isoformat())
            )
        issue.lookback_done_on = ctx.as_of
        return []

    return _step(session, ctx, number, "lookback", change, text=text)


# ---------------------------------------------------------------- sweep


def sweep(session: Session, ctx: Ctx, rules: IssueRules) -> list[dict[str, Any]]:
    """Count missed deadlines and escalate by rule, as of `ctx.as_of`; returns what was done, one row per issue.

    Set-based: one query finds the overdue issues and whether their running
    deadline was already counted; the changes are written in bulk. Running it
    again on the same as-of date finds nothing to do.
    """
    i, e, p, u = Issue.__table__.c, IssueEvent.__table__, Project.__table__.c, Unit.__table__.c
    last_setter = (
        select(func.max(e.c.id))
        .where(e.c.issue_id == i.id, e.c.type.in_(DEADLINE_SETTERS))
        .correlate(Issue.__table__)
        .scalar_subquery()
    )
    last_miss = (
        select(func.max(e.c.id)).where(e.c.issue_id == i.id, e.c.type == "miss").correlate(Issue.__table__).scalar_subquery()
    )
    query = (
        select(
            i.id, i.number, i.level, i.state, i.misses, i.deadline, p.code.label("project_code"),
            u.name.label("lead_unit"), last_setter.label("last_setter"), last_miss.label("last_miss"),
        )
        .select_from(Issue.__table__.join(Project.__table__, p.id == i.project_id).outerjoin(Unit.__table__, u.id == i.lead_unit_id))
        .where(_overdue_clause(ctx.as_of))
        .order_by(i.deadline, i.number)
    )
    if session.connection().dialect.name == "postgresql":
        query = query.with_for_update(of=Issue.__table__)
    rows = session.connection().execute(query).mappings().all()
    done: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    events: list[tuple[dict[str, Any], IssueEvent]] = []
    entries: list[dict[str, Any]] = []
    for r in rows:
        late = workdays_between(r["deadline"], ctx.as_of, rules.calendar)
        new_miss = (r["last_miss"] or 0) <= (r["last_setter"] or 0)
        misses = r["misses"] + (1 if new_miss else 0)
        raised = escalation(r["level"], late, misses, rules.escalation)
        if not new_miss and raised is None:
            continue
        change: dict[str, Any] = {"id": r["id"]}
        old: dict[str, Any] = {}
        common = {"deadline": r["deadline"], "days_late": (ctx.as_of - r["deadline"]).days, "workdays_late": late}
        if new_miss:
            change["misses"], old["misses"] = misses, r["misses"]
            events.append((r, _event_row(ctx, r["id"], "miss", None, {**common, "misses": misses})))
        if raised:
            change["level"], old["level"] = raised[0], r["level"]
            data = {**common, "from": r["level"], "to": raised[0], "misses": misses, "rule": raised[1]}
            text = f"{r['level']}→{raised[0]}：{raised[1]}"
            events.append((r, _event_row(ctx, r["id"], "escalate", text, data)))
            relimit = listed_deadline(raised[0], r["state"], r["deadline"], ctx.as_of, rules)
            if relimit is not None:
                change["deadline"], old["deadline"] = relimit["deadline"], r["deadline"]
                events.append((r, _event_row(ctx, r["id"], E.RELIMIT, relimit_text(relimit), relimit)))
        updates.append(change)
        entries.append(
            changelog.make_entry(
                ctx, "update", "issue", record_id=r["id"], key=r["number"], project_code=r["project_code"],
                old=old, new={k: v for k, v in change.items() if k != "id"},
            )
        )
        done.append(
            {
                "number": r["number"],
                "project_code": r["project_code"],
                "lead_unit": r["lead_unit"],
                "state": r["state"],
                "deadline": r["deadline"],
                "days_late": common["days_late"],
                "workdays_late": late,
                "misses": misses,
                "miss_counted": new_miss,
                "level_from": r["level"],
                "level_to": raised[0] if raised else r["level"],
                "rule": raised[1] if raised else None,
                "new_deadline": change.get("deadline"),
            }
        )
    if updates:
        session.execute(update(Issue), updates)
        session.add_all([event for _, event in events])
        session.flush()
        for r, event in events:
            logged = {"type": event.type, "on": event.on, "text": event.text, "data": event.data}
            entries.append(
                changelog.make_entry(
                    ctx, "insert", "issue_event", record_id=event.id, key=r["number"], project_code=r["project_code"],
                    new={k: v for k, v in logged.items() if v is not None},
                )
            )
        changelog.log_many(session, entries)
        # The bulk UPDATE bypasses loaded Issue objects: reload them on next use.
        session.expire_all()
    return done


def _event_row(ctx: Ctx, issue_id: int, kind: str, text: str | None, data: dict[str, Any]) -> IssueEvent:
    return IssueEvent(
        issue_id=issue_id, type=kind, on=ctx.as_of, at=ctx.now, actor=ctx.by, text=text, data=changelog.to_jsonable(data)
    )


# ---------------------------------------------------------------- reading


def _base_query(session: Session, as_of: date | None, projects=Project.__table__):
    """Issues with their project's code and name (`projects`: e.g. `asof.projects_on` a date) and lead unit
    (named as on `as_of`, `asof.unit_name_on`)."""
    i, p, u = Issue.__table__.c, projects.c, Unit.__table__.c
    return select(
        i.id.label("issue_id"),
        i.number,
        i.project_id,
        p.code.label("project_code"),
        p.name.label("project_name"),
        i.title,
        i.category,
        i.urgency,
        i.level,
        i.state,
        i.lead_unit_id,
        asof.unit_name_on(session, as_of).label("lead_unit"),
        i.reported_on,
        i.assigned_on,
        i.deadline,
        i.resolved_on,
        i.closed_on,
        i.misses,
        i.lookback_on,
        i.lookback_done_on,
    ).select_from(
        Issue.__table__.join(projects, p.id == i.project_id).outerjoin(Unit.__table__, u.id == i.lead_unit_id)
    )


def _overdue_clause(as_of: date):
    """SQL: past the deadline at `as_of` while it still runs (`asof.deadline_runs`)."""
    return and_(asof.deadline_runs(as_of), Issue.deadline < as_of)


def _late_days(state: str, deadline: date | None, as_of: date | None, calendar: Callable[[], WorkCalendar]):
    """(days late, working days late) of a problem past its deadline at `as_of` while it runs, else (None, None).

    `calendar` gives the working-day calendar, asked for only when a problem is late.
    """
    if as_of is None or state not in DEADLINE_STATES or deadline is None or deadline >= as_of:
        return None, None
    return (as_of - deadline).days, workdays_between(deadline, as_of, calendar())


def _calendar(calendar: WorkCalendar | None) -> Callable[[], WorkCalendar]:
    """`calendar`, else the package's PRC calendar, built the first time it is asked for."""
    return functools.cache(lambda: calendar or prc_calendar())


def _helpers_of(session: Session, issue_ids: Iterable[int], as_of: date | None = None) -> dict[int, list[str]]:
    """Issue id → its helper units' names (as on `as_of`)."""
    ids = list(issue_ids)
    out: dict[int, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    query = (
        select(IssueHelper.issue_id, asof.unit_name_on(session, as_of))
        .join(Unit, Unit.id == IssueHelper.unit_id)
        .order_by(IssueHelper.issue_id, IssueHelper.id)
    )
    if len(ids) <= 1000:
        query = query.where(IssueHelper.issue_id.in_(ids))
    for issue_id, name in session.connection().execute(query):
        if issue_id in out:
            out[issue_id].append(name)
    return out


def list_issues(
    session: Session,
    as_of: date,
    calendar: WorkCalendar | None = None,
    *,
    state: str | None = None,
    unit: str | None = None,
    level: str | None = None,
    overdue: bool = False,
    project: str | None = None,
) -> list[dict[str, Any]]:
    """Issues by number, filtered; `unit` matches the lead unit (牵头) or a helper (配合).

    Each row: issue_id, number, project_id, project_code, project_name, title,
    category, urgency, level (督办级别), state, state_zh, lead_unit_id,
    lead_unit (牵头单位), helpers, the dates, misses, and days_late /
    workdays_late (working days after the deadline up to and including
    `as_of`; None unless past the deadline at `as_of`). `calendar` defaults to
    the package's PRC calendar; pass `config.calendar.load_calendar(settings)` for the
    office's own additions.
    """
    base = _base_query(session, as_of, asof.projects_on(session, as_of)).order_by(Issue.year, Issue.seq)
    if project:
        base = base.where(Issue.project_id == registry.get_project(session, project).id)
    query = base.where(Issue.id.not_in(asof.changed_after(as_of)))
    if state:
        if state not in ISSUE_STATES:
            raise InvalidValue(_("状态应为 {allowed} 之一，不能是 {state!r}").format(allowed=", ".join(ISSUE_STATES), state=state))
        query = query.where(Issue.state == state)
    if level:
        if level not in LEVELS:
            raise InvalidValue(_("督办级别应为 {allowed} 之一，不能是 {level!r}").format(allowed="/".join(LEVELS), level=level))
        query = query.where(Issue.level == level)
    found = registry.find_unit(session, unit) if unit else None
    if found is not None:
        helps = exists().where(IssueHelper.issue_id == Issue.id, IssueHelper.unit_id == found.id)
        query = query.where(or_(Issue.lead_unit_id == found.id, helps))
    if overdue:
        query = query.where(_overdue_clause(as_of))
    rows = [dict(r) for r in session.connection().execute(query).mappings()]
    helpers = _helpers_of(session, (r["issue_id"] for r in rows), as_of)
    # the problems that moved after the as-of date, as they stood on it (`facts.asof.replay_issues`)
    replayed = asof.replay_issues(session, as_of)
    if replayed:
        names, ids = asof.unit_names_on(session, as_of), asof.unit_ids_by_name(session)
        for row in session.connection().execute(base.where(Issue.id.in_(list(replayed)))).mappings():
            row, st = dict(row), replayed[row["issue_id"]]
            row.update({k: st[k] for k in asof.MOVING})
            row["lead_unit"] = names.get(st["lead_unit_id"])
            if ((state and row["state"] != state) or (level and row["level"] != level)
                    or (found is not None and found.id not in (st["lead_unit_id"], *map(ids.get, st["helpers"])))
                    or (overdue and not (asof.runs_at(st, as_of) and st["deadline"] < as_of))):
                continue
            helpers[row["issue_id"]] = list(st["helpers"])
            rows.append(row)
        rows.sort(key=asof.issue_order)
    cal = _calendar(calendar)
    for row in rows:
        row["state_zh"] = IssueState(row["state"]).zh
        row["helpers"] = helpers.get(row["issue_id"], [])
        row["days_late"], row["workdays_late"] = _late_days(row["state"], row["deadline"], as_of, cal)
    return rows


def show_issue(session: Session, number: str, as_of: date | None = None, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """One issue with its helpers and its history, oldest event first; given `as_of`, as it stood then
    (the events dated after it left out)."""
    issue = get_issue(session, number)
    projects = Project.__table__ if as_of is None else asof.projects_on(session, as_of)
    found = session.connection().execute(_base_query(session, as_of, projects).where(Issue.id == issue.id)).mappings().first()
    if found is None:  # its project was added to the registry after the as-of date
        raise NotFound(_("问题 {number}：截至 {day}，它所属的项目尚未录入项目库").format(number=issue.number, day=as_of.isoformat()))
    row = dict(found)
    row["description"] = issue.description
    row["helpers"] = _helpers_of(session, [issue.id], as_of)[issue.id]
    query = select(IssueEvent).where(IssueEvent.issue_id == issue.id).order_by(IssueEvent.id)
    if as_of is not None:
        query = query.where(IssueEvent.on <= as_of)
    events = session.scalars(query).all()
    if as_of is not None and any(True for _ in session.connection().execute(
            select(IssueEvent.id).where(IssueEvent.issue_id == issue.id, IssueEvent.on > as_of).limit(1))):
        units = asof.unit_ids_by_name(session)
        st = asof.replay([(ev.type, ev.on, ev.to_state, ev.data) for ev in events], units, issue.urgency)
        if st is None:
            raise NotFound(_("问题 {number} 于 {reported} 提报，晚于统计截止日期 {day}").format(
                number=issue.number, reported=issue.reported_on.isoformat(), day=as_of.isoformat()))
        row.update({k: st[k] for k in asof.MOVING})
        row["lead_unit"] = asof.unit_names_on(session, as_of).get(st["lead_unit_id"])
        row["helpers"] = list(st["helpers"])
    row["state_zh"] = IssueState(row["state"]).zh
    row["days_late"], row["workdays_late"] = _late_days(row["state"], row["deadline"], as_of, _calendar(calendar))
    row["events"] = [
        {
            "type": ev.type,
            "type_zh": IssueEventType(ev.type).zh if ev.type in IssueEventType.values() else ev.type,
            "on": ev.on,
            "at": ev.at,
            "actor": ev.actor,
            "text": ev.text,
            "from_state": ev.from_state,
            "to_state": ev.to_state,
            "data": ev.data,
        }
        for ev in events
    ]
    return row

