"""Investment (投资): the monthly completed amount, the annual plan, and what follows from them.

Only the month's completed amount (当月完成投资) and the year's plan (年度计划投资)
are typed; the year-to-date total, the completion rate and the gap to the
time-elapsed share (序时进度) are always derived (`rules.dates.completion_gap`),
never typed twice. Amounts are Decimal 万元. A month's figure is written by
`write_months`, for one project (`invest record`) or many at once (the ledger
import), with the same change-log entries; a ledger's year-to-date total
becomes the month's figure by `rules.investment.month_figure`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, Sequence

from sqlalchemy import Date, bindparam, insert, literal, or_, select, update
from sqlmodel import Session

from projects_cli.errors import InvalidValue
from projects_cli.facts.asof import reports_on_record
from projects_cli.facts.ledger_rows import Shape, select_rows
from projects_cli.i18n import _
from projects_cli.listings.output import format_decimal
from projects_cli.rules import investment as rules
from projects_cli.rules.dates import completion_gap, month_end
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.db import insert_columns, reserve_ids
from projects_cli.store.models import InvestmentReport, InvestmentRevision, Project
from projects_cli.values import ValueProblem, parse_month

TABLE = "investment_report"


def check_month(month: str, as_of: date) -> str:
    """YYYY-MM, not after the as-of month (investment cannot be completed in the future)."""
    try:
        month = parse_month(month)
    except ValueProblem as exc:
        raise InvalidValue(str(exc)) from None
    if month > f"{as_of.year:04d}-{as_of.month:02d}":
        raise InvalidValue(
            _("月份 {month} 晚于统计截止日期 {day}；完成投资只能填报已经开始的月份").format(month=month, day=as_of.isoformat())
        )
    return month


def check_amount(amount: Decimal | None, what: str | None = None) -> Decimal:
    what = what or _("完成投资")
    if amount is None:
        raise InvalidValue(_("需要填写{what}，单位万元，例如 1200 或 1.2亿元").format(what=what))
    if amount < 0:
        raise InvalidValue(_("{what}不能为负数：{amount}").format(what=what, amount=format_decimal(amount)))
    return amount


class MonthWrite(NamedTuple):
    """One project's figure for the month: what `rules.investment.amount_change` found changed."""

    project_id: int
    code: str  # the project's
    report_id: int | None  # the month's row on file; None: a new one
    old: tuple[Decimal, str | None] | None  # its amount and source
    amount: Decimal


def write_months(session: Session, ctx: Ctx, month: str, items: Sequence[MonthWrite], source: str | None, *,
                 log: bool = True) -> None:
    """Write each project's figure for `month` (from `source`), set-based: new rows (their ids reserved) and
    changed ones, and when `log` their change-log entries. The projects' versions are the caller's to bump."""
    if not items:
        return
    session.flush()
    conn = session.connection()
    table = InvestmentReport.__table__
    new = [item for item in items if item.report_id is None]
    ids = reserve_ids(conn, table, len(new)) if log else []  # the entries name them; unlogged rows take the next
    n = len(new)
    insert_columns(conn, table, {**({"id": ids} if log else {}), "project_id": [item.project_id for item in new],
                                 "month": (month,) * n, "amount": [item.amount for item in new],
                                 "source": (source,) * n, "recorded_on": (ctx.as_of,) * n})
    changed = [{"_id": item.report_id, "v_amount": item.amount} for item in items if item.report_id is not None]
    if changed:
        _keep_replaced(conn, [c["_id"] for c in changed], ctx.as_of)
        conn.execute(update(table).where(table.c.id == bindparam("_id")).values(
            amount=bindparam("v_amount"), source=source, recorded_on=ctx.as_of), changed)
    if not log:
        return
    new_id = iter(ids)
    entries = []
    for item in items:
        old, logged = rules.report_logged(month, item.old, item.amount, source)
        entries.append(changelog.make_entry(
            ctx, "update" if item.report_id is not None else "insert", TABLE,
            record_id=item.report_id if item.report_id is not None else next(new_id), key=f"{item.code}:{month}",
            project_code=item.code, old=old, new=logged,
        ))
    changelog.log_many(session, entries)


def _keep_replaced(conn, report_ids: list[int], on: date) -> None:
    """Before figures are replaced on `on`: keep each (`InvestmentRevision`) with the dates it was on record,
    unless it was recorded on `on` itself (then no report date ever read it: a same-day correction)."""
    r, rev = InvestmentReport.__table__.c, InvestmentRevision.__table__
    for start in range(0, len(report_ids), 500):
        chunk = report_ids[start:start + 500]
        conn.execute(insert(rev).from_select(
            ["project_id", "month", "amount", "recorded_on", "replaced_on"],
            select(r.project_id, r.month, r.amount, r.recorded_on, literal(on, Date()))
            .where(r.id.in_(chunk), or_(r.recorded_on.is_(None), r.recorded_on < on)),
        ))


def set_month(
    session: Session, ctx: Ctx, project: Project, month: str, amount: Decimal, source: str | None = None
) -> bool:
    """The investment completed in one month (万元); returns True when something changed.

    `month` is YYYY-MM. Recording the same amount again changes and logs nothing;
    a different amount replaces the month's figure (logged with the old one).
    """
    month = check_month(month, ctx.as_of)
    amount = check_amount(amount)
    c = InvestmentReport.__table__.c
    found = session.connection().execute(
        select(c.id, c.amount, c.source).where(c.project_id == project.id, c.month == month)
    ).first()
    old = (Decimal(found.amount), found.source) if found is not None else None
    if rules.amount_change(old[0] if old else None, amount) is None:
        return False
    write_months(session, ctx, month, [MonthWrite(project.id, project.code, found.id if found else None, old, amount)],
                 source)
    project.version += 1
    project.updated_at = ctx.now
    return True


