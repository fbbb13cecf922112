"""Reports that fit a terminal (issue 19): at 80, 100 and 160 columns every line of the Monday reports fits,
nothing in a cell is lost (it wraps), optional columns go first; --wide and a pipe keep every column."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app
from projects_cli.listings.output import TABLE_WIDTH, render_table, width


@pytest.fixture
def demo(demo_template, tmp_path):
    path = tmp_path / "office.db"
    shutil.copyfile(demo_template, path)
    return path


def run(demo, *args, columns: int | None = None) -> str:
    env = {"COLUMNS": str(columns) if columns else ""}
    r = CliRunner().invoke(app, ["--db", str(demo), "--as-of", "2025-10-31", *args], env=env, catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("columns", [80, 100, 160])
@pytest.mark.parametrize("command", [("overdue",), ("countdown",), ("list",), ("issue", "list"), ("cards", "list")])
def test_every_line_fits_the_terminal(demo, command, columns):
    if command == ("cards", "list"):
        run(demo, "cards", "rate")
    lines = run(demo, *command, columns=columns).splitlines()
    assert [line for line in lines if width(line) > columns] == []


def test_a_wrapped_name_is_kept_whole_and_optional_columns_go_first(demo):
    narrow = run(demo, "overdue", columns=100)
    full = run(demo, "overdue")
    assert "督办级别" in full and "督办级别" not in narrow  # the first optional column left out
    assert "项目名称" in narrow and "包保领导" in narrow and "逾期天数" in narrow
    # the name of GX-0005 wraps, every character kept, in order
    name = "泰丰高性能液压马达及减速机产业化建设项目"
    lines = narrow.splitlines()
    at = next(i for i, line in enumerate(lines) if "GX-0005" in line)
    first, second = lines[at].split("GX-0005")[1].split()[0], lines[at + 1].split()[0]
    assert first + second == name
    assert run(demo, "--wide", "overdue", columns=100) == full


def test_render_table_shrinks_the_widest_text_column_first():
    rows = [{"a": "甲" * 20, "b": "乙" * 5, "n": 12345}]
    columns = [("a", "名称"), ("b", "单位"), ("n", "数")]
    token = TABLE_WIDTH.set(30)
    try:
        text = render_table(rows, columns)
    finally:
        TABLE_WIDTH.reset(token)
    lines = text.splitlines()
    assert max(width(line) for line in lines) <= 30
    assert "".join(line.split()[0] for line in lines[2:]) == "甲" * 20
    assert lines[2].split()[1:] == ["乙" * 5, "12345"]  # the narrower column and the number as they were
