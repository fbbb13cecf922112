"""Investment rules as tables: a year-to-date total as the month's figure, when an amount changes, what is logged."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects_cli.rules.investment import amount_change, month_figure, plan_logged, report_logged

M = Decimal


@pytest.mark.parametrize(("ytd", "earlier", "figure"), [
    (M(6200), M(5000), M(1200)),
    (M(5000), M(5000), M(0)),
    (M("1000.5"), M(0), M("1000.5")),
    (M(4000), M(5000), None),  # below the months on file: the caller names both
])
def test_month_figure(ytd, earlier, figure):
    assert month_figure(ytd, earlier) == figure


@pytest.mark.parametrize(("old", "new", "action"), [
    (None, M(1200), "insert"),
    (None, M(0), "insert"),
    (None, None, None),
    (M(1200), M("1200.00"), None),
    (M(1200), M(1500), "update"),
    (M(1200), None, "delete"),
])
def test_amount_change(old, new, action):
    assert amount_change(old, new) == action


def test_what_an_amount_logs():
    assert plan_logged(None, M(1200)) == (None, {"amount": M(1200)})
    assert plan_logged(M(1200), M(1500)) == ({"amount": M(1200)}, {"amount": M(1500)})
    assert plan_logged(M(1200), None) == ({"amount": M(1200)}, None)
    assert report_logged("2025-10", None, M(900), "o.xlsx") == (None, {"month": "2025-10", "amount": M(900), "source": "o.xlsx"})
    assert report_logged("2025-10", (M(900), "o.xlsx"), M(1000), "o.xlsx") == ({"amount": M(900)}, {"amount": M(1000)})
    assert report_logged("2025-10", (M(900), None), M(1000), "o2.xlsx") == (
        {"amount": M(900), "source": None}, {"amount": M(1000), "source": "o2.xlsx"})
