"""Every 合计 adds up, no list prints twice, no English in Chinese documents (issue 16).

Walks every table of every workbook and document the office sends — the weekly briefing, the card
notices, the 督办单, the overdue report, the cards report, the ledger export — on the demo registry
and on random registries (`tests/bench/synth.py`), read back from the files:

* a 合计 row equals the sum of its column over the table's rows (a rate column: the rate of the sums);
* the ledger's section rows (一、… / （一）…) equal the sum of their projects, and its 合计 of all;
* no data row of a document's tables appears twice;
* the rendered text of every template has no Latin words but codes (GX-0001) and the document number.
"""

from __future__ import annotations

import re
import shutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
import synth  # noqa: E402

DAY = date(2025, 10, 31)
NOT_SUMMED = ("率", "落后", "最长", "序时")  # rates and maxima: not sums of their column


def run(path: Path, *args: str) -> str:
    r = CliRunner().invoke(app, ["--db", str(path), "--by", "tester", "--as-of", DAY.isoformat(), *args],
                           catch_exceptions=False)
    assert r.exit_code == 0, (args, r.stderr)
    return r.stdout


@pytest.fixture
def demo(demo_template) -> Path:
    return demo_template


def registry(demo: Path, tmp: Path, which: str) -> Path:
    """The demo registry, or a random one (`synth`, seed in the name)."""
    path = tmp / f"{which}.db"
    if which == "demo":
        shutil.copyfile(demo, path)
        return path
    assert CliRunner().invoke(app, ["--db", str(path), "db", "upgrade"]).exit_code == 0
    synth.generate(f"sqlite:///{path}", 40, seed=int(which.removeprefix("random")))
    return path


def documents(path: Path, out: Path) -> dict[str, Path]:
    """Rate, score, then write every document of the day into `out`."""
    run(path, "cards", "rate")
    run(path, "flag")
    files = {
        "weekly.xlsx": ("sheet", "weekly"), "cards.xlsx": ("sheet", "cards"), "overdue.xlsx": ("overdue",),
        "report.xlsx": ("cards", "report"), "ledger.xlsx": ("ledger", "export"),
        "weekly.md": ("sheet", "weekly", "--format", "md"), "cards.md": ("sheet", "cards", "--format", "md"),
    }
    made = {}
    for name, args in files.items():
        target = out / name
        if name.endswith(".md"):
            target.write_text(run(path, *args, "--preview"), encoding="utf-8")
        else:
            run(path, *args, *(("--output", str(target)) if args[0] != "ledger" else (str(target),)))
        made[name] = target
    return made


