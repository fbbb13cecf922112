"""The weekly 通报's parts of the genre (issue 20): 第N期 counted per year, 主送/抄送 from the config, and 开工率
with the counts of started and completed projects, as on record on the briefing's date."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app


@pytest.fixture
def office(demo_template, tmp_path):
    path = tmp_path / "office.db"
    shutil.copyfile(demo_template, path)
    return path


def run(path, as_of, *args, config=None):
    base = ["--db", str(path), "--as-of", as_of, "--by", "tester"] + (["--config", str(config)] if config else [])
    r = CliRunner().invoke(app, [*base, *args], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return r.stdout


def test_the_issue_number_counts_this_years_briefings_and_stays_with_its_week(office, tmp_path):
    def subtitle(as_of, *extra):
        out = tmp_path / f"w-{as_of}.md"
        run(office, as_of, "sheet", "weekly", "-o", str(out), *extra)
        return out.read_text(encoding="utf-8").splitlines()[2]

    assert subtitle("2025-10-31") == "**2025年第1期（第44周，2025年10月25日—2025年10月31日）**"
    assert subtitle("2025-11-07") == "**2025年第2期（第45周，2025年11月1日—2025年11月7日）**"
    assert subtitle("2025-10-31") == "**2025年第1期（第44周，2025年10月25日—2025年10月31日）**"  # again: the same
    assert subtitle("2025-11-14") == "**2025年第3期（第46周，2025年11月8日—2025年11月14日）**"
    # a preview takes no number and changes no count
    assert json.loads(run(office, "2025-11-14", "sheet", "list", "--kind", "周报", "--format", "json"))[-1]["number"] \
        == "高新督〔2025〕3号"


def test_to_and_cc_come_from_the_config(office, tmp_path):
    plain = run(office, "2025-10-31", "sheet", "weekly", "--preview")
    assert "\n各责任单位：\n" in plain and "抄送" not in plain
    config = tmp_path / "config.toml"
    config.write_text('[sheets]\nweekly_to = "各责任单位、各园区"\nweekly_cc = ["区委办公室", "区政府办公室"]\n',
                      encoding="utf-8")
    text = run(office, "2025-10-31", "sheet", "weekly", "--preview", config=config)
    assert "\n各责任单位、各园区：\n" in text
    assert "*抄送：区委办公室，区政府办公室。*" in text


def test_the_start_rate_is_what_was_on_record(tmp_path):
    db = tmp_path / "r.db"
    for args in (["init"], ["add", "--name", "甲", "--status", "前期"], ["add", "--name", "乙", "--status", "前期"],
                 ["add", "--name", "丙", "--status", "前期"]):
        run(db, "2025-01-05", *args)
    for code, planned in (("GX-0001", "2025-03-31"), ("GX-0002", "2025-06-30"), ("GX-0003", "2026-03-31")):
        run(db, "2025-01-05", "milestone", "add", code, "开工", "--planned", planned)
    run(db, "2025-01-05", "milestone", "add", "GX-0001", "竣工", "--planned", "2025-12-31")
    run(db, "2025-04-02", "milestone", "done", "GX-0001", "开工", "--on", "2025-03-28")
    run(db, "2025-05-10", "milestone", "done", "GX-0003", "开工", "--on", "2025-05-08")  # early: next year's plan
    # later: 乙's start moved into next year
    run(db, "2025-07-01", "milestone", "replan", "GX-0002", "开工", "--planned", "2026-04-30", "--reason", "资金未到位")
    from projects_cli.facts import asof
    from projects_cli.store.db import session_scope

    with session_scope(f"sqlite:///{db}", write=False) as session:
        june = asof.year_progress(session, date(2025, 6, 15))
        august = asof.year_progress(session, date(2025, 8, 1))
    from decimal import Decimal

    assert june["开工"] == {"planned": 2, "done": 1, "done_in_year": 2, "rate": Decimal("50.0")}
    assert june["竣工"] == {"planned": 1, "done": 0, "done_in_year": 0, "rate": Decimal("0.0")}
    assert august["开工"] == {"planned": 1, "done": 1, "done_in_year": 2, "rate": Decimal("100.0")}
    text = run(db, "2025-06-15", "sheet", "weekly", "--preview")
    assert "今年计划开工项目2个，已开工1个，开工率50%；计划竣工项目1个，已竣工0个。" in text


def test_the_weekly_charts_are_pictures_in_word_and_inline_svg_in_html_with_investment_by_unit(office, tmp_path):
    from docx import Document

    from projects_cli.sheets import picture

    run(office, "2025-10-31", "sheet", "weekly", "--preview", "-o", str(tmp_path / "周报.html"))
    html = (tmp_path / "周报.html").read_text(encoding="utf-8")
    captions = ["近8周逾期事项与红黄牌", "各产业链投资完成率与序时进度（%）", "各责任单位投资完成率与序时进度（%）",
                "近8周投资完成率与序时进度（%）"]
    assert [c for c in captions if f'aria-label="{c}"' in html] == captions
    svg = html[html.index('aria-label="各责任单位投资完成率与序时进度（%）"'):]
    svg = svg[:svg.index("</svg>")]
    units = ["农业农村局", "建设局", "黄屯街道", "投资促进局", "经济发展局", "王因街道", "社会事业局", "接庄街道", "科技创新局",
             "柳行街道"]
    assert [u for u in units if f">{u}</text>" in svg] == units  # every unit's label, highest completion first
    assert [svg.index(f">{u}</text>") for u in units] == sorted(svg.index(f">{u}</text>") for u in units)
    if picture.cjk_font() is None:
        pytest.skip("no CJK font: the Word document keeps the charts' tables")
    run(office, "2025-10-31", "sheet", "weekly", "--preview", "-o", str(tmp_path / "周报.docx"))
    doc = Document(str(tmp_path / "周报.docx"))
    assert len(doc.inline_shapes) == 4
    shown = [p.text for p in doc.paragraphs]
    assert [c for c in captions if c.replace("8", " 8 ") in shown or c in shown] == captions
