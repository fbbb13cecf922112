"""`projects ledger import / export` as a user types them: output, exit codes, the errors workbook."""

from __future__ import annotations

import json

import ledger_samples as samples
from counts import table_counts
from openpyxl import load_workbook


def test_dry_run_lists_the_broken_rows_writes_nothing_and_the_errors_workbook(cli, tmp_path):
    path = samples.office_ledger(tmp_path / "b.xlsx", broken=True)
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path), "--dry-run", "--errors", str(tmp_path / "问题行.xlsx"))
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert [line for line in lines if line.startswith("错误：2025")] == [
        "错误：2025年台账 第 8 行，E 列 总投资：'很多' 不是金额；应为数字，例如 85000、8.5亿元 或 8000万元",
        "错误：2025年台账 第 9 行，H 列 开工时间/计划：'2024-02-30' 不是真实存在的日期",
        "错误：2025年台账 第 12 行，B 列 项目名称：项目名称为空：每个项目行都要有项目名称",
        "错误：2025年台账 第 13 行，G 列 1-10月完成投资：完成投资 90000 万元大于总投资 80000 万元",
        "错误：2025年台账 第 16 行，F 列 2025年计划投资：不能为负数：-500",
    ]
    assert lines[-3] == f"已写出 {tmp_path / '问题行.xlsx'}：5 行有问题，问题单元格已标色并加批注"
    assert lines[-2] == "预检，未写入：共 5 行，将会新增 0，修改 0，未变 0，拒收 5"
    assert lines[-1] == "错误：b.xlsx：5 处错误（第 8, 9, 12, 13, 16 行）；未写入任何内容"
    assert r.stdout == ""
    assert table_counts(cli.url) == before
    ws = load_workbook(tmp_path / "问题行.xlsx").active
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["原行号", None, 8, 9, 12, 13, 16]
    bad = ws["F4"]  # row 8, column E of the ledger, one column right
    assert (bad.value, bad.fill.fgColor.rgb) == ("很多", "00FFC7CE")
    assert bad.comment.text == "错误: '很多' 不是金额；应为数字，例如 85000、8.5亿元 或 8000万元"
    warned = ws["J6"]  # row 12, column I: 待定
    assert (warned.value, warned.fill.fgColor.rgb) == ("待定", "00FFEB9C")
    assert ws.cell(4, ws.max_column).value.startswith("E列 总投资: '很多' 不是金额")
    assert ws["C6"].value is None and ws["C6"].comment.text.startswith("错误: 项目名称为空")
    # the ledger's two header rows frozen and printed on every page, fitted to the page width
    assert (ws.freeze_panes, ws.print_title_rows, ws.sheet_properties.pageSetUpPr.fitToPage) == ("B4", "$2:$3", True)


