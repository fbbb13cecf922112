"""The working-day calendar in force: `chinesecalendar` plus the config file's [calendar] section.

The package knows every year the State Council has published. For a year it
does not know yet, the office lists that year's days off and 调休 working days
itself and declares the year known::

    [calendar]
    holidays = ["2027-01-01", "2027-02-08", …]   # weekdays off (法定节假日)
    workdays = ["2027-02-06", …]                 # weekend days worked (调休上班)
    known_years = [2027]                         # years now fully listed

Local entries also correct a known year (a local holiday, a late change).
The section is checked by `config.office` (dates, years, no day listed as both).
Until a year is known, every working-day calculation touching it is an error
that says so (see `projects_cli.rules.workdays.UnknownYear`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from projects_cli.config.office import PLAIN, read_section, source_of
from projects_cli.config.schema import Source

if TYPE_CHECKING:
    from projects_cli.config.settings import Settings
    from projects_cli.rules.workdays import WorkCalendar


def calendar_from_config(section: dict[str, Any] | None, source: Source = PLAIN) -> WorkCalendar:
    """The PRC calendar with the additions of a config file's [calendar] table (checked by `config.office`)."""
    from projects_cli.rules.workdays import prc_calendar

    table = read_section("calendar", section, source)
    return prc_calendar(table.get("holidays", []), table.get("workdays", []), table.get("known_years", []))


def load_calendar(settings: Settings) -> WorkCalendar:
    """The calendar for a command: the package's data plus the office's config file."""
    return calendar_from_config(settings.config.get("calendar"), source_of(settings.config))