def year_to_date_before(session: Session, project: Project, month: str) -> Decimal:
    """The project's completed investment of `month`'s year before it (the ledger row's 此前累计完成)."""
    query = select_rows(Shape(("id",), before_month=month), projects=lambda column: column == project.id)
    row = session.connection().execute(query).first()
    return Decimal(row.completed_before or 0)


def set_year_to_date(
    session: Session, ctx: Ctx, project: Project, month: str, completed_ytd: Decimal, source: str | None = None
) -> bool:
    """Record a ledger's year-to-date total (本年累计完成投资) as of `month`: the month's figure is
    the total less the year's earlier months on file (`rules.investment.month_figure`, as the ledger
    import does). Returns True when something changed.

    A total smaller than the earlier months already on file is an error naming both.
    """
    month = check_month(month, ctx.as_of)
    completed_ytd = check_amount(completed_ytd, _("本年累计完成投资"))
    earlier = year_to_date_before(session, project, month)
    figure = rules.month_figure(completed_ytd, earlier)
    if figure is None:
        raise InvalidValue(
            _("{code}：截至 {month} 的本年累计完成投资 {ytd} 万元，少于此前各月已填报的 {earlier} 万元").format(
                code=project.code, month=month, ytd=format_decimal(completed_ytd), earlier=format_decimal(earlier))
        )
    return set_month(session, ctx, project, month, figure, source)


class Recorded(NamedTuple):
    """What `invest record` did: the project, whether the figure changed, the figure it replaced (None: the
    month had none) and what looks wrong in the new one (`rules.investment.figure_warnings`)."""

    project: Project
    changed: bool
    old: Decimal | None
    warnings: list[str]


def record_month(
    session: Session, ctx: Ctx, code: str, month: str, amount: Decimal, source: str | None = None, *,
    warn_total_factor: float = rules.WARN_TOTAL_FACTOR, warn_plan_factor: float = rules.WARN_PLAN_FACTOR,
) -> Recorded:
    """`invest record`: the project's investment completed in `month`, with the figure it replaced and the
    warnings a changed figure earns against the total investment and the annual plan (the factors)."""
    project = registry.get_project(session, code)
    month = check_month(month, ctx.as_of)
    c = InvestmentReport.__table__.c
    found = session.connection().execute(
        select(c.amount).where(c.project_id == project.id, c.month == month)).scalar()
    old = Decimal(found) if found is not None else None
    if not set_month(session, ctx, project, month, amount, source):
        return Recorded(project, False, old, [])
    year_to_date = year_to_date_before(session, project, month) + amount
    plan = registry.annual_plan(session, project, int(month[:4]))
    warnings = rules.figure_warnings(month, amount, year_to_date, project.total_investment, plan,
                                     warn_total_factor=warn_total_factor, warn_plan_factor=warn_plan_factor)
    return Recorded(project, True, old, warnings)


def set_plan(session: Session, ctx: Ctx, code: str, year: int, amount: Decimal) -> Project:
    """`invest plan`: the project's annual plan investment for `year` (reuses the registry's)."""
    if not 1990 <= year <= 2100:
        raise InvalidValue(_("{year} 不是合理的计划年度").format(year=year))
    return registry.set_annual_plan(session, ctx, code, year, check_amount(amount, _("年度计划投资")))


def show_investment(session: Session, code: str, as_of: date, year: int | None = None) -> dict[str, Any]:
    """A project's year: the plan, each month's completion with the running total, and the gap to 序时进度.

    For the as-of year the figures run to the as-of date; for an earlier year,
    to its end (a finished year is judged whole).
    """
    project = registry.get_project(session, code)
    year = year or as_of.year
    if year > as_of.year:
        raise InvalidValue(_("{year} 年晚于统计截止日期 {day}").format(year=year, day=as_of.isoformat()))
    judged = as_of if year == as_of.year else month_end(year, 12)
    last = f"{year:04d}-{judged.month:02d}"
    plan = registry.annual_plan(session, project, year)
    on_record = reports_on_record(as_of, f"{year:04d}-01", last, projects=lambda column: column == project.id)
    reports = session.execute(
        select(on_record.c.month, on_record.c.amount, on_record.c.source).order_by(on_record.c.month)
    ).all()
    months, running = [], Decimal(0)
    for month, amount, source in reports:
        running += Decimal(amount)
        months.append({"month": month, "amount": Decimal(amount), "cumulative": running, "source": source})
    gap = completion_gap(plan, running, judged)
    return {
        "code": project.code,
        "name": project.name,
        "year": year,
        "as_of": judged,
        "plan": plan,
        "completed": running,
        "rate": gap["rate"] if gap else None,
        "expected": gap["expected"] if gap else None,
        "behind": gap["behind"] if gap else None,
        "expected_amount": gap["expected_amount"] if gap else None,
        "months": months,
    }


def list_investment(session: Session, as_of: date, filters: registry.ProjectFilter) -> list[dict[str, Any]]:
    """`invest show` without a code: every project's year-to-date completion against its plan.

    Most behind 序时进度 first; projects without a plan for the year last.
    """
    from projects_cli.facts.asof import investment_rows

    rows = investment_rows(session, as_of, filters, every_project=True)
    rows.sort(key=lambda r: (r["behind"] is None, -(r["behind"] or 0), r["code"]))
    return rows
