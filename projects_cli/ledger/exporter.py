"""`projects ledger export`: the registry as the ledger an office prints and files.

Layout: a merged title row with the as-of date; an info row (unit 万元, as-of
date); a frozen two-row header grouped as offices group it (投资情况（万元） over
总投资 / 年度计划投资 / 累计完成投资 / 完成率; 开工时间 and 竣工时间 over 计划 /
实际); a 合计 row; sections by cluster and chain (一、高端装备（15个）,
（一）工程机械（8个）) or by responsible unit, each with its subtotals; borders,
widths fitted to Chinese text, long text wrapped, number formats for 万元,
dates and rates; print setup (landscape, A3 for a wide sheet, header rows on
every page, fit to the page width); each project's standing card (红黄蓝牌) as
the fill of its 预警等级 cell.

Written in openpyxl's write-only mode (streamed, bounded memory); every text
that looks like a formula is stored as text. What this writes, the importer
reads back to the same registry: the investment headers carry their year and
months ("2025年计划投资", "2025年1-10月完成投资").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Mapping

from sqlalchemy import and_, func, select
from sqlmodel import Session

from projects_cli.config import chains
from projects_cli.errors import ConfigError, ProjectsError
from projects_cli.facts import asof
from projects_cli.facts.filters import ProjectFilter
from projects_cli.facts.ledger_rows import LEDGER_KINDS, Shape, select_rows
from projects_cli.i18n import _
from projects_cli.ledger.columns import export_header, ledger_section
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import Project
from projects_cli.vocab import NO_UNIT
from projects_cli.workbooks import styling
from projects_cli.writes import refuse_input, save_workbook

GROUPS = ("chain", "unit", "none")
PAPERS = ("auto", "A3", "A4")
DEFAULT_TITLE = "重点项目推进情况台账"
NUMERALS = "一二三四五六七八九十"
NO_CHAIN = "其他"


@dataclass(frozen=True)
class Col:
    key: str
    top: str  # the header's upper row (a group header spans its sub-columns)
    sub: str | None  # the lower row; None: the top cell is merged down over both rows
    kind: str = "text"  # text · wrap · money · area · date · rate · card · seq
    summed: bool = False  # carries a subtotal on section and 合计 rows


def columns(year: int, month: int) -> list[Col]:
    """The ledger's columns for an as-of year and month (the investment headers name them)."""
    money = "投资情况（万元）"
    months = "1月" if month == 1 else f"1-{month}月"
    return [
        Col("seq", "序号", None, "seq"),
        Col("code", export_header("code"), None),
        Col("name", export_header("name"), None, "wrap"),
        Col("categories", export_header("categories"), None),
        Col("cluster", export_header("cluster"), None),
        Col("chain", export_header("chain"), None),
        Col("owner", export_header("owner"), None, "wrap"),
        Col("location", export_header("location"), None, "wrap"),
        Col("content", export_header("content"), None, "wrap"),
        Col("floor_area", export_header("floor_area"), None, "area"),
        Col("capacity", export_header("capacity"), None, "wrap"),
        Col("total_investment", money, "总投资", "money", True),
        Col("annual_plan", money, f"{year}年计划投资", "money", True),
        Col("completed_ytd", money, f"{year}年{months}完成投资", "money", True),
        Col("completion_rate", money, "投资完成率", "rate"),
        Col("status", export_header("status"), None),
        Col("planned_start", "开工时间", "计划", "date"),
        Col("actual_start", "开工时间", "实际", "date"),
        Col("planned_completion", "竣工时间", "计划", "date"),
        Col("actual_completion", "竣工时间", "实际", "date"),
        Col("site_progress", export_header("site_progress"), None, "wrap"),
        Col("unit", export_header("unit"), None),
        Col("leader", export_header("leader"), None),
        Col("task_force", export_header("task_force"), None, "wrap"),
        Col("plan_columns", export_header("plan_columns"), None),
        Col("source", export_header("source"), None),
        Col("card", export_header("card"), None, "card"),
        Col("notes", export_header("notes"), None, "wrap"),
        Col("approval_code", export_header("approval_code"), None),
    ]


# `--columns print`: what a printed ledger needs, few enough to read on A3 (the rest stays in the registry)
PRINT_COLUMNS = ("seq", "name", "unit", "leader", "total_investment", "annual_plan", "completed_ytd",
                 "completion_rate", "status", "planned_start", "actual_start", "planned_completion",
                 "actual_completion", "site_progress", "card")
ALWAYS = ("seq", "name")  # a ledger row is numbered and named, whatever else it shows
# other names offices give the investment columns, whose headers carry the year and months
ALIASES = {"annual_plan": ("年度计划投资", "计划投资"), "completed_ytd": ("累计完成投资", "完成投资", "本年完成投资"),
           "completion_rate": ("完成率",)}


