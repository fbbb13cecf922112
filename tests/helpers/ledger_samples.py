"""Ledgers built the way offices really make them (openpyxl), and hostile files.

`office_ledger` is the common kind: a merged title, an info line (填报单位 /
单位：万元 / 截至), a two-row header with group headers, a numbering row,
section rows at two levels, merged-down 责任单位, amounts written every which
way, dates as real dates, serial numbers, text and 待定, a 小计 and a 合计 row,
blank rows and notes at the bottom. `broken=True` spoils five rows; BROKEN_ROWS
says which (Excel row numbers).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

# The office ledger: what a clean import must give.
OFFICE_COUNT = 5
OFFICE_TOTAL = Decimal(416000)  # 48800 + 50000 + 76000 + 80000 + 161200 万元
OFFICE_NAMES = [
    "山推大马力推土机产业化项目",
    "信发液压高端液压件项目",
    "锐博 高端结构件智能制造项目",
    "镐成永生中韩高端装备产业化项目",
    "市第一人民医院公共卫生重症医学中心项目",
]
OFFICE_PENDING = [(12, "I"), (12, "J")]  # 待定 cells: warnings
BROKEN_ROWS = [8, 9, 12, 13, 16]
BROKEN_CELLS = [(8, "E"), (9, "H"), (12, "B"), (13, "G"), (16, "F")]

HEADER_TOP = ["序号", "项目名称", "建设单位", "建设内容及规模", "投资情况（万元）", None, None, "开工时间", None,
              "计划竣工时间", "项目状态", "责任单位", "包保县级领导", "形象进度", "备注"]
HEADER_SUB = [None, None, None, None, "总投资", "2025年计划投资", "1-10月完成投资", "计划", "实际",
              None, None, None, None, None, None]


def office_ledger(path: Path, *, broken: bool = False, extra_sheet_first: bool = True) -> Path:
    wb = Workbook()
    if extra_sheet_first:
        notes = wb.active
        notes.title = "填报说明"
        notes["A1"] = "请各单位于每月25日前报送台账，金额单位为万元。"
        ws = wb.create_sheet("2025年台账")
    else:
        ws = wb.active
        ws.title = "2025年台账"
    ws["A1"] = "高新区2025年重点项目推进情况台账"
    ws["A1"].font = Font(size=16, bold=True)
    ws.merge_cells("A1:O1")
    ws["A2"] = "填报单位：经济发展局"
    ws.merge_cells("A2:E2")
    ws["L2"] = "单位：万元"
    ws["N2"] = "截至2025年10月底"
    ws.merge_cells("N2:O2")
    for col, (top, sub) in enumerate(zip(HEADER_TOP, HEADER_SUB), 1):
        if top is not None:
            ws.cell(3, col, top)
        if sub is not None:
            ws.cell(4, col, sub)
    for col in (1, 2, 3, 4, 10, 11, 12, 13, 14, 15):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells("E3:G3")
    ws.merge_cells("H3:I3")
    for col in range(1, 16):
        ws.cell(5, col, col)  # the 栏次 numbering row
        ws.cell(3, col).alignment = Alignment(wrap_text=True)

    ws["A6"] = "一、高端装备产业（4个）"
    ws.merge_cells("A6:O6")
    ws["A7"] = "（一）工程机械（2个）"
    ws.merge_cells("A7:O7")
    rows = {
        8: [1, "山推大马力推土机产业化项目", "山推股份", "改扩建厂房1.8万平方米，新增设备386台套", "4.88亿元", 12000, 9800,
            date(2024, 3, 1), date(2024, 3, 15), "2026年6月", "在建", "经济发展局", "张三", "主体施工", None],
        9: [2, "信发液压高端液压件项目", "信发液压", "建设液压件生产线", 50000, "1,200", "900", 45383, None,
            "2025.12", "续建", None, "李四", "设备安装", None],
        11: None,  # section, written below
        12: [3, "\u3000锐博 高端结构件智能制造项目 ", "锐博", "结构件智能制造车间", "7 . 6亿元", "约1亿元", "—",
             "2025年3月", "待定", "待定", "前期", "科技创新局", "王五", "前期手续", "用地待批"],
        13: [4, "镐成永生中韩高端装备产业化项目", "镐成永生", "锻压装备生产车间11万平方米", 80000, "8000万", 5000,
             date(2025, 5, 20), date(2025, 6, 1), "2026年", "在建", None, "赵六", "基础施工", None],
        16: [5, "市第一人民医院公共卫生重症医学中心项目", "市第一人民医院", "重症医学中心", "16.12亿元", None, None,
             "2024/3/15", date(2024, 3, 20), None, "在建", "卫生健康局", "张三", "主体施工", "=HYPERLINK(\"http://x\",\"y\")"],
    }
    if broken:
        rows[8][4] = "很多"  # E8: not an amount
        rows[9][7] = "2024-02-30"  # H9: no such day
        rows[12][1] = None  # B12: no name
        rows[13][6] = 90000  # G13: completed above the total of 80000
        rows[16][5] = "-500"  # F16: negative plan
    for r, values in rows.items():
        if values is None:
            continue
        for col, value in enumerate(values, 1):
            if value is not None:
                cell = ws.cell(r, col, value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
    ws.merge_cells("L8:L9")  # 经济发展局 over its two projects
    ws.merge_cells("L12:L13")  # 科技创新局 over its two
    # row 10: a blank spacer row
    ws["A11"] = "（二）智能装备（2个）"
    ws.merge_cells("A11:O11")
    ws["A14"] = "小计"
    ws.merge_cells("A14:D14")
    ws["E14"] = 404800
    ws["A15"] = "二、医养健康产业（1个）"
    ws.merge_cells("A15:O15")
    ws["A17"] = "合 计"
    ws.merge_cells("A17:D17")
    ws["E17"] = 416000
    ws["A19"] = "注：1.投资单位为万元；2.开工、竣工时间填写到月。"
    ws.merge_cells("A19:O19")
    ws["A20"] = "填表人：小王"
    ws["F20"] = "审核人：老李"
    for col in "ABCDEFGHIJKLMNO":
        ws.column_dimensions[col].width = 14
    wb.save(path)
    return path


def simple_ledger(path: Path) -> Path:
    """One header row with other offices' words, amounts in 亿元 by the info line, codes given."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["2025年度重点项目建设情况表"])
    ws.merge_cells("A1:I1")
    ws.append(["单位：亿元"])
    ws.append(["序号", "项目编号", "项目", "项目总投资", "年度计划投资", "牵头单位", "包保领导", "计划开工日期", "产业链"])
    ws.append([1, "ZX-01", "甲项目", 8.5, 1.2, "经济发展局", "张三", date(2025, 3, 1), "工程机械"])
    ws.append([2, "ZX-02", "乙项目", "8000万", "50000元", "经济发展局", "李四", "2025年6月", "新能源"])
    ws.append([3, None, "丙项目", 0.3, None, "建设局", None, "2025.9", "氢能"])
    wb.save(path)
    return path


