"""Workbooks built by hand with zipfile (no openpyxl): the exact XML a hostile file holds."""

from __future__ import annotations

import zipfile
from pathlib import Path

CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
      '</Types>')
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                 'Target="worksheets/sheet1.xml"/>'
                 '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                 'Target="sharedStrings.xml"/></Relationships>')
HEADER = ["项目名称", "总投资（万元）", "责任单位", "计划开工时间"]


def letters(index: int) -> str:
    text, index = "", index + 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = chr(65 + rest) + text
    return text


def cell(ref: str, value) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def rows_xml(rows: list[list]) -> str:
    return "".join(f'<row r="{r}">' + "".join(cell(f"{letters(c)}{r}", v) for c, v in enumerate(row) if v != "")
                   + "</row>" for r, row in enumerate(rows, 1))


def book(path: Path, sheet_data: str, *, after: str = "", strings: str | None = None) -> Path:
    """An .xlsx whose one sheet (台账) holds `sheet_data` (the inside of <sheetData>), `after` it (mergeCells …)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CT)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if strings is not None:
            zf.writestr("xl/sharedStrings.xml", strings)
        zf.writestr("xl/worksheets/sheet1.xml",
                    '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f"<sheetData>{sheet_data}</sheetData>{after}</worksheet>")
    return path


def ledger(path: Path, rows: list[list], *, extra: str = "", after: str = "") -> Path:
    """A small ledger (header + rows) by hand; `extra` is more sheet XML after its rows."""
    return book(path, rows_xml([HEADER, *rows]) + extra, after=after)
