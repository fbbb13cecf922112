"""Milestone rules: the kinds in use, planning and re-planning (baseline, plan history, what is logged), the plan
in force on a date, a milestone's state, the countdown's pick.

Pure functions over plain values; the as-of date is always given. `change_dates`
is the one rule for setting a milestone's dates: `services.milestones` applies
it to one milestone (`milestone add/replan/done`) and to many at once (the
ledger import), and both write what it decides.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final, Iterable, NamedTuple, Sequence

from projects_cli.i18n import N_
from projects_cli.rules.dates import days_late
from projects_cli.vocab import Milestone

START = Milestone.START  # its countdown (开工倒计时) is the headline of a project not yet started

# A milestone's state at an as-of date, and how the office says it.
STATE_LABELS = {  # (Chinese in files and sheets; a terminal table shows them in the interface's language)
    "done_early": N_("提前完成"),
    "done_on_time": N_("按期完成"),
    "done_late": N_("延期完成"),
    "overdue": N_("逾期"),
    "due_soon": N_("即将到期"),
    "open": N_("未到期"),
    "unplanned": N_("未计划"),
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


class Held(NamedTuple):
    """A milestone as the registry holds it."""

    id: int
    baseline: date | None
    planned: date | None
    actual: date | None


class KeepType:
    """The type of `KEEP`."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = KeepType()  # `change_dates(actual=KEEP)`: leave the date as it is (None clears it)


class DateChange(NamedTuple):
    """What setting a milestone's dates changes (see `change_dates`)."""

    created: bool  # a new milestone
    old: dict[str, Any]  # the columns that change, as they were (empty for a new milestone)
    new: dict[str, Any]  # the columns that change, as they become (a new milestone: the dates it has)
    plan: date | None  # the plan to add to the milestone's plan history, if a plan is set
    reason: str | None  # the plan's reason

    def logged(self, kind: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The milestone's change-log entry (old, new): a new milestone's kind and dates; else the changed
        dates, with the reason beside a plan set with one."""
        if self.created:
            return None, {"kind": kind, **self.new}
        if self.plan is not None and self.reason is not None:
            return self.old, {**self.new, "reason": self.reason}
        return self.old, self.new

    def plan_logged(self, kind: str, on: date) -> dict[str, Any]:
        """The plan history row's change-log entry (`on`: the as-of date it was set on)."""
        return {"kind": kind, "planned_date": self.plan, "on": on, "reason": self.reason}


def is_replan(held: Held | None, planned: date) -> bool:
    """Whether planning `planned` re-plans the milestone: it has another plan already (a re-plan needs a reason)."""
    return held is not None and held.planned is not None and held.planned != planned


def replanned_too_early(last_on: date | None, as_of: date) -> bool:
    """A re-plan dated before the milestone's last plan was set (`last_on`) is refused: a wrong as-of date."""
    return last_on is not None and last_on > as_of


def change_dates(held: Held | None, *, planned: date | None = None, actual: date | None | KeepType = KEEP,
                 reason: str | None = None) -> DateChange | None:
    """What planning `planned` and recording `actual` do to a milestone that holds `held` (None: not on file).

    The first plan is the baseline (kept for ever); every plan set is added to
    the plan history with `reason` and the as-of date; a different plan on a
    planned milestone is a re-plan (see `is_replan`: the caller asks for its
    reason). `planned=None` and `actual=KEEP` leave those dates as they are;
    `actual=None` clears a recorded completion. None when nothing changes.
    """
    if held is None:
        dates = {"baseline_date": planned, "planned_date": planned, "actual_date": None if actual is KEEP else actual}
        new = {k: v for k, v in dates.items() if v is not None}
        if not new:
            return None
        return DateChange(True, {}, new, planned, reason if planned is not None else None)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    plan = None
    if planned is not None and planned != held.planned:
        plan = planned
        if held.baseline is None:
            old["baseline_date"], new["baseline_date"] = None, planned
        old["planned_date"], new["planned_date"] = held.planned, planned
    if actual is not KEEP and actual != held.actual:
        old["actual_date"], new["actual_date"] = held.actual, actual
    if not new:
        return None
    return DateChange(False, old, new, plan, reason if plan is not None else None)


def is_done(actual: date | None, as_of: date) -> bool:
    """Done at `as_of`: an actual date on or before it (a later actual date was still in the future then)."""
    return actual is not None and actual <= as_of


def plan_in_force(plans: Sequence[tuple[date, date]], at: date) -> date | None:
    """The planned date that held on `at`, from a milestone's plans as (set on, planned date).

    Each plan holds from the date it was set, the first (the baseline) too: before
    it the milestone was not planned (None), so a milestone added later is not in
    reports for earlier dates. Plans are taken in the order given (by set-on
    date, then entry order).
    """
    if not plans or plans[0][0] > at:
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
