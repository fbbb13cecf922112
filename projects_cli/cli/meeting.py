"""`projects meeting …`: 调度会, 会商 and 观摩, their attendance, their decisions (议定事项) tracked in the problem loop."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.cli.sheet import FormatOpt as SheetFormatOpt
from projects_cli.cli.sheet import OutputOpt, PreviewOpt
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format, shown_values

app = typer.Typer(
    no_args_is_help=True,
    help="""Meetings (会议): 周调度 · 月调度 · 专题会商 · 现场观摩, the units at them, their decisions (议定事项) and minutes (会议纪要).

Each decision is a problem (问题, category 议定事项) in the closed loop, assigned to its unit with its deadline: the loop's states, working-day deadlines, sweep, escalation, sheets, reminders, the overdue report and the red flag apply to it as to any problem. The next meeting opens with the previous one's decisions and where each stands (已落实 / 正在落实 / 逾期未落实): `meeting agenda --next`.
""",
)

LIST_COLUMNS = (
    ("number", N_("会议编号")),
    ("kind", N_("类型")),
    ("held_on", N_("日期")),
    ("title", N_("会议")),
    ("chair", N_("主持人")),
    ("units", N_("参会单位")),
    ("present", N_("实到")),
    ("decisions", N_("议定事项")),
    ("done", N_("已落实")),
    ("late", N_("逾期未落实")),
)
DECISION_COLUMNS = (
    ("seq", N_("序号")),
    ("text", N_("议定事项")),
    ("unit", N_("责任单位")),
    ("helpers", N_("配合单位")),
    ("deadline", N_("完成时限")),
    ("issue", N_("问题编号")),
    ("status_text", N_("落实情况")),
)
AGENDA_COLUMNS = (("meeting", N_("会议编号")), *DECISION_COLUMNS)
ATTEND_COLUMNS = (("unit", N_("单位")), ("attendance", N_("参会情况")), ("deputy", N_("委派代表")), ("note", N_("备注")))

IdArg = Annotated[str, typer.Argument(help="Meeting number (会议编号), e.g. HY-0001 (or 1).")]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)]


@app.command()
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Option("--kind", help="Kind (会议类型): 周调度, 月调度, 专题会商 or 现场观摩.")],
    held_on: Annotated[str, typer.Option("--date", help="The day it was held (会议日期).", callback=common.date_callback)],
    chair: Annotated[str, typer.Option("--chair", help="Who chaired it (主持人).")],
    title: Annotated[Optional[str], typer.Option("--title", help="Its title (会议名称); default from the kind, e.g. 周调度会.")] = None,
    place: Annotated[Optional[str], typer.Option("--place", help="Where (会议地点).")] = None,
    units: Annotated[Optional[list[str]], typer.Option("--units", help="Units asked to attend (参会单位), in the registry; repeat or join with 、.")] = None,
    projects: Annotated[Optional[list[str]], typer.Option("--projects", help="Projects taken up (研究的项目), by code; repeat or join with 、.")] = None,
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="An item discussed (议题); repeat, in order.")] = None,
) -> None:
    """Record a meeting (会议) and print its number.

    Example: projects meeting add --kind 周调度 --date 2025-10-31 --chair 王主任 --place 管委会301会议室 --units 经济发展局、自然资源分局 --projects GX-0004 --topic 项目用电扩容
    """
    from projects_cli.services import meetings

    with common.session(ctx) as session:
        meeting = meetings.add_meeting(session, common.actor(ctx), kind=kind, held_on=held_on, chair=chair, title=title,
                                       place=place, units=units or [], projects=projects or [], topics=topic or [])
        number = meeting.number
    common.out(number)


@app.command()
def attend(
    ctx: typer.Context,
    number: IdArg,
    unit: Annotated[str, typer.Option("--unit", help="The unit (参会单位); one not asked is added.")],
    attendance: Annotated[str, typer.Option("--as", help="出席, 缺席 or 委派代表.")],
    deputy: Annotated[Optional[str], typer.Option("--deputy", help="Who came instead (委派代表姓名), with --as 委派代表.")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note (备注), e.g. why it was absent.")] = None,
) -> None:
    """Record how a unit attended a meeting (参会情况): 出席, 缺席 or 委派代表.

    Example: projects meeting attend HY-0001 --unit 经济发展局 --as 出席
    """
    from projects_cli.services import meetings

    with common.session(ctx) as session:
        row = meetings.attend(session, common.actor(ctx), number, unit=unit, attendance=attendance, deputy=deputy,
                              note=note)
        said = f"{meetings.get_meeting(session, number).number}：{unit} {row.attendance}" + (
            f"（{row.deputy}）" if row.deputy else "")
    common.note(said)


@app.command()
def decide(
    ctx: typer.Context,
    number: IdArg,
    text: Annotated[str, typer.Option("--text", help="What was decided (议定事项).")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="The unit that carries it out (责任单位, 牵头).")] = None,
    helper: Annotated[Optional[list[str]], typer.Option("--helper", help="A helper unit (配合单位); repeat for several.")] = None,
    project: Annotated[Optional[str], typer.Option("--project", help="The project (项目编号); default: the meeting's, when it took up one.")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="Deadline (完成时限) as a date.", callback=common.date_callback)] = None,
    workdays: Annotated[Optional[int], typer.Option("--workdays", min=1, max=250, help="Deadline as working days after the meeting (会后N个工作日).")] = None,
    issue: Annotated[Optional[str], typer.Option("--issue", help="Take up an existing problem (问题编号) instead of making one.")] = None,
) -> None:
    """Record a decision (议定事项) and track it in the problem loop; prints the problem's number.

    A new problem (category 议定事项) is reported, accepted and assigned to --unit with the deadline: --due, or --workdays after the meeting, else the rules' deadline for a 一般 problem. With --issue the decision is recorded on that problem (会商) and, given --unit, it is assigned anew.

    Example: projects meeting decide HY-0001 --text 三日内完成用电扩容方案报批 --unit 经济发展局 --helper 建设局 --workdays 3
    """
    from projects_cli.services import issues, meetings

    rules = issues.rules_for(common.settings(ctx))
    with common.session(ctx) as session:
        row = meetings.decide(session, common.actor(ctx), number, rules, text=text, unit=unit, helpers=helper or [],
                              project=project, due=due, workdays=workdays, issue=issue)
        problem = session.get(issues.Issue, row.issue_id)
        said, deadline = problem.number, problem.deadline
    common.out(said)
    if deadline:
        common.note(_("议定事项 {seq}：{issue}，完成时限 {deadline}").format(seq=row.seq, issue=said, deadline=deadline.isoformat()))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only this kind (会议类型).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the meetings held by the as-of date (会议清单), latest first, with their decisions' counts.

    Example: projects meeting list --kind 周调度
    """
    from projects_cli.listings.output import render, shown_columns
    from projects_cli.services import meetings

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        rows = meetings.list_meetings(session, s.today, kind=kind)
    common.out(render(shown_values(rows, "kind") if fmt == Format.table else rows, fmt, shown_columns(LIST_COLUMNS, fmt)))


