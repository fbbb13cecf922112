"""As-of is exact for the 信息库 too: the leads' pipeline, follow-ups and their overdue rows for a date D do not
change with what is recorded after D — contacts, moves, assignments, signings, new leads, also dated back.

SQLite only, as tests/facts/test_as_of_property.py: the property is about the record.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from projects_cli.cli.app import app

LEADS = ["XS-0001", "XS-0002", "XS-0003", "XS-0004"]
UNITS = ["投资促进局", "经济发展局", "科技创新局"]
DAY = date(2025, 9, 15)
START = [
    ("2025-07-01", ("lead", "add", "--name", "甲项目", "--amount", "8亿元", "--unit", "投资促进局", "--person", "王强",
                    "--create-units")),
    ("2025-07-05", ("lead", "add", "--name", "乙项目", "--amount", "3000万美元", "--unit", "经济发展局", "--create-units")),
    ("2025-07-10", ("lead", "add", "--name", "丙项目", "--unit", "科技创新局", "--create-units", "--stage", "接洽")),
    ("2025-08-01", ("lead", "add", "--name", "丁项目", "--amount", "2亿元", "--unit", "投资促进局")),
    ("2025-08-10", ("lead", "follow", "XS-0001", "--text", "拜访")),
    ("2025-08-20", ("lead", "move", "XS-0002", "在谈")),
]


def run(path: Path, config: Path, on: str, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, ["--db", str(path), "--config", str(config), "--by", "tester", "--as-of", on, *args],
                           catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def reports(path: Path, config: Path, day: date) -> dict[str, str]:
    on = day.isoformat()
    return {name: run(path, config, on, *args)[1] for name, args in {
        "list": ("lead", "list", "--format", "json"),
        "report": ("lead", "report", "--since", "2025-07-01", "--format", "json"),
        "overdue": ("overdue", "--format", "json"),
        "weekly": ("sheet", "weekly", "--preview", "--format", "md"),
    }.items()}


@st.composite
def later(draw):
    when = DAY + timedelta(days=draw(st.integers(1, 30)))
    back = when - timedelta(days=draw(st.integers(0, 40)))  # recorded late: may be before DAY
    lead, unit = draw(st.sampled_from(LEADS)), draw(st.sampled_from(UNITS))
    return when, draw(st.sampled_from([
        ("lead", "follow", lead, "--text", "补记跟进", "--on", back.isoformat()),
        ("lead", "move", lead, draw(st.sampled_from(["接洽", "在谈", "搁置", "终止", "线索"])), "--on", back.isoformat(),
         "--reason", "企业调整计划"),
        ("lead", "assign", lead, "--unit", unit, "--person", "李娜", "--next", (when + timedelta(days=3)).isoformat()),
        ("lead", "sign", lead, "--on", back.isoformat(), "--start", (when + timedelta(days=30)).isoformat()),
        ("lead", "add", "--name", "后来的线索", "--unit", unit, "--amount", "500万美元"),
    ]))


@settings(max_examples=6, derandomize=True, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(later(), min_size=1, max_size=6))
def test_lead_reports_for_a_date_do_not_change_after_later_events(sqlite_template, tmp_path, commands):
    path = tmp_path / f"office-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(sqlite_template, path)
    config = tmp_path / "config.toml"
    config.write_text("[ledger]\nusd_rate = 7.1\n", encoding="utf-8")
    for on, args in START:
        assert run(path, config, on, *args)[0] == 0, args
    before = reports(path, config, DAY)
    for when, args in sorted(commands, key=lambda c: c[0]):
        code, _, err = run(path, config, when.isoformat(), *args)
        assert code in (0, 1), (args, err)  # an illegal move (signing a signed lead) is refused: fine
        assert "Traceback" not in err
    assert reports(path, config, DAY) == before, commands
