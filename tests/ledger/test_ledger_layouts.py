"""Ledger layouts and settings added last to issue 15 (tests/helpers/ledger_corpus.py builds the workbooks):
amounts in several currencies at [ledger.rates], the person of 责任单位及责任人 kept, a single month's
header (10月完成投资), and the 调度 export of one row per project per month. Each is read with every
value right, or refused with a message naming what was not understood, and then nothing is written.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import ledger_corpus as corpus
import pytest
from sqlalchemy import select

from projects_cli.config.office import section
from projects_cli.errors import ConfigError
from projects_cli.ledger.importer import LedgerRejected, import_ledger, read_ledger
from projects_cli.store.models import ChangeLog, InvestmentPlan, InvestmentReport, Project

AS_OF = date(2025, 10, 31)
RATES = {"ledger": {"rates": {"欧元": 7.8, "HKD": 0.91}}}


def logged(session, table: str) -> list[dict]:
    return [json.loads(new) for (new,) in session.execute(
        select(ChangeLog.new).where(ChangeLog.table_name == table).order_by(ChangeLog.id))]


def held(session) -> list[tuple]:
    """(code, total, plan of 2025, each month's figure) per project."""
    out = []
    for project in session.scalars(select(Project).order_by(Project.code)):
        plan = session.scalar(select(InvestmentPlan.amount).where(InvestmentPlan.project_id == project.id,
                                                                  InvestmentPlan.year == 2025))
        months = session.execute(select(InvestmentReport.month, InvestmentReport.amount).where(
            InvestmentReport.project_id == project.id).order_by(InvestmentReport.month)).all()
        out.append((project.code, project.total_investment, plan, [(m, Decimal(a)) for m, a in months]))
    return out


# ---------------------------------------------------------------- [ledger.rates]


def test_amounts_in_euros_and_hong_kong_dollars_at_the_configured_rates(session, ctx, tmp_path):
    path = corpus.foreign_rates_ledger(tmp_path / "f.xlsx")
    result = import_ledger(session, ctx, path, config=RATES, create_units=True)
    assert (result.added, result.errors, result.skipped_rows[0].kind) == (2, [], "total")
    assert result.converted == {"total_investment": "总投资（万欧元）按 1 欧元 = 7.8 元折算",
                                "annual_plan": "2025年计划投资（万港元）按 1 港元 = 0.91 元折算",
                                "completed_ytd": "1-10月完成投资（万港元）按 1 港元 = 0.91 元折算"}
    # 5000 万欧元 × 7.8 = 39000 万元; 1500.5 万港元 × 0.91 = 1365.455 → 1365.46 (to the fen)
    assert held(session) == [
        ("GX-0001", Decimal("39000"), Decimal("910"), [("2025-10", Decimal("455"))]),
        ("GX-0002", Decimal("9629.1"), Decimal("1820"), [("2025-10", Decimal("1365.46"))]),
    ]
    entries = logged(session, "project")
    assert [(e["汇率:total_investment"], e["汇率:annual_plan"], e["汇率:completed_ytd"]) for e in entries] == [
        ("总投资（万欧元）按 1 欧元 = 7.8 元折算", "2025年计划投资（万港元）按 1 港元 = 0.91 元折算",
         "1-10月完成投资（万港元）按 1 港元 = 0.91 元折算")] * 2
    assert session.scalars(select(InvestmentReport.source)).all() == [
        "f.xlsx（1-10月完成投资（万港元）按 1 港元 = 0.91 元折算）"] * 2


def test_a_plan_only_change_logs_the_rate_that_converted_it(session, ctx, tmp_path):
    import_ledger(session, ctx, corpus.foreign_rates_ledger(tmp_path / "f.xlsx"), config=RATES, create_units=True)
    again = import_ledger(session, ctx, corpus.foreign_rates_ledger(tmp_path / "g.xlsx", plan=2200), config=RATES)
    assert (again.added, again.changed, again.unchanged) == (0, 1, 1)
    assert [c.fields for c in again.changes if c.action == "change"] == [["annual_plan"]]
    assert logged(session, "investment_plan") == [
        {"amount": "2002", "汇率": "2025年计划投资（万港元）按 1 港元 = 0.91 元折算"}]


def test_a_currency_without_a_rate_is_refused_and_nothing_is_written(session, ctx, tmp_path):
    path = corpus.foreign_rates_ledger(tmp_path / "f.xlsx")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, config={"ledger": {"rates": {"欧元": 7.8}}}, create_units=True)
    assert str(info.value) == "f.xlsx：2 处错误（第 3 行）；未写入任何内容"
    message = ("金额单位是万港元，不是人民币元、万元或亿元：不能当作万元读入，请折算为万元（人民币）后再导入，或"
               '在配置文件 [ledger.rates] 写明 1 港元折合多少元（如 "港元" = 0.91）')
    assert [(p.row, p.column, p.header, p.value, p.message) for p in info.value.result.errors] == [
        (3, "D", "2025年计划投资（万港元）", "万港元", message), (3, "E", "1-10月完成投资（万港元）", "万港元", message)]
    assert session.scalars(select(Project)).all() == []


