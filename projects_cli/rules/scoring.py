"""Red-flag scoring (流动红旗): each responsible unit's score from its shares, ranked.

Pure: given each unit's shares (0–1: the four, and attendance when weighted) and the weights from the rules
file, returns scores and ranks; the top N hold the flag and the bottom N are
listed for a talk (约谈).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

COMPONENTS = ("investment", "milestones", "issues", "ledger", "attendance")
# Scored only when the rules weigh them: at weight 0 a unit's score, its stored components and the flag's
# table are what they were before the component existed (attendance at meetings, 参会).
OPTIONAL = ("attendance",)


def scored_components(weights: Mapping[str, Any]) -> tuple[str, ...]:
    """The components the weights score: the four always, an optional one when its weight is above 0."""
    return tuple(c for c in COMPONENTS if c not in OPTIONAL or Decimal(str(weights.get(c, 0))) > 0)


@dataclass
class UnitScore:
    unit: str
    score: Decimal
    components: dict[str, Any]
    rank: int = 0
    flag: bool = False
    bottom: bool = False


def share(done: int | Decimal, total: int | Decimal) -> Decimal | None:
    """done/total, None when there is nothing to judge (the component then counts as full)."""
    if not total:
        return None
    return min(Decimal(1), Decimal(done) / Decimal(total))


def score_units(
    shares: Mapping[str, Mapping[str, Decimal | None]], weights: Mapping[str, Any], winners: int = 1, bottom: int = 1
) -> list[UnitScore]:
    """Scores out of 100, best first; ties share a rank and are ordered by name.

    A component with nothing to judge (None) counts as fully met, so a unit is
    not punished for having no issues or no ledger due; but a unit with nothing
    at all to judge (every component None) is not ranked: left out, it can
    neither hold the flag nor be listed for a talk.
    """
    used = scored_components(weights)
    total_weight = sum(Decimal(str(weights[c])) for c in used)
    if total_weight <= 0:
        raise ValueError("flag weights add up to 0")
    scored = []
    for unit, parts in shares.items():
        if all(parts.get(c) is None for c in used):
            continue
        points = Decimal(0)
        components: dict[str, Any] = {}
        for c in used:
            value = parts.get(c)
            value = Decimal(1) if value is None else max(Decimal(0), min(Decimal(1), Decimal(value)))
            gained = value * Decimal(str(weights[c])) * 100 / total_weight
            points += gained
            components[c] = {"share": str(value.quantize(Decimal("0.001"), ROUND_HALF_UP)),
                             "points": str(gained.quantize(Decimal("0.01"), ROUND_HALF_UP)),
                             "judged": parts.get(c) is not None}
        scored.append(UnitScore(unit, points.quantize(Decimal("0.01"), ROUND_HALF_UP), components))
    scored.sort(key=lambda s: (-s.score, s.unit))
    rank = 0
    last = None
    for i, s in enumerate(scored, 1):
        if s.score != last:
            rank, last = i, s.score
        s.rank = rank
    for s in scored:
        s.flag = s.rank <= winners and s.score > 0
    if len(scored) > winners:
        worst_ranks = sorted({s.rank for s in scored}, reverse=True)[:bottom]
        for s in scored:
            s.bottom = s.rank in worst_ranks and not s.flag
    return scored
