"""Planning a ledger import: each row matched to a project and checked, and what it changes decided; nothing is
written.

Rows are matched by code (项目编号), else by the exact name after normalising
spaces and full-width forms; an unmatched row is a new project. A matched
project changes by the cells the ledger fills (a blank cell never erases what
the registry holds). The ledger's columns decide through the same rules as the
commands: the annual plan and the month's figure by `rules.investment` (the
year-to-date total less the year's months on file), 开工/竣工 by
`rules.milestones.change_dates` (a new plan is the baseline, a changed plan a
re-plan with the reason "台账导入 FILE"). `write.py` writes what is decided.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any, Mapping, NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.config import chains
from projects_cli.errors import ProjectsError, UnknownName
from projects_cli.facts.filters import NAMED
from projects_cli.facts.ledger_rows import COMPLETION, LEDGER_KINDS, MILESTONE_FIELDS, START
from projects_cli.i18n import _, ngettext
from projects_cli.ledger import parse
from projects_cli.ledger.read import Progress
from projects_cli.ledger.snapshot import PROJECT_KEYS, Batch, Snapshot, chunks
from projects_cli.listings.output import format_decimal
from projects_cli.rules import investment as money
from projects_cli.rules import milestones as dates
from projects_cli.services.milestones import configured_kinds
from projects_cli.services.registry import CREATE_UNITS
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import InvestmentReport
from projects_cli.values import foreign_unit, match_name, nearest_names, normalize_name, resolve_name
from projects_cli.vocab import BY_KEY, Milestone

BATCH = 2000  # rows planned per round of reads
MILESTONE_COLUMNS = ((START, "planned_start", "actual_start"), (COMPLETION, "planned_completion", "actual_completion"))
COMPARED = frozenset(PROJECT_KEYS) - {"code"}  # a ledger's code finds the project, never changes it
# "开工.planned_date" …: one string shared by every row's change list
_KEYS = {(kind, key): f"{kind}.{key}" for kind in LEDGER_KINDS
         for key in ("baseline_date", "planned_date", "actual_date")}
_LISTED = ("planned_date", "baseline_date", "actual_date")  # a milestone's fields in a row's change list
ZERO = Decimal(0)
COUNTED = {"add": "added", "change": "changed", "unchanged": "unchanged"}
NO_MILESTONES: Mapping[str, dates.Held] = {}


class LedgerRejected(ProjectsError):
    """The ledger has errors (or warnings under --strict); nothing was written. Carries the result."""

    def __init__(self, message: str, result: ImportResult):
        super().__init__(message)
        self.result = result


class FieldChange(NamedTuple):
    """One value a row changes, as the office reads it: the ledger's column, the value on file and the new one."""

    field: str  # the registry's field (`Change.fields`' key)
    header: str  # the ledger's own column name (计划开工时间, 2025年计划投资), else the field's Chinese name
    old: Any  # None: nothing on file
    new: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "header": self.header, "old": _shown(self.old), "new": _shown(self.new)}


