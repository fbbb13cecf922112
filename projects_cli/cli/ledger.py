"""`projects ledger import / export`: Excel ledgers (台账) in and out."""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _, ngettext
from projects_cli.listings.output import Format, shown_columns

app = typer.Typer(
    no_args_is_help=True,
    help="Excel ledgers (台账): import the ledgers units send, export the ledger the office files, dispatch each unit its fill-in workbook (派工单).",
)

SHOWN_PROBLEMS = 50  # problem lines printed; the rest are in --errors FILE
_MONTH = re.compile(r"^(19[9]\d|20\d\d|2100)-(0[1-9]|1[0-2])$")  # --month YYYY-MM
CHANGE_COLUMNS = (("row", N_("行")), ("action", N_("操作")), ("code", N_("项目编号")), ("name", N_("项目名称")), ("header", N_("栏目")),
                  ("old", N_("原值")), ("new", N_("新值")))
ACTIONS = {"add": "新增", "change": "修改", "refused": "不予导入"}
SKIPPED_KINDS = {"total": _("合计行"), "section": _("分组行"), "note": _("注释行"), "template": _("模板行")}
SHOWN_SKIPPED = 20  # rows not read as projects named on the summary line


class GroupBy(str, Enum):
    chain = "chain"
    unit = "unit"
    none = "none"


class Paper(str, Enum):
    auto = "auto"
    A3 = "A3"
    A4 = "A4"


def _progress():
    """The command's progress line (a terminal only), the importer's and exporter's ``progress`` callback."""
    from projects_cli.cli.progress import current

    return current()


def _report(result, errors_file: Path | None, source: Path, limits, *, asked: bool = False) -> None:
    """The problems (at most SHOWN_PROBLEMS lines), the changes to confirm (unless just asked), the rows and
    columns not read, and the --errors workbook."""
    for problem in result.problems[:SHOWN_PROBLEMS]:
        common.note(problem.describe())
    hidden = len(result.problems) - SHOWN_PROBLEMS
    if hidden > 0:
        common.note(_("… 另有 {n} 个问题").format(n=hidden) + ("" if errors_file else _("；--errors 文件.xlsx 可列出全部")))
    confirm = getattr(result, "to_confirm", [])
    if confirm and not asked:
        _list_confirm(confirm, done=result.written)
    skipped = getattr(result, "skipped_rows", [])
    if skipped:
        shown = _("；").join(_("第 {row} 行{kind}").format(row=s.row, kind=SKIPPED_KINDS.get(s.kind, s.kind))
                            + (f" {s.text}" if s.text else "") for s in skipped[:SHOWN_SKIPPED])
        more = _("；… 另有 {n} 行").format(n=len(skipped) - SHOWN_SKIPPED) if len(skipped) > SHOWN_SKIPPED else ""
        common.note(_("未作为项目读入的行：{rows}{more}").format(rows=shown, more=more))
    if result.unused_columns:
        common.note(_("未识别的列：{columns}").format(columns=_("；").join(result.unused_columns)))
    if getattr(result, "converted", None):
        common.note(_("外币折算为万元：{amounts}").format(amounts=_("；").join(result.converted.values())))
    if getattr(result, "other_sheets", None):
        common.note(_("其他工作表也有台账，未读：{sheets}；--sheet all 全部导入，--sheet 名称 导入另一张").format(
            sheets=_("、").join(result.other_sheets)))
    parts = [p for p in getattr(result, "parts", []) if p.problems] or [result]
    for part in parts:
        listed = [p for p in part.problems if p.sheet == part.sheet]  # a returned 派工单's 节点 sheet has its own rows
        if errors_file is not None and listed:
            from projects_cli.ledger.errorbook import write_error_workbook

            dest = errors_file if len(parts) == 1 else errors_file.with_stem(f"{errors_file.stem}-{part.sheet}")
            rows = write_error_workbook(dest, source, part.sheet, part.header_rows, listed, limits)
            common.note(_("已写出 {path}：{rows} 行有问题，问题单元格已标色并加批注").format(path=dest, rows=rows))


