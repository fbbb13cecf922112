"""Shared workbook styling: the one look of every workbook the office files.

Every openpyxl writer (the ledger and its dispatch and error files in
`ledger/`, the overdue report in `services/report.py`, the cards report, the
sheets laid out by `sheets/layout.py`) takes its colours, fonts, borders,
alignments, number formats, column widths, row heights and print setup from
here; none defines a look of its own. One palette, two sizes of the same look:

* tables (ledger, dispatch, reports, error files): 宋体 10 pt, a 16 pt title, a
  blue-grey header, grey section rows, yellow 合计 rows, card colours as fills,
  narrow margins, page numbers in the footer;
* documents (督办单, 亮牌通知, 周报, `DOCUMENT_FONTS`): the same palette at
  reading size (12 pt text, 11 pt tables, a 20 pt title), dates written
  2025年10月31日, wider margins, a 公文 page number (— 1 —).

openpyxl is used for writing only (reading goes through python-calamine, see
`ledger/reader.py`). The table helpers work in write-only mode, which streams
rows to disk: a styled cell is a template `WriteOnlyCell` created once per
column and given a new value for each row, so a 100,000-row sheet costs little
more than a bare dump; `stream_cells` also gives each row with wrapped text the
height it needs (LibreOffice, unlike Excel, does not grow rows by itself).
Column widths, panes and print setup of a write-only sheet are written with its
first row, so `set_widths` and `print_setup` refuse a sheet already begun.

Text that starts with ``=``, ``+``, ``-`` or ``@`` is always written as text,
never as a formula: ledgers come from outside, and a project named
``=HYPERLINK(…)`` must not become a live link.
"""

from __future__ import annotations

import math
from copy import copy
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
HEADING_FONT_NAME = "黑体"  # the headings of a document (一、二、…)

# ---------------------------------------------------------------- the palette (Excel RGB)

INK = "000000"
HEADER_COLOUR = "D9E1F2"  # table headers
GREY = "F2F2F2"  # section rows, field labels, the office's locked cells in a dispatch
LIGHT_YELLOW = "FFF2CC"  # 合计 rows, the cells a unit fills in
AMBER = "FFD966"  # headers of the columns a unit fills in
ERROR_COLOUR = "FFC7CE"
WARNING_COLOUR = "FFEB9C"
RULE_RED = "C00000"  # the red line under a document's number
HINT_GREY = "808080"  # the hints of a form to fill in
# 红黄蓝牌 as cell fills: light enough that the text stays readable when printed …
CARD_COLOURS = {"red": "FF8B8B", "yellow": "FFE066", "blue": "9DC3E6"}
# … and as chart bars, which carry no text and may be stronger.
CARD_CHART_COLOURS = {"red": "E06666", "yellow": "F1C232", "blue": "6FA8DC"}
SERIES_COLOURS = ("2F5597", RULE_RED, "7F7F7F", "548235", "BF9000", "7030A0")  # chart series in order

# ---------------------------------------------------------------- fonts, fills, borders, alignments

THIN = Side(style="thin", color=INK)
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
NUMBER_RULE = Border(bottom=Side(style="medium", color=RULE_RED))

TITLE_FONT = Font(name=FONT_NAME, size=16, bold=True)
BODY_FONT = Font(name=FONT_NAME, size=10)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
INFO_FONT = BODY_FONT  # the line under a title: unit, as-of date, counts
SECTION_FONT = HEADER_FONT  # section, subtotal and 合计 rows

_TEXT_FONT = Font(name=FONT_NAME, size=12)
DOCUMENT_FONTS = {  # by block of `sheets.markup`
    "title": Font(name=FONT_NAME, size=20, bold=True),
    "subtitle": Font(name=FONT_NAME, size=13),
    "number": _TEXT_FONT,
    "to": _TEXT_FONT,
    "para": _TEXT_FONT,
    "heading": Font(name=HEADING_FONT_NAME, size=12, bold=True),
    "caption": Font(name=FONT_NAME, size=12, bold=True),
    "note": BODY_FONT,
    "cell": Font(name=FONT_NAME, size=11),
    "head": Font(name=FONT_NAME, size=11, bold=True),
    "hint": Font(name=FONT_NAME, size=10, italic=True, color=HINT_GREY),
}