@dataclass(slots=True)
class Change:
    """What one ledger row does to the registry (`details`: each value, old and new, when asked for)."""

    row: int
    action: str  # add, change, unchanged
    code: str | None
    name: str
    fields: list[str] = field(default_factory=list)
    details: list[FieldChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {"row": self.row, "action": self.action, "code": self.code, "name": self.name, "fields": self.fields}
        if self.details:
            out["changes"] = [d.as_dict() for d in self.details]
        return out


def _shown(value: Any) -> Any:
    """A value as the dry run shows it: dates ISO, amounts without trailing zeros (JSON keeps them as text)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_decimal(value)
    return value


class Confirm(NamedTuple):
    """A change the ledger makes to a milestone already done: its actual date changed, or its plan re-planned.

    Never written quietly: `ledger import` asks for it (--yes in scripts), --strict refuses it.
    """

    sheet: str
    row: int
    column: str
    header: str  # the ledger's column
    code: str
    name: str
    kind: str  # 开工, 竣工
    what: str  # "actual" (the actual date changes) or "replan" (a done milestone's plan changes)
    old: date | None
    new: date
    done: date  # the actual date on file

    def message(self) -> str:
        old = self.old.isoformat() if self.old else _("（无）")
        if self.what == "actual":
            return _("{code} {name}：{kind}已于 {done} 完成，台账把实际日期改为 {new}").format(
                code=self.code, name=self.name, kind=self.kind, done=self.done.isoformat(), new=self.new.isoformat())
        return _("{code} {name}：{kind}已于 {done} 完成，台账把计划日期 {old} 改为 {new}").format(
            code=self.code, name=self.name, kind=self.kind, done=self.done.isoformat(), old=old,
            new=self.new.isoformat())

    def describe(self, confirmed: bool = False) -> str:
        where = _("{sheet} 第 {row} 行").format(sheet=self.sheet, row=self.row) + (
            _("，{column} 列 {header}").format(column=self.column, header=self.header) if self.column else "")
        if confirmed:
            return _("已确认：{where}：{message}").format(where=where, message=self.message())
        return _("待确认：{where}：{message}").format(where=where, message=self.message())

    def problem(self) -> parse.Problem:
        """The change refused (--strict), as a problem on its cell."""
        return parse.Problem("error", self.sheet, self.row, self.column, self.header, self.new.isoformat(),
                             _("{message}；--strict 不改已完成的节点").format(message=self.message()))

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "header": self.header, "code": self.code,
                "name": self.name, "milestone": self.kind, "change": self.what,
                "old": self.old.isoformat() if self.old else None, "new": self.new.isoformat(),
                "done": self.done.isoformat()}


@dataclass
class ImportResult:
    file: str
    sheet: str = ""
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)
    problems: list[parse.Problem] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    header_rows: tuple[int, int] = (0, 0)  # Excel rows of the header (first, last)
    plan_year: int | None = None
    completed_month: str | None = None
    as_of: date | None = None
    reporter: str | None = None  # 填报单位, as the ledger's info line names it
    written: bool = False
    to_confirm: list[Confirm] = field(default_factory=list)  # changes to done milestones (see `Confirm`)
    skipped_rows: list[parse.Skipped] = field(default_factory=list)  # rows not read as projects, and why
    # amount columns in a foreign currency converted at [ledger.rates]: field → the note recorded with each figure
    converted: dict[str, str] = field(default_factory=dict)
    other_sheets: list[str] = field(default_factory=list)  # the workbook's other sheets with a ledger table, not read
    parts: list[ImportResult] = field(default_factory=list)  # --sheet all: each sheet's result (this adds them up)

    def counts(self) -> dict[str, int]:
        """Rows added, changed, unchanged and refused (a row with an error: not counted among the others)."""
        if self.parts:
            each = [part.counts() for part in self.parts]
            return {key: sum(c[key] for c in each) for key in each[0]}
        refused = {p.row for p in self.errors if p.row > self.header_rows[1]}
        if not refused:
            return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged, "refused": 0}
        out = {"added": 0, "changed": 0, "unchanged": 0, "refused": len(refused)}
        for change in self.changes:
            if change.row not in refused:
                out[COUNTED[change.action]] += 1
        return out

    @property
    def errors(self) -> list[parse.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[parse.Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(eq=False, slots=True)
class RowPlan:
    """The writes one row needs (decided before anything is written)."""

    row: int
    pid: int | None
    code: str | None
    name: str
    is_new: bool = False
    unit: str | None = None  # responsible unit's name, when set or changed
    old: dict[str, Any] = field(default_factory=dict)  # changed project fields, before
    new: dict[str, Any] = field(default_factory=dict)  # changed project fields, after (all of them for a new project)
    plan: tuple[Decimal | None, Decimal] | None = None  # annual plan (old, new)
    report: tuple[int | None, tuple[Decimal, str | None] | None, Decimal] | None = None  # the month's (id, old, new)
    ytd: tuple[Decimal | None, Decimal] | None = None  # the year to date the report gives (on file, the ledger's)
    milestones: list[tuple[str, int | None, dates.DateChange]] = field(default_factory=list)  # (kind, id, change)
    # the months before it, from cumulative month columns: (YYYY-MM, report id, old (amount, source), new)
    months: list[tuple[str, int | None, tuple[Decimal, str | None] | None, Decimal]] = field(default_factory=list)

    def fields(self) -> list[str]:
        out = [k for k in self.new if k != "unit_id"]
        if self.unit and "unit" not in out:
            out.append("unit")
        if self.plan:
            out.append("annual_plan")
        if self.report:
            out.append("completed_ytd")
        if self.months:
            out.append("completed_months")
        for kind, _mid, change in self.milestones:
            for key in _LISTED:
                if key in change.new:
                    out.append(_KEYS[kind, key])
        return out


def rate_note(column: parse.Column) -> str:
    """What a converted column's figures are recorded with: 总投资（万美元）按 1 美元 = 7.1 元折算."""
    _size, currency = foreign_unit(column.currency)  # set with the rate (`parse._foreign_amounts`)
    return f"{column.header}按 1 {currency} = {format_decimal(column.rate)} 元折算"


def _num(value: Any) -> str:
    return format_decimal(Decimal(value))


def _same(a: Any, b: Any) -> bool:
    if a == b:  # the common case, whatever the types (Decimal(5) == 5.0 too)
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a) == Decimal(b)
        except (TypeError, ValueError, ArithmeticError):
            return False
    return a == b


