"""Escalation by rule (督办升级): 一般督办 → 重点督办 → 挂牌督办.

Pure: given an overdue issue's level, working days late and missed deadlines,
the level the rules file asks for and why. Levels only ever go up here; an
issue already at or above the level a rule asks for is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects_cli.i18n import N_, reworded
from projects_cli.vocab import Level

# Why a rule raised a level, as the event records it (Chinese); `reason_shown` reads it in the interface's language.
BY_DAYS = N_("逾期{days}个工作日（≥{limit}）")
BY_MISSES = N_("第{n}次逾期")


@dataclass(frozen=True)
class EscalationRules:
    key_after: int  # working days overdue → 重点督办
    listed_after: int  # working days overdue → 挂牌督办
    listed_on_second_miss: bool  # a second missed deadline → 挂牌督办


def sheet_kind(level: str, workdays_left: int | None, remind_workdays: int, assigned_today: bool = False) -> str:
    """Which of the three sheets (三单) a problem's sheet is now: "notice" (督办单, or 挂牌督办通知书) once its
    deadline has passed or it is 挂牌督办; "assign" (交办单) on the day it is assigned (a 特急 problem's whole
    deadline may lie within the reminder's horizon) and while more than `remind_workdays` working days are
    left; "remind" (催办单) when fewer are. `workdays_left` is negative when late, None without a deadline."""
    if level == "挂牌督办" or (workdays_left is not None and workdays_left < 0):
        return "notice"
    if not assigned_today and workdays_left is not None and workdays_left <= remind_workdays:
        return "remind"
    return "assign"


def escalation(level: str, workdays_late: int, misses: int, rules: EscalationRules) -> tuple[str, str] | None:
    """(new level, why) when a rule raises `level`; None when none does.

    `workdays_late` counts working days past the deadline; `misses` the
    deadlines missed so far, the current one included.
    """
    target, why = None, ""
    if workdays_late >= rules.listed_after:
        target, why = Level.LISTED, BY_DAYS.format(days=workdays_late, limit=rules.listed_after)
    elif rules.listed_on_second_miss and misses >= 2:
        target, why = Level.LISTED, BY_MISSES.format(n=misses)
    elif workdays_late >= rules.key_after:
        target, why = Level.KEY, BY_DAYS.format(days=workdays_late, limit=rules.key_after)
    if target is None or target.rank <= Level(level).rank:
        return None
    return target.value, why


def reason_shown(why: str) -> str:
    """A recorded reason (`escalation`'s) in the interface's language; another text as it is."""
    return reworded(why, (BY_DAYS, BY_MISSES)) or why
