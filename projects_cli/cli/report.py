"""`projects countdown` and `projects overdue`: the Monday reports (开工倒计时, 逾期)."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format, ReportFormat
from projects_cli.vocab import NO_UNIT

# `overdue --fail-if-any` found overdue items (for scheduled jobs); 1 and 2 stay errors and usage errors.
EXIT_OVERDUE = 3

COUNTDOWN_COLUMNS = (
    ("days_left", N_("剩余天数")),
    ("planned", N_("计划日期")),
    ("item", N_("节点/事项")),
    ("code", N_("项目编号")),
    ("name", N_("项目名称")),
    ("unit", N_("责任单位")),
    ("leader", N_("包保领导")),
    ("status", N_("状态")),
)
OVERDUE_COLUMNS = (
    ("unit", N_("责任单位")),
    ("leader", N_("包保领导")),
    ("code", N_("项目编号")),
    ("name", N_("项目名称")),
    ("item", N_("逾期事项")),
    ("planned", N_("计划/期限")),
    ("days_late", N_("逾期天数")),
    ("tier", N_("逾期等级")),
    ("level", N_("督办级别")),
    ("rate", N_("投资完成率%")),
    ("behind", N_("落后序时")),
    ("new", N_("新增")),
)
DUE_SOON_COLUMNS = (
    ("planned", N_("计划/期限")),
    ("days_left", N_("剩余天数")),
    ("unit", N_("责任单位")),
    ("leader", N_("包保领导")),
    ("code", N_("项目编号")),
    ("name", N_("项目名称")),
    ("item", N_("事项")),
)
CSV_COLUMNS = (
    ("section", "部分"),
    ("type", "类型"),
    ("unit", "责任单位"),
    ("leader", "包保领导"),
    ("code", "项目编号"),
    ("name", "项目名称"),
    ("item", "事项"),
    ("issue", "问题编号"),
    ("level", "督办级别"),
    ("planned", "计划日期"),
    ("days_late", "逾期天数"),
    ("days_left", "剩余天数"),
    ("tier", "逾期程度"),
    ("new", "本周新增"),
    ("rate", "投资完成率"),
    ("behind", "落后序时"),
)
UnitOpt = Annotated[Optional[str], typer.Option("--unit", help="Only this responsible unit (责任单位).")]
LeaderOpt = Annotated[Optional[str], typer.Option("--leader", help="Only this leader (包保领导).")]
ChainOpt = Annotated[Optional[str], typer.Option("--chain", help="Only this industry chain (产业链).")]


def _filters(session, ctx: typer.Context, unit: str | None, leader: str | None, chain: str | None):
    return common.filters(session, ctx, chain=chain, unit=unit, leader=leader)


# what a terminal too narrow for the whole report leaves out first (`--wide` shows them; files keep them)
OPTIONAL = ("level", "behind", "rate", "new", "status", "tier")


def _section(title: str, rows: list[dict[str, Any]], columns) -> str:
    """A titled terminal table, its items, tiers, levels and statuses in the interface's language."""
    from projects_cli.listings.output import render_table, shown_columns, shown_values
    from projects_cli.services.report import shown_item

    if not rows:
        return f"{title}\n" + _("（无）")
    shown = [dict(r, item=shown_item(r["item"])) if "item" in r else r for r in shown_values(rows, "tier", "level", "status")]
    return f"{title}\n{render_table(shown, shown_columns(columns), optional=OPTIONAL)}"