def three_row_header_ledger(path: Path) -> Path:
    """A header three rows deep: 投资（万元） over 总投资 and 2025年 over 计划投资 / 1-9月完成投资."""
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "重点项目台账"
    ws.merge_cells("A1:F1")
    ws["A2"], ws["B2"], ws["C2"], ws["F2"] = "序号", "项目名称", "投资（万元）", "责任单位"
    ws["C3"], ws["D3"] = "总投资", "2025年"
    ws["D4"], ws["E4"] = "计划投资", "1-9月完成投资"
    for rng in ("A2:A4", "B2:B4", "C2:E2", "C3:C4", "D3:E3", "F2:F4"):
        ws.merge_cells(rng)
    ws.append([1, "甲项目", 1000, 300, 200, "经济发展局"])
    ws.append([2, "乙项目", 2000, 600, 100, "经济发展局"])
    wb.save(path)
    return path


def csv_ledger(path: Path, encoding: str = "gb18030") -> Path:
    """A CSV as Excel saves it in China (GB18030)."""
    text = "项目名称,总投资（万元）,责任单位,计划开工时间\n甲项目,8.5亿元,经济发展局,2025年3月\n乙项目,1200,建设局,2025-06-30\n"
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------- hostile files


def not_a_workbook(path: Path) -> Path:
    path.write_text("这不是表格 just text\n", encoding="utf-8")
    return path


def truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def encrypted(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE compound file with an EncryptedPackage stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    directory = "EncryptedInfo".encode("utf-16-le") + b"\x00" * 40 + "EncryptedPackage".encode("utf-16-le")
    path.write_bytes(header + b"\x00" * (512 - len(header)) + directory + b"\x00" * 4096)
    return path


def zip_bomb(path: Path, megabytes: int = 64) -> Path:
    """A small .xlsx whose sheet part inflates to `megabytes` MB (a real one reaches gigabytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                part.write(chunk)
    path.write_bytes(buf.getvalue())
    return path


def billion_laughs(path: Path, source: Path) -> Path:
    """The office ledger with an XML entity that would expand to 10⁹ characters in a cell."""
    with zipfile.ZipFile(source) as src:
        names = src.namelist()
        sheet = "xl/worksheets/sheet2.xml"
        xml = src.read(sheet).decode()
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10)
        )
        # openpyxl writes the name as it is, or as character references when lxml does the writing
        name = next(n for n in ("山推股份", "".join(f"&#{ord(c)};" for c in "山推股份")) if n in xml)
        xml = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>' + xml.replace(name, "&lol9;", 1)
        with zipfile.ZipFile(path, "w") as out:
            for name in names:
                out.writestr(name, xml if name == sheet else src.read(name))
    return path
