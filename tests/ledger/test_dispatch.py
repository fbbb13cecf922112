"""派工单: dispatch a unit its own workbook, fill it in as the unit would, import the return.

The registry and the unit's return are the scenario of tests/helpers/dispatch_scenario.py.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from counts import count
from dispatch_scenario import SENT, D, build, dispatch_row, dump, fill, moved
from openpyxl import load_workbook

MAIN_HEADER = ["序号", "项目编号", "项目名称", "建设单位", "项目状态", "总投资（万元）", "2025年计划投资（万元）",
               "2025年1-9月累计完成投资（万元）", "计划开工时间", "计划竣工时间", "2025年10月完成投资（万元）",
               "实际开工时间", "实际竣工时间", "形象进度", "存在问题"]


# ---------------------------------------------------------------- the workbook sent


def test_dispatch_writes_only_the_units_active_projects_locked_validated_with_the_hidden_record(cli, sent):
    wb = load_workbook(sent)
    assert wb.sheetnames == ["派工单", "节点及问题", "projects_dispatch"]
    assert [ws.sheet_state for ws in wb] == ["visible", "visible", "veryHidden"]
    assert wb.security.lockStructure
    ws = wb["派工单"]
    assert ws["A1"].value == "经济发展局2025年10月重点项目推进情况派工单"
    assert ws["A2"].value.startswith("责任单位：经济发展局　　填报周期：2025年10月　　发出日期：2025-10-20　　报送截止：2025-10-31")
    assert ws["A3"].value.startswith("填表说明：1. 本表为经济发展局2025年10月重点项目推进情况派工单，请于2025年10月31日前")
    assert [c.value for c in ws[4]] == MAIN_HEADER
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert [(r[1], r[2], r[4]) for r in rows] == [
        ("GX-0001", "甲项目", "在建"), ("GX-0002", "乙项目", "前期"), ("GX-0003", "丙项目", "在建"), ("GX-0004", "丁项目", "在建"),
    ]
    assert rows[0] == [1, "GX-0001", "甲项目", "甲公司", "在建", 50000, 12000, 3500, datetime(2025, 3, 31),
                       datetime(2026, 6, 30), None, datetime(2025, 3, 20), None, "基础施工", None]
    # protection: the sheet is protected, the office's columns locked, the unit's open
    assert ws.protection.sheet and wb["节点及问题"].protection.sheet and wb["projects_dispatch"].protection.sheet
    assert [ws.cell(5, c).protection.locked for c in range(1, 16)] == [True] * 10 + [False] * 5
    validations = {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.errorStyle)
                   for dv in ws.data_validations.dataValidation}
    assert validations == {
        "K5:K8": ("decimal", "greaterThanOrEqual", "0", "stop"),
        "L5:L8": ("date", "between", "32874", "stop"),
        "M5:M8": ("date", "between", "32874", "stop"),
        "N5:N8": ("list", None, '"前期手续,基础施工,主体施工,设备安装,竣工验收,投产"', "stop"),
    }
    # the second sheet: milestones overdue or due by 2025-10-31, and the open problem with its deadline
    due = wb["节点及问题"]
    assert [[c.value for c in row] for row in due.iter_rows(min_row=3)] == [
        ["一、逾期及本期到期节点（2个）", None, None, None, None, None, None, None],
        ["序号", "项目编号", "项目名称", "节点", "计划完成日期", "状态", "实际完成日期", None],
        [1, "GX-0002", "乙项目", "土地", datetime(2025, 8, 31), "逾期50天", None, None],
        [2, "GX-0002", "乙项目", "开工", datetime(2025, 10, 15), "逾期5天", None, None],
        [None] * 8,
        ["二、未办结问题（1个）", None, None, None, None, None, None, None],
        ["序号", "问题编号", "项目编号", "项目名称", "问题", "督办级别", "办理时限", "状态"],
        [1, "2025-001", "GX-0002", "乙项目", "土地指标未下达", "一般督办", datetime(2025, 10, 24), "4天后到期"],
    ]
    assert due["G5"].protection.locked is False and due["E5"].protection.locked is True
    assert [str(dv.sqref) for dv in due.data_validations.dataValidation] == ["G5:G6"]
    # the hidden record: unit, period, token and a fingerprint of every row, the same as the database's
    record = dispatch_row(cli.url)
    hidden = [[c.value for c in row] for row in wb["projects_dispatch"].iter_rows()]
    assert hidden[1:9] == [["token", record.token], ["unit", "经济发展局"], ["unit_id", record.unit_id],
                           ["period", "2025-10"], ["month", "2025-10"], ["sent_on", "2025-10-20"],
                           ["due_on", "2025-10-31"], ["layout", 1]]
    assert hidden[10:] == [["row|code|kind|fingerprint", None]] + [
        [f"派工单!{e['row']}|{e['code']}||{e['fp']}", None] for e in record.fingerprints["rows"]] + [
        [f"节点及问题!{e['row']}|{e['code']}|{e['kind']}|{e['fp']}", None] for e in record.fingerprints["milestones"]]
    assert hidden[11][0] == f"派工单!5|GX-0001||{record.fingerprints['rows'][0]['fp']}"
    assert [e["code"] for e in record.fingerprints["rows"]] == ["GX-0001", "GX-0002", "GX-0003", "GX-0004"]
    assert (record.period, record.sent_on, record.due_on, record.returned_on, record.by) == (
        "2025-10", D("2025-10-20"), D("2025-10-31"), None, "tester")


def test_dispatch_all_writes_one_workbook_per_unit_and_lists_them(cli, tmp_path):
    build(cli.url)
    r = cli("ledger", "dispatch", "--all", "--output-dir", str(tmp_path / "out"), "--due", "2025-10-28",
            "--format", "json", as_of=SENT)
    assert r.exit_code == 0, r.stderr
    sent = json.loads(r.stdout)["sent"]
    assert [(s["unit"], s["projects"], s["milestones"], s["issues"], s["due_on"]) for s in sent] == [
        ("经济发展局", 4, 2, 1, "2025-10-28"), ("黄屯街道", 1, 1, 0, "2025-10-28"),
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2025-10_经济发展局_派工单.xlsx", "2025-10_黄屯街道_派工单.xlsx"]
    assert r.stderr.splitlines()[-1] == "已派发 2025-10 的派工单 2 份，共 5 个项目，报送期限 2025-10-28"
    ws = load_workbook(tmp_path / "out" / "2025-10_黄屯街道_派工单.xlsx")["派工单"]
    assert [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)] == ["GX-0006"]
    r = cli("ledger", "returns", as_of="2025-10-29")
    assert [line.split() for line in r.stdout.splitlines()[2:]] == [
        ["经济发展局", "2025-10", "2025-10-20", "2025-10-28", "未报送（已逾期）", "1", "4"],
        ["黄屯街道", "2025-10", "2025-10-20", "2025-10-28", "未报送（已逾期）", "1", "1"],
    ]
    assert r.stderr.strip() == "已派发 2 份，按时报送 0 份；逾期或未报：经济发展局、黄屯街道"


# ---------------------------------------------------------------- the return


def test_return_applies_exactly_the_units_legitimate_changes_and_reports_the_rest(cli, sent, tmp_path):
    r = cli("edit", "GX-0004", "--notes", "不在派工单上的字段", as_of="2025-10-21")  # not on the sheet: no conflict
    assert r.exit_code == 0
    r = cli("milestone", "replan", "GX-0004", "竣工", "--planned", "2026-03-31", "--reason", "设备延期", as_of="2025-10-22")
    assert r.exit_code == 0
    back = fill(sent, tmp_path / "back.xlsx")
    before = dump(cli.url)
    logged = count(cli.url, "change_log")
    token = dispatch_row(cli.url).token

    r = cli("ledger", "import", "--create-units", str(back), "--dry-run", as_of="2025-10-28")
    assert r.exit_code == 4
    assert dump(cli.url) == before and count(cli.url, "change_log") == logged
    assert r.stdout.splitlines() == [
        "工作表      行  项目编号  项目名称  栏目                        原值      新值",
        "----------  --  --------  --------  --------------------------  --------  -----------------------",
        "派工单       5  GX-0001   甲项目    2025年10月完成投资（万元）            800",
        "派工单       5  GX-0001   甲项目    形象进度                    基础施工  主体施工",
        "派工单       5  GX-0001   甲项目    存在问题                              设备进场滞后 资金拨付慢",
        "派工单       6  GX-0002   乙项目    实际开工时间                          2025-10-18",
        "节点及问题   5  GX-0002   乙项目    土地 实际完成日期                     2025-10-10",
    ]
    expected_problems = [
        "错误：派工单 第 7 行，F 列 总投资（万元）：GX-0003 丙项目：锁定的列被改动（篡改）：派发 30000，报回 35000，"
        "登记 30000；本行未导入",
        "错误：派工单 第 8 行，J 列 计划竣工时间：GX-0004 丁项目：派发后登记已变更：派发 2025-12-31，报回 2025-12-31，"
        "登记 2026-03-31；单位的修改（形象进度）未导入",
        "错误：派工单 第 9 行，B 列 项目编号：GX-0006 己项目：属于黄屯街道，不属于经济发展局；其他单位的行不予导入",
    ]
    assert r.stderr.splitlines() == expected_problems + [
        "预检，未写入：back.xlsx：经济发展局 2025-10 的派工单（2025-10-20 发出，报送期限 2025-10-31），"
        "2025-10-28 报回（按时报送）：将写入 3 行（5 个值），未变 1 行，未导入 3 行（篡改 1，登记已变更 1，不予导入 1）",
        "3 行未导入：见上面各行（退出码 4）",
    ]

    r = cli("ledger", "import", "--create-units", str(back), "--format", "json", as_of="2025-10-28")
    assert r.exit_code == 4
    assert r.stderr.splitlines()[:3] == expected_problems
    result = json.loads(r.stdout)
    assert [(c["sheet"], c["row"], c["code"], c["field"], c["before"], c["after"]) for c in result["changes"]] == [
        ("派工单", 5, "GX-0001", "month_amount", None, "800"),
        ("派工单", 5, "GX-0001", "site_progress", "基础施工", "主体施工"),
        ("派工单", 5, "GX-0001", "problems", None, "设备进场滞后\n资金拨付慢"),
        ("派工单", 6, "GX-0002", "actual_start", None, "2025-10-18"),
        ("节点及问题", 5, "GX-0002", "actual", None, "2025-10-10"),
    ]
    assert (result["applied"], result["unchanged"], result["tampered"], result["conflict"], result["refused"],
            result["invalid"], result["returned_on"], result["on_time"]) == (3, 1, 1, 1, 1, 0, "2025-10-28", True)
    # exactly the legitimate changes landed; nothing else moved
    changed = moved(before, dump(cli.url))
    assert sorted(changed) == ["investment_report", "milestone", "progress_report", "project"]
    assert [(r["project_id"], r["month"], r["amount"], r["source"]) for r in changed["investment_report"]] == [
        ("1", "2025-10", "800", f"派工单 {token}")]
    assert sorted((r["project_id"], r["kind"], r["actual_date"]) for r in changed["milestone"]) == [
        ("2", "土地", "2025-10-10"), ("2", "开工", "2025-10-18")]
    assert [(r["project_id"], r["on"], r["progress"], r["problems"], r["source"]) for r in changed["progress_report"]] == [
        ("1", "2025-10-28", "主体施工", "设备进场滞后\n资金拨付慢", f"派工单 {token}")]
    assert [(r["code"], r["site_progress"]) for r in changed["project"]] == [("GX-0001", "主体施工")]
    assert dispatch_row(cli.url).returned_on == D("2025-10-28")

    # the same return again changes nothing (and logs nothing)
    after = dump(cli.url)
    logged = count(cli.url, "change_log")
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-10-30")
    assert r.exit_code == 4
    assert r.stderr.splitlines()[:3] == expected_problems
    assert r.stdout == ""
    assert "写入 0 行（0 个值），未变 4 行，未导入 3 行" in r.stderr
    assert "2025-10-28 报回（按时报送），以首次导入时的记录为准" in r.stderr
    assert dump(cli.url) == after and count(cli.url, "change_log") == logged


def test_corrected_return_applies_only_what_differs(cli, sent, tmp_path):
    first = fill(sent, tmp_path / "first.xlsx", tamper=False, stranger=False)
    r = cli("ledger", "import", "--create-units", str(first), as_of="2025-10-27")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines()[-1].endswith(
        "2025-10-27 报回（按时报送）：写入 5 行（7 个值），未变 1 行，未导入 0 行")
    # the unit corrects its month and stage and sends the same workbook again
    second = fill(sent, tmp_path / "second.xlsx", tamper=False, stranger=False, main_K5=900, main_N5="设备安装")
    before = dump(cli.url)
    r = cli("ledger", "import", "--create-units", str(second), as_of="2025-10-29")
    assert r.exit_code == 0, r.stderr
    assert [line.split() for line in r.stdout.splitlines()[2:]] == [
        ["派工单", "5", "GX-0001", "甲项目", "2025年10月完成投资（万元）", "800", "900"],
        ["派工单", "5", "GX-0001", "甲项目", "形象进度", "主体施工", "设备安装"],
    ]
    changed = moved(before, dump(cli.url))
    assert [(r["month"], r["amount"]) for r in changed["investment_report"]] == [("2025-10", "900")]
    assert [(r["on"], r["progress"]) for r in changed["progress_report"]] == [("2025-10-29", "设备安装")]
    assert dispatch_row(cli.url).returned_on == D("2025-10-27")  # the first return is the one that counts


def test_strict_return_with_a_bad_row_writes_nothing(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx")
    before = dump(cli.url)
    logged = count(cli.url, "change_log")
    r = cli("ledger", "import", "--create-units", str(back), "--strict", as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-1] == "错误：back.xlsx：2 行不能导入（--strict）；未写入任何内容"
    assert dump(cli.url) == before and count(cli.url, "change_log") == logged
    assert dispatch_row(cli.url).returned_on is None


def test_unit_cells_that_cannot_be_read_keep_their_row_out(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False,
                main_K5=-5, main_L6=date(2025, 11, 30), main_N7="差不多了", due_G5="上个月")
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-10-28")
    assert r.exit_code == 4
    assert [line for line in r.stderr.splitlines() if line.startswith("错误")] == [
        "错误：派工单 第 5 行，K 列 2025年10月完成投资（万元）：GX-0001 甲项目：不能为负数：-5；本行未导入",
        "错误：派工单 第 6 行，L 列 实际开工时间：GX-0002 乙项目：2025-11-30 晚于截至日期 2025-10-28：实际日期不能是将来的日期；"
        "本行未导入",
        "错误：派工单 第 7 行，N 列 形象进度：GX-0003 丙项目：'差不多了' 不是形象进度的可选阶段："
        "前期手续、基础施工、主体施工、设备安装、竣工验收、投产；本行未导入",
        "错误：节点及问题 第 5 行，G 列 实际完成日期：GX-0002 乙项目：'上个月' 不是日期；应写成 2024-03-15、"
        "2024/3/15、2024年3月15日、2024年3月 或 2024年；本行未导入",
    ]
    assert r.stderr.splitlines()[-2].endswith(
        "：写入 1 行（1 个值），未变 1 行，未导入 4 行（填写有误 4）")  # GX-0004's stage only
    shown = json.loads(cli("show", "GX-0004", "--format", "json").stdout)
    assert shown["site_progress"] == "设备安装"


def test_emptied_cell_is_a_warning_and_never_erases(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False, main_L5=None, main_N5=None)
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-10-28")
    assert r.exit_code == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if line.startswith("提醒")]
    assert warnings == [
        "提醒：派工单 第 5 行，L 列 实际开工时间：GX-0001 甲项目：实际开工时间 被清空（派发时为 2025-03-20）；"
        "报回的派工单不会抹去登记中已有的内容（2025-03-20），如需更正请联系督查室",
        "提醒：派工单 第 5 行，N 列 形象进度：GX-0001 甲项目：形象进度 被清空（派发时为 基础施工）；"
        "报回的派工单不会抹去登记中已有的内容（基础施工），如需更正请联系督查室",
    ]
    shown = json.loads(cli("show", "GX-0001", "--format", "json").stdout)
    assert shown["site_progress"] == "基础施工"


def test_on_time_return_feeds_the_red_flag(cli, tmp_path):
    build(cli.url)
    out = tmp_path / "out"
    assert cli("ledger", "dispatch", "--all", "--output-dir", str(out), as_of=SENT).exit_code == 0
    back = fill(out / "2025-10_经济发展局_派工单.xlsx", tmp_path / "back.xlsx", tamper=False, stranger=False)
    assert cli("ledger", "import", "--create-units", str(back), as_of="2025-10-30").exit_code == 0
    r = cli("flag", "--period", "2025-10", "--format", "json", as_of="2025-10-31")
    shares = {row["unit"]: row["components"]["ledger"]["share"] for row in json.loads(r.stdout)}
    assert shares == {"经济发展局": "1.000", "黄屯街道": "0.000"}
    r = cli("ledger", "returns", "--period", "2025-10", "--format", "csv", as_of="2025-11-02")
    assert r.stdout.splitlines() == [
        "\ufeff责任单位,周期,发出日期,报送截止,报送日期,状态,逾期天数,项目数",
        "经济发展局,2025-10,2025-10-20,2025-10-31,2025-10-30,按时报送,,4",
        "黄屯街道,2025-10,2025-10-20,2025-10-31,,未报送（已逾期）,2,1",
    ]


def test_late_return_is_recorded_late(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False)
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-11-03")
    assert r.exit_code == 0, r.stderr
    assert "2025-11-03 报回（逾期报送）" in r.stderr.splitlines()[-1]
    r = cli("flag", "--period", "2025-10", "--format", "json", as_of="2025-11-05")
    shares = {row["unit"]: row["components"]["ledger"]["share"] for row in json.loads(r.stdout)}
    assert shares["经济发展局"] == "0.000"


# ---------------------------------------------------------------- what is refused outright


def test_dispatch_errors_say_what_to_fix_and_write_nothing(cli, sent, tmp_path):
    logged = count(cli.url, "change_log")
    r = cli("ledger", "dispatch", "--unit", "经济发展局", "-o", str(tmp_path / "again.xlsx"), as_of="2025-10-21")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "错误：2025-10 已派发、尚未报回：经济发展局（2025-10-20 发出，2025-10-31 截止）；新派工单会取代已发的那份，"
        "已发的将不能再导入：如要重新派发请加 --replace")
    r = cli("ledger", "dispatch", "--unit", "规划局", "-o", str(tmp_path / "x.xlsx"), as_of=SENT)
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：责任单位“规划局”不存在；现有的：经济发展局、黄屯街道"
    r = cli("ledger", "dispatch", "--unit", "黄屯街道", "-o", str(tmp_path / "x.xlsx"), "--due", "2025-10-01", as_of=SENT)
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：报送截止日期 2025-10-01 早于派发日期 2025-10-20；请用 --due 给一个更晚的日期"
    r = cli("ledger", "dispatch", "--unit", "黄屯街道", "-o", str(tmp_path / "x.xlsx"), "--period", "2025-13", as_of=SENT)
    assert r.exit_code == 1
    assert "'2025-13' 不是评价周期；月份写作 2025-10 或 2025年10月" in r.stderr
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "again.xlsx").exists()
    assert count(cli.url, "change_log") == logged and count(cli.url, "dispatch") == 1
    for args in (["--unit", "黄屯街道"], ["--all"], ["--unit", "黄屯街道", "--all", "-o", "x.xlsx"],
                 ["--unit", "黄屯街道", "-o", "x.csv"]):
        assert cli("ledger", "dispatch", *args).exit_code == 2


def test_replaced_workbook_no_longer_imports_and_a_returned_one_is_not_sent_again(cli, sent, tmp_path):
    old_token = dispatch_row(cli.url).token
    newer = tmp_path / "newer.xlsx"
    r = cli("ledger", "dispatch", "--unit", "经济发展局", "-o", str(newer), "--replace", as_of="2025-10-21")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines()[-1] == "已派发 2025-10 的派工单 1 份，共 4 个项目，报送期限 2025-10-31；其中 1 份替换了此前派发的"
    record = dispatch_row(cli.url)
    assert record.token != old_token and record.fingerprints["replaced"] == [old_token]
    back = fill(sent, tmp_path / "old_back.xlsx", tamper=False, stranger=False)
    before = dump(cli.url)
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "错误：old_back.xlsx 是经济发展局 2025-10 的派工单，已被 2025-10-21 发出的新派工单取代，不能再导入；"
        "请经济发展局填写新派工单")
    assert dump(cli.url) == before
    assert cli("ledger", "import", "--create-units", str(fill(newer, tmp_path / "new_back.xlsx", tamper=False, stranger=False)),
               as_of="2025-10-28").exit_code == 0
    r = cli("ledger", "dispatch", "--unit", "经济发展局", "-o", str(tmp_path / "third.xlsx"), "--replace", as_of="2025-10-29")
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：经济发展局：2025-10 的派工单（2025-10-21 发出）已于 2025-10-28 报回；已报回的派工单不再重发"
    r = cli("ledger", "dispatch", "--all", "--output-dir", str(tmp_path / "all"), as_of="2025-10-29")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines() == [
        "未发给 经济发展局：2025-10 的派工单（2025-10-21 发出）已于 2025-10-28 报回；已报回的派工单不再重发",
        "已派发 2025-10 的派工单 1 份，共 1 个项目，报送期限 2025-10-31",
    ]


def test_an_altered_hidden_record_or_layout_or_foreign_workbook_is_refused_whole(cli, sent, tmp_path, db_url):
    before = dump(cli.url)
    wb = load_workbook(sent)
    wb["projects_dispatch"]["A12"] = "派工单!5|GX-0001||0000000000000000"  # a fingerprint rewritten
    wb.save(tmp_path / "hidden.xlsx")
    r = cli("ledger", "import", "--create-units", str(tmp_path / "hidden.xlsx"), as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：hidden.xlsx：派工单的隐藏记录与 2025-10-20 发给经济发展局的行不符，工作簿被改动过；请重新派发"
    wb = load_workbook(sent)
    wb["派工单"].insert_cols(3)
    wb.save(tmp_path / "cols.xlsx")
    r = cli("ledger", "import", "--create-units", str(tmp_path / "cols.xlsx"), as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "错误：cols.xlsx 工作表 派工单：列与派发时不同（第 4 行 C 列应为 '项目名称'，现为 ''）；"
        "不能增加、删除或移动列，请在原发的工作簿上填写")
    wb = load_workbook(sent)
    wb["projects_dispatch"]["B2"] = "feedbeeffeedbeef"
    wb.save(tmp_path / "foreign.xlsx")
    r = cli("ledger", "import", "--create-units", str(tmp_path / "foreign.xlsx"), as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "错误：foreign.xlsx 是派工单，但不是本登记库派发的（标识 feedbeeffeedbeef，经济发展局，2025-10）；"
        "请导入派发它的登记库")
    r = cli("ledger", "import", "--create-units", str(sent), "--from-unit", "黄屯街道", as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：经济发展局.xlsx 是派给经济发展局的工作簿，不是派给黄屯街道的（--from-unit）"
    assert dump(cli.url) == before
    assert dispatch_row(cli.url).returned_on is None


def test_the_unchanged_workbook_returned_records_the_return_only(cli, sent):
    before = dump(cli.url)
    r = cli("ledger", "import", "--create-units", str(sent), as_of="2025-10-25")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "已导入 经济发展局.xlsx：经济发展局 2025-10 的派工单（2025-10-20 发出，报送期限 2025-10-31），2025-10-25 报回"
        "（按时报送）：写入 0 行（0 个值），未变 6 行，未导入 0 行"]
    assert dump(cli.url) == before
    assert dispatch_row(cli.url).returned_on == D("2025-10-25")


def test_both_sheets_giving_different_start_dates_apply_neither(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False, due_G6=date(2025, 10, 17))
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-10-28")
    assert r.exit_code == 4
    assert [line for line in r.stderr.splitlines() if line.startswith("错误")] == [
        "错误：派工单 第 6 行：GX-0002 乙项目：两个不同的开工日期，派工单 第 6 行为 2025-10-18，节点及问题 第 6 行为 2025-10-17；"
        "本行未导入",
        "错误：节点及问题 第 6 行：GX-0002 乙项目：两个不同的开工日期，派工单 第 6 行为 2025-10-18，节点及问题 第 6 行为 "
        "2025-10-17；本行未导入",
    ]
    back = fill(sent, tmp_path / "same.xlsx", tamper=False, stranger=False, due_G6=date(2025, 10, 18))
    r = cli("ledger", "import", "--create-units", str(back), as_of="2025-10-28")
    assert r.exit_code == 0, r.stderr
    assert [line.split()[4] for line in r.stdout.splitlines()[2:]].count("实际开工时间") == 1


def test_errors_workbook_for_a_return_marks_the_refused_cells(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx")
    r = cli("ledger", "import", "--create-units", str(back), "--dry-run", "--errors", str(tmp_path / "问题行.xlsx"), as_of="2025-10-28")
    assert r.exit_code == 4
    ws = load_workbook(tmp_path / "问题行.xlsx").active
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["原行号", 7, 9]
    assert ws["G3"].value == 35000 and ws["G3"].fill.fgColor.rgb == "00FFC7CE"
    assert ws["G3"].comment.text.startswith("错误: GX-0003 丙项目：锁定的列被改动（篡改）")


def test_dispatch_config_stages_and_checks(cli, tmp_path):
    from projects_cli.errors import ConfigError
    from projects_cli.ledger.dispatch import dispatch_config

    build(cli.url)
    stages = [f"第{i}阶段：" + "很长的形象进度描述" * 3 for i in range(1, 9)]
    config = tmp_path / "config.toml"
    config.write_text("[dispatch]\nstages = [" + ", ".join(f'"{s}"' for s in stages) + "]\npassword = \"督查\"\n",
                      encoding="utf-8")
    path = tmp_path / "long.xlsx"
    r = cli("--config", str(config), "ledger", "dispatch", "--unit", "黄屯街道", "-o", str(path), as_of=SENT)
    assert r.exit_code == 0, r.stderr
    wb = load_workbook(path)
    (listed,) = [dv for dv in wb["派工单"].data_validations.dataValidation if dv.type == "list"]
    assert listed.formula1 == "'projects_dispatch'!$J$2:$J$9"
    assert [wb["projects_dispatch"].cell(r, 10).value for r in range(2, 10)] == stages
    assert wb["派工单"].protection.password and wb.security.workbookPassword
    with pytest.raises(ConfigError) as exc:
        dispatch_config({"dispatch": {"stage": []}})
    assert str(exc.value) == "配置文件 [dispatch] stage：未知的键；可用的键：stages, password, title"
    with pytest.raises(ConfigError) as exc:
        dispatch_config({"dispatch": {"stages": "主体施工"}})
    assert str(exc.value) == ('配置文件 [dispatch] stages：应为名称列表，例如 stages = ["前期手续", "基础施工"'
                              ', "主体施工"]')
    assert dispatch_config(None).stages == ("前期手续", "基础施工", "主体施工", "设备安装", "竣工验收", "投产")


def test_formula_like_text_stays_text(cli, tmp_path):
    build(cli.url)
    assert cli("edit", "GX-0006", "--name", '=HYPERLINK("http://x","y")', as_of=SENT).exit_code == 0
    path = tmp_path / "h.xlsx"
    assert cli("ledger", "dispatch", "--unit", "黄屯街道", "-o", str(path), as_of=SENT).exit_code == 0
    cell = load_workbook(path)["派工单"]["C5"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")
    r = cli("ledger", "import", "--create-units", str(path), as_of="2025-10-25")
    assert r.exit_code == 0, r.stderr


def test_progress_history_lists_what_units_reported(cli, sent, tmp_path):
    back = fill(sent, tmp_path / "back.xlsx", tamper=False, stranger=False)
    assert cli("ledger", "import", "--create-units", str(back), as_of="2025-10-27").exit_code == 0
    r = cli("ledger", "progress", "GX-0001", "--format", "json")
    token = dispatch_row(cli.url).token
    assert json.loads(r.stdout) == [{"on": "2025-10-27", "progress": "主体施工", "problems": "设备进场滞后\n资金拨付慢",
                                     "source": f"派工单 {token}"}]


def test_a_dispatched_sheet_without_its_hidden_record_is_not_taken_for_a_ledger(cli, sent, tmp_path):
    wb = load_workbook(sent)
    del wb["projects_dispatch"]
    wb.save(tmp_path / "copied.xlsx")
    before = dump(cli.url)
    r = cli("ledger", "import", "--create-units", str(tmp_path / "copied.xlsx"), as_of="2025-10-28")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "错误：copied.xlsx 有工作表 派工单，但没有每份派工单都带的隐藏记录：它被复制到了新工作簿，或用别的软件另存过，"
        "分不清单位改了什么、原来发的是什么；请让单位在原发的工作簿上填写后报回（如仍要当作普通台账导入，请把工作表 派工单 改名）")
    assert dump(cli.url) == before


def test_weekly_period_reports_the_month_it_ends_in(cli, tmp_path):
    build(cli.url)
    path = tmp_path / "w.xlsx"
    r = cli("ledger", "dispatch", "--unit", "黄屯街道", "-o", str(path), "--period", "2025-W43", as_of=SENT)
    assert r.exit_code == 0, r.stderr
    ws = load_workbook(path)["派工单"]
    assert ws["A1"].value == "黄屯街道2025年第43周重点项目推进情况派工单"
    assert ws["K4"].value == "2025年10月完成投资（万元）"
    assert dispatch_row(cli.url, "黄屯街道").due_on == D("2025-10-26")
