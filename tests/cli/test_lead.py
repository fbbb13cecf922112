"""信息库: a quarter of 招商 work (2025 Q3) through `projects lead`, checked with exact values.

Five leads from three units; some followed up, two neglected; moved through the stages; two signed into
projects and started; two in 万美元 converted at the config's [ledger] usd_rate (7.1). The overdue follow-ups
show up in `overdue` beside the milestones; signing makes the project with its 签约 done and its start
countdown; the pipeline on an earlier date is what was on record then.
"""

from __future__ import annotations

import json

import pytest

END = "2025-09-30"


@pytest.fixture
def quarter(usd_cli):
    run = usd_cli
    adds = [
        ("2025-07-01", "新能源电池项目", "某某新能源集团", "新能源", "以商招商", "8亿元", "投资促进局", "王强"),
        ("2025-07-03", "高纯石墨材料项目", "某国际材料公司", "新材料", "驻外招商", "3000万美元", "经济发展局", "李娜"),
        ("2025-07-10", "手术机器人项目", "某医疗科技公司", "医疗器械", "展会", "1.5亿元", "科技创新局", "赵敏"),
        ("2025-07-15", "智能终端模组项目", "某电子（香港）有限公司", "智能终端", "展会", "5000万美元", "投资促进局", "王强"),
        ("2025-08-01", "工业互联网平台项目", "某数字科技公司", "数字经济", "以商招商", "2亿元", "经济发展局", "李娜"),
    ]
    codes = []
    for on, name, company, chain, source, amount, unit, person in adds:
        r = run(on, "lead", "add", "--name", name, "--company", company, "--chain", chain, "--source", source,
                "--amount", amount, "--unit", unit, "--person", person, "--create-units")
        codes.append(r.stdout.strip())
    assert codes == ["XS-0001", "XS-0002", "XS-0003", "XS-0004", "XS-0005"]
    # XS-0001: followed monthly, 接洽 → 在谈, signed 8-25, started 9-25 (落地)
    run("2025-07-20", "lead", "follow", "XS-0001", "--text", "赴总部拜访")
    run("2025-07-20", "lead", "move", "XS-0001", "接洽")
    run("2025-08-15", "lead", "follow", "XS-0001", "--text", "项目洽谈会", "--who", "张局长")
    run("2025-08-15", "lead", "move", "XS-0001", "在谈")
    run("2025-08-25", "lead", "sign", "XS-0001", "--on", "2025-08-25", "--start", "2025-09-30")
    run("2025-09-25", "milestone", "done", "GX-0001", "开工", "--on", "2025-09-25")
    run("2025-09-25", "lead", "move", "XS-0001", "落地")
    # XS-0002: 在谈 from 8-01 (recorded that day), signed 9-05, started 9-28
    run("2025-07-15", "lead", "follow", "XS-0002", "--text", "视频会商")
    run("2025-08-01", "lead", "move", "XS-0002", "在谈")
    run("2025-09-05", "lead", "sign", "XS-0002", "--on", "2025-09-05", "--start", "2025-09-28")
    run("2025-09-28", "milestone", "done", "GX-0002", "开工", "--on", "2025-09-28")
    run("2025-09-28", "lead", "move", "XS-0002", "落地")
    # XS-0003: never followed up. XS-0004: one call, next follow-up set for 8-10, then nothing.
    run("2025-07-25", "lead", "follow", "XS-0004", "--text", "电话联系", "--next", "2025-08-10")
    # XS-0005: followed, then shelved with a reason (not pursued: no follow-up falls due)
    run("2025-09-20", "lead", "follow", "XS-0005", "--text", "对方暂缓投资计划")
    run("2025-09-25", "lead", "move", "XS-0005", "搁置", "--reason", "企业调整投资计划")
    return run


def listing(run, as_of, *args):
    return json.loads(run(as_of, "lead", "list", "--format", "json", *args).stdout)