def _solid(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour)


HEADER_FILL = _solid(HEADER_COLOUR)
SECTION_FILL = _solid(GREY)
LABEL_FILL = LOCKED_FILL = SECTION_FILL  # one grey: section rows, field labels, locked cells
TOTAL_FILL = _solid(LIGHT_YELLOW)
OPEN_FILL = TOTAL_FILL  # one light yellow: 合计 rows, the cells a unit fills in
OPEN_HEADER_FILL = _solid(AMBER)
ERROR_FILL = _solid(ERROR_COLOUR)
WARNING_FILL = _solid(WARNING_COLOUR)
CARD_FILLS = {color: _solid(rgb) for color, rgb in CARD_COLOURS.items()}

CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center")
LEFT_WRAP = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)  # paragraphs, rows of several lines
RIGHT = Alignment(horizontal="right", vertical="center")  # numbers (which never wrap)

MONEY_FORMAT = "#,##0.00"  # 万元
AREA_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"  # tables: as the ledger is filled in and read back
LONG_DATE_FORMAT = 'yyyy"年"m"月"d"日"'  # documents: as a sentence writes it
PERCENT_FORMAT = "0.0%"
POINTS_FORMAT = "0.0"  # a rate already in percent (83.3), or percentage points

# ---------------------------------------------------------------- widths and heights

# Widths in Excel character units (a Chinese character takes about two).
MIN_WIDTH = 6
MAX_WIDTH = 40
WRAP_WIDTH = 30  # long text columns wrap at this width
DEFAULT_WIDTH = 8.43  # Excel's, for a column given none
DEFAULT_HEIGHT = 15.0  # points: a row given no height
MAX_HEIGHT = 409.0  # points: the tallest row Excel allows
LINE_SPACING = 1.5  # a line of wrapped text takes 1.5 × the font size (points)
UNIT_POINTS = 11.0  # a width unit holds half a Chinese character at about this size


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


def text_lines(text: str, width: float, size: float = 10) -> int:
    """Lines a text takes wrapped in a column `width` units wide at `size` points (each line break starts one)."""
    room = max(width - 1, 1) * UNIT_POINTS / size
    return sum(max(1, math.ceil(text_width(part) / room)) for part in str(text).split("\n"))


def row_height(lines: int, size: float = 10) -> float:
    """Points for `lines` lines of `size`-point text (at most the tallest row Excel allows)."""
    return min(MAX_HEIGHT, lines * size * LINE_SPACING)


def set_widths(ws, widths: Sequence[float]) -> None:
    _not_begun(ws, "column widths")
    for index, value in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = value


def _not_begun(ws, what: str) -> None:
    # a write-only sheet writes its widths, panes and page properties with its first row
    if getattr(ws, "_writer", None) is not None:
        raise RuntimeError(f"{what} of write-only sheet {ws.title!r} set after its first row")


# ---------------------------------------------------------------- print setup

PAPER_CODES = {"A3": "8", "A4": "9"}  # OOXML paper codes
PAPER_POINTS = {"A3": (841.9, 1190.6), "A4": (595.3, 841.9)}  # portrait width, height
TABLE_MARGINS = (0.4, 0.5)  # inches: left and right, top and bottom
DOCUMENT_MARGINS = (0.6, 0.7)
TABLE_FOOTER = "第 &P 页，共 &N 页"
DOCUMENT_FOOTER = "— &P —"  # as 公文 number their pages