def _periods(parsed: parse.ParsedSheet, as_of: date) -> tuple[int, str, date, str | None]:
    """The annual plan's year, the completed investment's month (YYYY-MM), the ledger's as-of date, and why
    the month cannot be told (None when it can).

    The month is the one the year-to-date header names (1-10月), else the one a month's own figure names
    (10月完成投资, 本月完成投资（10月）), else the ledger's as-of month. A month's own figure names no year:
    the year is the one the sheet names (its headers, 截至… line or title, or --month); none, or two that
    differ, and the month cannot be told (refused: never a guess from the command's date).
    """
    columns = parsed.header.by_field()
    ledger_as_of = parsed.info.as_of or as_of
    plan_col = columns.get("annual_plan")
    done_col = columns.get("completed_ytd")
    own_col = columns.get("month_completed")
    plan_year = (plan_col.year if plan_col else None) or ledger_as_of.year
    year = (done_col.year if done_col else None) or (plan_col.year if plan_col else None) or ledger_as_of.year
    if done_col and done_col.month:
        month = done_col.month
        if own_col and own_col.month and own_col.month != month:
            return plan_year, f"{year:04d}-{month:02d}", ledger_as_of, (
                _("{own} 是 {own_month} 月的数，{done} 累计到 {month} 月：两列不是同一个月").format(
                    own=own_col.header, own_month=own_col.month, done=done_col.header, month=month))
    elif own_col and own_col.month:
        month = own_col.month
        info = parsed.info
        said = {c.year for c in (own_col, done_col, plan_col) if c is not None and c.year}
        said |= {y for y in (info.as_of.year if info.as_of else None, info.year) if y}
        if len(said) != 1:
            problem = (_("{header} 没有写年份，台账的标题、截至日期和表头也没有：请用 --month YYYY-{month:02d} 指明").format(
                header=own_col.header, month=month) if not said else
                _("{header} 的年份不明：台账写了 {years} 年").format(
                    header=own_col.header, years='、'.join(map(str, sorted(said)))))
            return plan_year, f"{ledger_as_of.year:04d}-{month:02d}", ledger_as_of, problem
        year = said.pop()
        plan_year = (plan_col.year if plan_col else None) or year
    elif year == ledger_as_of.year:
        month = ledger_as_of.month
    else:
        month = 12
    return plan_year, f"{year:04d}-{month:02d}", ledger_as_of, None


NAMED_UNIT = NAMED["unit"]


