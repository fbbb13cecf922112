"""A returned 派工单 refused whole, and rows of it refused or invalid: every such branch of `ledger.returns`.

Each return is the workbook as dispatched (tests/helpers/dispatch_scenario.py),
changed with openpyxl the way a unit or a careless copy would change it, and
imported through `projects ledger import`.
"""

from __future__ import annotations

import zipfile
from datetime import date

from counts import count
from dispatch_scenario import D, dispatch_row, dump, fill
from openpyxl import load_workbook

AS_OF = "2025-10-28"
HIDDEN = "projects_dispatch"
NOT_APPLIED = "本行未导入"


def errors(r) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.startswith(("错误", "提醒"))]


def summary(r) -> str:
    """The line that counts the rows (the last before the exit-code note, or the last)."""
    lines = r.stderr.splitlines()
    return lines[-2] if lines[-1].endswith("（退出码 4）") else lines[-1]


def altered(sent, dest, **cells):
    """The workbook as sent with cells changed, `HIDDEN_A12` naming a cell of the hidden sheet."""
    wb = load_workbook(sent)
    for ref, value in cells.items():
        sheet, cell = ref.rsplit("_", 1)
        name = {"main": "派工单", "due": "节点及问题", "HIDDEN": HIDDEN}[sheet]
        wb[name][cell] = value
    wb.save(dest)
    return dest


# ---------------------------------------------------------------- refused whole: nothing is written


def refused_whole(cli, path, message: str) -> None:
    before, logged = dump(cli.url), count(cli.url, "change_log")
    r = cli("ledger", "import", "--create-units", str(path), as_of=AS_OF)
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", f"错误：{message}\n")
    assert dump(cli.url) == before and count(cli.url, "change_log") == logged
    assert dispatch_row(cli.url).returned_on is None


def test_a_rewritten_record_line_is_refused(cli, sent, tmp_path):
    path = altered(sent, tmp_path / "line.xlsx", HIDDEN_A12="GX-0001 甲项目")
    refused_whole(cli, path, "line.xlsx：派工单的隐藏记录被改动过，无法核对报回的内容；请给单位重新派发工作簿")


def test_an_incomplete_record_is_refused(cli, sent, tmp_path):
    path = altered(sent, tmp_path / "incomplete.xlsx", HIDDEN_B2=None, HIDDEN_B9=None)
    refused_whole(cli, path, "incomplete.xlsx：派工单的隐藏记录不完整（缺少 token, layout），无法核对报回的内容；"
                             "请给单位重新派发工作簿")


def test_a_workbook_of_another_layout_is_refused(cli, sent, tmp_path):
    path = altered(sent, tmp_path / "layout.xlsx", HIDDEN_B9=2)
    refused_whole(cli, path, "layout.xlsx 是另一个版本的 projects 派发的（格式 2，本版本读格式 1）；请给单位重新派发工作簿")


def test_a_record_naming_another_unit_or_period_is_refused(cli, sent, tmp_path):
    path = altered(sent, tmp_path / "unit.xlsx", HIDDEN_B3="黄屯街道")
    refused_whole(cli, path, "unit.xlsx：派工单的隐藏记录与派发记录不符（文件中是黄屯街道 2025-10，记录中是经济发展局 2025-10），"
                             "工作簿被改动过；请给单位重新派发工作簿")
    path = altered(sent, tmp_path / "period.xlsx", HIDDEN_B5="2025-09")
    refused_whole(cli, path, "period.xlsx：派工单的隐藏记录与派发记录不符（文件中是经济发展局 2025-09，记录中是经济发展局 "
                             "2025-10），工作簿被改动过；请给单位重新派发工作簿")
    path = altered(sent, tmp_path / "unit_id.xlsx", HIDDEN_B4=2)
    refused_whole(cli, path, "unit_id.xlsx：派工单的隐藏记录与派发记录不符（文件中是经济发展局 2025-10，记录中是经济发展局 "
                             "2025-10），工作簿被改动过；请给单位重新派发工作簿")


def test_a_workbook_missing_its_second_sheet_is_refused(cli, sent, tmp_path):
    wb = load_workbook(sent)
    del wb["节点及问题"]
    wb.save(tmp_path / "one_sheet.xlsx")
    refused_whole(cli, tmp_path / "one_sheet.xlsx",
                  "one_sheet.xlsx：派工单缺少工作表 '节点及问题'（现有的工作表：派工单）；请在原发的工作簿上填写")


