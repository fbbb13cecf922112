"""The message catalogs (gettext; kept with Babel). See projects_cli/i18n.py for the two kinds of text.

Each language's folder ``<language>/LC_MESSAGES/`` holds the catalog in parts, so that work on one
part of the tool touches one file, and the compiled ``projects.mo`` the tool reads:

* ``en/<part>.po``: the messages marked ``_("…")`` in ``projects_cli/<part>/`` (``core.po`` for
  the modules at the package's top), Chinese → English;
* ``zh_CN/help-<command>.po``: the help of ``projects <command>`` and its subcommands, English →
  Chinese (``help-projects.po``: the root command's own); ``zh_CN/library.po``: typer's and
  click's own strings, kept by hand.

``python -m projects_cli.locale`` re-extracts (new messages arrive with an empty translation,
messages no longer in the source are dropped, a message that moved keeps its translation) and
compiles; ``--check`` changes nothing and says what is missing or out of date. Babel comes with the
test extra; the tool itself reads the compiled catalogs with the standard library's gettext.
"""

from __future__ import annotations

import os
import string
from pathlib import Path

HERE = Path(__file__).parent
PACKAGE = HERE.parent
DOMAIN = "projects"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
LANGUAGES = ("en", "zh_CN")
LIBRARY = "library"  # zh_CN's hand-kept part


def folder(language: str) -> Path:
    return HERE / language / "LC_MESSAGES"


def messages() -> dict[str, str]:
    """Every message marked in the package's source (msgid, or (singular, plural)) → its part."""
    from babel.messages.extract import extract_from_dir

    found: dict = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("locale/**.py", "ignore"), ("**.py", "python")], keywords=KEYWORDS,
    ):
        parts = Path(filename).parts
        found.setdefault(message, parts[0] if len(parts) > 1 else "core")
    return found


def help_texts() -> dict[str, str]:
    """Every paragraph of every command's and option's help (as written, in English) → its part."""
    os.environ["PROJECTS_LANG"] = "en"  # the help as written, not translated
    from projects_cli import i18n

    i18n.reset()
    import typer

    from projects_cli.cli.app import COMMANDS, app, build_command

    found: dict = {}

    def walk(command, part: str) -> None:
        for text in [command.help, getattr(command, "short_help", None),
                     *(getattr(p, "help", None) for p in getattr(command, "params", ()))]:
            for paragraph in i18n.help_paragraphs(text and text.replace("\\[", "[")):  # as written, not as drawn
                found.setdefault(paragraph, part)
        for sub in getattr(command, "commands", {}).values():
            walk(sub, part)

    root = typer.main.get_command(app)
    walk(type("Root", (), {"help": root.help, "params": root.params})(), "help-projects")
    for name, (_module, _attr, short) in COMMANDS.items():
        for paragraph in i18n.help_paragraphs(short):
            found.setdefault(paragraph, f"help-{name}")
        walk(build_command(name), f"help-{name}")
    return found


def fields(text: str) -> set[str]:
    """The replacement fields of a str.format text ({code}, {n:,} → code, n)."""
    try:
        return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:  # not a format string (a lone brace): compared as it is
        return {text}
