"""`projects undo` / `log revert`, `project archive / restore / remove`, `log --since / --summary` (issue 18)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app
from projects_cli.services.changes import relative_span
from projects_cli.services.undo import parse_ids

# What "the registry back exactly" compares: every table but the log and the history tables (the earlier
# values kept for reports of earlier dates, the plan history), and the counters (a code or number once given
# is never given again); in the rows, every column but the bookkeeping of when a row was recorded or touched.
HISTORY = {"change_log", "log_anchor", "project_revision", "milestone_revision", "investment_revision",
           "milestone_plan", "counter", "alembic_version"}
BOOKKEEPING = {"version", "updated_at", "recorded_on", "actual_recorded_on"}


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'") if t not in HISTORY]
        out = {}
        for table in sorted(tables):
            cols = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")') if c[1] not in BOOKKEEPING]
            out[table] = sorted(conn.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{table}"'),
                                key=repr)
        return out
    finally:
        conn.close()


@pytest.fixture
def office(demo_template, tmp_path) -> Path:
    path = tmp_path / f"office-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(demo_template, path)
    return path


def run(path: Path, as_of: str, *args: str, by: str = "tester", input: str | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, ["--db", str(path), "--by", by, "--as-of", as_of, *args], input=input,
                           catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def ok(path: Path, as_of: str, *args: str, by: str = "tester") -> str:
    code, out, err = run(path, as_of, *args, by=by)
    assert code == 0, (args, err)
    return err


def last_entries(path: Path, n: int) -> list[dict]:
    return json.loads(ok_out(path, "2025-11-30", "log", "-n", str(n), "--format", "json"))


def ok_out(path: Path, as_of: str, *args: str) -> str:
    code, out, err = run(path, as_of, *args)
    assert code == 0, (args, err)
    return out


LEDGER = ("项目编号,项目名称,责任单位,总投资,计划开工时间\n"
          "GX-0010,伊顿工业智能制造发动机制动项目,经济发展局,99999,2026-03-31\n"
          ",新来的项目,新成立的局,5000,2026-05-31\n")


def test_a_mistaken_edit_a_wrong_milestone_and_an_import_undone_give_the_registry_back(office, tmp_path):
    before = dump(office)
    ok(office, "2025-11-03", "edit", "GX-0004", "--status", "在建", "--leader", "李四")
    ok(office, "2025-11-03", "milestone", "add", "GX-0001", "投产", "--planned", "2026-06-30")
    ok(office, "2025-11-04", "milestone", "replan", "GX-0001", "投产", "--planned", "2026-09-30", "--reason", "调整")
    ledger = tmp_path / "十一月台账.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    ok(office, "2025-11-05", "ledger", "import", str(ledger), "--create-units", "--yes")
    assert dump(office) != before
    rows = last_entries(office, 12)
    runs = {r["command"]: r["run"] for r in rows}
    imported = [r["id"] for r in rows if r["run"] == runs["ledger import"]]
    assert [(r["table_name"], r["action"]) for r in rows if r["run"] == runs["ledger import"]] == [
        ("milestone_plan", "insert"), ("milestone", "update"), ("project", "update"), ("project", "insert"),
        ("unit", "insert")]
    assert len(imported) == 5 and all(r["on"] == "2025-11-05" for r in rows if r["run"] == runs["ledger import"])
    # the import by its command, the milestone by its entries (a range), the edit as the last command left
    err = ok(office, "2025-11-10", "undo", "--run", runs["ledger import"], "--yes")
    assert err.splitlines() == [
        f"撤销第 {imported[-1]} 条（ledger import）：删除新增的单位“新成立的局”",
        f"撤销第 {imported[-2]} 条（ledger import）：删除新增的项目 GX-0052“新来的项目”及其节点、投资数据",
        f"撤销第 {imported[-3]} 条（ledger import）：GX-0010 改回：总投资（万元） 99999 → 10000，责任单位 经济发展局 → 接庄街道",
        f"撤销第 {imported[-4]} 条（ledger import）：节点 GX-0010:开工 改回：计划日期 2026-03-31 → 2025-04-30",
        f"撤销第 {imported[-5]} 条（ledger import）：节点 GX-0010:开工 的计划记录随节点一并撤销",
        "已撤销 5 条变更；撤销本身也记入变更记录（见 projects log）",
    ]
    milestone = [r["id"] for r in rows if r["command"] in ("milestone add", "milestone replan")]
    ok(office, "2025-11-10", "undo", f"{min(milestone)}-{max(milestone)}", "--yes")
    ok(office, "2025-11-10", "undo", "--last", "--yes")
    assert dump(office) == before
    assert run(office, "2025-11-10", "db", "check")[0] == 0
    # reports for the days in between still read what was on record then (the edit's values)
    def leaders(as_of: str) -> set[str]:
        rows = json.loads(ok_out(office, as_of, "overdue", "--format", "json"))["overdue"]
        return {r["leader"] for r in rows if r["code"] == "GX-0004"}

    assert (leaders("2025-11-04"), leaders("2025-11-10")) == ({"李四"}, {"王芳"})
    # nothing left to undo twice
    code, _, err = run(office, "2025-11-10", "undo", str(imported[-1]), "--yes")
    marks = [r["id"] for r in last_entries(office, 40) if r["action"] == "revert" and r["record_key"] == f"#{imported[-1]}"]
    assert (code, err) == (1, f"错误：第 {imported[-1]} 条已撤销过（见第 {marks[0]} 条）；"
                              "未撤销任何变更\n")


def test_undo_is_refused_when_a_later_change_depends_on_it(office):
    ok(office, "2025-11-03", "edit", "GX-0004", "--leader", "李四")
    edit = last_entries(office, 1)[0]["id"]
    ok(office, "2025-11-04", "edit", "GX-0004", "--leader", "赵六")
    code, out, err = run(office, "2025-11-05", "undo", str(edit), "--yes")
    assert (code, out, err) == (1, "", f"错误：第 {edit} 条（edit · project GX-0004）不能撤销：包保领导此后又改为 赵六"
                                       f"（见第 {edit + 1} 条 edit）；未撤销任何变更\n")
    ok(office, "2025-11-05", "milestone", "add", "GX-0001", "投产", "--planned", "2026-06-30")
    added = last_entries(office, 2)[1]["id"]
    ok(office, "2025-11-06", "milestone", "done", "GX-0001", "投产", "--on", "2025-11-06")
    code, _, err = run(office, "2025-11-07", "undo", str(added), "--yes")
    assert code == 1 and err == (
        f"错误：第 {added} 条（milestone add · milestone GX-0001:投产）不能撤销：节点此后已记实际完成 "
        f"2025-11-06（见第 {added + 2} 条 milestone done）；未撤销任何变更\n")
    ok(office, "2025-11-07", "sheet", "notice", "2025-004", "--preview")  # a preview takes no number
    code, _, err = run(office, "2025-11-07", "sheet", "notice", "2025-004", "--format", "md")
    sheet = next(r["id"] for r in last_entries(office, 3) if r["table_name"] == "sheet")
    code, _, err = run(office, "2025-11-07", "undo", str(sheet), "--yes")
    assert code == 1 and "文号已发出或已作废，文号不收回" in err
    code, _, err = run(office, "2025-11-07", "undo", "999999", "--yes")
    assert code == 1 and "变更记录中没有第 999999 条" in err
    assert run(office, "2025-11-07", "undo")[2] == (
        "错误：请给出要撤销的变更记录：序号（1041 或 1041-1050）、--run 命令号 或 --last\n")
    assert run(office, "2025-11-07", "undo", "abc")[2] == (
        "错误：“abc”不是变更记录的序号：写作 1041 或 1041-1050\n")
    assert run(office, "2025-11-07", "undo", "--run", "nope")[2] == (
        "错误：变更记录中没有命令 'nope'；`projects log` 的“命令号”一栏列出各命令\n")


def test_undo_asks_and_needs_yes_without_a_terminal(office):
    ok(office, "2025-11-03", "edit", "GX-0004", "--leader", "李四")
    before = dump(office)
    code, out, err = run(office, "2025-11-05", "undo", "--last")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "错误：撤销需要确认：加 --yes；未改动任何内容"
    assert "GX-0004 改回：包保领导 李四 → 王芳" in err  # what it would do, said first
    assert dump(office) == before
    code, _, err = run(office, "2025-11-05", "log", "revert", "--last", "--yes")  # the alias
    assert code == 0 and json.loads(ok_out(office, "2025-11-05", "show", "GX-0004", "--format", "json"))["leader"] == "王芳"


def test_undo_last_is_the_acting_persons(office):
    ok(office, "2025-11-03", "edit", "GX-0004", "--leader", "李四", by="甲")
    ok(office, "2025-11-03", "edit", "GX-0001", "--leader", "钱七", by="乙")
    ok(office, "2025-11-04", "undo", "--last", "--yes", by="甲")
    shown = {c: json.loads(ok_out(office, "2025-11-04", "show", c, "--format", "json"))["leader"] for c in ("GX-0004", "GX-0001")}
    assert shown == {"GX-0004": "王芳", "GX-0001": "钱七"}


def test_archive_leaves_reports_from_its_date_and_restore_brings_it_back(office):
    def codes(as_of: str, *args: str) -> set[str]:
        return {r["code"] for r in json.loads(ok_out(office, as_of, *args, "--format", "json"))}

    def overdue(as_of: str) -> set[str]:
        return {r["code"] for r in json.loads(ok_out(office, as_of, "overdue", "--format", "json"))["overdue"]}

    assert "GX-0021" in overdue("2025-11-10")
    code, _, err = run(office, "2025-11-01", "project", "archive", "GX-0021", "--reason", "项目终止")
    assert code == 1 and err.endswith("错误：归档需要确认：加 --yes；未改动任何内容\n")
    ok(office, "2025-11-01", "project", "archive", "GX-0021", "--reason", "项目终止", "--yes")
    assert "GX-0021" not in codes("2025-11-10", "list") and "GX-0021" not in overdue("2025-11-10")
    assert "GX-0021" in codes("2025-10-31", "list") and "GX-0021" in overdue("2025-10-31")  # earlier dates: as then
    assert codes("2025-11-10", "list", "--archived") == {"GX-0021"}
    _, _, err = run(office, "2025-11-10", "show", "GX-0021")
    assert err == "已归档：自 2025-11-01 起不在报表和清单中，原因：项目终止；恢复：projects project restore GX-0021\n"
    code, _, err = run(office, "2025-11-02", "project", "archive", "GX-0021", "--reason", "再次")
    assert (code, err) == (1, "错误：GX-0021 已于 2025-11-01 归档（项目终止）；恢复请用 projects project restore GX-0021\n")
    ok(office, "2025-11-20", "project", "restore", "GX-0021")
    assert "GX-0021" in overdue("2025-11-25") and "GX-0021" not in overdue("2025-11-10")
    code, _, err = run(office, "2025-11-25", "project", "remove", "GX-0021", "--yes")
    assert (code, err) == (1, "错误：GX-0021 没有归档，不能删除；"
                              "先归档：projects project archive GX-0021 --reason …\n")


def test_remove_only_an_archived_project_nothing_refers_to(office):
    ok(office, "2025-11-01", "project", "archive", "GX-0004", "--reason", "项目终止", "--yes")
    code, _, err = run(office, "2025-11-02", "project", "remove", "GX-0004", "--yes")
    assert (code, err) == (1, "错误：GX-0004 仍被引用，不能删除：问题记录 1 条\n")
    ok(office, "2025-11-02", "add", "--name", "录错的项目", "--unit", "经济发展局")
    ok(office, "2025-11-02", "milestone", "add", "GX-0052", "开工", "--planned", "2026-03-31")
    ok(office, "2025-11-03", "project", "archive", "GX-0052", "--reason", "录入错误", "--yes")
    err = ok(office, "2025-11-03", "project", "remove", "GX-0052", "--yes")
    assert err.splitlines()[-1] == "已删除 GX-0052"
    assert run(office, "2025-11-03", "show", "GX-0052")[0] == 1
    deleted = [(r["table_name"], r["action"]) for r in last_entries(office, 2)]
    assert deleted == [("project", "delete"), ("milestone", "delete")]


def test_log_since_and_summary_in_chinese(office):
    ok(office, "2025-11-03", "edit", "GX-0004", "--status", "在建", "--leader", "李四")
    ok(office, "2025-11-04", "edit", "GX-0004", "--leader", "赵六")
    ok(office, "2025-11-04", "edit", "GX-0010", "--unit", "建设局")
    ok(office, "2025-11-05", "milestone", "replan", "GX-0011", "主体完工", "--planned", "2026-01-31", "--reason", "调整")
    ok(office, "2025-11-05", "invest", "record", "GX-0001", "--month", "2025-10", "--amount", "1200")
    out = ok_out(office, "2025-11-05", "log", "--since", "本周", "--summary", "--format", "json")
    assert json.loads(out) == [
        {"code": "GX-0001", "name": "济宁国际高端装备产业城项目", "field": "2025-10完成投资", "old": "25237万元", "new": "1200万元"},
        {"code": "GX-0004", "name": "山推大马力推土机产业化项目", "field": "包保领导", "old": "王芳", "new": "赵六"},
        {"code": "GX-0004", "name": "山推大马力推土机产业化项目", "field": "项目状态", "old": "投产", "new": "在建"},
        {"code": "GX-0010", "name": "伊顿工业智能制造发动机制动项目", "field": "责任单位", "old": "接庄街道", "new": "建设局"},
        {"code": "GX-0011", "name": "莱尼电气通用线束生产项目", "field": "主体完工计划日期", "old": "2025年12月31日", "new": "2026年1月31日"},
    ]
    since = json.loads(ok_out(office, "2025-11-05", "log", "--since", "2025-11-04", "--until", "2025-11-04", "--format", "json"))
    assert [(r["record_key"], r["on"]) for r in since] == [("GX-0010", "2025-11-04"), ("GX-0004", "2025-11-04")]
    unit = json.loads(ok_out(office, "2025-11-05", "log", "--since", "7d", "--unit", "建设局", "--summary", "--format", "json"))
    assert [r["code"] for r in unit] == ["GX-0010"]
    code, _, err = run(office, "2025-11-05", "log", "--since", "2025-11-06", "--until", "2025-11-01")
    assert (code, err) == (1, "错误：--until 2025-11-01 早于 --since 2025-11-06\n")


def test_the_weekly_lists_the_weeks_changes(office):
    ok(office, "2025-11-05", "edit", "GX-0004", "--leader", "李四")
    text = ok_out(office, "2025-11-07", "sheet", "weekly", "--preview", "--format", "md")
    section = text[text.index("六、本周变化"):]
    assert "本周（2025年11月1日—2025年11月7日）项目库共有1处变化：" in section
    assert "| GX-0004 | 山推大马力推土机产业化项目 | 包保领导 | 王芳 | 李四 |" in section
    earlier = ok_out(office, "2025-10-31", "sheet", "weekly", "--preview", "--format", "md")
    assert "本周项目库无变化。" in earlier  # the first load (init) is not a change
    # a briefing issued before the section existed still re-renders, without it
    assert run(office, "2025-11-07", "sheet", "weekly", "--format", "md")[0] == 0
    conn = sqlite3.connect(office)
    with conn:
        (number,) = conn.execute("SELECT number FROM sheet WHERE kind = 'weekly'").fetchone()
        conn.execute("UPDATE sheet SET context = json_remove(context, '$.data.changes')")
    conn.close()
    code, text, err = run(office, "2025-11-07", "sheet", "reissue", number, "--rerender", "--format", "md")
    assert code == 0, err
    assert "流动红旗" in text and "本周变化" not in text


@pytest.mark.parametrize(("text", "span"), [
    ("7d", (date(2025, 11, 5), None)),
    ("2w", (date(2025, 10, 29), None)),
    ("today", (date(2025, 11, 11), date(2025, 11, 11))),
    ("本周", (date(2025, 11, 10), None)),
    ("last-week", (date(2025, 11, 3), date(2025, 11, 9))),
    ("上月", (date(2025, 10, 1), date(2025, 10, 31))),
    ("2025-11-01", None),
])
def test_relative_spans(text, span):
    assert relative_span(text, date(2025, 11, 11)) == span


def test_log_ids_as_typed():
    assert parse_ids(["1041", "1043-1045", "1050,1051"]) == [1041, 1043, 1044, 1045, 1050, 1051]
    with pytest.raises(Exception, match="不是有效的序号范围"):
        parse_ids(["1045-1043"])


def test_undo_and_archive_on_each_back_end(cli):
    assert cli("add", "--name", "甲项目", "--unit", "经济发展局", "--create-units").exit_code == 0
    assert cli("edit", "GX-0001", "--status", "在建").exit_code == 0
    r = cli("undo", "--last", "--yes")
    assert r.exit_code == 0, r.stderr
    assert json.loads(cli("show", "GX-0001", "--format", "json").stdout)["status"] == "前期"
    r = cli("undo", "--last", "--yes")  # the add, with the unit it created
    assert r.exit_code == 0 and "删除新增的单位“经济发展局”" in r.stderr
    assert cli("show", "GX-0001").exit_code == 1
    assert cli("add", "--name", "乙项目").exit_code == 0
    assert cli("project", "archive", "GX-0002", "--reason", "终止", "--yes").exit_code == 0
    assert json.loads(cli("list", "--format", "json").stdout) == []
    assert cli("project", "remove", "GX-0002", "--yes").exit_code == 0
    assert cli("db", "check").exit_code == 0


def test_a_problems_step_is_undone_until_it_moved_on(office):
    def state(as_of: str) -> tuple[str, str | None]:
        rows = json.loads(ok_out(office, as_of, "issue", "list", "--format", "json"))
        row = next(r for r in rows if r["number"] == "2025-009")
        return row["state"], row["lead_unit"]

    ok(office, "2025-11-03", "issue", "accept", "2025-009")
    ok(office, "2025-11-04", "issue", "assign", "2025-009", "--unit", "建设局", "--helper", "经济发展局")
    accept = next(r["id"] for r in last_entries(office, 6) if r["command"] == "issue accept" and r["table_name"] == "issue")
    code, _, err = run(office, "2025-11-05", "undo", str(accept), "--yes")
    assert (code, err) == (1, f"错误：第 {accept + 1} 条（issue accept · issue_event 2025-009）不能撤销："
                              "问题 2025-009 此后已有办理（交办）；未撤销任何变更\n")
    assign = max(r["id"] for r in last_entries(office, 6) if r["command"] == "issue assign")
    ok(office, "2025-11-05", "undo", "--run", f"#{assign}", "--yes")  # the assignment, by one of its entries
    ok(office, "2025-11-06", "undo", "--last", "--yes")  # then the acceptance
    assert [state(d) for d in ("2025-11-03", "2025-11-04", "2025-11-05", "2025-11-06")] == [
        ("accepted", None), ("assigned", "建设局"), ("accepted", None), ("reported", None)]
    shown = json.loads(ok_out(office, "2025-11-06", "issue", "show", "2025-009", "--format", "json"))
    assert shown["helpers"] == [] and shown["deadline"] is None


def test_a_downgrade_and_upgrade_keep_the_log_verifiable(cli):
    assert cli("add", "--name", "甲项目").exit_code == 0
    assert cli("edit", "GX-0001", "--status", "在建").exit_code == 0
    assert cli("db", "downgrade", "0009", "--yes").exit_code == 0
    assert cli("db", "upgrade").exit_code == 0
    r = cli("db", "check")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert cli("undo", "--last", "--yes").exit_code == 0  # the runs are still there
    assert json.loads(cli("show", "GX-0001", "--format", "json").stdout)["status"] == "前期"


def test_the_weekly_does_not_count_a_step_undone(office):
    def escalated(as_of: str) -> bool:
        text = ok_out(office, as_of, "sheet", "weekly", "--preview", "--format", "md")
        return "本周升级督办问题" in text

    ok(office, "2025-11-03", "issue", "escalate", "2025-005", "--level", "挂牌督办", "--reason", "久拖未决")
    assert escalated("2025-11-04")
    ok(office, "2025-11-05", "undo", "--last", "--yes")
    assert escalated("2025-11-04") and not escalated("2025-11-06")  # as on each date
