"""A ledger sheet's cells → typed project rows and row problems (no database).

What a ledger looks like when it arrives: a merged title row, info lines
("填报单位：…", "单位：万元", "截至2024年10月底"), a header of one to three rows
with group headers over sub-columns (投资情况（万元） → 总投资 / 2024年计划投资 /
1-10月完成投资; 开工时间 → 计划 / 实际), section rows (一、高端装备产业（12个）)
that give the rows under them their chain or cluster, 合计/小计/其中 rows,
blank spacer rows, notes at the bottom (注：…), and cells merged down over
several rows (a responsible unit over its projects; the reader fills those in).

`find_header` finds the header in the first rows; `parse_rows` turns the rows
under it into `LedgerRow`s (each field typed by `registry.clean_value`) and
`Problem`s naming the sheet, the Excel row, the column and the value. Nothing
here raises on a bad cell: every cell gives a value or a problem.

Dates given as a month or a year resolve to the last day of that month or
year (2024年3月 → 2024-03-31, 2024年 → 2024-12-31): a plan for "March" is met by
31 March and overdue only after it. "待定" leaves the date empty, with a warning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import is_, itemgetter
from typing import Any, Mapping

from projects_cli.config.chains import CLUSTERS, cluster_of, known_chains, known_clusters
from projects_cli.ledger.columns import field_for, header_period, header_unit
from projects_cli.values import PendingDate, ValueProblem, clean_text, parse_date, plain_amount
from projects_cli.vocab import BY_KEY

HEADER_SCAN = 30  # rows searched for the header
MAX_HEADER_ROWS = 3
# Recognised but not imported: the row number, and what export derives (completion rate, card colour).
DERIVED = ("seq", "completion_rate", "card")
DATE_FIELDS = ("planned_start", "actual_start", "planned_completion", "actual_completion")
# Ledger columns that are not project fields, typed by the rule of one that is.
TYPED_LIKE = {"completed_ytd": "annual_plan"}
NUMERIC_FIELDS = ("total_investment", "annual_plan", "completed_ytd", "floor_area")
# What a total, note or section row starts with (checked on raw text before anything costlier).
_SPECIAL_START = re.compile(r"^\s*[合总小共累全其注说备填审制负联分单一二三四五六七八九十（(第]")
# Fields with few distinct values: one string object per value keeps 100,000 rows small.
REPEATED = ("categories", "cluster", "chain", "status", "unit", "leader", "location", "source", "plan_columns",
            "task_force", "site_progress", "owner")

_TOTAL = re.compile(r"^(合计|总计|小计|共计|总合计|全区合计|累计)")
# What a 序号/编号/名称 cell of a total row starts with, spaces allowed ("合 计"), checked on raw text
_TOTAL_START = re.compile(r"\s*(?:合\s*计|总\s*(?:合\s*)?计|小\s*计|共\s*计|全\s*区\s*合\s*计|累\s*计|其\s*中)")
_SECTION_NUMBER = re.compile(r"^(?:([一二三四五六七八九十百]+)[、.．]|[（(]([一二三四五六七八九十百]+)[）)]|第[一二三四五六七八九十百]+(?:部分|类|批))")
_SECTION_COUNT = re.compile(r"[（(](?:共|计)?\d+个(?:项目)?[）)]$")
_SECTION_SUFFIX = re.compile(r"(产业集群|产业链|产业|集群|链|项目|类|领域)$")
_FOOTER = re.compile(r"^(注|说明|备注|填表说明)[:：]|^(填表人|填报人|审核人|制表人|负责人|联系人|联系电话|分管领导|单位负责人|审核)")
_INFO_UNIT = re.compile(r"(?:金额|计量)?单位[:：]\s*(亿元|万元|千元|元)")
_INFO_REPORTER = re.compile(r"填报单位[:：]\s*([^\s：:（(]+)")
_INFO_AS_OF = re.compile(
    r"截[至止](?:日期|时间)?[:：]?\s*((?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]|底|末)?|\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?)"
)
_YEAR = re.compile(r"(\d{4})\s*年")
_NUMBERING = re.compile(r"^(\d{1,3}|[A-Za-z]|栏次|[（(]\d{1,3}[）)])$")
_AREA_SQM = re.compile(r"平方米|㎡|m2|M2")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Problem:
    """One problem with a cell or a row: where it is, what it holds, what was expected."""

    severity: str  # "error" or "warning"
    sheet: str
    row: int  # the Excel row number (1-based); 0 for the file as a whole
    column: str  # the column letter; "" for the row as a whole
    header: str
    value: Any
    message: str

    def describe(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row else self.sheet
        if self.column:
            where += f", column {self.column} {self.header}"
        return f"{self.severity}: {where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "sheet": self.sheet, "row": self.row, "column": self.column,
                "header": self.header, "value": cell_repr(self.value), "message": self.message}


@dataclass
class Column:
    index: int  # 0-based
    header: str  # as the ledger writes it (group/sub)
    field: str | None
    unit: str | None = None  # amount unit the header names
    year: int | None = None  # a year the header names (2024年计划投资)
    month: int | None = None  # the last month a completed-investment header names (1-10月 → 10)
    area_factor: Decimal | None = None  # 平方米 → 万平方米

    @property
    def letter(self) -> str:
        return column_letter(self.index + 1)


@dataclass
class Header:
    first: int  # 0-based index of the first header row
    last: int  # 0-based index of the last header row
    columns: list[Column]

    def by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}


@dataclass
class LedgerInfo:
    """What the lines above the header say."""

    title: str | None = None
    unit: str | None = None  # 单位：亿元 → 亿元
    reporter: str | None = None  # 填报单位
    as_of: date | None = None  # 截至…
    year: int | None = None  # a year in the title


class LedgerRow:
    """One project row: its Excel row number and its typed values (the section's chain or cluster filled in)."""

    __slots__ = ("row", "values")

    def __init__(self, row: int, values: dict[str, Any]):
        self.row = row
        self.values = values

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"LedgerRow({self.row}, {self.values})"


@dataclass
class ParsedSheet:
    sheet: str
    header: Header
    info: LedgerInfo
    rows: list[LedgerRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: {"blank": 0, "total": 0, "section": 0, "note": 0})
    duplicates: list[Column] = field(default_factory=list)  # columns naming a field an earlier column names

    @property
    def unused(self) -> list[Column]:
        return [c for c in self.header.columns if c.field is None and c.header] + self.duplicates


def column_letter(index: int) -> str:
    """A (1-based) column number as Excel writes it: 1 → A, 27 → AA (without importing openpyxl)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_repr(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as compact text (no spaces), for recognising words."""
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return text if text.isprintable() and " " not in text else _SPACES.sub("", text)


# ---------------------------------------------------------------- header


def _header_like(row: list[Any]) -> bool:
    values = {_text(v) for v in row if not _blank(v)}
    if len(values) < 2:
        return False
    return not any(_INFO_UNIT.search(v) or _INFO_AS_OF.search(v) or _INFO_REPORTER.search(v) for v in values)


def _column_field(parts: list[str], table: Mapping[str, str]) -> tuple[str | None, str]:
    """The field a stack of header cells names (top to bottom), and the header text to show."""
    if not parts:
        return None, ""
    for i in range(len(parts) - 1, -1, -1):
        found = field_for(parts[i], table)
        if found:
            return found, parts[i] if i == len(parts) - 1 else "/".join(parts[i:])
        if i > 0:
            for combined in (parts[i - 1] + parts[i], parts[i] + parts[i - 1]):
                found = field_for(combined, table)
                if found:
                    return found, f"{parts[i - 1]}/{parts[i]}"
    return None, "/".join(parts)


def _columns(stack: list[list[Any]], table: Mapping[str, str]) -> list[Column]:
    width = max(len(r) for r in stack)
    columns = []
    for c in range(width):
        parts: list[str] = []
        for r in stack:
            value = clean_text(r[c]) if c < len(r) and not _blank(r[c]) else ""
            if value and (not parts or parts[-1] != value):
                parts.append(value)
        found, shown = _column_field(parts, table)
        joined = "".join(parts)
        column = Column(c, shown, found, unit=next((u for p in parts if (u := header_unit(p))), None))
        column.year, column.month = header_period(joined)
        if found == "floor_area" and _AREA_SQM.search(joined) and "万平方米" not in joined and "万㎡" not in joined:
            column.area_factor = Decimal("0.0001")
        columns.append(column)
    return columns


def find_header(rows: list[tuple[int, list[Any]]], table: Mapping[str, str]) -> Header | None:
    """The ledger's header among the first rows: one to three rows whose words name the most fields.

    It must name the project (项目名称) and at least one other field. Among
    equally good candidates the one that ends first wins, and of those the one
    taking in the most rows (so a group header above sub-headers counts).
    """
    best: tuple[tuple[int, int, int], Header] | None = None
    limit = min(len(rows), HEADER_SCAN)
    for i in range(limit):
        for depth in range(1, MAX_HEADER_ROWS + 1):
            if i + depth > len(rows):
                break
            stack = [rows[i + k][1] for k in range(depth)]
            if not _header_like(stack[-1]) or not _header_like(stack[0]):
                break
            columns = _columns(stack, table)
            fields = {c.field for c in columns if c.field} - {"seq"}
            if "name" not in fields or len(fields) < 2:
                continue
            last = rows[i + depth - 1][0]
            rank = (len(fields), -last, depth)
            if best is None or rank > best[0]:
                best = (rank, Header(rows[i][0], last, columns))
    return best[1] if best else None


def read_info(rows: Iterable[list[Any]], default_year: int) -> LedgerInfo:
    """Title, amount unit, reporting unit and as-of date from the lines above the header."""
    info = LedgerInfo()
    texts: list[str] = []
    for row in rows:
        cells = [clean_text(v) for v in row if not _blank(v)]
        if not cells:
            continue
        if info.title is None and len(set(cells)) == 1 and not _INFO_UNIT.search(cells[0]):
            info.title = cells[0]
        texts.extend(cells)
    for text in texts:
        compact = _text(text)
        if info.unit is None and (m := _INFO_UNIT.search(compact)):
            info.unit = m.group(1)
        if info.reporter is None and (m := _INFO_REPORTER.search(text)):
            info.reporter = m.group(1)
    if info.title and (m := _YEAR.search(info.title)):
        info.year = int(m.group(1))
    for text in texts:
        m = _INFO_AS_OF.search(_text(text))
        if m:
            found = m.group(1)
            if not _YEAR.match(found) and not re.match(r"^\d{4}[-/.]", found):
                found = f"{info.year or default_year}年{found}"
            try:
                info.as_of = parse_date(found)
            except ValueProblem:
                pass
            break
    return info


# ---------------------------------------------------------------- rows


def section_context(text: str, units: Iterable[str] = ()) -> tuple[int, dict[str, str]]:
    """The level of a section row and what it says about the rows under it.

    一、高端装备产业（12个） → (1, {cluster: 高端装备}); （一）工程机械 → (2, {chain: 工程机械,
    cluster: 高端装备}); a section naming a known responsible unit gives {unit}.
    """
    number = _SECTION_NUMBER.match(text)
    level = 2 if number and number.group(2) else 1
    label = _SECTION_COUNT.sub("", _SECTION_NUMBER.sub("", text)).strip("：:、 ")
    label = _SECTION_SUFFIX.sub("", label) or label
    if label in set(units):
        return level, {"unit": label}
    best = ""
    for name in (*known_chains(), *known_clusters()):
        if name in label and len(name) > len(best):
            best = name
    if not best:
        return level, {}
    if best in CLUSTERS:
        return level, {"cluster": best}
    cluster = cluster_of(best)
    return level, {"chain": best, **({"cluster": cluster} if cluster else {})}


def _converter(column: Column, info: LedgerInfo, clean_value: Callable[..., Any], max_year: int) -> Callable[[Any], Any]:
    """A function typing one column's cells (raising ValueProblem, PendingDate for 待定), built once per column."""
    key = column.field
    rule = TYPED_LIKE.get(key, key)
    unit = column.unit or info.unit or "万元"
    if key in DATE_FIELDS:
        def to_date(value: Any) -> Any:
            parsed = parse_date(value)
            if parsed is not None and not 1990 <= parsed.year <= max_year:
                raise ValueProblem(f"{cell_repr(value)!r} is not a plausible date (year {parsed.year})")
            return parsed
        return to_date
    if key in NUMERIC_FIELDS:
        factor = column.area_factor

        def to_number(value: Any) -> Any:
            result = clean_value(rule, value, unit=unit)
            if factor is not None and result is not None:
                result = (result * factor).normalize()
            return result
        return to_number

    def to_text(value: Any) -> Any:
        kind = type(value)
        if kind is float:
            value = int(value) if value.is_integer() else value  # a phone number or code typed as a number
        elif kind is date or kind is datetime:
            value = value.isoformat()
        return clean_value(rule, value, unit=unit)

    return to_text


_SKIP = object()  # a cell that gives no value (empty)
_MISS = object()  # a cell the fast path leaves to the column's converter


def _column_reader(column: Column, info: LedgerInfo, clean_value: Callable[..., Any],
                   max_year: int) -> Callable[[list[Any]], list[Any]]:
    """Typing a whole column at once: the common cells by a fast path, the rest by `_converter`'s function.

    Returns a function from the column's raw cells to typed values, `_SKIP`
    for an empty cell and `_MISS` for a cell to type one by one (the caller
    does, to turn its ValueProblem into a Problem on its row).
    """
    key = column.field
    rule = TYPED_LIKE.get(key, key)
    if key in DATE_FIELDS:
        first, last = 1990, max_year

        def dates(cells: list[Any]) -> list[Any]:  # python-calamine gives real dates
            return [v if type(v) is date and first <= v.year <= last else
                    _SKIP if v == "" or v is None else _MISS for v in cells]
        return dates
    unit = column.unit or info.unit or "万元"
    if key in NUMERIC_FIELDS:
        kind = BY_KEY[rule].kind
        plain = column.area_factor is None and (kind == "area" or (kind == "money" and unit == "万元"))

        def numbers(cells: list[Any]) -> list[Any]:
            if not plain:
                return [_SKIP if v == "" or v is None else _MISS for v in cells]
            out = []
            for v in cells:
                value = plain_amount(v)
                out.append(value if value is not None else _SKIP if v == "" or v is None else _MISS)
            return out
        return numbers
    if key not in REPEATED:
        return lambda cells: [_SKIP if v == "" or v is None else _MISS for v in cells]
    # Few distinct values: each typed once (the first seen wins, as with a cache per cell).
    convert = _converter(column, info, clean_value, max_year)
    known: dict[Any, Any] = {"": _SKIP, None: _SKIP}

    def repeated(cells: list[Any]) -> list[Any]:
        get = known.get
        out = [get(v, _MISS) for v in cells]
        if any(map(is_, out, repeat(_MISS))):
            for i, v in enumerate(cells):
                if out[i] is not _MISS:
                    continue
                if v not in known:
                    try:
                        value = convert(v)
                    except ValueProblem:
                        continue  # typed again on its row, for the problem
                    known[v] = _SKIP if value is None or value == "" else value
                out[i] = known[v]
        return out
    return repeated


def _special_row(row: list[Any], first_col: int, first: Any, single: bool, leads: list[Any],
                 name_col: int) -> str | None:
    """"total", "note" or "section" for a row that is not a project, else None.

    `first` is the row's first own non-empty cell (not one filled from a merged
    range) and `single` whether all its own non-empty cells hold one value.
    """
    if type(first) is str:
        first_text = _text(first)
        texts = (first_text, *(_text(v) for v in leads if type(v) is str))
    else:  # a number is never a total's word
        first_text = ""
        texts = tuple(_text(v) for v in leads if type(v) is str and _SPECIAL_START.match(v))
    if any(_TOTAL.match(t) or t.startswith("其中") for t in texts if t):
        return "total"
    if type(first) is not str:
        return None
    if _FOOTER.match(first_text):
        name_text = _text(row[name_col]) if name_col < len(row) else ""
        if single or not name_text or name_text == first_text:
            return "note"
    if first_col > name_col:
        return None
    if _SECTION_NUMBER.match(first_text):
        return "section"
    if single:
        spread = sum(1 for v in row if not _blank(v))
        if spread >= 2 or first_col != name_col or _SECTION_COUNT.search(first_text):
            return "section"
    return None


def _present(v: Any) -> bool:
    return v != "" and v is not None and not (type(v) is str and v.isspace())


CHUNK = 5000  # project rows typed column by column at a time (bounded memory)


def parse_rows(
    rows: Iterator[tuple[int, list[Any], set[int] | None]],
    header: Header,
    info: LedgerInfo,
    sheet: str,
    *,
    clean_value: Callable[..., Any],
    units: Iterable[str] = (),
    max_year: int = 2100,
    progress: Callable[[int], None] | None = None,
) -> ParsedSheet:
    """Typed project rows and problems from the rows under the header.

    `rows` yields (0-based index, values, merged-filled columns); `clean_value`
    is `registry.clean_value` (typing and validation shared with `projects add`).
    Rows are sorted out one by one (blank, total, section, note or project);
    project rows are then typed column by column, CHUNK rows at a time.
    """
    result = ParsedSheet(sheet, header, info)
    seen_fields: set[str] = set()
    readers: list[tuple[int, str, Column, Callable[[list[Any]], list[Any]], Callable[[Any], Any]]] = []
    for column in header.columns:
        if not column.field:
            continue
        if column.field in seen_fields:
            result.duplicates.append(column)
            continue
        seen_fields.add(column.field)
        if column.field not in DERIVED:
            readers.append((column.index, column.field, column, _column_reader(column, info, clean_value, max_year),
                            _converter(column, info, clean_value, max_year)))
    width_needed = max((r[0] for r in readers), default=0) + 1
    by_field = header.by_field()
    name_col = by_field["name"].index
    lead_cols = [c.index for c in header.columns if c.field in ("seq", "code", "name")]
    seq_col = by_field["seq"].index if "seq" in by_field else None
    units = set(units)
    level_context: dict[int, dict[str, str]] = {}
    context: dict[str, str] | None = None
    skipped = result.skipped
    numbering_allowed = 2
    count = 0
    special = _SPECIAL_START.match
    total_start = _TOTAL_START.match
    pending: list[tuple[int, list[Any], dict[str, str] | None]] = []  # (Excel row, cells, section context)
    for index, row, filled in rows:
        count += 1
        if progress is not None and count % 2000 == 0:
            progress(count)
        if index <= header.last:
            continue
        excel_row = index + 1
        if numbering_allowed or filled is not None:
            original = [(c, v) for c, v in enumerate(row) if _present(v) and (filled is None or c not in filled)]
            if numbering_allowed:
                numbering_allowed -= 1
                if original and all(_NUMBERING.match(_text(v)) for _, v in original) and len(original) >= 3:
                    continue
            if not original:
                skipped["blank"] += 1
                continue
            first_col, first = original[0]
            only_first = len(original) == 1
            single = type(first) is str and len({v for _, v in original}) == 1
        else:  # no merged cells here: look no further than needed
            first_col = next((c for c, v in enumerate(row) if _present(v)), -1)
            if first_col < 0:
                skipped["blank"] += 1
                continue
            first = row[first_col]
            rest = row[first_col + 1:]
            only_first = first_col == seq_col and not any(_present(v) for v in rest)
            single = type(first) is str and all(v is first or v == first or not _present(v) for v in rest)
        if only_first and first_col == seq_col and _NUMBERING.match(_text(first)):
            skipped["blank"] += 1  # only a number in 序号 (a template's pre-numbered empty row)
            continue
        leads = [row[c] for c in lead_cols if c < len(row)]
        # Only a row starting with certain words (a total's in 序号, 编号 or 名称), or holding a single text
        # (merged across), can be a total, a note or a section; the costlier checks run for those alone.
        if (type(first) is str and special(first) or any(type(v) is str and total_start(v) for v in leads)
                or (single and first_col <= name_col)):
            kind = _special_row(row, first_col, first, single, leads, name_col)
            if kind is not None:
                skipped[kind] += 1
                if kind == "section":
                    level, found = section_context(clean_text(first), units)
                    level_context = {k: v for k, v in level_context.items() if k < level}
                    level_context[level] = found
                    merged_context: dict[str, str] = {}
                    for k in sorted(level_context):
                        merged_context.update(level_context[k])
                    context = merged_context or None
                continue
        if len(row) < width_needed:
            row = row + [""] * (width_needed - len(row))
        pending.append((excel_row, row, context))
        if len(pending) >= CHUNK:
            _type_rows(pending, readers, by_field["name"], sheet, result)
            pending = []
    _type_rows(pending, readers, by_field["name"], sheet, result)
    if progress is not None:
        progress(count)
    return result


def _type_rows(pending: list[tuple[int, list[Any], dict[str, str] | None]], readers: list, name_column: Column,
               sheet: str, result: ParsedSheet) -> None:
    """Project rows typed column by column; a cell's problem goes on its row, in the order of the row's columns."""
    if not pending:
        return
    found: list[tuple[int, int, Problem]] = []  # (position in pending, column order, problem)
    bad_name: set[int] = set()
    if len(readers) == 1:
        raws = [[row[readers[0][0]] for _, row, _ in pending]]
    else:
        pick = itemgetter(*(col for col, *_ in readers))
        raws = list(zip(*[pick(row) for _, row, _ in pending]))
    full: list[tuple[str, list[Any]]] = []  # columns with a value in every row
    partial: list[tuple[str, list[Any]]] = []
    count = len(pending)
    for order, (raw, (col, key, column, reader, convert)) in enumerate(zip(raws, readers)):
        values = reader(raw)
        # (identity tests: `_MISS in values` would compare each Decimal with the marker, through abc checks)
        if any(map(is_, values, repeat(_MISS))):
            for i, value in enumerate(values):
                if value is not _MISS:
                    continue
                cell = raw[i]
                try:
                    value = convert(cell)
                except PendingDate as exc:
                    found.append((i, order, Problem("warning", sheet, pending[i][0], column.letter, column.header,
                                                    cell_repr(cell), f"{exc}; left empty")))
                    value = _SKIP
                except ValueProblem as exc:
                    found.append((i, order, Problem("error", sheet, pending[i][0], column.letter, column.header,
                                                    cell_repr(cell), str(exc))))
                    if key == "name":
                        bad_name.add(i)
                    value = _SKIP
                values[i] = _SKIP if value is None or value == "" else value
        empty = sum(map(is_, values, repeat(_SKIP)))
        if not empty:
            full.append((key, values))
        elif empty < count:
            partial.append((key, values))
    # each row's values: the full columns at once, then the cells of the others that hold a value
    keys = [key for key, _ in full]
    typed_rows = [dict(zip(keys, typed)) for typed in zip(*[values for _, values in full])] if full else [
        {} for _ in pending]
    for key, values in partial:
        for typed, value in zip(typed_rows, values):
            if value is not _SKIP:
                typed[key] = value
    no_name = len(readers)
    out = result.rows
    for i, ((excel_row, _row, context), values) in enumerate(zip(pending, typed_rows)):
        if "name" not in values and i not in bad_name:
            found.append((i, no_name, Problem("error", sheet, excel_row, name_column.letter, name_column.header, "",
                                              "the project name (项目名称) is empty; every project row needs a name")))
        if context:
            for key, value in context.items():
                values.setdefault(key, value)
        if "chain" in values and "cluster" not in values and (cluster := cluster_of(values["chain"])):
            values["cluster"] = cluster
        out.append(LedgerRow(excel_row, values))
    found.sort(key=lambda f: (f[0], f[1]))
    result.problems.extend(p for _, _, p in found)