def test_clean_import_then_again_then_dry_run_json(cli, tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    r = cli("ledger", "import", "--create-units", str(path), "--dry-run", "--format", "json")
    assert r.exit_code == 0
    listed = json.loads(r.stdout)
    assert listed["counts"] == {"added": 5, "changed": 0, "unchanged": 0, "refused": 0}
    assert [(c["row"], c["action"], c["code"], c["name"]) for c in listed["changes"]] == [
        (8, "add", None, "山推大马力推土机产业化项目"), (9, "add", None, "信发液压高端液压件项目"),
        (12, "add", None, "锐博 高端结构件智能制造项目"), (13, "add", None, "镐成永生中韩高端装备产业化项目"),
        (16, "add", None, "市第一人民医院公共卫生重症医学中心项目"),
    ]
    assert r.stderr.splitlines()[-1] == (
        "预检，未写入：o.xlsx（工作表 2025年台账，表头第 3–4 行，填报单位 经济发展局） 共 5 行，将会新增 5，修改 0，"
        "未变 0；5 条警告"
    )
    assert table_counts(cli.url)["project"] == 0
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 0
    assert r.stderr.splitlines()[-1] == (
        "已导入 o.xlsx（工作表 2025年台账，表头第 3–4 行，填报单位 经济发展局） 的 5 行：新增 5，修改 0，未变 0；5 条警告"
    )
    after = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.stderr.splitlines()[-1] == (
        "已导入 o.xlsx（工作表 2025年台账，表头第 3–4 行，填报单位 经济发展局） 的 5 行：新增 0，修改 0，未变 5；2 条警告"
    )
    assert table_counts(cli.url) == after
    data = json.loads(cli("list", "--format", "json").stdout)
    assert sum(p["total_investment"] for p in data) == samples.OFFICE_TOTAL


def test_strict_sheet_and_from_unit_options(cli, tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    r = cli("ledger", "import", "--create-units", str(path), "--strict")
    assert r.exit_code == 1 and r.stderr.splitlines()[-1] == "错误：o.xlsx：5 处错误（第 8, 12, 16 行）；未写入任何内容"
    r = cli("ledger", "import", "--create-units", str(path), "--sheet", "填报说明")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{path}：在工作表 '填报说明'中找不到台账表头：前 30 行中应有一行写明项目名称")
    r = cli("ledger", "import", "--create-units", str(path), "--sheet", "Sheet9")
    assert r.stderr == f"错误：{path} 没有工作表 'Sheet9'；它的工作表有：填报说明、2025年台账\n"
    r = cli("ledger", "import", "--create-units", str(path), "--from-unit", "经济发展局")
    assert r.exit_code == 1
    assert r.stderr == "错误：责任单位“经济发展局”不存在；项目库中还没有任何责任单位\n"
    r = cli("ledger", "import", "--create-units", str(path), "--errors", str(tmp_path / "e.csv"))
    assert r.exit_code == 2 and "不能写成 .csv 文件" in r.stderr


def test_export_then_import_round_trip(cli, tmp_path):
    cli("ledger", "import", "--create-units", str(samples.office_ledger(tmp_path / "o.xlsx")))
    cli("add", "--create-units", "--name", '=HYPERLINK("http://x","点我")', "--unit", "经济发展局")
    out = tmp_path / "台账.xlsx"
    r = cli("ledger", "export", str(out), "--unit", "经济发展局", "--group-by", "unit", "--title", "经发局台账")
    assert (r.exit_code, r.stderr) == (0, f"已写出 {out}：截至 2025-10-31 的 3 个项目\n")
    ws = load_workbook(out).active
    assert ws["A1"].value == "经发局台账（截至2025年10月31日）"
    assert ws["C9"].value == '=HYPERLINK("http://x","点我")' and ws["C9"].data_type == "s"
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(out))
    assert r.stderr.splitlines()[-1] == (
        "已导入 台账.xlsx（工作表 重点项目台账，表头第 3–4 行） 的 3 行：新增 0，修改 0，未变 3"
    )
    assert table_counts(cli.url) == before
    shown = json.loads(cli("show", "GX-0006", "--format", "json").stdout)
    assert shown["name"] == '=HYPERLINK("http://x","点我")'
    r = cli("ledger", "export", str(tmp_path / "x.xlsx"), "--group-by", "leader")
    assert r.exit_code == 2


def test_amounts_are_read_at_the_registrys_precision_so_reimport_changes_nothing(cli, tmp_path):
    """12345元 is 1.2345 万元; the registry keeps 0.01 万元, so it is read as 1.23 and a second import finds it unchanged."""
    ledger = tmp_path / "l.csv"
    ledger.write_text("项目名称,总投资\n甲项目,12345元\n", encoding="utf-8")
    first = cli("ledger", "import", "--create-units", str(ledger))
    assert first.exit_code == 0 and "新增 1，修改 0，未变 0" in first.stderr + first.stdout
    second = cli("ledger", "import", "--create-units", str(ledger))
    assert "新增 0，修改 0，未变 1" in second.stderr + second.stdout
    import json

    assert json.loads(cli("show", "GX-0001", "--format", "json").stdout)["total_investment"] == 1.23


def _done_milestone_changed(cli, tmp_path):
    """The office ledger imported, then sent again with GX-0001's done 开工 re-planned and its actual date moved,
    its total and GX-0002's year to date changed."""
    path = samples.office_ledger(tmp_path / "o.xlsx")
    assert cli("ledger", "import", "--create-units", str(path)).exit_code == 0
    wb = load_workbook(path)
    ws = wb["2025年台账"]
    ws["E8"], ws["H8"], ws["I8"], ws["G9"] = "5亿元", "2024-02-01", "2024-04-15", 1000
    wb.save(tmp_path / "o2.xlsx")
    return tmp_path / "o2.xlsx"


CONFIRM = [
    "2025年台账 第 8 行，H 列 开工时间/计划：GX-0001 山推大马力推土机产业化项目：开工已于 2024-03-15 完成，台账把计划日期 "
    "2024-03-01 改为 2024-02-01",
    "2025年台账 第 8 行，I 列 开工时间/实际：GX-0001 山推大马力推土机产业化项目：开工已于 2024-03-15 完成，台账把实际日期改为 "
    "2024-04-15",
]
SKIPPED = ("未作为项目读入的行：第 6 行分组行 一、高端装备产业（4个）；第 7 行分组行 （一）工程机械（2个）；"
           "第 11 行分组行 （二）智能装备（2个）；第 14 行合计行 小计；第 15 行分组行 二、医养健康产业（1个）；第 17 行合计行 合 计；"
           "第 19 行注释行 注：1.投资单位为万元；2.开工、竣工时间填写到月。；第 20 行注释行 填表人：小王")
WHERE = "o2.xlsx（工作表 2025年台账，表头第 3–4 行，填报单位 经济发展局）"


def start_of(cli, code: str) -> tuple:
    shown = json.loads(cli("milestone", "list", code, "--format", "json").stdout)
    start = next(m for m in shown if m["kind"] == "开工")
    return start["planned_date"], start["actual_date"]


def test_dry_run_shows_each_value_old_and_new_under_the_ledgers_column(cli, tmp_path):
    path = _done_milestone_changed(cli, tmp_path)
    r = cli("ledger", "import", "--create-units", str(path), "--dry-run")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "行  操作  项目编号  项目名称                    栏目            原值        新值",
        "--  ----  --------  --------------------------  --------------  ----------  ----------",
        " 8  修改  GX-0001   山推大马力推土机产业化项目  总投资          48800       50000",
        " 8  修改  GX-0001   山推大马力推土机产业化项目  开工时间/计划   2024-03-01  2024-02-01",
        " 8  修改  GX-0001   山推大马力推土机产业化项目  开工时间/实际   2024-03-15  2024-04-15",
        " 9  修改  GX-0002   信发液压高端液压件项目      1-10月完成投资  900         1000",
    ]
    assert r.stderr.splitlines()[2:] == [
        *(f"待确认：{line}" for line in CONFIRM), SKIPPED,
        f"预检，未写入：{WHERE} 共 5 行，将会新增 0，修改 2，未变 3；2 条警告；2 处对已完成节点的修改待确认（--yes）",
    ]


