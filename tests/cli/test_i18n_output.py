"""Commands that printed English in the Chinese interface, Chinese in the English one, or a Chinese+English
gloss (issue 19): each line as either language prints it. The language is read once per process, so every
command runs in a subprocess on its own copy of the demo registry."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from projects_cli.store.db import head_revision


@pytest.fixture
def registry(demo_template, tmp_path):
    """run(lang, *args) → (exit code, stdout, stderr) on one copy of the demo registry, as of 2025-10-31."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)

    def run(lang: str, *args: str) -> tuple[int, str, str]:
        env = {**os.environ, "PROJECTS_LANG": lang, "COLUMNS": "100"}
        done = subprocess.run([sys.executable, "-m", "projects_cli", "--db", str(path), "--as-of", "2025-10-31",
                               "--by", "tester", *args], capture_output=True, text=True, env=env, cwd=tmp_path)
        return done.returncode, done.stdout, done.stderr

    return run


def test_db_check_and_current(registry):
    code, out, _err = registry("zh", "db", "check")
    assert (code, out.splitlines()[0]) == (0, "正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整")
    code, out, _err = registry("en", "db", "check")
    assert (code, out.splitlines()[0]) == (0, "OK  integrity, schema at head, no orphan rows, change log chain intact")
    assert registry("zh", "db", "current") == (0, f"{head_revision()}（最新）\n", "")
    assert registry("en", "db", "current") == (0, f"{head_revision()} (head)\n", "")


def test_calendar_show(registry):
    zh = registry("zh", "calendar", "show", "2025")[1].splitlines()
    en = registry("en", "calendar", "show", "2025")[1].splitlines()
    assert zh[0].startswith("2025年工作日历（来源：chinesecalendar ") and zh[0].endswith(" 已收录2025年）")
    assert en[0].startswith("Working-day calendar 2025 (source: chinesecalendar ") and en[0].endswith(" knows 2025)")
    assert zh[2].split() == ["月份", "放假的工作日", "调休上班的周末"]
    assert en[2].split() == ["Month", "Weekdays", "off", "Weekend", "workdays"]
    assert [line.split() for line in zh if line.startswith("6月")] == [["6月", "2日（周一）", "—"]]
    assert [line.split() for line in en if line.startswith("Month 6")] == [["Month", "6", "2", "(Mon)", "—"]]
    assert zh[-1] == "共放假工作日18天，调休上班5天；其余周六、周日休息。"
    assert en[-1] == "18 weekdays off, 5 weekend workdays; every other Saturday and Sunday is a day off."


def test_edit_names_the_fields_changed(registry):
    assert registry("zh", "edit", "GX-0001", "--status", "投产", "--leader", "王芳")[2] == "已修改：项目状态、包保领导\n"
    assert registry("en", "edit", "GX-0002", "--status", "投产", "--total-investment", "9")[2] == (
        "Changed Total investment, Status\n")
    assert registry("zh", "unit", "edit", "建设局", "--contact", "张三", "--phone", "0537-1234567")[2] == "已修改：联系人、电话\n"


def test_undo_plan_lines(registry):
    registry("zh", "edit", "GX-0001", "--status", "投产")
    code, _out, err = registry("zh", "undo", "--last")
    assert code == 1 and err.splitlines()[0].endswith("（edit）：GX-0001 改回：项目状态 投产 → 在建")
    code, _out, err = registry("en", "undo", "--last")
    assert code == 1 and err.splitlines()[0].endswith(" (edit): GX-0001 back to: Status 投产 → 在建")
    assert err.splitlines()[0].startswith("undo entry ")


def test_issue_moves_without_a_gloss(registry):
    number = registry("zh", "issue", "report", "GX-0005", "--title", "测试问题", "--category", "要素保障")[1].strip()
    assert registry("zh", "issue", "accept", number)[2] == f"{number}：已提报 → 已受理\n"
    code, _out, err = registry("en", "issue", "close", number)
    assert (code, err) == (1, f"Error: cannot close issue {number}: it is accepted; allowed now: "
                              "assign, escalate, instruct, consult, follow\n")
    code, _out, err = registry("zh", "issue", "close", number)
    assert (code, err) == (1, f"错误：不能对问题 {number} 执行 close：它现在是已受理；现在可以："
                              "assign, escalate, instruct, consult, follow\n")


