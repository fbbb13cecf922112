"""Ledgers in the layouts units really send (tests/helpers/ledger_corpus.py): every cell read right, or refused.

Each layout is either read with every project, amount, date, unit and leader
right (the rows `read_ledger` gives, and what the registry holds after the
import), or refused with a message naming what was not understood, and then
nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import ledger_corpus as corpus
import pytest
from counts import table_counts
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from projects_cli.ledger import parse
from projects_cli.ledger.columns import variants
from projects_cli.ledger.importer import LedgerRejected, import_ledger, read_ledger
from projects_cli.services import registry
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import InvestmentPlan, InvestmentReport, Milestone, Project
from projects_cli.values import PendingDate, ValueProblem, parse_amount, parse_date_range

AS_OF = date(2025, 10, 31)
TABLE = variants()
NEW_UNIT = "is not a unit in the registry; it will be created (新责任单位)"


def at(as_of: date) -> Ctx:
    return Ctx(by="tester", as_of=as_of, now=datetime(2025, 10, 31, 9, 0, tzinfo=timezone.utc), command="test")


def fields(parsed) -> dict[str, str | None]:
    return {c.letter: c.field for c in parsed.header.columns}


def unused(parsed) -> list[str]:
    return [f"{c.letter} {c.header}" for c in parsed.unused]


def problems(problems) -> list[tuple[str, int, str, str]]:
    return [(p.severity, p.row, p.column, p.message) for p in problems]


def projects(session, year: int) -> list[tuple]:
    return [(r["code"], r["name"], r["owner"], r["unit"], r["leader"], r["total_investment"], r["annual_plan"],
             r["status"], r["location"], r["chain"])
            for r in registry.list_projects(session, registry.ProjectFilter(), year)]


def milestones(session) -> list[tuple]:
    return session.execute(select(Project.code, Milestone.kind, Milestone.planned_date, Milestone.actual_date)
                           .join(Project).where(Milestone.kind.in_(["开工", "竣工"]))
                           .order_by(Project.code, Milestone.seq)).all()


def reports(session) -> list[tuple]:
    return [(code, month, Decimal(amount)) for code, month, amount in session.execute(
        select(Project.code, InvestmentReport.month, InvestmentReport.amount).join(Project).order_by(Project.code))]


def sheet(path, rows: list[list]) -> object:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


# ---------------------------------------------------------------- 福建 发改委 进度表


def test_fujian_form_every_cell_read_right(tmp_path):
    parsed = read_ledger(corpus.fujian_progress_form(tmp_path / "fj.xlsx"), as_of=date(2010, 3, 31))
    assert (parsed.header.first + 1, parsed.header.last + 1) == (3, 4)
    assert fields(parsed) == {
        "A": "seq", "B": "name", "C": "status", "D": "content", "E": "planned_period", "F": "total_investment",
        "G": "annual_plan", "H": "completed_ytd", "I": "completion_rate", "J": "owner", "K": None, "L": None,
        "M": "unit", "N": None, "O": None, "P": "leader", "Q": "notes",
    }
    # the owner's, the unit's contact and the city leader are listed as not read; never 工作专班
    assert unused(parsed) == ["K 项目业主单位/联系人", "L 项目业主单位/电话", "N 市或县挂钩责任单位/责任人", "O 市领导"]
    done = parsed.header.by_field()["completed_ytd"]
    assert (done.header, done.year, done.month) == ("1-3月实际完成投资", 2010, 3)
    assert parsed.info.unit == "万元"
    assert parsed.skipped == {"blank": 0, "total": 1, "section": 3, "note": 1}
    assert parsed.skipped_rows == [
        parse.Skipped(5, "total", "龙海市合计14个"),
        parse.Skipped(6, "section", "一、工业"),
        parse.Skipped(7, "section", "（一）产业园区"),
        parse.Skipped(10, "section", "二、基础设施"),
        parse.Skipped(12, "note", "注：1.建设性质填新开工、续建或前期；2.完成投资占年计划%由汇总表计算。"),
    ]
    assert [(r.row, r.values) for r in parsed.rows] == [
        (8, {"name": "龙海市金山造纸扩建项目", "status": "在建", "content": "年产30万吨高档纸", "total_investment": 80000,
             "annual_plan": 30000, "completed_ytd": 6000, "owner": "福建金山纸业有限公司", "unit": "龙海市经贸局",
             "leader": "陈志远", "planned_start": date(2009, 12, 31), "planned_completion": date(2011, 12, 31)}),
        (9, {"name": "龙海市东园工业区标准厂房", "status": "在建", "content": "建设标准厂房20万平方米",
             "total_investment": 45000, "annual_plan": 12000, "completed_ytd": 2700, "owner": "龙海市东园开发建设有限公司",
             "unit": "龙海市东园镇政府", "leader": "黄海", "planned_start": date(2007, 10, 31),
             "planned_completion": date(2010, 12, 31)}),
        (11, {"name": "龙海市九龙江防洪堤加固工程", "status": "前期", "content": "加固堤防12公里", "total_investment": 30000,
              "annual_plan": 5000, "owner": "龙海市水利局", "unit": "龙海市水利局", "leader": "许强", "notes": "待省发改委批复",
              "planned_start": date(2010, 12, 31), "chain": "基础设施"}),
    ]
    assert parsed.problems == []


def test_fujian_form_imports_into_the_registry_and_again_changes_nothing(session, tmp_path):
    path = corpus.fujian_progress_form(tmp_path / "fj.xlsx")
    result = import_ledger(session, at(date(2010, 3, 31)), path, create_units=True)
    assert (result.added, result.plan_year, result.completed_month) == (3, 2010, "2010-03")
    assert problems(result.problems) == [
        ("warning", 8, "M", f"'龙海市经贸局' {NEW_UNIT}"),
        ("warning", 9, "M", f"'龙海市东园镇政府' {NEW_UNIT}"),
        ("warning", 11, "M", f"'龙海市水利局' {NEW_UNIT}"),
    ]
    assert projects(session, 2010) == [
        ("GX-0001", "龙海市金山造纸扩建项目", "福建金山纸业有限公司", "龙海市经贸局", "陈志远", 80000, 30000, "在建", None, None),
        ("GX-0002", "龙海市东园工业区标准厂房", "龙海市东园开发建设有限公司", "龙海市东园镇政府", "黄海", 45000, 12000, "在建",
         None, None),
        ("GX-0003", "龙海市九龙江防洪堤加固工程", "龙海市水利局", "龙海市水利局", "许强", 30000, 5000, "前期", None, "基础设施"),
    ]
    assert milestones(session) == [
        ("GX-0001", "开工", date(2009, 12, 31), None), ("GX-0001", "竣工", date(2011, 12, 31), None),
        ("GX-0002", "开工", date(2007, 10, 31), None), ("GX-0002", "竣工", date(2010, 12, 31), None),
        ("GX-0003", "开工", date(2010, 12, 31), None),
    ]
    assert reports(session) == [("GX-0001", "2010-03", 6000), ("GX-0002", "2010-03", 2700)]
    again = import_ledger(session, at(date(2010, 3, 31)), path, create_units=True)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 3)


# ---------------------------------------------------------------- 督查室 推进情况表


def test_duchashi_table_every_cell_read_right(tmp_path):
    parsed = read_ledger(corpus.duchashi_progress_table(tmp_path / "dc.xlsx"), as_of=AS_OF)
    # the second header row names no new field (责任单位/责任人, 市领导/县领导): still part of the header
    assert (parsed.header.first + 1, parsed.header.last + 1) == (4, 5)
    assert fields(parsed) == {
        "A": "seq", "B": "name", "C": "owner", "D": "total_investment", "E": "annual_plan", "F": "completed_ytd",
        "G": "completion_rate", "H": "content", "I": "site_progress", "J": "unit", "K": None, "L": None,
        "M": "leader", "N": "planned_start", "O": "actual_completion", "P": "location", "Q": "approval_code",
    }
    assert unused(parsed) == ["K 责任单位/责任人", "L 市领导", "Q 项目审批代码"]
    assert parsed.info == parse.LedgerInfo(title="2025年市重点项目推进情况表", unit="亿元", as_of=date(2025, 9, 30),
                                           year=2025)
    assert parsed.skipped_rows == [parse.Skipped(6, "total", "合计（3项）"),
                                   parse.Skipped(7, "total", "其中：在建重点项目（2项）")]
    assert [(r.row, r.values) for r in parsed.rows] == [
        (8, {"name": "漳州高新区智能装备产业园", "owner": "漳州高新区开发建设有限公司", "total_investment": 120000,
             "annual_plan": 30000, "completed_ytd": 21000, "content": "建设厂房15万平方米", "site_progress": "主体施工",
             "unit": "高新区经济发展局", "leader": "陈区长", "planned_start": date(2024, 3, 31), "location": "高新区"}),
        (9, {"name": "九龙江口生态修复工程", "owner": "漳州市水利投资集团", "total_investment": 56000, "annual_plan": 12000,
             "completed_ytd": 12000, "content": "修复湿地800亩", "site_progress": "已完工", "unit": "高新区农业农村局",
             "leader": "黄区长", "planned_start": date(2024, 5, 1), "actual_completion": date(2025, 6, 30),
             "location": "九湖镇"}),
        (10, {"name": "高新区人才公寓二期", "owner": "漳州高新区城建集团", "total_investment": 30000, "annual_plan": 5000,
              "completed_ytd": 1000, "content": "建设人才公寓600套", "site_progress": "办理施工许可",
              "unit": "高新区住房和建设局", "leader": "陈区长", "planned_start": date(2025, 9, 30), "location": "高新区"}),
    ]
    assert parsed.problems == []


def test_duchashi_table_imports_into_the_registry(session, ctx, tmp_path):
    result = import_ledger(session, ctx, corpus.duchashi_progress_table(tmp_path / "dc.xlsx"), create_units=True)
    assert (result.added, result.plan_year, result.completed_month) == (3, 2025, "2025-09")
    assert projects(session, 2025) == [
        ("GX-0001", "漳州高新区智能装备产业园", "漳州高新区开发建设有限公司", "高新区经济发展局", "陈区长", 120000, 30000, "前期",
         "高新区", None),
        ("GX-0002", "九龙江口生态修复工程", "漳州市水利投资集团", "高新区农业农村局", "黄区长", 56000, 12000, "前期", "九湖镇",
         None),
        ("GX-0003", "高新区人才公寓二期", "漳州高新区城建集团", "高新区住房和建设局", "陈区长", 30000, 5000, "前期", "高新区",
         None),
    ]
    assert milestones(session) == [
        ("GX-0001", "开工", date(2024, 3, 31), None), ("GX-0002", "开工", date(2024, 5, 1), None),
        ("GX-0002", "竣工", None, date(2025, 6, 30)), ("GX-0003", "开工", date(2025, 9, 30), None),
    ]
    assert reports(session) == [("GX-0001", "2025-09", 21000), ("GX-0002", "2025-09", 12000),
                                ("GX-0003", "2025-09", 1000)]


# ---------------------------------------------------------------- header rows and group + sub pairs


@pytest.mark.parametrize(
    ("group", "sub", "field"),
    [
        ("项目业主单位", "业主名称", "owner"),
        ("项目业主单位", "联系人", None),
        ("项目业主单位", "负责人", None),
        ("项目业主单位", "电话", None),
        ("市或县挂钩责任单位", "单位名称", "unit"),
        ("市或县挂钩责任单位", "责任人", None),
        ("责任单位", "责任人", None),
        ("挂钩领导", "姓名", "leader"),
        ("挂钩领导", "职务", None),
        ("工作专班", "联系人", "task_force"),
        ("开工时间", "计划", "planned_start"),
        ("开工时间", "实际", "actual_start"),
        ("2010年实际完成情况", "完成投资占年计划%", "completion_rate"),
        ("2010年实际完成情况", "1-3月实际完成投资", "completed_ytd"),
    ],
)
def test_group_and_sub_header_map_by_the_pair(tmp_path, group, sub, field):
    path = tmp_path / "p.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", group, None])
    ws.append([None, None, sub, "其他"])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:B2")
    ws.merge_cells("C1:D1")
    ws.append(["甲项目", 100, "x", "y"])
    wb.save(path)
    parsed = read_ledger(path, as_of=AS_OF)
    assert (parsed.header.last + 1, fields(parsed)["C"]) == (2, field)


@pytest.mark.parametrize(
    ("word", "field"),
    [
        ("估算投资", "total_investment"), ("投资总额", "total_investment"), ("承办单位", "unit"),
        ("挂钩责任单位", "unit"), ("牵头协调部门", "unit"), ("市或县挂钩责任单位", "unit"), ("挂钩领导", "leader"),
        ("市挂钩领导", "leader"), ("挂点领导", "leader"), ("项目挂点领导", "leader"), ("牵头区领导", "leader"),
        ("包保责任领导姓名", "leader"), ("市级包抓领导", "leader"), ("县级领导", "leader"), ("项目业主单位", "owner"),
        ("业主名称", "owner"), ("业主单位或筹办单位", "owner"), ("计划开始时间", "planned_start"),
        ("今年开工时间", "actual_start"), ("今年竣工时间", "actual_completion"), ("年度累计完成投资", "completed_ytd"),
        ("年初至今累计完成投资额", "completed_ytd"), ("当月至今已完成", "completed_ytd"),
        ("当月完成投资", "month_completed"), ("当月已完成投资", "month_completed"),
        ("年度投资完成率", "completion_rate"), ("建设内容和规模", "content"), ("项目建设规模和内容", "content"),
        ("目前进展情况", "site_progress"), ("目前项目建设形象进度", "site_progress"), ("项目性质", "status"),
        ("建设阶段", "status"), ("建设性质", "status"), ("项目审批代码", "approval_code"), ("项目代码", "approval_code"),
        ("属地", "location"), ("所属区域", "location"), ("建设起止时间", "planned_period"),
        ("建设年限", "planned_period"), ("项目工期", "planned_period"), ("项目编号", "code"),
    ],
)
def test_header_words_of_real_ledgers(word, field):
    assert parse.field_for(word, TABLE) == field


def test_both_leaders_the_county_one_is_read(tmp_path):
    path = sheet(tmp_path / "l.xlsx", [["项目名称", "市级包抓领导", "县级领导", "总投资"], ["甲项目", "刘市长", "陈县长", 100]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert (fields(parsed), unused(parsed)) == ({"A": "name", "B": None, "C": "leader", "D": "total_investment"},
                                                ["B 市级包抓领导"])
    assert parsed.rows[0].values == {"name": "甲项目", "leader": "陈县长", "total_investment": 100}


def test_merged_header_cells_are_never_read_as_data(tmp_path):
    """A one-row header merged down over two rows: the second row is the header's, not a project 项目名称."""
    path = tmp_path / "m.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资", "责任单位"])
    ws.append([None, None, None, None])
    for col in "ABCD":
        ws.merge_cells(f"{col}1:{col}2")
    ws.append([1, "甲项目", 100, "经济发展局"])
    wb.save(path)
    parsed = read_ledger(path, as_of=AS_OF)
    assert (parsed.header.first + 1, parsed.header.last + 1) == (1, 2)
    assert [(r.row, r.values["name"]) for r in parsed.rows] == [(3, "甲项目")]
    assert (parsed.skipped, parsed.problems) == ({"blank": 0, "total": 0, "section": 0, "note": 0}, [])


