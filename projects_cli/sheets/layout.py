"""Lay out rendered sheets (`blocks.Document`) as Excel, a printable HTML page, or Markdown.

The template decides the texts and the order of blocks; these writers decide
how each block looks. Excel: a merged title, bordered tables, card-colour
fills, A4 fit to the page width, charts as Excel charts. HTML: one
self-contained page (inline CSS and SVG, nothing fetched) laid out by the
``page.html`` template, which the office may override like any other. Markdown:
plain text for e-mail and chat.
"""

from __future__ import annotations

import html
import math
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from projects_cli.sheets.markup import Block, Document, Row, Value, display

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
SERIES_COLORS = ("#2F5597", "#C00000", "#7F7F7F", "#548235", "#BF9000", "#7030A0")
ROW_CLASSES = {"red": "card-red", "yellow": "card-yellow", "blue": "card-blue", "bold": "bold", "total": "total"}


@dataclass
class Sheet:
    """One rendered document and the name of its worksheet (a unit's name, 周报 …)."""

    name: str
    doc: Document


def is_number(value: Value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


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
    from projects_cli.workbooks.styling import text_width

    if block.kind == "feedback":
        return spans(FEEDBACK_WIDTH, grid)
    k = max(1, block.width)
    need = [4] * k
    for row in block.rows:
        for j, value in enumerate(row.cells):
            need[j] = max(need[j], min(40, text_width(display(value))))
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
    from projects_cli.workbooks.styling import text_width

    natural = [6.0] * grid
    for block in doc.blocks:
        if block.kind not in ("table", "fields", "chart") or not block.rows:
            continue
        base = block_spans(block, grid)
        for row in block.rows:
            col = 0
            for value, span in zip(row.cells, row_spans(len(row.cells), base, grid)):
                need = min(40, text_width(display(value)) + 2) / span
                for c in range(col, col + span):
                    natural[c] = max(natural[c], need)
                col += span
    scale = total / sum(natural)
    if scale > 1:
        return [round(w * scale, 1) for w in natural]
    return natural


def _lines(text: str, width: float) -> int:
    from projects_cli.workbooks.styling import text_width

    count = 0
    for part in str(text).split("\n"):
        count += max(1, math.ceil(text_width(part) / max(width - 1, 1)))
    return count


def write_xlsx(sheets: Sequence[Sheet], path: Path) -> None:
    """One worksheet per document, A4, fitted to the page width."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_sheet_title(sheet.name, used))
        _XlsxSheet(ws, sheet.doc).write()
    try:
        wb.save(path)
    except OSError as exc:
        from projects_cli.errors import ProjectsError

        raise ProjectsError(f"cannot write {path}: {exc.strerror or exc}") from None


def _merge(ws, coord: str) -> None:
    """ws.merge_cells without its overlap check, which scans every merged range so far (quadratic on
    long tables); the writer never overlaps its own ranges."""
    from openpyxl.worksheet.merge import MergedCellRange

    merged = MergedCellRange(ws, coord)
    ws.merged_cells.ranges.add(merged)
    ws._clean_merge_range(merged)


class _XlsxSheet:
    LINE = 18.0  # points per line of 12-point text

    def __init__(self, ws, doc: Document):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        from projects_cli.workbooks import styling

        self.ws, self.doc, self.x = ws, doc, styling
        self.grid = _grid(doc)
        self.widths = _column_widths(doc, self.grid, 150.0 if doc.landscape else 100.0)
        self.row = 1
        font = styling.FONT_NAME
        self.fonts = {
            "title": Font(name=font, size=20, bold=True),
            "subtitle": Font(name=font, size=13),
            "number": Font(name=font, size=12),
            "to": Font(name=font, size=12),
            "heading": Font(name="黑体", size=12, bold=True),
            "para": Font(name=font, size=12),
            "note": Font(name=font, size=10),
            "cell": Font(name=font, size=11),
            "head": Font(name=font, size=11, bold=True),
            "caption": Font(name=font, size=12, bold=True),
            "hint": Font(name=font, size=10, italic=True, color="808080"),
        }
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
        self.right = Alignment(horizontal="right", vertical="center", wrap_text=True)
        self.label_fill = PatternFill("solid", fgColor="F2F2F2")
        self.number_rule = Border(bottom=Side(style="medium", color="C00000"))  # the red line under the number
        self._styles: dict[tuple, Any] = {}
        self._keep: list[tuple] = []

    # -- helpers

    def styled(self, cell, font=None, alignment=None, border=None, fill=None, number_format=None) -> None:
        """Style a cell; each combination is built once and copied after (openpyxl hashes every style it is given)."""
        key = (id(font), id(alignment), id(border), id(fill), number_format)
        cached = self._styles.get(key)
        if cached is None:
            if font is not None:
                cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if border is not None:
                cell.border = border
            if fill is not None:
                cell.fill = fill
            if number_format is not None:
                cell.number_format = number_format
            self._keep.append((font, alignment, border, fill))  # the ids in the key stay unique
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(cached)

    def merged(self, first: int, last: int, value: Any, *, font, alignment, height: float | None = None,
               border=None, fill=None) -> None:
        from openpyxl.utils import get_column_letter

        ws, r = self.ws, self.row
        cell = ws.cell(row=r, column=first)
        self.x.set_value(cell, value)
        number_format = DATE_FORMAT if isinstance(value, date) else None
        self.styled(cell, font, alignment, border, fill, number_format)
        if last > first:
            _merge(ws, f"{get_column_letter(first)}{r}:{get_column_letter(last)}{r}")
            for c in range(first + 1, last + 1):  # borders and fills of a merged range sit on every cell
                self.styled(ws.cell(row=r, column=c), None, None, border, fill)
        if height is not None:
            current = ws.row_dimensions[r].height or 0
            ws.row_dimensions[r].height = max(current, height)

    def width_of(self, first: int, last: int) -> float:
        return sum(self.widths[first - 1 : last])

    def line(self, value: Any, *, font, alignment, size: float = 12, first: int = 1, last: int | None = None,
             border=None, min_lines: int = 1) -> None:
        last = last or self.grid
        lines = max(min_lines, _lines(display(value) if value is not None else "", self.width_of(first, last) * 12 / size))
        self.merged(first, last, value, font=font, alignment=alignment, height=lines * size * 1.5, border=border)
        self.row += 1

    def gap(self, height: float = 8) -> None:
        if self.row > 1:
            self.ws.row_dimensions[self.row].height = height
            self.row += 1

    def table_row(self, row: Row, base: list[int], *, header: bool = False, label_cols: bool = False, min_lines: int = 1,
                  hint: bool = False) -> None:
        x = self.x
        fill = None
        if not header:
            color = next((s for s in row.styles if s in x.CARD_FILLS), None)
            fill = x.CARD_FILLS[color] if color else (x.TOTAL_FILL if "total" in row.styles else None)
        bold = header or "bold" in row.styles or "total" in row.styles
        col, lines = 1, min_lines
        for i, (value, span) in enumerate(zip(row.cells, row_spans(len(row.cells), base, self.grid))):
            label = label_cols and i % 2 == 0
            if header or label:
                font, align = self.fonts["head"], self.center
            elif hint and value != "":
                font, align = self.fonts["hint"], self.top_left
            else:
                font = self.fonts["head"] if bold else self.fonts["cell"]
                align = self.right if is_number(value) else (self.top_left if min_lines > 1 else self.left)
            cell_fill = x.HEADER_FILL if header else (self.label_fill if label else fill)
            self.merged(col, col + span - 1, value, font=font, alignment=align, border=x.BORDER, fill=cell_fill)
            lines = max(lines, _lines(display(value), self.width_of(col, col + span - 1)))
            col += span
        self.ws.row_dimensions[self.row].height = lines * self.LINE
        self.row += 1

    # -- blocks

    def write(self) -> None:
        from openpyxl.worksheet.pagebreak import Break

        for block in self.doc.blocks:
            kind, f = block.kind, self.fonts
            if kind == "title":
                self.line(block.text, font=f["title"], alignment=self.center, size=20)
            elif kind == "subtitle":
                self.line(block.text, font=f["subtitle"], alignment=self.center, size=13)
            elif kind == "number":
                self.line(block.text, font=f["number"], alignment=self.center, border=self.number_rule)
                self.gap()
            elif kind == "to":
                self.line(block.text, font=f["to"], alignment=self.left)
            elif kind == "heading":
                self.gap()
                self.line(block.text, font=f["heading"], alignment=self.left)
            elif kind == "para":
                self.line("\u3000\u3000" + block.text, font=f["para"], alignment=self.top_left)
            elif kind == "note":
                self.line(block.text, font=f["note"], alignment=self.left, size=10)
            elif kind == "pagebreak":
                self.ws.row_breaks.append(Break(id=self.row - 1))
            elif kind == "table":
                self.gap()
                if block.text:
                    self.line(block.text, font=f["caption"], alignment=self.center)
                base = block_spans(block, self.grid)
                for i, row in enumerate(block.rows):
                    self.table_row(row, base, header=i == 0)
            elif kind == "fields":
                self.gap()
                base = block_spans(block, self.grid)
                for row in block.rows:
                    self.table_row(row, base, label_cols=True)
            elif kind == "feedback":
                self.gap()
                if block.text:
                    self.line(block.text, font=f["caption"], alignment=self.left)
                base = block_spans(block, self.grid)
                for row in block.rows:
                    self.table_row(Row(_feedback_cells(row)), base, label_cols=True, min_lines=4, hint=True)
            elif kind == "chart":
                self.gap()
                self.chart(block)
            elif kind == "signature":
                self.gap(24)
                half = self.grid // 2 + 1
                for row in block.rows:
                    self.line(row.cells[0], font=f["para"], alignment=self.center, first=half)
        ws = self.ws
        self.x.set_widths(ws, self.widths)
        self.x.print_setup(ws, ncols=self.grid, title_rows=None, paper="A4", landscape=self.doc.landscape)
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top = ws.page_margins.bottom = 0.7
        ws.sheet_view.showGridLines = False

    def chart(self, block: Block) -> None:
        from openpyxl.chart import BarChart, Reference

        chart_kind, _, title = block.text.partition(" ")
        if title:
            self.line(title, font=self.fonts["caption"], alignment=self.center)
        header_row = self.row
        base = block_spans(block, self.grid)
        for i, row in enumerate(block.rows):
            self.table_row(row, base, header=i == 0)
        last_row = self.row - 1
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
        for series, color in zip(chart.series, SERIES_COLORS):
            series.graphicalProperties.solidFill = color.lstrip("#")
            series.graphicalProperties.line.solidFill = color.lstrip("#")
        categories = max(1, last_row - header_row)
        rows_needed = max(14, min(40, categories * max(1, len(starts) - 1) // 2 + 6))
        chart.height = rows_needed * 0.53  # cm: about one 15-point row each
        chart.width = min(24.0, self.width_of(1, self.grid) * 0.19)
        chart.legend.position = "b"
        self.ws.add_chart(chart, f"A{self.row + 1}")
        self.row += rows_needed + 2


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
    from projects_cli.workbooks.styling import text_width

    chart_kind, _, title = block.text.partition(" ")
    header = [display(v) for v in block.rows[0].cells]
    series = header[1:]
    data = [(display(r.cells[0]), [v if is_number(v) else None for v in r.cells[1:]]) for r in block.rows[1:]]
    top = max([float(v) for _, vs in data for v in vs if v is not None] + [0.0])
    scale_max = _nice_max(top)
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
                color = SERIES_COLORS[si % len(SERIES_COLORS)]
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
                color = SERIES_COLORS[si % len(SERIES_COLORS)]
                parts.append(f'<rect x="{x}" y="{y0 + plot_h - h:.1f}" width="{bar_w - 2}" height="{h:.1f}" fill="{color}"/>')
                parts.append(f'<text x="{x + bar_w / 2 - 1:.1f}" y="{y0 + plot_h - h - 3:.1f}" class="value" '
                             f'text-anchor="middle">{esc(display(value))}</text>')
    lx = 8
    for si, name in enumerate(series):
        color = SERIES_COLORS[si % len(SERIES_COLORS)]
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
            elif kind == "note":
                out += [f"*{text}*", ""]
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
