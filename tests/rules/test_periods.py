"""Periods as an office types them (issue 19): the Chinese forms read as the stored 2025-10 / 2025-W43."""

from __future__ import annotations

import pytest

from projects_cli.rules.dates import normal_period


@pytest.mark.parametrize("typed, stored", [
    ("2025-10", "2025-10"), ("2025-1", "2025-01"), ("2025年10月", "2025-10"), ("2025年10月份", "2025-10"),
    ("2025年1月", "2025-01"), ("2025.10", "2025-10"), ("2025/10", "2025-10"), ("２０２５年１０月", "2025-10"),
    (" 2025 年 10 月 ", "2025-10"),
    ("2025-W43", "2025-W43"), ("2025-w43", "2025-W43"), ("2025W43", "2025-W43"), ("2025年第43周", "2025-W43"),
    ("2025年43周", "2025-W43"), ("2025-W1", "2025-W01"), ("2020-W53", "2020-W53"),
    # not a period
    ("2025-13", None), ("2025年0月", None), ("十月", None), ("2025", None), ("2025-10-31", None),
    ("2025-W54", None), ("2025-W53", None), ("2025年第0周", None), ("", None), ("10月", None),
])
def test_normal_period(typed, stored):
    assert normal_period(typed) == stored
