"""`projects ledger import / export` as a user types them: output, exit codes, the errors workbook."""

from __future__ import annotations

import json

import ledger_samples as samples
from counts import table_counts
from openpyxl import load_workbook


def test_dry_run_lists_the_broken_rows_writes_nothing_and_the_errors_workbook(cli, tmp_path):
    path = samples.office_ledger(tmp_path / "b.xlsx", broken=True)
    before = table_counts(cli.url)
    r = cli("ledger", "import", str(path), "--dry-run", "--errors", str(tmp_path / "问题行.xlsx"))
    assert r.exit_code == 1
    lines = r.stderr.splitlines()
    assert [line for line in lines if line.startswith("error:")] == [
        "error: 2025年台账 row 8, column E 总投资: '很多' is not an amount; expected a number such as 85000, 8.5亿元 or 8000万元",
        "error: 2025年台账 row 9, column H 开工时间/计划: '2024-02-30' is not a real date",
        "error: 2025年台账 row 12, column B 项目名称: the project name (项目名称) is empty; every project row needs a name",
        "error: 2025年台账 row 13, column G 1-10月完成投资: completed investment 90000 万元 is more than the total investment 80000 万元",
        "error: 2025年台账 row 16, column F 2025年计划投资: cannot be negative: -500",
    ]
    assert lines[-2] == f"Wrote {tmp_path / '问题行.xlsx'}: 5 rows with problems, bad cells highlighted and commented"
    assert lines[-1] == "Error: b.xlsx: 5 errors in rows 8, 9, 12, 13, 16; nothing was written"
    assert r.stdout == ""
    assert table_counts(cli.url) == before
    ws = load_workbook(tmp_path / "问题行.xlsx").active
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == ["原行号", None, 8, 9, 12, 13, 16]
    bad = ws["F4"]  # row 8, column E of the ledger, one column right
    assert (bad.value, bad.fill.fgColor.rgb) == ("很多", "00FFC7CE")
    assert bad.comment.text == "错误: '很多' is not an amount; expected a number such as 85000, 8.5亿元 or 8000万元"
    warned = ws["J6"]  # row 12, column I: 待定
    assert (warned.value, warned.fill.fgColor.rgb) == ("待定", "00FFEB9C")
    assert ws.cell(4, ws.max_column).value.startswith("E列 总投资: '很多' is not an amount")
    assert ws["C6"].value is None and ws["C6"].comment.text.startswith("错误: the project name")
    # the ledger's two header rows frozen and printed on every page, fitted to the page width
    assert (ws.freeze_panes, ws.print_title_rows, ws.sheet_properties.pageSetUpPr.fitToPage) == ("B4", "$2:$3", True)


def test_clean_import_then_again_then_dry_run_json(cli, tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    r = cli("ledger", "import", str(path), "--dry-run", "--format", "json")
    assert r.exit_code == 0
    listed = json.loads(r.stdout)
    assert [(c["row"], c["action"], c["code"], c["name"]) for c in listed] == [
        (8, "add", None, "山推大马力推土机产业化项目"), (9, "add", None, "信发液压高端液压件项目"),
        (12, "add", None, "锐博 高端结构件智能制造项目"), (13, "add", None, "镐成永生中韩高端装备产业化项目"),
        (16, "add", None, "市第一人民医院公共卫生重症医学中心项目"),
    ]
    assert r.stderr.splitlines()[-1] == (
        "Dry run, nothing written: 5 rows in o.xlsx (sheet 2025年台账, header rows 3–4, 填报单位 经济发展局): would be 5 added, 0 changed, "
        "0 unchanged; 5 warnings"
    )
    assert table_counts(cli.url)["project"] == 0
    r = cli("ledger", "import", str(path))
    assert r.exit_code == 0
    assert r.stderr.splitlines()[-1] == (
        "Imported 5 rows from o.xlsx (sheet 2025年台账, header rows 3–4, 填报单位 经济发展局): 5 added, 0 changed, 0 unchanged; 5 warnings"
    )
    after = table_counts(cli.url)
    r = cli("ledger", "import", str(path))
    assert r.stderr.splitlines()[-1] == (
        "Imported 5 rows from o.xlsx (sheet 2025年台账, header rows 3–4, 填报单位 经济发展局): 0 added, 0 changed, 5 unchanged; 2 warnings"
    )
    assert table_counts(cli.url) == after
    data = json.loads(cli("list", "--format", "json").stdout)
    assert sum(p["total_investment"] for p in data) == samples.OFFICE_TOTAL


def test_strict_sheet_and_from_unit_options(cli, tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    r = cli("ledger", "import", str(path), "--strict")
    assert r.exit_code == 1 and r.stderr.splitlines()[-1] == "Error: o.xlsx: 5 errors in rows 8, 12, 16; nothing was written"
    r = cli("ledger", "import", str(path), "--sheet", "填报说明")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: {path}: no ledger header found in sheet '填报说明'; expected a row naming")
    r = cli("ledger", "import", str(path), "--sheet", "Sheet9")
    assert r.stderr == f"Error: {path} has no sheet 'Sheet9'; its sheets are: 填报说明, 2025年台账\n"
    r = cli("ledger", "import", str(path), "--from-unit", "经济发展局")
    assert r.exit_code == 1
    assert r.stderr == "Error: --from-unit '经济发展局' is not a unit in the registry; known units: none yet\n"
    r = cli("ledger", "import", str(path), "--errors", str(tmp_path / "e.csv"))
    assert r.exit_code == 2 and "name the file *.xlsx" in r.stderr


def test_export_then_import_round_trip(cli, tmp_path):
    cli("ledger", "import", str(samples.office_ledger(tmp_path / "o.xlsx")))
    cli("add", "--name", '=HYPERLINK("http://x","点我")', "--unit", "经济发展局")
    out = tmp_path / "台账.xlsx"
    r = cli("ledger", "export", str(out), "--unit", "经济发展局", "--group-by", "unit", "--title", "经发局台账")
    assert (r.exit_code, r.stderr) == (0, f"Wrote {out}: 3 projects as of 2025-10-31\n")
    ws = load_workbook(out).active
    assert ws["A1"].value == "经发局台账（截至2025年10月31日）"
    assert ws["C9"].value == '=HYPERLINK("http://x","点我")' and ws["C9"].data_type == "s"
    before = table_counts(cli.url)
    r = cli("ledger", "import", str(out))
    assert r.stderr.splitlines()[-1] == (
        "Imported 3 rows from 台账.xlsx (sheet 重点项目台账, header rows 3–4): 0 added, 0 changed, 3 unchanged"
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
    first = cli("ledger", "import", str(ledger))
    assert first.exit_code == 0 and "1 added, 0 changed, 0 unchanged" in first.stderr + first.stdout
    second = cli("ledger", "import", str(ledger))
    assert "0 added, 0 changed, 1 unchanged" in second.stderr + second.stdout
    import json

    assert json.loads(cli("show", "GX-0001", "--format", "json").stdout)["total_investment"] == 1.23
