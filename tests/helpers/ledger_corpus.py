"""A corpus of ledgers as real offices send them, built with openpyxl in the layouts of public templates.

Each builder writes one workbook in a layout that 发改委 and 督查室 report forms
of several provinces use, and that `ledger import` must either read right, cell
for cell, or refuse with a message naming what it could not understand
(tests/ledger/test_real_ledgers.py says which, and what exactly):

* `fujian_progress_form`: a 省重点项目建设进度表 — 金额单位 line, a two-row header
  whose second row sub-divides only some columns (2010年实际完成情况 → 1-3月实际
  完成投资 / 完成投资占年计划%; 项目业主单位 → 业主名称 / 联系人 / 电话; 市或县挂钩
  责任单位 → 单位名称 / 责任人; 挂钩领导 → 市领导 / 县领导), a county total in the
  middle of its label (龙海市合计14个), sections with their numeral in 序号
  (一 | 工业, （一） | 产业园区), 建设起止年限 ranges (2009-2011, 2007.10-2010.12, 2010-).
* `duchashi_progress_table`: a 督查室 推进情况表 — 计量单位 line far to the right
  above the header, a second header row naming no new field (责任单位 / 责任人,
  市领导 / 县领导), 合计（3项） and 其中：在建重点项目（2项） rows, the header words of
  other systems (估算投资, 年度累计完成投资, 计划开始时间, 今年竣工时间, 属地, 项目审批代码 …).
* `foreign_currency_ledger`: a 招商 ledger in 万美元 (in the header, or in the 金额单位 line).
* `filled_template`: a downloaded template partly filled in — its placeholder row
  "(1) 项目名称", the header repeated, pre-numbered rows whose formulas give zeros.
* `funding_blocks`: a project's 资金来源 rows under it, without 序号.
* `project_forms`: 卡片式台账, one project per sheet, labels in column A.
* `cumulative_months`: 1月, 1-2月 … 1-12月 under 2025年累计完成投资 (and the plain
  monthly 1月, 2月 … 12月 variant).
* `date_ranges`: 建设起止时间 written every way a range is written (and one that
  can be read two ways).
* `foreign_rates_ledger`: amounts in 万欧元 and 万港元 under a merged 投资情况 group.
* `unit_with_person`: 责任单位及责任人 ("单位 姓名", "单位/姓名", "单位（姓名）") merged down.
* `single_month`: a month's own figure (10月份完成投资, 本月完成投资（10月）…) beside 1-10月 or alone.
* `monthly_rows`: the 调度 export, one row per project per month (填报月份 八月, 9月份,
  2025年10月 …), each project's fields merged down over its months, a 合计 row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


def _book(sheet: str, title: str | None = None, last_col: str = "A"):
    """A workbook whose one sheet is named `sheet`, with a merged title row above the table."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        _title(ws, title, last_col)
    return wb, ws


def _put(ws, row: int, values: list[Any]) -> None:
    for col, value in enumerate(values, 1):
        if value is not None:
            ws.cell(row, col, value)


def _title(ws, text: str, last_col: str) -> None:
    ws["A1"] = text
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last_col}1")


def _line(ws, first: str, last: str, text: str) -> None:
    """A line above the header (填报单位, 金额单位, 截至…) in merged cells."""
    ws[first] = text
    ws.merge_cells(f"{first}:{last}")


def _header(ws, row: int, top: list[Any], sub: list[Any]) -> None:
    """A two-row header as offices merge it: a cell with nothing under it spans both rows, a group header
    spans the columns its sub-headers sub-divide."""
    _put(ws, row, top)
    _put(ws, row + 1, sub)
    for col, (above, below) in enumerate(zip(top, sub), 1):
        if above is None:
            continue
        if below is None:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
            continue
        end = col
        while end < len(top) and top[end] is None and sub[end] is not None:
            end += 1
        if end > col:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=end)


# ---------------------------------------------------------------- 福建 发改委 进度表

FUJIAN_TOP = ["序号", "项目名称", "建设性质", "建设规模及内容", "建设起止年限", "总投资", "2010年计划投资",
              "2010年实际完成情况", None, "项目业主单位", None, None, "市或县挂钩责任单位", None, "挂钩领导", None, "备注"]
FUJIAN_SUB = [None] * 7 + ["1-3月实际完成投资", "完成投资占年计划%", "业主名称", "联系人", "电话", "单位名称", "责任人",
                           "市领导", "县领导", None]
