"""Cards (红黄蓝牌) and the red flag (流动红旗) on a registry with known figures."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from projects_cli.services import investment, milestones, registry


@pytest.fixture
def registry_with_figures(db_url, ctx):
    """Eight projects whose colours sit on the rule boundaries at 2025-10-31 (序时 83.3%)."""
    from projects_cli.store.db import session_scope

    plans = {
        "P-10": ("880", "经济发展局"),  # 73.3% → exactly 10 points behind → yellow
        "P-30": ("640", "经济发展局"),  # 53.3% → exactly 30 behind → yellow
        "P-31": ("639", "经济发展局"),  # 30.1 behind → red
        "P-OK": ("1100", "建设局"),  # ahead of 序时 → blue
    }
    starts = {"S-30": date(2025, 10, 1), "S-89": date(2025, 8, 3), "S-90": date(2025, 8, 2)}
    land = {"M-30": date(2025, 10, 1), "M-31": date(2025, 9, 30)}
    listed = replace(ctx, as_of=date(2025, 1, 2))  # the projects are on record from the year's start
    with session_scope(db_url) as s:
        for code, (done, unit) in plans.items():
            p = registry.add_project(s, listed, {"name": f"项目{code}", "code": code, "unit": unit, "status": "在建"}, create_units=True)
            investment.set_plan(s, ctx, code, 2025, Decimal(1200))
            investment.set_month(s, ctx, p, "2025-10", Decimal(done))
        for code, planned in starts.items():
            p = registry.add_project(s, listed, {"name": f"项目{code}", "code": code, "unit": "建设局"}, create_units=True)
            milestones.set_planned(s, listed, p, "开工", planned)
        for code, planned in land.items():
            p = registry.add_project(s, listed, {"name": f"项目{code}", "code": code, "unit": "建设局"}, create_units=True)
            milestones.set_planned(s, listed, p, "土地", planned)
        registry.add_project(s, listed, {"name": "储备项目", "code": "R-1", "status": "储备"})
    return db_url


def colours(cli, period="2025-10") -> dict[str, str]:
    data = json.loads(cli("cards", "list", "--period", period, "--format", "json").stdout)
    return {c["code"]: c["color"] for c in data["cards"]}


def test_rate_gives_the_rules_colours_at_the_boundaries(registry_with_figures, cli):
    r = cli("cards", "rate", "--period", "2025-10", as_of=None)
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].startswith("2025-10（截至 2025-10-31）：红牌 3，黄牌 5，蓝牌 1")
    assert colours(cli) == {
        "P-10": "yellow", "P-30": "yellow", "P-31": "red", "P-OK": "blue",
        "S-30": "yellow", "S-89": "yellow", "S-90": "red", "M-30": "yellow", "M-31": "red",
    }


def test_reasons_name_the_figures_and_rules_version(registry_with_figures, cli):
    cli("cards", "rate", "--period", "2025-10")
    data = json.loads(cli("cards", "list", "--period", "2025-10", "--format", "json").stdout)
    card = next(c for c in data["cards"] if c["code"] == "P-31")
    assert card["reasons"] == "投资完成率 53.3%，序时进度 83.3%，落后 30.1 个百分点"
    assert card["fired"] == [{"rule": "investment_lag", "color": "red", "text": card["reasons"],
                              "figures": {"rate": "53.3", "expected": "83.3", "behind": "30.1"}}]
    assert card["rules_version"].startswith("2025.1+")
    s90 = next(c for c in data["cards"] if c["code"] == "S-90")
    assert s90["reasons"] == "开工逾期 90 天"


def test_two_yellows_in_a_row_turn_red_and_rerating_says_what_changed(registry_with_figures, cli):
    cli("cards", "rate", "--period", "2025-09", as_of=None)
    assert colours(cli, "2025-09")["S-30"] == "blue"  # not due yet on 30 September
    assert colours(cli, "2025-09")["S-89"] == "yellow"  # 58 days late on 30 September
    cli("cards", "rate", "--period", "2025-10", as_of=None)
    assert colours(cli)["S-89"] == "red"  # yellow in September, yellow again → red
    data = json.loads(cli("cards", "show", "S-89", "--format", "json").stdout)
    assert [(c["period"], c["color"]) for c in data] == [("2025-10", "red"), ("2025-09", "yellow")]
    assert data[0]["reasons"] == "开工逾期 89 天；连续 2 期黄牌"
    r = cli("cards", "rate", "--period", "2025-10", as_of=None)
    assert "重新评牌，牌色无变化" in r.stdout


def test_a_changed_threshold_in_the_rules_file_changes_colours(registry_with_figures, cli, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[cards]\nlag_yellow_points = 10\nlag_red_points = 29\n", encoding="utf-8")
    r = cli("--rules", str(rules), "cards", "rate", "--period", "2025-10")
    assert r.exit_code == 0
    assert "重新评牌" not in r.stdout
    assert colours(cli)["P-30"] == "red"
    r = cli("cards", "rate", "--period", "2025-10")
    assert "P-30: 红牌 → 黄牌" in r.stdout


def test_broken_rules_file_names_key_and_line(registry_with_figures, cli, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[cards]\nlag_red_points = 30\nlag_yelow_points = 5\n", encoding="utf-8")
    r = cli("--rules", str(rules), "cards", "rate")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：规则文件 {rules} 第 3 行 [cards] lag_yelow_points：未知的键；"
                               "可用的键：lag_yellow_points, lag_red_points, ")
    assert colours(cli) == {}


def test_manual_card_is_kept_apart_and_overrides(registry_with_figures, cli):
    cli("cards", "rate", "--period", "2025-10")
    r = cli("cards", "set", "P-OK", "--color", "red", "--reason", "约谈后仍未整改", "--until", "2025-12-31")
    assert r.exit_code == 0
    data = json.loads(cli("cards", "list", "--format", "json").stdout)
    card = next(c for c in data["cards"] if c["code"] == "P-OK")
    assert (card["computed"], card["manual"], card["color"], card["manual_by"]) == ("blue", "red", "red", "tester")
    r = cli("cards", "set", "P-OK", "--color", "purple", "--reason", "x")
    assert (r.exit_code, r.stderr) == (
        1, "错误：牌色“purple”不存在；现有的：blue、red、yellow、红牌、蓝牌、黄牌\n")
    r = cli("cards", "set", "P-OK", "--color", "red", "--reason", " ")
    assert (r.exit_code, r.stderr) == (1, "错误：手动设置的牌需要写明原因（--reason）\n")


def test_change_section_against_the_previous_period(registry_with_figures, cli):
    cli("cards", "rate", "--period", "2025-09", as_of=None)
    cli("cards", "rate", "--period", "2025-10", as_of=None)
    data = json.loads(cli("cards", "list", "--period", "2025-10", "--format", "json").stdout)
    # P-31 had no investment on file by 30 September: red then already
    assert data["changes"]["newly_red"] == ["M-31", "S-89", "S-90"]
    assert "S-30" in data["changes"]["newly_yellow"]


def test_report_workbook(registry_with_figures, cli, tmp_path):
    cli("cards", "rate", "--period", "2025-10")
    out = tmp_path / "cards.xlsx"
    r = cli("cards", "report", "--period", "2025-10", "--output", str(out))
    assert r.exit_code == 0
    wb = load_workbook(out)
    ws = wb["红黄蓝牌"]
    assert ws["A1"].value == "重点项目红黄蓝牌通报（2025-10）"
    assert ws["A4"].value.startswith("红牌（3 个）")
    red_rows = [row for row in ws.iter_rows(min_row=5, max_row=7, values_only=True)]
    assert {r[0] for r in red_rows} == {"M-31", "P-31", "S-90"}
    assert ws["E5"].fill.fgColor.rgb.endswith("FF8B8B")
    assert ws["G4"].border.right.style == "thin"  # the section row bordered across its merged width
    assert (ws.sheet_properties.pageSetUpPr.fitToPage, ws.page_setup.fitToWidth, ws.print_title_rows) == (True, 1, "$3:$3")
    units = wb["按责任单位"]
    assert [c.value for c in units[1]] == ["责任单位", "红牌", "黄牌", "蓝牌", "合计"]
    assert [c.value for c in units[2]] == ["建设局", 2, 3, 1, 6]
    assert len(units._charts) == 1


def test_report_without_cards_is_a_clear_error(registry_with_figures, cli, tmp_path):
    r = cli("cards", "report", "--period", "2025-08", "--output", str(tmp_path / "x.xlsx"))
    assert (r.exit_code, r.stderr) == (1, "错误：2025-08 还没有评牌；请先评价：projects cards rate --period 2025-08\n")
    assert not (tmp_path / "x.xlsx").exists()


def test_flag_goes_to_the_best_unit_and_history_keeps_ranks(registry_with_figures, cli):
    r = cli("flag", "--period", "2025-10", "--format", "json", as_of=None)
    rows = json.loads(r.stdout)
    # 经济发展局: investment (880+640+639) / (3 × 1200 × 10/12) = 0.720 → 28.79 of 40, nothing else due → 88.79
    # 建设局: investment met (40), none of its 5 milestones due by now done on time (0 of 30) → 70
    assert [(x["unit"], x["rank"], x["score"], x["flag"], x["bottom"]) for x in rows] == [
        ("经济发展局", 1, 88.79, True, False), ("建设局", 2, 70, False, True)]
    assert (rows[0]["investment_share"], rows[1]["milestones_share"]) == ("0.720", "0.000")
    hist = json.loads(cli("flag", "--history", "--format", "json").stdout)
    assert [(h["period"], h["unit"], h["rank"]) for h in hist] == [("2025-10", "经济发展局", 1), ("2025-10", "建设局", 2)]
