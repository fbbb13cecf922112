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
                problem(row.row, MONTH, "", "本表一行是一个项目一个月的数，此行没有填月份 (the month is empty; each row "
                                            "reports one month)")
            continue
        year, month = when
        if year is None:
            if len(said) != 1:
                shown = f"{month}月"
                problem(row.row, MONTH, shown, (
                    f"'{shown}' 没有年份，台账的标题、截至日期和表头也没有写：请写成 2025-{month:02d} 这样的年月，或用 --month 指明"
                    " (no year: the sheet names none; write the year and month, or give --month)") if not said else (
                    f"'{shown}' 的年份不明：台账写了 {'、'.join(map(str, sorted(said)))} 年；请写成 {min(said)}-{month:02d} "
                    "这样的年月 (the sheet names several years; write the year and month)"))
                continue
            year = next(iter(said))
        dated.append((row, year, month))
    years = sorted({y for _, y, _ in dated})
    merged: list[LedgerRow] = []
    if len(years) > 1:
        problem(result.header.last + 1, MONTH, "", f"月份跨了 {'、'.join(map(str, years))} 年：一个台账只报一年的数，请按年分开导入"
                                                   f" (the months span the years {', '.join(map(str, years))}; import one "
                                                   "year at a time)")
    elif dated:
        year = years[0]
        as_of = info.as_of
        if as_of is not None and as_of.year != year:
            problem(result.header.last + 1, MONTH, "", f"月份是 {year} 年的，台账截至 {as_of.isoformat()}：两者不是同一年"
                                                       f" (the months are of {year}, the ledger is as of {as_of.isoformat()})")
        else:
            last = as_of.month if as_of is not None else max(m for _, _, m in dated)
            if as_of is None:
                info.as_of = month_end(year, last)  # the ledger reports its latest month (`plan._periods`)
            late = [(row, m) for row, _, m in dated if m > last]
            for row, m in late:
                problem(row.row, MONTH, f"{year}-{m:02d}", f"{year}-{m:02d} 在台账截至日期 {info.as_of.isoformat()} 之后"
                                                             " (a month after the ledger's as-of date)")
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
    for row, _, _ in dated:
        code, name = row.values.get("code"), row.values.get("name")
        if code and name:
            code_of.setdefault(normalize_name(name), code)
    out: dict[tuple[str, Any], list[tuple[LedgerRow, int]]] = {}
    for row, _, month in dated:
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
                    f"与第 {first_of[month]} 行是同一个项目（{label}）的同一个月（{year}-{month:02d}）：一个项目每月只能有一行"
                    f" (the same project and month as row {first_of[month]})")
            fine = False
        first_of.setdefault(month, row.row)
    first_value: dict[str, tuple[int, Any]] = {}
    for row, _ in rows:
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
                        f"第 {at}、{row.row} 行是同一个项目（{label}）的不同月份，{header}却不一致（第 {at} 行 {_shown(old)}，"
                        f"第 {row.row} 行 {_shown(value)}）：同一项目各月的项目信息应相同 (rows {at} and {row.row} are months "
                        f"of one project but differ in {header})")
                fine = False
    if not fine:
        return None
    values: dict[str, Any] = {}
    for row, _ in rows:
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
                            f"{year}-{month:02d} 的累计数 {_shown(ytd[month])} 小于上月累计 {_shown(ytd[month - 1])}："
                            "累计完成投资不会减少 (a cumulative figure below the month before it)")
                    return None
                if month in own and month != last and Decimal(own[month]) != figure:
                    problem(row_of[month], "month_completed", own[month],
                            f"{year}-{month:02d} 的当月完成投资 {_shown(own[month])} 万元不是累计数之差 {_shown(figure)} 万元"
                            " (the month's figure is not the difference of the cumulative figures)")
                    return None
                if month < last:
                    figures[month] = figure
        else:
            unread = [m for m in sorted(ytd) if m != last]
            if unread:
                problem(row_of[unread[0]], "completed_ytd", ytd[unread[0]],
                        f"{label} 的累计完成投资没有从 1 月起逐月填报，{'、'.join(f'{year}-{m:02d}' for m in unread)} "
                        f"（第 {'、'.join(str(row_of[m]) for m in unread)} 行）的累计数本次不读，只读 {year}-{last:02d} 的"
                        " (cumulative figures not given for every month from January: only the ledger month's is read)",
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
