"""The working-day calendar in force: `chinesecalendar` plus the config file's [calendar] section.

The package knows every year the State Council has published. For a year it
does not know yet, the office lists that year's days off and 调休 working days
itself and declares the year known::

    [calendar]
    holidays = ["2027-01-01", "2027-02-08", …]   # weekdays off (法定节假日)
    workdays = ["2027-02-06", …]                 # weekend days worked (调休上班)
    known_years = [2027]                         # years now fully listed

Local entries also correct a known year (a local holiday, a late change).
Until a year is known, every working-day calculation touching it is an error
that says so (see `projects_cli.rules.workdays.UnknownYear`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from projects_cli.config.settings import parse_iso_date
from projects_cli.errors import ConfigError

if TYPE_CHECKING:
    from projects_cli.config.settings import Settings
    from projects_cli.rules.workdays import WorkCalendar

KEYS = ("holidays", "workdays", "known_years")


def _dates(section: dict[str, Any], key: str) -> list[date]:
    value = section.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"config file: [calendar] {key} must be a list of dates such as [\"2027-01-01\"]")
    out = []
    for item in value:
        if isinstance(item, date):
            out.append(item)
        elif isinstance(item, str):
            out.append(parse_iso_date(item, f"config file: [calendar] {key}:"))
        else:
            raise ConfigError(f"config file: [calendar] {key}: {item!r} is not a date; write it as \"2027-01-01\"")
    return out


def calendar_from_config(section: dict[str, Any]) -> WorkCalendar:
    """The PRC calendar with the additions of a config file's [calendar] table."""
    from projects_cli.errors import ProjectsError
    from projects_cli.rules.workdays import prc_calendar

    unknown = sorted(set(section) - set(KEYS))
    if unknown:
        raise ConfigError(f"config file: [calendar] has unknown key {unknown[0]!r}; known keys: {', '.join(KEYS)}")
    years = section.get("known_years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise ConfigError("config file: [calendar] known_years must be a list of years such as [2027]")
    try:
        return prc_calendar(_dates(section, "holidays"), _dates(section, "workdays"), years)
    except ConfigError:
        raise
    except ProjectsError as exc:
        raise ConfigError(f"config file: [calendar]: {exc}") from None


def load_calendar(settings: Settings) -> WorkCalendar:
    """The calendar for a command: the package's data plus the office's config file."""
    return calendar_from_config(settings.section("calendar"))
