"""`projects issue …`: the closed loop of a project's problems (问题闭环督办)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format
from projects_cli.vocab import IssueEventType, IssueState, Level

if TYPE_CHECKING:
    from projects_cli.services.issues import IssueRules

app = typer.Typer(
    no_args_is_help=True,
    help="""Problems (问题) of projects through the closed loop: 提报 · 受理 · 交办 · 反馈 · 督办 · 办结 · 销号.

reported ─accept→ accepted ─assign→ assigned ─respond→ responded ─resolve→ resolved ─close→ closed

Also: reject (不予受理), send-back (退回), reopen, escalate (督办升级), and 批示/会商/跟踪 as events.
""",
)

LIST_COLUMNS = (
    ("number", _("问题编号")),
    ("project_code", _("项目编号")),
    ("title", _("问题")),
    ("category", _("类别")),
    ("urgency", _("紧急程度")),
    ("level", _("督办级别")),
    ("state_zh", _("状态")),
    ("lead_unit", _("牵头单位")),
    ("deadline", _("办理期限")),
    ("workdays_late", _("逾期工作日")),
)
CSV_COLUMNS = (
    ("number", "问题编号"),
    ("project_code", "项目编号"),
    ("project_name", "项目名称"),
    ("title", "问题"),
    ("category", "类别"),
    ("urgency", "紧急程度"),
    ("level", "督办级别"),
    ("state", "状态"),
    ("lead_unit", "牵头单位"),
    ("helpers", "配合单位"),
    ("reported_on", "提报日期"),
    ("assigned_on", "交办日期"),
    ("deadline", "办理期限"),
    ("days_late", "逾期天数"),
    ("workdays_late", "逾期工作日"),
    ("misses", "逾期次数"),
    ("resolved_on", "办结日期"),
    ("closed_on", "销号日期"),
    ("lookback_on", "回头看日期"),
    ("lookback_done_on", "回头看完成"),
)
SWEEP_COLUMNS = (
    ("number", N_("问题编号")),
    ("project_code", N_("项目编号")),
    ("lead_unit", N_("牵头单位")),
    ("deadline", N_("办理期限")),
    ("workdays_late", N_("逾期工作日")),
    ("misses", N_("逾期次数")),
    ("level_to", N_("督办级别")),
    ("new_deadline", N_("新限期")),
    ("done", N_("处理")),
)
SHOW_FIELDS = (
    ("number", _("问题编号")),
    ("project", _("项目")),
    ("title", _("问题")),
    ("category", _("类别")),
    ("description", _("问题描述")),
    ("urgency", _("紧急程度")),
    ("level", _("督办级别")),
    ("state", _("状态")),
    ("lead_unit", _("牵头单位")),
    ("helpers", _("配合单位")),
    ("reported_on", _("提报日期")),
    ("assigned_on", _("交办日期")),
    ("deadline", _("办理期限")),
    ("late", _("逾期")),
    ("misses", _("逾期次数")),
    ("resolved_on", _("办结日期")),
    ("closed_on", _("销号日期")),
    ("lookback_on", _("回头看日期")),
    ("lookback_done_on", _("回头看完成")),
)
# Event data shown beside an event's text in `issue show`.
EXTRA_LABELS = {"who": "", "unit": _("牵头单位"), "helpers": _("配合单位"), "deadline": _("办理期限"), "lookback_on": _("回头看日期")}

IdArg = Annotated[str, typer.Argument(help="Issue number (问题编号), e.g. 2025-012.")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)]
DueOpt = Annotated[
    Optional[str],
    typer.Option("--due", help="Deadline (办理期限) as a date, instead of the urgency's working days.", callback=common.date_callback),
]


def _rules(ctx: typer.Context) -> IssueRules:
    from projects_cli.services.issues import rules_for

    return rules_for(common.settings(ctx))


def _urgency(ctx: typer.Context, value: str | None) -> str | None:
    """--urgency must be one of the rules file's urgencies (issues.deadline_days)."""
    if value is None:
        return None
    known = list(common.settings(ctx).rules.get("issues.deadline_days"))
    if value.strip() not in known:
        raise typer.BadParameter(_("{value!r} 不是紧急程度；请用 {known} 之一").format(value=value, known="/".join(known)),
                                 param_hint="--urgency")
    return value.strip()