def test_the_quarter_pipeline_at_its_end(quarter):
    rows = listing(quarter, END)
    assert [(r["code"], r["stage"], r["unit"], r["amount"], r["currency"], r["rate"], r["amount_wan"], r["project"],
             r["follow_due"], r["days_late"]) for r in rows] == [
        ("XS-0001", "落地", "投资促进局", 80000, "人民币", None, 80000, "GX-0001", None, None),
        ("XS-0002", "落地", "经济发展局", 3000, "美元", 7.1, 21300, "GX-0002", None, None),
        ("XS-0003", "线索", "科技创新局", 15000, "人民币", None, 15000, None, "2025-08-09", 52),
        ("XS-0004", "线索", "投资促进局", 5000, "美元", 7.1, 35500, None, "2025-08-10", 51),
        ("XS-0005", "搁置", "经济发展局", 20000, "人民币", None, 20000, None, None, None),
    ]
    r = quarter(END, "lead", "list")
    # 万美元 total in 万元: 80000 + 21300 + 15000 + 35500 + 20000
    assert r.stderr.strip() == "共 5 条线索（线索 2 · 落地 2 · 搁置 1），合计 171800 万元，跟进逾期 2"
    assert [r["code"] for r in listing(quarter, END, "--overdue")] == ["XS-0003", "XS-0004"]
    assert [r["code"] for r in listing(quarter, END, "--unit", "投资促进局")] == ["XS-0001", "XS-0004"]
    assert [r["code"] for r in listing(quarter, END, "--stage", "落地", "--chain", "新材料")] == ["XS-0002"]
    assert [r["code"] for r in listing(quarter, END, "--source", "展会")] == ["XS-0003", "XS-0004"]


def test_each_stage_on_a_past_date_is_the_one_on_record_then(quarter):
    stages = {d: [(r["code"], r["stage"], r["project"]) for r in listing(quarter, d)]
              for d in ("2025-07-05", "2025-08-20", "2025-09-10")}
    assert stages == {
        "2025-07-05": [("XS-0001", "线索", None), ("XS-0002", "线索", None)],
        "2025-08-20": [("XS-0001", "在谈", None), ("XS-0002", "在谈", None), ("XS-0003", "线索", None),
                       ("XS-0004", "线索", None), ("XS-0005", "线索", None)],
        "2025-09-10": [("XS-0001", "签约", "GX-0001"), ("XS-0002", "签约", "GX-0002"), ("XS-0003", "线索", None),
                       ("XS-0004", "线索", None), ("XS-0005", "线索", None)],
    }
    # a move dated back (recorded on 9-30 for 9-01) is not seen by a report for 9-10 made before it … but is after
    quarter(END, "lead", "move", "XS-0003", "接洽", "--on", "2025-09-01")
    assert [r["stage"] for r in listing(quarter, "2025-09-10") if r["code"] == "XS-0003"] == ["线索"]
    assert [r["stage"] for r in listing(quarter, END) if r["code"] == "XS-0003"] == ["接洽"]


def test_neglected_follow_ups_are_overdue_where_overdue_items_are(quarter):
    data = json.loads(quarter(END, "overdue", "--format", "json").stdout)
    assert [(r["type"], r["unit"], r["code"], r["item"], r["planned"], r["days_late"], r["tier"], r["new"])
            for r in data["overdue"]] == [
        ("lead", "投资促进局", "XS-0004", "招商线索跟进（线索）：上次跟进 2025-07-25，王强", "2025-08-10", 51, "较重逾期", False),
        ("lead", "科技创新局", "XS-0003", "招商线索跟进（线索）：2025-07-10 登记后未跟进，赵敏", "2025-08-09", 52, "较重逾期",
         False),
    ]
    assert data["totals"] == {"overdue": 2, "new": 0, "due_soon": 0, "by_tier": {"一般逾期": 0, "较重逾期": 2, "严重逾期": 0},
                              "by_type": {"milestone": 0, "issue": 0, "lookback": 0, "lead": 2}}
    assert [(u["unit"], u["overdue"]) for u in data["by_unit"]] == [("投资促进局", 1), ("科技创新局", 1)]
    # a unit filter applies to leads as to projects; a filter leads do not have leaves them out
    only = json.loads(quarter(END, "overdue", "--format", "json", "--unit", "科技创新局").stdout)
    assert [r["code"] for r in only["overdue"]] == ["XS-0003"]
    # a week after XS-0004's next follow-up fell due, it is new that week and due soon the week before
    week = json.loads(quarter("2025-08-12", "overdue", "--format", "json").stdout)
    assert [(r["code"], r["days_late"], r["new"]) for r in week["overdue"]] == [("XS-0004", 2, True), ("XS-0003", 3, True)]
    before = json.loads(quarter("2025-08-01", "overdue", "--format", "json").stdout)
    assert [(r["code"], r["planned"], r["days_left"]) for r in before["due_soon"]] == [
        ("XS-0003", "2025-08-09", 8), ("XS-0004", "2025-08-10", 9), ("XS-0002", "2025-08-14", 13)]


