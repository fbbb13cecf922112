"""One change, one change log: the same changes made by the commands for one project and by a ledger import log the
same entries (the log's own id, time, chain hashes and command name aside)."""

from __future__ import annotations

import json
import shutil
from datetime import date

import ledger_samples as samples
from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from projects_cli.cli.app import app

COLUMNS = "action, table_name, record_id, record_key, project_code, fields, old, new, by"


def run(url: str, *args: str) -> None:
    result = CliRunner().invoke(app, ["--db", url, "--by", "tester", "--as-of", "2025-10-31", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr


def logged_after(url: str, last: int) -> tuple[list[tuple], list[str]]:
    """The entries after id `last` (without their id, time, hashes and command), and their commands."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {COLUMNS}, command FROM change_log WHERE id > :last ORDER BY id"),
                            {"last": last}).all()
    engine.dispose()
    entries = [(*row[:6], row[6] and json.loads(row[6]), json.loads(row[7]), row[8]) for row in rows]
    return entries, [row[9] for row in rows]


def last_id(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(id) FROM change_log")).scalar()
    engine.dispose()
    return last


def test_commands_and_a_ledger_import_log_the_same_entries(sqlite_template, tmp_path):
    by_commands, by_ledger = tmp_path / "commands.db", tmp_path / "ledger.db"
    first = samples.office_ledger(tmp_path / "o.xlsx")
    for path in (by_commands, by_ledger):
        shutil.copyfile(sqlite_template, path)
        run(f"sqlite:///{path}", "ledger", "import", "--create-units", str(first))
    commands, ledger = f"sqlite:///{by_commands}", f"sqlite:///{by_ledger}"
    before = last_id(commands)
    assert last_id(ledger) == before
    # GX-0002 (row 9): a new leader, annual plan and October figure, and 开工 re-planned
    wb = load_workbook(first)
    ws = wb["2025年台账"]
    ws["M9"] = "王五"
    ws["F9"] = 1500
    ws["G9"] = 1000  # the year to October: October's own figure, no earlier month on file
    ws["H9"] = date(2024, 6, 30)
    wb.save(tmp_path / "o2.xlsx")
    run(ledger, "ledger", "import", "--create-units", str(tmp_path / "o2.xlsx"))
    run(commands, "edit", "GX-0002", "--leader", "王五")
    run(commands, "invest", "plan", "GX-0002", "--amount", "1500")
    run(commands, "invest", "record", "GX-0002", "--month", "2025-10", "--amount", "1000", "--source", "o2.xlsx")
    run(commands, "milestone", "replan", "GX-0002", "开工", "--planned", "2024-06-30", "--reason", "台账导入 o2.xlsx")

    expected = [
        ("update", "project", 2, "GX-0002", "GX-0002", "leader", {"leader": "李四"}, {"leader": "王五"}, "tester"),
        ("update", "investment_plan", 2, "GX-0002:2025", "GX-0002", "amount", {"amount": "1200"}, {"amount": "1500"},
         "tester"),
        ("update", "investment_report", 2, "GX-0002:2025-10", "GX-0002", "amount,source",
         {"amount": "900", "source": "o.xlsx"}, {"amount": "1000", "source": "o2.xlsx"}, "tester"),
        ("update", "milestone", 3, "GX-0002:开工", "GX-0002", "planned_date,reason", {"planned_date": "2024-04-01"},
         {"planned_date": "2024-06-30", "reason": "台账导入 o2.xlsx"}, "tester"),
        ("insert", "milestone_plan", 9, "GX-0002:开工", "GX-0002", "kind,on,planned_date,reason", None,
         {"kind": "开工", "planned_date": "2024-06-30", "on": "2025-10-31", "reason": "台账导入 o2.xlsx"}, "tester"),
    ]
    from_ledger, ledger_commands = logged_after(ledger, before)
    from_commands, command_names = logged_after(commands, before)
    assert from_ledger == expected
    assert from_commands == expected
    assert ledger_commands == ["ledger import"] * 5
    assert command_names == ["edit", "invest plan", "invest record", "milestone replan", "milestone replan"]


def test_a_new_project_is_logged_alike_by_add_and_by_a_ledger(sqlite_template, tmp_path):
    """A new project's entry holds its fields and what was created with it (here its annual plan), both ways."""
    from openpyxl import Workbook

    by_add, by_ledger = tmp_path / "add.db", tmp_path / "ledger.db"
    for path in (by_add, by_ledger):
        shutil.copyfile(sqlite_template, path)
    wb = Workbook()
    wb.active.append(["项目名称", "总投资", "2025年计划投资", "责任单位"])
    wb.active.append(["甲项目", 8000, 1200, "经济发展局"])
    wb.save(tmp_path / "new.xlsx")
    run(f"sqlite:///{by_ledger}", "ledger", "import", "--create-units", str(tmp_path / "new.xlsx"))
    run(f"sqlite:///{by_add}", "add", "--create-units", "--name", "甲项目", "--total-investment", "8000", "--annual-plan", "1200",
        "--unit", "经济发展局")
    expected = [
        ("insert", "unit", 1, "经济发展局", None, "name", None, {"name": "经济发展局"}, "tester"),
        ("insert", "project", 1, "GX-0001", "GX-0001", "annual_plan:2025,code,name,status,total_investment,unit", None,
         {"annual_plan:2025": "1200", "code": "GX-0001", "name": "甲项目", "status": "前期", "total_investment": "8000",
          "unit": "经济发展局"}, "tester"),
    ]
    assert logged_after(f"sqlite:///{by_ledger}", 0)[0] == expected
    assert logged_after(f"sqlite:///{by_add}", 0)[0] == expected
