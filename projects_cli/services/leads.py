"""The investment leads (信息库, 招商线索): add, move through the stages, follow up, sign into a project, list.

A lead moves 线索 → 接洽 → 在谈 → 签约 → 落地, or is shelved (搁置) or ended (终止) with a reason; each move
is a `LeadStage` row, each contact a `LeadFollow` row, both append-only and dated, so the pipeline on a past
date is what was on record then (`facts.leads`). Signing (`sign_lead`) adds the project to the registry
(`registry.add_project`) with its 签约 milestone done, so its start countdown runs from the contract.
An amount in another currency is kept as given and converted to 万元 at the rate on file (`rates`, given by
the caller from the config); the rate used is stored on the lead and written to the change log.
Every change is logged.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.errors import IllegalMove, InvalidValue, NotFound
from projects_cli.facts import leads as facts
from projects_cli.i18n import N_, _
from projects_cli.services import milestones, registry
from projects_cli.store import changelog, sequences
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import LEAD_STAGES, MILESTONE_KINDS, Lead, LeadAssignment, LeadFollow, LeadStage, Unit
from projects_cli.values import CENT, LARGEST, RMB, ValueProblem, clean_text, normalize_name, parse_money, text_problem

CODE_PREFIX = "XS"  # 线索
SIGNED, LANDED, SHELVED, ENDED = "签约", "落地", "搁置", "终止"
# The moves `lead move` may make (签约 only by `lead sign`, which makes the project). 终止 is final.
MOVES: dict[str, tuple[str, ...]] = {
    "线索": ("接洽", "在谈", SHELVED, ENDED),
    "接洽": ("线索", "在谈", SHELVED, ENDED),
    "在谈": ("接洽", SHELVED, ENDED),
    SIGNED: (LANDED, ENDED),
    LANDED: (),
    SHELVED: ("线索", "接洽", "在谈", ENDED),
    ENDED: (),
}
NEEDS_REASON = (SHELVED, ENDED)
# Lead fields a person types (`add_lead`), with their longest text (the table's).
TEXT_FIELDS = ("name", "company", "chain", "source", "contact", "person", "leader", "notes")
MAX_LENGTH = {c.name: c.type.length for c in Lead.__table__.c if getattr(c.type, "length", None)}


def get_lead(session: Session, code: str) -> Lead:
    lead = session.scalars(select(Lead).where(Lead.code == normalize_name(code).upper())).first()
    if lead is None:
        raise NotFound(_("没有编号为 {code!r} 的招商线索；`projects lead list` 列出编号").format(code=clean_text(code)))
    return lead


def check_stage(stage: str) -> str:
    name = clean_text(stage)
    if name not in LEAD_STAGES:
        raise InvalidValue(_("未知的线索阶段 {name!r}；可用：{known}").format(name=name, known="、".join(LEAD_STAGES)))
    return name


def converted(amount: Decimal | None, currency: str, rates: Mapping[str, Decimal]) -> tuple[Decimal | None, Decimal | None]:
    """(rate, 万元) of an amount in 万 of `currency`: 人民币 as it is (no rate); another currency at its rate in
    `rates` (元 per unit), to the fen (0.01 万元) the registry keeps; a currency with no rate is an error."""
    if amount is None or currency == RMB:
        return None, amount
    rate = rates.get(currency)
    if rate is None:
        hint = _("在配置文件 [ledger.rates] 写明汇率（如 \"{currency}\" = 7.1，1 {currency} 合多少元）").format(currency=currency)
        raise InvalidValue(_("金额是{currency}，没有{currency}汇率，不能折算为万元；{hint}").format(currency=currency, hint=hint))
    wan = (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if wan >= LARGEST:
        raise InvalidValue(_("{amount}万{currency}按汇率 {rate} 折合后不是可信的万元金额").format(
            amount=changelog.decimal_text(amount), currency=currency, rate=changelog.decimal_text(rate)))
    return rate, wan.quantize(Decimal(1)) if wan == wan.to_integral() else wan.normalize()


def _text(key: str, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip() if key == "notes" else clean_text(value)
    problem = text_problem(text, name=key in ("name", "company", "person", "leader"), lines=key == "notes")
    if problem:
        raise InvalidValue(_("--{key}：{problem}").format(key=key, problem=problem))
    limit = MAX_LENGTH.get(key)
    if limit and len(text) > limit:
        raise InvalidValue(_("--{key} 超过 {limit} 个字（有 {length} 个）").format(key=key, limit=limit, length=len(text)))
    return text or None


def _date_ok(on: date, ctx: Ctx, what: str) -> None:
    if on > ctx.as_of:
        raise InvalidValue(_("{what} {on} 晚于统计截止日期 {day}；请检查 --on 或 --as-of").format(
            what=what, on=on.isoformat(), day=ctx.as_of.isoformat()))


def _refuse_same_name(session: Session, name: str, other_than: int | None = None) -> None:
    """A lead's name must not be another lead's that is not ended (终止), spaces and full-width forms aside."""
    wanted = normalize_name(name)
    query = select(Lead.code, Lead.name).where(Lead.stage != ENDED).order_by(Lead.code)
    if other_than is not None:
        query = query.where(Lead.id != other_than)
    for code, found in session.execute(query):
        if normalize_name(found) == wanted:
            raise InvalidValue(_("已有同名招商线索 {code}“{name}”；如确为另一条线索，请加 --allow-duplicate-name").format(
                code=code, name=found))


def _amount(typed: Any, rates: Mapping[str, Decimal]) -> tuple[Decimal | None, str, Decimal | None, Decimal | None]:
    """(amount as given, currency, rate, 万元) of an --amount as typed (8亿元, 3000万美元; blank: none)."""
    try:
        amount, currency = parse_money(typed)
    except ValueProblem as exc:
        raise InvalidValue(_("--{key}：{problem}").format(key="amount", problem=exc)) from None
    if amount is not None and amount < 0:
        raise InvalidValue(_("--amount 不能为负数：{amount}").format(amount=clean_text(typed)))
    rate, wan = converted(amount, currency, rates)
    return amount, currency, rate, wan


def add_lead(session: Session, ctx: Ctx, raw: Mapping[str, Any], *, rates: Mapping[str, Decimal],
             stage: str = "线索", next_on: date | None = None, create_units: bool = False,
             allow_duplicate_name: bool = False) -> Lead:
    """A new lead (its code XS-0001 … generated), in `stage` (线索 unless it is further already, never 签约:
    `sign_lead` signs) from the as-of date; `raw` holds the fields typed and `amount` as given (8亿元,
    3000万美元). Its unit must be in the registry unless `create_units`; its name must not be another lead's
    that is not ended (终止), spaces and full-width forms aside, unless `allow_duplicate_name`."""
    values = {key: _text(key, raw.get(key)) for key in TEXT_FIELDS}
    if not values["name"]:
        raise InvalidValue(_("招商线索需要名称（--name）"))
    if not allow_duplicate_name:
        _refuse_same_name(session, values["name"])
    stage = check_stage(stage)
    if stage not in facts.ACTIVE_STAGES:
        raise InvalidValue(_("新线索的阶段只能是 {stages}；签约请用 `projects lead sign`").format(
            stages="、".join(facts.ACTIVE_STAGES)))
    amount, currency, rate, wan = _amount(raw.get("amount"), rates)
    if next_on is not None and next_on < ctx.as_of:
        raise InvalidValue(_("--next {next} 早于今天 {today}：下次跟进不能早于线索登记的日子").format(
            next=next_on.isoformat(), today=ctx.as_of.isoformat()))
    unit_name = clean_text(raw.get("unit")) or None
    unit = registry.unit_for(session, ctx, unit_name, create=create_units) if unit_name else None
    counter = sequences.locked_counter(session, "lead", 0)
    taken = set(session.scalars(select(Lead.code)))
    number = counter.value
    while True:
        number += 1
        code = f"{CODE_PREFIX}-{number:04d}"
        if code not in taken:
            break
    counter.value = number
    lead = Lead(code=code, amount=amount, currency=currency, rate=rate, amount_wan=wan, stage=stage,
                unit_id=unit.id if unit else None, recorded_on=ctx.as_of, created_at=ctx.now, **values)
    session.add(lead)
    session.flush()
    session.add(LeadStage(lead_id=lead.id, stage=stage, on=ctx.as_of, recorded_on=ctx.as_of, by=ctx.by, at=ctx.now))
    session.add(LeadAssignment(lead_id=lead.id, unit_id=lead.unit_id, person=lead.person, next_on=next_on, on=ctx.as_of,
                               by=ctx.by, at=ctx.now))
    logged = {k: v for k, v in {**values, "amount": amount, "currency": currency if amount is not None else None,
                                "rate": rate, "amount_wan": wan, "unit": unit.name if unit else None, "stage": stage,
                                "next_on": next_on}.items() if v is not None}
    changelog.log_insert(session, ctx, "lead", lead.id, logged, key=code)
    return lead


def _enter(session: Session, ctx: Ctx, lead: Lead, stage: str, on: date, reason: str | None,
           extra: Mapping[str, Any] | None = None, project_code: str | None = None) -> None:
    """Write a lead's move to `stage` on `on`: the stage row, the lead, the log entry."""
    last = session.scalars(select(LeadStage.on).where(LeadStage.lead_id == lead.id)
                           .order_by(LeadStage.on.desc(), LeadStage.id.desc())).first()
    if last is not None and on < last:
        raise InvalidValue(_("{code} 已于 {last} 进入“{stage}”，新阶段不能早于该日").format(
            code=lead.code, last=last.isoformat(), stage=lead.stage))
    session.add(LeadStage(lead_id=lead.id, stage=stage, on=on, recorded_on=ctx.as_of, reason=reason, by=ctx.by,
                          at=ctx.now))
    old = {"stage": lead.stage, **{k: getattr(lead, k) for k in (extra or {})}}
    lead.stage = stage
    for key, value in (extra or {}).items():
        setattr(lead, key, value)
    new = {"stage": stage, **(extra or {})}
    changelog.log_many(session, [changelog.make_entry(
        ctx, "update", "lead", record_id=lead.id, key=lead.code, project_code=project_code,
        old=old, new={**new, "stage_on": on, **({"reason": reason} if reason else {})})])