def test_usd_rate_and_the_rates_table_give_the_dollar_rate_alike(tmp_path):
    path = corpus.foreign_currency_ledger(tmp_path / "u.xlsx")
    for config in ({"ledger": {"usd_rate": 7.1}}, {"ledger": {"rates": {"美元": 7.1}}},
                   {"ledger": {"rates": {"USD": 7.1}, "usd_rate": 7.1}}):
        parsed = read_ledger(path, as_of=AS_OF, config=config)
        assert [r.values["total_investment"] for r in parsed.rows] == [Decimal("21300"), Decimal("85200")]


@pytest.mark.parametrize(("ledger", "message"), [
    ({"rates": {"比特币": 1}}, "配置文件 [ledger.rates] 比特币：不是认得的币种；可用的键：美元、欧元、港元、日元"
                               "、英镑、韩元、澳元、加元、卢布、新加坡元"),
    ({"rates": {"港元": 0.91, "港币": 0.92}}, "配置文件 [ledger.rates] 港币：与 港元 是同一币种"),
    ({"rates": {"港元": 0}}, "配置文件 [ledger.rates] 港元：应为大于 0 的数，不能是 0"),
    ({"rates": {"美元": 7.1}, "usd_rate": 7.2}, "配置文件 [ledger] usd_rate：与 [ledger.rates] 美元 = 7.1 不一致："
                                               "只写一处"),
])
def test_the_rates_table_is_checked(ledger, message):
    with pytest.raises(ConfigError) as info:
        section({"ledger": ledger}, "ledger")
    assert str(info.value) == message


def test_the_cli_reads_the_rates_from_the_config_file(cli, tmp_path):
    (tmp_path / "config.toml").write_text('[ledger.rates]\n"欧元" = 7.8\n"港元" = 0.91\n', encoding="utf-8")
    path = corpus.foreign_rates_ledger(tmp_path / "f.xlsx")
    r = cli("--config", str(tmp_path / "config.toml"), "ledger", "import", "--create-units", str(path))
    assert r.exit_code == 0, r.stderr
    assert ("外币折算为万元：总投资（万欧元）按 1 欧元 = 7.8 元折算；2025年计划投资（万港元）按 1 港元 = 0.91 "
            "元折算；1-10月完成投资（万港元）按 1 港元 = 0.91 元折算\n") in r.stderr
    r = cli("--config", str(tmp_path / "config.toml"), "ledger", "import", str(path), "--dry-run", "--format", "json")
    assert json.loads(r.stdout)["converted"] == {"total_investment": "总投资（万欧元）按 1 欧元 = 7.8 元折算",
                                                 "annual_plan": "2025年计划投资（万港元）按 1 港元 = 0.91 元折算",
                                                 "completed_ytd": "1-10月完成投资（万港元）按 1 港元 = 0.91 元折算"}


# ---------------------------------------------------------------- 责任单位及责任人: the person kept


def test_the_units_person_is_kept_as_the_projects_contact_and_survives_a_round_trip(session, ctx, tmp_path):
    from projects_cli.ledger.exporter import export_ledger
    from projects_cli.services import registry

    path = corpus.unit_with_person(tmp_path / "p.xlsx")
    result = import_ledger(session, ctx, path, create_units=True, dry_run=True)
    assert [(d.header, d.new) for d in result.changes[0].details if d.field in ("unit", "task_force")] == [
        ("责任单位及责任人", "张伟"), ("责任单位及责任人", "高新区商务局")]
    assert result.unused_columns == []
    assert [(p.row, p.column, p.message) for p in result.warnings if "分不出" in p.message] == [
        (8, "E", '\'高新区经济发展局\' 分不出单位和责任人（应为"单位 姓名"），按原文读作责任单位')]
    import_ledger(session, ctx, path, create_units=True)
    rows = session.execute(select(Project.name, Project.task_force).order_by(Project.code)).all()
    assert rows == [("智能终端产业园", "张伟"), ("闽南冷链物流园", "张伟"), ("污水处理厂提标改造", "李娜"),
                    ("数字产业园一期", "王强"), ("人才公寓", None)]
    out = tmp_path / "out.xlsx"
    export_ledger(session, ctx, out, registry.ProjectFilter(), group_by="none")
    again = import_ledger(session, ctx, out)
    assert (again.added, again.changed, again.unchanged, again.errors) == (0, 0, 5, [])


