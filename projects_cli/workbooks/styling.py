"""Shared workbook styling: the look of every sheet the office files (ledger, reports, error files).

openpyxl is used for writing only (reading goes through python-calamine, see
`ledger/reader.py`). The helpers work in write-only mode, which streams rows to
disk: a styled cell is a template `WriteOnlyCell` created once per column and
given a new value for each row, so a 100,000-row sheet costs little more than
a bare dump.

Text that starts with ``=``, ``+``, ``-`` or ``@`` is always written as text,
never as a formula: ledgers come from outside, and a project named
``=HYPERLINK(…)`` must not become a live link.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

FORMULA_START = ("=", "+", "-", "@")
_ILLEGAL = ILLEGAL_CHARACTERS_RE
FONT_NAME = "宋体"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
INFO_FONT = Font(name=FONT_NAME, size=10)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10)
SECTION_FONT = Font(name=FONT_NAME, size=10, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="F2F2F2")
TOTAL_FILL = PatternFill("solid", fgColor="FFF2CC")
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
# 红黄蓝牌 as cell fills; light enough that the text stays readable when printed.
CARD_FILLS = {
    "red": PatternFill("solid", fgColor="FF8B8B"),
    "yellow": PatternFill("solid", fgColor="FFE066"),
    "blue": PatternFill("solid", fgColor="9DC3E6"),
}
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center")
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

MONEY_FORMAT = "#,##0.00"  # 万元
AREA_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"

# Widths in Excel character units (a Chinese character takes about two).
MIN_WIDTH = 6
MAX_WIDTH = 40
WRAP_WIDTH = 30  # long text columns wrap at this width


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def set_value(cell, value: Any) -> None:
    """Put a value in a cell; text that looks like a formula stays text."""
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"


def text_width(value: Any) -> int:
    """Display width of a value in character units: a Chinese character counts two.

    UTF-8 length is 1 for ASCII and 3 for CJK, so (bytes + chars) / 2 gives 1 and 2;
    computed in C, it keeps width-fitting cheap on 100,000 rows.
    """
    if value is None:
        return 0
    if isinstance(value, (date, datetime)):
        return 10
    if isinstance(value, (int, float, Decimal)):
        return len(f"{value:,.2f}") if not isinstance(value, bool) else 2
    text = str(value)
    return (len(text.encode("utf-8")) + len(text)) // 2


def fit_width(widest: int, *, wrap: bool = False) -> float:
    """A column width for the widest value: a little padding, between MIN_WIDTH and MAX_WIDTH (WRAP_WIDTH if wrapped)."""
    limit = WRAP_WIDTH if wrap else MAX_WIDTH
    return float(max(MIN_WIDTH, min(limit, widest + 2)))


class TemplateCell(Cell):
    """A write-only cell styled once and written row after row: its style's id is looked up once.

    (openpyxl looks the style up in the workbook's list, hashing it, twice for
    every cell written; on 100,000 rows × 28 columns that is a tenth of the time.)
    Style it before its first row; later style changes would not be seen.
    """

    __slots__ = ("_style_id",)

    @property
    def style_id(self) -> int:
        try:
            return self._style_id
        except AttributeError:
            self._style_id = self.parent.parent._cell_styles.add(self._style)
            return self._style_id

    @property
    def has_style(self) -> bool:
        return True


def styled(ws, *, font=BODY_FONT, fill=None, border=BORDER, alignment=LEFT, number_format=None) -> WriteOnlyCell:
    """A template cell for write-only sheets: style it once, then give it a value per row."""
    cell = TemplateCell(ws, row=1, column=1)
    cell.font = font
    if fill is not None:
        cell.fill = fill
    if border is not None:
        cell.border = border
    if alignment is not None:
        cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    return cell


def one_off(ws, value: Any, template: WriteOnlyCell, *, fill=None, comment: str | None = None) -> WriteOnlyCell:
    """A fresh cell styled like `template` (for a cell that differs: a fill, a comment)."""
    cell = WriteOnlyCell(ws)
    cell._style = template._style.__copy__()
    if fill is not None:
        cell.fill = fill
    set_value(cell, value)
    if comment:
        cell.comment = Comment(comment, "projects")
        cell.comment.width = 300
        cell.comment.height = 120
    return cell


def fill_row(templates: Sequence[WriteOnlyCell], values: Iterable[Any]) -> list[WriteOnlyCell]:
    """The template cells holding this row's values (one per value).

    Safe to reuse row after row: a write-only sheet writes each row as it is
    appended. Text is stored as text whatever it starts with (never a formula),
    without the characters XML cannot hold.
    """
    out = []
    for cell, value in zip(templates, values):
        out.append(cell)
        if value is None or value == "":
            cell._value = None
            cell.data_type = "n"
        elif type(value) is str:
            if _ILLEGAL.search(value):
                value = _ILLEGAL.sub("", value)
            cell._value = value
            cell.data_type = "s"
        else:
            cell.value = value
    return out


def stream_cells(ws) -> None:
    """Let a write-only sheet take rows of ready cells without re-typing each one.

    openpyxl's write-only `append` first tries each item as a plain value and
    falls back to a cell through an exception (and a repr of the cell), then
    makes a fresh cell for the next item: half the time of a styled export.
    Every row appended to `ws` after this must be a list of cells (or None).
    """
    def cells_to_row(values, row_idx):
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    ws._values_to_row = cells_to_row


def title_row(ws, text: str, ncols: int, row: int, *, font=TITLE_FONT, height: float = 30,
              alignment=CENTER) -> list[WriteOnlyCell]:
    """A title across all columns (merged), for write-only sheets: append the returned row."""
    cell = styled(ws, font=font, border=None, alignment=alignment)
    set_value(cell, text)
    ws.row_dimensions[row].height = height
    if ncols > 1:
        ws.merged_cells.add(f"A{row}:{get_column_letter(ncols)}{row}")
    return [cell]


def print_setup(ws, *, ncols: int, title_rows: str | None, paper: str = "auto", landscape: bool = True) -> None:
    """Landscape, A3 for wide sheets (A4 otherwise), header rows repeated on every page, fit to width."""
    if paper == "auto":
        paper = "A3" if ncols > 12 else "A4"
    ws.page_setup.paperSize = "8" if paper == "A3" else "9"  # OOXML paper codes: 8 = A3, 9 = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def set_widths(ws, widths: Sequence[float]) -> None:
    for index, value in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = value
