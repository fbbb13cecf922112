"""The resident process (projects_cli/cli/resident.py): a served command behaves exactly as one run in its own
process — output, exit code, files, prompts, Ctrl-C — and a resident process serves only callers it may.

Each test starts resident processes of its own, in a data folder of its own (a short path: a Unix socket's
is at most 107 bytes), and stops them at the end. `served` is called through a small script that exits 99
when the command was not served, so a test knows which way it ran.
"""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from projects_cli.cli import resident

pytestmark = pytest.mark.skipif(not resident.supported(), reason="the resident process needs Linux")

NOT_SERVED = 99
SERVE = f"""
import sys
from projects_cli.cli import resident
code = resident.served(["projects", *sys.argv[1:]])
sys.exit({NOT_SERVED} if code is None else code)
"""


class Resident:
    """Run commands served (or not), in a data folder of their own; find and stop the resident processes."""

    def __init__(self, home: Path, registry: Path):
        self.home = home
        self.registry = registry
        self.env = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
        self.env.update(PROJECTS_HOME=str(home), PROJECTS_RESIDENT="1", PROJECTS_RESIDENT_IDLE="60",
                        PROJECTS_AS_OF="2025-10-31", PROJECTS_USER="tester", PROJECTS_LANG="zh")

    def folder(self) -> Path:
        return self.home / "cache" / "resident"

    def pids(self) -> list[int]:
        """The resident processes serving now (each writes its pid into the lock beside its socket)."""
        found = []
        for lock in self.folder().glob("*.lock") if self.folder().exists() else ():
            text = lock.read_text().strip()
            if text.isdigit() and _alive(int(text)) and lock.with_suffix("").exists():
                found.append(int(text))
        return found

    def run(self, *args: str, served: bool | None = None, env: dict | None = None, **kwargs):
        """`projects ARGS` through `served`; `served` True/False: assert it was (not) served."""
        result = subprocess.run([sys.executable, "-c", SERVE, "--db", str(self.registry), *args],
                                env={**self.env, **(env or {})}, capture_output=True, text=True, **kwargs)
        if served is not None:
            assert (result.returncode != NOT_SERVED) is served, result
        return result

    def in_process(self, *args: str, env: dict | None = None, **kwargs):
        """`projects ARGS` in a process of its own, as with PROJECTS_RESIDENT=0."""
        return subprocess.run([sys.executable, "-m", "projects_cli", "--db", str(self.registry), *args],
                              env={**self.env, "PROJECTS_RESIDENT": "0", **(env or {})}, capture_output=True,
                              text=True, **kwargs)

    def wait(self, count: int = 1, timeout: float = 30) -> list[int]:
        """Until `count` resident processes serve (one starts in the background after a command not served)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.pids()
            if len(pids) >= count:
                return pids
            time.sleep(0.05)
        raise AssertionError(f"no resident process after {timeout} s")

    def start(self) -> int:
        self.run("--version", served=False)  # not served (the script runs nothing then): starts one
        return self.wait()[0]

    def stop(self) -> None:
        for pid in self.pids():
            os.kill(pid, signal.SIGTERM)
        gone_by(self.pids, 10)


def gone_by(pids, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pids()


@pytest.fixture
def res(demo_template):
    home = Path(tempfile.mkdtemp(prefix="pr-"))
    registry = home / "demo.db"
    shutil.copyfile(demo_template, registry)
    r = Resident(home, registry)
    yield r
    r.stop()
    shutil.rmtree(home, ignore_errors=True)


def test_a_served_command_prints_and_exits_as_one_run_by_itself(res):
    res.start()
    for args in (["overdue"], ["--help"], ["show", "GX-9999"]):
        alone, served = res.in_process(*args), res.run(*args, served=True)
        assert (served.returncode, served.stdout, served.stderr) == (alone.returncode, alone.stdout, alone.stderr)
        if args[0] == "show":
            assert served.returncode == 1 and "GX-9999" in served.stderr


@pytest.mark.slow
def test_writes_land_in_the_registry_named_relative_to_the_callers_folder_with_its_umask(res, tmp_path):
    res.start()
    shutil.copyfile(res.registry, tmp_path / "office.db")
    done = subprocess.run([sys.executable, "-c", SERVE, "--db", "office.db", "milestone", "done", "GX-0013", "开工",
                           "--on", "2025-10-31"], cwd=tmp_path, env=res.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = res.in_process("--db", str(tmp_path / "office.db"), "milestone", "list", "GX-0013")
    assert "2025-10-31" in shown.stdout
    export = subprocess.run([sys.executable, "-c", SERVE, "--db", "office.db", "ledger", "export", "台账.xlsx"],
                            cwd=tmp_path, env=res.env, capture_output=True, text=True, umask=0o077)
    assert export.returncode == 0, export.stderr
    assert (tmp_path / "台账.xlsx").stat().st_mode & 0o777 == 0o600
    assert not (Path("/") / "台账.xlsx").exists()


@pytest.mark.slow
def test_each_command_is_a_fresh_fork_nothing_passes_from_one_to_the_next(res, tmp_path):
    res.start()
    rules = tmp_path / "rules.toml"
    first = res.run("--as-of", "2025-10-31", "overdue", served=True)
    rules.write_text('[overdue]\ntiers = [ { name = "一般逾期", max_days = 5 }, { name = "严重逾期" } ]\n',
                     encoding="utf-8")
    second = res.run("--rules", str(rules), "overdue", served=True)
    alone = res.in_process("--rules", str(rules), "overdue")
    assert second.stdout == alone.stdout != first.stdout
    assert res.run("overdue", served=True).stdout == first.stdout  # the rules of one command stay with it


@pytest.mark.slow
def test_the_language_and_flags_fixed_at_import_have_a_resident_process_each(res):
    res.start()
    res.run("overdue", env={"PROJECTS_LANG": "en"}, served=False)  # the Chinese one may not: one for English starts
    res.wait(2)
    served = res.run("overdue", env={"PROJECTS_LANG": "en"}, served=True)
    assert served.stdout == res.in_process("overdue", env={"PROJECTS_LANG": "en"}).stdout
    assert served.stdout.startswith("Overdue at 2025-10-31")
    importtime = subprocess.run([sys.executable, "-X", "importtime", "-c", SERVE, "list"], env=res.env,
                                capture_output=True, text=True)
    assert importtime.returncode == NOT_SERVED  # someone looking at this very process
    assert len(res.pids()) == 2


@pytest.mark.slow
def test_a_changed_file_retires_the_resident_process(res):
    pid = res.start()
    module = Path(resident.__file__).with_name("common.py")
    before = module.stat()
    try:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        assert res.run("list", served=False).returncode == NOT_SERVED
        gone_by(lambda: [pid] if _alive(pid) else [], 10)
        (new,) = res.wait()
        assert new != pid
        assert res.run("list", served=True).returncode == 0
    finally:
        os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))


def _alive(pid: int) -> bool:
    """Not a zombie (a resident process that exited is reaped by init, or by this test's parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_an_idle_resident_process_exits_and_removes_its_socket(res):
    res.env["PROJECTS_RESIDENT_IDLE"] = "0.5"
    pid = res.start()
    assert res.run("list", served=True).returncode == 0
    gone_by(lambda: [pid] if _alive(pid) else [], 10)
    assert not list(res.folder().glob("*.sock"))


def _at_a_terminal(res, *args: str, served: bool = True):
    """Start `projects ARGS` served (or in a process of its own), its stdin and stderr a terminal; returns the
    process and the terminal."""
    master, slave = pty.openpty()
    how = ["-c", SERVE] if served else ["-m", "projects_cli"]
    env = res.env if served else {**res.env, "PROJECTS_RESIDENT": "0"}
    process = subprocess.Popen([sys.executable, *how, "--db", str(res.registry), *args], env=env,
                               stdin=slave, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    return process, master


def _read_until(master: int, text: str, timeout: float = 20) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    assert text.encode() in seen, seen.decode(errors="replace")
    return seen.decode(errors="replace")


def test_a_question_is_asked_at_the_callers_terminal_and_answered_there(res):
    server = res.start()
    process, master = _at_a_terminal(res, "project", "archive", "GX-0004", "--reason", "并入园区")
    try:
        _read_until(master, "[y/N]")
        children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == server]
        assert children, "the command runs in a fork of the resident process"
        os.write(master, b"n\n")
        assert process.wait(20) == 1
        assert "已取消" in _read_until(master, "未改动任何内容")
    finally:
        os.close(master)
    assert "GX-0004" in res.in_process("list").stdout  # not archived


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().split(")")[-1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


@pytest.mark.slow
def test_ctrl_c_reaches_the_command_and_its_exit_code_comes_back(res):
    res.start()
    process, master = _at_a_terminal(res, "project", "archive", "GX-0004", "--reason", "并入园区")
    try:
        _read_until(master, "[y/N]")
        process.send_signal(signal.SIGINT)  # what the terminal sends the foreground process on Ctrl-C
        code = process.wait(20)
    finally:
        os.close(master)
    by_itself, master = _at_a_terminal(res, "project", "archive", "GX-0004", "--reason", "并入园区", served=False)
    try:
        _read_until(master, "[y/N]")
        by_itself.send_signal(signal.SIGINT)
        assert code == by_itself.wait(20) != 0
    finally:
        os.close(master)
    assert "GX-0004" in res.in_process("list").stdout


@pytest.mark.slow
def test_a_socket_left_by_a_killed_resident_process_is_taken_over(res):
    pid = res.start()
    os.kill(pid, signal.SIGKILL)
    gone_by(lambda: [pid] if _alive(pid) else [], 10)
    assert list(res.folder().glob("*.sock"))  # it could not remove it
    res.run("list", served=False)  # nobody answers: not served, and a new one is started
    assert res.wait()[0] != pid
    assert res.run("list", served=True).returncode == 0


def test_not_served_where_it_may_not_be(monkeypatch):
    monkeypatch.setenv("PROJECTS_RESIDENT", "0")
    assert not resident.enabled()
    assert resident.served(["projects", "list"]) is None
    monkeypatch.setenv("PROJECTS_RESIDENT", "1")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")
    monkeypatch.setenv("PROJECTS_HOME", "/tmp/" + "x" * 120)  # a socket path longer than a Unix socket's
    assert resident.socket_path(resident.identity()) is None


def test_a_folder_others_may_enter_is_not_used(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    home = Path(tempfile.mkdtemp(prefix="pr-"))
    try:
        monkeypatch.setenv("PROJECTS_HOME", str(home))
        path = resident.socket_path(resident.identity())
        assert path is not None and Path(path).parent.stat().st_mode & 0o777 == 0o700
        Path(path).parent.chmod(0o755)
        assert resident.socket_path(resident.identity()) is None
    finally:
        shutil.rmtree(home)


@pytest.mark.slow
def test_a_garbled_request_is_dropped_and_leaves_nothing_open(res):
    import socket

    pid = res.start()
    path = next(res.folder().glob("*.sock"))
    open_before = len(os.listdir(f"/proc/{pid}/fd"))
    for garbage in (b"", b"xx", (10).to_bytes(4, "big") + b"short", (1 << 30).to_bytes(4, "big")):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(str(path))
            r, w = os.pipe()
            socket.send_fds(sock, [garbage or b"\0"], [r, w, w])
            os.close(r), os.close(w)
            sock.shutdown(socket.SHUT_WR)
            assert sock.recv(16) == b""  # closed without an answer
    assert res.run("list", served=True).returncode == 0
    gone_by(lambda: os.listdir(f"/proc/{pid}/fd")[open_before:], 5)  # (it closes the connection after the code)


@pytest.mark.slow
def test_the_installed_package_preloads(tmp_path):
    """`pip install .` puts migrations/, templates/ and data/ inside projects_cli: preloading that tree imports
    no migration script and fails on nothing (the tests otherwise run on the checkout)."""
    root = Path(__file__).resolve().parent.parent
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(root)], check=True, capture_output=True)
    check = ("import sys; from projects_cli.cli import resident; resident.preload(); "
             "import projects_cli; print(projects_cli.__file__); "
             "print(sorted(m for m in sys.modules if m.startswith('projects_cli.migrations.') and m != "
             "'projects_cli.migrations.versions'))")  # (walking the packages imports their empty __init__)
    shown = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(target)})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [str(target / "projects_cli" / "__init__.py"), "[]"]