# ---------------------------------------------------------------- rows that are not projects


def test_filled_template_reads_only_its_projects(tmp_path):
    parsed = read_ledger(corpus.filled_template(tmp_path / "t.xlsx"), as_of=AS_OF)
    assert [(r.row, r.values["name"], r.values["completed_ytd"]) for r in parsed.rows] == [
        (4, "闽南水果冷链物流园", 5100), (5, "高新区污水处理厂提标改造", 3900), (7, "漳州数字产业园一期", 9000),
    ]
    assert parsed.skipped == {"blank": 5, "total": 0, "section": 0, "note": 0}
    assert parsed.skipped_rows == [
        parse.Skipped(3, "template", "项目名称"), parse.Skipped(6, "template", "项目名称"),
        parse.Skipped(8, "template", ""), parse.Skipped(9, "template", ""), parse.Skipped(10, "template", ""),
    ]
    assert parsed.problems == []


def test_totals_anywhere_in_the_label_but_not_in_a_name(tmp_path):
    path = sheet(tmp_path / "t.xlsx", [
        ["序号", "项目名称", "总投资", "责任单位"],
        [1, "漳州综合计量检测中心", 800, "市场监管局"],  # 综合计量: a name, not a total
        [None, "福州片区小计", 800, None],
        ["", "芗城区 合计 2 个", 1600, None],
        [2, "漳州市联合计算中心", 500, "工信局"],
        ["其中：续建项目", None, 500, None],
    ])
    parsed = read_ledger(path, as_of=AS_OF)
    assert [r.values["name"] for r in parsed.rows] == ["漳州综合计量检测中心", "漳州市联合计算中心"]
    assert parsed.skipped_rows == [parse.Skipped(3, "total", "福州片区小计"), parse.Skipped(4, "total", "芗城区 合计 2 个"),
                                   parse.Skipped(6, "total", "其中：续建项目")]