FUJIAN_ROWS = {
    8: [1, "龙海市金山造纸扩建项目", "续建", "年产30万吨高档纸", "2009-2011", 80000, 30000, 6000, 20,
        "福建金山纸业有限公司", "张明", "0596-6541234", "龙海市经贸局", "李强", "王建国", "陈志远", None],
    9: [2, "龙海市东园工业区标准厂房", "在建", "建设标准厂房20万平方米", "2007.10-2010.12", 45000, 12000, 2700, 22.5,
        "龙海市东园开发建设有限公司", "林芳", "0596-6549876", "龙海市东园镇政府", "郑伟", "王建国", "黄海", None],
    11: [3, "龙海市九龙江防洪堤加固工程", "前期", "加固堤防12公里", "2010-", 30000, 5000, None, None,
         "龙海市水利局", "周涛", "0596-6540000", "龙海市水利局", "周涛", "王建国", "许强", "待省发改委批复"],
}


def fujian_progress_form(path: Path) -> Path:
    """2010年福建省重点项目建设进度表 (漳州市): two header rows, the second sub-dividing only H:P."""
    wb, ws = _book("进度表", "2010年福建省重点项目建设进度表", "Q")
    _line(ws, "A2", "F2", "填报单位：漳州市发展和改革委员会")
    _line(ws, "O2", "Q2", "金额单位：万元")
    _header(ws, 3, FUJIAN_TOP, FUJIAN_SUB)
    ws["B5"] = "龙海市合计14个"  # the county's total, its label in 项目名称, amounts beside it
    ws["F5"], ws["G5"], ws["H5"] = 155000, 47000, 8700
    _put(ws, 6, ["一", "工业"])
    _put(ws, 7, ["（一）", "产业园区"])
    _put(ws, 10, ["二", "基础设施"])
    for row, values in FUJIAN_ROWS.items():
        _put(ws, row, values)
    ws["A12"] = "注：1.建设性质填新开工、续建或前期；2.完成投资占年计划%由汇总表计算。"
    ws.merge_cells("A12:Q12")
    wb.save(path)
    return path


# ---------------------------------------------------------------- 督查室 推进情况表

DUCHASHI_TOP = ["序号", "项目名称", "项目业主单位", "估算投资", "2025年计划投资", "年度累计完成投资", "年度投资完成率",
                "建设内容和规模", "目前进展情况", "责任单位", None, "挂钩领导", None, "计划开始时间", "今年竣工时间", "属地",
                "项目审批代码"]
DUCHASHI_SUB = [None] * 9 + ["责任单位", "责任人", "市领导", "县领导"] + [None] * 4
DUCHASHI_ROWS = {
    8: [1, "漳州高新区智能装备产业园", "漳州高新区开发建设有限公司", 12, 3, 2.1, "70%", "建设厂房15万平方米",
        "主体施工", "高新区经济发展局", "张华", "刘市长", "陈区长", "2024.3", None, "高新区", "2403-350600-04-01-123456"],
    9: [2, "九龙江口生态修复工程", "漳州市水利投资集团", 5.6, 1.2, 1.2, "100%", "修复湿地800亩", "已完工",
        "高新区农业农村局", "李敏", "刘市长", "黄区长", date(2024, 5, 1), date(2025, 6, 30), "九湖镇", None],
    10: [3, "高新区人才公寓二期", "漳州高新区城建集团", 3, 0.5, 0.1, "20%", "建设人才公寓600套", "办理施工许可",
         "高新区住房和建设局", "王丽", "刘市长", "陈区长", "2025年9月", None, "高新区", None],
}


def duchashi_progress_table(path: Path) -> Path:
    """2025年市重点项目推进情况表: amounts in 亿元 by a 计量单位 line to the right, two rows above the header."""
    wb, ws = _book("推进情况", "2025年市重点项目推进情况表", "Q")
    _line(ws, "O2", "Q2", "计量单位：亿元")
    _line(ws, "A3", "D3", "截至2025年9月30日")
    _header(ws, 4, DUCHASHI_TOP, DUCHASHI_SUB)
    ws["A6"] = "合计（3项）"
    ws.merge_cells("A6:B6")
    ws["D6"], ws["E6"], ws["F6"] = 20.6, 4.7, 3.4
    ws["A7"] = "其中：在建重点项目（2项）"
    ws.merge_cells("A7:B7")
    ws["D7"] = 17.6
    for row, values in DUCHASHI_ROWS.items():
        _put(ws, row, values)
    wb.save(path)
    return path


