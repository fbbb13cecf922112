"""Ledger import and export on a big registry, each beside its bare baseline measured in the same run.

Not part of the test suite. From the checkout, with the package installed:

    python tests/bench/ledger.py                    # 100,000 projects
    python tests/bench/ledger.py --projects 20000 --keep /tmp/ledger-bench

* export: `projects ledger export` against a bare openpyxl write-only dump of
  the same cells (the dump's time less its python-calamine read);
* import: `projects ledger import` of that ledger into an empty registry, and
  again (nothing changes), against python-calamine merely reading the file;
* the floor under the first import: the very rows it added, written again by
  bare sqlite3 (executemany, one transaction) into the same empty registry.

Each command runs in a fresh process; wall and CPU seconds and peak RSS are the
child's own (os.wait4). The machine may be shared: CPU seconds are the steadier
figure. Targets (issue 3): export ≤ 1.2×, import ≤ 2.5×, peak RSS < 500 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CALAMINE_READ = """
import sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
print(len(rows))
"""

OPENPYXL_DUMP = """
import sys
from python_calamine import CalamineWorkbook
from openpyxl import Workbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
wb = Workbook(write_only=True)
ws = wb.create_sheet("台账")
for row in rows:
    ws.append(row)
wb.save(sys.argv[2])
"""


# The least any import writing these rows could take: the rows the import added (every table, in
# the registry's own table order) inserted again by bare sqlite3 executemany into the same empty
# registry, one transaction, with the tool's connection settings (WAL, foreign keys). Prints seconds.
WRITE_FLOOR = """
import shutil, sqlite3, sys, time
imported, empty, scratch = sys.argv[1:4]
source, before = sqlite3.connect(imported), sqlite3.connect(empty)
tables = [t for (t,) in before.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                       "AND name != 'alembic_version' ORDER BY rootpage")]
order = ["unit", "project", "milestone", "milestone_plan", "investment_plan", "investment_report", "change_log"]
tables.sort(key=lambda t: order.index(t) if t in order else len(order))
added = {}
for t in tables:
    last = before.execute(f"SELECT coalesce(max(rowid), 0) FROM {t}").fetchone()[0]
    columns = ", ".join(f'"{c[1]}"' for c in source.execute(f"PRAGMA table_info({t})"))
    rows = source.execute(f"SELECT {columns} FROM {t} WHERE rowid > ?", (last,)).fetchall()
    if rows:
        added[t] = (columns, rows)
shutil.copy(empty, scratch)
con = sqlite3.connect(scratch, isolation_level=None)
con.execute("PRAGMA journal_mode = WAL")
con.execute("PRAGMA foreign_keys = ON")
start = time.perf_counter()
con.execute("BEGIN IMMEDIATE")
for t, (columns, rows) in added.items():
    con.executemany(f"INSERT INTO {t} ({columns}) VALUES ({', '.join('?' * len(rows[0]))})", rows)
con.execute("COMMIT")
con.close()
print(time.perf_counter() - start, sum(len(rows) for _, rows in added.values()))
"""


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float, float]:
    """(wall, CPU, peak RSS MB) of a child process, measured by wait4 (stdout and stderr to files)."""
    import time

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--keep", help="folder for the generated files (kept between runs)")
    args = parser.parse_args()
    from synth import AS_OF, generate

    tmp = Path(args.keep or tempfile.mkdtemp(prefix="ledger-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    os.environ["PROJECTS_HOME"] = str(tmp / "home")  # the registries made here and the commands share one log key
    env = dict(os.environ)
    py = sys.executable
    projects = [py, "-m", "projects_cli", "--as-of", AS_OF.isoformat()]
    registry = tmp / f"registry-{args.projects}.db"
    if not registry.exists():
        generate(f"sqlite:///{registry}", args.projects)
    (tmp / "read.py").write_text(CALAMINE_READ)
    (tmp / "dump.py").write_text(OPENPYXL_DUMP)
    ledger, dump = tmp / f"ledger-{args.projects}.xlsx", tmp / "dump.xlsx"

    rows = []

    def report(what: str, ours: tuple, base: tuple | None, base_name: str, target: str) -> None:
        wall, cpu, rss = ours
        line = [what, f"{wall:.1f} s", f"{cpu:.1f} s", f"{rss:.0f} MB"]
        if base is not None:
            line += [f"{base[0]:.1f} s / {base[1]:.1f} s ({base_name})", f"{wall / base[0]:.2f}× / {cpu / base[1]:.2f}×"]
        else:
            line += ["", ""]
        rows.append(line + [target])
        print(" | ".join(line + [target]), flush=True)

    export = run([*projects, "--db", str(registry), "ledger", "export", str(ledger)], env)
    read = run([py, str(tmp / "read.py"), str(ledger)])
    dumped = run([py, str(tmp / "dump.py"), str(ledger), str(dump)])
    write_only = (dumped[0] - read[0], dumped[1] - read[1])
    report(f"ledger export, {args.projects:,} projects", export, write_only, "bare write-only dump",
           "≤ 1.2×, < 500 MB")
    empty = tmp / "empty.db"
    empty.unlink(missing_ok=True)
    generate(f"sqlite:///{empty}", 0)
    fresh = tmp / "import.db"
    shutil.copy(empty, fresh)
    imported = run([*projects, "--db", str(fresh), "ledger", "import", "--create-units", str(ledger)], env)
    report(f"ledger import, {args.projects:,} rows, empty registry", imported, read, "python-calamine read",
           "≤ 2.5×, < 500 MB")
    (tmp / "floor.py").write_text(WRITE_FLOOR)
    scratch = tmp / "floor.db"
    floor = subprocess.run([py, str(tmp / "floor.py"), str(fresh), str(empty), str(scratch)], check=True,
                           capture_output=True, text=True).stdout.split()
    for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
        leftover.unlink(missing_ok=True)
    written = float(floor[0])
    line = [f"floor: the same {int(floor[1]):,} rows written by bare sqlite3", f"{written:.1f} s", "", "",
            f"{read[0]:.1f} s (python-calamine read)",
            f"{written / read[0]:.2f}× (read + write {(written + read[0]) / read[0]:.2f}×)", ""]
    rows.append(line)
    print(" | ".join(line), flush=True)
    again = run([*projects, "--db", str(fresh), "ledger", "import", "--create-units", str(ledger)], env)
    report("ledger import again (nothing changes)", again, read, "python-calamine read", "≤ 2.5×, < 500 MB")
    dry = run([*projects, "--db", str(fresh), "ledger", "import", "--create-units", str(ledger), "--dry-run", "--format", "csv"], env)
    report("ledger import --dry-run (nothing changes)", dry, read, "python-calamine read", "")
    print()
    print("| measurement | wall | CPU | peak RSS | baseline wall / CPU | ratio wall / CPU | target |")
    print("|---|---|---|---|---|---|---|")
    for line in rows:
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main()
