"""The project registry: add, edit, find and list projects, their units and annual plans.

Services take a Session and a `Ctx`; they never print. Every change is written
to the change log. Two rules are written here for one project and for many at
once (the ledger import), logged alike: a unit named for the first time is
created (`ensure_units`), and a project's annual plan is set (`write_plans`).
A new project's change-log entry holds, beside its fields, what was created
with it (`created_entry`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from sqlalchemy import and_, bindparam, delete, func, select, update
from sqlmodel import Session

from projects_cli.config.chains import fill_cluster
from projects_cli.config.office import default_status_words
from projects_cli.errors import InvalidValue, NotFound, UnknownName
from projects_cli.facts import asof
from projects_cli.facts.filters import NAMED, Former, ProjectFilter, find_former, known_names
from projects_cli.i18n import _
from projects_cli.rules import investment as money_rules
from projects_cli.store import changelog, sequences
from projects_cli.store.changelog import Ctx
from projects_cli.store.db import insert_columns
from projects_cli.store.models import (
    LIST_SEP,
    PROJECT_HISTORY,
    STATUSES,
    ChangeLog,
    InvestmentPlan,
    Project,
    ProjectRevision,
    Unit,
)
from projects_cli.values import (
    ValueProblem,
    clean_text,
    is_empty,
    match_name,
    normalize_name,
    parse_amount,
    parse_decimal,
    resolve_name,
    split_list,
    text_problem,
)
from projects_cli.vocab import BY_KEY, PROJECT_FIELDS

CODE_PREFIX = "GX"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
# Stored on the project row itself (annual_plan and unit live elsewhere).
COLUMNS = tuple(f.key for f in PROJECT_FIELDS if f.key not in ("annual_plan", "unit"))
# project_values() holds exactly the user's fields; bookkeeping (timestamps, version) is not logged.


def join_list(items: list[str]) -> str:
    return LIST_SEP.join(items)


# ---------------------------------------------------------------- units


# What to do when a unit named is not in the registry (add, edit, issue assign, ledger import).
CREATE_UNITS = _("确需新增该单位，请加 --create-units")


def find_unit(session: Session, name: str, hint: str = "") -> Unit:
    """The unit of that name, its spelling matched after normalising (`values.match_name`); a former name
    (before a rename, or of a unit merged into another: `facts.filters.find_former`) finds the unit that holds
    it now; else an `UnknownName` error offering the nearest units in force, then `hint`."""
    return _unit(session, name, hint)[0]


def _unit(session: Session, name: str, hint: str = "") -> tuple[Unit, Former | None]:
    """`find_unit`, and the former name it went through (None: the name is in force)."""
    u = Unit.__table__.c
    unit = session.scalars(select(Unit).where(Unit.name == clean_text(name), u.retired_on.is_(None))).first()
    if unit is not None:
        return unit, None
    known = known_names(session, "unit")
    found, former = match_name(name, known), None
    if found is None:
        former = find_former(session, "unit", name)
        found = former.now if former is not None else resolve_name(name, known, NAMED["unit"], hint)
    return session.scalars(select(Unit).where(Unit.name == found)).one(), former


def unit_for(session: Session, ctx: Ctx, name: str, *, create: bool = False) -> Unit:
    """The one unit policy (add, edit, issue assign; the ledger import checks alike): a unit named must be in
    the registry (`find_unit`; an old name before a rename is the unit), unless `create` (--create-units), when
    a new name is created (`ensure_unit`). A unit merged into another is refused, naming the one it went into."""
    try:
        unit, former = _unit(session, name, CREATE_UNITS)
    except UnknownName:
        if not create:
            raise
        return ensure_unit(session, ctx, name)
    if former is not None and former.merged:
        raise InvalidValue(_("{former}，不能再作为责任单位；请改用“{now}”").format(former=former.message(), now=former.now))
    return unit


def leader_for(session: Session, name: str | None) -> str | None:
    """A project's leader (包保领导) as stored: as typed, or, for a leader's former name (`leader rename`), the
    name now; a leader merged into another (`leader merge`) is refused, naming the one who took over."""
    if not name:
        return name
    former = find_former(session, "leader", name)
    if former is None or match_name(name, known_names(session, "leader")) is not None:
        return name
    if former.merged:
        raise InvalidValue(_("{former}，不能再作为包保领导；请改用“{now}”").format(
            former=former.message("包保领导"), now=former.now))
    return former.now


def ensure_units(session: Session, ctx: Ctx, names: Iterable[str]) -> dict[str, int]:
    """Unit name → id for every name; a name not in the registry is created (and logged) on first use.

    The one place a unit comes into being: `projects add/edit --unit`, a ledger
    import's new 责任单位 and `issue assign --create-units` all come here.
    """
    session.flush()
    wanted = []
    for name in names:
        name = clean_text(name)
        if not name:
            raise InvalidValue(_("单位名称不能为空"))
        wanted.append(name)
    u = Unit.__table__.c
    query = select(u.name, u.id).where(u.name.in_(sorted(set(wanted))))
    found: dict[str, int] = {name: uid for name, uid in session.connection().execute(query)} if wanted else {}
    for name in dict.fromkeys(wanted):
        if name not in found:
            unit = Unit(name=name)
            session.add(unit)
            session.flush()
            changelog.log_insert(session, ctx, "unit", unit.id, {"name": name}, key=name)
            found[name] = unit.id
    return found


def ensure_unit(session: Session, ctx: Ctx, name: str) -> Unit:
    """The unit of that name, created (and logged) on first use (`ensure_units`)."""
    return session.get(Unit, ensure_units(session, ctx, [name])[clean_text(name)])


# ---------------------------------------------------------------- codes


def next_code(session: Session) -> str:
    return next_codes(session, 1)[0]


def next_codes(session: Session, count: int, taken: set[str] | None = None) -> list[str]:
    """`count` new project codes (GX-0001 …), skipping codes in use; the counter moves once.

    `taken` is every code in use when the caller already holds them (a ledger
    import); without it each candidate is looked up.
    """
    counter = sequences.locked_counter(session, "project", 0)
    codes: list[str] = []
    number = counter.value
    while len(codes) < count:
        number += 1
        code = f"{CODE_PREFIX}-{number:04d}"
        if taken is not None:
            if code not in taken:
                codes.append(code)
        elif session.scalars(select(Project.id).where(Project.code == code)).first() is None:
            codes.append(code)
    counter.value = number
    session.flush()
    return codes


# ---------------------------------------------------------------- values


class BadField(ValueProblem):
    """A value that was read but breaks its field's rule (negative amount, unknown status, too long …)."""


