"""`projects notify`: the reminders (催办提醒) each responsible unit gets — printed (dry run), or sent."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common

app = typer.Typer(help="Reminders (催办提醒) to the responsible units: work them out, send them, see what went out.",
                  invoke_without_command=True, no_args_is_help=False)


class NotifyFormat(str, Enum):
    table = "table"
    json = "json"


def _plan(ctx: typer.Context, session, unit: str | None) -> dict[str, Any]:
    from projects_cli.config.calendar import load_calendar
    from projects_cli.notify import plan as notify

    s = common.settings(ctx)
    rules = s.rules
    return notify.plan_reminders(
        session, s.today, calendar=load_calendar(s), tiers=rules.get("overdue.tiers"),
        horizon_workdays=int(rules.get("notify.horizon_workdays")), follow_days=int(rules.get("leads.follow_days")),
        period_kind=rules.get("period.kind"), card_labels=dict(rules.get("cards.labels")),
        filters=common.filters(session, ctx, unit=unit))


@app.callback()
def notify(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only this responsible unit (责任单位).")] = None,
    fmt: Annotated[NotifyFormat, typer.Option("--format", "-f", help="Output format: table or json.")] = NotifyFormat.table,
) -> None:
    """Reminders (催办提醒): what each responsible unit should be told on the as-of date — its overdue
    milestones and problems, deadlines within [notify] horizon_workdays working days (rules file, default 3),
    派工单 not yet returned near their due date, new red and yellow cards — printed as the message each unit
    gets (a dry run: nothing is sent).

    Example: projects --as-of 2025-10-31 notify --unit 经济发展局
    """
    if ctx.invoked_subcommand is not None:
        return
    from projects_cli.listings.output import json_default
    from projects_cli.notify import plan as service

    with common.session(ctx, write=False) as session:
        data = _plan(ctx, session, unit)
    if fmt == NotifyFormat.json:
        common.out(json.dumps(data, ensure_ascii=False, indent=2, default=json_default))
        return
    if not data["units"]:
        common.out(f"截至 {data['as_of'].isoformat()} 没有需要提醒的事项（nothing to remind）")
        return
    parts = [service.message(u["unit"], u["items"], data["as_of"], data["due_by"], markdown=True)
             for u in data["units"]]
    common.out(("\n\n" + "-" * 40 + "\n\n").join(parts))
    common.note(f"{len(data['units'])} units, {sum(len(u['items']) for u in data['units'])} items "
                f"(dry run: nothing sent; --send sends)")
