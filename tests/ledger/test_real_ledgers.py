"""Ledgers in the layouts units really send (tests/helpers/ledger_corpus.py): every cell read right, or refused.

Each layout is either read with every project, amount, date, unit and leader
right (the rows `read_ledger` gives, and what the registry holds after the
import), or refused with a message naming what was not understood, and then
nothing is written.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import ledger_corpus as corpus
import pytest
from counts import table_counts
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from projects_cli.ledger import parse
from projects_cli.ledger.columns import variants
from projects_cli.ledger.importer import LedgerRejected, import_ledger, read_ledger
from projects_cli.services import registry
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import ChangeLog, InvestmentPlan, InvestmentReport, Milestone, Project
from projects_cli.values import PendingDate, ValueProblem, parse_amount, parse_date_range

AS_OF = date(2025, 10, 31)
TABLE = variants()
NEW_UNIT = "不是登记中的责任单位，将新建该单位"



def import_units_too(*args, **kwargs):
    """`import_ledger` creating the ledger's units (these registries start without them)."""
    return import_ledger(*args, create_units=True, **kwargs)

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
        "M": "unit", "N": "task_force", "O": None, "P": "leader", "Q": "notes",
    }
    # the owner's contact and the city leader are listed as not read (never 工作专班); the unit's 责任人 is the
    # project's contact in it (工作专班: the sheet has no column of that name)
    assert unused(parsed) == ["K 项目业主单位/联系人", "L 项目业主单位/电话", "O 市领导"]
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
             "task_force": "李强", "leader": "陈志远", "planned_start": date(2009, 12, 31), "planned_completion": date(2011, 12, 31)}),
        (9, {"name": "龙海市东园工业区标准厂房", "status": "在建", "content": "建设标准厂房20万平方米",
             "total_investment": 45000, "annual_plan": 12000, "completed_ytd": 2700, "owner": "龙海市东园开发建设有限公司",
             "unit": "龙海市东园镇政府", "task_force": "郑伟", "leader": "黄海", "planned_start": date(2007, 10, 31),
             "planned_completion": date(2010, 12, 31)}),
        (11, {"name": "龙海市九龙江防洪堤加固工程", "status": "前期", "content": "加固堤防12公里", "total_investment": 30000,
              "annual_plan": 5000, "owner": "龙海市水利局", "unit": "龙海市水利局", "task_force": "周涛", "leader": "许强", "notes": "待省发改委批复",
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
        "G": "completion_rate", "H": "content", "I": "site_progress", "J": "unit", "K": "task_force", "L": None,
        "M": "leader", "N": "planned_start", "O": "actual_completion", "P": "location", "Q": "approval_code",
    }
    assert unused(parsed) == ["L 市领导"]
    assert parsed.info == parse.LedgerInfo(title="2025年市重点项目推进情况表", unit="亿元", as_of=date(2025, 9, 30),
                                           year=2025)
    assert parsed.skipped_rows == [parse.Skipped(6, "total", "合计（3项）"),
                                   parse.Skipped(7, "total", "其中：在建重点项目（2项）")]
    assert [(r.row, r.values) for r in parsed.rows] == [
        (8, {"name": "漳州高新区智能装备产业园", "owner": "漳州高新区开发建设有限公司", "total_investment": 120000,
             "annual_plan": 30000, "completed_ytd": 21000, "content": "建设厂房15万平方米", "site_progress": "主体施工",
             "unit": "高新区经济发展局", "task_force": "张华", "leader": "陈区长", "planned_start": date(2024, 3, 31), "location": "高新区",
             "approval_code": "2403-350600-04-01-123456"}),
        (9, {"name": "九龙江口生态修复工程", "owner": "漳州市水利投资集团", "total_investment": 56000, "annual_plan": 12000,
             "completed_ytd": 12000, "content": "修复湿地800亩", "site_progress": "已完工", "unit": "高新区农业农村局",
             "task_force": "李敏", "leader": "黄区长", "planned_start": date(2024, 5, 1), "actual_completion": date(2025, 6, 30),
             "location": "九湖镇"}),
        (10, {"name": "高新区人才公寓二期", "owner": "漳州高新区城建集团", "total_investment": 30000, "annual_plan": 5000,
              "completed_ytd": 1000, "content": "建设人才公寓600套", "site_progress": "办理施工许可",
              "unit": "高新区住房和建设局", "task_force": "王丽", "leader": "陈区长", "planned_start": date(2025, 9, 30), "location": "高新区"}),
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
    assert session.execute(select(Project.code, Project.approval_code).order_by(Project.code)).all() == [
        ("GX-0001", "2403-350600-04-01-123456"), ("GX-0002", None), ("GX-0003", None)]


# ---------------------------------------------------------------- 项目审批代码


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("2020-350000-44-01-012345", "2020-350000-44-01-012345"),
        ("２０２０－３５００００－４４－０１－０１２３４５", "2020-350000-44-01-012345"),
        ("2020 - 350000 - 44 - 01 - 01234x", "2020-350000-44-01-01234X"),
        ("2403-350600-04-01-123456", "2403-350600-04-01-123456"),
    ],
)
def test_the_national_approval_code_is_read_in_its_shape(cell, stored):
    assert registry.clean_value("approval_code", cell) == stored


