"""Investment (投资): the monthly completed amount, the annual plan, and what follows from them.

Only the month's completed amount (当月完成投资) and the year's plan (年度计划投资)
are typed; the year-to-date total, the completion rate and the gap to the
time-elapsed share (序时进度) are always derived (`rules.dates.completion_gap`),
never typed twice. Amounts are Decimal 万元.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from projects_cli.errors import InvalidValue
from projects_cli.listings.output import format_decimal
from projects_cli.rules.dates import completion_gap, month_end
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import InvestmentPlan, InvestmentReport, Project
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
            f"month {month} is after the as-of date {as_of.isoformat()}; completed investment (完成投资) is "
            "recorded for a month that has begun"
        )
    return month


def check_amount(amount: Decimal | None, what: str = "amount (完成投资)") -> Decimal:
    if amount is None:
        raise InvalidValue(f"{what} is needed, in 万元, e.g. 1200 or 1.2亿元")
    if amount < 0:
        raise InvalidValue(f"{what} cannot be negative: {format_decimal(amount)}")
    return amount


def set_month(
    session: Session, ctx: Ctx, project: Project, month: str, amount: Decimal, source: str | None = None
) -> bool:
    """The investment completed in one month (万元); returns True when something changed.

    `month` is YYYY-MM. Recording the same amount again changes and logs nothing;
    a different amount replaces the month's figure (logged with the old one).
    """
    month = check_month(month, ctx.as_of)
    amount = check_amount(amount)
    report = session.scalars(
        select(InvestmentReport).where(InvestmentReport.project_id == project.id, InvestmentReport.month == month)
    ).first()
    key = f"{project.code}:{month}"
    if report is None:
        report = InvestmentReport(project_id=project.id, month=month, amount=amount, source=source)
        session.add(report)
        session.flush()
        changelog.log_insert(session, ctx, TABLE, report.id, {"month": month, "amount": amount, "source": source},
                         key=key, project_code=project.code)
    elif Decimal(report.amount) == amount:
        return False
    else:
        old = {"amount": Decimal(report.amount), "source": report.source}
        report.amount = amount
        report.source = source
        session.flush()
        changelog.log_update(session, ctx, TABLE, report.id, old, {"amount": amount, "source": source},
                         key=key, project_code=project.code)
    project.version += 1
    project.updated_at = ctx.now
    return True


def set_year_to_date(
    session: Session, ctx: Ctx, project: Project, month: str, completed_ytd: Decimal, source: str | None = None
) -> bool:
    """Record a ledger's year-to-date total (本年累计完成投资) as of `month`: the month's figure is
    the total less the year's earlier months on file. Returns True when something changed.

    A total smaller than the earlier months already on file is an error naming both.
    """
    month = check_month(month, ctx.as_of)
    completed_ytd = check_amount(completed_ytd, "year-to-date completed investment (本年累计完成投资)")
    earlier = session.scalar(
        select(func.coalesce(func.sum(InvestmentReport.amount), 0)).where(
            InvestmentReport.project_id == project.id,
            InvestmentReport.month >= f"{month[:4]}-01",
            InvestmentReport.month < month,
        )
    )
    earlier = Decimal(earlier or 0)
    if completed_ytd < earlier:
        raise InvalidValue(
            f"{project.code}: year-to-date completed investment {format_decimal(completed_ytd)} 万元 to {month} is "
            f"less than the {format_decimal(earlier)} 万元 already on file for the months before it"
        )
    return set_month(session, ctx, project, month, completed_ytd - earlier, source)


def record_month(
    session: Session, ctx: Ctx, code: str, month: str, amount: Decimal, source: str | None = None
) -> tuple[Project, bool]:
    """`invest record`: the project's investment completed in `month`."""
    project = registry.get_project(session, code)
    return project, set_month(session, ctx, project, month, amount, source)


def set_plan(session: Session, ctx: Ctx, code: str, year: int, amount: Decimal) -> Project:
    """`invest plan`: the project's annual plan investment for `year` (reuses the registry's)."""
    if not 1990 <= year <= 2100:
        raise InvalidValue(f"year {year} is not a plausible plan year")
    return registry.set_annual_plan(session, ctx, code, year, check_amount(amount, "annual plan investment (年度计划投资)"))


def show_investment(session: Session, code: str, as_of: date, year: int | None = None) -> dict[str, Any]:
    """A project's year: the plan, each month's completion with the running total, and the gap to 序时进度.

    For the as-of year the figures run to the as-of date; for an earlier year,
    to its end (a finished year is judged whole).
    """
    project = registry.get_project(session, code)
    year = year or as_of.year
    if year > as_of.year:
        raise InvalidValue(f"year {year} is after the as-of date {as_of.isoformat()}")
    judged = as_of if year == as_of.year else month_end(year, 12)
    last = f"{year:04d}-{judged.month:02d}"
    plan = session.scalar(
        select(InvestmentPlan.amount).where(InvestmentPlan.project_id == project.id, InvestmentPlan.year == year)
    )
    reports = session.execute(
        select(InvestmentReport.month, InvestmentReport.amount, InvestmentReport.source)
        .where(InvestmentReport.project_id == project.id, InvestmentReport.month >= f"{year:04d}-01",
               InvestmentReport.month <= last)
        .order_by(InvestmentReport.month)
    ).all()
    months, running = [], Decimal(0)
    for month, amount, source in reports:
        running += Decimal(amount)
        months.append({"month": month, "amount": Decimal(amount), "cumulative": running, "source": source})
    gap = completion_gap(Decimal(plan) if plan is not None else None, running, judged)
    return {
        "code": project.code,
        "name": project.name,
        "year": year,
        "as_of": judged,
        "plan": Decimal(plan) if plan is not None else None,
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
