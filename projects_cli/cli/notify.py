"""`projects notify`: the reminders (催办提醒) each responsible unit gets — printed (dry run), or sent."""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import _

app = typer.Typer(invoke_without_command=True, no_args_is_help=False)


# `notify --send --fail-if-any`: a message could not be sent (1 and 2 stay errors and usage errors)
EXIT_FAILED = 5
RESULT_COLUMNS = (("unit", "责任单位"), ("channel", "渠道"), ("result", "结果"), ("items", "事项数"),
                  ("attempts", "尝试次数"), ("error", "错误"))
LOG_COLUMNS = (("created_at", "时间"), ("as_of", "截至日期"), ("unit", "责任单位"), ("channel", "渠道"),
               ("result", "结果"), ("items", "事项数"), ("attempts", "尝试次数"), ("error", "错误"), ("by", "经办人"))


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


def _renderer(ctx: typer.Context):
    """The sheets' renderer: its page environment renders the messages (templates/notify_*), its sheets the
    attachments; the office's templates folder overrides both, file by file."""
    from projects_cli.cli.sheet import _renderer as sheet_renderer

    return sheet_renderer(common.settings(ctx))


def _attach(ctx: typer.Context, session, renderer):
    """What a unit's e-mail carries: one Word document (preview: not numbered, not recorded) with the sheet of
    each problem it is reminded of (督办单 once overdue, 催办单 near its deadline: `sheet notice` picks) and
    its 亮牌通知 when it has new cards; none when neither."""
    from projects_cli.cli.sheet import _config
    from projects_cli.config.calendar import load_calendar
    from projects_cli.errors import ProjectsError
    from projects_cli.sheets import contexts

    s = common.settings(ctx)
    config = _config(s)

    def attach(unit: str, items) -> list[tuple[str, bytes]]:
        import tempfile
        from pathlib import Path

        from projects_cli.sheets import layout, word

        numbers = sorted({i["key"].split(":")[3] for i in items
                          if i["section"] in ("overdue", "due_soon") and i["key"].split(":")[1] == "issue"})
        built = []
        for number in numbers:
            try:
                found = contexts.notice_context(session, s.today, number, load_calendar(s),
                                                remind_workdays=int(s.rules.get("issues.remind_workdays")))
            except ProjectsError:  # a problem no sheet goes to in its state: the message still names it
                continue
            built.append((found[2]["sheet_kind"], found))
        if any(i["section"] == "cards" for i in items):
            built += [("cards", found) for found in contexts.cards_contexts(session, s.today, s.rules, unit)]
        if not built:
            return []
        issued = [contexts.preview(renderer, kind, s.today, config, r, ref, data) for kind, (r, ref, data) in built]
        labels = list(dict.fromkeys(contexts.KINDS[kind] for kind, _ in built))
        name = f"{unit}{'、'.join(labels)}（{s.today.isoformat()}）.docx"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "attachment.docx"
            word.write_docx([layout.Sheet(i.recipient or i.kind, i.doc) for i in issued], path, word.style_of(config))
            return [(name, path.read_bytes())]

    return attach


