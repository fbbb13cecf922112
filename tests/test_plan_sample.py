"""The shipped plan ledger: every project of the plan's columns, investments exactly as the plan states them."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

from projects_cli.sample import read_plan
from projects_cli.values import parse_amount

# (column → number of projects listed, total investment stated in 万元), counted from the plan's text.
PLAN_COLUMNS = {
    "4-1": (8, Decimal(10533800)),
    "4-2": (5, Decimal(106000)),
    "4-3": (4, Decimal(139000)),
    "4-4": (6, Decimal(267200)),
    "4-5": (3, Decimal(198200)),
    "4-6": (2, Decimal(106000)),
    "4-7": (3, Decimal(1250000)),
    "4-8": (1, Decimal(5000)),
    "4-9": (6, Decimal(642000)),
    "4-10": (2, Decimal(45000)),
    "7-1": (3, Decimal(445500)),
    "7-3": (2, Decimal(22800)),
    "9-1": (3, Decimal(45000)),
    "9-2": (3, Decimal(0)),
    "11-1": (3, Decimal(0)),
}


def test_plan_file_investments_equal_the_plans_own_words():
    import csv

    from projects_cli.sample import plan_file

    with open(plan_file(), encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert parse_amount(row["规划原文投资"]) == parse_amount(row["总投资（万元）"]), row["项目名称"]


def test_counts_and_sums_per_column():
    """A project listed in two columns counts in both; its investment counts where the plan states it."""
    counts: dict[str, int] = defaultdict(int)
    sums: dict[str, Decimal] = defaultdict(Decimal)
    rows = read_plan()
    assert len(rows) == 51  # 54 listings, 3 of them the same project twice
    import csv

    from projects_cli.sample import plan_file

    with open(plan_file(), encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    for row in raw:
        for col in row["专栏"].split("、"):
            counts[col] += 1
        # the 4-x column states the amount; 11-1 does not; 9-1 restates 4.5亿 for 艾美科健
        stated_in = [c for c in row["专栏"].split("、") if not (c == "11-1" and "11-1" not in row["专栏"].split("、")[0])]
        for col in stated_in:
            sums[col] += parse_amount(row["总投资（万元）"]) or Decimal(0)
    assert {c: (counts[c], sums[c]) for c in PLAN_COLUMNS} == PLAN_COLUMNS


def test_init_sample_then_list_chain(tmp_path):
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    db = str(tmp_path / "x.db")
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db, "init", "--sample"])
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, ["--db", db, "list", "--chain", "工程机械", "--format", "json"])
    data = json.loads(r.stdout)
    assert [(p["name"], p["total_investment"]) for p in data] == [
        ("济宁国际高端装备产业城项目", 10000000),
        ("镐成永生中韩高端装备产业化项目", 80000),
        ("山重集团研究院及智能化生产项目", 75000),
        ("山推大马力推土机产业化项目", 48800),
        ("泰丰高性能液压马达及减速机产业化建设项目", 50000),
        ("信发液压高端液压件项目", 50000),
        ("锐博高端结构件智能制造项目", 50000),
        ("永生重工年产50000台套工程机械配套件项目", 180000),
    ]
    r = runner.invoke(app, ["--db", db, "list", "--column", "11-1", "--format", "json"])
    assert [p["name"] for p in json.loads(r.stdout)] == [
        "市第一人民医院公共卫生重症医学中心项目",
        "鲁西南国际肿瘤精准医疗中心暨质子治疗临床示范中心项目",
        "蓼河新城医院",
    ]
    r = runner.invoke(app, ["--db", db, "init", "--sample"])
    assert r.exit_code == 1 and "项目库中已有 51 个项目" in r.stderr
