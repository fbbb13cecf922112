"""`projects ledger import` of a returned 派工单: apply what the unit changed, report what must not land.

A returned workbook is recognised by its very hidden sheet (`dispatch.MARKER`);
its token finds the `Dispatch` record, and the return is judged against that
record (what was sent), never against what the file says of itself. Row by row:

* **tampered** — a locked (office) cell differs from what was sent: the row is
  not applied, and each altered cell is reported with the value sent, the value
  returned and the registry's value;
* **conflict** — the unit changed something, but the registry changed since
  dispatch: an office value of the row, or the very value the unit changed
  (to something other than what an earlier import of this dispatch wrote);
  the row is not applied, nothing is overwritten;
* **refused** — a row that was not sent: another unit's project, a code the
  registry does not know, a project sent twice, or a project that has moved
  to another unit since dispatch;
* **invalid** — a cell of the unit's that cannot be read (not a date, a
  negative amount, an actual date after the as-of date, a stage not in the
  list …);
* otherwise the unit's changes land: the month's investment →
  `investment.set_month`; 实际开工/竣工 and the 节点 sheet's dates →
  `milestones.set_actual`; 形象进度 and 存在问题 → a dated `ProgressReport`
  (and the project's 形象进度); the 招商线索 sheet's follow-ups →
  `leads.follow_lead`, its stage moves → `leads.move_lead` (a follow-up already
  on record, or a lead already at the stage, is not written again). A value already in the registry is not
  written again, so importing the same return twice changes nothing; a
  corrected return of the same dispatch applies only what differs.

A blank cell never erases: emptying a value that was sent is a warning.
Rows not applied make the command exit with code 4 (`NOT_APPLIED_EXIT`) after
the clean rows are written; with `strict`, any of them stops the import and
nothing is written. The first import records the date the workbook came back
(`Dispatch.returned_on`, the as-of date), which the red flag's "ledger returned
on time" share reads.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.errors import ProjectsError
from projects_cli.facts import asof
from projects_cli.i18n import N_, _, ngettext
from projects_cli.ledger import dispatch as sent_book
from projects_cli.ledger.dispatch import COMPLETION, LEAD_SHEET, MAIN_SHEET, MARKER, START, Col, canon
from projects_cli.ledger.parse import Problem
from projects_cli.ledger.reader import BadWorkbook, Limits, check_file, check_sheet
from projects_cli.services import investment, milestones
from projects_cli.services.progress import record_progress
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import Dispatch, Project, Unit
from projects_cli.values import PendingDate, ValueProblem, clean_text, parse_amount, parse_date

NOT_APPLIED_EXIT = 4
_SHEET_NAME = re.compile(r'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')
WORKBOOK_XML_LIMIT = 4 << 20  # bytes of xl/workbook.xml searched for the marker
MILESTONE_OF = {"actual_start": START, "actual_completion": COMPLETION}


class ReturnRejected(ProjectsError):
    """Under --strict, rows that cannot be applied stop the whole return; carries the result for the report."""

    def __init__(self, message: str, result: ReturnResult):
        super().__init__(message)
        self.result = result


def is_dispatched(path: Path, limits: Limits | None = None) -> bool:
    """Whether `path` is a dispatched workbook: it holds the very hidden record sheet (`dispatch.MARKER`).

    Cheap for an ordinary ledger: an .xlsx has only its xl/workbook.xml read
    (after the reader's safety checks), an .xls its sheet list. A 派工单 sheet
    without the record (copied into a new workbook) is refused, so that it is
    not taken for an ordinary ledger by mistake.
    """
    path = Path(path)
    kind = check_file(path, limits or Limits())
    if kind == "xls":
        names = _sheet_names(path)
    elif kind == "xlsx":
        try:
            with zipfile.ZipFile(path) as zf:
                with zf.open("xl/workbook.xml") as fh:
                    head = fh.read(WORKBOOK_XML_LIMIT).decode("utf-8", "replace")
        except (KeyError, zipfile.BadZipFile, OSError):
            return False
        names = [html.unescape(n) for n in _SHEET_NAME.findall(head)]
    else:
        return False
    if MARKER in names:
        return True
    if MAIN_SHEET in names:
        raise ProjectsError(
            _("{file} 有工作表 {sheet}，但没有每份派工单都带的隐藏记录：它被复制到了新工作簿，或用别的软件另存过，"
              "分不清单位改了什么、原来发的是什么；请让单位在原发的工作簿上填写后报回（如仍要当作普通台账导入，"
              "请把工作表 {sheet} 改名）").format(file=path.name, sheet=MAIN_SHEET))
    return False


def _sheet_names(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception:  # not readable: the ordinary import says why
        return []
    try:
        return list(book.sheet_names)
    finally:
        book.close()


# ---------------------------------------------------------------- the result


@dataclass
class Change:
    """One value a return writes (or, in a dry run, would write)."""

    sheet: str
    row: int
    code: str
    name: str
    field: str
    header: str
    before: str | None  # the registry's value
    after: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "code": self.code, "name": self.name, "field": self.field,
                "header": self.header, "before": self.before, "after": self.after}


@dataclass
class ReturnResult:
    file: str
    unit: str
    period: str
    token: str
    sent_on: date
    due_on: date | None
    returned_on: date | None = None  # as recorded (or, in a dry run, as it would be)
    first_return: bool = False
    rows: int = 0  # rows read (派工单 and 节点 rows)
    applied: int = 0
    unchanged: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: {"tampered": 0, "conflict": 0, "refused": 0, "invalid": 0})
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    header_row: int = sent_book.HEADER_ROW
    written: bool = False

    # what `ledger import`'s report reads of an import's result
    sheet: str = MAIN_SHEET
    unused_columns: tuple = ()

    @property
    def header_rows(self) -> tuple[int, int]:
        return (self.header_row, self.header_row)

    @property
    def not_applied(self) -> int:
        return sum(self.outcomes.values())

    @property
    def on_time(self) -> bool | None:
        if self.returned_on is None:
            return None
        return self.due_on is None or self.returned_on <= self.due_on

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "unit": self.unit, "period": self.period, "token": self.token, "sent_on": self.sent_on,
            "due_on": self.due_on, "returned_on": self.returned_on, "on_time": self.on_time, "rows": self.rows,
            "applied": self.applied, "unchanged": self.unchanged, "not_applied": self.not_applied,
            **self.outcomes, "written": self.written,
            "changes": [c.as_dict() for c in self.changes], "problems": [p.as_dict() for p in self.problems],
        }


# ---------------------------------------------------------------- reading the file


def _show(value: str | None) -> str:
    return _("（空）") if value is None else value


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


class _Book:
    """The returned workbook's sheets, read with python-calamine after the reader's safety checks."""

    def __init__(self, path: Path, limits: Limits):
        from python_calamine import CalamineWorkbook

        self.path = path
        self.limits = limits
        self.kind = check_file(path, limits)
        try:
            self.book = CalamineWorkbook.from_path(str(path))
            self.names = list(self.book.sheet_names)
        except Exception as exc:  # calamine raises its own types
            raise BadWorkbook(_("{path} 不能作为工作簿读取（{kind}：{reason}）；请单位重新发送").format(
                path=path, kind=type(exc).__name__, reason=str(exc)[:200])) from None

    def rows(self, name: str) -> list[list[Any]]:
        """Every row of a sheet from the top (index 0 = Excel row 1), columns from A."""
        if name not in self.names:
            raise ProjectsError(_("{file}：派工单缺少工作表 {sheet}（现有的工作表：{sheets}）；请在原发的工作簿上填写").format(
                file=self.path.name, sheet=repr(name), sheets='、'.join(n for n in self.names if n != MARKER)))
        if self.kind == "xlsx":
            check_sheet(self.path, name, self.limits)
        try:
            sheet = self.book.get_sheet_by_name(name)
            # iter_rows counts rows from the top of the sheet but columns from the first used one
            start_col = sheet.start[1] if sheet.start else 0
            pad = [""] * start_col
            out: list[list[Any]] = []
            for row in sheet.iter_rows():
                if len(out) >= self.limits.ledger_rows:
                    raise BadWorkbook(_("{where} 超过 {most:,} 行（配置文件 [limits] ledger_rows）").format(
                        where=_("{path} 工作表 {sheet}").format(path=self.path, sheet=name), most=self.limits.ledger_rows))
                out.append(pad + row if start_col else row)
        except BadWorkbook:
            raise
        except Exception as exc:
            raise BadWorkbook(_("{path} 工作表 {sheet} 读不了（{kind}：{reason}）").format(
                path=self.path, sheet=name, kind=type(exc).__name__, reason=str(exc)[:200])) from None
        return out

    def close(self) -> None:
        self.book.close()


@dataclass
class _Marker:
    meta: dict[str, str]
    rows: list[tuple[str, int, str, str | None, str]]  # (sheet, row, code, kind, fingerprint)


def _marker(book: _Book) -> _Marker:
    """The very hidden sheet: the dispatch's identity and the rows as sent."""
    meta: dict[str, str] = {}
    rows: list[tuple[str, int, str, str | None, str]] = []
    in_rows = False
    for line in book.rows(MARKER)[1:]:
        cells = [canon("text", v) for v in line[:2]] + [None] * (2 - len(line[:2]))
        if not any(cells):
            continue
        if cells[0] == sent_book.RECORD_HEADER:
            in_rows = True
            continue
        if not in_rows:
            meta[cells[0] or ""] = cells[1] or ""
            continue
        parts = (cells[0] or "").split("|")
        where, _bang, number = parts[0].rpartition("!")
        if len(parts) < 4 or not number.isdigit():
            raise ProjectsError(_("{file}：派工单的隐藏记录被改动过，无法核对报回的内容；请给单位重新派发工作簿").format(
                file=book.path.name))
        rows.append((where, int(number), parts[1], "|".join(parts[2:-1]) or None, parts[-1]))
    missing = [k for k in ("token", "unit", "period", "layout") if not meta.get(k)]
    if missing:
        raise ProjectsError(_("{file}：派工单的隐藏记录不完整（缺少 {missing}），无法核对报回的内容；请给单位重新派发工作簿").format(
            file=book.path.name, missing=', '.join(missing)))
    return _Marker(meta, rows)


def _find_dispatch(session: Session, book: _Book, marker: _Marker, *, lock: bool = False) -> tuple[Dispatch, str]:
    """The dispatch record the workbook was made from, and its unit's name; errors say why a return is not one.

    With `lock` (PostgreSQL), two imports of the same return wait for each other.
    """
    token, unit_name, period = marker.meta["token"], marker.meta["unit"], marker.meta["period"]
    name = book.path.name
    if marker.meta["layout"] != str(sent_book.LAYOUT):
        raise ProjectsError(_("{file} 是另一个版本的 projects 派发的（格式 {layout}，本版本读格式 {ours}）；请给单位重新派发工作簿").format(
            file=name, layout=marker.meta['layout'], ours=sent_book.LAYOUT))
    query = select(Dispatch).where(Dispatch.token == token)
    found = session.scalars(query.with_for_update() if lock else query).first()
    # the unit the workbook was sent to, by the name it had then (renamed or merged since: the one that answers now)
    sent_to = asof.unit_in_force(session, asof.unit_ids_by_name(session).get(unit_name))
    if found is None:
        d = Dispatch.__table__.c
        for tok, sent_on, record in session.connection().execute(
            select(d.token, d.sent_on, d.fingerprints).where(d.unit_id == sent_to, d.period == period)
        ):
            if token in ((record or {}).get("replaced") or []):
                raise ProjectsError(
                    _("{file} 是{unit} {period} 的派工单，已被 {sent_on} 发出的新派工单取代，不能再导入；请{unit}填写新派工单").format(
                        file=name, unit=unit_name, period=period, sent_on=sent_on.isoformat()))
        raise ProjectsError(
            _("{file} 是派工单，但不是本登记库派发的（标识 {token}，{unit}，{period}）；请导入派发它的登记库").format(
                file=name, token=token, unit=unit_name, period=period))
    unit = session.get(Unit, found.unit_id)
    marked = marker.meta.get("unit_id")
    same_unit = marked is not None and marked.isdigit() and sent_to == found.unit_id and (
        asof.unit_ids_by_name(session).get(unit_name) == int(marked))
    if unit is None or not same_unit or found.period != period:
        raise ProjectsError(_("{file}：派工单的隐藏记录与派发记录不符（文件中是{unit} {period}，记录中是{recorded} {recorded_period}），"
                              "工作簿被改动过；请给单位重新派发工作簿").format(
            file=name, unit=unit_name, period=period, recorded=unit.name if unit else '?', recorded_period=found.period))
    record = found.fingerprints or {}
    on_record = sorted([(sent_book.MAIN_SHEET, r["row"], r["code"], None, r["fp"]) for r in record.get("rows", [])]
                       + [(sent_book.DUE_SHEET, r["row"], r["code"], r["kind"], r["fp"]) for r in record.get("milestones", [])]
                       + [(LEAD_SHEET, r["row"], r["code"], None, r["fp"]) for r in record.get("leads", [])],
                       key=str)
    if sorted(marker.rows, key=str) != on_record:
        raise ProjectsError(_("{file}：派工单的隐藏记录与 {sent_on} 发给{unit}的行不符，工作簿被改动过；请重新派发").format(
            file=name, sent_on=found.sent_on.isoformat(), unit=unit_name))
    return found, unit.name


def _check_header(book: _Book, rows: list[list[Any]], sheet: str, header_row: int, columns: list[Col]) -> None:
    header = rows[header_row - 1] if len(rows) >= header_row else []
    for i, col in enumerate(columns):
        found = clean_text(header[i]) if i < len(header) else ""
        if found != col.header:
            raise ProjectsError(
                _("{file} 工作表 {sheet}：列与派发时不同（第 {row} 行 {column} 列应为 {expected}，现为 {found}）；"
                  "不能增加、删除或移动列，请在原发的工作簿上填写").format(
                    file=book.path.name, sheet=sheet, row=header_row, column=_letter(i), expected=repr(col.header),
                    found=repr(found)))


# ---------------------------------------------------------------- judging rows


@dataclass
class _Row:
    """One returned row, judged."""

    sheet: str
    row: int
    code: str
    name: str
    pid: int | None
    key: str  # the key of the applied record: code, or code:kind for a 节点 row
    kind: str | None = None  # the milestone of a 节点 row
    outcome: str = "unchanged"  # apply · unchanged · tampered · conflict · refused · invalid
    changes: dict[str, str | None] = field(default_factory=dict)  # field → new canonical value
    returned: dict[str, str | None] = field(default_factory=dict)
    before: dict[str, str | None] = field(default_factory=dict)


class _Judge:
    """Compares each returned row with what was sent and with the registry now; collects problems."""

    def __init__(self, ctx: Ctx, dispatch: Dispatch, unit: str, config: Mapping[str, Any] | None,
                 stages: tuple[str, ...]):
        self.ctx = ctx
        self.dispatch = dispatch
        self.unit = unit
        self.record = dispatch.fingerprints or {}
        self.month = self.record["month"]
        self.applied: dict[str, dict[str, Any]] = self.record.get("applied") or {}
        self.stages = stages
        self.kinds = milestones.configured_kinds(config)
        self.problems: list[Problem] = []

    def problem(self, sheet: str, row: int, index: int | None, header: str, value: Any, message: str,
                severity: str = "error") -> None:
        self.problems.append(Problem(severity, sheet, row, _letter(index) if index is not None else "", header,
                                     value, message))

    # ---- reading a unit's cell
    def read_open(self, col: Col, raw: Any) -> tuple[str | None, str | None]:
        """(canonical value, error message) of a cell the unit fills."""
        if col.kind == "money":
            try:
                amount = parse_amount(raw)
            except ValueProblem as exc:
                return None, str(exc)
            if amount is not None and amount < 0:
                return None, _("不能为负数：{value}").format(value=canon('text', raw))
            return canon("money", amount), None
        if col.kind in ("date", "ahead"):
            try:
                day = parse_date(raw)
            except PendingDate:
                return None, None
            except ValueProblem as exc:
                return None, str(exc)
            if day is None:
                return None, None
            if day.year < 1990:
                return None, _("{day} 不像是日期").format(day=day.isoformat())
            if day > self.ctx.as_of and col.kind == "date":
                return None, _("{day} 晚于截至日期 {as_of}：实际日期不能是将来的日期").format(
                    day=day.isoformat(), as_of=self.ctx.as_of.isoformat())
            return day.isoformat(), None
        return canon(col.kind, raw), None

    # ---- one row
    def judge(self, out: _Row, cells: list[Any], columns: list[Col], sent: Mapping[str, str | None],
              registry: Mapping[str, str | None] | None, owner: tuple[int | None, str | None]) -> None:
        """Decide the row's outcome; `registry` is the row as the registry holds it now (None: project gone)."""
        label = f"{out.code} {out.name}".strip()
        tampered, changed, invalid = [], {}, []
        for i, col in enumerate(columns):
            if col.kind in ("seq", "state"):
                continue
            raw = cells[i] if i < len(cells) else None
            raw = None if raw == "" else raw
            if not col.open:
                value = canon(col.kind, raw)
                if value != sent.get(col.key):
                    tampered.append((i, col, raw, value))
                continue
            value = canon(col.kind, raw)
            error = None
            if value != sent.get(col.key):  # only what the unit changed is read strictly
                value, error = self.read_open(col, raw)
            out.returned[col.key] = value
            if error is not None:
                invalid.append((i, col, raw, error))
            elif value is None and sent.get(col.key) is not None:
                have = registry.get(col.key) if registry else None
                self.problem(out.sheet, out.row, i, col.header, canon("text", raw),
                             _("{label}：{header} 被清空（派发时为 {sent}）；报回的派工单不会抹去登记中已有的内容（{have}），"
                               "如需更正请联系督查室").format(label=label, header=col.header, sent=sent[col.key],
                                                        have=_show(have)), "warning")
            elif value != sent.get(col.key):
                if col.kind == "stage" and value not in self.stages:
                    invalid.append((i, col, raw, _("{value} 不是形象进度的可选阶段：{stages}").format(
                        value=repr(value), stages='、'.join(self.stages))))
                elif col.kind == "lead_stage" and value not in sent_book.LEAD_MOVES:
                    invalid.append((i, col, raw, _("{value} 不是单位可填的线索阶段：{stages}").format(
                        value=repr(value), stages='、'.join(sent_book.LEAD_MOVES))))
                else:
                    changed[col.key] = (i, col, value)
        if tampered:
            out.outcome = "tampered"
            for i, col, raw, value in tampered:
                have = registry.get(col.key) if registry else None
                self.problem(out.sheet, out.row, i, col.header, canon("text", raw),
                             _("{label}：锁定的列被改动（篡改）：派发 {sent}，报回 {returned}，登记 {have}；本行未导入").format(
                                 label=label, sent=_show(sent.get(col.key)), returned=_show(value), have=_show(have)))
            return
        if invalid:
            out.outcome = "invalid"
            for i, col, raw, error in invalid:
                self.problem(out.sheet, out.row, i, col.header, canon("text", raw),
                             _("{label}：{error}；本行未导入").format(label=label, error=error))
            return
        if registry is not None:
            changed = {k: v for k, v in changed.items() if registry.get(k) != v[2]}  # already in the registry
        if not changed:
            return
        if registry is None or owner[0] != self.dispatch.unit_id:
            out.outcome = "refused"
            where = _("现属于{owner}").format(owner=owner[1]) if owner[1] else _("现在没有责任单位")
            self.problem(out.sheet, out.row, None, "", out.code,
                         _("{label}：{where}，不属于{unit}；其他单位的行不予导入").format(label=label, where=where,
                                                                                  unit=self.unit))
            return
        moved = [(i, col) for i, col in enumerate(columns)
                 if not col.open and col.kind not in ("seq", "state") and registry.get(col.key) != sent.get(col.key)]
        applied = self.applied.get(out.key, {})
        moved += [(i, col) for i, col, _v in changed.values()
                  if registry.get(col.key) != sent.get(col.key) and registry.get(col.key) != applied.get(col.key)]
        if moved:
            out.outcome = "conflict"
            what = "、".join(col.header for _i, col, _v in changed.values())
            for i, col in moved:
                self.problem(out.sheet, out.row, i, col.header, out.returned.get(col.key, sent.get(col.key)),
                             _("{label}：派发后登记已变更：派发 {sent}，报回 {returned}，登记 {have}；单位的修改（{what}）未导入").format(
                                 label=label, sent=_show(sent.get(col.key)),
                                 returned=_show(out.returned.get(col.key, sent.get(col.key))),
                                 have=_show(registry.get(col.key)), what=what))
            return
        if "month_amount" in changed and self.month > f"{self.ctx.as_of.year:04d}-{self.ctx.as_of.month:02d}":
            i, col, _v = changed["month_amount"]
            out.outcome = "invalid"
            self.problem(out.sheet, out.row, i, col.header, changed["month_amount"][2],
                         _("{label}：截至日期 {as_of} 时 {month} 还没开始；本行未导入").format(
                             label=label, as_of=self.ctx.as_of.isoformat(), month=self.month))
            return
        if out.kind is not None and out.kind not in self.kinds:
            out.outcome = "invalid"
            self.problem(out.sheet, out.row, None, "", out.kind,
                         _("{label}：{kind} 不是配置文件中的节点类型（{kinds}）；本行未导入").format(
                             label=label, kind=out.kind, kinds='、'.join(self.kinds)))
            return
        out.outcome = "apply"
        out.changes = {k: v for k, (_i, _c, v) in changed.items()}
        out.before = {k: registry.get(k) for k in out.changes}


def _owners(session: Session, codes: list[str]) -> dict[str, tuple[int, str, int | None, str | None]]:
    """code → (project id, name, unit id, unit name) for codes a return names."""
    p, u = Project.__table__.c, Unit.__table__.c
    out = {}
    for chunk in sent_book._chunks(codes):
        for pid, code, name, uid, unit in session.connection().execute(
            select(p.id, p.code, p.name, p.unit_id, u.name).select_from(Project.__table__.outerjoin(Unit.__table__, u.id == p.unit_id))
            .where(p.code.in_(chunk))
        ):
            out[code] = (pid, name, uid, unit)
    return out


def _match(rows: list[list[Any]], first: int, entries: list[dict[str, Any]], key_of) -> tuple[list[tuple[int, list[Any], dict[str, Any] | None]], list[dict[str, Any]]]:
    """Pair the returned rows with the rows sent: by their code (and kind), else by position when the code cell
    itself was altered. Returns (Excel row, cells, entry or None) and the entries not found."""
    sent_at = {e["row"]: e for e in entries}
    by_key = {key_of(e): e for e in entries}
    present = []
    for index in range(first - 1, len(rows)):
        cells = rows[index]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        present.append((index + 1, cells))
    keys = {key_of(cells) for _n, cells in present}
    out, used = [], set()
    for number, cells in present:
        entry = by_key.get(key_of(cells))
        if entry is not None and id(entry) in used:
            entry = None  # a second row for the same project: refused below
        if entry is None:
            at = sent_at.get(number)
            if at is not None and key_of(at) not in keys and id(at) not in used:
                entry = at  # its code (or kind) cell was changed: judged as that row, and found tampered
        if entry is not None:
            used.add(id(entry))
        out.append((number, cells, entry))
    missing = [e for e in entries if id(e) not in used]
    return out, missing


# ---------------------------------------------------------------- the service


def import_return(
    session: Session,
    ctx: Ctx,
    path: Path,
    *,
    dry_run: bool = False,
    strict: bool = False,
    from_unit: str | None = None,
    config: Mapping[str, Any] | None = None,
    limits: Limits | None = None,
) -> ReturnResult:
    """Judge every row of a returned 派工单 and write the clean ones (unless `dry_run`; with `strict`, all or none)."""
    path = Path(path)
    limits = limits or Limits.from_config((config or {}).get("limits"))
    book = _Book(path, limits)
    try:
        marker = _marker(book)
        found, unit = _find_dispatch(session, book, marker, lock=not dry_run)
        if from_unit and clean_text(from_unit) != unit:
            raise ProjectsError(_("{file} 是派给{unit}的工作簿，不是派给{other}的（--from-unit）").format(
                file=path.name, unit=unit, other=clean_text(from_unit)))
        record = found.fingerprints or {}
        main_cols = [Col(k, h, kind, bool(o)) for k, h, kind, o in record["main"]["columns"]]
        due_cols = [Col(k, h, kind, bool(o)) for k, h, kind, o in record["due"]["columns"]]
        main_rows = book.rows(record["main"]["sheet"])
        _check_header(book, main_rows, record["main"]["sheet"], record["main"]["header_row"], main_cols)
        due_rows: list[list[Any]] = []
        if record.get("milestones"):
            due_rows = book.rows(record["due"]["sheet"])
            _check_header(book, due_rows, record["due"]["sheet"], record["due"]["header_row"], due_cols)
        lead_cols = [Col(k, h, kind, bool(o)) for k, h, kind, o in record["lead"]["columns"]] if record.get("leads") else []
        lead_rows: list[list[Any]] = []
        if lead_cols:
            lead_rows = book.rows(record["lead"]["sheet"])
            _check_header(book, lead_rows, record["lead"]["sheet"], record["lead"]["header_row"], lead_cols)
    finally:
        book.close()
    result = ReturnResult(path.name, unit, found.period, found.token, found.sent_on, found.due_on,
                          header_row=record["main"]["header_row"])
    judge = _Judge(ctx, found, unit, config, sent_book.dispatch_config(config).stages)
    ids = [e["id"] for e in record.get("rows", [])]
    now = {r["id"]: r for r in sent_book.project_rows(session, month=record["month"], project_ids=ids, token=found.token)}
    judged = _judge_main(session, judge, record, main_rows, main_cols, now)
    if record.get("milestones"):
        judged += _judge_due(session, judge, record, due_rows, due_cols, now)
    if lead_cols:
        judged += _judge_leads(session, judge, record, lead_rows, lead_cols)
    _cross_check(judge, judged)
    _tally(result, judged, main_cols, due_cols, lead_cols)
    result.problems = sorted(judge.problems, key=lambda p: (p.sheet != MAIN_SHEET, p.row, p.column, p.severity))
    result.first_return = found.returned_on is None
    result.returned_on = found.returned_on or ctx.as_of
    if strict and result.not_applied:
        raise ReturnRejected(
            ngettext("{file}：{n} 行不能导入（--strict）；未写入任何内容", "{file}：{n} 行不能导入（--strict）；未写入任何内容",
                     result.not_applied).format(file=path.name, n=result.not_applied), result)
    if dry_run:
        return result
    _write(session, ctx, found, unit, judge, [r for r in judged if r.outcome == "apply"])
    result.written = True
    return result


def _tally(result: ReturnResult, judged: list[_Row], main_cols: list[Col], due_cols: list[Col],
           lead_cols: list[Col]) -> None:
    """Count the rows by outcome and list the values the clean rows write."""
    result.rows = len(judged)
    headers = {c.key: c.header for c in main_cols}
    due_headers = {c.key: c.header for c in due_cols}
    lead_headers = {c.key: c.header for c in lead_cols}
    for row in judged:
        if row.outcome == "unchanged":
            result.unchanged += 1
        elif row.outcome != "apply":
            result.outcomes[row.outcome] += 1
            continue
        else:
            result.applied += 1
        for key, value in row.changes.items():
            if row.sheet == LEAD_SHEET:
                header = lead_headers[key]
            else:
                header = headers[key] if row.kind is None else f"{row.kind} {due_headers[key]}"
            result.changes.append(Change(row.sheet, row.row, row.code, row.name, key, header, row.before.get(key), value))


def _judge_main(session: Session, judge: _Judge, record: Mapping[str, Any], rows: list[list[Any]],
                columns: list[Col], now: Mapping[int, dict[str, Any]]) -> list[_Row]:
    """The 派工单 rows; `now` is `dispatch.project_rows` of the projects sent, by id."""
    code_index = next(i for i, c in enumerate(columns) if c.key == "code")
    entries = record.get("rows", [])

    def key_of(item) -> str | None:
        return item["code"] if isinstance(item, dict) else canon("text", item[code_index] if code_index < len(item) else None)

    paired, missing = _match(rows, record["main"]["header_row"] + 1, entries, key_of)
    strangers = _owners(session, sorted({key_of(cells) for _n, cells, e in paired if e is None and key_of(cells)}))
    out = []
    for number, cells, entry in paired:
        if entry is None:
            code = key_of(cells) or ""
            out.append(_refuse(judge, record["main"]["sheet"], number, columns[code_index], code_index, code,
                               strangers.get(code), entries))
            continue
        current = now.get(entry["id"])
        row = _Row(record["main"]["sheet"], number, entry["code"], entry["sent"].get("name") or "", entry["id"],
                   entry["code"])
        registry = sent_book.sent_values(current, columns) if current else None
        owner = (current["unit_id"], current["unit"]) if current else (None, None)
        judge.judge(row, cells, columns, entry["sent"], registry, owner)
        out.append(row)
    _missing(judge, record["main"]["sheet"], missing, lambda e: f"{e['code']} {e['sent'].get('name') or ''}", "row")
    return out


MISSING = {"row": N_("{label}：派发时的第 {row} 行在报回的工作簿中不见了；该行的内容都未导入"),
           "milestone": N_("{label}：派发时第 {row} 行的节点在报回的工作簿中不见了；该行的内容都未导入"),
           "lead": N_("{label}：派发时第 {row} 行的招商线索在报回的工作簿中不见了；该行的内容都未导入")}


def _missing(judge: _Judge, sheet: str, missing: list[dict[str, Any]], label, what: str) -> None:
    """A warning for each row sent that the return no longer has (nothing from it is applied)."""
    for entry in missing:
        judge.problem(sheet, entry["row"], None, "", entry["code"],
                      _(MISSING[what]).format(label=label(entry), row=entry["row"]), "warning")


def _judge_due(session: Session, judge: _Judge, record: Mapping[str, Any], rows: list[list[Any]],
               columns: list[Col], now: Mapping[int, dict[str, Any]]) -> list[_Row]:
    """The 节点 rows of the second sheet (the problems listed under them are for reading only)."""
    header_row = record["due"]["header_row"]
    entries = record.get("milestones", [])
    rows = rows[:header_row + len(entries)]  # the milestone rows end where the problems' section begins
    code_index = next(i for i, c in enumerate(columns) if c.key == "code")
    kind_index = next(i for i, c in enumerate(columns) if c.key == "kind")

    def key_of(item) -> tuple[str | None, str | None]:
        if isinstance(item, dict):
            return item["code"], item["kind"]
        return (canon("text", item[code_index] if code_index < len(item) else None),
                canon("text", item[kind_index] if kind_index < len(item) else None))

    paired, missing = _match(rows, header_row + 1, entries, key_of)
    ids = sorted({e["id"] for e in entries})
    dates = sent_book.milestone_dates(session, ids)
    owners = {pid: (r["unit_id"], r["unit"]) for pid, r in now.items()}
    sheet = record["due"]["sheet"]
    out = []
    for number, cells, entry in paired:
        if entry is None:
            code, kind = key_of(cells)
            judge.problem(sheet, number, code_index, columns[code_index].header, code,
                          _("{code} {kind}：这个节点不在发给{unit}的清单中；派工单中新增的行不予导入").format(
                              code=code or '', kind=kind or '', unit=judge.unit))
            out.append(_Row(sheet, number, code or "", "", None, f"{code}:{kind}", kind, "refused"))
            continue
        sent = entry["sent"]
        row = _Row(sheet, number, entry["code"], sent.get("name") or "", entry["id"], f"{entry['code']}:{entry['kind']}",
                   entry["kind"])
        registry = None
        if entry["id"] in owners:
            planned, actual = dates.get((entry["id"], entry["kind"]), (None, None))
            registry = sent_book.milestone_sent(entry["code"], sent.get("name"), entry["kind"], planned, actual)
        judge.judge(row, cells, columns, sent, registry, owners.get(entry["id"], (None, None)))
        out.append(row)
    _missing(judge, sheet, missing, lambda e: f"{e['code']} {e['kind']}", "milestone")
    return out


def _refuse(judge: _Judge, sheet: str, number: int, column: Col, index: int, code: str, known: tuple | None,
            entries: list[dict[str, Any]]) -> _Row:
    """A row that was not sent: another unit's project, a project sent twice, or a code the registry does not know."""
    if known is None:
        message = (_("{code} 不是登记中的项目；新项目由督查室登记，不能通过派工单新增").format(code=repr(code)) if code
                   else _("新增了一行没有项目编号的行；派工单中新增的行不予导入"))
        name = ""
    else:
        pid, name, _uid, owner = known
        if any(e["code"] == code for e in entries):
            message = _("{code} {name}：出现了不止一次；只读第一行，本行不予导入").format(code=code, name=name)
        elif owner != judge.unit:
            message = _("{code} {name}：属于{owner}，不属于{unit}；其他单位的行不予导入").format(
                code=code, name=name, owner=owner or _("（无责任单位）"), unit=judge.unit)
        else:
            message = _("{code} {name}：不在 {sent_on} 发给{unit}的工作簿中；派工单中新增的行不予导入").format(
                code=code, name=name, sent_on=judge.dispatch.sent_on.isoformat(), unit=judge.unit)
    judge.problem(sheet, number, index, column.header, code, message)
    return _Row(sheet, number, code, name, None, code, outcome="refused")


def _cross_check(judge: _Judge, rows: list[_Row]) -> None:
    """开工/竣工 may be given on both sheets: the same date is written once, two different dates neither."""
    main = {(r.pid, MILESTONE_OF[k]): (r, k) for r in rows if r.kind is None and r.outcome == "apply"
            for k in r.changes if k in MILESTONE_OF}
    for row in rows:
        if row.kind is None or row.outcome != "apply" or (row.pid, row.kind) not in main:
            continue
        other, key = main[(row.pid, row.kind)]
        if other.changes[key] == row.changes.get("actual"):
            row.changes.pop("actual")
            row.outcome = "unchanged" if not row.changes else row.outcome
            continue
        for bad in (row, other):
            bad.outcome = "invalid"
            judge.problem(bad.sheet, bad.row, None, "", bad.code,
                          _("{code} {name}：两个不同的{kind}日期，{other_sheet} 第 {other_row} 行为 {first}，"
                            "{sheet} 第 {row} 行为 {second}；本行未导入").format(
                              code=row.code, name=row.name, kind=row.kind, first=other.changes[key],
                              other_sheet=other.sheet, other_row=other.row, second=row.changes.get('actual'),
                              sheet=row.sheet, row=row.row))


def _write(session: Session, ctx: Ctx, found: Dispatch, unit: str, judge: _Judge, rows: list[_Row]) -> None:
    """Write the clean rows through the services (each logs its own change), then the dispatch's record."""
    source = sent_book.source_of(found.token)
    projects: dict[int, Project] = {}
    ids = sorted({r.pid for r in rows if r.pid is not None and r.sheet != LEAD_SHEET})
    for chunk in sent_book._chunks(ids):
        projects.update((p.id, p) for p in session.scalars(select(Project).where(Project.id.in_(chunk))))
    applied = {k: dict(v) for k, v in judge.applied.items()}
    for row in rows:
        changes = row.changes
        if row.sheet == LEAD_SHEET:
            _write_lead(session, ctx, row)
            applied.setdefault(row.key, {}).update(changes)
            continue
        project = projects[row.pid]
        if row.kind is not None:
            milestones.set_actual(session, ctx, project, row.kind, date.fromisoformat(changes["actual"]), kinds=judge.kinds)
        else:
            if "month_amount" in changes:
                investment.set_month(session, ctx, project, judge.month, Decimal(changes["month_amount"]), source)
            for key, kind in MILESTONE_OF.items():
                if key in changes:
                    milestones.set_actual(session, ctx, project, kind, date.fromisoformat(changes[key]),
                                          kinds=judge.kinds)
            if "site_progress" in changes or "problems" in changes:
                # the stage as returned is kept with the report; it becomes the project's only when the unit changed it
                record_progress(session, ctx, project, progress=row.returned.get("site_progress"),
                                problems=row.returned.get("problems"), on=ctx.as_of, source=source,
                                update_project="site_progress" in changes)
        applied.setdefault(row.key, {}).update(changes)
    record = dict(found.fingerprints or {})
    record["applied"] = applied
    found.fingerprints = record
    if found.returned_on is None:
        found.returned_on = ctx.as_of
        changelog.log_update(session, ctx, "dispatch", found.id, {"returned_on": None}, {"returned_on": ctx.as_of},
                         key=f"{unit}:{found.period}")
    session.flush()


# ---------------------------------------------------------------- the 招商线索 sheet

FOLLOW_KEYS = ("follow_on", "follow_text", "next_on")
MOVE_KEYS = ("move_to", "reason")


def _judge_leads(session: Session, judge: _Judge, record: Mapping[str, Any], rows: list[list[Any]],
                 columns: list[Col]) -> list[_Row]:
    """The 招商线索 rows: the follow-ups and stage moves the unit gave, judged like the other sheets' rows.

    What the registry holds of a row's open cells is what this return gave when it is already on record (the
    same follow-up, dated and worded the same; the lead already at the stage), so a second import writes
    nothing; the stage a first import of this return moved the lead to counts as the stage sent.
    """
    from projects_cli.facts.leads import leads_on
    from projects_cli.services.leads import MOVES, NEEDS_REASON
    from projects_cli.store.models import Lead, LeadFollow, LeadStage

    sheet, header_row = record["lead"]["sheet"], record["lead"]["header_row"]
    entries = record.get("leads", [])
    code_index = next(i for i, c in enumerate(columns) if c.key == "code")
    index = {c.key: i for i, c in enumerate(columns)}

    def key_of(item) -> str | None:
        return item["code"] if isinstance(item, dict) else canon("text", item[code_index] if code_index < len(item) else None)

    paired, missing = _match(rows, header_row + 1, entries, key_of)
    ids = [e["id"] for e in entries]
    held = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.id.in_(ids)))} if ids else {}
    now = {r["id"]: r for r in leads_on(session, judge.ctx.as_of) if r["id"] in held}
    follows: dict[int, set[tuple[str, str]]] = {}
    last_stage: dict[int, date] = {}
    if ids:
        fo, st = LeadFollow.__table__.c, LeadStage.__table__.c
        for lead_id, on, text, next_on in session.connection().execute(
                select(fo.lead_id, fo.on, fo.text, fo.next_on).where(fo.lead_id.in_(ids))):
            follows.setdefault(lead_id, set()).add((on.isoformat(), canon("note", text), canon("date", next_on)))
        for lead_id, on in session.connection().execute(select(st.lead_id, st.on).where(st.lead_id.in_(ids))):
            last_stage[lead_id] = max(on, last_stage.get(lead_id, on))
    units = dict(session.connection().execute(select(Unit.__table__.c.id, Unit.__table__.c.name)).all())
    out = []
    for number, cells, entry in paired:
        if entry is None:
            code = key_of(cells) or ""
            judge.problem(sheet, number, code_index, columns[code_index].header, code,
                          _("{code}：这条线索不在发给{unit}的清单中；派工单中新增的行不予导入").format(
                              code=code or _("（无编号）"), unit=judge.unit))
            out.append(_Row(sheet, number, code, "", None, code, outcome="refused"))
            continue
        sent = entry["sent"]
        row = _Row(sheet, number, entry["code"], sent.get("name") or "", entry["id"], f"{LEAD_SHEET}:{entry['code']}")
        lead, current = held.get(entry["id"]), now.get(entry["id"])
        registry = None
        if lead is not None and current is not None:
            given = {c.key: canon(c.kind, cells[i] if i < len(cells) else None) for i, c in enumerate(columns) if c.open}
            applied = judge.applied.get(row.key, {})
            stage = sent.get("stage") if current["stage"] == applied.get("move_to") else current["stage"]
            registry = {**sent, **sent_book.sent_values({**current, "stage": stage}, columns[:5])}
            if (given["follow_on"], given["follow_text"], given["next_on"]) in follows.get(lead.id, set()):
                registry.update({k: given[k] for k in FOLLOW_KEYS})
            if given["move_to"] is not None and given["move_to"] == current["stage"]:
                registry.update({k: given[k] for k in MOVE_KEYS})
        judge.judge(row, cells, columns, sent, registry,
                    (lead.unit_id, units.get(lead.unit_id)) if lead is not None else (None, None))
        if row.outcome == "apply":
            problem = _lead_problem(row, lead, current, last_stage.get(lead.id), judge.ctx.as_of, MOVES, NEEDS_REASON)
            if problem:
                key, message = problem
                row.outcome, row.changes = "invalid", {}
                judge.problem(sheet, number, index.get(key), columns[index[key]].header if key in index else "",
                              row.returned.get(key), _("{label}：{error}；本行未导入").format(
                                  label=f"{row.code} {row.name}", error=message))
        out.append(row)
    _missing(judge, sheet, missing, lambda e: f"{e['code']} {e['sent'].get('name') or ''}", "lead")
    return out