def test_dry_run_json_for_scripts(cli, tmp_path):
    path = _done_milestone_changed(cli, tmp_path)
    data = json.loads(cli("ledger", "import", "--create-units", str(path), "--dry-run", "--format", "json").stdout)
    assert (data["file"], data["sheet"], data["header_rows"], data["counts"]) == (
        "o2.xlsx", "2025年台账", [3, 4], {"added": 0, "changed": 2, "unchanged": 3, "refused": 0})
    assert data["changes"] == [
        {"row": 8, "action": "change", "code": "GX-0001", "name": "山推大马力推土机产业化项目",
         "fields": ["total_investment", "开工.planned_date", "开工.actual_date"],
         "changes": [{"field": "total_investment", "header": "总投资", "old": "48800", "new": "50000"},
                     {"field": "开工.planned_date", "header": "开工时间/计划", "old": "2024-03-01", "new": "2024-02-01"},
                     {"field": "开工.actual_date", "header": "开工时间/实际", "old": "2024-03-15", "new": "2024-04-15"}]},
        {"row": 9, "action": "change", "code": "GX-0002", "name": "信发液压高端液压件项目", "fields": ["completed_ytd"],
         "changes": [{"field": "completed_ytd", "header": "1-10月完成投资", "old": "900", "new": "1000"}]},
    ]
    assert data["to_confirm"] == [
        {"sheet": "2025年台账", "row": 8, "column": "H", "header": "开工时间/计划", "code": "GX-0001",
         "name": "山推大马力推土机产业化项目", "milestone": "开工", "change": "replan", "old": "2024-03-01",
         "new": "2024-02-01", "done": "2024-03-15"},
        {"sheet": "2025年台账", "row": 8, "column": "I", "header": "开工时间/实际", "code": "GX-0001",
         "name": "山推大马力推土机产业化项目", "milestone": "开工", "change": "actual", "old": "2024-03-15",
         "new": "2024-04-15", "done": "2024-03-15"},
    ]
    assert data["skipped_rows"][:2] == [{"row": 6, "kind": "section", "text": "一、高端装备产业（4个）"},
                                        {"row": 7, "kind": "section", "text": "（一）工程机械（2个）"}]
    assert [p["row"] for p in data["problems"]] == [12, 12]


