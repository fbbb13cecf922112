"""Card rules (红黄蓝牌): a project's colour from its facts, the rules file and its past cards.

Pure: `rate()` is given the facts, the `[cards]` table of the rules file and
the colours of the previous periods. The worst colour that fires wins; every
rule that fired is returned with its figures, so a card explains itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Sequence

from projects_cli.vocab import CardColor, Level, Milestone

RANK = {CardColor.BLUE: 0, CardColor.YELLOW: 1, CardColor.RED: 2}  # severity: a card steps down this list
START = Milestone.START


@dataclass
class Facts:
    """What is on file for one project at the end of a period."""

    gap: dict[str, Any] | None = None  # rules.dates.completion_gap(): rate, expected, behind (points)
    start_overdue_days: int = 0  # the start (开工) planned before as-of and not done
    milestones_overdue: list[tuple[str, int]] = field(default_factory=list)  # (kind, days late), start excluded
    issues_overdue: list[tuple[str, str, int]] = field(default_factory=list)  # (number, level, days late)


_PCT: dict[tuple[Decimal, bool], str] = {}  # a few thousand percentages for 100,000 projects


def _pct(value: Decimal) -> str:
    key = (value, value.is_signed())  # 0.0 == -0.0, but one prints "-0"
    text = _PCT.get(key)
    if text is None:
        text = _PCT[key] = f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
    return text


def _fired(rule: str, color: str, text: str, **figures: Any) -> dict[str, Any]:
    return {"rule": rule, "color": color, "text": text, "figures": figures}


def evaluate(facts: Facts, rules: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rule that fires on the facts alone (no history)."""
    out: list[dict[str, Any]] = []
    gap = facts.gap
    if gap is not None:
        behind = Decimal(gap["behind"])
        text = f"投资完成率 {_pct(gap['rate'])}%，序时进度 {_pct(gap['expected'])}%，落后 {_pct(behind)} 个百分点"
        figures = {"rate": str(gap["rate"]), "expected": str(gap["expected"]), "behind": str(behind)}
        if behind > rules["lag_red_points"]:
            out.append(_fired("investment_lag", "red", text, **figures))
        elif behind >= rules["lag_yellow_points"]:
            out.append(_fired("investment_lag", "yellow", text, **figures))
    days = facts.start_overdue_days
    if days >= rules["start_red_days"]:
        out.append(_fired("start_overdue", "red", f"开工逾期 {days} 天", days=days))
    elif days >= rules["start_yellow_days"] and days > 0:
        out.append(_fired("start_overdue", "yellow", f"开工逾期 {days} 天", days=days))
    if facts.milestones_overdue:
        kind, worst = max(facts.milestones_overdue, key=lambda m: m[1])
        text = f"节点“{kind}”逾期 {worst} 天"
        if worst > rules["milestone_red_days"]:
            out.append(_fired("milestone_overdue", "red", text, kind=kind, days=worst))
        elif worst >= rules["milestone_yellow_days"] and worst > 0:
            out.append(_fired("milestone_overdue", "yellow", text, kind=kind, days=worst))
    listed = [i for i in facts.issues_overdue if i[1] == Level.LISTED]
    if listed and rules["issue_listed_red"]:
        number, _, late = max(listed, key=lambda i: i[2])
        out.append(_fired("listed_issue_overdue", "red", f"挂牌督办问题 {number} 超期 {late} 天", issue=number, days=late))
    elif facts.issues_overdue and rules["issue_overdue_yellow"]:
        number, level, late = max(facts.issues_overdue, key=lambda i: i[2])
        count = len(facts.issues_overdue)
        out.append(
            _fired("issue_overdue", "yellow", f"{count} 个问题超期未办结（最长 {number} 超期 {late} 天）",
                   count=count, issue=number, days=late)
        )
    return out


def rate(facts: Facts, rules: dict[str, Any], previous: Sequence[str] = ()) -> tuple[str, list[dict[str, Any]]]:
    """(colour, fired rules) for one project; `previous` holds earlier periods' colours, newest first."""
    fired = evaluate(facts, rules)
    color = max((f["color"] for f in fired), key=RANK.__getitem__, default="blue")
    runs = int(rules["yellows_to_red"])
    if color == "yellow" and runs >= 2 and len(previous) >= runs - 1 and all(c == "yellow" for c in previous[: runs - 1]):
        fired.append(_fired("consecutive_yellow", "red", f"连续 {runs} 期黄牌", periods=runs))
        color = "red"
    if color == "blue" and rules["red_steps_down"] and previous and previous[0] == "red":
        fired.append(_fired("step_down", "yellow", "上期红牌，摘牌先降为黄牌"))
        color = "yellow"
    return color, fired


def changes(current: dict[str, str], before: dict[str, str]) -> dict[str, list[str]]:
    """Keys newly red, newly yellow, and improved since the previous period."""
    out: dict[str, list[str]] = {"newly_red": [], "newly_yellow": [], "improved": []}
    for key, color in sorted(current.items()):
        old = before.get(key)
        if color == "red" and old != "red":
            out["newly_red"].append(key)
        elif color == "yellow" and old not in ("yellow", "red"):
            out["newly_yellow"].append(key)
        if old is not None and RANK[color] < RANK[old]:
            out["improved"].append(key)
    return out
