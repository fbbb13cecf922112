"""Lay out rendered sheets (`markup.Document`) as a Word document in the national 公文 format (GB/T 9704-2012).

The same blocks as the Excel, HTML and Markdown writers (`sheets.layout`), laid
out as a clerk would set a 公文 in Word: A4, margins 37/35/28/26 mm (版心 156 ×
225 mm), 22 lines of 28 characters (exact line spacing and the document grid);
the 版头 (紧急程度 top left in 3号黑体, the issuing office's mark in red, the
发文字号 centred under it and the red separator line; only a sheet with a @number line has one: a
report such as the 招商线索汇总 starts at its title); the title in 2号小标宋,
主送机关, the body in 3号仿宋 with headings 一、 in 黑体 and （一） in 楷体; tables
whose header row repeats on every page; the 发文机关署名 centred over the 成文
日期, which stands four characters from the right; the 版记 (抄送, 印发机关 and
印发日期 between its lines) at the foot of the last page; page numbers "— 1 —" in
4号宋体, odd pages right and even pages left. A @chart is a picture drawn with
Pillow in a CJK font (`sheets.picture`), or the table of its data where no such
font is found. Several documents (a notice to every unit) are one file,
each starting on an odd page with its own page numbers.

python-docx is imported here only, when a Word document is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from projects_cli.sheets.markup import Block, Row, Value, display

# 字号 in points (GB/T 9704 names the sizes of the Chinese type scale)
SIZE_2, SIZE_3, SIZE_4, SIZE_SMALL_4, SIZE_5 = 22.0, 16.0, 14.0, 12.0, 10.5
RED = "FF0000"
RECORD_LINE = SIZE_4 * 1.6  # a line of the 版记, points
RECORD_RULES = {"thick": "8", "thin": "6"}  # its lines in eighths of a point: 0.35 mm and 0.25 mm (GB/T 9704 8)
# 版心 156 × 225 mm: 22 lines of 28 characters of 3号 type
TEXT_WIDTH_MM, TEXT_HEIGHT_MM, LINES, CHARS = 156, 225, 22, 28
LINE_PT = TEXT_WIDTH_MM / 25.4 * 72 * 0.93  # what a centred line may hold, less room for the space around digits
# a chart's picture: the 版心's width less a little, and never more than two thirds of its height
PICTURE_MM, PICTURE_HIGH_MM = 150, 150
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# 225 mm / 22 = 28.99 pt; 28.95 pt (579 twips) so that the 22nd line still fits in the 版心
LINE_TWIPS = 579
# 28 characters a line: 156 mm / 28 = 15.79 pt a character, so 3号 (16 pt) type is set 0.25 pt tighter
# (w:spacing, in twentieths of a point). Not a character grid (w:docGrid linesAndChars with w:charSpace):
# LibreOffice gives a 16 pt character two cells of a 15.79 pt grid, 14 characters a line.
CHAR_TIGHTEN = -5
# GB/T 9704 fonts, each with the name Word and LibreOffice substitute when it is not installed
FANGSONG, KAITI, HEITI, SONGTI = "仿宋_GB2312", "楷体_GB2312", "黑体", "宋体"
FALLBACKS = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体", "方正小标宋简体": "黑体"}
LATIN = "Times New Roman"

# heading levels by their numbering: 一、 (黑体), （一） (楷体), 1. and （1） (仿宋)
_LEVEL_2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
_LEVEL_3 = re.compile(r"^(\d+[.．、]|[（(]\d+[）)])")

ROW_FILLS = {"red": "FF8B8B", "yellow": "FFE066", "blue": "9DC3E6", "total": "FFF2CC"}  # as in the workbooks
HEADER_FILL, LABEL_FILL, HINT_GREY = "D9E1F2", "F2F2F2", "808080"


@dataclass(frozen=True)
class Style:
    """What of a Word document the office's config decides: its mark (发文机关标志) and the title's font."""

    mark: str
    title_font: str = "方正小标宋简体"


def style_of(config) -> Style:
    """The `Style` of a `contexts.SheetConfig`: the mark is the office when none is set."""
    return Style(mark=config.mark or config.office, title_font=config.title_font or "方正小标宋简体")


def _chars(text: str, latin: float = 0.5) -> float:
    """Width in characters: a Chinese character is one, a Latin letter or digit `latin` (a half in Times New Roman)."""
    wide = (len(text.encode("utf-8")) - len(text)) // 2  # 3 bytes each in UTF-8 (the CJK ranges)
    return wide + (len(text) - wide) * latin


def write_docx(sheets: Sequence, path: Path, style: Style) -> None:
    """One Word document of every sheet (`layout.Sheet`), each in its own section numbered from 1."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    from projects_cli.writes import replacing

    doc = Document()
    _set_styles(doc)
    doc.settings.odd_and_even_pages_header_footer = True
    _set_page(doc.sections[0], first=True)
    for n, sheet in enumerate(sheets):
        if n:
            _set_page(doc.add_section(WD_SECTION.ODD_PAGE), first=False)
        _Writer(doc, sheet.doc.blocks, style).write()
    fonts = {FANGSONG, KAITI, HEITI, SONGTI, style.title_font}
    _font_table(doc, fonts)
    props = doc.core_properties
    props.title = sheets[0].doc.title if sheets else ""
    props.author = props.last_modified_by = style.mark
    props.comments = ""
    with replacing(path) as tmp:
        doc.save(str(tmp))