def test_a_second_sheet_with_its_columns_moved_is_refused(cli, sent, tmp_path):
    wb = load_workbook(sent)
    wb["节点及问题"].delete_cols(3)
    wb.save(tmp_path / "due_cols.xlsx")
    refused_whole(cli, tmp_path / "due_cols.xlsx",
                  "due_cols.xlsx 工作表 节点及问题：列与派发时不同（第 4 行 C 列应为 '项目名称'，现为 '节点'）；"
                  "不能增加、删除或移动列，请在原发的工作簿上填写")


def test_a_return_longer_than_the_row_limit_is_refused(cli, sent, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[limits]\nledger_rows = 12\n", encoding="utf-8")
    before = dump(cli.url)
    r = cli("--config", str(config), "ledger", "import", "--create-units", str(sent), as_of=AS_OF)
    assert (r.exit_code, r.stderr) == (
        1, f"错误：{sent} 工作表 {HIDDEN} 用到第 17 行（单元格 B17），超过允许的 12 行（[limits] ledger_rows）；"
           "请删去表格以外的内容后另存\n")
    assert dump(cli.url) == before


def test_a_workbook_that_cannot_be_read_is_refused(cli, sent, tmp_path):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as zf:  # a workbook part naming the hidden sheet, and no sheet to read
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("xl/workbook.xml", f'<workbook><sheets><sheet name="{HIDDEN}" sheetId="1"/></sheets></workbook>')
    before = dump(cli.url)
    r = cli("ledger", "import", "--create-units", str(path), as_of=AS_OF)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{path} 不能作为工作簿读取（")
    assert r.stderr.endswith("）；请单位重新发送\n")
    assert dump(cli.url) == before


# ---------------------------------------------------------------- rows refused or invalid: the clean rows still land


def test_cells_the_unit_filled_that_cannot_be_read(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False,
                main_K5="八百", main_L6=date(1985, 5, 1), main_N8=None)
    r = cli("ledger", "import", "--create-units", str(back), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "错误：派工单 第 5 行，K 列 2025年10月完成投资（万元）：GX-0001 甲项目：'八百' 不是金额；应为数字，"
        f"例如 85000、8.5亿元 或 8000万元；{NOT_APPLIED}",
        f"错误：派工单 第 6 行，L 列 实际开工时间：GX-0002 乙项目：1985-05-01 不像是日期；{NOT_APPLIED}",
    ]
    # GX-0003's stage and GX-0002's 土地 (节点 sheet) land; GX-0004 and the 开工 milestone are as sent
    assert summary(r).endswith("：写入 2 行（2 个值），未变 2 行，未导入 2 行（填写有误 2）")


def test_a_pending_date_is_no_date(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False, main_L5="待定", main_M6="待定")
    r = cli("ledger", "import", "--create-units", str(back), as_of=AS_OF)
    assert r.exit_code == 0, r.stderr
    assert errors(r) == [
        "提醒：派工单 第 5 行，L 列 实际开工时间：GX-0001 甲项目：实际开工时间 被清空（派发时为 2025-03-20）；"
        "报回的派工单不会抹去登记中已有的内容（2025-03-20），如需更正请联系督查室",
    ]


def test_rows_added_to_the_workbook_are_refused(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False,
                main_B9="GX-0005", main_C9="戊项目", main_K9=100,  # the unit's own, but not sent (储备)
                main_B10="GX-0099", main_K10=200,  # not in the registry
                main_C11="新增项目", main_K11=300,  # no code at all
                main_B12="GX-0001", main_C12="甲项目", main_K12=400)  # a second row for a project sent
    r = cli("ledger", "import", "--create-units", str(back), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "错误：派工单 第 9 行，B 列 项目编号：GX-0005 戊项目：不在 2025-10-20 发给经济发展局的工作簿中；派工单中新增的行不予导入",
        "错误：派工单 第 10 行，B 列 项目编号：'GX-0099' 不是登记中的项目；新项目由督查室登记，不能通过派工单新增",
        "错误：派工单 第 11 行，B 列 项目编号：新增了一行没有项目编号的行；派工单中新增的行不予导入",
        "错误：派工单 第 12 行，B 列 项目编号：GX-0001 甲项目：出现了不止一次；只读第一行，本行不予导入",
    ]
    assert summary(r).endswith("：写入 5 行（7 个值），未变 1 行，未导入 4 行（不予导入 4）")


def test_a_code_cell_changed_is_judged_as_the_row_sent_there(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False, main_B7="GX-0099")
    r = cli("ledger", "import", "--create-units", str(back), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "错误：派工单 第 7 行，B 列 项目编号：GX-0003 丙项目：锁定的列被改动（篡改）：派发 GX-0003，"
        f"报回 GX-0099，登记 GX-0003；{NOT_APPLIED}",
    ]


def test_a_row_deleted_from_the_return_is_a_warning(cli, sent, tmp_path):
    wb = load_workbook(fill(sent, tmp_path / "filled.xlsx", tamper=False, stranger=False))
    wb["派工单"].delete_rows(8)  # GX-0004, the last row
    wb["节点及问题"].delete_rows(5)  # the 土地 milestone
    wb.save(tmp_path / "back.xlsx")
    r = cli("ledger", "import", "--create-units", str(tmp_path / "back.xlsx"), as_of=AS_OF)
    assert r.exit_code == 0, r.stderr
    assert errors(r) == [
        "提醒：派工单 第 8 行：GX-0004 丁项目：派发时的第 8 行在报回的工作簿中不见了；该行的内容都未导入",
        "提醒：节点及问题 第 5 行：GX-0002 土地：派发时第 5 行的节点在报回的工作簿中不见了；该行的内容都未导入",
    ]


def test_a_milestone_row_replaced_by_one_not_sent_is_refused(cli, sent, tmp_path):
    wb = load_workbook(sent)
    due = wb["节点及问题"]
    for col in range(1, 8):
        due.cell(5, col).value = due.cell(6, col).value  # 开工 moved up over 土地
    due["B6"], due["D6"], due["G6"] = "GX-0003", "主体完工", date(2025, 10, 12)
    wb.save(tmp_path / "back.xlsx")
    r = cli("ledger", "import", "--create-units", str(tmp_path / "back.xlsx"), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "提醒：节点及问题 第 5 行：GX-0002 土地：派发时第 5 行的节点在报回的工作簿中不见了；该行的内容都未导入",
        "错误：节点及问题 第 6 行，B 列 项目编号：GX-0003 主体完工：这个节点不在发给经济发展局的清单中；派工单中新增的行不予导入",
    ]


def test_a_project_moved_to_another_unit_since_dispatch_is_refused(cli, sent, tmp_path):
    assert cli("edit", "GX-0001", "--unit", "黄屯街道", as_of="2025-10-21").exit_code == 0
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False)
    before = dump(cli.url)
    r = cli("ledger", "import", "--create-units", str(back), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "错误：派工单 第 5 行：GX-0001 甲项目：现属于黄屯街道，不属于经济发展局；其他单位的行不予导入",
    ]
    assert [row for row in dump(cli.url)["investment_report"] - before["investment_report"]] == []