def move_lead(session: Session, ctx: Ctx, code: str, stage: str, *, on: date | None = None,
              reason: str | None = None) -> tuple[Lead, str]:
    """Move a lead to `stage` on `on` (default: the as-of date); returns it and the stage it left.
    搁置 and 终止 need a reason; 签约 is `sign_lead`'s; the moves allowed are `MOVES`."""
    lead = get_lead(session, code)
    stage = check_stage(stage)
    on = on or ctx.as_of
    _date_ok(on, ctx, "--on")
    reason = clean_text(reason) or None
    before = lead.stage
    if stage == before:
        raise IllegalMove(_("{code} 已处于“{stage}”阶段").format(code=lead.code, stage=stage))
    if stage == SIGNED:
        raise IllegalMove(_("签约请用 projects lead sign {code} --on 日期：它会在项目库中建立项目").format(code=lead.code))
    if stage not in MOVES[before]:
        allowed = _("、").join(MOVES[before]) or _("无")
        raise IllegalMove(_("{code} 处于“{before}”，不能转到“{stage}”；可转到：{allowed}").format(
            code=lead.code, before=before, stage=stage, allowed=allowed))
    if stage in NEEDS_REASON and reason is None:
        raise InvalidValue(_("转为“{stage}”需要说明原因：--reason 原因").format(stage=stage))
    _enter(session, ctx, lead, stage, on, reason)
    return lead, before


