"""The closed loop of a problem (问题闭环), through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from projects_cli.errors import IllegalMove, InvalidValue, NotFound
from projects_cli.facts import asof
from projects_cli.rules.workdays import UnknownYear
from projects_cli.services import issues, registry
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import ChangeLog, Issue, IssueEvent, IssueHelper

D = date.fromisoformat
RULES = issues.default_rules()


def at(ctx: Ctx, day: str) -> Ctx:
    return Ctx(by=ctx.by, as_of=D(day), now=ctx.now, command="test")


def counts(session) -> tuple[int, int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) for model in (ChangeLog, IssueEvent, Issue, IssueHelper)
    )


@pytest.fixture
def office(session, ctx):
    """A project and three units."""
    registry.add_project(session, at(ctx, "2025-01-02"), {"name": "某某智能制造项目"})  # on record all year
    for name in ("自然资源分局", "经济发展局", "建设局"):
        registry.ensure_unit(session, ctx, name)
    return session


def report(session, ctx, day="2025-10-09", urgency="一般"):
    return issues.report_issue(
        session, at(ctx, day), "GX-0001", title="用地指标不足", category="土地", urgency=urgency
    ).number


def history(session, number):
    return [(e["type"], e["on"].isoformat(), e["from_state"], e["to_state"]) for e in issues.show_issue(session, number)["events"]]


def test_the_whole_loop_and_its_history(office, ctx):
    s = office
    n = report(s, ctx, "2025-09-26", urgency="急件")
    assert n == "2025-001"
    issues.accept_issue(s, at(ctx, "2025-09-26"), n)
    issue = issues.assign_issue(
        s, at(ctx, "2025-09-26"), n, RULES, unit="自然资源分局", helpers=["经济发展局", "建设局"], text="请牵头"
    )
    # 急件 = 3 working days: Sat 27 off, Sun 28 (调休) worked, 29, 30
    assert (issue.state, issue.deadline, issue.assigned_on) == ("assigned", D("2025-09-30"), D("2025-09-26"))
    issues.note_issue(s, at(ctx, "2025-09-27"), n, "instruct", text="本周拿出方案", who="王主任")
    issues.respond_issue(s, at(ctx, "2025-09-29"), n, text="已组卷上报")
    issues.note_issue(s, at(ctx, "2025-09-29"), n, "consult", text="会商明确分工")
    issues.note_issue(s, at(ctx, "2025-09-29"), n, "follow", text="电话督促")
    issue = issues.resolve_issue(s, at(ctx, "2025-09-30"), n, text="已批复")
    assert (issue.state, issue.resolved_on, issue.misses) == ("resolved", D("2025-09-30"), 0)
    issue = issues.close_issue(s, at(ctx, "2025-10-10"), n, RULES, text="核实无误")
    assert (issue.state, issue.closed_on, issue.lookback_on) == ("closed", D("2025-10-10"), D("2025-11-09"))
    issue = issues.record_lookback(s, at(ctx, "2025-11-10"), n, text="未反弹")
    assert issue.lookback_done_on == D("2025-11-10")

    shown = issues.show_issue(s, n)
    assert shown["helpers"] == ["经济发展局", "建设局"] and shown["lead_unit"] == "自然资源分局"
    assert history(s, n) == [
        ("report", "2025-09-26", None, "reported"),
        ("accept", "2025-09-26", "reported", "accepted"),
        ("assign", "2025-09-26", "accepted", "assigned"),
        ("instruct", "2025-09-27", None, None),
        ("respond", "2025-09-29", "assigned", "responded"),
        ("consult", "2025-09-29", None, None),
        ("follow", "2025-09-29", None, None),
        ("resolve", "2025-09-30", "responded", "resolved"),
        ("close", "2025-10-10", "resolved", "closed"),
        ("lookback", "2025-11-10", None, None),
    ]
    events = shown["events"]
    assert events[2]["data"] == {
        "unit": "自然资源分局", "helpers": ["经济发展局", "建设局"], "urgency": "急件", "deadline": "2025-09-30", "workdays": 3,
    }
    assert events[2]["text"] == "请牵头" and events[3]["data"] == {"who": "王主任"}
    assert events[8]["data"] == {"lookback_on": "2025-11-09"}
    assert all(e["actor"] == "tester" for e in events)
    # every change is in the change log too: the issue row and each event
    log = s.scalars(select(ChangeLog).where(ChangeLog.record_key == n).order_by(ChangeLog.id)).all()
    assert [(r.action, r.table_name) for r in log].count(("insert", "issue_event")) == 10
    assert [(r.action, r.table_name) for r in log][:2] == [("insert", "issue"), ("insert", "issue_event")]
    updates = [r.fields for r in log if r.action == "update"]
    assert updates == [
        "state",
        "assigned_on,deadline,helpers,lead_unit,state",
        "state",
        "resolved_on,state",
        "closed_on,lookback_on,state",
        "lookback_done_on",
    ]
    assert all(r.project_code == "GX-0001" for r in log)


def test_reject_reopen_send_back_reassign_reopen_closed(office, ctx):
    s = office
    n = report(s, ctx, "2025-10-09")
    assert issues.reject_issue(s, at(ctx, "2025-10-09"), n, reason="不属政府协调范围").state == "rejected"
    assert issues.reopen_issue(s, at(ctx, "2025-10-10"), n, RULES, reason="领导要求重新研究").state == "reported"
    issues.accept_issue(s, at(ctx, "2025-10-10"), n)
    issues.assign_issue(s, at(ctx, "2025-10-10"), n, RULES, unit="建设局", helpers=["经济发展局"])
    # re-assign (改派) to another unit, helpers replaced, new deadline from the new day
    issue = issues.assign_issue(s, at(ctx, "2025-10-13"), n, RULES, unit="自然资源分局", urgency="特急")
    assert (issue.state, issue.urgency, issue.deadline) == ("assigned", "特急", D("2025-10-14"))
    assert issues.show_issue(s, n)["helpers"] == []
    issues.respond_issue(s, at(ctx, "2025-10-14"), n, text="已处理")
    issue = issues.send_back_issue(s, at(ctx, "2025-10-14"), n, RULES, reason="未附证明")
    assert (issue.state, issue.deadline, issue.misses) == ("assigned", D("2025-10-15"), 0)
    issues.respond_issue(s, at(ctx, "2025-10-15"), n, text="已补充")
    issues.resolve_issue(s, at(ctx, "2025-10-15"), n, text="解决")
    issue = issues.send_back_issue(s, at(ctx, "2025-10-16"), n, RULES, reason="现场未解决", due=D("2025-10-24"))
    assert (issue.state, issue.deadline, issue.resolved_on) == ("assigned", D("2025-10-24"), None)
    issues.respond_issue(s, at(ctx, "2025-10-20"), n, text="再次处理")
    issues.resolve_issue(s, at(ctx, "2025-10-21"), n, text="已解决")
    issues.close_issue(s, at(ctx, "2025-10-22"), n, RULES)
    issue = issues.reopen_issue(s, at(ctx, "2025-10-30"), n, RULES, reason="问题反弹")
    # back to its lead unit with a new 特急 deadline; closing dates cleared
    assert (issue.state, issue.deadline, issue.closed_on, issue.lookback_on, issue.resolved_on) == (
        "assigned", D("2025-10-31"), None, None, None,
    )
    assert [t for t, *_ in history(s, n)] == [
        "report", "reject", "reopen", "accept", "assign", "assign", "respond", "send-back", "respond", "resolve",
        "send-back", "respond", "resolve", "close", "reopen",
    ]


ALLOWED = {
    "reported": "accept, reject, instruct, consult, follow",
    "accepted": "assign, escalate, instruct, consult, follow",
    "rejected": "reopen",
    "assigned": "assign, respond, escalate, instruct, consult, follow",
    "responded": "resolve, send-back, escalate, instruct, consult, follow",
    "resolved": "close, send-back, instruct, consult, follow",
    "closed": "reopen, lookback",
}
PATHS = {
    "reported": [],
    "accepted": ["accept"],
    "rejected": ["reject"],
    "assigned": ["accept", "assign"],
    "responded": ["accept", "assign", "respond"],
    "resolved": ["accept", "assign", "respond", "resolve"],
    "closed": ["accept", "assign", "respond", "resolve", "close"],
}
ACTIONS = ("accept", "reject", "assign", "respond", "resolve", "close", "send-back", "reopen", "escalate",
           "instruct", "consult", "follow", "lookback")
ZH = {"reported": "已提报", "accepted": "已受理", "rejected": "不予受理", "assigned": "已交办", "responded": "已反馈",
      "resolved": "已办结", "closed": "已销号"}


def do(session, ctx, number, action):
    calls = {
        "accept": lambda: issues.accept_issue(session, ctx, number),
        "reject": lambda: issues.reject_issue(session, ctx, number, reason="理由"),
        "assign": lambda: issues.assign_issue(session, ctx, number, RULES, unit="建设局"),
        "respond": lambda: issues.respond_issue(session, ctx, number, text="反馈"),
        "resolve": lambda: issues.resolve_issue(session, ctx, number, text="办结"),
        "close": lambda: issues.close_issue(session, ctx, number, RULES),
        "send-back": lambda: issues.send_back_issue(session, ctx, number, RULES, reason="退回"),
        "reopen": lambda: issues.reopen_issue(session, ctx, number, RULES, reason="重开"),
        "escalate": lambda: issues.escalate_issue(session, ctx, number, reason="升级"),
        "instruct": lambda: issues.note_issue(session, ctx, number, "instruct", text="批示"),
        "consult": lambda: issues.note_issue(session, ctx, number, "consult", text="会商"),
        "follow": lambda: issues.note_issue(session, ctx, number, "follow", text="跟踪"),
        "lookback": lambda: issues.record_lookback(session, ctx, number, text="回头看"),
    }
    return calls[action]()


def test_every_illegal_move_is_refused_naming_state_and_allowed_moves(office, ctx):
    s = office
    day = at(ctx, "2025-10-09")
    numbers = {}
    for state, path in PATHS.items():
        numbers[state] = report(s, ctx)
        for action in path:
            do(s, day, numbers[state], action)
        assert s.scalar(select(Issue.state).where(Issue.number == numbers[state])) == state
    before = counts(s)
    tried = 0
    for state, number in numbers.items():
        allowed = ALLOWED[state].split(", ")
        assert issues.allowed_moves(state) == allowed
        for action in ACTIONS:
            if action in allowed:
                continue
            with pytest.raises(IllegalMove) as exc:
                do(s, day, number, action)
            assert str(exc.value) == (
                f"不能对问题 {number} 执行 {action}：它现在是{ZH[state]}；现在可以：{ALLOWED[state]}"
            )
            tried += 1
    assert tried == 7 * 13 - sum(len(v.split(", ")) for v in ALLOWED.values()) == 61
    assert counts(s) == before
    assert {s.scalar(select(Issue.state).where(Issue.number == n)) for n in numbers.values()} == set(PATHS)


def test_every_legal_move_from_every_state(office, ctx):
    """Each allowed (state, action) pair works from a fresh issue and lands where the table says."""
    s = office
    day = at(ctx, "2025-10-09")
    expected = {
        ("reported", "accept"): "accepted", ("reported", "reject"): "rejected",
        ("accepted", "assign"): "assigned", ("accepted", "escalate"): "accepted",
        ("rejected", "reopen"): "reported",
        ("assigned", "assign"): "assigned", ("assigned", "respond"): "responded", ("assigned", "escalate"): "assigned",
        ("responded", "resolve"): "resolved", ("responded", "send-back"): "assigned",
        ("responded", "escalate"): "responded",
        ("resolved", "close"): "closed", ("resolved", "send-back"): "assigned",
        ("closed", "reopen"): "assigned", ("closed", "lookback"): "closed",
    }
    for state in ("reported", "accepted", "assigned", "responded", "resolved"):
        for note in ("instruct", "consult", "follow"):
            expected[(state, note)] = state
    assert sorted(expected) == sorted((st, a) for st, moves in ALLOWED.items() for a in moves.split(", "))
    for (state, action), target in expected.items():
        number = report(s, ctx)
        for step in PATHS[state]:
            do(s, day, number, step)
        assert do(s, day, number, action).state == target, (state, action)


def test_deadlines_in_working_days_across_holidays(office, ctx):
    s = office
    cases = [
        ("2025-09-30", "一般", "2025-10-14"),  # National Day: 9, 10, Sat 11 (调休), 13, 14
        ("2025-01-24", "急件", "2025-02-05"),  # Spring Festival 2025: Sun 26 Jan worked
        ("2026-02-13", "特急", "2026-02-14"),  # Saturday 14 Feb 2026 is a 调休 working day
        ("2026-02-13", "急件", "2026-02-25"),  # Spring Festival 2026
        ("2025-10-10", "复杂", "2025-10-30"),
    ]
    for day, urgency, deadline in cases:
        n = report(s, ctx, day, urgency=urgency)
        issues.accept_issue(s, at(ctx, day), n)
        assert issues.assign_issue(s, at(ctx, day), n, RULES, unit="建设局").deadline == D(deadline), (day, urgency)
    n = report(s, ctx, "2025-10-09")
    issues.accept_issue(s, at(ctx, "2025-10-09"), n)
    issue = issues.assign_issue(s, at(ctx, "2025-10-09"), n, RULES, unit="建设局", due=D("2025-10-09"))
    assert issue.deadline == D("2025-10-09")
    assert issues.show_issue(s, n)["events"][-1]["data"]["deadline"] == "2025-10-09"


def test_errors_write_nothing(office, ctx):
    s = office
    n = report(s, ctx, "2025-10-09")
    issues.accept_issue(s, at(ctx, "2025-10-09"), n)
    before = counts(s)
    day = at(ctx, "2025-10-09")
    cases = [
        (lambda: issues.assign_issue(s, day, n, RULES, unit="住建局"), NotFound,
         "责任单位“住建局”不存在；最接近的：建设局；"
         "确需新增该单位，请加 --create-units"),
        (lambda: issues.assign_issue(s, day, n, RULES, unit="建设局", helpers=["建设局"]), InvalidValue,
         "建设局 是牵头单位，不能同时是配合单位"),
        (lambda: issues.assign_issue(s, day, n, RULES, unit="建设局", due=D("2025-10-08")), InvalidValue,
         "期限 2025-10-08 早于今天（2025-10-09）"),
        (lambda: issues.assign_issue(s, day, n, RULES, unit="建设局", urgency="火急"), InvalidValue,
         "紧急程度应为 特急/急件/一般/复杂 之一，不能是 '火急'"),
        (lambda: issues.assign_issue(s, at(ctx, "2026-12-31"), n, RULES, unit="建设局"), UnknownYear, None),
        (lambda: issues.escalate_issue(s, day, n, reason="  "), InvalidValue, "理由（--reason）不能为空"),
        (lambda: issues.escalate_issue(s, day, n, reason="x", level="一般督办"), InvalidValue,
         "问题 2025-001 已是一般督办；请升级到更高的级别（重点督办/挂牌督办）"),
        (lambda: issues.note_issue(s, day, n, "follow", text=""), InvalidValue, "跟踪内容（--text）不能为空"),
        (lambda: issues.accept_issue(s, day, "2025-099"), NotFound,
         "没有编号为 2025-099 的问题；`projects issue list` 列出全部编号"),
        (lambda: issues.accept_issue(s, day, "12"), NotFound, "'12' 不是问题编号；问题编号形如 2025-012"),
        (lambda: issues.report_issue(s, day, "GX-0404", title="x", category="土地"), NotFound, None),
        (lambda: issues.report_issue(s, day, "GX-0001", title=" ", category="土地"), InvalidValue,
         "问题标题不能为空"),
        (lambda: issues.report_issue(s, day, "GX-0001", title="x", category=""), InvalidValue,
         "问题类别不能为空，例如 土地、资金、手续、用电、拆迁"),
    ]
    for call, error, message in cases:
        with pytest.raises(error) as exc:
            call()
        if message:
            assert str(exc.value) == message
    assert counts(s) == before
    # 2025-12 and ２０２５－００１ find the same issue
    assert issues.get_issue(s, "２０２５－1").number == n


def test_an_urgency_the_rules_no_longer_know_needs_a_due_date(office, ctx):
    from dataclasses import replace

    s = office
    n = assigned(s, ctx, "2025-10-09", "复杂")
    issues.respond_issue(s, at(ctx, "2025-10-10"), n, text="ok")
    rules = replace(RULES, deadline_days={"特急": 1, "一般": 5})
    with pytest.raises(InvalidValue) as exc:
        issues.send_back_issue(s, at(ctx, "2025-10-10"), n, rules, reason="x")
    assert str(exc.value) == (
        "规则文件的 issues.deadline_days 中没有紧急程度 '复杂'（现有 特急/一般）；请用 --due 给出期限"
    )
    assert issues.send_back_issue(s, at(ctx, "2025-10-10"), n, rules, reason="x", due=D("2025-10-20")).deadline == D("2025-10-20")


def test_escalate_by_hand(office, ctx):
    s = office
    n = report(s, ctx)
    issues.accept_issue(s, at(ctx, "2025-10-09"), n)
    assert issues.escalate_issue(s, at(ctx, "2025-10-09"), n, reason="领导批示").level == "重点督办"
    assert issues.escalate_issue(s, at(ctx, "2025-10-10"), n, reason="久拖", level="挂牌督办").level == "挂牌督办"
    with pytest.raises(InvalidValue) as exc:
        issues.escalate_issue(s, at(ctx, "2025-10-10"), n, reason="x")
    assert str(exc.value) == "问题 2025-001 已是挂牌督办，这是最高级别"
    events = issues.show_issue(s, n)["events"]
    assert [(e["type"], e["text"], e["data"]) for e in events[-2:]] == [
        ("escalate", "领导批示", {"from": "一般督办", "to": "重点督办"}),
        ("escalate", "久拖", {"from": "重点督办", "to": "挂牌督办"}),
    ]


def assigned(session, ctx, day, urgency="一般", unit="建设局"):
    n = report(session, ctx, day, urgency=urgency)
    issues.accept_issue(session, at(ctx, day), n)
    issues.assign_issue(session, at(ctx, day), n, RULES, unit=unit)
    return n


def test_sweep_escalates_exactly_the_overdue_and_is_idempotent(office, ctx):
    s = office
    a = assigned(s, ctx, "2025-10-09", "特急")  # deadline Fri 10 Oct → 16 working days late by 31 Oct (Sat 11 worked)
    b = assigned(s, ctx, "2025-10-24", "急件")  # deadline Wed 29 Oct → 2 working days late
    c = assigned(s, ctx, "2025-10-29", "特急")  # deadline Thu 30 Oct → 1 working day late
    d = assigned(s, ctx, "2025-10-30", "特急")  # deadline Fri 31 Oct → due today, not overdue
    e = assigned(s, ctx, "2025-10-21", "一般")  # deadline 28 Oct but resolved: the deadline stopped
    issues.respond_issue(s, at(ctx, "2025-10-22"), e, text="ok")
    issues.resolve_issue(s, at(ctx, "2025-10-23"), e, text="ok")
    f = assigned(s, ctx, "2025-10-13", "一般")  # deadline 20 Oct, answered but not resolved: still runs
    issues.respond_issue(s, at(ctx, "2025-10-15"), f, text="处理中")
    issues.escalate_issue(s, at(ctx, "2025-10-16"), f, reason="领导要求", level="挂牌督办")
    # 挂牌督办 by hand sets its 限期: 5 working days from 16 Oct (the old 20 Oct stays in the history)
    assert s.scalar(select(Issue.deadline).where(Issue.number == f)) == D("2025-10-23")

    done = issues.sweep(s, at(ctx, "2025-10-31"), RULES)
    assert [(r["number"], r["workdays_late"], r["misses"], r["miss_counted"], r["level_from"], r["level_to"], r["rule"])
            for r in done] == [
        (a, 16, 1, True, "一般督办", "挂牌督办", "逾期16个工作日（≥5）"),
        (f, 6, 1, True, "挂牌督办", "挂牌督办", None),
        (b, 2, 1, True, "一般督办", "重点督办", "逾期2个工作日（≥1）"),
        (c, 1, 1, True, "一般督办", "重点督办", "逾期1个工作日（≥1）"),
    ]
    assert done[0]["deadline"] == D("2025-10-10") and done[0]["days_late"] == 21
    # reaching 挂牌督办 by the sweep sets a new deadline too: 5 working days from 31 Oct
    assert [r["new_deadline"] for r in done] == [D("2025-11-07"), None, None, None]
    levels = dict(s.execute(select(Issue.number, Issue.level)).all())
    assert (levels[d], levels[e]) == ("一般督办", "一般督办")
    # the same day again: nothing
    before = counts(s)
    assert issues.sweep(s, at(ctx, "2025-10-31"), RULES) == []
    assert counts(s) == before
    # a later day: b passes 5 working days late; the miss is not counted twice
    done = issues.sweep(s, at(ctx, "2025-11-05"), RULES)
    assert [(r["number"], r["workdays_late"], r["misses"], r["miss_counted"], r["level_to"]) for r in done] == [
        (b, 5, 1, False, "挂牌督办"),
        (d, 3, 1, True, "重点督办"),  # c (4 late) is already 重点督办
    ]
    # the history says what the sweep did
    events = issues.show_issue(s, a)["events"]
    assert [(ev["type"], ev["on"].isoformat(), ev["text"]) for ev in events[-3:]] == [
        ("miss", "2025-10-31", None),
        ("escalate", "2025-10-31", "一般督办→挂牌督办：逾期16个工作日（≥5）"),
        ("relimit", "2025-10-31", "挂牌督办限期：5个工作日内办结，限期至2025年11月7日（原限期2025年10月10日）"),
    ]
    assert events[-1]["data"] == {"deadline": "2025-11-07", "workdays": 5, "old_deadline": "2025-10-10"}
    assert events[-2]["data"] == {
        "deadline": "2025-10-10", "days_late": 21, "workdays_late": 16, "from": "一般督办", "to": "挂牌督办",
        "misses": 1, "rule": "逾期16个工作日（≥5）",
    }
    log = s.scalars(select(ChangeLog).where(ChangeLog.record_key == a, ChangeLog.action == "update")).all()
    assert log[-1].fields == "deadline,level,misses"
    assert log[-1].old == '{"deadline":"2025-10-10","level":"一般督办","misses":0}'


def test_a_second_missed_deadline_lists_the_issue(office, ctx):
    s = office
    n = assigned(s, ctx, "2025-10-09", "特急")  # deadline 10 Oct
    issues.respond_issue(s, at(ctx, "2025-10-13"), n, text="处理中")
    # sent back after the deadline: the miss is counted then, once
    issue = issues.send_back_issue(s, at(ctx, "2025-10-14"), n, RULES, reason="未解决")
    assert (issue.misses, issue.deadline, issue.level) == (1, D("2025-10-15"), "一般督办")
    assert issues.sweep(s, at(ctx, "2025-10-15"), RULES) == []
    done = issues.sweep(s, at(ctx, "2025-10-16"), RULES)
    assert [(r["workdays_late"], r["misses"], r["level_to"], r["rule"]) for r in done] == [(1, 2, "挂牌督办", "第2次逾期")]
    assert [t for t, *_ in history(s, n)] == [
        "report", "accept", "assign", "respond", "miss", "send-back", "miss", "escalate", "relimit",
    ]


def test_a_late_resolution_counts_a_miss_once(office, ctx):
    s = office
    n = assigned(s, ctx, "2025-10-09", "特急")  # deadline 10 Oct
    issues.sweep(s, at(ctx, "2025-10-13"), RULES)  # counted here
    issues.respond_issue(s, at(ctx, "2025-10-14"), n, text="ok")
    assert issues.resolve_issue(s, at(ctx, "2025-10-15"), n, text="ok").misses == 1
    m = assigned(s, ctx, "2025-10-09", "特急")
    issues.respond_issue(s, at(ctx, "2025-10-14"), m, text="ok")
    issue = issues.resolve_issue(s, at(ctx, "2025-10-15"), m, text="ok")  # never swept: counted on resolving
    assert issue.misses == 1
    assert [t for t, *_ in history(s, m)][-2:] == ["miss", "resolve"]
    assert issues.show_issue(s, m)["events"][-2]["data"] == {"deadline": "2025-10-10", "days_late": 5, "misses": 1}


def test_overdue_issues_and_lookbacks_for_other_reports(office, ctx):
    s = office
    a = assigned(s, ctx, "2025-10-09", "特急", unit="自然资源分局")
    assigned(s, ctx, "2025-10-30", "急件")
    c = assigned(s, ctx, "2025-09-01", "一般")
    issues.respond_issue(s, at(ctx, "2025-09-02"), c, text="ok")
    issues.resolve_issue(s, at(ctx, "2025-09-03"), c, text="ok")
    issues.close_issue(s, at(ctx, "2025-09-04"), c, RULES)
    rows = asof.overdue_issues(s, D("2025-10-31"), calendar=RULES.calendar)
    assert [(r["number"], r["code"], r["unit"], r["level"], r["deadline"], r["days_late"], r["workdays_late"])
            for r in rows] == [(a, "GX-0001", "自然资源分局", "一般督办", D("2025-10-10"), 21, 16)]
    assert rows[0]["project_id"] == 1 and rows[0]["state"] == "assigned"
    assert "workdays_late" not in asof.overdue_issues(s, D("2025-10-31"))[0]  # only with a calendar
    assert asof.overdue_issues(s, D("2025-10-10"), calendar=RULES.calendar) == []  # due that day: not yet late
    lookbacks = asof.open_lookbacks(s, D("2025-10-31"))
    assert [(r["number"], r["closed_on"], r["lookback_on"]) for r in lookbacks] == [(c, D("2025-09-04"), D("2025-10-04"))]
    issues.record_lookback(s, at(ctx, "2025-10-05"), c, text="ok")
    assert asof.open_lookbacks(s, D("2025-10-31")) == []
    assert [r["number"] for r in asof.open_lookbacks(s, D("2025-10-04"))] == [c]  # as it stood that day
    with pytest.raises(InvalidValue) as exc:
        issues.record_lookback(s, at(ctx, "2025-10-06"), c, text="again")
    assert str(exc.value) == f"问题 {c} 的回头看已于 2025-10-05 记录"


def test_list_filters(office, ctx):
    s = office
    a = assigned(s, ctx, "2025-10-09", "特急", unit="自然资源分局")
    b = report(s, ctx, "2025-10-10")
    issues.accept_issue(s, at(ctx, "2025-10-10"), b)
    issues.assign_issue(s, at(ctx, "2025-10-10"), b, RULES, unit="建设局", helpers=["自然资源分局"])
    c = report(s, ctx, "2025-10-11")
    as_of = D("2025-10-31")

    def numbers(**kw):
        return [r["number"] for r in issues.list_issues(s, as_of, RULES.calendar, **kw)]

    assert numbers() == [a, b, c]
    assert numbers(unit="自然资源分局") == [a, b]  # leads a, helps with b
    assert numbers(unit="建设局") == [b]
    assert numbers(state="reported") == [c]
    assert numbers(overdue=True) == [a, b]
    assert numbers(project="GX-0001", level="一般督办") == [a, b, c]
    rows = issues.list_issues(s, as_of, RULES.calendar)
    assert [(r["helpers"], r["workdays_late"], r["state_zh"]) for r in rows] == [
        ([], 16, "已交办"), (["自然资源分局"], 11, "已交办"), ([], None, "已提报"),
    ]
    with pytest.raises(NotFound):
        numbers(unit="无此单位")


def test_demo_issues_play_through_the_loop(session, ctx):
    from projects_cli import demo
    from projects_cli.sample import load_plan

    load_plan(session, ctx)
    assert demo.load_demo_issues(session, ctx) == 9
    rows = issues.list_issues(session, ctx.as_of, RULES.calendar)
    assert [(r["number"], r["project_code"], r["state"], r["level"], r["lead_unit"], r["workdays_late"]) for r in rows] == [
        ("2025-001", "GX-0045", "closed", "一般督办", "建设局", None),
        ("2025-002", "GX-0001", "closed", "一般督办", "自然资源分局", None),
        ("2025-003", "GX-0024", "closed", "一般督办", "建设局", None),
        # listed by the 27 Oct sweep with a new deadline 5 working days on (3 Nov): not late on 31 Oct
        ("2025-004", "GX-0004", "assigned", "挂牌督办", "经济发展局", None),
        ("2025-005", "GX-0010", "responded", "重点督办", "生态环境分局", 8),
        ("2025-006", "GX-0033", "rejected", "一般督办", None, None),
        ("2025-007", "GX-0041", "assigned", "一般督办", "王因街道", 4),
        ("2025-008", "GX-0029", "assigned", "一般督办", "行政审批服务局", None),
        ("2025-009", "GX-0020", "reported", "一般督办", None, None),
    ]
    assert [r["number"] for r in asof.open_lookbacks(session, ctx.as_of)] == ["2025-003", "2025-002"]
    assert issues.show_issue(session, "2025-009")["description"] == "省级专项资金2000万元已下达，区级拨付未到位。（演示数据）"
    assert issues.show_issue(session, "2025-006")["description"] == "（演示数据）"
    assert issues.show_issue(session, "2025-004")["deadline"] == D("2025-11-03")
    done = issues.sweep(session, ctx, RULES)
    assert [(r["number"], r["level_to"], r["rule"], r["new_deadline"]) for r in done] == [
        ("2025-005", "挂牌督办", "逾期8个工作日（≥5）", D("2025-11-07")),
        ("2025-007", "挂牌督办", "第2次逾期", D("2025-11-07")),
    ]