def test_with_a_task_force_column_of_its_own_the_units_person_is_not_read(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    for row in (["项目名称", "责任单位及负责人", "工作专班"], ["甲项目", "高新区商务局 张伟", "招商专班"]):
        wb.active.append(row)
    wb.save(tmp_path / "t.xlsx")
    parsed = read_ledger(tmp_path / "t.xlsx", as_of=AS_OF)
    assert parsed.rows[0].values == {"name": "甲项目", "unit": "高新区商务局", "task_force": "招商专班"}
    assert [f"{c.letter} {c.header}" for c in parsed.unused] == ["B 责任单位及负责人（其中的责任人不读）"]


# ---------------------------------------------------------------- a single month's header: 10月完成投资


def test_a_months_own_figure_beside_the_year_to_date(session, ctx, tmp_path):
    path = corpus.single_month(tmp_path / "m.xlsx")
    parsed = read_ledger(path, as_of=AS_OF)
    assert [(c.header, c.field, c.month) for c in parsed.header.columns[3:]] == [
        ("投资完成情况（万元）/10月份完成投资", "month_completed", 10), ("1-10月累计完成投资", "completed_ytd", 10)]
    # no months on file: the year to date would be October's figure alone, and the month's own figure is not it
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (4, "D", "当月完成投资 1200 万元与累计数不符：2025-10 累计 9600 万元 − 此前各月已报 0 万元 = 9600 万元"),
        (5, "D", "当月完成投资 650.5 万元与累计数不符：2025-10 累计 5100 万元 − 此前各月已报 0 万元 = 5100 万元")]
    assert session.scalars(select(Project)).all() == []


def test_a_months_own_figure_alone_is_that_months_report(session, ctx, tmp_path):
    path = corpus.single_month(tmp_path / "m.xlsx", ytd=False)
    result = import_ledger(session, ctx, path, create_units=True)
    assert (result.added, result.completed_month, result.errors) == (2, "2025-10", [])
    assert held(session) == [
        ("GX-0001", None, Decimal("15000"), [("2025-10", Decimal("1200"))]),
        ("GX-0002", None, Decimal("8000"), [("2025-10", Decimal("650.5"))]),
    ]


@pytest.mark.parametrize("own", ["10月完成投资", "10月份完成投资", "本月完成投资（10月）", "当月完成投资(10月份)"])
def test_the_months_header_words(tmp_path, own):
    parsed = read_ledger(corpus.single_month(tmp_path / "m.xlsx", own=own, ytd=False), as_of=AS_OF)
    assert [(c.field, c.month) for c in parsed.header.columns[3:]] == [("month_completed", 10)]
    assert [r.values["month_completed"] for r in parsed.rows] == [Decimal("1200"), Decimal("650.5")]


def test_a_months_figure_with_no_year_is_refused_unless_month_says_it(session, ctx, tmp_path):
    path = corpus.single_month(tmp_path / "m.xlsx", title=None, ytd=False, plan="年度计划投资（万元）")
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (1, "D", "10月份完成投资 没有写年份，台账的标题、截至日期和表头也没有：请用 --month YYYY-10 指明")]
    assert session.scalars(select(Project)).all() == []
    result = import_ledger(session, ctx, path, create_units=True, month="2025-10")
    assert (result.added, result.plan_year, result.completed_month) == (2, 2025, "2025-10")
    assert held(session)[1] == ("GX-0002", None, Decimal("8000"), [("2025-10", Decimal("650.5"))])


def test_a_months_figure_under_a_title_of_another_year_is_refused(session, ctx, tmp_path):
    path = corpus.single_month(tmp_path / "m.xlsx", title="2024年重点项目调度表", ytd=False)
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (2, "D", "10月份完成投资 的年份不明：台账写了 2024、2025 年")]


# ---------------------------------------------------------------- one row per project per month (调度 export)