def test_section_numeral_in_seq_gives_its_rows_their_cluster(tmp_path):
    path = sheet(tmp_path / "s.xlsx", [
        ["序号", "项目名称", "总投资"],
        ["一", "高端装备产业", 5000],
        [1, "甲项目", 5000],
        ["（二）", "新能源", None],
        [2, "乙项目", 300],
    ])
    parsed = read_ledger(path, as_of=AS_OF)
    assert [(r.values["name"], r.values.get("cluster"), r.values.get("chain")) for r in parsed.rows] == [
        ("甲项目", "高端装备", None), ("乙项目", "新材料新能源", "新能源"),
    ]
    assert parsed.skipped["section"] == 2


def test_a_row_without_a_name_but_with_figures_is_still_refused(tmp_path):
    path = sheet(tmp_path / "n.xlsx", [["序号", "项目名称", "总投资"], [1, "甲项目", 100], [None, None, 250]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert problems(parsed.problems) == [
        ("error", 3, "B", "the project name (项目名称) is empty; every project row needs a name"),
    ]


def test_funding_rows_under_a_project_are_refused_by_name(session, ctx, tmp_path):
    path = corpus.funding_blocks(tmp_path / "f.xlsx")
    parsed = read_ledger(path, as_of=AS_OF)
    assert [r.values["name"] for r in parsed.rows] == ["九湖镇污水管网配套工程", "高新区中小学扩容工程"]
    assert parsed.skipped_rows == [parse.Skipped(4, "total", "其中：中央预算内资金")]
    assert problems(parsed.problems) == [
        ("error", 5, "B", "'地方配套资金' 没有序号，像是第3行项目（九湖镇污水管网配套工程）的资金来源续行，不是项目；请删去此行或把它"
                          "并入该项目的行 (a continuation of the project in row 3, not a project)"),
    ]
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert str(info.value) == "f.xlsx: 1 error in row 5; nothing was written"
    assert session.scalars(select(Project)).all() == []


# ---------------------------------------------------------------- date ranges


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2009-2011", date(2009, 12, 31), date(2011, 12, 31)),
        ("2007.10-2010.12", date(2007, 10, 31), date(2010, 12, 31)),
        ("2021.03-2023.12", date(2021, 3, 31), date(2023, 12, 31)),
        ("09.10-11.3", date(2009, 10, 31), date(2011, 3, 31)),
        ("2010-", date(2010, 12, 31), None),
        ("2009年-2011年", date(2009, 12, 31), date(2011, 12, 31)),
        ("2024年3月至2026年6月", date(2024, 3, 31), date(2026, 6, 30)),
        ("2023.3—2025.12", date(2023, 3, 31), date(2025, 12, 31)),
        ("2024-03-2026-06", date(2024, 3, 31), date(2026, 6, 30)),
        ("2024-03-01-2026-06-30", date(2024, 3, 1), date(2026, 6, 30)),
        ("2024/3/1～2025/12/31", date(2024, 3, 1), date(2025, 12, 31)),
        ("", None, None),
        ("—", None, None),
    ],
)
def test_date_ranges(text, start, end):
    assert parse_date_range(text) == (start, end)