# ---------------------------------------------------------------- 万美元

def foreign_currency_ledger(path: Path, *, in_header: bool = True) -> Path:
    """A 招商引资 ledger whose amounts are in 万美元: said in the header (总投资（万美元）) or in the unit line."""
    wb, ws = _book("外资项目", "2025年外资招商项目推进表", "E")
    if not in_header:
        ws["A2"] = "金额单位：万美元"
    ws.append(["序号", "项目名称", "总投资（万美元）" if in_header else "总投资", "年度计划投资", "责任单位"])
    ws.append([1, "台湾宏达精密模具项目", 3000, 800, "高新区商务局"])
    ws.append([2, "新加坡丰益油脂扩产项目", 12000, 2000, "高新区商务局"])
    wb.save(path)
    return path


# ---------------------------------------------------------------- a filled-in template

TEMPLATE_HEADER = ["序号", "项目名称", "建设单位", "总投资（万元）", "2025年计划投资（万元）", "1-10月完成投资（万元）",
                   "责任单位"]


def filled_template(path: Path) -> Path:
    """A downloaded template, partly filled in: its placeholder row, two projects, the header pasted again
    with a third, and pre-numbered rows whose formulas give zeros."""
    wb, ws = _book("Sheet1", "重点项目推进情况调度表（模板）", "G")
    ws.append(TEMPLATE_HEADER)
    ws.append(["(1)", "项目名称", "建设单位名称", None, None, None, "责任单位名称"])  # row 3: the template's example
    ws.append([1, "闽南水果冷链物流园", "漳州冷链物流有限公司", 26000, 8000, 5100, "高新区商务局"])
    ws.append([2, "高新区污水处理厂提标改造", "漳州水务集团", 9800, 4000, 3900, "高新区住房和建设局"])
    ws.append(TEMPLATE_HEADER)  # row 6: the header pasted again above the next block
    ws.append([3, "漳州数字产业园一期", "漳州数字产业投资公司", 52000, 15000, 9000, "高新区经济发展局"])
    for number in range(4, 7):  # rows 8-10: numbered, and the formulas of the amount columns give 0
        ws.append([number, None, None, 0, 0, 0, None])
    wb.save(path)
    return path


# ---------------------------------------------------------------- 资金来源 blocks

def funding_blocks(path: Path) -> Path:
    """A project followed by the rows of its 资金来源, with no 序号 and the source in 项目名称."""
    wb, ws = _book("项目表", "2025年政府投资项目表", "E")
    ws.append(["序号", "项目名称", "总投资（万元）", "2025年计划投资（万元）", "责任单位"])
    ws.append([1, "九湖镇污水管网配套工程", 8000, 3000, "高新区住房和建设局"])
    ws.append([None, "其中：中央预算内资金", 3000, 1000, None])
    ws.append([None, "地方配套资金", 5000, 2000, None])
    ws.append([2, "高新区中小学扩容工程", 12000, 4000, "高新区教育局"])
    wb.save(path)
    return path


# ---------------------------------------------------------------- 卡片式台账

FORMS = [
    ("漳州高新区智能装备产业园", "ZD-2025-01", "漳州高新区开发建设有限公司", "高新区", "建设厂房15万平方米", 120000, 30000,
     "2024.3", "2026.12", "高新区经济发展局", "陈区长", "主体施工"),
    ("高新区人才公寓二期", "ZD-2025-02", "漳州高新区城建集团", "九湖镇", "建设人才公寓600套", 30000, 5000,
     "2025.9", "2027.6", "高新区住房和建设局", "黄区长", "办理施工许可"),
]


def project_forms(path: Path) -> Path:
    """卡片式台账: one sheet per project, labels in column A and C, the values beside them."""
    wb = Workbook()
    wb.remove(wb.active)
    for number, (name, code, owner, place, content, total, plan, start, end, unit, leader, progress) in enumerate(
            FORMS, 1):
        ws = wb.create_sheet(f"项目{number}")
        _title(ws, "重点项目基本情况表", "D")
        _put(ws, 2, ["项目名称", name, "项目编号", code])
        _put(ws, 3, ["建设单位", owner, "建设地点", place])
        _put(ws, 4, ["建设内容及规模", content])
        ws.merge_cells("B4:D4")
        _put(ws, 5, ["总投资（万元）", total, "2025年计划投资（万元）", plan])
        _put(ws, 6, ["计划开工时间", start, "计划竣工时间", end])
        _put(ws, 7, ["责任单位", unit, "包保领导", leader])
        _put(ws, 8, ["形象进度", progress])
        ws.merge_cells("B8:D8")
        _put(ws, 9, ["存在问题", "无"])
        ws.merge_cells("B9:D9")
    wb.save(path)
    return path