def _list_confirm(confirm, *, done: bool = False) -> None:
    for item in confirm[:SHOWN_PROBLEMS]:
        common.note(item.describe(confirmed=done))
    if len(confirm) > SHOWN_PROBLEMS:
        common.note(_("… 另有 {n} 处对已完成节点的修改").format(n=len(confirm) - SHOWN_PROBLEMS))


def _counts(result) -> str:
    counts = result.counts()
    text = _("新增 {added}，修改 {changed}，未变 {unchanged}").format(
        added=counts["added"], changed=counts["changed"], unchanged=counts["unchanged"])
    return text + (_("，拒收 {refused}").format(refused=counts["refused"]) if counts["refused"] else "")


def _change_lines(result) -> list[dict[str, Any]]:
    """The dry run's table: one line per value a row changes (栏目, 原值 → 新值); a refused row on one line."""
    lines = []
    for part in result.parts or [result]:  # --sheet all: each sheet's rows refused by its own problems
        refused = {p.row for p in part.errors}
        for change in part.changes:
            if change.action == "unchanged":
                continue
            head = {"row": change.row, "code": change.code or "（新）", "name": change.name}
            if change.row in refused:
                lines.append({**head, "action": ACTIONS["refused"], "header": "", "old": "", "new": ""})
                continue
            for detail in change.details:
                shown = detail.as_dict()
                lines.append({**head, "action": ACTIONS.get(change.action, change.action), "header": detail.header,
                              "old": "" if shown["old"] is None else shown["old"], "new": shown["new"]})
    return lines