# Longest text each column holds (PostgreSQL refuses longer; SQLite would keep it silently).
MAX_LENGTH = {c.name: c.type.length for c in Project.__table__.c if getattr(c.type, "length", None)}
# A unit's name is also the change log's key for it (change_log.record_key, 60 characters).
MAX_LENGTH["unit"] = min(Unit.__table__.c.name.type.length, ChangeLog.__table__.c.record_key.type.length)
# Names and codes: zero-width and bidi-control characters refused (`values.text_problem`).
NAME_KEYS = {"code", "name", "unit", "owner", "leader"}


def kept_as_is(key: str) -> Callable[[Any], bool] | None:
    """For a name or code, a quick test of the cells `clean_value` returns unchanged (a clean text, within
    its length; an ASCII code of the usable shape), for a ledger of 100,000 rows to skip the long way; None
    for the other fields."""
    limit = MAX_LENGTH[key] if key in ("name", "code") else 0
    if key == "name":
        return lambda v: (type(v) is str and v != "" and v.isprintable() and "  " not in v and v[0] != " "
                          and v[-1] != " " and len(v) <= limit)
    if key == "code":
        match = _CODE.match
        return lambda v: (type(v) is str and v.isascii() and v.isprintable() and " " not in v and len(v) <= limit
                          and match(v) is not None)
    return None


