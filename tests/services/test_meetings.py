"""Meetings and their decisions through the services, on SQLite and PostgreSQL: an office's month of
November 2025 (no holidays in it) — two 周调度 and a 专题会商, decisions to four units with working-day
deadlines, some done on time, some late, some not at all — and the decisions in the agenda, overdue,
sweep, reminders and the red flag as the problems they are."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from projects_cli.config.rulebook import load_rules
from projects_cli.errors import IllegalMove, InvalidValue, NotFound, UnknownName
from projects_cli.services import flag, issues, meetings, registry, report, undo
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import ChangeLog, Issue, IssueEvent, Meeting, MeetingDecision, MeetingUnit

D = date.fromisoformat
RULES = issues.default_rules()
UNITS = ("经济发展局", "自然资源分局", "建设局", "行政审批服务局")


def at(ctx: Ctx, day: str, run: str | None = None) -> Ctx:
    return Ctx(by=ctx.by, as_of=D(day), now=ctx.now, command="test", run=run)


@pytest.fixture
def office(session, ctx):
    """A project of each unit (so each is ranked for the flag), on record all year."""
    first = at(ctx, "2025-01-02")
    for name in UNITS:
        registry.ensure_unit(session, first, name)
    for n, name in enumerate(UNITS, 1):
        registry.add_project(session, first, {"name": f"重点项目{n}", "unit": name, "status": "在建"})
    return session


def month(s, ctx) -> dict[str, str]:
    """The month: returns the problem number of each decision (d1 … d4) and of the 会商's problem (p)."""
    m1 = meetings.add_meeting(s, at(ctx, "2025-11-03"), kind="周调度", held_on=D("2025-11-03"), chair="王主任",
                              place="管委会301会议室", units=UNITS, projects=["GX-0001", "GX-0002"],
                              topics=["GX-0001用地报批", "GX-0002施工许可"]).number
    for unit, how, deputy in (("经济发展局", "出席", None), ("自然资源分局", "委派代表", "李四"), ("建设局", "缺席", None),
                              ("行政审批服务局", "出席", None)):
        meetings.attend(s, at(ctx, "2025-11-03"), m1, unit=unit, attendance=how, deputy=deputy)
    day = at(ctx, "2025-11-03")
    n = {}
    n["d1"] = _number(s, meetings.decide(s, day, m1, RULES, text="完成用地预审", unit="自然资源分局",
                                         project="GX-0001", workdays=3))
    n["d2"] = _number(s, meetings.decide(s, day, m1, RULES, text="办理施工许可", unit="建设局", helpers=["行政审批服务局"],
                                         project="GX-0002", workdays=5))
    n["d3"] = _number(s, meetings.decide(s, day, m1, RULES, text="完成电力扩容", unit="经济发展局", project="GX-0001",
                                         due=D("2025-11-14")))
    issues.respond_issue(s, at(ctx, "2025-11-05"), n["d1"], text="已组卷")
    issues.resolve_issue(s, at(ctx, "2025-11-05"), n["d1"], text="预审通过")  # on time (deadline 11-06)
    m2 = meetings.add_meeting(s, at(ctx, "2025-11-10"), kind="周调度", held_on=D("2025-11-10"), chair="王主任",
                              units=UNITS).number
    n["d4"] = _number(s, meetings.decide(s, at(ctx, "2025-11-10"), m2, RULES, text="出具联合审查意见",
                                         unit="行政审批服务局", project="GX-0004", workdays=2))
    issues.respond_issue(s, at(ctx, "2025-11-12"), n["d2"], text="已受理")
    issues.resolve_issue(s, at(ctx, "2025-11-12"), n["d2"], text="已发证")  # late: deadline 11-10
    # a 专题会商 on a problem reported before: it is taken up and given a new unit and deadline
    p = issues.report_issue(s, at(ctx, "2025-11-04"), "GX-0003", title="地块存在压覆矿", category="土地").number
    issues.accept_issue(s, at(ctx, "2025-11-04"), p)
    m3 = meetings.add_meeting(s, at(ctx, "2025-11-12"), kind="会商", held_on=D("2025-11-12"), chair="李副主任",
                              title="GX-0003压覆矿问题专题会商会", units=["自然资源分局", "经济发展局"]).number
    meetings.decide(s, at(ctx, "2025-11-12"), m3, RULES, text="经济发展局牵头协调压覆矿评估", issue=p, unit="经济发展局",
                    helpers=["自然资源分局"], workdays=3)
    issues.respond_issue(s, at(ctx, "2025-11-14"), p, text="评估完成")
    issues.resolve_issue(s, at(ctx, "2025-11-14"), p, text="不压覆")  # on time (deadline 11-17)
    n["p"] = p
    return n


