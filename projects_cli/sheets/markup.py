"""The block markup a sheet template produces, and its parser.

A template (see `templates/`) renders plain lines; each writer (Excel, HTML,
Markdown) lays out the same sequence of blocks. The markup, one block per
line or group of lines:

    @title 重点项目问题督办单          title (centred, large)
    @subtitle （第43周）               subtitle under the title
    @number 高新督〔2025〕12号         the sheet's number line
    @to 经济发展局：                   addressee (主送), not indented
    @heading 一、逾期情况              section heading
    any other line                     one body paragraph (indented two characters)
    @note 联系人：张三                 small print
    @urgency 特急                      紧急程度 (特急 / 急件), top left of a 公文
    @cc 抄送：区委办、区政府办         抄送 in the 版记 (the foot of the last page of a Word document)
    @printed {{ office }} | {{ issued_on }}
                                       印发机关 | 印发日期 in the 版记 (Word only: in the
                                       other formats the signature says as much)
    @page landscape                    page orientation (portrait by default)
    @pagebreak                         start a new printed page

Blocks of several lines take the lines that follow, up to a blank line or
the next ``@`` line. Cells are separated by ``|`` (a leading and a trailing
``|`` are optional; table rows shorter than the header get empty cells, a
short row of a form spans its last cell to the edge):

    @table 表题（可省略）              the first row is the header
    [red] | 1 | 某项目 | 35 |          a row may start with [red] [yellow] [blue] [bold] [total]
    @fields                            a form: label | value | label | value …
    @feedback 反馈情况（责任单位填写）  a form to fill in: label | hint
    @chart bar 各产业链投资完成率（%）  header row, then category | value | value …
    @signature                         right-aligned lines (office, date)

What a template writes between ``{{ }}`` is data, never markup: `escape_value`
(the template environment's finalize hook) turns ``|``, ``@``, ``[`` and line
breaks in values into placeholders, and numbers and dates into typed tokens,
so a number stays a number in Excel and a project called "A|B" stays one cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Union

from projects_cli.errors import ConfigError
from projects_cli.i18n import _

Value = Union[str, Decimal, int, date]

# Placeholders for characters that came from data (control characters never typed by anyone).
_PIPE, _BREAK, _AT, _BRACKET, _TOKEN, _END = "\x01", "\x02", "\x03", "\x06", "\x04", "\x05"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TOKEN_RE = re.compile(f"{_TOKEN}([nd])([^{_END}]*){_END}")

ONE_LINE = {"title", "subtitle", "number", "to", "heading", "note", "page", "pagebreak", "para", "urgency", "cc",
            "printed"}
MULTI_LINE = {"table", "fields", "feedback", "chart", "signature"}
KINDS = ONE_LINE | MULTI_LINE
ROW_STYLES = {"red", "yellow", "blue", "bold", "total"}
CHART_KINDS = {"bar", "column"}


@dataclass
class Row:
    cells: list[Value]
    styles: tuple[str, ...] = ()


@dataclass
class Block:
    kind: str
    text: str = ""
    rows: list[Row] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r.cells) for r in self.rows), default=0)


@dataclass
class Document:
    blocks: list[Block]
    landscape: bool = False

    @property
    def title(self) -> str:
        return next((b.text for b in self.blocks if b.kind == "title"), "")


class MarkupError(ConfigError):
    """A template's output that is not valid block markup."""


# ---------------------------------------------------------------- values → markup


def escape_value(value: object) -> str:
    """What `{{ value }}` writes into the markup (the Jinja environment's finalize hook).

    None is blank; True/False are 是/否; numbers and dates become typed tokens;
    text has its markup characters replaced by placeholders.
    """
    if value is None:
        return ""
    if hasattr(value, "__html__") and isinstance(value, str):  # |safe: the template author's own markup
        return str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Decimal)):
        return f"{_TOKEN}n{value}{_END}"
    if isinstance(value, float):
        return f"{_TOKEN}n{Decimal(repr(value))}{_END}"
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return f"{_TOKEN}d{value.isoformat()}{_END}"
    text = _CONTROL.sub("", str(value))
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("|", _PIPE)
        .replace("@", _AT)
        .replace("[", _BRACKET)
        .replace("\n", _BREAK)
    )


def display_number(value: Decimal | int) -> str:
    """85000, 2.5, -3 — no exponent, no trailing zeros."""
    from projects_cli.listings.output import format_decimal

    return format_decimal(Decimal(value))


