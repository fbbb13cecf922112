"""`projects log`: the change log (变更记录) — who changed what, when."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.listings.output import Format

COLUMNS = (
    ("id", "序号"),
    ("at", "时间"),
    ("by", "经办人"),
    ("command", "命令"),
    ("action", "操作"),
    ("table_name", "表"),
    ("record_key", "记录"),
    ("change", "变更内容"),
)


def log(
    ctx: typer.Context,
    project: Annotated[Optional[str], typer.Option("--project", help="Only this project's changes (项目编号).")] = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Only changes made by this person (经办人).")] = None,
    table: Annotated[Optional[str], typer.Option("--table", help="Only changes to this table, e.g. project, issue.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=0, max=1_000_000, help="At most this many entries, newest first (0: all).")] = 50,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """Show the change log (变更记录), newest first: who changed which record, old and new values.

    Example: projects log --project GX-0004 --format json
    """
    from projects_cli.listings.output import cell_text, render
    from projects_cli.store import changelog

    with common.session(ctx, write=False) as session:
        filters = changelog.check_log_filters(session, project=project, by=by, table=table)
        rows = changelog.list_changes(session, **filters, limit=limit or None)
    for row in rows:
        old, new = row["old"] or {}, row["new"] or {}
        parts = []
        for key in sorted(set(old) | set(new)):
            if row["action"] == "update":
                parts.append(f"{key}: {cell_text(old.get(key))} → {cell_text(new.get(key))}")
            else:
                parts.append(f"{key}={cell_text((new or old).get(key))}")
        row["change"] = "; ".join(parts)
        row["at"] = row["at"].replace(microsecond=0) if fmt == Format.table else row["at"]
    common.out(render(rows, fmt, COLUMNS, json_rows=[{k: v for k, v in r.items() if k != "change"} for r in rows]))