def _dry_run_json(result) -> dict[str, Any]:
    changes = []
    for part in result.parts or [result]:  # --sheet all: each change names its sheet
        refused = {p.row for p in part.errors}
        changes += [{**({"sheet": part.sheet} if result.parts else {}), **c.as_dict(),
                     "action": "refused" if c.row in refused else c.action}
                    for c in part.changes if c.action != "unchanged"]
    return {
        "file": result.file, "sheet": result.sheet, "header_rows": list(result.header_rows),
        "counts": result.counts(),
        "changes": changes,
        "to_confirm": [c.as_dict() for c in result.to_confirm],
        "skipped_rows": [{"row": s.row, "kind": s.kind, "text": s.text} for s in result.skipped_rows],
        "unused_columns": result.unused_columns,
        "other_sheets": result.other_sheets,
        "converted": result.converted,  # field → the rate its foreign-currency figures were read at
        "problems": [p.as_dict() for p in result.problems],
    }


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The ledger (台账): .xlsx, .xls or .csv.", dir_okay=False)],
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="The sheet (工作表) to read. Default: the first with a ledger header; all: every sheet with one, in one go (all or nothing).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and show what would be added and changed (预检); write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings (unknown chain, a new unit under --create-units, 待定 dates) as errors (严格模式).")] = False,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="Write the rows with problems to this .xlsx (问题行), bad cells highlighted and commented, for the unit to fix and resend.", dir_okay=False)] = None,
    from_unit: Annotated[Optional[str], typer.Option("--from-unit", help="The responsible unit (责任单位) that sent the ledger: it may change only its own projects.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Format of the --dry-run change list: table (栏目, 原值, 新值), json (counts, changes, rows skipped, problems) or csv.")] = Format.table,
    month: Annotated[Optional[str], typer.Option("--month", help="The month the ledger reports (YYYY-MM, 填报月份), for a ledger that names none: its completed investment and 当月完成投资 are that month's.")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Write changes to done milestones (已完成节点的实际日期或计划) without asking, for scripts. Without it a terminal asks; otherwise they are refused.")] = False,
    create_units: Annotated[bool, typer.Option("--create-units", help="Add the responsible units (责任单位) the ledger names that are not in the registry; without it such rows are refused.")] = False,
) -> None:
    """Import a ledger (导入台账): check every row, then add and update projects in one go, or change nothing.

    Rows match projects by code (项目编号), else by exact name; new rows become
    new projects. A blank cell never erases what the registry holds. Any error
    (a bad amount or date, a missing name, completed above total …) is listed
    with its sheet, Excel row and column, and nothing is written (exit code 1).
    A change to a milestone already done (its actual date, or a re-plan) is
    listed and written only when confirmed (--yes; --strict refuses it).
    A responsible unit not in the registry is an error naming its rows unless
    --create-units.

    A ledger of one row per project per month (a 月份 column, the 调度 export)
    gives each row's figure to its month; a project's other fields must agree
    across its rows. Amounts in another currency (万美元, 万欧元 …) are read at
    the config file's [ledger.rates] ("美元" = 7.1), else refused.

    A returned 派工单 (see `ledger dispatch`) is recognised by itself and only
    what the unit changed is applied; rows with altered locked cells, rows the
    office changed meanwhile and rows of another unit are listed and not
    applied (exit code 4; with --strict nothing is written).

    Example: projects ledger import 经济发展局10月台账.xlsx --dry-run --errors 问题行.xlsx
    """
    from projects_cli.ledger.reader import Limits, preload

    if errors is not None:
        common.output_format(errors, None, {".xlsx": "xlsx"}, "xlsx", option="--errors", bare=False)
    if month is not None and not _MONTH.match(month):
        raise typer.BadParameter(_("{text!r} 不是月份；请写成 YYYY-MM，例如 2024-10").format(text=month), param_hint="--month")
    from projects_cli.writes import protect

    protect(file, N_("导入的文件"))
    common.check_output(errors)
    s = common.settings(ctx)
    limits = Limits.from_config(s.section("limits"))
    book = preload(file, limits, sheet)  # the sheet is read in a thread while modules load and the database opens
    from projects_cli.ledger.importer import LedgerRejected, import_ledger
    from projects_cli.ledger.returns import is_dispatched

    if is_dispatched(file, limits):  # a returned 派工单: judged against what was sent (ledger/returns.py)
        if book is not None:
            book.close()
        return _import_return(ctx, file, dry_run=dry_run, strict=strict, errors=errors, from_unit=from_unit, fmt=fmt,
                              limits=limits)
    bar = _progress()
    asked = False

    def ask(listed) -> bool:
        nonlocal asked
        asked = True
        if bar:
            bar.close()
        _list_confirm(listed)
        count = len(listed)
        return typer.confirm(_("写入这 {n} 处对已完成节点的修改？").format(n=count), default=False, err=True)

    try:
        with common.session(ctx, write=not dry_run) as session:
            result = import_ledger(
                session, common.actor(ctx), file, sheet=sheet, dry_run=dry_run, strict=strict, from_unit=from_unit,
                config=s.config, limits=limits, progress=bar, book=book,
                confirm=True if yes else (ask if common.can_ask() else False), month=month, create_units=create_units,
            )
    except LedgerRejected as exc:
        if bar:
            bar.close()
        if dry_run and fmt == Format.json:
            from projects_cli.listings.output import to_json

            common.out(to_json(_dry_run_json(exc.result)))
        _report(exc.result, errors, file, limits, asked=asked)
        if dry_run:
            common.note(_("预检，未写入：共 {rows} 行，将会{counts}").format(rows=exc.result.rows, counts=_counts(exc.result)))
        raise
    finally:
        if bar:
            bar.close()
        if book is not None:
            book.close()
    _report(result, errors, file, limits, asked=asked)
    where = (_("{file}（工作表 {sheet}").format(file=file.name, sheet=result.sheet) if result.parts else
             _("{file}（工作表 {sheet}，表头第 {first}–{last} 行").format(
                 file=file.name, sheet=result.sheet, first=result.header_rows[0], last=result.header_rows[1]))
    where += _("，填报单位 {reporter}）").format(reporter=result.reporter) if result.reporter else _("）")
    counts = _counts(result)
    count = len(result.warnings)
    warnings = ngettext("；{n} 条警告", "；{n} 条警告", count).format(n=count) if count else ""
    confirm = len(result.to_confirm)
    if dry_run:
        from projects_cli.listings.output import render, to_json

        if fmt == Format.json:
            common.out(to_json(_dry_run_json(result)))
        elif lines := _change_lines(result):
            common.out(render(lines, fmt, shown_columns(CHANGE_COLUMNS, fmt)))
        if confirm:
            warnings += ngettext("；{n} 处对已完成节点的修改待确认（--yes）", "；{n} 处对已完成节点的修改待确认（--yes）",
                                 confirm).format(n=confirm)
        common.note(_("预检，未写入：{where} 共 {rows} 行，将会{counts}{warnings}").format(
            rows=result.rows, where=where, counts=counts, warnings=warnings))
    else:
        if confirm:
            warnings += ngettext("；已确认 {n} 处对已完成节点的修改", "；已确认 {n} 处对已完成节点的修改", confirm).format(n=confirm)
        common.note(_("已导入 {where} 的 {rows} 行：{counts}{warnings}").format(
            rows=result.rows, where=where, counts=counts, warnings=warnings))


