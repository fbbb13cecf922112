"""Where things are and who is acting: the global options and the office's config file.

Resolved once per command from options, environment variables and defaults.
Only the standard library is imported here, so `projects --help` stays fast.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from projects_cli.config.paths import home_dir


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


def load_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's tables (the shipped demo files); one that cannot be read is a ConfigError naming it."""
    from projects_cli.config.schema import read_toml

    return read_toml(path, what)[0]


@dataclass
class Settings:
    """Everything a command needs to know besides its own options."""

    db: str = field(default_factory=default_db)
    as_of: date | None = None
    by: str = field(default_factory=default_user)
    by_given: bool = True  # --by or PROJECTS_USER named who acts (not the OS user): 代录 beside a PostgreSQL login
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
        """The office's config file, read and checked (`projects_cli.config.office`); {} when there is none.

        --config / PROJECTS_CONFIG, else config.toml in the data folder if present.
        """
        path = self.config_path
        if path is None:
            candidate = home_dir() / "config.toml"
            if not candidate.exists():
                return {}
            path = candidate
        from projects_cli.config.office import load_config

        return load_config(path)

    @cached_property
    def rules(self):
        """The rules in force (`projects_cli.config.rulebook`): --rules, rules.toml in the data folder, or the defaults."""
        from projects_cli.config.rulebook import load_rules

        return load_rules(self.rules_path)

    @property
    def wait_seconds(self) -> float | None:
        """How long a writer waits for another command: config.toml's [database] wait_seconds (None: the default)."""
        return self.section("database").get("wait_seconds")

    def section(self, name: str) -> dict[str, Any]:
        """One section of the config file, checked; {} when the file has none."""
        from projects_cli.config.office import section

        return section(self.config, name)
