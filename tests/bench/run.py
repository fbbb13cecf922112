"""Benchmarks (issues 8 and 25): each figure beside a baseline measured in the same run, as ours / baseline / ratio.

Not part of the test suite. Run from the checkout with the package and the bench extra installed
(`pip install -e '.[bench]'`: sqlite-utils, the everyday commands' baseline):

    python tests/bench/run.py                          # everything, 10,000 and 100,000 projects
    python tests/bench/run.py --sizes 10000            # quicker
    python tests/bench/run.py --only everyday          # the everyday commands on the sample registry
    python tests/bench/run.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/projects_bench
    python tests/bench/run.py --readme                 # and rewrite README.md's table with the figures

Every command runs in a fresh process; wall time is the median of --repeat runs,
peak memory is the child's own maximum RSS (os.wait4). --pg names a database the
run drops and creates again (never point it at a registry you keep).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
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


def median(cmd: list[str], repeat: int, env=None, before=None) -> tuple[float, float]:
    """Median seconds and the largest peak RSS of `repeat` runs; `before()` runs (untimed) before each."""
    results = []
    for _ in range(repeat):
        if before is not None:
            before()
        results.append(run(cmd, env))
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


def report(what: str, ours: float, base: float, base_name: str, target: str | float = "", unit: str = "s") -> None:
    """One figure: ours, the baseline, the ratio; a number as `target` is the ratio's limit (✓ when within it)."""
    ratio = ours / base if base else float("inf")
    if isinstance(target, (int, float)):
        target = f"≤ {target:g}× {'✓' if ratio <= target else '✗'}"
    ROWS.append((what, f"{ours:.3f} {unit}", f"{base:.3f} {unit} ({base_name})", f"{ratio:.2f}×", target))
    print(f"{what:<48} {ours:9.3f} {unit}   baseline {base:9.3f} {unit} ({base_name})   ratio {ratio:5.2f}  {target}", flush=True)