APPROVAL_SHAPE = ("不是全国投资项目审批代码的格式（4位-6位-2位-2位-6位，如 2020-350000-44-01-012345）")


def test_junk_in_the_approval_code_is_refused_naming_row_and_cell(session, ctx, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [["项目名称", "项目代码", "总投资"], ["甲项目", "2020-350000-44-01-012345", 100],
                                       ["乙项目", "已赋码", 200], ["丙项目", 2020350000, 300]])
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path)
    assert str(info.value) == "a.xlsx：2 处错误（第 3, 4 行）；未写入任何内容"
    assert [(p.row, p.column, p.header, p.value, p.message) for p in info.value.result.errors] == [
        (3, "B", "项目代码", "已赋码", f"'已赋码' {APPROVAL_SHAPE}"),
        (4, "B", "项目代码", 2020350000, f"'2020350000' {APPROVAL_SHAPE}"),
    ]
    assert session.scalars(select(Project)).all() == []


def test_the_approval_code_is_shown_and_exported(cli, tmp_path):
    path = sheet(tmp_path / "a.xlsx", [["项目名称", "项目审批代码", "总投资"], ["甲项目", "2020-350000-44-01-012345", 100]])
    assert cli("ledger", "import", str(path)).exit_code == 0
    shown = cli("show", "GX-0001")
    assert "项目审批代码" in shown.stdout and "2020-350000-44-01-012345" in shown.stdout.splitlines()[-1]
    assert cli("ledger", "export", str(tmp_path / "out.xlsx")).exit_code == 0
    ws = load_workbook(tmp_path / "out.xlsx").active
    header = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, header["项目名称"]).value == "甲项目")
    assert ws.cell(row, header["项目审批代码"]).value == "2020-350000-44-01-012345"


# ---------------------------------------------------------------- header rows and group + sub pairs


@pytest.mark.parametrize(
    ("group", "sub", "field"),
    [
        ("项目业主单位", "业主名称", "owner"),
        ("项目业主单位", "联系人", None),
        ("项目业主单位", "负责人", None),
        ("项目业主单位", "电话", None),
        ("市或县挂钩责任单位", "单位名称", "unit"),
        ("市或县挂钩责任单位", "责任人", "task_force"),
        ("责任单位", "责任人", "task_force"),
        ("责任单位", "联系电话", None),
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
        ("error", 3, "B", "项目名称为空：每个项目行都要有项目名称"),
    ]


def test_funding_rows_under_a_project_are_refused_by_name(session, ctx, tmp_path):
    path = corpus.funding_blocks(tmp_path / "f.xlsx")
    parsed = read_ledger(path, as_of=AS_OF)
    assert [r.values["name"] for r in parsed.rows] == ["九湖镇污水管网配套工程", "高新区中小学扩容工程"]
    assert parsed.skipped_rows == [parse.Skipped(4, "total", "其中：中央预算内资金")]
    assert problems(parsed.problems) == [
        ("error", 5, "B", "'地方配套资金' 没有序号，像是第3行项目（九湖镇污水管网配套工程）的资金来源续行，不是项"
                          "目；请删去此行或把它并入该项目的行"),
    ]
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert str(info.value) == "f.xlsx：1 处错误（第 5 行）；未写入任何内容"
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


RANGE_FORMS = "应写明开始和结束，例如 2009-2011、2007.10-2010.12、2024年3月至2026年6月、09.10-11.3 或 2010-"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2009-11", "'2009-11' 只有一个时间（2009-11-30），分不清是开工还是竣工；"
                    f"{RANGE_FORMS}"),
        (2011, f"2011 只有一个时间（2011-12-31），分不清是开工还是竣工；"
               f"{RANGE_FORMS}"),
        (date(2024, 3, 1), "'2024-03-01' 只有一个时间（2024-03-01），分不清是开工还是竣工；"
                           f"{RANGE_FORMS}"),
        ("3年", f"'3年' 不是起止时间；{RANGE_FORMS}"),
        ("-2011", f"'-2011' 不是起止时间；{RANGE_FORMS}"),
        ("2012-2010", "'2012-2010'：竣工早于开工"),
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
    assert str(info.value) == "d.xlsx：1 处错误（第 8 行）；未写入任何内容"
    assert [(p.row, p.column, p.header, p.value, p.message) for p in info.value.result.errors] == [
        (8, "D", "建设起止时间", "2009-11", "'2009-11' 只有一个时间（2009-11-30），分不清是开工还是竣工；"
                                      f"{RANGE_FORMS}"),
    ]
    assert session.scalars(select(Project)).all() == []