def _grouped(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with a unit or leader equal to the row above blanked, so the groups stand out."""

    out, last = [], (object(), object())
    for row in rows:
        unit = row["unit"] or NO_UNIT
        shown = dict(row, unit=unit if unit != last[0] else "", new=_("新增") if row["new"] else "")
        if (unit, row["leader"]) == last:
            shown["leader"] = ""
        last = (unit, row["leader"])
        out.append(shown)
    return out


def countdown(
    ctx: typer.Context,
    within: Annotated[Optional[int], typer.Option("--within", min=0, max=common.MOST_DAYS, help="Only items due within this many days (含逾期: overdue ones are negative).")] = None,
    unit: UnitOpt = None,
    leader: LeaderOpt = None,
    chain: ChainOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """Countdown (倒计时): each project's next open milestone and the days left, soonest first.

    Projects not yet started count down to their start (开工倒计时) and come
    first; negative days are overdue. Pending look-backs (回头看) of closed
    problems are listed too.

    Example: projects countdown --within 30
    """
    from projects_cli.listings.output import render
    from projects_cli.services import report

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        rows = report.countdown(session, s.today, within=within, filters=_filters(session, ctx, unit, leader, chain))
    if fmt != Format.table:
        common.out(render(rows, fmt, (*COUNTDOWN_COLUMNS, ("start", N_("开工倒计时")))))
        return
    start = [r for r in rows if r["start"]]
    rest = [r for r in rows if not r["start"]]
    common.out(_section(_("开工倒计时（截至 {as_of}）：{n}").format(as_of=s.today.isoformat(), n=len(start)), start,
                        COUNTDOWN_COLUMNS))
    common.out("")
    common.out(_section(_("下一节点：{n}").format(n=len(rest)), rest, COUNTDOWN_COLUMNS))


# what `overdue --output` writes, by the file's extension (.txt: the table as on the terminal)
REPORT_EXTENSIONS = {".xlsx": ReportFormat.xlsx, ".csv": ReportFormat.csv, ".json": ReportFormat.json,
                     ".txt": ReportFormat.table}


def _overdue_table(data: dict[str, Any]) -> str:
    totals = data["totals"]
    tiers = " · ".join(f"{_(name)} {count}" for name, count in totals["by_tier"].items())
    head = (
        _("截至 {as_of} 逾期：{n}（{tiers}）").format(as_of=data['as_of'].isoformat(), n=totals['overdue'], tiers=tiers)
        + "\n" + _("{since} 以来本周新增：{new} · {due_by} 前即将到期：{due}").format(
            since=data['since'].isoformat(), new=totals['new'], due_by=data['due_by'].isoformat(), due=totals['due_soon'])
    )
    unit_rows = [dict(u, unit=u["unit"] or NO_UNIT, **u["by_tier"]) for u in data["by_unit"]]
    unit_columns = (("unit", N_("责任单位")), ("overdue", N_("逾期")), *((t, t) for t in data["tiers"]),
                    ("new", N_("新增")), ("due_soon", N_("即将到期")), ("max_days_late", N_("最长逾期天数")))
    parts = [
        head,
        "",
        _section(_("按责任单位"), unit_rows, unit_columns),
        "",
        _section(_("逾期清单（按责任单位、包保领导）"), _grouped(data["overdue"]), OVERDUE_COLUMNS),
        "",
        _section(_("本周新增（{since} 以来）").format(since=data['since'].isoformat()), _grouped(data["new_since"]),
                 OVERDUE_COLUMNS),
        "",
        _section(_("即将到期（{days} 天内，{due_by} 前）").format(days=data['horizon'], due_by=data['due_by'].isoformat()),
                 data["due_soon"], DUE_SOON_COLUMNS),
    ]
    return "\n".join(parts)


def _overdue_json(data: dict[str, Any]) -> Iterator[str]:
    """The report as JSON, piece by piece: the summary indented, each row of a section on one line.

    Still one JSON document with stable keys; rows are encoded by
    `output.json_lines` (each distinct part of a row once).
    """
    import json

    from projects_cli.listings.output import json_default, json_lines

    dump = json.JSONEncoder(ensure_ascii=False, default=json_default).encode
    yield "{"
    for n, (key, value) in enumerate(data.items()):
        yield f"{',' if n else ''}\n  {dump(key)}: "
        if key in ("overdue", "new_since", "due_soon", "by_unit") and len(value):
            yield "[\n    "
            lines = json_lines(value)
            # a few thousand lines a piece: little memory, few writes
            while chunk := list(islice(lines, 5000)):
                yield ",\n    ".join(chunk)
                yield ",\n    " if len(chunk) == 5000 else ""
            yield "\n  ]"
        else:
            yield dump(value)
    yield "\n}"


def _overdue_csv(data: dict[str, Any]) -> str:
    from projects_cli.listings.output import CSV_HEADERS, render_csv

    rows = [dict(r, section="overdue") for r in data["overdue"]] + [dict(r, section="due_soon") for r in data["due_soon"]]
    if CSV_HEADERS.get() != "en":  # a sheet for people: the section and the kind of item in words too
        from projects_cli.services.report import TYPE_LABELS

        words = {"overdue": "逾期", "due_soon": "即将到期", **TYPE_LABELS}
        rows = [dict(r, section=words[r["section"]], type=words.get(r.get("type"), r.get("type"))) for r in rows]
    return render_csv(rows, CSV_COLUMNS).rstrip("\n")


def overdue(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="New since this date (本周新增的起算日), YYYY-MM-DD. Default: the as-of date minus 7 days.")] = None,
    horizon: Annotated[Optional[int], typer.Option("--horizon", min=0, max=common.MOST_DAYS, help="Due soon (即将到期) within this many days. Default: the rules file's overdue.due_soon_days (14).")] = None,
    unit: UnitOpt = None,
    leader: LeaderOpt = None,
    chain: ChainOpt = None,
    min_days: Annotated[int, typer.Option("--min-days", min=0, max=common.MOST_DAYS, help="Only items at least this many days late (逾期天数).")] = 0,
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="Output format: table, json, csv or xlsx. Default: from --output's extension, else table.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (输出文件) instead of stdout; needed for xlsx.", dir_okay=False)] = None,
    fail_if_any: Annotated[bool, typer.Option("--fail-if-any", help=f"Exit with code {EXIT_OVERDUE} when anything is overdue (for scheduled jobs).")] = False,
) -> None:
    """The overdue report (逾期通报): milestones past their planned date, problems past their deadline,
    look-backs (回头看) past their date, investment leads (招商线索) past their follow-up date, grouped by
    responsible unit (责任单位) then leader (包保领导), with days late, severity tier, the project's investment gap to 序时进度, what is new since last
    week, and what falls due soon.

    Example: projects --as-of 2025-10-31 overdue --format xlsx --output 逾期通报.xlsx
    """
    from projects_cli.services import report

    s = common.settings(ctx)
    fmt = common.output_format(output, fmt, REPORT_EXTENSIONS, ReportFormat.table)
    if fmt == ReportFormat.xlsx and output is None:
        raise typer.BadParameter(_("Excel 工作簿需要写到文件：请加 --output 文件.xlsx"), param_hint="--format")
    since_date = common.parse_date_option(since, "--since")
    rules = s.rules
    with common.session(ctx, write=False) as session:
        data = report.overdue(
            session,
            s.today,
            tiers=rules.get("overdue.tiers"),
            since=since_date,
            horizon=int(rules.get("overdue.due_soon_days")) if horizon is None else horizon,
            min_days=min_days,
            filters=_filters(session, ctx, unit, leader, chain),
            follow_days=int(rules.get("leads.follow_days")),
        )
    data["rules_version"] = rules.version
    if fmt == ReportFormat.xlsx:
        from projects_cli.workbooks.overdue_report import overdue_workbook
        from projects_cli.writes import save_workbook

        save_workbook(overdue_workbook(data), output)
        common.note(_("已写出 {path}").format(path=output))
    elif fmt == ReportFormat.json:
        common.write_pieces(_overdue_json(data), output)
    elif fmt == ReportFormat.csv:
        common.write_output(_overdue_csv(data), output)
    else:
        common.write_output(_overdue_table(data), output)
    totals = data["totals"]
    if fmt != ReportFormat.table or output is not None:
        common.note(_("逾期 {overdue} 项，{since} 以来新增 {new} 项，即将到期 {soon} 项").format(
            overdue=totals["overdue"], new=totals["new"], since=data["since"].isoformat(), soon=totals["due_soon"]))
    if fail_if_any and totals["overdue"]:
        raise typer.Exit(EXIT_OVERDUE)
