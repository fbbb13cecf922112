"""The Monday reports: the countdown (开工倒计时 / 下一节点) and the overdue report (逾期).

Both are computed for an as-of date from set-based queries (`facts`), so last
Monday's report re-run today gives the same answer. Services return plain
rows; the command line renders them, `workbooks.overdue_report` lays out the Excel form.
"""

from __future__ import annotations

import operator
from collections import Counter
from datetime import date, timedelta
from itertools import chain, compress, repeat
from typing import Any, Sequence

from sqlmodel import Session

from projects_cli.errors import InvalidValue
from projects_cli.facts import asof
from projects_cli.facts import leads as lead_facts
from projects_cli.facts.filters import ProjectFilter
from projects_cli.i18n import N_, _, reworded
from projects_cli.listings.rows import Part, Rows
from projects_cli.rules import milestones as mrules
from projects_cli.rules.dates import days_left, expected_percent, tier

NO_FILTER = ProjectFilter()
TYPE_LABELS = {"milestone": "节点", "issue": "问题", "lookback": "回头看", "lead": "招商线索"}
NO_MONEY = (None, None)


# How a report words an item that is not a milestone (a milestone is its kind): in Chinese, as the office's
# record and notify's key for a reminder sent; `shown_item` reads it in the interface's language.
ISSUE_ITEM, DECISION_ITEM, LOOKBACK_ITEM = N_("问题 {number}：{title}"), N_("议定事项 {number}：{title}"), N_("回头看 {number}：{title}")
LEAD_FOLLOWED, LEAD_NEVER = N_("招商线索跟进（{stage}）：上次跟进 {day}"), N_("招商线索跟进（{stage}）：{day} 登记后未跟进")
LEAD_FOLLOWED_BY = N_("招商线索跟进（{stage}）：上次跟进 {day}，{person}")
LEAD_NEVER_BY = N_("招商线索跟进（{stage}）：{day} 登记后未跟进，{person}")
ITEMS = (ISSUE_ITEM, DECISION_ITEM, LOOKBACK_ITEM, LEAD_FOLLOWED_BY, LEAD_NEVER_BY, LEAD_FOLLOWED, LEAD_NEVER)


def shown_item(text: str | None) -> str | None:
    """An item of the report (`_issue_item`, `_lead_item`, a milestone's kind) in the interface's language."""
    if not text:
        return text
    return reworded(text, ITEMS, words=("stage",)) or _(text)


def _issue_item(row: dict[str, Any], lookback: bool) -> str:
    from projects_cli.services.meetings import CATEGORY  # a meeting's decision (议定事项) says so

    template = LOOKBACK_ITEM if lookback else DECISION_ITEM if row.get("category") == CATEGORY else ISSUE_ITEM
    return template.format(number=row["number"], title=row["title"])


def _base(row: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "project_id": row["project_id"],
        "type": kind,
        "unit": row["unit"],
        "leader": row["leader"],
        "code": row["code"],
        "name": row["name"],
        "chain": row["chain"],
        "status": row["status"],
    }


# ---------------------------------------------------------------- countdown


@asof.without_gc
def countdown(
    session: Session, as_of: date, *, within: int | None = None, filters: ProjectFilter = NO_FILTER
) -> list[dict[str, Any]]:
    """Every project's next open milestone and the days left (negative: overdue).

    A project whose start (开工) is planned and not yet done counts down to its
    start (`start` true); those rows come first, then every other project's
    soonest open milestone and pending look-backs (回头看), each soonest first.
    `within` keeps the rows with at most that many days left.
    """
    rows = []
    for m in asof.next_milestones(session, as_of, filters=filters):
        row = _base(m, "milestone")
        row.update(item=m["kind"], kind=m["kind"], planned=m["planned"], baseline=m["baseline_date"],
                   start=m["kind"] == mrules.START)
        rows.append(row)
    for issue in asof.open_lookbacks(session, as_of, filters=filters):
        row = _base(issue, "lookback")
        row.update(item=_issue_item(issue, True), kind=None, planned=issue["lookback_on"], baseline=None, start=False)
        rows.append(row)
    for row in rows:
        del row["project_id"]
        row["days_left"] = days_left(row["planned"], as_of)
    if within is not None:
        rows = [r for r in rows if r["days_left"] <= within]
    rows.sort(key=lambda r: (not r["start"], r["days_left"], r["code"], r["item"]))
    return rows