def test_a_range_that_contradicts_the_rows_own_planned_date(tmp_path):
    path = sheet(tmp_path / "c.xlsx", [["项目名称", "建设起止时间", "计划开工时间"], ["甲项目", "2024-2026", "2024年3月"],
                                       ["乙项目", "2024.3-2026", "2024年3月"]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert problems(parsed.problems) == [
        ("error", 2, "B", "建设起止时间的开工时间 2024-12-31 与本行计划开工时间 2024-03-31 不一致"),
    ]
    assert parsed.rows[1].values == {"name": "乙项目", "planned_start": date(2024, 3, 31),
                                     "planned_completion": date(2026, 12, 31)}


# ---------------------------------------------------------------- money units


USD = ("金额单位是万美元，不是人民币元、万元或亿元：不能当作万元读入，请折算为万元（人民币）后再导入，或在配置文"
       '件 [ledger.rates] 写明 1 美元折合多少元（如 "美元" = 7.1）')


def test_amounts_in_us_dollars_in_the_header_are_refused(session, ctx, tmp_path):
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert str(info.value) == "u.xlsx：1 处错误（第 2 行）；未写入任何内容"
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
    assert str(info.value) == ("'3000万美元' 是外币金额（万美元），不能当作人民币读入；请折算为万元（人民币）后再填")


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
        assert [p.message for p in parsed.problems] == [  # two units: no rate makes one of them
            f"单位行写了几种金额单位（{unit}），分不清本列用哪一种：请在金额列的表头写明单位，如 总投资（万元）"]


# ---------------------------------------------------------------- forms


FORM = ("该工作表是逐项填报的表单，不是台账表格：A列是字段名（项目名称、建设单位、建设内容及规模、总投资（万元）"
        "、计划开工时间、责任单位、形象进度），一个项目一张表；请把项目汇成一行一个项目的台账表格再导入，或用 --s"
        "heet 指定台账表格所在的工作表")


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
    assert (r.exit_code, r.stderr) == (1, f"错误：{FORM}\n")
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
        ("warning", 7, "N", "本行累计完成投资只填到9月，没有10月的数，本次不读本行的完成投资"),
    ]
    result = import_ledger(session, ctx, path, create_units=True)
    assert (result.added, result.completed_month) == (3, "2025-10")
    # each month's own figure is kept: the differences of the cumulative ones (1-3月 less 1-2月 …)
    assert sorted(reports(session)) == [
        *(("GX-0001", f"2025-{m:02d}", f) for m, f in enumerate([800, 800, 900, 800, 900, 800, 900, 900, 900, 900], 1)),
        *(("GX-0002", f"2025-{m:02d}", f) for m, f in enumerate([0, 500, 700, 800, 600, 700, 700, 800, 700, 800], 1)),
    ]
    assert import_units_too(session, ctx, path).counts() == {"added": 0, "changed": 0, "unchanged": 3, "refused": 0}


def test_cumulative_months_correct_the_months_on_file(session, ctx, tmp_path):
    path = corpus.cumulative_months(tmp_path / "m.xlsx")
    import_units_too(session, ctx, path)
    registry_month = session.scalars(select(InvestmentReport).join(Project).where(
        Project.code == "GX-0001", InvestmentReport.month == "2025-03")).one()
    registry_month.amount = Decimal(1000)  # March on file says 1000, the ledger's 1-3月 less 1-2月 says 900
    session.flush()
    result = import_units_too(session, ctx, path, dry_run=True)
    assert [(c.row, c.code, [(d.header, d.old, d.new) for d in c.details]) for c in result.changes
            if c.action == "change"] == [(5, "GX-0001", [("3月完成投资", Decimal(1000), Decimal(900))])]
    import_units_too(session, ctx, path)
    assert ("GX-0001", "2025-03", 900) in reports(session)
    assert ("GX-0001", "2025-10", 900) in reports(session)


def test_a_cumulative_figure_below_the_month_before_is_refused(session, ctx, tmp_path):
    path = tmp_path / "c.xlsx"
    wb = Workbook()
    for row in [["项目名称", "累计完成投资", None, None], [None, "1月", "1-2月", "1-3月"], ["甲项目", 100, 90, 150]]:
        wb.active.append(row)
    wb.active.merge_cells("A1:A2")
    wb.active.merge_cells("B1:D1")
    wb.save(path)
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, ctx, path)
    assert problems(info.value.result.errors) == [
        ("error", 3, "C", "累计完成投资/1-2月 的累计数 90 小于上月累计 100：累计完成投资不会减少")]
    assert session.scalars(select(Project)).all() == []


