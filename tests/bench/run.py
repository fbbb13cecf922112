"""Benchmarks for issue 8: each figure beside a baseline measured in the same run, with the ratio.

Not part of the test suite. Run from the checkout with the package installed:

    python tests/bench/run.py                 # 10,000 and 100,000 projects
    python tests/bench/run.py --sizes 10000   # quicker

Every command runs in a fresh process; wall time is the median of --repeat runs,
peak memory is the child's own maximum RSS (os.wait4).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MINIMAL_TYPER = '''
import typer
app = typer.Typer()
@app.command()
def hello(name: str = typer.Option("x", help="who")):
    """Say hello."""
@app.command()
def bye(name: str = typer.Option("x", help="who")):
    """Say bye."""
app()
'''

MILESTONES_ONLY = '''
import json, sqlite3, sys
db, as_of = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
rows = con.execute("""
SELECT u.name, p.leader, p.code, p.name, m.kind, m.planned_date, julianday(?) - julianday(m.planned_date)
FROM milestone m JOIN project p ON p.id = m.project_id LEFT JOIN unit u ON u.id = p.unit_id
WHERE m.actual_date IS NULL AND m.planned_date < ?
ORDER BY u.name, p.leader, p.code
""", (as_of, as_of)).fetchall()
issues = con.execute("""
SELECT u.name, i.number, i.deadline FROM issue i LEFT JOIN unit u ON u.id = i.lead_unit_id
WHERE i.state IN ('assigned', 'responded') AND i.deadline < ?
""", (as_of,)).fetchall()
sys.stdout.write(json.dumps({"milestones": rows, "issues": issues}, ensure_ascii=False))
'''

# The same query as the report's, in plain sqlite3: every row and column `overdue --format json`
# prints (overdue and due-soon milestones, problems and look-backs, each with its project, unit and
# the project's year-to-date investment against its plan; new since last week; counts per unit),
# written as one would by hand, in one statement. It ignores re-plans (the plan in force at the
# as-of date) and the severity tiers, which the report also works out: a baseline that does less.
BARE_OVERDUE = '''
import calendar, json, sqlite3, sys
from datetime import date, timedelta
db, as_of = sys.argv[1], sys.argv[2]
day = date.fromisoformat(as_of)
elapsed = (day.month - 1 + day.day / calendar.monthrange(day.year, day.month)[1]) / 12
params = {"as_of": as_of, "since": (day - timedelta(days=7)).isoformat(), "upto": (day + timedelta(days=14)).isoformat(),
          "first": f"{day.year:04d}-01", "month": f"{day.year:04d}-{day.month:02d}", "year": day.year,
          "expected": elapsed * 100}
con = sqlite3.connect(db)
rows = con.execute("""
WITH ytd AS MATERIALIZED (
  SELECT project_id, sum(amount) AS done FROM investment_report WHERE month >= :first AND month <= :month GROUP BY project_id),
gap AS MATERIALIZED (
  SELECT ip.project_id, round(100.0 * coalesce(ytd.done, 0) / ip.amount, 1) AS rate,
         round(:expected - 100.0 * coalesce(ytd.done, 0) / ip.amount, 1) AS behind
  FROM investment_plan ip LEFT JOIN ytd ON ytd.project_id = ip.project_id WHERE ip.year = :year AND ip.amount > 0),
items AS (
  SELECT 'milestone' AS type, m.project_id, NULL AS unit_id, m.kind AS item, m.planned_date AS due
  FROM milestone m WHERE (m.actual_date IS NULL OR m.actual_date > :as_of) AND m.planned_date <= :upto
  UNION ALL
  SELECT 'issue', i.project_id, i.lead_unit_id, i.number || '：' || i.title, i.deadline
  FROM issue i WHERE i.state IN ('assigned', 'responded') AND i.deadline <= :upto
  UNION ALL
  SELECT 'lookback', i.project_id, i.lead_unit_id, '回头看 ' || i.number || '：' || i.title, i.lookback_on
  FROM issue i WHERE i.state = 'closed' AND i.lookback_on <= :upto AND (i.lookback_done_on IS NULL OR i.lookback_done_on > :as_of))