def test_the_follow_days_come_from_the_rules_file(quarter, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[leads]\nfollow_days = 60\n", encoding="utf-8")
    rows = json.loads(quarter(END, "--rules", str(rules), "lead", "list", "--format", "json").stdout)
    assert [(r["code"], r["follow_due"], r["days_late"]) for r in rows if r["follow_due"]] == [
        ("XS-0003", "2025-09-08", 22), ("XS-0004", "2025-08-10", 51)]

def test_follow_days_below_one_are_refused(cli, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[leads]\nfollow_days = 0\n", encoding="utf-8")
    r = cli("--rules", str(rules), "lead", "list")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：规则文件 {rules} 第 2 行 [leads] follow_days"), r.stderr


def test_signing_creates_the_project_with_its_countdown(quarter, cli):
    project = json.loads(quarter(END, "show", "GX-0002", "--format", "json").stdout)
    assert {k: project[k] for k in ("name", "owner", "chain", "unit", "total_investment", "source", "notes")} == {
        "name": "高纯石墨材料项目", "owner": "某国际材料公司", "chain": "新材料", "unit": "经济发展局",
        "total_investment": 21300, "source": "招商线索 XS-0002",
        "notes": "招商线索 XS-0002：投资额 3000万美元，按汇率 1美元 = 7.1 元折合 21300 万元",
    }
    marks = json.loads(quarter(END, "milestone", "list", "GX-0002", "--format", "json").stdout)
    assert [(m["kind"], m["planned_date"], m["actual_date"]) for m in marks] == [
        ("签约", "2025-09-05", "2025-09-05"), ("开工", "2025-09-28", "2025-09-28")]
    # between signing and starting, the project counts down to its start
    rows = json.loads(quarter("2025-09-10", "countdown", "--format", "json").stdout)
    assert [(r["code"], r["item"], r["days_left"], r["start"]) for r in rows] == [
        ("GX-0002", "开工", 18, True), ("GX-0001", "开工", 20, True)]
    shown = json.loads(quarter(END, "lead", "show", "XS-0002", "--format", "json").stdout)
    assert [(s["stage"], s["on"]) for s in shown["stages"]] == [("线索", "2025-07-03"), ("在谈", "2025-08-01"),
                                                                 ("签约", "2025-09-05"), ("落地", "2025-09-28")]
    assert [(f["on"], f["who"], f["text"]) for f in shown["follows"]] == [("2025-07-15", "李娜", "视频会商")]
    log = json.loads(cli("log", "--table", "lead", "--format", "json", "-n", "100").stdout)
    assert len(log) == 5 + 8  # five added, eight moves (signing two of them)


@pytest.mark.parametrize("args, error", [
    (("lead", "move", "XS-0003", "签约"), "签约请用 projects lead sign XS-0003 --on 日期"),
    (("lead", "move", "XS-0003", "搁置"), "转为“搁置”需要说明原因：--reason 原因"),
    (("lead", "move", "XS-0001", "在谈"), "XS-0001 处于“落地”，不能转到“在谈”"),
    (("lead", "move", "XS-0003", "洽谈"), "未知的线索阶段 '洽谈'"),
    (("lead", "sign", "XS-0002", "--on", "2025-09-30"), "XS-0002 已签约"),
    (("lead", "sign", "XS-0005", "--on", "2025-09-30"), "XS-0005 处于“搁置”，不能签约"),
    (("lead", "sign", "XS-0003", "--on", "2025-10-08"), "--on 2025-10-08 晚于统计截止日期 2025-09-30"),
    (("lead", "follow", "XS-0009", "--text", "x"), "没有编号为 'XS-0009' 的招商线索"),
    (("lead", "follow", "XS-0003", "--text", "x", "--on", "2025-09-01", "--next", "2025-08-01"), "--next 2025-08-01 应晚于"),
    (("lead", "add", "--name", "欧元项目", "--amount", "500万欧元"), "金额是欧元，没有欧元汇率"),
    (("lead", "add", "--name", "坏金额", "--amount", "很多"), "--amount：'很多' 不是金额"),
    (("lead", "add", "--name", "新单位项目", "--unit", "招商二局"), "责任单位“招商二局”不存在"),
    (("lead", "add", "--name", "直接签约", "--stage", "签约"), "新线索的阶段只能是 线索、接洽、在谈"),
    (("lead", "add", "--name", "手术机器人 项目"), "已有同名招商线索 XS-0003“手术机器人项目”"),
])
def test_mistakes_are_one_clear_error_and_change_nothing(quarter, cli, args, error):
    before = cli("log", "--format", "json", "-n", "1").stdout
    r = cli("--config", str(quarter.config), *args, as_of=END)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{error}"), r.stderr
    assert cli("log", "--format", "json", "-n", "1").stdout == before


def test_a_dollar_amount_needs_the_rate_on_file(cli):
    r = cli("lead", "add", "--name", "外资项目", "--amount", "3000万美元")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "错误：金额是美元，没有美元汇率，不能折算为万元；在配置文件 [ledger.rates] 写明汇率"
        "（如 \"美元\" = 7.1，1 美元 合多少元）")


def test_reports_for_a_date_do_not_change_with_what_is_recorded_later(quarter):
    def reports(as_of):
        return (quarter(as_of, "lead", "list", "--format", "json").stdout,
                quarter(as_of, "overdue", "--format", "json").stdout,
                quarter(as_of, "countdown", "--format", "json").stdout)

    before = {d: reports(d) for d in ("2025-08-20", "2025-09-10")}
    # recorded at the quarter's end, dated back into it: a contact, a move, a signing, a new lead
    quarter(END, "lead", "follow", "XS-0003", "--text", "补记：8月初电话沟通", "--on", "2025-08-05")
    quarter(END, "lead", "move", "XS-0004", "在谈", "--on", "2025-08-12")
    quarter(END, "lead", "sign", "XS-0004", "--on", "2025-08-30", "--start", "2025-12-31")
    quarter(END, "lead", "add", "--name", "补录线索", "--unit", "科技创新局")
    assert {d: reports(d) for d in before} == before
    # … while the quarter's end reads them
    rows = {r["code"]: r for r in listing(quarter, END)}
    assert (rows["XS-0003"]["last_follow"]["on"], rows["XS-0004"]["stage"], rows["XS-0004"]["project"]) == (
        "2025-08-05", "签约", "GX-0003")


def test_the_weekly_briefing_has_a_short_leads_section(quarter, tmp_path):
    out = tmp_path / "周报.md"
    quarter(END, "sheet", "weekly", "--preview", "--output", str(out))
    text = out.read_text(encoding="utf-8")
    section = text[text.index("## 七、招商线索（信息库）"):text.index("高新区重点项目推进中心  \n")].strip().splitlines()
    assert section == [
        "## 七、招商线索（信息库）",
        "",
        "截至2025年9月30日，信息库在库招商线索5条，拟投资额合计17.18亿元（外币按汇率折合），已签约2条；超期未跟进2条。",
        "",
        "| 阶段 | 线索数 | 拟投资额（万元） |",
        "| --- | ---: | ---: |",
        "| 线索 | 2 | 50500 |",
        "| 落地 | 2 | 101300 |",
        "| 搁置 | 1 | 20000 |",
        "| **合计** | **5** | **171800** |",
        "",
        "**超期未跟进的招商线索**",
        "",
        "| 线索编号 | 项目名称 | 责任单位 | 责任人 | 阶段 | 应跟进日期 | 逾期天数 |",
        "| --- | --- | --- | --- | --- | --- | ---: |",
        "| XS-0003 | 手术机器人项目 | 科技创新局 | 赵敏 | 线索 | 2025年8月9日 | 52 |",
        "| XS-0004 | 智能终端模组项目 | 投资促进局 | 王强 | 线索 | 2025年8月10日 | 51 |",
    ]
    # the overdue counts above it include them: 2 overdue items, both leads
    assert "本周共有逾期事项2项" in text


def test_an_assignment_holds_from_its_day_and_can_set_the_next_follow_up(quarter):
    # 9-15: XS-0003 goes to 投资促进局's 王强, to be followed up by 9-20 (it is late again at the quarter's end)
    r = quarter("2025-09-15", "lead", "assign", "XS-0003", "--unit", "投资促进局", "--person", "王强", "--next", "2025-09-20")
    assert r.stderr.strip() == "XS-0003：已修改 责任单位、责任人、下次跟进"
    rows = {d: {r["code"]: (r["unit"], r["person"], r["follow_due"], r["days_late"]) for r in listing(quarter, d)}
            for d in ("2025-09-10", END)}
    assert rows["2025-09-10"]["XS-0003"] == ("科技创新局", "赵敏", "2025-08-09", 32)
    assert rows[END]["XS-0003"] == ("投资促进局", "王强", "2025-09-20", 10)
    data = json.loads(quarter(END, "overdue", "--format", "json").stdout)
    assert [(u["unit"], u["overdue"]) for u in data["by_unit"]] == [("投资促进局", 2)]
    # a contact after the assignment sets the due date again
    quarter(END, "lead", "follow", "XS-0003", "--text", "上门拜访", "--on", "2025-09-25")
    assert {r["code"]: r["follow_due"] for r in listing(quarter, END)}["XS-0003"] == "2025-10-25"
    shown = json.loads(quarter(END, "lead", "show", "XS-0003", "--format", "json").stdout)
    assert [(a["on"], a["unit"], a["person"], a["next_on"]) for a in shown["assignments"]] == [
        ("2025-07-10", "科技创新局", "赵敏", None), ("2025-09-15", "投资促进局", "王强", "2025-09-20")]
    same = quarter(END, "lead", "assign", "XS-0003", "--person", "王强")
    assert same.stderr.strip() == "未改动：XS-0003 原本就是这些值"


def test_the_pipeline_report_of_the_quarter(quarter):
    data = json.loads(quarter(END, "lead", "report", "--since", "2025-06-30", "--format", "json").stdout)
    assert [(g["chain"], g["leads"], g["amount_wan"], g["signed"], g["overdue"]) for g in data["by_chain"]] == [
        ("新能源", 1, 80000, 1, 0), ("智能终端", 1, 35500, 0, 1), ("新材料", 1, 21300, 1, 0), ("数字经济", 1, 20000, 0, 0),
        ("医疗器械", 1, 15000, 0, 1)]
    assert [(g["unit"], g["leads"], g["amount_wan"], g["signed"], g["overdue"]) for g in data["by_unit"]] == [
        ("投资促进局", 2, 115500, 1, 1), ("经济发展局", 2, 41300, 1, 0), ("科技创新局", 1, 15000, 0, 1)]
    assert [(s["stage"], s["leads"], s["amount_wan"]) for s in data["by_stage"] if s["leads"]] == [
        ("线索", 2, 50500), ("落地", 2, 101300), ("搁置", 1, 20000)]
    assert data["total"] == {"leads": 5, "amount_wan": 171800, "overdue": 2, "signed": 2}
    assert data["foreign"] == {"美元": 8000}
    assert len(data["new"]) == 5
    assert [(m["on"], m["code"], m["from_stage"], m["stage"]) for m in data["moves"]] == [
        ("2025-07-20", "XS-0001", "线索", "接洽"), ("2025-08-01", "XS-0002", "线索", "在谈"),
        ("2025-08-15", "XS-0001", "接洽", "在谈"), ("2025-08-25", "XS-0001", "在谈", "签约"),
        ("2025-09-05", "XS-0002", "在谈", "签约"), ("2025-09-25", "XS-0001", "签约", "落地"),
        ("2025-09-25", "XS-0005", "线索", "搁置"), ("2025-09-28", "XS-0002", "签约", "落地")]
    assert data["conversion"] == {"signed": 2, "started": 2, "rate": 100.0, "leads": [
        {"code": "XS-0001", "name": "新能源电池项目", "project": "GX-0001", "signed_on": "2025-08-25", "started_on": "2025-09-25", "days_to_start": 31},
        {"code": "XS-0002", "name": "高纯石墨材料项目", "project": "GX-0002", "signed_on": "2025-09-05", "started_on": "2025-09-28", "days_to_start": 23}]}
    # mid-September: both signed, neither started yet; the moves of the fortnight only
    mid = json.loads(quarter("2025-09-15", "lead", "report", "--since", "2025-09-01", "--format", "json").stdout)
    assert (mid["conversion"]["signed"], mid["conversion"]["started"], mid["conversion"]["rate"]) == (2, 0, 0.0)
    assert [(m["code"], m["stage"]) for m in mid["moves"]] == [("XS-0002", "签约")]
    assert mid["new"] == []


def test_the_overdue_filters_apply_to_leads_as_to_projects(quarter):
    def codes(*args):
        return [r["code"] for r in json.loads(quarter(END, "overdue", "--format", "json", *args).stdout)["overdue"]]

    assert codes("--chain", "智能终端") == ["XS-0004"]
    quarter(END, "add", "--name", "某项目", "--leader", "张伟")
    assert codes("--leader", "张伟") == []  # no lead has that leader


def test_a_name_again_is_allowed_when_asked_for(quarter):
    r = quarter(END, "lead", "add", "--name", "手术机器人项目", "--allow-duplicate-name")
    assert r.stdout.strip() == "XS-0006"


def test_an_amount_in_euros_converts_at_the_ledgers_rates(cli, tmp_path):
    config = tmp_path / "rates.toml"
    config.write_text('[ledger.rates]\n"欧元" = 7.8\n', encoding="utf-8")
    r = cli("--config", str(config), "lead", "add", "--name", "欧洲客商项目", "--amount", "500万欧元")
    assert r.exit_code == 0, r.stderr
    shown = json.loads(cli("lead", "list", "--format", "json").stdout)
    assert [(x["amount"], x["currency"], x["rate"], x["amount_wan"]) for x in shown] == [(500, "欧元", 7.8, 3900)]


# ---------------------------------------------------------------- lead edit, and its undo


def log_ids(cli, table="lead"):
    return [e["id"] for e in json.loads(cli("log", "--table", table, "--format", "json", "-n", "500").stdout)]


def test_every_field_of_a_lead_is_edited_logged_and_undone(quarter, cli):
    before = json.loads(quarter(END, "lead", "show", "XS-0003", "--format", "json").stdout)
    r = quarter(END, "lead", "edit", "XS-0003", "--name", "手术机器人产业化项目", "--company", "某医疗科技集团",
                "--chain", "高端医疗器械", "--source", "中介", "--contact", "刘总 13800000000", "--amount", "2000万美元",
                "--leader", "孙副区长", "--notes", "已签保密协议", "--person", "钱多")
    assert r.stderr.strip() == ("XS-0003：已修改 项目名称、客商、产业链、线索来源、联系人、包保领导、备注、投资额、"
                                "责任人")
    shown = json.loads(quarter(END, "lead", "show", "XS-0003", "--format", "json").stdout)
    assert {k: shown[k] for k in ("name", "company", "chain", "source", "contact", "amount", "currency", "rate",
                                  "amount_wan", "leader", "notes", "person", "unit")} == {
        "name": "手术机器人产业化项目", "company": "某医疗科技集团", "chain": "高端医疗器械", "source": "中介",
        "contact": "刘总 13800000000", "amount": 2000, "currency": "美元", "rate": 7.1, "amount_wan": 14200,
        "leader": "孙副区长", "notes": "已签保密协议", "person": "钱多", "unit": "科技创新局"}
    entries = json.loads(cli("log", "--table", "lead", "--format", "json", "-n", "2").stdout)
    edit = next(e for e in entries if "company" in (e["new"] or {}))
    assert edit["old"]["company"] == "某医疗科技公司" and edit["new"]["amount_wan"] == "14200"
    # the undo puts every field back, the assignment too
    r = quarter(END, "undo", "--last", "--yes")
    again = json.loads(quarter(END, "lead", "show", "XS-0003", "--format", "json").stdout)
    assert {k: again[k] for k in ("name", "company", "chain", "source", "contact", "amount", "currency", "rate",
                                  "amount_wan", "leader", "notes", "person", "unit")} == {
        k: before[k] for k in ("name", "company", "chain", "source", "contact", "amount", "currency", "rate",
                               "amount_wan", "leader", "notes", "person", "unit")}
    assert again["amount"] == 15000 and again["currency"] == "人民币" and again["rate"] is None


def test_a_blank_clears_a_field_and_the_same_value_changes_nothing(quarter, cli):
    quarter(END, "lead", "edit", "XS-0004", "--company", "", "--amount", "")
    shown = json.loads(quarter(END, "lead", "show", "XS-0004", "--format", "json").stdout)
    assert (shown["company"], shown["amount"], shown["currency"], shown["rate"], shown["amount_wan"]) == (
        None, None, "人民币", None, None)
    logged = log_ids(cli)
    r = quarter(END, "lead", "edit", "XS-0004", "--chain", "智能终端")
    assert r.stderr.strip() == "未改动：XS-0004 原本就是这些值"
    assert log_ids(cli) == logged


@pytest.mark.parametrize("args, error", [
    (("lead", "edit", "XS-0003", "--name", ""), "--name 不能为空"),
    (("lead", "edit", "XS-0003", "--name", "新能源电池 项目"), "已有同名招商线索 XS-0001“新能源电池项目”"),
    (("lead", "edit", "XS-0003", "--amount", "500万欧元"), "金额是欧元，没有欧元汇率"),
    (("lead", "edit", "XS-0003", "--amount", "-5"), "--amount 不能为负数"),
    (("lead", "edit", "XS-0003"), "请说明要改什么"),
    (("lead", "edit", "XS-0003", "--unit", "招商二局"), "责任单位“招商二局”不存在"),
    (("lead", "edit", "XS-0009", "--notes", "x"), "没有编号为 'XS-0009' 的招商线索"),
])
def test_edit_mistakes_are_one_clear_error_and_change_nothing(quarter, cli, args, error):
    logged = log_ids(cli)
    r = cli("--config", str(quarter.config), *args, as_of=END)
    assert r.exit_code == 1 and r.stderr.startswith("错误：") and error in r.stderr, r.stderr
    assert log_ids(cli) == logged


def test_undo_of_an_edit_changed_again_since_is_refused(quarter, cli):
    quarter(END, "lead", "edit", "XS-0003", "--company", "甲公司")
    first = log_ids(cli)[0]
    quarter(END, "lead", "edit", "XS-0003", "--company", "乙公司")
    r = cli("--config", str(quarter.config), "undo", str(first), "--yes", as_of=END)
    assert (r.exit_code, r.stderr) == (1, f"错误：第 {first} 条（lead edit · lead XS-0003）不能撤销："
                                          f"客商此后又改为 乙公司（见第 {first + 1} 条 lead edit）；"
                                          "未撤销任何变更\n")


def test_undo_of_a_stage_move_is_refused_with_what_to_do(quarter, cli):
    quarter(END, "lead", "move", "XS-0003", "接洽")
    move = log_ids(cli)[0]
    r = cli("--config", str(quarter.config), "undo", str(move), "--yes", as_of=END)
    assert (r.exit_code, r.stderr) == (1, f"错误：第 {move} 条（lead move · lead XS-0003）不能撤销："
                                          "线索阶段变更不撤销，请再用 projects lead move XS-0003 … 改回；"
                                          "未撤销任何变更\n")