def test_months_after_the_ledgers_own_as_of_are_not_read(tmp_path):
    parsed = read_ledger(corpus.cumulative_months(tmp_path / "m.xlsx", as_of_line="截至2025年9月30日"), as_of=AS_OF)
    assert parsed.header.by_field()["completed_ytd"].month == 9
    assert [r.values.get("completed_ytd") for r in parsed.rows] == [7700, 5500, 2400]
    assert problems(parsed.problems) == [
        ("warning", 4, "N", "2025年累计完成投资（万元）/1-10月 的累计完成投资在台账截至日期 2025-09-30 之后，未读"),
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


# ---------------------------------------------------------------- 调度表: 旬, 完成率, 建设单位及责任人


def test_dispatch_with_ten_days_every_cell_read_right(tmp_path):
    parsed = read_ledger(corpus.dispatch_with_ten_days(tmp_path / "np.xlsx"), as_of=AS_OF)
    assert (parsed.header.first + 1, parsed.header.last + 1) == (4, 5)
    assert fields(parsed) == {"A": "seq", "B": "name", "C": "owner", "D": "unit", "E": "annual_plan",
                              "F": "completed_ytd", "G": "completion_rate", "H": None, "I": None, "J": None, "K": "notes"}
    # the ten-day figures are listed as not read, never taken for a month's or the year's figure
    assert unused(parsed) == ["H 10月完成投资/上旬（旬数据，不读）", "I 10月完成投资/中旬（旬数据，不读）",
                              "J 10月完成投资/下旬（旬数据，不读）", "C 建设单位及责任人（其中的责任人不读）"]
    assert [(r.row, r.values) for r in parsed.rows] == [
        (6, {"name": "南平市武夷新区城市综合体", "owner": "南平市政府", "unit": "南平市发展和改革委员会", "annual_plan": 24000,
             "completed_ytd": 18000}),
        (7, {"name": "建阳区智能家居产业园", "owner": "建阳区工业园区管委会", "unit": "建阳区工信局", "annual_plan": 8000,
             "completed_ytd": 6000}),
        (8, {"name": "邵武市竹木加工基地", "owner": "邵武市竹业发展有限公司", "unit": "邵武市工信局", "annual_plan": 5000,
             "completed_ytd": 1000, "notes": "旬报未报"}),
    ]
    assert problems(parsed.problems) == [
        ("warning", 7, "G", "完成率 0.8 与本行数字不符：完成投资 6000 ÷ 年度计划投资 8000 = 75%"),
        ("warning", 8, "C", '\'邵武市竹业发展有限公司\' 分不出单位和责任人（应为"单位 姓名"），按原文读作建设单位'),
    ]


def test_dispatch_with_ten_days_imports_and_says_what_it_did_not_read(cli, tmp_path):
    path = corpus.dispatch_with_ten_days(tmp_path / "np.xlsx")
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 0
    assert ("未识别的列：H 10月完成投资/上旬（旬数据，不读）；I 10月完成投资/中旬（旬数据，不读）；"
            "J 10月完成投资/下旬（旬数据，不读）；C 建设单位及责任人（其中的责任人不读）\n") in r.stderr
    assert "提醒：调度表 第 7 行，G 列 年度投资完成率：完成率 0.8 与本行数字不符" in r.stderr
    shown = cli("list", "--format", "json")
    assert [(p["name"], p["owner"], p["unit"], p["annual_plan"]) for p in json.loads(shown.stdout)] == [
        ("南平市武夷新区城市综合体", "南平市政府", "南平市发展和改革委员会", 24000),
        ("建阳区智能家居产业园", "建阳区工业园区管委会", "建阳区工信局", 8000),
        ("邵武市竹木加工基地", "邵武市竹业发展有限公司", "邵武市工信局", 5000),
    ]


RATE_OFF = ("完成率 {} 与本行数字不符：完成投资 6010 ÷ 年度计划投资 8000 = 75.13%")


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        # 6010 ÷ 8000 = 75.125%: right to the digits each rate is written with
        ("75%", None), (75, None), ("75.1%", None), ("75.13%", None), (0.75, None), (0.7513, None), (75.125, None),
        ("75.2%", RATE_OFF.format("75.2%")), ("74%", RATE_OFF.format("74%")), ("75.10%", RATE_OFF.format("75.1%")),
        (0.76, RATE_OFF.format("0.76")), (80, RATE_OFF.format("80")),
    ],
)
def test_the_completion_rate_is_checked_within_its_rounding(tmp_path, rate, message):
    path = sheet(tmp_path / "r.xlsx", [["项目名称", "年度计划投资", "累计完成投资", "年度投资完成率"], ["甲项目", 8000, 6010, rate]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert parsed.rows[0].values == {"name": "甲项目", "annual_plan": 8000, "completed_ytd": 6010}
    assert [p.message for p in parsed.problems] == ([message] if message else [])


def test_a_completion_rate_that_is_not_a_rate_is_refused(session, ctx, tmp_path):
    path = sheet(tmp_path / "r.xlsx", [["项目名称", "年度计划投资", "累计完成投资", "年度投资完成率"], ["甲项目", 8000, 6000, "过半"]])
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, ctx, path)
    assert problems(info.value.result.problems) == [
        ("error", 2, "D", "'过半' 不是完成率（应为 97.2%、0.972 或 97.2）")]
    assert session.scalars(select(Project)).all() == []


def test_a_unit_and_person_without_the_header_saying_so_is_kept_with_a_warning(tmp_path):
    path = sheet(tmp_path / "p.xlsx", [["项目名称", "建设单位", "总投资"], ["甲项目", "南平市政府 张兆民", 100],
                                       ["乙项目", "福建金山纸业有限公司", 200]])
    parsed = read_ledger(path, as_of=AS_OF)
    assert [r.values["owner"] for r in parsed.rows] == ["南平市政府 张兆民", "福建金山纸业有限公司"]
    assert problems(parsed.problems) == [
        ("warning", 2, "B", '\'南平市政府 张兆民\' 像是单位加责任人，但表头没有写"及责任人"，按原文读入'),
    ]


# ---------------------------------------------------------------- 万美元 at the configured rate


def test_amounts_in_us_dollars_at_the_configured_rate(session, ctx, tmp_path):
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx")
    result = import_units_too(session, ctx, path, config={"ledger": {"usd_rate": 7.1}})
    assert (result.added, result.errors, result.converted) == (2, [], {"total_investment": "总投资（万美元）按 1 美元 = 7.1 元折算"})
    # 3000 万美元 × 7.1 = 21300 万元; the annual plan's column names no currency: 万元 as written
    assert projects(session, 2025) == [
        ("GX-0001", "台湾宏达精密模具项目", None, "高新区商务局", None, 21300, 800, "前期", None, None),
        ("GX-0002", "新加坡丰益油脂扩产项目", None, "高新区商务局", None, 85200, 2000, "前期", None, None),
    ]
    logged = [json.loads(new) for (new,) in session.execute(
        select(ChangeLog.new).where(ChangeLog.table_name == "project").order_by(ChangeLog.id))]
    assert [(e["total_investment"], e["汇率:total_investment"]) for e in logged] == [
        ("21300", "总投资（万美元）按 1 美元 = 7.1 元折算"), ("85200", "总投资（万美元）按 1 美元 = 7.1 元折算")]
    again = import_units_too(session, ctx, path, config={"ledger": {"usd_rate": 7.1}})
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)


