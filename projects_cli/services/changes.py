"""What changed (变更情况): the change log over a span of business dates, and per project in Chinese.

`log --since/--until` and the weekly briefing's 本周变化 read the log by the
date each change was made for (the command's as-of date, `change_log.on`;
rows from before migration 0010 by their wall-clock time). `summarize` turns
entries into, per project, each field that changed with its first old and last
new value in the span, labelled in Chinese (责任单位, 开工计划日期, 2025-10完成投资
…), unit ids shown as unit names, dates as 2025年10月24日.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.errors import InvalidValue
from projects_cli.i18n import N_, _
from projects_cli.store.models import Project, Unit
from projects_cli.vocab import BY_KEY, IssueState, Level

# relative spans, for the as-of date `today`: (first day, last day)
_WORDS = {
    "today": "today", "今天": "today", "yesterday": "yesterday", "昨天": "yesterday",
    "this-week": "this-week", "本周": "this-week", "last-week": "last-week", "上周": "last-week",
    "this-month": "this-month", "本月": "this-month", "last-month": "last-month", "上月": "last-month",
}
_AGO = re.compile(r"^(\d{1,4})\s*(d|w|天|周)$")


def relative_span(text: str, today: date) -> tuple[date, date | None] | None:
    """A relative `--since` as (first day, last day or None: up to `today`): 7d (the last 7 days, `today`
    included), 2w, today/今天, yesterday/昨天, this-week/本周 (from Monday), last-week/上周 (Monday to
    Sunday), this-month/本月, last-month/上月; None when `text` is not one (a date, then)."""
    word = _WORDS.get(text.strip().lower())
    if word == "today":
        return today, today
    if word == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    if word == "this-week":
        return monday, None
    if word == "last-week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = today.replace(day=1)
    if word == "this-month":
        return first, None
    if word == "last-month":
        return (first - timedelta(days=1)).replace(day=1), first - timedelta(days=1)
    found = _AGO.match(text.strip().lower())
    if found:
        days = int(found.group(1)) * (7 if found.group(2) in ("w", "周") else 1)
        if days < 1:
            raise InvalidValue(_("--since {text}：至少 1 天").format(text=text))
        return today - timedelta(days=days - 1), None
    return None


def log_span(since: str | None, until: str | None, today: date, parse_date) -> tuple[date | None, date | None]:
    """(first, last) business dates of `log --since … --until …`; `parse_date(text, option)` reads a date."""
    first = last = None
    if since:
        span = relative_span(since, today)
        first, last = span if span is not None else (parse_date(since, "--since"), None)
    if until:
        span = relative_span(until, today)
        last = (span[1] or today) if span is not None else parse_date(until, "--until")
    if first and last and last < first:
        raise InvalidValue(_("--until {last} 早于 --since {first}").format(last=last.isoformat(), first=first.isoformat()))
    return first, last


def unit_codes(session: Session, unit: str) -> list[str]:
    """The codes of the unit's projects (as they stand), for `log --unit`."""
    p, u = Project.__table__.c, Unit.__table__.c
    query = select(p.code).join_from(Project.__table__, Unit.__table__, u.id == p.unit_id).where(u.name == unit)
    return list(session.connection().execute(query).scalars())


# ---------------------------------------------------------------- the summary

DATE_LABELS = {"planned_date": N_("计划日期"), "actual_date": N_("实际完成"), "baseline_date": N_("基准日期")}
ISSUE_LABELS = {"state": N_("状态"), "level": N_("督办级别"), "deadline": N_("办理期限"), "lead_unit": N_("牵头单位"),
                "urgency": N_("紧急程度"), "misses": N_("超期次数"), "resolved_on": N_("办结日期"), "closed_on": N_("销号日期")}
STATES = {m.value: m.zh for m in IssueState}
LEVELS = {m.value for m in Level}
SKIPPED = {"milestone_plan", "issue_event", "card", "flag_score", "sheet", "dispatch", "change_log",
           "project_revision", "progress_report"}
MONEY = {k for k, spec in BY_KEY.items() if spec.kind == "money"}


def field_label(table: str, key: str) -> str:
    """A logged field's name as a clerk reads it in the interface's language (项目状态, 计划日期, 办理期限 …), else
    the key as logged."""
    if table == "project" and key in BY_KEY:
        return BY_KEY[key].label
    label = {"milestone": DATE_LABELS, "milestone_plan": DATE_LABELS, "issue": ISSUE_LABELS}.get(table, {}).get(key)
    return _(label) if label else key


