"""Shell completion of the registry's names: project and lead codes, unit names, leaders and issue numbers.

`projects --install-completion` (bash, zsh, fish, PowerShell, as typer provides) completes commands and
options; this module adds the values a clerk would otherwise look up. Every command is given its completers
by parameter name in one place (`attach`), so a new command's `code` argument or `--unit` option completes
without a line of its own. The values are read straight from a SQLite registry, read-only and without the
ORM (completion must answer within a keystroke); a PostgreSQL registry, a missing file or any error gives
no suggestions rather than an error in the middle of the user's line.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any, Callable

try:  # typer up to 0.19 runs on click; later ones ship their own copy of it
    from click.shell_completion import CompletionItem
except ImportError:  # pragma: no cover - depends on the typer installed
    from typer._click.shell_completion import CompletionItem

# parameter name → what it completes from: SELECT value, help (help may be NULL)
SOURCES = {
    "code": "SELECT code, name FROM project ORDER BY code",
    "number": "SELECT number, title FROM issue ORDER BY year, seq",
    "unit": "SELECT name, NULL FROM unit ORDER BY name",
    "from_unit": "SELECT name, NULL FROM unit ORDER BY name",
    "leader": "SELECT DISTINCT leader, NULL FROM project WHERE leader IS NOT NULL ORDER BY leader",
}
# where a command group means something else by a name: `sheet void NUMBER` is a document's number
GROUP_SOURCES = {"sheet": {"number": "SELECT number, recipient FROM sheet ORDER BY year, seq"},
                 # `lead move CODE`: a lead's code (XS-0001); `lead list --person`: the leads' persons
                 "lead": {"code": "SELECT code, name FROM lead ORDER BY code",
                          "person": "SELECT DISTINCT person, NULL FROM lead WHERE person IS NOT NULL ORDER BY person"}}


def _database(ctx) -> Path | None:
    """The SQLite file the command line names (--db, PROJECTS_DB, else the default), if it is one."""
    from projects_cli.config.settings import default_db

    typed = ctx.find_root().params.get("db") or os.environ.get("PROJECTS_DB") or default_db()
    if "://" in typed and not typed.startswith("sqlite:///"):
        return None
    path = Path(typed.removeprefix("sqlite:///")).expanduser()
    return path if path.is_file() else None


def suggestions(ctx, sql: str, incomplete: str) -> list[CompletionItem]:
    """The registry's values (`sql`: value, help) that start with what is typed so far."""
    path = _database(ctx)
    if path is None:
        return []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2)
        try:
            rows = conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    return [CompletionItem(str(value), help=help) for value, help in rows
            if value is not None and str(value).startswith(incomplete)]


def _completer(sql: str) -> Callable[..., list[CompletionItem]]:
    def complete(ctx, param, incomplete: str) -> list[CompletionItem]:
        return suggestions(ctx, sql, incomplete)

    return complete


def attach(command: Any, group: str = "") -> Any:
    """`command` (the top-level command `group`, and every command in it) with its code, number, unit and
    leader parameters completing from the registry; a parameter that completes otherwise is left alone."""
    sources = {**SOURCES, **GROUP_SOURCES.get(group, {})}
    for param in getattr(command, "params", ()):
        if param.name in sources and getattr(param, "_custom_shell_complete", None) is None:
            param._custom_shell_complete = _completer(sources[param.name])
    for sub in getattr(command, "commands", {}).values():
        attach(sub, group)
    return command