def test_the_unit_line_in_dollars_at_the_configured_rate_converts_every_amount(session, ctx, tmp_path):
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx", in_header=False)
    result = import_units_too(session, ctx, path, config={"ledger": {"usd_rate": 7.123}})
    assert result.converted == {"total_investment": "总投资按 1 美元 = 7.123 元折算",
                                "annual_plan": "年度计划投资按 1 美元 = 7.123 元折算"}
    # to the fen: 800 × 7.123 = 5698.4, 12000 × 7.123 = 85476
    assert [(r[5], r[6]) for r in projects(session, 2025)] == [(Decimal("21369"), Decimal("5698.4")),
                                                               (Decimal("85476"), Decimal("14246"))]


def test_dollar_cumulative_figures_record_the_rate_with_the_months_figure(session, ctx, tmp_path):
    path = sheet(tmp_path / "d.xlsx", [["金额单位：万美元"], ["项目名称", "1-10月完成投资", "总投资"], ["甲项目", 100.5, 1000]])
    import_units_too(session, ctx, path, config={"ledger": {"usd_rate": 7.1}})
    assert reports(session) == [("GX-0001", "2025-10", Decimal("713.55"))]
    assert session.scalars(select(InvestmentReport.source)).all() == ["d.xlsx（1-10月完成投资按 1 美元 = 7.1 元折算）"]


