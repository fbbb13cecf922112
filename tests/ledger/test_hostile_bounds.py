"""Hostile workbooks built by hand (issue 17): refused by what they declare, before python-calamine allocates."""

from __future__ import annotations

import json
import os
import resource
import time
from datetime import date

import handmade as hm
import pytest

from projects_cli.ledger.importer import read_ledger
from projects_cli.ledger.reader import BadWorkbook

AS_OF = date(2025, 10, 31)


def refused(path, **kw) -> str:
    """The one-line refusal, within 5 s and without growing the process by 200 MB."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(BadWorkbook) as info:
        read_ledger(path, as_of=AS_OF, **kw)
    assert time.perf_counter() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024
    assert "\n" not in str(info.value)
    return str(info.value)


@pytest.mark.parametrize("ref", ["XFD10000", "XFD60000", "XFD1048576"])
def test_one_far_cell(tmp_path, ref):
    path = hm.ledger(tmp_path / "far.xlsx", [["甲项目", 100, "经济局", "2025-03-01"]], extra=hm.rows_xml([])
                     + f'<row r="{ref[3:]}"><c r="{ref}"><v>1</v></c></row>')
    assert refused(path) == (
        f"{path} 工作表 台账 用到第 16,384 列（单元格 {ref}），超过允许的 1,000 列（[limits] ledger_columns）；"
        "请删去表格以外的内容后另存")


def test_a_far_row_out_of_order(tmp_path):
    path = hm.book(tmp_path / "o.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A1048576"><v>1</v>'
                   '</c><c r="P2"><v>1</v></c></row><row r="3"><c r="A3"><v>1</v></c></row>')
    assert refused(path, config={"limits": {"ledger_cells": 1_000_000}}) == (
        f"{path} 工作表 台账 的范围 A1:P1048576 有 16,777,216 个单元格，超过允许的 1,000,000 个（[limits] ledger_cells）；"
        "请删去表格以外的内容，或把台账分成几个文件")


def test_cells_without_references_are_counted(tmp_path):
    path = hm.book(tmp_path / "n.xlsx", "<row>" + "<c><v>1</v></c>" * 2000 + "</row>")
    assert refused(path).startswith(f"{path} 工作表 台账 用到第 2,000 列（单元格 BXX1），超过允许的 1,000 列")


def test_empty_styled_cells_far_away_are_not_counted(tmp_path):
    path = hm.ledger(tmp_path / "e.xlsx", [["甲项目", 100, "经济局", "2025-03-01"]],
                     extra='<row r="9"><c r="XFD9" s="1"/></row>')
    assert [r.values["name"] for r in read_ledger(path, as_of=AS_OF).rows] == ["甲项目"]


def test_shared_strings_declaring_two_billion(tmp_path):
    strings = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'count="1" uniqueCount="2000000000"><si><t>a</t></si></sst>')
    path = hm.book(tmp_path / "s.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings=strings)
    assert refused(path) == (
        f"{path}：共享字符串表声明有 2,000,000,000 个字符串，但它的 {len(strings)} 字节最多装下 {len(strings) // 5 + 1} 个，"
        "文件被篡改或损坏，未打开；请用 Excel 另存后再导入")


@pytest.mark.slow
def test_a_merge_to_the_end_of_the_sheet_is_cut_to_the_used_range(tmp_path):
    rows = [[f"项目{i}", 100 + i, "经济局", "2025-03-01"] for i in range(30_000)]
    path = hm.ledger(tmp_path / "m.xlsx", rows, after='<mergeCells count="1"><mergeCell ref="E4:XFD1048576"/></mergeCells>')
    start = time.perf_counter()
    parsed = read_ledger(path, as_of=AS_OF)
    assert time.perf_counter() - start < 15
    assert len(parsed.rows) == 30_000 and parsed.rows[-1].values["name"] == "项目29999"


def test_merged_ranges_covering_too_many_cells(tmp_path):
    path = hm.ledger(tmp_path / "m.xlsx", [["甲项目", 100, "经济局", "2025-03-01"]] * 3,
                     after='<mergeCells count="2"><mergeCell ref="A2:D4"/><mergeCell ref="A2:D4"/></mergeCells>')
    assert refused(path, config={"limits": {"ledger_cells": 20}}) == (
        f"{path} 工作表 台账 的合并单元格共覆盖 24 个单元格，超过允许的 20 个（[limits] ledger_cells）；"
        "请取消表格以外的合并后另存")


def test_a_part_that_inflates_past_its_declared_size(tmp_path):
    path = hm.book(tmp_path / "l.xlsx", hm.rows_xml([["x"] * 3] * 200))
    data = bytearray(path.read_bytes())
    # shrink the sheet's declared size in the central directory (the local header is not read by zipfile)
    import zipfile
    info = zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    central = data.rfind(b"PK\x01\x02" + data[data.find(b"PK\x01\x02") + 4:data.find(b"PK\x01\x02") + 4], 0)
    at = data.find(info.filename.encode(), central) - 46 + 24
    data[at:at + 4] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    message = refused(path)
    assert message.startswith(f"{path}")
    assert "xl/worksheets/sheet1.xml" in message


def test_a_fifo_or_a_device_is_not_read(tmp_path):
    fifo = tmp_path / "p.xlsx"
    os.mkfifo(fifo)
    assert refused(fifo) == f"{fifo} 不是普通文件（是管道或设备）；请给出台账文件本身"


def test_a_csv_too_wide(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("项目名称" + ",x" * 1000 + "\n", encoding="utf-8")
    assert refused(path) == (f"{path} 第 1 行有 1,001 列，超过允许的 1,000 列（[limits] ledger_columns）")


# ---------------------------------------------------------------- text


@pytest.mark.parametrize("cell, column, shown", [
    ("乙_x001B_项目", "A 列 项目名称", "含有控制字符 U+001B（ESC），位于第 2 个字符，请删去后再填"),
    ("乙_x0000_项目", "A 列 项目名称", "含有控制字符 U+0000（NUL），位于第 2 个字符，请删去后再填"),
    ("乙\u200b项目", "A 列 项目名称", "含有看不见的字符 U+200B（零宽空格 ZERO WIDTH SPACE），位于第 2 个字符，"
     "会造成以假乱真的名称，请删去后再填"),
    ("乙\u202e项目", "A 列 项目名称", "含有看不见的字符 U+202E（从右到左覆盖 RIGHT-TO-LEFT OVERRIDE），位于第 2 个字符，"
     "会造成以假乱真的名称，请删去后再填"),
])
def test_control_and_invisible_characters_are_refused_with_sheet_row_and_column(cli, tmp_path, cell, column, shown):
    from counts import table_counts

    path = hm.ledger(tmp_path / "t.xlsx", [["甲项目", 100, "经济局", "2025-03-01"], [cell, 200, "经济局", "2025-03-01"]])
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 1
    assert f"错误：台账 第 3 行，{column}：{shown}\n" in r.stderr
    assert r.stderr.endswith("错误：t.xlsx：1 处错误（第 3 行）；未写入任何内容\n")
    assert table_counts(cli.url) == before


def test_nul_after_the_first_4_kb_of_a_csv(cli, tmp_path):
    path = tmp_path / "n.csv"
    rows = "".join(f"项目{i},100,经济局\n" for i in range(400))
    path.write_text("项目名称,总投资（万元）,责任单位\n" + rows + "坏\x00项目,100,经济局\n", encoding="utf-8")
    assert path.stat().st_size > 4096
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 1
    assert "错误：n 第 402 行，A 列 项目名称：含有控制字符 U+0000（NUL），位于第 2 个字符，请删去后再填\n" in r.stderr


def test_the_export_of_imported_text_imports_as_unchanged(cli, tmp_path):
    path = hm.ledger(tmp_path / "a.xlsx", [["甲项目", 100, "经济局", "2025-03-01"]])
    assert cli("ledger", "import", "--create-units", str(path)).exit_code == 0
    assert cli("edit", "GX-0001", "--notes", "第一行\r\n第二行\t完").exit_code == 0
    out = tmp_path / "out.xlsx"
    assert cli("ledger", "export", str(out)).exit_code == 0
    again = cli("ledger", "import", "--create-units", str(out))
    assert again.exit_code == 0, again.stderr
    assert "新增 0，修改 0，未变 1" in again.stderr


def test_a_file_scanned_before_is_checked_by_its_range_not_scanned_again(tmp_path, monkeypatch):
    """The same bytes have the same used range: the second read takes it from the memo (no scan), and checks it
    against the limits in force then; other bytes are scanned; a memo that cannot be read is an empty one."""
    from projects_cli.config.paths import cache_dir
    from projects_cli.ledger import bounds

    scanned = []
    scan = bounds.scan_sheet
    monkeypatch.setattr(bounds, "scan_sheet", lambda zf, info, where: scanned.append(info.filename) or scan(
        zf, info, where))
    path = hm.ledger(tmp_path / "far.xlsx", [["甲项目", 100, "经济局", "2025-03-01"]],
                     extra=hm.rows_xml([]) + '<row r="9"><c r="Z9"><v>1</v></c></row>')
    names = [r.values.get("name") for r in read_ledger(path, as_of=AS_OF).rows]
    assert names[0] == "甲项目" and scanned == ["xl/worksheets/sheet1.xml"]
    memo = cache_dir() / "sheet-ranges.json"
    assert [8, 25] in json.loads(memo.read_text("utf-8")).values()  # (0-based: row 9, column Z)
    assert [r.values.get("name") for r in read_ledger(path, as_of=AS_OF).rows] == names
    assert scanned == ["xl/worksheets/sheet1.xml"]  # not scanned again
    assert refused(path, config={"limits": {"ledger_columns": 20}}) == (  # the range, checked by today's limits
        f"{path} 工作表 台账 用到第 26 列（单元格 Z9），超过允许的 20 列（[limits] ledger_columns）；请删去表格以外的内容后另存")
    assert len(scanned) == 1
    other = hm.ledger(tmp_path / "far.xlsx", [["乙项目", 100, "经济局", "2025-03-01"]],
                      extra=hm.rows_xml([]) + '<row r="9"><c r="XFD9"><v>1</v></c></row>')  # same name, other bytes
    assert refused(other).startswith(f"{path} 工作表 台账 用到第 16,384 列（单元格 XFD9）")
    assert len(scanned) == 2
    memo.write_text("{not json", "utf-8")
    assert refused(other).startswith(f"{path} 工作表 台账 用到第 16,384 列（单元格 XFD9）")
    assert len(scanned) == 3 and json.loads(memo.read_text("utf-8"))  # (written again, whole)


def test_the_memo_keeps_the_latest_sheets_only(tmp_path):
    from projects_cli.ledger import bounds

    ranges = bounds.Ranges(tmp_path / "r.json")
    for i in range(bounds.Ranges.MEMO_SIZE + 5):
        ranges.put(f"k{i}", bounds.Used(i, 1))
    kept = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert len(kept) == bounds.Ranges.MEMO_SIZE and "k4" not in kept and kept["k5"] == [5, 1]
    assert bounds.Ranges(tmp_path / "r.json").get("k68") == bounds.Used(68, 1)
    assert bounds.Ranges(tmp_path / "missing" / "none.json").get("k68") is None