# ---------------------------------------------------------------- overdue


@asof.without_gc
def overdue(
    session: Session,
    as_of: date,
    *,
    tiers: Sequence[dict[str, Any]],
    since: date | None = None,
    horizon: int = 14,
    min_days: int = 0,
    filters: ProjectFilter = NO_FILTER,
    follow_days: int = lead_facts.FOLLOW_DAYS,
) -> dict[str, Any]:
    """The overdue report at `as_of`.

    * `overdue`: every milestone planned before `as_of` and not done by then,
      every problem past its deadline, every look-back (回头看) past its date,
      every lead being pursued (招商线索) past its follow-up date (`facts.leads`:
      the date its last contact set, else `follow_days` after it);
      with days late, the severity tier (`tiers` from the rules file), the
      project's investment gap, and `new` when it was not overdue at `since`
      (default: a week before). Grouped by responsible unit (the unit with most
      items first), then leader, worst first.
    * `new_since`: the overdue rows that are new.
    * `due_soon`: planned within `horizon` days from `as_of` (today included).
    * `by_unit`: counts per responsible unit and tier.

    `min_days` keeps overdue rows at least that many days late.
    """
    since = since or as_of - timedelta(days=7)
    if since >= as_of:
        raise InvalidValue(_("--since {since} 应早于统计截止日期 {day}").format(since=since.isoformat(), day=as_of.isoformat()))
    if horizon < 0 or min_days < 0:
        raise InvalidValue(_("--horizon 和 --min-days 不能为负数"))
    upto = as_of + timedelta(days=horizon)
    projects = asof.project_info(session, filters, as_of)
    found = asof.open_milestones(session, as_of, upto=upto, since=since, filters=filters)
    if not all(map(projects.__contains__, found.project_id)):  # a project added while this report read
        found = asof.OpenMilestones(*(list(compress(c, map(projects.__contains__, found.project_id))) for c in found))
    issue_rows = asof.open_issue_deadlines(session, as_of, upto=upto, filters=filters)
    lookback_rows = asof.open_lookbacks(session, as_of, upto=upto, filters=filters)
    gaps = asof.completion_by_project(session, as_of, chain(found.project_id, (
        i["project_id"] for i in chain(issue_rows, lookback_rows))))

    # Rows are kept as parts (see `rows.Rows`) and built whole columns at a time: on 100,000
    # projects there are 150,000 rows. Three parts: who (type and project; by project id for
    # milestone rows, by (type, issue id) for problems and look-backs), the event (item and
    # date; by (kind, planned[, new]) or (type, issue id)) and the investment gap (by project id).
    used = set(found.project_id)
    who = dict(zip(used, map(("milestone",).__add__, map(projects.__getitem__, used))))
    gap_of = dict(zip(used, map(gaps.get, used, repeat(NO_MONEY))))
    cut = as_of - timedelta(days=max(1, min_days))  # planned on or before it: overdue at least min_days
    is_late = list(map(cut.__ge__, found.planned))
    is_soon = list(map(as_of.__le__, found.planned))
    late_pids = list(compress(found.project_id, is_late))
    late_who = list(late_pids)
    # new: not yet overdue at `since` under the plan in force then (or not planned at all then: None)
    late_events = list(zip(compress(found.kind, is_late), compress(found.planned, is_late),
                           [d is None or since <= d for d in compress(found.planned_since, is_late)]))
    late_event = {key: _late_event(key[0], None, None, key[1], key[2], as_of, tiers) for key in set(late_events)}
    soon_pids = list(compress(found.project_id, is_soon))
    soon_who = list(soon_pids)
    soon_events = list(zip(compress(found.kind, is_soon), compress(found.planned, is_soon)))
    soon_event = {key: _soon_event(key[0], None, None, key[1], as_of) for key in set(soon_events)}

    def add(kind: str, i: dict[str, Any], item: str, level: str | None, when: date, new: bool) -> None:
        key = (kind, i["issue_id"])
        who[key] = (kind, i["unit"], i["leader"], i["code"], i["name"])
        gap_of.setdefault(i["project_id"], gaps.get(i["project_id"], NO_MONEY))
        if when < as_of and (as_of - when).days >= min_days:
            late_event[key] = _late_event(item, i["number"], level, when, new, as_of, tiers)
            late_who.append(key), late_events.append(key), late_pids.append(i["project_id"])
        elif when >= as_of:
            soon_event[key] = _soon_event(item, i["number"], level, when, as_of)
            soon_who.append(key), soon_events.append(key), soon_pids.append(i["project_id"])

    for i in issue_rows:
        # new: it fell due after last week's date
        add("issue", i, _issue_item(i, False), i["level"], i["deadline"], i["deadline"] >= since)
    for i in lookback_rows:
        add("lookback", i, _issue_item(i, True), None, i["lookback_on"], i["lookback_on"] >= since)
    for lead in _pursued_leads(session, as_of, upto, filters, follow_days):
        # a lead is no project: its own key in each part, no investment gap; new: it fell due since last week
        key = ("lead", lead["id"])
        who[key] = ("lead", lead["unit"], lead["leader"], lead["code"], lead["name"])
        gap_of[key] = NO_MONEY
        when = lead["follow_due"]
        if when < as_of and (as_of - when).days >= min_days:
            late_event[key] = _late_event(_lead_item(lead), None, None, when, when >= since, as_of, tiers)
            late_who.append(key), late_events.append(key), late_pids.append(key)
        elif when >= as_of:
            soon_event[key] = _soon_event(_lead_item(lead), None, None, when, as_of)
            soon_who.append(key), soon_events.append(key), soon_pids.append(key)
    who_part = Part(WHO, who)
    gap_part = Part(GAP, gap_of)
    late = Rows([who_part, Part(LATE_EVENT, late_event), gap_part], [late_who, late_events, late_pids])
    soon = Rows([who_part, Part(SOON_EVENT, soon_event), gap_part], [soon_who, soon_events, soon_pids])
    tier_names = [t["name"] for t in tiers]
    by_unit = _by_unit(late, soon, tier_names)
    late = late.take(_late_order(late, {u["unit"]: n for n, u in enumerate(by_unit)}))
    soon = soon.take(sorted(range(len(soon)), key=list(zip(
        soon.column("planned"), map(_none_last, soon.column("unit")), soon.column("code"), soon.column("item"))
    ).__getitem__))
    new_rows = late.where(map(operator.itemgetter(6), map(late.parts[1].values.__getitem__, late.keys[1])))
    by_tier = dict.fromkeys(tier_names, 0)
    for u in by_unit:
        for name, count in u["by_tier"].items():
            by_tier[name] += count
    return {
        "as_of": as_of,
        "since": since,
        "horizon": horizon,
        "due_by": upto,
        "min_days": min_days,
        "expected": expected_percent(as_of),
        "tiers": tier_names,
        "totals": {
            "overdue": len(late),
            "new": len(new_rows),
            "due_soon": len(soon),
            "by_tier": by_tier,
            "by_type": {kind: sum(u["by_type"][kind] for u in by_unit) for kind in TYPE_LABELS},
        },
        "by_unit": by_unit,
        "overdue": late,
        "new_since": new_rows,
        "due_soon": soon,
    }


