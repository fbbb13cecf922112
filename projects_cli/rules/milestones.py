"""Milestone rules: the kinds in use, the plan in force on a date, a milestone's state, the countdown's pick.

Pure functions over plain values; the as-of date is always given.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable, NamedTuple, Sequence

from projects_cli.rules.dates import days_late
from projects_cli.vocab import Milestone

START = Milestone.START  # its countdown (开工倒计时) is the headline of a project not yet started

# A milestone's state at an as-of date, and how the office says it.
STATE_LABELS = {
    "done_early": "提前完成",
    "done_on_time": "按期完成",
    "done_late": "延期完成",
    "overdue": "逾期",
    "due_soon": "即将到期",
    "open": "未到期",
    "unplanned": "未计划",
}


def check_kinds(value: Any, where: str = "config file [milestones] kinds") -> tuple[str, ...]:
    """The milestone kinds from the config file: a non-empty list of distinct names, in chain order.

    Raises ValueError with what is wrong; the caller names the file.
    """
    if not isinstance(value, list) or not value:
        raise ValueError(f"{where} must be a non-empty list of names, e.g. [\"立项\", \"开工\", \"竣工\"]")
    kinds: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{where}: {item!r} is not a milestone name")
        name = item.strip()
        if len(name) > 20:
            raise ValueError(f"{where}: {name!r} is longer than 20 characters")
        if name in kinds:
            raise ValueError(f"{where}: {name!r} is listed twice")
        kinds.append(name)
    return tuple(kinds)


def is_done(actual: date | None, as_of: date) -> bool:
    """Done at `as_of`: an actual date on or before it (a later actual date was still in the future then)."""
    return actual is not None and actual <= as_of


def plan_in_force(plans: Sequence[tuple[date, date]], at: date) -> date | None:
    """The planned date that held on `at`, from a milestone's plans as (set on, planned date).

    The first plan (the baseline) holds from the beginning; each re-plan holds
    from the date it was set. Plans are taken in the order given (by set-on
    date, then entry order).
    """
    if not plans:
        return None
    held = plans[0][1]
    for on, planned in plans[1:]:
        if on > at:
            break
        held = planned
    return held


def finish_delay(planned: date | None, actual: date | None) -> int | None:
    """Days a done milestone finished after its plan (negative: early); None when not both dates."""
    if planned is None or actual is None:
        return None
    return (actual - planned).days


def state(planned: date | None, actual: date | None, as_of: date, horizon: int) -> str:
    """done_early · done_on_time · done_late · overdue · due_soon (within `horizon` days) · open · unplanned."""
    if is_done(actual, as_of):
        delay = finish_delay(planned, actual)
        if delay is None or delay == 0:
            return "done_on_time"
        return "done_late" if delay > 0 else "done_early"
    if planned is None:
        return "unplanned"
    if days_late(planned, actual, as_of) > 0:
        return "overdue"
    if (planned - as_of).days <= horizon:
        return "due_soon"
    return "open"


class Open(NamedTuple):
    """An open, planned milestone of one project, as the countdown sees it."""

    kind: str
    seq: int
    planned: date


def countdown_pick(milestones: Iterable[Open], start: str = START) -> Open | None:
    """The milestone a project counts down to: its start (开工) while not started, else the soonest open one.

    `milestones` are the project's milestones open at the as-of date with a
    planned date. Ties on the date go to the earlier step of the chain.
    """
    best: Open | None = None
    for m in milestones:
        if m.kind == start:
            return m
        if best is None or (m.planned, m.seq) < (best.planned, best.seq):
            best = m
    return best
