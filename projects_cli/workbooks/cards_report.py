"""The cards report workbook (红黄蓝牌通报表): cards grouped by colour, counts by unit and by chain, bar charts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter

from projects_cli.config.rulebook import Rules
from projects_cli.services.cards import counts_by, label
from projects_cli.store.models import COLORS
from projects_cli.workbooks import styling

CARD_COLUMNS = (("code", "项目编号", 12), ("name", "项目名称", 36), ("unit", "责任单位", 16), ("chain", "产业链", 12),
                ("card", "牌色", 10), ("reasons", "亮牌原因", 50), ("manual_note", "人工设牌", 24))
from projects_cli.writes import save_workbook


def _cards_sheet(wb: Workbook, period: str, rows: list[dict[str, Any]], change: dict[str, list[str]], rules: Rules) -> None:
    ws = wb.create_sheet("红黄蓝牌")
    n = len(CARD_COLUMNS)
    styling.set_widths(ws, [w for _, _, w in CARD_COLUMNS])
    styling.print_setup(ws, ncols=n, title_rows="3:3")
    ws.freeze_panes = "A4"
    styling.stream_cells(ws)
    provisional = "，暂评" if any(r.get("provisional") for r in rows) else ""  # rated before the period ended
    ws.append(styling.title_row(ws, f"重点项目红黄蓝牌通报（{period}{provisional}）", n, 1))
    counts = {c: sum(1 for r in rows if r["color"] == c) for c in COLORS}
    ws.append(styling.info_row(ws, "　".join(f"{label(c, rules)} {counts[c]} 个" for c in COLORS)
                               + f"　较上期新增红牌 {len(change['newly_red'])} 个、新增黄牌 {len(change['newly_yellow'])} 个、"
                               f"好转 {len(change['improved'])} 个", n, 2))
    header = styling.header_cell(ws)
    ws.append([styling.one_off(ws, h, header) for _, h, _ in CARD_COLUMNS])
    body = [styling.column_cell(ws, "wrap" if key in ("name", "reasons", "manual_note") else "text") for key, _, _ in CARD_COLUMNS]
    section = styling.section_cell(ws)
    row_no = 4
    for color in COLORS:
        group = [r for r in rows if r["color"] == color]
        if not group:
            continue
        text = f"{label(color, rules)}（{len(group)} 个）— {rules.get('cards.meaning').get(color, '')}"
        ws.append([styling.one_off(ws, text, section)] + [styling.one_off(ws, None, section) for _ in range(n - 1)])
        ws.merged_cells.add(f"A{row_no}:{get_column_letter(n)}{row_no}")
        row_no += 1
        for r in group:
            cells = [styling.one_off(ws, r.get(key), tmpl, fill=styling.CARD_FILLS[color] if key == "card" else None)
                     for (key, _, _), tmpl in zip(CARD_COLUMNS, body)]
            ws.append(cells)
            row_no += 1


def _counts_sheet(wb: Workbook, title: str, key: str, heading: str, rows: list[dict[str, Any]], rules: Rules) -> None:
    ws = wb.create_sheet(title)
    counts = counts_by(rows, key)
    headers = [heading, *(label(c, rules) for c in COLORS), "合计"]
    styling.set_widths(ws, [20, 10, 10, 10, 10])
    styling.print_setup(ws, ncols=12, title_rows="1:1", paper="A4")
    styling.stream_cells(ws)
    header = styling.header_cell(ws)
    ws.append([styling.one_off(ws, h, header, fill=styling.CARD_FILLS.get(c)) for h, c in zip(headers, [None, *COLORS, None])])
    body = [styling.column_cell(ws, "wrap"), *(styling.column_cell(ws, "count") for _ in range(4))]
    for c in counts:
        ws.append(styling.fill_row(body, [c[key], *(c[col] for col in COLORS), c["total"]]))
    total = styling.section_cell(ws, fill=styling.TOTAL_FILL, alignment=styling.RIGHT)
    ws.append([styling.one_off(ws, "合计", styling.section_cell(ws, fill=styling.TOTAL_FILL)), *(styling.one_off(ws, sum(c[col] for c in counts), total) for col in COLORS),
               styling.one_off(ws, len(rows), total)])
    if counts:
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = f"红黄蓝牌{heading}分布"
        chart.y_axis.title = "项目个数"
        data = Reference(ws, min_col=2, max_col=4, min_row=1, max_row=len(counts) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(counts) + 1))
        for series, color in zip(chart.series, COLORS):
            series.graphicalProperties.solidFill = styling.CARD_CHART_COLOURS[color]
        chart.width, chart.height = 18, 9
        styling.every_label(chart)
        ws.add_chart(chart, "G2")


def write_report(path: Path, period: str, rows: list[dict[str, Any]], change: dict[str, list[str]], rules: Rules) -> Path:
    """The workbook the office files: one sheet grouped by colour (colour as fill), counts by unit and chain with charts."""
    wb = Workbook(write_only=True)
    labelled = []
    for r in rows:
        r = dict(r, card=label(r["color"], rules) + ("（人工）" if r.get("manual") else ""))
        if r.get("manual"):
            r["manual_note"] = f"{label(r['manual'], rules)}：{r['manual_reason']}（{r['manual_by']}）"
        labelled.append(r)
    _cards_sheet(wb, period, labelled, change, rules)
    _counts_sheet(wb, "按责任单位", "unit", "责任单位", labelled, rules)
    _counts_sheet(wb, "按产业链", "chain", "产业链", labelled, rules)
    save_workbook(wb, path)
    return path