def _pursued_leads(session: Session, as_of: date, upto: date, filters: ProjectFilter,
                   follow_days: int) -> list[dict[str, Any]]:
    """The leads being pursued at `as_of` whose follow-up falls due by `upto`, within the report's filters:
    a unit, chain, leader or search applies to them as to projects; a filter only projects have (cluster,
    category, status, plan column) leaves them out."""
    if any((filters.cluster, filters.category, filters.status, filters.column)):
        return []
    rows = lead_facts.matching(lead_facts.leads_on(session, as_of, follow_days=follow_days), filters.search,
                               unit=filters.unit, chain=filters.chain, leader=filters.leader)
    return [r for r in rows if r["follow_due"] is not None and r["follow_due"] <= upto]


def _lead_item(lead: dict[str, Any]) -> str:
    last = lead["last_follow"]
    day = last["on"].isoformat() if last else lead["recorded_on"].isoformat()
    if lead["person"]:
        return (LEAD_FOLLOWED_BY if last else LEAD_NEVER_BY).format(stage=lead["stage"], day=day, person=lead["person"])
    return (LEAD_FOLLOWED if last else LEAD_NEVER).format(stage=lead["stage"], day=day)


WHO = ("type", "unit", "leader", "code", "name")
LATE_EVENT = ("item", "issue", "level", "planned", "days_late", "tier", "new")
SOON_EVENT = ("item", "issue", "level", "planned", "days_left", "new")
GAP = ("rate", "behind")


