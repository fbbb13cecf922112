"""What every command module shares: the settings, one session per command, option parsers.

Imports nothing heavy: services are imported inside the commands.
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import typer

from projects_cli.config.settings import Settings
from projects_cli.errors import ProjectsError
from projects_cli.i18n import N_, _

if TYPE_CHECKING:
    from sqlmodel import Session

    from projects_cli.store.changelog import Ctx

FORMAT_HELP = "Output format: table, json or csv."


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def command_name(ctx: typer.Context) -> str:
    return ctx.command_path.removeprefix(ctx.find_root().info_name or "").strip()


def actor(ctx: typer.Context) -> Ctx:
    """Who acts now, for which as-of date (for the services and the change log)."""
    from projects_cli.store.changelog import Ctx, new_run

    s = settings(ctx)
    root = ctx.find_root()
    # one identity per command run, however often the command asks who acts (`undo --run`)
    run = root.meta.setdefault("projects.run", new_run())
    kwargs: dict[str, Any] = {"by": s.by, "as_of": s.today, "command": command_name(ctx), "run": run,
                              "by_given": s.by_given}
    if s.now is not None:
        kwargs["now"] = s.now
    return Ctx(**kwargs)


@contextmanager
def session(ctx: typer.Context, *, write: bool = True) -> Iterator[Session]:
    """One command, one transaction (see `projects_cli.store.db.session_scope`)."""
    from projects_cli.store.db import WAIT_SECONDS, WAITING, session_scope

    s = settings(ctx)
    wait = s.wait_seconds
    with session_scope(s.url, write=write, wait=WAIT_SECONDS if wait is None else wait,
                       on_wait=lambda: note(_(WAITING))) as session:
        yield session
    if write:
        from projects_cli.writes import committed

        committed()


def filters(session: Session, ctx: typer.Context, **values: str | None):
    """The listing filters typed (`facts.filters.ProjectFilter`), each name checked against the registry
    and in its spelling (`check_filter`): a name it does not know is an error offering the nearest ones; a unit's
    or leader's former name is noted (now NEW) and finds it."""
    from projects_cli.facts.filters import ProjectFilter, check_filter

    notes: list[str] = []
    checked = check_filter(session, ProjectFilter(**values), settings(ctx).config, notes)
    for text in notes:  # a former name: the unit (leader) it is now
        note(text)
    return checked


def pick(value: str | None, vocabulary, what: tuple[str, str]) -> str | None:
    """A value naming one of a closed list (`vocab.Labelled`: issue states, levels, card colours), by its value
    (any case), its Chinese label or a short form (红, 挂牌, 交办), as the stored value; anything else is an
    error offering the nearest ones."""
    if value is None:
        return None
    found = vocabulary.from_zh(value)
    if found is not None:
        return found.value
    from projects_cli.values import resolve_name

    names = list(dict.fromkeys(n for m in vocabulary for n in (m.zh, m.value)))  # offered: the full names
    return vocabulary.from_zh(resolve_name(value, names, what)).value


class StdoutBroken(ProjectsError):
    """Standard output cannot be written (a full disk, a closed pipe): the data did not get out whole."""


def out(text: str) -> None:
    """Data to stdout, control characters escaped (`listings.output.terminal_safe`); a failed write
    is a StdoutBroken error, never a silent truncation."""
    from projects_cli.listings.output import terminal_safe

    try:
        _to_stdout(terminal_safe(text) + "\n")
    except OSError as exc:
        raise _stdout_broken(exc) from None


def _to_stdout(text: str) -> None:
    """`text` to stdout. A real file descriptor is written with os.write until every byte is taken: Python's
    buffered stdout drops the rest of a short write on a full disk and still exits 0."""
    import os

    stream = sys.stdout
    try:
        fd = stream.fileno() if stream is sys.__stdout__ else None
    except (AttributeError, ValueError, io.UnsupportedOperation):
        fd = None
    if fd is None:  # a stream of Python's own (tests, a redirect inside the process)
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    view = memoryview(text.encode(stream.encoding or "utf-8", "backslashreplace"))  # a terminal that is not UTF-8
    while view:
        view = view[os.write(fd, view):]