@app.command("export")
def export_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).", dir_okay=False)],
    chain: Annotated[Optional[str], typer.Option(help="Only this industry chain (产业链), e.g. 工程机械.")] = None,
    cluster: Annotated[Optional[str], typer.Option(help="Only this industry cluster (产业集群), e.g. 高端装备.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Only this responsible unit (责任单位).")] = None,
    leader: Annotated[Optional[str], typer.Option(help="Only this leader in charge (包保领导).")] = None,
    category: Annotated[Optional[str], typer.Option(help="Only this category (项目类别), e.g. 省重点.")] = None,
    status: Annotated[Optional[str], typer.Option(help="Only this status (项目状态): 储备/前期/在建/投产/竣工/停缓建.")] = None,
    column: Annotated[Optional[str], typer.Option(help="Only this plan column (规划专栏), e.g. 4-1.")] = None,
    search: Annotated[Optional[str], typer.Option(help="Only projects with this text in code, name, owner or content (搜索).")] = None,
    group_by: Annotated[GroupBy, typer.Option("--group-by", help="Sections (分组): chain (by cluster and chain, 按产业), unit (按责任单位) or none.")] = GroupBy.chain,
    paper: Annotated[Paper, typer.Option("--paper", help="Paper size for printing (纸张): auto (A3 for a wide sheet), A3 or A4, landscape.")] = Paper.auto,
    title: Annotated[Optional[str], typer.Option("--title", help="Title (标题) above the table. Default: [ledger] title in the config file, else 重点项目推进情况台账.")] = None,
    shown: Annotated[Optional[str], typer.Option("--columns", help="Columns (列): all (default), print (a set that reads on A3: name, unit, leader, investment, dates, progress, card) or names, e.g. 项目名称,总投资,形象进度. Default: [ledger] columns in the config file.")] = None,
) -> None:
    """Export the ledger (导出台账) as the office files it: title, grouped header, sections, 合计, print setup.

    Takes the same filters as `projects list`. Each project's card (红黄蓝牌)
    colours its 预警等级 cell. The file imports back to the same registry.

    Example: projects --as-of 2025-10-31 ledger export 重点项目台账.xlsx --unit 经济发展局 --group-by chain
    """
    from projects_cli.ledger.exporter import export_ledger

    s = common.settings(ctx)
    common.output_format(file, None, {".xlsx": "xlsx"}, "xlsx", option="FILE", bare=False)  # and not over an input
    bar = _progress()
    try:
        with common.session(ctx, write=False) as session:
            filters = common.filters(session, ctx, chain=chain, cluster=cluster, unit=unit, leader=leader,
                                     category=category, status=status, column=column, search=search)
            count = export_ledger(
                session, common.actor(ctx), file, filters, group_by=group_by.value, paper=paper.value, title=title,
                config=s.config, card_labels=s.rules.get("cards.labels"), period_kind=s.rules.get("period.kind"),
                progress=bar, shown=shown,
            )
    finally:
        if bar:
            bar.close()
    common.note(_("已写出 {path}：截至 {day} 的 {n} 个项目").format(path=file, day=s.today.isoformat(), n=count))


