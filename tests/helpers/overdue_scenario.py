"""A small registry with known milestone dates, problems and look-backs, for the countdown and overdue tests.

As of 2025-10-31 (since 2025-10-24, due soon up to 2025-11-14):

| unit | leader | project | item | planned | days late | tier | new |
|---|---|---|---|---|---|---|---|
| 经济发展局 | 张伟 | GX-0001 | 开工 | 2025-10-01 | 30 | 一般逾期 | |
| 经济发展局 | 张伟 | GX-0003 | 问题 2025-001 (lead unit 经济发展局) | 2025-10-20 | 11 | 一般逾期 | |
| 经济发展局 | 王芳 | GX-0002 | 立项 (done 2025-11-03, after as-of) | 2025-09-30 | 31 | 较重逾期 | |
| 黄屯街道 | 张伟 | GX-0003 | 土地 | 2025-07-01 | 122 | 严重逾期 | |
| 黄屯街道 | 李强 | GX-0004 | 开工 | 2025-10-27 | 4 | 一般逾期 | new |
| 黄屯街道 | 李强 | GX-0004 | 回头看 2025-002 | 2025-10-29 | 2 | 一般逾期 | new |
| — | — | GX-0005 | 开工 | 2025-10-24 | 7 | 一般逾期 | new |

Due soon: GX-0004 主体完工 2025-11-03, GX-0003 回头看 2025-003 2025-11-05, GX-0002 开工 2025-11-10.
Not overdue: GX-0003 签约 (done late), GX-0004 施工许可 (done early), GX-0006 开工 (baseline
2025-08-01, re-planned on 2025-10-29 to 2025-12-31: overdue at 2025-10-28, not at 2025-10-31),
GX-0001 竣工 (2026-06-30), GX-0007 问题 2025-004 (resolved).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from decimal import Decimal

D = date.fromisoformat
NOW = datetime(2025, 10, 31, 9, 0, tzinfo=timezone.utc)


def build(session, ctx) -> None:
    from projects_cli.services import investment, milestones, registry
    from projects_cli.store.models import Issue

    projects = [
        ("甲项目", "经济发展局", "张伟"),
        ("乙项目", "经济发展局", "王芳"),
        ("丙项目", "黄屯街道", "张伟"),
        ("丁项目", "黄屯街道", "李强"),
        ("戊项目", None, None),
        ("己项目", None, None),
        ("庚项目", "王因街道", "赵磊"),
    ]
    p = {}
    listed = replace(ctx, as_of=D("2025-01-02"))  # the projects are on record from the year's start
    for n, (name, unit, leader) in enumerate(projects, 1):
        p[n] = registry.add_project(session, listed, {"name": name, "unit": unit, "leader": leader, "chain": "工程机械"},
                                    create_units=True)
    # plans set at the year's start unless said (a plan holds from the day it was set)
    plan = lambda n, kind, day, **kw: milestones.set_planned(session, kw.pop("c", listed), p[n], kind, D(day), **kw)  # noqa: E731
    done = lambda n, kind, day, c=ctx: milestones.set_actual(session, c, p[n], kind, D(day))  # noqa: E731
    plan(1, "开工", "2025-10-01")
    plan(1, "竣工", "2026-06-30")
    plan(2, "立项", "2025-09-30")
    done(2, "立项", "2025-11-03", replace(ctx, as_of=D("2025-11-03")))  # recorded later: still open at 10-31
    plan(2, "开工", "2025-11-10")
    plan(3, "签约", "2025-01-15")
    done(3, "签约", "2025-02-01")
    plan(3, "土地", "2025-07-01")
    plan(4, "施工许可", "2025-10-20")
    done(4, "施工许可", "2025-10-18")
    plan(4, "开工", "2025-10-27")
    plan(4, "主体完工", "2025-11-03")
    plan(5, "开工", "2025-10-24")
    plan(6, "开工", "2025-08-01", c=replace(ctx, as_of=D("2025-06-30")))
    plan(6, "开工", "2025-12-31", reason="土地指标延后", c=replace(ctx, as_of=D("2025-10-29")))
    registry.set_annual_plan(session, ctx, "GX-0001", 2025, Decimal(12000))
    for month in range(1, 10):
        investment.set_month(session, ctx, p[1], f"2025-{month:02d}", Decimal(1000))
    econ = registry.find_unit(session, "经济发展局").id
    issue = dict(year=2025, urgency="一般", reported_on=D("2025-10-01"), assigned_on=D("2025-10-13"))
    session.add_all([
        Issue(number="2025-001", seq=1, project_id=p[3].id, title="用地报批滞后", level="挂牌督办", state="assigned",
              lead_unit_id=econ, deadline=D("2025-10-20"), **issue),
        Issue(number="2025-002", seq=2, project_id=p[4].id, title="施工用电接入", state="closed",
              deadline=D("2025-09-20"), resolved_on=D("2025-09-18"), closed_on=D("2025-09-29"),
              lookback_on=D("2025-10-29"), **issue),
        Issue(number="2025-003", seq=3, project_id=p[3].id, title="道路接入", state="closed",
              deadline=D("2025-09-25"), resolved_on=D("2025-10-01"), closed_on=D("2025-10-06"),
              lookback_on=D("2025-11-05"), **issue),
        Issue(number="2025-004", seq=4, project_id=p[7].id, title="已解决的问题", state="resolved",
              deadline=D("2025-10-01"), resolved_on=D("2025-09-30"), **issue),
    ])
    session.flush()


# (unit, leader, code, item, planned, days late, tier, new), in report order
OVERDUE_2025_10_31 = [
    ("经济发展局", "张伟", "GX-0001", "开工", "2025-10-01", 30, "一般逾期", False),
    ("经济发展局", "张伟", "GX-0003", "问题 2025-001：用地报批滞后", "2025-10-20", 11, "一般逾期", False),
    ("经济发展局", "王芳", "GX-0002", "立项", "2025-09-30", 31, "较重逾期", False),
    ("黄屯街道", "张伟", "GX-0003", "土地", "2025-07-01", 122, "严重逾期", False),
    ("黄屯街道", "李强", "GX-0004", "开工", "2025-10-27", 4, "一般逾期", True),
    ("黄屯街道", "李强", "GX-0004", "回头看 2025-002：施工用电接入", "2025-10-29", 2, "一般逾期", True),
    (None, None, "GX-0005", "开工", "2025-10-24", 7, "一般逾期", True),
]
DUE_SOON_2025_10_31 = [
    ("2025-11-03", 3, "GX-0004", "主体完工"),
    ("2025-11-05", 5, "GX-0003", "回头看 2025-003：道路接入"),
    ("2025-11-10", 10, "GX-0002", "开工"),
]