def _moved(issue, before: str | None = None) -> None:
    now = IssueState(issue.state)
    if before is None or before == issue.state:
        common.note(_("{number}：{state}").format(number=issue.number, state=_(now.zh)))
    else:
        common.note(_("{number}：{before} → {now}").format(
            number=issue.number, before=_(IssueState(before).zh), now=_(now.zh)))


def _run(ctx: typer.Context, number: str, call: Callable[[Any, Any], Any], *, deadline: bool = False) -> None:
    """One step of the loop in one transaction, then a line on stderr saying what moved."""
    from projects_cli.services.issues import get_issue

    with common.session(ctx) as session:
        before = get_issue(session, number).state
        issue = call(session, common.actor(ctx))
        _moved(issue, before)
        if deadline and issue.state == "assigned" and issue.deadline:
            common.note(_("办理期限：{day}").format(day=issue.deadline.isoformat()))


@app.command()
def report(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Project code (项目编号), e.g. GX-0001.")],
    title: Annotated[str, typer.Option(help="The problem in one line (问题标题).")],
    category: Annotated[str, typer.Option(help="Category (问题类别), e.g. 土地, 资金, 手续, 用电, 拆迁.")],
    description: Annotated[Optional[str], typer.Option(help="Details (问题描述).")] = None,
    urgency: Annotated[str, typer.Option(help="Urgency (紧急程度): 特急/急件/一般/复杂 (the rules file's issues.deadline_days).")] = "一般",
) -> None:
    """Report a project's problem (提报问题) and print its number.

    Example: projects issue report GX-0004 --title 新增设备用电负荷需扩容 --category 用电 --urgency 急件
    """
    from projects_cli.services import issues

    urgency = _urgency(ctx, urgency)
    with common.session(ctx) as session:
        issue = issues.report_issue(
            session, common.actor(ctx), code, title=title, category=category, description=description,
            urgency=urgency, rules=_rules(ctx),
        )
        number = issue.number
    common.out(number)


@app.command()
def accept(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[Optional[str], typer.Option(help="Note on acceptance (受理意见).")] = None,
) -> None:
    """Accept a reported problem (受理).

    Example: projects issue accept 2025-009
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.accept_issue(s, a, number, text=text))


@app.command()
def reject(
    ctx: typer.Context,
    number: IdArg,
    reason: Annotated[str, typer.Option(help="Why it is not taken up (不予受理理由).")],
) -> None:
    """Reject a reported problem (不予受理), with the reason.

    Example: projects issue reject 2025-009 --reason 属企业内部事务，不属政府协调范围
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.reject_issue(s, a, number, reason=reason))


@app.command()
def assign(
    ctx: typer.Context,
    number: IdArg,
    unit: Annotated[str, typer.Option(help="Lead unit (牵头单位); must be in the registry unless --create-units.")],
    helper: Annotated[Optional[list[str]], typer.Option(help="Helper unit (配合单位); repeat for several.")] = None,
    urgency: Annotated[Optional[str], typer.Option(help="Change the urgency (紧急程度), which sets the working days allowed.")] = None,
    due: DueOpt = None,
    text: Annotated[Optional[str], typer.Option(help="Assignment note (交办意见).")] = None,
    create_units: Annotated[bool, typer.Option("--create-units", help="Add units (单位) not yet in the registry instead of refusing them.")] = False,
) -> None:
    """Assign a problem to a lead unit with a deadline in working days (交办); again to re-assign (改派).

    The deadline is the urgency's working days (rules: issues.deadline_days) on the PRC calendar after today, or --due.

    Example: projects issue assign 2025-009 --unit 自然资源分局 --helper 经济发展局 --urgency 急件
    """
    from projects_cli.services import issues

    urgency = _urgency(ctx, urgency)
    rules = _rules(ctx)
    _run(
        ctx,
        number,
        lambda s, a: issues.assign_issue(
            s, a, number, rules, unit=unit, helpers=helper or [], urgency=urgency, due=due, text=text,
            create_units=create_units,
        ),
        deadline=True,
    )


