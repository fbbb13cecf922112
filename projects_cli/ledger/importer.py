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

A row found unchanged is remembered (`fingerprint.py`): imported again, as it
was, with its project as it was, it is known without typing or planning it.

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

from projects_cli.i18n import _, ngettext
from projects_cli.ledger import parse
from projects_cli.ledger.fingerprint import Fingerprints
from projects_cli.ledger.plan import Change, Confirm, ImportResult, LedgerRejected, plan_import
from projects_cli.ledger.read import ALL, Progress, read_ledger, read_ledgers
from projects_cli.ledger.reader import Limits, Workbook
from projects_cli.ledger.snapshot import Snapshot
from projects_cli.ledger.write import write_import
from projects_cli.rules.dates import month_end
from projects_cli.services import registry
from projects_cli.store.changelog import Ctx
from projects_cli.values import normalize_name

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
    month: str | None = None,
    create_units: bool = False,
) -> ImportResult:
    """Check the whole ledger, then write it (unless `dry_run`); raises LedgerRejected on any error.

    `month` (YYYY-MM): the month the ledger reports, for a ledger that names none (no 截至… line, no month
    in its title or its completed-investment header); one that names another month is an error.

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
                              confirm=confirm, month=month, create_units=create_units)
    finally:
        if collecting:
            gc.enable()


def _import_ledger(session: Session, ctx: Ctx, path: Path, *, sheet: str | None, dry_run: bool, strict: bool,
                   from_unit: str | None, config: Mapping[str, Any] | None, limits: Limits | None,
                   progress: Progress | None, book: Workbook | None, confirm: Confirmation,
                   month: str | None = None, create_units: bool = False) -> ImportResult:
    reg = Snapshot(session)  # read while the sheet may still be loading (reader.preload)
    unit = registry.clean_text(from_unit) if from_unit else None
    seen = None if sheet == ALL else Fingerprints(session, reg, as_of=ctx.as_of, config=config,
                                                  options=(unit, create_units), month=month)
    if book is not None:  # and, while it still is, what matched projects hold
        if seen is not None:
            seen.read_ahead(book.loaded)  # (each row digested as it is read)
        else:
            reg.read_ahead(book.loaded, year=ctx.as_of.year, month=f"{ctx.as_of.year:04d}-{ctx.as_of.month:02d}")
    units = set(reg.unit_id)
    sheets = read_ledgers(path, as_of=ctx.as_of, sheet=sheet, config=config, units=units, limits=limits,
                          progress=progress, book=book, month=month, seen=seen.sheet if seen else None)
    if month:
        for parsed in sheets:
            _reporting_month(parsed, month)
    parts = []
    keys: list[tuple[parse.ParsedSheet, dict[int, list[tuple[str, str]]]]] = []
    for number, parsed in enumerate(sheets):
        if len(sheets) > 1:
            keys.append((parsed, _row_keys(parsed)))
        planned = plan_import(session, ctx, parsed, from_unit=unit, config=config, file_name=path.name,
                              progress=progress, reg=reg if number == 0 else Snapshot(session), details=dry_run,
                              create_units=create_units, fingerprints=seen if len(sheets) == 1 else None)
        parsed.rows.clear()  # used up by plan_import (the plans hold what is to be written)
        parts.append(planned)
    for (_parsed, mine), (planned, _plans, _planner) in zip(keys, parts):
        for change in planned.changes:  # a row matched by name is the project of that code
            if change.action != "add" and change.code and change.row in mine:
                mine[change.row].append(("code", change.code))
    across = _across_sheets(keys)
    result = parts[0][0] if len(parts) == 1 else _combined(path.name, [r for r, _, _ in parts], across)
    if strict:
        for one in [result, *result.parts]:
            _strict(one)
    errors = result.errors
    if errors:
        rows = sorted({p.row for p in errors if p.row})
        shown = ", ".join(str(r) for r in rows[:20]) + (" …" if len(rows) > 20 else "")
        raise LedgerRejected(
            ngettext("{file}：{n} 处错误", "{file}：{n} 处错误", len(errors)).format(file=path.name, n=len(errors))
            + (ngettext("（第 {rows} 行）", "（第 {rows} 行）", len(rows)).format(rows=shown)
               if rows and not result.parts else "")
            + (_("（工作表 {sheets}）").format(
                sheets='、'.join(sorted({p.sheet for p in errors}, key=[r.sheet for r in result.parts].index)))
               if result.parts else "")
            + _("；未写入任何内容"),
            result,
        )
    if dry_run:
        return result
    if result.to_confirm and not (confirm(result.to_confirm) if callable(confirm) else confirm):
        count = len(result.to_confirm)
        raise NotConfirmed(
            ngettext("{file}：对已完成节点的 {n} 处修改未确认；加 --yes 重新运行即写入；未写入任何内容",
                     "{file}：对已完成节点的 {n} 处修改未确认；加 --yes 重新运行即写入；未写入任何内容", count).format(
                file=path.name, n=count),
            result,
        )
    written: dict[str, int] = {}
    for one, plans, planner in parts:
        planner.reg.by_code.update(written)  # codes the sheets before took (the counter gives new ones past them)
        write_import(session, ctx, one, plans, planner, progress=progress)
        written.update((p.code, p.pid) for p in plans if p.code and p.pid is not None)
    if seen is not None:
        seen.store()
    result.written = True
    return result


def _reporting_month(parsed: parse.ParsedSheet, month: str) -> None:
    """--month YYYY-MM: the ledger's as-of is the month's last day, unless the ledger names another month
    (its 截至… line or title, or its completed-investment header): an error naming both."""
    year, number = int(month[:4]), int(month[5:7])
    info = parsed.info
    columns = parsed.header.by_field()
    said = (info.as_of.year, info.as_of.month) if info.as_of else None
    for key in ("month_completed", "completed_ytd"):  # the year to date's month wins (`plan._periods`)
        if (done := columns.get(key)) is not None and done.month:
            said = (done.year or (said[0] if said else year), done.month)
    if said is not None and said != (year, number):
        parsed.problems.insert(0, parse.Problem(
            "error", parsed.sheet, parsed.header.first + 1, "", "", month,
            _("台账写的是 {said}，--month 给的是 {month}：请核对后只用台账自己的月份").format(
                said=f"{said[0]:04d}-{said[1]:02d}", month=month),
        ))
    elif info.as_of is None:
        info.as_of = month_end(year, number)


def _strict(result: ImportResult) -> None:
    """--strict: warnings are errors, and so are changes to done milestones."""
    result.problems = [
        parse.Problem("error", p.sheet, p.row, p.column, p.header, p.value, _("{message}（--strict）").format(message=p.message))
        if p.severity == "warning" else p
        for p in result.problems
    ]
    if result.to_confirm:
        result.problems = sorted(result.problems + [c.problem() for c in result.to_confirm],
                                 key=lambda p: (p.row, p.column, p.severity))
        result.to_confirm = []


def _row_keys(parsed: parse.ParsedSheet) -> dict[int, list[tuple[str, str]]]:
    """Each row's ways of naming its project: its code and its name as matched (spaces, full-width forms aside)."""
    out = {}
    for row in parsed.rows:
        code, name = row.values.get("code"), row.values.get("name")
        out[row.row] = ([("code", code)] if code else []) + ([("name", normalize_name(name))] if name else [])
    return out