def table() -> str:
    lines = ["| measurement | ours | baseline (same run) | ratio | target |", "|---|---|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in ROWS]) + "\n"


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def rewrite_readme(path: Path, text: str) -> None:
    """Put `text` between README.md's bench markers (the table of the last run)."""
    readme = path.read_text(encoding="utf-8")
    if START not in readme or END not in readme:
        raise SystemExit(f"{path} has no {START} … {END} markers")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")


# The everyday commands (issue 25) on the sample registry, beside `sqlite-utils rows` of its projects. Writes run
# on a fresh copy of the registry each time (the copy untimed).
READS = [("list", ["list"]), ("show", ["show", "GX-0001"]), ("overdue", ["overdue"]), ("countdown", ["countdown"]),
         ("cards list", ["cards", "list"]), ("issue list", ["issue", "list"]), ("log", ["log"])]
WRITES = [("issue respond (an issue step)", ["issue", "respond", "2025-004", "--text", "已协调供电公司扩容"]),
          ("milestone done", ["milestone", "done", "GX-0013", "开工", "--on", "2025-10-31"]),
          ("invest record", ["invest", "record", "GX-0001", "--month", "2025-10", "--amount", "1200"])]
SAMPLE_AS_OF = "2025-10-31"


def resident_serving(env: dict) -> list[int]:
    """The resident processes (projects_cli/cli/resident.py) serving the commands run with `env`."""
    from projects_cli.cli import resident

    path = resident.socket_path(resident.identity(env))
    if path is None:
        raise SystemExit("no resident process can serve here (a Unix socket's path would be too long): "
                         "use a shorter --keep folder")
    lock = Path(f"{path}.lock")
    pid = lock.read_text().strip() if lock.exists() else ""
    return [int(pid)] if pid.isdigit() and Path(path).exists() and Path(f"/proc/{pid}").exists() else []


def warm(cmd: list[str], env: dict) -> list[int]:
    """Run `cmd` once (it starts the resident process) and wait until a resident process serves."""
    run(cmd, env)
    deadline = time.monotonic() + 60
    while not resident_serving(env):
        if time.monotonic() > deadline:
            raise SystemExit("the resident process did not start within 60 s")
        time.sleep(0.1)
    return resident_serving(env)


def everyday(tmp: Path, projects: list[str], env: dict, repeat: int) -> None:
    """Each command twice: served by the resident process (what a clerk gets from the second command of the
    day on), and with PROJECTS_RESIDENT=0 (every command imports everything itself, as the first one does)."""
    sample = tmp / "sample.db"
    if not sample.exists():
        subprocess.run([*projects, "--db", str(sample), "init", "--sample"], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tool = shutil.which("sqlite-utils") or str(Path(sys.executable).with_name("sqlite-utils"))
    if not Path(tool).exists():
        raise SystemExit("sqlite-utils is not installed: pip install -e '.[bench]'")
    served = {**env, "PROJECTS_RESIDENT": "1"}
    warm([*projects, "--db", str(sample), "list"], served)
    base, _ = median([tool, "rows", str(sample), "project"], repeat)
    # What the fixed CLI library costs by itself: a two-command typer app doing nothing, beside the same baseline
    # (no command built on typer can start faster than this).
    minimal, _ = median([sys.executable, script(tmp, "minimal.py", MINIMAL_TYPER), "hello"], repeat)
    report("minimal typer app (two commands, no work)", minimal, base, "`sqlite-utils rows` of its projects")
    baseline = "`sqlite-utils rows` of its projects"
    work = tmp / "sample-work.db"
    head = Path(env["PROJECTS_HOME"]) / "log.head"  # the log's length this machine saw last: a copy put back is shorter

    def fresh() -> None:
        shutil.copy(sample, work)
        head.unlink(missing_ok=True)

    commands = [(name, sample, args, None) for name, args in READS] + [(name, work, args, fresh) for name, args in WRITES]
    for name, registry, args, before in commands:
        cmd = [*projects, "--db", str(registry), "--as-of", SAMPLE_AS_OF, *args]
        ours, _ = median(cmd, repeat, served, before=before)
        report(f"`{name}`, sample registry", ours, base, baseline, 1.5)
        alone, _ = median(cmd, repeat, env, before=before)
        report(f"`{name}`, sample registry, no resident process", alone, base, baseline)
    if not resident_serving(served):
        raise SystemExit("the resident process stopped during the run: its figures are not what they say")
    stop_resident(served)


def stop_resident(env: dict) -> None:
    for pid in resident_serving(env):
        os.kill(pid, signal.SIGTERM)


# The overdue report's query as BARE_OVERDUE has it, for PostgreSQL through bare psycopg.
BARE_OVERDUE_PG = BARE_OVERDUE.replace("import calendar, json, sqlite3, sys", "import calendar, json, psycopg, sys").replace(
    "con = sqlite3.connect(db)", "con = psycopg.connect(db)").replace(
    "CAST(julianday(:as_of) - julianday(items.due) AS INTEGER)", "(CAST(:as_of AS date) - items.due)")
BARE_OVERDUE_PG = BARE_OVERDUE_PG.replace('""", params).fetchall()', '""".replace(":as_of", "%(as_of)s::date").replace(":since", "%(since)s::date").replace(":upto", "%(upto)s::date").replace(":first", "%(first)s").replace(":month", "%(month)s").replace(":year", "%(year)s").replace(":expected", "%(expected)s::numeric"), params).fetchall()').replace(
    "late = [r for r in rows if r[6] < as_of]", "rows = [[v.isoformat() if hasattr(v, 'isoformat') else float(v) if type(v).__name__ == 'Decimal' else v for v in r] for r in rows]\nlate = [r for r in rows if r[6] < as_of]")


def postgres(url: str, tmp: Path, projects: list[str], env: dict, repeat: int, size: int, ledger: Path | None) -> None:
    """overdue, cards rate and import against the PostgreSQL server at `url` (its database dropped and made again),
    beside bare psycopg doing the same query (and python-calamine reading the ledger)."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(url)
    conninfo = target.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def fresh() -> None:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{target.database}"')
            con.execute(f'CREATE DATABASE "{target.database}"')

    from synth import AS_OF

    as_of = AS_OF.isoformat()
    fresh()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / "synth.py"), "--db", url, "--projects", str(size)], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    print(f"generated {size:,} projects on PostgreSQL in {time.perf_counter() - t0:.1f} s")
    bare = script(tmp, "bare_overdue_pg.py", BARE_OVERDUE_PG)
    ours, _ = median([*projects, "--db", url, "--as-of", as_of, "overdue", "--format", "json"], repeat, env)
    base, _ = median([sys.executable, bare, conninfo, as_of], repeat)
    report(f"PostgreSQL: `overdue --format json`, {size:,} projects", ours, base, "the same query in bare psycopg", 2)
    same_rows([*projects, "--db", url, "--as-of", as_of, "overdue", "--format", "json"],
              [sys.executable, bare, conninfo, as_of], env)
    t_rate, _ = run([*projects, "--db", url, "--as-of", as_of, "cards", "rate"], env)
    report(f"PostgreSQL: `cards rate`, {size:,} projects", t_rate, base, "bare psycopg reading what it rates (the overdue query)")
    if ledger is None:
        return
    t_read, _ = run([sys.executable, script(tmp, "calamine.py", CALAMINE_READ), str(ledger)])
    fresh()
    subprocess.run([*projects, "--db", url, "db", "upgrade"], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    imported, _ = run([*projects, "--db", url, "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
    report(f"PostgreSQL: `ledger import`, {size:,} rows, empty registry", imported, t_read, "python-calamine read")
    again, _ = run([*projects, "--db", url, "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
    report("PostgreSQL: `ledger import` again (rows found unchanged)", again, t_read, "python-calamine read", 2.5)
    seen, _ = run([*projects, "--db", url, "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
    report("PostgreSQL: `ledger import` a third time (rows seen before)", seen, t_read, "python-calamine read", 2.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", help="folder to keep the generated files in")
    parser.add_argument("--only", choices=["startup", "everyday", "registry", "postgres"], action="append",
                        help="run only these parts (again for more than one)")
    parser.add_argument("--pg", help="a PostgreSQL database URL (dropped and made again) for overdue, cards rate and "
                                     "import there, at the largest size")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's table with this run's figures")
    args = parser.parse_args()
    parts = set(args.only or ["startup", "everyday", "registry", "postgres"])
    py = sys.executable
    projects = [py, "-m", "projects_cli"]
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="projects-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ["PROJECTS_HOME"] = str(tmp / "home")  # the registries made here and the commands share one log key
    # Each command imports everything itself (its peak RSS is the measured process's own); the start-up and
    # everyday parts also measure the commands served by the resident process (projects_cli/cli/resident.py).
    env = {**os.environ, "PROJECTS_RESIDENT": "0"}
    machine = (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{platform.platform()}")
    print(f"machine: {machine}")

    if "startup" in parts:
        minimal = script(tmp, "minimal.py", MINIMAL_TYPER)
        served = {**env, "PROJECTS_RESIDENT": "1"}
        warm([*projects, "--help"], served)
        t_base, _ = median([py, minimal, "--help"], args.repeat)
        t_ours, _ = median([*projects, "--help"], args.repeat, served)
        report("`projects --help`", t_ours, t_base, "minimal typer app --help", 1.3)
        t_ours, _ = median([*projects, "--help"], args.repeat, env)
        report("`projects --help`, no resident process", t_ours, t_base, "minimal typer app --help")
        stop_resident(served)
        t_base, _ = median([py, "-c", "pass"], args.repeat)
        t_ours, _ = median([*projects, "--version"], args.repeat, env)
        report("`projects --version`", t_ours, t_base, "python -c pass")
    if "everyday" in parts:
        everyday(tmp, projects, env, args.repeat)
    sizes = [int(s) for s in args.sizes.split(",")]
    ledger = None
    if "registry" in parts:
        ledger = registry_benchmarks(tmp, projects, env, args.repeat, sizes)
    if "postgres" in parts and args.pg:
        if ledger is None and (tmp / f"ledger-{max(sizes)}.xlsx").exists():
            ledger = tmp / f"ledger-{max(sizes)}.xlsx"
        postgres(args.pg, tmp, projects, env, args.repeat, max(sizes), ledger)
    print()
    print(table())
    if args.readme:
        stamp = time.strftime("%Y-%m-%d")
        command = " ".join(["python tests/bench/run.py", *sys.argv[1:]])
        rewrite_readme(HERE.parent.parent / "README.md",
                       f"Measured {stamp} by `{command}` on {machine} (medians of {args.repeat} runs; "
                       "ratios within one run).\n\n" + table())
        print("README.md's table rewritten")


def registry_benchmarks(tmp: Path, projects: list[str], env: dict, repeat: int, sizes: list[int]) -> Path | None:
    """overdue, cards rate, ledger export and import on synthetic registries of each size (SQLite); the last
    size's ledger, for the PostgreSQL part."""
    from ledger import WRITE_FLOOR
    from synth import AS_OF

    py = sys.executable
    bare = script(tmp, "bare_overdue.py", BARE_OVERDUE)
    some = script(tmp, "milestones_only.py", MILESTONES_ONLY)
    empty = tmp / "empty.db"
    generate(empty, 0)
    t_empty, _ = median([*projects, "--db", str(empty), "--as-of", AS_OF.isoformat(), "overdue", "--format", "json"], repeat, env)
    t_pass, _ = median([py, "-c", "pass"], repeat)
    ledger = None
    for size in sizes:
        dbfile = tmp / f"bench-{size}.db"
        if not dbfile.exists():
            t0 = time.perf_counter()
            generate(dbfile, size)
            print(f"generated {size:,} projects in {time.perf_counter() - t0:.1f} s")
        as_of = AS_OF.isoformat()
        t_ours, _ = median([*projects, "--db", str(dbfile), "--as-of", as_of, "overdue", "--format", "json"], repeat, env)
        t_bare, _ = median([py, bare, str(dbfile), as_of], repeat)
        report(f"`overdue --format json` work beyond start-up, {size:,} projects", t_ours - t_empty, t_bare - t_pass,
               "the same query in bare sqlite3", 2)
        t_some, _ = median([py, some, str(dbfile), as_of], repeat)
        report(f"`overdue --format json` work beyond start-up, {size:,} projects", t_ours - t_empty, t_some - t_pass,
               "overdue milestones only, bare sqlite3")
        same_rows([*projects, "--db", str(dbfile), "--as-of", as_of, "overdue", "--format", "json"], [py, bare, str(dbfile), as_of], env)
        work = tmp / f"rate-{size}.db"
        shutil.copy(dbfile, work)
        t_rate, _ = run([*projects, "--db", str(work), "--as-of", as_of, "cards", "rate"], env)
        report(f"`cards rate`, {size:,} projects", t_rate, t_ours, "overdue on the same registry")

        ledger = tmp / f"ledger-{size}.xlsx"
        t_export, rss_export = run([*projects, "--db", str(dbfile), "--as-of", as_of, "ledger", "export", str(ledger)], env)
        dump = tmp / f"dump-{size}.xlsx"
        t_dump, _ = run([py, script(tmp, "dump.py", OPENPYXL_DUMP), str(ledger), str(dump)])
        t_read, rss_read = run([py, script(tmp, "calamine.py", CALAMINE_READ), str(ledger)])
        # the dump script reads first (calamine) then writes: its write time is the difference
        report(f"`ledger export`, {size:,} rows", t_export, t_dump - t_read, "bare openpyxl write-only dump", 1.2)
        report(f"`ledger export` peak RSS, {size:,} rows", rss_export, 500, "limit", "< 500 MB", "MB")
        fresh = tmp / f"import-{size}.db"
        generate(fresh, 0)
        shutil.copy(fresh, empty)
        t_import, rss_import = run([*projects, "--db", str(fresh), "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
        floor_script = script(tmp, "floor.py", WRITE_FLOOR)
        scratch = tmp / "floor.db"
        written, rows = subprocess.run([py, floor_script, str(fresh), str(empty), str(scratch)], check=True,
                                       capture_output=True, text=True).stdout.split()
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)
        floor = t_read + float(written)
        report(f"`ledger import`, {size:,} rows, empty registry", t_import, floor,
               f"floor: python-calamine read {t_read:.1f} s + bare executemany of its {int(rows):,} rows", 1.3)
        report(f"`ledger import` peak RSS, {size:,} rows", rss_import, 500, "limit", "< 500 MB", "MB")
        again, _ = run([*projects, "--db", str(fresh), "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
        report(f"`ledger import` again, {size:,} rows (found unchanged, fingerprints kept)", again, t_read,
               "python-calamine read", 2.5)
        seen, _ = run([*projects, "--db", str(fresh), "--as-of", as_of, "ledger", "import", "--create-units", str(ledger)], env)
        report(f"`ledger import` a third time, {size:,} rows (seen before)", seen, t_read, "python-calamine read", 2.5)
        dry, _ = run([*projects, "--db", str(fresh), "--as-of", as_of, "ledger", "import", "--create-units", "--dry-run",
                      "--format", "csv", str(ledger)], env)
        report(f"`ledger import --dry-run`, {size:,} rows (seen before)", dry, t_read, "python-calamine read", 2.5)
    return ledger


if __name__ == "__main__":
    main()
