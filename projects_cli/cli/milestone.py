"""`projects milestone add / done / replan / list`: a project's dated steps (节点)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format

app = typer.Typer(
    no_args_is_help=True,
    help="Milestones (节点): plan, re-plan with a reason, mark done, list with their history.",
)

CodeArg = Annotated[str, typer.Argument(help="Project code (项目编号), e.g. GX-0001.")]
KindArg = Annotated[
    str, typer.Argument(help="Milestone kind (节点): 签约 立项 土地 规划许可 施工许可 开工 主体完工 竣工 投产 达效, or your config's list.")
]
LIST_COLUMNS = (
    ("kind", N_("节点")),
    ("baseline_date", N_("基准计划")),
    ("planned_date", N_("当前计划")),
    ("actual_date", N_("实际完成")),
    ("state_label", N_("状态")),
    ("days_late", N_("逾期天数")),
    ("days_left", N_("剩余天数")),
    ("finish_delay", N_("完成偏差天数")),
    ("replans", N_("调整次数")),
    ("last_reason", N_("最近调整原因")),
)
HISTORY_COLUMNS = (("kind", N_("节点")), ("planned_date", N_("计划日期")), ("on", N_("调整日期")), ("reason", N_("原因")), ("by", N_("经办人")))


def _kinds(ctx: typer.Context) -> tuple[str, ...]:
    from projects_cli.services.milestones import configured_kinds

    return configured_kinds(common.settings(ctx).config)


def _date(value: str | None, option: str):
    return common.parse_date_option(value, option)


@app.command()
def add(
    ctx: typer.Context,
    code: CodeArg,
    kind: KindArg,
    planned: Annotated[str, typer.Option("--planned", help="Planned date (计划日期), YYYY-MM-DD; a month (2025-12) means its last day.")],
) -> None:
    """Plan a milestone (新增节点); its first plan is kept as the baseline (基准计划).

    Example: projects milestone add GX-0001 投产 --planned 2027-06-30
    """
    from projects_cli.services import milestones

    when = _date(planned, "--planned")
    with common.session(ctx) as session:
        m = milestones.add_milestone(session, common.actor(ctx), code, kind, when, kinds=_kinds(ctx))
    common.note(_("{kind} 计划于 {day}（基准计划）").format(kind=m.kind, day=m.planned_date.isoformat()))


@app.command()
def done(
    ctx: typer.Context,
    code: CodeArg,
    kind: KindArg,
    on: Annotated[Optional[str], typer.Option("--on", help="Date it was done (实际完成日期), YYYY-MM-DD. Default: the as-of date.")] = None,
) -> None:
    """Mark a milestone done (节点完成) on a date; a milestone not planned yet is recorded as done.

    Example: projects milestone done GX-0001 开工 --on 2025-10-20
    """
    from projects_cli.services import milestones

    actor = common.actor(ctx)
    when = _date(on, "--on") or actor.as_of
    with common.session(ctx) as session:
        m, previous = milestones.done_milestone(session, actor, code, kind, when, kinds=_kinds(ctx))
        planned = m.planned_date
    if previous == when:
        common.note(_("未改动：{kind} 原已于 {day} 完成").format(kind=m.kind, day=when.isoformat()))
        return
    text = _("{kind} 于 {day} 完成").format(kind=m.kind, day=when.isoformat())
    if previous is not None:
        text += _("（原为 {day}）").format(day=previous.isoformat())
    if planned is not None:
        delay = (when - planned).days
        text += (_("，晚 {n} 天").format(n=delay) if delay > 0 else _("，早 {n} 天").format(n=-delay) if delay < 0
                 else _("，按时"))
    common.note(text)


@app.command()
def replan(
    ctx: typer.Context,
    code: CodeArg,
    kind: KindArg,
    planned: Annotated[str, typer.Option("--planned", help="New planned date (调整后计划日期), YYYY-MM-DD.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the date moves (调整原因); kept in the history.")],
) -> None:
    """Re-plan a milestone (调整节点计划) with a reason; the baseline and every earlier plan are kept.

    Example: projects milestone replan GX-0001 开工 --planned 2026-03-31 --reason 土地指标延后下达
    """
    from projects_cli.services import milestones

    when = _date(planned, "--planned")
    with common.session(ctx) as session:
        m, previous = milestones.replan_milestone(session, common.actor(ctx), code, kind, when, reason,
                                                  kinds=_kinds(ctx))
        baseline = m.baseline_date
    if previous == when:
        common.note(_("未改动：{kind} 原已计划于 {day}").format(kind=m.kind, day=when.isoformat()))
        return
    common.note(_("{kind}：{previous} → {day}（基准计划 {baseline}）").format(
        kind=m.kind, previous=previous.isoformat(), day=when.isoformat(), baseline=baseline.isoformat()))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    code: CodeArg,
    history: Annotated[bool, typer.Option("--history", help="List every plan (计划调整记录) with its date and reason.")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """List a project's milestones (节点清单) in chain order, with their state at the as-of date.

    Example: projects milestone list GX-0001 --history
    """
    from projects_cli.listings.output import render, shown_columns, shown_values
    from projects_cli.services import milestones

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        rows = milestones.list_milestones(session, code, s.today, int(s.rules.get("overdue.due_soon_days")))
    for row in rows:
        reasons = [p["reason"] for p in row["plans"][1:] if p["reason"]]
        row["last_reason"] = reasons[-1] if reasons else None
    if history and fmt != Format.json:
        plans = [dict(p, kind=row["kind"]) for row in rows for p in row["plans"]]
        common.out(render(plans, fmt, shown_columns(HISTORY_COLUMNS, fmt)))
        return
    if fmt == Format.table:  # the state in the interface's language (a file keeps the office's words)
        rows = shown_values(rows, "state_label")
    common.out(render(rows, fmt, shown_columns(LIST_COLUMNS, fmt), optional=("replans", "finish_delay", "baseline_date")))
    if fmt == Format.table and not rows:
        common.note(_("{code} 还没有节点；添加：projects milestone add {code} 开工 --planned 日期").format(code=code.strip()))
