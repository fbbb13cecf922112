"""Red, yellow and blue cards (红黄蓝牌): rate every active project per period, store why, list, explain.

A computed card holds its colour, every rule that fired with its figures, and
the rules version. A manual card (set by hand, with a reason and an end date)
is kept apart and overrides the computed colour while it is in force.
"""

from __future__ import annotations

from collections import Counter as Tally
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlmodel import Session

from projects_cli.config.rulebook import Rules
from projects_cli.errors import InvalidValue, NotFound
from projects_cli.facts import asof
from projects_cli.i18n import N_, _
from projects_cli.rules.cards import RANK, changes, rate
from projects_cli.rules.dates import normal_period, period_end, period_of, period_start, previous_period, provisional
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.db import insert_columns
from projects_cli.store.models import COLORS, Card, Project, Unit
from projects_cli.vocab import CardColor


def check_period(period: str) -> str:
    """A period as typed (2025-10, 2025年10月, 2025-W43, 2025年第43周 …: `dates.normal_period`) in its stored
    form: 2025-10 (month) or 2025-W43 (ISO week)."""
    normal = normal_period(period) if isinstance(period, str) else None
    if normal is None:
        raise InvalidValue(_("{period!r} 不是评价周期；月份写作 2025-10 或 2025年10月，周写作 2025-W43 或 2025年第43周").format(
            period=period))
    return normal


def resolve(as_of: date, period: str | None, kind: str) -> tuple[str, date]:
    """(period, rating date): a period is judged on its own data, as of its last day or the earlier
    as-of date (then it is provisional, 暂评), never on later facts; no period: the as-of date's.
    A period that begins after the as-of date has no facts yet: an error."""
    if period is None:
        return period_of(as_of, kind), as_of
    period = check_period(period)
    end = period_end(period)
    if period_start(period) > as_of:
        raise InvalidValue(_("周期 {period} 在统计截止日期 {day} 之后才开始：还没有可评价的内容").format(
            period=period, day=as_of.isoformat()))
    return period, min(as_of, end)


PROVISIONAL = N_("暂评")


def label(color: str, rules: Rules) -> str:
    return rules.get("cards.labels").get(color, CardColor(color).zh)


def _previous_colours(session: Session, period: str, count: int) -> dict[int, list[str]]:
    """Per project, the computed colours of the `count` periods before, newest first (a gap ends the run)."""
    periods = []
    p = period
    for _step in range(max(1, count)):
        p = previous_period(p)
        periods.append(p)
    c = Card.__table__.c
    rows = session.connection().execute(
        select(c.project_id, c.period, c.color).where(c.manual.is_(False), c.period.in_(periods))
    )
    by_project: dict[int, dict[str, str]] = {}
    for pid, per, color in rows:
        by_project.setdefault(pid, {})[per] = color
    out: dict[int, list[str]] = {}
    for pid, colours in by_project.items():
        run = []
        for per in periods:
            if per not in colours:
                break
            run.append(colours[per])
        out[pid] = run
    return out


