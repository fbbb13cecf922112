"""The overdue report as the Excel form the office files (逾期清单, 本周新增, 即将到期, 按责任单位).

Built from `services.report.overdue`'s rows; write-only, so a big registry's
report streams out without holding every cell.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from projects_cli.vocab import NO_UNIT
from projects_cli.workbooks import styling

OVERDUE_COLUMNS = (
    ("unit", "责任单位", 16),
    ("leader", "包保领导", 10),
    ("code", "项目编号", 10),
    ("name", "项目名称", 30),
    ("item", "逾期事项", 22),
    ("planned", "计划/期限", 11),
    ("days_late", "逾期天数", 8),
    ("tier", "逾期等级", 9),
    ("level", "督办级别", 9),
    ("rate", "投资完成率(%)", 10),
    ("behind", "落后序时(百分点)", 10),
    ("new", "本周新增", 8),
)
DUE_SOON_COLUMNS = (
    ("planned", "计划/期限", 11),
    ("days_left", "剩余天数", 8),
    ("unit", "责任单位", 16),
    ("leader", "包保领导", 10),
    ("code", "项目编号", 10),
    ("name", "项目名称", 30),
    ("item", "事项", 22),
)
UNIT_COLUMNS = (("unit", "责任单位", 18), ("overdue", "逾期事项", 9), ("new", "本周新增", 9), ("due_soon", "即将到期", 9),
                ("max_days_late", "最长逾期天数", 11))


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if key == "unit" and value is None:
        return NO_UNIT
    if key == "new":
        return "新增" if value else ""
    return value


def _unit_cell(row: dict[str, Any], key: str) -> Any:
    if key in row["by_tier"]:
        return row["by_tier"][key]
    return row[key] or NO_UNIT if key == "unit" else row[key]


def _sheet(wb, name: str, heading: str, note: str, columns, rows: list[dict[str, Any]], value) -> None:
    """One sheet: title row, note row, a bordered table with a frozen header and a filter, print setup."""
    from openpyxl.utils import get_column_letter


    ws = wb.create_sheet(name)
    styling.stream_cells(ws)  # every row below is a list of ready cells
    ncols = len(columns)
    values = [[value(row, key) for key, _, _ in columns] for row in rows]
    # write-only sheets stream rows: widths, panes, print setup and filter go before the first row. A column
    # is as wide as its widest value (a Chinese character counts two), at least its set width.
    widest = [max([styling.text_width(label)] + [styling.text_width(v[i]) for v in values])
              for i, (_, label, _) in enumerate(columns)]
    wrap = {"unit", "name", "item"}
    styling.set_widths(ws, [max(width, styling.fit_width(w, wrap=key in wrap))
                          for (key, _, width), w in zip(columns, widest)])
    styling.print_setup(ws, ncols=ncols, title_rows="1:3")
    ws.freeze_panes = "A4"
    last = get_column_letter(ncols)
    ws.auto_filter.ref = f"A3:{last}{3 + max(1, len(rows))}"
    ws.append(styling.title_row(ws, heading, ncols, 1))
    ws.append(styling.info_row(ws, note, ncols, 2))
    header = [styling.header_cell(ws) for _ in columns]
    ws.append(styling.fill_row(header, [label for _, label, _ in columns]))
    kinds = {"planned": "date", "baseline": "date", "rate": "points", "expected": "points", "behind": "points"}
    templates = [styling.column_cell(ws, kinds.get(key, "wrap" if key in wrap else "code")) for key, _, _ in columns]
    for line in values:
        ws.append(styling.fill_row(templates, line))


def overdue_workbook(report: dict[str, Any], title: str = "重点项目逾期情况"):
    """The overdue report as a formatted workbook (openpyxl, write-only): 逾期清单, 本周新增, 即将到期, 按责任单位.

    Each sheet: a title row with the as-of date, a note row with the counts,
    then a bordered table (header on row 3, frozen, with a filter) and print
    setup (landscape, fit to width, title and header repeated on every page).
    """
    from openpyxl import Workbook

    as_of: date = report["as_of"]
    stamp = f"{as_of.year}年{as_of.month}月{as_of.day}日"
    since: date = report["since"]
    tiers = report["tiers"]
    totals = report["totals"]
    wb = Workbook(write_only=True)
    tier_text = "，".join(f"{n} {totals['by_tier'][n]} 项" for n in tiers)
    _sheet(wb, "逾期清单", f"{title}（截至{stamp}）",
           f"逾期 {totals['overdue']} 项：{tier_text}；本周新增 {totals['new']} 项（{since.isoformat()} 后）；"
           f"序时进度 {report['expected']}%",
           OVERDUE_COLUMNS, report["overdue"], _cell)
    _sheet(wb, "本周新增", f"本周新增逾期事项（{since.isoformat()} 至 {as_of.isoformat()}）",
           f"截至{stamp}逾期、截至 {since.isoformat()} 尚未逾期的事项 {totals['new']} 项",
           OVERDUE_COLUMNS, report["new_since"], _cell)
    _sheet(wb, "即将到期", f"即将到期事项（{as_of.isoformat()} 至 {report['due_by'].isoformat()}）",
           f"{report['horizon']} 天内到期 {totals['due_soon']} 项", DUE_SOON_COLUMNS, report["due_soon"], _cell)
    unit_columns = (*UNIT_COLUMNS[:2], *((t, t, 9) for t in tiers), *UNIT_COLUMNS[2:])
    _sheet(wb, "按责任单位", f"逾期情况按责任单位汇总（截至{stamp}）", f"共 {len(report['by_unit'])} 个责任单位",
           unit_columns, report["by_unit"], _unit_cell)
    return wb