RANGE_FORMS = ("expected a start and an end such as 2009-2011, 2007.10-2010.12, 2024年3月至2026年6月, 09.10-11.3 "
               "or 2010-")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2009-11", "'2009-11' 只有一个时间（2009-11-30），分不清是开工还是竣工 (one date only: is it the start or "
                    f"the completion?); {RANGE_FORMS}"),
        (2011, f"2011 只有一个时间（2011-12-31），分不清是开工还是竣工 (one date only: is it the start or the completion?); "
               f"{RANGE_FORMS}"),
        (date(2024, 3, 1), "'2024-03-01' 只有一个时间（2024-03-01），分不清是开工还是竣工 (one date only: is it the start or "
                           f"the completion?); {RANGE_FORMS}"),
        ("3年", f"'3年' 不是起止时间 (not a date range); {RANGE_FORMS}"),
        ("-2011", f"'-2011' 不是起止时间 (not a date range); {RANGE_FORMS}"),
        ("2012-2010", "'2012-2010': 竣工早于开工 (the end is before the start)"),
    ],
)
def test_date_ranges_that_cannot_be_read(value, message):
    with pytest.raises(ValueProblem) as info:
        parse_date_range(value)
    assert str(info.value) == message


def test_a_pending_range_is_a_pending_date():
    with pytest.raises(PendingDate):
        parse_date_range("待定")


