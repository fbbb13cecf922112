"""The State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知), read as published.

Each year the General Office publishes the next year's holidays in one short
notice; the working-day calendar needs them before the `chinesecalendar`
package has them. `read_notice` reads the notice's text line by line:

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。…

Every line that names a day (…月…日) must be understood — a numbered holiday
line (its days off, their count 共N天, the 调休 days worked 上班), or the
notice's own date (2025年11月4日) — and every weekday the notice prints beside a
date (周四) must be that date's weekday, so a notice for another year, a typo
or a layout this reader does not know is refused with the line it could not
read, never half-read. Lines without a day (the title, 各省、自治区…, the closing
paragraph, 国务院办公厅) are passed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from projects_cli.errors import InvalidValue
from projects_cli.i18n import _

WEEKDAYS = "一二三四五六日"
_NUMERAL = "一二三四五六七八九十"
_HOLIDAY_LINE = re.compile(rf"^[{_NUMERAL}]+、\s*([^：:]+?)\s*[：:]\s*(.+)$")
_DAY = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:[（(]([^）)]*)[）)])?")
_SIGNED = re.compile(r"^\s*\d{4}年\d{1,2}月\d{1,2}日\s*$")
_YEAR = re.compile(r"(\d{4})年(?:部分)?(?:节假日|元旦)")
_COUNT = re.compile(r"共\s*(\d+)\s*天")


@dataclass
class Holiday:
    """One holiday of the notice: its name, its days off (weekends included) and the 调休 days worked."""

    name: str
    off: list[date]
    worked: list[date] = field(default_factory=list)


@dataclass
class Notice:
    year: int
    holidays: list[Holiday]

    @property
    def weekdays_off(self) -> list[date]:
        """The Monday–Friday days off (the calendar's `holidays`: weekends are off anyway)."""
        return sorted({d for h in self.holidays for d in h.off if d.weekday() < 5})

    @property
    def weekend_workdays(self) -> list[date]:
        """The Saturdays and Sundays worked (the calendar's `workdays`)."""
        return sorted({d for h in self.holidays for d in h.worked})


def _refuse(number: int, line: str, why: str) -> InvalidValue:
    return InvalidValue(_("第{number}行读不懂（{why}）：{line}；未写入任何日期").format(number=number, why=why,
                                                                                line=line.strip()))


def _days(text: str, year: int, number: int, line: str) -> list[date]:
    """The dates named in `text`, in order; a month or year left out is the one before (至3日 → same month)."""
    out: list[date] = []
    month = None
    for m in _DAY.finditer(text):
        y = int(m.group(1)) if m.group(1) else (out[-1].year if out else year)
        month = int(m.group(2)) if m.group(2) else month
        if month is None:
            raise _refuse(number, line, _("“{text}”没有月份").format(text=m.group(0)))
        try:
            day = date(y, month, int(m.group(3)))
        except ValueError:
            raise _refuse(number, line, _("{year}年{month}月{day}日不存在").format(year=y, month=month, day=m.group(3))) from None
        weekday = re.search(rf"(?:周|星期)([{WEEKDAYS}天])", m.group(4) or "")
        if weekday:
            named = WEEKDAYS.index(weekday.group(1).replace("天", "日"))
            if named != day.weekday():
                raise _refuse(number, line, _("{month}月{day}日标为周{named}，但{year}年{month}月{day}日是周{actual}——通知的年份对吗"
                                              ).format(month=day.month, day=day.day, named=weekday.group(1), year=day.year,
                                                       actual=WEEKDAYS[day.weekday()]))
        out.append(day)
    return out


def _holiday(name: str, body: str, year: int, number: int, line: str) -> Holiday:
    holiday = Holiday(name, [])
    for sentence in (s.strip() for s in re.split(r"[。；;]", body)):
        if not sentence:
            continue
        if "放假" in sentence:
            at = sentence.index("放假")
            before, after = sentence[:at], sentence[at:]
            days = _days(before, year, number, line)
            if _DAY.search(after):  # a day after 放假 in the same sentence: a form this reader does not know
                days = []
            if "至" in before and len(days) == 2 and days[0] <= days[1]:
                span = [days[0] + timedelta(n) for n in range((days[1] - days[0]).days + 1)]
            elif "至" not in before and len(days) == 1:
                span = days
            else:
                raise _refuse(number, line, _("“{sentence}”不是“某日至某日放假”或“某日放假”").format(sentence=sentence))
            count = _COUNT.search(sentence) or re.search(r"放假\s*(\d+)\s*天", sentence)
            if count and int(count.group(1)) != len(span):
                raise _refuse(number, line, _("写明共{said}天，日期却是{days}天").format(said=count.group(1), days=len(span)))
            holiday.off.extend(span)
        elif sentence.endswith("上班"):
            days = _days(sentence, year, number, line)
            if not days:
                raise _refuse(number, line, _("“{sentence}”没有日期").format(sentence=sentence))
            weekdays = [d for d in days if d.weekday() < 5]
            if weekdays:
                raise _refuse(number, line, _("{month}月{day}日本是工作日，不是调休上班").format(
                    month=weekdays[0].month, day=weekdays[0].day))
            holiday.worked.extend(days)
        elif _DAY.search(sentence):
            raise _refuse(number, line, f"“{sentence}”")
    if not holiday.off:
        raise _refuse(number, line, _("没有放假日期"))
    return holiday


def read_notice(text: str, year: int | None = None) -> Notice:
    """The notice's holidays; `year`: the year it is for, if its title does not say (refused when they differ)."""
    said = {int(y) for y in _YEAR.findall(text)}
    if year is None:
        if len(said) != 1:
            raise InvalidValue(_("通知中找不到它所安排的年份（如“2027年部分节假日安排”）；请用 --year 指明"))
        year = said.pop()
    elif said and said != {year}:
        raise InvalidValue(_("通知安排的是{years}年，不是 --year {year}").format(
            years='、'.join(str(y) for y in sorted(said)), year=year))
    holidays = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().lstrip("\ufeff")
        m = _HOLIDAY_LINE.match(stripped)
        if m and _DAY.search(m.group(2)):
            holidays.append(_holiday(m.group(1), m.group(2), year, number, line))
        elif _DAY.search(stripped) and not _SIGNED.match(stripped):
            raise _refuse(number, line, _("提到日期，却不是“一、节日：…放假…”这样的安排"))
    if not holidays:
        raise InvalidValue(_("通知中没有“一、元旦：1月1日放假…”这样的节日安排行；未写入任何日期"))
    days = [d for h in holidays for d in h.off + h.worked]
    if any(d.year not in (year, year - 1, year + 1) for d in days):
        raise InvalidValue(_("通知中的日期不在{year}年前后").format(year=year))
    return Notice(year, holidays)
