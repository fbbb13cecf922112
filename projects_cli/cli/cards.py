"""`projects cards …` (红黄蓝牌) and `projects flag` (流动红旗)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format, shown_columns, shown_values
from projects_cli.vocab import CardColor

app = typer.Typer(help="Red, yellow and blue cards (红黄蓝牌): rate, set by hand, list, explain, report.", no_args_is_help=True)

PeriodOpt = Annotated[
    Optional[str],
    typer.Option("--period", help="Rating period (评价周期): a month 2025-10 (2025年10月) or a week 2025-W43 (2025年第43周). Default: the as-of date's."),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)]

LIST_COLUMNS = (
    ("card", N_("牌色")),
    ("unit", N_("责任单位")),
    ("code", N_("项目编号")),
    ("name", N_("项目名称")),
    ("chain", N_("产业链")),
    ("reasons", N_("亮牌原因")),
    ("manual_note", N_("人工设牌")),
)
HISTORY_COLUMNS = (
    ("period", N_("周期")),
    ("card", N_("牌色")),
    ("kind", N_("来源")),
    ("reasons", N_("原因")),
    ("set_by", N_("设定人")),
    ("until", N_("有效期至")),
    ("rules_version", N_("规则版本")),
)
FLAG_COLUMNS = (
    ("rank", N_("名次")),
    ("unit", N_("责任单位")),
    ("score", N_("得分")),
    ("investment_share", N_("投资完成")),
    ("milestones_share", N_("节点按期")),
    ("issues_share", N_("问题按期办结")),
    ("ledger_share", N_("台账按时报送")),
    ("attendance_share", N_("参会")),  # only when the rules weigh attendance (rules.scoring.OPTIONAL)
    ("result", N_("结果")),
)


def _card_zh(color: str | None) -> str:
    return CardColor(color).zh if color else _("无")


def _period(ctx: typer.Context, period: Optional[str], *, rating: bool = True):
    from projects_cli.services.cards import check_period, resolve

    s = common.settings(ctx)
    if period is not None and not rating:  # a manual card may be set for a period ahead
        return check_period(period), s.today
    # a --period is judged as of its last day, or an earlier --as-of (暂评), never on later facts
    return resolve(s.today, period, s.rules.get("period.kind"))


@app.command()
def rate(ctx: typer.Context, period: PeriodOpt = None) -> None:
    """Rate every active project for a period (评牌) as of the period's last day, or an earlier --as-of
    (暂评, provisional: the period has not ended); never on later facts. Re-rating replaces it.

    Example: projects cards rate --period 2025-10
    """
    from projects_cli.services import cards

    s = common.settings(ctx)
    per, as_of = _period(ctx, period)
    with common.session(ctx) as session:
        result = cards.rate_period(session, common.actor(ctx), s.rules, per, as_of)
    counts = result["counts"]
    common.out(
        _("{period}（截至 {day}{provisional}）：红牌 {red}，黄牌 {yellow}，蓝牌 {blue}  [规则 {rules}]").format(
            period=per, day=as_of, provisional=_("，") + _(cards.PROVISIONAL) if result["provisional"] else "",
            red=counts["red"], yellow=counts["yellow"], blue=counts["blue"], rules=result["rules_version"])
    )
    if result["replaced"]:
        if result["changed"]:
            common.out(_("重新评牌，{n} 个项目牌色变化：").format(n=len(result["changed"])))
            for c in result["changed"]:
                common.out(f"  {c['code']}: {_card_zh(c['old'])} → {_card_zh(c['new'])}")
        else:
            common.out(_("重新评牌，牌色无变化"))
    ch = result["changes"]
    common.out(_("较上期：新增红牌 {red}，新增黄牌 {yellow}，好转 {improved}").format(
        red=len(ch["newly_red"]), yellow=len(ch["newly_yellow"]), improved=len(ch["improved"])))


@app.command("set")
def set_card(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Project code (项目编号).")],
    color: Annotated[str, typer.Option("--color", help="Card colour (牌色): red, yellow or blue (红牌/红, 黄牌/黄, 蓝牌/蓝).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (原因); printed on the notices.")],
    until: Annotated[
        Optional[str], typer.Option("--until", help="In force until (有效期至), YYYY-MM-DD. Default: until replaced.",
                                    callback=common.date_callback)
    ] = None,
    period: PeriodOpt = None,
) -> None:
    """Set a card by hand (人工设牌), with the reason and who set it; kept apart from the computed card.

    Example: projects cards set GX-0004 --color red --reason 约谈后仍未整改 --until 2025-12-31
    """
    from projects_cli.services import cards

    per, _rating = _period(ctx, period, rating=False)
    with common.session(ctx) as session:
        card = cards.set_manual(session, common.actor(ctx), code, common.pick(color, CardColor, (_("牌色"), "card colour")),
                                reason, until, per)
        text = (_("{code}：人工{card}（{period}）").format(code=code, card=_card_zh(card.color), period=per)
                + (_("，有效期至 {day}").format(day=card.until) if card.until else ""))
    common.note(text)


def _rows_for_output(rows: list[dict[str, Any]], labels) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        r = dict(r)
        r["card"] = labels(r["color"]) + (_("（人工）") if r.get("manual") else "") + (_("（暂评）") if r.get("provisional") else "")
        if r.get("manual"):
            r["manual_note"] = _("{card}：{reason}（{by}）").format(card=labels(r["manual"]), reason=r["manual_reason"],
                                                                  by=r["manual_by"])
        out.append(r)
    return out


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    period: PeriodOpt = None,
    color: Annotated[Optional[str], typer.Option("--color", help="Only this colour (牌色): red, yellow or blue (红牌/红, 黄牌/黄, 蓝牌/蓝).")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Responsible unit (责任单位).")] = None,
    chain: Annotated[Optional[str], typer.Option(help="Industry chain (产业链).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the period's cards (牌色清单), worst first, with the change against the previous period.

    Example: projects cards list --period 2025-10 --color red
    """
    from projects_cli.listings.output import render, to_json
    from projects_cli.services import cards

    s = common.settings(ctx)
    per, _rating = _period(ctx, period)
    with common.session(ctx, write=False) as session:
        filters = common.filters(session, ctx, chain=chain, unit=unit)
        rows = cards.list_cards(session, per, filters, common.pick(color, CardColor, (_("牌色"), "card colour")),
                                on_record=s.today)
        change = cards.period_changes(session, per, filters, on_record=s.today)
    rows = _rows_for_output(rows, lambda c: cards.label(c, s.rules))
    if fmt == Format.json:
        common.out(to_json({"period": per, "cards": [{k: v for k, v in r.items() if k not in ("card", "manual_note")}
                                                      for r in rows], "changes": change}))
        return
    common.out(render(shown_values(rows, "card") if fmt == Format.table else rows, fmt, shown_columns(LIST_COLUMNS, fmt)))
    if fmt == Format.table:
        none, sep = _("无"), _("、")
        common.note(
            _("{period}{mark}：{n} 个项目。较上期 新增红牌 {red}；新增黄牌 {yellow}；好转 {improved}").format(
                period=per, mark=_("（暂评）") if any(r.get("provisional") for r in rows) else "", n=len(rows),
                red=sep.join(change["newly_red"]) or none, yellow=sep.join(change["newly_yellow"]) or none,
                improved=sep.join(change["improved"]) or none)
        )