def follow_lead(session: Session, ctx: Ctx, code: str, text: str, *, on: date | None = None, who: str | None = None,
                next_on: date | None = None) -> LeadFollow:
    """Record a contact made on a lead (跟进): on `on` (default the as-of date), by `who` (default its person),
    what was done (`text`), and when to follow up next (`next_on`; default: `follow_days` after it)."""
    lead = get_lead(session, code)
    text = _text("notes", text)
    if not text:
        raise InvalidValue(_("跟进记录需要内容：--text 内容"))
    on = on or ctx.as_of
    _date_ok(on, ctx, "--on")
    if on < lead.recorded_on:
        raise InvalidValue(_("--on {on} 早于线索登记日 {recorded}").format(on=on.isoformat(), recorded=lead.recorded_on.isoformat()))
    if next_on is not None and next_on <= on:
        raise InvalidValue(_("--next {next} 应晚于本次跟进日期 {on}").format(next=next_on.isoformat(), on=on.isoformat()))
    who = _text("person", who) or lead.person
    follow = LeadFollow(lead_id=lead.id, on=on, who=who, text=text, next_on=next_on, recorded_on=ctx.as_of, by=ctx.by,
                        at=ctx.now)
    session.add(follow)
    session.flush()
    logged = {k: v for k, v in {"on": on, "who": who, "text": text, "next_on": next_on}.items() if v is not None}
    changelog.log_insert(session, ctx, "lead_follow", follow.id, logged, key=lead.code)
    return follow