class Planner:
    """Decides, row by row, what the import writes; collects problems on the way."""

    def __init__(self, session: Session, ctx: Ctx, parsed: parse.ParsedSheet, *, from_unit: str | None,
                 config: Mapping[str, Any] | None, file_name: str, reg: Snapshot | None = None,
                 create_units: bool = False):
        self.ctx = ctx
        self.create_units = create_units  # a unit not in the registry: created (a warning), else refused
        self.parsed = parsed
        self.sheet = parsed.sheet
        self.columns = parsed.header.by_field()
        self.reg = reg or Snapshot(session)
        self.from_unit = from_unit
        self.file_name = file_name
        self.problems: list[parse.Problem] = []
        self.plan_year, self.month, self.ledger_as_of, self.month_problem = _periods(parsed, ctx.as_of)
        self.known_chains = set(chains.known_chains(config)) | self.reg.chains
        self.known_clusters = set(chains.known_clusters(config)) | self.reg.clusters
        self.kinds = list(configured_kinds(config))
        self.reason = f"台账导入 {file_name}"[:200]
        self.new_units: list[str] = []
        self.unknown: dict[tuple[str, str], list[int]] = defaultdict(list)  # (field, value) → rows
        self.replans: list[tuple[int, str, date, int]] = []  # (row, kind, new plan, milestone id)
        self.to_confirm: list[Confirm] = []

    def report_unknown(self) -> None:
        """One warning per unknown chain, cluster or unit, on the first row that names it; without
        `create_units` an unknown unit is an error on every row that names it."""
        words = {
            "chain": _("{value} 不是认得的产业链，按原文保留（认得的：规划的十条产业链、乡村振兴/基础设施/民生…、"
                       "登记中已有的产业链，以及配置文件 [ledger] chains）{more}"),
            "cluster": _("{value} 不是认得的产业集群（{clusters}），按原文保留{more}"),
            "unit": _("{value} 不是登记中的责任单位，将新建该单位{more}"),
        }
        for (key, value), rows in self.unknown.items():
            more = ""
            if len(rows) > 1:
                more = ngettext("（另见第 {rows} 行）", "（另见第 {rows} 行）", len(rows) - 1).format(
                    rows="、".join(map(str, rows[1:11])) + (" …" if len(rows) > 11 else ""))
            if key == "unit" and not self.create_units:  # the one unit policy (`registry.unit_for`): each row refused
                known = sorted(self.reg.unit_id)
                refused = str(UnknownName(NAMED_UNIT, value, nearest_names(value, known), known, CREATE_UNITS))
                for row in rows:
                    self.problem(row, key, value, refused)
                continue
            self.problem(rows[0], key, value, words[key].format(value=repr(value), more=more,
                                                                clusters='、'.join(chains.CLUSTERS)), "warning")

    def problem(self, row: int, key: str | None, value: Any, message: str, severity: str = "error") -> None:
        column = self.columns.get(key) if key else None
        self.problems.append(parse.Problem(
            severity, self.sheet, row, column.letter if column else "", column.header if column else "",
            parse.cell_repr(value), message,
        ))

    def check_file(self) -> bool:
        """Problems with the ledger as a whole; False when rows cannot be judged at all."""
        header_row = self.parsed.header.first + 1
        used_kinds = {MILESTONE_FIELDS[k][0] for k in self.columns if k in MILESTONE_FIELDS}
        for kind in sorted(used_kinds - set(self.kinds)):
            self.problems.append(parse.Problem(
                "error", self.sheet, header_row, "", "", "",
                _("台账有{kind}日期，但配置文件 [milestones] kinds 中没有{kind}").format(kind=kind),
            ))
        as_of = self.ctx.as_of
        if self.month_problem:
            column = self.columns["month_completed"]
            self.problems.append(parse.Problem("error", self.sheet, header_row, column.letter, column.header, "",
                                               self.month_problem))
            return False
        done = next((k for k in ("completed_ytd", "month_completed") if k in self.columns), None)
        if done and self.month > f"{as_of.year:04d}-{as_of.month:02d}":
            column = self.columns[done]
            self.problems.append(parse.Problem(
                "error", self.sheet, header_row, column.letter, column.header, "",
                _("完成投资填到 {month}，在截至日期 {as_of} 之后：请用 --as-of 指定台账的截至日期再导入").format(
                    month=self.month, as_of=as_of.isoformat()),
            ))
        if self.from_unit and self.from_unit not in self.reg.unit_id:
            self.from_unit = (self.reg.former("unit", self.from_unit) if match_name(self.from_unit, self.reg.unit_id) is None
                              else None) or resolve_name(self.from_unit, self.reg.unit_id, NAMED_UNIT)
        return True

    def match(self, rows: list[parse.LedgerRow]) -> list[int | None]:
        """Each row's project id (None: a new project); duplicates and ambiguities become problems."""
        matched: list[int | None] = []
        first_row_of: dict[Any, tuple[int, str | None]] = {}
        for row in rows:
            values = row.values
            code = values.get("code")
            name = values.get("name")
            pid = None
            if code and code in self.reg.by_code:
                pid = self.reg.by_code[code]
            elif name:
                candidates = self.reg.by_name.get(normalize_name(name), [])
                if len(candidates) > 1:
                    codes = ", ".join(sorted(self.reg.code_of[c] for c in candidates))
                    self.problem(row.row, "name", name,
                                 _("登记中有 {n} 个项目叫这个名称（{codes}）：请填写项目编号指明是哪一个").format(
                                     n=len(candidates), codes=codes))
                elif candidates:
                    pid = candidates[0]
                    if code:
                        self.problem(row.row, "code", code,
                                     _("项目编号 {code} 不在登记中，但项目名称是 {other} 的：请改正编号或留空").format(
                                         code=code, other=self.reg.code_of[pid]))
            if name or code:
                self._once(row, pid, code, name, first_row_of)
            matched.append(pid)
        return matched

    def _once(self, row: parse.LedgerRow, pid: int | None, code: str | None, name: str | None,
              first_row_of: dict[Any, tuple[int, str | None]]) -> None:
        """A second row of one project (by the project it matched, by code, by name, or by code on one row and
        name on the other) is an error naming both rows. Two new rows of one name but different codes are two
        projects."""
        key_name = ("name", normalize_name(name)) if name else None
        keys: list[Any] = [("id", pid)] if pid is not None else []
        if code:
            keys.append(("code", code))
        first = None
        for key in keys:
            if key in first_row_of:
                first = first_row_of[key][0]
                break
        if first is None and key_name in first_row_of:
            earlier, earlier_code = first_row_of[key_name]
            if not (code and earlier_code and earlier_code != code):
                first = earlier
        if first is None:
            for key in keys:
                first_row_of[key] = (row.row, code)
            if key_name is not None and (key_name not in first_row_of or not code):
                first_row_of[key_name] = (row.row, code)
            return
        what = self.reg.code_of[pid] if pid is not None else (
            _("编号 {code}").format(code=code) if code else _("名称 {name}").format(name=name))
        self.problem(row.row, "code" if code else "name", code or name,
                     _("与第 {first} 行是同一个项目（{what}）：一个项目在台账里只能有一行").format(first=first, what=what))

    def months_on_file(self, ids: list[int]) -> dict[int, dict[str, tuple[int, Decimal, str | None]]]:
        """The figures on file of the ledger's year, per project: YYYY-MM → (id, amount, source)."""
        r = InvestmentReport.__table__.c
        year = self.month[:4]
        out: dict[int, dict[str, tuple[int, Decimal, str | None]]] = defaultdict(dict)
        for chunk in chunks(ids):
            query = select(r.project_id, r.month, r.id, r.amount, r.source).where(
                r.project_id.in_(chunk), r.month.like(f"{year}-%"), r.month < self.month)
            for pid, month, rid, amount, source in self.reg.conn.execute(query):
                out[pid][month] = (rid, Decimal(amount), source)
        return out

    def check_replans(self) -> None:
        """A re-plan is refused when the milestone's last plan was set after the as-of date (a wrong --as-of)."""
        if not self.replans:
            return
        last_on = self.reg.last_planned([mid for *_, mid in self.replans])
        as_of = self.ctx.as_of
        for row, kind, planned, mid in self.replans:
            when = last_on.get(mid)
            if dates.replanned_too_early(when, as_of):
                self.problem(row, "planned_start" if kind == Milestone.START else "planned_completion", planned,
                             _("{kind}最近一次调整计划是在 {when}，晚于截至日期 {as_of}：请检查 --as-of").format(
                                 kind=kind, when=when.isoformat(), as_of=as_of.isoformat()))
        self.replans.clear()

    def check_row(self, row: parse.LedgerRow, existing: dict[str, Any] | None) -> None:
        values = row.values
        chain = values.get("chain")
        if chain and chain not in self.known_chains:
            self.unknown[("chain", chain)].append(row.row)
        cluster = values.get("cluster")
        if cluster and cluster not in self.known_clusters:
            self.unknown[("cluster", cluster)].append(row.row)
        unit = values.get("unit")
        if unit and unit not in self.reg.unit_id and (known := match_name(unit, self.reg.unit_id)):
            values["unit"] = unit = known  # 经济 发展局 is the registry's 经济发展局
        elif unit and unit not in self.reg.unit_id and (now := self.reg.former("unit", unit)):
            values["unit"] = unit = now  # a name before a rename or a merge: the unit that holds it now
        leader = values.get("leader")
        if leader and (now := self.reg.former("leader", leader)):
            values["leader"] = now
        if unit and unit not in self.reg.unit_id and unit != self.from_unit:
            self.unknown[("unit", unit)].append(row.row)
        total = values.get("total_investment", existing.get("total_investment") if existing else None)
        done = values.get("completed_ytd")
        if done is not None and total is not None and Decimal(done) > Decimal(total):
            self.problem(row.row, "completed_ytd", done,
                         _("完成投资 {done} 万元大于总投资 {total} 万元").format(done=_num(done), total=_num(total)))
        as_of = self.ctx.as_of
        for key in ("actual_start", "actual_completion"):
            when = values.get(key)
            if when is not None and when > as_of:
                self.problem(row.row, key, when,
                             _("实际日期不能晚于截至日期 {as_of}").format(as_of=as_of.isoformat()))
        for first, then in (("planned_start", "planned_completion"), ("actual_start", "actual_completion")):
            a, b = values.get(first), values.get(then)
            if a is not None and b is not None and b < a:
                self.problem(row.row, then, b, _("竣工（{end}）早于开工（{start}）").format(end=b.isoformat(),
                                                                                           start=a.isoformat()))

    def header_of(self, key: str) -> str:
        """The ledger's own name of the column a field came from, else the field's Chinese name."""
        column = self.columns.get(key)
        if column is not None:
            return column.header
        if "." in key:  # 开工.planned_date
            kind, what = key.split(".", 1)
            return f"{'实际' if what == 'actual_date' else '计划'}{kind}时间"
        spec = BY_KEY.get(key)
        return spec.zh if spec else key

    def details(self, plan: RowPlan) -> list[FieldChange]:
        """Each value the row's plan changes, old and new, under the ledger's column name."""
        out = []
        for key, value in plan.new.items():
            if key == "unit_id":
                continue
            out.append(FieldChange(key, self.header_of(key), plan.old.get(key), value))
        if plan.unit and "unit" not in plan.new:
            out.append(FieldChange("unit", self.header_of("unit"), None, plan.unit))
        if plan.plan:
            out.append(FieldChange("annual_plan", self.header_of("annual_plan"), *plan.plan))
        if plan.ytd and ("completed_ytd" in self.columns or "month_completed" not in self.columns):
            out.append(FieldChange("completed_ytd", self.header_of("completed_ytd"), *plan.ytd))
        elif plan.report:  # a ledger giving the month's own figure alone: that figure, under its column
            _rid, old, figure = plan.report
            out.append(FieldChange("month_completed", f"{self.header_of('month_completed')}（{self.month}）",
                                   old[0] if old else None, figure))
        for month, _rid, old, new in plan.months:
            out.append(FieldChange("completed_months", f"{int(month[5:])}月完成投资", old[0] if old else None, new))
        for kind, _mid, change in plan.milestones:
            for key, column_key in (("planned_date", "planned_start"), ("actual_date", "actual_start")):
                if key in change.new:
                    if kind == Milestone.COMPLETION:
                        column_key = column_key.replace("start", "completion")
                    column = self.columns.get(column_key) if kind in (Milestone.START, Milestone.COMPLETION) else None
                    out.append(FieldChange(_KEYS[kind, key], column.header if column else self.header_of(_KEYS[kind, key]),
                                           change.old.get(key), change.new[key]))
        return out

    def _confirm(self, row: int, existing: dict[str, Any] | None, kind: str, change: dates.DateChange,
                 planned_key: str, actual_key: str, held: dates.Held) -> None:
        """A change to a done milestone (its actual date, or its plan) is listed to confirm."""
        code, name = (existing["code"], existing["name"]) if existing else ("", "")
        for key, what, column_key in (("planned_date", "replan", planned_key), ("actual_date", "actual", actual_key)):
            if key in change.new:
                column = self.columns.get(column_key)
                self.to_confirm.append(Confirm(
                    self.sheet, row, column.letter if column else "", column.header if column else "", code, name,
                    kind, what, change.old.get(key), change.new[key], held.actual,
                ))

    def plan_row(self, row: parse.LedgerRow, pid: int | None, existing: dict[str, Any] | None,
                 plan: Decimal | None, earlier: Decimal, report: tuple[int, Decimal, str | None] | None,
                 miles: Mapping[str, dates.Held],
                 on_file: Mapping[str, tuple[int, Decimal, str | None]] | None = None) -> RowPlan | None:
        """The writes for one row (None when it changes nothing).

        `on_file`: the project's figures of the months its cumulative month columns give (YYYY-MM →
        (id, amount, source)); those months are written from the differences, and the year to date's month
        is then what is left of it (`earlier`: their sum).
        """
        values = row.values
        months = []
        if (figures := values.get(parse.MONTH_FIGURES)) is not None:
            # the months before the ledger's: those the ledger gives, and those on file it does not (a monthly
            # report of one row per month may skip a month)
            given = {f"{self.month[:4]}-{number:02d}" for number in figures}
            earlier = sum(figures.values(), ZERO) + sum(
                (held[1] for month, held in (on_file or {}).items() if month not in given), ZERO)
            for number, figure in figures.items():
                month = f"{self.month[:4]}-{number:02d}"
                held = (on_file or {}).get(month)
                if money.amount_change(held[1] if held else None, figure) is not None:
                    months.append((month, held[0] if held else None, held[1:] if held else None, Decimal(figure)))
        unit = values.get("unit")
        if self.from_unit:
            if existing is None and unit is None:
                unit = self.from_unit
        old: dict[str, Any] = {}
        unit_set = None
        if existing is None:
            new = {k: values[k] for k in PROJECT_KEYS if k in values and k != "code"}
            if unit:
                unit_set = unit
                new["unit_id"] = unit
        else:
            changed = [k for k in values if k in COMPARED and not _same(values[k], existing[k])]
            if "name" in changed and normalize_name(values["name"]) == normalize_name(existing["name"]):
                changed.remove("name")  # matched ignoring spaces and full-width forms: the registry's spelling stays
            if len(changed) > 1:
                changed.sort(key=PROJECT_KEYS.index)  # the registry's field order
            new = {k: values[k] for k in changed}
            for key in changed:
                old[key] = existing[key]
            current = self.reg.unit_name.get(existing["unit_id"]) if existing["unit_id"] else None
            if unit and unit != current:
                old["unit"] = current
                new["unit"] = unit
                new["unit_id"] = unit
                unit_set = unit
        amount = values.get("annual_plan")
        new_plan = (plan, amount) if amount is not None and money.amount_change(plan, amount) is not None else None
        new_report = ytd = None
        done = values.get("completed_ytd")
        figure = None
        if done is not None:
            figure = money.month_figure(done, earlier)
            if figure is None:
                self.problem(row.row, "completed_ytd", done,
                             _("截至 {month} 的完成投资（{done} 万元）少于 {year} 年此前各月已报的 {earlier} 万元").format(
                                 month=self.month, done=_num(done), year=self.month[:4], earlier=_num(earlier)))
        own = values.get("month_completed")
        if own is not None:
            if figure is not None and Decimal(figure) != Decimal(own):
                self.problem(row.row, "month_completed", own,
                             _("当月完成投资 {own} 万元与累计数不符：{month} 累计 {done} 万元 − 此前各月已报 "
                               "{earlier} 万元 = {figure} 万元").format(own=_num(own), month=self.month, done=_num(done),
                                                                    earlier=_num(earlier), figure=_num(figure)))
                figure = None
            elif done is None:
                figure, done = Decimal(own), Decimal(earlier) + Decimal(own)
        if figure is not None and money.amount_change(report[1] if report else None, figure) is not None:
            new_report = (report[0], report[1:], figure) if report else (None, None, figure)
            ytd = (Decimal(earlier) + Decimal(report[1]) if report else None, Decimal(done))
        milestones = []
        for kind, planned_key, actual_key in MILESTONE_COLUMNS:
            planned = values.get(planned_key)
            actual = values.get(actual_key)
            if planned is None and actual is None:
                continue
            held = miles.get(kind)
            reason = None
            if planned is not None and dates.is_replan(held, planned):
                self.replans.append((row.row, kind, planned, held.id))  # checked by check_replans
                reason = self.reason  # a ledger's reason is for its re-plans; a first plan has none
            change = dates.change_dates(held, planned=planned, actual=dates.KEEP if actual is None else actual,
                                        reason=reason)
            if change is not None:
                milestones.append((kind, held.id if held else None, change))
                if held is not None and held.actual is not None:
                    self._confirm(row.row, existing, kind, change, planned_key, actual_key, held)
        changes = bool(new or new_plan or new_report or milestones or months)
        if self.from_unit and existing is not None:
            owner = self.reg.unit_name.get(existing["unit_id"]) if existing["unit_id"] else None
            if owner != self.from_unit and changes:
                self.problem(row.row, "name", values.get("name"),
                             _("{code} 属于{owner}，不属于{unit}：{unit}报来的台账不能改它（拒绝）").format(
                                 code=existing['code'], owner=owner or _("（无责任单位）"), unit=self.from_unit))
            elif "unit" in new:  # its own project: it may not hand it to another unit, known or new
                self.problem(row.row, "unit", unit,
                             _("{code} 属于{unit}：{unit}报来的台账不能把它改给{other}（拒绝）").format(
                                 code=existing['code'], unit=self.from_unit, other=unit))
        elif self.from_unit and unit and unit != self.from_unit and (existing is None or "unit" in new):
            self.problem(row.row, "unit", unit,
                         _("{unit}报来的台账只能有本单位的项目，不能有{other}的（拒绝）").format(unit=self.from_unit,
                                                                                       other=unit))
        if existing is not None and not changes:
            return None
        return RowPlan(row.row, pid, existing["code"] if existing else values.get("code"), values.get("name", ""),
                       is_new=existing is None, unit=unit_set, old=old, new=new, plan=new_plan, report=new_report,
                       ytd=ytd, milestones=milestones, months=months)


