"""Card and flag rules at every threshold boundary (pure, table-driven)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from projects_cli.config.rulebook import load_rules
from projects_cli.rules.cards import Facts, changes, rate
from projects_cli.rules.scoring import score_units

RULES = load_rules().get("cards")


def gap(behind: str) -> dict:
    expected = Decimal("83.3")
    return {"rate": expected - Decimal(behind), "expected": expected, "behind": Decimal(behind)}


@pytest.mark.parametrize(
    ("facts", "color", "rules"),
    [
        (Facts(), "blue", []),
        (Facts(gap=gap("9.9")), "blue", []),
        (Facts(gap=gap("10")), "yellow", ["investment_lag"]),
        (Facts(gap=gap("30")), "yellow", ["investment_lag"]),
        (Facts(gap=gap("30.1")), "red", ["investment_lag"]),
        (Facts(gap=gap("-5")), "blue", []),
        (Facts(start_overdue_days=1), "yellow", ["start_overdue"]),
        (Facts(start_overdue_days=89), "yellow", ["start_overdue"]),
        (Facts(start_overdue_days=90), "red", ["start_overdue"]),
        (Facts(milestones_overdue=[("土地", 1)]), "yellow", ["milestone_overdue"]),
        (Facts(milestones_overdue=[("土地", 30)]), "yellow", ["milestone_overdue"]),
        (Facts(milestones_overdue=[("土地", 31), ("立项", 3)]), "red", ["milestone_overdue"]),
        (Facts(issues_overdue=[("2025-001", "重点督办", 4)]), "yellow", ["issue_overdue"]),
        (Facts(issues_overdue=[("2025-001", "挂牌督办", 1)]), "red", ["listed_issue_overdue"]),
        (Facts(gap=gap("12"), start_overdue_days=95), "red", ["investment_lag", "start_overdue"]),
    ],
)
def test_colour_at_the_boundaries(facts, color, rules):
    got, fired = rate(facts, RULES)
    assert got == color
    assert [f["rule"] for f in fired] == rules


def test_reason_names_the_figures():
    _, fired = rate(Facts(gap={"rate": Decimal("42"), "expected": Decimal("83.3"), "behind": Decimal("41.3")}), RULES)
    assert fired[0]["text"] == "投资完成率 42%，序时进度 83.3%，落后 41.3 个百分点"
    assert fired[0]["figures"] == {"rate": "42", "expected": "83.3", "behind": "41.3"}


@pytest.mark.parametrize(
    ("now", "previous", "color", "last_rule"),
    [
        (Facts(start_overdue_days=5), ["yellow"], "red", "consecutive_yellow"),
        (Facts(start_overdue_days=5), ["blue", "yellow"], "yellow", "start_overdue"),
        (Facts(start_overdue_days=5), [], "yellow", "start_overdue"),
        (Facts(), ["red"], "yellow", "step_down"),
        (Facts(), ["yellow"], "blue", None),
        (Facts(start_overdue_days=5), ["red"], "yellow", "start_overdue"),
    ],
)
def test_history_rules(now, previous, color, last_rule):
    got, fired = rate(now, RULES, previous)
    assert got == color
    assert (fired[-1]["rule"] if fired else None) == last_rule


def test_changed_thresholds_change_colours():
    rules = dict(RULES, lag_yellow_points=5, yellows_to_red=3, red_steps_down=False)
    assert rate(Facts(gap=gap("6")), rules)[0] == "yellow"
    assert rate(Facts(start_overdue_days=5), rules, ["yellow"])[0] == "yellow"
    assert rate(Facts(start_overdue_days=5), rules, ["yellow", "yellow"])[0] == "red"
    assert rate(Facts(), rules, ["red"])[0] == "blue"


def test_changes_between_periods():
    assert changes({"a": "red", "b": "yellow", "c": "blue", "d": "yellow", "e": "red"},
                   {"a": "yellow", "b": "blue", "c": "red", "d": "red", "e": "red"}) == {
        "newly_red": ["a"], "newly_yellow": ["b"], "improved": ["c", "d"]}


def test_flag_scores_ranks_winner_and_bottom():
    weights = {"investment": 40, "milestones": 30, "issues": 20, "ledger": 10}
    shares = {
        "建设局": {"investment": Decimal("0.9"), "milestones": Decimal("1"), "issues": None, "ledger": Decimal("1")},
        "经发局": {"investment": Decimal("0.5"), "milestones": Decimal("0.5"), "issues": Decimal("0.5"), "ledger": Decimal("0")},
        "王因街道": {"investment": Decimal("0.9"), "milestones": Decimal("1"), "issues": None, "ledger": Decimal("1")},
        "黄屯街道": {"investment": Decimal("1.2"), "milestones": Decimal("0.8"), "issues": Decimal("1"), "ledger": Decimal("1")},
    }
    result = score_units(shares, weights)
    assert [(s.unit, str(s.score), s.rank, s.flag, s.bottom) for s in result] == [
        ("建设局", "96.00", 1, True, False),
        ("王因街道", "96.00", 1, True, False),
        ("黄屯街道", "94.00", 3, False, False),
        ("经发局", "45.00", 4, False, True),
    ]
    assert result[0].components["investment"] == {"share": "0.900", "points": "36.00", "judged": True}