def rate_period(session: Session, ctx: Ctx, rules: Rules, period: str, as_of: date) -> dict[str, Any]:
    """Rate every active project for `period` as of `as_of`; replaces that period's computed cards.

    Returns counts per colour, the cards that changed against the ones replaced,
    and the changes against the previous period.
    """
    card_rules = rules.get("cards")
    active = tuple(card_rules["active_statuses"])
    p = asof.projects_on(session, as_of).c
    # every project's code, not only those on record on `as_of`: a later rating of the period may hold
    # cards for projects added since, which this rating replaces (and logs)
    code_of = dict(session.connection().execute(select(Project.id, Project.code)).all())
    codes = dict(session.connection().execute(select(p.id, p.code).where(p.status.in_(active))).all())
    all_facts = asof.card_facts(session, as_of)
    history = _previous_colours(session, period, int(card_rules["yellows_to_red"]) - 1)
    c = Card.__table__.c
    replaced = dict(
        session.connection().execute(select(c.project_id, c.color).where(c.period == period, c.manual.is_(False))).all()
    )
    pids = list(codes)
    colors, fired = [], []
    for pid in pids:
        color, why = rate(all_facts.get(pid) or asof.Facts(), card_rules, history.get(pid, []))
        colors.append(color)
        fired.append(why)
    conn = session.connection()
    conn.execute(delete(Card.__table__).where(Card.period == period, Card.manual.is_(False)))
    n = len(pids)
    # column by column straight to the driver: SQLAlchemy's per-row handling of 100,000 cards
    # costs more than the database's work (db.insert_columns)
    insert_columns(conn, Card.__table__, {
        "project_id": pids, "period": (period,) * n, "as_of": (as_of,) * n, "color": colors,
        "manual": (False,) * n, "fired": fired, "reasons": ["；".join(f["text"] for f in why) or None for why in fired],
        "rules_version": (rules.version,) * n, "set_by": (ctx.by,) * n, "until": (None,) * n,
        "created_at": (ctx.now,) * n, "provisional": (provisional(period, as_of),) * n,
    })
    new = dict(zip(pids, colors))
    entries, changed = [], []
    for pid in sorted(set(new) | set(replaced)):
        old_colour, new_colour = replaced.get(pid), new.get(pid)
        if old_colour == new_colour:
            continue
        code = code_of[pid]
        changed.append({"code": code, "old": old_colour, "new": new_colour})
        action = "insert" if old_colour is None else ("delete" if new_colour is None else "update")
        entries.append(changelog.make_entry(
            ctx, action, "card", record_id=pid, key=f"{code}:{period}", project_code=code,
            old={"color": old_colour} if old_colour else None, new={"color": new_colour} if new_colour else None,
        ))
    changelog.log_many(session, entries)
    previous = {
        code_of[pid]: colours[0]
        for pid, colours in _previous_colours(session, period, 1).items() if colours and pid in codes
    }
    return {
        "period": period,
        "as_of": as_of,
        "provisional": provisional(period, as_of),
        "rules_version": rules.version,
        "counts": {color: sum(1 for v in new.values() if v == color) for color in COLORS},
        "replaced": len(replaced),
        "changed": changed,
        "changes": changes({codes[pid]: col for pid, col in new.items()}, previous),
    }


def set_manual(
    session: Session, ctx: Ctx, code: str, color: str, reason: str, until: date | None, period: str
) -> Card:
    """A card set by hand: who, why, until when. Kept apart from the computed card; one per project and period."""
    if color not in COLORS:
        raise InvalidValue(_("牌色应为 red、yellow 或 blue，不能是 {color!r}").format(color=color))
    if not reason or not reason.strip():
        raise InvalidValue(_("手动设置的牌需要写明原因（--reason）"))
    if until is not None and until < ctx.as_of:
        raise InvalidValue(_("--until {until} 早于统计截止日期 {day}").format(until=until, day=ctx.as_of))
    project = registry.get_project(session, code)
    card = session.scalars(
        select(Card).where(Card.project_id == project.id, Card.period == period, Card.manual.is_(True))
    ).first()
    values = {"color": color, "reasons": reason.strip(), "until": until, "set_by": ctx.by, "as_of": ctx.as_of}
    if card is None:
        card = Card(project_id=project.id, period=period, manual=True, created_at=ctx.now, **values)
        session.add(card)
        session.flush()
        changelog.log_insert(session, ctx, "card", card.id, {"manual": True, "period": period, **values},
                         key=f"{project.code}:{period}:manual", project_code=project.code)
    else:
        old = {k: getattr(card, k) for k in values}
        for k, v in values.items():
            setattr(card, k, v)
        session.flush()
        changelog.log_update(session, ctx, "card", card.id, old, values, key=f"{project.code}:{period}:manual",
                         project_code=project.code)
    return card


