"""Monthly investment and the annual plan: derived year-to-date figures, idempotent writes, clear errors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from projects_cli.errors import InvalidValue, NotFound
from projects_cli.services import investment, registry
from projects_cli.store.models import ChangeLog, InvestmentReport

D = date.fromisoformat


def log_count(session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeLog))


@pytest.fixture
def project(session, ctx):
    return registry.add_project(session, ctx, {"name": "甲项目", "unit": "经济发展局"}, create_units=True)


def test_record_replace_and_show(session, ctx, project):
    investment.set_plan(session, ctx, "GX-0001", 2025, Decimal(12000))
    for month in range(1, 10):
        investment.record_month(session, ctx, "GX-0001", f"2025-{month:02d}", Decimal(1000))
    investment.record_month(session, ctx, "GX-0001", "2024-12", Decimal(7000))  # last year: not in 2025's total
    changed = investment.record_month(session, ctx, "GX-0001", "2025.9", Decimal(1500)).changed
    assert changed is True
    data = investment.show_investment(session, "GX-0001", ctx.as_of)
    assert (data["plan"], data["completed"], data["rate"], data["expected"], data["behind"]) == (
        Decimal(12000), Decimal(9500), Decimal("79.2"), Decimal("83.3"), Decimal("4.2"))
    assert [(m["month"], m["amount"], m["cumulative"]) for m in data["months"]][-2:] == [
        ("2025-08", Decimal(1000), Decimal(8000)), ("2025-09", Decimal(1500), Decimal(9500))]
    last_year = investment.show_investment(session, "GX-0001", ctx.as_of, 2024)
    assert (last_year["plan"], last_year["completed"], last_year["rate"], last_year["as_of"]) == (
        None, Decimal(7000), None, D("2024-12-31"))
    entry = session.scalars(select(ChangeLog).where(ChangeLog.table_name == "investment_report")
                            .order_by(ChangeLog.id.desc())).first()
    assert (entry.action, entry.record_key, json.loads(entry.old), json.loads(entry.new)) == (
        "update", "GX-0001:2025-09", {"amount": "1000"}, {"amount": "1500"})


def test_same_amount_again_logs_nothing(session, ctx, project):
    investment.record_month(session, ctx, "GX-0001", "2025-10", Decimal("1200.5"))
    before = log_count(session)
    changed = investment.record_month(session, ctx, "GX-0001", "2025-10", Decimal("1200.50")).changed
    assert changed is False and log_count(session) == before


def test_year_to_date_becomes_the_months_figure(session, ctx, project):
    investment.set_month(session, ctx, project, "2025-08", Decimal(3000))
    investment.set_month(session, ctx, project, "2025-09", Decimal(2000))
    assert investment.set_year_to_date(session, ctx, project, "2025-10", Decimal(6200)) is True
    amount = session.scalar(select(InvestmentReport.amount).where(InvestmentReport.month == "2025-10"))
    assert Decimal(amount) == Decimal(1200)
    assert investment.set_year_to_date(session, ctx, project, "2025-10", Decimal(6200)) is False
    with pytest.raises(InvalidValue, match="GX-0001：截至 2025-10 的本年累计完成投资 4000 万元，少于此前各月已填报的 5000 万元"):
        investment.set_year_to_date(session, ctx, project, "2025-10", Decimal(4000))


def test_list_most_behind_first(session, ctx, project):
    registry.add_project(session, ctx, {"name": "乙项目", "annual_plan": "1000"})
    registry.add_project(session, ctx, {"name": "丙项目"})
    investment.set_plan(session, ctx, "GX-0001", 2025, Decimal(1000))
    investment.record_month(session, ctx, "GX-0001", "2025-10", Decimal(900))
    rows = investment.list_investment(session, ctx.as_of, registry.ProjectFilter())
    assert [(r["code"], r["completed"], r["rate"], r["behind"]) for r in rows] == [
        ("GX-0002", None, Decimal("0.0"), Decimal("83.3")),
        ("GX-0001", Decimal(900), Decimal("90.0"), Decimal("-6.7")),
        ("GX-0003", None, None, None),
    ]
    only = investment.list_investment(session, ctx.as_of, registry.ProjectFilter(unit="经济发展局"))
    assert [r["code"] for r in only] == ["GX-0001"]


ERRORS = (
        (lambda s, c: investment.record_month(s, c, "GX-0001", "2025-10", Decimal(-5)), InvalidValue,
         "完成投资不能为负数：-5"),
        (lambda s, c: investment.record_month(s, c, "GX-0001", "2025-11", Decimal(5)), InvalidValue,
         "月份 2025-11 晚于统计截止日期 2025-10-31；完成投资只能填报已经开始的月份"),
        (lambda s, c: investment.record_month(s, c, "GX-0001", "2025-13", Decimal(5)), InvalidValue,
         "'2025-13' 不是月份；请写成 YYYY-MM，例如 2024-10"),
        (lambda s, c: investment.record_month(s, c, "GX-0404", "2025-10", Decimal(5)), NotFound,
         "没有编号为 'GX-0404' 的项目"),
        (lambda s, c: investment.set_plan(s, c, "GX-0001", 2025, Decimal(-1)), InvalidValue,
         "年度计划投资不能为负数：-1"),
        (lambda s, c: investment.set_plan(s, c, "GX-0001", 25, Decimal(1)), InvalidValue,
         "25 不是合理的计划年度"),
        (lambda s, c: investment.show_investment(s, "GX-0001", c.as_of, 2026), InvalidValue,
         "2026 年晚于统计截止日期 2025-10-31"),
)


def test_errors_change_nothing(session, ctx, project):
    before = log_count(session)
    for call, error, message in ERRORS:
        with pytest.raises(error) as info:
            call(session, ctx)
        assert message in str(info.value)
        assert log_count(session) == before, message


def test_month_of_the_as_of_date_is_accepted(session, ctx, project):
    early = replace(ctx, as_of=D("2025-10-01"))
    changed = investment.record_month(session, early, "GX-0001", "2025-10", Decimal(10)).changed
    assert changed
