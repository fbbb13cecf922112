"""The resident process (常驻进程): an everyday command starts in milliseconds, not half a second.

Of the half second `projects list` took, 95 % was Python importing typer, SQLAlchemy, SQLModel
and building the registry's models; the work itself takes a few milliseconds. So the first
command starts, in the background, a process that has imported all of that once and then
waits; every later command is *forked* from it (the pre-forking server's trick, or Android's
zygote): a new process with the modules already loaded, which runs the command in the
caller's terminal and exits with its code.

What makes this safe is that nothing passes from one command to the next. Each command is a
fresh fork of the state right after the imports — no command has run in it, no database has
been opened, no file or setting has been read (a command opens the registry and reads the
office's config, rules and templates itself, as before). The fork gets the caller's own
stdin, stdout and stderr (the file descriptors themselves, passed over the socket), its
working folder, environment, umask and arguments; Ctrl-C and the other signals a terminal
sends the caller are passed on to it.

The caller (`served`, from the `projects` script before typer is imported) is a few
milliseconds of Python: it connects to the socket, sends its request and waits for the exit
code. Not served — no resident process yet, an old one, anything unexpected — it runs the
command itself as it always did, and starts a resident process for the next one. Which
process may serve is decided by `identity`: the same interpreter, the same `projects_cli`,
the same language and encoding settings (the things fixed at import time); a resident
process also stops serving as soon as any file it imported has changed (an upgrade, an edited
checkout), and after `IDLE` seconds without a command.

Linux only (it needs fork, `os.pidfd_open` and passing file descriptors over a Unix socket);
elsewhere, and with PROJECTS_RESIDENT=0, every command runs in its own process.
Standard library only: the caller imports nothing else.
"""

from __future__ import annotations

import os
import sys

MODULE = "projects_cli.cli.resident"  # run as `python -m`, it is the resident process
ENV = "PROJECTS_RESIDENT"  # 0 / off / no: never serve (every command imports everything itself)
IDLE_ENV = "PROJECTS_RESIDENT_IDLE"  # seconds a resident process waits for a command before it exits
IDLE = 900.0
# What is fixed when the modules are imported, so a process started with other values may not serve: the
# interface's language (help texts are translated when the commands are defined) and the encodings.
IDENTITY_ENV = ("PROJECTS_LANG", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "LANG", "PYTHONUTF8",
                "PYTHONIOENCODING", "PYTHONPATH", "PYTHONHASHSEED")
MAX_REQUEST = 4 << 20  # a request is the arguments and the environment: far less than this
# Libraries a command imports only when it runs (SQLAlchemy's database drivers, the holiday calendar).
LIBRARIES = ("sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql.psycopg", "chinese_calendar", "pwd")
# Folders of an installed package that are not modules to import: alembic's migration scripts (env.py runs
# a migration when imported).
NOT_MODULES = ("projects_cli.migrations",)
SOCKET_MAX = 100  # a Unix socket's path is at most 107 bytes; a longer one: not served


def supported() -> bool:
    import socket

    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "pidfd_open") \
        and hasattr(socket, "send_fds") and hasattr(socket, "AF_UNIX")


def enabled(environ=os.environ) -> bool:
    """Whether this caller may be served: not turned off, and not run with -X or -W options (importtime,
    dev mode, warnings as errors: someone looking at this very process) on a system that can."""
    off = environ.get(ENV, "").strip().lower() in ("0", "off", "no", "false")
    return not off and not sys._xoptions and not sys.warnoptions and supported()


PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # this projects_cli


def identity(environ=os.environ) -> str:
    """Who may serve this caller: the interpreter, where projects_cli is, and the settings fixed at import."""
    package = PACKAGE
    settings = "\n".join(f"{key}={environ.get(key, '')}" for key in IDENTITY_ENV)
    return "\n".join((sys.executable, sys.version, package, repr(sys.flags), settings))


def socket_path(key: str) -> str | None:
    """The socket of the resident process for `key`, in a folder only this user can enter; None when it
    cannot be made or its path would be too long for a Unix socket."""
    import zlib

    from projects_cli.config.paths import cache_dir

    base = os.environ.get("XDG_RUNTIME_DIR") or ""
    folder = os.path.join(base, "projects") if base and os.path.isdir(base) else os.path.join(cache_dir(), "resident")
    path = os.path.join(folder, f"{zlib.crc32(key.encode('utf-8', 'surrogateescape')):08x}.sock")
    if len(os.fsencode(path)) > SOCKET_MAX:
        return None
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
    except OSError:
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o077:  # another user's, or one others may enter
        return None
    return path


# ---------------------------------------------------------------- the caller


