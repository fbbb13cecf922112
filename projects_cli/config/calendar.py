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

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from projects_cli.config.office import PLAIN, read_section, source_of
from projects_cli.config.schema import Source, read_limited

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


def config_file(settings: Settings) -> Path:
    """The config file commands write to: --config / PROJECTS_CONFIG, else config.toml in the data folder."""
    from projects_cli.config.paths import home_dir

    return settings.config_path or home_dir() / "config.toml"


def add_year(path: Path, year: int, holidays: list[date], workdays: list[date]) -> None:
    """Write one year's weekdays off and weekend workdays into the config file's [calendar] section, replacing
    what it listed for that year and adding the year to known_years; the rest of the file (comments, other
    sections, other years) stays as it was. The file is checked again before it replaces the old one."""
    import tomlkit

    from projects_cli.config.office import config_from_text
    from projects_cli.writes import release, write_text

    text = read_limited(path, "config file").decode("utf-8") if path.exists() else ""
    doc = tomlkit.parse(text)
    if "calendar" not in doc:
        doc.add(tomlkit.nl())
        doc.add("calendar", tomlkit.table())
    table = doc["calendar"]

    def merged(key: str, days: list[date]) -> Any:
        kept = [str(d) for d in table.get(key, []) if not str(d).startswith(f"{year}-")]
        items = tomlkit.array()
        items.extend(sorted(set(kept) | {d.isoformat() for d in days}))
        items.multiline(len(items) > 6)
        return items

    table["holidays"] = merged("holidays", holidays)
    table["workdays"] = merged("workdays", workdays)
    years = tomlkit.array()
    years.extend(sorted({int(y) for y in table.get("known_years", [])} | {year}))
    table["known_years"] = years
    out = tomlkit.dumps(doc)
    config_from_text(out, path)  # the new file must read as a valid config before it replaces the old one
    release(path)  # the config file is this command's input and, here, on purpose its output
    write_text(path, out)
