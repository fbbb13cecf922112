"""Ledger export: the filed layout (read back cell by cell), filters, sections, and the round trip through import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import ledger_samples as samples
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from projects_cli.errors import ProjectsError
from projects_cli.ledger.exporter import export_ledger
from projects_cli.ledger.importer import import_ledger
from projects_cli.services import registry
from projects_cli.store.models import Card, InvestmentPlan, InvestmentReport, Milestone, Project

EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def filled(session, ctx, tmp_path):
    """The office ledger's five projects, one more with a formula-looking name, and a red card."""
    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    registry.add_project(session, ctx, {"name": EVIL, "chain": "乡村振兴", "total_investment": "100",
                                        "categories": "省重点、市重点", "unit": "经济发展局"}, create_units=True)
    project = registry.get_project(session, "GX-0001")
    session.add(Card(project_id=project.id, period="2025-10", as_of=date(2025, 10, 31), color="red",
                     created_at=ctx.now))
    session.flush()
    return session


def sheet(path):
    return load_workbook(path).active


def test_the_filed_layout(filled, ctx, tmp_path):
    out = tmp_path / "台账.xlsx"
    assert export_ledger(filled, ctx, out, registry.ProjectFilter()) == 6
    ws = sheet(out)
    assert ws.title == "重点项目台账"
    assert ws["A1"].value == "重点项目推进情况台账（截至2025年10月31日）"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:AC1", "AA2:AC2", "A3:A4", "C3:C4", "L3:O3", "Q3:R3", "S3:T3", "A5:K5", "A6:K6"} <= merged
    assert (ws["A2"].value, ws["AA2"].value) == ("单位：万元", "截至2025年10月31日")
    assert [ws.cell(3, c).value for c in range(1, 30)] == [
        "序号", "项目编号", "项目名称", "项目类别", "产业集群", "产业链", "建设单位", "建设地点", "建设内容及规模",
        "建筑面积（万平方米）", "产能", "投资情况（万元）", None, None, None, "项目状态", "开工时间", None, "竣工时间",
        None, "形象进度", "责任单位", "包保领导", "工作专班", "规划专栏", "项目来源", "预警等级", "备注",
        "项目审批代码",
    ]
    assert [ws.cell(4, c).value for c in range(12, 21)] == [
        "总投资", "2025年计划投资", "2025年1-10月完成投资", "投资完成率", None, "计划", "实际", "计划", "实际",
    ]
    # 合计, then sections with their subtotals, then projects
    assert [ws.cell(5, c).value for c in (1, 12, 13, 14)] == ["合计（6个）", 416100, 31200, 15700]
    assert [ws.cell(r, 1).value for r in range(6, 17)] == [
        "一、高端装备（4个）", "（一）工程机械（2个）", 1, 2, "（二）智能装备（2个）", 3, 4, "二、医养健康（1个）", 5,
        "三、乡村振兴（1个）", 6,
    ]
    assert [ws.cell(6, c).value for c in (12, 13, 14)] == [254800, 31200, 15700]
    row8 = {ws.cell(3, c).value or ws.cell(4, c).value: ws.cell(8, c) for c in range(1, 30)}
    assert ws["B8"].value == "GX-0001" and ws["C8"].value == "山推大马力推土机产业化项目"
    assert (ws["L8"].value, ws["L8"].number_format) == (48800, "#,##0.00")
    assert (ws["O8"].value, ws["O8"].number_format) == (pytest.approx(9800 / 12000), "0.0%")
    assert (ws["Q8"].value.date(), ws["Q8"].number_format) == (date(2024, 3, 1), "yyyy-mm-dd")
    assert ws["V8"].value == "经济发展局"
    # the card colours its cell
    assert (ws["AA8"].value, ws["AA8"].fill.fgColor.rgb) == ("红牌", "00FF8B8B")
    assert ws["AA9"].value is None and ws["AA9"].fill.fill_type is None
    # borders everywhere in the table, wrapped long text
    assert all(ws.cell(9, c).border.left.style == "thin" for c in range(1, 30))
    assert ws["C8"].alignment.wrap_text and ws["I8"].alignment.wrap_text
    # a row as tall as its wrapped text (建设内容及规模, 38 units in a 30-wide column: two lines of 15 points)
    assert (ws.row_dimensions[8].height, ws.row_dimensions[9].height) == (30, None)
    # the formula-looking name is text, not a formula
    evil = ws["C16"]
    assert (evil.value, evil.data_type) == (EVIL, "s")
    assert ws["D16"].value == "省重点、市重点"
    # frozen header, print setup
    assert ws.freeze_panes == "D5"
    assert ws.print_title_rows == "$3:$4"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 8)
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    # widths fit the Chinese text
    assert ws.column_dimensions["B"].width == 10  # 项目编号: 8 + 2
    assert ws.column_dimensions["C"].width == 30  # long names wrap at 30
    assert row8["序号"].value == 1


