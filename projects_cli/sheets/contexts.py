"""Supervision sheets: the 督办单 for an issue, the card notice to a unit, the weekly briefing.

Each sheet is a Jinja template (``templates/notice.txt``, ``cards.txt``,
``weekly.txt``) rendered over a context that set-based queries build here;
`projects_cli.sheets.layout` turns the result into Excel, HTML or Markdown.

Issuing a sheet gives it the next number of the year (高新督〔2025〕12号, one
sequence per year kept in the database) and records it in the ``sheet``
table with its kind, date, recipient, the data it was built from and the
rendered text, so a number is never given twice and `reissue` reproduces the
sheet exactly, whatever happened to the registry or the templates since.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import and_, func, select
from sqlmodel import Session

from projects_cli.config.office import read_section
from projects_cli.config.paths import resource_dir
from projects_cli.errors import ConfigError, IllegalMove, InvalidValue, NotFound
from projects_cli.i18n import _
from projects_cli.services import registry
from projects_cli.sheets.markup import Document, parse
from projects_cli.store import changelog, sequences
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import DEADLINE_STATES, Card, IssueEvent, Sheet, Unit
from projects_cli.vocab import NO_UNIT, SheetKind

KINDS = {k.value: k.zh for k in SheetKind}
# Reports laid out as the sheets are, from a template of the same folders, but never issued: no number, nothing
# recorded (`preview` renders them). `lead report --output` is 招商线索汇总 (templates/leads.txt).
REPORTS = {"leads": "招商线索汇总"}
TEMPLATES = {kind: f"{kind}.txt" for kind in (*KINDS, *REPORTS)}
SEQUENCE = "sheet"
PREVIEW_NUMBER = "（预览，未编号）"


# ---------------------------------------------------------------- the office's [sheets] settings


@dataclass(frozen=True)
class SheetConfig:
    """The config file's ``[sheets]`` table."""

    prefix: str = "高新督"  # 高新督〔2025〕12号
    office: str = "高新区重点项目推进中心"  # the signature
    mark: str = ""  # 发文机关标志 at the head of a Word document; blank: the office
    title_font: str = "方正小标宋简体"  # a Word document's title and mark (黑体 where it is not installed)
    contact: str = ""  # 联系人
    weekly_to: str = "各责任单位"  # the weekly briefing's 主送
    weekly_cc: tuple[str, ...] = ()  # and its 抄送
    phone: str = ""  # 联系电话
    templates: Path | None = None  # the office's own templates folder
    list_limit: int = 30  # rows of a list in the weekly briefing before "另有N项"
    render_seconds: float | None = None  # a template's time limit (default `templating.RENDER_SECONDS`)
    render_output_mb: float | None = None  # and output limit (`templating.RENDER_OUTPUT_MB`)

    def limits(self):
        """The `templating.Limits` these settings give."""
        from projects_cli.sheets.templating import Limits

        given = {"seconds": self.render_seconds, "output_mb": self.render_output_mb}
        return Limits(**{k: v for k, v in given.items() if v is not None})


def sheet_config(section: Mapping[str, Any] | None, base: Path | None = None) -> SheetConfig:
    """``[sheets]`` (checked by `config.office`) over the defaults.

    A relative templates folder is relative to `base`, the config file's folder.
    """
    values = read_section("sheets", section)
    if "templates" in values:
        folder = Path(values["templates"]).expanduser()
        values["templates"] = folder if folder.is_absolute() or base is None else base / folder
    if "weekly_cc" in values:
        values["weekly_cc"] = tuple(values["weekly_cc"])
    return SheetConfig(**values)


def template_folders(user: Path | None, fallback_user: Path | None = None) -> list[Path]:
    """[the office's folder, the shipped folder]; the office's folder must exist when named."""
    shipped = resource_dir("templates")
    folders: list[Path] = []
    if user is not None:
        if not user.is_dir():
            raise ConfigError(_("模板文件夹 {folder} 不存在").format(folder=user))
        folders.append(user)
    elif fallback_user is not None and fallback_user.is_dir():
        folders.append(fallback_user)
    folders.append(shipped)
    return folders


def format_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq}号"


# ---------------------------------------------------------------- rendering


@dataclass
class Renderer:
    """The template environments of one command: sheet markup and the HTML page."""

    folders: list[Path]
    office: Any  # templating.Office
    limits: Any = None  # templating.Limits; None: the defaults
    _envs: dict[bool, Any] = field(default_factory=dict)

    def env(self, page: bool = False):
        if page not in self._envs:
            from projects_cli.sheets.templating import make_env

            self._envs[page] = make_env(self.folders, self.office, page=page, limits=self.limits)
        return self._envs[page]

    def markup(self, kind: str, context: dict[str, Any]) -> str:
        from projects_cli.sheets.templating import render

        return render(self.env(), TEMPLATES[kind], context)

    def document(self, markup: str, kind: str) -> Document:
        name = TEMPLATES[kind]
        return parse(markup, _("模板 {name}").format(name=name))