def test_meeting_show_and_the_issue_it_made(registry):
    number = registry("zh", "meeting", "add", "--kind", "周调度", "--date", "2025-10-24", "--chair", "王主任",
                      "--units", "经济发展局", "--projects", "GX-0004")[1].strip()
    registry("zh", "meeting", "attend", number, "--unit", "经济发展局", "--as", "出席")
    issue = registry("zh", "meeting", "decide", number, "--text", "完成用电扩容", "--unit", "经济发展局",
                     "--project", "GX-0004", "--due", "2025-11-10")[1].strip()
    zh = registry("zh", "meeting", "show", number)[1].splitlines()
    en = registry("en", "meeting", "show", number)[1].splitlines()
    assert zh[0].split() == ["会议编号", number] and en[0].split() == ["Meeting", number]
    assert zh[-4:] == [
        "议定事项（截至 2025-10-31）",
        "序号  议定事项      责任单位    配合单位  完成时限    问题编号  落实情况",
        "----  ------------  ----------  --------  ----------  --------  ------------------",
        f"   1  完成用电扩容  经济发展局            2025-11-10  {issue}  正在落实（剩10天）",
    ]
    assert en[-4:] == [
        "Decisions (as of 2025-10-31)",
        "No.  Decisions     Unit        Helper units  Deadline    Number    Where it stands",
        "---  ------------  ----------  ------------  ----------  --------  --------------------------",
        f"  1  完成用电扩容  经济发展局                2025-11-10  {issue}  In progress (10 days left)",
    ]
    assert f"来源会议    {number} 2025-10-24 周调度会 第1项议定事项" in registry("zh", "issue", "show", issue)[1]
    assert f"From meeting      {number} 2025-10-24 周调度会, decision 1" in registry("en", "issue", "show", issue)[1]


def test_cards_rate_in_either_language(registry):
    zh = registry("zh", "cards", "rate", "--period", "2025-10")[1].splitlines()
    en = registry("en", "cards", "rate", "--period", "2025-10")[1].splitlines()
    assert zh[0].startswith("2025-10（截至 2025-10-31）：红牌 ") and "  [规则 " in zh[0]
    assert en[0].startswith("2025-10 (as of 2025-10-31): red ") and "  [rules " in en[0]
    assert en[1] == "Rated again; no colour changed"


def test_milestone_leader_investment_lead_and_sheet_tables(registry):
    """The headers of a terminal table, and a milestone's state, in the interface's language; CSV stays Chinese."""
    zh = registry("zh", "--wide", "milestone", "list", "GX-0001")[1].splitlines()
    en = registry("en", "--wide", "milestone", "list", "GX-0001")[1].splitlines()
    assert zh[0].split()[:5] == ["节点", "基准计划", "当前计划", "实际完成", "状态"]
    assert en[0].split()[:7] == ["Milestones", "Baseline", "Plan", "now", "Done", "on", "Status"]
    assert zh[2].split()[:5] == ["签约", "2021-03-31", "2021-03-31", "2021-03-20", "提前完成"]
    assert en[2].split()[:6] == ["签约", "2021-03-31", "2021-03-31", "2021-03-20", "done", "early"]
    assert registry("en", "milestone", "list", "GX-0001", "--format", "csv")[1].lstrip("\ufeff").startswith(
        "节点,基准计划,当前计划,实际完成,状态,")
    assert registry("en", "leader", "list")[1].splitlines()[0].split() == [
        "Leader", "Title", "Phone", "Projects", "Former", "names", "Registered"]
    assert registry("en", "invest", "show", "GX-0001")[1].splitlines()[0].split() == [
        "Month", "Month", "(10k", "yuan)", "Year", "to", "date", "(10k", "yuan)", "Source"]
    assert registry("zh", "invest", "show", "GX-0001")[1].splitlines()[0].split() == [
        "月份", "当月完成（万元）", "累计完成（万元）", "来源"]
    assert registry("en", "sheet", "list")[1].splitlines()[0].split() == [
        "Number", "Kind", "Date", "To", "Subject", "By", "Status", "Void", "reason"]
    report = registry("en", "lead", "report")[1].splitlines()
    assert report[2:4] == ["By stage", report[3]] and report[3].split() == [
        "Stage", "Leads", "Planned", "investment", "(10k", "yuan)"]


def test_the_monday_report_and_the_sweep_in_either_language(registry):
    """The overdue report's headers, tiers, levels and items, and the sweep's table, read in English on request;
    the records (and so CSV, JSON and notify's reminders) keep the office's words."""
    zh = registry("zh", "overdue", "--wide")[1].splitlines()
    en = registry("en", "overdue", "--wide")[1].splitlines()
    assert zh[:2] == ["截至 2025-10-31 逾期：25（一般逾期 11 · 较重逾期 7 · 严重逾期 7）",
                      "2025-10-24 以来本周新增：7 · 2025-11-14 前即将到期：11"]
    assert en[:2] == ["Overdue at 2025-10-31: 25 (Minor 11 · Serious 7 · Severe 7)",
                      "New since 2025-10-24: 7 · due by 2025-11-14: 11"]
    assert [h.strip() for h in en[4].split("  ") if h.strip()] == [
        "Unit", "Late", "Minor", "Serious", "Severe", "New", "Due soon", "Most days late"]
    problem = next(line for line in en if "GX-0041" in line).split()
    assert problem[problem.index("GX-0041") + 2:] == ["Problem", "2025-007：地上附着物清表受阻", "2025-10-27", "4", "Minor", "general", "70",
                           "13.3", "New"]
    problem = next(line for line in zh if "GX-0041" in line).split()
    assert problem[problem.index("GX-0041") + 2:] == [
        "问题", "2025-007：地上附着物清表受阻", "2025-10-27", "4", "一般逾期", "一般督办", "70", "13.3", "新增"]
    code, out, err = registry("en", "issue", "sweep")
    assert code == 0
    assert out.splitlines()[:3] == [
        "Number    Code     Lead unit   Deadline    Working days  Missed     Level   New deadline  Action",
        "                                           late          deadlines",
        "--------  -------  ----------  ----------  ------------  ---------  ------  ------------  ----------"]
    assert " ".join(re.split(r"\s{2,}", line.strip())[-1] for line in out.splitlines()[3:8]) == (
        "escalated to listed: 8 working days late (≥ 5)")
    assert err == "As of 2025-10-31: escalated 2 issues, counted 1 missed deadlines\n"


