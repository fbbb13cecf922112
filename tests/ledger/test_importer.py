"""Ledger import: real-world ledgers parsed, checked row by row, written all or nothing, idempotent."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import ledger_samples as samples
import pytest
from sqlalchemy import func, select

from projects_cli.ledger import parse
from projects_cli.ledger.columns import variants
from projects_cli.ledger.importer import LedgerRejected, import_ledger, read_ledger
from projects_cli.services import registry
from projects_cli.store.models import (
    ChangeLog,
    InvestmentPlan,
    InvestmentReport,
    Milestone,
    MilestonePlan,
    Project,
    Unit,
)

AS_OF = date(2025, 10, 31)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def problems(result) -> list[tuple[str, int, str, str]]:
    return [(p.severity, p.row, p.column, p.message) for p in result.problems]


def errors(result) -> list[tuple[str, int, str, str]]:
    return [(p.severity, p.row, p.column, p.message) for p in result.errors]


# ---------------------------------------------------------------- parsing (no database)


def test_office_ledger_is_read_as_the_office_made_it(tmp_path):
    parsed = read_ledger(samples.office_ledger(tmp_path / "o.xlsx"), as_of=AS_OF)
    assert parsed.sheet == "2025年台账"  # the notes sheet before it has no header
    assert (parsed.header.first + 1, parsed.header.last + 1) == (3, 4)
    fields = {c.letter: c.field for c in parsed.header.columns}
    assert fields == {
        "A": "seq", "B": "name", "C": "owner", "D": "content", "E": "total_investment", "F": "annual_plan",
        "G": "completed_ytd", "H": "planned_start", "I": "actual_start", "J": "planned_completion", "K": "status",
        "L": "unit", "M": "leader", "N": "site_progress", "O": "notes",
    }
    assert parsed.info == parse.LedgerInfo(
        title="高新区2025年重点项目推进情况台账", unit="万元", reporter="经济发展局", as_of=date(2025, 10, 31), year=2025
    )
    assert parsed.skipped == {"blank": 2, "total": 2, "section": 4, "note": 2}
    assert [r.row for r in parsed.rows] == [8, 9, 12, 13, 16]
    assert [r.values["name"] for r in parsed.rows] == samples.OFFICE_NAMES
    assert [(r.values.get("cluster"), r.values.get("chain")) for r in parsed.rows] == [
        ("高端装备", "工程机械"), ("高端装备", "工程机械"), ("高端装备", "智能装备"), ("高端装备", "智能装备"), ("医养健康", None),
    ]
    assert [r.values["total_investment"] for r in parsed.rows] == [48800, 50000, 76000, 80000, 161200]
    assert [r.values.get("annual_plan") for r in parsed.rows] == [12000, 1200, 10000, 8000, None]
    assert [r.values.get("unit") for r in parsed.rows] == ["经济发展局", "经济发展局", "科技创新局", "科技创新局", "卫生健康局"]
    assert [r.values.get("planned_start") for r in parsed.rows] == [
        date(2024, 3, 1), date(2024, 4, 1), date(2025, 3, 31), date(2025, 5, 20), date(2024, 3, 15)
    ]
    assert [r.values.get("planned_completion") for r in parsed.rows] == [
        date(2026, 6, 30), date(2025, 12, 31), None, date(2026, 12, 31), None
    ]
    assert parsed.rows[1].values["status"] == "在建"  # 续建
    assert parsed.rows[4].values["notes"] == '=HYPERLINK("http://x","y")'
    assert [(p.severity, p.row, p.column) for p in parsed.problems] == [("warning", 12, "I"), ("warning", 12, "J")]


def test_one_row_header_with_other_words_and_amounts_in_yi(tmp_path):
    parsed = read_ledger(samples.simple_ledger(tmp_path / "s.xlsx"), as_of=AS_OF)
    assert parsed.info.unit == "亿元"
    assert [r.values for r in parsed.rows] == [
        {"code": "ZX-01", "name": "甲项目", "total_investment": 85000, "annual_plan": 12000, "unit": "经济发展局",
         "leader": "张三", "planned_start": date(2025, 3, 1), "chain": "工程机械", "cluster": "高端装备"},
        {"code": "ZX-02", "name": "乙项目", "total_investment": 8000, "annual_plan": Decimal(5), "unit": "经济发展局",
         "leader": "李四", "planned_start": date(2025, 6, 30), "chain": "新能源", "cluster": "新材料新能源"},
        {"name": "丙项目", "total_investment": 3000, "unit": "建设局", "planned_start": date(2025, 9, 30), "chain": "氢能"},
    ]


def test_three_row_header(tmp_path):
    parsed = read_ledger(samples.three_row_header_ledger(tmp_path / "t.xlsx"), as_of=AS_OF)
    cols = {c.field: (c.letter, c.header, c.unit, c.year, c.month) for c in parsed.header.columns if c.field}
    assert cols == {
        "seq": ("A", "序号", None, None, None),
        "name": ("B", "项目名称", None, None, None),
        "total_investment": ("C", "总投资", "万元", None, None),
        "annual_plan": ("D", "计划投资", "万元", 2025, None),
        "completed_ytd": ("E", "1-9月完成投资", "万元", 2025, 9),
        "unit": ("F", "责任单位", None, None, None),
    }
    assert [r.values["completed_ytd"] for r in parsed.rows] == [200, 100]


def test_csv_in_gb18030(tmp_path):
    parsed = read_ledger(samples.csv_ledger(tmp_path / "c.csv"), as_of=AS_OF)
    assert [(r.row, r.values["name"], r.values["total_investment"], r.values["planned_start"]) for r in parsed.rows] == [
        (2, "甲项目", 85000, date(2025, 3, 31)), (3, "乙项目", 1200, date(2025, 6, 30)),
    ]


@pytest.mark.parametrize(
    ("text", "level", "context"),
    [
        ("一、高端装备产业（12个）", 1, {"cluster": "高端装备"}),
        ("（一）工程机械（8个）", 2, {"chain": "工程机械", "cluster": "高端装备"}),
        ("(二)汽车及零部件产业链", 2, {"chain": "汽车及零部件", "cluster": "高端装备"}),
        ("三、新材料新能源产业集群", 1, {"cluster": "新材料新能源"}),
        ("四、新能源", 1, {"chain": "新能源", "cluster": "新材料新能源"}),
        ("五、乡村振兴项目（3个）", 1, {"chain": "乡村振兴"}),
        ("六、续建项目（30个）", 1, {}),
        ("一、经济发展局（5个）", 1, {"unit": "经济发展局"}),
    ],
)
def test_section_context(text, level, context):
    assert parse.section_context(text, ["经济发展局"]) == (level, context)


def test_no_header_is_an_error_naming_what_was_expected(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["随便", "什么"])
    wb.save(tmp_path / "n.xlsx")
    with pytest.raises(Exception) as info:
        read_ledger(tmp_path / "n.xlsx", as_of=AS_OF)
    assert str(info.value) == (
        f"{tmp_path / 'n.xlsx'}：在任何工作表（Sheet）中找不到台账表头：前 30 行中应有一行写明项目名称和总投资、责任单位、"
        "计划开工时间等列；请用 --sheet 指定工作表"
    )


def test_office_header_words_from_the_config_file(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["工程名称", "投资额度"])
    wb.active.append(["甲", "3亿"])
    wb.save(tmp_path / "h.xlsx")
    config = {"ledger": {"headers": {"name": ["工程名称"], "total_investment": "投资额度"}}}
    parsed = read_ledger(tmp_path / "h.xlsx", as_of=AS_OF, config=config)
    assert [r.values for r in parsed.rows] == [{"name": "甲", "total_investment": 30000}]
    assert variants(config["ledger"]["headers"])["工程名称"] == "name"


# ---------------------------------------------------------------- importing


def test_dry_run_names_exactly_the_broken_rows_and_writes_nothing(session, ctx, tmp_path):
    path = samples.office_ledger(tmp_path / "b.xlsx", broken=True)
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, dry_run=True, create_units=True)
    assert str(info.value) == "b.xlsx：5 处错误（第 8, 9, 12, 13, 16 行）；未写入任何内容"
    errors = [(p.row, p.column, p.header, p.value, p.message) for p in info.value.result.errors]
    assert errors == [
        (8, "E", "总投资", "很多", "'很多' 不是金额；应为数字，例如 85000、8.5亿元 或 8000万元"),
        (9, "H", "开工时间/计划", "2024-02-30", "'2024-02-30' 不是真实存在的日期"),
        (12, "B", "项目名称", "", "项目名称为空：每个项目行都要有项目名称"),
        (13, "G", "1-10月完成投资", 90000, "完成投资 90000 万元大于总投资 80000 万元"),
        (16, "F", "2025年计划投资", "-500", "不能为负数：-500"),
    ]
    assert info.value.result.errors[0].describe() == (
        "错误：2025年台账 第 8 行，E 列 总投资：'很多' 不是金额；应为数字，例如 85000、8.5亿元 或 8000万元"
    )
    # the same without --dry-run: still nothing written
    with pytest.raises(LedgerRejected):
        import_ledger(session, ctx, path, create_units=True)
    assert [count(session, m) for m in (Project, Unit, ChangeLog, Milestone, InvestmentPlan)] == [0, 0, 0, 0, 0]


def test_clean_ledger_imports_then_reimport_changes_nothing(session, ctx, tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    dry = import_ledger(session, ctx, path, dry_run=True, create_units=True)
    assert (dry.added, dry.changed, dry.unchanged, dry.written) == (5, 0, 0, False)
    assert count(session, Project) == 0
    result = import_ledger(session, ctx, path, create_units=True)
    assert (result.rows, result.added, result.changed, result.unchanged, result.written) == (5, 5, 0, 0, True)
    assert (result.plan_year, result.completed_month) == (2025, "2025-10")
    assert session.scalar(select(func.count()).select_from(Project)) == samples.OFFICE_COUNT
    assert session.scalar(select(func.sum(Project.total_investment))) == samples.OFFICE_TOTAL
    rows = registry.list_projects(session, registry.ProjectFilter(), 2025)
    assert [(r["code"], r["name"], r["unit"], r["annual_plan"]) for r in rows] == [
        ("GX-0001", "山推大马力推土机产业化项目", "经济发展局", 12000),
        ("GX-0002", "信发液压高端液压件项目", "经济发展局", 1200),
        ("GX-0003", "锐博 高端结构件智能制造项目", "科技创新局", 10000),
        ("GX-0004", "镐成永生中韩高端装备产业化项目", "科技创新局", 8000),
        ("GX-0005", "市第一人民医院公共卫生重症医学中心项目", "卫生健康局", None),
    ]
    reports = session.execute(select(InvestmentReport.month, InvestmentReport.amount, InvestmentReport.source)
                              .order_by(InvestmentReport.project_id)).all()
    assert [(m, Decimal(a), s) for m, a, s in reports] == [
        ("2025-10", 9800, "o.xlsx"), ("2025-10", 900, "o.xlsx"), ("2025-10", 5000, "o.xlsx")
    ]
    miles = session.execute(select(Project.code, Milestone.kind, Milestone.baseline_date, Milestone.planned_date,
                                   Milestone.actual_date).join(Project).order_by(Project.code, Milestone.seq)).all()
    assert miles == [
        ("GX-0001", "开工", date(2024, 3, 1), date(2024, 3, 1), date(2024, 3, 15)),
        ("GX-0001", "竣工", date(2026, 6, 30), date(2026, 6, 30), None),
        ("GX-0002", "开工", date(2024, 4, 1), date(2024, 4, 1), None),
        ("GX-0002", "竣工", date(2025, 12, 31), date(2025, 12, 31), None),
        ("GX-0003", "开工", date(2025, 3, 31), date(2025, 3, 31), None),
        ("GX-0004", "开工", date(2025, 5, 20), date(2025, 5, 20), date(2025, 6, 1)),
        ("GX-0004", "竣工", date(2026, 12, 31), date(2026, 12, 31), None),
        ("GX-0005", "开工", date(2024, 3, 15), date(2024, 3, 15), date(2024, 3, 20)),
    ]
    assert count(session, MilestonePlan) == 8
    logged = count(session, ChangeLog)
    assert logged == 3 + 5  # the new units, then one entry per project with its plan, month and milestones
    entry = session.scalars(select(ChangeLog).where(ChangeLog.project_code == "GX-0001")).one()
    # the shape `projects add` logs (its code among the fields), with what was created with the project beside them
    assert (entry.action, entry.table_name, entry.command, json.loads(entry.new)) == ("insert", "project", "test", {
        "code": "GX-0001", "name": "山推大马力推土机产业化项目", "cluster": "高端装备", "chain": "工程机械", "owner": "山推股份",
        "content": "改扩建厂房1.8万平方米，新增设备386台套", "total_investment": "48800", "status": "在建",
        "leader": "张三", "site_progress": "主体施工", "unit": "经济发展局", "annual_plan:2025": "12000",
        "completed:2025-10": "9800", "开工.baseline_date": "2024-03-01", "开工.planned_date": "2024-03-01",
        "开工.actual_date": "2024-03-15", "竣工.baseline_date": "2026-06-30", "竣工.planned_date": "2026-06-30",
    })
    again = import_ledger(session, ctx, path, create_units=True)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 5)
    assert count(session, ChangeLog) == logged
    assert session.scalar(select(func.max(Project.version))) == 1


def test_a_changed_cell_updates_that_field_only_and_logs_it(session, ctx, tmp_path):
    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "o.xlsx")
    ws = wb["2025年台账"]
    ws["E8"] = "5亿元"  # total 48800 → 50000
    ws["H9"] = "2024年6月"  # re-plan of 开工: 2024-04-01 → 2024-06-30
    ws["G9"] = 1000  # completed to date 900 → 1000
    ws["B13"] = "镐成永生 中韩高端装备产业化项目"  # a space in the name: still the same project, its spelling kept
    wb.save(tmp_path / "o2.xlsx")
    logged = session.scalar(select(func.max(ChangeLog.id)))
    result = import_ledger(session, ctx, tmp_path / "o2.xlsx", create_units=True)
    assert [(c.row, c.action, c.code, c.fields) for c in result.changes if c.action != "unchanged"] == [
        (8, "change", "GX-0001", ["total_investment"]),
        (9, "change", "GX-0002", ["completed_ytd", "开工.planned_date"]),
    ]
    assert session.scalars(select(Project.name).where(Project.code == "GX-0004")).one() == "镐成永生中韩高端装备产业化项目"
    project = session.scalars(select(Project).where(Project.code == "GX-0001")).one()
    assert (project.total_investment, project.version) == (50000, 2)
    entry = session.scalars(select(ChangeLog).where(ChangeLog.project_code == "GX-0001").order_by(ChangeLog.id.desc())).first()
    assert (entry.action, json.loads(entry.old), json.loads(entry.new)) == (
        "update", {"total_investment": "48800"}, {"total_investment": "50000"}
    )
    # each change in the entry of its table, as `invest record` and `milestone replan` log it
    entries = session.scalars(select(ChangeLog).where(ChangeLog.project_code == "GX-0002", ChangeLog.id > logged)
                              .order_by(ChangeLog.id)).all()
    assert [(e.action, e.table_name, e.record_key, e.old and json.loads(e.old), json.loads(e.new)) for e in entries] == [
        ("update", "investment_report", "GX-0002:2025-10", {"amount": "900", "source": "o.xlsx"},
         {"amount": "1000", "source": "o2.xlsx"}),
        ("update", "milestone", "GX-0002:开工", {"planned_date": "2024-04-01"},
         {"planned_date": "2024-06-30", "reason": "台账导入 o2.xlsx"}),
        ("insert", "milestone_plan", "GX-0002:开工", None,
         {"kind": "开工", "planned_date": "2024-06-30", "on": "2025-10-31", "reason": "台账导入 o2.xlsx"}),
    ]
    start = session.execute(select(Milestone).join(Project).where(Project.code == "GX-0002", Milestone.kind == "开工")).scalar_one()
    assert (start.baseline_date, start.planned_date) == (date(2024, 4, 1), date(2024, 6, 30))
    plans = session.execute(select(MilestonePlan.planned_date, MilestonePlan.reason)
                            .where(MilestonePlan.milestone_id == start.id).order_by(MilestonePlan.id)).all()
    assert plans == [(date(2024, 4, 1), None), (date(2024, 6, 30), "台账导入 o2.xlsx")]


def test_strict_turns_warnings_into_errors(session, ctx, tmp_path):
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), strict=True, create_units=True)
    assert problems(info.value.result) == [
        ("error", 8, "L", "'经济发展局' 不是登记中的责任单位，将新建该单位（另见第 9 行）（--strict）"),
        ("error", 12, "I", "待定（日期未定）；留空（--strict）"),
        ("error", 12, "J", "待定（日期未定）；留空（--strict）"),
        ("error", 12, "L", "'科技创新局' 不是登记中的责任单位，将新建该单位（另见第 13 行）（--strict）"),
        ("error", 16, "L", "'卫生健康局' 不是登记中的责任单位，将新建该单位（--strict）"),
    ]
    assert count(session, Project) == 0


def test_unknown_chain_is_a_warning_and_codes_are_kept(session, ctx, tmp_path):
    result = import_ledger(session, ctx, samples.simple_ledger(tmp_path / "s.xlsx"), create_units=True)
    assert [p.message for p in result.warnings if p.column == "I"] == [
        "'氢能' 不是认得的产业链，按原文保留（认得的：规划的十条产业链、乡村振兴/基础设施/民生…、登记中已有的产业链，"
        "以及配置文件 [ledger] chains）"
    ]
    assert [c.code for c in result.changes] == ["ZX-01", "ZX-02", "GX-0001"]
    # once in the registry, the chain is known
    assert not [p for p in import_ledger(session, ctx, tmp_path / "s.xlsx", create_units=True).warnings if p.column == "I"]


def test_completed_to_date_less_the_months_on_file(session, ctx, tmp_path):
    from projects_cli.services import investment

    import_ledger(session, ctx, samples.three_row_header_ledger(tmp_path / "t.xlsx"), create_units=True)
    project = registry.get_project(session, "GX-0001")
    # the ledger said 200 to September; August is now on file with 150: September becomes 50
    investment.set_month(session, ctx, project, "2025-08", Decimal(150))
    result = import_ledger(session, ctx, tmp_path / "t.xlsx", create_units=True)
    assert [(c.code, c.fields) for c in result.changes if c.action == "change"] == [("GX-0001", ["completed_ytd"])]
    assert investment.show_investment(session, "GX-0001", AS_OF)["completed"] == 200
    investment.set_month(session, ctx, project, "2025-07", Decimal(300))
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "t.xlsx", create_units=True)
    assert problems(info.value.result) == [
        ("error", 5, "E", "截至 2025-09 的完成投资（200 万元）少于 2025 年此前各月已报的 450 万元"),
    ]


def test_matching_problems(session, ctx, tmp_path):
    from openpyxl import Workbook

    registry.add_project(session, ctx, {"name": "同名项目"})
    registry.add_project(session, ctx, {"name": "同名 项目"}, allow_duplicate_name=True)
    registry.add_project(session, ctx, {"name": "丁项目", "code": "ZX-9"})
    wb = Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "总投资"])
    ws.append([None, "同名项目", 1])  # two projects have this name
    ws.append(["ZX-404", "丁项目", 2])  # unknown code, but the name is ZX-9's
    ws.append([None, "戊项目", 3])
    ws.append([None, "戊 项目", 4])  # the same new project twice
    ws.append(["ＺＸ－９", "丁项目", 5])  # full-width code: ZX-9
    wb.save(tmp_path / "m.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "m.xlsx", create_units=True)
    assert problems(info.value.result) == [
        ("error", 2, "B", "登记中有 2 个项目叫这个名称（GX-0001, GX-0002）：请填写项目编号指明是哪一个"),
        ("error", 3, "A", "项目编号 ZX-404 不在登记中，但项目名称是 ZX-9 的：请改正编号或留空"),
        ("error", 5, "B", "与第 4 行是同一个项目（名称 戊 项目）：一个项目在台账里只能有一行"),
        ("error", 6, "A", "与第 3 行是同一个项目（ZX-9）：一个项目在台账里只能有一行"),
    ]


def test_two_rows_of_one_new_project_by_code_on_one_and_name_on_the_other(session, ctx, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目编号", "项目名称", "总投资"])
    ws.append(["XM-1", "甲项目", 1])
    ws.append([None, "甲 项目", 2])  # the name of row 2's project, no code
    ws.append(["XM-2", "乙项目", 3])
    ws.append(["XM-2", "乙项目二期", 4])  # row 4's code
    ws.append([None, "丙项目", 5])
    ws.append(["XM-3", "丙项目", 6])  # row 6's name, with a code
    ws.append(["XM-4", "丁项目", 7])
    ws.append(["XM-5", "丁项目", 8])  # the same name but another code: two projects
    wb.save(tmp_path / "d.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "d.xlsx", create_units=True)
    assert problems(info.value.result) == [
        ("error", 3, "B", "与第 2 行是同一个项目（名称 甲 项目）：一个项目在台账里只能有一行"),
        ("error", 5, "A", "与第 4 行是同一个项目（编号 XM-2）：一个项目在台账里只能有一行"),
        ("error", 7, "A", "与第 6 行是同一个项目（编号 XM-3）：一个项目在台账里只能有一行"),
    ]
    assert count(session, Project) == 0


def test_actual_dates_after_as_of_and_completion_before_start(session, ctx, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "计划开工时间", "实际开工时间", "计划竣工时间"])
    ws.append(["甲", "2025-03-01", "2025-11-01", "2024-12-31"])
    wb.save(tmp_path / "d.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "d.xlsx", create_units=True)
    assert problems(info.value.result) == [
        ("error", 2, "C", "实际日期不能晚于截至日期 2025-10-31"),
        ("error", 2, "D", "竣工（2024-12-31）早于开工（2025-03-01）"),
    ]


def test_from_unit_changes_only_its_own_projects(session, ctx, tmp_path):
    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    # the unit's own ledger back unchanged: the other units' rows change nothing, so they pass
    same = import_ledger(session, ctx, tmp_path / "o.xlsx", from_unit="经济发展局", create_units=True)
    assert (same.changed, same.unchanged) == (0, 5)
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "o.xlsx")
    ws = wb["2025年台账"]
    ws["E8"] = 49000  # its own project: fine
    ws["E12"] = 1  # 科技创新局's project: refused
    ws["L16"] = "经济发展局"  # taking over 卫生健康局's project: refused
    ws["B10"] = "新项目"  # a new project of its own (blank unit → 经济发展局)
    wb.save(tmp_path / "u.xlsx")
    before = count(session, ChangeLog)
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "u.xlsx", from_unit="经济发展局", create_units=True)
    assert errors(info.value.result) == [
        ("error", 12, "B", "GX-0003 属于科技创新局，不属于经济发展局：经济发展局报来的台账不能改它（拒绝）"),
        ("error", 16, "B", "GX-0005 属于卫生健康局，不属于经济发展局：经济发展局报来的台账不能改它（拒绝）"),
    ]
    assert count(session, ChangeLog) == before
    ws["E12"] = "7.6亿元"
    ws["L16"] = "卫生健康局"
    ws["L18"] = "建设局"
    ws["B18"] = "别人的新项目"
    wb.save(tmp_path / "u.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, tmp_path / "u.xlsx", from_unit="经济发展局", create_units=True)
    assert errors(info.value.result) == [
        ("error", 18, "L", "经济发展局报来的台账只能有本单位的项目，不能有建设局的（拒绝）"),
    ]
    ws["L18"] = None
    wb.save(tmp_path / "u.xlsx")
    result = import_ledger(session, ctx, tmp_path / "u.xlsx", from_unit="经济发展局", create_units=True)
    assert [(c.row, c.action, c.code) for c in result.changes if c.action != "unchanged"] == [
        (8, "change", "GX-0001"), (10, "add", "GX-0006"), (18, "add", "GX-0007"),
    ]
    assert registry.show_project(session, "GX-0007", 2025)["unit"] == "经济发展局"
    with pytest.raises(Exception, match="^责任单位“没有的局”不存在；现有的：卫生健康局、科技创新局、经济发展局$"):
        import_ledger(session, ctx, tmp_path / "u.xlsx", from_unit="没有的局", create_units=True)


def test_plan_sample_goes_through_the_importer(session, ctx):
    from projects_cli.sample import load_plan

    assert load_plan(session, ctx) == 51
    assert session.scalar(select(func.sum(Project.total_investment))) == 13760500
    assert session.scalar(select(ChangeLog.command).limit(1)) == "test"


def test_ledger_config_is_checked(tmp_path):
    from projects_cli.errors import ConfigError
    from projects_cli.ledger.columns import ledger_section

    assert ledger_section({"ledger": {"title": "x", "chains": ["现代物流"]}}) == {"title": "x", "chains": ["现代物流"]}
    with pytest.raises(ConfigError, match=r"^配置文件 \[ledger.header\]：未知的表；可用的键：headers, chains, clusters, title, status, usd_rate, columns, rates$"):
        ledger_section({"ledger": {"header": {}}})
    from projects_cli.config.chains import known_chains

    with pytest.raises(ConfigError, match=r"^配置文件 \[ledger\] chains 第 1 项：应为文字，不能是 1$"):
        known_chains({"ledger": {"chains": [1]}})
    from projects_cli.ledger.columns import HEADERS

    with pytest.raises(ConfigError) as exc:
        read_ledger(samples.simple_ledger(tmp_path / "s.xlsx"), as_of=AS_OF, config={"ledger": {"headers": {"nom": ["名"]}}})
    assert str(exc.value) == f"配置文件 [ledger.headers] nom：未知的键；可用的键：{', '.join(HEADERS)}"


def test_chains_from_the_config_file_are_known(session, ctx, tmp_path):
    result = import_ledger(session, ctx, samples.simple_ledger(tmp_path / "s.xlsx"), dry_run=True,
                           config={"ledger": {"chains": ["氢能"]}}, create_units=True)
    assert [p for p in result.warnings if p.column == "I"] == []


def test_only_changes_to_done_milestones_wait_for_confirmation(session, ctx, tmp_path):
    from openpyxl import load_workbook

    from projects_cli.ledger.importer import NotConfirmed

    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    wb = load_workbook(tmp_path / "o.xlsx")
    ws = wb["2025年台账"]
    ws["I9"] = "2024-04-20"  # GX-0002 starts: a first actual date, nothing to confirm
    ws["J9"] = "2026.3"  # an open milestone re-planned: nothing to confirm
    wb.save(tmp_path / "o2.xlsx")
    result = import_ledger(session, ctx, tmp_path / "o2.xlsx", create_units=True)
    assert (result.changed, result.to_confirm) == (1, [])
    ws["I9"] = "2024-04-25"  # now it is done: moving it waits for confirmation
    wb.save(tmp_path / "o3.xlsx")
    asked = []
    with pytest.raises(NotConfirmed):
        import_ledger(session, ctx, tmp_path / "o3.xlsx", confirm=lambda listed: asked.extend(listed) or False, create_units=True)
    assert [(c.row, c.code, c.kind, c.what, c.old, c.new) for c in asked] == [
        (9, "GX-0002", "开工", "actual", date(2024, 4, 20), date(2024, 4, 25))]
    result = import_ledger(session, ctx, tmp_path / "o3.xlsx", confirm=lambda listed: True, create_units=True)
    assert result.written and result.changed == 1
