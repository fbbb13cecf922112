"""`projects sheet …`: the sheets the office sends out (督办单, 红黄蓝牌通报, 周报), numbered and recorded."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format
from projects_cli.vocab import SheetKind

if TYPE_CHECKING:
    from sqlmodel import Session

    from projects_cli.config.settings import Settings

app = typer.Typer(
    no_args_is_help=True,
    help="""Supervision sheets (督办单, 红黄蓝牌通报, 周报) from the office's Jinja templates, as Excel, HTML, Markdown or Word.

Each issued sheet takes the next number of the year (高新督〔2025〕12号) and is recorded, so it can be re-issued exactly.
One document has one number: writing the same sheet again (another format, another file) reuses its number, and `sheet reissue NUMBER --format …` prints it in any format; --preview never takes a number; `sheet void NUMBER --reason …` voids one (the number is never given again).
Formats: xlsx, html, md and docx (Word, laid out as a 公文 to GB/T 9704-2012: 版头 with the office's red mark, 发文字号 and red line, 2号小标宋 title, 3号仿宋 body, 版记, page numbers; a chart is a picture, or its figures' table where no Chinese font is found). The mark and the title font: mark = "…" and title_font = "…" in the sheets table of the config file.

Templates: the shipped templates/ folder, overridden file by file by the office's own folder: --templates DIR, or templates = "DIR" in the sheets table of the config file, or templates/ in the data folder.
""",
)


class SheetFormat(str, Enum):
    xlsx = "xlsx"
    html = "html"
    md = "md"
    docx = "docx"


EXTENSIONS = {".xlsx": SheetFormat.xlsx, ".html": SheetFormat.html, ".htm": SheetFormat.html, ".md": SheetFormat.md,
              ".txt": SheetFormat.md, ".docx": SheetFormat.docx}
FILE_ONLY = {SheetFormat.xlsx: _("Excel 文件需要写到文件：请加 --output 文件.xlsx"),
             SheetFormat.docx: _("Word 文件需要写到文件：请加 --output 文件.docx")}
LIST_COLUMNS = (
    ("number", N_("编号")),
    ("kind_zh", N_("类型")),
    ("issued_on", N_("日期")),
    ("recipient", N_("主送")),
    ("ref", N_("事由")),
    ("by", N_("经办人")),
    ("state", N_("状态")),
    ("void_reason", N_("作废原因")),
)

OutputOpt = Annotated[
    Optional[Path],
    typer.Option("--output", "-o", help="Write to this file (输出文件); the format follows the extension: .xlsx, .html, .md or .docx.",
                 dir_okay=False),
]
FormatOpt = Annotated[
    Optional[SheetFormat],
    typer.Option("--format", "-f", help="xlsx, html, md or docx; default from --output's extension, else md to stdout."),
]
PreviewOpt = Annotated[
    bool,
    typer.Option("--preview", help="Render without taking a number or recording the sheet (预览)."),
]


def choose_format(output: Path | None, fmt: SheetFormat | None) -> SheetFormat:
    """The format from --format, else from the extension of --output, else Markdown."""
    chosen = common.output_format(output, fmt, EXTENSIONS, SheetFormat.md)
    if chosen in FILE_ONLY and output is None:
        raise typer.BadParameter(FILE_ONLY[chosen], param_hint="--format")
    return chosen


def _renderer(s: Settings):
    from projects_cli.config.calendar import load_calendar
    from projects_cli.config.paths import home_dir
    from projects_cli.sheets import contexts
    from projects_cli.writes import protect

    config = _config(s)
    folders = contexts.template_folders(s.templates_dir or config.templates, home_dir() / "templates")
    for folder in folders:
        protect(folder, "模板")
    return contexts.Renderer(folders, contexts.office_filters(s.rules, lambda: load_calendar(s)), config.limits())


def _config(s: Settings):
    from projects_cli.config.paths import home_dir
    from projects_cli.sheets import contexts

    base = s.config_path.parent if s.config_path is not None else home_dir()
    return contexts.sheet_config(s.section("sheets"), base)


def _emit(issued: list[Any], fmt: SheetFormat, output: Path | None, renderer, config) -> None:
    """Lay out the sheets and write them (inside the command's transaction: a failed write records nothing)."""
    from projects_cli.sheets import layout

    pages = [layout.Sheet(i.recipient or i.kind, i.doc) for i in issued]
    if fmt in FILE_ONLY:
        assert output is not None
        if fmt == SheetFormat.xlsx:
            layout.write_xlsx(pages, output)
        else:
            from projects_cli.sheets import word

            word.write_docx(pages, output, word.style_of(config))
        common.note(_("已写出 {path}").format(path=output))
        return
    text = layout.html_page(pages, renderer.env(page=True)) if fmt == SheetFormat.html else layout.markdown(pages)
    common.write_output(text.rstrip("\n"), output)


def _run(ctx: typer.Context, build: Callable[[Session, Any], list[tuple[str, str, dict[str, Any]]]],
         kind: str | Callable[[dict[str, Any]], str], output: Path | None, fmt: SheetFormat | None, preview: bool) -> None:
    """Build the contexts, then preview or issue one sheet per context, and write them out. `kind`: the sheets'
    kind, or how to read it from each context (a problem's sheet is one of three)."""
    from projects_cli.sheets import contexts

    chosen = choose_format(output, fmt)
    s = common.settings(ctx)
    config = _config(s)
    renderer = _renderer(s)
    common.check_output(output)
    actor = common.actor(ctx)
    with common.session(ctx, write=not preview) as session:
        built = build(session, config)
        kinds = [kind(data) if callable(kind) else kind for _, _, data in built]
        if preview:
            issued = [contexts.preview(renderer, k, actor.as_of, config, r, ref, data)
                      for k, (r, ref, data) in zip(kinds, built)]
        else:
            issued = [contexts.issue_sheet(session, actor, renderer, k, config, r, ref, data)
                      for k, (r, ref, data) in zip(kinds, built)]
        _emit(issued, chosen, output, renderer, config)
    for i in issued:
        if i.reused:
            common.note(_("{number}  {kind}  {recipient}  （同一文件已发文，沿用原编号，未另行记录）").format(
                number=i.number, kind=contexts.KINDS[i.kind], recipient=i.recipient))
        else:
            common.note(_("{number}  {kind}  {recipient}").format(
                number=i.number or _("预览（未编号，未记录）"), kind=contexts.KINDS[i.kind], recipient=i.recipient))


@app.command()
def notice(
    ctx: typer.Context,
    issue: Annotated[str, typer.Argument(help="Issue number (问题编号), e.g. 2025-012.")],
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    preview: PreviewOpt = False,
    kind: Annotated[Optional[str], typer.Option(
        "--kind", help="Which of the three sheets (三单): 交办单 (assign), 催办单 (remind) or 督办单 (notice). "
                       "Default: by the problem's deadline as of the as-of date.")] = None,
) -> None:
    """A problem's sheet (三单) to its lead unit (牵头单位), with a reply block and a receipt (签收) to fill in.

    Which one follows the problem's deadline as of the as-of date: a 交办单 while there is time, a 催办单
    when its deadline is near (remind_workdays in the rules file, default 3 working days), a 督办单 once
    it is overdue — and a 挂牌督办通知书 when it is 挂牌督办. The command says which it issued;
    `projects sheet list --issue 2025-004` lists a problem's sheets in order.

    Example: projects sheet notice 2025-004 --output 督办单.docx
    """
    from projects_cli.config.calendar import load_calendar
    from projects_cli.sheets import contexts
    from projects_cli.vocab import PROBLEM_SHEETS

    s = common.settings(ctx)
    chosen = common.pick(kind, SheetKind, (_("文书类型"), "sheet kind"))
    if chosen is not None and chosen not in PROBLEM_SHEETS:
        raise typer.BadParameter(_("{kind!r} 不是问题的三单之一：交办单、催办单、督办单").format(kind=kind),
                                 param_hint="--kind")

    def build(session, config):
        return [contexts.notice_context(session, s.today, issue, load_calendar(s),
                                        remind_workdays=int(s.rules.get("issues.remind_workdays")), kind=chosen)]

    _run(ctx, build, lambda data: data["sheet_kind"], output, fmt, preview)


@app.command()
def cards(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", "-u", help="Responsible unit (责任单位); default: every unit with cards, one sheet each.")] = None,
    period: Annotated[Optional[str], typer.Option("--period", help="Rating period (评价周期), 2025-10 or 2025-W43; default: the as-of date's.")] = None,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    preview: PreviewOpt = False,
) -> None:
    """The card notice (红黄蓝牌通报 / 提醒函) to a responsible unit, or one to every unit.

    Example: projects sheet cards --unit 经济发展局 --output 通报.xlsx
    """
    from projects_cli.sheets import contexts

    s = common.settings(ctx)

    def build(session, config):
        return contexts.cards_contexts(session, s.today, s.rules, unit, period)

    _run(ctx, build, "cards", output, fmt, preview)


@app.command()
def weekly(
    ctx: typer.Context,
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    preview: PreviewOpt = False,
) -> None:
    """The weekly briefing (周报) for the week ending on the as-of date.

    Overdue by unit and new this week, cards and their changes, issues opened /
    closed / escalated, the red flag, investment completion by chain with a chart.

    Example: projects --as-of 2025-10-31 sheet weekly --output 周报.html
    """
    from projects_cli.sheets import contexts

    s = common.settings(ctx)

    def build(session, config):
        return [contexts.weekly_context(session, s.today, s.rules, s.config, config.list_limit)]

    _run(ctx, build, "weekly", output, fmt, preview)


@app.command()
def reissue(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The sheet's number (编号), e.g. 高新督〔2025〕12号.")],
    output: OutputOpt = None,
    fmt: FormatOpt = None,
    rerender: Annotated[
        bool,
        typer.Option("--rerender", help="Render the stored data through today's templates instead of reproducing the text as issued."),
    ] = False,
) -> None:
    """Re-issue a sheet (重新打印) exactly as it was issued, in any format (xlsx, html, md, docx), under its own number; nothing is numbered or changed. A voided sheet (作废) is not re-issued.

    Example: projects sheet reissue 高新督〔2025〕1号 --format html --output 督办单.html
    """
    from projects_cli.sheets import contexts

    chosen = choose_format(output, fmt)
    s = common.settings(ctx)
    renderer = _renderer(s)
    common.check_output(output)
    with common.session(ctx, write=False) as session:
        issued = contexts.reissue(session, renderer, number, rerender=rerender)
        _emit([issued], chosen, output, renderer, _config(s))


@app.command()
def void(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The sheet's number (编号), e.g. 高新督〔2025〕12号.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is voided (作废原因); required.")],
) -> None:
    """Void an issued sheet (作废): it stays in `sheet list` as 作废 with its reason, and its number is never given again.

    Example: projects sheet void 高新督〔2025〕1号 --reason 责任单位有误，重新发文
    """
    from projects_cli.sheets import contexts

    with common.session(ctx) as session:
        sheet = contexts.void_sheet(session, common.actor(ctx), number, reason)
        number_out = sheet.number
    common.note(_("{number} 已作废").format(number=number_out))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    year: Annotated[Optional[int], typer.Option(min=common.FIRST_YEAR, max=common.LAST_YEAR, help="Only sheets of this year (年度).")] = None,
    kind: Annotated[Optional[str], typer.Option(help="Only this kind: assign (交办单), remind (催办单), notice (督办单), cards (红黄蓝牌通报, 亮牌通知), weekly (周报), minutes (会议纪要: projects meeting minutes).")] = None,
    issue: Annotated[Optional[str], typer.Option("--issue", help="Only this problem's sheets (三单), in the order they went out.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """List issued sheets (已发文), by number.

    Example: projects sheet list --year 2025 --kind notice
    """
    from projects_cli.listings.output import render, shown_columns
    from projects_cli.sheets import contexts

    with common.session(ctx, write=False) as session:
        rows = contexts.list_sheets(session, year=year, kind=common.pick(kind, SheetKind, ("文书类型", "sheet kind")),
                                    issue=issue)
    common.out(render(rows, fmt, shown_columns(LIST_COLUMNS, fmt)))
