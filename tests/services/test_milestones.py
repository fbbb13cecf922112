"""Milestone services: baseline kept, re-plans with reasons, idempotent building blocks, clear errors."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from projects_cli.errors import ConfigError, InvalidValue, NotFound
from projects_cli.services import milestones, registry
from projects_cli.store.models import ChangeLog, Milestone, MilestonePlan

D = date.fromisoformat


def log_count(session) -> int:
    return session.scalar(select(func.count()).select_from(ChangeLog))


@pytest.fixture
def project(session, ctx):
    return registry.add_project(session, ctx, {"name": "甲项目"})


def test_add_replan_done_keeps_baseline_and_history(session, ctx, project):
    m = milestones.add_milestone(session, ctx, "GX-0001", "开工", D("2025-09-30"))
    assert (m.kind, m.seq, m.baseline_date, m.planned_date, m.actual_date) == ("开工", 5, D("2025-09-30"), D("2025-09-30"), None)
    later = replace(ctx, as_of=D("2025-11-03"))
    _, previous = milestones.replan_milestone(session, later, "GX-0001", "开工", D("2025-12-31"), "土地指标延后")
    assert previous == D("2025-09-30")
    _, before = milestones.done_milestone(session, replace(ctx, as_of=D("2026-01-10")), "GX-0001", "开工", D("2026-01-05"))
    assert before is None
    assert (m.baseline_date, m.planned_date, m.actual_date) == (D("2025-09-30"), D("2025-12-31"), D("2026-01-05"))
    plans = session.scalars(select(MilestonePlan).order_by(MilestonePlan.id)).all()
    assert [(p.planned_date, p.on, p.reason, p.by) for p in plans] == [
        (D("2025-09-30"), D("2025-10-31"), None, "tester"),
        (D("2025-12-31"), D("2025-11-03"), "土地指标延后", "tester"),
    ]
    entries = session.scalars(select(ChangeLog).where(ChangeLog.table_name == "milestone").order_by(ChangeLog.id)).all()
    assert [(e.action, e.record_key, e.project_code, e.fields) for e in entries] == [
        ("insert", "GX-0001:开工", "GX-0001", "baseline_date,kind,planned_date"),
        ("update", "GX-0001:开工", "GX-0001", "planned_date,reason"),
        ("update", "GX-0001:开工", "GX-0001", "actual_date"),
    ]
    assert json.loads(entries[1].new) == {"planned_date": "2025-12-31", "reason": "土地指标延后"}
    assert project.version == 4  # every change bumps the project's version (dispatched ledgers see it)


def test_list_at_an_earlier_as_of_shows_the_plan_then(session, ctx, project):
    milestones.add_milestone(session, replace(ctx, as_of=D("2025-06-01")), "GX-0001", "开工", D("2025-09-30"))
    milestones.replan_milestone(session, ctx, "GX-0001", "开工", D("2025-12-31"), "推迟")
    milestones.done_milestone(session, ctx, "GX-0001", "签约", D("2025-03-01"))
    now = milestones.list_milestones(session, "GX-0001", D("2025-10-31"), 14)
    then = milestones.list_milestones(session, "GX-0001", D("2025-10-15"), 14)
    assert [(r["kind"], r["planned_date"], r["state"], r["days_late"], r["replans"]) for r in now] == [
        ("签约", None, "done_on_time", None, 0),
        ("开工", D("2025-12-31"), "open", None, 1),
    ]
    assert [(r["kind"], r["planned_date"], r["state"], r["days_late"], r["replans"]) for r in then] == [
        ("签约", None, "done_on_time", None, 0),
        ("开工", D("2025-09-30"), "overdue", 15, 0),
    ]
    assert [p["reason"] for p in now[1]["plans"]] == [None, "推迟"]


def test_set_planned_and_set_actual_are_idempotent(session, ctx, project):
    assert milestones.set_planned(session, ctx, project, "竣工", D("2026-06-30")) is True
    assert milestones.set_actual(session, ctx, project, "开工", D("2025-10-08")) is True  # done, never planned
    logged, version = log_count(session), project.version
    assert milestones.set_planned(session, ctx, project, "竣工", D("2026-06-30")) is False
    assert milestones.set_planned(session, ctx, project, "竣工", D("2026-06-30"), reason="台账导入") is False
    assert milestones.set_actual(session, ctx, project, "开工", D("2025-10-08")) is False
    assert milestones.set_actual(session, ctx, project, "投产", None) is False  # clearing what is not there
    assert (log_count(session), project.version) == (logged, version)
    # a first plan for a milestone recorded as done becomes its baseline, no reason needed
    assert milestones.set_planned(session, ctx, project, "开工", D("2025-10-01")) is True
    m = session.scalars(select(Milestone).where(Milestone.kind == "开工")).one()
    assert (m.baseline_date, m.planned_date, m.actual_date) == (D("2025-10-01"), D("2025-10-01"), D("2025-10-08"))
    # clearing a wrongly recorded completion
    assert milestones.set_actual(session, ctx, project, "开工", None) is True
    assert m.actual_date is None


ERRORS = (
        (lambda s, c: milestones.add_milestone(s, c, "GX-9999", "开工", D("2025-12-01")), NotFound,
         "没有编号为 'GX-9999' 的项目"),
        (lambda s, c: milestones.add_milestone(s, c, "GX-0001", "封顶", D("2025-12-01")), InvalidValue,
         "未知的节点 '封顶'；现有节点：签约、立项、土地、规划许可、施工许可、开工、主体完工、竣工、投产、达效"),
        (lambda s, c: milestones.add_milestone(s, c, "GX-0001", "立项", D("2025-12-01")), InvalidValue,
         "GX-0001 已有节点 立项，计划于 2025-03-31；要改日期请用："
         "projects milestone replan GX-0001 立项 --planned 日期 --reason 原因"),
        (lambda s, c: milestones.replan_milestone(s, c, "GX-0001", "立项", D("2025-12-01"), "  "), InvalidValue,
         "调整 GX-0001 立项 的计划需要写明调整原因（--reason）"),
        (lambda s, c: milestones.replan_milestone(s, c, "GX-0001", "开工", D("2025-12-01"), "推迟"), NotFound,
         "GX-0001 还没有节点 开工 的计划；请先添加：projects milestone add GX-0001 开工 --planned 日期"),
        (lambda s, c: milestones.set_planned(s, c, registry.get_project(s, "GX-0001"), "立项", D("2025-04-30")),
         InvalidValue, "GX-0001 立项 计划于 2025-03-31；调整到 2025-04-30 需要写明调整原因（--reason）"),
        (lambda s, c: milestones.done_milestone(s, c, "GX-0001", "立项", D("2025-11-01")), InvalidValue,
         "GX-0001 立项：实际完成日期 2025-11-01 晚于统计截止日期 2025-10-31；"
         "节点不能在将来完成"),
        (lambda s, c: milestones.replan_milestone(s, replace(c, as_of=D("2025-01-01")), "GX-0001", "立项",
                                                  D("2025-12-01"), "推迟"), InvalidValue,
         "GX-0001 立项 最近一次调整计划在 2025-02-01；新的调整不能早于这一天（请检查 --as-of）"),
)


def test_errors_change_nothing(session, ctx, project):
    milestones.add_milestone(session, replace(ctx, as_of=D("2025-01-10")), "GX-0001", "立项", D("2025-02-28"))
    milestones.replan_milestone(session, replace(ctx, as_of=D("2025-02-01")), "GX-0001", "立项", D("2025-03-31"), "材料补正")
    before = (log_count(session), session.scalar(select(func.count()).select_from(MilestonePlan)), project.version)
    for call, error, message in ERRORS:
        with pytest.raises(error) as info:
            call(session, ctx)
        assert message in str(info.value)
        after = (log_count(session), session.scalar(select(func.count()).select_from(MilestonePlan)), project.version)
        assert after == before, message


def test_configured_kinds():
    assert milestones.configured_kinds({}) == milestones.MILESTONE_KINDS
    assert milestones.configured_kinds({"milestones": {"kinds": ["立项", "开工", "竣工"]}}) == ("立项", "开工", "竣工")
    with pytest.raises(ConfigError, match=r"config file \[milestones\] kinds: '开工' is listed twice"):
        milestones.configured_kinds({"milestones": {"kinds": ["开工", "开工"]}})
    with pytest.raises(ConfigError, match="^配置文件：\\[milestones\\] 中有未知的键 'kind'；可用的键只有 kinds$"):
        milestones.configured_kinds({"milestones": {"kind": ["开工"]}})


def test_custom_kinds_order_the_chain(session, ctx, project):
    kinds = ("立项", "封顶", "开工")
    milestones.set_planned(session, ctx, project, "开工", D("2025-12-01"), kinds=kinds)
    milestones.set_planned(session, ctx, project, "封顶", D("2025-11-01"), kinds=kinds)
    rows = milestones.list_milestones(session, "GX-0001", ctx.as_of, 14)
    assert [(r["kind"]) for r in rows] == ["封顶", "开工"]
    with pytest.raises(InvalidValue, match="未知的节点 '签约'；现有节点：立项、封顶、开工"):
        milestones.set_planned(session, ctx, project, "签约", D("2025-12-01"), kinds=kinds)