def _number(s, decision: MeetingDecision) -> str:
    return s.get(Issue, decision.issue_id).number


def statuses(rows) -> list[tuple]:
    return [(r["seq"], r["text"], r["unit"], r["deadline"].isoformat(), r["status_text"]) for r in rows]


def test_a_month_of_meetings_and_where_each_decision_stood(office, ctx):
    s = office
    n = month(s, ctx)
    assert (n["d1"], n["d2"], n["d3"], n["d4"]) == ("2025-001", "2025-002", "2025-003", "2025-004")
    # decisions are problems of the loop: category 议定事项, assigned, the meeting named in the history
    d2 = issues.show_issue(s, n["d2"], D("2025-11-03"))
    assert (d2["category"], d2["state"], d2["lead_unit"], d2["helpers"], d2["deadline"]) == (
        "议定事项", "assigned", "建设局", ["行政审批服务局"], D("2025-11-10"))
    assert [e["type"] for e in d2["events"]] == ["report", "accept", "assign"]
    assert d2["events"][-1]["text"] == "2025年11月3日周调度会（HY-0001）议定：办理施工许可"

    # the agenda of the second 调度会: the first's decisions as they stood on 11-10 (d2 resolved only on 11-12)
    shown = meetings.show_meeting(s, "HY-0002", D("2025-11-30"))
    assert shown["previous"]["number"] == "HY-0001"
    assert statuses(shown["previous_decisions"]) == [
        (1, "完成用地预审", "自然资源分局", "2025-11-06", "已落实"),
        (2, "办理施工许可", "建设局", "2025-11-10", "正在落实（今日到期）"),
        (3, "完成电力扩容", "经济发展局", "2025-11-14", "正在落实（剩4天）"),
    ]
    # the next 周调度's agenda on 11-17: the last 周调度 is HY-0002; its one decision is 5 days late
    nxt = meetings.agenda(s, D("2025-11-17"), kind="周调度")
    assert nxt["previous"]["number"] == "HY-0002"
    assert statuses(nxt["decisions"]) == [(1, "出具联合审查意见", "行政审批服务局", "2025-11-12", "逾期未落实（逾期5天）")]
    assert nxt["counts"] == {"已落实": 0, "正在落实": 0, "逾期未落实": 1}
    # the first meeting's decisions as of 11-17: one on time, one late, one overdue
    first = meetings.decisions(s, [s.scalar(select(Meeting.id).where(Meeting.number == "HY-0001"))], D("2025-11-17"))
    assert [r["status_text"] for r in first] == ["已落实", "已落实（逾期2天）", "逾期未落实（逾期3天）"]
    # re-run for a date before the later steps: as on record then
    assert [r["status_text"] for r in meetings.decisions(s, [first[0]["meeting_id"]], D("2025-11-04"))] == [
        "正在落实（剩2天）", "正在落实（剩6天）", "正在落实（剩10天）"]
    # the last meeting held by 11-17 of any kind is the 会商; its decision took up the problem, done on time
    assert statuses(meetings.agenda(s, D("2025-11-17"))["decisions"]) == [
        (1, "经济发展局牵头协调压覆矿评估", "经济发展局", "2025-11-17", "已落实")]
    listed = meetings.list_meetings(s, D("2025-11-17"))
    assert [(r["number"], r["kind"], r["units"], r["present"], r["decisions"], r["done"], r["late"]) for r in listed] == [
        ("HY-0003", "专题会商", 2, 0, 1, 1, 0), ("HY-0002", "周调度", 4, 0, 1, 0, 1), ("HY-0001", "周调度", 4, 3, 3, 2, 1)]
    assert [(r["unit"], r["attendance"], r["deputy"]) for r in meetings.show_meeting(s, "1", D("2025-11-17"))["attendance"]] == [
        ("经济发展局", "出席", None), ("自然资源分局", "委派代表", "李四"), ("建设局", "缺席", None), ("行政审批服务局", "出席", None)]