def test_other_currencies_stay_refused_with_a_dollar_rate(session, ctx, tmp_path):
    path = sheet(tmp_path / "e.xlsx", [["项目名称", "总投资（万欧元）"], ["甲项目", 100]])
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, ctx, path, config={"ledger": {"usd_rate": 7.1}})
    assert [(p.column, p.value, p.message) for p in info.value.result.errors] == [
        ("B", "万欧元", "金额单位是万欧元，不是人民币元、万元或亿元：不能当作万元读入，请折算为万元（人民币）后再导"
                      '入，或在配置文件 [ledger.rates] 写明 1 欧元折合多少元（如 "欧元" = 7.8）')]
    assert session.scalars(select(Project)).all() == []


def test_the_dollar_rate_must_be_a_positive_number():
    from projects_cli.config.office import section
    from projects_cli.errors import ProjectsError

    with pytest.raises(ProjectsError) as info:
        section({"ledger": {"usd_rate": 0}}, "ledger")
    assert "usd_rate" in str(info.value) and "应为大于 0 的数" in str(info.value)


def test_the_cli_says_at_what_rate_it_converted(cli, tmp_path):
    (tmp_path / "config.toml").write_text("[ledger]\nusd_rate = 7.1\n", encoding="utf-8")
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx")
    r = cli("--config", str(tmp_path / "config.toml"), "ledger", "import", "--create-units", str(path))
    assert r.exit_code == 0, r.stderr
    assert "外币折算为万元：总投资（万美元）按 1 美元 = 7.1 元折算\n" in r.stderr


# ---------------------------------------------------------------- several sheets


def test_other_ledger_sheets_are_named(cli, tmp_path):
    path = corpus.several_sheets(tmp_path / "s.xlsx")
    parsed = read_ledger(path, as_of=AS_OF)
    assert (parsed.sheet, parsed.others) == ("城区项目", ["园区项目"])
    assert read_ledger(path, as_of=AS_OF, sheet="园区项目").others == ["城区项目"]
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 0
    assert ("其他工作表也有台账，未读：园区项目；--sheet all 全部导入，"
            "--sheet 名称 导入另一张\n") in r.stderr
    assert r.stderr.endswith("已导入 s.xlsx（工作表 城区项目，表头第 2–2 行） 的 2 行：新增 2，修改 0，未变 0；"
                             "2 条警告\n")