def test_project_and_problem_fields_and_values_in_english(registry):
    """show, list, issue show and cards list: field names and the closed lists' words (status, level, card)
    in English on request; names and recorded texts as the office wrote them."""
    shown = {line.split("  ")[0]: line.split()[-1] for line in registry("en", "show", "GX-0004")[1].splitlines()
             if line.strip()}
    assert (shown["Project code"], shown["Industry chain"], shown["Responsible unit"]) == ("GX-0004", "工程机械", "经济发展局")
    assert [line.split()[-1] for line in registry("en", "show", "GX-0004")[1].splitlines()
            if line.startswith("Status")] == ["operation"]
    assert [line.split()[-1] for line in registry("zh", "show", "GX-0004")[1].splitlines()
            if line.startswith("项目状态")] == ["投产"]
    issue = registry("en", "issue", "show", "2025-004")[1].splitlines()
    assert issue[1:3] == ["Project           GX-0004 山推大马力推土机产业化项目", "Problem           新增设备用电负荷需扩容"]
    assert [line.split()[1] for line in issue if line.startswith(("Level", "Status"))] == ["listed", "assigned"]
    assert registry("en", "cards", "rate")[0] == 0
    cards = registry("en", "cards", "list", "--wide")[1].splitlines()
    assert cards[0].split()[:3] == ["Card", "Unit", "Code"] and cards[2].split()[:3] == ["red", "农业农村局", "GX-0042"]


def test_log_says_what_was_done_to_which_record_in_words(registry):
    assert registry("zh", "cards", "rate")[0] == 0
    zh = registry("zh", "log", "--limit", "1", "--table", "红黄蓝牌")[1].splitlines()
    en = registry("en", "log", "--limit", "1", "--table", "cards")[1].splitlines()
    assert zh[0].split() == ["序号", "时间", "业务日期", "经办人", "命令", "操作", "表", "记录", "变更内容"]
    assert en[0].split()[:2] == ["No.", "Time"] and "Action  Table  Record" in en[0]
    assert re.fullmatch(r"\d+  \d{4}-\d\d-\d\d \d\d:\d\d  2025-10-31  tester  cards rate  新增  红黄蓝牌  GX-\d{4}:2025-10  color=\w+",
                        zh[2]), zh[2]
    assert re.search(r"  New     cards  GX-\d{4}:2025-10  color=\w+$", en[2]), en[2]
    code, out, _err = registry("zh", "log", "--limit", "1", "--table", "card", "--format", "json")
    assert code == 0 and '"action": "insert"' in out and '"table_name": "card"' in out


def test_lead_stages_meeting_kinds_and_attendance_in_english(registry):
    assert registry("zh", "lead", "add", "--name", "某新能源电池项目", "--unit", "经济发展局")[0] == 0
    assert registry("zh", "meeting", "add", "--kind", "周调度", "--date", "2025-10-31", "--chair", "王主任",
                    "--units", "经济发展局")[0] == 0
    assert registry("zh", "meeting", "attend", "HY-0001", "--unit", "经济发展局", "--as", "缺席")[0] == 0
    code, out, err = registry("en", "lead", "list")
    assert out.splitlines()[2].split()[:3] == ["XS-0001", "某新能源电池项目", "lead"]
    assert err == "1 leads (lead 1), 0 (10k yuan) in all, 0 follow-ups overdue\n"
    assert registry("zh", "lead", "list")[2] == "共 1 条线索（线索 1），合计 0 万元，跟进逾期 0\n"
    shown = registry("en", "meeting", "show", "HY-0001")[1].splitlines()
    assert shown[1] == "Kind      weekly meeting"
    assert [line.split() for line in shown if line.startswith("经济发展局")] == [["经济发展局", "absent"]]
    assert [line.split() for line in registry("zh", "meeting", "show", "HY-0001")[1].splitlines()
            if line.startswith("经济发展局")] == [["经济发展局", "缺席"]]


def test_log_names_a_changed_field_as_the_office_does(registry):
    assert registry("zh", "edit", "GX-0001", "--status", "投产")[0] == 0
    assert registry("zh", "log", "--limit", "1")[1].splitlines()[2].endswith("项目  GX-0001  项目状态: 在建 → 投产")
    assert registry("en", "log", "--limit", "1", "--wide")[1].splitlines()[2].endswith("Project  GX-0001  Status: 在建 → 投产")
    out = registry("zh", "log", "--limit", "1", "--format", "csv")[1]
    assert out.rstrip().endswith(",GX-0001,status: 在建 → 投产")  # a file keeps the keys as logged