def assign_lead(session: Session, ctx: Ctx, code: str, *, unit: str | None = None, person: str | None = None,
                next_on: date | None = None, create_units: bool = False) -> tuple[Lead, list[str]]:
    """派工: from the as-of date the lead's unit and/or person are these, and/or its next follow-up falls due on
    `next_on`; returns the lead and what changed (nothing changed: nothing written). Reports for earlier
    dates keep the assignment on record then (`LeadAssignment`)."""
    lead = get_lead(session, code)
    if unit is None and person is None and next_on is None:
        raise InvalidValue(_("请说明要改什么：--unit、--person 或 --next"))
    if next_on is not None and next_on < ctx.as_of:
        raise InvalidValue(_("--next {next} 早于今天 {today}：下次跟进不能在过去").format(
            next=next_on.isoformat(), today=ctx.as_of.isoformat()))
    old_unit = session.get(Unit, lead.unit_id).name if lead.unit_id else None
    old = {"unit": old_unit, "person": lead.person}
    if unit is not None:
        lead.unit_id = registry.unit_for(session, ctx, unit, create=create_units).id if clean_text(unit) else None
    if person is not None:
        lead.person = _text("person", person)
    new = {"unit": session.get(Unit, lead.unit_id).name if lead.unit_id else None, "person": lead.person}
    before, after = changelog.diff(old, new)
    if next_on is not None:
        after["next_on"] = next_on
    if not after:
        return lead, []
    session.add(LeadAssignment(lead_id=lead.id, unit_id=lead.unit_id, person=lead.person, next_on=next_on, on=ctx.as_of,
                               by=ctx.by, at=ctx.now))
    changelog.log_many(session, [changelog.make_entry(ctx, "update", "lead", record_id=lead.id, key=lead.code,
                                                      old=before, new=after)])
    return lead, list(after)


# What `lead edit` changes directly (the unit and person, and the next follow-up date, go through `assign_lead`,
# which keeps the assignment on record; the stage through `move_lead` and `sign_lead`).
DIRECT_FIELDS = tuple(k for k in TEXT_FIELDS if k != "person")
EDIT_FIELDS = (*DIRECT_FIELDS, "amount")
AMOUNT_COLUMNS = ("amount", "currency", "rate", "amount_wan")
ASSIGN_FIELDS = ("unit", "person", "next_on")
LABELS = {"name": N_("项目名称"), "company": N_("客商"), "chain": N_("产业链"), "source": N_("线索来源"),
          "contact": N_("联系人"), "person": N_("责任人"), "leader": N_("包保领导"), "notes": N_("备注"),
          "amount": N_("投资额"), "currency": N_("币种"), "rate": N_("汇率"), "amount_wan": N_("折合万元"),
          "unit": N_("责任单位"), "next_on": N_("下次跟进")}