def plan_import(
    session: Session, ctx: Ctx, parsed: parse.ParsedSheet, *, from_unit: str | None = None,
    config: Mapping[str, Any] | None = None, file_name: str = "", progress: Progress | None = None,
    reg: Snapshot | None = None, details: bool = False, create_units: bool = False,
    fingerprints: Any = None,
) -> tuple[ImportResult, list[RowPlan], Planner]:
    """Match and check every row against the registry; nothing is written.

    `details`: each change lists its values, old and new (`Change.details`, for the dry run).
    `create_units`: a unit not in the registry is created (a warning), else each is an error naming its rows.
    `fingerprints` (`fingerprint.Fingerprints`): told each row found unchanged with the project's row as read
    ahead (`keep`), then the rows with problems (`settle`). The rows it knew (`parsed.seen`) are unchanged and
    only matched (a second row of one project is still an error).

    `parsed.rows` is used up: each batch of rows is let go once planned (the
    plans hold what is to be written), so 100,000 rows and their plans are
    never in memory together.
    """
    planner = Planner(session, ctx, parsed, from_unit=from_unit, config=config, file_name=file_name, reg=reg,
                      create_units=create_units)
    if parsed.seen:
        parsed.rows = list(heapq.merge(parsed.rows, parsed.seen, key=attrgetter("row")))
        parsed.seen = []
    result = ImportResult(file_name, parsed.sheet, rows=len(parsed.rows), skipped=dict(parsed.skipped))
    result.unused_columns = [f"{c.letter} {c.header}" for c in parsed.unused]
    result.header_rows = (parsed.header.first + 1, parsed.header.last + 1)
    result.plan_year, result.completed_month, result.as_of = planner.plan_year, planner.month, planner.ledger_as_of
    result.reporter = parsed.info.reporter
    result.skipped_rows = list(parsed.skipped_rows)
    result.converted = {c.field: rate_note(c) for c in parsed.converted}
    result.other_sheets = list(parsed.others)
    planner.check_file()
    rows = parsed.rows
    matched = planner.match(rows)
    plans: list[RowPlan] = []
    has_milestones = any(k in planner.columns for k in MILESTONE_FIELDS)
    has_done = "completed_ytd" in planner.columns or "month_completed" in planner.columns
    has_plan = "annual_plan" in planner.columns
    total = len(rows)
    for start in range(0, total, BATCH):
        batch = rows[start:start + BATCH]
        ids = [pid for row, pid in zip(batch, matched[start:start + BATCH])
               if pid is not None and type(row) is not parse.SeenRow]
        # the fields read back for comparison: those the batch's rows give (a blank cell changes nothing)
        given = set().union(*(row.values for row in batch))
        compared = [k for k in PROJECT_KEYS if k in given or k in ("code", "total_investment")]
        now = planner.reg.state(ids, compared, year=planner.plan_year if has_plan else None,
                                month=planner.month if has_done else None,
                                kinds=LEDGER_KINDS if has_milestones else ()) if ids else Batch()
        existing, miles = now.projects, now.milestones
        by_month = planner.months_on_file(ids) if ids and parse.MONTH_FIGURES in given else {}
        for row, pid in zip(batch, matched[start:start + BATCH]):
            if type(row) is parse.SeenRow:
                result.unchanged += 1
                result.changes.append(Change(row.row, "unchanged", row.values["code"], row.values.get("name", "")))
                continue
            have = existing.get(pid) if pid is not None else None
            planner.check_row(row, have)
            plan = planner.plan_row(
                row, pid, have, now.plans.get(pid), now.earlier.get(pid, ZERO), now.reports.get(pid),
                miles.get(pid, NO_MILESTONES), by_month.get(pid),
            )
            if plan is None:
                if fingerprints is not None:
                    fingerprints.keep(row.row, pid)
                result.unchanged += 1
                result.changes.append(Change(row.row, "unchanged", have["code"] if have else None, row.values.get("name", "")))
                continue
            plans.append(plan)
            shown = planner.details(plan) if details else []
            if pid is None:
                result.added += 1
                result.changes.append(Change(row.row, "add", plan.code, plan.name, plan.fields(), shown))
            else:
                result.changed += 1
                result.changes.append(Change(row.row, "change", plan.code, plan.name, plan.fields(), shown))
        planner.check_replans()
        rows[start:start + len(batch)] = [None] * len(batch)
        del batch
        if progress is not None:
            progress("check", min(start + BATCH, total), total)
    planner.report_unknown()
    planner.reg.let_go()
    result.problems = sorted(parsed.problems + planner.problems, key=lambda p: (p.row, p.column, p.severity))
    if fingerprints is not None:  # a row with a problem, or named in one of another row, is read again next time
        fingerprints.settle({p.row for p in result.problems}.union(*planner.unknown.values()))
    result.to_confirm = planner.to_confirm
    planner.new_units = sorted({p.unit for p in plans if p.unit and p.unit not in planner.reg.unit_id})
    return result, plans, planner
