"""Reading a ledger (no database): the sheet with a ledger header, its info line and its rows typed.

`reader.py` opens the workbook (a thread may be reading it meanwhile, see
`reader.preload`), `parse.py` finds the header and types the cells column by
column, `by_month.py` makes one row of a project's rows in a ledger of one row
per project per month; this picks the sheet and puts them together for `ledger import`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import chain as chained
from itertools import islice
from pathlib import Path
from typing import Any, Mapping

from projects_cli.config.office import status_words
from projects_cli.errors import ProjectsError
from projects_cli.i18n import _
from projects_cli.ledger import parse
from projects_cli.ledger.by_month import merge_months
from projects_cli.ledger.columns import currency_rates, ledger_section, variants
from projects_cli.ledger.reader import Limits, Workbook
from projects_cli.services import registry

Progress = Callable[[str, int, int], None]  # (stage, done, total)


ALL = "all"  # --sheet all: every sheet with a ledger header


def read_ledger(path: Path, **options: Any) -> parse.ParsedSheet:
    """The ledger's rows and problems (no database): the sheet named, else the first with a ledger header
    (`read_ledgers`' options). The other sheets that hold a ledger header too are named in `ParsedSheet.others`.
    """
    return read_ledgers(path, **options)[0]


def read_ledgers(
    path: Path,
    *,
    as_of: date,
    sheet: str | None = None,
    config: Mapping[str, Any] | None = None,
    units: set[str] = frozenset(),
    limits: Limits | None = None,
    progress: Progress | None = None,
    book: Workbook | None = None,
    month: str | None = None,
    seen: Callable[[parse.Header, parse.LedgerInfo], parse.Seen | None] | None = None,
) -> list[parse.ParsedSheet]:
    """The sheet named, else the first with a ledger header, and with `sheet` "all" (and no sheet of that name)
    every sheet with a ledger header, in the workbook's order (a sheet laid out as a form is not one of them).

    `book` is the file already opened (`reader.preload`); it is closed here either way. `month` (YYYY-MM,
    --month): its year is the year of 月份 cells that name none (10月), where the sheet names no year.
    `seen`: given a sheet's header and info line, the rows known already (`ledger.fingerprint`), or None.
    """
    table = variants(ledger_section(config).get("headers"))
    if book is None:
        book = Workbook(path, limits or Limits.from_config((config or {}).get("limits")))
    every = sheet == ALL and ALL not in book.sheet_names
    try:
        names = [sheet] if sheet and not every else book.sheet_names
        tried = []
        found: list[parse.ParsedSheet] = []
        for name in names:
            if found and not every:  # the one to read is read: are there other ledger tables?
                if _has_header(book, name, table):
                    found[0].others.append(name)
                continue
            raw = book.sheet(name)
            rows = raw.rows()
            preview = list(islice(rows, parse.HEADER_SCAN + parse.MAX_HEADER_ROWS))
            try:
                header = parse.find_header([(i, r) for i, r, _ in preview], table)
            except parse.FormSheet:
                if not every:
                    raise
                header = None
            if header is None:
                tried.append(name)
                continue
            info = parse.read_info((r for i, r, _ in preview if i < header.first), as_of.year)
            total = raw.height

            def tick(done: int, total: int = total) -> None:
                if progress is not None:
                    progress("read", done, total)

            parsed = parse.parse_rows(
                chained(preview, rows), header, info, name, clean_value=registry.clean_value, units=units,
                max_year=as_of.year + 30, progress=tick, status_words=status_words(config),
                rates=currency_rates(config), quick=registry.kept_as_is,
                seen=seen(header, info) if seen is not None else None,
            )
            if (month_col := header.by_field().get(parse.MONTH)) is not None:
                merge_months(parsed, month_col, year=int(month[:4]) if month else None)  # a project's rows made one
            found.append(parsed)
        if found:
            if sheet and not every:  # the sheet named: the others before it count too
                found[0].others[:0] = [n for n in book.sheet_names if n != sheet and _has_header(book, n, table)]
            return found
        where = (_("工作表 {sheet}").format(sheet=repr(sheet)) if sheet and not every
                 else _("任何工作表（{sheets}）").format(sheets="、".join(tried)))
        raise ProjectsError(
            _("{path}：在{where}中找不到台账表头：前 30 行中应有一行写明项目名称和总投资、责任单位、计划开工时间等列").format(
                path=path, where=where)
            + ("" if sheet and not every else _("；请用 --sheet 指定工作表"))
        )
    finally:
        book.close()


def _has_header(book: Workbook, name: str, table: Mapping[str, str]) -> bool:
    """Whether a sheet holds a ledger table (a header within its first rows; a form is not one)."""
    rows = book.sheet(name).rows()
    preview = [(i, r) for i, r, _ in islice(rows, parse.HEADER_SCAN + parse.MAX_HEADER_ROWS)]
    try:
        return parse.find_header(preview, table) is not None
    except parse.FormSheet:
        return False