def test_group_by_unit_and_none_and_filters(filled, ctx, tmp_path):
    export_ledger(filled, ctx, tmp_path / "u.xlsx", registry.ProjectFilter(), group_by="unit", paper="A4")
    ws = sheet(tmp_path / "u.xlsx")
    assert [ws.cell(r, 1).value for r in range(5, 15)] == [
        "合计（6个）", "一、卫生健康局（1个）", 1, "二、科技创新局（2个）", 2, 3, "三、经济发展局（3个）", 4, 5, 6,
    ]
    assert ws.page_setup.paperSize == 9
    export_ledger(filled, ctx, tmp_path / "n.xlsx", registry.ProjectFilter(unit="科技创新局"), group_by="none")
    ws = sheet(tmp_path / "n.xlsx")
    assert [[ws.cell(r, c).value for c in (1, 2)] for r in range(5, ws.max_row + 1)] == [
        ["合计（2个）", None], [1, "GX-0003"], [2, "GX-0004"],
    ]


def test_export_refuses_what_it_cannot_write(filled, ctx, tmp_path):
    with pytest.raises(ProjectsError, match=r"^x.csv：台账写成 Excel 工作簿，文件名请用 \*.xlsx$"):
        export_ledger(filled, ctx, tmp_path / "x.csv", registry.ProjectFilter())
    with pytest.raises(ProjectsError, match="^文件夹 .*nowhere 不存在$"):
        export_ledger(filled, ctx, tmp_path / "nowhere" / "x.xlsx", registry.ProjectFilter())


def registry_dump(session) -> dict:
    """Everything the ledger carries, keyed by code, ids and timestamps left out."""
    rows = {r["code"]: r for r in registry.list_projects(session, registry.ProjectFilter(), 2025)}
    miles = session.execute(select(Project.code, Milestone.kind, Milestone.planned_date, Milestone.actual_date)
                            .join(Project).order_by(Project.code, Milestone.kind)).all()
    done = session.execute(select(Project.code, InvestmentReport.amount).join(Project)
                           .where(InvestmentReport.month.between("2025-01", "2025-10"))).all()
    ytd: dict[str, Decimal] = {}
    for code, amount in done:
        ytd[code] = ytd.get(code, Decimal(0)) + Decimal(amount)
    plans = dict(session.execute(select(Project.code, InvestmentPlan.amount).join(Project)
                                 .where(InvestmentPlan.year == 2025)).all())
    return {"projects": rows, "milestones": miles, "ytd": ytd, "plans": plans}


def test_round_trip_into_the_same_registry_changes_nothing(filled, ctx, tmp_path):
    export_ledger(filled, ctx, tmp_path / "r.xlsx", registry.ProjectFilter())
    result = import_ledger(filled, ctx, tmp_path / "r.xlsx", create_units=True)
    assert (result.rows, result.added, result.changed, result.unchanged, result.problems) == (6, 0, 0, 6, [])


