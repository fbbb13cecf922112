"""Property tests: whatever a cell holds, the parsers give a value or a ValueProblem, never a crash."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from projects_cli.ledger import parse
from projects_cli.ledger.columns import HEADERS, field_for, header_key, header_period, header_unit, variants
from projects_cli.services import registry
from projects_cli.values import ValueProblem, parse_amount, parse_date

TABLE = variants()
# Text built from the pieces ledgers are made of, so that the near misses get tried too.
PIECES = st.sampled_from([
    "亿元", "万元", "万", "元", "约", "左右", "年", "月", "日", "底", "-", "/", ".", " ", "　", "，", ",", "%", "待定", "—",
    "（", "）", "(", ")", "1-10月", "2024年", "合计", "一、", "（一）", "个", "项目名称", "总投资", "计划", "实际", "开工时间",
    "e", "E", "+", "nan", "inf", "∞", "٣", "①", "Ⅻ", "\x00", "\n",
])
DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=12)
TEXT = st.one_of(
    st.text(max_size=30),
    st.lists(st.one_of(PIECES, DIGITS), max_size=8).map("".join),
)
CELL = st.one_of(
    st.none(), TEXT, st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.decimals(allow_nan=True, allow_infinity=True), st.dates(), st.datetimes(),
)
FAST = settings(max_examples=300, deadline=None)


def value_or_problem(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except ValueProblem as exc:
        assert str(exc)
        return exc


@FAST
@given(CELL, st.sampled_from(["万元", "亿元", "元"]))
def test_amounts(value, unit):
    result = value_or_problem(parse_amount, value, unit)
    assert result is None or isinstance(result, (Decimal, ValueProblem))
    if isinstance(result, Decimal):
        assert result.is_finite()


@FAST
@given(CELL)
def test_dates(value):
    result = value_or_problem(parse_date, value)
    assert result is None or isinstance(result, (date, ValueProblem))
    if isinstance(result, date) and not isinstance(value, (date, datetime)):
        assert 1 <= result.year <= 9999


@FAST
@given(st.sampled_from(sorted(registry.BY_KEY)), CELL, st.sampled_from(["万元", "亿元"]))
def test_every_field_rule(key, value, unit):
    value_or_problem(registry.clean_value, key, value, unit=unit)


@FAST
@given(CELL)
def test_header_words(value):
    assert isinstance(header_key(value), str)
    assert field_for(value, TABLE) in (None, *HEADERS)
    assert header_unit(value) in (None, "亿元", "万元", "元", "亿", "万")
    year, month = header_period(value)
    assert year is None or 1990 <= year <= 2100
    assert month is None or 1 <= month <= 12


@FAST
@given(TEXT)
def test_section_rows(text):
    level, context = parse.section_context(text, ["经济发展局"])
    assert level in (1, 2) and set(context) <= {"chain", "cluster", "unit"}


GRID_CELL = st.one_of(st.none(), TEXT, st.integers(-10, 10**6), st.floats(allow_nan=False), st.dates(),
                      st.sampled_from(["项目名称", "总投资", "责任单位", "计划开工时间", "合计", "一、高端装备", "序号"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(GRID_CELL, max_size=8), max_size=12))
@example(grid=[["项目", "总投资"], [None, "00"]])  # a project row without a name: one problem, described
def test_any_grid_gives_rows_and_problems(grid):
    """A sheet of anything: a header is found or not; under it every row is a project row or a problem."""
    rows = [(i, ["" if v is None else v for v in r]) for i, r in enumerate(grid)]
    header = parse.find_header(rows, TABLE)
    if header is None:
        return
    info = parse.read_info((r for i, r in rows if i < header.first), 2025)
    parsed = parse.parse_rows(iter((i, r, None) for i, r in rows), header, info, "Sheet1",
                              clean_value=registry.clean_value)
    for row in parsed.rows:
        assert row.row > header.last + 1
    for problem in parsed.problems:
        assert problem.severity in ("error", "warning") and problem.message
        label = "错误" if problem.severity == "error" else "提醒"  # the suite runs in Chinese (conftest)
        assert problem.describe().startswith(f"{label}：Sheet1 第 {problem.row} 行")
