"""`projects invest record / plan / show`: monthly completed investment and the annual plan (投资)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format

app = typer.Typer(
    no_args_is_help=True,
    help="Investment (投资): the month's completed amount, the annual plan, year-to-date against 序时进度.",
)

CodeArg = Annotated[str, typer.Argument(help="Project code (项目编号), e.g. GX-0001.")]
MONTH_COLUMNS = (("month", N_("月份")), ("amount", N_("当月完成（万元）")), ("cumulative", N_("累计完成（万元）")), ("source", N_("来源")))
LIST_COLUMNS = (
    ("code", N_("项目编号")),
    ("name", N_("项目名称")),
    ("unit", N_("责任单位")),
    ("plan", N_("年度计划（万元）")),
    ("completed", N_("累计完成（万元）")),
    ("rate", N_("完成率%")),
    ("expected", N_("序时进度%")),
    ("behind", N_("落后序时（百分点）")),
)


def _amount(value: str, option: str):
    from projects_cli.values import ValueProblem, parse_amount

    try:
        amount = parse_amount(value)
    except ValueProblem as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None
    if amount is None:
        raise typer.BadParameter(_("{value!r} 不是金额；请以万元填写，例如 1200 或 1.2亿元").format(value=value), param_hint=option)
    return amount


@app.command()
def record(
    ctx: typer.Context,
    code: CodeArg,
    month: Annotated[str, typer.Option("--month", help="Month (月份), YYYY-MM, e.g. 2025-10.")],
    amount: Annotated[str, typer.Option("--amount", help="Investment completed that month (当月完成投资), 万元; 1.2亿元 is read too.")],
    source: Annotated[Optional[str], typer.Option("--source", help="Where the figure comes from (来源), e.g. 统计局月报.")] = None,
) -> None:
    """Record the investment a project completed in a month (录入月度完成投资); again for the same month replaces it
    and shows the old figure.

    Warns (警告, on stderr; the figure is still recorded) when the month, or the year to date, is more than
    the total investment or 1.5 times the annual plan (config.toml [investment] warn_total_factor,
    warn_plan_factor).

    Example: projects invest record GX-0001 --month 2025-10 --amount 1200
    """
    from projects_cli.listings.output import format_decimal
    from projects_cli.services import investment

    value = _amount(amount, "--amount")
    factors = common.settings(ctx).section("investment")
    with common.session(ctx) as session:
        done = investment.record_month(session, common.actor(ctx), code, month, value, source, **factors)
    shown = format_decimal(value)
    if not done.changed:
        common.note(_("未改动：{month} 原已是 {amount} 万元").format(month=month, amount=shown))
        return
    if done.old is None:
        common.note(_("已记录 {month} 完成投资 {amount} 万元").format(month=month, amount=shown))
    else:
        common.note(_("{code} {month}：原值 {old} 万元 → 新值 {amount} 万元").format(
            code=done.project.code, month=month, old=format_decimal(done.old), amount=shown))
    for warning in done.warnings:
        common.note(_("警告：{code} {warning}，请核对金额单位（万元）、月份和项目").format(code=done.project.code, warning=warning))


@app.command()
def plan(
    ctx: typer.Context,
    code: CodeArg,
    amount: Annotated[str, typer.Option("--amount", help="Annual plan investment (年度计划投资), 万元.")],
    year: Annotated[Optional[int], typer.Option("--year", min=common.FIRST_YEAR, max=common.LAST_YEAR, help="Plan year (计划年度). Default: the as-of year.")] = None,
) -> None:
    """Set a project's annual plan investment (年度计划投资) for a year.

    Example: projects invest plan GX-0001 --year 2025 --amount 3.6亿元
    """
    from projects_cli.services import investment

    value = _amount(amount, "--amount")
    actor = common.actor(ctx)
    with common.session(ctx) as session:
        investment.set_plan(session, actor, code, year or actor.as_of.year, value)
    common.note(_("{year} 年度计划投资：{amount} 万元").format(year=year or actor.as_of.year, amount=value))


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[Optional[str], typer.Argument(help="Project code (项目编号); leave out to list every project.")] = None,
    year: Annotated[Optional[int], typer.Option("--year", min=common.FIRST_YEAR, max=common.LAST_YEAR, help="Year (年度). Default: the as-of year.")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Without CODE: only this responsible unit (责任单位).")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="Without CODE: only this leader (包保领导).")] = None,
    chain: Annotated[Optional[str], typer.Option("--chain", help="Without CODE: only this industry chain (产业链).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """Show year-to-date investment (累计完成投资) against the annual plan and 序时进度, month by month;
    without a code, every project, most behind first.

    Example: projects invest show GX-0001 --year 2025
    """
    from projects_cli.listings.output import cell_text, render, shown_columns, to_json
    from projects_cli.services import investment

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        if code is None:
            if year not in (None, s.today.year):
                raise typer.BadParameter(_("不给项目编号时只列统计截止日期所在年度；请用 --as-of"), param_hint="--year")
            filters = common.filters(session, ctx, chain=chain, unit=unit, leader=leader)
            rows = investment.list_investment(session, s.today, filters)
            common.out(render(rows, fmt, shown_columns(LIST_COLUMNS, fmt)))
            return
        data = investment.show_investment(session, code, s.today, year)
    if fmt == Format.json:
        common.out(to_json(data))
        return
    common.out(render(data["months"], fmt, shown_columns(MONTH_COLUMNS, fmt)))
    if fmt == Format.table:
        summary = _("{code} {name} {year}年：计划 {plan} 万元，累计完成 {completed} 万元").format(
            code=data["code"], name=data["name"], year=data["year"], plan=cell_text(data["plan"]) or "—",
            completed=cell_text(data["completed"]))
        if data["rate"] is not None:
            behind = data["behind"]
            lag = (_("落后序时 {n} 个百分点").format(n=behind) if behind > 0
                   else _("超序时 {n} 个百分点").format(n=-behind) if behind < 0 else _("与序时持平"))
            summary += _("，完成率 {rate}%，序时进度 {expected}%，{lag}").format(rate=data["rate"], expected=data["expected"], lag=lag)
        common.note(summary)