def office_filters(rules, calendar_loader) -> Any:
    """What the template filters need from the rules file and the calendar."""
    from projects_cli.sheets.templating import Office

    return Office(
        labels=dict(rules.get("cards.labels")),
        meanings=dict(rules.get("cards.meaning")),
        consequences=dict(rules.get("cards.consequence")),
        calendar=calendar_loader,
    )


# ---------------------------------------------------------------- typed JSON (stored contexts)


def encode(value: Any) -> Any:
    """A context as JSON that keeps its types: dates and Decimals are tagged, not flattened to text."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, float):
        return {"$dec": repr(value)}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    raise TypeError(f"cannot store {type(value).__name__} in a sheet's context")


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$dec" in value:
            return Decimal(value["$dec"])
        if len(value) == 1 and "$date" in value:
            return date.fromisoformat(value["$date"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- contexts


def _common(kind: str, as_of: date, config: SheetConfig, number: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "kind_zh": KINDS.get(kind) or REPORTS[kind],
        "number": number,
        "year": as_of.year,
        "as_of": as_of,
        "issued_on": as_of,
        "office": config.office,
        "office_contact": config.contact,
        "office_phone": config.phone,
    }


def notice_context(session: Session, as_of: date, issue_number: str, calendar, *, remind_workdays: int = 3,
                   kind: str | None = None) -> tuple[str, str, dict[str, Any]]:
    """(recipient, ref, data) of a problem's sheet: the issue, its project, lead and helper units, deadline, and
    `sheet_kind`, which of the three sheets (三单) it is — `kind` if given, else by its deadline and level as of
    `as_of` (`rules.escalation.sheet_kind`: 交办单, 催办单 within `remind_workdays`, 督办单 once overdue)."""
    from projects_cli.rules.escalation import sheet_kind
    from projects_cli.services import issues
    from projects_cli.sheets.templating import signed_workdays

    row = issues.show_issue(session, issue_number, as_of, calendar)
    if row["state"] not in DEADLINE_STATES:
        raise IllegalMove(
            _("问题 {number} {state}：交办单、催办单、督办单只发给已交办或已反馈的问题；"
              "请先交办：projects issue assign {number} --unit …").format(number=row['number'], state=row['state_zh'])
        )
    if not row["lead_unit"]:
        raise InvalidValue(_("问题 {number} 没有牵头单位；请先交办").format(number=row['number']))
    project = registry.show_project(session, row["project_code"], as_of.year, as_of)  # as on record then
    unit = session.scalars(select(Unit).where(Unit.id == row["lead_unit_id"])).one()
    setter = next((e for e in reversed(row["events"]) if e["type"] in issues.DEADLINE_SETTERS), None) or {}
    assign = next((e for e in reversed(row["events"]) if e["type"] in issues.DEADLINE_SETTERS
                   and e["type"] != "relimit"), None)
    deadline = row["deadline"]
    left = signed_workdays(as_of, deadline, calendar) if deadline is not None else None
    data = {
        "sheet_kind": kind or sheet_kind(row["level"], left, remind_workdays, row["assigned_on"] == as_of),
        "remind_workdays": remind_workdays,
        "issue": {
            "number": row["number"],
            "title": row["title"],
            "category": row["category"],
            "description": row["description"],
            "urgency": row["urgency"],
            "level": row["level"],
            "state": row["state"],
            "state_zh": row["state_zh"],
            "reported_on": row["reported_on"],
            "assigned_on": row["assigned_on"],
            "deadline": deadline,
            "deadline_workdays": (setter.get("data") or {}).get("workdays"),
            # 挂牌督办 set a new 限期 (an event 重新限期): the one it replaced, for the notice to name
            "previous_deadline": decode_day((setter.get("data") or {}).get("old_deadline"))
            if setter.get("type") == "relimit" else None,
            "workdays_left": left,
            "days_late": row["days_late"],
            "misses": row["misses"],
            "assign_text": (assign or {}).get("text"),
        },
        "project": {k: project.get(k) for k in (
            "code", "name", "chain", "owner", "location", "leader", "task_force", "status", "site_progress",
            "total_investment", "annual_plan")},
        # named as on the notice's date (a unit renamed since is named as it was then)
        "lead_unit": {"name": row["lead_unit"], "contact": unit.contact, "phone": unit.phone},
        "helpers": list(row["helpers"]),
        "instructions": [
            {"on": e["on"], "actor": e["actor"], "text": e["text"], "who": (e["data"] or {}).get("who")}
            for e in row["events"] if e["type"] == "instruct"
        ],
        "history": [
            {"on": e["on"], "type": e["type"], "type_zh": e["type_zh"], "actor": e["actor"], "text": e["text"]}
            for e in row["events"]
        ],
    }
    return row["lead_unit"], row["number"], data


def decode_day(value: Any) -> date | None:
    """A date as an event's data holds it (ISO text), or None."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _reasons(row: dict[str, Any]) -> str:
    """Why a card (a row of `cards.list_cards`): the manual card's reason, else the rules that fired."""
    if row.get("manual"):
        return f"人工设牌：{row.get('manual_reason') or ''}".rstrip("：")
    return row.get("reasons") or ""