SELECT items.type, u.name, p.leader, p.code, p.name, items.item, items.due,
       CAST(julianday(:as_of) - julianday(items.due) AS INTEGER), items.due >= :since, gap.rate, gap.behind
FROM items JOIN project p ON p.id = items.project_id LEFT JOIN unit u ON u.id = coalesce(items.unit_id, p.unit_id)
LEFT JOIN gap ON gap.project_id = p.id
ORDER BY u.name, p.leader, items.due, p.code, items.item
""", params).fetchall()
late = [r for r in rows if r[6] < as_of]
units = {}
for r in late:
    units[r[1]] = units.get(r[1], 0) + 1
report = {"by_unit": units, "overdue": late, "new_since": [r for r in late if r[8]],
          "due_soon": [r for r in rows if r[6] >= as_of]}
sys.stdout.write(json.dumps(report, ensure_ascii=False))
'''


CALAMINE_READ = '''
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
for name in wb.sheet_names:
    rows = wb.get_sheet_by_name(name).to_python()
print(len(rows))
'''

OPENPYXL_DUMP = '''
import sys
from python_calamine import CalamineWorkbook
from openpyxl import Workbook
src, dest = sys.argv[1], sys.argv[2]
rows = CalamineWorkbook.from_path(src).get_sheet_by_index(0).to_python()
wb = Workbook(write_only=True)
ws = wb.create_sheet("台账")
for row in rows:
    ws.append(row)
wb.save(dest)
'''


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one fresh process; its output is thrown away.

    The child's peak RSS (os.wait4) starts from this process's own size at the
    fork, so this process keeps nothing big: output goes to /dev/null and the
    registries are generated in child processes.
    """
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def generate(path: Path, size: int) -> None:
    """A synthetic registry of `size` projects in a fresh SQLite file (synth.py, in a child process)."""
    path.unlink(missing_ok=True)
    subprocess.run([sys.executable, str(HERE / "synth.py"), "--db", str(path), "--projects", str(size)],
                   check=True, stdout=subprocess.DEVNULL)