def _values(lead: Lead) -> dict[str, Any]:
    return {k: getattr(lead, k) for k in (*TEXT_FIELDS, *AMOUNT_COLUMNS)}


def set_fields(session: Session, ctx: Ctx, lead: Lead, values: Mapping[str, Any]) -> list[str]:
    """Write these columns of the lead (`TEXT_FIELDS`, `AMOUNT_COLUMNS`) as given and log what changed; returns
    the names changed (`lead edit`, and its undo)."""
    before, after = changelog.diff(_values(lead), {**_values(lead), **values})
    if not after:
        return []
    for key, value in after.items():
        setattr(lead, key, value)
    changelog.log_update(session, ctx, "lead", lead.id, before, after, key=lead.code)
    return list(after)


def edit_lead(session: Session, ctx: Ctx, code: str, raw: Mapping[str, Any], *, rates: Mapping[str, Decimal],
              create_units: bool = False, allow_duplicate_name: bool = False) -> tuple[Lead, list[str]]:
    """Change the fields given in `raw` (`EDIT_FIELDS`, and `ASSIGN_FIELDS`: `unit`, `person`, `next_on`, which are
    an assignment, `assign_lead`); a blank text or amount clears it (the name cannot be cleared). A new amount
    is converted at today's rate on file. Returns the lead and the names of the fields that changed
    (nothing changed: nothing written)."""
    lead = get_lead(session, code)
    unknown = sorted(set(raw) - set(EDIT_FIELDS) - set(ASSIGN_FIELDS))
    if unknown:
        raise InvalidValue(_("线索没有字段 {field!r}；可改的字段：{known}").format(
            field=unknown[0], known="、".join(EDIT_FIELDS + ASSIGN_FIELDS)))
    if not raw:
        raise InvalidValue(_("请说明要改什么，例如 --company 或 --amount"))
    values: dict[str, Any] = {key: _text(key, raw[key]) for key in DIRECT_FIELDS if key in raw}
    if "name" in values:
        if not values["name"]:
            raise InvalidValue(_("--name 不能为空：线索必须有项目名称"))
        if not allow_duplicate_name and normalize_name(values["name"]) != normalize_name(lead.name):
            _refuse_same_name(session, values["name"], other_than=lead.id)
    if "amount" in raw:
        values.update(zip(AMOUNT_COLUMNS, _amount(raw["amount"], rates)))
        if values["amount"] is None:
            values["currency"] = RMB
    changed = set_fields(session, ctx, lead, values)
    assigned = {k: raw[k] for k in ASSIGN_FIELDS if k in raw}
    if assigned:
        if assigned.get("next_on") is not None and not isinstance(assigned["next_on"], date):
            raise InvalidValue(_("--next：请写成 YYYY-MM-DD"))
        _lead, more = assign_lead(session, ctx, lead.code, unit="" if assigned.get("unit") == "" else assigned.get("unit"),
                                  person=assigned.get("person"), next_on=assigned.get("next_on"),
                                  create_units=create_units)
        changed += more
    return lead, [k for k in changed if k not in ("currency", "rate", "amount_wan") or "amount" not in changed]


