"""Lay out rendered sheets (`blocks.Document`) as Excel, a printable HTML page, or Markdown.

The template decides the texts and the order of blocks; these writers decide
how each block looks. Excel, in the look of `workbooks.styling` (its document
fonts, palette and print setup): a merged title, bordered tables, card-colour
fills, A4 fit to the page width, charts as Excel charts, rows as tall as their
text, and pages broken by the writer so that a table that fits on a page is
not split and a longer one repeats its header on each page. HTML: one
self-contained page (inline CSS and SVG, nothing fetched) laid out by the
``page.html`` template, which the office may override like any other. Markdown:
plain text for e-mail and chat.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from projects_cli.sheets.markup import Block, Document, Row, Value, display

ROW_CLASSES = {"red": "card-red", "yellow": "card-yellow", "blue": "card-blue", "bold": "bold", "total": "total"}


@dataclass
class Sheet:
    """One rendered document and the name of its worksheet (a unit's name, 周报 …)."""

    name: str
    doc: Document


def is_number(value: Value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def whole_numbers(block: Block) -> bool:
    """Whether a chart's values are all whole numbers (counts): its axis then steps by whole numbers too."""
    values = [v for r in block.rows[1:] for v in r.cells[1:] if is_number(v)]
    return bool(values) and all(v == int(v) for v in values)


# ---------------------------------------------------------------- Excel


def _sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique worksheet name (31 characters, none of []:*?/\\)."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    base = clean[:31]
    title, n = base, 2
    while title.lower() in used:
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def spans(k: int, grid: int) -> list[int]:
    """k cells over a grid as evenly as can be, the first ones wider: spans(3, 8) = [3, 3, 2]."""
    k = max(1, min(k, grid))
    base, extra = divmod(grid, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def block_spans(block: Block, grid: int) -> list[int]:
    """Grid columns each cell of a block covers: one at least, the rest to the cells with the most text."""
    from projects_cli.workbooks.styling import MAX_WIDTH, text_width

    if block.kind == "feedback":
        return spans(FEEDBACK_WIDTH, grid)
    k = max(1, block.width)
    need = [4] * k
    for row in block.rows:
        for j, value in enumerate(row.cells):
            need[j] = max(need[j], min(MAX_WIDTH, text_width(display(value))))
    out = [1] * k
    for _ in range(max(0, grid - k)):
        j = max(range(k), key=lambda j: (need[j] / out[j], -j))
        out[j] += 1
    return out


def row_spans(cells: int, base: list[int], grid: int) -> list[int]:
    """Spans of a row of `cells` cells over the block's spans: a short row's last cell takes the rest."""
    if cells >= len(base):
        return base[:cells]
    head = base[: cells - 1]
    return head + [grid - sum(head)]


FEEDBACK_WIDTH = 4  # a feedback row is label | value, the label a quarter of the width


def _feedback_cells(row: Row) -> list[Value]:
    """A feedback row is always label | hint (the hint may be blank)."""
    return [row.cells[0], row.cells[1] if len(row.cells) > 1 else ""]


def _grid(doc: Document) -> int:
    widths = [b.width for b in doc.blocks if b.kind in ("table", "fields", "chart")]
    widths += [2 for b in doc.blocks if b.kind == "feedback"]
    return max([4, *widths])


def _column_widths(doc: Document, grid: int, total: float) -> list[float]:
    """Widths of the grid's columns: each as its text needs, spread to `total` units (the page's width)."""
    from projects_cli.workbooks.styling import MIN_WIDTH, fit_width, text_width

    natural = [float(MIN_WIDTH)] * grid
    for block in doc.blocks:
        if block.kind not in ("table", "fields", "chart") or not block.rows:
            continue
        base = block_spans(block, grid)
        for row in block.rows:
            col = 0
            for value, span in zip(row.cells, row_spans(len(row.cells), base, grid)):
                need = fit_width(text_width(display(value))) / span
                for c in range(col, col + span):
                    natural[c] = max(natural[c], need)
                col += span
    scale = total / sum(natural)
    if scale > 1:
        return [round(w * scale, 1) for w in natural]
    return natural


PAPER = "A4"


def write_xlsx(sheets: Sequence[Sheet], path: Path) -> None:
    """One worksheet per document, A4, fitted to the page width."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.name, used))
        _XlsxSheet(ws, sheet.doc).write()
    from projects_cli.writes import save_workbook

    save_workbook(wb, path)


def _merge(ws, coord: str) -> None:
    """ws.merge_cells without its overlap check, which scans every merged range so far (quadratic on
    long tables); the writer never overlaps its own ranges."""
    from openpyxl.worksheet.merge import MergedCellRange

    merged = MergedCellRange(ws, coord)
    ws.merged_cells.ranges.add(merged)
    ws._clean_merge_range(merged)


class _XlsxSheet:
    """One document as a worksheet, in the look of `workbooks.styling`, paginated as it is written.

    The writer keeps count of the points used on the current page and breaks
    the page itself: before a table that would not fit (when the whole table
    fits on a page; else before its caption, header and first rows), before a
    chart, a signature or a heading with too little room after it, and in a
    table too long for one page, where the new page starts with the table's
    header again. Row heights are its own (exact); the scale is estimated from
    the column widths (Excel's metrics: a wider font only shrinks the print and
    leaves more room), so it fills PAGE_FILL of a page and the application's
    own break never comes first.
    """

    PAGE_FILL = 0.98
    GAP = 8.0  # points between blocks
    SIGNATURE_GAP = 16.0

    def __init__(self, ws, doc: Document):
        from projects_cli.workbooks import styling

        self.ws, self.doc, self.x = ws, doc, styling
        self.grid = _grid(doc)
        width, height = styling.printable_area(PAPER, doc.landscape, styling.DOCUMENT_MARGINS)
        self.widths = _column_widths(doc, self.grid, width / styling.POINTS_PER_UNIT)
        self.page = height / styling.fit_scale(self.widths, width) * self.PAGE_FILL
        self.row, self.y = 1, 0.0
        self.fonts = styling.DOCUMENT_FONTS
        self.styles = styling.CellStyles()

    # -- pages

    def keep(self, height: float) -> bool:
        """Start a new page here unless `height` more points fit on this one; whether it did."""
        from openpyxl.worksheet.pagebreak import Break

        if self.y > 0 and self.y + height > self.page:
            self.ws.row_breaks.append(Break(id=self.row - 1))
            self.y = 0.0
            return True
        return False

    def next_row(self, height: float) -> None:
        current = self.ws.row_dimensions[self.row].height or 0
        self.ws.row_dimensions[self.row].height = max(current, height)
        self.y += height
        self.row += 1

    # -- cells

    def merged(self, first: int, last: int, value: Any, *, font, alignment, border=None, fill=None) -> None:
        from openpyxl.utils import get_column_letter

        ws, r = self.ws, self.row
        cell = ws.cell(row=r, column=first)
        self.x.set_value(cell, value)
        number_format = self.x.LONG_DATE_FORMAT if isinstance(value, date) else None
        self.styles.apply(cell, font, alignment, border, fill, number_format)
        if last > first:
            _merge(ws, f"{get_column_letter(first)}{r}:{get_column_letter(last)}{r}")
            for c in range(first + 1, last + 1):  # borders and fills of a merged range sit on every cell
                self.styles.apply(ws.cell(row=r, column=c), None, None, border, fill)

    def width_of(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1 : last])

    def line_height(self, value: Any, font, first: int = 1, last: int | None = None, min_lines: int = 1) -> float:
        text = display(value) if value is not None else ""
        lines = max(min_lines, self.x.text_lines(text, self.width_of(first, last or self.grid), font.sz))
        return self.x.row_height(lines, font.sz)

    def line(self, value: Any, *, font, alignment, first: int = 1, last: int | None = None, border=None) -> None:
        last = last or self.grid
        height = self.line_height(value, font, first, last)
        self.keep(height)
        self.merged(first, last, value, font=font, alignment=alignment, border=border)
        self.next_row(height)

    def gap(self, height: float = GAP) -> None:
        """Space between blocks; none at the top of a page."""
        if self.y > 0 and not self.keep(height):
            self.next_row(height)

    def table_cells(self, row: Row, base: list[int], *, header: bool = False, label_cols: bool = False,
                    min_lines: int = 1, hint: bool = False) -> tuple[list[tuple], float]:
        """The merged cells of a table row as (first, last, value, font, alignment, fill), and the row's height."""
        x, f = self.x, self.fonts
        fill = None
        if not header:
            color = next((s for s in row.styles if s in x.CARD_FILLS), None)
            fill = x.CARD_FILLS[color] if color else (x.TOTAL_FILL if "total" in row.styles else None)
        bold = header or "bold" in row.styles or "total" in row.styles
        col, lines, cells = 1, min_lines, []
        for i, (value, span) in enumerate(zip(row.cells, row_spans(len(row.cells), base, self.grid))):
            label = label_cols and i % 2 == 0
            if header or label:
                font, align = f["head"], x.CENTER
            elif hint and value != "":
                font, align = f["hint"], x.TOP_LEFT_WRAP
            else:
                font = f["head"] if bold else f["cell"]
                align = x.RIGHT if is_number(value) else (x.TOP_LEFT_WRAP if min_lines > 1 else x.LEFT_WRAP)
            cell_fill = x.HEADER_FILL if header else (x.LABEL_FILL if label else fill)
            cells.append((col, col + span - 1, value, font, align, cell_fill))
            lines = max(lines, x.text_lines(display(value), self.width_of(col, col + span - 1), f["cell"].sz))
            col += span
        return cells, x.row_height(lines, f["cell"].sz)

    def table_row(self, cells: list[tuple], height: float) -> None:
        for first, last, value, font, align, fill in cells:
            self.merged(first, last, value, font=font, alignment=align, border=self.x.BORDER, fill=fill)
        self.next_row(height)

    def table(self, block: Block, *, header: bool, caption: str = "", caption_align=None, whole: bool = False,
              repeat: bool = True, **kinds) -> int:
        """A bordered table after a gap: kept on one page when it fits, else split with its header repeated.

        `whole`: kept together even without a header (a form to fill in); `repeat`: False keeps the
        table's rows one range (a chart's data), the header not repeated; `kinds` as `table_cells`
        takes them. Returns the row of its first line.
        """
        base = block_spans(block, self.grid)
        rows = [Row(_feedback_cells(r)) for r in block.rows] if block.kind == "feedback" else block.rows
        made = [self.table_cells(r, base, header=header and i == 0, **kinds) for i, r in enumerate(rows)]
        heights = [h for _, h in made]
        cap = self.line_height(caption, self.fonts["caption"]) if caption else 0.0
        total = self.GAP + cap + sum(heights)
        lead = self.GAP + cap + sum(heights[: 3 if header or not whole else len(heights)])
        self.keep(total if total <= self.page else lead)
        self.gap()
        if caption:
            self.line(caption, font=self.fonts["caption"], alignment=caption_align or self.x.CENTER)
        first = self.row
        for i, (cells, height) in enumerate(made):
            if self.keep(height) and header and repeat and i > 0:
                self.table_row(*made[0])  # the header again at the top of the new page
            self.table_row(cells, height)
        return first

    # -- blocks

    def write(self) -> None:
        x = self.x
        for block in self.doc.blocks:
            kind, f = block.kind, self.fonts
            if kind == "title":
                self.line(block.text, font=f["title"], alignment=x.CENTER)
            elif kind == "subtitle":
                self.line(block.text, font=f["subtitle"], alignment=x.CENTER)
            elif kind == "number":
                self.line(block.text, font=f["number"], alignment=x.CENTER, border=x.NUMBER_RULE)
                self.gap()
            elif kind == "to":
                self.line(block.text, font=f["to"], alignment=x.LEFT_WRAP)
            elif kind == "heading":
                # with room for a few lines of what follows, never alone at the foot of a page
                self.keep(self.GAP + self.line_height(block.text, f["heading"]) + x.row_height(3, f["para"].sz))
                self.gap()
                self.line(block.text, font=f["heading"], alignment=x.LEFT_WRAP)
            elif kind == "para":
                self.line("\u3000\u3000" + block.text, font=f["para"], alignment=x.TOP_LEFT_WRAP)
            elif kind in ("note", "cc"):
                self.line(block.text, font=f["note"], alignment=x.LEFT_WRAP)
            elif kind == "urgency":
                self.line(block.text, font=f["heading"], alignment=x.LEFT_WRAP)
            elif kind == "pagebreak":
                self.keep(self.page + 1)
            elif kind == "table":
                self.table(block, header=True, caption=block.text)
            elif kind == "fields":
                self.table(block, header=False, label_cols=True)
            elif kind == "feedback":
                self.table(block, header=False, caption=block.text, caption_align=x.LEFT_WRAP, whole=True,
                           label_cols=True, min_lines=4, hint=True)
            elif kind == "chart":
                self.chart(block)
            elif kind == "signature":
                heights = [self.line_height(r.cells[0], f["para"]) for r in block.rows]
                self.keep(self.SIGNATURE_GAP + sum(heights))
                self.gap(self.SIGNATURE_GAP)
                half = self.grid // 2 + 1
                for row in block.rows:
                    self.line(row.cells[0], font=f["para"], alignment=x.CENTER, first=half)
        ws = self.ws
        x.set_widths(ws, self.widths)
        x.print_setup(ws, ncols=self.grid, title_rows=None, paper=PAPER, landscape=self.doc.landscape,
                      margins=x.DOCUMENT_MARGINS, footer=x.DOCUMENT_FOOTER)
        ws.sheet_view.showGridLines = False

    def chart(self, block: Block) -> None:
        """The chart's table, then the chart as an Excel chart under it (on the next page if it does not fit)."""
        from openpyxl.chart import BarChart, Reference

        chart_kind, _, title = block.text.partition(" ")
        categories = max(1, len(block.rows) - 1)
        # bars: a row (about 0.53 cm, twice the 8 pt label) per category, so every label has room beside its bars
        # and the chart still fits a page with its table; columns: their labels run along the bottom
        rows_needed = max(14, min(40, categories + 6)) if chart_kind == "bar" else 14
        # caption, table and chart on one page when they fit one: never a table stranded from its chart
        together = (len(block.rows) + 2) * self.x.DEFAULT_HEIGHT + (rows_needed + 2) * self.x.DEFAULT_HEIGHT
        if together <= self.page:
            self.keep(together)
        header_row = self.table(block, header=True, caption=title, repeat=False)
        last_row = self.row - 1
        base = block_spans(block, self.grid)
        starts = []
        col = 1
        for span in base:
            starts.append(col)
            col += span
        chart = BarChart()
        chart.type = "bar" if chart_kind == "bar" else "col"
        chart.title = title or None
        chart.style = 10
        chart.grouping = "clustered"
        if chart.type == "bar":
            chart.x_axis.scaling.orientation = "maxMin"  # categories top to bottom, as in the table
        for start in starts[1:]:
            chart.add_data(Reference(self.ws, min_col=start, min_row=header_row, max_row=last_row), titles_from_data=True)
        chart.set_categories(Reference(self.ws, min_col=starts[0], min_row=header_row + 1, max_row=last_row))
        for series, color in zip(chart.series, self.x.SERIES_COLOURS):
            series.graphicalProperties.solidFill = color
            series.graphicalProperties.line.solidFill = color
        chart.height = rows_needed * 0.53  # cm: about one 15-point row each
        chart.width = min(24.0, self.width_of(1, self.grid) * 0.19)
        chart.legend.position = "b"
        self.x.every_label(chart)
        if whole_numbers(block) and max(v for r in block.rows[1:] for v in r.cells[1:] if is_number(v)) <= 5:
            chart.y_axis.majorUnit = 1  # a few leads: 0 1 2, never 0.2 0.4
        self.keep((rows_needed + 2) * self.x.DEFAULT_HEIGHT)
        self.ws.add_chart(chart, f"A{self.row + 1}")
        self.row += rows_needed + 2
        self.y += (rows_needed + 2) * self.x.DEFAULT_HEIGHT


# ---------------------------------------------------------------- SVG charts (for HTML)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp  # pragma: no cover


def svg_chart(block: Block) -> str:
    """An inline SVG bar chart of a @chart block: one bar per series and category, values printed."""
    from projects_cli.workbooks.styling import SERIES_COLOURS, text_width

    colors = ["#" + c for c in SERIES_COLOURS]
    chart_kind, _, title = block.text.partition(" ")
    header = [display(v) for v in block.rows[0].cells]
    series = header[1:]
    data = [(display(r.cells[0]), [v if is_number(v) else None for v in r.cells[1:]]) for r in block.rows[1:]]
    top = max([float(v) for _, vs in data for v in vs if v is not None] + [0.0])
    scale_max = _nice_max(top)
    if whole_numbers(block):  # counts: ticks on whole numbers (0 1 2 3 4, never 0.25)
        scale_max = max(1, math.ceil(scale_max / 4)) * 4
    esc = html.escape
    legend_h = 26
    parts: list[str] = []
    if chart_kind == "bar":
        label_w = min(220, max([text_width(c) for c, _ in data] + [4]) * 7 + 12)
        plot_w, bar_h = 420, 14
        group_h = bar_h * len(series) + 10
        width = label_w + plot_w + 70
        height = legend_h + group_h * len(data) + 24
        y0 = legend_h
        for tick in range(5):
            x = label_w + plot_w * tick / 4
            parts.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{height - 20}" class="grid"/>')
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" class="tick" text-anchor="middle">'
                         f"{esc(display(_tick(scale_max * tick / 4)))}</text>")
        for gi, (category, values) in enumerate(data):
            gy = y0 + gi * group_h + 5
            parts.append(f'<text x="{label_w - 6}" y="{gy + group_h / 2:.1f}" class="label" text-anchor="end" '
                         f'dominant-baseline="middle">{esc(category)}</text>')
            for si, value in enumerate(values):
                if value is None:
                    continue
                w = plot_w * max(float(value), 0) / scale_max
                y = gy + si * bar_h
                color = colors[si % len(colors)]
                parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}"/>')
                parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h / 2:.1f}" class="value" '
                             f'dominant-baseline="middle">{esc(display(value))}</text>')
    else:
        plot_h, bar_w = 220, 16
        group_w = bar_w * len(series) + 14
        left = 44
        width = left + group_w * len(data) + 20
        height = legend_h + plot_h + 40
        y0 = legend_h + 10
        for tick in range(5):
            y = y0 + plot_h - plot_h * tick / 4
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>')
            parts.append(f'<text x="{left - 4}" y="{y:.1f}" class="tick" text-anchor="end" dominant-baseline="middle">'
                         f"{esc(display(_tick(scale_max * tick / 4)))}</text>")
        for gi, (category, values) in enumerate(data):
            gx = left + gi * group_w + 7
            parts.append(f'<text x="{gx + group_w / 2 - 7:.1f}" y="{y0 + plot_h + 16}" class="label" '
                         f'text-anchor="middle">{esc(category)}</text>')
            for si, value in enumerate(values):
                if value is None:
                    continue
                h = plot_h * max(float(value), 0) / scale_max
                x = gx + si * bar_w
                color = colors[si % len(colors)]
                parts.append(f'<rect x="{x}" y="{y0 + plot_h - h:.1f}" width="{bar_w - 2}" height="{h:.1f}" fill="{color}"/>')
                parts.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y0 + plot_h - h - 3:.1f}" class="value" '
                             f'text-anchor="middle">{esc(display(value))}</text>')
    lx = 8
    for si, name in enumerate(series):
        color = colors[si % len(colors)]
        parts.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{lx + 16}" y="12" class="legend" dominant-baseline="middle">{esc(name)}</text>')
        lx += 16 + text_width(name) * 7 + 18
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{esc(title)}">'
        f"<title>{esc(title)}</title>{body}</svg>"
    )