# ---------------------------------------------------------------- OOXML helpers


def _el(tag: str, **attrs: str):
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def _replace(parent, tag: str, **attrs: str):
    """Set the child `tag` of `parent` (replacing one already there), where the schema puts it."""
    el = _el(tag, **attrs)
    _insert_ordered(parent, el)
    return el


def _fonts(rpr, east: str) -> None:
    """rFonts: Latin letters and digits in Times New Roman, Chinese in `east` (w:eastAsia)."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for key in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{key}"), LATIN)
    fonts.set(qn("w:eastAsia"), east)
    for key in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{key}"), None)


def _set_styles(doc) -> None:
    """Normal: 3号仿宋, exact lines on the grid, no space between paragraphs, justified."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, Twips

    normal = doc.styles["Normal"]
    normal.font.size = Pt(SIZE_3)
    _fonts(normal.element.get_or_add_rPr(), FANGSONG)
    fmt = normal.paragraph_format
    fmt.line_spacing = Twips(LINE_TWIPS)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = True
    # the defaults under every style (tables, footers): the same fonts and size (the character grid counts from
    # this size), Chinese line breaking, no space after paragraphs
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    defaults = doc.styles.element.find(f"{w}docDefaults")
    rpr = defaults.find(f"{w}rPrDefault/{w}rPr")
    _fonts(rpr, FANGSONG)
    for tag in ("sz", "szCs"):
        rpr.find(f"{w}{tag}").set(f"{w}val", str(int(SIZE_3 * 2)))
    rpr.find(f"{w}lang").set(f"{w}eastAsia", "zh-CN")
    _replace(rpr, "w:spacing", val=str(CHAR_TIGHTEN))
    spacing = defaults.find(f"{w}pPrDefault/{w}pPr/{w}spacing")
    spacing.set(f"{w}after", "0")
    spacing.set(f"{w}line", "240")