# ---------------------------------------------------------------- cumulative month columns

MONTHS = ["1月"] + [f"1-{m}月" for m in range(2, 13)]
CUMULATIVE_ROWS = [
    # name, total, plan, the cumulative figures from January on (the rest of the year empty)
    ("高新区智能网联汽车测试场", 60000, 12000, [800, 1600, 2500, 3300, 4200, 5000, 5900, 6800, 7700, 8600]),
    ("漳州港疏港大道拓宽工程", 45000, 9000, [0, 500, 1200, 2000, 2600, 3300, 4000, 4800, 5500, 6300]),
    ("九湖镇农产品加工园", 18000, 3000, [200, 400, 600, 900, 1200, 1500, 1800, 2100, 2400]),  # stops at 1-9月
]


def cumulative_months(path: Path, *, as_of_line: str | None = None, cumulative: bool = True) -> Path:
    """2025年累计完成投资 over 1月, 1-2月 … 1-12月 (or, with cumulative=False, 2025年完成投资 over 1月 … 12月)."""
    wb, ws = _book("月度调度", "2025年重点项目月度投资调度表", "Q")
    if as_of_line:
        ws["A2"] = as_of_line
    group = "2025年累计完成投资（万元）" if cumulative else "2025年完成投资（万元）"
    months = MONTHS if cumulative else [f"{m}月" for m in range(1, 13)]
    _header(ws, 3, ["序号", "项目名称", "总投资（万元）", "2025年计划投资（万元）", group] + [None] * 11 + ["责任单位"],
            [None] * 4 + months + [None])
    for number, (name, total, plan, figures) in enumerate(CUMULATIVE_ROWS, 1):
        _put(ws, 4 + number, [number, name, total, plan] + figures + [None] * (12 - len(figures)) + ["高新区发展改革局"])
    wb.save(path)
    return path


# ---------------------------------------------------------------- 建设起止时间

RANGES = ["2009-2011", "2007.10-2010.12", "2021.03-2023.12", "09.10-11.3", "2010-", "2024年3月至2026年6月"]


def date_ranges(path: Path, *, ambiguous: bool = False) -> Path:
    """建设起止时间 in one cell, one project per way of writing it (ambiguous: a last row with 2009-11)."""
    wb, ws = _book("项目表")
    ws.append(["序号", "项目名称", "总投资（万元）", "建设起止时间", "责任单位"])
    ranges = RANGES + (["2009-11"] if ambiguous else [])
    for number, text in enumerate(ranges, 1):
        ws.append([number, f"起止时间测试项目{number}", 1000 * number, text, "高新区发展改革局"])
    wb.save(path)
    return path


# ---------------------------------------------------------------- 调度表: 旬 figures, 完成率, 建设单位及责任人

DISPATCH_TOP = ["序号", "项目名称", "建设单位及责任人", "责任单位", "2025年计划投资", "1-10月累计完成投资", "年度投资完成率",
                "10月完成投资", None, None, "备注"]
DISPATCH_SUB = [None] * 7 + ["上旬", "中旬", "下旬", None]
DISPATCH_ROWS = {
    6: [1, "南平市武夷新区城市综合体", "南平市政府 张兆民", "南平市发展和改革委员会", 24000, 18000, "75%", 500, 600, 700, None],
    7: [2, "建阳区智能家居产业园", "建阳区工业园区管委会/李文", "建阳区工信局", 8000, 6000, 0.8, 200, None, 300, None],
    8: [3, "邵武市竹木加工基地", "邵武市竹业发展有限公司", "邵武市工信局", 5000, 1000, "20.00%", None, None, None, "旬报未报"],
}


def dispatch_with_ten_days(path: Path) -> Path:
    """2025年10月重点项目调度表 (南平): 上旬/中旬/下旬 under 10月完成投资, a 年度投资完成率 (one wrong: 0.8 for 75%),
    建设单位及责任人 (one cell holding only the unit)."""
    wb, ws = _book("调度表", "2025年10月重点项目调度表", "K")
    _line(ws, "A2", "D2", "填报单位：南平市重点项目推进中心")
    _line(ws, "I2", "K2", "单位：万元")
    _line(ws, "A3", "D3", "截至2025年10月31日")
    _header(ws, 4, DISPATCH_TOP, DISPATCH_SUB)
    for row, values in DISPATCH_ROWS.items():
        _put(ws, row, values)
    wb.save(path)
    return path


