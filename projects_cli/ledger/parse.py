"""A ledger sheet's cells → typed project rows and row problems (no database).

What a ledger looks like when it arrives: a merged title row, info lines
("填报单位：…", "单位：万元", "截至2024年10月底"), a header of one to three rows
with group headers over sub-columns (投资情况（万元） → 总投资 / 2024年计划投资 /
1-10月完成投资; 开工时间 → 计划 / 实际), section rows (一、高端装备产业（12个）)
that give the rows under them their chain or cluster, 合计/小计/其中 rows,
blank spacer rows, notes at the bottom (注：…), and cells merged down over
several rows (a responsible unit over its projects; the reader fills those in).

`find_header` finds the header in the first rows (a row under it that only
sub-divides some columns, or holds the header's cells merged down, is part of
it; group + sub-header pairs map by the pair: 项目业主单位/联系人 is not read);
a per-project form instead of a table raises `FormSheet`. `parse_rows` turns
the rows under it into `LedgerRow`s (each field typed by `registry.clean_value`)
and `Problem`s naming the sheet, the Excel row, the column and the value. Rows
that are not projects — totals anywhere in the label cells (龙海市合计14个),
sections (一、工业, or 一 | 工业 across 序号 and 项目名称), notes, a template's
placeholder rows and zero rows — are counted in `skipped` and named in
`skipped_rows`. Nothing here raises on a bad cell: every cell gives a value or
a problem; amounts in another currency (万美元) are refused by column.

A 建设起止时间 cell gives both planned dates (`values.parse_date_range`). With
cumulative month columns (1月, 1-2月 … 1-12月) the year to date is the latest
month filled, up to the ledger's own as-of.

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
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import is_, itemgetter
from typing import Any, Mapping, NamedTuple

from projects_cli.config.chains import CLUSTERS, cluster_of, fill_cluster, known_chains, known_clusters
from projects_cli.config.office import STATUS_KEY
from projects_cli.errors import ProjectsError
from projects_cli.i18n import _
from projects_cli.ledger.columns import (
    CONTACT_WORDS,
    NAME_WORDS,
    NOT_STORED,
    UNIT_PERSON_WORDS,
    field_for,
    header_currency,
    header_key,
    header_period,
    header_unit,
)
from projects_cli.values import (
    CENT,
    UNIT_TO_WAN,
    PendingDate,
    ValueProblem,
    clean_text,
    foreign_unit,
    is_empty,
    normalize_name,
    parse_date,
    parse_date_range,
    plain_amount,
)
from projects_cli.vocab import BY_KEY, Milestone, ProjectStatus

HEADER_SCAN = 30  # rows searched for the header
MAX_HEADER_ROWS = 3
# Recognised but not imported: the row number, and what export derives (card colour). The completion rate
# (年度投资完成率) is read only to be checked against the row's figures (`_check_rates`), never stored.
DERIVED = ("seq", "card")
RATE = "completion_rate"
DATE_FIELDS = ("planned_start", "actual_start", "planned_completion", "actual_completion")
# Ledger columns that are not project fields, typed by the rule of one that is.
TYPED_LIKE = {"completed_ytd": "annual_plan", "month_completed": "annual_plan"}
NUMERIC_FIELDS = ("total_investment", "annual_plan", "completed_ytd", "month_completed", "floor_area")
# What a total, note or section row starts with (checked on raw text before anything costlier).
_SPECIAL_START = re.compile(r"^\s*[合总小共累全其注说备填审制负联分单一二三四五六七八九十（(第]")
# Fields with few distinct values: one string object per value keeps 100,000 rows small.
REPEATED = ("categories", "cluster", "chain", "status", "unit", "leader", "location", "source", "plan_columns",
            "task_force", "site_progress", "owner", "report_month")

_TOTAL = re.compile(r"^(合计|总计|小计|共计|总合计|全区合计|累计)")
# A total word inside a label (龙海市合计14个, 福州片区小计): followed by the end, a count or a bracket, so that
# 综合计量 or 总计划 in a project's name is not one.
_TOTAL_INSIDE = re.compile(r"(?:合|总|小|共)\s*计(?=$|[\s\d（(：:个项])")
# A section's numeral alone in 序号, its label in 项目名称: 一 | 工业, （一） | 产业园区.
_NUMERAL = re.compile(r"^(?:[一二三四五六七八九十百]+[、.．]?|[（(][一二三四五六七八九十百]+[）)])$")
# A template's numbering before a placeholder name: (1) 项目名称, 1.项目名称, ①项目名称.
_NUMBERED = re.compile(r"^(?:[（(]\d{1,3}[）)]|\d{1,3}[.、．)）]|[①-⑳])")
_ZEROS = frozenset({"0", "0.0", "0.00", "-", "—", "——", "/", "／"})
# A name without a 序号 that says where money comes from: a 资金来源 block under the project above it.
_FUNDING = re.compile(r"资金|自筹|贷款|配套|预算内|专项债|债券|拨款|融资")
# What a 序号/编号/名称 cell of a total row starts with, spaces allowed ("合 计"), checked on raw text
_TOTAL_START = re.compile(r"\s*(?:合\s*计|总\s*(?:合\s*)?计|小\s*计|共\s*计|全\s*区\s*合\s*计|累\s*计|其\s*中)")
_SECTION_NUMBER = re.compile(r"^(?:([一二三四五六七八九十百]+)[、.．]|[（(]([一二三四五六七八九十百]+)[）)]|第[一二三四五六七八九十百]+(?:部分|类|批))")
_SECTION_COUNT = re.compile(r"[（(](?:共|计)?\d+个(?:项目)?[）)]$")
_SECTION_SUFFIX = re.compile(r"(产业集群|产业链|产业|集群|链|项目|类|领域)$")
_FOOTER = re.compile(r"^(注|说明|备注|填表说明)[:：]|^(填表人|填报人|审核人|制表人|负责人|联系人|联系电话|分管领导|单位负责人|审核)")
_MONEY_UNIT = r"[亿万千百]?(?:美元|美金|欧元|港元|港币|日元|英镑|韩元|澳元|加元|卢布)|亿元|万元|千元|元"
_OTHER_UNIT = r"万平方米|平方米|㎡|万吨|吨|千米|公里|米|亩|个|项|人|户|%"
_UNIT_WORD = f"(?:{_MONEY_UNIT}|{_OTHER_UNIT})"
# 单位：万元, 金额单位：亿元, 计量单位：个、万元 (not 填报单位：…, 建设单位：…); the list of units is group 1.
_INFO_UNIT = re.compile(rf"(?<![报设任管办持属责主])(?:金额|计量|货币|资金|投资)?单位[:：]\s*({_UNIT_WORD}(?:[、,，/及和]{_UNIT_WORD})*)")
_MONEY = re.compile(f"^(?:{_MONEY_UNIT})$")
_INFO_REPORTER = re.compile(r"填报单位[:：]\s*([^\s：:（(]+)")
_INFO_AS_OF = re.compile(
    r"截[至止](?:日期|时间)?[:：]?\s*((?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]|底|末)?|\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?)"
)
_YEAR = re.compile(r"(\d{4})\s*年")
# A title naming its month: 2025年10月重点项目台账 (not 2025年1-10月…, which names a span).
_TITLE_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?:份)?(?![\d\-—–~～至])")
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
        where = _("{sheet} 第 {row} 行").format(sheet=self.sheet, row=self.row) if self.row else self.sheet
        if self.column:
            where += _("，{column} 列 {header}").format(column=self.column, header=self.header)
        if self.severity == "error":
            return _("错误：{where}：{message}").format(where=where, message=self.message)
        return _("提醒：{where}：{message}").format(where=where, message=self.message)

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
    series: bool = False  # one of the cumulative month columns 1月, 1-2月 … 1-12月 (month: its last month)
    rate: Decimal | None = None  # amounts in a foreign currency: 元 per unit of it ([ledger.rates]), `unit` its 元 size
    currency: str | None = None  # the unit the ledger wrote (万美元) when `rate` converts it
    person: bool = False  # 建设单位及责任人: each cell the field's text and a person's name, split (`_split_person`)

    @property
    def letter(self) -> str:
        return column_letter(self.index + 1)


@dataclass
class Header:
    first: int  # 0-based index of the first header row
    last: int  # 0-based index of the last header row
    columns: list[Column]
    table: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)  # header word → field

    def by_field(self) -> dict[str, Column]:
        """field → the column read for it (the first naming it); a 建设起止时间 column gives both planned dates."""
        found: dict[str, Column] = {}
        for column in self.columns:
            if column.field and column.field not in found:
                found[column.field] = column
        if period := found.get("planned_period"):
            found.setdefault("planned_start", period)
            found.setdefault("planned_completion", period)
        if (unit := found.get("unit")) is not None and unit.person:
            found.setdefault("task_force", unit)  # 责任单位及责任人: the person is the project's contact (`_split_person`)
        return found


@dataclass
class LedgerInfo:
    """What the lines above the header say."""

    title: str | None = None
    unit: str | None = None  # 单位：亿元 → 亿元
    reporter: str | None = None  # 填报单位
    as_of: date | None = None  # 截至…, else the end of the month a title names (2025年10月重点项目台账)
    year: int | None = None  # a year in the title


class Skipped(NamedTuple):
    """A row under the header that is not a project: a total, a section, a note or a template row."""

    row: int  # the Excel row number
    kind: str  # "total", "section", "note" or "template"
    text: str  # what it says (its first cell, or the placeholder name)


class LedgerRow:
    """One project row: its Excel row number and its typed values (the section's chain or cluster filled in)."""

    __slots__ = ("row", "values")

    def __init__(self, row: int, values: dict[str, Any]):
        self.row = row
        self.values = values

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"LedgerRow({self.row}, {self.values})"


class SeenRow(LedgerRow):
    """A project row whose cells and project are as when an import last found it changed nothing
    (`ledger.fingerprint`): not typed nor planned again. `values` holds only its code (and its name as the registry
    spells it, when the row gives one), for finding a second row of the same project."""

    __slots__ = ()


# (Excel row, cells, section context) → the row as seen before (`SeenRow`), or None: read it the long way
Seen = Callable[[int, list[Any], dict[str, str] | None], SeenRow | None]


MONTH = "report_month"  # the month a row reports, in a ledger of one row per project per month (`by_month`)


@dataclass
class ParsedSheet:
    sheet: str
    header: Header
    info: LedgerInfo
    rows: list[LedgerRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: {"blank": 0, "total": 0, "section": 0, "note": 0})
    duplicates: list[Column] = field(default_factory=list)  # columns naming a field an earlier column names
    skipped_rows: list[Skipped] = field(default_factory=list)  # each row counted in `skipped` but the blank ones
    converted: list[Column] = field(default_factory=list)  # amount columns in a foreign currency, read at `Column.rate`
    others: list[str] = field(default_factory=list)  # the workbook's other sheets holding a ledger table
    seen: list[LedgerRow] = field(default_factory=list)  # rows `parse_rows`' `seen` knew (`SeenRow`), in row order

    @property
    def unused(self) -> list[Column]:
        """The columns not read: header words naming no field, fields the registry does not store, duplicates,
        and the person's part of a column that holds a unit and its person (建设单位及责任人) where it is not kept."""
        kept = self.header.by_field().get("task_force")
        return [c for c in self.header.columns
                if (c.field is None or c.field in NOT_STORED) and c.header] + self.duplicates + [
            Column(c.index, c.header + PERSON_NOTE, None) for c in self.header.columns
            if c.person and c.field and c is not kept]


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
    """Whether a row can be (part of) the header: two or more words, no figure or date (a year like 2025
    may head a group), no info line."""
    values = set()
    for v in row:
        kind = type(v)
        if kind is str:
            if v and not v.isspace():
                values.add(_text(v))
        elif v is not None and not (kind in (int, float) and 1990 <= v <= 2100 and v == int(v)):
            return False
    if len(values) < 2:
        return False
    return not any(_INFO_UNIT.search(v) or _INFO_AS_OF.search(v) or _INFO_REPORTER.search(v) for v in values)


def _column_field(parts: list[str], table: Mapping[str, str]) -> tuple[str | None, str]:
    """The field a stack of header cells names (top to bottom), and the header text to show.

    A group and its sub-header map by the pair: 项目业主单位/业主名称 → owner, 市或县挂钩责任单位/单位名称 → unit,
    but 项目业主单位/联系人 is the owner's contact, not a field (never 工作专班); 责任单位/责任人 is the unit's person
    for the project, its contact there (工作专班, unless the sheet has that column: `_columns`).
    """
    if not parts:
        return None, ""
    if len(parts) > 1 and ((sub := header_key(parts[-1])) in NAME_WORDS or sub in CONTACT_WORDS):
        for i in range(len(parts) - 2, -1, -1):
            group = field_for(parts[i], table)
            if group:
                shown = "/".join(parts[i:])
                if group == "unit" and sub in UNIT_PERSON_WORDS:
                    return UNIT_PERSON, shown
                return (group, shown) if sub in NAME_WORDS or group == "task_force" else (None, shown)
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


UNIT_PERSON = "unit_person"  # (only while the header is read) the column of a unit's person: see `_columns`

# A month column's own label: 1月, 1-2月, 1-12月完成投资, 10月份, 10月完成投资 (group 1: the 1- of a cumulative
# figure; group 2: the month; group 3: 累计, also cumulative).
_MONTH_LABEL = re.compile(r"^(?:\d{4}年度?)?(1(?:-|—|–|~|至))?(\d{1,2})月(?:份|底|末)?(累计)?(?:当月|本月)?(?:已?完成(?:投资)?额?)?$")
# A month in brackets after a month's figure: 本月完成投资（10月）, 当月完成投资(2025年10月份).
_BRACKET_MONTH = re.compile(r"[（(](?:(\d{4})年)?(\d{1,2})月份?[）)]")
# Which leader a sheet naming several reads: the county's or district's (the office's own), else one naming
# neither, else the city's; the others are listed as not read.
_LEADER_LEVEL = (re.compile(r"[县区]"), re.compile(r"^(?!.*市)"), re.compile(r""))


# A ten-day (旬) figure: 上旬完成投资, 10月中旬 under 完成投资, 本旬完成. The registry keeps months, so these are
# listed as not read, never taken for a month's or the year's figure.
_TEN_DAYS = re.compile(r"[上中下本]旬|^旬|旬(?:报|完成|计划|投资)")
TEN_DAYS_NOTE = "（旬数据，不读）"


# A header saying its cells hold a unit and a person: 建设单位及责任人, 责任单位及负责人. The responsible unit's
# person is the project's contact there, kept as 工作专班 (联系人) unless the sheet has a 工作专班 column of its
# own; an owner's person is not kept (the registry keeps no company's contacts).
_WITH_PERSON = re.compile(r"^(.+?)(?:及|和|与|/)(?:其)?(?:责任人|负责人|联系人)(?:姓名)?$")
SPLIT = ("owner", "unit")
PERSON_NOTE = "（其中的责任人不读）"
# A unit and a person's name in one cell: 南平市政府 张兆民, 龙海市水利局/周涛.
_UNIT_AND_PERSON = re.compile(r"^(.+?)\s*(?:[\s/／、，,;；]|[（(])\s*([\u4e00-\u9fff·]{2,4})[）)]?$")
# What the start of a unit's name ends with, to notice a person after it where the header does not say so.
_ORG_END = re.compile(r"(?:政府|局|委|委员会|办|办公室|公司|集团|中心|管委会|镇|街道|乡|院|厂|所|站|处|部)$")


def _columns(stack: list[list[Any]], table: Mapping[str, str]) -> list[Column]:
    width = max(len(r) for r in stack)
    columns = []
    months: list[tuple[Column, re.Match, bool]] = []  # completed-investment columns labelled by a month
    for c in range(width):
        parts: list[str] = []
        for r in stack:
            value = clean_text(r[c]) if c < len(r) and not _blank(r[c]) else ""
            if value and (not parts or parts[-1] != value):
                parts.append(value)
        found, shown = _column_field(parts, table)
        label = _MONTH_LABEL.match(header_key(parts[-1])) if parts else None
        if found is None and label and re.search(r"完成", parts[-1]):
            found, shown = "completed_ytd", "/".join(parts)  # 10月完成投资: a month's figure (`_month_columns`)
        person = False
        if parts and (both := _WITH_PERSON.match(header_key(parts[-1]))) and field_for(both.group(1), table) in SPLIT:
            found, shown, person = field_for(both.group(1), table), "/".join(parts), True
        joined = "".join(parts)
        if any(_TEN_DAYS.search(header_key(p)) for p in parts):
            found, shown = None, "/".join(parts) + TEN_DAYS_NOTE
        unit = next((u for p in parts if (u := header_unit(p) or header_currency(p))), None)
        column = Column(c, shown, found, unit=unit, person=person)
        column.year, column.month = header_period(joined)
        if found == "month_completed" and (bracket := _BRACKET_MONTH.search(unicodedata.normalize("NFKC", joined))):
            column.year = int(bracket.group(1)) if bracket.group(1) else column.year
            column.month = int(bracket.group(2)) if 1 <= int(bracket.group(2)) <= 12 else None
        if found == "floor_area" and _AREA_SQM.search(joined) and "万平方米" not in joined and "万㎡" not in joined:
            column.area_factor = Decimal("0.0001")
        if found == "completed_ytd" and label and column.field:
            months.append((column, label, any("累计" in p for p in parts[:-1])))
        columns.append(column)
    if months:
        _month_columns(months)
    own_task_force = any(c.field == "task_force" for c in columns)
    for column in columns:  # 责任单位/责任人: the unit's person, 工作专班 where the sheet has no such column
        if column.field == UNIT_PERSON:
            column.field = None if own_task_force else "task_force"
    leaders = [c for c in columns if c.field == "leader"]
    if len(leaders) > 1:
        keep = min(leaders, key=lambda c: (next(i for i, p in enumerate(_LEADER_LEVEL) if p.search(c.header)), c.index))
        for column in leaders:
            if column is not keep:
                column.field = None
    return columns


def _month_columns(months: list[tuple[Column, re.Match, bool]]) -> None:
    """Columns labelled by months. Where some say 1-N月 (or 累计), 1月, 1-2月 … 1-12月 are the
    cumulative series, each to its month; 2月, 3月 … are each month's own figure. One month's own figure
    alone (10月完成投资, 完成投资/10月, beside 1-10月 or not) is that month's report (`month_completed`);
    several (1月 … 12月 where none is cumulative) are not read."""
    cumulative = any(label.group(1) or label.group(3) or under for _, label, under in months)
    series, own = [], []
    for column, label, under in months:
        month = int(label.group(2))
        if not 1 <= month <= 12:
            column.field = None
        elif cumulative and (label.group(1) or label.group(3) or month == 1 or under):
            series.append((column, month))
        else:
            own.append((column, month))
            column.field = None
    if len(own) == 1 and len(series) <= 1:
        column, month = own[0]
        column.field, column.month = "month_completed", month
    if len(series) == 1:
        series[0][0].month = series[0][1]
    elif len(series) > 1 and len({m for _, m in series}) == len(series):
        for column, month in series:
            column.month, column.series = month, True


def _header_continues(above: list[Any], below: list[Any], name_col: int) -> bool:
    """Whether `below` is part of the header above it: its cells merged down from the header (filled in
    by the reader), or a row sub-dividing some columns (市领导 / 县领导 under 挂钩领导) even when it names
    no field. A row holding a project name, a number or a date is data."""
    cells = [(c, v) for c, v in enumerate(below) if not _blank(v)]
    if not cells or any(type(v) is not str for _, v in cells):
        return False

    def same(c: int) -> bool:
        return c < len(above) and clean_text(above[c]) == clean_text(below[c])

    if name_col < len(below) and not _blank(below[name_col]) and not same(name_col):
        return False
    new = [c for c, _ in cells if not same(c)]
    if not new:
        return True
    if all(_NUMBERING.match(_text(below[c])) for c in new):
        return False  # a 栏次 row written as text
    for c in new:
        top = above[c] if c < len(above) else ""
        if _blank(top):
            continue
        left = above[c - 1] if c > 0 else None
        right = above[c + 1] if c + 1 < len(above) else None
        if top == left or top == right or (right is not None and _blank(right)):
            continue  # under a group header spanning several columns
        return False
    return True


class FormSheet(ProjectsError):
    """A sheet laid out as a per-project form (labels in a column, values beside them), not a ledger table."""


FORM_FIELDS = 6  # distinct fields named by labels down a column that make a sheet a form


def _form_labels(rows: list[tuple[int, list[Any]]], table: Mapping[str, str]) -> tuple[int, list[str]] | None:
    """(column, labels) when the rows read as a per-project form: row after row starting with a label that
    names a field (项目名称, 建设单位, 总投资 …) with its value beside or below it; None for a table."""
    firsts: dict[str, tuple[int, str]] = {}
    for _number, row in rows:
        cells = [(c, v) for c, v in enumerate(row) if not _blank(v)]
        if not cells or type(cells[0][1]) is not str:
            continue
        first = field_for(cells[0][1], table)
        if first is None or first == "seq" or first in firsts:
            continue
        if len(cells) > 1 and all(type(v) is str and field_for(v, table) for _, v in cells):
            continue  # a header row: every cell names a field
        firsts[first] = (cells[0][0], clean_text(cells[0][1]))
    if len(firsts) < FORM_FIELDS or "name" not in firsts:
        return None
    columns = [c for c, _ in firsts.values()]
    return max(set(columns), key=columns.count), [label for _, label in firsts.values()]


def find_header(rows: list[tuple[int, list[Any]]], table: Mapping[str, str]) -> Header | None:
    """The ledger's header among the first rows: one to three rows whose words name the most fields.

    It must name the project (项目名称) and at least one other field. Among
    equally good candidates the one that ends first wins, and of those the one
    taking in the most rows (so a group header above sub-headers counts). Rows
    right under it that continue it (merged header cells, a row sub-dividing
    some columns) are part of it. A sheet that is a per-project form raises
    `FormSheet`.
    """
    rows = rows[:HEADER_SCAN + MAX_HEADER_ROWS]
    if form := _form_labels(rows, table):
        column, labels = form
        shown = "、".join(labels[:8]) + ("…" if len(labels) > 8 else "")
        raise FormSheet(
            _("该工作表是逐项填报的表单，不是台账表格：{column}列是字段名（{labels}），一个项目一张表；"
              "请把项目汇成一行一个项目的台账表格再导入，或用 --sheet 指定台账表格所在的工作表").format(
                column=column_letter(column + 1), labels=shown)
        )
    best: tuple[tuple[int, int, int], Header] | None = None
    limit = min(len(rows), HEADER_SCAN)
    for i in range(limit):
        for depth in range(1, MAX_HEADER_ROWS + 1):
            if i + depth > len(rows):
                break
            stack = [rows[i + k][1] for k in range(depth)]
            if not _header_like(stack[-1]):
                break
            columns = _columns(stack, table)
            fields = {c.field for c in columns if c.field} - {"seq"}
            if "name" not in fields or len(fields) < 2:
                continue
            last = rows[i + depth - 1][0]
            rank = (len(fields), -last, depth)
            if best is None or rank > best[0]:
                best = (rank, Header(rows[i][0], last, columns, table))
    if best is None:
        return None
    header = best[1]
    at = {index: k for k, (index, _) in enumerate(rows)}
    while header.last - header.first < MAX_HEADER_ROWS and header.last + 1 in at:
        below = rows[at[header.last + 1]][1]
        name = header.by_field().get("name")
        if name is None or not _header_continues(rows[at[header.last]][1], below, name.index):
            break
        stack = [row for index, row in rows if header.first <= index <= header.last + 1]
        header = Header(header.first, header.last + 1, _columns(stack, table), table)
    return header


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
            money = [w for w in re.split(r"[、,，/及和]", m.group(1)) if _MONEY.match(w)]
            if money:  # more than one (万元、万美元) is refused by parse_rows, naming them
                info.unit = "、".join(dict.fromkeys(money))
        if info.reporter is None and (m := _INFO_REPORTER.search(text)):
            info.reporter = m.group(1)
    if info.title and (m := _YEAR.search(info.title)):
        info.year = int(m.group(1))
    title_month = _TITLE_MONTH.search(_text(info.title)) if info.title else None
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
    if info.as_of is None and title_month and 1 <= int(title_month.group(2)) <= 12:
        info.as_of = parse_date(f"{title_month.group(1)}年{int(title_month.group(2))}月")  # that month's last day
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
                raise ValueProblem(_("{value} 不像是日期（{year} 年）").format(value=repr(cell_repr(value)), year=parsed.year))
            return parsed
        return to_date
    if key == RATE:
        return read_rate
    if key == MONTH:
        return read_month
    if key == "planned_period":
        def to_range(value: Any) -> Any:
            start, end = parse_date_range(value)
            for when in (start, end):
                if when is not None and not 1990 <= when.year <= max_year:
                    raise ValueProblem(_("{value} 不像是起止日期（{year} 年）").format(value=repr(cell_repr(value)),
                                                                                year=when.year))
            return (start, end) if start or end else None
        return to_range
    if key in NUMERIC_FIELDS:
        factor = column.area_factor
        rate = column.rate

        def to_number(value: Any) -> Any:
            result = clean_value(rule, value, unit=unit)
            if factor is not None and result is not None:
                result = (result * factor).normalize()
            if rate is not None and result is not None:  # 万美元 × 元 per 美元 = 万元, to the fen the registry keeps
                result = (result * rate).quantize(CENT, rounding=ROUND_HALF_UP).normalize()
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


class Rate(NamedTuple):
    """A completion rate as written: its number, whether it said %, the decimals it was written with, and its text.

    Only compared, never stored: a float is exact enough for a tolerance of a
    rounding (and a workbook's cell is one already).
    """

    number: float
    percent: bool  # 97.2%: a percentage; 0.972 or 97.2 may be either
    decimals: int
    text: str  # as shown in a problem: 0.75, 75.1%


def read_rate(value: Any) -> Rate | None:
    """年度投资完成率 as written: 97.2%, 0.972 or 97.2 (a cell formatted as % holds 0.972); ValueProblem otherwise."""
    if type(value) is float:  # the common cell, quickly
        if value.is_integer():
            value = int(value)  # 75.0 as a workbook gives 75: written without decimals
        elif value == value and 0 <= value < 1e9:
            text = repr(value)
            if "e" not in text:
                return Rate(value, False, len(text) - text.index(".") - 1, text)
    if is_empty(value):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%").strip())
    except ArithmeticError:
        raise ValueProblem(_("{value} 不是完成率（应为 97.2%、0.972 或 97.2）").format(
            value=repr(clean_text(value)))) from None
    if not number.is_finite() or number < 0:
        raise ValueProblem(_("{value} 不像是完成率").format(value=repr(clean_text(value))))
    return Rate(float(number), percent, max(0, -number.as_tuple().exponent),
                format(number.normalize(), "f") + ("%" if percent else ""))


_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11,
             "十二": 12}
