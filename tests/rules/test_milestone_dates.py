"""Setting a milestone's dates, as a table: the baseline, re-plans and their reasons, completions, what is logged."""

from __future__ import annotations

from datetime import date

import pytest

from projects_cli.rules.milestones import KEEP, DateChange, Held, change_dates, is_replan, replanned_too_early

D = date.fromisoformat
PLANNED = Held(7, D("2025-09-30"), D("2025-09-30"), None)
DONE_UNPLANNED = Held(7, None, None, D("2025-10-08"))


@pytest.mark.parametrize(("held", "planned", "actual", "reason", "change"), [
    # a new milestone: its first plan is the baseline, added to the history with the reason given
    (None, D("2025-12-31"), KEEP, None,
     DateChange(True, {}, {"baseline_date": D("2025-12-31"), "planned_date": D("2025-12-31")}, D("2025-12-31"), None)),
    (None, D("2025-12-31"), KEEP, "演示",
     DateChange(True, {}, {"baseline_date": D("2025-12-31"), "planned_date": D("2025-12-31")}, D("2025-12-31"), "演示")),
    # done before anyone planned it: no plan, no history
    (None, None, D("2025-10-08"), None, DateChange(True, {}, {"actual_date": D("2025-10-08")}, None, None)),
    (None, D("2024-03-01"), D("2024-03-15"), None, DateChange(
        True, {}, {"baseline_date": D("2024-03-01"), "planned_date": D("2024-03-01"), "actual_date": D("2024-03-15")},
        D("2024-03-01"), None)),
    (None, None, None, None, None),  # clearing what is not there
    (None, None, KEEP, None, None),
    # a re-plan keeps the baseline
    (PLANNED, D("2025-12-31"), KEEP, "土地指标延后",
     DateChange(False, {"planned_date": D("2025-09-30")}, {"planned_date": D("2025-12-31")}, D("2025-12-31"),
                "土地指标延后")),
    (PLANNED, D("2025-09-30"), KEEP, "台账导入", None),  # the same plan: nothing, reason or not
    # the first plan of a milestone done unplanned becomes its baseline
    (DONE_UNPLANNED, D("2025-10-01"), KEEP, None,
     DateChange(False, {"baseline_date": None, "planned_date": None},
                {"baseline_date": D("2025-10-01"), "planned_date": D("2025-10-01")}, D("2025-10-01"), None)),
    (DONE_UNPLANNED, None, None, None,
     DateChange(False, {"actual_date": D("2025-10-08")}, {"actual_date": None}, None, None)),  # a completion cleared
    (DONE_UNPLANNED, None, D("2025-10-08"), None, None),
    (PLANNED, None, D("2025-10-20"), "ignored without a plan",
     DateChange(False, {"actual_date": None}, {"actual_date": D("2025-10-20")}, None, None)),
    (PLANNED, D("2025-12-31"), D("2025-10-20"), "两者",
     DateChange(False, {"planned_date": D("2025-09-30"), "actual_date": None},
                {"planned_date": D("2025-12-31"), "actual_date": D("2025-10-20")}, D("2025-12-31"), "两者")),
])
def test_change_dates(held, planned, actual, reason, change):
    assert change_dates(held, planned=planned, actual=actual, reason=reason) == change


@pytest.mark.parametrize(("change", "kind", "logged", "plan_logged"), [
    (change_dates(None, planned=D("2025-12-31"), reason="演示"), "开工",
     (None, {"kind": "开工", "baseline_date": D("2025-12-31"), "planned_date": D("2025-12-31")}),
     {"kind": "开工", "planned_date": D("2025-12-31"), "on": D("2025-10-31"), "reason": "演示"}),
    (change_dates(PLANNED, planned=D("2025-12-31"), reason="推迟"), "竣工",
     ({"planned_date": D("2025-09-30")}, {"planned_date": D("2025-12-31"), "reason": "推迟"}),
     {"kind": "竣工", "planned_date": D("2025-12-31"), "on": D("2025-10-31"), "reason": "推迟"}),
    (change_dates(DONE_UNPLANNED, planned=D("2025-10-01")), "开工",
     ({"baseline_date": None, "planned_date": None}, {"baseline_date": D("2025-10-01"), "planned_date": D("2025-10-01")}),
     {"kind": "开工", "planned_date": D("2025-10-01"), "on": D("2025-10-31"), "reason": None}),
    (change_dates(PLANNED, actual=D("2025-10-20")), "开工", ({"actual_date": None}, {"actual_date": D("2025-10-20")}),
     None),
])
def test_what_a_change_logs(change, kind, logged, plan_logged):
    assert change.logged(kind) == logged
    assert (change.plan_logged(kind, D("2025-10-31")) if change.plan else None) == plan_logged


@pytest.mark.parametrize(("held", "planned", "replan"), [
    (None, D("2025-12-31"), False),
    (DONE_UNPLANNED, D("2025-12-31"), False),
    (PLANNED, D("2025-09-30"), False),
    (PLANNED, D("2025-12-31"), True),
])
def test_is_replan(held, planned, replan):
    assert is_replan(held, planned) is replan


@pytest.mark.parametrize(("last_on", "as_of", "refused"), [
    (None, D("2025-10-31"), False),
    (D("2025-10-31"), D("2025-10-31"), False),
    (D("2025-11-20"), D("2025-10-31"), True),
])
def test_a_replan_dated_before_the_last_plan(last_on, as_of, refused):
    assert replanned_too_early(last_on, as_of) is refused