# ---------------------------------------------------------------- several sheets

SHEET_HEADER = ["序号", "项目名称", "总投资（万元）", "2025年计划投资（万元）", "责任单位", "计划开工时间"]
SHEETS = {
    "城区项目": [[1, "城区污水管网改造工程", 12000, 3000, "高新区住房和建设局", "2025年3月"],
               [2, "城区智慧停车场", 4500, 1500, "高新区城市管理局", date(2025, 5, 1)]],
    "园区项目": [[1, "园区标准厂房三期", 26000, 8000, "高新区经济发展局", "2025.6"]],
}


def several_sheets(path: Path, *, duplicate: bool = False, bad: bool = False) -> Path:
    """A 填报说明 sheet, then one ledger table per area (城区项目, 园区项目), then a 汇总 sheet that is no table.
    `duplicate`: 园区项目 repeats a 城区 project (row 4, by its name spelled with a space); `bad`: its amount is text."""
    wb = Workbook()
    notes = wb.active
    notes.title = "填报说明"
    notes["A1"] = "填报说明：每个区域一张表，金额单位万元。"
    for name, rows in SHEETS.items():
        ws = wb.create_sheet(name)
        _title(ws, f"2025年{name}推进表", "F")
        ws.append(SHEET_HEADER)
        for row in rows:
            ws.append(row)
        if name == "园区项目" and duplicate:
            ws.append([2, "城区智慧 停车场", 4500, 1500, "高新区城市管理局", None])
        if name == "园区项目" and bad:
            ws.append([2, "园区道路提升工程", "约两亿", 500, "高新区经济发展局", None])
    summary = wb.create_sheet("汇总")
    summary.append(["区域", "项目数"])
    summary.append(["城区", 2])
    wb.save(path)
    return path


# ---------------------------------------------------------------- 当月完成投资 beside the year to date

MONTHLY_HEADER = ["序号", "项目名称", "2025年计划投资（万元）", "年初至今累计完成投资额（万元）", "当月完成投资（万元）", "责任单位"]


def monthly_report(path: Path, month: int, rows: list[list[Any]]) -> Path:
    """2025年N月重点项目台账: the month named only by the title; rows (name, plan, year to date, month's figure)."""
    wb, ws = _book("月报", f"2025年{month}月重点项目台账", "F")
    ws.append(MONTHLY_HEADER)
    for number, row in enumerate(rows, 1):
        ws.append([number, *row, "高新区发展改革局"])
    wb.save(path)
    return path


# ---------------------------------------------------------------- several foreign currencies


def foreign_rates_ledger(path: Path, *, plan: float = 2000) -> Path:
    """A 外资项目 ledger with amounts in 万欧元 and 万港元 under a merged group header 投资情况, a 合计 row under
    the projects; `plan`: 乙项目's 2025年计划投资 (万港元)."""
    wb, ws = _book("外资项目", "2025年1-10月外资项目推进情况表", "F")
    _put(ws, 2, ["序号", "项目名称", "投资情况", None, None, "责任单位"])
    _put(ws, 3, [None, None, "总投资（万欧元）", "2025年计划投资（万港元）", "1-10月完成投资（万港元）"])
    for cells in ("A2:A3", "B2:B3", "C2:E2", "F2:F3"):
        ws.merge_cells(cells)
    ws.append([1, "中德智能装备产业园", 5000, 1000, 500, "高新区商务局"])
    ws.append([2, "港资冷链物流中心", 1234.5, plan, 1500.5, "高新区商务局"])
    ws.append(["合计", None, 6234.5, 1000 + plan, 2000.5, None])
    wb.save(path)
    return path


# ---------------------------------------------------------------- 责任单位及责任人


