"""派工单 with the unit's 招商线索 sheet (`ledger dispatch --leads`): the leads sent locked, the follow-ups and
stage moves the unit fills in read back through `ledger import`, every cell read right or said what is wrong.

The registry is tests/helpers/dispatch_scenario.py's, with leads added on 2025-10-01:

| code | unit | what the tests do with it |
|---|---|---|
| XS-0001 新能源电池项目 | 经济发展局 | 接洽; the unit records a visit on 10-18 (next 11-15) and moves it to 在谈 |
| XS-0002 石墨材料项目 | 经济发展局 | 线索, followed on 10-05; the unit shelves it (搁置) with a reason |
| XS-0003 芯片封测项目 | 经济发展局 | 终止 on 10-10: not listed |
| XS-0004 物流园项目 | 黄屯街道 | another unit's: not on 经济发展局's sheet |
| XS-0005 数据中心项目 | 投资促进局 | a unit with leads and no projects: `--all --leads` sends it a workbook |
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from counts import count
from dispatch_scenario import SENT, build
from openpyxl import load_workbook

AS_OF = "2025-10-28"
HEADER = ["序号", "线索编号", "项目名称", "客商", "阶段", "上次跟进", "应跟进日期", "跟进状态", "本次跟进日期", "跟进情况",
          "下次跟进日期", "阶段变更为", "变更原因"]


def add_leads(cli) -> None:
    def ok(as_of, *args):
        r = cli(*args, as_of=as_of)
        assert r.exit_code == 0, (args, r.stderr)

    for name, unit in (("新能源电池项目", "经济发展局"), ("石墨材料项目", "经济发展局"), ("芯片封测项目", "经济发展局"),
                       ("物流园项目", "黄屯街道"), ("数据中心项目", "投资促进局")):
        ok("2025-10-01", "lead", "add", "--name", name, "--company", f"{name[:2]}公司", "--unit", unit,
           "--create-units", "--amount", "1亿元")
    ok("2025-10-02", "lead", "move", "XS-0001", "接洽")
    ok("2025-10-05", "lead", "follow", "XS-0002", "--text", "电话联系")
    ok("2025-10-10", "lead", "move", "XS-0003", "终止", "--reason", "企业另选址")


@pytest.fixture
def with_leads(cli, tmp_path):
    build(cli.url)
    add_leads(cli)
    path = tmp_path / "经济发展局.xlsx"
    r = cli("ledger", "dispatch", "--unit", "经济发展局", "-o", str(path), "--leads", "--format", "json", as_of=SENT)
    assert r.exit_code == 0, r.stderr
    assert [(s["unit"], s["projects"], s["leads"]) for s in json.loads(r.stdout)["sent"]] == [("经济发展局", 4, 2)]
    return path


def fill(path, dest, **cells):
    wb = load_workbook(path)
    ws = wb["招商线索"]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(dest)
    return dest


def show(cli, code):
    return json.loads(cli("lead", "show", code, "--format", "json", as_of=AS_OF).stdout)


def test_the_leads_sheet_lists_the_units_leads_locked_with_open_columns(with_leads):
    wb = load_workbook(with_leads)
    assert wb.sheetnames == ["派工单", "节点及问题", "招商线索", "projects_dispatch"]
    ws = wb["招商线索"]
    assert ws["A1"].value == "经济发展局招商线索跟进情况（截至2025年10月20日）"
    assert ws["A2"].value == "责任单位：经济发展局　　发出日期：2025-10-20　　报送截止：2025-10-31　　线索数：2条"
    assert [c.value for c in ws[4]] == HEADER
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=5)] == [
        [1, "XS-0001", "新能源电池项目", "新能公司", "接洽", None, datetime(2025, 10, 31), "11天后到期"] + [None] * 5,
        [2, "XS-0002", "石墨材料项目", "石墨公司", "线索", datetime(2025, 10, 5), datetime(2025, 11, 4), "15天后到期"]
        + [None] * 5,
    ]
    assert ws.protection.sheet
    assert [ws.cell(5, c).protection.locked for c in range(1, 14)] == [True] * 8 + [False] * 5
    validations = {str(dv.sqref): (dv.type, dv.formula1) for dv in ws.data_validations.dataValidation}
    assert validations == {"I5:I6": ("date", "32874"), "K5:K6": ("date", "32874"),
                           "L5:L6": ("list", '"线索,接洽,在谈,落地,搁置,终止"')}
    hidden = [c.value for c in wb["projects_dispatch"]["A"] if c.value and str(c.value).startswith("招商线索!")]
    assert [h.rsplit("|", 1)[0] for h in hidden] == ["招商线索!5|XS-0001|", "招商线索!6|XS-0002|"]


def test_follow_ups_and_stage_moves_are_read_back_and_a_reimport_writes_nothing(cli, with_leads, tmp_path):
    back = fill(with_leads, tmp_path / "back.xlsx", I5=date(2025, 10, 18), J5="赴总部洽谈，确认选址意向",
                K5=date(2025, 11, 15), L5="在谈", L6="搁置", M6="企业调整投资计划")
    r = cli("ledger", "import", str(back), "--format", "json", as_of=AS_OF)
    assert r.exit_code == 0, r.stderr
    changes = [(c["sheet"], c["row"], c["code"], c["header"], c["after"]) for c in json.loads(r.stdout)["changes"]
               if c["sheet"] == "招商线索"]
    assert changes == [
        ("招商线索", 5, "XS-0001", "本次跟进日期", "2025-10-18"), ("招商线索", 5, "XS-0001", "跟进情况", "赴总部洽谈，确认选址意向"),
        ("招商线索", 5, "XS-0001", "下次跟进日期", "2025-11-15"), ("招商线索", 5, "XS-0001", "阶段变更为", "在谈"),
        ("招商线索", 6, "XS-0002", "阶段变更为", "搁置"), ("招商线索", 6, "XS-0002", "变更原因", "企业调整投资计划"),
    ]
    one, two = show(cli, "XS-0001"), show(cli, "XS-0002")
    assert (one["stage"], one["stage_on"], one["follow_due"]) == ("在谈", "2025-10-18", "2025-11-15")
    assert [(f["on"], f["text"], f["next_on"]) for f in one["follows"]] == [("2025-10-18", "赴总部洽谈，确认选址意向",
                                                                              "2025-11-15")]
    assert (two["stage"], two["stage_on"], two["reason"]) == ("搁置", AS_OF, "企业调整投资计划")
    logged = count(cli.url, "change_log")
    r = cli("ledger", "import", str(back), as_of=AS_OF)
    assert r.exit_code == 0, r.stderr
    assert count(cli.url, "change_log") == logged and count(cli.url, "lead_follow") == 2


@pytest.mark.parametrize("cells, message", [
    ({"I5": "上周"}, "错误：招商线索 第 5 行，I 列 本次跟进日期：XS-0001 新能源电池项目：'上周' 不是日期；应写成 2024-03-15、2024/3/15、"
                    "2024年3月15日、2024年3月 或 2024年；本行未导入\n"),
    ({"J5": "拜访"}, "错误：招商线索 第 5 行，I 列 本次跟进日期：XS-0001 新能源电池项目：跟进情况或下次跟进日期需随本次跟进日期填写；"
                    "本行未导入\n"),
    ({"I5": date(2025, 10, 18)}, "错误：招商线索 第 5 行，J 列 跟进情况：XS-0001 新能源电池项目：填写了本次跟进日期，请填写跟进情况；本行未导入\n"),
    ({"I5": date(2025, 10, 18), "J5": "拜访", "K5": date(2025, 10, 1)},
     "错误：招商线索 第 5 行，K 列 下次跟进日期：XS-0001 新能源电池项目：下次跟进日期 2025-10-01 应晚于本次跟进日期 "
     "2025-10-18；本行未导入\n"),
    ({"I5": date(2025, 11, 2), "J5": "拜访"}, "2025-11-02 晚于截至日期 2025-10-28：实际日期不能是将来的日期"),
    ({"L5": "签约"}, "'签约' 不是单位可填的线索阶段：线索、接洽、在谈、落地、搁置、终止"),
    ({"L5": "落地"}, "线索处于“接洽”，不能转到“落地”；可转到：线索、在谈、搁置、终止"),
    ({"L6": "终止"}, "错误：招商线索 第 6 行，M 列 变更原因：XS-0002 石墨材料项目：转为“终止”需要填写变更原因；本行未导入\n"),
    ({"M6": "企业调整"}, "填写了变更原因，请选择“阶段变更为”"),
    ({"E5": "在谈"}, "XS-0001 新能源电池项目：锁定的列被改动（篡改）：派发 接洽，报回 在谈"),
    ({"B7": "XS-0004", "C7": "物流园项目", "I7": date(2025, 10, 18), "J7": "拜访"},
     "XS-0004：这条线索不在发给经济发展局的清单中；派工单中新增的行不予导入"),
])
def test_a_cell_not_understood_is_said_and_its_row_not_applied(cli, with_leads, tmp_path, cells, message):
    back = fill(with_leads, tmp_path / "back.xlsx", **cells)
    follows, logged = count(cli.url, "lead_follow"), count(cli.url, "lead_stage")
    r = cli("ledger", "import", str(back), as_of=AS_OF)
    assert r.exit_code == 4, r.stderr
    assert message in r.stderr, r.stderr
    assert (count(cli.url, "lead_follow"), count(cli.url, "lead_stage")) == (follows, logged)


def test_a_leads_sheet_with_its_columns_moved_is_refused_whole(cli, with_leads, tmp_path):
    wb = load_workbook(with_leads)
    wb["派工单"]["K5"] = 800  # a clean project row: not written either
    wb["招商线索"]["J4"] = "情况"
    wb["招商线索"]["I5"], wb["招商线索"]["J5"] = date(2025, 10, 18), "拜访"
    wb.save(tmp_path / "moved.xlsx")
    logged = count(cli.url, "change_log")
    r = cli("ledger", "import", str(tmp_path / "moved.xlsx"), as_of=AS_OF)
    assert (r.exit_code, r.stderr) == (1, "错误：moved.xlsx 工作表 招商线索：列与派发时不同（第 4 行 J 列应为 '跟进情况'，"
                                          "现为 '情况'）；不能增加、删除或移动列，请在原发的工作簿上填写\n")
    assert count(cli.url, "change_log") == logged


def test_a_lead_moved_on_by_the_office_since_is_a_conflict(cli, with_leads, tmp_path):
    assert cli("lead", "move", "XS-0001", "在谈", as_of="2025-10-22").exit_code == 0
    back = fill(with_leads, tmp_path / "back.xlsx", L5="搁置", M5="暂缓")
    r = cli("ledger", "import", str(back), as_of=AS_OF)
    assert r.exit_code == 4
    assert ("XS-0001 新能源电池项目：派发后登记已变更：派发 接洽，报回 接洽，登记 在谈；"
            "单位的修改（阶段变更为、变更原因）未导入\n") in r.stderr
    assert show(cli, "XS-0001")["stage"] == "在谈"


def test_every_unit_with_leads_is_sent_one_even_without_projects(cli, tmp_path):
    build(cli.url)
    add_leads(cli)
    r = cli("ledger", "dispatch", "--all", "--output-dir", str(tmp_path / "out"), "--leads", "--format", "json",
            as_of=SENT)
    assert r.exit_code == 0, r.stderr
    assert [(s["unit"], s["projects"], s["leads"]) for s in json.loads(r.stdout)["sent"]] == [
        ("投资促进局", 0, 1), ("经济发展局", 4, 2), ("黄屯街道", 1, 1)]
    r = cli("ledger", "dispatch", "--all", "--output-dir", str(tmp_path / "plain"), "--format", "json", as_of=SENT,)
    assert r.exit_code == 1  # already dispatched for the period
    wb = load_workbook(tmp_path / "out" / "2025-10_投资促进局_派工单.xlsx")
    assert [c.value for c in wb["招商线索"]["B"][4:]] == ["XS-0005"]
    back = fill(tmp_path / "out" / "2025-10_投资促进局_派工单.xlsx", tmp_path / "back.xlsx", I5=date(2025, 10, 25),
                J5="实地考察")
    r = cli("ledger", "import", str(back), as_of=AS_OF)
    assert r.exit_code == 0, r.stderr
    assert [f["text"] for f in show(cli, "XS-0005")["follows"]] == ["实地考察"]
