"""`projects ledger import`: check every row of a ledger, then write all of them in one transaction, or none.

The import in four steps, each a module of its own:

1. `read.py` reads the ledger (no database): the sheet with a ledger header,
   its info line ("截至2024年10月底", 填报单位) and its rows, typed column by
   column (`parse`). The sheet is read in a thread while the database opens
   (`reader.preload`).
2. `snapshot.py` reads what the registry holds: codes, names, units and, per
   2,000 matched projects, their ledger rows (`facts.ledger_rows`), read
   ahead while the sheet is still loading.
3. `plan.py` matches each row to a project and decides what it changes,
   through the rules the commands use (`rules.milestones`,
   `rules.investment`); every problem is found before anything is written.
4. `write.py` writes it in bulk through the services' writers, so a change
   logs the same entries as the command that makes it for one project.

What the ledger's investment columns become:

* 年度计划投资 → the project's annual plan (`InvestmentPlan`) for the year the
  header names ("2024年计划投资"), else the year of the ledger's as-of line
  ("截至2024年10月底"), else the as-of year of the command.
* completed investment to date (本年累计完成投资, "1-10月完成投资") → the
  investment report (`InvestmentReport`) of the month the header or the as-of
  line names: the total less the months of that year already on file, so that
  the year-to-date sum equals the ledger's figure. A total below the months on
  file, or above the project's total investment, is an error.
* 计划/实际开工时间, 计划/实际竣工时间 → the milestones 开工 and 竣工. A new plan
  is the baseline; a changed plan is a re-plan with the reason "台账导入 FILE"
  and is kept in the plan history (as `milestone replan` keeps it).

A blank cell never erases what the registry holds; importing the same file
twice changes and logs nothing the second time. Nothing done is rewritten
quietly: a ledger that changes a milestone's actual date, or re-plans a
milestone already done, lists each such change (`plan.Confirm`) and writes
only when confirmed (`confirm`: True, or a function asked with the list);
under `strict` they are errors. Each batch of rows is let go
once planned, so 100,000 rows import in bounded time and memory.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Mapping

from sqlmodel import Session

from projects_cli.ledger import parse
from projects_cli.ledger.plan import Change, Confirm, ImportResult, LedgerRejected, plan_import
from projects_cli.ledger.read import Progress, read_ledger
from projects_cli.ledger.reader import Limits, Workbook
from projects_cli.ledger.snapshot import Snapshot
from projects_cli.ledger.write import write_import
from projects_cli.services import registry
from projects_cli.store.changelog import Ctx

__all__ = ["Change", "Confirm", "ImportResult", "LedgerRejected", "NotConfirmed", "import_ledger", "plan_import",
           "read_ledger", "write_import"]

Confirmation = bool | Callable[[list[Confirm]], bool]  # True: confirmed (--yes); a function: asked with the list


class NotConfirmed(LedgerRejected):
    """Changes to done milestones that were not confirmed; nothing was written."""


def import_ledger(
    session: Session,
    ctx: Ctx,
    path: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    from_unit: str | None = None,
    config: Mapping[str, Any] | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    book: Workbook | None = None,
    confirm: Confirmation = False,
    create_units: bool = False,
) -> ImportResult:
    """Check the whole ledger, then write it (unless `dry_run`); raises LedgerRejected on any error.

    Warnings (an unknown chain or unit, a 待定 date) are errors under `strict`, and so are
    changes to done milestones; without `strict` those are written only when `confirm`
    says so (else NotConfirmed). A unit not in the registry is an error naming its rows
    unless `create_units` (then a warning, and it is created). `book`: the file already opened, its sheet perhaps being
    read meanwhile (`reader.preload`).
    """
    # Hundreds of thousands of rows, dicts and tuples that hold no reference cycles: the cyclic
    # collector would only rescan them again and again. Reference counting frees them as usual.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import_ledger(session, ctx, Path(path), sheet=sheet, dry_run=dry_run, strict=strict,
                              from_unit=from_unit, config=config, limits=limits, progress=progress, book=book,
                              confirm=confirm, create_units=create_units)
    finally:
        if collecting:
            gc.enable()


def _import_ledger(session: Session, ctx: Ctx, path: Path, *, sheet: str | None, dry_run: bool, strict: bool,
                   from_unit: str | None, config: Mapping[str, Any] | None, limits: Limits | None,
                   progress: Progress | None, book: Workbook | None, confirm: Confirmation,
                   create_units: bool) -> ImportResult:
    reg = Snapshot(session)  # read while the sheet may still be loading (reader.preload)
    if book is not None:  # and, while it still is, what matched projects hold
        reg.read_ahead(book.loaded, year=ctx.as_of.year, month=f"{ctx.as_of.year:04d}-{ctx.as_of.month:02d}")
    units = set(reg.unit_id)
    parsed = read_ledger(path, as_of=ctx.as_of, sheet=sheet, config=config, units=units, limits=limits,
                         progress=progress, book=book)
    result, plans, planner = plan_import(session, ctx, parsed, from_unit=registry.clean_text(from_unit) if from_unit else None,
                                         config=config, file_name=path.name, progress=progress, reg=reg,
                                         details=dry_run, create_units=create_units)
    parsed.rows.clear()  # used up by plan_import (the plans hold what is to be written)
    if strict:
        result.problems = [
            parse.Problem("error", p.sheet, p.row, p.column, p.header, p.value, p.message + " (--strict)")
            if p.severity == "warning" else p
            for p in result.problems
        ]
        if result.to_confirm:
            result.problems = sorted(result.problems + [c.problem() for c in result.to_confirm],
                                     key=lambda p: (p.row, p.column, p.severity))
            result.to_confirm = []
    errors = result.errors
    if errors:
        rows = sorted({p.row for p in errors if p.row})
        shown = ", ".join(str(r) for r in rows[:20]) + (" …" if len(rows) > 20 else "")
        raise LedgerRejected(
            f"{path.name}: {len(errors)} error{'s' if len(errors) != 1 else ''}"
            + (f" in row{'s' if len(rows) != 1 else ''} {shown}" if rows else "")
            + "; nothing was written",
            result,
        )
    if dry_run:
        return result
    if result.to_confirm and not (confirm(result.to_confirm) if callable(confirm) else confirm):
        count = len(result.to_confirm)
        raise NotConfirmed(
            f"{path.name}: {count} change{'s' if count != 1 else ''} to done milestones not confirmed "
            f"(已完成节点的修改未确认); run again with --yes to write {'them' if count != 1 else 'it'}; nothing was written",
            result,
        )
    write_import(session, ctx, result, plans, planner, progress=progress)
    return result
