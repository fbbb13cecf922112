"""The rules file (TOML): overdue tiers, card thresholds, flag weights, issue deadlines.

Shipped defaults live in `data/rules.toml`. An office file replaces whole keys
it names and keeps the defaults for the rest. Every key is checked against
the defaults' shape; a wrong one is an error naming the key and its line.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projects_cli.config.settings import home_dir, resource_dir
from projects_cli.errors import ConfigError

DEFAULT_FILE = "rules.toml"


def default_path() -> Path:
    return resource_dir("data") / DEFAULT_FILE


def resolve_path(explicit: Path | None) -> Path | None:
    """--rules, else rules.toml in the data folder, else None (the shipped defaults only)."""
    if explicit is not None:
        return explicit
    candidate = home_dir() / DEFAULT_FILE
    return candidate if candidate.exists() else None


def _line_of(text: str, dotted: str) -> int | None:
    """The line where a key is written (best effort: the last part of the dotted key)."""
    last = dotted.split(".")[-1]
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip().strip('"')
        if stripped.startswith((last + " ", last + "=", f'"{last}"')) or stripped.startswith(f"[{dotted}]"):
            return number
    return None


def _check(default: Any, given: Any, dotted: str, text: str, path: Path) -> Any:
    where = lambda: f"{path}" + (f", line {n}" if (n := _line_of(text, dotted)) else "")  # noqa: E731
    if isinstance(default, dict):
        if not isinstance(given, dict):
            raise ConfigError(f"rules file {where()}: {dotted} must be a table")
        merged = dict(default)
        open_keys = dotted in OPEN_TABLES
        for key, value in given.items():
            sub = f"{dotted}.{key}" if dotted else key
            if key not in default:
                if open_keys:
                    merged[key] = value
                    continue
                known = ", ".join(default) or "none"
                raise ConfigError(f"rules file {path}" + (f", line {n}" if (n := _line_of(text, sub)) else "")
                                  + f": unknown rule {sub!r}; known keys here: {known}")
            merged[key] = _check(default[key], value, sub, text, path)
        return merged
    if isinstance(default, bool):
        if not isinstance(given, bool):
            raise ConfigError(f"rules file {where()}: {dotted} must be true or false, not {given!r}")
        return given
    if isinstance(default, (int, float)):
        if isinstance(given, bool) or not isinstance(given, (int, float)) or given < 0:
            raise ConfigError(f"rules file {where()}: {dotted} must be a number ≥ 0, not {given!r}")
        return given
    if isinstance(default, str):
        if not isinstance(given, str):
            raise ConfigError(f"rules file {where()}: {dotted} must be text, not {given!r}")
        return given
    if isinstance(default, list):
        if not isinstance(given, list):
            raise ConfigError(f"rules file {where()}: {dotted} must be a list")
        return given
    return given  # pragma: no cover - the defaults hold no other kinds


# Tables whose keys are the office's own (labels per colour, deadlines per urgency).
OPEN_TABLES = {"issues.deadline_days"}


@dataclass(frozen=True)
class Rules:
    data: dict[str, Any]
    version: str  # the file's `version` plus a short hash of its content
    path: Path | None

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, dotted: str) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            value = value[part]
        return value


def _validate_semantics(data: dict[str, Any], path: Path) -> None:
    tiers = data["overdue"]["tiers"]
    if not tiers or not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tiers):
        raise ConfigError(f"rules file {path}: overdue.tiers must be a list of {{ name = …, max_days = … }}")
    limits = [t.get("max_days") for t in tiers]
    if limits[-1] is not None or any(m is None or not isinstance(m, int) or m < 1 for m in limits[:-1]):
        raise ConfigError(
            f"rules file {path}: overdue.tiers: every tier but the last needs a whole max_days ≥ 1; the last has none"
        )
    if limits[:-1] != sorted(limits[:-1]):
        raise ConfigError(f"rules file {path}: overdue.tiers must be in rising order of max_days")
    if data["period"]["kind"] not in ("monthly", "weekly"):
        raise ConfigError(f"rules file {path}: period.kind must be monthly or weekly, not {data['period']['kind']!r}")
    cards = data["cards"]
    if cards["lag_yellow_points"] > cards["lag_red_points"]:
        raise ConfigError(f"rules file {path}: cards.lag_yellow_points cannot exceed cards.lag_red_points")
    for urgency, days in data["issues"]["deadline_days"].items():
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ConfigError(f"rules file {path}: issues.deadline_days.{urgency} must be a whole number ≥ 1")


def load_rules(explicit: Path | None = None) -> Rules:
    """The rules in force: the shipped defaults, overridden by the office's file if any."""
    default_file = default_path()
    default_text = default_file.read_text(encoding="utf-8")
    defaults = tomllib.loads(default_text)
    path = resolve_path(explicit)
    if path is None:
        data, text, source = defaults, default_text, default_file
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"rules file {path} does not exist") from None
        except UnicodeDecodeError:
            raise ConfigError(f"rules file {path} is not UTF-8 text") from None
        try:
            given = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"rules file {path} is not valid TOML: {exc}") from None
        data = _check(defaults, given, "", text, Path(path))
        source = Path(path)
    _validate_semantics(data, source)
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    return Rules(data=data, version=f"{data.get('version', '?')}+{digest}", path=path)