def _decision_table(rows: list[dict[str, Any]], columns=DECISION_COLUMNS) -> str:
    """The decisions as a terminal table, in the interface's language."""
    from projects_cli.listings.output import render_table, shown_columns
    from projects_cli.services.meetings import status_text

    shown = [{**r, "status_text": status_text(r, _)} if "status" in r else r for r in rows]
    return render_table(shown, shown_columns(columns), max_width=40)


@app.command()
def show(
    ctx: typer.Context,
    number: IdArg,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Show a meeting: attendance, its decisions with where each stands on the as-of date, and the previous meeting's.

    Example: projects meeting show HY-0001
    """
    from projects_cli.listings.output import render_fields, render_table, shown_columns, to_json
    from projects_cli.services import meetings

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        row = meetings.show_meeting(session, number, s.today)
    if fmt == Format.json:
        common.out(to_json(row))
        return
    if fmt == Format.csv:
        raise typer.BadParameter(_("show 只能输出 table 或 json"), param_hint="--format")
    fields = (("number", _("会议编号")), ("kind", _("类型")), ("title", _("会议")), ("held_on", _("日期")),
              ("place", _("地点")), ("chair", _("主持人")), ("projects", _("研究项目")), ("topics", _("议题")))
    common.out(render_fields(shown_values([row], "kind")[0], fields))
    if row["attendance"]:
        common.out("")
        common.out(render_table(shown_values(row["attendance"], "attendance"), shown_columns(ATTEND_COLUMNS), max_width=40))
    if row["previous"]:
        common.out("")
        previous = row["previous"]
        common.out(_("上次议定事项落实情况（{number} {held_on} {title}，截至 {day}）").format(
            number=previous["number"], held_on=previous["held_on"], title=previous["title"], day=row["held_on"]))
        common.out(_decision_table(row["previous_decisions"]) if row["previous_decisions"] else _("（无）"))
    common.out("")
    common.out(_("议定事项（截至 {day}）").format(day=s.today.isoformat()))
    common.out(_decision_table(row["decisions"]) if row["decisions"] else _("（无）"))


@app.command()
def agenda(
    ctx: typer.Context,
    next_: Annotated[bool, typer.Option("--next", help="The next meeting's (下次会议): the last meeting's decisions as of the as-of date.")] = False,
    kind: Annotated[Optional[str], typer.Option("--kind", help="After the last meeting of this kind (会议类型).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The next meeting's first item (上次议定事项落实情况): each decision of the last meeting held by the as-of date, 已落实 / 正在落实 / 逾期未落实 with the days.

    Example: projects --as-of 2025-10-31 meeting agenda --next --kind 周调度
    """
    from projects_cli.listings.output import render, to_json
    from projects_cli.services import meetings

    if not next_:
        raise typer.BadParameter(_("请加 --next（下次会议的议程）"), param_hint="--next")
    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        found = meetings.agenda(session, s.today, kind=kind)
    if fmt == Format.json:
        common.out(to_json(found))
        return
    if fmt == Format.csv:
        common.out(render(found["decisions"], fmt, AGENDA_COLUMNS))
        return
    prev = found["previous"]
    counts = found["counts"]
    held, today = prev["held_on"], s.today
    common.out(_("一、上次会议议定事项落实情况（{year}年{month}月{day}日{title}，{number}；截至{to_year}年{to_month}月{to_day}日）").format(
        year=held.year, month=held.month, day=held.day, title=prev["title"], number=prev["number"],
        to_year=today.year, to_month=today.month, to_day=today.day))
    common.out(_("共{n}项：已落实{done}项，正在落实{running}项，逾期未落实{late}项。").format(
        n=len(found["decisions"]), done=counts["已落实"], running=counts["正在落实"], late=counts["逾期未落实"]))
    if found["decisions"]:
        common.out(_decision_table(found["decisions"]))


@app.command()
def minutes(
    ctx: typer.Context,
    number: IdArg,
    output: OutputOpt = None,
    fmt: SheetFormatOpt = None,
    preview: PreviewOpt = False,
) -> None:
    """The minutes (会议纪要) of a meeting, numbered like every sheet: time, place, chair, attendance, the items discussed, the previous meeting's decisions and where they stood on this meeting's date, and this meeting's decisions with units and deadlines.

    Templates: minutes.txt (the office's templates folder overrides it). Formats as for `projects sheet`: docx (公文), xlsx, html, md.

    Example: projects meeting minutes HY-0001 --output 纪要.docx
    """
    from projects_cli.cli import sheet
    from projects_cli.sheets import contexts

    s = common.settings(ctx)

    def build(session, config):
        return [contexts.minutes_context(session, s.today, number)]

    sheet._run(ctx, build, "minutes", output, fmt, preview)
