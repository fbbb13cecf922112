"""The one styling system: print setup, and row heights for wrapped text in write-only sheets."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from projects_cli.workbooks import styling


def test_text_lines_and_row_height():
    # a width unit holds half a Chinese character at 11 points: 29 usable units hold 14 characters at 11 pt
    assert styling.text_lines("甲" * 14, 30, 11) == 1
    assert styling.text_lines("甲" * 15, 30, 11) == 2
    assert styling.text_lines("甲" * 40, 30, 10) == 3  # 80 units over 31.9 a line
    assert styling.text_lines("a\nb\n", 30) == 3  # each line break starts a line
    assert (styling.row_height(3, 10), styling.row_height(1, 12), styling.row_height(100, 10)) == (45.0, 18.0, 409.0)


def test_write_only_rows_as_tall_as_their_wrapped_text(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    styling.set_widths(ws, [10, 30])
    styling.stream_cells(ws)
    ws.append(styling.title_row(ws, "标题" * 40, 2, 1))  # a height given before: kept
    wrap = [styling.styled(ws), styling.styled(ws, alignment=styling.LEFT_WRAP)]
    ws.append(styling.fill_row(wrap, ["甲" * 40, "甲" * 40]))  # only the wrapped column counts: 3 lines
    ws.append(styling.fill_row(wrap, ["短", "短"]))
    ws.append(styling.fill_row(wrap, [None, "一\n二"]))
    ws.append([styling.one_off(ws, "合计" * 30, styling.section_cell(ws))])  # not wrapped: one line
    ws.append(styling.fill_row(wrap, [1, 12345678901234567890]))  # numbers never wrap
    wb.save(tmp_path / "t.xlsx")
    got = load_workbook(tmp_path / "t.xlsx").active
    assert [got.row_dimensions[r].height for r in range(1, 7)] == [30, 45, None, 30, None, None]
    assert [got.column_dimensions[c].width for c in "AB"] == [10, 30]


def test_print_setup_of_tables_and_documents(tmp_path):
    wb = Workbook()
    table, doc = wb.active, wb.create_sheet("文")
    styling.print_setup(table, ncols=13, title_rows="3:4")
    styling.print_setup(doc, ncols=4, title_rows=None, paper="A4", landscape=False, margins=styling.DOCUMENT_MARGINS,
                        footer=styling.DOCUMENT_FOOTER)
    wb.save(tmp_path / "p.xlsx")
    back = load_workbook(tmp_path / "p.xlsx")
    table, doc = back.worksheets
    assert (table.page_setup.paperSize, table.page_setup.orientation, table.print_title_rows) == (8, "landscape", "$3:$4")
    assert (table.page_margins.left, table.page_margins.top) == (0.4, 0.5)
    assert table.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert (doc.page_setup.paperSize, doc.page_setup.orientation, doc.print_title_rows) == (9, "portrait", None)
    assert (doc.page_margins.left, doc.page_margins.top) == (0.6, 0.7)
    assert doc.oddFooter.center.text == "— &P —"
    for ws in (table, doc):
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)


def test_write_only_page_setup_goes_before_the_first_row():
    # openpyxl writes a write-only sheet's widths, panes and fit-to-page with its first row: later they are lost
    ws = Workbook(write_only=True).create_sheet("表")
    ws.append(["已写"])
    with pytest.raises(RuntimeError, match="print setup of write-only sheet '表' set after its first row"):
        styling.print_setup(ws, ncols=3, title_rows=None)
    with pytest.raises(RuntimeError, match="column widths of write-only sheet '表' set after its first row"):
        styling.set_widths(ws, [10])
    ws.close()


def test_printable_area_and_scale():
    assert styling.printable_area("A4", False, styling.DOCUMENT_MARGINS) == pytest.approx((508.9, 741.1))
    assert styling.printable_area("A3", True, styling.TABLE_MARGINS) == pytest.approx((1133.0, 769.9))
    assert styling.fit_scale([50, 50], 525.0) == 1.0  # 100 units are 525 points
    assert styling.fit_scale([100, 100], 525.0) == 0.5
