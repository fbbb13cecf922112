"""Working days on the PRC calendar and escalation by rule: pure table tests."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from projects_cli.rules.escalation import EscalationRules, escalation
from projects_cli.rules.workdays import (
    UnknownYear,
    add_workdays,
    build_calendar,
    is_workday,
    prc_calendar,
    workdays_between,
    year_ranges,
)

PRC = prc_calendar()
D = date.fromisoformat


@pytest.mark.parametrize(
    "start, n, expected, why",
    [
        ("2025-10-31", 0, "2025-10-31", "0 working days: the same day"),
        ("2025-10-30", 1, "2025-10-31", "plain Thursday → Friday"),
        ("2025-10-31", 1, "2025-11-03", "Friday → Monday"),
        ("2025-01-24", 3, "2025-02-05", "Spring Festival 2025: Sun 26 Jan worked, 28 Jan–4 Feb off"),
        ("2025-01-27", 1, "2025-02-05", "the day before the Spring Festival break"),
        ("2025-02-07", 1, "2025-02-08", "Saturday 8 Feb 2025 is a 调休 working day"),
        ("2025-09-26", 1, "2025-09-28", "Sunday 28 Sep 2025 is a 调休 working day"),
        ("2025-09-26", 3, "2025-09-30", "28, 29, 30 September"),
        ("2025-09-30", 1, "2025-10-09", "National Day 2025: 1–8 October off"),
        ("2025-09-30", 5, "2025-10-14", "9, 10, Sat 11 (调休), 13, 14 October"),
        ("2025-10-10", 1, "2025-10-11", "Saturday 11 Oct 2025 is a 调休 working day"),
        ("2025-10-10", 15, "2025-10-30", "复杂: 15 working days"),
        ("2026-02-13", 1, "2026-02-14", "Saturday 14 Feb 2026 is a 调休 working day"),
        ("2026-02-13", 3, "2026-02-25", "Spring Festival 2026: 15–23 February off"),
        ("2026-02-27", 1, "2026-02-28", "Saturday 28 Feb 2026 is a 调休 working day"),
        ("2026-09-24", 1, "2026-09-28", "Mid-Autumn 2026: Friday 25 September off"),
        ("2026-09-30", 1, "2026-10-08", "National Day 2026: 1–7 October off"),
        ("2026-09-30", 3, "2026-10-10", "8, 9, Sat 10 October (调休)"),
        ("2024-12-31", 1, "2025-01-02", "New Year 2025: 1 January off"),
        ("2025-12-31", 1, "2026-01-04", "New Year 2026: 1–3 January off, Sunday 4 January worked"),
    ],
)
def test_add_workdays(start, n, expected, why):
    assert add_workdays(D(start), n, PRC) == D(expected), why


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2025-10-14", "2025-10-14", 0),
        ("2025-10-14", "2025-10-13", 0),
        ("2025-10-14", "2025-10-15", 1),
        ("2025-10-14", "2025-10-20", 4),
        ("2025-10-17", "2025-10-18", 0),  # the Saturday after a Friday deadline
        ("2025-10-17", "2025-10-19", 0),
        ("2025-10-17", "2025-10-20", 1),
        ("2025-10-10", "2025-10-13", 2),  # Saturday 11 October worked
        ("2025-09-30", "2025-10-08", 0),
        ("2025-09-30", "2025-10-09", 1),
        ("2026-02-13", "2026-02-28", 6),
        ("2025-12-31", "2026-01-05", 2),
        ("2025-01-01", "2025-12-31", 248),  # 261 weekdays − 18 holidays + 5 调休 days
        ("2026-01-01", "2026-12-31", 248),  # 261 weekdays − 19 holidays + 6 调休 days
    ],
)
def test_workdays_between(start, end, expected):
    assert workdays_between(D(start), D(end), PRC) == expected


def test_counting_and_adding_agree_on_every_day_of_2025_and_2026():
    day = date(2025, 1, 1)
    while day < date(2026, 12, 1):
        for n in (1, 3, 5, 15):
            end = add_workdays(day, n, PRC)
            assert workdays_between(day, end, PRC) == n, (day, n)
            assert is_workday(end, PRC)
            assert workdays_between(day, end - timedelta(days=1), PRC) == n - 1
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "day, working",
    [
        ("2025-09-28", True),  # Sunday, 调休
        ("2025-10-11", True),  # Saturday, 调休
        ("2026-02-14", True),  # Saturday, 调休
        ("2026-02-28", True),
        ("2025-10-08", False),  # Wednesday, National Day
        ("2026-02-16", False),
        ("2025-10-18", False),  # a plain Saturday
        ("2025-10-20", True),
    ],
)
def test_is_workday(day, working):
    assert is_workday(D(day), PRC) is working


TEST_CAL = build_calendar([D("2025-10-01")], [D("2025-09-28")], [2025], source="test data")
UNKNOWN_2026 = (
    "2026-01-01 所在的2026年节假日尚不知道（test data 收录 2025 年）：国务院办公厅发布2026年节假日安排后运行 proje"
    "cts calendar import 通知.txt，或在配置文件 [calendar] 中列出（holidays = [...], workdays = [...], known_year"
    "s = [2026]），或升级 chinesecalendar"
)


def test_a_year_nobody_knows_is_an_error_not_a_guess():
    with pytest.raises(UnknownYear) as exc:
        add_workdays(D("2025-12-31"), 1, TEST_CAL)
    assert str(exc.value) == UNKNOWN_2026
    with pytest.raises(UnknownYear) as exc:
        workdays_between(D("2025-12-30"), D("2026-03-02"), TEST_CAL)
    assert str(exc.value).startswith("2026-03-02 所在的2026年节假日尚不知道")
    with pytest.raises(UnknownYear) as exc:
        add_workdays(D("2026-12-31"), 1, PRC)
    assert str(exc.value).startswith("2027-01-01 所在的2027年节假日尚不知道（chinesecalendar ")
    assert "收录 2004–2026 年" in str(exc.value)


def test_local_additions_for_a_new_year():
    # listed but not declared known: still refused
    partial = prc_calendar([D("2027-01-01")], [], [])
    with pytest.raises(UnknownYear):
        add_workdays(D("2026-12-31"), 1, partial)
    known = prc_calendar([D("2027-01-01")], [], [2027])
    assert add_workdays(D("2026-12-31"), 1, known) == D("2027-01-04")
    worked_saturday = prc_calendar([D("2027-01-01")], [D("2027-01-02")], [2027])
    assert add_workdays(D("2026-12-31"), 1, worked_saturday) == D("2027-01-02")
    assert "配置文件补充 2027 年" in known.coverage


def test_local_additions_correct_a_known_year():
    local = prc_calendar([D("2025-11-03")], [D("2025-10-04")], [])
    assert add_workdays(D("2025-10-31"), 1, local) == D("2025-11-04")
    assert is_workday(D("2025-10-04"), local)  # a National Day Saturday made a working day locally
    assert add_workdays(D("2025-10-31"), 1, PRC) == D("2025-11-03")


def test_a_day_both_off_and_on_is_refused():
    from projects_cli.errors import ProjectsError

    with pytest.raises(ProjectsError) as exc:
        prc_calendar([D("2027-01-02")], [D("2027-01-02")], [2027])
    assert str(exc.value) == "2027-01-02 同时列在 holidays 和 workdays 中"


def test_year_ranges():
    assert year_ranges([2004, 2005, 2006, 2008, 2010, 2011]) == "2004–2006, 2008, 2010–2011"


RULES = EscalationRules(key_after=1, listed_after=5, listed_on_second_miss=True)


@pytest.mark.parametrize(
    "level, late, misses, rules, expected",
    [
        ("一般督办", 0, 1, RULES, None),
        ("一般督办", 1, 1, RULES, ("重点督办", "逾期1个工作日（≥1）")),
        ("一般督办", 4, 1, RULES, ("重点督办", "逾期4个工作日（≥1）")),
        ("一般督办", 5, 1, RULES, ("挂牌督办", "逾期5个工作日（≥5）")),
        ("重点督办", 3, 1, RULES, None),
        ("重点督办", 6, 1, RULES, ("挂牌督办", "逾期6个工作日（≥5）")),
        ("重点督办", 0, 2, RULES, ("挂牌督办", "第2次逾期")),
        ("一般督办", 2, 2, RULES, ("挂牌督办", "第2次逾期")),
        ("挂牌督办", 9, 3, RULES, None),
        ("一般督办", 0, 2, EscalationRules(1, 5, False), None),
        ("一般督办", 2, 2, EscalationRules(1, 5, False), ("重点督办", "逾期2个工作日（≥1）")),
        ("一般督办", 0, 1, EscalationRules(0, 5, True), ("重点督办", "逾期0个工作日（≥0）")),
    ],
)
def test_escalation(level, late, misses, rules, expected):
    assert escalation(level, late, misses, rules) == expected
