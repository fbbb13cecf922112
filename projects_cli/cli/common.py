"""What every command module shares: the settings, one session per command, option parsers.

Imports nothing heavy: services are imported inside the commands.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import typer

from projects_cli.config.settings import Settings

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
    from projects_cli.store.changelog import Ctx

    s = settings(ctx)
    kwargs: dict[str, Any] = {"by": s.by, "as_of": s.today, "command": command_name(ctx)}
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
                       on_wait=lambda: note(WAITING)) as session:
        yield session


def out(text: str) -> None:
    """Data to stdout."""
    typer.echo(text)


def note(text: str) -> None:
    """Summaries and progress to stderr, so stdout stays clean data."""
    typer.echo(text, err=True)


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
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=option)
    return parsed


def date_callback(ctx: typer.Context, param: typer.CallbackParam, value: str | None) -> date | None:
    """For `typer.Option(callback=date_callback)`: the option's text becomes a `date`."""
    if ctx.resilient_parsing:
        return None
    return parse_date_option(value, "/".join(param.opts))


def write_output(text: str, output: Path | None) -> None:
    """Text to --output FILE, else to stdout."""
    if output is None:
        out(text)
        return
    try:
        output.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")
    except OSError as exc:
        from projects_cli.errors import ProjectsError

        raise ProjectsError(f"cannot write {output}: {exc.strerror}") from None
    note(f"Wrote {output}")


def write_pieces(pieces: Iterable[str], output: Path | None) -> None:
    """Text made piece by piece to --output FILE, else to stdout, as it is made (a big report
    never sits whole in memory); a final newline is added."""
    try:
        if output is None:
            _write_all(pieces, sys.stdout)
            sys.stdout.flush()
            return
        with output.open("w", encoding="utf-8") as f:
            _write_all(pieces, f)
    except OSError as exc:
        from projects_cli.errors import ProjectsError

        raise ProjectsError(f"cannot write {output or 'stdout'}: {exc.strerror}") from None
    note(f"Wrote {output}")


def _write_all(pieces: Iterable[str], stream) -> None:
    for piece in pieces:
        stream.write(piece)
    stream.write("\n")


def is_tty() -> bool:
    return sys.stderr.isatty()
