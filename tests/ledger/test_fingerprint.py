"""Ledger rows seen before (`ledger.fingerprint`): a re-import skips the rows that are as they were, and answers
exactly as the long way does; anything that changed (the row, the project, the import's options) is read again."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from projects_cli.ledger import exporter, plan
from projects_cli.ledger.importer import LedgerRejected, import_ledger
from projects_cli.ledger.reader import Limits, preload
from projects_cli.services import investment, registry
from projects_cli.store.models import LedgerFingerprint


def _import(session, ctx, path, **options):
    return import_ledger(session, ctx, path, book=preload(path, Limits()), create_units=True, **options)


def _outcome(result) -> tuple:
    return (result.rows, result.counts(), [(c.row, c.action, c.code, c.fields, c.details) for c in result.changes],
            [p.describe() for p in result.problems], result.written)


def _kept(session) -> int:
    return session.scalar(select(func.count()).select_from(LedgerFingerprint))


@pytest.fixture
def planned(monkeypatch) -> list[int]:
    """The Excel rows the import types and plans the long way."""
    rows: list[int] = []
    plan_row = plan.Planner.plan_row

    def spy(self, row, *args, **kwargs):
        rows.append(row.row)
        return plan_row(self, row, *args, **kwargs)

    monkeypatch.setattr(plan.Planner, "plan_row", spy)
    return rows


@pytest.fixture
def exported(office, ctx, tmp_path):
    """The office's registry exported, imported once again (each row found unchanged: its fingerprint kept)."""
    path = tmp_path / "e.xlsx"
    exporter.export_ledger(office, ctx, path, registry.ProjectFilter())
    assert _kept(office) == 0  # (the first import added every row: nothing kept)
    first = _import(office, ctx, path)
    assert first.counts() == {"added": 0, "changed": 0, "unchanged": 5, "refused": 0}
    assert _kept(office) == 5
    return path


def test_rows_as_they_were_are_not_read_again_and_the_answer_is_the_same(office, ctx, exported, planned):
    seen = _import(office, ctx, exported, dry_run=True)
    assert planned == []
    office.execute(text("DELETE FROM ledger_fingerprint"))  # a cache: without it the same answer, the long way
    long_way = _import(office, ctx, exported, dry_run=True)
    assert len(planned) == 5
    assert _outcome(seen) == _outcome(long_way)
    planned.clear()
    assert _outcome(_import(office, ctx, exported)) == _outcome(_import(office, ctx, exported))  # kept, then seen
    assert len(planned) == 5 and _kept(office) == 5


def test_a_project_changed_by_a_command_is_read_again(office, ctx, exported, planned):
    investment.set_month(office, ctx, registry.get_project(office, "GX-0004"), "2025-10", Decimal("4000"))
    result = _import(office, ctx, exported)
    assert len(planned) == 1
    assert [(c.code, c.fields) for c in result.changes if c.action != "unchanged"] == [("GX-0004", ["completed_ytd"])]
    done = office.execute(text("SELECT amount FROM investment_report r JOIN project p ON p.id = r.project_id "
                               "WHERE p.code = 'GX-0004' AND r.month = '2025-10'")).scalar_one()
    assert Decimal(done) == Decimal("5000")


def test_a_changed_cell_is_read_again(office, ctx, exported, planned, tmp_path):
    wb = load_workbook(exported)
    ws = wb.active
    header = {ws.cell(r, c).value: c for r in range(1, 6) for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, header["项目编号"]).value == "GX-0004")
    ws.cell(row, header["总投资"]).value = 12345
    wb.save(tmp_path / "changed.xlsx")
    result = _import(office, ctx, tmp_path / "changed.xlsx")
    assert planned == [row]
    assert [(c.row, c.code, c.fields) for c in result.changes if c.action != "unchanged"] == [
        (row, "GX-0004", ["total_investment"])]


@pytest.mark.parametrize("options", [{"from_unit": "经济发展局"}, {"month": "2025-10"}, {"config": {"ledger": {"usd_rate": 7.1}}}])
def test_other_options_read_every_row_again(office, ctx, exported, planned, options):
    _import(office, ctx, exported, dry_run=True, **options)
    assert len(planned) == 5


def test_a_row_twice_is_still_an_error_naming_both(office, ctx, exported, tmp_path):
    wb = load_workbook(exported)
    ws = wb.active
    header = {ws.cell(r, c).value: c for r in range(1, 6) for c in range(1, ws.max_column + 1)}
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, header["项目编号"]).value == "GX-0002")
    last = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(last, c).value = ws.cell(first, c).value
    wb.save(tmp_path / "twice.xlsx")
    with pytest.raises(LedgerRejected) as seen:
        _import(office, ctx, tmp_path / "twice.xlsx", dry_run=True)
    office.execute(text("DELETE FROM ledger_fingerprint"))
    with pytest.raises(LedgerRejected) as long_way:
        _import(office, ctx, tmp_path / "twice.xlsx", dry_run=True)
    assert [p.describe() for p in seen.value.result.errors] == [p.describe() for p in long_way.value.result.errors]
    assert [(p.row, p.message.split("：")[0]) for p in seen.value.result.errors] == [
        (last, f"与第 {first} 行是同一个项目（GX-0002）")]


def test_a_project_with_a_fingerprint_can_be_deleted(office, ctx, exported):
    from projects_cli.services import archive

    project = registry.get_project(office, "GX-0005")
    assert archive.referring(office, project) == {}  # (a cache: it goes with the project)
    archive.delete_project(office, ctx, project)
    assert _kept(office) == 4