def _card_row(row: dict[str, Any], previous: str | None) -> dict[str, Any]:
    return {
        "code": row["code"],
        "name": row["name"],
        "unit": row["unit"],
        "leader": row["leader"],
        "chain": row["chain"],
        "color": row["color"],
        "computed": row["computed"],
        "manual": bool(row["manual"]),
        "previous": previous,
        "change": _change(row["color"], previous),
        "reasons": _reasons(row),
    }


def cards_contexts(
    session: Session, as_of: date, rules, unit: str | None = None, period: str | None = None
) -> list[tuple[str, str, dict[str, Any]]]:
    """(recipient, ref, data) of the card notice for one unit, or one per unit with cards in the period.

    The period's cards (`cards.list_cards`: a manual card in force wins) and the
    previous period's colour of each project, worst first; counts per colour.
    """
    from projects_cli.facts.filters import ProjectFilter
    from projects_cli.rules.dates import period_of, previous_period
    from projects_cli.services import cards

    period = cards.check_period(period) if period else period_of(as_of, rules.get("period.kind"))
    previous = previous_period(period)
    unit_name = registry.find_unit(session, unit).name if unit else None
    filters = ProjectFilter(unit=unit_name)
    rows = cards.list_cards(session, period, filters, on_record=as_of)
    if unit_name and not rows:
        raise NotFound(
            _("{unit}没有项目有 {period} 的红黄蓝牌；请先评定该期（projects cards rate --period {period}），"
              "或换一个 --period").format(unit=unit_name, period=period)
        )
    cards.require_cards(rows, period)
    before = {r["code"]: r["color"] for r in cards.list_cards(session, previous, filters, on_record=as_of)}
    by_unit: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_unit.setdefault(row["unit"] or "", []).append(_card_row(row, before.get(row["code"])))
    out = []
    for name in sorted(n for n in by_unit if n):  # projects without a responsible unit have nobody to notify
        projects = by_unit[name]  # worst first, as list_cards orders them
        counts = _colour_counts(r["color"] for r in projects)
        data = {
            "unit": name,
            "period": period,
            "provisional": any(r["provisional"] for r in rows if (r["unit"] or "") == name),
            "previous_period": previous,
            "projects": projects,
            "counts": counts,
            "total": len(projects),
            "colors_present": [c for c in ("red", "yellow", "blue") if counts[c]],
        }
        out.append((name, period, data))
    return out


def _change(color: str, previous: str | None) -> str:
    from projects_cli.rules.cards import RANK

    if previous is None:
        return "新评"
    if RANK[color] > RANK[previous]:
        return "升级"
    if RANK[color] < RANK[previous]:
        return "好转"
    return "持平"


def _latest_rated(session: Session, period: str, as_of: date) -> str | None:
    """The latest period up to `period` rated by `as_of` (the week's briefing shows the latest rating on record)."""
    c = Card.__table__.c
    same_kind = c.period.like("%-W%") if "-W" in period else ~c.period.like("%-W%")
    return session.scalar(select(func.max(c.period)).where(c.period <= period, same_kind, c.as_of <= as_of,
                                                           c.manual.is_(False)))


def _colour_counts(colours) -> dict[str, int]:
    """How many cards of each colour (red, yellow, blue: 0 where none)."""
    from collections import Counter

    found = Counter(colours)
    return {color: found[color] for color in ("red", "yellow", "blue")}


def _week(as_of: date) -> tuple[date, date]:
    """The seven days ending on the as-of date, and the as-of date a week before."""
    return as_of - timedelta(days=6), as_of - timedelta(days=7)