# A 月份 cell: 10, 10月, 10月份, 十月, 2025-10, 2025/10, 2025.10, 2025年10月, 202510.
_MONTH_CELL = re.compile(r"^(?:(\d{4})(?:年|[-/.])?)?(\d{1,2}|十[一二]?|[一二三四五六七八九])(?:月份?|月度)?$")


def read_month(value: Any) -> tuple[int | None, int] | None:
    """A 月份 cell as (year or None, month); ValueProblem when it is not a month."""
    kind = type(value)
    if kind is date or kind is datetime:
        return value.year, value.month
    if is_empty(value):
        return None
    if kind is float and value.is_integer() or kind is int:
        value = int(value)
    elif kind is float:  # 2025.1: 2025年1月 or 2025.10 with its zero lost
        raise ValueProblem(_("{value} 写成了数字，分不清是哪个月：请写成 2025-10 或 10月").format(value=repr(value)))
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    match = _MONTH_CELL.match(text)
    if match:
        number = match.group(2)
        month = int(number) if number.isdigit() else _CN_MONTH[number]
        if 1 <= month <= 12:
            return (int(match.group(1)) if match.group(1) else None), month
    raise ValueProblem(_("{value} 不是月份（应为 10月、十月、2025-10 或 2025年10月）").format(value=repr(clean_text(value))))


