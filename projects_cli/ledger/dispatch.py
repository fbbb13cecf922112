"""`projects ledger dispatch`: each responsible unit's own fill-in workbook (派工单), and the record of what was sent.

A dispatched workbook has three sheets:

* 派工单 — the unit's projects (active statuses only), one row each. The
  office's columns (编号, 名称, 建设单位, 状态, 总投资, 年度计划, 此前累计完成,
  计划开工/竣工) are grey and locked by sheet protection; the unit's columns
  (the period's monthly investment, 实际开工/竣工, 形象进度, 存在问题) are yellow
  and open, each with data validation: amounts non-negative numbers, dates
  dates, 形象进度 from a drop-down of the configured stages. Instructions in
  Chinese at the top.
* 节点及问题 — the unit's milestones overdue or due by the due date (with an
  open 实际完成日期 column) and its problems whose deadline runs (read only).
* 招商线索 — with `leads`: the unit's leads being pursued (信息库: stage, last
  follow-up, when the next falls due, locked), with open columns for the
  follow-ups made (date, what, next date) and a stage move (drop-down) with
  its reason; the return records them (`lead follow`, `lead move`).
* ``projects_dispatch`` — very hidden: the unit, the period, the token and a
  fingerprint of every row as sent. `ledger/returns.py` recognises a return by it.

The same rows, values and fingerprints are kept in the database
(`Dispatch.fingerprints`): the return is judged against that copy, never
against what the file says about itself.

Stages and an optional protection password come from the config file::

    [dispatch]
    stages = ["前期手续", "基础施工", "主体施工", "设备安装", "竣工验收", "投产"]
    password = "…"      # sheet and workbook protection; without it Excel unprotects without asking
    title = "重点项目推进情况派工单"
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import or_, select
from sqlmodel import Session

from projects_cli.config.office import section
from projects_cli.errors import InvalidValue, NotFound, ProjectsError
from projects_cli.facts import asof
from projects_cli.facts.ledger_rows import COMPLETION, START, Shape, select_rows
from projects_cli.i18n import _
from projects_cli.listings.output import format_decimal
from projects_cli.rules.dates import period_end, period_of
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import (
    Dispatch,
    Milestone,
    ProgressReport,
    Project,
    Unit,
)
from projects_cli.values import ValueProblem, clean_text, is_empty, parse_amount, parse_date

MARKER = "projects_dispatch"  # the very hidden sheet (ASCII: found by a byte search in workbook.xml)
MAIN_SHEET = "派工单"
DUE_SHEET = "节点及问题"
LEAD_SHEET = "招商线索"
LAYOUT = 1  # bumped when the workbook's layout changes; a return of another layout is refused
HEADER_ROW = 4  # both visible sheets: title, info/instructions, instructions/section, header
DEFAULT_STAGES = ("前期手续", "基础施工", "主体施工", "设备安装", "竣工验收", "投产")
DEFAULT_TITLE = "重点项目推进情况派工单"
SOURCE = "派工单"  # InvestmentReport.source / ProgressReport.source prefix
CHUNK = 900
# Excel date serials for the date validation (1990-01-01 … 2100-12-31)
FIRST_SERIAL, LAST_SERIAL = 32874, 73415
from projects_cli.writes import refuse_input, save_workbook


@dataclass(frozen=True)
class DispatchConfig:
    stages: tuple[str, ...] = DEFAULT_STAGES
    password: str | None = None
    title: str = DEFAULT_TITLE


def dispatch_config(config: Mapping[str, Any] | None) -> DispatchConfig:
    """The config file's [dispatch] table (checked by `config.office`) over the defaults."""
    table = section(config, "dispatch")
    return DispatchConfig(tuple(table.get("stages", DEFAULT_STAGES)), table.get("password"),
                          table.get("title", DEFAULT_TITLE))


# ---------------------------------------------------------------- columns and values


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    kind: str  # seq · text · wrap · money · date · stage · note · state
    open: bool = False  # the unit fills it; else the office's, locked


def main_columns(year: int, month: int) -> list[Col]:
    """The 派工单 sheet's columns for the period's year and month."""
    if month >= 3:
        before = [Col("completed_before", f"{year}年1-{month - 1}月累计完成投资（万元）", "money")]
    elif month == 2:
        before = [Col("completed_before", f"{year}年1月完成投资（万元）", "money")]
    else:
        before = []  # January: nothing before it this year
    return [
        Col("seq", "序号", "seq"),
        Col("code", "项目编号", "text"),
        Col("name", "项目名称", "wrap"),
        Col("owner", "建设单位", "wrap"),
        Col("status", "项目状态", "text"),
        Col("total_investment", "总投资（万元）", "money"),
        Col("annual_plan", f"{year}年计划投资（万元）", "money"),
        *before,
        Col("planned_start", "计划开工时间", "date"),
        Col("planned_completion", "计划竣工时间", "date"),
        Col("month_amount", f"{year}年{month}月完成投资（万元）", "money", True),
        Col("actual_start", "实际开工时间", "date", True),
        Col("actual_completion", "实际竣工时间", "date", True),
        Col("site_progress", "形象进度", "stage", True),
        Col("problems", "存在问题", "note", True),
    ]


MILESTONE_COLUMNS = [
    Col("seq", "序号", "seq"),
    Col("code", "项目编号", "text"),
    Col("name", "项目名称", "wrap"),
    Col("kind", "节点", "text"),
    Col("planned", "计划完成日期", "date"),
    Col("state", "状态", "state"),
    Col("actual", "实际完成日期", "date", True),
]