# ---------------------------------------------------------------- 派工单: dispatch, returns


RETURN_CHANGE_COLUMNS = (("sheet", N_("工作表")), ("row", N_("行")), ("code", N_("项目编号")), ("name", N_("项目名称")),
                         ("header", N_("栏目")), ("before", N_("原值")), ("after", N_("新值")))
SENT_COLUMNS = (("unit", N_("责任单位")), ("projects", N_("项目数")), ("milestones", N_("节点")), ("issues", N_("问题")),
                ("due_on", N_("报送截止")), ("file", N_("文件")))
SENT_LEAD_COLUMNS = (*SENT_COLUMNS[:4], ("leads", N_("招商线索")), *SENT_COLUMNS[4:])
RETURNS_COLUMNS = (("unit", N_("责任单位")), ("period", N_("周期")), ("sent_on", N_("发出日期")), ("due_on", N_("报送截止")),
                   ("returned_on", N_("报送日期")), ("state_label", N_("状态")), ("days_late", N_("逾期天数")), ("projects", N_("项目数")))
PROGRESS_COLUMNS = (("on", N_("日期")), ("progress", N_("形象进度")), ("problems", N_("存在问题")), ("source", N_("来源")))
OUTCOMES = {"tampered": N_("篡改 {n}"), "conflict": N_("登记已变更 {n}"), "refused": N_("不予导入 {n}"),
            "invalid": N_("填写有误 {n}")}


def _import_return(ctx: typer.Context, file: Path, *, dry_run: bool, strict: bool, errors: Path | None,
                   from_unit: str | None, fmt: Format, limits) -> None:
    """`ledger import` of a returned 派工单: the changes to stdout, problems and the summary to stderr."""
    from projects_cli.ledger.returns import NOT_APPLIED_EXIT, ReturnRejected, import_return
    from projects_cli.listings.output import render, to_json

    s = common.settings(ctx)
    try:
        with common.session(ctx, write=not dry_run) as session:
            result = import_return(session, common.actor(ctx), file, dry_run=dry_run, strict=strict,
                                   from_unit=from_unit, config=s.config, limits=limits)
    except ReturnRejected as exc:
        _report(exc.result, errors, file, limits)
        raise
    _report(result, errors, file, limits)
    if fmt == Format.json:
        common.out(to_json(result.as_dict()))
    elif result.changes:
        # a line break the unit typed in 存在问题 would break the table's lines
        flat = lambda v: v.replace("\n", " ") if isinstance(v, str) and fmt == Format.table else v  # noqa: E731
        common.out(render([{k: flat(v) for k, v in c.as_dict().items()} for c in result.changes], fmt,
                          shown_columns(RETURN_CHANGE_COLUMNS, fmt)))
    state = _("按时报送") if result.on_time else _("逾期报送")
    when = _("{day} 报回（{state}）").format(day=result.returned_on.isoformat(), state=state)
    if not result.first_return:
        when += _("，以首次导入时的记录为准")
    due = result.due_on.isoformat() if result.due_on else "—"
    shown = dict(applied=result.applied, values=len(result.changes), unchanged=result.unchanged,
                 not_applied=result.not_applied)
    counts = (_("将写入 {applied} 行（{values} 个值），未变 {unchanged} 行，未导入 {not_applied} 行") if dry_run else
              _("写入 {applied} 行（{values} 个值），未变 {unchanged} 行，未导入 {not_applied} 行")).format(**shown)
    details = [_(OUTCOMES[k]).format(n=n) for k, n in result.outcomes.items() if n]
    if details:
        counts += _("（{details}）").format(details=_("，").join(details))
    if result.warnings:
        count = len(result.warnings)
        counts += ngettext("；{n} 条警告", "；{n} 条警告", count).format(n=count)
    what = _("{file}：{unit} {period} 的派工单（{sent_on} 发出，报送期限 {due}）").format(
        file=file.name, unit=result.unit, period=result.period, sent_on=result.sent_on.isoformat(), due=due)
    if dry_run:
        common.note(_("预检，未写入：{what}，{when}：{counts}").format(what=what, when=when, counts=counts))
    else:
        common.note(_("已导入 {what}，{when}：{counts}").format(what=what, when=when, counts=counts))
    if result.not_applied:
        common.note(ngettext("{n} 行未导入：见上面各行（退出码 {code}）", "{n} 行未导入：见上面各行（退出码 {code}）",
                             result.not_applied).format(n=result.not_applied, code=NOT_APPLIED_EXIT))
        raise typer.Exit(NOT_APPLIED_EXIT)


