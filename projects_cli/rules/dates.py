"""Date rules: the time-elapsed share (序时进度), days late, severity tiers, periods.

Pure functions: every one is given the as-of date; none reads the clock.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import repeat
from typing import Any, Iterable, Sequence


@lru_cache(maxsize=256)  # reports judge thousands of projects against the same few dates
def elapsed_share(as_of: date) -> Decimal:
    """序时进度: the share of the year gone by at the end of `as_of`, linear by month.

    The end of October is exactly 10/12; within a month it grows by day
    (15 March = (2 + 15/31) / 12).
    """
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    months = Decimal(as_of.month - 1) + Decimal(as_of.day) / Decimal(days)
    return months / Decimal(12)


TENTH = Decimal("0.1")


def expected_percent(as_of: date) -> Decimal:
    """序时进度 in percent, to one decimal (83.3 at the end of October)."""
    return (elapsed_share(as_of) * 100).quantize(TENTH, ROUND_HALF_UP)


def _elapsed_fraction(as_of: date) -> tuple[int, int]:
    """`elapsed_share` as an exact fraction (numerator, denominator): (months gone × days + day, 12 × days)."""
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    return (as_of.month - 1) * days + as_of.day, 12 * days


class _Tenths(dict):
    """(negative, tenths) → the Decimal with one place that `quantize(TENTH)` gives (-0.0 kept): a report
    on 100,000 projects has a few thousand distinct figures, each made once."""

    def __missing__(self, key: tuple[bool, int]) -> Decimal:
        negative, tenths = key
        value = self[key] = Decimal((1 if negative else 0, tuple(map(int, str(abs(tenths)).zfill(2))), -1))
        return value


_TENTHS = _Tenths()


def _round_half_up(numerator: int, denominator: int) -> tuple[bool, int]:
    """numerator / denominator (denominator > 0) to the nearest whole number, halves away from zero,
    as (negative, value): Decimal's ROUND_HALF_UP, which keeps the sign of a negative that rounds to 0."""
    if numerator >= 0:
        return False, (2 * numerator + denominator) // (2 * denominator)
    return True, -((denominator - 2 * numerator) // (2 * denominator))


def _rate_behind_exact(done: int, plan: int, elapsed: tuple[int, int]) -> tuple[Decimal, Decimal]:
    """(rate, behind) in percent to one place for `done` of `plan` (whole numbers in one unit, plan > 0)
    at the elapsed share `elapsed` (a fraction): exact integer arithmetic, rounded half up once."""
    share, months = elapsed
    rate = _round_half_up(1000 * done, plan)
    behind = _round_half_up(1000 * share * plan - 1000 * done * months, months * plan)
    return _TENTHS[rate], _TENTHS[behind]


def _rate_behind(plan: Decimal, completed: Decimal | None, as_of: date) -> tuple[Decimal, Decimal]:
    plan_n, plan_d = Decimal(plan).as_integer_ratio()
    done_n, done_d = Decimal(completed or 0).as_integer_ratio()
    return _rate_behind_exact(done_n * plan_d, plan_n * done_d, _elapsed_fraction(as_of))


def completion_rates(plans: Iterable[int], completed: Iterable[int], as_of: date) -> list[tuple[Decimal, Decimal]]:
    """(rate, behind) of `completion_gap` for many projects at once: plans (each above 0) and what each
    completed, in whole cents (分). The overdue report and the cards judge 100,000 projects with it."""
    return list(map(_rate_behind_exact, completed, plans, repeat(_elapsed_fraction(as_of))))


def completion_gap(plan: Decimal | None, completed: Decimal | None, as_of: date) -> dict[str, Any] | None:
    """Year-to-date investment against the annual plan and 序时进度, in percentage points.

    None when there is no plan to judge against. `behind` is positive when
    completion lags the elapsed share (42% done vs 83% elapsed → 41 points behind).
    """
    if plan is None or plan <= 0:
        return None
    rate, behind = _rate_behind(plan, completed, as_of)
    plan = Decimal(plan)
    return {
        "plan": plan,
        "completed": Decimal(completed or 0),
        "rate": rate,
        "expected": expected_percent(as_of),
        "behind": behind,
        "expected_amount": (plan * elapsed_share(as_of)).quantize(Decimal("0.01"), ROUND_HALF_UP),
    }


def days_late(planned: date | None, actual: date | None, as_of: date) -> int:
    """Days a milestone is overdue at `as_of`: 0 when done, not yet due, or due today.

    A milestone done after `as_of` was still open at `as_of`, so last week's
    report re-run today gives last week's answer.
    """
    if planned is None or planned >= as_of or (actual is not None and actual <= as_of):
        return 0
    return (as_of - planned).days


def days_left(planned: date, as_of: date) -> int:
    """Countdown: days from as-of to the planned date; negative when overdue."""
    return (planned - as_of).days


def tier(days: int, tiers: Sequence[dict[str, Any]]) -> str | None:
    """The severity tier for `days` late (tiers from the rules file: rising max_days, last open)."""
    if days <= 0:
        return None
    for t in tiers:
        if t.get("max_days") is None or days <= t["max_days"]:
            return t["name"]
    return tiers[-1]["name"]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_of(as_of: date, kind: str = "monthly") -> str:
    """The rating period containing `as_of`: 2024-10 (monthly) or 2024-W43 (ISO week)."""
    if kind == "weekly":
        year, week, _ = as_of.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{as_of.year:04d}-{as_of.month:02d}"


_MONTH_PERIOD = re.compile(r"(\d{4})(?:年|[-./])(\d{1,2})月?(?:份)?")
_WEEK_PERIOD = re.compile(r"(\d{4})(?:年第|年|-?W|-)(\d{1,2})周?", re.IGNORECASE)


def normal_period(text: str) -> str | None:
    """A period as the office types it, in the stored form: 2025年10月, 2025年10月份, 2025.10, 2025/10,
    2025-10 → 2025-10; 2025年第43周, 2025W43, 2025-w43, 2025-W43 → 2025-W43 (full-width digits too).
    None when it is neither a real month nor a real ISO week."""
    typed = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if match := _MONTH_PERIOD.fullmatch(typed):
        year, month = int(match.group(1)), int(match.group(2))
        return f"{year}-{month:02d}" if 1 <= month <= 12 else None
    if ("W" in typed.upper() or "周" in typed) and (match := _WEEK_PERIOD.fullmatch(typed)):
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            return None
        return f"{year}-W{week:02d}"
    return None


def period_end(period: str) -> date:
    """The last day of a period: 2024-10 → 2024-10-31, 2024-W43 → that week's Sunday."""
    if "-W" in period:
        year, week = period.split("-W")
        return date.fromisocalendar(int(year), int(week), 7)
    year, month = period.split("-")
    return month_end(int(year), int(month))


def period_start(period: str) -> date:
    """The first day of a period: 2024-10 → 2024-10-01, 2024-W43 → that week's Monday."""
    if "-W" in period:
        return period_end(period) - timedelta(days=6)
    return date.fromisoformat(f"{period}-01")


def provisional(period: str, as_of: date) -> bool:
    """暂评: the period is rated before its last day (`as_of` earlier than its end)."""
    return as_of < period_end(period)


def previous_period(period: str) -> str:
    if "-W" in period:
        end = period_end(period) - timedelta(days=7)
        return period_of(end, "weekly")
    year, month = (int(p) for p in period.split("-"))
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"
