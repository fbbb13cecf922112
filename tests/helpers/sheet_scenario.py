"""A small known registry for the sheet tests: three units, four projects, milestones, investment,
two issues, cards for two periods and the flag, all as of Friday 31 October 2025 (week 44).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from projects_cli.store.changelog import Ctx

AS_OF = date(2025, 10, 31)
NOW = datetime(2025, 10, 31, 9, 0, tzinfo=timezone.utc)
FORMULA_NAME = '=HYPERLINK("http://example.com","点我")'
PIPE_NAME = "丁|管网@改造[二期]"


def at(day: date) -> Ctx:
    return Ctx(by="tester", as_of=day, now=NOW, command="test")


def build(url: str) -> None:
    """Fill an empty registry (committed) with the scenario."""
    from projects_cli.services import investment, issues, milestones, registry
    from projects_cli.store.db import session_scope
    from projects_cli.store.models import Card, FlagScore, Unit

    ctx = at(AS_OF)
    with session_scope(url) as s:
        def add(s, ctx, values):
            return registry.add_project(s, ctx, values, create_units=True)

        add(s, ctx, {"name": "甲智能装备产业园", "chain": "智能装备", "unit": "经济发展局", "leader": "张三",
                     "owner": "甲装备有限公司", "total_investment": "8.5亿元", "annual_plan": "10000"})
        add(s, ctx, {"name": "乙生物医药基地", "chain": "生物医药", "unit": "建设局", "leader": "李四",
                     "owner": "乙药业", "total_investment": "50000", "annual_plan": "20000"})
        add(s, ctx, {"name": FORMULA_NAME, "chain": "智能装备", "unit": "经济发展局", "leader": "张三"})
        add(s, ctx, {"name": PIPE_NAME, "chain": "基础设施", "unit": "自然资源局", "leader": "王五"})
        registry.ensure_unit(s, ctx, "财政局")
        planned = at(date(2025, 1, 2))  # the milestones were planned at the year's start
        milestones.add_milestone(s, planned, "GX-0001", "开工", date(2025, 9, 1))  # 60 days late
        milestones.add_milestone(s, planned, "GX-0002", "主体完工", date(2025, 10, 28))  # late since this week
        milestones.add_milestone(s, planned, "GX-0004", "竣工", date(2025, 11, 5))  # due soon
        for month, amount in (("2025-03", "1000"), ("2025-06", "2000")):
            investment.record_month(s, ctx, "GX-0001", month, Decimal(amount))
        investment.record_month(s, ctx, "GX-0002", "2025-09", Decimal("17000"))
        rules = issues.default_rules()
        first = issues.report_issue(s, at(date(2025, 10, 20)), "GX-0001", title="用地指标未落实", category="土地",
                                    description="项目二期用地40亩指标尚未落实，影响开工。", rules=rules)
        issues.accept_issue(s, at(date(2025, 10, 20)), first.number)
        issues.assign_issue(s, at(date(2025, 10, 20)), first.number, rules, unit="自然资源局", helpers=["建设局"],
                            text="请自然资源局牵头协调用地指标")
        issues.note_issue(s, at(date(2025, 10, 22)), first.number, "instruct", text="请抓紧协调，月底前解决。",
                          who="区长 赵六")
        issues.escalate_issue(s, at(date(2025, 10, 29)), first.number, reason="逾期未办结")
        second = issues.report_issue(s, at(date(2025, 10, 28)), "GX-0002", title="施工用电增容", category="用电",
                                     urgency="急件", rules=rules)
        issues.accept_issue(s, at(date(2025, 10, 28)), second.number)
        issues.assign_issue(s, at(date(2025, 10, 28)), second.number, rules, unit="建设局")
        issues.respond_issue(s, at(date(2025, 10, 29)), second.number, text="已协调供电公司")
        issues.resolve_issue(s, at(date(2025, 10, 30)), second.number, text="已完成增容")
        issues.close_issue(s, at(date(2025, 10, 30)), second.number, rules)
        ids = {p: s.scalar(__import__("sqlalchemy").text(f"SELECT id FROM project WHERE code = '{p}'")) for p in
               ("GX-0001", "GX-0002", "GX-0003", "GX-0004")}
        fired_lag = [{"rule": "investment_lag", "color": "red",
                      "text": "投资完成率 30.0%，序时进度 83.3%，落后 53.3 个百分点", "figures": {}}]
        cards = [
            ("GX-0001", "2025-09", "yellow", None), ("GX-0001", "2025-10", "red", fired_lag),
            ("GX-0002", "2025-09", "yellow", None), ("GX-0002", "2025-10", "blue", None),
            ("GX-0003", "2025-09", "blue", None), ("GX-0003", "2025-10", "blue", None),
            ("GX-0004", "2025-10", "yellow", [{"rule": "milestone_overdue", "color": "yellow",
                                               "text": "节点“竣工”逾期 3 天", "figures": {}}]),
        ]
        for code, period, color, fired in cards:
            s.add(Card(project_id=ids[code], period=period, as_of=date(2025, 10, 31) if period == "2025-10"
                       else date(2025, 9, 30), color=color, fired=fired, created_at=NOW,
                       reasons="；".join(f["text"] for f in fired or []) or None))
        units = {u.name: u.id for u in s.scalars(__import__("sqlmodel").select(Unit))}
        for rank, (name, score, flag, bottom) in enumerate(
            (("建设局", "92.5", True, False), ("自然资源局", "80", False, False), ("经济发展局", "61.2", False, True)), 1
        ):
            s.add(FlagScore(period="2025-10", unit_id=units[name], score=Decimal(score), rank=rank, flag=flag,
                            bottom=bottom, created_at=NOW))