@app.command()
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Project code (项目编号).")],
    fmt: FormatOpt = Format.table,
) -> None:
    """A project's card history (牌色记录), period by period, with every reason.

    Example: projects cards show GX-0004
    """
    from projects_cli.listings.output import render
    from projects_cli.services import cards

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        rows = cards.history(session, code)
    for r in rows:
        r["card"] = cards.label(r["color"], s.rules)
        r["kind"] = (_("人工") if r["manual"] else _("规则")) + (_("·暂评") if r.get("provisional") else "")
    common.out(render(rows, fmt, shown_columns(HISTORY_COLUMNS, fmt)))


@app.command()
def report(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The workbook to write (.xlsx).", dir_okay=False)],
    period: PeriodOpt = None,
    unit: Annotated[Optional[str], typer.Option(help="Responsible unit (责任单位).")] = None,
    chain: Annotated[Optional[str], typer.Option(help="Industry chain (产业链).")] = None,
) -> None:
    """Write the cards report workbook (红黄蓝牌通报表): cards grouped by colour, counts by unit and chain, a chart.

    Example: projects cards report --period 2025-10 --output 红黄蓝牌-2025-10.xlsx
    """
    from projects_cli.services import cards
    from projects_cli.workbooks.cards_report import write_report

    s = common.settings(ctx)
    common.output_format(output, None, {".xlsx": "xlsx"}, "xlsx", bare=False)  # refuses an output over an input too
    per, _rating = _period(ctx, period)
    with common.session(ctx, write=False) as session:
        filters = common.filters(session, ctx, chain=chain, unit=unit)
        rows = cards.list_cards(session, per, filters, on_record=s.today)
        cards.require_cards(rows, per)
        change = cards.period_changes(session, per, filters, on_record=s.today)
    write_report(output, per, rows, change, s.rules)
    common.note(_("已写出 {path}").format(path=output))


def flag(
    ctx: typer.Context,
    period: PeriodOpt = None,
    show_history: Annotated[bool, typer.Option("--history", help="Each unit's rank and score, period by period (历史).")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Score the responsible units (流动红旗评比), award the flag to the best and list the last for a talk (约谈).

    Scores are kept, so `--history` shows each unit's trend.

    Example: projects flag --period 2025-10
    """
    from projects_cli.listings.output import render, to_json
    from projects_cli.services import flag as flag_mod

    s = common.settings(ctx)
    if show_history:
        with common.session(ctx, write=False) as session:
            rows = flag_mod.history(session)
        if fmt == Format.table:
            periods, table = flag_mod.trend(rows)
            common.out(render(table, fmt, [("unit", _("责任单位")), *[(p, p) for p in periods]]))
        else:
            common.out(render(rows, fmt, [(k, k) for k in ("period", "unit", "score", "rank", "flag", "bottom")]))
        return
    per, as_of = _period(ctx, period)
    with common.session(ctx) as session:
        rows = flag_mod.score_period(session, common.actor(ctx), s.rules, per, as_of)
    for r in rows:
        r["result"] = (_("流动红旗") if r["flag"] else (_("约谈") if r["bottom"] else "")) + (_("（暂评）") if r["provisional"] else "")
    if fmt == Format.json:
        common.out(to_json(rows))
        return
    weighed = any("attendance_share" in r for r in rows)  # attendance is shown when the rules weigh it
    common.out(render(rows, fmt, shown_columns([c for c in FLAG_COLUMNS if c[0] != "attendance_share" or weighed], fmt)))
    if fmt == Format.table:
        winners = [r["unit"] for r in rows if r["flag"]]
        bottom = [r["unit"] for r in rows if r["bottom"]]
        mark = _("（暂评）") if any(r["provisional"] for r in rows) else ""
        common.note(_("{period}{mark}：流动红旗 {winners}；约谈 {bottom}").format(
            period=per, mark=mark, winners=_("、").join(winners) or _("无"), bottom=_("、").join(bottom) or _("无")))