def _tick(value: float) -> Decimal:
    return Decimal(repr(round(value, 2))).normalize()


# ---------------------------------------------------------------- HTML


def _html_block(block: Block) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": block.kind, "text": block.text}
    if block.kind in ("table", "fields", "feedback", "chart"):
        width = FEEDBACK_WIDTH if block.kind == "feedback" else block.width
        base = [1] * width
        rows = []
        for row in block.rows:
            if block.kind == "feedback":
                row = Row(_feedback_cells(row))
            cells = [{"text": display(v), "num": is_number(v), "span": s}
                     for v, s in zip(row.cells, row_spans(len(row.cells), base, width))]
            rows.append({"cells": cells, "classes": " ".join(ROW_CLASSES[s] for s in row.styles)})
        out["rows"] = rows
        out["width"] = width
        if block.kind in ("fields", "feedback"):
            # label columns narrow, value columns share the rest (label | value | label | value …)
            labels = (width + 1) // 2 if block.kind == "fields" else 1
            label_pct = 14 if block.kind == "fields" else 16
            value_pct = (100 - label_pct * labels) / max(1, width - labels)
            out["cols"] = [label_pct if (i % 2 == 0 if block.kind == "fields" else i == 0) else round(value_pct, 2)
                           for i in range(width)]
    if block.kind == "signature":
        out["lines"] = [display(r.cells[0]) for r in block.rows]
    if block.kind == "chart":
        from markupsafe import Markup

        out["title"] = block.text.partition(" ")[2]
        out["svg"] = Markup(svg_chart(block))  # built from escaped text only
    return out


