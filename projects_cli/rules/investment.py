"""Investment rules: a year-to-date total as a month's figure, and when an amount on file changes.

Pure functions over Decimal 万元. `services.investment` and `services.registry`
apply them to one project (`invest record`, `invest plan`, `edit
--annual-plan`) and the ledger import to many at once; both write what they
decide, logged alike (`report_logged`, `plan_logged`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projects_cli.i18n import _
from projects_cli.listings.output import format_decimal


def month_figure(completed_ytd: Decimal, earlier: Decimal) -> Decimal | None:
    """A ledger's year-to-date total (本年累计完成投资) as the figure of its month: the total less the year's
    earlier months on file (`earlier`); None when the total is below them (the caller names both)."""
    figure = Decimal(completed_ytd) - Decimal(earlier)
    return figure if figure >= 0 else None


# 完成投资 above this many times the total investment, or the annual plan, is worth a warning
# (config.toml [investment] warn_total_factor, warn_plan_factor): a figure typed in 元 instead of
# 万元, or in the wrong project, shows as a completion of 2522 %.
WARN_TOTAL_FACTOR = 1.0
WARN_PLAN_FACTOR = 1.5


def figure_warnings(month: str, amount: Decimal, year_to_date: Decimal, total: Decimal | None,
                    plan: Decimal | None, *, warn_total_factor: float = WARN_TOTAL_FACTOR,
                    warn_plan_factor: float = WARN_PLAN_FACTOR) -> list[str]:
    """What looks wrong in a month's completed investment (Chinese, one line each): the month's figure, or
    else the year to date through that month, above `warn_total_factor` × the total investment or
    `warn_plan_factor` × the year's annual plan."""
    out = []
    for limit, factor, what in ((total, warn_total_factor, _("总投资")),
                                (plan, warn_plan_factor, _("{year}年计划投资").format(year=month[:4]))):
        if limit is None:
            continue
        bound = Decimal(limit) * Decimal(str(factor))
        times = "" if Decimal(str(factor)) == 1 else _("的 {factor} 倍").format(factor=format_decimal(Decimal(str(factor))))
        shown = {"month": month, "what": what, "limit": format_decimal(Decimal(limit)), "times": times}
        if amount > bound:
            out.append(_("{month} 当月完成投资 {amount} 万元，超过{what} {limit} 万元{times}").format(
                amount=format_decimal(amount), **shown))
        elif year_to_date > bound:
            out.append(_("截至 {month} 本年累计完成投资 {amount} 万元，超过{what} {limit} 万元{times}").format(
                amount=format_decimal(year_to_date), **shown))
    return out


def amount_change(old: Decimal | None, new: Decimal | None) -> str | None:
    """What setting an amount (an annual plan, a month's figure) does to the one on file (None: none on file;
    `new` None: remove it): insert, update, delete, or None when it is the same amount (1200 = 1200.00)."""
    if old is None:
        return None if new is None else "insert"
    if new is None:
        return "delete"
    return None if Decimal(old) == Decimal(new) else "update"


def plan_logged(old: Decimal | None, new: Decimal | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """An annual plan's change-log entry (old, new)."""
    return ({"amount": old} if old is not None else None), ({"amount": new} if new is not None else None)


def report_logged(month: str, old: tuple[Decimal, str | None] | None, amount: Decimal,
                  source: str | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """A month's completed investment's change-log entry (old, new): a new month's figure and source; else
    what changed of them (`old`: the amount and source on file)."""
    if old is None:
        return None, {"month": month, "amount": amount, "source": source}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {"amount": amount}
    before["amount"] = Decimal(old[0])
    if old[1] != source:
        before["source"], after["source"] = old[1], source
    return before, after
