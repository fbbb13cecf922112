"""The Excel layout's pages: a table kept on one page when it fits, a long one split with its header repeated."""

from __future__ import annotations

from openpyxl import load_workbook

from projects_cli.sheets.layout import Sheet, write_xlsx
from projects_cli.sheets.markup import parse

HEADER = ("序号", "项目名称", "责任单位", "说明")


def table(caption: str, n: int) -> str:
    # typed numbers come from template values; in plain markup a cell is text
    return "\n".join([f"@table {caption}", " | ".join(HEADER), *(f"{i} | 项目{i} | 单位{i} | 正常推进" for i in range(1, n + 1))])


def written(tmp_path, markup: str):
    path = tmp_path / "s.xlsx"
    write_xlsx([Sheet("表", parse(markup))], path)
    ws = load_workbook(path).active
    values = [tuple(c.value for c in row if c.value is not None) for row in ws.iter_rows()]
    return ws, sorted(b.id for b in ws.row_breaks.brk), values


def test_a_long_table_repeats_its_header_on_every_page(tmp_path):
    ws, breaks, values = written(tmp_path, "@title 长表\n" + table("项目清单", 100))
    # A4 portrait holds 741 points inside the margins, 98% of it used (726.8): the title (30), a gap (8), the
    # caption (18) and the header (16.5) leave room for 39 rows of 16.5 points; the next page has the header
    # and 43 rows, the last the header and the other 18
    assert breaks == [43, 87]
    assert [values[b] for b in breaks] == [HEADER, HEADER]  # the row after each break (0-based list, 1-based rows)
    assert [v for v in values if v and v != HEADER][2:] == [(str(i), f"项目{i}", f"单位{i}", "正常推进") for i in range(1, 101)]
    assert values[:4] == [("长表",), (), ("项目清单",), HEADER]
    assert ws.oddFooter.center.text == "— &P —"


def test_a_table_that_fits_a_page_but_not_the_rest_starts_a_new_one(tmp_path):
    ws, breaks, values = written(tmp_path, "@title 两表\n" + table("第一表", 30) + "\n\n" + table("第二表", 15))
    # the first table ends at 567.5 points; the second needs 290 (gap, caption, header, 15 rows), a page has 726.8
    assert breaks == [34]
    assert values[34:36] == [("第二表",), HEADER]  # no gap at the top of the page
    assert values.count(HEADER) == 2


def counts_chart() -> str:
    from projects_cli.sheets.markup import escape_value

    rows = [f"{stage} | {escape_value(n)}" for stage, n in (("线索", 2), ("接洽", 1), ("在谈", 0))]
    return "\n".join(["@chart bar 各阶段线索数", "阶段 | 线索数", *rows])


def test_a_chart_of_a_few_counts_steps_by_whole_numbers(tmp_path):
    import re

    from projects_cli.sheets.layout import svg_chart

    ws, _, _ = written(tmp_path, "@title 线索\n" + counts_chart())
    assert ws._charts[0].y_axis.majorUnit == 1  # 0 1 2, never 0.2 0.4 … for two leads
    svg = svg_chart(parse(counts_chart()).blocks[0])
    assert re.findall(r'class="tick"[^>]*>([^<]*)<', svg) == ["0", "1", "2", "3", "4"]
    # amounts keep the writers' own steps
    amounts = counts_chart().replace("\x04n2\x05", "\x04n2.5\x05")
    ws, _, _ = written(tmp_path, "@title 金额\n" + amounts)
    assert ws._charts[0].y_axis.majorUnit is None