def column_names(col: Col) -> tuple[str, ...]:
    """What a person may call a column in --columns: its key, its header (开工时间 计划 → 计划开工时间) and aliases."""
    if col.sub is None:
        header = col.top
    elif col.top.endswith("时间"):
        header = f"{col.sub}{col.top}"
    else:
        header = col.sub
    return (col.key, header, *ALIASES.get(col.key, ()))


def pick_columns(cols: list[Col], wanted: str | list[str] | None) -> list[Col]:
    """The columns a ledger shows: every one (None, "all"), the printable set ("print"), or those named (keys or
    Chinese headers, in the ledger's order); 序号 and 项目名称 are always there. A name no column has is an error
    listing the names."""
    from projects_cli.errors import InvalidValue
    from projects_cli.values import clean_text, split_list

    if wanted is None or wanted == "all" or wanted == ["all"]:
        return cols
    if wanted == "print" or wanted == ["print"]:
        keys = set(PRINT_COLUMNS)
    else:
        names = {name: col.key for col in cols for name in column_names(col)}
        keys = set(ALWAYS)
        for typed in (split_list(wanted) if isinstance(wanted, str) else wanted):
            name = clean_text(typed)
            if name not in names:
                shown = "、".join(column_names(c)[1] for c in cols)
                raise InvalidValue(_("台账没有“{name}”这一列；可选的列：all（全部）、print（打印用）或 {columns}").format(
                    name=name, columns=shown))
            keys.add(names[name])
    return [c for c in cols if c.key in keys or c.key in ALWAYS]


# The project's own columns the ledger shows (timestamps and version are bookkeeping).
PROJECT_COLUMNS = ("id", "code", "name", "categories", "cluster", "chain", "owner", "location", "content", "floor_area",
                   "capacity", "total_investment", "status", "leader", "task_force", "source", "plan_columns",
                   "site_progress", "notes", "approval_code")


def ledger_title(config: Mapping[str, Any] | None) -> str:
    title = ledger_section(config).get("title", DEFAULT_TITLE)
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(_("配置文件：[ledger] title 应为文字，例如 title = \"高新区重点项目推进情况台账\""))
    return title.strip()


# ---------------------------------------------------------------- the data


def ledger_rows(session: Session, as_of: date, filters: ProjectFilter, period_kind: str = "monthly") -> list[dict[str, Any]]:
    """Every project the filters select, with the year's plan and completion, 开工/竣工 dates, and its card.

    A handful of queries for the whole registry: the projects as ledger rows
    (`facts.ledger_rows`: joined to their unit, plan, year-to-date completion
    and the two milestones); the cards in one more (`sheets` decides which
    card stands).
    """
    shape = Shape(PROJECT_COLUMNS, unit=True, plan_year=as_of.year, to_month=f"{as_of.year:04d}-{as_of.month:02d}",
                  kinds=LEDGER_KINDS)
    # the projects' fields and units as on record on `as_of`, their units named as then
    projects = asof.projects_on(session, as_of)
    query = select_rows(shape, clauses=filters.clauses(projects=projects), unit_name=asof.unit_name_on(session, as_of),
                        table=projects)
    rows = [dict(r) for r in session.connection().execute(query).mappings()]
    cards = _cards(session, as_of, period_kind, filters)
    for row in rows:
        row["card"] = cards.get(row["code"])
        planned, done = row["annual_plan"], row["completed_ytd"]
        row["completion_rate"] = float(done) / float(planned) if planned and done is not None else None
    return rows


def _cards(session: Session, as_of: date, period_kind: str, filters: ProjectFilter) -> dict[str, str]:
    """Project code → the colour of its card: the period's standing card (`cards.list_cards`, a manual card
    in force winning), else the latest rating before it; none when never rated."""
    from projects_cli.rules.dates import period_of
    from projects_cli.services.cards import list_cards
    from projects_cli.store.models import Card

    c, p = Card.__table__.c, Project.__table__.c
    if session.connection().execute(select(c.id).limit(1)).first() is None:
        return {}
    period = period_of(as_of, period_kind)
    colors = {row["code"]: row["color"] for row in list_cards(session, period, filters)}
    latest = (
        select(c.project_id, func.max(c.period).label("period"))
        .where(c.manual.is_(False), c.period < period, c.as_of <= as_of)
        .group_by(c.project_id)
        .subquery()
    )
    earlier = (
        select(p.code, c.color)
        .select_from(Card.__table__.join(latest, and_(latest.c.project_id == c.project_id, latest.c.period == c.period))
                     .join(Project.__table__, p.id == c.project_id))
        .where(c.manual.is_(False))
    )
    for code, color in session.connection().execute(earlier):
        colors.setdefault(code, color)
    return colors


