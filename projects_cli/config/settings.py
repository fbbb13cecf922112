"""Where things are and who is acting: the global options and the office's config file.

Resolved once per command from options, environment variables and defaults.
Only the standard library is imported here, so `projects --help` stays fast.
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from projects_cli.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # projects_cli/


def resource_dir(name: str) -> Path:
    """The shipped `migrations`, `templates` or `data` folder.

    Installed, they sit inside the package; in a checkout (or an editable
    install) they are the top-level folders of the repository.
    """
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


def home_dir() -> Path:
    """The data folder: $PROJECTS_HOME, else $XDG_DATA_HOME/projects, else ~/.local/share/projects."""
    if os.environ.get("PROJECTS_HOME"):
        return Path(os.environ["PROJECTS_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "projects"


def default_db() -> str:
    return str(home_dir() / "projects.db")


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry (containers): still someone acted
        return "unknown"


def db_url(db: str) -> str:
    """A SQLAlchemy URL for --db: a URL as given, a path as a SQLite file."""
    if "://" in db:
        return db
    return "sqlite:///" + str(Path(db).expanduser())


def parse_iso_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-05") from None


def load_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None


@dataclass
class Settings:
    """Everything a command needs to know besides its own options."""

    db: str = field(default_factory=default_db)
    as_of: date | None = None
    by: str = field(default_factory=default_user)
    config_path: Path | None = None
    rules_path: Path | None = None
    templates_dir: Path | None = None
    now: datetime | None = None  # wall clock of the change log; tests may pin it

    @property
    def url(self) -> str:
        return db_url(self.db)

    @cached_property
    def today(self) -> date:
        """The as-of date every report is computed for (--as-of, default today)."""
        return self.as_of if self.as_of is not None else date.today()

    @cached_property
    def config(self) -> dict[str, Any]:
        """The office's config file (TOML), {} when there is none.

        --config / PROJECTS_CONFIG, else config.toml in the data folder if present.
        """
        path = self.config_path
        if path is None:
            candidate = home_dir() / "config.toml"
            if not candidate.exists():
                return {}
            path = candidate
        return load_toml(path, "config file")

    @cached_property
    def rules(self):
        """The rules in force (`projects_cli.config.rulebook`): --rules, rules.toml in the data folder, or the defaults."""
        from projects_cli.config.rulebook import load_rules

        return load_rules(self.rules_path)

    def section(self, name: str) -> dict[str, Any]:
        value = self.config.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(f"config file: [{name}] must be a table")
        return value