def cn_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def display(value: Value) -> str:
    """A cell value as printed text (HTML, Markdown, and numbers inside a sentence)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Decimal)):
        return display_number(value)
    if isinstance(value, date):
        return cn_date(value)
    return str(value)


def _token_value(kind: str, raw: str) -> Value:
    if kind == "d":
        return date.fromisoformat(raw)
    number = Decimal(raw)
    return int(number) if number == number.to_integral() and "." not in raw and "E" not in raw.upper() else number


def _unescape(text: str) -> str:
    text = _TOKEN_RE.sub(lambda m: display(_token_value(m.group(1), m.group(2))), text)
    return text.replace(_PIPE, "|").replace(_AT, "@").replace(_BRACKET, "[").replace(_BREAK, "\n")


def _cell(text: str) -> Value:
    """A table cell: a number or date when the cell is exactly one typed value, else text."""
    stripped = text.strip()
    match = _TOKEN_RE.fullmatch(stripped)
    if match:
        return _token_value(match.group(1), match.group(2))
    return _unescape(stripped)


# ---------------------------------------------------------------- markup → blocks


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return body.split("|")


_STYLE_PREFIX = re.compile(r"^\[([a-z ,]+)\]\s*")


def parse(markup: str, source: str | None = None) -> Document:
    """The blocks of a rendered template; a bad directive is an error naming the output line."""
    source = source or _("模板")
    blocks: list[Block] = []
    doc = Document(blocks)
    current: Block | None = None
    for number, raw in enumerate(markup.splitlines(), 1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if line.startswith("@"):
            current = None
            name, _sep, rest = line[1:].partition(" ")
            kind = name.strip().lower()
            text = _unescape(rest.strip())
            if kind not in KINDS:
                raise MarkupError(_("{source}：输出第 {number} 行：没有 @{name} 这种块；可用的块：{known}").format(
                    source=source, number=number, name=name, known=", ".join("@" + k for k in sorted(KINDS))))
            if kind == "page":
                if text not in ("landscape", "portrait"):
                    raise MarkupError(_("{source}：输出第 {number} 行：@page 只能是 landscape 或 portrait，不能是 {text!r}").format(
                        source=source, number=number, text=text))
                doc.landscape = text == "landscape"
                continue
            if kind == "chart":
                chart_kind, _sep, title = text.partition(" ")
                if chart_kind not in CHART_KINDS:
                    raise MarkupError(_("{source}：输出第 {number} 行：@chart 后应为 bar 或 column 及图表标题，如 {example}").format(
                        source=source, number=number, example="@chart bar 投资完成率"))
                text = f"{chart_kind} {title.strip()}"
            block = Block(kind, text)
            if kind == "printed":
                cells = [_cell(c) for c in _split_row(rest)] if "|" in rest else []
                if len(cells) != 2 or not all(display(c) for c in cells):
                    raise MarkupError(_("{source}：输出第 {number} 行：@printed 后应为 印发机关 | 印发日期，如 {example}").format(
                        source=source, number=number, example="@printed {{ office }} | {{ issued_on }}"))
                block = Block(kind, f"{display(cells[0])}　{display(cells[1])}印发", [Row(cells)])
            blocks.append(block)
            if kind in MULTI_LINE:
                current = block
            continue
        if current is None:
            blocks.append(Block("para", _unescape(line)))
            continue
        if current.kind == "signature":
            current.rows.append(Row([_unescape(line)]))
            continue
        styles: tuple[str, ...] = ()
        match = _STYLE_PREFIX.match(line)
        if match and current.kind == "table":
            styles = tuple(s for s in re.split(r"[ ,]+", match.group(1)) if s)
            unknown = [s for s in styles if s not in ROW_STYLES]
            if unknown:
                raise MarkupError(_("{source}：输出第 {number} 行：没有 [{style}] 这种行样式；可用：{known}").format(
                    source=source, number=number, style=unknown[0], known=", ".join(sorted(ROW_STYLES))))
            line = line[match.end():]
        current.rows.append(Row([_cell(c) for c in _split_row(line)], styles))
    for block in blocks:
        if block.kind in ("table", "chart") and block.rows:
            # "a | b |" ends with an empty cell, not a shorter row: pad data rows to the header
            width = len(block.rows[0].cells)
            for row in block.rows[1:]:
                row.cells += [""] * (width - len(row.cells))
        if block.kind == "chart":
            _check_chart(block, source)
    return doc


def _check_chart(block: Block, source: str) -> None:
    title = block.text.partition(" ")[2]
    if len(block.rows) < 1 or block.width < 2:
        raise MarkupError(_("{source}：图表 {title!r} 需要表头行（类别 | 系列 …）和数据行").format(source=source, title=title))
    for row in block.rows[1:]:
        for value in row.cells[1:]:
            if not (isinstance(value, (int, Decimal)) or value == ""):
                raise MarkupError(_("{source}：图表 {title!r}：{row!r} 行的 {value!r} 不是数字").format(
                    source=source, title=title, row=display(row.cells[0]), value=value))