def clean_value(key: str, value: Any, *, unit: str = "万元") -> Any:
    """One field's typed, validated value; `unit` applies to bare amounts (a ledger's 单位：亿元).

    Raises `ValueProblem` when the value cannot be read and `BadField` when it
    breaks the field's rule; both messages read after the field's name.
    """
    spec = BY_KEY[key]
    if type(value) is str and not value.isprintable():
        problem = text_problem(value, name=key in NAME_KEYS)  # line breaks: kept in 内容/备注, spaces elsewhere
        if problem:
            raise BadField(problem)
    if spec.kind == "money":
        amount = parse_amount(value, unit)
        if amount is not None and amount < 0:
            raise BadField(_("不能为负数：{value}").format(value=clean_text(value)))
        return amount
    if spec.kind == "area":
        area = parse_decimal(value)
        if area is not None and area < 0:
            raise BadField(_("不能为负数：{value}").format(value=clean_text(value)))
        return area
    if spec.kind == "list":
        out = join_list(split_list(value))
    elif spec.kind == "status":
        status = clean_text(value)
        status = default_status_words().get(normalize_name(status), status)  # 续建 → 在建 (data/config.toml)
        if status not in STATUSES:
            raise BadField(_("应为 {allowed} 之一，不能是 {status!r}").format(allowed="/".join(STATUSES), status=status))
        return status
    elif key in ("content", "notes"):
        # one kind of line break, as a workbook gives it back (XML reads \r\n as \n): the export round-trips
        out = str(value).replace("\r\n", "\n").replace("\r", "\n").strip() or None if value is not None else None
    elif key == "code":
        out = normalize_name(value)
        if not _CODE.match(out):
            raise BadField(_("{value!r} 不能用作项目编号；请用字母、数字和“-”，例如 GX-0001").format(value=clean_text(value)))
    elif key == "name":
        out = clean_text(value)
        if not out:
            raise BadField(_("不能为空"))
    elif key == "approval_code":
        return approval_code(value)
    else:
        out = clean_text(value) or None
    limit = MAX_LENGTH.get(key)
    if out and limit and len(out) > limit:
        raise BadField(_("有 {length} 个字符，超过上限 {limit} 个：{start}…").format(length=len(out), limit=limit, start=out[:20]))
    return out


# The national code of the online approval platform (全国投资项目在线审批监管平台, GB/T 40058): a time code (2020, or
# 2403 for March 2024 in later codes), the region, the supervising department, the project's kind, a serial with
# its check character. Read loosely: the five groups by their lengths.
_APPROVAL_CODE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-[0-9A-Z]{6}$")
_DASHES = re.compile(r"\s*[-－—–‐‑―]\s*")


def approval_code(value: Any) -> str | None:
    """项目审批代码 as stored: the national shape 2020-350000-44-01-012345 (full-width dashes, spaces around
    them, lower-case letters allowed); anything else is refused, naming the expected shape."""
    if is_empty(value):
        return None
    text = clean_text(value)
    code = _DASHES.sub("-", unicodedata.normalize("NFKC", text)).upper()
    if not _APPROVAL_CODE.match(code):
        raise BadField(_("{text!r} 不是全国投资项目审批代码的格式（4位-6位-2位-2位-6位，如 2020-350000-44-01-012345）").format(
            text=text))
    return code


def clean_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Typed, validated project values from what a user typed; raises InvalidValue naming the field."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        spec = BY_KEY.get(key)
        if spec is None:
            raise InvalidValue(_("未知的项目字段 {key!r}").format(key=key))
        label = spec.label
        try:
            out[key] = clean_value(key, value)
        except BadField as exc:
            raise InvalidValue(_("{label}{problem}").format(label=label, problem=exc)) from None
        except ValueProblem as exc:
            raise InvalidValue(_("{label}：{problem}").format(label=label, problem=exc)) from None
    return out


def project_values(project: Project) -> dict[str, Any]:
    return {key: getattr(project, key) for key in COLUMNS}


def replaced_values(project_id: int, old: Mapping[str, Any], new: Mapping[str, Any], on: date) -> list[dict[str, Any]]:
    """`project_revision` rows for a change of a project's fields from `old` to `new` on `on`: the old
    value of each kept field (`PROJECT_HISTORY`) that changed, as text, so reports for earlier dates read it."""
    return [{"project_id": project_id, "field": key, "value": None if old.get(key) in (None, "") else str(old[key]),
             "replaced_on": on}
            for key in PROJECT_HISTORY if key in new and old.get(key) != new[key]]


def keep_replaced(session: Session, rows: list[dict[str, Any]]) -> None:
    """Store what `replaced_values` gave (one insert for all)."""
    if rows:
        session.connection().execute(ProjectRevision.__table__.insert(), rows)