@app.command()
def respond(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option(help="The unit's answer (反馈内容).")],
) -> None:
    """Record the lead unit's answer (反馈).

    Example: projects issue respond 2025-007 --text 已完成用地预审，正在组卷报批
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.respond_issue(s, a, number, text=text))


@app.command()
def resolve(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option(help="How it was solved (办结情况).")],
) -> None:
    """Mark a problem solved (办结), pending verification and 销号.

    Example: projects issue resolve 2025-005 --text 用地批复已下达
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.resolve_issue(s, a, number, text=text))


@app.command()
def close(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[Optional[str], typer.Option(help="Verification note (核验意见).")] = None,
) -> None:
    """Close a verified, resolved problem (销号) and schedule its look-back (回头看).

    Example: projects issue close 2025-005 --text 经现场核实已解决
    """
    from projects_cli.services import issues

    rules = _rules(ctx)
    with common.session(ctx) as session:
        issue = issues.close_issue(session, common.actor(ctx), number, rules, text=text)
        _moved(issue, "resolved")
        if issue.lookback_on:
            common.note(_("回头看日期：{day}").format(day=issue.lookback_on.isoformat()))


@app.command("send-back")
def send_back(
    ctx: typer.Context,
    number: IdArg,
    reason: Annotated[str, typer.Option(help="Why the answer is not accepted (退回理由).")],
    due: DueOpt = None,
) -> None:
    """Send an answer or resolution back (退回): not solved, back to the lead unit with a new deadline.

    Example: projects issue send-back 2025-005 --reason 未提供批复文件
    """
    from projects_cli.services import issues

    rules = _rules(ctx)
    _run(ctx, number, lambda s, a: issues.send_back_issue(s, a, number, rules, reason=reason, due=due), deadline=True)


@app.command()
def reopen(
    ctx: typer.Context,
    number: IdArg,
    reason: Annotated[str, typer.Option(help="Why it is opened again (重新打开理由).")],
    due: DueOpt = None,
) -> None:
    """Reopen a closed problem (back to its lead unit, new deadline) or a rejected one (back to reported).

    Example: projects issue reopen 2025-003 --reason 回头看发现问题反弹
    """
    from projects_cli.services import issues

    rules = _rules(ctx)
    _run(ctx, number, lambda s, a: issues.reopen_issue(s, a, number, rules, reason=reason, due=due), deadline=True)


@app.command()
def instruct(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option(help="The instruction (批示内容).")],
    leader: Annotated[Optional[str], typer.Option(help="The leader who gave it (批示领导).")] = None,
) -> None:
    """Record a leader's written instruction (批示); the state does not change.

    Example: projects issue instruct 2025-004 --leader 王主任 --text 请自然资源分局本周内拿出方案
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.note_issue(s, a, number, "instruct", text=text, who=leader))


@app.command()
def consult(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option(help="What the meeting decided (会商意见).")],
    participants: Annotated[Optional[str], typer.Option(help="Who took part (参会单位).")] = None,
) -> None:
    """Record a joint meeting on the problem (会商); the state does not change.

    Example: projects issue consult 2025-004 --participants 自然资源分局、建设局 --text 明确由自然资源分局牵头
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.note_issue(s, a, number, "consult", text=text, who=participants))


