"""`--from-unit U` (issue 17): a unit's ledger may not hand its own projects to another unit, known or new."""

from __future__ import annotations

import ledger_samples as samples
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from projects_cli.ledger.importer import LedgerRejected, import_ledger
from projects_cli.store.models import ChangeLog


@pytest.mark.parametrize("to", ["科技创新局", "新成立的局"])
def test_a_unit_cannot_move_its_own_project_to_another_unit(session, ctx, tmp_path, to):
    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    wb = load_workbook(tmp_path / "o.xlsx")
    ws = wb["2025年台账"]
    assert ws["L8"].value == "经济发展局"  # merged over rows 8-9: GX-0001 and GX-0002, the unit's own projects
    ws["L8"] = to
    wb.save(tmp_path / "u.xlsx")
    before = session.scalar(select(func.count()).select_from(ChangeLog))
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "u.xlsx", from_unit="经济发展局", create_units=True)
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (8, "L", f"GX-0001 属于经济发展局：经济发展局报来的台账不能把它改给{to}（拒绝）"),
        (9, "L", f"GX-0002 属于经济发展局：经济发展局报来的台账不能把它改给{to}（拒绝）")]
    assert session.scalar(select(func.count()).select_from(ChangeLog)) == before
    # the office itself (no --from-unit) may move it
    assert import_ledger(session, ctx, tmp_path / "u.xlsx", create_units=True).changed == 2
