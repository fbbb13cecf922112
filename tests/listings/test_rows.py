"""Rows kept as shared parts (rows.Rows) and the JSON writers built on them: the same text as json.dumps."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects_cli.listings.output import json_default, json_lines, to_json
from projects_cli.listings.rows import Part, Rows

D = date.fromisoformat


def dumps(row, indent=None):
    return json.dumps(row, ensure_ascii=False, default=json_default, indent=indent)


@pytest.fixture
def rows():
    who = Part(("code", "unit"), {1: ("GX-0001", "建设局"), 2: ("GX-0002", None)})
    when = Part(("planned", "late"), {"a": (D("2025-10-01"), 30), "b": (D("2025-10-20"), 11)})
    return Rows([who, when], [[1, 2, 1], ["a", "a", "b"]])


def test_rows_read_as_dicts(rows):
    assert len(rows) == 3
    assert list(rows) == [
        {"code": "GX-0001", "unit": "建设局", "planned": D("2025-10-01"), "late": 30},
        {"code": "GX-0002", "unit": None, "planned": D("2025-10-01"), "late": 30},
        {"code": "GX-0001", "unit": "建设局", "planned": D("2025-10-20"), "late": 11},
    ]
    assert rows[2] == {"code": "GX-0001", "unit": "建设局", "planned": D("2025-10-20"), "late": 11}
    assert rows[1:] == list(rows)[1:]
    assert rows.column("late") == [30, 30, 11]
    assert [r["code"] for r in rows.take([2, 0])] == ["GX-0001", "GX-0001"]
    assert [r["late"] for r in rows.take([2, 0])] == [11, 30]
    assert [r["code"] for r in rows.where([False, True, True])] == ["GX-0002", "GX-0001"]
    rows[0]["code"] = "changed"  # each read is a new dict: the rows stay as they were
    assert rows[0]["code"] == "GX-0001"
    with pytest.raises(KeyError):
        rows.column("nope")


def test_rows_need_one_key_column_per_part():
    with pytest.raises(ValueError, match="one key column per part"):
        Rows([Part(("a",), {1: (1,)})], [[1], [1]])
    with pytest.raises(ValueError, match="same length"):
        Rows([Part(("a",), {1: (1,)}), Part(("b",), {1: (1,)})], [[1], [1, 1]])


def test_empty_rows_write_as_an_empty_list():
    empty = Rows([Part(("a",), {})], [[]])
    assert list(json_lines(empty)) == [] and dumps({"x": empty}) == '{"x": []}'


VALUES = [None, True, False, 0, 1, -7, 1.0, 0.0, -0.0, 2.5, float("nan"), Decimal("1.50"), Decimal("-0.0"), Decimal("0.0"),
          Decimal("3"), Decimal("12345678901234567890.12"), D("2025-10-31"), datetime(2025, 10, 31, 9, 30), "",
          "建设局", 'say "hi"\n\t\\', "%s %d %%", "\u2028\x00"]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_json_lines_write_each_value_as_json_dumps(value):
    # the value beside others of its own type, and beside values of every other type
    for column in ([value, value], [value] + VALUES):
        part = Part(("k", "n"), {n: (v, n) for n, v in enumerate(column)})
        got = list(json_lines(Rows([part], [list(range(len(column)))])))
        assert got == [dumps({"k": v, "n": n}) for n, v in enumerate(column)]
        listing = [{"k": v, "n": n} for n, v in enumerate(column)]
        assert to_json(listing) == dumps(listing, indent=2)


@pytest.mark.parametrize("column", [[0.0, -0.0], [-0.0, 0.0], [True, 1], [1, 1.0], [Decimal("1.0"), Decimal("1")]], ids=repr)
def test_equal_values_that_write_differently(column):
    listing = [{"k": v} for v in column]
    assert to_json(listing) == dumps(listing, indent=2)
    assert list(json_lines(Rows([Part(("k",), {n: (v,) for n, v in enumerate(column)})], [[0, 1]]))) == [dumps(r) for r in listing]


def test_json_lines_of_plain_rows_and_parts_shared_by_two_listings(rows):
    assert list(json_lines([{"a": 1}, {"b": [1, 2]}])) == ['{"a": 1}', '{"b": [1, 2]}']
    first = list(json_lines(rows))
    assert first == [dumps(r) for r in rows]
    assert list(json_lines(rows.take([2, 1]))) == [first[2], first[1]]  # from the parts' kept text


@pytest.mark.parametrize("data", [
    [], [{}], {"a": [1]}, [{"a": 1}, {"b": 1}], [{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": [1, 2]}],
    [{"a": {"b": 1}}], [1, 2], [{"a": 1}, 2],
], ids=repr)
def test_to_json_of_other_shapes_is_json_dumps(data):
    assert to_json(data) == dumps(data, indent=2)


SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
    st.decimals(allow_nan=False, allow_infinity=False, places=2), st.dates(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(SCALAR, SCALAR), max_size=6))
def test_listings_as_json_dumps_whatever_the_values(pairs):
    listing = [{"a": a, "b": b} for a, b in pairs]
    assert to_json(listing) == dumps(listing, indent=2)
    part = Part(("a", "b"), dict(enumerate(pairs)))
    assert list(json_lines(Rows([part], [list(range(len(pairs)))]))) == [dumps(r) for r in listing]


def _driver_values(values: list, kind) -> list:
    """One result column as `db.query_rows` turns a driver's values into Python values (SQLite's dialect)."""
    from sqlalchemy import create_engine

    from projects_cli.store import db

    engine = create_engine("sqlite://")
    try:
        with engine.connect() as conn:
            return [v for (v,) in db.convert_rows(conn, [(v,) for v in values], [kind], [("value", None)])]
    finally:
        engine.dispose()


@pytest.mark.parametrize("value, expected", [
    (None, None), (12.5, Decimal("12.50")), (3, Decimal("3.00")), (0.1 + 0.2, Decimal("0.30")),
    (Decimal("7.10"), Decimal("7.10")),
])
def test_money_from_the_driver_as_sqlalchemy_reads_it(value, expected):
    from projects_cli.store.models import InvestmentPlan

    got, = _driver_values([value], InvestmentPlan.__table__.c.amount)
    assert got == expected and str(got) == str(expected)


def test_dates_from_the_driver():
    from projects_cli.store.models import Milestone

    dates = _driver_values(["2025-10-31", "2025-01-02", None, "2025-10-31"], Milestone.__table__.c.planned_date)
    assert dates[0] == D("2025-10-31") and dates[1] == D("2025-01-02")
    assert dates[2] is None and dates[0] is dates[3]  # each distinct text parsed once