RATE_SLACK = 0.5  # percentage points: the most a rate's own rounding (97% for 96.6%) is allowed


def rate_mismatch(rate: Rate, done: Decimal, plan: Decimal) -> Decimal | None:
    """The rate the figures give (in %), when the written rate is not it within its rounding; None when it is.

    A rate without % is read both ways (0.972 or 97.2): whichever fits. The
    tolerance is half the last digit written (97% ± 0.5, 97.25% ± 0.005), at
    most RATE_SLACK percentage points.
    """
    actual = float(done) * 100 / float(plan)
    number, decimals = rate.number, rate.decimals
    readings = ((number, decimals),) if rate.percent else ((number * 100, decimals - 2), (number, decimals))
    for percent, places in readings:
        if abs(percent - actual) <= min(RATE_SLACK, 5 * 10.0 ** (-places - 1)) + 1e-6:
            return None
    return Decimal(done) * 100 / Decimal(plan)


def _check_rates(result: ParsedSheet, column: Column) -> None:
    """Each row's 年度投资完成率 against its completed investment ÷ annual plan (not stored): a warning naming both."""
    found = False
    for row in result.rows:
        values = row.values
        rate = values.pop(RATE, None)
        if rate is None:
            continue
        done, plan = values.get("completed_ytd"), values.get("annual_plan")
        if done is None or not plan:
            continue
        if type(rate) is float:  # a workbook's number: the figures' own quotient (0.51 or 51) passes at once
            exact = float(done) * 100 / float(plan)
            if abs(rate * 100 - exact) <= 1e-6 or abs(rate - exact) <= 1e-6:
                continue
            rate = read_rate(rate)
        actual = rate_mismatch(rate, done, plan)
        if actual is None:
            continue
        computed = format(actual.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")
        result.problems.append(Problem(
            "warning", result.sheet, row.row, column.letter, column.header, rate.text,
            _("完成率 {rate} 与本行数字不符：完成投资 {done} ÷ 年度计划投资 {plan} = {computed}%").format(
                rate=rate.text, done=_plain(done), plan=_plain(plan), computed=computed),
        ))
        found = True
    if found:
        result.problems.sort(key=lambda p: p.row)  # stable: each row's problems stay in column order


def _split_person(result: ParsedSheet, column: Column) -> None:
    """建设单位及责任人 "南平市政府 张兆民": the unit kept, the person split off: under 责任单位及责任人 it is the
    project's contact (工作专班, where the sheet has no such column: `Header.by_field`), else not read. Where the
    header says so but a cell does not split, and where a cell looks like a unit and a person though the header
    does not say so, the text is kept as written, with a warning."""
    key = column.field
    found = False
    person_key = "task_force" if result.header.by_field().get("task_force") is column else None
    for row in result.rows:
        value = row.values.get(key)
        if not value:
            continue
        both = _UNIT_AND_PERSON.match(value)
        if column.person:
            if both:
                row.values[key] = both.group(1)
                if person_key:
                    row.values[person_key] = both.group(2)
                continue
            message = _("'{value}' 分不出单位和责任人（应为\"单位 姓名\"），按原文读作{what}").format(
                value=value, what=column.header.split('及')[0])
        elif both and _ORG_END.search(both.group(1)):
            message = _("'{value}' 像是单位加责任人，但表头没有写\"及责任人\"，按原文读入").format(value=value)
        else:
            continue
        result.problems.append(Problem("warning", result.sheet, row.row, column.letter, column.header, value, message))
        found = True
    if found:
        result.problems.sort(key=lambda p: p.row)


def _plain(amount: Any) -> str:
    return format(Decimal(amount).normalize(), "f")


_SKIP = object()  # a cell that gives no value (empty)
_MISS = object()  # a cell the fast path leaves to the column's converter


def _column_reader(column: Column, info: LedgerInfo, clean_value: Callable[..., Any],
                   max_year: int, quick: Callable[[str], Callable[[Any], bool] | None] | None = None,
                   ) -> Callable[[list[Any]], list[Any]]:
    """Typing a whole column at once: the common cells by a fast path, the rest by `_converter`'s function.

    `quick(field)`: a test of the cells `clean_value` keeps as they are (`registry.kept_as_is`), or None.

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
        plain = column.area_factor is None and column.rate is None and (
            kind == "area" or (kind == "money" and unit == "万元"))

        def numbers(cells: list[Any]) -> list[Any]:
            if not plain:
                return [_SKIP if v == "" or v is None else _MISS for v in cells]
            out = []
            for v in cells:
                value = plain_amount(v)
                out.append(value if value is not None else _SKIP if v == "" or v is None else _MISS)
            return out
        return numbers
    if key == RATE:  # a workbook's rates are floats: kept as they are (read when checked); the rest one by one
        return lambda cells: [v if type(v) is float and 0 <= v < 1e9 else
                              _SKIP if v == "" or v is None else _MISS for v in cells]
    if key not in REPEATED:
        if (plain := quick(key) if quick is not None else None) is not None:  # names and codes, mostly clean
            return lambda cells: [v if plain(v) else _SKIP if v == "" or v is None else _MISS for v in cells]
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
                 name_col: int, seq_col: int | None) -> str | None:
    """"total", "note" or "section" for a row that is not a project, else None.

    `first` is the row's first own non-empty cell (not one filled from a merged
    range) and `single` whether all its own non-empty cells hold one value.
    A total's word may stand anywhere in the label cells (龙海市合计14个); a
    section's numeral may stand alone in 序号, its label in 项目名称 (一 | 工业).
    """
    if type(first) is str:
        first_text = _text(first)
        texts = (first_text, *(_text(v) for v in leads if type(v) is str))
    else:  # a number is never a total's word
        first_text = ""
        texts = tuple(_text(v) for v in leads if type(v) is str and (_SPECIAL_START.match(v) or "计" in v))
    if any(_TOTAL.match(t) or t.startswith("其中") or _TOTAL_INSIDE.search(t) for t in texts if t):
        return "total"
    if type(first) is not str:
        return None
    if _FOOTER.match(first_text):
        name_text = _text(row[name_col]) if name_col < len(row) else ""
        if single or not name_text or name_text == first_text:
            return "note"
    if first_col > name_col:
        return None
    if _SECTION_NUMBER.match(first_text) or (first_col == seq_col and _NUMERAL.match(first_text)):
        return "section"
    if single:
        spread = sum(1 for v in row if not _blank(v))
        if spread >= 2 or first_col != name_col or _SECTION_COUNT.search(first_text):
            return "section"
    return None


def _section_text(first: Any, row: list[Any], name_col: int) -> str:
    """A section row's text: its first cell, or 序号's numeral with 项目名称's label (一 | 工业 → 一、工业)."""
    text = clean_text(first)
    if _NUMERAL.match(_text(first)) and name_col < len(row) and not _blank(row[name_col]):
        label = clean_text(row[name_col])
        text = f"{text}{label}" if text[-1] in "、.．）)" else f"{text}、{label}"
    return text


