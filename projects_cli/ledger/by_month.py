"""A ledger of one row per project per month (the 调度 export: a 月份 column, the project on several rows).

Each row is that month's report for its project. `merge_months` turns the
rows of one project into one project row:

* the month of each row from its 月份 cell (10月, 十月, 2025-10, a date); a month
  without a year takes the one the sheet names (its title, 截至… line or a header
  year) or --month, and is refused when none names one or the sheet names several; the rows must be of
  one year, and none after the ledger's as-of (its 截至… line, else its latest month);
* the project's fields must agree across its rows (a blank cell is no value), or
  each row that differs is refused naming the first row and both values; 形象进度,
  项目状态 and 备注 are each month's own and the latest month's is kept;
* two rows of one project and one month are refused naming both;
* the figures, by the header words as elsewhere: 当月完成投资 is each month's own
  figure; a cumulative figure (累计完成投资) gives each month's own figure as the
  difference from the month before, when every month from 1月 is given (a
  figure below the month before is refused); otherwise only the ledger month's is
  read, as the year to date, and the other rows are listed in a warning. The
  ledger month's figure is that month's report (`plan.plan_row`), the earlier
  months' go in `parse.MONTH_FIGURES`, as cumulative month columns give them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from projects_cli.i18n import _
from projects_cli.ledger.parse import MONTH, MONTH_FIGURES, Column, LedgerRow, ParsedSheet, Problem, cell_repr
from projects_cli.rules.dates import month_end
from projects_cli.values import normalize_name

PER_MONTH = frozenset({"site_progress", "status", "notes"})  # each month's own: the latest month's is kept
FIGURES = ("completed_ytd", "month_completed")


def merge_months(result: ParsedSheet, column: Column, *, year: int | None = None) -> None:
    """The rows of each project merged into one (the latest month's Excel row), checked as the module says.

    `year`: the year --month gives, for 月份 cells naming none where the sheet names none either.
    """
    problems: list[Problem] = []
    sheet = result.sheet
    columns = result.header.by_field()

    def problem(row: int, key: str | None, value: Any, message: str, severity: str = "error") -> None:
        at = columns.get(key) if key else None
        problems.append(Problem(severity, sheet, row, at.letter if at else "", at.header if at else "",
                                cell_repr(value), message))

    info = result.info
    said = {c.year for c in result.header.columns if c.field and c.year}
    said |= {y for y in (info.as_of.year if info.as_of else None, info.year) if y}
    if not said and year is not None:
        said = {year}
    dated: list[tuple[LedgerRow, int, int]] = []
    for row in result.rows:
        when = row.values.pop(MONTH, None)
        if when is None:
            if MONTH not in _bad_cells(result, row.row, column):
                problem(row.row, MONTH, "", _("本表一行是一个项目一个月的数，此行没有填月份"))
            continue
        year, month = when
        if year is None:
            if len(said) != 1:
                shown = f"{month}月"
                problem(row.row, MONTH, shown, (
                    _("'{shown}' 没有年份，台账的标题、截至日期和表头也没有写：请写成 2025-{month:02d} 这样的年月，或用 --month 指明"
                      ).format(shown=shown, month=month)) if not said else (
                    _("'{shown}' 的年份不明：台账写了 {years} 年；请写成 {year}-{month:02d} 这样的年月").format(
                        shown=shown, years='、'.join(map(str, sorted(said))), year=min(said), month=month)))
                continue
            year = next(iter(said))
        dated.append((row, year, month))
    years = sorted({y for _, y, _ in dated})
    merged: list[LedgerRow] = []
    if len(years) > 1:
        problem(result.header.last + 1, MONTH, "", _("月份跨了 {years} 年：一个台账只报一年的数，请按年分开导入").format(
            years='、'.join(map(str, years))))
    elif dated:
        year = years[0]
        as_of = info.as_of
        if as_of is not None and as_of.year != year:
            problem(result.header.last + 1, MONTH, "", _("月份是 {year} 年的，台账截至 {as_of}：两者不是同一年").format(
                year=year, as_of=as_of.isoformat()))
        else:
            last = as_of.month if as_of is not None else max(m for _, _, m in dated)
            if as_of is None:
                info.as_of = month_end(year, last)  # the ledger reports its latest month (`plan._periods`)
            late = [(row, m) for row, _, m in dated if m > last]
            for row, m in late:
                problem(row.row, MONTH, f"{year}-{m:02d}", _("{month} 在台账截至日期 {as_of} 之后").format(
                    month=f"{year}-{m:02d}", as_of=info.as_of.isoformat()))
            if not late:
                for rows in _projects(dated).values():
                    one = _merge(rows, year, last, problem, columns)
                    if one is not None:
                        merged.append(one)
    result.rows = sorted(merged, key=lambda r: r.row)
    if problems:
        result.problems = sorted(result.problems + problems, key=lambda p: p.row)


def _bad_cells(result: ParsedSheet, row: int, column: Column) -> set[str]:
    """MONTH when the row's 月份 cell already has a problem (it was not a month)."""
    return {MONTH for p in result.problems if p.row == row and p.column == column.letter}


def _projects(dated: list[tuple[LedgerRow, int, int]]) -> dict[tuple[str, Any], list[tuple[LedgerRow, int]]]:
    """The rows of each project, by its code, else its name (a name on a row that also has a code is that code's)."""
    code_of = {}
    for row, _year, _month in dated:
        code, name = row.values.get("code"), row.values.get("name")
        if code and name:
            code_of.setdefault(normalize_name(name), code)
    out: dict[tuple[str, Any], list[tuple[LedgerRow, int]]] = {}
    for row, _year, month in dated:
        code, name = row.values.get("code"), row.values.get("name")
        if name and not code:
            code = code_of.get(normalize_name(name))
        key = ("code", code) if code else ("name", normalize_name(name)) if name else ("row", row.row)
        out.setdefault(key, []).append((row, month))
    return out


def _merge(rows: list[tuple[LedgerRow, int]], year: int, last: int, problem, columns: dict[str, Column]
           ) -> LedgerRow | None:
    """One project's rows as one row (None when they are refused)."""
    rows = sorted(rows, key=lambda r: (r[1], r[0].row))
    label = rows[-1][0].values.get("name") or rows[-1][0].values.get("code") or ""
    first_of: dict[int, int] = {}
    fine = True
    for row, month in rows:
        if month in first_of:
            problem(row.row, MONTH, f"{year}-{month:02d}",
                    _("与第 {first} 行是同一个项目（{label}）的同一个月（{month}）：一个项目每月只能有一行").format(
                        first=first_of[month], label=label, month=f"{year}-{month:02d}"))
            fine = False
        first_of.setdefault(month, row.row)
    first_value: dict[str, tuple[int, Any]] = {}
    for row, _month in rows:
        for key, value in row.values.items():
            if key in PER_MONTH or key in FIGURES:
                continue
            if key not in first_value:
                first_value[key] = (row.row, value)
            elif first_value[key][1] != value and not (key == "name" and normalize_name(value) == normalize_name(
                    first_value[key][1])):  # a name matched ignoring spaces, as elsewhere
                at, old = first_value[key]
                header = columns[key].header if key in columns else key
                problem(row.row, key, value,
                        _("第 {at}、{row} 行是同一个项目（{label}）的不同月份，{header}却不一致（第 {at} 行 {old}，"
                          "第 {row} 行 {new}）：同一项目各月的项目信息应相同").format(
                            at=at, row=row.row, label=label, header=header, old=_shown(old), new=_shown(value)))
                fine = False
    if not fine:
        return None
    values: dict[str, Any] = {}
    for row, _month in rows:
        values.update((k, v) for k, v in row.values.items() if k not in FIGURES)
    latest_row = rows[-1][0]
    ytd = {m: r.values["completed_ytd"] for r, m in rows if "completed_ytd" in r.values}
    own = {m: r.values["month_completed"] for r, m in rows if "month_completed" in r.values}
    row_of = {m: r.row for r, m in rows}
    figures: dict[int, Decimal] = {}
    if ytd:
        latest = max(ytd)
        if sorted(ytd) == list(range(1, latest + 1)):
            for month in range(1, latest + 1):
                figure = Decimal(ytd[month]) - (Decimal(ytd[month - 1]) if month > 1 else 0)
                if figure < 0:
                    problem(row_of[month], "completed_ytd", ytd[month],
                            _("{month} 的累计数 {figure} 小于上月累计 {before}：累计完成投资不会减少").format(
                                month=f"{year}-{month:02d}", figure=_shown(ytd[month]), before=_shown(ytd[month - 1])))
                    return None
                if month in own and month != last and Decimal(own[month]) != figure:
                    problem(row_of[month], "month_completed", own[month],
                            _("{month} 的当月完成投资 {own} 万元不是累计数之差 {figure} 万元").format(
                                month=f"{year}-{month:02d}", own=_shown(own[month]), figure=_shown(figure)))
                    return None
                if month < last:
                    figures[month] = figure
        else:
            unread = [m for m in sorted(ytd) if m != last]
            if unread:
                problem(row_of[unread[0]], "completed_ytd", ytd[unread[0]],
                        _("{label} 的累计完成投资没有从 1 月起逐月填报，{months}（第 {rows} 行）的累计数本次不读，只读 {last} 的"
                          ).format(label=label, months='、'.join(f'{year}-{m:02d}' for m in unread),
                                   rows='、'.join(str(row_of[m]) for m in unread), last=f"{year}-{last:02d}"),
                        "warning")
        if last in ytd:
            values["completed_ytd"] = ytd[last]
        if last in own:
            values["month_completed"] = own[last]
    elif own:
        figures = {m: Decimal(v) for m, v in own.items() if m < last}
        if last in own:
            values["month_completed"] = own[last]
    if figures:
        values[MONTH_FIGURES] = figures
    return LedgerRow(latest_row.row, values)


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(cell_repr(value))