# ---------------------------------------------------------------- read


def get_project(session: Session, code: str) -> Project:
    wanted = normalize_name(code)
    project = session.scalars(select(Project).where(Project.code == wanted)).first()
    if project is None:
        raise NotFound(_("没有编号为 {code!r} 的项目；`projects list --search 文字` 可查编号").format(code=clean_text(code)))
    return project


def _listing_query(filters: ProjectFilter, plan_year: int, p=Project.__table__, unit_name=None):
    """Projects with their unit's name and annual plan; `p`: the projects (e.g. `asof.projects_on` a date),
    `unit_name`: the unit's name as SQL (`asof.unit_name_on` a date; default its name now)."""
    u = Unit.__table__
    plan = InvestmentPlan.__table__
    query = (
        select(p, (u.c.name if unit_name is None else unit_name).label("unit"), plan.c.amount.label("annual_plan"))
        .select_from(
            p.outerjoin(u, p.c.unit_id == u.c.id).outerjoin(
                plan, and_(plan.c.project_id == p.c.id, plan.c.year == plan_year)
            )
        )
        .order_by(p.c.code)
    )
    for clause in filters.clauses(projects=p):
        query = query.where(clause)
    return query


def row_dict(row: Any, plan_year: int) -> dict[str, Any]:
    """A project as listings and JSON show it: stable keys, lists as lists."""
    m = row._mapping if hasattr(row, "_mapping") else row
    out: dict[str, Any] = {}
    for spec in PROJECT_FIELDS:
        value = m.get(spec.key)
        if spec.kind == "list":
            value = [v for v in (value or "").split(LIST_SEP) if v]
        out[spec.key] = value
    out["plan_year"] = plan_year
    return out


def list_projects(session: Session, filters: ProjectFilter, plan_year: int, as_of: date | None = None,
                  *, archived: bool = False) -> list[dict[str, Any]]:
    """The projects `filters` select; those archived on `as_of` (归档) left out, or with `archived` only those."""
    from projects_cli.facts.asof import archived_ids, not_archived

    query = _listing_query(filters, plan_year)
    if as_of is not None:
        ids = Project.__table__.c.id
        query = query.where(ids.in_(archived_ids(as_of))) if archived else query.where(*not_archived(session, ids, as_of))
    rows = session.connection().execute(query)
    return [row_dict(r, plan_year) for r in rows]


def count_projects(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Project)) or 0


def show_project(session: Session, code: str, plan_year: int, as_of: date | None = None) -> dict[str, Any]:
    """One project as `row_dict` gives it; given `as_of`, its fields and unit's name as on record then
    (`asof.projects_on`)."""
    project = get_project(session, code)
    p = asof.projects_on(session, as_of)
    row = session.connection().execute(
        _listing_query(ProjectFilter(), plan_year, p, asof.unit_name_on(session, as_of)).where(p.c.id == project.id)
    ).first()
    if row is None:
        raise NotFound(_("项目 {code} 是在统计截止日期 {day} 之后录入的").format(code=project.code, day=as_of.isoformat()))
    return row_dict(row, plan_year)


# ---------------------------------------------------------------- write


class PlanWrite(NamedTuple):
    """One project's annual plan to write: what `rules.investment.amount_change` found changed."""

    project_id: int
    code: str  # the project's
    old: Decimal | None  # the plan on file
    amount: Decimal | None  # None: remove it


