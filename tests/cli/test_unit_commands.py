"""`projects unit …` and `projects leader …` as the office runs them, and what a reorganisation does to
documents: a 督办单 for a date before the merge names the unit as it was, one after names the new one; a
ledger and a returned 派工单 that still say the old names land on the unit that holds them now."""

from __future__ import annotations

import json
from datetime import date

import pytest
from counts import count
from openpyxl import Workbook

from projects_cli.store.db import session_scope

OLD, NEW, GONE = "经济发展局", "经济发展和科技创新局", "投资促进局"
D = date.fromisoformat


@pytest.fixture
def office(cli):
    """经济发展局 (甲, 张三) and 投资促进局 (乙, 李四, and a problem it leads that 经济发展局 helps with), as of 2025-10-01."""
    from projects_cli.services import issues, registry
    from projects_cli.store.changelog import Ctx

    ctx = Ctx(by="office", as_of=D("2025-10-01"), command="test")
    with session_scope(cli.url) as s:
        registry.add_project(s, ctx, {"name": "甲项目", "unit": OLD, "leader": "张三"}, create_units=True)
        p2 = registry.add_project(s, ctx, {"name": "乙项目", "unit": GONE, "leader": "李四"}, create_units=True)
        issue = issues.report_issue(s, ctx, p2.code, title="土地指标未下达", category="土地")
        issues.accept_issue(s, ctx, issue.number)
        issues.assign_issue(s, ctx, issue.number, issues.default_rules(), unit=GONE, helpers=[OLD], due=D("2025-10-20"))
    return cli


def reorganise(cli) -> None:
    r = cli("unit", "rename", OLD, NEW, "--on", "2025-11-01", as_of="2025-11-01")
    assert (r.exit_code, r.stderr) == (0, f"已更名 {OLD} → {NEW}\n")
    r = cli("unit", "merge", GONE, NEW, "--yes", as_of="2025-11-15")
    assert r.exit_code == 0, r.stderr


def test_list_show_and_formats(office):
    r = office("unit", "edit", OLD, "--contact", "王五", "--email", "jfj@example.gov.cn")
    assert (r.exit_code, r.stderr) == (0, "已修改：联系人、邮箱\n")
    rows = json.loads(office("unit", "list", "--format", "json").stdout)
    assert [(u["name"], u["projects"], u["open_issues"], u["contact"], u["email"]) for u in rows] == [
        (GONE, 1, 1, None, None), (OLD, 1, 1, "王五", "jfj@example.gov.cn")]
    assert office("unit", "list", "--format", "csv").stdout.splitlines()[0] == \
        "\ufeff责任单位,项目数,未办结问题,联系人,电话,邮箱,webhook,曾用名"
    assert office("unit", "list", "--format", "csv", "--csv-headers", "en").stdout.splitlines()[0] == \
        "name,projects,open_issues,contact,phone,email,webhook,former_names"
    reorganise(office)
    r = office("unit", "show", NEW, "--format", "json")
    shown = json.loads(r.stdout)
    assert (shown["names"], shown["former_names"], shown["project_codes"]) == (
        [{"name": OLD, "until": "2025-11-01"}], [OLD], ["GX-0001", "GX-0002"])
    rows = json.loads(office("unit", "list", "--all", "--format", "json").stdout)
    assert [(u["name"], u["projects"], u["retired_on"], u["merged_into"]) for u in rows] == [
        (GONE, 0, "2025-11-15", NEW), (NEW, 2, None, None)]
    assert [u["name"] for u in json.loads(office("unit", "list", "--format", "json").stdout)] == [NEW]


def test_merge_asks_and_needs_yes_without_a_terminal(office):
    logged = count(office.url, "change_log")
    r = office("unit", "merge", GONE, OLD)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == f"将“{GONE}”并入“{OLD}”，自 2025-10-31 起："
    assert r.stderr.splitlines()[1] == f"  项目 1 个改由“{OLD}”负责：GX-0002"
    assert r.stderr.splitlines()[-1] == "错误：没有终端可确认，未合并；确认无误后加 --yes"
    assert count(office.url, "change_log") == logged


def test_old_documents_and_new_reports(office):
    reorganise(office)
    before = office("sheet", "notice", "2025-001", "--preview", as_of="2025-10-25")
    assert before.exit_code == 0, before.stderr
    assert f"\n{GONE}、{OLD}：\n" in before.stdout
    after = office("sheet", "notice", "2025-001", "--preview", as_of="2025-11-20")
    assert f"\n{NEW}：\n" in after.stdout and GONE not in after.stdout
    old = json.loads(office("countdown", "--format", "json", as_of="2025-10-25").stdout or "[]")
    assert {r["unit"] for r in old} <= {OLD, GONE}
    r = office("overdue", "--format", "json", as_of="2025-10-25")
    assert {row["unit"] for row in json.loads(r.stdout)["overdue"]} == {GONE}
    r = office("overdue", "--format", "json", as_of="2025-11-20")
    assert {row["unit"] for row in json.loads(r.stdout)["overdue"]} == {NEW}
    r = office("list", "--unit", OLD, "--format", "json")
    assert r.stderr == f"责任单位“{OLD}”已于 2025-11-01 更名为“{NEW}”（renamed {OLD} → {NEW} on 2025-11-01）\n"
    assert [p["unit"] for p in json.loads(r.stdout)] == [NEW, NEW]


