"""`projects ledger import / export`: Excel ledgers (台账) in and out."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.output import Format

app = typer.Typer(
    no_args_is_help=True,
    help="Excel ledgers (台账): import the ledgers units send, export the ledger the office files.",
)

SHOWN_PROBLEMS = 50  # problem lines printed; the rest are in --errors FILE
CHANGE_COLUMNS = (("row", "行"), ("action", "操作"), ("code", "项目编号"), ("name", "项目名称"), ("fields", "变更字段"))
ACTIONS = {"add": "新增", "change": "修改"}


class GroupBy(str, Enum):
    chain = "chain"
    unit = "unit"
    none = "none"


class Paper(str, Enum):
    auto = "auto"
    A3 = "A3"
    A4 = "A4"


class _Bar:
    """A progress bar on stderr for each stage of a long import or export (only on a terminal)."""

    LABELS = {"read": "Reading 读取", "check": "Checking 校验", "write": "Writing 写入"}

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            if total < 5000:
                self.stage, self.bar = stage, None
                return
            self.stage, self.done = stage, 0
            self.bar = typer.progressbar(length=total, label=self.LABELS.get(stage, stage), file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(max(0, min(done, self.bar.length) - self.done))
            self.done = min(done, self.bar.length)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _progress() -> _Bar | None:
    return _Bar() if common.is_tty() else None


def _report(result, errors_file: Path | None, source: Path, limits) -> None:
    """The problems (at most SHOWN_PROBLEMS lines), unread columns, and the --errors workbook."""
    for problem in result.problems[:SHOWN_PROBLEMS]:
        common.note(problem.describe())
    hidden = len(result.problems) - SHOWN_PROBLEMS
    if hidden > 0:
        common.note(f"… and {hidden} more problems" + ("" if errors_file else "; --errors FILE.xlsx lists them all"))
    if result.unused_columns:
        common.note("Columns not read (未识别的列): " + "; ".join(result.unused_columns))
    if errors_file is not None and result.problems:
        from projects_cli.ledger.errorbook import write_error_workbook

        rows = write_error_workbook(errors_file, source, result.sheet, result.header_rows, result.problems, limits)
        common.note(f"Wrote {errors_file}: {rows} rows with problems, bad cells highlighted and commented")


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The ledger (台账): .xlsx, .xls or .csv.", dir_okay=False)],
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="The sheet (工作表) to read. Default: the first with a ledger header.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and show what would be added and changed (预检); write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings (unknown chain or unit, 待定 dates) as errors (严格模式).")] = False,
    errors: Annotated[Optional[Path], typer.Option("--errors", help="Write the rows with problems to this .xlsx (问题行), bad cells highlighted and commented, for the unit to fix and resend.", dir_okay=False)] = None,
    from_unit: Annotated[Optional[str], typer.Option("--from-unit", help="The responsible unit (责任单位) that sent the ledger: it may change only its own projects.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Format of the --dry-run change list: table, json or csv.")] = Format.table,
) -> None:
    """Import a ledger (导入台账): check every row, then add and update projects in one go, or change nothing.

    Rows match projects by code (项目编号), else by exact name; new rows become
    new projects. A blank cell never erases what the registry holds. Any error
    (a bad amount or date, a missing name, completed above total …) is listed
    with its sheet, Excel row and column, and nothing is written (exit code 1).

    Example: projects ledger import 经济发展局10月台账.xlsx --dry-run --errors 问题行.xlsx
    """
    from projects_cli.ledger.importer import LedgerRejected, import_ledger
    from projects_cli.ledger.reader import Limits

    if errors is not None and errors.suffix.lower() != ".xlsx":
        raise typer.BadParameter("name the file *.xlsx", param_hint="--errors")
    s = common.settings(ctx)
    limits = Limits.from_config(s.section("limits"))
    bar = _progress()
    try:
        with common.session(ctx, write=not dry_run) as session:
            result = import_ledger(
                session, common.actor(ctx), file, sheet=sheet, dry_run=dry_run, strict=strict, from_unit=from_unit,
                config=s.config, limits=limits, progress=bar,
            )
    except LedgerRejected as exc:
        if bar:
            bar.close()
        _report(exc.result, errors, file, limits)
        raise
    finally:
        if bar:
            bar.close()
    _report(result, errors, file, limits)
    where = f"{file.name} (sheet {result.sheet}, header rows {result.header_rows[0]}–{result.header_rows[1]}"
    where += f", 填报单位 {result.reporter})" if result.reporter else ")"
    counts = f"{result.added} added, {result.changed} changed, {result.unchanged} unchanged"
    count = len(result.warnings)
    warnings = f"; {count} warning{'s' if count != 1 else ''}" if count else ""
    if dry_run:
        from projects_cli.output import render

        listed = [
            {**c.as_dict(), "action": ACTIONS.get(c.action, c.action), "code": c.code or "（新）",
             "fields": "、".join(c.fields)}
            for c in result.changes if c.action != "unchanged"
        ]
        if fmt == Format.json:
            common.out(render([c.as_dict() for c in result.changes if c.action != "unchanged"], fmt, CHANGE_COLUMNS))
        elif listed:
            common.out(render(listed, fmt, CHANGE_COLUMNS))
        common.note(f"Dry run, nothing written: {result.rows} rows in {where}: would be {counts}{warnings}")
    else:
        common.note(f"Imported {result.rows} rows from {where}: {counts}{warnings}")


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
) -> None:
    """Export the ledger (导出台账) as the office files it: title, grouped header, sections, 合计, print setup.

    Takes the same filters as `projects list`. Each project's card (红黄蓝牌)
    colours its 预警等级 cell. The file imports back to the same registry.

    Example: projects --as-of 2025-10-31 ledger export 重点项目台账.xlsx --unit 经济发展局 --group-by chain
    """
    from projects_cli.ledger.exporter import export_ledger
    from projects_cli.registry import ProjectFilter

    s = common.settings(ctx)
    filters = ProjectFilter(chain, cluster, unit, leader, category, status, column, search)
    bar = _progress()
    try:
        with common.session(ctx, write=False) as session:
            count = export_ledger(
                session, common.actor(ctx), file, filters, group_by=group_by.value, paper=paper.value, title=title,
                config=s.config, card_labels=s.rules.get("cards.labels"), period_kind=s.rules.get("period.kind"),
                progress=bar,
            )
    finally:
        if bar:
            bar.close()
    common.note(f"Wrote {file}: {count} projects as of {s.today.isoformat()}")
