"""Progress on a terminal: once a command has run for a moment, one line on stderr says what it is doing
(a spinner, and the counts where the work has them: 读取 12,000 / 100,000); nothing at all when stderr is
not a terminal (a pipe, a file, a scheduled job, a test).

Every command runs inside `running()` (the root command's `invoke`), so every command that takes more
than a second shows it without doing anything. Work that can count reports ``(stage, done, total)`` to
the running progress (`current()`: the ledger importer and exporter take it as their ``progress``
callback). A prompt first calls `close()`, so the question is not drawn over.
"""

from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

from projects_cli.i18n import _

DEFAULT_AFTER = 1.0  # seconds a command runs before its progress is shown


def after() -> float:
    """The delay before the line appears: PROJECTS_PROGRESS_AFTER seconds if set (tests: 0), else one second."""
    try:
        return max(0.0, float(os.environ.get("PROJECTS_PROGRESS_AFTER", DEFAULT_AFTER)))
    except ValueError:
        return DEFAULT_AFTER


def stages() -> dict[str, str]:
    return {"read": _("读取"), "check": _("校验"), "write": _("写入")}


class Progress:
    """The progress line of one command; callable as ``progress(stage, done, total)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = None
        self._timer: threading.Timer | None = None
        self._closed = False
        self._text = _("正在处理…")

    def start(self) -> None:
        self._timer = threading.Timer(after(), self._show)
        self._timer.daemon = True
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._closed or self._status is not None:
                return
            from rich.console import Console

            self._status = Console(stderr=True).status(self._text, spinner="dots")
            self._status.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = stages().get(stage, stage)
        if total > 0:
            text = _("{stage} {done:,} / {total:,}（{percent}%）").format(
                stage=label, done=min(done, total), total=total, percent=min(100, done * 100 // total))
        else:
            text = _("{stage}…").format(stage=label)
        with self._lock:
            self._text = text
            if self._status is not None:
                self._status.update(text)

    def close(self) -> None:
        """Stop showing progress for the rest of the command (before a prompt, at the end)."""
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._status is not None:
                self._status.stop()
                self._status = None


_current: Progress | None = None


def current() -> Progress | None:
    """The running command's progress when it is shown on a terminal, else None."""
    return _current


@contextmanager
def running() -> Iterator[Progress | None]:
    """Show the command's progress while it runs (only when stderr is a terminal)."""
    global _current
    if not sys.stderr.isatty():
        yield None
        return
    _current = Progress()
    _current.start()
    try:
        yield _current
    finally:
        _current.close()
        _current = None
