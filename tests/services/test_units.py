"""Units and leaders after a reorganisation (机构改革): rename, merge, then old documents and new reports both right.

The office's year: on 2025-10-01 经济发展局 answers for 甲 (leader 张三) and
投资促进局 for 乙 (leader 李四); 投资促进局 leads a problem of 乙 that 经济发展局
helps with. 经济发展局 is renamed 经济发展和科技创新局 from 2025-11-01; 投资促进局
is merged into it from 2025-11-15; 李四's projects go to 王五 from 2025-11-15.
Every report for a date before each change must read as it did then.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from projects_cli.config.rulebook import load_rules
from projects_cli.errors import InvalidValue, UnknownName
from projects_cli.facts import asof
from projects_cli.facts.filters import ProjectFilter, check_filter
from projects_cli.services import issues, leaders, milestones, registry, report, units
from projects_cli.store.models import ChangeLog, IssueEvent, Unit

D = date.fromisoformat
OLD, NEW, GONE = "经济发展局", "经济发展和科技创新局", "投资促进局"
BEFORE, BETWEEN, AFTER = D("2025-10-25"), D("2025-11-10"), D("2025-11-20")


@pytest.fixture
def office(session, ctx):
    """The registry of the module docstring, reorganised."""
    start = replace(ctx, as_of=D("2025-10-01"))
    for name in (OLD, GONE, "建设局"):
        units.add_unit(session, start, name)
    leaders.add_leader(session, start, "王五", title="副区长")
    p1 = registry.add_project(session, start, {"name": "甲项目", "unit": OLD, "leader": "张三"})
    p2 = registry.add_project(session, start, {"name": "乙项目", "unit": GONE, "leader": "李四"})
    milestones.set_planned(session, start, p1, "开工", D("2025-09-30"))
    milestones.set_planned(session, start, p2, "开工", D("2025-09-15"))
    rules = issues.default_rules()
    issue = issues.report_issue(session, start, p2.code, title="土地指标未下达", category="土地")
    issues.accept_issue(session, start, issue.number)
    issues.assign_issue(session, start, issue.number, rules, unit=GONE, helpers=[OLD], due=D("2025-10-20"))
    units.rename_unit(session, replace(ctx, as_of=D("2025-11-01")), OLD, NEW)
    later = replace(ctx, as_of=D("2025-11-15"))
    units.merge_units(session, later, GONE, NEW)
    leaders.merge_leaders(session, later, "李四", "王五")
    session.flush()
    return p1.code, p2.code, issue.number


def units_of(session, as_of):
    return {info.code: info.unit for info in asof.project_info(session, as_of=as_of).values()}


def test_each_date_reads_the_names_in_force_then(session, office):
    p1, p2, _ = office
    assert units_of(session, BEFORE) == {p1: OLD, p2: GONE}
    assert units_of(session, BETWEEN) == {p1: NEW, p2: GONE}
    assert units_of(session, AFTER) == {p1: NEW, p2: NEW}
    assert units_of(session, None) == {p1: NEW, p2: NEW}


def overdue_units(session, as_of):
    data = report.overdue(session, as_of, tiers=load_rules().get("overdue.tiers"))
    return sorted((r["code"], r["item"], r["unit"], r["leader"]) for r in data["overdue"]), \
        sorted(u["unit"] for u in data["by_unit"])


def test_the_overdue_report_before_and_after(session, office):
    p1, p2, number = office
    rows, by_unit = overdue_units(session, BEFORE)
    assert rows == [(p1, "开工", OLD, "张三"), (p2, "开工", GONE, "李四"),
                    (p2, f"问题 {number}：土地指标未下达", GONE, "李四")]
    assert by_unit == [GONE, OLD]
    rows, by_unit = overdue_units(session, AFTER)
    assert rows == [(p1, "开工", NEW, "张三"), (p2, "开工", NEW, "王五"),
                    (p2, f"问题 {number}：土地指标未下达", NEW, "王五")]
    assert by_unit == [NEW]


def test_the_countdown_before_and_after(session, office):
    p1, p2, _ = office
    assert {r["code"]: r["unit"] for r in report.countdown(session, BETWEEN)} == {p1: NEW, p2: GONE}
    assert {r["code"]: r["unit"] for r in report.countdown(session, AFTER)} == {p1: NEW, p2: NEW}


def test_the_problem_moves_to_the_unit_it_went_into(session, office):
    _, _, number = office
    before = issues.show_issue(session, number, BEFORE)
    assert (before["lead_unit"], before["helpers"]) == (GONE, [OLD])
    between = issues.show_issue(session, number, BETWEEN)
    assert (between["lead_unit"], between["helpers"]) == (GONE, [OLD])  # the event names it as it was then
    after = issues.show_issue(session, number, AFTER)
    assert (after["lead_unit"], after["helpers"]) == (NEW, [])  # it leads now: no longer its own helper
    assert [e["type"] for e in after["events"]][-1] == "transfer"
    listed = issues.list_issues(session, AFTER, unit=GONE)  # the merged name finds the unit it went into
    assert [(r["number"], r["lead_unit"]) for r in listed] == [(number, NEW)]
    listed = issues.list_issues(session, BEFORE, unit=OLD)
    assert [(r["number"], r["lead_unit"], r["helpers"]) for r in listed] == [(number, GONE, [OLD])]


def test_old_names_find_the_unit_and_say_so(session, office):
    notes: list[str] = []
    assert check_filter(session, ProjectFilter(unit=OLD), notes=notes).unit == NEW
    assert check_filter(session, ProjectFilter(unit=GONE), notes=notes).unit == NEW
    assert notes == [
        f"责任单位“{OLD}”已于 2025-11-01 更名为“{NEW}”（renamed {OLD} → {NEW} on 2025-11-01）",
        f"责任单位“{GONE}”已于 2025-11-15 并入“{NEW}”（merged into {NEW} on 2025-11-15）",
    ]
    assert check_filter(session, ProjectFilter(leader="李四")).leader == "王五"
    assert registry.find_unit(session, OLD).name == NEW


def test_a_merged_unit_is_not_offered_nor_assigned(session, ctx, office):
    assert GONE not in registry.known_names(session, "unit")
    with pytest.raises(InvalidValue) as info:
        registry.add_project(session, ctx, {"name": "丙项目", "unit": GONE})
    assert str(info.value) == (f"责任单位“{GONE}”已于 2025-11-15 并入“{NEW}”（merged into {NEW} on 2025-11-15），"
                               f"不能再作为责任单位；请改用“{NEW}”")
    # an old name before a rename is the unit itself
    assert registry.unit_for(session, ctx, OLD).name == NEW
    with pytest.raises(UnknownName) as info:
        registry.find_unit(session, "投资促进")
    assert GONE not in str(info.value)


def test_refusals_say_exactly_why(session, ctx, office):
    with pytest.raises(InvalidValue) as info:
        units.remove_unit(session, ctx, NEW)
    assert str(info.value) == (
        f"责任单位“{NEW}”仍被引用，不能删除：2 个项目、"
        "1 个问题牵头、1 个已并入的单位、1 个曾用名；"
        f"如已撤并，请用 unit merge {NEW} 新单位")
    with pytest.raises(InvalidValue) as info:
        units.remove_unit(session, ctx, GONE)
    assert str(info.value) == (
        f"责任单位“{GONE}”仍被引用，不能删除：1 条项目历史；"
        "它已撤并，保留供此前日期的报表使用")
    with pytest.raises(InvalidValue) as info:
        units.rename_unit(session, ctx, "建设局", GONE)
    assert str(info.value) == (f"已有责任单位“{GONE}”（已撤并）；"
                               "如是同一单位，请用 unit merge")
    with pytest.raises(InvalidValue) as info:
        units.add_unit(session, ctx, OLD)
    assert str(info.value) == (f"“{OLD}”是“{NEW}”的曾用名；"
                               f"责任单位“{OLD}”已于 2025-11-01 更名为“{NEW}”（renamed {OLD} → {NEW} on 2025-11-01）")
    with pytest.raises(InvalidValue) as info:
        units.merge_units(session, ctx, GONE, "建设局")
    assert str(info.value) == f"责任单位“{GONE}”已于 2025-11-15 撤并，不能再合并"
    with pytest.raises(InvalidValue) as info:  # a report already made for 2025-10-15 must read the same
        units.rename_unit(session, ctx, NEW, "新名称", D("2025-10-15"))
    assert str(info.value) == ("生效日期 2025-10-15 早于统计截止日期 2025-10-31：此前日期的报表已按当时的名称出具；"
                               "如确于 2025-10-15 生效，请加 --as-of 2025-10-15 运行"
                               "")
    with pytest.raises(InvalidValue) as info:
        units.rename_unit(session, ctx, NEW, "新名称", D("2025-10-31"))
    assert str(info.value) == (f"“{NEW}”的上一次更名在 2025-11-01，新的更名日期不能早于它"
                               "")


def test_a_unit_nothing_refers_to_is_removed_and_logged(session, ctx, office):
    units.remove_unit(session, ctx, "建设局")
    assert session.scalar(select(func.count()).select_from(Unit).where(Unit.name == "建设局")) == 0
    last = session.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
    assert (last.action, last.table_name, last.record_key) == ("delete", "unit", "建设局")


def test_every_change_of_the_merge_is_logged(session, office):
    p1, p2, number = office
    logged = session.execute(select(ChangeLog.table_name, ChangeLog.record_key, ChangeLog.old, ChangeLog.new)
                             .where(ChangeLog.at.is_not(None)).order_by(ChangeLog.id)).all()
    merge = [(t, k, json.loads(o or "{}"), json.loads(n or "{}")) for t, k, o, n in logged][-7:]
    assert merge == [
        ("project", p2, {"unit": GONE}, {"unit": NEW}),
        ("issue", number, {"helpers": [NEW], "lead_unit": GONE}, {"helpers": [], "lead_unit": NEW}),
        ("issue_event", number, {}, {"type": "transfer", "on": "2025-11-15", "text": f"{GONE} 并入 {NEW}",
                                     "data": {"from": GONE, "to": NEW}}),
        ("unit", GONE, {"merged_into": None, "retired_on": None}, {"merged_into": NEW, "retired_on": "2025-11-15"}),
        ("project", p2, {"leader": "李四"}, {"leader": "王五"}),
        ("leader", "李四", {}, {"name": "李四"}),  # kept from now on: its name finds 王五
        ("leader", "李四", {"merged_into": None, "retired_on": None}, {"merged_into": "王五", "retired_on": "2025-11-15"}),
    ]
    assert session.scalar(select(func.count()).select_from(IssueEvent).where(IssueEvent.type == "transfer")) == 1


def test_the_leaders_projects_and_history(session, ctx, office):
    p1, p2, _ = office
    rows = {r["name"]: r for r in leaders.list_leaders(session, retired=True)}
    assert {k: (r["projects"], r["registered"], r["merged_into"]) for k, r in rows.items()} == {
        "张三": (1, False, None), "李四": (0, True, "王五"), "王五": (1, True, None)}
    info = asof.project_info(session, as_of=BEFORE)
    assert sorted(i.leader for i in info.values()) == ["张三", "李四"]
    with pytest.raises(InvalidValue) as err:
        leaders.rename_leader(session, replace(ctx, as_of=AFTER), "张三", "王五")
    assert str(err.value) == "已有包保领导“王五”；如是同一人，请用 leader merge 张三 王五"


def test_a_leader_renamed_keeps_the_old_name_for_earlier_dates(session, ctx, office):
    p1, _, _ = office
    codes = leaders.rename_leader(session, replace(ctx, as_of=AFTER), "张三", "张叁", D("2025-11-20"))
    assert codes == [p1]
    assert {i.code: i.leader for i in asof.project_info(session, as_of=BETWEEN).values()}[p1] == "张三"
    assert {i.code: i.leader for i in asof.project_info(session, as_of=AFTER).values()}[p1] == "张叁"
    assert check_filter(session, ProjectFilter(leader="张三")).leader == "张叁"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "jfj@", "邮箱“jfj@”不是有效的电子邮件地址，应形如 name@example.gov.cn"),
    ("email", "a@b.cn;c@d.cn", "邮箱“a@b.cn;c@d.cn”不是有效的电子邮件地址，应形如 name@example.gov.cn"),
    ("webhook", "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",
     "webhook“qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1”不是有效的网址，应以 https:// 开头，"
     f"如 {units.ROBOTS[0]} 或 {units.ROBOTS[1]}"),
])
def test_contacts_are_checked(session, ctx, field, value, message):
    units.add_unit(session, ctx, OLD)
    with pytest.raises(InvalidValue) as info:
        units.edit_unit(session, ctx, OLD, {field: value})
    assert str(info.value) == message


def test_contacts_are_set_and_cleared(session, ctx):
    units.add_unit(session, ctx, OLD, {"contact": "王五", "email": "jfj@example.gov.cn"})
    hook = "https://oapi.dingtalk.com/robot/send?access_token=abc"
    assert units.edit_unit(session, ctx, OLD, {"webhook": hook, "contact": ""}) == ["contact", "webhook"]
    assert units.edit_unit(session, ctx, OLD, {"webhook": hook}) == []
    row = units.show_unit(session, OLD)
    assert (row["contact"], row["email"], row["webhook"]) == (None, "jfj@example.gov.cn", hook)


def test_a_merged_leader_is_refused_and_a_former_name_is_the_leader_now(session, ctx, office):
    with pytest.raises(InvalidValue) as info:
        registry.add_project(session, ctx, {"name": "丙项目", "leader": "李四"})
    assert str(info.value) == ("包保领导“李四”已于 2025-11-15 并入“王五”（merged into 王五 on 2025-11-15），"
                               "不能再作为包保领导；请改用“王五”")
    leaders.rename_leader(session, replace(ctx, as_of=AFTER), "张三", "张叁")
    assert registry.add_project(session, ctx, {"name": "丁项目", "leader": "张三"}).leader == "张叁"
    leaders.rename_leader(session, replace(ctx, as_of=AFTER), "张叁", "张三")  # and back again
    assert {r["name"]: r["former_names"] for r in leaders.list_leaders(session)}["张三"] == ["张叁"]
    assert sorted(p["leader"] for p in registry.list_projects(session, ProjectFilter(), 2025)) == ["张三", "张三", "王五"]


def test_a_leader_filter_finds_the_projects_under_the_names_they_carried_then(session, ctx, office):
    p1, p2, _ = office
    leaders.rename_leader(session, replace(ctx, as_of=AFTER), "王五", "王伍")
    wanted = check_filter(session, ProjectFilter(leader="李四"))
    assert (wanted.leader, wanted.leader_names) == ("王伍", ("李四", "王五"))
    assert [r["code"] for r in report.countdown(session, BEFORE, filters=wanted)] == [p2]  # 李四's then
    assert [r["code"] for r in report.countdown(session, AFTER, filters=wanted)] == [p2]  # 王伍's now
    assert report.countdown(session, BEFORE, filters=check_filter(session, ProjectFilter(leader="张三"))) != []
