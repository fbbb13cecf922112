"""An import stopped half-way (Ctrl-C, or the process killed) leaves the registry as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from counts import table_counts
from openpyxl import Workbook

from projects_cli.ledger import write


def ledger(path: Path, rows: int) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", "责任单位", "计划开工时间"])
    for i in range(rows):
        ws.append([f"项目{i:05d}", 100 + i, "经济发展局", "2025-06-30"])
    wb.save(path)
    return path


def test_ctrl_c_half_way_changes_nothing(cli, tmp_path, monkeypatch):
    path = ledger(tmp_path / "l.xlsx", 30)
    cli("add", "--name", "原有项目")
    before = table_counts(cli.url)
    batches = []
    real = write._write_milestones

    def interrupted(session, ctx, planner, batch):
        batches.append(len(batch))
        if len(batches) == 2:  # the first batch is written (but not committed): stop now
            raise KeyboardInterrupt
        return real(session, ctx, planner, batch)

    monkeypatch.setattr(write, "BATCH", 10)
    monkeypatch.setattr(write, "_write_milestones", interrupted)
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 130  # 128 + SIGINT, as a shell reports Ctrl-C
    assert batches == [10, 10]
    assert table_counts(cli.url) == before


KILLED = """
import sys, time
from pathlib import Path
from projects_cli.ledger import write
real = write._write_milestones
flag = Path(sys.argv[1])
def slow(session, ctx, planner, batch):
    real(session, ctx, planner, batch)
    flag.write_text("written")  # a batch is in the database, not committed
    time.sleep(60)
write.BATCH = 10
write._write_milestones = slow
from projects_cli.cli.app import main
sys.argv = ["projects", "--db", sys.argv[2], "--as-of", "2025-10-31", "ledger", "import", "--create-units", sys.argv[3]]
main()
"""


def test_killed_half_way_changes_nothing(sqlite_url, tmp_path):
    path = ledger(tmp_path / "l.xlsx", 30)
    flag = tmp_path / "flag"
    db_file = sqlite_url.split("///", 1)[1]
    before = table_counts(sqlite_url)
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(flag), db_file, str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            if flag.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert flag.exists(), proc.stderr.read().decode() if proc.poll() is not None else "import did not start"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert table_counts(sqlite_url) == before
    from sqlalchemy import text

    from projects_cli.store.db import session_scope

    with session_scope(sqlite_url, write=False) as s:
        assert s.connection().execute(text("PRAGMA integrity_check")).scalar() == "ok"