def html_page(sheets: Sequence[Sheet], env) -> str:
    """The page: `page.html` from the template folders, given each document's blocks."""
    from projects_cli.sheets.templating import render

    docs = [{"name": s.name, "title": s.doc.title, "landscape": s.doc.landscape,
             "blocks": [_html_block(b) for b in s.doc.blocks]} for s in sheets]
    landscape = any(s.doc.landscape for s in sheets)
    title = sheets[0].doc.title if sheets else ""
    return render(env, "page.html", {"docs": docs, "title": title, "landscape": landscape})


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def _md(text: Any) -> str:
    return display(text).translate(_MD_SPECIAL).replace("\n", "  \n")


def _md_cell(value: Value) -> str:
    return display(value).translate(_MD_SPECIAL).replace("\n", "<br>")


def _md_table(rows: list[Row], width: int) -> list[str]:
    lines = []
    for i, row in enumerate(rows):
        cells = [_md_cell(v) for v in row.cells] + [""] * (width - len(row.cells))
        if i > 0 and ("bold" in row.styles or "total" in row.styles):
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            aligns = ["---:" if rows[1:] and all(is_number(r.cells[j]) for r in rows[1:] if j < len(r.cells) and r.cells[j] != "")
                      and any(j < len(r.cells) and r.cells[j] != "" for r in rows[1:]) else "---" for j in range(width)]
            lines.append("| " + " | ".join(aligns) + " |")
    return lines


