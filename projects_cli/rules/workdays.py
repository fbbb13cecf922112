"""Working days (工作日) on the PRC calendar: statutory holidays off, 调休 make-up days on.

Pure functions over a `WorkCalendar`, the calendar's data: the days off that
fall on a weekday, the working days that fall on a weekend, and the years
whose holidays are fully known. `prc_calendar` builds one from the maintained
`chinesecalendar` package (which knows each year once the State Council has
published it) plus local additions the caller passes in (the office's config
file, see `projects_cli.config.calendar`). A date in a year that neither knows raises
`UnknownYear` rather than guessing: a guessed deadline is a wrong deadline.

N working days from a day end on the Nth working day *after* it (the day of
assignment itself does not count): 5 working days from Tuesday 30 September
2025 end on Tuesday 14 October (1–8 October are off, Saturday 11 October is a
调休 working day).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from projects_cli.errors import ProjectsError
from projects_cli.i18n import _


class UnknownYear(ProjectsError):
    """A date in a year whose holidays the calendar does not know."""


@dataclass(frozen=True)
class WorkCalendar:
    """The data behind working-day arithmetic.

    `off`: weekdays that are not working days (statutory holidays), sorted.
    `on`: Saturdays and Sundays that are working days (调休), sorted.
    `years`: the years whose holidays are fully known.
    `coverage`: how the known years came about, for error messages.
    `source`: where the base data comes from (e.g. "chinesecalendar 1.11.0").
    """

    off: tuple[date, ...]
    on: tuple[date, ...]
    years: frozenset[int]
    coverage: str = ""
    source: str = ""

    def check(self, day: date) -> None:
        if day.year not in self.years:
            raise UnknownYear(
                _("{day} 所在的{year}年节假日尚不知道（{known}）：国务院办公厅发布{year}年节假日安排后运行 "
                  "projects calendar import 通知.txt，或在配置文件 [calendar] 中列出（holidays = [...], workdays = [...], "
                  "known_years = [{year}]），或升级 chinesecalendar").format(
                    day=day.isoformat(), year=day.year, known=self.coverage or _('没有已知年份'))
            )


def year_ranges(years: Iterable[int]) -> str:
    """2004–2026, 2028 — the years as short ranges."""
    out: list[str] = []
    ordered = sorted(set(years))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        out.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(out)


def build_calendar(
    holidays: Iterable[date],
    workdays: Iterable[date],
    years: Iterable[int],
    *,
    local_holidays: Iterable[date] = (),
    local_workdays: Iterable[date] = (),
    local_years: Iterable[int] = (),
    source: str = "",
) -> WorkCalendar:
    """A calendar from base data plus local additions; a local entry wins over the base for its day."""
    local_off, local_on = set(local_holidays), set(local_workdays)
    both = local_off & local_on
    if both:
        raise ProjectsError(
            _("{days} 同时列在 holidays 和 workdays 中").format(days=', '.join(sorted(d.isoformat() for d in both)))
        )
    off = (set(holidays) - local_on) | local_off
    on = (set(workdays) - local_off) | local_on
    base_years, extra = set(years), set(local_years) - set(years)
    parts = []
    if base_years:
        parts.append(_("{source} 收录 {years} 年").format(source=source or _("节假日数据"), years=year_ranges(base_years)))
    if extra:
        parts.append(_("配置文件补充 {years} 年").format(years=year_ranges(extra)))
    return WorkCalendar(
        off=tuple(sorted(d for d in off if d.weekday() < 5)),
        on=tuple(sorted(d for d in on if d.weekday() >= 5)),
        years=frozenset(base_years | extra),
        coverage=_("；").join(parts),
        source=source,
    )


def prc_calendar(
    local_holidays: Iterable[date] = (), local_workdays: Iterable[date] = (), local_years: Iterable[int] = ()
) -> WorkCalendar:
    """The PRC calendar as the `chinesecalendar` package knows it, plus local additions."""
    import chinese_calendar
    from chinese_calendar import constants

    known = {d.year for d in constants.holidays}
    years = range(min(known), max(known) + 1) if known else ()
    version = getattr(chinese_calendar, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as dist_version

            version = dist_version("chinesecalendar")
        except Exception:  # pragma: no cover - installed without metadata
            version = ""
    return build_calendar(
        constants.holidays,
        constants.workdays,
        years,
        local_holidays=local_holidays,
        local_workdays=local_workdays,
        local_years=local_years,
        source=f"chinesecalendar {version}".strip(),
    )


def _contains(days: tuple[date, ...], day: date) -> bool:
    i = bisect_right(days, day)
    return i > 0 and days[i - 1] == day


def is_workday(day: date, cal: WorkCalendar) -> bool:
    """A working day: Monday–Friday unless a holiday, or a 调休 weekend day."""
    cal.check(day)
    if day.weekday() < 5:
        return not _contains(cal.off, day)
    return _contains(cal.on, day)


def add_workdays(start: date, n: int, cal: WorkCalendar) -> date:
    """The Nth working day after `start` (`start` itself does not count); `start` when n is 0."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_workday(day, cal):
            n -= 1
    return day


def _weekdays_through(day: date) -> int:
    """Mondays–Fridays from 0001-01-01 (a Monday) up to and including `day`."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)


def workdays_between(start: date, end: date, cal: WorkCalendar) -> int:
    """Working days after `start` up to and including `end` (0 when end ≤ start).

    A deadline on Friday seen on the next Monday is 1 working day late.
    Every year from the day after `start` to `end` must be known.
    """
    if end <= start:
        return 0
    first = start + timedelta(days=1)
    cal.check(end)
    cal.check(first)
    for year in range(first.year + 1, end.year):
        cal.check(date(year, 1, 1))
    weekdays = _weekdays_through(end) - _weekdays_through(start)
    off = bisect_right(cal.off, end) - bisect_right(cal.off, start)
    on = bisect_right(cal.on, end) - bisect_right(cal.on, start)
    return weekdays - off + on