def _manual_in_force(end: date, on_record: date | None = None):
    """The newest manual card per project that is in force at `end`: set on or before it (and on or
    before `on_record`, when given), not expired."""
    c = Card.__table__.c
    newest = (
        select(func.max(c.id).label("id"))
        .where(c.manual.is_(True), c.as_of <= min(end, on_record or end), or_(c.until.is_(None), c.until >= end))
        .group_by(c.project_id)
        .subquery()
    )
    return select(c.project_id, c.color, c.reasons, c.set_by, c.until).where(c.id.in_(select(newest.c.id))).subquery()


def list_cards(
    session: Session, period: str, filters: registry.ProjectFilter, color: str | None = None, *,
    on_record: date | None = None,
) -> list[dict[str, Any]]:
    """The period's cards, worst first: computed colour, manual override in force, and the colour that counts.

    `on_record`: only what was on record on that date (a rating or manual card made later is left out)."""
    end = period_end(period)
    p, u, c = asof.projects_on(session, on_record), Unit.__table__, Card.__table__
    manual = _manual_in_force(end, on_record)
    computed = and_(c.c.project_id == p.c.id, c.c.period == period, c.c.manual.is_(False))
    if on_record is not None:
        computed = and_(computed, c.c.as_of <= on_record)
    query = (
        select(
            p.c.code, p.c.name, p.c.chain, p.c.leader, asof.unit_name_on(session, on_record, u).label("unit"),
            c.c.color.label("computed"), c.c.reasons, c.c.fired, c.c.rules_version, c.c.provisional,
            manual.c.color.label("manual"), manual.c.reasons.label("manual_reason"),
            manual.c.set_by.label("manual_by"), manual.c.until.label("manual_until"),
        )
        .select_from(
            p.join(c, computed, isouter=True)
            .outerjoin(manual, manual.c.project_id == p.c.id)
            .outerjoin(u, u.c.id == p.c.unit_id)
        )
        .where(or_(c.c.id.is_not(None), manual.c.project_id.is_not(None)))
    )
    for clause in filters.clauses(projects=p):
        query = query.where(clause)
    rows = []
    for r in session.connection().execute(query).mappings():
        row = dict(r)
        row["color"] = row["manual"] or row["computed"]
        row["period"] = period
        row["provisional"] = bool(row["provisional"])
        if color and row["color"] != color:
            continue
        rows.append(row)
    rows.sort(key=lambda r: (-RANK[r["color"]], r["unit"] or "", r["code"]))
    return rows


def period_changes(session: Session, period: str, filters: registry.ProjectFilter, *,
                   on_record: date | None = None) -> dict[str, list[str]]:
    """Newly red, newly yellow and improved (by project code) against the previous period's colours,
    as on record on `on_record` (None: now)."""
    now = {r["code"]: r["color"] for r in list_cards(session, period, filters, on_record=on_record)}
    before = {r["code"]: r["color"] for r in list_cards(session, previous_period(period), filters, on_record=on_record)}
    return changes(now, before)


def history(session: Session, code: str) -> list[dict[str, Any]]:
    """Every card of a project, period by period (computed and manual), newest first."""
    project = registry.get_project(session, code)
    c = Card.__table__.c
    rows = session.connection().execute(
        select(c.period, c.as_of, c.color, c.manual, c.reasons, c.fired, c.rules_version, c.set_by, c.until,
               c.provisional)
        .where(c.project_id == project.id)
        .order_by(c.period.desc(), c.manual)
    ).mappings()
    return [dict(r, code=project.code, name=project.name) for r in rows]


def counts_by(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Cards counted per unit or chain: red, yellow, blue and total, worst first."""
    tally: dict[str, Tally] = {}
    for r in rows:
        tally.setdefault(r.get(key) or "（未填）", Tally())[r["color"]] += 1
    out = [{key: name, **{col: t[col] for col in COLORS}, "total": sum(t.values())} for name, t in tally.items()]
    out.sort(key=lambda r: (-r["red"], -r["yellow"], str(r[key])))
    return out


def require_cards(rows: list[dict[str, Any]], period: str) -> None:
    if not rows:
        raise NotFound(_("{period} 还没有评牌；请先评价：projects cards rate --period {period}").format(period=period))
