"""A synthetic registry for benchmarks: N projects, ~6 milestones each, monthly investment, issues with events.

Bulk SQLAlchemy Core inserts (ORM objects are ~20x slower, see measurements.md).
Deterministic: the same N and seed give the same registry.

    python tests/bench/synth.py --db /tmp/bench.db --projects 100000
"""

from __future__ import annotations

import argparse
import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

CHAINS = [
    ("高端装备", "工程机械"), ("高端装备", "汽车及零部件"), ("高端装备", "智能装备"),
    ("医养健康", "生物医药"), ("医养健康", "医疗服务业"), ("医养健康", "医疗器械"),
    ("新一代信息技术", "智能终端"), ("新一代信息技术", "数字经济"),
    ("新材料新能源", "新材料"), ("新材料新能源", "新能源"),
]
UNITS = [f"第{i}责任单位" for i in range(1, 41)]
LEADERS = [f"领导{i:02d}" for i in range(1, 61)]
KINDS = ("签约", "立项", "土地", "规划许可", "施工许可", "开工", "主体完工", "竣工", "投产", "达效")
AS_OF = date(2025, 10, 31)


def generate(url: str, n_projects: int, seed: int = 7, batch: int = 20000) -> dict[str, int]:
    from sqlalchemy import insert

    from projects_cli.store import db
    from projects_cli.store.models import (
        InvestmentPlan,
        InvestmentReport,
        Issue,
        IssueEvent,
        Milestone,
        Project,
        Unit,
    )

    db.ensure_folder(url)
    db.upgrade(url, backup=False)
    rng = random.Random(seed)
    now = datetime(2025, 10, 31, 9, 0, tzinfo=timezone.utc)
    engine = db.make_engine(url)
    counts = dict.fromkeys(("projects", "milestones", "reports", "plans", "issues", "events"), 0)
    with engine.begin() as conn:
        conn.execute(insert(Unit), [{"id": i + 1, "name": u} for i, u in enumerate(UNITS)])
        projects, milestones, reports, plans, issues, events = [], [], [], [], [], []

        def flush(final: bool = False) -> None:
            # parents before children, all together, so foreign keys always hold
            if not final and len(projects) < batch // 4:
                return
            for model, rows, key in (
                (Project, projects, "projects"), (Milestone, milestones, "milestones"),
                (InvestmentReport, reports, "reports"), (InvestmentPlan, plans, "plans"),
                (Issue, issues, "issues"), (IssueEvent, events, "events"),
            ):
                if rows:
                    conn.execute(insert(model), rows)
                    counts[key] += len(rows)
                    rows.clear()

        mid = 0
        for pid in range(1, n_projects + 1):
            cluster, chain = rng.choice(CHAINS)
            total = Decimal(rng.randrange(2000, 500000))
            projects.append({
                "id": pid, "code": f"GX-{pid:06d}", "name": f"合成项目{pid:06d}", "categories": "",
                "cluster": cluster, "chain": chain, "total_investment": total,
                "status": rng.choice(("前期", "在建", "在建", "在建", "投产")),
                "unit_id": rng.randrange(1, len(UNITS) + 1), "leader": rng.choice(LEADERS),
                "plan_columns": "", "created_at": now, "updated_at": now, "version": 1,
            })
            start = AS_OF + timedelta(days=rng.randrange(-400, 200))
            for offset, kind in enumerate(rng.sample(KINDS[:5], 3) + ["开工", "主体完工", "竣工"]):
                mid += 1
                planned = start + timedelta(days=(offset - 3) * 45)
                done = planned < AS_OF and rng.random() < 0.7
                actual = planned + timedelta(days=rng.randrange(-10, 40)) if done else None
                if actual and actual > AS_OF:
                    actual = None
                milestones.append({
                    "id": mid, "project_id": pid, "kind": kind, "seq": KINDS.index(kind),
                    "baseline_date": planned, "planned_date": planned, "actual_date": actual,
                })
            plan = (total / 4).quantize(Decimal(1))
            plans.append({"project_id": pid, "year": 2025, "amount": plan})
            for month in range(1, 11):
                reports.append({"project_id": pid, "month": f"2025-{month:02d}",
                                "amount": (plan / 12 * Decimal(rng.uniform(0.3, 1.3))).quantize(Decimal("0.01"))})
            if pid % 10 == 0:
                iid = pid // 10
                reported = AS_OF - timedelta(days=rng.randrange(5, 200))
                state = rng.choice(("assigned", "responded", "resolved", "closed"))
                issues.append({
                    "id": iid, "number": f"2025-{iid:06d}", "year": 2025, "seq": iid, "project_id": pid,
                    "title": "用地手续办理滞后", "category": "土地", "urgency": "一般", "level": "一般督办",
                    "state": state, "lead_unit_id": rng.randrange(1, len(UNITS) + 1), "reported_on": reported,
                    "assigned_on": reported + timedelta(days=2), "deadline": reported + timedelta(days=9), "misses": 0,
                })
                for step, (kind, to) in enumerate((("report", "reported"), ("accept", "accepted"), ("assign", "assigned"))):
                    events.append({"issue_id": iid, "type": kind, "on": reported + timedelta(days=step), "at": now,
                                   "actor": "合成", "text": None, "from_state": None, "to_state": to})
            flush()
        flush(final=True)
        conn.execute(insert(__import__("projects_cli.store.models", fromlist=["Counter"]).Counter),
                     [{"name": "project", "year": 0, "value": n_projects}])
    engine.dispose()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="SQLite file or SQLAlchemy URL (must be empty)")
    parser.add_argument("--projects", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from projects_cli.config.settings import db_url

    print(generate(db_url(args.db), args.projects, args.seed))


if __name__ == "__main__":
    main()
