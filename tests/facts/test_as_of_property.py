"""As-of is exact (issue 16): every figure for a date D is what was on record on D.

For random histories on the demo registry: compute the reports for D, then run commands dated after D
(sweeps, escalations, replies, closes, milestones done — also back-dated ones —, re-plans, investment
figures for earlier months, unit changes, manual cards, later ratings and flags, projects added later
with facts dated earlier, projects archived and restored later, later commands undone), then compute the
reports for D again. Overdue, countdown, cards rate, flag, invest show, the weekly briefing and the
督办单 must be identical.

SQLite only: the back end does not change which rows a date selects (the `[pg]` tests of each
service check that); the property is about the record, and each example replays a whole office.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from projects_cli.cli.app import app

CODES = [f"GX-{n:04d}" for n in (1, 4, 10, 20, 24, 29, 33, 36, 41, 45)]
ISSUES = [f"2025-{n:03d}" for n in range(1, 10)]
UNITS = ["建设局", "经济发展局", "王因街道", "自然资源分局", "柳行街道"]
DAYS = [date(2025, 10, 15), date(2025, 10, 31), date(2025, 11, 12)]
LEADERS = ["王芳", "李强", "张伟"]


@pytest.fixture
def demo(demo_template) -> Path:
    return demo_template


def run(path: Path, as_of: date | None, *args: str) -> tuple[int, str, str]:
    base = ["--db", str(path), "--by", "tester"] + (["--as-of", as_of.isoformat()] if as_of else [])
    r = CliRunner().invoke(app, [*base, *args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def ok(path: Path, as_of: date, *args: str) -> str:
    code, out, err = run(path, as_of, *args)
    assert code == 0, (args, err)
    return out


def reports(path: Path, day: date) -> dict[str, object]:
    """Everything the office prints for `day`. Ratings and scores are stored, so they are (re)made at `day`."""
    period = f"{day.year}-{day.month:02d}"
    ok(path, day, "cards", "rate", "--period", period)
    out: dict[str, object] = {
        "overdue": json.loads(ok(path, day, "overdue", "--format", "json")),
        "countdown": json.loads(ok(path, day, "countdown", "--within", "60", "--format", "json")),
        "cards": json.loads(ok(path, day, "cards", "list", "--period", period, "--format", "json")),
        "flag": json.loads(ok(path, day, "flag", "--period", period, "--format", "json")),
        "invest": json.loads(ok(path, day, "invest", "show", "--format", "json")),
        "weekly": ok(path, day, "sheet", "weekly", "--preview", "--format", "md"),
        "issues": json.loads(ok(path, day, "issue", "list", "--format", "json")),
    }
    for number in ("2025-004", "2025-005", "2025-007"):
        code, text, _ = run(path, day, "sheet", "notice", number, "--preview", "--format", "md")
        out[f"notice {number}"] = (code, text)  # refused (not yet assigned) is a result too
    return out


def later_command(draw, day: date) -> tuple[date, tuple[str, ...]]:
    """One command dated after `day`; facts it states may be dated earlier (recorded late)."""
    when = day + timedelta(days=draw(st.integers(1, 40)))
    back = when - timedelta(days=draw(st.integers(0, 30)))  # a fact reported late: may be before `day`
    code, issue, unit = draw(st.sampled_from(CODES)), draw(st.sampled_from(ISSUES)), draw(st.sampled_from(UNITS))
    month = f"{back.year}-{back.month:02d}"
    choices = [
        ("issue", "sweep"),
        ("issue", "escalate", issue, "--level", draw(st.sampled_from(["重点督办", "挂牌督办"])), "--reason", "久拖未决"),
        ("issue", "accept", issue),
        ("issue", "assign", issue, "--unit", unit, "--urgency", "急件"),
        ("issue", "respond", issue, "--text", "已推进"),
        ("issue", "resolve", issue, "--text", "已解决"),
        ("issue", "close", issue, "--text", "经核实已解决"),
        ("issue", "report", code, "--title", "新发现的问题", "--category", "其他", "--urgency", "急件"),
        ("milestone", "done", code, draw(st.sampled_from(["开工", "主体完工", "竣工"])), "--on", back.isoformat()),
        ("milestone", "replan", code, draw(st.sampled_from(["开工", "主体完工", "竣工"])),
         "--planned", (when + timedelta(days=draw(st.integers(-20, 60)))).isoformat(), "--reason", "调整工期"),
        ("invest", "record", code, "--month", month, "--amount", str(draw(st.integers(0, 5000)))),
        ("edit", code, "--unit", unit),
        ("edit", code, "--status", draw(st.sampled_from(["在建", "停缓建", "竣工"]))),
        ("cards", "set", code, "--color", draw(st.sampled_from(["red", "yellow", "blue"])), "--reason", "督查发现问题"),
        ("cards", "rate", "--period", f"{when.year}-{when.month:02d}"),
        ("flag", "--period", f"{when.year}-{when.month:02d}"),
        ("cards", "rate", "--period", f"{day.year}-{day.month:02d}"),  # the same period, re-rated on later facts
        # a project added later, with facts dated before `day`: not on record then
        ("add", "--name", f"后来的项目{draw(st.integers(1, 3))}", "--unit", unit, "--status", "在建"),
        ("milestone", "add", "GX-0052", "开工", "--planned", back.isoformat()),
        # a milestone added later to a project on record, planned before `day`: not planned then
        ("milestone", "add", code, draw(st.sampled_from(["投产", "达效", "规划许可"])), "--planned", back.isoformat()),
        ("invest", "record", "GX-0052", "--month", month, "--amount", "300"),
        # archived later (out of reports from then on, not before), restored, and later commands undone
        ("project", "archive", code, "--reason", "项目终止", "--yes"),
        ("project", "restore", code),
        ("undo", "--last", "--yes"),
        # a reorganisation after `day` (机构改革): a unit renamed, or merged into another with all it had
        ("unit", "rename", unit, f"{unit}（新）"),
        ("unit", "merge", unit, draw(st.sampled_from(UNITS)), "--yes"),
        ("leader", "merge", draw(st.sampled_from(LEADERS)), draw(st.sampled_from(LEADERS))),
        ("leader", "rename", draw(st.sampled_from(LEADERS)), "新领导"),
    ]
    return when, draw(st.sampled_from(choices))


@st.composite
def histories(draw):
    day = draw(st.sampled_from(DAYS))
    commands = sorted((later_command(draw, day) for _ in range(draw(st.integers(1, 8)))), key=lambda c: c[0])
    return day, commands


def check(demo: Path, tmp: Path, day: date, commands) -> None:
    # a path of its own per example: this machine's log.head remembers each database's last head, and a
    # copy of the template over an earlier example's file would read as that log cut short (a restored backup)
    path = tmp / f"office-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(demo, path)
    before = reports(path, day)
    for when, args in commands:
        code, _, err = run(path, when, *args)
        assert code in (0, 1), (args, err)  # an illegal move (closing a closed problem) is refused: fine
        assert "Traceback" not in err
    after = reports(path, day)
    for key in before:
        assert after[key] == before[key], (key, commands)


# each example replays a whole office twice (about 3 s): no shrinking, the failing history is printed whole
QUICK = dict(deadline=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture])


# found by CI: the weekly's problem rows read the project's unit as it is now, not as it was on the day
A_UNIT_CHANGED_LATER = (date(2025, 10, 31), [(date(2025, 11, 9), ("edit", "GX-0020", "--unit", "建设局"))])


# found by a seeded run: re-rating a period as of a date before a project was added, after a later rating
# of that period had carded it
A_LATER_RATING_OF_A_LATER_PROJECT = (date(2025, 11, 12), [
    (date(2025, 11, 16), ("add", "--name", "后来的项目3", "--unit", "王因街道", "--status", "在建")),
    (date(2025, 11, 26), ("cards", "rate", "--period", "2025-11")),
])


# a reorganisation: 经济发展局 renamed, 自然资源分局 (which leads problems) merged into 建设局, a leader's
# projects handed on, a problem assigned to the renamed unit by its old name
A_REORGANISATION = (date(2025, 10, 31), [
    (date(2025, 11, 3), ("unit", "rename", "经济发展局", "经济发展和科技创新局")),
    (date(2025, 11, 5), ("unit", "merge", "自然资源分局", "建设局", "--yes")),
    (date(2025, 11, 6), ("leader", "merge", "王芳", "李强")),
    (date(2025, 11, 7), ("issue", "assign", "2025-004", "--unit", "经济发展局", "--urgency", "急件")),
    (date(2025, 11, 9), ("unit", "merge", "行政审批服务局", "经济发展和科技创新局", "--yes")),
])


@settings(max_examples=4, derandomize=True, **QUICK)
@given(histories())
@example(A_REORGANISATION)
@example(A_UNIT_CHANGED_LATER)
@example(A_LATER_RATING_OF_A_LATER_PROJECT)
def test_reports_for_a_date_do_not_change_after_later_events(demo, tmp_path, history):
    check(demo, tmp_path, *history)


@pytest.mark.slow
@settings(max_examples=40, **QUICK)
@given(histories())
def test_reports_for_a_date_do_not_change_after_later_events_many(demo, tmp_path, history):
    check(demo, tmp_path, *history)


def test_a_later_unit_change_and_a_late_correction_leave_earlier_reports_as_they_were(demo, tmp_path):
    path = tmp_path / "office.db"
    shutil.copyfile(demo, path)
    day, later = date(2025, 10, 31), date(2025, 11, 20)

    def units_of(code: str, as_of: date, *filters: str) -> list[str | None]:
        rows = json.loads(ok(path, as_of, "overdue", "--format", "json", *filters))["overdue"]
        return sorted({r["unit"] for r in rows if r["code"] == code and r["type"] == "milestone"})

    assert units_of("GX-0021", day) == ["王因街道"]
    ok(path, later, "edit", "GX-0021", "--unit", "建设局")
    assert units_of("GX-0021", day) == ["王因街道"]
    assert units_of("GX-0021", day, "--unit", "王因街道") == ["王因街道"]  # filters read the unit of that date too
    assert units_of("GX-0021", day, "--unit", "建设局") == []
    assert units_of("GX-0021", later) == ["建设局"]

    # 开工 of GX-0033 was done 2024-04-20; a correction recorded on 2025-11-22 says 2025-11-02
    ok(path, date(2025, 11, 22), "milestone", "done", "GX-0033", "开工", "--on", "2025-11-02")
    late_starts = lambda as_of: [r["days_late"] for r in json.loads(ok(path, as_of, "overdue", "--format", "json"))[  # noqa: E731
        "overdue"] if r["code"] == "GX-0033" and r["item"] == "开工"]
    assert late_starts(day) == []  # on record on 10-31: done in 2024
    assert late_starts(date(2025, 11, 21)) == []
