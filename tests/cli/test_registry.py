"""The registry through the command line, as a user types it."""

from __future__ import annotations

import json

from counts import count


def test_add_prints_code_then_show_and_edit(cli):
    r = cli("add", "--create-units", "--name", "某某智能制造项目", "--chain", "智能装备", "--unit", "经济发展局", "--total-investment", "8.5亿元")
    assert (r.exit_code, r.stdout.strip()) == (0, "GX-0001")
    r = cli("edit", "GX-0001", "--status", "在建", "--leader", "张三")
    assert r.exit_code == 0 and r.stderr == "已修改：项目状态、包保领导\n"
    data = json.loads(cli("show", "GX-0001", "--format", "json").stdout)
    assert data["status"] == "在建" and data["leader"] == "张三" and data["total_investment"] == 85000
    assert data["unit"] == "经济发展局"


def test_bad_input_is_one_line_error_and_changes_nothing(cli):
    cli("add", "--name", "甲")
    before = count(cli.url, "change_log")
    r = cli("edit", "GX-0001", "--total-investment", "-3")
    assert r.exit_code == 1
    assert r.stderr == "错误：总投资（万元）不能为负数：-3\n"
    r = cli("show", "GX-0404")
    assert r.exit_code == 1 and r.stderr.startswith("错误：没有编号为 'GX-0404' 的项目")
    r = cli("--as-of", "2025-02-30", "list", as_of=None)
    assert r.exit_code == 2 and "2025-02-30" in r.stderr and "不是真实存在的日期" in r.stderr
    assert count(cli.url, "change_log") == before
    assert count(cli.url, "project") == 1


def test_list_table_aligns_chinese(cli):
    cli("add", "--name", "甲项目", "--chain", "新能源")
    cli("add", "--name", "Solar", "--chain", "新能源")
    lines = cli("list").stdout.splitlines()
    from projects_cli.listings.output import width

    # the chain column starts at the same display column on every row
    starts = [width(line[: line.index("新能源")]) for line in lines[2:]]
    assert len(set(starts)) == 1


def test_list_csv_has_every_field(cli):
    cli("add", "--name", "甲", "--categories", "省重点、市重点")
    out = cli("list", "--format", "csv").stdout.splitlines()
    # for people by default: Chinese names after the UTF-8 mark Excel on Chinese Windows needs
    assert out[0].startswith("\ufeff项目编号,项目名称,项目类别,")
    assert out[1].startswith("GX-0001,甲,省重点、市重点,")
    out = cli("list", "--format", "csv", "--csv-headers", "en").stdout.splitlines()
    assert out[0].startswith("code,name,categories,")  # for scripts: the JSON keys, no mark
    assert out[1].startswith("GX-0001,甲,省重点、市重点,")


def test_the_list_as_csv_imports_back_unchanged(cli, tmp_path):
    cli("add", "--name", "甲项目", "--categories", "省重点", "--unit", "建设局", "--create-units",
        "--total-investment", "8000", "--chain", "新能源", "--leader", "张三")
    path = tmp_path / "清单.csv"
    path.write_bytes(cli("list", "--format", "csv").stdout.encode("utf-8"))
    r = cli("ledger", "import", str(path), "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert "未识别的列" not in r.stderr
    assert r.stderr.strip().endswith("将会新增 0，修改 0，未变 1")


def test_command_on_missing_database_says_init(tmp_path):
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    db = tmp_path / "none.db"
    r = CliRunner().invoke(app, ["--db", str(db), "list"])
    assert r.exit_code == 1
    assert r.stderr == f"错误：{db} 不存在；请运行：projects --db {db} init\n"
    assert not db.exists()