def test_one_row_per_project_per_month_each_rows_figure_to_its_month(session, ctx, tmp_path):
    path = corpus.monthly_rows(tmp_path / "d.xlsx")
    result = import_ledger(session, ctx, path, create_units=True)
    assert (result.rows, result.added, result.completed_month, result.errors) == (2, 2, "2025-10", [])
    assert [(s.row, s.kind) for s in result.skipped_rows] == [(9, "total")]
    assert held(session) == [
        ("GX-0001", Decimal("52000"), Decimal("15000"),
         [("2025-08", Decimal("800")), ("2025-09", Decimal("1100")), ("2025-10", Decimal("1100"))]),
        ("GX-0002", Decimal("26000"), Decimal("8000"), [("2025-09", Decimal("600")), ("2025-10", Decimal("650.5"))]),
    ]
    # 形象进度 is each month's own: the latest month's is kept
    assert session.execute(select(Project.site_progress).order_by(Project.code)).scalars().all() == ["设备安装", "主体施工"]
    again = import_ledger(session, ctx, path)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 2)


def test_cumulative_figures_of_every_month_from_january_give_each_months_own(session, ctx, tmp_path):
    rows = [[1, "1月", "甲项目", "高新区商务局", 5000, 1200, 100, "前期手续"],
            [2, "二月", "甲项目", "高新区商务局", 5000, 1200, 250, "基础施工"],
            [3, "2025.03", "甲项目", "高新区商务局", 5000, 1200, 400, "基础施工"]]
    path = corpus.monthly_rows(tmp_path / "c.xlsx", cumulative=True, rows=rows)
    result = import_ledger(session, ctx, path, create_units=True)
    assert (result.completed_month, [p for p in result.warnings if "将新建该单位" not in p.message]) == ("2025-03", [])
    assert held(session) == [("GX-0001", Decimal("5000"), Decimal("1200"), [
        ("2025-01", Decimal("100")), ("2025-02", Decimal("150")), ("2025-03", Decimal("150"))])]


def test_cumulative_figures_not_from_january_read_only_the_ledger_month(session, ctx, tmp_path):
    result = import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "c.xlsx", cumulative=True), create_units=True)
    assert [(p.row, p.column, p.message) for p in result.warnings if "逐月" in p.message] == [
        (4, "G", "智能终端产业园 的累计完成投资没有从 1 月起逐月填报，2025-08、2025-09（第 4、5 行）的累计数本次"
                 "不读，只读 2025-10 的"),
        (7, "G", "闽南冷链物流园 的累计完成投资没有从 1 月起逐月填报，2025-09（第 7 行）的累计数本次不读，只读 20"
                 "25-10 的")]
    assert [m for *_, m in held(session)] == [[("2025-10", Decimal("3000"))], [("2025-10", Decimal("1250.5"))]]


def test_a_projects_fields_that_differ_between_its_months_are_refused(session, ctx, tmp_path):
    rows = [[1, "9月", "甲项目", "高新区商务局", 5000, 1200, 100, "基础施工"],
            [2, "10月", "甲项目", "高新区商务局", 5200, 1200, 150, "主体施工"],
            [3, "10月", "乙项目", "高新区商务局", 800, 300, 50, None]]
    path = corpus.monthly_rows(tmp_path / "x.xlsx", rows=rows)
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)
    assert [(p.row, p.column, p.value, p.message) for p in info.value.result.errors] == [
        (5, "E", 5200, "第 4、5 行是同一个项目（甲项目）的不同月份，总投资（万元）却不一致（第 4 行 5000，第 5 行"
                       " 5200）：同一项目各月的项目信息应相同")]
    assert session.scalars(select(Project)).all() == []


def test_two_rows_of_one_project_and_month_are_refused(session, ctx, tmp_path):
    rows = [[1, "10月", "甲项目", "高新区商务局", 5000, 1200, 100, None],
            [2, "2025-10", "甲 项目", "高新区商务局", 5000, 1200, 100, None]]
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "x.xlsx", rows=rows), create_units=True)
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (5, "B", "与第 4 行是同一个项目（甲 项目）的同一个月（2025-10）：一个项目每月只能有一行")]