def _sections(rows: list[dict[str, Any]], group_by: str) -> list[tuple[int, str, list[dict[str, Any]]]]:
    """(level, label, rows) in the order they are written; level 0 holds rows outside any section."""
    if group_by == "none":
        return [(0, "", rows)]
    if group_by == "unit":
        by_unit: dict[str, list] = defaultdict(list)
        for row in rows:
            by_unit[row["unit"] or NO_UNIT].append(row)
        order = sorted(by_unit, key=lambda k: (k == NO_UNIT, k))
        return [(1, name, by_unit[name]) for name in order]
    # by cluster, then chain
    cluster_order = list(chains.CLUSTERS)
    chain_order = [c for cs in chains.CLUSTERS.values() for c in cs] + list(chains.OTHER_KINDS)
    tree: dict[str, dict[str | None, list]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        top = row["cluster"] or row["chain"] or NO_CHAIN
        sub = row["chain"] if row["cluster"] and row["chain"] else None
        tree[top][sub].append(row)

    def top_key(name: str) -> tuple:
        if name in cluster_order:
            return (0, cluster_order.index(name), name)
        if name in chain_order:
            return (1, chain_order.index(name), name)
        return (2 if name != NO_CHAIN else 3, 0, name)

    def sub_key(name: str | None) -> tuple:
        if name is None:
            return (0, 0, "")
        return (1, chain_order.index(name), name) if name in chain_order else (2, 0, name)

    out = []
    for top in sorted(tree, key=top_key):
        subs = tree[top]
        out.append((1, top, [r for group in subs.values() for r in group]))
        for sub in sorted(subs, key=sub_key):
            out.append((2, sub, subs[sub]) if sub is not None else (0, "", subs[sub]))
    return out


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return NUMERALS[tens - 1] + "十" + (NUMERALS[ones - 1] if ones else "")


# ---------------------------------------------------------------- the workbook


def export_ledger(
    session: Session,
    ctx: Ctx,
    path: Path,
    filters: ProjectFilter,
    *,
    group_by: str = "chain",
    paper: str = "auto",
    title: str | None = None,
    config: Mapping[str, Any] | None = None,
    card_labels: Mapping[str, str] | None = None,
    period_kind: str = "monthly",
    progress: Callable[[str, int, int], None] | None = None,
    shown: str | list[str] | None = None,
) -> int:
    """Write the ledger to `path` (.xlsx); returns the number of projects in it. `shown`: the columns
    (`pick_columns`; default: [ledger] columns in the config, else every column)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    if group_by not in GROUPS:
        raise ProjectsError(_("分组方式应为 {choices} 之一，不是 {value}").format(choices=', '.join(GROUPS), value=repr(group_by)))
    if paper not in PAPERS:
        raise ProjectsError(_("纸张应为 {choices} 之一，不是 {value}").format(choices=', '.join(PAPERS), value=repr(paper)))
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ProjectsError(_("{file}：台账写成 Excel 工作簿，文件名请用 *.xlsx").format(file=path.name))
    if not path.parent.exists():
        raise ProjectsError(_("文件夹 {folder} 不存在").format(folder=path.parent))
    refuse_input(path)  # before the long build
    as_of = ctx.as_of
    cols = pick_columns(columns(as_of.year, as_of.month), shown or ledger_section(config).get("columns"))
    rows = ledger_rows(session, as_of, filters, period_kind)
    for row in rows:
        row["no card"] = None
    labels = dict(card_labels or {"red": "红牌", "yellow": "黄牌", "blue": "蓝牌"})
    heading = f"{title or ledger_title(config)}（截至{as_of.year}年{as_of.month}月{as_of.day}日）"
    ncols = len(cols)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("重点项目台账")
    styling.stream_cells(ws)
    # widths from the data (computed before the first row: write-only sheets fix them up front)
    widest = [max(styling.text_width(c.top if c.sub is None else c.sub), 4) for c in cols]
    for row in rows:
        for i, col in enumerate(cols):
            value = row.get(col.key)
            if value is not None and value != "":
                w = styling.text_width(value)
                if w > widest[i]:
                    widest[i] = w
    widths = [styling.fit_width(w, wrap=c.kind == "wrap") for w, c in zip(widest, cols)]
    widths[0] = 6.0
    styling.set_widths(ws, widths)
    styling.print_setup(ws, ncols=ncols, title_rows="3:4", paper=paper)
    name_at = next(i for i, c in enumerate(cols) if c.key == "name")
    ws.freeze_panes = f"{get_column_letter(name_at + 2)}5"  # 序号 … 项目名称 stay in view

    ws.append(styling.title_row(ws, heading, ncols, 1))
    info = styling.info_cell(ws)
    info_right = styling.info_cell(ws, alignment=styling.RIGHT)
    right = max(1, min(3, ncols - 1))  # the as-of date spans the last columns (but the first)
    info_row = [styling.one_off(ws, "单位：万元", info)] + [None] * (ncols - 1 - right)
    info_row.append(styling.one_off(ws, f"截至{as_of.year}年{as_of.month}月{as_of.day}日", info_right))
    if right > 1:
        ws.merged_cells.add(f"{get_column_letter(ncols - right + 1)}2:{get_column_letter(ncols)}2")
    ws.append(info_row)
    # the two-row header: a group header spans its sub-columns; the others are merged down
    head = styling.header_cell(ws)
    top, sub = [], []
    i = 0
    while i < ncols:
        col = cols[i]
        if col.sub is None:
            ws.merged_cells.add(f"{get_column_letter(i + 1)}3:{get_column_letter(i + 1)}4")
            top.append(styling.one_off(ws, col.top, head))
            sub.append(styling.one_off(ws, None, head))
            i += 1
            continue
        j = i
        while j + 1 < ncols and cols[j + 1].sub is not None and cols[j + 1].top == col.top:
            j += 1
        if j > i:
            ws.merged_cells.add(f"{get_column_letter(i + 1)}3:{get_column_letter(j + 1)}3")
        for k in range(i, j + 1):
            top.append(styling.one_off(ws, col.top if k == i else None, head))
            sub.append(styling.one_off(ws, cols[k].sub, head))
        i = j + 1
    ws.row_dimensions[3].height = 22
    ws.row_dimensions[4].height = 30
    ws.append(top)
    ws.append(sub)

    # body templates: one styled cell per column, reused row after row
    body = [styling.column_cell(ws, col.kind) for col in cols]
    card_cells = {color: styling.column_cell(ws, "card", fill=fill) for color, fill in styling.CARD_FILLS.items()}
    card_index = next((i for i, c in enumerate(cols) if c.key == "card"), None)
    keys = [c.key for c in cols]
    if card_index is not None:
        keys[card_index] = "no card"  # written separately, with its fill
    pick = itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    summed = [i for i, c in enumerate(cols) if c.summed]
    # the label of a 合计 or section row spans the columns before the money (all of them when none is shown)
    label_span = summed[0] if summed else ncols

    def totals(group: list[dict[str, Any]]) -> dict[int, Decimal]:
        out = {}
        for i in summed:
            values = [r[cols[i].key] for r in group if r[cols[i].key] is not None]
            out[i] = sum((Decimal(v) for v in values), Decimal(0)) if values else None
        return out

    def summary_row(label: str, sums: dict[int, Any], fill, row_number: int) -> list:
        style = styling.section_cell(ws, fill=fill)
        money = styling.section_cell(ws, fill=fill, alignment=styling.RIGHT, number_format=styling.MONEY_FORMAT)
        cells = []
        for i in range(ncols):
            if i == 0:
                cells.append(styling.one_off(ws, label, style))
            elif i in sums:
                cells.append(styling.one_off(ws, sums[i], money))
            else:
                cells.append(styling.one_off(ws, None, style))
        ws.merged_cells.add(f"A{row_number}:{get_column_letter(label_span)}{row_number}")
        return cells

    row_number = 5
    ws.append(summary_row(f"合计（{len(rows)}个）", totals(rows), styling.TOTAL_FILL, row_number))
    row_number += 1
    seq = 0
    counters = {1: 0, 2: 0}
    total = len(rows)
    for level, label, group in _sections(rows, group_by):
        if level:
            counters[level] += 1
            if level == 1:
                counters[2] = 0
            number = _numeral(counters[level])
            text = f"{number}、{label}（{len(group)}个）" if level == 1 else f"（{number}）{label}（{len(group)}个）"
            ws.append(summary_row(text, totals(group), styling.SECTION_FILL, row_number))
            row_number += 1
            if level == 1 and group_by == "chain":
                continue  # its rows follow under level 0 / level 2 entries
        for row in group:
            seq += 1
            row["seq"] = seq
            values = pick(row)
            cells = styling.fill_row(body, values)
            color = row["card"]
            if color is not None and card_index is not None:
                cells[card_index] = styling.one_off(ws, labels.get(color, color), card_cells[color])
            ws.append(cells)
            row_number += 1
            if progress is not None and seq % 2000 == 0:
                progress("write", seq, total)
    save_workbook(wb, path)
    if progress is not None:
        progress("write", total, total)
    return total