def write_plans(session: Session, ctx: Ctx, year: int, items: Sequence[PlanWrite], *, log: bool = True,
                note: Mapping[str, Any] | None = None) -> None:
    """Write each project's annual plan for `year`, set-based (new, changed and removed plans) and when `log`
    their change-log entries (the same amount again writes nothing, `rules.investment.amount_change`); `note`
    is added to each entry's new values (a ledger's exchange rate: {"汇率": "…按 1 美元 = 7.1 元折算"})."""
    if not items:
        return
    session.flush()
    conn = session.connection()
    table = InvestmentPlan.__table__
    writes = [(item, action) for item in items if (action := money_rules.amount_change(item.old, item.amount))]
    new = [item for item, action in writes if action == "insert"]
    insert_columns(conn, table, {"project_id": [item.project_id for item in new], "year": (year,) * len(new),
                                 "amount": [item.amount for item in new]})
    where = and_(table.c.project_id == bindparam("pid"), table.c.year == year)
    changed = [{"pid": item.project_id, "amount": item.amount} for item, action in writes if action == "update"]
    if changed:
        conn.execute(update(table).where(where).values(amount=bindparam("amount")), changed)
    removed = [{"pid": item.project_id} for item, action in writes if action == "delete"]
    if removed:
        conn.execute(delete(table).where(where), removed)
    if log:
        entries = []
        for item, action in writes:
            old, new_values = money_rules.plan_logged(item.old, item.amount)
            if note and new_values is not None:
                new_values = {**new_values, **note}
            entries.append(changelog.make_entry(ctx, action, "investment_plan", record_id=item.project_id,
                                                key=f"{item.code}:{year}", project_code=item.code, old=old,
                                                new=new_values))
        changelog.log_many(session, entries)


def annual_plan(session: Session, project: Project, year: int) -> Decimal | None:
    """The project's annual plan for `year`, if it has one."""
    c = InvestmentPlan.__table__.c
    amount = session.connection().execute(
        select(c.amount).where(c.project_id == project.id, c.year == year)).scalar()
    return Decimal(amount) if amount is not None else None


def _set_plan(session: Session, ctx: Ctx, project: Project, year: int, amount: Decimal | None) -> bool:
    old = annual_plan(session, project, year)
    if money_rules.amount_change(old, amount) is None:
        return False
    write_plans(session, ctx, year, [PlanWrite(project.id, project.code, old, amount)])
    return True


_LOGGED = frozenset(COLUMNS)


def created_entry(values: Mapping[str, Any], unit: str | None, *, plan: tuple[int, Decimal] | None = None,
                  month: tuple[str, Decimal] | None = None,
                  milestones: Iterable[tuple[str, Mapping[str, date]]] = ()) -> dict[str, Any]:
    """A new project's change-log entry: its fields (`values`, the project row's columns) that hold
    something, its unit, and what was created with it: the annual plan (`annual_plan:YEAR`), a month's
    completed investment (`completed:MONTH`) and milestones' dates (`开工.planned_date` …).

    (An entry per row created would be seven for a project a ledger adds; on
    100,000 rows writing the log would cost more than the import itself.)
    """
    logged = {k: v for k, v in values.items() if v is not None and v != "" and k in _LOGGED}
    if unit:
        logged["unit"] = unit
    if plan is not None:
        logged[f"annual_plan:{plan[0]}"] = plan[1]
    if month is not None:
        logged[f"completed:{month[0]}"] = month[1]
    for kind, dates in milestones:
        for key, value in dates.items():
            logged[f"{kind}.{key}"] = value
    return logged


def set_annual_plan(session: Session, ctx: Ctx, code: str, year: int, amount: Decimal) -> Project:
    """年度计划投资 of a project for a year (万元)."""
    if amount < 0:
        raise InvalidValue(_("年度计划投资不能为负数：{amount}").format(amount=amount))
    project = get_project(session, code)
    _set_plan(session, ctx, project, year, amount)
    return project


def same_name(session: Session, name: str, *, other_than: int | None = None) -> tuple[str, str] | None:
    """(code, name) of a project whose name is `name` once spaces and full-width forms are set aside
    (`values.normalize_name`: 某 项目 and 某项目 are one name), other than project `other_than`; None if none."""
    wanted = normalize_name(name)
    p = Project.__table__.c
    conn = session.connection()
    # names only, normalised in Python (NFKC has no SQL form on SQLite): about 0.2 s for 100,000 projects
    alike = {held for held in conn.execute(select(p.name)).scalars() if normalize_name(held) == wanted}
    if not alike:
        return None
    query = select(p.code, p.name).where(p.name.in_(sorted(alike))).order_by(p.code)
    if other_than is not None:
        query = query.where(p.id != other_than)
    found = conn.execute(query).first()
    return (found.code, found.name) if found is not None else None


def _refuse_same_name(session: Session, name: str, other_than: int | None = None) -> None:
    found = same_name(session, name, other_than=other_than)
    if found is not None:
        raise InvalidValue(
            _("已有同名项目 {code}“{name}”；如确为另一个项目，请加 --allow-duplicate-name").format(code=found[0], name=found[1]))


