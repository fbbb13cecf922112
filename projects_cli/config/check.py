"""`config check`: every problem of the office's config file at once, each naming its line.

`office.CONFIG_FILE` reads a file and stops at its first mistake (a command must not
act on a broken file); here the same schema reads it collecting every mistake
(`schema.Loc.problems`), so the office fixes them in one go.
"""

from __future__ import annotations

from pathlib import Path

from projects_cli.config.office import CONFIG_FILE, LABEL, SECTIONS
from projects_cli.config.schema import Loc, read_toml
from projects_cli.errors import ConfigError


def config_problems(path: Path) -> list[str]:
    """Every problem of the config file at `path`, each naming its line; [] when it reads clean.

    A file that cannot be read as TOML at all is one problem (TOML stops at its first error)."""
    try:
        data, source = read_toml(path, LABEL)
    except ConfigError as exc:
        return [str(exc)]
    problems: list[str] = []
    CONFIG_FILE.read(data, Loc(source, problems=problems))
    return problems


def written_keys(path: Path) -> dict[str, list[str]]:
    """The sections a (valid) config file writes and the known keys in each, in the schema's order."""
    data, _ = read_toml(path, LABEL)
    return {name: [key for key in SECTIONS[name].keys if key in data[name]] or sorted(data[name])
            for name in SECTIONS if isinstance(data.get(name), dict)}
