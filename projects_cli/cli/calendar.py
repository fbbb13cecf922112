"""`projects calendar …`: the working-day calendar (工作日历) — what a year holds and where it comes from,
and the State Council's holiday notice read into the config file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _

app = typer.Typer(help="The working-day calendar (工作日历): show a year, import the State Council's holiday notice.",
                  no_args_is_help=True)

_WEEKDAY = (N_("周一"), N_("周二"), N_("周三"), N_("周四"), N_("周五"), N_("周六"), N_("周日"))


def _day(d: date) -> str:
    return _("{day}日（{weekday}）").format(day=d.day, weekday=_(_WEEKDAY[d.weekday()]))


def _month_day(d: date) -> str:
    return _("{month}月{day}日（{weekday}）").format(month=d.month, day=d.day, weekday=_(_WEEKDAY[d.weekday()]))


def _by_month(days: list[date]) -> dict[int, list[date]]:
    out: dict[int, list[date]] = {}
    for d in days:
        out.setdefault(d.month, []).append(d)
    return out


@app.command()
def show(
    ctx: typer.Context,
    year: Annotated[int, typer.Argument(help="The year (年份), e.g. 2027.", min=1990, max=2100)],
) -> None:
    """Show a year's days off on weekdays and 调休 weekend workdays, month by month, and where they come from.

    Example: projects calendar show 2026
    """
    from projects_cli.config.calendar import config_file, load_calendar
    from projects_cli.errors import NotFound
    from projects_cli.listings.output import fitted_prose, render_table
    from projects_cli.rules.workdays import prc_calendar

    s = common.settings(ctx)
    full, library = load_calendar(s), prc_calendar()
    off = [d for d in full.off if d.year == year]
    on = [d for d in full.on if d.year == year]
    lib_days = {d for d in library.off + library.on if d.year == year}
    local = sorted(d for d in off + on if d not in lib_days)
    if year in library.years:
        source = _("{library} 已收录{year}年").format(library=library.source, year=year)
        if local:
            source += _("；配置文件 {config} 另有{n}天改动").format(config=config_file(s), n=len(local))
    elif year in full.years:
        source = _("配置文件 {config} 列入（chinesecalendar 尚未收录）").format(config=config_file(s))
    else:
        raise NotFound(_("{year}年的节假日尚不知道：chinesecalendar 未收录，配置文件 {config} 也未列入；"
                         "国务院办公厅发布通知后运行 projects calendar import 通知.txt").format(year=year, config=config_file(s)))
    off_by, on_by = _by_month(off), _by_month(on)
    rows = [{"month": _("{month}月").format(month=month), "off": _("、").join(_day(d) for d in off_by.get(month, [])) or "—",
             "on": _("、").join(_day(d) for d in on_by.get(month, [])) or "—"}
            for month in range(1, 13) if month in off_by or month in on_by]
    common.out(_("{year}年工作日历（来源：{source}）").format(year=year, source=source) + "\n\n"
               + render_table(rows, [("month", _("月份")), ("off", _("放假的工作日")), ("on", _("调休上班的周末"))], max_width=80)
               + "\n\n" + fitted_prose(_("共放假工作日{off}天，调休上班{on}天；其余周六、周日休息。").format(off=len(off), on=len(on))))


@app.command("import")
def import_notice(
    ctx: typer.Context,
    notice: Annotated[Path, typer.Argument(help="The notice's text, as published (UTF-8 or GB18030 .txt).")],
    year: Annotated[Optional[int], typer.Option("--year", help="The year the notice is for, if its title does not say.",
                                                min=1990, max=2100)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what was understood; write nothing.")] = False,
) -> None:
    """Read the State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知) into the config file.

    Every line that names a day must be understood, and every weekday printed beside a date must match,
    or nothing is written. The year's days are written to config.toml's [calendar] section (replacing
    what it held for that year) and the year becomes known; the rest of the file stays as it was.

    Example: projects calendar import 2026年节假日安排.txt
    """
    from projects_cli.config.calendar import add_year, config_file
    from projects_cli.config.holiday_notice import read_notice
    from projects_cli.config.schema import read_limited
    from projects_cli.errors import InvalidValue
    from projects_cli.listings.output import render_table
    from projects_cli.rules.workdays import prc_calendar
    from projects_cli.values import office_text

    s = common.settings(ctx)
    raw = read_limited(notice, _("通知文件 {notice}").format(notice=notice), limit=1_000_000)
    if b"\x00" in raw[:4096]:
        raise InvalidValue(_("{notice} 不是文本文件；请把通知的文字复制到 .txt 文件中").format(notice=notice))
    parsed = read_notice(office_text(raw), year)
    rows = [{"name": h.name,
             "off": _month_day(h.off[0]) + (_("至{day}").format(day=_month_day(h.off[-1])) if len(h.off) > 1 else ""),
             "days": len(h.off), "on": _("、").join(_month_day(d) for d in h.worked) or "—"}
            for h in parsed.holidays]
    off, on = parsed.weekdays_off, parsed.weekend_workdays
    common.out(_("{year}年节假日安排（读自 {notice}）").format(year=parsed.year, notice=notice) + "\n"
               + render_table(rows, [("name", _("节日")), ("off", _("放假")), ("days", _("天数")), ("on", _("调休上班"))],
                              max_width=80)
               + "\n" + _("放假的工作日{off}天，调休上班{on}天").format(off=len(off), on=len(on)))
    library = prc_calendar()
    if parsed.year in library.years:
        same = (off == [d for d in library.off if d.year == parsed.year]
                and on == [d for d in library.on if d.year == parsed.year])
        if same:
            common.note(_("与 chinesecalendar 收录的{year}年完全一致，无需写入").format(year=parsed.year))
            return
        common.note(_("注意：与 chinesecalendar 收录的{year}年不同，写入后以配置文件为准").format(year=parsed.year))
    if dry_run:
        common.note(_("预演：未写入"))
        return
    path = config_file(s)
    add_year(path, parsed.year, off, on)
    common.note(_("已写入 {path} 的 [calendar]：{year}年成为已知年份").format(path=path, year=parsed.year))