def _across_sheets(sheets: list[tuple[parse.ParsedSheet, dict[int, list[tuple[str, str]]]]]) -> list[parse.Problem]:
    """A project on two sheets (by code, by name, or the project a name matched) is an error naming the sheet and
    row of both."""
    first: dict[tuple[str, str], tuple[str, int]] = {}
    found = []
    for parsed, rows in sheets:
        columns = parsed.header.by_field()
        for row, keys in rows.items():
            for key in keys:
                if key in first:
                    sheet, at = first[key]
                    column = columns.get(key[0]) or columns["name"]
                    found.append(parse.Problem(
                        "error", parsed.sheet, row, column.letter, column.header, key[1],
                        _("与工作表 {sheet} 第 {at} 行是同一个项目（{what}）：一个项目在台账里只能有一行").format(
                            sheet=sheet, at=at, what=key[1]),
                    ))
                    break
        for row, keys in rows.items():
            for key in keys:
                first.setdefault(key, (parsed.sheet, row))
    return found


def _combined(file: str, results: list[ImportResult], across: list[parse.Problem]) -> ImportResult:
    """One result for the sheets of `--sheet all`: their counts added up, their changes and problems in sheet order
    (each problem names its sheet), the cross-sheet duplicates with the sheet they were found on."""
    combined = ImportResult(file, "、".join(r.sheet for r in results), parts=results)
    order = {r.sheet: i for i, r in enumerate(results)}
    for one in results:
        mine = [p for p in across if p.sheet == one.sheet]
        if mine:
            one.problems = sorted(one.problems + mine, key=lambda p: (p.row, p.column, p.severity))
    for one in results:
        combined.rows += one.rows
        combined.added += one.added
        combined.changed += one.changed
        combined.unchanged += one.unchanged
        combined.changes += one.changes
        combined.to_confirm += one.to_confirm
        combined.skipped_rows += one.skipped_rows
        combined.unused_columns += [f"{one.sheet}: {c}" for c in one.unused_columns]
        combined.converted.update(one.converted)
        for kind, count in one.skipped.items():
            combined.skipped[kind] = combined.skipped.get(kind, 0) + count
    combined.problems = sorted((p for one in results for p in one.problems), key=lambda p: order[p.sheet])
    first = results[0]
    combined.header_rows, combined.plan_year, combined.completed_month = (first.header_rows, first.plan_year,
                                                                         first.completed_month)
    combined.as_of, combined.reporter = first.as_of, first.reporter
    return combined
