"""`ledger import --errors FILE.xlsx`: the offending rows written back for the unit to fix and resend.

The header rows and every row with a problem, as the ledger had them, each
with its original Excel row number in front and the problems in words at the
end; every bad cell is highlighted (red: error, yellow: warning) and carries a
comment saying what is wrong and what was expected.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook

from projects_cli.ledger.parse import Problem
from projects_cli.ledger.reader import Limits
from projects_cli.ledger.reader import Workbook as Ledger
from projects_cli.workbooks import styling
from projects_cli.writes import save_workbook


def write_error_workbook(
    dest: Path, source: Path, sheet: str, header_rows: tuple[int, int], problems: Sequence[Problem],
    limits: Limits | None = None,
) -> int:
    """Write the rows with problems to `dest`; returns how many ledger rows it holds."""
    by_row: dict[int, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row or header_rows[0]].append(problem)
    first, last = header_rows
    wanted = set(by_row) | set(range(first, last + 1))
    book = Ledger(source, limits)
    try:
        raw = book.sheet(sheet)
        rows: list[tuple[int, list[Any]]] = [(i + 1, row) for i, row, _ in raw.rows() if i + 1 in wanted]
    finally:
        book.close()
    width = max((len(r) for _, r in rows), default=1)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("问题行")
    ncols = width + 2
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    styling.set_widths(ws, [8] + [14] * width + [60])
    styling.print_setup(ws, ncols=ncols, title_rows=f"2:{last - first + 2}")  # the ledger's header on every page
    ws.freeze_panes = f"B{last - first + 3}"
    styling.stream_cells(ws)
    ws.append(styling.title_row(
        ws, f"{source.name}（{sheet}）的问题行：错误 {errors} 处，提醒 {warnings} 处；红色为错误，黄色为提醒，改正后重新报送",
        ncols, 1, font=styling.HEADER_FONT, height=24, alignment=styling.LEFT,
    ))
    head = styling.header_cell(ws)
    body = styling.styled(ws, alignment=styling.LEFT_WRAP)
    ledger_rows = 0
    for number, values in rows:
        is_header = first <= number <= last
        template = head if is_header else body
        marks: dict[int, list[Problem]] = defaultdict(list)
        for problem in by_row.get(number, []):
            if problem.column:
                marks[_index(problem.column)].append(problem)
        cells = [styling.one_off(ws, "原行号" if is_header and number == first else (None if is_header else number), template)]
        for col in range(width):
            value = values[col] if col < len(values) else None
            value = None if value == "" else value
            found = marks.get(col)
            if found:
                fill = styling.ERROR_FILL if any(p.severity == "error" for p in found) else styling.WARNING_FILL
                note = "\n".join(f"{'错误' if p.severity == 'error' else '提醒'}: {p.message}" for p in found)
                cells.append(styling.one_off(ws, value, template, fill=fill, comment=note))
            else:
                cells.append(styling.one_off(ws, value, template))
        words = "；".join(f"{p.column or '整行'}列 {p.header}: {p.message}" if p.column else p.message
                         for p in by_row.get(number, []))
        label = "问题说明" if is_header and number == first else words
        cells.append(styling.one_off(ws, label or None, template))
        ws.append(cells)
        ledger_rows += 0 if is_header else 1
    save_workbook(wb, dest)
    return ledger_rows


def _index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter) - 1