def every_label(chart) -> None:
    """A chart's axes shown with every category's label (Excel and LibreOffice otherwise skip labels that do
    not fit, and openpyxl's default hides the axes in newer Excel)."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.tickMarkSkip = 1
    # small enough that every label fits beside its bars (LibreOffice drops labels that would overlap)
    size = CharacterProperties(sz=800)
    chart.x_axis.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def print_setup(ws, *, ncols: int, title_rows: str | None, paper: str = "auto", landscape: bool = True,
                margins: tuple[float, float] = TABLE_MARGINS, footer: str = TABLE_FOOTER) -> None:
    """Landscape, A3 for wide sheets (A4 otherwise), header rows repeated on every page, fit to width, page numbers."""
    _not_begun(ws, "print setup")
    if paper == "auto":
        paper = "A3" if ncols > 12 else "A4"
    ws.page_setup.paperSize = PAPER_CODES[paper]
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = margins[0]
    ws.page_margins.top = ws.page_margins.bottom = margins[1]
    ws.oddFooter.center.text = footer
    ws.oddFooter.center.font = FONT_NAME
    ws.oddFooter.center.size = 9
    if title_rows:
        ws.print_title_rows = title_rows


def printable_area(paper: str, landscape: bool, margins: tuple[float, float]) -> tuple[float, float]:
    """Width and height (points) inside the margins of a page."""
    width, height = PAPER_POINTS[paper]
    if landscape:
        width, height = height, width
    return width - 2 * 72 * margins[0], height - 2 * 72 * margins[1]


POINTS_PER_UNIT = 7 * 0.75  # a width unit is 7 pixels of the default font, a pixel 3/4 point


def fit_scale(widths: Sequence[float], printable_width: float) -> float:
    """The scale a sheet of these column widths prints at, fitted to the page's width."""
    return min(1.0, printable_width / max(1.0, sum(widths) * POINTS_PER_UNIT))


# ---------------------------------------------------------------- cells of write-only sheets


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
    _set_style(cell, font, alignment, border, fill, number_format)
    return cell


def _set_style(cell, font=None, alignment=None, border=None, fill=None, number_format=None) -> None:
    """Give a cell what is given (None: leave it)."""
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    if fill is not None:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format


# A table column's look by the kind of its values: alignment and number format (ledger, dispatch, reports).
COLUMN_LOOKS = {
    "text": (LEFT, None),
    "wrap": (LEFT_WRAP, None),  # long text
    "note": (LEFT_WRAP, None),  # text a unit writes
    "money": (RIGHT, MONEY_FORMAT),
    "area": (RIGHT, AREA_FORMAT),
    "rate": (RIGHT, PERCENT_FORMAT),
    "points": (RIGHT, POINTS_FORMAT),
    "date": (CENTER, DATE_FORMAT),
    "ahead": (CENTER, DATE_FORMAT),  # a date that may be after the as-of date (a next follow-up)
    "seq": (CENTER, None),
    "card": (CENTER, None),
    "state": (CENTER, None),
    "stage": (CENTER, None),
    "lead_stage": (CENTER, None),
    "code": (CENTER, None),  # codes, names of people, days, tiers: short values in narrow columns
    "count": (RIGHT, None),  # counts summed in a 合计 row
}


def column_cell(ws, kind: str, *, fill=None) -> WriteOnlyCell:
    """A body cell of a table column holding values of this kind (`COLUMN_LOOKS`)."""
    alignment, number_format = COLUMN_LOOKS[kind]
    return styled(ws, fill=fill, alignment=alignment, number_format=number_format)


def header_cell(ws, *, fill=HEADER_FILL) -> WriteOnlyCell:
    """A table's header cell: bold, filled, centred, wrapped."""
    return styled(ws, font=HEADER_FONT, fill=fill, alignment=CENTER)


def section_cell(ws, *, fill=SECTION_FILL, alignment=LEFT, number_format=None) -> WriteOnlyCell:
    """A section, subtotal or 合计 row's cell: bold on grey (yellow for 合计)."""
    return styled(ws, font=SECTION_FONT, fill=fill, alignment=alignment, number_format=number_format)


