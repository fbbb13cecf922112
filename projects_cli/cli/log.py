"""`projects log`: the change log (变更记录) — who changed what, when; what changed in a span (`--since`,
`--summary`); `log revert` undoes entries (the same as `projects undo`)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.cli.undo import undo
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format, shown_columns

COLUMNS = (
    ("id", N_("序号")),
    ("at", N_("时间")),
    ("on", N_("业务日期")),
    ("by", N_("经办人")),
    ("on_behalf", N_("代录")),
    ("command", N_("命令")),
    ("run", N_("命令号")),
    ("action", N_("操作")),
    ("table_name", N_("表")),
    ("record_key", N_("记录")),
    ("change", N_("变更内容")),
)
SUMMARY_COLUMNS = (("code", N_("项目编号")), ("name", N_("项目名称")), ("field", N_("变更项目")), ("old", N_("原值")), ("new", N_("新值")))

app = typer.Typer(no_args_is_help=False, help="Show the change log (变更记录), newest first: who changed which record, old and new values.")
app.command("revert")(undo)


@app.callback(invoke_without_command=True)
def log(
    ctx: typer.Context,
    project: Annotated[Optional[str], typer.Option("--project", help="Only this project's changes (项目编号).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Only changes made by this person (经办人).")] = None,
    table: Annotated[Optional[str], typer.Option("--table", help="Only changes to this table, e.g. project, issue.")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only changes to this unit's projects (责任单位), and to the unit itself.")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Changes made for this date or later (the command's as-of date): 2025-10-24, 7d, 2w, today, yesterday, this-week/本周, last-week/上周, this-month/本月, last-month/上月.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Changes made for this date or earlier (same forms as --since).")] = None,
    summary: Annotated[bool, typer.Option("--summary", help="Per project, each field that changed, first old → last new value, in Chinese (本周变化).")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, max=1_000_000, help="At most this many entries, newest first (0: all; with --since or --summary: all unless given).")] = 50,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """Show the change log (变更记录), newest first: who changed which record, old and new values.

    Also: projects log --project GX-0004 --format json (one project's changes, for a script).

    Example: projects --as-of 2025-10-31 log --since 本周 --summary
    """
    if ctx.invoked_subcommand is not None:
        return
    from projects_cli.listings.output import cell_text, render
    from projects_cli.services import changes
    from projects_cli.store import changelog

    s = common.settings(ctx)
    spanned = since is not None or until is not None or summary
    if spanned and ctx.get_parameter_source("limit").name == "DEFAULT":
        limit = 0
    with common.session(ctx, write=False) as session:
        first, last = changes.log_span(since, until, s.today, common.parse_date_option)
        filters = changelog.check_log_filters(session, project=project, by=by, table=table)
        codes = None
        if unit:
            unit = common.filters(session, ctx, unit=unit).unit
            codes = changes.unit_codes(session, unit)
        rows = changelog.list_changes(session, **filters, limit=limit or None, since=first, until=last, codes=codes,
                                      unit=unit)
        if summary:
            result = changes.summary_rows(changes.summarize(session, rows))
    if summary:
        common.out(render(result, fmt, shown_columns(SUMMARY_COLUMNS, fmt)))
        if fmt == Format.table:
            span = _("{first} 至 {last}").format(first=first.isoformat() if first else "…",
                                                  last=last.isoformat() if last else s.today.isoformat())
            common.note(_("{span}：{projects} 个项目 {changes} 处变化").format(
                span=span, projects=len({r["code"] for r in result}), changes=len(result)))
        return
    for row in rows:
        old, new = row["old"] or {}, row["new"] or {}
        parts = []
        for key in sorted(set(old) | set(new)):
            # the terminal names the field as the office does (项目状态); a file keeps the key (status)
            name = changes.field_label(row["table_name"], key) if fmt == Format.table else key
            if row["action"] == "update":
                parts.append(f"{name}: {cell_text(old.get(key))} → {cell_text(new.get(key))}")
            else:
                parts.append(f"{name}={cell_text((new or old).get(key))}")
        row["change"] = "; ".join(parts)
    # the terminal says when in the machine's time, to the minute, and what was done to which record in words
    # (a file keeps the stored instant, the action's code and the table's name)
    shown = rows if fmt != Format.table else [
        dict(r, at=r["at"].astimezone().strftime("%Y-%m-%d %H:%M"), action=_(changelog.ACTION_WORDS.get(r["action"], r["action"])),
             table_name=_(changelog.TABLE_WORDS.get(r["table_name"], r["table_name"]))) for r in rows]
    common.out(render(shown, fmt, shown_columns(COLUMNS, fmt), optional=("run", "on_behalf", "command", "at"),
                      json_rows=[{k: v for k, v in r.items() if k != "change"} for r in rows]))
