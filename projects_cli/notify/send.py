"""Sending the reminders and keeping the record (`Notice`): never twice, never lost.

Each unit gets its message on each channel it has (its webhook: the 企业微信 or 钉钉 robot; its e-mail).
An item already sent to that unit on that channel for the same as-of date is left out, so a re-run sends
nothing new; a message whose every item went out already is not sent at all. A failed send is retried
(`channels.attempt`) and then recorded as failed, and the next unit is served; a failed item is sent again
by the next run. Each record is committed as soon as its send is over, so a run cut short keeps what went out.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any, Callable, Sequence

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.notify import channels, messages
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import Notice, Unit

# what the e-mail of a unit carries: (file name, content) of each attachment, from the unit's name and items
Attach = Callable[[str, Sequence[dict[str, Any]]], list[tuple[str, bytes]]]


def _keys(session: Session, unit_id: int, channel: str, as_of: date, result: str) -> set[str]:
    """The items of the messages to that unit on that channel for `as_of` with that result."""
    c = Notice.__table__.c
    rows = session.connection().execute(
        select(c["items"]).where(c.unit_id == unit_id, c.channel == channel, c.as_of == as_of, c.result == result))
    return {key for (items,) in rows for key in items}


def _unit(session: Session, name: str) -> Unit | None:
    from projects_cli.services.units import get_unit

    return get_unit(session, name)


def _robot_send(cfg: channels.NotifyConfig, kind: str, url: str, title: str, text: str,
                secret: str | None, clock: Callable[[], float]) -> Callable[[], None]:
    def send() -> None:
        if kind == "wecom":
            channels.post_json(url, channels.wecom_payload(text), cfg.timeout)
        else:
            target = channels.dingtalk_signed(url, secret, int(clock() * 1000)) if secret else url
            channels.post_json(target, channels.dingtalk_payload(title, text), cfg.timeout)

    return send


def send_reminders(
    session: Session,
    ctx: Ctx,
    plan: dict[str, Any],
    cfg: channels.NotifyConfig,
    *,
    env=None,
    attach: Attach | None = None,
    only_failed: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> list[dict[str, Any]]:
    """Send each unit of `plan` (`plan.plan_reminders`) what it has not been sent yet (`only_failed`: only
    the items whose sending failed before, for the same date), in the words of the templates of `env`
    (`messages`); one row per message: sent or failed (a robot's reminder too long for one message is split,
    one row each part), else one per unit and channel: nothing new, or no channel (the unit has no webhook and
    no e-mail, and the office none either: `[notify] office_webhook`, `office_email`, which get the messages of
    units without their own). An e-mail carries what `attach` gives for the unit (its 督办单, 亮牌通知)."""
    as_of, due_by = plan["as_of"], plan["due_by"]
    env = env or messages.shipped_env()
    secret = password = None
    out: list[dict[str, Any]] = []
    for entry in plan["units"]:
        name = entry["unit"]
        unit = _unit(session, name)
        targets: list[tuple[str, str]] = []
        webhook, mail_to = unit.webhook, unit.email
        if not webhook and not mail_to:  # the office's own channel, to pass it on
            webhook, mail_to = cfg.office_webhook, cfg.office_email
        if webhook:
            targets.append((channels.robot_kind(webhook, cfg.robot), webhook))
        if mail_to:
            targets.append(("email", mail_to))
        if not targets:
            out.append({"unit": name, "channel": None, "result": "no_channel", "items": 0, "attempts": 0, "error": None})
            continue
        for channel, address in targets:
            done = _keys(session, unit.id, channel, as_of, "sent")
            items = [i for i in entry["items"] if i["key"] not in done]
            if only_failed:
                failed = _keys(session, unit.id, channel, as_of, "failed")
                items = [i for i in items if i["key"] in failed]
            if not items:
                out.append({"unit": name, "channel": channel, "result": "nothing_new", "items": 0, "attempts": 0,
                            "error": None})
                continue
            title = f"督办提醒：{name}"
            sends: list[tuple[list[dict[str, Any]], Callable[[], None]]] = []
            if channel == "email":
                if password is None:
                    password = channels.read_secret(channels.SMTP_PASSWORD_ENV, cfg.smtp_password_file, "邮箱密码") or ""
                files = attach(name, items) if attach else []
                named = "、".join(f for f, _ in files) or None
                mail = channels.mail_message(
                    cfg.smtp_from or cfg.smtp_user or "ducha@localhost", address, f"{title}（截至 {as_of.isoformat()}）",
                    messages.render(env, "mail_text", name, items, as_of, due_by, attachment=named),
                    messages.render(env, "mail_html", name, items, as_of, due_by, attachment=named), files)

                def send(mail=mail) -> None:
                    channels.send_mail(cfg, password or None, mail)

                sends.append((items, send))
            else:
                if channel == "dingtalk" and secret is None:
                    secret = channels.read_secret(channels.DINGTALK_SECRET_ENV, cfg.dingtalk_secret_file, "钉钉加签密钥") or ""
                for chunk, text in messages.split(env, channel, name, items, as_of, due_by, channels.LIMITS[channel]):
                    sends.append((chunk, _robot_send(cfg, channel, address, title, text, secret or None, clock)))
            for covered, send in sends:
                tries, error = channels.attempt(send, cfg.retries, cfg.backoff, sleep)
                result = "failed" if error else "sent"
                session.add(Notice(unit_id=unit.id, unit=name, channel=channel, items=[i["key"] for i in covered],
                                   as_of=as_of, result=result, attempts=tries, error=error, by=ctx.by,
                                   created_at=ctx.now))
                session.commit()  # kept at once: a run cut short later still knows this went out
                out.append({"unit": name, "channel": channel, "result": result, "items": len(covered),
                            "attempts": tries, "error": error})
    return out


def list_notices(session: Session, *, as_of: date | None = None, unit: str | None = None,
                 failed: bool = False) -> list[dict[str, Any]]:
    """What went out (and what failed), newest first: of one as-of date, of one unit, only the failures."""
    c = Notice.__table__.c
    query = select(c.id, c.created_at, c.as_of, c.unit, c.channel, c.result, c.attempts, c["items"], c.error, c.by)
    if as_of is not None:
        query = query.where(c.as_of == as_of)
    if unit is not None:
        query = query.where(c.unit_id == _unit(session, unit).id)
    if failed:
        query = query.where(c.result == "failed")
    rows = session.connection().execute(query.order_by(c.id.desc())).mappings()
    return [dict(r, items=len(r["items"]), covered=list(r["items"])) for r in rows]


CHANNEL_LABELS = {"wecom": "企业微信", "dingtalk": "钉钉", "email": "邮件"}
RESULT_LABELS = {"sent": "已发送", "failed": "发送失败", "nothing_new": "无新事项", "no_channel": "未配置渠道"}


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(RESULT_LABELS, 0)
    for r in rows:
        counts[r["result"]] += 1
    return counts
