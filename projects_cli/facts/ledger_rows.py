"""A project as a ledger row: the one query behind ledger export, dispatch (派工单) and the ledger import.

A row is a project's own columns with, as a `Shape` asks: its responsible
unit's name, the annual plan of a year, the completed investment of a year's
months up to a month (year to date) or before it, one month's figure, and the
dates of milestones (开工 and 竣工 by default). `select_rows` is the query as a
SQLAlchemy statement (export and dispatch run it as it is); `sql_by_ids` is the
same statement compiled once for a number of project ids, run by the import
through `db.query_rows` on 100,000 projects without SQLAlchemy's per-execution
handling of an IN list.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, NamedTuple, Sequence

from sqlalchemy import and_, bindparam, func, select

from projects_cli.store.models import InvestmentPlan, InvestmentReport, Milestone, Project, Unit
from projects_cli.vocab import Milestone as Kind

START, COMPLETION = Kind.START.value, Kind.COMPLETION.value
LEDGER_KINDS = (START, COMPLETION)  # the milestones a ledger's columns give
# a ledger's date columns: field → (milestone kind, milestone column)
MILESTONE_FIELDS = {
    "planned_start": (START, "planned_date"),
    "actual_start": (START, "actual_date"),
    "planned_completion": (COMPLETION, "planned_date"),
    "actual_completion": (COMPLETION, "actual_date"),
}
_FIELD_OF = {where: key for key, where in MILESTONE_FIELDS.items()}
DATES = ("planned_date", "actual_date")
HELD = ("id", "baseline_date", "planned_date", "actual_date")  # a milestone as `rules.milestones.Held` takes it


@dataclass(frozen=True)
class Shape:
    """The columns of a ledger row (each labelled as `labels` lists them)."""

    columns: tuple[str, ...]  # the project's own columns, by name
    unit: bool = False  # "unit": the responsible unit's name
    plan_year: int | None = None  # "annual_plan": the plan of that year
    to_month: str | None = None  # "completed_ytd": the year's months up to and including this one (YYYY-MM)
    before_month: str | None = None  # "completed_before": the year's months before this one
    month: str | None = None  # "month_amount": this month's figure
    month_row: bool = False  # and its row's "month_id" and "month_source" (before and after the figure)
    kinds: tuple[str, ...] = ()  # milestones, each with `dates`
    dates: tuple[str, ...] = DATES

    @property
    def labels(self) -> list[str]:
        out = list(self.columns)
        if self.unit:
            out.append("unit")
        if self.plan_year is not None:
            out.append("annual_plan")
        if self.to_month is not None:
            out.append("completed_ytd")
        if self.before_month is not None:
            out.append("completed_before")
        if self.month is not None:
            out += ["month_id", "month_amount", "month_source"] if self.month_row else ["month_amount"]
        for kind in self.kinds:
            out += [milestone_label(kind, d) for d in self.dates]
        return out

    def holds(self, other: Shape) -> bool:
        """Whether rows of this shape hold everything `other` asks for (the periods alike)."""
        return (set(other.columns) <= set(self.columns) and (self.unit or not other.unit)
                and all(getattr(other, k) in (None, getattr(self, k))
                        for k in ("plan_year", "to_month", "before_month", "month"))
                and (self.month_row or not other.month_row)
                and set(other.kinds) <= set(self.kinds) and set(other.dates) <= set(self.dates))


def milestone_label(kind: str, column: str) -> str:
    """A milestone date's label in a row: the ledger's field (planned_start …), else "KIND.column"."""
    return _FIELD_OF.get((kind, column)) or f"{kind}.{column}"


def select_rows(shape: Shape, *, projects: Callable[[Any], Any] | None = None, clauses=(), order: bool = True,
                unit_name=None, table=None):
    """The rows of `shape`: `projects(column)` selects the projects by id (and limits the sums to them);
    `clauses` are conditions on `project` joined to `unit` (`ProjectFilter.clauses`); ordered by code.
    `unit_name`: the unit's name as SQL over `unit` (`asof.unit_name_on` a date); default its name now.
    `table`: the projects as on a date (`asof.projects_on`) instead of the table."""
    p, u = Project.__table__ if table is None else table, Unit.__table__
    plan, rep, m = InvestmentPlan.__table__, InvestmentReport.__table__, Milestone.__table__
    columns: list[Any] = [p.c[name] for name in shape.columns]
    joined = p
    if shape.unit or clauses:
        joined = joined.outerjoin(u, u.c.id == p.c.unit_id)
    if shape.unit:
        columns.append((u.c.name if unit_name is None else unit_name).label("unit"))
    if shape.plan_year is not None:
        joined = joined.outerjoin(plan, and_(plan.c.project_id == p.c.id, plan.c.year == shape.plan_year))
        columns.append(plan.c.amount.label("annual_plan"))
    for label, month in (("completed_ytd", shape.to_month), ("completed_before", shape.before_month)):
        if month is None:
            continue
        last = rep.c.month <= month if label == "completed_ytd" else rep.c.month < month
        sums = select(rep.c.project_id, func.sum(rep.c.amount).label("amount")).where(
            rep.c.month >= f"{month[:4]}-01", last)
        if projects is not None:
            sums = sums.where(projects(rep.c.project_id))
        sums = sums.group_by(rep.c.project_id).subquery(label)
        joined = joined.outerjoin(sums, sums.c.project_id == p.c.id)
        columns.append(sums.c.amount.label(label))
    if shape.month is not None:
        this = rep.alias("this_month")
        joined = joined.outerjoin(this, and_(this.c.project_id == p.c.id, this.c.month == shape.month))
        amount = this.c.amount.label("month_amount")
        columns += [this.c.id.label("month_id"), amount, this.c.source.label("month_source")] if shape.month_row else [amount]
    for i, kind in enumerate(shape.kinds):
        mi = m.alias(f"m{i}")
        joined = joined.outerjoin(mi, and_(mi.c.project_id == p.c.id, mi.c.kind == kind))
        columns += [mi.c[d].label(milestone_label(kind, d)) for d in shape.dates]
    query = select(*columns).select_from(joined)
    if projects is not None:
        query = query.where(projects(p.c.id))
    for clause in clauses:
        query = query.where(clause)
    return query.order_by(p.c.code) if order else query


class ByIds(NamedTuple):
    """`select_rows` compiled for a number of project ids (see `sql_by_ids`)."""

    sql: str  # with `?` marks, for `db.query_rows`
    slots: tuple[tuple[int, Any], ...]  # per mark: (index of the id it takes, or -1; else its value)
    types: tuple[Any, ...]  # the result columns' types

    def params(self, ids: Sequence[int]) -> list[Any]:
        return [ids[i] if i >= 0 else value for i, value in self.slots]


def sql_by_ids(dialect, shape: Shape, count: int) -> ByIds:
    """`select_rows` of `count` project ids as plain SQL for `db.query_rows` (compiled once per back end,
    shape and count): the same statement export and dispatch run, without SQLAlchemy's handling of the
    IN list on every execution (on 100,000 projects it costs more than the query itself)."""
    return _compiled(type(dialect), shape, count)


@lru_cache(maxsize=64)
def _compiled(dialect_class, shape: Shape, count: int) -> ByIds:
    ids = bindparam("ids", [0] * count, expanding=True)
    query = select_rows(shape, projects=lambda column: column.in_(ids), order=False)
    compiled = query.compile(dialect=dialect_class(paramstyle="qmark"), compile_kwargs={"render_postcompile": True})
    slots = tuple((int(name[4:]) - 1, None) if name.startswith("ids_") else (-1, compiled.params[name])
                  for name in compiled.positiontup)
    return ByIds(compiled.string, slots, tuple(c.type for c in query.selected_columns))