def test_date_ranges_import_as_planned_start_and_completion(session, ctx, tmp_path):
    path = corpus.date_ranges(tmp_path / "d.xlsx")
    parsed = read_ledger(path, as_of=AS_OF)
    assert [(r.values.get("planned_start"), r.values.get("planned_completion")) for r in parsed.rows] == [
        (date(2009, 12, 31), date(2011, 12, 31)), (date(2007, 10, 31), date(2010, 12, 31)),
        (date(2021, 3, 31), date(2023, 12, 31)), (date(2009, 10, 31), date(2011, 3, 31)), (date(2010, 12, 31), None),
        (date(2024, 3, 31), date(2026, 6, 30)),
    ]
    result = import_ledger(session, ctx, path, create_units=True)
    assert result.added == 6
    assert milestones(session) == [
        ("GX-0001", "开工", date(2009, 12, 31), None), ("GX-0001", "竣工", date(2011, 12, 31), None),
        ("GX-0002", "开工", date(2007, 10, 31), None), ("GX-0002", "竣工", date(2010, 12, 31), None),
        ("GX-0003", "开工", date(2021, 3, 31), None), ("GX-0003", "竣工", date(2023, 12, 31), None),
        ("GX-0004", "开工", date(2009, 10, 31), None), ("GX-0004", "竣工", date(2011, 3, 31), None),
        ("GX-0005", "开工", date(2010, 12, 31), None),
        ("GX-0006", "开工", date(2024, 3, 31), None), ("GX-0006", "竣工", date(2026, 6, 30), None),
    ]
    again = import_ledger(session, ctx, path, create_units=True)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 6)