@app.command()
def follow(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option(help="What the follow-up found (跟踪情况).")],
) -> None:
    """Record a follow-up (跟踪); the state does not change.

    Example: projects issue follow 2025-007 --text 电话督促，承诺下周三前反馈
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.note_issue(s, a, number, "follow", text=text))


@app.command()
def escalate(
    ctx: typer.Context,
    number: IdArg,
    reason: Annotated[str, typer.Option(help="Why it is escalated (升级理由).")],
    level: Annotated[Optional[str], typer.Option(help="Supervision level (督办级别): 重点督办 or 挂牌督办. Default: one level up.")] = None,
) -> None:
    """Raise a problem's supervision level (督办升级): 一般督办 → 重点督办 → 挂牌督办.

    Example: projects issue escalate 2025-005 --level 挂牌督办 --reason 久拖未决
    """
    from projects_cli.services import issues

    level = common.pick(level, Level, (_("督办级别"), "supervision level"))
    if level is not None and level not in Level.values()[1:]:
        raise typer.BadParameter(_("{level!r} 不是可以升级到的督办级别；请用 重点督办 或 挂牌督办").format(level=level),
                                 param_hint="--level")
    with common.session(ctx) as session:
        issue = issues.escalate_issue(session, common.actor(ctx), number, reason=reason, level=level, rules=_rules(ctx))
        limit = _("，限期至 {day}").format(day=issue.deadline) if issue.level == Level.values()[-1] and issue.deadline else ""
        common.note(_("{number}：→ {level}{limit}").format(number=issue.number, level=issue.level, limit=limit))


@app.command()
def lookback(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option(help="What the look-back found (回头看情况).")],
) -> None:
    """Record the look-back (回头看) of a closed problem as done. If the fix did not hold, reopen it instead.

    Example: projects issue lookback 2025-003 --text 经回头看，问题未反弹
    """
    from projects_cli.services import issues

    _run(ctx, number, lambda s, a: issues.record_lookback(s, a, number, text=text))


@app.command()
def sweep(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """Count missed deadlines and escalate overdue problems by the rules file, as of the as-of date (督办巡查).

    Rules: issues.escalate_key_after working days overdue → 重点督办; issues.escalate_listed_after, or a second missed deadline (issues.listed_on_second_miss) → 挂牌督办, with a new deadline issues.listed_deadline_days working days away. Running it again the same day does nothing.

    Example: projects --as-of 2025-10-31 issue sweep
    """
    from projects_cli.listings.output import render, render_table, shown_columns, shown_values
    from projects_cli.rules.escalation import reason_shown
    from projects_cli.services import issues

    rules = _rules(ctx)
    with common.session(ctx) as session:
        rows = issues.sweep(session, common.actor(ctx), rules)
    for row in rows:
        parts = [_("记第{n}次逾期").format(n=row["misses"])] if row["miss_counted"] else []
        if row["rule"]:
            level = row["level_to"]
            parts.append(_("升为{level}：{rule}").format(level=_(level), rule=reason_shown(row["rule"])))
        row["done"] = _("；").join(parts)
    escalated = sum(1 for r in rows if r["rule"])
    misses = sum(1 for r in rows if r["miss_counted"])
    if fmt == Format.table and rows:
        shown = shown_values(rows, "level_to")
        common.out(render_table(shown, shown_columns(SWEEP_COLUMNS), max_width=60))
    elif fmt != Format.table:
        common.out(render(rows, fmt, shown_columns(SWEEP_COLUMNS, fmt)))
    as_of = common.settings(ctx).today.isoformat()
    if rows:
        common.note(_("截至 {day}：升级问题 {escalated} 个，记逾期 {misses} 次").format(
            day=as_of, escalated=escalated, misses=misses))
    else:
        common.note(_("截至 {day}：没有需要处理的问题").format(day=as_of))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    state: Annotated[Optional[str], typer.Option(help="State (状态): reported/accepted/rejected/assigned/responded/resolved/closed, or 已交办 ….")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Unit (单位): problems it leads (牵头) or helps with (配合).")] = None,
    level: Annotated[Optional[str], typer.Option(help="Supervision level (督办级别): 一般督办/重点督办/挂牌督办.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only problems past their deadline (逾期) at the as-of date.")] = False,
    project: Annotated[Optional[str], typer.Option(help="Project code (项目编号).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List problems (问题清单), filtered.

    Example: projects issue list --overdue --unit 自然资源分局 --format json
    """
    from projects_cli.listings.output import render, shown_values
    from projects_cli.services import issues

    s = common.settings(ctx)
    rules = _rules(ctx)
    with common.session(ctx, write=False) as session:
        rows = issues.list_issues(
            session, s.today, rules.calendar, state=common.pick(state, IssueState, (_("问题状态"), "issue state")), unit=unit,
            level=common.pick(level, Level, (_("督办级别"), "supervision level")), overdue=overdue, project=project,
        )
    columns = CSV_COLUMNS if fmt == Format.csv else LIST_COLUMNS
    if fmt == Format.table:  # the state in the interface's language (a file keeps the state's code)
        rows = shown_values(rows, "state_zh", "level")
    common.out(render(rows, fmt, columns, optional=("category", "urgency", "project_code", "level")))
    if fmt == Format.table:
        common.note(_("共 {n} 个问题").format(n=len(rows)))


