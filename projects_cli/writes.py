"""Every file the tool writes: never over one of the command's own inputs, and into place in one step.

`replacing(dest)` gives a temporary file in the destination's folder; only
when the writer has finished, flushed and synced it is it renamed over
`dest`, so a failure (a full disk, an exception, a kill) leaves the old file as
it was. Before anything is written, `dest` is compared with the files the
command reads (`protect`): the database and its -wal/-shm/-journal, the config
and rules files, the templates, the file being imported. Standard library only.
"""

from __future__ import annotations

import os
import secrets
import stat
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterator

from projects_cli.errors import ProjectsError
from projects_cli.i18n import _

# (path, what it is in the user's words) of every file the running command reads
_INPUTS: ContextVar[list[tuple[Path, str]] | None] = ContextVar("projects_inputs", default=None)


# what the running command has done so far, for the message when it is interrupted (Ctrl-C):
# the files it finished writing, and whether its database transaction was committed
_DONE: ContextVar[dict[str, Any] | None] = ContextVar("projects_done", default=None)


@contextmanager
def command_inputs() -> Iterator[None]:
    """One command's list of protected inputs and of what it has written (the CLI opens one per command)."""
    token = _INPUTS.set([])
    done = _DONE.set({"files": [], "committed": False})
    try:
        yield
    finally:
        _INPUTS.reset(token)
        _DONE.reset(done)


def committed() -> None:
    """The running command's database changes are saved (`cli.common.session` calls it after the commit)."""
    done = _DONE.get()
    if done is not None:
        done["committed"] = True


def interrupted() -> str:
    """What an interrupted command leaves behind, in the user's words: the database saved or untouched, and
    the files written whole (a file being written when it stopped is not left half-written: `replacing`)."""
    done = _DONE.get() or {"files": [], "committed": False}
    files = done["files"]
    text = _("已中断：") + (_("数据库的改动已保存") if done["committed"] else _("数据库未改动"))
    if files:
        text += _("；已写完的文件：{files}").format(files=_("、").join(str(p) for p in files))
    else:
        text += _("；没有写出文件")
    return text


def protect(path: Path | str | None, what: str) -> None:
    """Name a file the running command reads, so that no output of the command can replace it.

    A folder protects every file in it (the templates)."""
    inputs = _INPUTS.get()
    if path is not None and inputs is not None:
        inputs.append((Path(path), what))


def release(path: Path | str) -> None:
    """The running command rewrites this input on purpose (`calendar import` updates config.toml)."""
    inputs = _INPUTS.get()
    if inputs:
        inputs[:] = [(p, what) for p, what in inputs if not same_file(p, Path(path))]


def same_file(a: Path, b: Path) -> bool:
    """The same file on disk (os.path.samefile), or, for a file not there yet, the same resolved path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def refuse_input(dest: Path) -> None:
    """A ProjectsError when `dest` is one of the running command's inputs (or a file in a protected folder)."""
    for path, what in _INPUTS.get() or ():
        if same_file(dest, path) or (path.is_dir() and dest.exists() and same_file(dest.parent, path)):
            raise ProjectsError(
                _("不能写入 {dest}：它是本命令读取的{what}，写入会覆盖它；请另选输出文件；原文件未改动").format(
                    dest=dest, what=_(what))
            )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def cannot_write(dest: Path | str, exc: OSError | str) -> ProjectsError:
    """The one-line error for a failed write (an OSError, or the reason in words)."""
    reason = exc if isinstance(exc, str) else exc.strerror or str(exc) or type(exc).__name__
    return ProjectsError(_("无法写入 {dest}（{reason}）；原有文件未改动").format(dest=dest, reason=reason))


@contextmanager
def replacing(dest: Path | str, *, exclusive: bool = False) -> Iterator[Path]:
    """A temporary path beside `dest` to write to; renamed over `dest` once written, flushed and synced.

    A failure removes the temporary file and leaves `dest` as it was; an
    OSError becomes one ProjectsError line. `exclusive`: `dest` must not
    exist (checked again at the rename, so a file made meanwhile is not replaced).
    A destination that is not a regular file (/dev/null, a FIFO, a terminal) is
    written directly: it cannot be replaced.
    """
    dest = Path(dest)
    refuse_input(dest)
    target = Path(os.path.realpath(dest)) if dest.is_symlink() else dest  # write the file a link points at
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise cannot_write(dest, exc) from None
    if exclusive and mode is not None:
        raise ProjectsError(_("{dest} 已存在；请另选文件名").format(dest=dest))
    if mode is not None and stat.S_ISDIR(mode):
        raise ProjectsError(_("{dest} 是文件夹；请给出文件名").format(dest=dest))
    if mode is not None and not stat.S_ISREG(mode):
        try:
            yield target
        except OSError as exc:
            raise cannot_write(dest, exc) from None
        return
    folder = target.parent
    if not folder.is_dir():
        raise cannot_write(dest, _("文件夹 {folder} 不存在").format(folder=folder))
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        try:
            yield tmp
            _sync(tmp)
            os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
            if exclusive:
                _link_new(tmp, target, dest)
            else:
                os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
        done = _DONE.get()
        if done is not None:
            done["files"].append(dest)
        _sync_folder(folder)
    except OSError as exc:
        raise cannot_write(dest, exc) from None


def _link_new(tmp: Path, target: Path, dest: Path) -> None:
    """Put `tmp` at `target` only if nothing is there (a hard link fails on an existing name)."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise ProjectsError(_("{dest} 已存在；请另选文件名").format(dest=dest)) from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise ProjectsError(_("{dest} 已存在；请另选文件名").format(dest=dest)) from None
        os.replace(tmp, target)


def _sync(path: Path) -> None:
    """Push what was written to `path` to the disk (a full disk fails here, not after the rename)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder; the rename is done either way
        pass
    finally:
        os.close(fd)


def write_text(dest: Path | str, text: str) -> None:
    """`text` (UTF-8) to `dest`, through `replacing`."""
    with replacing(dest) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()


def write_pieces(dest: Path | str, pieces) -> None:
    """Text made piece by piece to `dest`, through `replacing` (never whole in memory)."""
    with replacing(dest) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            for piece in pieces:
                f.write(piece)
            f.flush()


def save_workbook(wb, dest: Path | str) -> None:
    """An openpyxl workbook to `dest`, through `replacing`; one that cannot be written (its folder missing,
    the disk full) is dropped quietly, whether the save failed or never began."""
    try:
        with replacing(dest) as tmp:
            wb.save(tmp)
    except BaseException as exc:
        _drop_quietly(wb, exc)
        raise


def _drop_quietly(wb, exc: BaseException) -> None:
    """Free what a failed save left open now, without the "Exception ignored" lines its clean-up would print
    at exit (openpyxl's zip file and row writer try to finish on a disk that is full)."""
    import gc
    import sys
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        for ws in getattr(wb, "_sheets", ()):  # a write-only sheet's row writers are generators left half-way
            for gen in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
                try:
                    if gen is not None and hasattr(gen, "close"):
                        gen.close()
                except Exception:
                    pass
        traceback.clear_frames(exc.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = hook
