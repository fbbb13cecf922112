"""The Word writer: a 公文 to GB/T 9704-2012, read back with python-docx."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from projects_cli.sheets.layout import Sheet
from projects_cli.sheets.markup import escape_value, parse
from projects_cli.sheets.word import Style, write_docx

MARKUP = """\
@urgency 特急
@title 重点项目问题督办单
@number 高新督〔2025〕12号
@to 经济发展局：
山推项目反映的问题，现交你单位牵头办理。
@heading 一、基本情况
@heading （一）问题由来
@table 问题清单
序号 | 项目名称 | 逾期天数
[red] | {n1} | 甲项目 | {n35}
| {n2} | 乙项目 | {n4}
[total] | 合计 | | {n39}

@fields
问题编号 | 2025-004 | 督办级别 | 挂牌督办
问题描述 | 新增设备用电负荷需扩容

@chart bar 各产业链投资完成率（%）
产业链 | 完成率
装备制造 | {n85}

@signature
高新区重点项目推进中心
2025年10月31日

@cc 抄送：区委办、区政府办
@printed 高新区重点项目推进中心 | {date}
""".format(date=escape_value(date(2025, 10, 31)), **{f"n{n}": escape_value(n) for n in (1, 2, 4, 35, 39, 85)})


def twips(length) -> int:
    return round(length / 635)


def east(run) -> str:
    return run._r.rPr.rFonts.get(qn("w:eastAsia"))


def text_of(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.text]


def para(doc, text: str):
    return next(p for p in doc.paragraphs if p.text == text)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "督办单.docx"
    write_docx([Sheet("经济发展局", parse(MARKUP))], path, Style(mark="高新区重点项目推进中心文件"))
    return path


@pytest.fixture(scope="module")
def doc(written):
    return Document(str(written))


def test_page_a4_with_the_gbt_9704_margins_and_grid(doc):
    section = doc.sections[0]
    assert (twips(section.page_width), twips(section.page_height)) == (11906, 16838)  # 210 × 297 mm
    assert [twips(m) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                               section.right_margin)] == [2098, 1984, 1587, 1474]  # 37, 35, 28, 26 mm
    grid = section._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")  # 22 lines in 225 mm
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    assert normal.paragraph_format.line_spacing_rule == 4  # WD_LINE_SPACING.EXACTLY
    assert normal.font.size == Pt(16)
    # 28 characters a line: 3号 set 0.25 pt tighter
    spacing = doc.styles.element.find(f".//{qn('w:rPrDefault')}//{qn('w:spacing')}")
    assert spacing.get(qn("w:val")) == "-5"


def test_head_urgency_red_mark_number_and_separator(doc):
    first = doc.paragraphs[0]
    assert first.text == "特急" and east(first.runs[0]) == "黑体" and first.runs[0].font.size == Pt(16)
    assert first.alignment is None or first.alignment == WD_ALIGN_PARAGRAPH.LEFT
    mark = doc.paragraphs[1]
    assert mark.text == "高新区重点项目推进中心文件"
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(mark.runs[0].font.color.rgb) == "FF0000" and east(mark.runs[0]) == "方正小标宋简体"
    number = doc.paragraphs[2]
    assert number.text == "高新督〔2025〕12号" and number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    bottom = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert (bottom.get(qn("w:val")), bottom.get(qn("w:color"))) == ("single", "FF0000")
    assert number.paragraph_format.space_before == Pt(28.95 * 2)  # 空二行 under the mark


def test_title_body_and_heading_fonts_and_sizes(doc):
    title = para(doc, "重点项目问题督办单")
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (east(title.runs[0]), title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    to = para(doc, "经济发展局：")
    assert to.paragraph_format.space_before == Pt(28.95)  # 标题下空一行
    assert (east(to.runs[0]), to.runs[0].font.size, to.paragraph_format.first_line_indent) == ("仿宋_GB2312", Pt(16), None)
    body = para(doc, "山推项目反映的问题，现交你单位牵头办理。")
    assert (east(body.runs[0]), body.runs[0].font.size, body.paragraph_format.first_line_indent) == (
        "仿宋_GB2312", Pt(16), Pt(32))
    assert east(para(doc, "一、基本情况").runs[0]) == "黑体"
    assert east(para(doc, "（一）问题由来").runs[0]) == "楷体_GB2312"
    assert para(doc, "一、基本情况").paragraph_format.keep_with_next is True
    # the fonts name what to use where they are not installed
    fonts = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml").blob.decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in fonts
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts


def test_tables_repeat_their_header_and_carry_row_styles(doc):
    table, fields = doc.tables
    header = table.rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["序号", "项目名称", "逾期天数"], ["1", "甲项目", "35"], ["2", "乙项目", "4"], ["合计", "", "39"]]
    assert east(table.rows[0].cells[0].paragraphs[0].runs[0]) == "黑体"
    fill = table.rows[1].cells[0]._tc.tcPr.find(qn("w:shd")).get(qn("w:fill"))
    assert fill == "FF8B8B"  # [red]
    assert table.rows[1].cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT  # a number
    # a short row of a form spans to the edge
    assert [c.text for c in fields.rows[1].cells] == ["问题描述"] + ["新增设备用电负荷需扩容"] * 3
    # the chart is a picture of it (every value printed on it), under its caption, the full text width
    [picture] = doc.inline_shapes
    assert (picture.width, picture.height < picture.width) == (Mm(150), True)
    caption = para(doc, "各产业链投资完成率（%）")
    assert (caption.alignment, caption.paragraph_format.keep_with_next) == (WD_ALIGN_PARAGRAPH.CENTER, True)
    holder = next(p for p in doc.paragraphs if p._p.xpath(".//pic:pic"))
    assert holder._p.getprevious() is caption._p and holder.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_without_a_cjk_font_a_chart_is_the_table_of_its_figures(tmp_path, monkeypatch):
    from projects_cli.sheets import picture

    monkeypatch.setattr(picture, "cjk_font", lambda: None)
    path = tmp_path / "no-font.docx"
    write_docx([Sheet("经济发展局", parse(MARKUP))], path, Style(mark="高新区重点项目推进中心文件"))
    doc = Document(str(path))
    assert len(doc.inline_shapes) == 0
    assert [[c.text for c in r.cells] for r in doc.tables[-1].rows] == [["产业链", "完成率"], ["装备制造", "85"]]
    assert "各产业链投资完成率（%）" in text_of(doc)


def test_signature_centred_over_the_date_four_characters_from_the_right(doc):
    office, day = para(doc, "高新区重点项目推进中心"), para(doc, "2025年10月31日")
    assert office.alignment == day.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert day.paragraph_format.right_indent == Pt(16 * 4)
    # the date is 7 characters wide, the office 11: centred over the date, 2 characters from the right
    assert office.paragraph_format.right_indent == Pt(16 * 2)
    assert office.paragraph_format.space_before == Pt(28.95 * 2)
    # never alone on a page: the chart's picture before it goes with it
    holder = next(p for p in doc.paragraphs if p._p.xpath(".//pic:pic"))
    assert holder.paragraph_format.keep_with_next is True


def test_a_signature_after_a_table_takes_its_last_row_along(tmp_path):
    path = tmp_path / "t.docx"
    markup = MARKUP.replace("@chart bar 各产业链投资完成率（%）", "@table 各产业链投资完成率（%）")
    write_docx([Sheet("经济发展局", parse(markup))], path, Style(mark="高新区重点项目推进中心文件"))
    doc = Document(str(path))
    last_row = doc.tables[-1].rows[-1]
    assert [p.paragraph_format.keep_with_next for c in last_row.cells for p in c.paragraphs] == [True, True]
    assert [p.paragraph_format.keep_with_next for c in doc.tables[-1].rows[0].cells for p in c.paragraphs] == [None] * 2


def test_record_lines_at_the_foot_of_the_page(doc):
    cc, printed = doc.paragraphs[-2], doc.paragraphs[-1]
    assert cc.text == "抄送：区委办、区政府办"
    assert printed.text == "高新区重点项目推进中心\t2025年10月31日印发"
    for p in (cc, printed):
        frame = p._p.pPr.find(qn("w:framePr"))
        assert (frame.get(qn("w:yAlign")), frame.get(qn("w:vAnchor"))) == ("bottom", "margin")
        assert (east(p.runs[0]), p.runs[0].font.size) == ("仿宋_GB2312", Pt(14))
    lines = [(side, b.get(qn("w:sz"))) for p in (cc, printed) for b in p._p.pPr.find(qn("w:pBdr")) for side in
             [b.tag.rpartition("}")[2]]]
    assert lines == [("top", "8"), ("bottom", "6"), ("bottom", "8")]  # thick, thin, thick


def test_page_numbers_odd_right_even_left(doc):
    assert doc.settings.odd_and_even_pages_header_footer is True
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text == even.text == "— 1 —"
    assert (odd.alignment, even.alignment) == (WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT)
    assert odd.paragraph_format.right_indent == even.paragraph_format.left_indent == Pt(14)  # 空一字
    for p in (odd, even):
        assert [east(r) for r in p.runs] == ["宋体"] * 3 and {r.font.size for r in p.runs} == {Pt(14)}
        assert [i.text for i in p._p.iter(qn("w:instrText"))] == [" PAGE "]
    assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_several_documents_each_start_an_odd_page_numbered_from_one(tmp_path):
    path = tmp_path / "通报.docx"
    docs = [Sheet(u, parse(f"@title 通报\n@subtitle （第{n}期）\n@number 高新督〔2025〕{n}号\n@to {u}：\n正文。\n"))
            for n, u in ((3, "建设局"), (4, "经济发展局"))]
    write_docx(docs, path, Style(mark="高新区重点项目推进中心"))
    doc = Document(str(path))
    assert len(doc.sections) == 2
    assert doc.sections[1].start_type == 4  # WD_SECTION.ODD_PAGE
    assert [s._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) for s in doc.sections] == ["1", "1"]
    assert doc.sections[1].footer.is_linked_to_previous
    assert text_of(doc).count("高新区重点项目推进中心") == 2
    # the number is set in the 版头: 主送 stays one line under the title and its subtitle
    assert para(doc, "建设局：").paragraph_format.space_before == Pt(28.95)
    subtitle = para(doc, "（第3期）")
    assert (east(subtitle.runs[0]), subtitle.runs[0].font.size) == ("楷体_GB2312", Pt(16))
    # no urgency, no 版记 without @urgency / @cc / @printed (an office's older template)
    assert text_of(doc)[0] == "高新区重点项目推进中心"
    assert not any(p._p.pPr is not None and p._p.pPr.find(qn("w:framePr")) is not None for p in doc.paragraphs)


def test_printed_needs_office_and_date():
    from projects_cli.sheets.markup import MarkupError

    with pytest.raises(MarkupError) as exc:
        parse("@printed 高新区重点项目推进中心")
    assert str(exc.value) == "模板：输出第 1 行：@printed 后应为 印发机关 | 印发日期，如 @printed {{ office }} | {{ issued_on }}"


def test_a_long_subtitle_is_set_smaller_to_stay_on_one_line(tmp_path):
    path = tmp_path / "周报.docx"
    write_docx([Sheet("周报", parse("@title 周报\n@subtitle 2025年第44周（2025年10月25日—2025年10月31日）\n"
                                    "@subtitle （第3期）\n"))], path, Style(mark="高新区重点项目推进中心"))
    doc = Document(str(path))
    sizes = [para(doc, t).runs[0].font.size for t in ("2025年第44周（2025年10月25日—2025年10月31日）", "（第3期）")]
    assert sizes == [Pt(14), Pt(16)]


def test_properties_are_in_schema_order(written):
    """Word refuses a document whose w:pPr, w:rPr, w:tblPr, w:tcPr or w:sectPr children are out of order."""
    import zipfile

    from lxml import etree

    from projects_cli.sheets.word import ORDERS

    out_of_order = []
    with zipfile.ZipFile(written) as z:
        for name in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
            for el in etree.fromstring(z.read(name)).iter():
                order = ORDERS.get(el.tag.rpartition("}")[2])
                if order is not None:
                    names = [c.tag.rpartition("}")[2] for c in el]
                    if any(n not in order for n in names) or names != sorted(names, key=order.index):
                        out_of_order.append((name, names))
    assert out_of_order == []