LEAD_COLUMNS = [
    Col("seq", "序号", "seq"),
    Col("code", "线索编号", "text"),
    Col("name", "项目名称", "wrap"),
    Col("company", "客商", "wrap"),
    Col("stage", "阶段", "text"),
    Col("last_on", "上次跟进", "date"),
    Col("follow_due", "应跟进日期", "date"),
    Col("state", "跟进状态", "state"),
    Col("follow_on", "本次跟进日期", "date", True),
    Col("follow_text", "跟进情况", "note", True),
    Col("next_on", "下次跟进日期", "ahead", True),
    Col("move_to", "阶段变更为", "lead_stage", True),
    Col("reason", "变更原因", "note", True),
]
# The stages a unit may move a lead to on its sheet (签约 is the office's: `lead sign` makes the project)
LEAD_MOVES = ("线索", "接洽", "在谈", "落地", "搁置", "终止")
# The leads a unit's sheet lists: every stage but those a lead leaves no more
LEAD_LISTED = ("线索", "接洽", "在谈", "签约", "搁置")


def canon(kind: str, value: Any) -> str | None:
    """A cell's value as compared and stored: amounts as exact 万元 text, dates ISO, text cleaned; blank → None.

    A value that cannot be read keeps its text (it then differs from what was sent).
    """
    if value is None or kind in ("seq", "state"):
        return None
    if kind == "money":
        try:
            amount = parse_amount(value)
        except ValueProblem:
            return clean_text(value) or None
        return None if amount is None else format_decimal(amount)
    if kind in ("date", "ahead"):
        try:
            day = parse_date(value)
        except ValueProblem:
            return clean_text(value) or None
        return None if day is None else day.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, (date, datetime)):
        value = value.isoformat()[:10]
    if kind == "note":
        text = str(value).replace("\r\n", "\n").strip()
        return None if is_empty(text) else text
    return clean_text(value) or None


def fingerprint(values: Mapping[str, Any]) -> str:
    """A short hash of a row's values as sent."""
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def project_rows(
    session: Session, *, month: str, unit_ids: Sequence[int] | None = None, project_ids: Sequence[int] | None = None,
    statuses: Sequence[str] | None = None, token: str | None = None, as_of: date | None = None,
) -> list[dict[str, Any]]:
    """The projects of the units (or the given ids) with every value the 派工单 shows, as the registry holds them now.

    One query per 900 ids (or one for the units): projects joined to their
    unit, the year's plan, the months before `month`, `month` itself and the
    开工/竣工 milestones. With `token`, each row's `problems` are those last
    recorded from that dispatch.
    """
    p = Project.__table__
    conn = session.connection()
    rows: list[dict[str, Any]] = []
    if project_ids is not None:
        for chunk in _chunks(list(project_ids)):
            query = _rows_query(month, lambda c, chunk=chunk: c.in_(chunk), statuses)
            rows.extend(dict(r) for r in conn.execute(query).mappings())
        rows.sort(key=lambda r: r["code"])
    else:
        ids = select(p.c.id)
        if as_of is not None:  # a project archived (归档) on the dispatch date is sent to nobody
            from projects_cli.facts.asof import not_archived

            ids = ids.where(*not_archived(session, p.c.id, as_of))
        if unit_ids is not None:
            ids = ids.where(p.c.unit_id.in_(list(unit_ids)))
        rows = [dict(r) for r in conn.execute(_rows_query(month, lambda c: c.in_(ids), statuses)).mappings()]
    if token is not None and rows:
        pr = ProgressReport.__table__.c
        latest: dict[int, str | None] = {}
        for chunk in _chunks([r["id"] for r in rows]):
            for pid, problems in conn.execute(
                select(pr.project_id, pr.problems).where(pr.project_id.in_(chunk), pr.source == source_of(token))
                .order_by(pr.id)
            ):
                latest[pid] = problems
        for row in rows:
            row["problems"] = latest.get(row["id"])
    return rows


ROW_COLUMNS = ("id", "code", "name", "owner", "status", "total_investment", "site_progress", "version", "unit_id")


def _rows_query(month: str, projects, statuses: Sequence[str] | None):
    """`project_rows`' query (`facts.ledger_rows`) for the projects `projects(column)` selects (applied inside
    the sums too)."""
    shape = Shape(ROW_COLUMNS, unit=True, plan_year=int(month[:4]), before_month=month, month=month,
                  kinds=(START, COMPLETION))
    query = select_rows(shape, projects=projects)
    if statuses is not None:
        query = query.where(Project.__table__.c.status.in_(list(statuses)))
    return query


def source_of(token: str) -> str:
    """What the rows a return writes say they came from."""
    return f"{SOURCE} {token}"


def sent_values(row: Mapping[str, Any], cols: Sequence[Col]) -> dict[str, str | None]:
    """A project row as the 派工单 shows it, in canonical form (see `canon`)."""
    return {c.key: canon(c.kind, row.get(c.key)) for c in cols if c.kind != "seq"}


def milestone_dates(session: Session, project_ids: Sequence[int]) -> dict[tuple[int, str], tuple[date | None, date | None]]:
    """(project id, kind) → (planned, actual) for every milestone of the projects."""
    m = Milestone.__table__.c
    out = {}
    for chunk in _chunks(list(project_ids)):
        for pid, kind, planned, actual in session.connection().execute(
            select(m.project_id, m.kind, m.planned_date, m.actual_date).where(m.project_id.in_(chunk))
        ):
            out[(pid, kind)] = (planned, actual)
    return out