def test_every_ledger_sheet_in_one_go(session, ctx, tmp_path):
    path = corpus.several_sheets(tmp_path / "s.xlsx")
    result = import_units_too(session, ctx, path, sheet="all")
    assert (result.sheet, [p.sheet for p in result.parts], result.counts()) == (
        "城区项目、园区项目", ["城区项目", "园区项目"], {"added": 3, "changed": 0, "unchanged": 0, "refused": 0})
    assert [(p.sheet, p.row) for p in result.problems] == [("城区项目", 3), ("城区项目", 4), ("园区项目", 3)]
    assert projects(session, 2025) == [
        ("GX-0001", "城区污水管网改造工程", None, "高新区住房和建设局", None, 12000, 3000, "前期", None, None),
        ("GX-0002", "城区智慧停车场", None, "高新区城市管理局", None, 4500, 1500, "前期", None, None),
        ("GX-0003", "园区标准厂房三期", None, "高新区经济发展局", None, 26000, 8000, "前期", None, None),
    ]
    assert milestones(session) == [("GX-0001", "开工", date(2025, 3, 31), None), ("GX-0002", "开工", date(2025, 5, 1), None),
                                   ("GX-0003", "开工", date(2025, 6, 30), None)]
    again = import_units_too(session, ctx, path, sheet="all")
    assert again.counts() == {"added": 0, "changed": 0, "unchanged": 3, "refused": 0}


def test_a_project_on_two_sheets_is_refused_naming_both(session, ctx, tmp_path):
    path = corpus.several_sheets(tmp_path / "s.xlsx", duplicate=True)
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, ctx, path, sheet="all")
    assert str(info.value) == "s.xlsx：1 处错误（工作表 园区项目）；未写入任何内容"
    assert [(p.sheet, p.row, p.column, p.message) for p in info.value.result.errors] == [
        ("园区项目", 4, "B", "与工作表 城区项目 第 4 行是同一个项目（城区智慧停车场）：一个项目在台账里只能有一行")]
    assert session.scalars(select(Project)).all() == []


def test_a_project_on_file_named_by_code_on_one_sheet_and_by_name_on_another(session, ctx, tmp_path):
    registry.add_project(session, ctx, {"name": "园区标准厂房三期", "total_investment": "26000"})
    path = tmp_path / "c.xlsx"
    wb = Workbook()
    wb.active.title = "一"
    wb.active.append(["项目编号", "项目名称", "总投资"])
    wb.active.append(["GX-0001", "园区标准厂房（三期）", 27000])
    two = wb.create_sheet("二")
    two.append(["项目名称", "总投资"])
    two.append(["园区标准厂房三期", 28000])
    wb.save(path)
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, ctx, path, sheet="all")
    assert [(p.sheet, p.row, p.message) for p in info.value.result.errors] == [
        ("二", 2, "与工作表 一 第 2 行是同一个项目（GX-0001）：一个项目在台账里只能有一行")]


def test_an_error_on_any_sheet_writes_nothing_from_any(cli, tmp_path):
    path = corpus.several_sheets(tmp_path / "s.xlsx", bad=True)
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path), "--sheet", "all")
    assert r.exit_code == 1
    assert "错误：园区项目 第 4 行，C 列 总投资（万元）：" in r.stderr
    assert r.stderr.endswith("错误：s.xlsx：1 处错误（工作表 园区项目）；未写入任何内容\n")
    assert table_counts(cli.url) == before


# ---------------------------------------------------------------- 当月完成投资


def test_the_months_own_figure_by_the_title_month_checked_against_the_year_to_date(session, tmp_path):
    september = corpus.monthly_report(tmp_path / "9.xlsx", 9, [["高新区智能网联汽车测试场", 12000, 7700, None],
                                                               ["漳州港疏港大道拓宽工程", 9000, 5500, None]])
    first = import_units_too(session, at(date(2025, 9, 30)), september)
    assert (first.completed_month, first.unused_columns) == ("2025-09", [])
    october = corpus.monthly_report(tmp_path / "10.xlsx", 10, [
        ["高新区智能网联汽车测试场", 12000, 8600, 900],  # 8600 − 7700 = 900: agrees
        ["漳州港疏港大道拓宽工程", 9000, None, 800],  # the month's figure alone
        ["九湖镇农产品加工园", 3000, None, 300],  # a new project's first month
    ])
    result = import_units_too(session, at(date(2025, 10, 31)), october)
    assert (result.completed_month, result.errors, result.counts()) == (
        "2025-10", [], {"added": 1, "changed": 2, "unchanged": 0, "refused": 0})
    assert reports(session) == [("GX-0001", "2025-09", 7700), ("GX-0001", "2025-10", 900),
                                ("GX-0002", "2025-09", 5500), ("GX-0002", "2025-10", 800), ("GX-0003", "2025-10", 300)]
    again = import_units_too(session, at(date(2025, 10, 31)), october)
    assert again.counts() == {"added": 0, "changed": 0, "unchanged": 3, "refused": 0}