@app.command("dispatch")
def dispatch_cmd(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="The responsible unit (责任单位) to send its workbook to.")] = None,
    all_units: Annotated[bool, typer.Option("--all", help="Every responsible unit with active projects (全部责任单位), one workbook each in --output-dir.")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="The workbook to write for --unit (.xlsx).", dir_okay=False)] = None,
    output_dir: Annotated[Optional[Path], typer.Option("--output-dir", help="The folder for --all: one 2025-10_<unit>_派工单.xlsx per unit (created if missing).", file_okay=False)] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="Reporting period (填报周期): a month 2025-10 or a week 2025-W43. Default: the as-of date's.")] = None,
    due: Annotated[Optional[str], typer.Option("--due", help="Due date (报送截止) of the return, YYYY-MM-DD. Default: the period's last day.", callback=common.date_callback)] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Send anew to a unit that already has an unreturned workbook for the period (重新派发); the earlier one then no longer imports.")] = False,
    leads: Annotated[bool, typer.Option("--leads", help="Add the unit's 招商线索 sheet: its leads being pursued, to fill in with follow-ups and stage moves (a unit with leads and no projects is sent one too).")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """Send each responsible unit its own fill-in workbook (派工单): its projects, what is due and overdue, its open problems.

    The office's columns (code, name, plan figures, planned dates) are locked;
    the unit fills the month's investment, actual start and completion dates,
    site progress (形象进度, from a drop-down) and problems. A second sheet lists
    the unit's overdue and due milestones and its problems with their
    deadlines. A very hidden sheet and the database keep every row as sent, so
    `projects ledger import` applies only what the unit changed when it comes
    back, and records whether it came back on time (for the red flag). With
    --leads a third sheet lists the unit's investment leads (招商线索): the
    follow-ups it records there and the stage moves it picks are applied on
    import (`lead follow`, `lead move`).

    Example: projects --as-of 2025-10-20 ledger dispatch --all --output-dir 派工单/ --due 2025-10-28 --leads
    """
    from projects_cli.ledger.dispatch import dispatch
    from projects_cli.listings.output import render, to_json

    if bool(unit) == all_units:
        raise typer.BadParameter(_("请给出 --unit 单位（配 --output 文件.xlsx）或 --all（配 --output-dir 文件夹），二者取一"),
                                 param_hint="--unit/--all")
    if unit and output is None:
        raise typer.BadParameter(_("--unit 需要 --output 文件.xlsx"), param_hint="--output")
    common.output_format(output, None, {".xlsx": "xlsx"}, "xlsx", bare=False)
    if all_units and output_dir is None:
        raise typer.BadParameter(_("--all 需要 --output-dir 文件夹"), param_hint="--output-dir")
    s = common.settings(ctx)
    with common.session(ctx) as session:
        run = dispatch(session, common.actor(ctx), unit=unit, output=output, output_dir=output_dir, period=period,
                       due=due, replace=replace, config=s.config, active=tuple(s.rules.get("cards.active_statuses")),
                       period_kind=s.rules.get("period.kind"), leads=leads,
                       follow_days=int(s.rules.get("leads.follow_days")))
    rows = [x.as_dict() for x in run.sent]
    if fmt == Format.json:
        common.out(to_json({"sent": rows, "skipped": [{"unit": k.unit, "reason": k.reason} for k in run.skipped]}))
    else:
        common.out(render(rows, fmt, shown_columns(SENT_LEAD_COLUMNS if leads else SENT_COLUMNS, fmt)))
    for skipped in run.skipped:
        common.note(_("未发给 {unit}：{reason}").format(unit=skipped.unit, reason=skipped.reason))
    if run.sent:
        first = run.sent[0]
        replaced = sum(1 for x in run.sent if x.replaced)
        common.note(
            ngettext("已派发 {period} 的派工单 {n} 份，共 {projects} 个项目，报送期限 {due}",
                     "已派发 {period} 的派工单 {n} 份，共 {projects} 个项目，报送期限 {due}", len(run.sent)).format(
                n=len(run.sent), period=first.period, projects=sum(x.projects for x in run.sent),
                due=first.due_on.isoformat())
            + (ngettext("；其中 {n} 份替换了此前派发的", "；其中 {n} 份替换了此前派发的", replaced).format(n=replaced)
               if replaced else ""))
    else:
        common.note(_("未派发任何派工单：没有单位有在办项目需要报送"))


@app.command("returns")
def returns_cmd(
    ctx: typer.Context,
    period: Annotated[Optional[str], typer.Option("--period", help="Reporting period (填报周期), e.g. 2025-10. Default: the as-of date's.")] = None,
    all_periods: Annotated[bool, typer.Option("--all-periods", help="Every period dispatched so far (全部周期).")] = False,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only this responsible unit (责任单位).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """Which units returned their 派工单 (报送情况): sent, due, returned, on time (按时报送) or late (逾期).

    Not returned and past the due date is 未报送（已逾期）; the red flag's
    "ledger returned on time" share counts these dispatches.

    Example: projects --as-of 2025-10-31 ledger returns --period 2025-10
    """
    from projects_cli.ledger.dispatch import list_returns
    from projects_cli.listings.output import render
    from projects_cli.rules.dates import period_of

    s = common.settings(ctx)
    wanted = None if all_periods else (period or period_of(s.today, s.rules.get("period.kind")))
    with common.session(ctx, write=False) as session:
        rows = list_returns(session, s.today, period=wanted, unit=unit)
    common.out(render(rows, fmt, shown_columns(RETURNS_COLUMNS, fmt)))
    if fmt == Format.table:
        late = [r["unit"] for r in rows if r["state"] in ("late", "missing")]
        common.note(_("已派发 {n} 份，按时报送 {on_time} 份").format(
            n=len(rows), on_time=sum(1 for r in rows if r["state"] == "on_time"))
                    + (_("；逾期或未报：{units}").format(units=_("、").join(late)) if late else ""))


@app.command("progress")
def progress_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The project's code (项目编号), e.g. GX-0004.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """A project's site progress (形象进度) and problems as its unit reported them, date by date (oldest first).

    Example: projects ledger progress GX-0004
    """
    from projects_cli.listings.output import render
    from projects_cli.services.progress import progress_history
    from projects_cli.services.registry import get_project

    with common.session(ctx, write=False) as session:
        rows = progress_history(session, get_project(session, code))
    common.out(render(rows, fmt, shown_columns(PROGRESS_COLUMNS, fmt)))