def note(text: str) -> None:
    """Summaries and progress to stderr, so stdout stays clean data (control characters escaped)."""
    from projects_cli.listings.output import terminal_safe

    try:
        typer.echo(terminal_safe(text), err=True)
    except OSError:  # nowhere left to say it; the exit code still tells
        pass


def upgrade(url: str, revision: str = "head"):
    """`db.upgrade`, saying so when anchoring the change log made a new log key (it must be kept, apart)."""
    from projects_cli.store import anchor, db

    had = anchor.key_path().exists()
    result = db.upgrade(url, revision)
    from projects_cli.store import roles

    roles.regrant_url(url)  # PostgreSQL with logins: the tables the upgrade added, to their roles
    if not had and anchor.key_path().exists():
        note(_("已生成变更记录密钥 {path}（权限 600）：请与数据库分开备份；"
               "丢失后变更记录无法再核对、也不能再写入").format(path=anchor.key_path()))
    return result


def _stdout_broken(exc: OSError) -> StdoutBroken:
    reason = exc.strerror or type(exc).__name__
    return StdoutBroken(_("无法写出到标准输出（{reason}）；输出不完整").format(reason=reason))


def flush_stdout() -> None:
    """Push what is buffered for stdout out now, so a full disk or a closed pipe is an error while we can say so."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        raise _stdout_broken(exc) from None
    except ValueError:  # stdout closed by the caller
        pass


def detach_stdout() -> None:
    """After a failed write to stdout: point it at /dev/null, so Python's own flush at exit does not print
    a second error (the advice of Python's documentation on SIGPIPE)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):  # not a real file (tests)
        pass


def protect_inputs(s: Settings) -> None:
    """Name the files every command reads (the database, the config and rules files, the templates), so that no
    output option can replace them (`projects_cli.writes`)."""
    from projects_cli import writes
    from projects_cli.config.paths import home_dir, resource_dir
    from projects_cli.store.db import sqlite_path

    path = sqlite_path(s.url)
    if path is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            writes.protect(path.with_name(path.name + suffix), N_("数据库"))
    home = home_dir()
    writes.protect(s.config_path or home / "config.toml", N_("配置文件"))
    writes.protect(s.rules_path or home / "rules.toml", N_("规则文件"))
    writes.protect(resource_dir("data") / "rules.toml", N_("规则文件"))
    for folder in (s.templates_dir, home / "templates", resource_dir("templates")):
        writes.protect(folder, N_("模板"))


def check_output(path: Path | None) -> None:
    """Refuse an output path that is one of the command's inputs, before any work is done."""
    if path is not None:
        from projects_cli.writes import refuse_input

        refuse_input(path)


def output_format(output: Path | None, fmt, by_extension: dict[str, Any], default, option: str = "--output",
                  bare: bool = True):
    """The format to write: --format, else the extension of --output, else `default`.

    The extension must be one the command writes (`by_extension`: ".xlsx" → its format) and agree with
    --format; a file without an extension takes --format or the default (unless not `bare`: a workbook
    needs its .xlsx to open). Anything else is a usage error naming what the command can write:
    `overdue -o 逾期.pdf` never writes plain text under a .pdf name."""
    check_output(output)  # an output over one of the command's inputs is refused as that, first
    suffix = output.suffix.lower() if output is not None else ""
    if output is not None and (suffix not in by_extension if suffix or not bare else False):
        can, shown = _("、").join(by_extension), suffix or _("无扩展名")
        raise typer.BadParameter(_("不能写成 {shown} 文件；本命令可写 {can}").format(shown=shown, can=can),
                                 param_hint=option)
    by_ext = by_extension.get(suffix)
    if fmt is not None and by_ext is not None and fmt != by_ext:
        value = getattr(fmt, "value", fmt)
        raise typer.BadParameter(_("--format {value} 与文件 {name} 的扩展名不符").format(value=value, name=output.name),
                                 param_hint="--format")
    return fmt if fmt is not None else by_ext if by_ext is not None else default


# What a date, year or number of days typed as an option may be (the registry's dates run inside these).
FIRST_YEAR, LAST_YEAR = 1990, 2100
FIRST_DATE, LAST_DATE = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
MOST_DAYS = 3660  # ten years


def parse_date_option(value: str | None, option: str = "date") -> date | None:
    """A date option: YYYY-MM-DD (also 2024/3/15, 2024年3月15日); a usage error names the option."""
    if value is None or value == "":
        return None
    from projects_cli.values import ValueProblem, parse_date

    try:
        parsed = parse_date(value)
    except ValueProblem as exc:
        raise typer.BadParameter(f"{exc}", param_hint=option) from None
    if parsed is None:
        raise typer.BadParameter(_("{value} 不是日期；请写成 YYYY-MM-DD").format(value=repr(value)), param_hint=option)
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise typer.BadParameter(_("{date} 超出范围，日期应在 {first} 到 {last} 之间").format(
            date=parsed.isoformat(), first=FIRST_DATE.isoformat(), last=LAST_DATE.isoformat()), param_hint=option)
    return parsed


def date_callback(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> date | None:
    """For `typer.Option(callback=date_callback)`: the option's text becomes a `date`."""
    if ctx.resilient_parsing:
        return None
    return parse_date_option(value, "/".join(param.opts))


def write_output(text: str, output: Path | None) -> None:
    """Text to --output FILE (written whole, then put in place), else to stdout."""
    if output is None:
        out(text)
        return
    from projects_cli.writes import write_text

    write_text(output, text + ("" if text.endswith("\n") else "\n"))
    note(_("已写出 {path}").format(path=output))


def write_pieces(pieces: Iterable[str], output: Path | None) -> None:
    """Text made piece by piece to --output FILE, else to stdout, as it is made (a big report
    never sits whole in memory); a final newline is added."""
    if output is not None:
        from projects_cli.writes import write_pieces as write_file

        write_file(output, _ended(pieces))
        note(_("已写出 {path}").format(path=output))
        return
    from projects_cli.listings.output import terminal_safe

    try:
        for piece in _ended(pieces):
            _to_stdout(terminal_safe(piece))
    except OSError as exc:
        raise _stdout_broken(exc) from None


def _ended(pieces: Iterable[str]) -> Iterator[str]:
    yield from pieces
    yield "\n"


def is_tty() -> bool:
    return sys.stderr.isatty()


def stop_progress() -> None:
    """Before a prompt: the progress line stops, so the question is not drawn over."""
    from projects_cli.cli.progress import current

    if current() is not None:
        current().close()


def can_ask() -> bool:
    """Whether a person is there to answer a question (stdin and stderr both a terminal)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


NOTHING_CHANGED = _("未改动任何内容")


def confirm_danger(plan: str | Iterable[str], *, yes: bool, question: str, what: tuple[str, str]) -> None:
    """Before a dangerous command (undo, project archive/remove, db downgrade) does it: say what it will do
    (`plan`, stderr), then go on with `--yes`; at a terminal ask `question`; with nobody to ask, refuse
    (a `ProjectsError`: `what`, in Chinese and English, needs --yes). The caller changes nothing before this returns.

    Example: confirm_danger("将归档 GX-0004", yes=False, question="确定归档吗 (archive)?", what=("归档", "archiving"))
    """
    for line in [plan] if isinstance(plan, str) else plan:
        note(line)
    if yes:
        return
    if not can_ask():
        raise ProjectsError(_("{what}需要确认：加 --yes；{nothing}").format(what=_(what[0]), nothing=NOTHING_CHANGED))
    stop_progress()
    if not typer.confirm(question, default=False, err=True):
        raise ProjectsError(_("已取消，{nothing}").format(nothing=NOTHING_CHANGED))