def test_an_ambiguous_range_is_refused_and_nothing_written(session, ctx, tmp_path):
    path = corpus.date_ranges(tmp_path / "d.xlsx", ambiguous=True)
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert str(info.value) == "d.xlsx: 1 error in row 8; nothing was written"
    assert [(p.row, p.column, p.header, p.value, p.message) for p in info.value.result.errors] == [
        (8, "D", "建设起止时间", "2009-11", "'2009-11' 只有一个时间（2009-11-30），分不清是开工还是竣工 (one date only: is it "
                                      f"the start or the completion?); {RANGE_FORMS}"),
    ]
    assert session.scalars(select(Project)).all() == []


def test_a_range_that_contradicts_the_rows_own_planned_date(tmp_path):
    path = sheet(tmp_path / "c.xlsx", [["项目名称", "建设起止时间", "计划开工时间"], ["甲项目", "2024-2026", "2024年3月"],
                                       ["乙项目", "2024.3-2026", "2024年3月"]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert problems(parsed.problems) == [
        ("error", 2, "B", "建设起止时间的开工时间 2024-12-31 与本行计划开工时间 2024-03-31 不一致 (the range's start differs "
                          "from the row's planned date)"),
    ]
    assert parsed.rows[1].values == {"name": "乙项目", "planned_start": date(2024, 3, 31),
                                     "planned_completion": date(2026, 12, 31)}


# ---------------------------------------------------------------- money units


USD = ("金额单位是万美元，不是人民币元、万元或亿元：不能当作万元读入，请折算为万元（人民币）后再导入 (the amounts are in 万美元; "
       "convert them to 万元 RMB: no exchange rate is configured)")


def test_amounts_in_us_dollars_in_the_header_are_refused(session, ctx, tmp_path):
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert str(info.value) == "u.xlsx: 1 error in row 2; nothing was written"
    assert [(p.row, p.column, p.header, p.value, p.message) for p in info.value.result.errors] == [
        (2, "C", "总投资（万美元）", "万美元", USD),
    ]
    assert session.scalars(select(Project)).all() == []


def test_amounts_in_us_dollars_by_the_unit_line_are_refused(session, ctx, tmp_path):
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx", in_header=False)
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert [(p.row, p.column, p.value, p.message) for p in info.value.result.errors] == [
        (3, "C", "万美元", USD), (3, "D", "万美元", USD),
    ]
    assert (session.scalars(select(Project)).all(), session.scalars(select(InvestmentPlan)).all()) == ([], [])


def test_an_amount_in_a_foreign_currency_in_a_cell_is_refused():
    with pytest.raises(ValueProblem) as info:
        parse_amount("3000万美元")
    assert str(info.value) == ("'3000万美元' 是外币金额（万美元），不能当作人民币读入；请折算为万元（人民币）后再填 "
                               "(an amount in 万美元, not RMB: convert it to 万元)")


@pytest.mark.parametrize(
    ("line", "unit"),
    [("金额单位：亿元", "亿元"), ("计量单位：个、亿元", "亿元"), ("单位：万元、平方米", "万元"), ("（单位：元）", "元"),
     ("单位：万元、万美元", "万元、万美元"), ("填报单位：元宝区发展改革局", None)],
)
def test_the_unit_line_anywhere_above_the_header(tmp_path, line, unit):
    path = sheet(tmp_path / "u.xlsx", [["重点项目表"], [None, None, line], [], ["说明：按月报送"],
                                       ["项目名称", "总投资", "责任单位"], ["甲项目", 30000, "经济发展局"]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert parsed.info.unit == unit
    if unit in ("亿元", "万元", "元", None):
        in_wan = {"亿元": 300000000, "万元": 30000, "元": 3, None: 30000}[unit]
        assert (parsed.rows[0].values["total_investment"], parsed.problems) == (in_wan, [])
    else:
        assert [p.message for p in parsed.problems] == [USD.replace("万美元", unit)]


# ---------------------------------------------------------------- forms


FORM = ("该工作表是逐项填报的表单，不是台账表格：A列是字段名（项目名称、建设单位、建设内容及规模、总投资（万元）、计划开工时间、"
        "责任单位、形象进度），一个项目一张表；请把项目汇成一行一个项目的台账表格再导入，或用 --sheet 指定台账表格所在的工作表"
        " (this sheet is a form, not a ledger table: labels in column A, one project per sheet; put the projects in a "
        "table, one row each, or name the table's sheet with --sheet)")


def test_a_per_project_form_is_refused(session, ctx, tmp_path):
    path = corpus.project_forms(tmp_path / "f.xlsx")
    with pytest.raises(parse.FormSheet) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert str(info.value) == FORM
    with pytest.raises(parse.FormSheet):
        read_ledger(path, as_of=AS_OF, sheet="项目2")
    assert session.scalars(select(Project)).all() == []


def test_the_cli_refuses_a_form_and_writes_nothing(cli, tmp_path):
    path = corpus.project_forms(tmp_path / "f.xlsx")
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path))
    assert (r.exit_code, r.stderr) == (1, f"Error: {FORM}\n")
    assert table_counts(cli.url) == before


# ---------------------------------------------------------------- cumulative month columns


def test_year_to_date_is_the_latest_month_filled(session, ctx, tmp_path):
    path = corpus.cumulative_months(tmp_path / "m.xlsx")
    parsed = read_ledger(path, as_of=AS_OF)
    done = parsed.header.by_field()["completed_ytd"]
    assert (done.letter, done.header, done.year, done.month) == ("N", "2025年累计完成投资（万元）/1-10月", 2025, 10)
    assert unused(parsed) == [f"{letter} 2025年累计完成投资（万元）/{month}"
                              for letter, month in zip("EFGHIJKLMOP", corpus.MONTHS[:9] + corpus.MONTHS[10:])]
    assert [r.values.get("completed_ytd") for r in parsed.rows] == [8600, 6300, None]
    assert problems(parsed.problems) == [
        ("warning", 7, "N", "本行累计完成投资只填到9月，没有10月的数，本次不读本行的完成投资 (completed investment is given to "
                            "month 9 only, not to month 10; not read for this row)"),
    ]
    result = import_ledger(session, ctx, path, create_units=True)
    assert (result.added, result.completed_month) == (3, "2025-10")
    assert reports(session) == [("GX-0001", "2025-10", 8600), ("GX-0002", "2025-10", 6300)]


def test_months_after_the_ledgers_own_as_of_are_not_read(tmp_path):
    parsed = read_ledger(corpus.cumulative_months(tmp_path / "m.xlsx", as_of_line="截至2025年9月30日"), as_of=AS_OF)
    assert parsed.header.by_field()["completed_ytd"].month == 9
    assert [r.values.get("completed_ytd") for r in parsed.rows] == [7700, 5500, 2400]
    assert problems(parsed.problems) == [
        ("warning", 4, "N", "2025年累计完成投资（万元）/1-10月 的累计完成投资在台账截至日期 2025-09-30 之后，未读 (figures after "
                            "the ledger's as-of date are not read)"),
    ]


def test_each_months_own_figure_is_not_read_as_the_year_to_date(tmp_path):
    parsed = read_ledger(corpus.cumulative_months(tmp_path / "m.xlsx", cumulative=False), as_of=AS_OF)
    assert "completed_ytd" not in parsed.header.by_field()
    assert len(unused(parsed)) == 12
    assert [r.values for r in parsed.rows][0] == {"name": "高新区智能网联汽车测试场", "total_investment": 60000,
                                                  "annual_plan": 12000, "unit": "高新区发展改革局"}


# ---------------------------------------------------------------- any sheet of these pieces


REAL_CELL = st.one_of(
    st.none(), st.integers(-10, 10**6), st.floats(), st.dates(), st.text(max_size=6),
    st.sampled_from(["序号", "项目名称", "总投资（万美元）", "建设起止时间", "2009-2011", "2009-11", "1月", "1-2月",
                     "2025年累计完成投资", "挂钩领导", "市领导", "县领导", "项目业主单位", "联系人", "单位名称", "一", "（一）",
                     "(1)", "龙海市合计14个", "其中：续建", "地方配套资金", "金额单位：万美元", "0", "建设单位", "计划开工时间",
                     "责任单位", "形象进度", "建设内容", "包保领导", "截至2025年9月30日"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(REAL_CELL, max_size=8), max_size=14))
def test_any_sheet_of_real_ledger_pieces_gives_rows_problems_or_a_refusal(grid):
    """Whatever a sheet of these pieces holds: a form refused, or each row a project with a name or an error."""
    rows = [(i, ["" if v is None else v for v in r]) for i, r in enumerate(grid)]
    try:
        header = parse.find_header(rows, TABLE)
    except parse.FormSheet as exc:
        assert str(exc).startswith("该工作表是逐项填报的表单，不是台账表格：")
        return
    if header is not None:
        above = parse.read_info([r for i, r in rows if i < header.first], 2025)
        parsed = parse.parse_rows(((i, r, None) for i, r in rows), header, above, "S", clean_value=registry.clean_value)
        refused = {p.row for p in parsed.problems if p.severity == "error"}
        assert all(r.row > header.last + 1 and ("name" in r.values or r.row in refused) for r in parsed.rows)
        assert all("@" not in key and key != "planned_period" for r in parsed.rows for key in r.values)
        assert all(p.severity in ("error", "warning") and p.message for p in parsed.problems)