def add_project(session: Session, ctx: Ctx, raw: dict[str, Any], *, plan_year: int | None = None,
                create_units: bool = False, allow_duplicate_name: bool = False) -> Project:
    """A new project; its code is generated when not given. Returns the project.

    Its unit must be in the registry unless `create_units` (`unit_for`); its name must not be another
    project's (`same_name`) unless `allow_duplicate_name`.
    """
    values = fill_cluster(clean_fields({k: v for k, v in raw.items() if v is not None}))
    if "name" not in values:
        raise InvalidValue(_("项目需要名称（--name，项目名称）"))
    if not allow_duplicate_name:
        _refuse_same_name(session, values["name"])
    code = values.pop("code", None)
    if code:
        if session.scalars(select(Project.id).where(Project.code == code)).first() is not None:
            raise InvalidValue(_("编号 {code} 已被使用；不写 --code 可自动取新编号").format(code=code))
    else:
        code = next_code(session)
    unit_name = values.pop("unit", None)
    annual = values.pop("annual_plan", None)
    if values.get("leader"):
        values["leader"] = leader_for(session, values["leader"])
    project = Project(code=code, created_at=ctx.now, updated_at=ctx.now, recorded_on=ctx.as_of, **values)
    if unit_name:
        unit = unit_for(session, ctx, unit_name, create=create_units)
        project.unit_id, unit_name = unit.id, unit.name
    session.add(project)
    session.flush()
    year = plan_year or ctx.as_of.year
    if annual is not None:
        write_plans(session, ctx, year, [PlanWrite(project.id, code, None, annual)], log=False)
    logged = created_entry(project_values(project), unit_name,
                           plan=(year, annual) if annual is not None else None)
    changelog.log_insert(session, ctx, "project", project.id, logged, key=code, project_code=code)
    return project


def edit_project(
    session: Session, ctx: Ctx, code: str, raw: dict[str, Any], *, plan_year: int | None = None,
    create_units: bool = False, allow_duplicate_name: bool = False,
) -> list[str]:
    """Change the given fields; returns the names of the fields that really changed.

    A unit and a name are checked as `add_project` checks them."""
    project = get_project(session, code)
    values = fill_cluster(clean_fields(raw))
    if "name" in raw and not values.get("name"):
        raise InvalidValue(_("项目名称（name）不能为空"))
    renamed = values.get("name") and normalize_name(values["name"]) != normalize_name(project.name)
    if renamed and not allow_duplicate_name:
        _refuse_same_name(session, values["name"], other_than=project.id)
    if "status" in raw and values.get("status") is None:
        raise InvalidValue(_("项目状态（status）应为 {allowed} 之一").format(allowed="/".join(STATUSES)))
    new_code = values.get("code")
    if new_code and new_code != project.code:
        if session.scalars(select(Project.id).where(Project.code == new_code)).first() is not None:
            raise InvalidValue(_("编号 {code} 已被另一个项目使用").format(code=new_code))
    changed: list[str] = []
    if "annual_plan" in values:
        if _set_plan(session, ctx, project, plan_year or ctx.as_of.year, values.pop("annual_plan")):
            changed.append("annual_plan")
    old = project_values(project)
    kept = {key: getattr(project, key) for key in PROJECT_HISTORY}
    old_unit = session.get(Unit, project.unit_id).name if project.unit_id else None
    if values.get("leader"):
        values["leader"] = leader_for(session, values["leader"])
    if "unit" in values:
        unit_name = values.pop("unit")
        project.unit_id = unit_for(session, ctx, unit_name, create=create_units).id if unit_name else None
    for key, value in values.items():
        setattr(project, key, value)
    new = project_values(project)
    old["unit"] = old_unit
    new["unit"] = session.get(Unit, project.unit_id).name if project.unit_id else None
    before, after = changelog.diff(old, new)
    if after:
        project.version += 1
        project.updated_at = ctx.now
        session.flush()
        keep_replaced(session, replaced_values(project.id, kept, {k: getattr(project, k) for k in PROJECT_HISTORY},
                                               ctx.as_of))
        changelog.log_update(session, ctx, "project", project.id, before, after, key=project.code, project_code=project.code)
        changed.extend(after)
    return changed