def _set_page(section, *, first: bool) -> None:
    """A4 portrait, the GB/T margins, the 22 × 28 grid, pages numbered from 1; the footers on the first section
    (the later ones take them over)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    # the page number's top 7 mm under the 版心 (GB/T 9704 7.5): 35 − 7 mm less a 4号 line
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 6)
    section.gutter = Mm(0)
    sect = section._sectPr
    _replace(sect, "w:pgNumType", start="1")
    _replace(sect, "w:docGrid", type="lines", linePitch=str(LINE_TWIPS))
    if first:
        _page_number(section.footer.paragraphs[0], odd=True)
        _page_number(section.even_page_footer.paragraphs[0], odd=False)


def _page_number(p, *, odd: bool) -> None:
    """"— 1 —" in 4号宋体: odd pages at the right, even pages at the left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    fmt = p.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    if odd:
        fmt.right_indent = Pt(SIZE_4)
    else:
        fmt.left_indent = Pt(SIZE_4)
    fmt.line_spacing = 1.0
    _no_grid(p)
    _run(p, "— ", SONGTI, SIZE_4)
    run = _run(p, "", SONGTI, SIZE_4)
    run._r.append(_el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    run._r.append(_el("w:fldChar", fldCharType="separate"))
    shown = _el("w:t")
    shown.text = "1"
    run._r.append(shown)
    run._r.append(_el("w:fldChar", fldCharType="end"))
    _run(p, " —", SONGTI, SIZE_4)


def _font_table(doc, names: set[str]) -> None:
    """Each font in word/fontTable.xml, GB2312 charset, with the font to use where it is not installed (w:altName)."""
    from lxml import etree

    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None:  # pragma: no cover - python-docx's default template has one
        return
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    root = etree.fromstring(part.blob)
    have = {f.get(f"{{{w}}}name") for f in root.findall(f"{{{w}}}font")}
    for name in sorted(names - have):
        font = etree.SubElement(root, f"{{{w}}}font")
        font.set(f"{{{w}}}name", name)
        if name in FALLBACKS:
            etree.SubElement(font, f"{{{w}}}altName").set(f"{{{w}}}val", FALLBACKS[name])
        etree.SubElement(font, f"{{{w}}}charset").set(f"{{{w}}}val", "86")
        etree.SubElement(font, f"{{{w}}}family").set(f"{{{w}}}val", "modern" if name != HEITI else "swiss")
        etree.SubElement(font, f"{{{w}}}pitch").set(f"{{{w}}}val", "fixed")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _no_grid(p) -> None:
    """A paragraph off the document grid (tables, footers, the mark): its own line height."""
    _replace(p._p.get_or_add_pPr(), "w:snapToGrid", val="0")


def _run(p, text: str, east: str, size: float, *, bold: bool = False, color: str | None = None):
    from docx.shared import Pt, RGBColor

    run = p.add_run(text)
    _fonts(run._r.get_or_add_rPr(), east)
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    return run


def _shade(cell, fill: str) -> None:
    _replace(cell._tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill=fill)


def _text(value: Value) -> str:
    return display(value)


def _is_number(value: Value) -> bool:
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


# ---------------------------------------------------------------- the blocks


class _Writer:
    """One document's blocks into the Word document, in the order of GB/T 9704: 版头, 主体, 版记."""

    def __init__(self, doc, blocks: list[Block], style: Style):
        from docx.shared import Mm, Pt, Twips

        self.doc, self.blocks, self.style = doc, blocks, style
        self.Pt, self.Mm, self.Twips = Pt, Mm, Twips
        self.line = Twips(LINE_TWIPS)

    def para(self, text: str = "", *, east: str = FANGSONG, size: float = SIZE_3, align=None, first_indent: float = 0,
             bold: bool = False, color: str | None = None, before_lines: float = 0, keep: bool = False):
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        if align is not None:
            fmt.alignment = align
        if first_indent:
            fmt.first_line_indent = self.Pt(SIZE_3 * first_indent)
        if before_lines:
            fmt.space_before = self.Twips(round(LINE_TWIPS * before_lines))
        if keep:
            fmt.keep_with_next = True
        if text:
            _run(p, text, east, size, bold=bold, color=color)
        return p

    def write(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH as A

        blocks = self.blocks
        if any(b.kind == "number" for b in blocks):  # a 公文 (it has a 发文字号 line): the 版头; a report starts at its title
            self.head(next((b.text for b in blocks if b.kind == "urgency"), ""),
                      next((b.text for b in blocks if b.kind == "number"), ""))
        after_title = False
        for block in blocks:
            kind, text = block.kind, block.text
            if kind == "title":
                p = self.para(text, east=self.style.title_font, size=SIZE_2, align=A.CENTER, before_lines=2)
                p.paragraph_format.keep_with_next = True
                after_title = True
            elif kind == "subtitle":  # one line if a size down to 4号 fits it (a date range is long)
                size = next((z for z in (SIZE_3, 15.0, SIZE_4) if _chars(text, latin=0.75) * z <= LINE_PT), SIZE_3)
                self.para(text, east=KAITI, size=size, align=A.CENTER, keep=True)
            elif kind == "to":
                self.para(text, before_lines=1 if after_title else 0)
            elif kind == "heading":
                self.heading(text)
            elif kind == "para":
                self.para(text, first_indent=2)
            elif kind == "note":
                p = self.para(text)
                p.paragraph_format.left_indent = self.Pt(SIZE_3 * 2)
            elif kind == "pagebreak":
                from docx.enum.text import WD_BREAK

                self.para().add_run().add_break(WD_BREAK.PAGE)
            elif kind == "chart":
                self.chart(block)
            elif kind == "table":
                self.table(block.rows, caption=text, header=True)
            elif kind == "fields":
                self.table(block.rows, header=False, labels="pairs")
            elif kind == "feedback":
                rows = [Row([r.cells[0], r.cells[1] if len(r.cells) > 1 else ""]) for r in block.rows]
                self.table(rows, caption=text, header=False, labels="first", caption_left=True, fill_in=True)
            elif kind == "signature":
                self.signature([display(r.cells[0]) for r in block.rows])
            if kind != "title":  # the blocks set elsewhere (the 版头, the 版记) keep 主送 one line under the title
                after_title = after_title and kind in ("subtitle", "number", "urgency", "cc", "printed")
        cc = [b.text for b in blocks if b.kind == "cc"]
        printed = next((b for b in blocks if b.kind == "printed"), None)
        if cc or printed is not None:
            self.record(cc, printed)

    # -- 版头

    def head(self, urgency: str, number: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH as A

        if urgency:
            self.para(urgency, east=HEITI)
        # 发文机关标志: red, centred, as large as fits the width (at most 小初, 36 pt)
        mark = self.style.mark
        size = min(36.0, max(SIZE_2, (TEXT_WIDTH_MM / 25.4 * 72) / max(1.0, _chars(mark)) - 2))
        p = self.para(mark, east=self.style.title_font, size=size, align=A.CENTER, color=RED)
        p.paragraph_format.line_spacing = 1.0
        _no_grid(p)
        # 发文字号 two lines under the mark, the red line 4 mm under it, the width of the 版心
        p = self.para(number, align=A.CENTER, before_lines=2)
        _replace(p._p.get_or_add_pPr(), "w:pBdr").append(_el("w:bottom", val="single", sz="12", space="6", color=RED))
        p.paragraph_format.space_after = self.Mm(4)

    # -- 主体

    def heading(self, text: str) -> None:
        if _LEVEL_2.match(text):
            east = KAITI
        elif _LEVEL_3.match(text):
            east = FANGSONG
        else:
            east = HEITI
        self.para(text, east=east, first_indent=2, keep=True)

    def signature(self, lines: list[str]) -> None:
        """署名 centred over the 成文日期; the date four characters from the right; room above for the seal."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH as A

        if not lines:
            return
        self.keep_last()
        date_line = lines[-1]
        width = _chars(date_line)
        for n, line in enumerate(lines):
            inset = 4 if n == len(lines) - 1 else max(0.0, 4 + (width - _chars(line)) / 2)
            p = self.para(line, align=A.RIGHT, before_lines=2 if n == 0 else 0, keep=n < len(lines) - 1)
            p.paragraph_format.right_indent = self.Pt(SIZE_3 * inset)

    def keep_last(self) -> None:
        """The last line before the signature goes with it to the next page, never the signature alone (GB/T 9704
        7.3.5: no page of a signature without text): the last paragraph, or the last row of a table."""
        from docx.oxml.ns import qn
        from docx.table import Table

        if not self.doc.paragraphs:
            return
        last = self.doc.paragraphs[-1]
        last.paragraph_format.keep_with_next = True
        before = last._p.getprevious()
        if before is not None and before.tag == qn("w:tbl"):
            for cell in Table(before, self.doc._body).rows[-1].cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True

    def chart(self, block) -> None:
        """A @chart: its caption and picture (`picture.chart_png`, every value printed on it, kept on one page
        with the caption); its figures as a table instead where no CJK font is found to draw with."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH as A

        from projects_cli.sheets.picture import chart_png

        caption = block.text.partition(" ")[2]
        png = chart_png(block, title=False) if len(block.rows) > 1 else None
        if png is None:
            self.table(block.rows, caption=caption, header=True)
            return
        import io

        self.para(caption, east=HEITI, size=SIZE_4, align=A.CENTER, keep=True, before_lines=0.5)
        p = self.doc.add_paragraph()
        p.paragraph_format.alignment = A.CENTER
        p.paragraph_format.line_spacing = 1.0  # not the body's exact 28.95 pt, which would clip the picture
        import struct

        wide, high = struct.unpack(">II", png[16:24])  # the PNG header's size
        p.add_run().add_picture(io.BytesIO(png), width=self.Mm(min(PICTURE_MM, PICTURE_HIGH_MM * wide / high)))

    def table(self, rows: list[Row], *, caption: str = "", header: bool, labels: str = "", caption_left: bool = False,
              fill_in: bool = False) -> None:
        from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH as A

        if caption:
            self.para(caption, east=HEITI, size=SIZE_4 if not caption_left else SIZE_3,
                      align=A.LEFT if caption_left else A.CENTER, keep=True, before_lines=0.5)
        if not rows:
            return
        width = max(len(r.cells) for r in rows)
        size = SIZE_4 if width <= 4 else SIZE_SMALL_4 if width <= 6 else SIZE_5
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = self.widths(rows, width, labels, size, header)
        for col, w in zip(table.columns, widths):
            col.width = w
        for i, (row, trow) in enumerate(zip(rows, table.rows)):
            is_header = header and i == 0
            if is_header:
                _replace(trow._tr.get_or_add_trPr(), "w:tblHeader")
            _replace(trow._tr.get_or_add_trPr(), "w:cantSplit")
            if fill_in and i < len(rows):
                trow.height = self.Pt(size * 1.5 * 4)  # room to write in: four lines at least
            cells = list(trow.cells)
            values = list(row.cells)
            if len(values) < width:  # a short row spans its last cell to the edge
                merged = cells[max(0, len(values) - 1)].merge(cells[-1])
                cells = cells[: max(0, len(values) - 1)] + [merged]
            for j, (cell, value) in enumerate(zip(cells, values)):
                cell.width = sum(widths[j:]) if cell is cells[-1] and len(values) < width else widths[j]
                label = (labels == "pairs" and j % 2 == 0) or (labels == "first" and j == 0)
                hint = fill_in and j > 0
                bold = is_header or label or ("bold" in row.styles or "total" in row.styles)
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP if fill_in else WD_CELL_VERTICAL_ALIGNMENT.CENTER
                p = cell.paragraphs[0]
                p.paragraph_format.line_spacing = 1.0
                _no_grid(p)
                for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):  # no extra space between Chinese and digits: dates fit
                    _replace(p._p.get_or_add_pPr(), tag, val="0")
                if is_header:
                    p.paragraph_format.alignment = A.CENTER
                elif _is_number(value):
                    p.paragraph_format.alignment = A.RIGHT
                else:
                    p.paragraph_format.alignment = A.LEFT
                _run(p, _text(value), HEITI if is_header else FANGSONG, size, bold=bold and not is_header,
                     color=HINT_GREY if hint else None)
                if is_header:
                    _shade(cell, HEADER_FILL)
                elif label:
                    _shade(cell, LABEL_FILL)
                else:
                    fill = next((ROW_FILLS[s] for s in row.styles if s in ROW_FILLS), None)
                    if fill:
                        _shade(cell, fill)
        self.para().paragraph_format.line_spacing = self.Pt(SIZE_3 * 0.6)  # a little room after the table

    def widths(self, rows: list[Row], width: int, labels: str, size: float, header: bool):
        """Column widths over the 版心. A label column is as wide as its longest label (up to 8 characters), and a
        column of numbers, dates or short words as its widest value (its header may wrap); the other columns
        share the rest by the text each holds."""
        char_mm, pad_mm = size / 72 * 25.4, 4.0
        body = len(rows) > 1 if header else bool(rows)
        need = [1.0] * width
        fixed = [(labels == "pairs" and j % 2 == 0) or (labels == "first" and j == 0) for j in range(width)]
        short = [body and not fixed[j] for j in range(width)]
        for i, row in enumerate(rows):
            in_body = i > 0 or not header
            full = len(row.cells) == width
            for j, value in enumerate(row.cells):
                if not full and j == len(row.cells) - 1:  # a spanning last cell says nothing of its column
                    continue
                chars = _chars(_text(value), latin=0.75)  # digits print wider than half a character, spaced from Chinese
                if in_body and not (_is_number(value) or isinstance(value, date) or chars <= 6):
                    short[j] = False
                if in_body or not short[j]:
                    need[j] = max(need[j], chars)
        for j in range(width):
            title = _chars(_text(rows[0].cells[j])) if header and j < len(rows[0].cells) else 0
            if short[j]:  # its header in two lines at most
                need[j] = max(need[j] + 0.5, title / 2 + 0.5)
            else:
                need[j] = max(need[j], title)
        keep = [f or s for f, s in zip(fixed, short)]
        cap = [8.0 if fixed[j] else 10.0 if short[j] else 16.0 for j in range(width)]
        mm = [min(cap[j], need[j]) * char_mm + pad_mm for j in range(width)]
        if not any(keep) or all(keep):
            return [self.Mm(round(m * TEXT_WIDTH_MM / sum(mm), 1)) for m in mm]
        # text columns at least 5 characters wide: the kept columns give way (a date may wrap) before they do
        least = [min(mm[j], 5 * char_mm + pad_mm) for j in range(width) if not keep[j]]
        kept = sum(m for m, k in zip(mm, keep) if k)
        squeeze = min(1.0, (TEXT_WIDTH_MM - sum(least)) / kept)
        mm = [m * squeeze if k else m for m, k in zip(mm, keep)]
        free = TEXT_WIDTH_MM - sum(m for m, k in zip(mm, keep) if k)
        flexible = sum(m for m, k in zip(mm, keep) if not k)
        return [self.Mm(round(m if k else m * free / flexible, 1)) for m, k in zip(mm, keep)]

    # -- 版记

    def record(self, cc: list[str], printed: Block | None) -> None:
        """The 版记: 抄送 and 印发机关 + 印发日期 between its lines (thick at the top and the bottom, thin between), in
        4号仿宋, one character in from each side, in a frame at the foot of the 版心 (GB/T 9704 8: its last line on
        the last line of the page)."""
        from docx.enum.text import WD_TAB_ALIGNMENT

        lines = [(text, None) for text in cc]
        if printed is not None:
            lines.append((display(printed.rows[0].cells[0]), f"{display(printed.rows[0].cells[1])}印发"))
        inset = self.Pt(SIZE_4)
        width = int(self.Mm(TEXT_WIDTH_MM).twips)
        for n, (left, right) in enumerate(lines):
            p = self.doc.add_paragraph()
            fmt = p.paragraph_format
            fmt.line_spacing = self.Pt(RECORD_LINE)
            fmt.left_indent = fmt.right_indent = inset
            fmt.alignment = None
            # the 版记's lines are one frame: none left alone at the top of a page of its own
            fmt.keep_with_next = n < len(lines) - 1
            ppr = p._p.get_or_add_pPr()
            _replace(ppr, "w:framePr", w=str(width), hSpace="0", wrap="around", vAnchor="margin", hAnchor="margin",
                     xAlign="center", yAlign="bottom")
            borders = _replace(ppr, "w:pBdr")
            if n == 0:
                borders.append(_el("w:top", val="single", sz=RECORD_RULES["thick"], space="1", color="000000"))
            last = n == len(lines) - 1
            borders.append(_el("w:bottom", val="single", sz=RECORD_RULES["thick" if last else "thin"], space="1",
                               color="000000"))
            _no_grid(p)
            _run(p, left, FANGSONG, SIZE_4)
            if right is not None:
                fmt.tab_stops.add_tab_stop(self.Mm(TEXT_WIDTH_MM) - inset, WD_TAB_ALIGNMENT.RIGHT)
                _run(p, "\t" + right, FANGSONG, SIZE_4)


# children of w:rPr, w:pPr, w:tblPr, w:sectPr, w:tcPr in the order the schema wants (Word refuses a file with them out of
# order); other parents (w:trPr, w:pBdr, w:tblBorders) take theirs in any order or as written
_P_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr", "suppressLineNumbers",
    "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct",
    "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
    "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]
_TBL_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
              "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]
_SECT_ORDER = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
               "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
               "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"]
_TC_ORDER = ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
             "tcFitText", "vAlign", "hideMark"]
_R_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
            "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
            "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
            "em", "lang", "eastAsianLayout", "specVanish", "oMath"]
ORDERS = {"rPr": _R_ORDER, "pPr": _P_ORDER, "tblPr": _TBL_ORDER, "sectPr": _SECT_ORDER, "tcPr": _TC_ORDER}


def _insert_ordered(parent, el) -> None:
    """Insert `el` into `parent` where the schema puts it, replacing one of its kind."""
    local = el.tag.rpartition("}")[2]
    for old in list(parent):
        if old.tag == el.tag:
            parent.remove(old)
    order = ORDERS.get(parent.tag.rpartition("}")[2])
    if order is None:
        parent.append(el)
        return
    rank = order.index(local)
    for i, child in enumerate(parent):
        name = child.tag.rpartition("}")[2]
        if name in order and order.index(name) > rank:
            child.addprevious(el)
            return
    parent.append(el)