def _late_event(item: str, issue: str | None, level: str | None, when: date, new: bool, as_of: date,
                tiers: Sequence[dict[str, Any]]) -> tuple:
    days = (as_of - when).days
    return item, issue, level, when, days, tier(days, tiers), new


def _soon_event(item: str, issue: str | None, level: str | None, when: date, as_of: date) -> tuple:
    return item, issue, level, when, (when - as_of).days, False


def _none_last(text: str | None) -> tuple[bool, str]:
    return text is None, text or ""


def _late_order(late: Rows, rank: dict[str | None, int]) -> list[int]:
    """Positions of the overdue rows by unit (in `rank` order), leader, days late (most first), code, item.

    One whole number per row, the sum of one per distinct project part and one per distinct
    event part, each scaled to outrank the next, so the sort compares plain numbers.
    """
    who_keys, event_keys, _ = late.keys
    who, event = late.parts[0].values, late.parts[1].values
    used_who, used_event = list(set(who_keys)), list(set(event_keys))
    whos = list(map(who.__getitem__, used_who))
    groups = list(map(operator.itemgetter(1, 2), whos))  # (unit, leader)
    codes = list(map(operator.itemgetter(3), whos))
    events = list(map(event.__getitem__, used_event))
    group = {g: n for n, g in enumerate(sorted(set(groups), key=lambda g: (rank[g[0]], *_none_last(g[1]))))}
    code = {c: n for n, c in enumerate(sorted(set(codes)))}
    item = {t: n for n, t in enumerate(sorted({e[0] for e in events}))}
    most = max((e[4] for e in events), default=0)
    n_items, n_codes, n_days = len(item), len(code), most + 1
    by_who = dict(zip(used_who, map(operator.add, map(operator.mul, map(group.__getitem__, groups), repeat(n_days * n_codes * n_items)),
                                    map(operator.mul, map(code.__getitem__, codes), repeat(n_items)))))
    by_event = {k: (most - e[4]) * n_codes * n_items + item[e[0]] for k, e in zip(used_event, events)}
    keys = list(map(operator.add, map(by_who.__getitem__, who_keys), map(by_event.__getitem__, event_keys)))
    return sorted(range(len(keys)), key=keys.__getitem__)


def _by_unit(late: Rows, soon: Rows, tier_names: list[str]) -> list[dict[str, Any]]:
    """Counts per responsible unit: overdue (by tier and type), new, due soon, the longest delay; most overdue first."""
    units: dict[str | None, dict[str, Any]] = {}

    def entry(unit: str | None) -> dict[str, Any]:
        if unit not in units:
            units[unit] = {"unit": unit, "overdue": 0, "new": 0, "due_soon": 0, "max_days_late": 0,
                           "by_tier": dict.fromkeys(tier_names, 0), "by_type": dict.fromkeys(TYPE_LABELS, 0)}
        return units[unit]

    # count the distinct (type and unit, date, tier, new) tuples, a few thousand, not the rows
    kind_unit = operator.itemgetter(0, 1)
    when = operator.itemgetter(4, 5, 6)
    counts = Counter(zip(map(kind_unit, map(late.parts[0].values.__getitem__, late.keys[0])),
                         map(when, map(late.parts[1].values.__getitem__, late.keys[1]))))
    for ((kind, unit), (days, tier_name, new)), count in counts.items():
        e = entry(unit)
        e["overdue"] += count
        e["new"] += count if new else 0
        e["by_tier"][tier_name] += count
        e["by_type"][kind] += count
        if days > e["max_days_late"]:
            e["max_days_late"] = days
    for unit, count in Counter(map(operator.itemgetter(1), map(soon.parts[0].values.__getitem__, soon.keys[0]))).items():
        entry(unit)["due_soon"] += count
    return sorted(units.values(), key=lambda e: (-e["overdue"], *_none_last(e["unit"])))
