"""`projects undo` (also `projects log revert`): undo change-log entries as new, logged changes (撤销)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import _


def undo(
    ctx: typer.Context,
    ids: Annotated[Optional[list[str]], typer.Argument(help="Log ids (变更记录序号) as `projects log` shows them: 1041, 1041-1050.", show_default=False)] = None,
    run: Annotated[Optional[str], typer.Option("--run", help="Every entry of one command (命令号, the `run` column of `projects log`), e.g. a ledger import; #1041: the command entry 1041 belongs to.")] = None,
    last: Annotated[bool, typer.Option("--last", help="The last command of the acting person (--by) not undone yet.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (for scripts); without a terminal it is needed.")] = False,
) -> None:
    """Undo changes (撤销) by their change-log entries: each is reversed as a new, logged change through the
    usual write paths (reports for earlier dates keep what was on record then), newest first, all or none.
    Refused, with the reason, when a later change depends on it (the field was changed again since, the
    milestone has been done since, the problem has moved on, a document number was issued).

    Other forms: projects undo 1041-1050 (a range of log entries), projects undo --run 3f9a0b12c4 --yes (a
    whole command, e.g. a ledger import, by the run id `projects log` shows).

    Example: projects undo --last --yes
    """
    from projects_cli.services import undo as service

    with common.session(ctx) as session:
        actor = common.actor(ctx)
        wanted = service.select_entries(session, ids=service.parse_ids(ids or []), run=run,
                                        last_by=actor.by if last else None)
        lines = service.undo_entries(session, actor, wanted)
        common.confirm_danger(lines, yes=yes, question=_("确定撤销这 {n} 条变更吗？").format(n=len(lines)),
                              what=(_("撤销"), "an undo"))
    common.note(_("已撤销 {n} 条变更；撤销本身也记入变更记录（见 projects log）").format(n=len(lines)))