def markdown(sheets: Sequence[Sheet]) -> str:
    out: list[str] = []
    for n, sheet in enumerate(sheets):
        if n:
            out += ["", "---", ""]
        for block in sheet.doc.blocks:
            kind, text = block.kind, _md(block.text)
            if kind == "title":
                out += [f"# {text}", ""]
            elif kind == "subtitle":
                out += [f"**{text}**", ""]
            elif kind in ("number", "to", "para"):
                out += [text, ""]
            elif kind == "heading":
                out += [f"## {text}", ""]
            elif kind in ("note", "cc"):
                out += [f"*{text}*", ""]
            elif kind == "urgency":
                out += [f"**{text}**", ""]
            elif kind == "pagebreak":
                out += ["---", ""]
            elif kind == "table":
                if block.text:
                    out += [f"**{text}**", ""]
                out += _md_table(block.rows, block.width) + [""]
            elif kind == "chart":
                title = _md(block.text.partition(" ")[2])
                if title:
                    out += [f"**{title}**", ""]
                out += _md_table(block.rows, block.width) + [""]
            elif kind == "fields":
                for row in block.rows:
                    pairs = [row.cells[i : i + 2] for i in range(0, len(row.cells), 2)]
                    out += [f"- **{_md_cell(p[0])}**：{_md_cell(p[1]) if len(p) > 1 else ''}" for p in pairs]
                out.append("")
            elif kind == "feedback":
                if block.text:
                    out += [f"**{text}**", ""]
                for row in block.rows:
                    hint = f"（{_md_cell(row.cells[1])}）" if len(row.cells) > 1 and row.cells[1] != "" else ""
                    out.append(f"- **{_md_cell(row.cells[0])}**{hint}：")
                out.append("")
            elif kind == "signature":
                out += [_md(r.cells[0]) + "  " for r in block.rows] + [""]
    return "\n".join(out).rstrip() + "\n"
