"""Progress on a terminal (projects_cli/cli/progress.py): a line on stderr once a command has run a moment,
with the work's counts where it has them, and nothing when stderr is not a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys

from projects_cli.cli import progress


def run(args: list[str], tmp_path, *, terminal: bool) -> tuple[int, str, str]:
    """The command with stderr on a pseudo-terminal (or a pipe): exit code, stdout, stderr as seen."""
    env = {**os.environ, "PROJECTS_PROGRESS_AFTER": "0", "PROJECTS_HOME": str(tmp_path), "COLUMNS": "100"}
    command = [sys.executable, "-m", "projects_cli", "--db", str(tmp_path / "p.db"), *args]
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        return done.returncode, done.stdout, done.stderr
    master, slave = pty.openpty()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
        elif child.poll() is not None:
            break
    os.close(master)
    stdout = child.stdout.read().decode()
    return child.wait(), stdout, seen.decode(errors="replace")


def test_a_command_shows_progress_on_a_terminal_and_none_on_a_pipe(tmp_path):
    code, out, err = run(["init", "--sample"], tmp_path, terminal=True)
    assert code == 0 and "正在处理…" in err
    assert "十四五规划专栏" in err  # its own notes still reach the terminal
    code, out, err = run(["list", "--format", "json"], tmp_path, terminal=False)
    assert code == 0 and "正在处理" not in err and "正在处理" not in out and out.startswith("[")


def test_counted_work_shows_its_stage_and_counts():
    shown = progress.Progress()  # not started: the text it would show
    shown("read", 12_000, 100_000)
    assert shown._text == "读取 12,000 / 100,000（12%）"
    shown("write", 100_001, 100_000)
    assert shown._text == "写入 100,000 / 100,000（100%）"
    shown("sort", 0, 0)
    assert shown._text == "sort…"
    shown.close()


def test_the_delay_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("PROJECTS_PROGRESS_AFTER", "0.25")
    assert progress.after() == 0.25
    monkeypatch.setenv("PROJECTS_PROGRESS_AFTER", "soon")
    assert progress.after() == 1.0
    monkeypatch.delenv("PROJECTS_PROGRESS_AFTER")
    assert progress.after() == 1.0
