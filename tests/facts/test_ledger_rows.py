"""The project as a ledger row: one query, run as SQLAlchemy gives it (export, dispatch) or compiled for ids (import)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import ledger_samples as samples
import pytest

from projects_cli.facts.ledger_rows import HELD, LEDGER_KINDS, Shape, select_rows, sql_by_ids
from projects_cli.ledger.importer import import_ledger
from projects_cli.services import investment, registry
from projects_cli.store.db import query_rows

SHAPES = [
    Shape(("id", "code", "total_investment"), unit=True, plan_year=2025, to_month="2025-10", kinds=LEDGER_KINDS),
    Shape(("id", "unit_id", "name"), plan_year=2025, before_month="2025-10", month="2025-10", month_row=True,
          kinds=LEDGER_KINDS, dates=HELD),
    Shape(("id", "status"), before_month="2025-09", month="2025-09", kinds=("竣工",)),
    Shape(("id",)),
]


@pytest.fixture
def office(session, ctx, tmp_path):
    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    project = registry.get_project(session, "GX-0002")
    investment.set_month(session, ctx, project, "2025-08", Decimal("300"))
    investment.set_month(session, ctx, project, "2025-09", Decimal("200.5"), "统计局月报")
    return session


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ids", [[1, 2, 3, 4, 5], [2], [5, 3]])
def test_compiled_for_ids_is_the_same_query(office, shape, ids):
    conn = office.connection()
    query = select_rows(shape, projects=lambda column: column.in_(ids))
    plain = sorted(tuple(r) for r in conn.execute(query))
    compiled = sql_by_ids(conn.dialect, shape, len(ids))
    got = sorted(query_rows(conn, compiled.sql, compiled.params(ids), compiled.types))
    assert got == plain
    assert [len(r) for r in got] == [len(shape.labels)] * len(ids)
    # ids padded with the first again (the import compiles a dozen sizes only): the same rows
    padded = sql_by_ids(conn.dialect, shape, 8)
    assert sorted(query_rows(conn, padded.sql, padded.params(ids + [ids[0]] * (8 - len(ids))), padded.types)) == plain


def test_a_row_holds_what_the_registry_holds(office):
    row = office.connection().execute(select_rows(SHAPES[1], projects=lambda column: column == 2)).mappings().one()
    assert dict(row) == {
        "id": 2, "unit_id": 3, "name": "信发液压高端液压件项目", "annual_plan": Decimal(1200),
        "completed_before": Decimal("500.5"), "month_id": 2, "month_amount": Decimal(900), "month_source": "o.xlsx",
        "开工.id": 3, "开工.baseline_date": date(2024, 4, 1), "planned_start": date(2024, 4, 1), "actual_start": None,
        "竣工.id": 4, "竣工.baseline_date": date(2025, 12, 31), "planned_completion": date(2025, 12, 31),
        "actual_completion": None,
    }
    ytd = office.connection().execute(select_rows(SHAPES[0], clauses=registry.ProjectFilter(unit="经济发展局").clauses()))
    assert [(r.code, r.unit, r.annual_plan, r.completed_ytd) for r in ytd] == [
        ("GX-0001", "经济发展局", Decimal(12000), Decimal(9800)),
        ("GX-0002", "经济发展局", Decimal(1200), Decimal("1400.5")),
    ]


def test_holds():
    ahead = SHAPES[1]
    assert ahead.holds(Shape(("id", "name"), plan_year=2025, month="2025-10", kinds=("竣工",)))
    assert ahead.holds(Shape(("id",)))
    assert not ahead.holds(Shape(("id", "code")))
    assert not ahead.holds(Shape(("id",), plan_year=2024))
    assert not ahead.holds(Shape(("id",), before_month="2025-09"))
    assert not ahead.holds(Shape(("id",), unit=True))
    assert not SHAPES[0].holds(Shape(("id",), kinds=("开工",), dates=HELD))