def test_a_change_to_a_done_milestone_is_refused_unless_confirmed(cli, tmp_path):
    path = _done_milestone_changed(cli, tmp_path)
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path))  # no terminal, no --yes
    assert r.exit_code == 1
    assert r.stderr.splitlines()[2:] == [
        *(f"待确认：{line}" for line in CONFIRM), SKIPPED,
        "错误：o2.xlsx：对已完成节点的 2 处修改未确认；加 --yes 重新运行即写入；未写入任何内容",
    ]
    assert table_counts(cli.url) == before
    r = cli("ledger", "import", "--create-units", str(path), "--strict")
    assert r.exit_code == 1
    assert [line for line in r.stderr.splitlines() if "第 8 行" in line] == [
        f"错误：{line}；--strict 不改已完成的节点" for line in CONFIRM]
    assert table_counts(cli.url) == before
    assert start_of(cli, "GX-0001") == ("2024-03-01", "2024-03-15")
    r = cli("ledger", "import", "--create-units", str(path), "--yes")
    assert r.exit_code == 0
    assert r.stderr.splitlines()[2:] == [
        *(f"已确认：{line}" for line in CONFIRM), SKIPPED,
        f"已导入 {WHERE} 的 5 行：新增 0，修改 2，未变 3；2 条警告；已确认 2 处对已完成节点的修改",
    ]
    assert start_of(cli, "GX-0001") == ("2024-02-01", "2024-04-15")


def test_at_a_terminal_the_clerk_is_asked(cli, tmp_path, monkeypatch):
    from projects_cli.cli import common

    path = _done_milestone_changed(cli, tmp_path)
    monkeypatch.setattr(common, "can_ask", lambda: True)
    r = cli("ledger", "import", "--create-units", str(path), input="n\n")
    assert r.exit_code == 1
    assert "写入这 2 处对已完成节点的修改？ [y/N]:" in r.stderr
    assert [line for line in r.stderr.splitlines() if line.startswith("待确认")] == [
        f"待确认：{line}" for line in CONFIRM]  # listed once, before the question
    assert start_of(cli, "GX-0001") == ("2024-03-01", "2024-03-15")
    r = cli("ledger", "import", "--create-units", str(path), input="y\n")
    assert r.exit_code == 0
    assert start_of(cli, "GX-0001") == ("2024-02-01", "2024-04-15")