def served(argv: list[str]) -> int | None:
    """Run `argv` in a resident process: its exit code, or None when not served (then the caller runs the
    command itself; a resident process is started for the next one). Whatever goes wrong before the command
    has started means only "not served"."""
    try:
        if not enabled():
            return None
        key = identity()
        path = socket_path(key)
        if path is None:
            return None
        import socket

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    except Exception:
        return None
    try:
        try:
            sock.connect(path)
        except OSError:
            start(path)
            return None
        return _ask(sock, argv, key)
    except _NotServed:
        start(path)
        return None
    finally:
        sock.close()


class _NotServed(Exception):
    """The resident process would not take the command (it is stale, or went away before starting it)."""


def _ask(sock, argv: list[str], key: str) -> int:
    """Send the request and wait for the exit code; `_NotServed` until the command has started."""
    import marshal
    import signal
    import socket

    mask = os.umask(0)
    os.umask(mask)
    try:
        request = marshal.dumps({"key": key, "argv": argv, "env": dict(os.environ), "cwd": os.getcwd(), "umask": mask})
        socket.send_fds(sock, [len(request).to_bytes(4, "big") + request], [0, 1, 2])
        reader = sock.makefile("rb")
        first = reader.readline()
        child = int(first[1:]) if first.startswith(b"P") else 0  # nothing: stale, or it went away
    except (OSError, ValueError):
        raise _NotServed from None
    if child <= 0:
        raise _NotServed

    def forward(signum, frame) -> None:
        try:
            os.killpg(child, signum)
        except OSError:
            pass

    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"):
        signal.signal(getattr(signal, name), forward)
    while True:
        try:
            last = reader.readline()
            break
        except InterruptedError:
            continue
    if not last.startswith(b"X"):  # the resident process itself was stopped while the command ran
        from projects_cli.i18n import _

        sys.stderr.write(_("错误：{message}").format(
            message=_("常驻进程在命令运行时退出了，命令可能没有做完；请用 projects log 查看后再试")) + "\n")
        return 1
    return int(last[1:])