def info_cell(ws, *, alignment=LEFT) -> WriteOnlyCell:
    """The text beside a table (unit, as-of date, counts): unbordered."""
    return styled(ws, font=INFO_FONT, border=None, alignment=alignment)


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
    """Let a write-only sheet take rows of ready cells, each row as tall as its wrapped text.

    openpyxl's write-only `append` first tries each item as a plain value and
    falls back to a cell through an exception (and a repr of the cell), then
    makes a fresh cell for the next item: half the time of a styled export.
    Every row appended to `ws` after this must be a list of cells (or None).
    A row given a height before it is appended (a title) keeps it; any other
    row with text wrapped over several lines gets the height of those lines.
    """
    dims = ws.row_dimensions
    wb = ws.parent
    rooms: dict[tuple[int, int, int], tuple[float, float]] = {}  # (column, alignment, font) → (room, size)
    # by column, a template cell's id → (room, size, the cell: held, so that its id is not reused)
    known: list[dict[int, tuple[float, float, Cell]]] = []

    def room(index: int, style) -> tuple[float, float]:
        """Width units a line holds in this column at this font (0: not wrapped), and the font's size."""
        key = (index, style.alignmentId, style.fontId)
        got = rooms.get(key)
        if got is None:
            dim = ws.column_dimensions.get(get_column_letter(index + 1))  # .get: [] would add a column
            width = dim.width if dim is not None and dim.width else DEFAULT_WIDTH
            size = wb._fonts[style.fontId].sz or 11
            wraps = wb._alignments[style.alignmentId].wrapText
            got = rooms[key] = (max(width - 1, 1) * UNIT_POINTS / size if wraps else 0.0, size)
        return got

    def positioned(values, row_idx):
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column = col_idx
            cell.row = row_idx
            yield cell

    def cells_to_row(values, row_idx):
        # the writer reads the row's height as soon as this returns, so it is set here, not in the generator
        dims.pop(row_idx - 1, None)  # written: no need to hold it
        if row_idx in dims:
            return positioned(values, row_idx)
        while len(known) < len(values):
            known.append({})
        height = 0.0
        for i, cell in enumerate(values):
            if cell is None:
                continue
            value = cell._value
            if type(value) is not str:
                continue
            got = known[i].get(id(cell))
            if got is None:
                units, size = room(i, cell._style)
                if type(cell) is TemplateCell:  # the same cell row after row
                    known[i][id(cell)] = (units, size, cell)
            else:
                units, size = got[0], got[1]
            if not units or (len(value) * 2 <= units and "\n" not in value):
                continue
            if "\n" in value:
                lines = sum(max(1, math.ceil(text_width(part) / units)) for part in value.split("\n"))
            else:
                lines = math.ceil(((len(value.encode("utf-8")) + len(value)) // 2) / units)
            if lines > 1:
                height = max(height, row_height(lines, size))
        if height:
            # what the writer puts in the row's tag, given as it reads a RowDimension (a third of the time)
            dims[row_idx] = {"ht": f"{height:g}", "customHeight": "1"}
        return positioned(values, row_idx)

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


def info_row(ws, text: str, ncols: int, row: int, *, height: float = 20, alignment=LEFT) -> list[WriteOnlyCell]:
    """The text under a title across all columns (merged): counts, instructions."""
    return title_row(ws, text, ncols, row, font=INFO_FONT, height=height, alignment=alignment)


# ---------------------------------------------------------------- cells of ordinary sheets


class CellStyles:
    """Styles for an ordinary (not write-only) sheet: each combination built once and copied after.

    openpyxl hashes every style it is given; a document sheet sets thousands of
    cells to a dozen combinations.
    """

    def __init__(self) -> None:
        self._styles: dict[tuple, Any] = {}
        self._keep: list[tuple] = []

    def apply(self, cell, font=None, alignment=None, border=None, fill=None, number_format=None) -> None:
        key = (id(font), id(alignment), id(border), id(fill), number_format)
        cached = self._styles.get(key)
        if cached is None:
            _set_style(cell, font, alignment, border, fill, number_format)
            self._keep.append((font, alignment, border, fill))  # the ids in the key stay unique
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(cached)