def test_a_months_figure_that_disagrees_with_the_year_to_date_is_refused(session, tmp_path):
    import_units_too(session, at(date(2025, 9, 30)),
                  corpus.monthly_report(tmp_path / "9.xlsx", 9, [["高新区智能网联汽车测试场", 12000, 7700, None]]))
    october = corpus.monthly_report(tmp_path / "10.xlsx", 10, [["高新区智能网联汽车测试场", 12000, 8600, 1000]])
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, at(date(2025, 10, 31)), october)
    assert problems(info.value.result.errors) == [
        ("error", 3, "E", "当月完成投资 1000 万元与累计数不符：2025-10 累计 8600 万元 − 此前各月已报 7700 万元 = "
                          "900 万元")]
    assert reports(session) == [("GX-0001", "2025-09", 7700)]


def test_a_title_naming_a_span_is_not_the_ledgers_month(tmp_path):
    path = sheet(tmp_path / "t.xlsx", [["2025年1-9月重点项目完成情况"], ["项目名称", "累计完成投资"], ["甲项目", 100]])
    assert read_ledger(path, as_of=AS_OF).info.as_of is None


def test_the_dry_run_of_every_sheet_names_each_changes_sheet(cli, tmp_path):
    path = corpus.several_sheets(tmp_path / "s.xlsx", bad=True)
    r = cli("ledger", "import", "--create-units", str(path), "--sheet", "all", "--dry-run", "--format", "json")
    assert r.exit_code == 1
    shown = json.loads(r.stdout)
    # row 4 of 园区项目 is refused; row 4 of 城区项目 is not
    assert [(c["sheet"], c["row"], c["action"], c["name"]) for c in shown["changes"]] == [
        ("城区项目", 3, "add", "城区污水管网改造工程"), ("城区项目", 4, "add", "城区智慧停车场"),
        ("园区项目", 3, "add", "园区标准厂房三期"), ("园区项目", 4, "refused", "园区道路提升工程")]
    assert (shown["sheet"], shown["counts"]) == ("城区项目、园区项目", {"added": 3, "changed": 0, "unchanged": 0, "refused": 1})


def test_the_month_given_for_a_ledger_that_names_none(cli, tmp_path):
    path = sheet(tmp_path / "m.xlsx", [["项目名称", "年初至今累计完成投资额", "当月完成投资"], ["甲项目", 900, 900]])
    r = cli("ledger", "import", "--create-units", str(path), "--month", "2025-09", "--dry-run", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert [(d["header"], d["new"]) for d in json.loads(r.stdout)["changes"][0]["changes"]] == [
        ("项目名称", "甲项目"), ("年初至今累计完成投资额", "900")]
    r = cli("ledger", "import", "--create-units", str(path), "--month", "2025-13")
    assert (r.exit_code, "2025-13" in r.stderr, "YYYY-MM" in r.stderr) == (2, True, True)


def test_the_month_given_is_the_months_report(session, ctx, tmp_path):
    path = sheet(tmp_path / "m.xlsx", [["项目名称", "当月完成投资"], ["甲项目", 900]])
    result = import_units_too(session, ctx, path, month="2025-09")
    assert (result.completed_month, reports(session)) == ("2025-09", [("GX-0001", "2025-09", 900)])


def test_a_month_given_that_the_ledger_contradicts_is_refused(session, ctx, tmp_path):
    path = corpus.monthly_report(tmp_path / "10.xlsx", 10, [["甲项目", 1000, 900, 900]])
    with pytest.raises(LedgerRejected) as info:
        import_units_too(session, ctx, path, month="2025-09")
    assert problems(info.value.result.errors) == [
        ("error", 2, "", "台账写的是 2025-10，--month 给的是 2025-09：请核对后只用台账自己的月份")]
    assert session.scalars(select(Project)).all() == []
