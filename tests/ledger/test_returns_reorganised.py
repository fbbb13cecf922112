"""A 派工单 sent to a unit before it was renamed or merged (机构改革) still comes back: the workbook names the unit
as it was called when it was sent; the registry finds the unit that holds that name now."""

from __future__ import annotations

import pytest
from dispatch_scenario import dispatch_row, fill

LANDED = "2025-10-27 报回（按时报送）：写入 5 行（7 个值），未变 1 行，未导入 0 行"


@pytest.mark.parametrize(("change", "now"), [
    (("unit", "rename", "经济发展局", "经济发展和科技创新局", "--on", "2025-10-22"), "经济发展和科技创新局"),
    (("unit", "merge", "经济发展局", "黄屯街道", "--on", "2025-10-22", "--yes"), "黄屯街道"),
])
def test_a_return_sent_before_a_rename_or_merge_lands(cli, sent, tmp_path, change, now):
    r = cli(*change, as_of="2025-10-22")
    assert r.exit_code == 0, r.stderr
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False)
    r = cli("ledger", "import", str(back), as_of="2025-10-27")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines()[-1].endswith(LANDED)
    assert str(dispatch_row(cli.url, now).returned_on) == "2025-10-27"


def test_a_return_naming_another_unit_is_still_refused_after_a_rename(cli, sent, tmp_path):
    r = cli("unit", "rename", "经济发展局", "经济发展和科技创新局", as_of="2025-10-22")
    assert r.exit_code == 0, r.stderr
    from openpyxl import load_workbook

    wb = load_workbook(sent)
    wb["projects_dispatch"]["B3"] = "黄屯街道"
    wb.save(tmp_path / "other.xlsx")
    r = cli("ledger", "import", str(tmp_path / "other.xlsx"), as_of="2025-10-27")
    assert r.exit_code == 1
    assert "派工单的隐藏记录与派发记录不符" in r.stderr
    assert dispatch_row(cli.url, "经济发展和科技创新局").returned_on is None
