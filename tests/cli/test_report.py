"""`projects milestone`, `invest`, `countdown` and `overdue` as a user types them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from counts import table_counts
from overdue_scenario import DUE_SOON_2025_10_31, OVERDUE_2025_10_31, build

TABLES = ("change_log", "milestone", "milestone_plan", "investment_report", "investment_plan")


def counts(url: str) -> dict[str, int]:
    return table_counts(url, TABLES)


@pytest.fixture
def known(cli, ctx):
    from projects_cli.store.db import session_scope

    with session_scope(cli.url) as session:
        build(session, ctx)
    return cli


def json_rows(data, key="overdue"):
    return [(r["unit"], r["leader"], r["code"], r["item"], r["planned"], r["days_late"], r["tier"], r["new"])
            for r in data[key]]


def test_overdue_json_lists_exactly_the_overdue_items(known):
    r = known("overdue", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert json_rows(data) == OVERDUE_2025_10_31
    assert [(d["planned"], d["days_left"], d["code"], d["item"]) for d in data["due_soon"]] == DUE_SOON_2025_10_31
    assert (data["as_of"], data["since"], data["horizon"], data["due_by"]) == ("2025-10-31", "2025-10-24", 14, "2025-11-14")
    assert data["overdue"][0]["rate"] == 75 and data["overdue"][0]["behind"] == 8.3
    assert r.stderr == "逾期 7 项，2025-10-24 以来新增 3 项，即将到期 3 项\n"


def test_moving_as_of_a_week_moves_items_into_new_since_last_week(known):
    before = json.loads(known("overdue", "--format", "json").stdout)
    after = json.loads(known("overdue", "--format", "json", as_of="2025-11-07").stdout)
    assert [(r["code"], r["item"]) for r in before["new_since"]] == [
        ("GX-0004", "开工"), ("GX-0004", "回头看 2025-002：施工用电接入"), ("GX-0005", "开工")]
    assert [(r["code"], r["item"], r["days_late"]) for r in after["new_since"]] == [
        ("GX-0003", "回头看 2025-003：道路接入", 2), ("GX-0004", "主体完工", 4)]
    # last week's report re-run today gives last week's answer
    again = json.loads(known("overdue", "--format", "json").stdout)
    assert again == before


def test_overdue_xlsx_reads_back_to_the_same_rows(known, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "逾期通报.xlsx"
    r = known("overdue", "--output", str(out))  # the format follows the extension
    assert r.exit_code == 0 and r.stderr == f"已写出 {out}\n逾期 7 项，2025-10-24 以来新增 3 项，即将到期 3 项\n"
    data = json.loads(known("overdue", "--format", "json").stdout)
    wb = load_workbook(out)
    assert wb.sheetnames == ["逾期清单", "本周新增", "即将到期", "按责任单位"]
    ws = wb["逾期清单"]
    assert ws["A1"].value == "重点项目逾期情况（截至2025年10月31日）"
    assert ws["A2"].value == "逾期 7 项：一般逾期 5 项，较重逾期 1 项，严重逾期 1 项；本周新增 3 项（2025-10-24 后）；序时进度 83.3%"
    header = [c.value for c in ws[3]]
    assert header[:8] == ["责任单位", "包保领导", "项目编号", "项目名称", "逾期事项", "计划/期限", "逾期天数", "逾期等级"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    expected = [
        [r["unit"] or "未明确责任单位", r["leader"], r["code"], r["name"], r["item"], r["planned"], r["days_late"],
         r["tier"], r["level"], r["rate"], r["behind"], "新增" if r["new"] else None]
        for r in data["overdue"]
    ]
    got = [[v.date().isoformat() if hasattr(v, "date") else v for v in row] for row in body]
    assert got == expected
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$1:$3"
    # fitted to the page width (set before the first row: a write-only sheet writes it there)
    assert (ws.page_setup.orientation, ws.sheet_properties.pageSetUpPr.fitToPage, ws.page_setup.fitToWidth) == (
        "landscape", True, 1)
    assert ws["A4"].border.left.style == "thin"
    new = [[c.value for c in row][2:5] for row in wb["本周新增"].iter_rows(min_row=4)]
    assert new == [[r["code"], r["name"], r["item"]] for r in data["new_since"]]
    soon = [[c.value for c in row] for row in wb["即将到期"].iter_rows(min_row=4)]
    assert [(row[0].date().isoformat(), row[1], row[4], row[6]) for row in soon] == DUE_SOON_2025_10_31
    units = [[c.value for c in row] for row in wb["按责任单位"].iter_rows(min_row=4)]
    assert units == [["经济发展局", 3, 2, 1, 0, 0, 1, 31], ["黄屯街道", 3, 2, 0, 1, 2, 2, 122],
                     ["未明确责任单位", 1, 1, 0, 0, 1, 0, 7]]


def test_overdue_csv_and_table(known):
    r = known("overdue", "--format", "csv", "--csv-headers", "en", "--unit", "黄屯街道", "--min-days", "3")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["section"], x["code"], x["item"], x["days_late"], x["days_left"]) for x in rows] == [
        ("overdue", "GX-0003", "土地", "122", ""),
        ("overdue", "GX-0004", "开工", "4", ""),
        ("due_soon", "GX-0004", "主体完工", "", "3"),
        ("due_soon", "GX-0003", "回头看 2025-003：道路接入", "", "5"),
    ]
    table = known("overdue").stdout
    assert table.startswith("截至 2025-10-31 逾期：7（一般逾期 5 · 较重逾期 1 · 严重逾期 1）\n"
                            "2025-10-24 以来本周新增：3 · 2025-11-14 前即将到期：3\n")
    assert "\n本周新增（2025-10-24 以来）\n" in table and "\n即将到期（14 天内，2025-11-14 前）\n" in table


def test_output_file_takes_the_format_of_its_extension(known, tmp_path):
    out = tmp_path / "overdue.json"
    r = known("overdue", "--output", str(out), "--min-days", "100")
    assert (r.exit_code, r.stdout) == (0, "")
    assert [(x["code"], x["item"]) for x in json.loads(out.read_text(encoding="utf-8"))["overdue"]] == [("GX-0003", "土地")]


def test_fail_if_any_for_scheduled_jobs(known):
    assert known("overdue", "--fail-if-any").exit_code == 3
    assert known("overdue", "--fail-if-any", "--chain", "新能源").exit_code == 0
    assert known("overdue").exit_code == 0


def test_countdown(known):
    r = known("countdown", "--within", "0", "--format", "json")
    got = [(x["code"], x["item"], x["days_left"], x["start"]) for x in json.loads(r.stdout)]
    assert got == [("GX-0001", "开工", -30, True), ("GX-0005", "开工", -7, True), ("GX-0004", "开工", -4, True),
                   ("GX-0003", "土地", -122, False), ("GX-0004", "回头看 2025-002：施工用电接入", -2, False)]
    table = known("countdown").stdout
    assert table.startswith("开工倒计时（截至 2025-10-31）：5\n")
    assert "\n下一节点：3\n" in table


def test_milestone_commands(cli):
    cli("add", "--name", "甲项目")
    r = cli("milestone", "add", "GX-0001", "开工", "--planned", "2025-09")
    assert (r.exit_code, r.stderr) == (0, "开工 计划于 2025-09-30（基准计划）\n")
    r = cli("milestone", "replan", "GX-0001", "开工", "--planned", "2025-12-31", "--reason", "土地指标延后")
    assert r.stderr == "开工：2025-09-30 → 2025-12-31（基准计划 2025-09-30）\n"
    r = cli("milestone", "done", "GX-0001", "签约", "--on", "2025-03-01")
    assert r.stderr == "签约 于 2025-03-01 完成\n"
    r = cli("milestone", "done", "GX-0001", "签约", "--on", "2025-03-01")
    assert r.stderr == "未改动：签约 原已于 2025-03-01 完成\n"
    rows = json.loads(cli("milestone", "list", "GX-0001", "--format", "json").stdout)
    assert [(x["kind"], x["baseline_date"], x["planned_date"], x["actual_date"], x["state"], x["replans"]) for x in rows] == [
        ("签约", None, None, "2025-03-01", "done_on_time", 0),
        ("开工", "2025-09-30", "2025-12-31", None, "open", 1),
    ]
    history = cli("milestone", "list", "GX-0001", "--history", "--format", "csv").stdout.splitlines()
    assert history == ["\ufeff节点,计划日期,调整日期,原因,经办人", "开工,2025-09-30,2025-10-31,,tester",
                       "开工,2025-12-31,2025-10-31,土地指标延后,tester"]
    cli("milestone", "add", "GX-0001", "竣工", "--planned", "2025-10-01")
    r = cli("milestone", "done", "GX-0001", "竣工", "--on", "2025-10-21")
    assert r.stderr == "竣工 于 2025-10-21 完成，晚 20 天\n"


def test_custom_kinds_from_the_config_file(cli, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[milestones]\nkinds = ["立项", "封顶", "开工"]\n', encoding="utf-8")
    cli("add", "--name", "甲项目")
    assert cli("--config", str(config), "milestone", "add", "GX-0001", "封顶", "--planned", "2025-12-01").exit_code == 0
    r = cli("--config", str(config), "milestone", "add", "GX-0001", "签约", "--planned", "2025-12-01")
    assert (r.exit_code, r.stderr) == (1, "错误：未知的节点 '签约'；现有节点：立项、封顶、开工\n")


def test_invest_commands(cli):
    cli("add", "--create-units", "--name", "甲项目", "--unit", "经济发展局")
    assert cli("invest", "plan", "GX-0001", "--amount", "1.2亿元").stderr == "2025 年度计划投资：12000 万元\n"
    assert cli("invest", "record", "GX-0001", "--month", "2025-09", "--amount", "9000").stderr == "已记录 2025-09 完成投资 9000 万元\n"
    r = cli("invest", "record", "GX-0001", "--month", "2025-09", "--amount", "9,000")
    assert r.stderr == "未改动：2025-09 原已是 9000 万元\n"
    data = json.loads(cli("invest", "show", "GX-0001", "--format", "json").stdout)
    assert (data["plan"], data["completed"], data["rate"], data["expected"], data["behind"]) == (12000, 9000, 75, 83.3, 8.3)
    r = cli("invest", "show", "GX-0001")
    assert r.stderr == ("GX-0001 甲项目 2025年：计划 12000 万元，累计完成 9000 万元，完成率 75.0%，序时进度 83.3%，"
                        "落后序时 8.3 个百分点\n")
    listing = cli("invest", "show", "--format", "csv").stdout.splitlines()
    assert listing == ["\ufeff项目编号,项目名称,责任单位,年度计划（万元）,累计完成（万元）,完成率%,序时进度%,落后序时（百分点）",
                       "GX-0001,甲项目,经济发展局,12000,9000,75,83.3,8.3"]


ERRORS = (
        (("milestone", "add", "GX-9999", "开工", "--planned", "2025-12-01"), 1,
         "错误：没有编号为 'GX-9999' 的项目；`projects list --search 文字` 可查编号\n"),
        (("milestone", "add", "GX-0001", "封顶", "--planned", "2025-12-01"), 1,
         "错误：未知的节点 '封顶'；现有节点：签约、立项、土地、规划许可、施工许可、开工、主体完工、竣工、投产、达效\n"),
        (("milestone", "replan", "GX-0001", "开工", "--planned", "2026-01-01", "--reason", ""), 1,
         "错误：调整 GX-0001 开工 的计划需要写明调整原因（--reason）\n"),
        (("milestone", "done", "GX-0001", "开工", "--on", "2025-11-30"), 1,
         "错误：GX-0001 开工：实际完成日期 2025-11-30 晚于统计截止日期 2025-10-31；"
         "节点不能在将来完成\n"),
        (("invest", "record", "GX-0001", "--month", "2025-10", "--amount", "-5"), 1,
         "错误：完成投资不能为负数：-5\n"),
        (("invest", "plan", "GX-0001", "--amount", "-1亿元"), 1,
         "错误：年度计划投资不能为负数：-10000\n"),
        (("invest", "record", "GX-0404", "--month", "2025-10", "--amount", "5"), 1,
         "错误：没有编号为 'GX-0404' 的项目；`projects list --search 文字` 可查编号\n"),
        (("overdue", "--since", "2025-11-01"), 1, "错误：--since 2025-11-01 应早于统计截止日期 2025-10-31\n"),
)


def test_errors_write_nothing(cli):
    # one registry for the whole table: each case is checked against the counts before it
    cli("add", "--name", "甲项目")
    cli("milestone", "add", "GX-0001", "开工", "--planned", "2025-09-30")
    for args, code, message in ERRORS:
        before = counts(cli.url)
        r = cli(*args)
        assert (r.exit_code, r.stderr) == (code, message), args
        assert counts(cli.url) == before, args


USAGE_ERRORS = (
        (("milestone", "add", "GX-0001", "开工", "--planned", "2025-13-01"), "'2025-13-01' 不是真实存在的日期"),
        (("milestone", "done", "GX-0001", "开工", "--on", "昨天"), "'昨天' 不是日期"),
        (("invest", "record", "GX-0001", "--month", "2025-10", "--amount", "很多"), "'很多' 不是金额"),
        (("overdue", "--format", "xlsx"), "Excel 工作簿需要写到文件"),
        (("overdue", "--since", "上周"), "'上周' 不是日期"),
)


def test_usage_errors_exit_2_and_write_nothing(cli):
    cli("add", "--name", "甲项目")
    before = counts(cli.url)
    for args, fragment in USAGE_ERRORS:
        r = cli(*args)
        assert r.exit_code == 2 and fragment in r.stderr, args
    assert counts(cli.url) == before