def cn_value(value: Any, key: str = "", units: dict[str, str] | None = None) -> str:
    """A logged value as the summary prints it: a date as 2025年10月24日, an amount in 万元, a unit id as the
    unit's name, a problem's state in Chinese, nothing as （空）."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(value, list):
        return "、".join(cn_value(v) for v in value)
    text = str(value)
    if key.endswith("unit_id") and units is not None:
        return units.get(text, text)
    if key == "state":
        return STATES.get(text, text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        day = date.fromisoformat(text)
        return f"{day.year}年{day.month}月{day.day}日"
    if key in MONEY or key == "amount":
        try:
            Decimal(text)
        except InvalidOperation:
            return text
        return f"{text}万元"
    return text


def _lines(entry: dict[str, Any]) -> Iterable[tuple[str, Any, Any, str]]:
    """(label, old, new, key) of each field an entry changed, as the summary names them."""
    table, action = entry["table_name"], entry["action"]
    old, new, key = entry["old"] or {}, entry["new"] or {}, entry["record_key"] or ""
    if table == "project":
        if action == "insert":
            yield "新增项目", None, new.get("name"), "name"
            return
        if action == "delete":
            yield "删除项目", old.get("name"), None, "name"
            return
        for field in sorted(set(old) | set(new)):
            name = "unit" if field == "unit_id" else field
            if name in BY_KEY:
                yield BY_KEY[name].zh, old.get(field), new.get(field), field
    elif table == "project_archive":
        if action == "insert":
            yield "归档", None, f"{cn_value(new.get('archived_on'))}（{new.get('reason')}）", ""
        else:
            yield "恢复归档", None, new.get("restored_on"), ""
    elif table == "milestone":
        kind = key.split(":", 1)[-1]
        if action == "delete":
            yield f"{kind}节点", "（已有）", "删除", ""
            return
        for field in ("planned_date", "actual_date"):
            if field in new or field in old:
                yield f"{kind}{DATE_LABELS[field]}", old.get(field), new.get(field), field
    elif table == "investment_report":
        month = key.split(":", 1)[-1]
        yield f"{month}完成投资", old.get("amount"), new.get("amount"), "amount"
    elif table == "investment_plan":
        year = key.split(":", 1)[-1]
        yield f"{year}年计划投资", old.get("amount"), new.get("amount"), "amount"
    elif table == "issue":
        if action == "insert":
            yield f"问题{key}", None, f"新提报：{new.get('title')}", ""
            return
        for field in sorted(set(old) | set(new)):
            if field in ISSUE_LABELS:
                yield f"问题{key}{ISSUE_LABELS[field]}", old.get(field), new.get(field), field


def summarize(session: Session, entries: list[dict[str, Any]], *, as_of: date | None = None) -> list[dict[str, Any]]:
    """Per project (by code), the fields `entries` changed: each with its first old and last new value in
    them, in Chinese (`cn_value`); a field that came back to where it was is left out, and so is the
    registry's first load (`init`: not a change). Rows: code, name (as on `as_of`; None: now), changes
    (field, old, new)."""
    from projects_cli.facts.asof import projects_on

    p = projects_on(session, as_of) if as_of is not None else Project.__table__
    units = {str(uid): name for uid, name in session.connection().execute(
        select(Unit.__table__.c.id, Unit.__table__.c.name))}
    names = dict(session.connection().execute(select(Project.__table__.c.code, Project.__table__.c.name)).all())
    if as_of is not None:  # names as on `as_of` where it differs (an archived project keeps today's)
        names.update(session.connection().execute(select(p.c.code, p.c.name)).all())
    by_project: dict[str, dict[str, list[Any]]] = {}
    logged_names: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: e["id"]):
        code = entry["project_code"]
        if not code or entry["table_name"] in SKIPPED or (entry["command"] or "").startswith("init"):
            continue
        fields = by_project.setdefault(code, {})
        for label, old, new, key in _lines(entry):
            if entry["table_name"] == "project" and key == "name" and new:
                logged_names[code] = new
            if label in fields:
                fields[label][1] = new
            else:
                fields[label] = [old, new, key]
    out = []
    for code in sorted(by_project):
        changes = [{"field": label, "old": cn_value(old, key, units), "new": cn_value(new, key, units)}
                   for label, (old, new, key) in by_project[code].items() if old != new]
        if changes:
            out.append({"code": code, "name": names.get(code) or logged_names.get(code, ""), "changes": changes})
    return out


def summary_rows(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`summarize` flat: a row per project and field (code, name, field, old, new), for tables and the weekly."""
    return [{"code": s["code"], "name": s["name"], **change} for s in summary for change in s["changes"]]