def median(cmd: list[str], repeat: int, env=None) -> tuple[float, float]:
    results = [run(cmd, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def script(tmp: Path, name: str, text: str) -> str:
    path = tmp / name
    path.write_text(text)
    return str(path)


SAME_ROWS = """
import json, subprocess, sys
ours, bare = json.loads(sys.argv[1]), json.loads(sys.argv[2])
got = json.loads(subprocess.run(ours, capture_output=True, check=True).stdout)
want = json.loads(subprocess.run(bare, capture_output=True, check=True).stdout)
print(json.dumps({key: (len(got[key]), len(want[key])) for key in ("overdue", "new_since", "due_soon")}))
"""


def same_rows(ours: list[str], bare: list[str], env: dict) -> None:
    """The baseline prints the same rows as the report: as many in each section (else the run stops).

    Checked in a child process: this one stays small, for its children's peak RSS (see `run`)."""
    import json

    out = subprocess.run([sys.executable, "-c", SAME_ROWS, json.dumps(ours), json.dumps(bare)], capture_output=True,
                         check=True, env=env, text=True).stdout
    counts = json.loads(out)
    if any(a != b for a, b in counts.values()):
        raise SystemExit(f"the bare query does not print the report's rows: {counts}")
    print(f"  same rows in both: {', '.join(f'{k} {a:,}' for k, (a, _) in counts.items())}", flush=True)


ROWS: list[tuple[str, str, str, str, str]] = []


def report(what: str, ours: float, base: float, base_name: str, target: str = "", unit: str = "s") -> None:
    ratio = ours / base if base else float("inf")
    ROWS.append((what, f"{ours:.3f} {unit}", f"{base:.3f} {unit} ({base_name})", f"{ratio:.2f}×", target))
    print(f"{what:<48} {ours:9.3f} {unit}   baseline {base:9.3f} {unit} ({base_name})   ratio {ratio:5.2f}  {target}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="folder to keep the generated files in")
    args = parser.parse_args()
    py = sys.executable
    projects = [py, "-m", "projects_cli"]
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="projects-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ["PROJECTS_HOME"] = str(tmp / "home")  # the registries made here and the commands share one log key
    env = dict(os.environ)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")

    minimal = script(tmp, "minimal.py", MINIMAL_TYPER)
    t_base, _ = median([py, minimal, "--help"], args.repeat)
    t_ours, _ = median([*projects, "--help"], args.repeat, env)
    report("projects --help", t_ours, t_base, "minimal typer app --help", "target ≤ 1.3×")
    t_base, _ = median([py, "-c", "pass"], args.repeat)
    t_ours, _ = median([*projects, "--version"], args.repeat, env)
    report("projects --version", t_ours, t_base, "python -c pass")

    from synth import AS_OF

    bare = script(tmp, "bare_overdue.py", BARE_OVERDUE)
    some = script(tmp, "milestones_only.py", MILESTONES_ONLY)
    empty = tmp / "empty.db"
    generate(empty, 0)
    t_empty, _ = median([*projects, "--db", str(empty), "--as-of", AS_OF.isoformat(), "overdue", "--format", "json"], args.repeat, env)
    t_pass, _ = median([py, "-c", "pass"], args.repeat)
    for size in [int(s) for s in args.sizes.split(",")]:
        dbfile = tmp / f"bench-{size}.db"
        if not dbfile.exists():
            t0 = time.perf_counter()
            generate(dbfile, size)
            print(f"generated {size:,} projects in {time.perf_counter() - t0:.1f} s")
        as_of = AS_OF.isoformat()
        t_ours, _ = median([*projects, "--db", str(dbfile), "--as-of", as_of, "overdue", "--format", "json"], args.repeat, env)
        t_bare, _ = median([py, bare, str(dbfile), as_of], args.repeat)
        report(f"overdue work, {size:,} projects", t_ours - t_empty, t_bare - t_pass, "the same query in bare sqlite3", "target ≤ 2×")
        t_some, _ = median([py, some, str(dbfile), as_of], args.repeat)
        report(f"overdue work, {size:,} projects", t_ours - t_empty, t_some - t_pass, "overdue milestones only, bare sqlite3")
        same_rows([*projects, "--db", str(dbfile), "--as-of", as_of, "overdue", "--format", "json"], [py, bare, str(dbfile), as_of], env)
        work = tmp / f"rate-{size}.db"
        shutil.copy(dbfile, work)
        t_rate, _ = run([*projects, "--db", str(work), "--as-of", as_of, "cards", "rate"], env)
        report(f"cards rate, {size:,} projects", t_rate, t_ours, "overdue on the same registry")

        ledger = tmp / f"ledger-{size}.xlsx"
        t_export, rss_export = run([*projects, "--db", str(dbfile), "--as-of", as_of, "ledger", "export", str(ledger)], env)
        dump = tmp / f"dump-{size}.xlsx"
        t_dump, _ = run([py, script(tmp, "dump.py", OPENPYXL_DUMP), str(ledger), str(dump)])
        t_read, rss_read = run([py, script(tmp, "calamine.py", CALAMINE_READ), str(ledger)])
        # the dump script reads first (calamine) then writes: its write time is the difference
        report(f"ledger export, {size:,} rows", t_export, t_dump - t_read, "bare openpyxl write-only dump", "target ≤ 1.2×")
        report(f"ledger export peak RSS, {size:,} rows", rss_export, 500, "limit", "target < 500 MB", "MB")
        fresh = tmp / f"import-{size}.db"
        generate(fresh, 0)
        t_import, rss_import = run([*projects, "--db", str(fresh), "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
        report(f"ledger import, {size:,} rows", t_import, t_read, "python-calamine read", "target ≤ 2.5×")
        report(f"ledger import peak RSS, {size:,} rows", rss_import, 500, "limit", "target < 500 MB", "MB")

    print()
    print("| measurement | ours | baseline | ratio | target |")
    print("|---|---|---|---|---|")
    for row in ROWS:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
