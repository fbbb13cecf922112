"""Reminders (催办提醒): what each responsible unit should be told on a date, as one message per unit.

Every item comes from the reports already on file, never computed a second time: the overdue report
(`report.overdue`: milestones, problems, look-backs and leads past their date, and what falls due within
the horizon), the 派工单 not yet returned (`dispatch.list_returns`) and the period's new red and yellow
cards (`cards.period_changes`). Each item has a stable key (what it is about and its date), so a
reminder already sent for it today is not sent again (`services.notify_send`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Sequence

from sqlmodel import Session

from projects_cli.facts.filters import ProjectFilter
from projects_cli.rules.workdays import WorkCalendar, add_workdays

# the parts of a message, in the order they are printed
SECTIONS = {"overdue": "逾期事项", "due_soon": "即将到期", "dispatch": "派工单", "cards": "新亮牌"}


def horizon_date(as_of: date, workdays: int, calendar: WorkCalendar) -> date:
    """The last day of the horizon: `workdays` working days after `as_of` (PRC calendar)."""
    return add_workdays(as_of, workdays, calendar)


def _what(row: dict[str, Any]) -> str:
    if row["type"] == "milestone":
        return f"{row['code']} {row['name']}：{row['item']}节点"
    return f"{row['code']} {row['name']}：{row['item']}" if row["code"] else row["item"]


def _overdue_items(data: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    out = []
    for row in data["overdue"]:
        level = f"，{row['level']}" if row["level"] else ""
        text = f"{_what(row)}，期限 {row['planned'].isoformat()}，已逾期 {row['days_late']} 天（{row['tier']}{level}）"
        key = f"overdue:{row['type']}:{row['code'] or ''}:{row['issue'] or row['item']}:{row['planned'].isoformat()}"
        out.append((row["unit"], {"section": "overdue", "key": key, "text": text}))
    for row in data["due_soon"]:
        left = "今天到期" if row["days_left"] == 0 else f"还剩 {row['days_left']} 天"
        text = f"{_what(row)}，期限 {row['planned'].isoformat()}，{left}"
        key = f"due_soon:{row['type']}:{row['code'] or ''}:{row['issue'] or row['item']}:{row['planned'].isoformat()}"
        out.append((row["unit"], {"section": "due_soon", "key": key, "text": text}))
    return out


def _dispatch_items(session: Session, as_of: date, due_by: date, unit: str | None) -> list[tuple[str, dict[str, Any]]]:
    from projects_cli.ledger.dispatch import list_returns

    out = []
    for row in list_returns(session, as_of, unit=unit):
        due = row["due_on"]
        if row["returned_on"] is not None or due is None or due > due_by:
            continue
        if row["state"] == "missing":
            text = f"{row['period']} 派工单未报送，截止 {due.isoformat()}，已逾期 {row['days_late']} 天，请立即报送"
        else:
            text = f"{row['period']} 派工单尚未报送，截止 {due.isoformat()}，请按时报送"
        key = f"dispatch:{row['period']}:{due.isoformat()}:{row['state']}"
        out.append((row["unit"], {"section": "dispatch", "key": key, "text": text}))
    return out


def _card_items(session: Session, as_of: date, period_kind: str, labels: dict[str, str],
                unit: str | None) -> list[tuple[str | None, dict[str, Any]]]:
    from projects_cli.services import cards

    period, _ = cards.resolve(as_of, None, period_kind)
    changed = cards.period_changes(session, period, ProjectFilter(), on_record=as_of)
    fresh = {code: "red" for code in changed["newly_red"]} | {code: "yellow" for code in changed["newly_yellow"]}
    out = []
    for row in cards.list_cards(session, period, ProjectFilter(), on_record=as_of):
        color = fresh.get(row["code"])
        if color is None or color != row["color"] or (unit is not None and row["unit"] != unit):
            continue
        text = f"{row['code']} {row['name']}：{period} 被亮{labels[color]}（{row['reasons'] or row['manual_reason'] or ''}）"
        out.append((row["unit"], {"section": "cards", "key": f"card:{period}:{row['code']}:{color}", "text": text}))
    return out


def plan_reminders(
    session: Session,
    as_of: date,
    *,
    calendar: WorkCalendar,
    tiers: Sequence[dict[str, Any]],
    horizon_workdays: int = 3,
    follow_days: int = 30,
    period_kind: str = "monthly",
    card_labels: dict[str, str] | None = None,
    filters: ProjectFilter = ProjectFilter(),
) -> dict[str, Any]:
    """Per responsible unit, what it should be told at `as_of`: its overdue items, what falls due within
    `horizon_workdays` working days, its 派工单 not yet returned and due by then, its new red and yellow cards.

    `units`: one entry per unit with something to say (unit name order), each item a section
    (`SECTIONS`), a key (what it covers: the same item on the same dates has the same key) and its text.
    Items of no unit are left out (nobody to tell).
    """
    from projects_cli.services import report

    due_by = horizon_date(as_of, horizon_workdays, calendar)
    data = report.overdue(session, as_of, tiers=tiers, since=as_of - timedelta(days=7),
                          horizon=(due_by - as_of).days, filters=filters, follow_days=follow_days)
    found = _overdue_items(data)
    found += _dispatch_items(session, as_of, due_by, filters.unit)
    found += _card_items(session, as_of, period_kind, card_labels or {"red": "红牌", "yellow": "黄牌"}, filters.unit)
    units: dict[str, list[dict[str, Any]]] = {}
    for unit, item in found:
        if unit is not None:
            units.setdefault(unit, []).append(item)
    order = list(SECTIONS)
    return {
        "as_of": as_of,
        "due_by": due_by,
        "horizon_workdays": horizon_workdays,
        "units": [{"unit": name, "items": sorted(items, key=lambda i: order.index(i["section"]))}
                  for name, items in sorted(units.items())],
    }