def sign_lead(session: Session, ctx: Ctx, code: str, on: date, *, start: date | None = None,
              kinds: Sequence[str] = MILESTONE_KINDS, allow_duplicate_name: bool = False) -> tuple[Lead, str]:
    """The lead's contract was signed on `on`: the project is added to the registry (`registry.add_project`:
    name, owner = the company, chain, unit, leader, total investment in 万元, source 招商线索 XS-…) with its
    签约 milestone planned and done on `on` and, with `start`, its 开工 planned then (the start countdown);
    the lead moves to 签约, linked to the project. Returns the lead and the project's code."""
    lead = get_lead(session, code)
    _date_ok(on, ctx, "--on")
    if lead.project_id is not None or lead.stage in (SIGNED, LANDED):
        raise IllegalMove(_("{code} 已签约").format(code=lead.code))
    if lead.stage not in facts.ACTIVE_STAGES:
        raise IllegalMove(_("{code} 处于“{stage}”，不能签约").format(code=lead.code, stage=lead.stage)
                          + (_("；先恢复：projects lead move … 在谈") if lead.stage == SHELVED else ""))
    if start is not None and start < on:
        raise InvalidValue(_("--start {start} 早于签约日期 {on}").format(start=start.isoformat(), on=on.isoformat()))
    for kind in (SIGNED, *(["开工"] if start else [])):
        milestones.check_kind(kind, kinds)
    unit = session.get(Unit, lead.unit_id).name if lead.unit_id else None
    fields = {"name": lead.name, "owner": lead.company, "chain": lead.chain, "unit": unit, "leader": lead.leader,
              "total_investment": lead.amount_wan, "source": f"招商线索 {lead.code}", "notes": foreign_note(lead)}
    project = registry.add_project(session, ctx, {k: v for k, v in fields.items() if v is not None},
                                   allow_duplicate_name=allow_duplicate_name)
    milestones.set_planned(session, ctx, project, SIGNED, on, kinds=kinds)
    milestones.set_actual(session, ctx, project, SIGNED, on, kinds=kinds)
    if start is not None:
        milestones.set_planned(session, ctx, project, "开工", start, kinds=kinds)
    _enter(session, ctx, lead, SIGNED, on, None, {"project_id": project.id, "signed_on": on}, project.code)
    return lead, project.code


def foreign_note(lead: Lead) -> str | None:
    """What a project signed from a lead in another currency says of its 总投资: the amount as given, the rate."""
    if lead.rate is None or lead.amount is None:
        return None
    return (f"招商线索 {lead.code}：投资额 {changelog.decimal_text(lead.amount)}万{lead.currency}，"
            f"按汇率 1{lead.currency} = {changelog.decimal_text(lead.rate)} 元折合 {changelog.decimal_text(lead.amount_wan)} 万元")


# ---------------------------------------------------------------- read


LIST_FILTERS = ("unit", "chain", "stage", "source", "person")


def list_leads(session: Session, as_of: date, *, follow_days: int = facts.FOLLOW_DAYS, overdue_only: bool = False,
               search: str | None = None, **filters: str | None) -> list[dict[str, Any]]:
    """The leads on record at `as_of` (`facts.leads_on`), each filter (`LIST_FILTERS`) an exact value as stored
    (the caller resolves names), `search` text in the code, name or company."""
    unknown = sorted(set(filters) - set(LIST_FILTERS))
    if unknown:
        raise InvalidValue(_("未知的线索筛选条件 {name!r}；可用：{known}").format(name=unknown[0], known=", ".join(LIST_FILTERS)))
    rows = facts.matching(facts.leads_on(session, as_of, follow_days=follow_days), search, **filters)
    if overdue_only:
        rows = [r for r in rows if r["overdue"]]
    return rows


def show_lead(session: Session, code: str, as_of: date, *, follow_days: int = facts.FOLLOW_DAYS) -> dict[str, Any]:
    """One lead as on record at `as_of`, with its stages and follow-ups then."""
    lead = get_lead(session, code)
    row = next((r for r in facts.leads_on(session, as_of, follow_days=follow_days) if r["id"] == lead.id), None)
    if row is None:
        raise NotFound(_("{code} 于 {recorded} 登记，{day} 时尚无记录").format(
            code=lead.code, recorded=lead.recorded_on.isoformat(), day=as_of.isoformat()))
    stages, follows, assignments = facts.history_on(session, lead.id, as_of)
    return {**row, "stages": stages, "follows": follows, "assignments": assignments}


