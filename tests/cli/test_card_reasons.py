"""Card reasons are whole: every rule that fired, with its figures, in every output; terminal tables wrap.

The case of the issue: a red card whose first reason is a yellow one (25 points behind 序时进度) and whose
red reason (a milestone 61 days late) came after the 40th column, so the table showed only the yellow.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest

REASONS = "投资完成率 58.3%，序时进度 83.3%，落后 25 个百分点；节点“主体完工”逾期 61 天"
MANUAL = "约谈后仍未整改，且三次督办未反馈，主要负责人未到会，按规定给予红牌并全区通报（第二次）"


@pytest.fixture
def rated(cli):
    for args in (
        ("add", "--create-units", "--name", "甲智能装备产业园项目", "--unit", "经济发展局", "--leader", "张三",
         "--chain", "智能装备", "--status", "在建", "--total-investment", "10000", "--annual-plan", "1200"),
        ("milestone", "add", "GX-0001", "主体完工", "--planned", "2025-08-31"),
        ("invest", "record", "GX-0001", "--month", "2025-10", "--amount", "700"),
        ("cards", "rate", "--period", "2025-10"),
    ):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.stderr)
    return cli


def test_the_stored_card_holds_every_rule_with_its_figures(rated):
    card = json.loads(rated("cards", "show", "GX-0001", "--format", "json").stdout)[0]
    assert (card["color"], card["reasons"]) == ("red", REASONS)
    assert [(f["rule"], f["color"], f["figures"]) for f in card["fired"]] == [
        ("investment_lag", "yellow", {"rate": "58.3", "expected": "83.3", "behind": "25.0"}),
        ("milestone_overdue", "red", {"kind": "主体完工", "days": 61}),
    ]


def test_terminal_tables_wrap_the_reasons_they_do_not_cut_them(rated):
    r = rated("cards", "list")
    assert r.stdout.splitlines() == [
        "牌色  责任单位    项目编号  项目名称              产业链    亮牌原因                            人工设牌",
        "----  ----------  --------  --------------------  --------  ----------------------------------  --------",
        "红牌  经济发展局  GX-0001   甲智能装备产业园项目  智能装备  投资完成率 58.3%，序时进度 83.3%，",
        "                                                            落后 25 个百分点；",
        "                                                            节点“主体完工”逾期 61 天",
    ]
    r = rated("cards", "show", "GX-0001")
    assert r.stdout.splitlines()[2:] == [
        "2025-10  红牌  规则  投资完成率 58.3%，序时进度 83.3%，  tester            2025.1+cbb10316",
        "                     落后 25 个百分点；",
        "                     节点“主体完工”逾期 61 天",
    ]


def test_a_manual_cards_reason_is_whole_too(rated):
    assert rated("cards", "set", "GX-0001", "--color", "red", "--reason", MANUAL, "--period", "2025-10").exit_code == 0
    assert rated("cards", "list").stdout.splitlines()[2:] == [
        "红牌（人工）  经济发展局  GX-0001   甲智能装备产业园项目  智能装备  投资完成率 58.3%，序时进度 83.3%，  "
        "红牌：约谈后仍未整改，且三次督办未反馈，",
        "                                                                    落后 25 个百分点；                  "
        "主要负责人未到会，",
        "                                                                    节点“主体完工”逾期 61 天            "
        "按规定给予红牌并全区通报（第二次）（test",
        "                                                                                                        er）",
    ]
    row = json.loads(rated("cards", "list", "--format", "json").stdout)["cards"][0]
    assert (row["reasons"], row["manual_reason"]) == (REASONS, MANUAL)


def test_every_other_output_carries_the_reasons_whole(rated, tmp_path):
    rows = list(csv.DictReader(io.StringIO(rated("cards", "list", "--format", "csv", "--csv-headers", "en").stdout)))
    assert [r["reasons"] for r in rows] == [REASONS]
    assert json.loads(rated("cards", "list", "--format", "json").stdout)["cards"][0]["reasons"] == REASONS
    md = rated("sheet", "cards", "--unit", "经济发展局", "--preview", "--format", "md").stdout
    assert f"| 1 | 甲智能装备产业园项目 | 张三 | 红牌 | — | 新评 | {REASONS} |" in md.splitlines()
    weekly = rated("sheet", "weekly", "--preview", "--format", "md").stdout
    assert f"| 甲智能装备产业园项目 | 经济发展局 | — | 红牌 | {REASONS} |" in weekly.splitlines()
    html = rated("sheet", "cards", "--unit", "经济发展局", "--preview", "--format", "html").stdout
    assert f">{REASONS}<" in html
    for args, name in ((("cards", "report"), "cards.xlsx"), (("sheet", "cards", "--unit", "经济发展局", "--preview"), "notice.xlsx"),
                       (("sheet", "weekly", "--preview"), "weekly.xlsx")):
        path = tmp_path / name
        assert rated(*args, "-o", str(path)).exit_code == 0, args
        cells = [c for ws in openpyxl.load_workbook(path) for row in ws.iter_rows(values_only=True) for c in row]
        assert REASONS in cells, name