def number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).strip().strip("*").replace(",", "")
    return Decimal(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


def check_table(header: list[str], rows: list[list], total: list, where: str) -> int:
    """The 合计 row against the rows above it; returns how many columns were checked."""
    checked = 0
    for col, value in enumerate(total):
        want = number(value)
        if want is None or col >= len(header) or any(w in (header[col] or "") for w in NOT_SUMMED):
            continue
        got = sum((number(r[col]) or Decimal(0) for r in rows if col < len(r)), Decimal(0))
        assert got == want, f"{where}: 合计 of {header[col]!r} is {want}, its rows add up to {got}"
        checked += 1
    return checked


def xlsx_tables(path: Path):
    """(sheet, header, rows, total) of every table with a 合计 row at its foot (the ledger is separate)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    for ws in wb:
        grid = [[c.value for c in row] for row in ws.iter_rows()]
        for i, row in enumerate(grid):
            if not (isinstance(row[0], str) and row[0].startswith("合计")):
                continue
            def numeric(r):
                return any(number(v) is not None for v in r)

            j, rows = i - 1, []
            while j >= 0:
                if numeric(grid[j]):
                    rows.append(grid[j])
                else:  # the header — or the header repeated where a printed page breaks the table
                    k = j - 1
                    while k >= 0 and numeric(grid[k]):
                        k -= 1
                    if not (k >= 0 and k < j - 1 and grid[k] == grid[j]):
                        break
                j -= 1
            if j < 0 or not rows:
                continue  # a 合计 with no rows above (the ledger's, at the top)
            yield ws.title, [str(v) if v is not None else "" for v in grid[j]], rows, row


def md_tables(text: str):
    """(header, rows, total) of every Markdown table with a **合计** row; and every table's data rows."""
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    for table in tables:
        header, body = table[0], [r for r in table[2:]]
        yield header, body


def check_ledger(path: Path) -> int:
    """Section rows and 合计 of the exported ledger against its projects (rows with a number in 序号)."""
    ws = openpyxl.load_workbook(path, data_only=True).active
    grid = [[c.value for c in row] for row in ws.iter_rows()]
    money = [i for i, v in enumerate(grid[3]) if v and "投资" in str(v) and "率" not in str(v)]
    assert money, "the ledger's money columns are under its second header row"
    total_row = next(r for r in grid if isinstance(r[0], str) and r[0].startswith("合计"))
    projects = [r for r in grid if isinstance(r[0], int)]
    assert total_row[0] == f"合计（{len(projects)}个）"
    checks = 0
    for col in money:
        assert number(total_row[col]) == sum((number(r[col]) or 0 for r in projects), Decimal(0)) or (
            total_row[col] is None and all(r[col] is None for r in projects))
        checks += 1
    # a section row: the projects below it until the next section of its level or higher
    for i, row in enumerate(grid):
        label = row[0]
        if not (isinstance(label, str) and re.match(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", label)):
            continue
        top = "、" in label.split("（")[0][:4]
        members = []
        for below in grid[i + 1:]:
            b = below[0]
            if isinstance(b, str) and (b.startswith("合计") or re.match(r"^[一二三四五六七八九十]+、", b)
                                       or (not top and b.startswith("（"))):
                break
            if isinstance(b, int):
                members.append(below)
        count = re.search(r"（(\d+)个）$", label)
        assert count and int(count.group(1)) == len(members), f"{label}: {len(members)} projects below it"
        for col in money:
            if row[col] is not None:
                assert number(row[col]) == sum((number(r[col]) or 0 for r in members), Decimal(0)), (label, grid[3][col])
                checks += 1
    return checks


LATIN = re.compile(r"[A-Za-z]{2,}")
ALLOWED = re.compile(r"GX-\d{4}|\d{4}-W\d{2}")  # project codes and ISO weeks


@pytest.mark.parametrize("which", ["demo", pytest.param("random1", marks=pytest.mark.slow),
                                   pytest.param("random2", marks=pytest.mark.slow)])
def test_every_total_adds_up_and_nothing_prints_twice(demo, tmp_path, which):
    db = registry(demo, tmp_path, which)
    made = documents(db, tmp_path)
    checked = 0
    for name, path in made.items():
        if name == "ledger.xlsx":
            checked += check_ledger(path)
        elif name.endswith(".xlsx"):
            for sheet, header, rows, total in xlsx_tables(path):
                checked += check_table(header, rows, total, f"{which} {name} [{sheet}]")
        else:
            text = path.read_text(encoding="utf-8")
            seen: dict[str, int] = {}
            for header, body in md_tables(text):
                data = [r for r in body if not r[0].strip("*").startswith("合计")]
                for total in (r for r in body if r[0].strip("*").startswith("合计")):
                    checked += check_table(header, data, total, f"{which} {name}")
                for r in data:
                    key = "|".join(r)
                    seen[key] = seen.get(key, 0) + 1
            assert [k for k, n in seen.items() if n > 1] == [], f"{which} {name}: rows printed twice"
            words = LATIN.findall(ALLOWED.sub("", text))
            assert words == [], f"{which} {name}: Latin words in a Chinese document: {sorted(set(words))}"
    assert checked >= 20, f"{which}: only {checked} totals found to check"