@app.callback()
def notify(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only this responsible unit (责任单位).")] = None,
    fmt: Annotated[NotifyFormat, typer.Option("--format", "-f", help="Output format: table or json.")] = NotifyFormat.table,
    send: Annotated[bool, typer.Option("--send", help="Send them (发送): to each unit's webhook (企业微信/钉钉 robot) and e-mail; what went out today is not sent again.")] = False,
    resend_failed: Annotated[bool, typer.Option("--resend-failed", help="Send again only what could not be sent before for this date (nothing new).")] = False,
    fail_if_any: Annotated[bool, typer.Option("--fail-if-any", help=f"With --send: exit with code {EXIT_FAILED} when a message could not be sent (for scheduled jobs).")] = False,
) -> None:
    """Reminders (催办提醒) to the responsible units: work them out, send them, see what went out.

    Without --send: what each responsible unit should be told on the as-of date — its overdue
    milestones and problems, deadlines within notify.horizon_workdays working days (rules file, default 3),
    派工单 not yet returned near their due date, new red and yellow cards — printed as the message each unit
    gets (a dry run: nothing is sent). `--send` sends each unit its message on its channels (`unit edit
    --webhook/--email`; the notify section of config.toml for the mail server), records every message (`notify log`), and
    never sends the same item to the same unit twice for one date; a failed send is retried, then recorded
    as failed and sent again by the next run (`--resend-failed`: only those, nothing new).

    Example: projects --as-of 2025-10-31 notify --unit 经济发展局
    """
    if ctx.invoked_subcommand is not None:
        return
    if send or resend_failed:
        _send(ctx, unit, fmt, fail_if_any, only_failed=resend_failed)
        return
    from projects_cli.listings.output import json_default
    from projects_cli.notify import messages

    env = _renderer(ctx).env(page=True)
    with common.session(ctx, write=False) as session:
        data = _plan(ctx, session, unit)
    if fmt == NotifyFormat.json:
        common.out(json.dumps(data, ensure_ascii=False, indent=2, default=json_default))
        return
    if not data["units"]:
        common.out(_("截至 {day} 没有需要提醒的事项").format(day=data["as_of"].isoformat()))
        return
    parts = [messages.render(env, "wecom", u["unit"], u["items"], data["as_of"], data["due_by"])
             for u in data["units"]]
    from projects_cli.listings.output import fitted_prose

    common.out(fitted_prose(("\n\n" + "-" * 40 + "\n\n").join(parts)))
    common.note(_("{units} 个单位，{items} 项（预演：未发送；加 --send 发送）").format(
        units=len(data["units"]), items=sum(len(u["items"]) for u in data["units"])))


def _labelled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from projects_cli.notify.send import CHANNEL_LABELS, RESULT_LABELS

    return [dict(r, channel=CHANNEL_LABELS.get(r["channel"], r["channel"] or ""),
                 result=RESULT_LABELS.get(r["result"], r["result"])) for r in rows]


def _send(ctx: typer.Context, unit: str | None, fmt: NotifyFormat, fail_if_any: bool, *, only_failed: bool) -> None:
    from projects_cli.listings.output import Format, render
    from projects_cli.notify import channels
    from projects_cli.notify.send import send_reminders, summary

    s = common.settings(ctx)
    where = getattr(getattr(s.config, "source", None), "path", None)  # secret files are relative to the config
    cfg = channels.notify_config(s.section("notify"), where.parent if where else None)
    renderer = _renderer(ctx)
    with common.session(ctx) as session:
        data = _plan(ctx, session, unit)
        rows = send_reminders(session, common.actor(ctx), data, cfg, env=renderer.env(page=True),
                              attach=_attach(ctx, session, renderer), only_failed=only_failed)
    if fmt == NotifyFormat.json:
        common.out(render(rows, Format.json, RESULT_COLUMNS))
    elif rows:
        common.out(render(_labelled(rows), Format.table, RESULT_COLUMNS))
    counts = summary(rows)
    common.note(_("已发送 {sent} 个，失败 {failed} 个，{nothing_new} 个没有新事项，{no_channel} 个单位没有 webhook 或邮箱").format(
        sent=counts["sent"], failed=counts["failed"], nothing_new=counts["nothing_new"], no_channel=counts["no_channel"]))
    if fail_if_any and counts["failed"]:
        raise typer.Exit(EXIT_FAILED)


@app.command("log")
def log(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Only this responsible unit (责任单位).")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Only the messages that could not be sent (发送失败).")] = False,
    all_dates: Annotated[bool, typer.Option("--all", help="Every date, not only the as-of date.")] = False,
    fmt: Annotated[NotifyFormat, typer.Option("--format", "-f", help="Output format: table or json.")] = NotifyFormat.table,
) -> None:
    """What went out (发送记录): every reminder sent or failed for the as-of date (--all: every date),
    newest first, with its unit, channel, items, attempts and error.

    Example: projects --as-of 2025-10-31 notify log --all
    """
    from projects_cli.listings.output import Format, render
    from projects_cli.notify.send import list_notices

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        rows = list_notices(session, as_of=None if all_dates else s.today, unit=unit, failed=failed)
    if fmt == NotifyFormat.json:
        common.out(render(rows, Format.json, (*LOG_COLUMNS, ("covered", "事项"))))
        return
    if not rows:
        common.out(_("没有发送记录"))
        return
    common.out(render(_labelled(rows), Format.table, LOG_COLUMNS))
