"""Milestone date rules as tables: days late, the plan in force, states, the countdown's pick, tiers, 序时进度."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects_cli.rules import milestones as rules
from projects_cli.rules.dates import completion_gap, completion_rates, days_late, days_left, elapsed_share, tier

D = date.fromisoformat
TIERS = [{"name": "一般逾期", "max_days": 30}, {"name": "较重逾期", "max_days": 90}, {"name": "严重逾期"}]


@pytest.mark.parametrize(
    ("planned", "actual", "as_of", "late"),
    [
        ("2025-10-31", None, "2025-10-31", 0),  # due today is not late
        ("2025-10-30", None, "2025-10-31", 1),
        ("2025-09-30", None, "2025-10-31", 31),  # month end to month end
        ("2025-01-31", None, "2025-02-28", 28),
        ("2024-02-28", None, "2024-03-01", 2),  # leap year: 29 February counts
        ("2025-02-28", None, "2025-03-01", 1),
        ("2024-02-29", None, "2025-02-28", 365),
        ("2023-12-31", None, "2024-12-31", 366),  # a leap year is 366 days
        ("2025-10-01", "2025-10-20", "2025-10-31", 0),  # done late: no longer overdue
        ("2025-10-01", "2025-09-20", "2025-10-31", 0),  # done early
        ("2025-10-01", "2025-10-31", "2025-10-31", 0),  # done on the as-of date
        ("2025-10-01", "2025-11-03", "2025-10-31", 30),  # done after as-of: still open then
        (None, None, "2025-10-31", 0),
        ("2025-11-01", None, "2025-10-31", 0),
    ],
)
def test_days_late(planned, actual, as_of, late):
    assert days_late(planned and D(planned), actual and D(actual), D(as_of)) == late


@pytest.mark.parametrize(
    ("planned", "as_of", "left"),
    [("2025-11-14", "2025-10-31", 14), ("2025-10-31", "2025-10-31", 0), ("2025-10-01", "2025-10-31", -30),
     ("2024-03-01", "2024-02-28", 2), ("2025-03-01", "2025-02-28", 1)],
)
def test_days_left(planned, as_of, left):
    assert days_left(D(planned), D(as_of)) == left


PLANS = [("2025-03-01", "2025-06-30"), ("2025-06-01", "2025-09-30"), ("2025-10-29", "2025-12-31")]


@pytest.mark.parametrize(
    ("plans", "at", "held"),
    [
        (PLANS[:1], "2025-01-01", None),  # before the baseline was set the milestone was not planned
        (PLANS[:1], "2026-01-01", "2025-06-30"),
        (PLANS, "2025-05-31", "2025-06-30"),
        (PLANS, "2025-06-01", "2025-09-30"),  # a re-plan holds from the day it was set
        (PLANS, "2025-10-28", "2025-09-30"),
        (PLANS, "2025-10-29", "2025-12-31"),
        (PLANS, "2025-02-01", None),  # not on record yet: a milestone added later is not in earlier reports
        ([], "2025-10-31", None),
    ],
)
def test_plan_in_force(plans, at, held):
    given = [(D(on), D(planned)) for on, planned in plans]
    assert rules.plan_in_force(given, D(at)) == (held and D(held))


@pytest.mark.parametrize(
    ("planned", "actual", "as_of", "horizon", "state"),
    [
        ("2025-10-01", "2025-09-28", "2025-10-31", 14, "done_early"),
        ("2025-10-01", "2025-10-01", "2025-10-31", 14, "done_on_time"),
        ("2025-10-01", "2025-10-15", "2025-10-31", 14, "done_late"),
        (None, "2025-10-15", "2025-10-31", 14, "done_on_time"),  # done without a plan
        ("2025-10-01", "2025-11-02", "2025-10-31", 14, "overdue"),  # done after as-of
        ("2025-10-30", None, "2025-10-31", 14, "overdue"),
        ("2025-10-31", None, "2025-10-31", 14, "due_soon"),
        ("2025-11-14", None, "2025-10-31", 14, "due_soon"),
        ("2025-11-15", None, "2025-10-31", 14, "open"),
        ("2025-11-01", None, "2025-10-31", 0, "open"),
        (None, None, "2025-10-31", 14, "unplanned"),
    ],
)
def test_state(planned, actual, as_of, horizon, state):
    assert rules.state(planned and D(planned), actual and D(actual), D(as_of), horizon) == state


@pytest.mark.parametrize(
    ("planned", "actual", "delay"),
    [("2025-10-01", "2025-10-15", 14), ("2025-10-01", "2025-09-28", -3), ("2025-10-01", None, None), (None, "2025-10-01", None),
     ("2024-02-28", "2024-03-01", 2)],
)
def test_finish_delay(planned, actual, delay):
    assert rules.finish_delay(planned and D(planned), actual and D(actual)) == delay


def Op(kind, seq, planned):
    return rules.Open(kind, seq, D(planned))


@pytest.mark.parametrize(
    ("open_", "picked"),
    [
        ([Op("立项", 1, "2025-09-01"), Op("开工", 5, "2026-01-01")], "开工"),  # not started: the start is the headline
        ([Op("主体完工", 6, "2026-01-01"), Op("竣工", 7, "2025-12-01")], "竣工"),  # soonest first
        ([Op("竣工", 7, "2025-12-01"), Op("主体完工", 6, "2025-12-01")], "主体完工"),  # tie: earlier step
        ([], None),
    ],
)
def test_countdown_pick(open_, picked):
    result = rules.countdown_pick(open_)
    assert (result.kind if result else None) == picked


@pytest.mark.parametrize(
    ("days", "name"),
    [(0, None), (1, "一般逾期"), (30, "一般逾期"), (31, "较重逾期"), (90, "较重逾期"), (91, "严重逾期"), (4000, "严重逾期")],
)
def test_tier_boundaries(days, name):
    assert tier(days, TIERS) == name


@pytest.mark.parametrize(
    ("as_of", "share"),
    [("2025-10-31", Decimal(10) / 12), ("2025-12-31", Decimal(1)), ("2025-01-31", Decimal(1) / 12),
     ("2024-02-29", Decimal(2) / 12), ("2025-02-28", Decimal(2) / 12),  # month ends, leap or not
     ("2024-02-15", (1 + Decimal(15) / 29) / 12)],
)
def test_elapsed_share_by_month(as_of, share):
    assert elapsed_share(D(as_of)) == share


def test_completion_gap():
    gap = completion_gap(Decimal(12000), Decimal(9000), D("2025-10-31"))
    assert (gap["rate"], gap["expected"], gap["behind"]) == (Decimal("75.0"), Decimal("83.3"), Decimal("8.3"))
    assert completion_gap(None, Decimal(5), D("2025-10-31")) is None


def _decimal_rate_behind(plan: Decimal, done: Decimal, as_of: date) -> tuple[str, str]:
    """The rule in plain Decimal arithmetic (28 digits), as it was first written: the reference."""
    from decimal import ROUND_HALF_UP

    rate = done / plan * 100
    tenth = Decimal("0.1")
    return str(rate.quantize(tenth, ROUND_HALF_UP)), str((elapsed_share(as_of) * 100 - rate).quantize(tenth, ROUND_HALF_UP))


@pytest.mark.parametrize(
    ("plan", "done", "as_of", "rate", "behind"),
    [
        ("12", "10", "2025-10-31", "83.3", "0.0"),  # exactly on time
        ("100", "83.34", "2025-10-31", "83.3", "-0.0"),  # a hair ahead: the sign is kept, as Decimal keeps it
        ("100", "83.25", "2025-10-31", "83.3", "0.1"),  # 83.25 rounds half up; 0.0833… behind rounds to 0.1
        ("3", "0", "2025-03-15", "0.0", "20.7"),  # nothing done by 15 March: (2 + 15/31) / 12 = 20.698… %
        ("0.01", "99999999.99", "2025-12-31", "999999999900.0", "-999999999800.0"),
    ],
)
def test_completion_rates_exact(plan, done, as_of, rate, behind):
    expected = _decimal_rate_behind(Decimal(plan), Decimal(done), D(as_of))
    got = completion_rates([round(Decimal(plan) * 100)], [round(Decimal(done) * 100)], D(as_of))[0]
    gap = completion_gap(Decimal(plan), Decimal(done), D(as_of))
    assert (str(got[0]), str(got[1])) == (str(gap["rate"]), str(gap["behind"])) == expected == (rate, behind)


@given(
    plan=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2),
    done=st.decimals(min_value=Decimal(0), max_value=Decimal("99999999.99"), places=2),
    as_of=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
)
@settings(max_examples=500, deadline=None)
def test_completion_rates_match_decimal_arithmetic(plan, done, as_of):
    # whole cents in exact integer arithmetic give what 28-digit Decimal arithmetic gives, -0.0 included
    got = completion_rates([round(plan * 100)], [round(done * 100)], as_of)[0]
    assert (str(got[0]), str(got[1])) == _decimal_rate_behind(plan, done, as_of)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([], "must be a non-empty list"),
        ("开工", "must be a non-empty list"),
        (["开工", 3], "3 is not a milestone name"),
        (["开工", "开工"], "'开工' is listed twice"),
        (["开工", " "], "' ' is not a milestone name"),
    ],
)
def test_check_kinds_errors(value, message):
    with pytest.raises(ValueError, match=message):
        rules.check_kinds(value)


def test_check_kinds_keeps_order():
    assert rules.check_kinds([" 立项", "开工", "竣工 "]) == ("立项", "开工", "竣工")