def unit_with_person(path: Path) -> Path:
    """A 督查室 推进表 whose 责任单位及责任人 column holds the unit and its person in one cell ("单位 姓名",
    "单位/姓名", "单位（姓名）"), merged down over the two projects of one unit; one cell names no person."""
    wb, ws = _book("推进表", "2025年重点项目推进情况表", "E")
    _put(ws, 2, ["序号", "项目名称", "投资情况（万元）", None, "责任单位及责任人"])
    _put(ws, 3, [None, None, "总投资", "2025年计划投资"])
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:E3"):
        ws.merge_cells(cells)
    ws.append([1, "智能终端产业园", 52000, 15000, "高新区商务局 张伟"])
    ws.append([2, "闽南冷链物流园", 26000, 8000, None])
    ws.merge_cells("E4:E5")
    ws.append([3, "污水处理厂提标改造", 9800, 4000, "高新区住房和建设局/李娜"])
    ws.append([4, "数字产业园一期", 30000, 6000, "高新区经济发展局（王强）"])
    ws.append([5, "人才公寓", 12000, 3000, "高新区经济发展局"])
    ws.append(["合计", None, 129800, 36000, None])
    wb.save(path)
    return path


# ---------------------------------------------------------------- a single month's own figure


def single_month(path: Path, *, title: str | None = "2025年10月重点项目调度表", own: str = "10月份完成投资",
                 ytd: bool = True, plan: str = "2025年计划投资（万元）") -> Path:
    """A 调度表 whose group header 投资完成情况（万元） holds the month's own figure (10月份完成投资) and, when `ytd`,
    the year to date (1-10月累计完成投资) beside it; a 合计 row under the projects."""
    wb, ws = _book("调度表", title, "E")
    start = 2 if title else 1
    _put(ws, start, ["序号", "项目名称", plan, "投资完成情况（万元）" if ytd else own, None])
    _put(ws, start + 1, [None, None, None, own if ytd else None, "1-10月累计完成投资" if ytd else None])
    for cells in (f"A{start}:A{start + 1}", f"B{start}:B{start + 1}", f"C{start}:C{start + 1}"):
        ws.merge_cells(cells)
    ws.merge_cells(f"D{start}:E{start}" if ytd else f"D{start}:D{start + 1}")
    _put(ws, start + 2, [1, "智能终端产业园", 15000, 1200, 9600 if ytd else None])
    _put(ws, start + 3, [2, "闽南冷链物流园", 8000, 650.5, 5100 if ytd else None])
    _put(ws, start + 4, ["合计", None, 23000, 1850.5, 14700 if ytd else None])
    wb.save(path)
    return path


# ---------------------------------------------------------------- one row per project per month


def monthly_rows(path: Path, *, cumulative: bool = False, rows: list[list[Any]] | None = None,
                 title: str | None = "2025年重点项目月度调度明细", plan: str = "2025年计划投资（万元）") -> Path:
    """The 调度 system's export: one row per project per month (填报月份 written 八月, 9月份, 2025年10月 …), each
    project's name, unit and totals merged down over its rows, a two-row header (投资完成情况 over the figure
    and 形象进度), and a 合计 row. The figure is 当月完成投资, or 本年累计完成投资 when `cumulative`."""
    wb, ws = _book("调度明细", title, "H")
    start = 2 if title else 1
    figure = "本年累计完成投资" if cumulative else "当月完成投资"
    _put(ws, start, ["序号", "填报月份", "项目名称", "责任单位", "总投资（万元）", plan, "投资完成情况", None])
    _put(ws, start + 1, [None, None, None, None, None, None, f"{figure}（万元）", "形象进度"])
    for col in "ABCDEF":
        ws.merge_cells(f"{col}{start}:{col}{start + 1}")
    ws.merge_cells(f"G{start}:H{start}")
    if rows is None:
        done = [800, 1900, 3000] if cumulative else [800, 1100, 1100]
        rows = [
            [1, "八月", "智能终端产业园", "高新区经济发展局", 52000, 15000, done[0], "主体施工"],
            [2, "9月份", None, None, None, None, done[1], "主体施工"],
            [3, "2025年10月", None, None, None, None, done[2], "设备安装"],
            [4, "2025-09", "闽南冷链物流园", "高新区商务局", 26000, 8000, 600, "基础施工"],
            [5, "2025-10", None, None, None, None, 1250.5 if cumulative else 650.5, "主体施工"],
        ]
    at = start + 2
    for row in rows:
        _put(ws, at, row)
        at += 1
    if rows and rows[0][2] == "智能终端产业园" and rows[1][2] is None:
        for col in "CDEF":  # each project's fields merged down over its months
            ws.merge_cells(f"{col}{start + 2}:{col}{start + 4}")
            ws.merge_cells(f"{col}{start + 5}:{col}{start + 6}")
    _put(ws, at, ["合计", None, None, None, 78000, 23000, None, None])
    wb.save(path)
    return path