def milestone_sent(code: str, name: str, kind: str, planned: date | None, actual: date | None) -> dict[str, str | None]:
    return {"code": code, "name": name, "kind": kind, "planned": canon("date", planned), "actual": canon("date", actual)}


def due_state(planned: date, as_of: date) -> str:
    days = (planned - as_of).days
    if days < 0:
        return f"逾期{-days}天"
    return "今日到期" if days == 0 else f"{days}天后到期"


# ---------------------------------------------------------------- the service


@dataclass
class Sent:
    """One workbook dispatched."""

    unit: str
    file: Path
    period: str
    sent_on: date
    due_on: date
    token: str
    projects: int
    milestones: int
    issues: int
    replaced: bool = False
    leads: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "file": str(self.file), "period": self.period, "sent_on": self.sent_on,
                "due_on": self.due_on, "projects": self.projects, "milestones": self.milestones,
                "issues": self.issues, "leads": self.leads, "token": self.token, "replaced": self.replaced}


@dataclass
class Skipped:
    unit: str
    reason: str


@dataclass
class DispatchRun:
    sent: list[Sent] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def period_label(period: str) -> str:
    """2025-10 → 2025年10月; 2025-W43 → 2025年第43周."""
    if "-W" in period:
        year, week = period.split("-W")
        return f"{year}年第{int(week)}周"
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def file_name(period: str, unit: str) -> str:
    """The file a unit's workbook is written to under --output-dir: 2025-10_经济发展局_派工单.xlsx."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", unit).strip("._") or "unit"
    return f"{period}_{safe}_{SOURCE}.xlsx"


def dispatch(
    session: Session,
    ctx: Ctx,
    *,
    unit: str | None = None,
    output: Path | None = None,
    output_dir: Path | None = None,
    period: str | None = None,
    due: date | None = None,
    replace: bool = False,
    config: Mapping[str, Any] | None = None,
    active: Sequence[str] = ("前期", "在建", "投产"),
    period_kind: str = "monthly",
    leads: bool = False,
    follow_days: int = 30,
) -> DispatchRun:
    """Write one unit's 派工单 to `output`, or every unit's to `output_dir` (when `unit` is None); record each.

    With `leads`, each workbook has the unit's 招商线索 sheet too (its leads in `LEAD_LISTED`, as
    `facts.leads.leads_on` gives them with `follow_days`), and a unit with leads but no projects is sent one.

    A unit that already has a workbook for the period, not yet returned, gets a
    new one only with `replace` (the earlier one then no longer imports); one
    already returned is never sent again (with every unit, it is skipped).
    """
    from projects_cli.services.cards import check_period

    cfg = dispatch_config(config)
    period = check_period(period) if period else period_of(ctx.as_of, period_kind)
    end = period_end(period)
    month = f"{end.year:04d}-{end.month:02d}"
    due_on = due or end
    if due_on < ctx.as_of:
        raise InvalidValue(
            _("报送截止日期 {due} 早于派发日期 {as_of}；请用 --due 给一个更晚的日期").format(
                due=due_on.isoformat(), as_of=ctx.as_of.isoformat())
        )
    if unit is not None:
        units = [_find_unit(session, unit)]
        if output is None or output.suffix.lower() != ".xlsx":
            raise ProjectsError(_("{output}：派工单是 Excel 工作簿，文件名请用 *.xlsx").format(output=output))
        if not output.parent.exists():
            raise ProjectsError(_("文件夹 {folder} 不存在").format(folder=output.parent))
    else:
        if output_dir is None:
            raise ProjectsError(_("请用 --output-dir 给出存放派工单的文件夹"))
        u = Unit.__table__.c
        units = [(uid, name) for uid, name in session.connection().execute(select(u.id, u.name).order_by(u.name))]
    unit_ids = [uid for uid, _ in units]
    rows_by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in project_rows(session, month=month, unit_ids=unit_ids, statuses=active, as_of=ctx.as_of):
        rows_by_unit[row["unit_id"]].append(row)
    leads_by_unit = unit_leads(session, ctx.as_of, dict(units), follow_days) if leads else {}
    run = DispatchRun()
    existing = _existing(session, unit_ids, period)
    _check_again(units, rows_by_unit, existing, period, run, single=unit is not None, replace=replace, active=active,
                 leads_by_unit=leads_by_unit, with_leads=leads)
    targets = [(uid, name) for uid, name in units if rows_by_unit.get(uid) or leads_by_unit.get(uid)]
    if output_dir is not None and targets:
        try:
            output_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectsError(_("不能创建文件夹 {folder}：{reason}").format(folder=output_dir, reason=exc.strerror)) from None
    milestones_by_unit = _due_milestones(session, ctx.as_of, due_on, {uid: rows_by_unit[uid] for uid, _ in targets})
    issues_by_unit = _open_issues(session, ctx.as_of, {name for _, name in targets})
    year, month_number = end.year, end.month
    cols = main_columns(year, month_number)
    paths = {uid: output if unit is not None else output_dir / file_name(period, name) for uid, name in targets}
    for path in paths.values():  # before any workbook is written
        refuse_input(path)
    for uid, name in targets:
        rows = rows_by_unit[uid]
        path = paths[uid]
        token = secrets.token_hex(8)
        unit_lead_rows = leads_by_unit.get(uid, [])
        record = _record(rows, milestones_by_unit.get(uid, []), cols, year, month, unit_lead_rows, ctx.as_of)
        write_workbook(
            path, unit=name, unit_id=uid, period=period, month=month, sent_on=ctx.as_of, due_on=due_on, token=token,
            cols=cols, rows=rows, milestones=milestones_by_unit.get(uid, []), issues=issues_by_unit.get(name, []),
            record=record, cfg=cfg, leads=unit_lead_rows,
        )
        old = existing.get(uid)
        _save(session, ctx, uid, name, period, due_on, token, record, old)
        run.sent.append(Sent(name, path, period, ctx.as_of, due_on, token, len(rows),
                             len(milestones_by_unit.get(uid, [])), len(issues_by_unit.get(name, [])), old is not None,
                             len(unit_lead_rows)))
    return run


def _check_again(units: list[tuple[int, str]], rows_by_unit: dict[int, list[dict[str, Any]]],
                 existing: Mapping[int, Dispatch], period: str, run: DispatchRun, *, single: bool, replace: bool,
                 active: Sequence[str], leads_by_unit: dict[int, list[dict[str, Any]]], with_leads: bool) -> None:
    """Units with nothing to send, or already sent the period's workbook: an error, or (with every unit) skipped.

    Drops from `rows_by_unit` and `leads_by_unit` the units that are not sent a workbook.
    """
    blocked = []
    for uid, name in units:
        if not rows_by_unit.get(uid) and not leads_by_unit.get(uid):
            if single:
                raise NotFound((_("{unit}没有{statuses}的项目，也没有正在跟进的招商线索，没有可派发的内容") if with_leads
                                else _("{unit}没有{statuses}的项目，没有可派发的内容")).format(unit=name, statuses='/'.join(active)))
            continue
        old = existing.get(uid)
        if old is None:
            continue
        if old.returned_on is not None:
            reason = _("{period} 的派工单（{sent_on} 发出）已于 {returned_on} 报回；已报回的派工单不再重发").format(
                period=period, sent_on=old.sent_on.isoformat(), returned_on=old.returned_on.isoformat())
            if single:
                raise InvalidValue(_("{unit}：{reason}").format(unit=name, reason=reason))
            run.skipped.append(Skipped(name, reason))
            rows_by_unit.pop(uid, None)
            leads_by_unit.pop(uid, None)
        elif not replace:
            blocked.append(_("{unit}（{sent_on} 发出，{due} 截止）").format(
                unit=name, sent_on=old.sent_on.isoformat(), due=old.due_on.isoformat() if old.due_on else '—'))
    if blocked:
        raise InvalidValue(
            _("{period} 已派发、尚未报回：{units}；新派工单会取代已发的那份，已发的将不能再导入：如要重新派发请加 --replace").format(
                period=period, units='；'.join(blocked))
        )


def _find_unit(session: Session, name: str) -> tuple[int, str]:
    from projects_cli.services.registry import find_unit

    found = find_unit(session, name)
    return found.id, found.name


def _existing(session: Session, unit_ids: list[int], period: str) -> dict[int, Dispatch]:
    out: dict[int, Dispatch] = {}
    for chunk in _chunks(unit_ids):
        for d in session.scalars(select(Dispatch).where(Dispatch.unit_id.in_(chunk), Dispatch.period == period)
                                 .order_by(Dispatch.id)):
            out[d.unit_id] = d
    return out


def _due_milestones(session: Session, as_of: date, due_on: date,
                    rows_by_unit: Mapping[int, list[dict[str, Any]]]) -> dict[int, list[dict[str, Any]]]:
    """Per unit id: its listed projects' milestones not done at `as_of` and planned by `due_on` (overdue or due),
    soonest first, each with the project's code and name.

    The current plan is read (a dispatch goes out with the plan as it stands);
    one query for every unit.
    """
    projects = {r["id"]: (uid, r) for uid, rows in rows_by_unit.items() for r in rows}
    if not projects:
        return {}
    m, p = Milestone.__table__.c, Project.__table__.c
    query = (
        select(m.project_id, m.kind, m.seq, m.planned_date)
        .where(m.project_id.in_(select(p.id).where(p.unit_id.in_(list(rows_by_unit)))),
               or_(m.actual_date.is_(None), m.actual_date > as_of),
               m.planned_date.is_not(None), m.planned_date <= due_on)
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for pid, kind, seq, planned in session.connection().execute(query):
        if pid in projects:
            uid, row = projects[pid]
            out[uid].append({"project_id": pid, "code": row["code"], "name": row["name"], "kind": kind, "seq": seq,
                             "planned": planned})
    for found in out.values():
        found.sort(key=lambda r: (r["planned"], r["code"], r["seq"]))
    return out


def unit_leads(session: Session, as_of: date, units: Mapping[int, str],
               follow_days: int) -> dict[int, list[dict[str, Any]]]:
    """Per unit id: its leads at `as_of` in a stage `LEAD_LISTED` (`facts.leads.leads_on`), by code, each with
    `last_on` (its last contact's date)."""
    from projects_cli.facts.leads import leads_on

    ids = {name: uid for uid, name in units.items()}
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in leads_on(session, as_of, follow_days=follow_days):
        if row["unit"] in ids and row["stage"] in LEAD_LISTED:
            last = row["last_follow"]
            out[ids[row["unit"]]].append({**row, "last_on": last["on"] if last else None})
    return out


def lead_state(row: Mapping[str, Any], as_of: date) -> str:
    """The 跟进状态 cell: how its follow-up stands (逾期3天, 5天后到期), or why none falls due."""
    if row["follow_due"] is not None:
        return due_state(row["follow_due"], as_of)
    return {"签约": "已签约", "搁置": "已搁置"}.get(row["stage"], "—")


def _open_issues(session: Session, as_of: date, units: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Per unit name: the problems it answers for (牵头单位, else the project's unit) whose deadline runs."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in asof.open_issue_deadlines(session, as_of):
        if row["unit"] in units:
            out[row["unit"]].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (r["deadline"], r["number"]))
    return out


def _record(rows: list[dict[str, Any]], milestones: list[dict[str, Any]], cols: list[Col], year: int,
            month: str, leads: Sequence[Mapping[str, Any]] = (), sent_on: date | None = None) -> dict[str, Any]:
    """What is kept of a dispatch: the layout, and every row as sent with its fingerprint."""
    first = HEADER_ROW + 1
    main = []
    for i, row in enumerate(rows):
        sent = sent_values(row, cols)
        main.append({"row": first + i, "id": row["id"], "code": row["code"], "version": row["version"],
                     "fp": fingerprint(sent), "sent": sent})
    due = []
    for i, m in enumerate(milestones):
        sent = milestone_sent(m["code"], m["name"], m["kind"], m["planned"], None)
        due.append({"row": first + i, "id": m["project_id"], "code": m["code"], "kind": m["kind"],
                    "fp": fingerprint(sent), "sent": sent})
    out = {
        "layout": LAYOUT, "year": year, "month": month,
        "main": {"sheet": MAIN_SHEET, "header_row": HEADER_ROW,
                 "columns": [[c.key, c.header, c.kind, c.open] for c in cols]},
        "due": {"sheet": DUE_SHEET, "header_row": HEADER_ROW,
                "columns": [[c.key, c.header, c.kind, c.open] for c in MILESTONE_COLUMNS]},
        "rows": main, "milestones": due, "applied": {}, "replaced": [],
    }
    if leads:
        out["lead"] = {"sheet": LEAD_SHEET, "header_row": HEADER_ROW,
                       "columns": [[c.key, c.header, c.kind, c.open] for c in LEAD_COLUMNS]}
        out["leads"] = []
        for i, lead in enumerate(leads):
            sent = sent_values(lead, LEAD_COLUMNS)
            out["leads"].append({"row": first + i, "id": lead["id"], "code": lead["code"], "fp": fingerprint(sent),
                                 "sent": sent})
    return out


def _save(session: Session, ctx: Ctx, unit_id: int, unit: str, period: str, due_on: date, token: str,
          record: dict[str, Any], old: Dispatch | None) -> Dispatch:
    logged = {"unit": unit, "period": period, "sent_on": ctx.as_of, "due_on": due_on, "token": token,
              "projects": len(record["rows"]), "milestones": len(record["milestones"])}
    key = f"{unit}:{period}"
    if old is None:
        row = Dispatch(token=token, unit_id=unit_id, period=period, sent_on=ctx.as_of, due_on=due_on,
                       fingerprints=record, by=ctx.by, created_at=ctx.now)
        session.add(row)
        session.flush()
        changelog.log_insert(session, ctx, "dispatch", row.id, logged, key=key)
        return row
    before = {"sent_on": old.sent_on, "due_on": old.due_on, "token": old.token,
              "projects": len((old.fingerprints or {}).get("rows", []))}
    record["replaced"] = [*(old.fingerprints or {}).get("replaced", []), old.token]
    old.token, old.sent_on, old.due_on, old.fingerprints, old.by = token, ctx.as_of, due_on, record, ctx.by
    session.flush()
    changelog.log_update(session, ctx, "dispatch", old.id, before,
                     {k: logged[k] for k in ("sent_on", "due_on", "token", "projects")}, key=key)
    return old


# ---------------------------------------------------------------- the workbook


def instructions(unit: str, label: str, due_on: date, month: int, stages: Sequence[str]) -> str:
    return (
        f"填表说明：1. 本表为{unit}{label}重点项目推进情况派工单，请于{due_on.year}年{due_on.month}月{due_on.day}日前"
        "将本文件原样报送督查室（直接回传本文件，勿另存为其他格式、勿复制到新表）。"
        "2. 灰色栏目由督查室填写，已锁定，请勿修改；黄色栏目由责任单位填写。"
        f"3. “{month}月完成投资”填写当月完成投资额（万元，非累计），不得为负数；已填写的数字如有误可直接改正。"
        "4. 日期按“2025-10-15”格式填写；项目已开工、竣工的，填写实际开工、竣工时间。"
        f"5. 形象进度从下拉列表中选择（{'、'.join(stages)}）。"
        "6. 存在问题请如实填写，无问题可留空。"
        "7. 请勿增删行、列或工作表。《节点及问题》表列出本单位逾期及本期到期的节点和未办结问题，节点已完成的请填写实际完成日期。"
    )


class _Sheets:
    """Styling shared by the dispatched workbook's sheets: grey locked cells, yellow open ones."""

    def __init__(self, stages: Sequence[str]):
        from openpyxl.styles import Protection

        from projects_cli.workbooks import styling

        self.open_fill, self.locked_fill = styling.OPEN_FILL, styling.LOCKED_FILL  # yellow: the unit's; grey: locked
        self.open_head_fill = styling.OPEN_HEADER_FILL
        self.unlocked = Protection(locked=False)
        self.stages = list(stages)
        inline = ",".join(stages)
        # An inline list holds at most 255 characters and no commas; longer lists live in the record sheet.
        self.inline = inline if len(inline) <= 250 and not any("," in s or '"' in s for s in stages) else None

    def templates(self, sheet, columns: Sequence[Col]) -> list:
        from projects_cli.workbooks import styling

        out = []
        for col in columns:
            cell = styling.column_cell(sheet, col.kind, fill=self.open_fill if col.open else self.locked_fill)
            if col.open:
                cell.protection = self.unlocked
            out.append(cell)
        return out

    def header(self, sheet, columns: Sequence[Col]) -> list:
        from projects_cli.workbooks import styling

        head = styling.header_cell(sheet)
        open_head = styling.header_cell(sheet, fill=self.open_head_fill)
        return [styling.one_off(sheet, c.header, open_head if c.open else head) for c in columns]

    @staticmethod
    def widths(columns: Sequence[Col], data: Iterable[Sequence[Any]]) -> list[float]:
        from projects_cli.workbooks import styling

        widest = [max(styling.text_width(c.header) // 2 + 2, 6) for c in columns]
        for values in data:
            for i, value in enumerate(values):
                if value is not None and value != "":
                    widest[i] = max(widest[i], styling.text_width(value))
        fixed = {"seq": 6.0, "note": float(styling.WRAP_WIDTH), "date": 12.0, "ahead": 12.0}
        return [fixed[c.kind] if c.kind in fixed else max(12.0, styling.fit_width(w)) if c.kind == "money"
                else styling.fit_width(w, wrap=c.kind == "wrap") for c, w in zip(columns, widest)]

    def validations(self, sheet, columns: Sequence[Col], first: int, last: int) -> None:
        """Data validation on the open columns of rows first … last."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        if last < first:
            return
        for i, col in enumerate(columns, 1):
            if not col.open or col.kind not in ("money", "date", "ahead", "stage", "lead_stage"):
                continue
            if col.kind == "money":
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                    errorTitle="金额有误", error="请填写不小于0的数字，单位万元（如 1200 或 1200.5）。",
                                    prompt="填写当月完成投资额（万元），非累计。")
            elif col.kind in ("date", "ahead"):
                dv = DataValidation(type="date", operator="between", formula1=str(FIRST_SERIAL),
                                    formula2=str(LAST_SERIAL), errorTitle="日期有误",
                                    error="请填写日期，如 2025-10-15。", prompt="日期格式：2025-10-15")
            elif col.kind == "lead_stage":
                dv = DataValidation(type="list", formula1=f'"{",".join(LEAD_MOVES)}"', errorTitle="阶段有误",
                                    error="请从下拉列表中选择线索阶段。", prompt="阶段有变化的，从下拉列表中选择")
            else:
                formula = f'"{self.inline}"' if self.inline else f"'{MARKER}'!$J$2:$J${len(self.stages) + 1}"
                dv = DataValidation(type="list", formula1=formula, errorTitle="形象进度有误",
                                    error="请从下拉列表中选择形象进度。", prompt="从下拉列表中选择")
            dv.allow_blank = True
            dv.promptTitle = col.header[:32]
            dv.showErrorMessage = dv.showInputMessage = True
            dv.errorStyle = "stop"
            dv.add(f"{get_column_letter(i)}{first}:{get_column_letter(i)}{last}")
            sheet.data_validations.append(dv)

    @staticmethod
    def protect(ws, password: str | None) -> None:
        ws.protection.sheet = True
        # the unit may widen columns and rows to read long text; everything else stays as sent
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        if password:
            ws.protection.password = password


def write_workbook(
    path: Path, *, unit: str, unit_id: int, period: str, month: str, sent_on: date, due_on: date, token: str,
    cols: list[Col], rows: list[dict[str, Any]], milestones: list[dict[str, Any]], issues: list[dict[str, Any]],
    record: dict[str, Any], cfg: DispatchConfig, leads: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write the three sheets (派工单, 节点及问题, the very hidden record) to `path`, and with `leads` the
    unit's 招商线索 sheet before the record."""
    from openpyxl import Workbook
    from openpyxl.workbook.protection import WorkbookProtection

    wb = Workbook(write_only=True)
    look = _Sheets(cfg.stages)
    _main_sheet(wb.create_sheet(MAIN_SHEET), look, cfg, unit=unit, period=period, month=month, sent_on=sent_on,
                due_on=due_on, cols=cols, rows=rows)
    _due_sheet(wb.create_sheet(DUE_SHEET), look, cfg, unit=unit, sent_on=sent_on, due_on=due_on,
               milestones=milestones, issues=issues)
    if leads:
        _lead_sheet(wb.create_sheet(LEAD_SHEET), look, cfg, unit=unit, sent_on=sent_on, due_on=due_on, leads=leads)
    hidden = wb.create_sheet(MARKER)
    hidden.sheet_state = "veryHidden"
    meta = {"token": token, "unit": unit, "unit_id": unit_id, "period": period, "month": month,
            "sent_on": sent_on.isoformat(), "due_on": due_on.isoformat(), "layout": LAYOUT}
    _record_sheet(hidden, look, cfg, meta, record)
    wb.security = WorkbookProtection(lockStructure=True)  # no sheet added, removed, renamed or unhidden
    if cfg.password:
        wb.security.workbookPassword = cfg.password
    save_workbook(wb, path)


def _main_sheet(ws, look: _Sheets, cfg: DispatchConfig, *, unit: str, period: str, month: str, sent_on: date,
                due_on: date, cols: list[Col], rows: list[dict[str, Any]]) -> None:
    from projects_cli.workbooks import styling

    label = period_label(period)
    ncols = len(cols)
    keys = [c.key for c in cols]
    data = [[dict(row, seq=i).get(k) for k in keys] for i, row in enumerate(rows, 1)]
    styling.set_widths(ws, look.widths(cols, data))
    styling.print_setup(ws, ncols=ncols, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.freeze_panes = f"D{HEADER_ROW + 1}"
    styling.stream_cells(ws)
    ws.append(styling.title_row(ws, f"{unit}{label}{cfg.title}", ncols, 1))
    info = (f"责任单位：{unit}　　填报周期：{label}　　发出日期：{sent_on.isoformat()}　　"
            f"报送截止：{due_on.isoformat()}　　金额单位：万元　　项目数：{len(rows)}个")
    ws.append(styling.info_row(ws, info, ncols, 2))
    ws.append(styling.info_row(ws, instructions(unit, label, due_on, int(month[5:]), look.stages), ncols, 3,
                               height=78, alignment=styling.LEFT_WRAP))
    ws.append(look.header(ws, cols))
    body = look.templates(ws, cols)
    for values in data:
        ws.append(styling.fill_row(body, values))
    look.validations(ws, cols, HEADER_ROW + 1, HEADER_ROW + len(rows))
    look.protect(ws, cfg.password)


ISSUE_COLUMNS = [
    Col("seq", "序号", "seq"), Col("number", "问题编号", "text"), Col("code", "项目编号", "text"),
    Col("name", "项目名称", "wrap"), Col("title", "问题", "wrap"), Col("level", "督办级别", "text"),
    Col("deadline", "办理时限", "date"), Col("state", "状态", "state"),
]


def _due_sheet(ws, look: _Sheets, cfg: DispatchConfig, *, unit: str, sent_on: date, due_on: date,
               milestones: list[dict[str, Any]], issues: list[dict[str, Any]]) -> None:
    from openpyxl.utils import get_column_letter

    from projects_cli.workbooks import styling

    mcols, icols = MILESTONE_COLUMNS, ISSUE_COLUMNS
    width = max(len(mcols), len(icols))
    mdata = [[i, m["code"], m["name"], m["kind"], m["planned"], due_state(m["planned"], sent_on), None]
             for i, m in enumerate(milestones, 1)]
    idata = [[i, r["number"], r["code"], r["name"], r["title"], r["level"], r["deadline"],
              due_state(r["deadline"], sent_on)] for i, r in enumerate(issues, 1)]
    mw, iw = look.widths(mcols, mdata), look.widths(icols, idata)
    mw += [0.0] * (width - len(mw))
    iw += [0.0] * (width - len(iw))
    styling.set_widths(ws, [max(a, b) for a, b in zip(mw, iw)])
    styling.print_setup(ws, ncols=width, title_rows=None, paper="A4")
    styling.stream_cells(ws)
    ws.append(styling.title_row(
        ws, f"{unit}逾期及本期到期节点、未办结问题（截至{sent_on.year}年{sent_on.month}月{sent_on.day}日）", width, 1))
    ws.append(styling.info_row(
        ws, "说明：一、节点已完成的，请在“实际完成日期”栏（黄色）填写完成日期；开工、竣工也可在《派工单》表填写，两处须一致。"
        f"二、问题请在办理时限内办结，办理情况按问题督办流程反馈。报送截止：{due_on.isoformat()}。",
        width, 2, height=36, alignment=styling.LEFT_WRAP))
    section = styling.section_cell(ws)

    def section_row(text: str, row: int) -> list:
        ws.merged_cells.add(f"A{row}:{get_column_letter(width)}{row}")
        return [styling.one_off(ws, text, section)] + [styling.one_off(ws, None, section) for _ in range(width - 1)]

    ws.append(section_row(f"一、逾期及本期到期节点（{len(milestones)}个）", 3))
    ws.append(look.header(ws, mcols))
    body = look.templates(ws, mcols)
    for values in mdata:
        ws.append(styling.fill_row(body, values))
    look.validations(ws, mcols, HEADER_ROW + 1, HEADER_ROW + len(mdata))
    ws.append([])
    ws.append(section_row(f"二、未办结问题（{len(issues)}个）", HEADER_ROW + len(mdata) + 2))
    ws.append(look.header(ws, icols))
    body = look.templates(ws, icols)
    for values in idata:
        ws.append(styling.fill_row(body, values))
    look.protect(ws, cfg.password)


def lead_instructions(due_on: date) -> str:
    return (
        f"填表说明：1. 本表列出本单位在跟招商线索，请于{due_on.year}年{due_on.month}月{due_on.day}日前随派工单一并报送。"
        "2. 灰色栏目由督查室填写，已锁定；黄色栏目由责任单位填写。"
        "3. 本期有跟进的，填写本次跟进日期（如 2025-10-15）、跟进情况，并可填写下次跟进日期（须晚于本次跟进）。"
        "4. 阶段有变化的，从下拉列表选择“阶段变更为”；转为搁置、终止的须填写变更原因。签约由督查室办理，不在此填写。"
        "5. 请勿增删行、列。"
    )


def _lead_sheet(ws, look: _Sheets, cfg: DispatchConfig, *, unit: str, sent_on: date, due_on: date,
                leads: Sequence[Mapping[str, Any]]) -> None:
    """The 招商线索 sheet: the unit's leads (locked) and the columns it fills (follow-ups, a stage move)."""
    from projects_cli.workbooks import styling

    cols = LEAD_COLUMNS
    ncols = len(cols)
    data = [[i, r["code"], r["name"], r["company"], r["stage"], r["last_on"], r["follow_due"], lead_state(r, sent_on),
             None, None, None, None, None] for i, r in enumerate(leads, 1)]
    styling.set_widths(ws, look.widths(cols, data))
    styling.print_setup(ws, ncols=ncols, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    styling.stream_cells(ws)
    ws.append(styling.title_row(
        ws, f"{unit}招商线索跟进情况（截至{sent_on.year}年{sent_on.month}月{sent_on.day}日）", ncols, 1))
    ws.append(styling.info_row(ws, f"责任单位：{unit}　　发出日期：{sent_on.isoformat()}　　报送截止：{due_on.isoformat()}　　"
                                   f"线索数：{len(leads)}条", ncols, 2))
    ws.append(styling.info_row(ws, lead_instructions(due_on), ncols, 3, height=48, alignment=styling.LEFT_WRAP))
    ws.append(look.header(ws, cols))
    body = look.templates(ws, cols)
    for values in data:
        ws.append(styling.fill_row(body, values))
    look.validations(ws, cols, HEADER_ROW + 1, HEADER_ROW + len(data))
    look.protect(ws, cfg.password)


RECORD_HEADER = "row|code|kind|fingerprint"


def record_line(where: str, code: str, kind: str | None, fp: str) -> str:
    """One row as sent, in one cell of the hidden sheet: 派工单!5|GX-0001||67a812dfd67cbaa2."""
    return f"{where}|{code}|{kind or ''}|{fp}"


def _record_sheet(ws, look: _Sheets, cfg: DispatchConfig, meta: Mapping[str, Any], record: Mapping[str, Any]) -> None:
    """The very hidden sheet: the dispatch's identity, then every row as sent, one cell each (`record_line`).

    One cell a row keeps a 100,000-row dispatch cheap to write. Column J holds
    the 形象进度 list when it is too long for an inline drop-down.
    """
    from projects_cli.workbooks import styling

    head: list[list[Any]] = [["派工单标识（由系统生成，请勿修改）"]]
    head += [[key, value] for key, value in meta.items()]
    head.append([])
    if look.inline is None:
        for i, stage in enumerate(look.stages, 1):  # rows 2 … (line 0 is row 1)
            while len(head) <= i:
                head.append([])
            head[i] = head[i] + [None] * (9 - len(head[i])) + [stage]
    plain = styling.styled(ws, border=None, alignment=None)
    for line in head + [[RECORD_HEADER]]:
        ws.append([styling.one_off(ws, v, plain) if v is not None else None for v in line])
    lines = [record_line(f"{MAIN_SHEET}!{r['row']}", r["code"], None, r["fp"]) for r in record["rows"]]
    lines += [record_line(f"{DUE_SHEET}!{r['row']}", r["code"], r["kind"], r["fp"]) for r in record["milestones"]]
    lines += [record_line(f"{LEAD_SHEET}!{r['row']}", r["code"], None, r["fp"]) for r in record.get("leads", [])]
    for line in lines:  # each starts with a sheet name: never a formula
        ws.append([line])
    look.protect(ws, cfg.password)


# ---------------------------------------------------------------- who returned what


RETURN_STATES = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送（已逾期）", "pending": "未到期"}


def return_state(due_on: date | None, returned_on: date | None, as_of: date) -> str:
    if returned_on is not None:
        return "on_time" if due_on is None or returned_on <= due_on else "late"
    return "missing" if due_on is not None and as_of > due_on else "pending"


def list_returns(session: Session, as_of: date, *, period: str | None = None, unit: str | None = None) -> list[dict[str, Any]]:
    """Every dispatch (of the period, of the unit): sent, due, returned, and whether on time."""
    d, u = Dispatch.__table__.c, Unit.__table__.c
    query = (select(d.id, u.name.label("unit"), d.period, d.sent_on, d.due_on, d.returned_on, d.token, d.fingerprints, d.by)
             .select_from(Dispatch.__table__.join(Unit.__table__, u.id == d.unit_id))
             .order_by(d.period, u.name))
    if period:
        from projects_cli.services.cards import check_period

        query = query.where(d.period == check_period(period))
    if unit:
        query = query.where(u.name == _find_unit(session, unit)[1])
    out = []
    for row in session.connection().execute(query).mappings():
        record = row["fingerprints"]
        if isinstance(record, str):  # pragma: no cover - drivers that hand back JSON as text
            record = json.loads(record)
        state = return_state(row["due_on"], row["returned_on"], as_of)
        late = None
        if row["due_on"] is not None:
            end = row["returned_on"] or as_of
            late = max(0, (end - row["due_on"]).days) or None
        out.append({
            "unit": row["unit"], "period": row["period"], "sent_on": row["sent_on"], "due_on": row["due_on"],
            "returned_on": row["returned_on"], "state": state, "state_label": RETURN_STATES[state],
            "days_late": late, "projects": len((record or {}).get("rows", [])), "token": row["token"], "by": row["by"],
        })
    return out