def test_months_without_a_year_or_across_years_are_refused(session, ctx, tmp_path):
    rows = [[1, "9月", "甲项目", "高新区商务局", 5000, 1200, 100, None],
            [2, "十月", "甲项目", "高新区商务局", 5000, 1200, 100, None]]
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "x.xlsx", rows=rows, title="重点项目月度调度明细",
                                                        plan="年度计划投资（万元）"), create_units=True)
    assert [(p.row, p.column, p.value) for p in info.value.result.errors] == [(4, "B", "9月"), (5, "B", "10月")]
    assert info.value.result.errors[0].message == (
        "'9月' 没有年份，台账的标题、截至日期和表头也没有写：请写成 2025-09 这样的年月，或用 --month 指明")
    no_year = corpus.monthly_rows(tmp_path / "w.xlsx", rows=rows, title="重点项目月度调度明细", plan="年度计划投资（万元）")
    result = import_ledger(session, ctx, no_year, create_units=True, month="2025-10", dry_run=True)
    assert (result.errors, result.completed_month) == ([], "2025-10")  # --month gives the year
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "z.xlsx", rows=rows, title="2024年重点项目月度调度明细"),
                      create_units=True)
    assert info.value.result.errors[0].message == (
        "'9月' 的年份不明：台账写了 2024、2025 年；请写成 2024-09 这样的年月")
    rows[0][1] = "2024-12"
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "y.xlsx", rows=rows, title=None), create_units=True)
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (2, "B", "月份跨了 2024、2025 年：一个台账只报一年的数，请按年分开导入")]
    assert session.scalars(select(Project)).all() == []


@pytest.mark.parametrize(("cell", "month"), [
    ("10月", (None, 10)), ("十月", (None, 10)), ("十二月", (None, 12)), ("10月份", (None, 10)), (10, (None, 10)),
    (10.0, (None, 10)), ("2025-10", (2025, 10)), ("2025/10", (2025, 10)), ("2025年10月", (2025, 10)),
    ("2025年十月份", (2025, 10)), ("202510", (2025, 10)), (date(2025, 10, 1), (2025, 10)),
])
def test_the_month_cells(cell, month):
    from projects_cli.ledger.parse import read_month

    assert read_month(cell) == month


@pytest.mark.parametrize("cell", ["13月", 2025.1, "第三季度", "10月上旬", "2025-13"])
def test_cells_that_are_not_a_month(cell):
    from projects_cli.ledger.parse import read_month
    from projects_cli.values import ValueProblem

    with pytest.raises(ValueProblem):
        read_month(cell)


def test_the_dry_run_of_a_monthly_export_shows_each_months_figure(session, ctx, tmp_path):
    result = import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "d.xlsx"), create_units=True, dry_run=True)
    assert [(d.header, d.new) for d in result.changes[1].details if "完成" in d.header] == [
        ("当月完成投资（万元）（2025-10）", Decimal("650.5")), ("9月完成投资", Decimal("600"))]


def test_the_units_person_under_its_group_is_kept_unless_the_sheet_has_a_task_force_column(tmp_path):
    from openpyxl import Workbook

    for extra, expected, not_read in (([], {"task_force": "张伟"}, ["D 责任单位/联系电话"]),
                                      (["工作专班"], {"task_force": "招商专班"}, ["C 责任单位/负责人", "D 责任单位/联系电话"])):
        wb = Workbook()
        ws = wb.active
        ws.append(["项目名称", "责任单位", None, None, *extra])
        ws.append([None, "单位名称", "负责人", "联系电话"])
        ws.merge_cells("B1:D1")
        ws.merge_cells("A1:A2")
        if extra:
            ws.merge_cells("E1:E2")
        ws.append(["甲项目", "高新区商务局", "张伟", "0596-1234567", *(["招商专班"] if extra else [])])
        wb.save(tmp_path / "u.xlsx")
        parsed = read_ledger(tmp_path / "u.xlsx", as_of=AS_OF)
        assert parsed.rows[0].values == {"name": "甲项目", "unit": "高新区商务局", **expected}
        assert [f"{c.letter} {c.header}" for c in parsed.unused] == not_read


def test_a_monthly_export_against_another_month_given_is_refused(session, ctx, tmp_path):
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, corpus.monthly_rows(tmp_path / "d.xlsx"), create_units=True, month="2025-09")
    assert [(p.row, p.message) for p in info.value.result.errors] == [
        (2, "台账写的是 2025-10，--month 给的是 2025-09：请核对后只用台账自己的月份")]


def test_the_cli_imports_a_monthly_export(cli, tmp_path):
    path = corpus.monthly_rows(tmp_path / "d.xlsx")
    r = cli("ledger", "import", "--create-units", "--dry-run", "--format", "json", str(path))
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["counts"] == {"added": 2, "changed": 0, "unchanged": 0, "refused": 0}
    assert [(c["row"], c["name"]) for c in out["changes"]] == [(6, "智能终端产业园"), (8, "闽南冷链物流园")]
    assert [s["row"] for s in out["skipped_rows"]] == [9]
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 0, r.stderr
    assert "新增 2，" in r.stderr