def test_round_trip_into_an_empty_registry(ctx, tmp_path):
    from projects_cli.store import db
    from projects_cli.store.db import session_scope

    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    for url in (first, second):
        db.upgrade(url, backup=False)
    with session_scope(first) as s:
        import_ledger(s, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
        registry.add_project(s, ctx, {"name": EVIL, "floor_area": "1.5", "plan_columns": "4-1、11-1",
                                      "owner": "=cmd|' /C calc'!A0", "content": "+1 多行\n说明"})
        from projects_cli.services import investment, milestones

        project = registry.get_project(s, "GX-0001")
        investment.set_month(s, ctx, project, "2025-03", Decimal("1234.5"))
        milestones.set_planned(s, ctx, project, "竣工", date(2026, 9, 30), "用地调整")
        export_ledger(s, ctx, tmp_path / "r.xlsx", registry.ProjectFilter())
        expected = registry_dump(s)
    with session_scope(second) as s:
        result = import_ledger(s, ctx, tmp_path / "r.xlsx", create_units=True)
        assert (result.added, result.errors) == (6, [])
        got = registry_dump(s)
    assert got["projects"] == expected["projects"]
    assert got["projects"]["GX-0006"]["name"] == EVIL
    assert got["projects"]["GX-0006"]["owner"] == "=cmd|' /C calc'!A0"
    assert got["milestones"] == expected["milestones"]
    assert got["plans"] == expected["plans"]
    assert got["ytd"] == expected["ytd"] == {"GX-0001": Decimal("11034.5"), "GX-0002": 900, "GX-0004": 5000}


def test_the_printable_column_set_and_named_columns(filled, ctx, tmp_path):
    out = tmp_path / "打印.xlsx"
    assert export_ledger(filled, ctx, out, registry.ProjectFilter(), shown="print") == 6
    ws = sheet(out)
    assert [ws.cell(3, c).value for c in range(1, 16)] == [  # in the ledger's order
        "序号", "项目名称", "投资情况（万元）", None, None, None, "项目状态", "开工时间", None, "竣工时间", None,
        "形象进度", "责任单位", "包保领导", "预警等级"]
    assert ws.max_column == 15
    assert [ws.cell(5, c).value for c in (1, 3, 4, 5)] == ["合计（6个）", 416100, 31200, 15700]  # the 合计 as before
    assert ws.freeze_panes == "C5"
    assert ws.page_setup.paperSize == 8  # A3: 15 columns
    # a project's row, and its card
    row = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 2).value == registry.get_project(filled, "GX-0001").name)
    assert ws.cell(row, 15).value == "红牌"
    # named columns, by header or key, in the ledger's order; 序号 and 项目名称 always
    named = tmp_path / "选列.xlsx"
    export_ledger(filled, ctx, named, registry.ProjectFilter(), shown="形象进度,总投资、计划开工时间")
    ws = sheet(named)
    assert [ws.cell(3, c).value for c in range(1, 6)] == ["序号", "项目名称", "投资情况（万元）", "开工时间", "形象进度"]
    assert [ws.cell(4, c).value for c in range(3, 5)] == ["总投资", "计划"]
    with pytest.raises(ProjectsError, match="^台账没有“投资额”这一列；可选的列：all（全部）、print（打印用）或 序号、项目编号"):
        export_ledger(filled, ctx, tmp_path / "x.xlsx", registry.ProjectFilter(), shown="项目名称,投资额")
    # from the config file when not given
    export_ledger(filled, ctx, named, registry.ProjectFilter(), config={"ledger": {"columns": ["形象进度"]}})
    assert [sheet(named).cell(3, c).value for c in range(1, 4)] == ["序号", "项目名称", "形象进度"]


def test_a_printable_ledger_imports_back_unchanged(filled, ctx, tmp_path):
    out = tmp_path / "打印.xlsx"
    export_ledger(filled, ctx, out, registry.ProjectFilter(), shown="print")
    result = import_ledger(filled, ctx, out, dry_run=True)
    assert (result.added, result.changed, result.unchanged, result.problems) == (0, 0, 6, [])
    assert result.unused_columns == []