def _placeholder(name: str, table: Mapping[str, str]) -> bool:
    """Whether a name cell holds a header word, as a template's placeholder row (项目名称, (1) 项目名称) or a
    header repeated under the table does."""
    key = header_key(name)
    return key in table or (bool(match := _NUMBERED.match(key)) and key[match.end():] in table)


def _zero_row(row: list[Any], seq_col: int | None, filled: set[int] | None) -> bool:
    """Whether a row without a name holds nothing but zeros (a blank template row whose formulas give 0)."""
    values = [v for c, v in enumerate(row) if c != seq_col and _present(v) and (filled is None or c not in filled)]
    return bool(values) and all(v == 0 if type(v) in (int, float) else type(v) is str and v.strip() in _ZEROS
                                for v in values)


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
    status_words: Mapping[str, str] | None = None,
    rates: Mapping[str, Decimal] | None = None,
    quick: Callable[[str], Callable[[Any], bool] | None] | None = None,
    seen: Seen | None = None,
) -> ParsedSheet:
    """Typed project rows and problems from the rows under the header.

    `rows` yields (0-based index, values, merged-filled columns); `clean_value`
    is `registry.clean_value` (typing and validation shared with `projects add`);
    `status_words` what the status column's words mean (`config.office.status_words`:
    续建 → 在建), a word not in it an error on its cell. `rates` (`columns.currency_rates`: [ledger.rates],
    [ledger] usd_rate): amounts in 万美元, 万欧元 … are converted to 万元 at the currency's rate
    (`ParsedSheet.converted`); a currency without one is refused, naming it. `quick`: which cells
    `clean_value` keeps as they are (`registry.kept_as_is`), typed without calling it. `seen`: project rows it
    knows (`ledger.fingerprint`) go to `ParsedSheet.seen` untyped.
    Rows are sorted out one by one (blank, total, section, note or project);
    project rows are then typed column by column, CHUNK rows at a time.
    """
    result = ParsedSheet(sheet, header, info)
    if status_words is not None:
        clean_value = _with_status_words(clean_value, status_words)
    seen_fields: set[str] = set()
    readers: list[tuple[int, str, Column, Callable[[list[Any]], list[Any]], Callable[[Any], Any]]] = []
    series = [c for c in header.columns if c.series and c.field == "completed_ytd"]
    for column in header.columns:
        if not column.field:
            continue
        key = column.field
        if column.series and len(series) > 1:
            key = f"{key}@{column.month}"  # each month read, the one to keep chosen below (_latest_month)
        elif column.field in seen_fields:
            result.duplicates.append(column)
            continue
        seen_fields.add(column.field)
        if column.field in DERIVED or column.field in NOT_STORED:
            continue
        if column.field in NUMERIC_FIELDS and BY_KEY[TYPED_LIKE.get(column.field, column.field)].kind == "money":
            unit = column.unit or info.unit or "万元"
            if unit not in UNIT_TO_WAN:
                problem = _foreign_amounts(column, unit, rates or {})
                if problem is None:
                    result.converted.append(column)
                else:
                    result.problems.append(Problem("error", sheet, header.last + 1, column.letter, column.header,
                                                   unit, problem))
                    continue
        readers.append((column.index, key, column, _column_reader(column, info, clean_value, max_year, quick),
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
    table = header.table
    notes = result.skipped_rows
    above, above_name = 0, ""  # the Excel row and name of the numbered project row just above (0: none)
    continued = False  # whether a continuation row was refused (its problem is then sorted into place)
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
        if (type(first) is str and special(first) or any(type(v) is str and ("计" in v or total_start(v)) for v in leads)
                or (single and first_col <= name_col)):
            kind = _special_row(row, first_col, first, single, leads, name_col, seq_col)
            if kind is not None:
                skipped[kind] += 1
                text = _section_text(first, row, name_col) if kind == "section" else clean_text(first)
                notes.append(Skipped(excel_row, kind, text))
                if kind == "section":
                    level, found = section_context(text, units)
                    level_context = {k: v for k, v in level_context.items() if k < level}
                    level_context[level] = found
                    merged_context: dict[str, str] = {}
                    for k in sorted(level_context):
                        merged_context.update(level_context[k])
                    context = merged_context or None
                continue
        name = row[name_col] if name_col < len(row) else ""
        if type(name) is str and name and (name in table or name[0] in "(（0123456789①" or " " in name) and _placeholder(
                name, table):
            skipped["blank"] += 1  # a template's placeholder row, or the header repeated
            notes.append(Skipped(excel_row, "template", clean_text(name)))
            continue
        if (name == "" or name is None) and _zero_row(row, seq_col, filled):
            skipped["blank"] += 1
            notes.append(Skipped(excel_row, "template", ""))
            continue
        if seq_col is not None:  # where projects are numbered, a name without a number may continue the one above
            number = row[seq_col] if seq_col < len(row) else ""
            if number == "" or number is None or filled is not None and seq_col in filled:
                if above and type(name) is str and _FUNDING.search(name):
                    shown = clean_text(name)
                    result.problems.append(Problem(
                        "error", sheet, excel_row, by_field["name"].letter, by_field["name"].header, shown,
                        _("'{value}' 没有序号，像是第{row}行项目（{name}）的资金来源续行，不是项目；"
                          "请删去此行或把它并入该项目的行").format(value=shown, row=above, name=clean_text(above_name)),
                    ))
                    continued = True
                    continue
                above = 0
            else:
                above, above_name = excel_row, name
        if len(row) < width_needed:
            row = row + [""] * (width_needed - len(row))
        if seen is not None and (known := seen(excel_row, row, context)) is not None:
            result.seen.append(known)
            continue
        pending.append((excel_row, row, context))
        if len(pending) >= CHUNK:
            _type_rows(pending, readers, by_field["name"], sheet, result)
            pending = []
    _type_rows(pending, readers, by_field["name"], sheet, result)
    if continued:
        result.problems.sort(key=lambda p: p.row)  # stable: each row's problems stay in column order
    if len(series) > 1:
        _latest_month(series, result)
    if (rate := by_field.get(RATE)) is not None and rate.field == RATE:
        _check_rates(result, rate)
    for key in SPLIT:
        if (column := by_field.get(key)) is not None:
            _split_person(result, column)
    if progress is not None:
        progress(count)
    return result


# What a rate looks like in the refusal's example: 1 美元 = 7.1 元.
RATE_EXAMPLES = {"美元": "7.1", "欧元": "7.8", "港元": "0.91", "日元": "0.048", "英镑": "9.1"}


def _foreign_amounts(column: Column, unit: str, rates: Mapping[str, Decimal]) -> str | None:
    """An amount column in a foreign currency (万美元) set to be converted at the currency's configured rate;
    else why it is refused: no rate for the currency, or not a currency at all (万元、万美元 in one line)."""
    known = foreign_unit(unit)
    if known is not None and known[0] in UNIT_TO_WAN and (rate := rates.get(known[1])) is not None:
        column.unit, column.rate, column.currency = known[0], rate, unit
        return None
    if "、" in unit:
        return _("单位行写了几种金额单位（{unit}），分不清本列用哪一种：请在金额列的表头写明单位，如 总投资（万元）").format(
            unit=unit)
    if known is None or known[0] not in UNIT_TO_WAN:
        return _("金额单位是{unit}，不是人民币元、万元或亿元：不能当作万元读入，请折算为万元（人民币）后再导入").format(unit=unit)
    currency = known[1]
    example = RATE_EXAMPLES.get(currency, "…")
    return _("金额单位是{unit}，不是人民币元、万元或亿元：不能当作万元读入，请折算为万元（人民币）后再导入，"
             "或在配置文件 [ledger.rates] 写明 1 {currency}折合多少元（如 \"{currency}\" = {example}）").format(
        unit=unit, currency=currency, example=example)


def _with_status_words(clean_value: Callable[..., Any], words: Mapping[str, str]) -> Callable[..., Any]:
    """`clean_value` with the status column read through the office's status words (a word not listed: an error
    naming the word and the config key to add it to)."""
    def clean(key: str, value: Any, *, unit: str = "万元") -> Any:
        if key != "status":
            return clean_value(key, value, unit=unit)
        if is_empty(value):
            return None
        status = words.get(normalize_name(value))
        if status is None:
            word = clean_text(value)
            raise ValueProblem(
                _("'{word}' 不是认得的项目状态用词：请在配置文件 {key} 中写明它是哪种状态，例如 \"{word}\" = \"在建\""
                  "（可选 {choices}）").format(word=word, key=STATUS_KEY, choices='/'.join(ProjectStatus.values()))
            )
        return status
    return clean


def _latest_month(series: list[Column], result: ParsedSheet) -> None:
    """With cumulative month columns (1月, 1-2月 … 1-12月), the year to date is the latest month filled in
    (up to the ledger's own as-of, 截至…); the other months' columns are listed as not read.

    A row whose figures stop at an earlier month gets no completed investment
    (a warning): its figure is that month's, not the sheet's.
    """
    info = result.info
    before = len(result.problems)
    year = next((c.year for c in series if c.year), None)
    cap = info.as_of.month if info.as_of and year in (None, info.as_of.year) else 12
    keys = {c.month: f"completed_ytd@{c.month}" for c in series}
    filled = {m for m, key in keys.items() if any(key in r.values for r in result.rows)}
    inside = [m for m in filled if m <= cap]
    chosen = max(inside) if inside else None
    by_month = {c.month: c for c in series}
    for column in series:
        if column.month != chosen:
            column.field = None
    sheet = result.sheet
    if beyond := sorted(m for m in filled if m > cap):
        column = by_month[beyond[0]]
        result.problems.append(Problem(
            "warning", sheet, result.header.last + 1, column.letter, column.header, "",
            _("{columns} 的累计完成投资在台账截至日期 {as_of} 之后，未读").format(
                columns='、'.join(by_month[m].header for m in beyond), as_of=info.as_of.isoformat()),
        ))
    for row in result.rows:
        values = row.values
        latest = None
        given: dict[int, Decimal] = {}
        for month, key in keys.items():
            value = values.pop(key, None)
            if value is not None and month <= cap and (latest is None or month > latest):
                latest = month
            if value is not None and month <= cap:
                given[month] = value
            if month == chosen and value is not None:
                values["completed_ytd"] = value
        if chosen is not None and chosen > 1 and chosen in given:
            figures = _month_figures(given, chosen, row.row, by_month, result)
            if figures:
                values[MONTH_FIGURES] = figures
        if chosen is not None and latest is not None and latest < chosen:
            column = by_month[chosen]
            result.problems.append(Problem(
                "warning", sheet, row.row, column.letter, column.header, "",
                _("本行累计完成投资只填到{latest}月，没有{chosen}月的数，本次不读本行的完成投资").format(
                    latest=latest, chosen=chosen),
            ))
    if len(result.problems) != before:
        result.problems.sort(key=lambda p: p.row)  # stable: each row's problems stay in column order


MONTH_FIGURES = "month_figures"  # a row's own figures of the months before the year to date's (1月, 1-2月 …)


def _month_figures(given: dict[int, Decimal], chosen: int, row: int, by_month: dict[int, Column],
                   result: ParsedSheet) -> dict[int, Decimal] | None:
    """Each month's own figure before `chosen`, the differences of the cumulative figures (1-3月 less 1-2月),
    when every month from 1月 on is given; a cumulative figure below the month before it is an error on its
    cell. None when a month is missing (only the year to date is read, as without the months)."""
    if any(m not in given for m in range(1, chosen)):
        return None
    figures = {}
    for month in range(1, chosen + 1):
        figure = Decimal(given[month]) - (Decimal(given[month - 1]) if month > 1 else 0)
        if figure < 0:
            column = by_month[month]
            result.problems.append(Problem(
                "error", result.sheet, row, column.letter, column.header, cell_repr(given[month]),
                _("{header} 的累计数 {figure} 小于上月累计 {before}：累计完成投资不会减少").format(
                    header=column.header, figure=_plain(given[month]), before=_plain(given[month - 1])),
            ))
            return None
        if month < chosen:
            figures[month] = figure
    return figures


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
                                                    cell_repr(cell), _("{reason}；留空").format(reason=exc))))
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
    period = next(((order, column) for order, (_, key, column, *_) in enumerate(readers) if key == "planned_period"),
                  None)
    out = result.rows
    for i, ((excel_row, _row, context), values) in enumerate(zip(pending, typed_rows)):
        if "name" not in values and i not in bad_name:
            found.append((i, no_name, Problem("error", sheet, excel_row, name_column.letter, name_column.header, "",
                                              _("项目名称为空：每个项目行都要有项目名称"))))
        if period is not None and "planned_period" in values:
            for problem in _split_period(values, period[1], sheet, excel_row):
                found.append((i, period[0], problem))
        if context:
            for key, value in context.items():
                values.setdefault(key, value)
        fill_cluster(values)
        out.append(LedgerRow(excel_row, values))
    found.sort(key=lambda f: (f[0], f[1]))
    result.problems.extend(p for _, _, p in found)


def _split_period(values: dict[str, Any], column: Column, sheet: str, row: int) -> list[Problem]:
    """A 建设起止时间 cell's (start, completion) into planned_start and planned_completion; where the row's own
    计划开工/竣工 column says otherwise, a problem (the row holds two different plans)."""
    problems = []
    for key, when in zip(("planned_start", "planned_completion"), values.pop("planned_period")):
        if when is None:
            continue
        have = values.setdefault(key, when)
        if have != when:
            what = Milestone.START if key == "planned_start" else Milestone.COMPLETION
            problems.append(Problem(
                "error", sheet, row, column.letter, column.header, when.isoformat(),
                _("{header}的{what}时间 {when} 与本行计划{what}时间 {have} 不一致").format(
                    header=column.header, what=what, when=when.isoformat(), have=have.isoformat()),
            ))
    return problems