def start(path: str) -> None:
    """Start a resident process on `path` (for this caller's `identity`), in the background, detached from this terminal; nothing
    when one is starting or serving already (it holds the lock beside the socket)."""
    import fcntl
    import subprocess

    try:
        with open(path + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (released when closed)
        flags = subprocess._args_from_interpreter_flags()  # -O, -B, -I …: the same sys.flags (see identity)
        subprocess.Popen(
            # started beside this projects_cli, so `-m` imports the very same one (not one in the caller's folder)
            [sys.executable, *flags, "-m", MODULE, path], cwd=os.path.dirname(PACKAGE),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------- the resident process


def preload() -> None:
    """Import every module of projects_cli and the libraries its commands use, and build the commands: what
    every command would otherwise do first. Nothing is opened or read."""
    import importlib
    import pkgutil

    import projects_cli

    names = [info.name for info in pkgutil.walk_packages(projects_cli.__path__, "projects_cli.", onerror=lambda name: None)
             if not info.name.endswith("__main__") and info.name != MODULE and not info.name.startswith(NOT_MODULES)]
    for name in (*names, *LIBRARIES):
        try:
            importlib.import_module(name)
        except Exception:  # an extra not installed, or a module that fails: its command imports it again and says so
            pass
    from projects_cli.cli.app import prebuild

    prebuild()


def imported_files() -> dict[str, tuple[int, int]]:
    """Every file an imported module came from, with its modification time and size."""
    seen = {}
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file or file in seen:
            continue
        try:
            info = os.stat(file)
        except OSError:
            continue
        seen[file] = (info.st_mtime_ns, info.st_size)
    return seen


def changed(files: dict[str, tuple[int, int]]) -> bool:
    for file, (mtime, size) in files.items():
        try:
            info = os.stat(file)
        except OSError:
            return True
        if (info.st_mtime_ns, info.st_size) != (mtime, size):
            return True
    return False


def serve(path: str, key: str) -> None:
    """Listen on `path` and fork each command from the imported state, until idle or stale."""
    import fcntl
    import gc
    import selectors
    import signal
    import socket
    import time

    lock = open(path + ".lock", "a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held for life: one resident process per socket
    except OSError:
        return
    preload()
    files = imported_files()
    os.chdir("/")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if os.path.exists(path):  # left behind by a resident process that was killed (the lock was free)
            os.unlink(path)
        listener.bind(path)
        inode = os.stat(path).st_ino
    except OSError:
        return
    listener.listen(64)
    idle = float(os.environ.get(IDLE_ENV) or IDLE)
    gc.collect()
    gc.freeze()  # the imported objects are never scanned again (and their pages stay shared with the forks)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    running: dict[int, tuple[int, socket.socket]] = {}  # pidfd → (pid, the caller's connection)
    stopping = False

    def stop() -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            _unlink_own(path, inode)
            selector.unregister(listener)
            lock.close()  # a new resident process may start while this one waits for its commands to end

    def terminate(signum, frame) -> None:
        stop()
        if not running:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, terminate)
    lock.truncate(0)
    lock.write(f"{os.getpid()}\n")  # who serves, once it does (for `kill`, and the tests)
    lock.flush()
    last = time.monotonic()
    while True:
        if stopping and not running:
            break
        timeout = None if running or stopping else max(0.0, idle - (time.monotonic() - last))
        events = selector.select(timeout)
        if not events and not running and not stopping and time.monotonic() - last >= idle:
            stop()
            continue
        for event, _mask in events:
            if event.fileobj is listener:
                try:
                    conn, _address = listener.accept()
                except OSError:
                    continue
                last = time.monotonic()
                request = _request(conn)
                if request is None:
                    conn.close()
                    continue
                fds, job = request
                stale = changed(files)
                if stale or job.get("key") != key:  # not served (two keys of one socket name: never in practice)
                    if stale:
                        stop()  # the caller starts a new one, which imports the files as they are now
                    _close_all(fds)
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    _child(job, fds, [lock, listener, selector, *(c for _p, c in running.values()), *running], conn)
                try:
                    os.setpgid(pid, pid)  # (the child does it too: whichever comes first)
                except OSError:
                    pass
                _close_all(fds)
                try:
                    conn.sendall(b"P%d\n" % pid)
                except OSError:
                    pass
                pidfd = os.pidfd_open(pid)
                running[pidfd] = (pid, conn)
                selector.register(pidfd, selectors.EVENT_READ)
            else:
                pidfd = event.fileobj
                pid, conn = running.pop(pidfd)
                selector.unregister(pidfd)
                os.close(pidfd)
                _pid, status = os.waitpid(pid, 0)
                try:
                    conn.sendall(b"X%d\n" % _exit_code(status))
                except OSError:
                    pass
                conn.close()
                last = time.monotonic()
    listener.close()


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code  # killed by a signal: as a shell reports it


def _unlink_own(path: str, inode: int) -> None:
    """Remove the socket file if it is still this process's (a newer resident process may have replaced it)."""
    try:
        if os.stat(path).st_ino == inode:
            os.unlink(path)
    except OSError:
        pass


def _close_all(fds) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


def _request(conn):
    """The caller's request and its three file descriptors, or None (not a caller of this user, or garbled)."""
    import marshal
    import socket
    import struct

    fds: list[int] = []
    try:
        conn.settimeout(5)
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")))[1]
        if uid != os.getuid():
            return None
        data, fds, _flags, _address = socket.recv_fds(conn, 1 << 16, 3)
        size = int.from_bytes(data[:4], "big")
        data = data[4:]
        while len(data) < size <= MAX_REQUEST:
            more = conn.recv(size - len(data))
            if not more:
                break
            data += more
        job = marshal.loads(data) if len(fds) == 3 and len(data) == size else None
        conn.settimeout(None)
    except (OSError, ValueError, EOFError, TypeError, struct.error):
        job = None
    if not isinstance(job, dict) or not {"key", "argv", "env", "cwd", "umask"} <= job.keys():
        _close_all(fds)
        return None
    return fds, job


def _child(job: dict, fds: list[int], inherited: list, conn) -> None:
    """In the fork: become the caller's process (its streams, folder, environment, umask, arguments), run the
    command, and exit with its code. Never returns."""
    import io
    import signal
    import time

    code = 1
    try:
        for thing in inherited:
            try:
                thing.close() if hasattr(thing, "close") else os.close(thing)
            except OSError:
                pass
        conn.close()
        os.setpgid(0, 0)  # its own process group: the caller's signals reach whatever it starts too
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(job["env"])
        time.tzset()
        os.chdir(job["cwd"])
        os.umask(job["umask"])
        sys.argv = list(job["argv"])
        for fd, name in enumerate(("stdin", "stdout", "stderr")):
            old = getattr(sys, f"__{name}__")
            raw = io.open(fd, "rb" if fd == 0 else "wb", buffering=-1, closefd=False)
            stream = io.TextIOWrapper(raw, encoding=old.encoding, errors=old.errors,
                                      line_buffering=fd == 2 or (fd == 1 and os.isatty(1)))
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)
        from projects_cli.i18n import install_for_libraries

        install_for_libraries()  # LANGUAGE for typer's and click's own strings, in the caller's environment
        from projects_cli.cli.app import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            code = _system_exit_code(exc)
        except KeyboardInterrupt:
            code = 130
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        _shutdown()
    finally:
        os._exit(code)


def _shutdown() -> None:
    """What Python does at exit, which `os._exit` skips: wait for the command's threads, run its exit handlers,
    flush the streams."""
    import atexit
    import threading

    for step in (getattr(threading, "_shutdown", None), atexit._run_exitfuncs):
        try:
            if step is not None:
                step()
        except Exception:
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _system_exit_code(exc: SystemExit) -> int:
    """The exit code Python gives for `exc` (printing a message that is not a number, as Python does)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    sys.stderr.write(f"{exc.code}\n")
    return 1


if __name__ == "__main__":
    serve(sys.argv[1], identity())