def test_decisions_are_in_overdue_sweep_reminders_and_the_flag_as_problems(office, ctx):
    from projects_cli.notify.plan import plan_reminders

    s = office
    n = month(s, ctx)
    tiers = load_rules().get("overdue.tiers")
    data = report.overdue(s, D("2025-11-17"), tiers=tiers)
    late = sorted((r["issue"], r["unit"], r["days_late"]) for r in data["overdue"] if r["type"] == "issue")
    assert late == [(n["d3"], "经济发展局", 3), (n["d4"], "行政审批服务局", 5)]
    # marked as decisions (a problem of no meeting reads 问题 2025-…)
    assert sorted(r["item"] for r in data["overdue"] if r["type"] == "issue") == [
        f"议定事项 {n['d3']}：完成电力扩容", f"议定事项 {n['d4']}：出具联合审查意见"]
    assert [r["number"] for r in issues.list_issues(s, D("2025-11-17"), overdue=True)] == [n["d3"], n["d4"]]
    plan = plan_reminders(s, D("2025-11-17"), calendar=RULES.calendar, tiers=tiers)
    keys = {u["unit"]: [i["key"] for i in u["items"]] for u in plan["units"]}
    assert keys == {"经济发展局": [f"overdue:issue:GX-0001:{n['d3']}:2025-11-14"],
                    "行政审批服务局": [f"overdue:issue:GX-0004:{n['d4']}:2025-11-12"]}
    swept = issues.sweep(s, at(ctx, "2025-11-17"), RULES)
    assert [(r["number"], r["workdays_late"], r["misses"], r["level_to"]) for r in swept] == [
        (n["d4"], 3, 1, "重点督办"), (n["d3"], 1, 1, "重点督办")]
    assert issues.sweep(s, at(ctx, "2025-11-17"), RULES) == []
    # the flag's problem share: d1 on time (自然资源分局), d2 late (建设局), d3 not done and the 会商's problem on
    # time (经济发展局), d4 not done (行政审批服务局); helpers do not count (flag.score_helpers false)
    shares = flag.unit_shares(s, "2025-11", D("2025-11-30"), ("在建",))
    assert {u: str(v["issues"]) for u, v in shares.items()} == {
        "经济发展局": "0.5", "自然资源分局": "1", "建设局": "0", "行政审批服务局": "0"}
    # the weekly's section: every decision overdue or due within the horizon on 11-17, most overdue first
    assert [(r["issue"], r["status_text"]) for r in meetings.due_or_overdue(s, D("2025-11-17"), 14)] == [
        (n["d4"], "逾期未落实（逾期5天）"), (n["d3"], "逾期未落实（逾期3天）")]


