"""`invest record` shows the figure it replaces and warns about a figure above the total investment or the
annual plan (config.toml [investment] warn_total_factor 1.0, warn_plan_factor 1.5 by default)."""

from __future__ import annotations

import json

import pytest

from projects_cli.rules.investment import figure_warnings
from projects_cli.values import parse_amount

CHECK = "，请核对金额单位（万元）、月份和项目\n"


@pytest.fixture
def office(cli):
    r = cli("add", "--create-units", "--name", "甲项目", "--unit", "经济发展局", "--total-investment", "10000",
            "--annual-plan", "2000")
    assert r.exit_code == 0, r.stderr
    return cli


def record(cli, month, amount, *options):
    return cli(*options, "invest", "record", "GX-0001", "--month", month, "--amount", amount)


def test_a_replaced_figure_shows_the_old_one(office):
    assert record(office, "2025-09", "800").stderr == "已记录 2025-09 完成投资 800 万元\n"
    r = record(office, "2025-09", "850.5")
    assert (r.exit_code, r.stderr) == (0, "GX-0001 2025-09：原值 800 万元 → 新值 850.5 万元\n")
    assert record(office, "2025-09", "850.50").stderr == "未改动：2025-09 原已是 850.5 万元\n"


def test_figures_above_the_plan_or_the_total_are_warned_and_still_recorded(office):
    cli = office
    assert record(cli, "2025-08", "2000").stderr == "已记录 2025-08 完成投资 2000 万元\n"  # the plan itself: fine
    r = record(cli, "2025-09", "1001")  # year to date 3001 > 1.5 × 2000
    assert (r.exit_code, r.stderr) == (0, "已记录 2025-09 完成投资 1001 万元\n"
                                          "警告：GX-0001 截至 2025-09 本年累计完成投资 3001 万元，超过2025年计划投资 2000 万元的 1.5 倍" + CHECK)
    r = record(cli, "2025-10", "252200")  # the 2522 %: 万元 typed as 元 … or a wrong project
    assert (r.exit_code, r.stderr) == (0, "已记录 2025-10 完成投资 252200 万元\n"
                                          "警告：GX-0001 2025-10 当月完成投资 252200 万元，超过总投资 10000 万元" + CHECK +
                                          "警告：GX-0001 2025-10 当月完成投资 252200 万元，超过2025年计划投资 2000 万元的 1.5 倍" + CHECK)
    r = record(cli, "2025-10", "1")  # corrected: the year to date is fine again
    assert r.stderr == ("GX-0001 2025-10：原值 252200 万元 → 新值 1 万元\n"
                        "警告：GX-0001 截至 2025-10 本年累计完成投资 3002 万元，超过2025年计划投资 2000 万元的 1.5 倍" + CHECK)
    months = json.loads(cli("invest", "show", "GX-0001", "--format", "json").stdout)["months"]
    assert [(m["month"], m["amount"]) for m in months] == [("2025-08", 2000), ("2025-09", 1001), ("2025-10", 1)]


def test_the_factors_come_from_the_config_file(office, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[investment]\nwarn_total_factor = 0.2\nwarn_plan_factor = 1\n", encoding="utf-8")
    r = record(office, "2025-09", "2001", "--config", str(config))
    assert r.stderr == ("已记录 2025-09 完成投资 2001 万元\n"
                        "警告：GX-0001 2025-09 当月完成投资 2001 万元，超过总投资 10000 万元的 0.2 倍" + CHECK +
                        "警告：GX-0001 2025-09 当月完成投资 2001 万元，超过2025年计划投资 2000 万元" + CHECK)
    config.write_text("[investment]\nwarn_plan_factor = 0\n", encoding="utf-8")
    r = record(office, "2025-09", "1", "--config", str(config))
    assert r.exit_code == 1 and "warn_plan_factor：应为大于 0 的数，不能是 0" in r.stderr


@pytest.mark.parametrize("month, amount, ytd, total, plan, warnings", [
    ("2025-10", "100", "100", None, None, []),  # nothing to compare with
    ("2025-10", "10000", "10000", "10000", None, []),  # equal is not above
    ("2025-10", "10000.01", "10000.01", "10000", None, ["2025-10 当月完成投资 10000.01 万元，超过总投资 10000 万元"]),
    ("2025-10", "10", "10001", "10000", None, ["截至 2025-10 本年累计完成投资 10001 万元，超过总投资 10000 万元"]),
    ("2024-12", "10", "3001", None, "2000", ["截至 2024-12 本年累计完成投资 3001 万元，超过2024年计划投资 2000 万元的 1.5 倍"]),
    ("2025-10", "3000", "3000", None, "2000", []),
])
def test_figure_warnings(month, amount, ytd, total, plan, warnings):
    money = [parse_amount(v) if v is not None else None for v in (amount, ytd, total, plan)]
    assert figure_warnings(month, *money) == warnings


def test_figure_warnings_in_english(monkeypatch):
    from projects_cli import i18n

    monkeypatch.setenv("PROJECTS_LANG", "en")
    i18n.reset()
    try:
        money = [parse_amount(v) for v in ("10", "3001", "10000", "2000")]
        assert figure_warnings("2024-12", *money) == [
            "the year's investment completed to 2024-12, 3001 (10k yuan), is more than 1.5 times the 2024 annual plan, "
            "2000 (10k yuan)"]
    finally:
        monkeypatch.setenv("PROJECTS_LANG", "zh")
        i18n.reset()
