"""`projects meeting`: two 周调度 through the commands, on SQLite and PostgreSQL — the agenda of the next one, the
minutes in every format with their number, the weekly's 议定事项 section, and errors as one line."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def office(cli):
    def run(as_of, *args):
        r = cli(*args, as_of=as_of)
        assert r.exit_code == 0, (args, r.stderr)
        return r

    run.cli = cli
    for name, unit in (("智能装备产业园项目", "经济发展局"), ("高端医疗器械项目", "建设局"), ("新材料项目", "自然资源分局")):
        run("2025-01-02", "add", "--name", name, "--unit", unit, "--status", "在建", "--create-units")
    run("2025-11-03", "meeting", "add", "--kind", "周调度", "--date", "2025-11-03", "--chair", "王主任", "--place",
        "管委会301会议室", "--units", "经济发展局、建设局、自然资源分局", "--projects", "GX-0001", "--projects", "GX-0002",
        "--topic", "智能装备产业园项目用电", "--topic", "高端医疗器械项目施工许可")
    run("2025-11-03", "meeting", "attend", "HY-0001", "--unit", "经济发展局", "--as", "出席")
    run("2025-11-03", "meeting", "attend", "1", "--unit", "建设局", "--as", "委派", "--deputy", "张工")
    run("2025-11-03", "meeting", "attend", "1", "--unit", "自然资源分局", "--as", "缺席", "--note", "请假")
    made = [run("2025-11-03", "meeting", "decide", "HY-0001", *args).stdout.strip() for args in (
        ("--text", "完成变电站扩容方案", "--unit", "经济发展局", "--project", "GX-0001", "--workdays", "3"),
        ("--text", "办理施工许可", "--unit", "建设局", "--helper", "自然资源分局", "--project", "GX-0002", "--workdays", "5"),
    )]
    assert made == ["2025-001", "2025-002"]
    run("2025-11-06", "issue", "respond", "2025-001", "--text", "方案已报")
    run("2025-11-06", "issue", "resolve", "2025-001", "--text", "已批复")
    run("2025-11-10", "meeting", "add", "--kind", "周调度", "--date", "2025-11-10", "--chair", "王主任",
        "--units", "经济发展局、建设局", "--projects", "GX-0002")
    run("2025-11-10", "meeting", "decide", "2", "--text", "协调施工用水", "--unit", "建设局", "--due", "2025-11-12")
    return run


def test_the_agenda_lists_the_last_meetings_decisions_as_they_stand(office):
    r = office("2025-11-12", "meeting", "agenda", "--next")
    assert r.stdout.splitlines()[:2] == [
        "一、上次会议议定事项落实情况（2025年11月10日周调度会，HY-0002；截至2025年11月12日）",
        "共1项：已落实0项，正在落实1项，逾期未落实0项。"]
    rows = json.loads(office("2025-11-13", "meeting", "agenda", "--next", "--kind", "周调度", "--format", "json").stdout)
    assert [(d["seq"], d["issue"], d["status"], d["days_late"]) for d in rows["decisions"]] == [(1, "2025-003", "逾期未落实", 1)]
    shown = json.loads(office("2025-11-12", "meeting", "show", "HY-0002", "--format", "json").stdout)
    assert [(d["issue"], d["status_text"]) for d in shown["previous_decisions"]] == [
        ("2025-001", "已落实"), ("2025-002", "正在落实（今日到期）")]
    # the problem says which meeting decided it
    assert "来源会议    HY-0002 2025-11-10 周调度会 第1项议定事项" in office("2025-11-12", "issue", "show", "2025-003").stdout
    assert json.loads(office("2025-11-12", "issue", "show", "2025-001", "--format", "json").stdout)["meeting"] == {
        "number": "HY-0001", "title": "周调度会", "held_on": "2025-11-03", "seq": 1}
    listed = office("2025-11-12", "meeting", "list", "--format", "csv").stdout.splitlines()
    assert listed[1:] == ["HY-0002,周调度,2025-11-10,周调度会,王主任,2,0,1,0,0", "HY-0001,周调度,2025-11-03,周调度会,王主任,3,2,2,1,1"]


def test_minutes_in_every_format_under_one_number(office, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    r = office("2025-11-10", "meeting", "minutes", "HY-0002")
    text = r.stdout
    assert text.startswith("# 周调度会纪要\n\n**（2025年第1期）**\n\n高新督〔2025〕1号\n\n2025年11月10日，王主任主持召开周调度会，专题研究"
                           "高端医疗器械项目推进中的有关问题。")
    assert ("2025年11月3日周调度会议定事项2项，截至本次会议召开，已落实1项，正在落实1项，逾期未落实0项。") in text
    assert "| 1 | 完成变电站扩容方案 | 经济发展局 | 11月6日 | 已落实 |" in text
    assert "| 2 | 办理施工许可 | 建设局 | 11月10日 | 正在落实（今日到期） |" in text
    assert "（一）协调施工用水。由建设局牵头负责，于2025年11月12日前完成（督办编号2025-003）。" in text
    assert "高新督〔2025〕1号  会议纪要  各参会单位" in r.stderr
    # the first meeting's minutes: its attendance, topics, decisions with working days; the next number
    first = office("2025-11-03", "meeting", "minutes", "1", "--format", "md").stdout
    for line in ("## 一、会议研究事项", "（一）智能装备产业园项目用电。", "出席：经济发展局。", "委派代表：建设局（张工）。",
                 "缺席：自然资源分局（请假）。",
                 "（二）办理施工许可。由建设局牵头负责，自然资源分局配合，会后5个工作日内（2025年11月10日前）完成（督办编号2025-002）。"):
        assert line in first.splitlines(), line
    assert "高新督〔2025〕2号" in first and "（2025年第2期）" in first  # 第N期 in the order minutes go out
    docx, xlsx = tmp_path / "纪要.docx", tmp_path / "纪要.xlsx"
    r = office("2025-11-10", "meeting", "minutes", "HY-0002", "-o", str(docx))
    assert "沿用原编号" in r.stderr
    office("2025-11-10", "meeting", "minutes", "HY-0002", "-o", str(xlsx))
    paras = [p.text for p in Document(str(docx)).paragraphs]
    assert "周调度会纪要" in paras and "高新督〔2025〕1号" in paras
    cells = [[c for c in row if c is not None] for row in load_workbook(xlsx).active.iter_rows(values_only=True)]
    assert [2, "办理施工许可", "建设局", "11月10日", "正在落实（今日到期）"] in cells
    sheets = office("2025-11-10", "sheet", "list", "--kind", "纪要", "--format", "csv").stdout.splitlines()
    assert [line.split(",")[:5] for line in sheets[1:]] == [
        ["高新督〔2025〕1号", "会议纪要", "2025-11-10", "各参会单位", "HY-0002"],
        ["高新督〔2025〕2号", "会议纪要", "2025-11-03", "各参会单位", "HY-0001"]]


def test_the_weekly_lists_decisions_overdue_or_due(office):
    text = office("2025-11-14", "sheet", "weekly", "--preview").stdout
    part = text[text.index("会议议定事项落实情况"):]
    assert "截至2025年11月14日，调度会、会商会议定事项中逾期未落实2项，近期到期0项：" in part
    assert "| HY-0002 | 1 | 协调施工用水 | 建设局 | 2025年11月12日 | 逾期未落实（逾期2天） | 2025-003 |" in part
    assert "| HY-0001 | 2 | 办理施工许可 | 建设局 | 2025年11月10日 | 逾期未落实（逾期4天） | 2025-002 |" in part
    # a week with nothing due or overdue has no such section
    assert "会议议定事项" not in office("2025-10-31", "sheet", "weekly", "--preview").stdout


def test_errors_are_one_line(cli, office):
    for args, said in (
        (("meeting", "decide", "HY-0009", "--text", "x", "--unit", "建设局"), "没有编号为 'HY-0009' 的会议"),
        (("meeting", "decide", "1", "--text", "x", "--unit", "建设局"), "议定事项须关联一个项目：--project 项目编号"),
        (("meeting", "attend", "1", "--unit", "建设局", "--as", "迟到"), "参会情况“迟到”不存在"),
        (("meeting", "add", "--kind", "周调度", "--date", "2025-11-03", "--chair", "王主任", "--units", "招商局"),
         "责任单位“招商局”不存在"),
    ):
        r = cli(*args, as_of="2025-11-10")
        assert r.exit_code == 1, (args, r.stdout)
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("错误：") and said in r.stderr, r.stderr


def test_undo_through_the_commands(office):
    def run_of(key: str) -> str:
        rows = json.loads(office("2025-11-12", "log", "--format", "json").stdout)
        return next(r["run"] for r in rows if r["table_name"] == "meeting_decision" and r["record_key"] == key)

    # a decision that took up a problem without a new unit: its 会商 on the problem goes with it
    office("2025-11-12", "meeting", "decide", "2", "--issue", "2025-002", "--text", "建设局加快办理")
    assert [e["type"] for e in json.loads(office("2025-11-12", "issue", "show", "2025-002", "--format", "json").stdout)[
        "events"]][-1] == "consult"
    r = office("2025-11-12", "undo", "--run", run_of("HY-0002#2"), "--yes")
    assert "删除议定事项 HY-0002#2“建设局加快办理”（问题 2025-002 上的会商与交办另行撤销）" in r.stderr + r.stdout
    shown = json.loads(office("2025-11-12", "issue", "show", "2025-002", "--format", "json").stdout)
    assert ([e["type"] for e in shown["events"]][-1], shown["meeting"]["number"]) == ("revert", "HY-0001")  # its own meeting
    # once the minutes naming a decision went out, the decision stays (void the minutes first)
    office("2025-11-10", "meeting", "minutes", "HY-0002", "--format", "md")
    failed = office.cli("undo", "--run", run_of("HY-0002#1"), "--yes", as_of="2025-11-12")
    assert failed.exit_code == 1 and "会议 HY-0002 的纪要已发文（高新督〔2025〕1号），文号不收回" in failed.stderr
