"""The countdown and overdue reports and the card facts, on a registry with known dates (see overdue_scenario)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from overdue_scenario import DUE_SOON_2025_10_31, OVERDUE_2025_10_31, build

from projects_cli.config.rulebook import load_rules
from projects_cli.errors import InvalidValue
from projects_cli.facts import asof
from projects_cli.facts.filters import ProjectFilter
from projects_cli.services import report

D = date.fromisoformat
TIERS = load_rules().get("overdue.tiers")


@pytest.fixture
def scenario(session, ctx):
    build(session, ctx)
    return session


def rows(data, key="overdue"):
    return [(r["unit"], r["leader"], r["code"], r["item"], r["planned"].isoformat(), r["days_late"], r["tier"], r["new"])
            for r in data[key]]


def test_overdue_at_as_of(scenario):
    data = report.overdue(scenario, D("2025-10-31"), tiers=TIERS)
    assert rows(data) == OVERDUE_2025_10_31
    assert rows(data, "new_since") == [r for r in OVERDUE_2025_10_31 if r[-1]]
    assert [(r["planned"].isoformat(), r["days_left"], r["code"], r["item"]) for r in data["due_soon"]] == DUE_SOON_2025_10_31
    assert data["totals"] == {
        "overdue": 7, "new": 3, "due_soon": 3,
        "by_tier": {"一般逾期": 5, "较重逾期": 1, "严重逾期": 1},
        "by_type": {"milestone": 5, "issue": 1, "lookback": 1, "lead": 0},
    }
    assert [(u["unit"], u["overdue"], u["new"], u["due_soon"], u["max_days_late"]) for u in data["by_unit"]] == [
        ("经济发展局", 3, 0, 1, 31), ("黄屯街道", 3, 2, 2, 122), (None, 1, 1, 0, 7)]
    first = data["overdue"][0]
    assert (first["rate"], first["behind"], data["expected"]) == (Decimal("75.0"), Decimal("8.3"), Decimal("83.3"))
    assert list(first) == ["type", "unit", "leader", "code", "name", "item", "issue", "level", "planned", "days_late",
                           "tier", "new", "rate", "behind"]
    assert list(data["due_soon"][0])[-4:] == ["days_left", "new", "rate", "behind"]
    issue = data["overdue"][1]
    assert (issue["type"], issue["issue"], issue["level"]) == ("issue", "2025-001", "挂牌督办")


def test_re_run_of_an_earlier_date_sees_the_plans_and_completions_then(scenario):
    data = report.overdue(scenario, D("2025-10-28"), tiers=TIERS)
    got = {(r["code"], r["item"]): (r["planned"].isoformat(), r["days_late"]) for r in data["overdue"]}
    assert got[("GX-0006", "开工")] == ("2025-08-01", 88)  # re-planned on 10-29: the old plan held on 10-28
    assert got[("GX-0004", "开工")] == ("2025-10-27", 1)
    assert got[("GX-0002", "立项")] == ("2025-09-30", 28)  # done on 11-03
    assert ("GX-0004", "回头看 2025-002：施工用电接入") not in got  # look-back not due until 10-29


def test_a_week_later_moves_items_into_new_since_last_week(scenario):
    data = report.overdue(scenario, D("2025-11-07"), tiers=TIERS)
    assert [(r["code"], r["item"], r["days_late"]) for r in data["new_since"]] == [
        ("GX-0003", "回头看 2025-003：道路接入", 2), ("GX-0004", "主体完工", 4)]  # by unit, then leader
    assert ("GX-0002", "立项") not in {(r["code"], r["item"]) for r in data["overdue"]}  # done on 11-03
    assert {(r["code"], r["item"]): r["new"] for r in data["overdue"]}[("GX-0004", "开工")] is False


def test_since_chooses_the_comparison_date(scenario):
    data = report.overdue(scenario, D("2025-10-31"), tiers=TIERS, since=D("2025-09-01"))
    assert [(r["code"], r["item"]) for r in data["new_since"]] == [
        ("GX-0001", "开工"), ("GX-0003", "问题 2025-001：用地报批滞后"), ("GX-0002", "立项"),
        ("GX-0004", "开工"), ("GX-0004", "回头看 2025-002：施工用电接入"), ("GX-0005", "开工")]
    with pytest.raises(InvalidValue, match="--since 2025-10-31 应早于统计截止日期 2025-10-31"):
        report.overdue(scenario, D("2025-10-31"), tiers=TIERS, since=D("2025-10-31"))


FILTER_CASES = (
        # the problem of GX-0003 is the lead unit's (经济发展局), its 土地 milestone the project's unit's
        (ProjectFilter(unit="经济发展局"), 0, ["GX-0001 开工", "GX-0003 问题", "GX-0002 立项"]),
        (ProjectFilter(unit="黄屯街道"), 0, ["GX-0003 土地", "GX-0004 开工", "GX-0004 回头看"]),
        (ProjectFilter(leader="张伟"), 0, ["GX-0001 开工", "GX-0003 问题", "GX-0003 土地"]),
        (ProjectFilter(chain="新能源"), 0, []),
        (ProjectFilter(), 30, ["GX-0001 开工", "GX-0002 立项", "GX-0003 土地"]),
)


def test_filters(scenario):
    for filters, min_days, expected in FILTER_CASES:
        data = report.overdue(scenario, D("2025-10-31"), tiers=TIERS, filters=filters, min_days=min_days)
        assert [f"{r['code']} {r['item'].split(' ')[0]}" for r in data["overdue"]] == expected, filters


def test_horizon(scenario):
    data = report.overdue(scenario, D("2025-10-31"), tiers=TIERS, horizon=3)
    assert [(r["code"], r["item"]) for r in data["due_soon"]] == [("GX-0004", "主体完工")]


def test_countdown(scenario):
    got = [(r["code"], r["item"], r["days_left"], r["start"]) for r in report.countdown(scenario, D("2025-10-31"))]
    assert got == [
        ("GX-0001", "开工", -30, True),
        ("GX-0005", "开工", -7, True),
        ("GX-0004", "开工", -4, True),
        ("GX-0002", "开工", 10, True),  # 立项 is overdue, but a project not started counts down to its start
        ("GX-0006", "开工", 61, True),
        ("GX-0003", "土地", -122, False),
        ("GX-0004", "回头看 2025-002：施工用电接入", -2, False),
        ("GX-0003", "回头看 2025-003：道路接入", 5, False),
    ]
    # before GX-0006 was re-planned (on 10-29) it counted down to the plan that held then
    earlier = {r["code"]: (r["planned"].isoformat(), r["days_left"]) for r in report.countdown(scenario, D("2025-10-28"))}
    assert earlier["GX-0006"] == ("2025-08-01", -88) and earlier["GX-0002"] == ("2025-11-10", 13)
    within = report.countdown(scenario, D("2025-10-31"), within=5, filters=ProjectFilter(unit="黄屯街道"))
    assert [(r["code"], r["item"]) for r in within] == [
        ("GX-0004", "开工"), ("GX-0003", "土地"), ("GX-0004", "回头看 2025-002：施工用电接入"),
        ("GX-0003", "回头看 2025-003：道路接入")]


def test_card_facts(scenario):
    got = asof.card_facts(scenario, D("2025-10-31"))
    by_code = dict(zip([f"GX-{n:04d}" for n in range(1, 8)], [got[k] for k in sorted(got)]))
    assert by_code["GX-0001"].start_overdue_days == 30 and by_code["GX-0001"].gap["behind"] == Decimal("8.3")
    assert by_code["GX-0003"].milestones_overdue == [("土地", 122)]
    assert by_code["GX-0003"].issues_overdue == [("2025-001", "挂牌督办", 11)]
    assert by_code["GX-0002"].milestones_overdue == [("立项", 31)] and by_code["GX-0002"].start_overdue_days == 0
    assert by_code["GX-0007"].gap is None and by_code["GX-0007"].issues_overdue == []
    from projects_cli.rules.cards import rate

    colors = {code: rate(f, load_rules().get("cards"))[0] for code, f in by_code.items()}
    assert colors == {"GX-0001": "yellow", "GX-0002": "red", "GX-0003": "red", "GX-0004": "yellow",
                      "GX-0005": "yellow", "GX-0006": "blue", "GX-0007": "blue"}


def test_overdue_rows_keep_each_projects_own_figures(session, ctx):
    # 序时进度 83.3% at the end of October: 10 of 12 done is exactly on time (0.0 behind), 83.34 of 100
    # a hair ahead (-0.0): equal figures, but each project's row shows its own
    from projects_cli.services import investment, milestones, registry

    for name, plan, done in (("甲项目", 12, 10), ("乙项目", 100, Decimal("83.34"))):
        p = registry.add_project(session, ctx, {"name": name})
        milestones.set_planned(session, ctx, p, "开工", D("2025-10-01"))
        registry.set_annual_plan(session, ctx, p.code, 2025, Decimal(plan))
        investment.set_month(session, ctx, p, "2025-10", Decimal(done))
    rows = report.overdue(session, D("2025-10-31"), tiers=TIERS)["overdue"]
    assert [(r["code"], str(r["rate"]), str(r["behind"])) for r in rows] == [
        ("GX-0001", "83.3", "0.0"), ("GX-0002", "83.3", "-0.0")]