def test_decide_refuses_what_cannot_be_tracked(office, ctx):
    s = office
    day = at(ctx, "2025-11-03")
    m = meetings.add_meeting(s, day, kind="月调度", held_on=D("2025-11-03"), chair="王主任",
                             projects=["GX-0001", "GX-0002"]).number
    with pytest.raises(InvalidValue, match="议定事项须关联一个项目.*GX-0001、GX-0002"):
        meetings.decide(s, day, m, RULES, text="某事", unit="建设局")
    with pytest.raises(InvalidValue, match="须明确责任单位"):
        meetings.decide(s, day, m, RULES, text="某事", project="GX-0001")
    with pytest.raises(InvalidValue, match="只能给一个"):
        meetings.decide(s, day, m, RULES, text="某事", unit="建设局", project="GX-0001", workdays=3, due=D("2025-11-20"))
    with pytest.raises(InvalidValue, match="不能记在此前"):
        meetings.decide(s, at(ctx, "2025-11-01"), m, RULES, text="某事", unit="建设局", project="GX-0001")
    with pytest.raises(NotFound, match="HY-0009"):
        meetings.decide(s, day, "HY-0009", RULES, text="某事", unit="建设局")
    with pytest.raises(InvalidValue, match="委派代表须写明代表姓名"):
        meetings.attend(s, day, m, unit="建设局", attendance="委派代表")
    with pytest.raises(UnknownName, match="会议类型“茶话会”不存在"):
        meetings.add_meeting(s, day, kind="茶话会", held_on=D("2025-11-03"), chair="王主任")
    # nothing was half-written: no problem, no decision
    assert s.scalar(select(func.count()).select_from(Issue)) == 0
    assert s.scalar(select(func.count()).select_from(MeetingDecision)) == 0
    # with no --project, the meeting's one project
    one = meetings.add_meeting(s, day, kind="现场观摩", held_on=D("2025-11-03"), chair="王主任", projects=["GX-0003"]).number
    made = meetings.decide(s, day, one, RULES, text="完善现场标识", unit="建设局")
    assert (s.get(Issue, made.issue_id).project_id, s.get(Issue, made.issue_id).deadline) == (3, D("2025-11-10"))
    assert s.get(Meeting, made.meeting_id).title == "现场观摩会"


def _undo_run(s, ctx, run: str) -> list[str]:
    ids = undo.select_entries(s, run=run)
    return undo.undo_entries(s, Ctx(by=ctx.by, as_of=D("2025-11-20"), now=ctx.now, command="undo"), ids)


def test_undo_a_decision_its_problem_an_attendance_and_a_meeting(office, ctx):
    s = office
    m = meetings.add_meeting(s, at(ctx, "2025-11-03", "run-add"), kind="周调度", held_on=D("2025-11-03"), chair="王主任",
                             units=["建设局"], projects=["GX-0001"]).number
    meetings.attend(s, at(ctx, "2025-11-03", "run-attend"), m, unit="建设局", attendance="缺席")
    meetings.decide(s, at(ctx, "2025-11-03", "run-d1"), m, RULES, text="甲事项", unit="建设局", workdays=3)
    meetings.decide(s, at(ctx, "2025-11-03", "run-d2"), m, RULES, text="乙事项", unit="建设局", workdays=3)
    issues.respond_issue(s, at(ctx, "2025-11-04", "run-respond"), "2025-002", text="办理中")
    before = s.scalar(select(func.count()).select_from(IssueEvent))
    # the second decision's problem moved on: refused, nothing undone
    with pytest.raises(undo.Refused, match="2025-002 此后已有办理"):
        _undo_run(s, ctx, "run-d2")
    # the meeting has decisions: refused
    with pytest.raises(undo.Refused, match="已有议定事项 2 项"):
        _undo_run(s, ctx, "run-add")
    assert s.scalar(select(func.count()).select_from(IssueEvent)) == before
    # the first decision goes with its problem (its number is not given again)
    lines = _undo_run(s, ctx, "run-d1")
    assert lines[-1].endswith("条（test）：删除议定事项 HY-0001#1“甲事项”及其跟踪的问题 2025-001")
    assert len(lines) == 7 and all(line.endswith("的这一步随议定事项一并撤销") for line in lines[:-1])
    assert s.scalars(select(Issue.number).order_by(Issue.id)).all() == ["2025-002"]
    _undo_run(s, ctx, "run-respond")
    _undo_run(s, ctx, "run-d2")
    assert s.scalar(select(func.count()).select_from(Issue)) == 0
    # attendance back to unrecorded, then the meeting with the unit asked
    _undo_run(s, ctx, "run-attend")
    assert s.scalars(select(MeetingUnit.attendance)).all() == [None]
    _undo_run(s, ctx, "run-add")
    assert (s.scalar(select(func.count()).select_from(Meeting)), s.scalar(select(func.count()).select_from(MeetingUnit))) == (0, 0)
    again = meetings.add_meeting(s, at(ctx, "2025-11-21"), kind="周调度", held_on=D("2025-11-21"), chair="王主任")
    assert again.number == "HY-0002"
    assert s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.table_name == "meeting_decision",
                                                                     ChangeLog.action == "delete")) == 2