def _lead_problem(row: _Row, lead, current: Mapping[str, Any], last_stage: date | None, as_of: date, moves,
                  needs_reason) -> tuple[str, str] | None:
    """(column, what is wrong) of a lead row whose cells each read right but do not make a follow-up or a move
    the lead can take; None when it can."""
    got = row.returned
    if any(k in row.changes for k in FOLLOW_KEYS):
        if got["follow_on"] is None:
            return "follow_on", _("跟进情况或下次跟进日期需随本次跟进日期填写")
        if got["follow_text"] is None:
            return "follow_text", _("填写了本次跟进日期，请填写跟进情况")
        if got["follow_on"] < lead.recorded_on.isoformat():
            return "follow_on", _("{day} 早于线索登记日 {recorded}").format(
                day=got['follow_on'], recorded=lead.recorded_on.isoformat())
        if got["next_on"] is not None and got["next_on"] <= got["follow_on"]:
            return "next_on", _("下次跟进日期 {next_on} 应晚于本次跟进日期 {follow_on}").format(
                next_on=got['next_on'], follow_on=got['follow_on'])
    if "reason" in row.changes and got["move_to"] is None:
        return "reason", _("填写了变更原因，请选择“阶段变更为”")
    if "move_to" in row.changes:
        stage, to = current["stage"], got["move_to"]
        if to not in moves[stage]:
            return "move_to", _("线索处于“{stage}”，不能转到“{to}”；可转到：{allowed}").format(
                stage=stage, to=to,
                allowed="、".join(s for s in moves[stage] if s in sent_book.LEAD_MOVES) or _("无"))
        if to in needs_reason and got["reason"] is None:
            return "reason", _("转为“{to}”需要填写变更原因").format(to=to)
        on = got["follow_on"] or as_of.isoformat()
        if last_stage is not None and on < last_stage.isoformat():
            return "move_to", _("线索已于 {day} 进入“{stage}”，阶段变更不能早于该日").format(
                day=last_stage.isoformat(), stage=stage)
    return None


def _write_lead(session: Session, ctx: Ctx, row: _Row) -> None:
    """A lead row's follow-up (`lead follow`) and stage move (`lead move`, dated as the follow-up, else today)."""
    from projects_cli.services import leads

    got = row.returned
    on = date.fromisoformat(got["follow_on"]) if got.get("follow_on") else ctx.as_of
    if any(k in row.changes for k in FOLLOW_KEYS):
        leads.follow_lead(session, ctx, row.code, got["follow_text"], on=on,
                          next_on=date.fromisoformat(got["next_on"]) if got.get("next_on") else None)
    if "move_to" in row.changes:
        leads.move_lead(session, ctx, row.code, got["move_to"], on=on, reason=got.get("reason"))
