"""Re-importing an unchanged ledger beside the python-calamine read of it, alternating, medians of N runs.

Not part of the test suite. Uses the files `tests/bench/ledger.py --keep DIR` made
(DIR/ledger-N.xlsx imported into DIR/import.db); each run is a fresh process,
its wall and CPU seconds its own (os.wait4). Alternating the commands spreads a
shared machine's load over all of them alike; CPU seconds are the steadier figure.

    python tests/bench/ledger.py --keep /tmp/ledger-bench       # once: makes the files
    python tests/bench/reimport.py /tmp/ledger-bench --runs 5
    python tests/bench/reimport.py /tmp/ledger-bench --compare /tmp/old-checkout   # an older tree beside

Prints, per command, ours / baseline = ratio, for wall and CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="the --keep folder of tests/bench/ledger.py")
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="another checkout's folder, run the same way beside this one")
    args = parser.parse_args()
    from ledger import run  # (the child's own wall and CPU seconds and peak RSS, as ledger.py measures them)
    from synth import AS_OF

    ledger, db = args.folder / f"ledger-{args.projects}.xlsx", args.folder / "import.db"
    if not ledger.exists() or not db.exists():
        raise SystemExit(f"{ledger} or {db} is missing: run tests/bench/ledger.py --keep {args.folder} first")
    py = sys.executable
    env = dict(os.environ, PROJECTS_HOME=str(args.folder / "home"))
    base = [py, "-m", "projects_cli", "--as-of", AS_OF.isoformat(), "--db", str(db), "ledger", "import",
            "--create-units", str(ledger)]
    commands: dict[str, tuple[list[str], dict]] = {
        "python-calamine read": ([py, str(args.folder / "read.py"), str(ledger)], env),
        "ledger import again (nothing changes)": (base, env),
        "ledger import --dry-run (nothing changes)": (base + ["--dry-run", "--format", "csv"], env),
    }
    if args.compare:
        older = dict(env, PYTHONPATH=str(args.compare))
        commands[f"ledger import again, {args.compare}"] = (base, older)
        commands[f"ledger import --dry-run, {args.compare}"] = (base + ["--dry-run", "--format", "csv"], older)
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (cmd, child_env) in commands.items():
            times[name].append(run(cmd, child_env))
    med = {name: tuple(statistics.median(t[i] for t in runs) for i in range(3)) for name, runs in times.items()}
    wall0, cpu0, _ = med["python-calamine read"]
    print(f"python-calamine read: wall {wall0:.2f} s, CPU {cpu0:.2f} s (medians of {args.runs})")
    for name, (wall, cpu, rss) in med.items():
        if name != "python-calamine read":
            print(f"{name}: wall {wall:.2f} s / {wall0:.2f} s = {wall / wall0:.2f}×, "
                  f"CPU {cpu:.2f} s / {cpu0:.2f} s = {cpu / cpu0:.2f}×, peak {rss:.0f} MB")


if __name__ == "__main__":
    main()