def pipeline(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts and 万元 by stage (every stage, in order) and the totals, of leads as `list_leads` gives them."""
    by_stage: dict[str, dict[str, Any]] = {s: {"stage": s, "leads": 0, "amount_wan": Decimal(0)} for s in LEAD_STAGES}
    for r in rows:
        entry = by_stage[r["stage"]]
        entry["leads"] += 1
        entry["amount_wan"] += r["amount_wan"] or 0
    foreign: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["currency"] != RMB and r["amount"] is not None:
            foreign[r["currency"]] += r["amount"]
    return {
        "by_stage": list(by_stage.values()),
        "total": {"leads": len(rows), "amount_wan": sum((e["amount_wan"] for e in by_stage.values()), Decimal(0)),
                  "overdue": sum(1 for r in rows if r["overdue"]), "signed": sum(1 for r in rows if r["project"])},
        "foreign": dict(foreign),  # 万 of each currency as given (their 万元 are in the totals)
    }


def _groups(rows: Sequence[Mapping[str, Any]], key: str, order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Leads, 万元, signed and overdue per value of `key` (those in `order` first, in it; the rest most 万元 first)."""
    groups: dict[Any, dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault(r[key], {key: r[key], "leads": 0, "amount_wan": Decimal(0), "signed": 0, "overdue": 0})
        g["leads"] += 1
        g["amount_wan"] += r["amount_wan"] or 0
        g["signed"] += 1 if r["project"] else 0
        g["overdue"] += 1 if r["overdue"] else 0
    ranked = [groups[k] for k in order if k in groups]
    rest = sorted((g for k, g in groups.items() if k not in order),
                  key=lambda g: (-g["amount_wan"], g[key] is None, g[key] or ""))
    return ranked + rest


def pipeline_report(session: Session, as_of: date, since: date, *, follow_days: int = facts.FOLLOW_DAYS) -> dict[str, Any]:
    """The pipeline at a glance at `as_of` (`lead report`): leads and 万元 by stage, chain and unit; the leads added
    and the stage moves after `since`; signing to start: the leads signed, how many of their projects started
    (开工 done on record at `as_of`) and the share."""
    if since >= as_of:
        raise InvalidValue(_("--since {since} 应早于统计截止日期 {day}").format(since=since.isoformat(), day=as_of.isoformat()))
    rows = facts.leads_on(session, as_of, follow_days=follow_days)
    by_id = {r["id"]: r for r in rows}
    signed = [r for r in rows if r["project_id"]]
    started = facts.started_on(session, as_of, [r["project_id"] for r in signed])
    moves = [{"code": by_id[m["lead_id"]]["code"], "name": by_id[m["lead_id"]]["name"],
              **{k: m[k] for k in ("on", "from_stage", "stage", "reason")}}
             for m in facts.moves_between(session, since, as_of) if m["lead_id"] in by_id]
    share = (Decimal(100) * len(started) / len(signed)).quantize(Decimal("0.1"), ROUND_HALF_UP) if signed else None
    return {
        "as_of": as_of,
        "since": since,
        **pipeline(rows),
        "by_chain": _groups(rows, "chain"),
        "by_unit": _groups(rows, "unit"),
        "new": [{k: r[k] for k in ("code", "name", "unit", "stage", "amount_wan", "recorded_on")}
                for r in rows if r["recorded_on"] > since],
        "moves": moves,
        "conversion": {
            "signed": len(signed), "started": len(started), "rate": share,
            "leads": [{"code": r["code"], "name": r["name"], "project": r["project"], "signed_on": r["signed_on"],
                       "started_on": started.get(r["project_id"]),
                       "days_to_start": (started[r["project_id"]] - r["signed_on"]).days
                       if r["project_id"] in started else None} for r in signed],
        },
    }