def test_undo_a_decision_that_took_up_a_problem_reverts_its_steps(office, ctx):
    s = office
    p = issues.report_issue(s, at(ctx, "2025-11-03"), "GX-0001", title="用电", category="用电").number
    issues.accept_issue(s, at(ctx, "2025-11-03"), p)
    issues.assign_issue(s, at(ctx, "2025-11-03"), p, RULES, unit="建设局")
    m = meetings.add_meeting(s, at(ctx, "2025-11-05"), kind="会商", held_on=D("2025-11-05"), chair="李副主任").number
    meetings.decide(s, at(ctx, "2025-11-05", "run-take"), m, RULES, text="改由经济发展局牵头", issue=p, unit="经济发展局",
                    due=D("2025-11-20"))
    shown = issues.show_issue(s, p)
    assert (shown["lead_unit"], shown["deadline"], [e["type"] for e in shown["events"]][-2:]) == (
        "经济发展局", D("2025-11-20"), ["consult", "assign"])
    _undo_run(s, ctx, "run-take")
    shown = issues.show_issue(s, p)
    assert (shown["lead_unit"], shown["deadline"]) == ("建设局", D("2025-11-10"))
    assert s.scalar(select(func.count()).select_from(MeetingDecision)) == 0
    rejected = issues.report_issue(s, at(ctx, "2025-11-06"), "GX-0001", title="x", category="土地").number
    issues.reject_issue(s, at(ctx, "2025-11-06"), rejected, reason="不属实")
    with pytest.raises(IllegalMove, match="^不能对问题 2025-002 执行 consult：它现在是不予受理；现在可以：reopen$"):
        meetings.decide(s, at(ctx, "2025-11-06"), m, RULES, text="y", issue=rejected, unit="建设局")


def test_attendance_scores_only_when_the_rules_weigh_it(office, ctx):
    from projects_cli.rules.scoring import score_units

    s = office
    month(s, ctx)
    shares = flag.unit_shares(s, "2025-11", D("2025-11-30"), ("在建",))
    # only HY-0001's attendance was recorded: 出席 and 委派代表 attended, 缺席 did not
    assert {u: str(v["attendance"]) for u, v in shares.items()} == {
        "经济发展局": "1", "自然资源分局": "1", "建设局": "0", "行政审批服务局": "1"}
    shipped = dict(load_rules().get("flag.weights"))
    assert shipped["attendance"] == 0
    plain = {r.unit: (str(r.score), sorted(r.components)) for r in score_units(shares, shipped)}
    assert plain["建设局"] == ("80.00", ["investment", "issues", "ledger", "milestones"])  # as before attendance existed
    weighed = {r.unit: str(r.score) for r in score_units(shares, {**shipped, "attendance": 10})}
    # 建设局: 80 of 100 before; now 80 of 110 points, scaled to 100: 72.73
    assert (weighed["建设局"], weighed["自然资源分局"]) == ("72.73", "100.00")
