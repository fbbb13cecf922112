"""The demo scenario of `projects init --sample`: meaningful overdue and countdown output, the plan's facts untouched."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

import pytest


def test_demo_scenario(cli):
    """One `init --sample` per back end (it takes seconds), then every check on it."""
    r = cli("init", "--sample")
    assert r.exit_code == 0, r.stderr
    assert "已载入演示情景（不是真实数据）：51 个项目的责任单位和包保领导、137 个节点（其中 3 个调整过计划）、" \
           "430 个月度完成投资" in r.stderr
    import shlex
    # the hint runs as printed: it names this database
    assert r.stderr.rstrip().endswith(f"可以试试：projects --db {shlex.quote(cli.url)} --as-of 2025-10-31 overdue")
    check_overdue_has_every_tier_new_items_and_due_soon(cli)
    check_a_week_on_and_a_week_back(cli)
    check_countdown_starts_with_the_start_countdown(cli)
    check_the_plans_facts_are_untouched_and_the_demo_is_marked(cli)


def milestone_rows(data, key):
    return [r for r in data[key] if r["type"] == "milestone"]


def check_overdue_has_every_tier_new_items_and_due_soon(demo):
    data = json.loads(demo("overdue", "--format", "json").stdout)
    late = milestone_rows(data, "overdue")
    assert Counter(r["tier"] for r in late) == {"一般逾期": 8, "较重逾期": 7, "严重逾期": 7}
    assert [(r["code"], r["item"], r["days_late"]) for r in milestone_rows(data, "new_since")] == [
        ("GX-0030", "主体完工", 7), ("GX-0019", "主体完工", 1), ("GX-0039", "开工", 3), ("GX-0014", "竣工", 6),
        ("GX-0002", "主体完工", 3)]
    assert [(r["code"], r["item"], r["days_left"]) for r in milestone_rows(data, "due_soon")] == [
        ("GX-0051", "施工许可", 0), ("GX-0013", "开工", 0), ("GX-0018", "竣工", 3), ("GX-0007", "开工", 5),
        ("GX-0034", "主体完工", 10), ("GX-0003", "竣工", 10), ("GX-0051", "开工", 12), ("GX-0006", "主体完工", 14)]
    gx1 = next(r for r in late if r["code"] == "GX-0001")
    assert (gx1["unit"], gx1["leader"], gx1["rate"], gx1["behind"]) == ("黄屯街道", "张伟", 68, 15.3)


def check_a_week_on_and_a_week_back(demo):
    later = json.loads(demo("overdue", "--format", "json", as_of="2025-11-07").stdout)
    assert [(r["code"], r["item"]) for r in milestone_rows(later, "new_since")] == [
        ("GX-0007", "开工"), ("GX-0013", "开工"), ("GX-0018", "竣工"), ("GX-0051", "施工许可")]
    # GX-0011 主体完工 was re-planned on 2025-10-27: the report as of 2025-10-24 still shows it overdue
    earlier = json.loads(demo("overdue", "--format", "json", as_of="2025-10-24").stdout)
    assert ("GX-0011", "主体完工", "2025-10-15", 9) in [(r["code"], r["item"], r["planned"], r["days_late"]) for r in earlier["overdue"]]
    assert "GX-0011" not in {r["code"] for r in milestone_rows(json.loads(demo("overdue", "--format", "json").stdout), "overdue")}


def check_countdown_starts_with_the_start_countdown(demo):
    rows = json.loads(demo("countdown", "--format", "json").stdout)
    start = [(r["code"], r["days_left"]) for r in rows if r["start"]]
    assert start[:3] == [("GX-0036", -488), ("GX-0028", -92), ("GX-0015", -35)]
    assert all(r["start"] for r in rows[: len(start)])


def check_the_plans_facts_are_untouched_and_the_demo_is_marked(demo):
    from projects_cli.sample import read_plan

    projects = json.loads(demo("list", "--format", "json").stdout)
    plan = read_plan()
    assert [(p["name"], p["total_investment"]) for p in projects] == [
        (row["name"], float(row["total_investment"]) if row.get("total_investment") is not None else None) for row in plan]
    assert all("演示情景" in p["notes"] for p in projects)
    shown = json.loads(demo("show", "GX-0020", "--format", "json").stdout)
    assert shown["notes"].startswith("规划两次列出此项目：专栏4-4第3项")  # the plan's note is kept, the demo's added
    assert shown["notes"].endswith("；演示情景：责任单位、包保领导、项目状态、节点和投资为演示数据（data/demo_scenario.toml），非规划原文")
    history = demo("milestone", "list", "GX-0011", "--history", "--format", "csv").stdout.splitlines()
    assert history[-2:] == ["主体完工,2025-10-15,2025-01-15,演示数据,tester",
                            "主体完工,2025-12-31,2025-10-27,钢结构构件供货延迟，经10月27日项目推进会同意调整,tester"]
    months = json.loads(demo("invest", "show", "GX-0001", "--format", "json").stdout)["months"]
    assert {m["source"] for m in months} == {"演示数据"} and sum(Decimal(str(m["amount"])) for m in months) == 204000


def test_a_demo_file_that_does_not_match_the_registry_is_refused(session, ctx, tmp_path):
    from projects_cli import demo
    from projects_cli.errors import InvalidValue
    from projects_cli.services import registry

    registry.add_project(session, ctx, {"name": "别的项目"})
    bad = tmp_path / "demo.toml"
    bad.write_text('label = "演示数据"\nnote = "演示"\nyear = 2025\nplans_set_on = 2025-01-15\n'
                   '[[project]]\ncode = "GX-0001"\nname = "济宁国际高端装备产业城项目"\n', encoding="utf-8")
    with pytest.raises(InvalidValue, match=f"demo scenario file {bad}, project 1: GX-0001 is '别的项目' in the "
                                           "registry, not '济宁国际高端装备产业城项目'"):
        demo.load_demo(session, ctx, bad)