def _limited(rows: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    return {"rows": rows[:limit], "more": max(0, len(rows) - limit), "total": len(rows)}


def _issue_events(session: Session, start: date, end: date,
                  states: dict[int, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Issues opened (提报), closed (销号) and escalated (督办升级) between start and end, one query; each
    with its level, lead unit and project as on `end` (`states`: `asof.issue_states` at `end`)."""
    from projects_cli.facts import asof
    from projects_cli.store.models import Issue

    projects = asof.projects_on(session, end)  # the project's name and unit as on `end` too
    e, i, p = IssueEvent.__table__.c, Issue.__table__.c, projects.c
    query = (
        select(e.id.label("event_id"), e.type, e.on, e.data, e.text, i.id, i.number, i.title, p.code, p.name, p.unit_id)
        .select_from(
            IssueEvent.__table__.join(Issue.__table__, i.id == e.issue_id)
            .join(projects, p.id == i.project_id)
        )
        .where(e.on >= start, e.on <= end, e.type.in_(("report", "close", "escalate")))
        .order_by(e.on, i.number, e.id)
    )
    units = asof.unit_names_on(session, end)
    # steps undone by `end` (`projects undo`: their revert event names them) did not happen, as on `end`
    undone = {step for data in session.connection().execute(select(e.data).where(e.type == "revert", e.on <= end))
              .scalars() for step in (data or {}).get("undoes", [])}
    out: dict[str, list[dict[str, Any]]] = {"report": [], "close": [], "escalate": []}
    for row in session.connection().execute(query).mappings():
        row = dict(row)
        if row.pop("event_id") in undone:
            continue
        st = states[row.pop("id")]
        row["level"] = st["level"]
        row["unit"] = units.get(st["lead_unit_id"]) or units.get(row.pop("unit_id"))
        row.pop("unit_id", None)
        data = row.pop("data") or {}
        row["from_level"] = data.get("from")
        row["to_level"] = data.get("to")
        out[row["type"]].append(row)
    return out


def _investment_by_chain(session: Session, as_of: date, config: Mapping[str, Any]) -> dict[str, Any]:
    from projects_cli.config import chains
    from projects_cli.facts import asof
    from projects_cli.rules.dates import completion_gap, expected_percent

    planned = [row for row in asof.investment_rows(session, as_of) if row["plan"] is not None]

    def grouped(key: str, blank: str) -> list[dict[str, Any]]:
        sums: dict[str, dict[str, Any]] = {}
        for row in planned:
            name = row[key] or blank
            entry = sums.setdefault(name, {key: name, "projects": 0, "plan": Decimal(0), "completed": Decimal(0)})
            entry["projects"] += 1
            entry["plan"] += row["plan"]
            entry["completed"] += row["completed"] or 0
        for entry in sums.values():
            gap = completion_gap(entry["plan"], entry["completed"], as_of)
            entry.update(rate=gap["rate"], behind=gap["behind"])
        return list(sums.values())

    order = {c: i for i, c in enumerate(chains.known_chains(config))}
    rows = sorted(grouped("chain", "（未分产业链）"), key=lambda r: (order.get(r["chain"], len(order)), r["chain"]))
    # units: the highest completion first (a unit with no plan figure last), then by name
    units = sorted(grouped("unit", "（未定责任单位）"),
                   key=lambda r: (r["rate"] is None, -(r["rate"] or 0), r["unit"]))
    total = {"chain": "合计", "projects": sum(r["projects"] for r in rows),
             "plan": sum((r["plan"] for r in rows), Decimal(0)), "completed": sum((r["completed"] for r in rows), Decimal(0))}
    gap = completion_gap(total["plan"], total["completed"], as_of)
    total.update(rate=gap["rate"] if gap else None, behind=gap["behind"] if gap else None)
    return {"chains": rows, "units": units, "total": total, "expected": expected_percent(as_of)}


def _flag(session: Session, period: str, as_of: date) -> dict[str, Any] | None:
    """The latest red-flag scoring up to `period` scored by `as_of`: ranking, holders, units listed for a talk."""
    from projects_cli.services import flag

    history = [r for r in flag.history(session, as_of) if r["period"] <= period and ("-W" in r["period"]) == ("-W" in period)
               and (r["as_of"] is None or r["as_of"] <= as_of)]
    if not history:
        return None
    latest = max(r["period"] for r in history)
    ranking = [r for r in history if r["period"] == latest]
    return {
        "period": latest,
        "provisional": any(r["provisional"] for r in ranking),
        "ranking": ranking,
        "holders": [r["unit"] for r in ranking if r["flag"]],
        "bottom": [r["unit"] for r in ranking if r["bottom"]],
    }


def weekly_context(session: Session, as_of: date, rules, config: Mapping[str, Any], limit: int) -> tuple[str, str, dict[str, Any]]:
    """(recipient, ref, data) of the weekly briefing for the week ending on `as_of`."""
    from projects_cli.facts.filters import ProjectFilter
    from projects_cli.rules.cards import changes
    from projects_cli.rules.dates import period_of, previous_period
    from projects_cli.services import cards, report

    NO_FILTER = ProjectFilter()

    start, since = _week(as_of)
    overdue = report.overdue(session, as_of, tiers=rules.get("overdue.tiers"), since=since,
                             horizon=int(rules.get("overdue.due_soon_days")),
                             follow_days=int(rules.get("leads.follow_days")))
    new_rows = [
        {k: r[k] for k in ("type", "unit", "leader", "code", "name", "item", "planned", "days_late", "tier")}
        for r in overdue["new_since"]
    ]
    current_period = period_of(as_of, rules.get("period.kind"))
    period = _latest_rated(session, current_period, as_of)
    previous = previous_period(period) if period else None
    now_rows = cards.list_cards(session, period, NO_FILTER, on_record=as_of) if period else []
    before = ({r["code"]: r["color"] for r in cards.list_cards(session, previous, NO_FILTER, on_record=as_of)}
              if previous else {})
    colors_now = {r["code"]: r["color"] for r in now_rows}
    moved = changes(colors_now, before)
    by_code = {r["code"]: _card_row(r, before.get(r["code"])) for r in now_rows}

    newly_red = set(moved["newly_red"])

    def card_rows(codes: list[str]) -> list[dict[str, Any]]:
        return [by_code[c] for c in codes]

    counts = _colour_counts(colors_now.values())
    counts_before = _colour_counts(before.values())
    from projects_cli.facts import asof

    states = asof.issue_states(session, as_of)
    events = _issue_events(session, start, as_of, states)
    open_count = sum(1 for st in states.values()
                     if st["state"] in ("reported", "accepted", "assigned", "responded", "resolved"))
    overdue_issues = overdue["totals"]["by_type"].get("issue", 0)
    year, week, _ = as_of.isocalendar()
    ref = f"{year}-W{week:02d}"
    sheets = sheet_config((config or {}).get("sheets"))
    investment = _investment_by_chain(session, as_of, config)
    data = {
        "week": {"start": start, "end": as_of, "year": year, "number": week, "since": since,
                 "issue_no": _weekly_issue_no(session, as_of.year, ref)},
        "to": sheets.weekly_to,
        "cc": list(sheets.weekly_cc),
        "progress": asof.year_progress(session, as_of),
        "overdue": {
            "totals": overdue["totals"],
            "tiers": overdue["tiers"],
            "by_unit": [{**u, "unit": u["unit"] or NO_UNIT} for u in overdue["by_unit"]],
            "new": _limited(new_rows, limit),
        },
        "cards": {
            "period": period,
            "provisional": any(r["provisional"] for r in now_rows),
            "previous_period": previous,
            "counts": counts,
            "previous_counts": counts_before,
            "newly_red": _limited(card_rows(moved["newly_red"]), limit),
            "newly_yellow": _limited(card_rows(moved["newly_yellow"]), limit),
            "improved": _limited(card_rows(moved["improved"]), limit),
            # red in both periods: the newly red are listed above, a project is listed once
            "red": _limited([r for r in by_code.values() if r["color"] == "red" and r["code"] not in newly_red], limit),
        },
        "issues": {
            "opened": _limited(events["report"], limit),
            "closed": _limited(events["close"], limit),
            "escalated": _limited(events["escalate"], limit),
            "open": open_count,
            "overdue": overdue_issues,
        },
        "flag": _flag(session, current_period, as_of),
        "investment": investment,
        "changes": _limited(_week_changes(session, start, as_of), limit),
        "trend": _trend(session, as_of, rules, config, overdue["totals"]["overdue"], counts, investment["total"]),
        "leads": _leads(session, as_of, int(rules.get("leads.follow_days")), limit),
        "decisions": _decisions_due(session, as_of, int(rules.get("overdue.due_soon_days")), limit),
    }
    return sheets.weekly_to, ref, data


TREND_WEEKS = 8  # the weekly's trend charts: this week and the seven before


def _trend(session: Session, as_of: date, rules, config: Mapping[str, Any], overdue_now: int,
           counts_now: dict[str, int], investment_now: dict[str, Any]) -> list[dict[str, Any]]:
    """近8周: for this week's end and each of the seven before (oldest first), what the briefing of that week
    would have said: overdue items, red and yellow cards of the latest period rated by then, and the year's
    investment completion against 序时进度 — each as on record on that day (this week's from the figures above)."""
    from projects_cli.facts.filters import ProjectFilter
    from projects_cli.rules.dates import expected_percent, period_of
    from projects_cli.services import cards, report

    out = []
    for back in range(TREND_WEEKS - 1, -1, -1):
        day = as_of - timedelta(days=7 * back)
        if back == 0:
            overdue, counts, total = overdue_now, counts_now, investment_now
        else:
            overdue = report.overdue(session, day, tiers=rules.get("overdue.tiers"), since=day - timedelta(days=7),
                                     horizon=int(rules.get("overdue.due_soon_days")),
                                     follow_days=int(rules.get("leads.follow_days")))["totals"]["overdue"]
            period = _latest_rated(session, period_of(day, rules.get("period.kind")), day)
            rows = cards.list_cards(session, period, ProjectFilter(), on_record=day) if period else []
            counts = _colour_counts(r["color"] for r in rows)
            total = _investment_by_chain(session, day, config)["total"] if day.year == as_of.year else {"rate": None}
        out.append({"week": f"{day.month}月{day.day}日", "on": day, "overdue": overdue, "red": counts["red"],
                    "yellow": counts["yellow"], "rate": total["rate"],
                    "expected": expected_percent(day) if day.year == as_of.year else None})
    return out


def _weekly_issue_no(session: Session, year: int, ref: str) -> int:
    """第N期: the briefing's place among the weeks briefed this year (weekly sheets issued in `year`, not
    voided, for an earlier week than `ref`), so a week issued again, in another format, keeps its number."""
    s = Sheet.__table__.c
    earlier = select(func.count(func.distinct(s.ref))).where(
        s.kind == "weekly", s.year == year, s.voided_on.is_(None), s.ref < ref)
    return int(session.connection().execute(earlier).scalar() or 0) + 1


def _week_changes(session: Session, start: date, end: date) -> list[dict[str, Any]]:
    """本周变化: per project and field, what changed from `start` to `end` (`services.changes`), names as on `end`."""
    from projects_cli.services import changes
    from projects_cli.store.changelog import list_changes

    rows = list_changes(session, since=start, until=end)
    return changes.summary_rows(changes.summarize(session, rows, as_of=end))


def _leads(session: Session, as_of: date, follow_days: int, limit: int) -> dict[str, Any]:
    """The weekly briefing's 招商线索 section: leads and 万元 by stage at `as_of`, and the overdue follow-ups
    (the same rows the overdue report counts, `facts.leads`)."""
    from projects_cli.services import leads

    rows = leads.list_leads(session, as_of, follow_days=follow_days)
    totals = leads.pipeline(rows)
    late = sorted((r for r in rows if r["overdue"]), key=lambda r: (-r["days_late"], r["code"]))
    return {
        "stages": [e for e in totals["by_stage"] if e["leads"]],
        "total": totals["total"],
        "overdue": _limited([{k: r[k] for k in ("code", "name", "unit", "person", "stage", "follow_due", "days_late")}
                             | {"unit": r["unit"] or NO_UNIT} for r in late], limit),
    }


def _decision_rows(rows: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    keep = ("seq", "text", "unit", "helpers", "deadline", "workdays", "issue", "project_code", "status", "status_text",
            "days_late", "days_left", "done_on", "meeting")
    return [{**{k: r[k] for k in keep}, "unit": r["unit"] or NO_UNIT, "project": names.get(r["project_code"], "")}
            for r in rows]


def minutes_context(session: Session, as_of: date, number: str) -> tuple[str, str, dict[str, Any]]:
    """(recipient, ref, data) of a meeting's minutes (会议纪要): the meeting, the units asked and how each
    attended, the projects and items it took up, the previous meeting's decisions (of its kind) with where each
    stood on this meeting's date, and this meeting's decisions as on record at `as_of`; `issue_no` 第N期 (this
    meeting's minutes already issued this year keep theirs; else the year's last, not voided, plus one)."""
    from projects_cli.facts import asof
    from projects_cli.services import meetings

    found = meetings.show_meeting(session, number, as_of)
    codes = set(found["projects"]) | {r["project_code"] for r in found["decisions"] + found["previous_decisions"]}
    info = {i.code: i.name for i in asof.project_info(session, as_of=as_of).values() if i.code in codes}
    attendance = found["attendance"]

    def who(kind: str) -> list[str]:
        return [r["unit"] for r in attendance if r["attendance"] == kind]

    s = Sheet.__table__.c
    issued = select(s.ref, s.context).where(s.kind == "minutes", s.year == as_of.year, s.voided_on.is_(None)).order_by(s.id)
    numbers: dict[str, int] = {}
    for ref, context in session.connection().execute(issued):
        numbers.setdefault(ref, int(decode(((context or {}).get("data") or {}).get("issue_no") or len(numbers) + 1)))
    data = {
        "meeting": {k: found[k] for k in ("number", "kind", "title", "held_on", "place", "chair", "topics")},
        "projects": [{"code": c, "name": info.get(c, "")} for c in found["projects"]],
        "attendance": {
            "present": who("出席"),
            "deputies": [{"unit": r["unit"], "deputy": r["deputy"]} for r in attendance if r["attendance"] == "委派代表"],
            "absent": [{"unit": r["unit"], "note": r["note"]} for r in attendance if r["attendance"] == "缺席"],
            "unrecorded": [r["unit"] for r in attendance if r["attendance"] is None],
            "asked": len(attendance),
        },
        "previous": ({k: found["previous"][k] for k in ("number", "kind", "title", "held_on")}
                     if found["previous"] else None),
        "previous_decisions": _decision_rows(found["previous_decisions"], info),
        "previous_counts": {k: sum(1 for r in found["previous_decisions"] if r["status"] == k)
                            for k in (meetings.DONE, meetings.RUNNING, meetings.LATE)},
        "decisions": _decision_rows(found["decisions"], info),
        # 第N期: the minutes of a meeting keep the number they first went out with; a new one takes the next
        "issue_no": numbers.get(found["number"], max(numbers.values(), default=0) + 1),
    }
    return "各参会单位", found["number"], data


def _decisions_due(session: Session, as_of: date, horizon: int, limit: int) -> dict[str, Any]:
    """The weekly's 会议议定事项 section: decisions overdue or due within `horizon` days on `as_of`."""
    from projects_cli.services import meetings

    rows = meetings.due_or_overdue(session, as_of, horizon)
    late = sum(1 for r in rows if r["status"] == meetings.LATE)
    return {"late": late, "soon": len(rows) - late, **_limited([{k: r[k] for k in ("meeting", "seq", "text", "deadline", "status", "status_text", "days_late",
                                        "days_left", "issue")} | {"unit": r["unit"] or NO_UNIT} for r in rows], limit)}


# ---------------------------------------------------------------- issuing and re-issuing


@dataclass
class Issued:
    """A rendered sheet: its number (None for a preview), recipient and document.

    `reused`: the same document was already issued under that number (another
    format of one document), so nothing was numbered or recorded.
    """

    number: str | None
    kind: str
    recipient: str
    ref: str
    doc: Document
    reused: bool = False


def with_head(markup: str, head: str | None) -> str:
    """The sheet's last words, whatever the template: the change log's head when it was issued (防篡改校验) —
    before the 版记 (@cc, @printed) where the template has one, as GB/T 9704 places a 附注 under the date."""
    if head is None:
        return markup
    note = f"@note 防篡改校验：{head}（核对：projects db check --expect \"{head}\"）"
    lines = markup.rstrip().split("\n")
    at = next((i for i, line in enumerate(lines) if line.startswith(("@cc", "@printed"))), len(lines))
    return "\n".join([*lines[:at], "", note, "", *lines[at:]]).rstrip() + "\n"


def _render(renderer: Renderer, kind: str, stored: dict[str, Any]) -> tuple[str, Document]:
    markup = renderer.markup(kind, decode(stored))
    return markup, renderer.document(markup, kind)


def preview(renderer: Renderer, kind: str, as_of: date, config: SheetConfig, recipient: str, ref: str,
            data: dict[str, Any]) -> Issued:
    """Render without a number and without recording anything: a sheet's preview, or a report (`REPORTS`),
    which is never anything else."""
    stored = encode({**_common(kind, as_of, config, PREVIEW_NUMBER), **data})
    _, doc = _render(renderer, kind, stored)
    return Issued(None, kind, recipient, ref, doc)


def issue_sheet(session: Session, ctx: Ctx, renderer: Renderer, kind: str, config: SheetConfig, recipient: str, ref: str,
          data: dict[str, Any]) -> Issued:
    """Number the sheet, render it, record it (context and rendered text) and log it; one transaction.

    A document already issued (same kind, recipient, subject and data, not voided)
    keeps its number: writing it again, in another format or not, numbers nothing.
    """
    year = ctx.as_of.year
    same = _same_document(session, kind, recipient, ref, encode({**_common(kind, ctx.as_of, config, ""), **data}))
    if same is not None:
        return Issued(same.number, kind, same.recipient or "", same.ref or "",
                      renderer.document(same.context["markup"], kind), reused=True)
    while True:
        seq = sequences.next_number(session, SEQUENCE, year)
        number = format_number(config.prefix, year, seq)
        # Numbers recorded under another prefix or by hand are skipped, never reused.
        if session.scalar(select(Sheet.id).where((Sheet.number == number) | and_(Sheet.year == year, Sheet.seq == seq))) is None:
            break
    stored = encode({**_common(kind, ctx.as_of, config, number), **data})
    # The change log's head as the sheet goes out: whoever holds the sheet can later check the log still has it.
    head = changelog.log_head(session)
    head_text = head.text() if head is not None else None
    markup = with_head(renderer.markup(kind, decode(stored)), head_text)
    doc = renderer.document(markup, kind)
    context = {"template": TEMPLATES[kind], "data": stored, "markup": markup, "log_head": head_text}
    sheet = Sheet(year=year, seq=seq, number=number, kind=kind, issued_on=ctx.as_of, recipient=recipient[:100],
                  ref=ref[:60], context=context, by=ctx.by, created_at=ctx.now)
    session.add(sheet)
    session.flush()
    changelog.log_insert(session, ctx, "sheet", sheet.id, {
        "number": number, "kind": kind, "issued_on": ctx.as_of, "recipient": sheet.recipient, "ref": sheet.ref,
        "sha256": _digest(markup),
    }, key=number)
    return Issued(number, kind, recipient, ref, doc)


def _without_number(stored: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in stored.items() if k != "number"}


def _same_document(session: Session, kind: str, recipient: str, ref: str, stored: dict[str, Any]) -> Sheet | None:
    """The issued, not voided sheet holding exactly this document (its data but the number), if any. A sheet
    addressed to a unit merged or renamed since is filed under the unit now (`unit merge`): it is found there."""
    from projects_cli.facts.filters import find_former

    s = Sheet.__table__.c
    wanted = _without_number(stored)
    former = find_former(session, "unit", recipient) if recipient else None
    names = [recipient[:100], *([former.now[:100]] if former else [])]
    candidates = session.scalars(
        select(Sheet).where(s.kind == kind, s.recipient.in_(names), s.ref.in_([ref[:60], *names[1:]]),
                            s.voided_on.is_(None))
        .order_by(s.id)
    )
    for sheet in candidates:
        context = sheet.context or {}
        if "markup" in context and _without_number(context.get("data") or {}) == wanted:
            return sheet
    return None


def void_sheet(session: Session, ctx: Ctx, number: str, reason: str) -> Sheet:
    """作废: the sheet stays on record and in `list_sheets`, marked void with its reason; its number is never reused."""
    from projects_cli.values import clean_text

    reason = clean_text(reason or "")
    if not reason:
        raise InvalidValue(_("作废需说明原因：--reason TEXT"))
    sheet = get_sheet(session, number)
    if sheet.voided_on is not None:
        raise IllegalMove(_("{number} 已于{on}作废（{reason}）").format(number=sheet.number, on=sheet.voided_on.isoformat(),
                                                                    reason=sheet.void_reason))
    sheet.voided_on, sheet.voided_by, sheet.void_reason = ctx.as_of, ctx.by, reason
    session.flush()
    changelog.log_update(session, ctx, "sheet", sheet.id, {"voided_on": None, "void_reason": None},
                         {"voided_on": ctx.as_of, "void_reason": reason}, key=sheet.number)
    return sheet


# a document number as people type it: 高新督〔2025〕12号, 高新督[2025]12号, 高新督(2025)12号, 高新督2025-12,
# 2025-12, 〔2025〕12号 (brackets of any kind, or a dash, slash or dot between year and number)
_TYPED_NUMBER = re.compile(r"(?P<prefix>.*?)[〔\[(（【{]?(?P<year>(?:19|20)\d{2})[〕\])）】}]?[-/.—]?(?P<seq>\d{1,5})号?")


def get_sheet(session: Session, number: str) -> Sheet:
    """An issued sheet by its number as typed (`_TYPED_NUMBER`: any brackets, or none); the number alone (12)
    when one sheet has it, else an error listing the ones that do."""
    import unicodedata

    from projects_cli.values import clean_text

    wanted = clean_text(number)
    sheet = session.scalars(select(Sheet).where(Sheet.number == wanted)).first()
    if sheet is not None:
        return sheet
    typed = unicodedata.normalize("NFKC", wanted).replace(" ", "")
    if match := _TYPED_NUMBER.fullmatch(typed):
        sheet = session.scalars(select(Sheet).where(Sheet.year == int(match["year"]), Sheet.seq == int(match["seq"]))).first()
        prefix = match["prefix"]
        if sheet is not None and (not prefix or sheet.number.startswith(prefix)):
            return sheet
    elif typed.isdigit():
        found = session.scalars(select(Sheet).where(Sheet.seq == int(typed)).order_by(Sheet.year)).all()
        if len(found) == 1:
            return found[0]
        if found:
            raise NotFound(_("{n} 份文书编号为 {typed} 号：{numbers}；请写全文号").format(
                n=len(found), typed=typed, numbers='、'.join(s.number for s in found)))
    raise NotFound(_("没有文号为 {number} 的文书；projects sheet list 列出已发文号，如 高新督〔2025〕12号").format(
        number=repr(wanted)))


def reissue(session: Session, renderer: Renderer, number: str, *, rerender: bool = False) -> Issued:
    """An issued sheet again: exactly as issued, or (`rerender`) its stored data through today's templates."""
    sheet = get_sheet(session, number)
    if sheet.voided_on is not None:
        raise IllegalMove(_("{number} 已于{on}作废（{reason}），不再重新打印").format(
            number=sheet.number, on=sheet.voided_on.isoformat(), reason=sheet.void_reason))
    context = sheet.context or {}
    if "markup" not in context or "data" not in context:
        raise InvalidValue(_("文书 {number} 记录时没有保存内容，不能重新打印").format(number=sheet.number))
    if rerender:
        doc = renderer.document(with_head(renderer.markup(sheet.kind, decode(context["data"])), context.get("log_head")),
                                sheet.kind)
    else:
        doc = renderer.document(context["markup"], sheet.kind)
    return Issued(sheet.number, sheet.kind, sheet.recipient or "", sheet.ref or "", doc)


def list_sheets(session: Session, *, year: int | None = None, kind: str | None = None,
                issue: str | None = None) -> list[dict[str, Any]]:
    """Issued sheets by number; `issue`: the three sheets (三单) of that problem, in the order they went out."""
    from projects_cli.vocab import PROBLEM_SHEETS

    s = Sheet.__table__.c
    query = select(s.number, s.year, s.seq, s.kind, s.issued_on, s.recipient, s.ref, s.by, s.voided_on,
                   s.void_reason).order_by(s.year, s.seq)
    if year is not None:
        query = query.where(s.year == year)
    if issue is not None:
        from projects_cli.services.issues import get_issue

        query = query.where(s.ref == get_issue(session, issue).number, s.kind.in_(PROBLEM_SHEETS))
    if kind is not None:
        if kind not in KINDS:
            raise InvalidValue(_("文书种类应为 {choices} 之一，不是 {kind}").format(choices=', '.join(KINDS), kind=repr(kind)))
        query = query.where(s.kind == kind)
    rows = [dict(r) for r in session.connection().execute(query).mappings()]
    for row in rows:
        row["kind_zh"] = KINDS.get(row["kind"], row["kind"])
        row["state"] = "作废" if row["voided_on"] is not None else "有效"
    return rows