def test_a_month_that_has_not_begun_is_refused(cli, tmp_path):
    from dispatch_scenario import build

    build(cli.url)
    path = tmp_path / "11月.xlsx"
    r = cli("ledger", "dispatch", "--unit", "经济发展局", "--period", "2025-11", "-o", str(path), as_of="2025-10-20")
    assert r.exit_code == 0, r.stderr
    wb = load_workbook(path)
    wb["派工单"]["K5"] = 900
    wb.save(tmp_path / "back.xlsx")
    r = cli("ledger", "import", "--create-units", str(tmp_path / "back.xlsx"), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "错误：派工单 第 5 行，K 列 2025年11月完成投资（万元）：GX-0001 甲项目：截至日期 2025-10-28 时 2025-11 还没开始；"
        f"{NOT_APPLIED}",
    ]
    assert dispatch_row(cli.url).returned_on == D("2025-10-28")  # it came back, though nothing could be applied
    r = cli("ledger", "import", "--create-units", str(tmp_path / "back.xlsx"), as_of="2025-11-03")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[2].split() == ["派工单", "5", "GX-0001", "甲项目", "2025年11月完成投资（万元）", "900"]


def test_a_milestone_kind_the_config_no_longer_has_is_refused(cli, sent, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[milestones]\nkinds = ["立项", "开工", "竣工"]\n', encoding="utf-8")
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False)
    r = cli("--config", str(config), "ledger", "import", "--create-units", str(back), as_of=AS_OF)
    assert r.exit_code == 4
    assert errors(r) == [
        "错误：节点及问题 第 5 行：GX-0002 乙项目：土地 不是配置文件中的节点类型（立项、开工、竣工）；"
        f"{NOT_APPLIED}",
    ]