def test_a_ledger_with_the_old_names_lands_on_the_unit_now(office, tmp_path):
    reorganise(office)
    r = office("leader", "merge", "李四", "张三", as_of="2025-11-15")
    assert (r.exit_code, r.stderr) == (0, "已将 李四 并入 张三，涉及 1 个项目\n")
    path = tmp_path / "台账.csv"
    path.write_text("项目名称,责任单位,包保领导\n丙项目,经济发展局,李四\n丁项目,投资促进局,张三\n", encoding="utf-8")
    r = office("ledger", "import", str(path), as_of="2025-11-20")
    assert r.exit_code == 0, r.stderr
    rows = {p["name"]: (p["unit"], p["leader"]) for p in json.loads(office("list", "--format", "json").stdout)}
    assert (rows["丙项目"], rows["丁项目"]) == ((NEW, "张三"), (NEW, "张三"))
    assert count(office.url, "unit") == 2  # no unit made of an old name


def unit_book(path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_import_the_whole_list(office, tmp_path):
    hook = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    path = unit_book(tmp_path / "单位.xlsx", [["单位名称", "联系人", "电话", "邮箱", "webhook"],
                                              [OLD, "王五", "0531-1", "jfj@example.gov.cn", hook],
                                              [GONE, None, None, None, None],
                                              ["建设局", "赵六", None, None, None]])
    r = office("unit", "import", str(path), "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines()[-1] == "将新增 1 个，将更新 1 个，1 个不变（预检，未写入）"
    assert count(office.url, "unit") == 2
    r = office("unit", "import", str(path))
    assert r.stderr.splitlines() == ["新增：建设局", f"更新：{OLD}", "新增 1 个，更新 1 个，1 个不变"]
    r = office("unit", "import", str(path))
    assert r.stderr.splitlines() == ["新增 0 个，更新 0 个，3 个不变"]
    shown = json.loads(office("unit", "show", OLD, "--format", "json").stdout)
    assert (shown["contact"], shown["phone"], shown["webhook"]) == ("王五", "0531-1", hook)


@pytest.mark.parametrize(("rows", "message"), [
    ([["名称", "传真"], [OLD, "1"]], "单位.csv 第 1 行第 B 列：不认识的列“传真”（可用的列：名称/单位名称、联系人、电话、邮箱、webhook）"),
    ([["名称", "邮箱"], [OLD, "jfj@"]], "单位.csv 第 2 行第 B 列“邮箱”：邮箱“jfj@”不是有效的电子邮件地址，应形如 name@example.gov.cn"
                                     ""),
    ([["联系人"], ["王五"]], "单位.csv 第 1 行：缺少“名称”或“单位名称”列"),
    ([["名称"], [OLD], ["经济 发展局"]], "单位.csv 第 3 行第 A 列“名称”：“经济 发展局”与第 2 行是同一单位"),
    ([["名称", "联系人"], ["", "王五"]], "单位.csv 第 2 行第 A 列“名称”：单位名称不能为空"),
])
def test_import_refuses_bad_files_naming_row_and_column(office, tmp_path, rows, message):
    path = tmp_path / "单位.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    logged = count(office.url, "change_log")
    r = office("unit", "import", str(path))
    assert (r.exit_code, r.stderr) == (1, f"错误：{message}\n")
    assert count(office.url, "change_log") == logged


def test_import_refuses_a_merged_name(office, tmp_path):
    reorganise(office)
    path = tmp_path / "单位.csv"
    path.write_text(f"名称,联系人\n{GONE},王五\n", encoding="utf-8")
    r = office("unit", "import", str(path))
    assert r.stderr == (f"错误：单位.csv 第 2 行第 A 列“名称”：责任单位“{GONE}”已于 2025-11-15 并入“{NEW}”"
                        f"（merged into {NEW} on 2025-11-15）；请改写为“{NEW}”\n")


def test_leaders(office):
    r = office("leader", "add", "王五", "--title", "副区长")
    assert (r.exit_code, r.stderr) == (0, "已添加 王五\n")
    rows = json.loads(office("leader", "list", "--format", "json").stdout)
    assert [(r["name"], r["title"], r["projects"], r["registered"]) for r in rows] == [
        ("张三", None, 1, False), ("李四", None, 1, False), ("王五", "副区长", 0, True)]
    r = office("leader", "rename", "张三", "张叁", as_of="2025-11-01")
    assert (r.exit_code, r.stderr) == (0, "已更名 张三 → 张叁，涉及 1 个项目\n")
    old = json.loads(office("overdue", "--format", "json", as_of="2025-10-25").stdout)
    new = json.loads(office("list", "--format", "json").stdout)
    assert {p["leader"] for p in new} == {"张叁", "李四"}
    assert {r["leader"] for r in old["overdue"]} == {"李四"}
    r = office("leader", "add", "张三")
    assert (r.exit_code, r.stderr) == (1, "错误：“张三”是“张叁”的曾用名；包保领导“张三”已更名为“张叁”（renamed 张三 → 张叁）\n")


def cells(path) -> set:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    found = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c}
    wb.close()
    return found


def test_the_ledger_export_names_units_as_on_its_date(office, tmp_path):
    reorganise(office)
    before, after = tmp_path / "before.xlsx", tmp_path / "after.xlsx"
    assert office("ledger", "export", str(before), as_of="2025-10-25").exit_code == 0
    assert office("ledger", "export", str(after), as_of="2025-11-20").exit_code == 0
    assert {OLD, GONE} <= cells(before) and NEW not in cells(before)
    assert NEW in cells(after) and not {OLD, GONE} & cells(after)


def test_on_before_the_as_of_date_is_refused(office):
    r = office("unit", "rename", OLD, NEW, "--on", "2025-10-01")
    assert (r.exit_code, r.stderr) == (1, "错误：生效日期 2025-10-01 早于统计截止日期 2025-10-31：此前日期的报表已按当时的名称出具；"
                                          "如确于 2025-10-01 生效，请加 --as-of 2025-10-01 运行"
                                          "\n")
    r = office("unit", "merge", GONE, OLD, "--on", "2025-10-01", "--yes")
    assert r.exit_code == 1 and r.stderr.startswith("错误：生效日期 2025-10-01 早于统计截止日期 2025-10-31")


def test_a_title_row_above_the_header_is_skipped_and_look_alike_names_are_one(office, tmp_path):
    path = unit_book(tmp_path / "单位.xlsx", [["高新区单位通讯录"], [], ["名称", "联系人"], ["建设局", "赵六"]])
    r = office("unit", "import", str(path))
    assert r.stderr.splitlines()[-1] == "新增 1 个，更新 0 个，0 个不变"
    r = office("unit", "add", "经济 发展局")
    assert (r.exit_code, r.stderr) == (1, f"错误：已有责任单位“{OLD}”；"
                                          "如是同一单位，请用 unit merge\n")
    office("leader", "add", "张三")
    r = office("leader", "add", "张 三")
    assert (r.exit_code, r.stderr) == (1, "错误：已有包保领导“张三”\n")


def test_a_document_issued_before_a_merge_keeps_its_number(office):
    first = office("sheet", "notice", "2025-001", "--format", "md", as_of="2025-10-25")
    assert first.exit_code == 0, first.stderr
    assert first.stderr.splitlines()[-1].split()[:3] == ["高新督〔2025〕1号", "督办单", GONE]
    reorganise(office)
    listed = json.loads(office("sheet", "list", "--format", "json").stdout)
    assert [(s["number"], s["recipient"]) for s in listed] == [("高新督〔2025〕1号", NEW)]  # filed under the unit now
    again = office("sheet", "notice", "2025-001", "--format", "md", as_of="2025-10-25")
    assert again.stdout == first.stdout  # the same document, as issued: addressed to 投资促进局
    assert again.stderr.splitlines()[-1].startswith(f"高新督〔2025〕1号  督办单  {NEW}  （同一文件已发文，沿用原编号")


@pytest.mark.parametrize(("answer", "code", "units"), [("n\n", 1, 2), ("y\n", 0, 2)])
def test_merge_asks_at_a_terminal(office, monkeypatch, answer, code, units):
    from projects_cli.cli import common

    monkeypatch.setattr(common, "can_ask", lambda: True)
    r = office("unit", "merge", GONE, OLD, input=answer)
    assert r.exit_code == code
    assert r.stderr.splitlines()[-1] == "执行合并？ [y/N]:" + ("未合并" if code else f"已将 {GONE} 并入 {OLD}")
    listed = json.loads(office("unit", "list", "--format", "json").stdout)
    assert len(listed) == (units if code else 1)


def test_the_list_as_csv_imports_back_unchanged(office, tmp_path):
    path = tmp_path / "单位.csv"
    path.write_bytes(office("unit", "list", "--format", "csv").stdout.encode("utf-8"))
    r = office("unit", "import", str(path), "--dry-run")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.startswith("将新增 0 个，将更新 0 个，2 个不变")
    r = office("unit", "list", "--all", "--format", "csv")  # with the retired units' columns too
    path.write_bytes(r.stdout.encode("utf-8"))
    assert office("unit", "import", str(path), "--dry-run").exit_code == 0