@app.command()
def show(
    ctx: typer.Context,
    number: IdArg,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Show one problem with its whole history (问题详情及办理过程), oldest step first.

    Example: projects issue show 2025-004 --format json
    """
    from projects_cli.listings.output import cell_text, render_fields, render_table, to_json
    from projects_cli.services import issues

    s = common.settings(ctx)
    rules = _rules(ctx)
    from projects_cli.services import meetings

    with common.session(ctx, write=False) as session:
        row = issues.show_issue(session, number, s.today, rules.calendar)
        source = meetings.decision_of_issue(session, row["issue_id"], s.today)
    if source is not None:  # a meeting's decision (议定事项): the meeting it came from
        row["meeting"] = source
    if fmt == Format.json:
        common.out(to_json(row))
        return
    if fmt == Format.csv:
        raise typer.BadParameter(_("show 只能输出 table 或 json"), param_hint="--format")
    view = dict(row)
    view["project"] = f"{row['project_code']} {row['project_name']}"
    view["state"] = _(IssueState(row["state"]).zh)
    level = row["level"]
    view["level"] = _(level) if level else level
    view["late"] = _("{days}天（{workdays}个工作日）").format(days=row["days_late"], workdays=row["workdays_late"]) if row["days_late"] else None
    fields = SHOW_FIELDS
    if source is not None:
        view["meeting"] = _("{number} {held_on} {title} 第{seq}项议定事项").format(
            number=source["number"], held_on=source["held_on"], title=source["title"], seq=source["seq"])
        fields = (*SHOW_FIELDS, ("meeting", _("来源会议")))
    common.out(render_fields(view, fields))
    events = []
    for ev in row["events"]:
        moved = f"{_(IssueState(ev['from_state']).zh)}→" if ev["from_state"] else ""
        detail = ev["text"] or ""
        data = ev["data"] or {}
        labels = {**EXTRA_LABELS, "who": _("参会单位") if ev["type"] == "consult" else _("批示领导")}
        extra = [_("{label}：{value}").format(label=label, value=cell_text(data[k])) for k, label in labels.items() if data.get(k)]
        if ev["type"] == "escalate":
            moved_level = f"{data.get('from')}→{data.get('to')}"
            extra = [] if moved_level in detail else [moved_level]
        if ev["type"] == "miss":
            extra = [_("办理期限 {day}，第{n}次逾期").format(day=data.get("deadline"), n=data.get("misses"))]
        events.append(
            {
                "on": ev["on"],
                "what": _(IssueEventType(ev["type"]).zh) if ev["type"] in IssueEventType.values() else ev["type"],
                "actor": ev["actor"],
                "state": moved + _(IssueState(ev["to_state"]).zh) if ev["to_state"] else "",
                "text": _("；").join([detail, *extra]) if detail else _("；").join(extra),
            }
        )
    common.out("")
    columns = (("on", _("日期")), ("what", _("事项")), ("actor", _("经办人")), ("state", _("状态")), ("text", _("内容")))
    common.out(render_table(events, columns, max_width=80))
