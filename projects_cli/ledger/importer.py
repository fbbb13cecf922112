"""`projects ledger import`: check every row of a ledger, then write all of them in one transaction, or none.

Rows are matched to the registry by code (项目编号), else by the exact name
after normalising spaces and full-width forms; a matched project is updated
with the cells the ledger fills (a blank cell never erases what the registry
holds), an unmatched row becomes a new project with the next free code.
Importing the same file twice changes and logs nothing the second time.

What the ledger's investment columns become:

* 年度计划投资 → the project's annual plan (`InvestmentPlan`) for the year the
  header names ("2024年计划投资"), else the year of the ledger's as-of line
  ("截至2024年10月底"), else the as-of year of the command.
* completed investment to date (本年累计完成投资, "1-10月完成投资") → the
  investment report (`InvestmentReport`) of the month the header or the as-of
  line names: the total less the months of that year already on file, so that
  the year-to-date sum equals the ledger's figure. A total below the months on
  file, or above the project's total investment, is an error.
* 计划/实际开工时间, 计划/实际竣工时间 → the milestones 开工 and 竣工. A new plan
  is the baseline; a changed plan is a re-plan with the reason "台账导入 FILE"
  and is kept in the plan history (see `milestones.set_planned`).

All reads and writes are set-based (a few queries per 1,000 rows, bulk Core
inserts and updates), so 100,000 rows import in bounded time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain as chained, islice
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlmodel import Session

from projects_cli import audit, chains, registry
from projects_cli.audit import Ctx
from projects_cli.errors import ProjectsError
from projects_cli.ledger import parse
from projects_cli.ledger.columns import variants
from projects_cli.ledger.reader import Limits, Workbook
from projects_cli.models import (
    InvestmentPlan, InvestmentReport, Milestone, MilestonePlan, Project, Unit,
)
from projects_cli.output import format_decimal
from projects_cli.values import normalize_name

BATCH = 2000  # rows written per round of inserts and updates
CHUNK = 900  # ids per IN (…) lookup, below every database's bind-parameter limit
MILESTONE_FIELDS = {
    "planned_start": ("开工", "planned_date"),
    "actual_start": ("开工", "actual_date"),
    "planned_completion": ("竣工", "planned_date"),
    "actual_completion": ("竣工", "actual_date"),
}
PROJECT_KEYS = registry.COLUMNS  # stored on the project row
DEFAULTS = {"categories": "", "plan_columns": "", "status": "前期"}

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class LedgerRejected(ProjectsError):
    """The ledger has errors (or warnings under --strict); nothing was written. Carries the result."""

    def __init__(self, message: str, result: ImportResult):
        super().__init__(message)
        self.result = result


@dataclass
class Change:
    """What one ledger row does to the registry."""

    row: int
    action: str  # add, change, unchanged
    code: str | None
    name: str
    fields: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "action": self.action, "code": self.code, "name": self.name, "fields": self.fields}


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
    written: bool = False

    @property
    def errors(self) -> list[parse.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[parse.Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(eq=False)
class _Plan:
    """The writes one row needs (computed before anything is written)."""

    row: int
    pid: int | None
    code: str | None
    name: str
    is_new: bool = False
    unit: str | None = None  # responsible unit's name, when set or changed
    old: dict[str, Any] = field(default_factory=dict)  # changed project fields, before
    new: dict[str, Any] = field(default_factory=dict)  # changed project fields, after (all of them for a new project)
    plan: tuple[Decimal | None, Decimal] | None = None  # annual plan (old, new)
    report: tuple[int | None, Decimal | None, Decimal] | None = None  # (report id, old, new) for the month
    milestones: list[tuple[str, int | None, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def fields(self) -> list[str]:
        out = [k for k in self.new if k != "unit_id"]
        if self.unit and "unit" not in out:
            out.append("unit")
        if self.plan:
            out.append("annual_plan")
        if self.report:
            out.append("completed_ytd")
        for kind, _mid, _old, new in self.milestones:
            for key in new:
                out.append(f"{kind}.{key}")
        return out


# ---------------------------------------------------------------- reading


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def read_ledger(
    path: Path,
    *,
    as_of: date,
    sheet: str | None = None,
    config: Mapping[str, Any] | None = None,
    units: set[str] = frozenset(),
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> parse.ParsedSheet:
    """The ledger's rows and problems (no database): the sheet named, else the first with a ledger header."""
    table = variants((config or {}).get("ledger", {}).get("headers") if isinstance((config or {}).get("ledger"), dict) else None)
    book = Workbook(path, limits or Limits.from_config((config or {}).get("limits")))
    try:
        names = [sheet] if sheet else book.sheet_names
        tried = []
        for name in names:
            raw = book.sheet(name)
            rows = raw.rows()
            preview = list(islice(rows, parse.HEADER_SCAN + parse.MAX_HEADER_ROWS))
            header = parse.find_header([(i, r) for i, r, _ in preview], table)
            if header is None:
                tried.append(name)
                continue
            info = parse.read_info((r for i, r, _ in preview if i < header.first), as_of.year)
            total = raw.height

            def tick(done: int, total: int = total) -> None:
                if progress is not None:
                    progress("read", done, total)

            return parse.parse_rows(
                chained(preview, rows), header, info, name, clean_value=registry.clean_value, units=units,
                max_year=as_of.year + 30, progress=tick,
            )
        where = f"sheet {sheet!r}" if sheet else "any sheet (" + ", ".join(tried) + ")"
        raise ProjectsError(
            f"{path}: no ledger header found in {where}; expected a row naming the project (项目名称) and other "
            "columns such as 总投资, 责任单位, 计划开工时间 within the first 30 rows"
            + ("" if sheet else "; pick a sheet with --sheet")
        )
    finally:
        book.close()


# ---------------------------------------------------------------- matching and planning


class _Registry:
    """What the import needs to know of the registry, read set-based."""

    def __init__(self, session: Session):
        conn = session.connection()
        self.conn = conn
        u = Unit.__table__.c
        self.unit_id = {name: uid for uid, name in conn.execute(select(u.id, u.name))}
        self.unit_name = {uid: name for name, uid in self.unit_id.items()}
        p = Project.__table__.c
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        self.code_of: dict[int, str] = {}
        for pid, code, name in conn.execute(select(p.id, p.code, p.name)):
            self.by_code[code] = pid
            self.by_name[normalize_name(name)].append(pid)
            self.code_of[pid] = code
        self.chains = {c for (c,) in conn.execute(select(p.chain).distinct()) if c}
        self.clusters = {c for (c,) in conn.execute(select(p.cluster).distinct()) if c}

    def projects(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        t = Project.__table__
        cols = [t.c.id, t.c.unit_id, *(t.c[k] for k in PROJECT_KEYS)]
        out = {}
        for chunk in _chunks(ids):
            for row in self.conn.execute(select(*cols).where(t.c.id.in_(chunk))).mappings():
                out[row["id"]] = dict(row)
        return out

    def plans(self, ids: list[int], year: int) -> dict[int, Decimal]:
        t = InvestmentPlan.__table__.c
        out = {}
        for chunk in _chunks(ids):
            for pid, amount in self.conn.execute(select(t.project_id, t.amount).where(t.project_id.in_(chunk), t.year == year)):
                out[pid] = Decimal(amount)
        return out

    def reports(self, ids: list[int], month: str) -> tuple[dict[int, Decimal], dict[int, tuple[int, Decimal]]]:
        """Per project: the sum of the year's months before `month`, and the report of `month` (id, amount)."""
        t = InvestmentReport.__table__.c
        earlier: dict[int, Decimal] = {}
        this: dict[int, tuple[int, Decimal]] = {}
        first = f"{month[:4]}-01"
        for chunk in _chunks(ids):
            query = (
                select(t.project_id, func.sum(t.amount))
                .where(t.project_id.in_(chunk), t.month >= first, t.month < month)
                .group_by(t.project_id)
            )
            for pid, amount in self.conn.execute(query):
                earlier[pid] = Decimal(amount or 0)
            for rid, pid, amount in self.conn.execute(
                select(t.id, t.project_id, t.amount).where(t.project_id.in_(chunk), t.month == month)
            ):
                this[pid] = (rid, Decimal(amount))
        return earlier, this

    def milestones(self, ids: list[int], kinds: list[str]) -> dict[tuple[int, str], dict[str, Any]]:
        """(project id, kind) → the milestone's id, dates, and the date its last plan was set."""
        m = Milestone.__table__.c
        mp = MilestonePlan.__table__.c
        out: dict[tuple[int, str], dict[str, Any]] = {}
        for chunk in _chunks(ids):
            last_on = (
                select(mp.milestone_id, func.max(mp.on).label("last_on")).group_by(mp.milestone_id).subquery()
            )
            query = (
                select(m.id, m.project_id, m.kind, m.baseline_date, m.planned_date, m.actual_date, last_on.c.last_on)
                .select_from(Milestone.__table__.outerjoin(last_on, last_on.c.milestone_id == m.id))
                .where(m.project_id.in_(chunk), m.kind.in_(kinds))
            )
            for row in self.conn.execute(query).mappings():
                out[(row["project_id"], row["kind"])] = dict(row)
        return out


def _num(value: Any) -> str:
    return format_decimal(Decimal(value))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a) == Decimal(b)
        except (TypeError, ValueError, ArithmeticError):
            return False
    return a == b


def _periods(parsed: parse.ParsedSheet, as_of: date) -> tuple[int, str, date]:
    """The annual plan's year, the completed investment's month (YYYY-MM) and the ledger's as-of date."""
    columns = parsed.header.by_field()
    ledger_as_of = parsed.info.as_of or as_of
    plan_col = columns.get("annual_plan")
    done_col = columns.get("completed_ytd")
    plan_year = (plan_col.year if plan_col else None) or ledger_as_of.year
    year = (done_col.year if done_col else None) or (plan_col.year if plan_col else None) or ledger_as_of.year
    if done_col and done_col.month:
        month = done_col.month
    elif year == ledger_as_of.year:
        month = ledger_as_of.month
    else:
        month = 12
    return plan_year, f"{year:04d}-{month:02d}", ledger_as_of


class _Planner:
    """Decides, row by row, what the import writes; collects problems on the way."""

    def __init__(self, session: Session, ctx: Ctx, parsed: parse.ParsedSheet, *, from_unit: str | None,
                 config: Mapping[str, Any] | None, file_name: str):
        self.ctx = ctx
        self.parsed = parsed
        self.sheet = parsed.sheet
        self.columns = parsed.header.by_field()
        self.reg = _Registry(session)
        self.from_unit = from_unit
        self.file_name = file_name
        self.problems: list[parse.Problem] = []
        self.plan_year, self.month, self.ledger_as_of = _periods(parsed, ctx.as_of)
        self.known_chains = set(chains.known_chains(config)) | self.reg.chains
        self.known_clusters = set(chains.known_clusters(config)) | self.reg.clusters
        from projects_cli.milestones import configured_kinds

        self.kinds = list(configured_kinds(config))
        self.reason = f"台账导入 {file_name}"[:200]
        self.new_units: list[str] = []
        self.unknown: dict[tuple[str, str], list[int]] = defaultdict(list)  # (field, value) → rows

    def report_unknown(self) -> None:
        """One warning per unknown chain, cluster or unit, on the first row that names it."""
        words = {
            "chain": "is not a known industry chain (产业链); it is kept as written (known: the plan's ten chains, "
                     "乡村振兴/基础设施/民生…, chains already in the registry, and [ledger] chains in the config file)",
            "cluster": f"is not a known industry cluster (产业集群: {'、'.join(chains.CLUSTERS)}); it is kept as written",
            "unit": "is not a unit in the registry; it will be created (新责任单位)",
        }
        for (key, value), rows in self.unknown.items():
            more = ""
            if len(rows) > 1:
                more = f" (also row{'s' if len(rows) > 2 else ''} {', '.join(map(str, rows[1:11]))}{' …' if len(rows) > 11 else ''})"
            self.problem(rows[0], key, value, f"{value!r} {words[key]}{more}", "warning")

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
                f"the ledger has {kind} dates but the config file's [milestones] kinds has no {kind}",
            ))
        as_of = self.ctx.as_of
        if "completed_ytd" in self.columns and self.month > f"{as_of.year:04d}-{as_of.month:02d}":
            column = self.columns["completed_ytd"]
            self.problems.append(parse.Problem(
                "error", self.sheet, header_row, column.letter, column.header, "",
                f"completed investment is given to {self.month}, after the as-of date {as_of.isoformat()}; "
                "run the import with --as-of set to the ledger's date",
            ))
        if self.from_unit and self.from_unit not in self.reg.unit_id:
            known = "、".join(sorted(self.reg.unit_id)) or "none yet"
            raise ProjectsError(f"--from-unit {self.from_unit!r} is not a unit in the registry; known units: {known}")
        return True

    def match(self, rows: list[parse.LedgerRow]) -> list[int | None]:
        """Each row's project id (None: a new project); duplicates and ambiguities become problems."""
        matched: list[int | None] = []
        first_row_of: dict[Any, int] = {}
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
                                 f"{len(candidates)} projects in the registry have this name ({codes}); "
                                 "give the code (项目编号) to say which")
                elif candidates:
                    pid = candidates[0]
                    if code:
                        self.problem(row.row, "code", code,
                                     f"code {code} is not in the registry, but the name is that of "
                                     f"{self.reg.code_of[pid]}; correct the code or leave it empty")
            key: Any = ("id", pid) if pid is not None else (("code", code) if code else ("name", normalize_name(name or "")))
            if name or code:
                if key in first_row_of:
                    what = f"code {code}" if key[0] == "code" else (
                        self.reg.code_of[pid] if pid is not None else f"name {name}")
                    self.problem(row.row, "code" if code else "name", code or name,
                                 f"the same project as row {first_row_of[key]} ({what}); a project may appear once")
                else:
                    first_row_of[key] = row.row
            matched.append(pid)
        return matched

    def check_row(self, row: parse.LedgerRow, existing: dict[str, Any] | None) -> None:
        values = row.values
        chain = values.get("chain")
        if chain and chain not in self.known_chains:
            self.unknown[("chain", chain)].append(row.row)
        cluster = values.get("cluster")
        if cluster and cluster not in self.known_clusters:
            self.unknown[("cluster", cluster)].append(row.row)
        unit = values.get("unit")
        if unit and unit not in self.reg.unit_id and unit != self.from_unit:
            self.unknown[("unit", unit)].append(row.row)
        total = values.get("total_investment", existing.get("total_investment") if existing else None)
        done = values.get("completed_ytd")
        if done is not None and total is not None and Decimal(done) > Decimal(total):
            self.problem(row.row, "completed_ytd", done,
                         f"completed investment {_num(done)} 万元 is more than the total investment {_num(total)} 万元")
        as_of = self.ctx.as_of
        for key in ("actual_start", "actual_completion"):
            when = values.get(key)
            if when is not None and when > as_of:
                self.problem(row.row, key, when,
                             f"an actual date cannot be after the as-of date {as_of.isoformat()}")
        for first, then in (("planned_start", "planned_completion"), ("actual_start", "actual_completion")):
            a, b = values.get(first), values.get(then)
            if a is not None and b is not None and b < a:
                self.problem(row.row, then, b, f"completion ({b.isoformat()}) is before the start ({a.isoformat()})")

    def plan_row(self, row: parse.LedgerRow, pid: int | None, existing: dict[str, Any] | None,
                 plan: Decimal | None, earlier: Decimal, report: tuple[int, Decimal] | None,
                 miles: dict[str, dict[str, Any]]) -> _Plan | None:
        """The writes for one row (None when it changes nothing)."""
        values = row.values
        out = _Plan(row.row, pid, existing["code"] if existing else values.get("code"), values.get("name", ""),
                    is_new=existing is None)
        unit = values.get("unit")
        if self.from_unit:
            if existing is None and unit is None:
                unit = self.from_unit
        if existing is None:
            out.new = {k: values[k] for k in PROJECT_KEYS if k in values and k != "code"}
            if unit:
                out.unit = unit
                out.new["unit_id"] = unit
        else:
            for key in PROJECT_KEYS:
                if key in values and key != "code" and not _same(values[key], existing[key]):
                    out.old[key] = existing[key]
                    out.new[key] = values[key]
            current = self.reg.unit_name.get(existing["unit_id"]) if existing["unit_id"] else None
            if unit and unit != current:
                out.old["unit"] = current
                out.new["unit"] = unit
                out.new["unit_id"] = unit
                out.unit = unit
        amount = values.get("annual_plan")
        if amount is not None and not _same(amount, plan):
            out.plan = (plan, amount)
        done = values.get("completed_ytd")
        if done is not None:
            month_amount = Decimal(done) - earlier
            if month_amount < 0:
                self.problem(row.row, "completed_ytd", done,
                             f"completed investment to {self.month} ({_num(done)} 万元) is less than the "
                             f"{_num(earlier)} 万元 already on file for the months of {self.month[:4]} before it")
            elif report is None or not _same(report[1], month_amount):
                out.report = (report[0] if report else None, report[1] if report else None, month_amount)
        for kind in ("开工", "竣工"):
            planned = values.get("planned_start" if kind == "开工" else "planned_completion")
            actual = values.get("actual_start" if kind == "开工" else "actual_completion")
            have = miles.get(kind)
            old: dict[str, Any] = {}
            new: dict[str, Any] = {}
            if planned is not None and (have is None or have["planned_date"] != planned):
                if have is not None and have["planned_date"] is not None:
                    if have["last_on"] is not None and have["last_on"] > self.ctx.as_of:
                        key = "planned_start" if kind == "开工" else "planned_completion"
                        self.problem(row.row, key, planned,
                                     f"{kind} was last re-planned on {have['last_on'].isoformat()}, after the as-of "
                                     f"date {self.ctx.as_of.isoformat()}; check --as-of")
                    old["planned_date"] = have["planned_date"]
                    new["planned_date"] = planned
                else:
                    new["planned_date"] = planned
                    if have is None or have["baseline_date"] is None:
                        if have is not None:
                            old["baseline_date"] = None
                        new["baseline_date"] = planned
            if actual is not None and (have is None or have["actual_date"] != actual):
                if have is not None:
                    old["actual_date"] = have["actual_date"]
                new["actual_date"] = actual
            if new:
                out.milestones.append((kind, have["id"] if have else None, old, new))
        if self.from_unit and existing is not None:
            owner = self.reg.unit_name.get(existing["unit_id"]) if existing["unit_id"] else None
            if owner != self.from_unit and (out.new or out.plan or out.report or out.milestones):
                self.problem(row.row, "name", values.get("name"),
                             f"{existing['code']} belongs to {owner or 'no unit'}, not {self.from_unit}; "
                             f"a ledger from {self.from_unit} cannot change it (refused)")
        elif self.from_unit and unit and unit != self.from_unit and (existing is None or "unit" in out.new):
            self.problem(row.row, "unit", unit,
                         f"a ledger from {self.from_unit} may hold only its own projects, not {unit}'s (refused)")
        if existing is not None and not (out.new or out.plan or out.report or out.milestones):
            return None
        return out


def plan_import(
    session: Session, ctx: Ctx, parsed: parse.ParsedSheet, *, from_unit: str | None = None,
    config: Mapping[str, Any] | None = None, file_name: str = "", progress: Progress | None = None,
) -> tuple[ImportResult, list[_Plan], _Planner]:
    """Match and check every row against the registry; nothing is written."""
    planner = _Planner(session, ctx, parsed, from_unit=from_unit, config=config, file_name=file_name)
    result = ImportResult(file_name, parsed.sheet, rows=len(parsed.rows), skipped=dict(parsed.skipped))
    result.unused_columns = [f"{c.letter} {c.header}" for c in parsed.unused]
    result.header_rows = (parsed.header.first + 1, parsed.header.last + 1)
    result.plan_year, result.completed_month, result.as_of = planner.plan_year, planner.month, planner.ledger_as_of
    planner.check_file()
    rows = parsed.rows
    matched = planner.match(rows)
    plans: list[_Plan] = []
    has_milestones = any(k in planner.columns for k in MILESTONE_FIELDS)
    has_done = "completed_ytd" in planner.columns
    has_plan = "annual_plan" in planner.columns
    total = len(rows)
    for start in range(0, total, BATCH):
        batch = rows[start:start + BATCH]
        ids = [pid for pid in matched[start:start + BATCH] if pid is not None]
        existing = planner.reg.projects(ids) if ids else {}
        year_plans = planner.reg.plans(ids, planner.plan_year) if ids and has_plan else {}
        earlier, reports = planner.reg.reports(ids, planner.month) if ids and has_done else ({}, {})
        miles: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
        if ids and has_milestones:
            for (pid, kind), m in planner.reg.milestones(ids, ["开工", "竣工"]).items():
                miles[pid][kind] = m
        for row, pid in zip(batch, matched[start:start + BATCH]):
            have = existing.get(pid) if pid is not None else None
            planner.check_row(row, have)
            plan = planner.plan_row(
                row, pid, have, year_plans.get(pid), earlier.get(pid, Decimal(0)), reports.get(pid), miles.get(pid, {}),
            )
            if plan is None:
                result.unchanged += 1
                result.changes.append(Change(row.row, "unchanged", have["code"] if have else None, row.values.get("name", "")))
                continue
            plans.append(plan)
            if pid is None:
                result.added += 1
                result.changes.append(Change(row.row, "add", plan.code, plan.name, plan.fields()))
            else:
                result.changed += 1
                result.changes.append(Change(row.row, "change", plan.code, plan.name, plan.fields()))
        if progress is not None:
            progress("check", min(start + BATCH, total), total)
    planner.report_unknown()
    result.problems = sorted(parsed.problems + planner.problems, key=lambda p: (p.row, p.column, p.severity))
    planner.new_units = sorted({p.unit for p in plans if p.unit and p.unit not in planner.reg.unit_id})
    return result, plans, planner


# ---------------------------------------------------------------- writing


def _insert_returning(session: Session, table, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in session.execute(stmt, rows)]


def _update_many(session: Session, table, rows: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> None:
    """Executemany updates by id, grouped by the set of columns each row changes."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(k for k in row if k != "_id"))].append(row)
    for keys, group in groups.items():
        values: dict[str, Any] = {k: bindparam(f"v_{k}") for k in keys}
        values.update(extra or {})
        stmt = update(table).where(table.c.id == bindparam("_id")).values(values)
        session.execute(stmt, [{"_id": r["_id"], **{f"v_{k}": r[k] for k in keys}} for r in group],
                        execution_options={"synchronize_session": False})


def write_import(session: Session, ctx: Ctx, result: ImportResult, plans: list[_Plan], planner: _Planner, *,
                 progress: Progress | None = None) -> None:
    """Write what `plan_import` decided, in batches of bulk inserts and updates, with the change log."""
    reg = planner.reg
    for name in planner.new_units:
        reg.unit_id[name] = registry.ensure_unit(session, ctx, name).id
    taken = set(reg.by_code) | {p.code for p in plans if p.code}
    fresh = [p for p in plans if p.pid is None and not p.code]
    for plan, code in zip(fresh, registry.next_codes(session, len(fresh), taken) if fresh else []):
        plan.code = code
    code_by_row = {p.row: p.code for p in plans}
    for change in result.changes:
        if change.code is None and change.row in code_by_row:
            change.code = code_by_row[change.row]
    p_table = Project.__table__
    source = result.file[:100] or None
    total = len(plans)
    for start in range(0, total, BATCH):
        batch = plans[start:start + BATCH]
        entries: dict[int, list[dict[str, Any]]] = defaultdict(list)
        # projects
        new_rows = []
        for plan in batch:
            if plan.pid is None:
                row = {k: plan.new.get(k, DEFAULTS.get(k)) for k in PROJECT_KEYS}
                row["code"] = plan.code
                row["unit_id"] = reg.unit_id[plan.unit] if plan.unit else None
                row.update(created_at=ctx.now, updated_at=ctx.now, version=1)
                new_rows.append(row)
        ids = _insert_returning(session, p_table, new_rows)
        for plan, pid in zip([p for p in batch if p.is_new], ids):
            plan.pid = pid
            logged = {k: v for k, v in plan.new.items() if k != "unit_id" and v not in (None, "")}
            if plan.unit:
                logged["unit"] = plan.unit
            entries[plan.row].append(audit.make_entry(ctx, "insert", "project", record_id=pid, key=plan.code,
                                                      project_code=plan.code, new=logged))
        updates = []
        touched = []
        for plan in batch:
            if plan.is_new:
                continue
            row = {k: v for k, v in plan.new.items() if k not in ("unit",)}
            if "unit_id" in row:
                row["unit_id"] = reg.unit_id[plan.unit]
            if row:
                row["_id"] = plan.pid
                updates.append(row)
                old = dict(plan.old)
                new = {k: v for k, v in plan.new.items() if k != "unit_id"}
                entries[plan.row].append(audit.make_entry(ctx, "update", "project", record_id=plan.pid, key=plan.code,
                                                          project_code=plan.code, old=old, new=new))
            else:
                touched.append({"_id": plan.pid, "touch": 1})
        bump = {"version": p_table.c.version + 1, "updated_at": ctx.now}
        _update_many(session, p_table, updates, bump)
        if touched:
            stmt = update(p_table).where(p_table.c.id == bindparam("_id")).values(bump)
            session.execute(stmt, [{"_id": t["_id"]} for t in touched], execution_options={"synchronize_session": False})
        # annual plans
        plan_t = InvestmentPlan.__table__
        plan_inserts, plan_updates = [], []
        for plan in batch:
            if plan.plan is None:
                continue
            old, new = plan.plan
            if old is None:
                plan_inserts.append({"project_id": plan.pid, "year": result.plan_year, "amount": new})
            else:
                plan_updates.append({"pid": plan.pid, "amount": new})
            entries[plan.row].append(audit.make_entry(
                ctx, "insert" if old is None else "update", "investment_plan", record_id=plan.pid,
                key=f"{plan.code}:{result.plan_year}", project_code=plan.code,
                old={"amount": old} if old is not None else None, new={"amount": new},
            ))
        if plan_inserts:
            session.execute(insert(plan_t), plan_inserts)
        if plan_updates:
            stmt = (update(plan_t)
                    .where(and_(plan_t.c.project_id == bindparam("pid"), plan_t.c.year == result.plan_year))
                    .values(amount=bindparam("amount")))
            session.execute(stmt, plan_updates, execution_options={"synchronize_session": False})
        # completed investment of the month
        rep_t = InvestmentReport.__table__
        month = result.completed_month
        with_report = [p for p in batch if p.report is not None]
        new_reports = [p for p in with_report if p.report[0] is None]
        report_ids = _insert_returning(
            session, rep_t, [{"project_id": p.pid, "month": month, "amount": p.report[2], "source": source} for p in new_reports]
        )
        report_id = dict(zip((p.row for p in new_reports), report_ids))
        changed_reports = [p for p in with_report if p.report[0] is not None]
        if changed_reports:
            stmt = update(rep_t).where(rep_t.c.id == bindparam("_id")).values(amount=bindparam("v_amount"), source=source)
            session.execute(stmt, [{"_id": p.report[0], "v_amount": p.report[2]} for p in changed_reports],
                            execution_options={"synchronize_session": False})
        for plan in with_report:
            rid, old, new = plan.report
            key = f"{plan.code}:{month}"
            if rid is None:
                entries[plan.row].append(audit.make_entry(ctx, "insert", "investment_report", record_id=report_id[plan.row],
                                                          key=key, project_code=plan.code,
                                                          new={"month": month, "amount": new, "source": source}))
            else:
                entries[plan.row].append(audit.make_entry(ctx, "update", "investment_report", record_id=rid, key=key,
                                                          project_code=plan.code, old={"amount": old},
                                                          new={"amount": new, "source": source}))
        # milestones
        _write_milestones(session, ctx, planner, batch, entries)
        audit.log_many(session, [e for row in sorted(entries) for e in entries[row]])
        if progress is not None:
            progress("write", min(start + BATCH, total), total)
    result.written = True


def _write_milestones(session: Session, ctx: Ctx, planner: _Planner, batch: list[_Plan],
                      entries: dict[int, list[dict[str, Any]]]) -> None:
    m_t, mp_t = Milestone.__table__, MilestonePlan.__table__
    creates, create_keys = [], []
    updates = []
    history: list[tuple[_Plan, str, int | None, date, str | None]] = []  # plan, kind, milestone id (None: created), date, reason
    for plan in batch:
        for kind, mid, old, new in plan.milestones:
            key = f"{plan.code}:{kind}"
            if mid is None:
                creates.append({
                    "project_id": plan.pid, "kind": kind, "seq": planner.kinds.index(kind),
                    "baseline_date": new.get("baseline_date"), "planned_date": new.get("planned_date"),
                    "actual_date": new.get("actual_date"),
                })
                create_keys.append((plan, kind))
                if new.get("planned_date") is not None:
                    history.append((plan, kind, None, new["planned_date"], None))
                continue
            updates.append({"_id": mid, **new})
            replan = "planned_date" in old and old["planned_date"] is not None
            logged = dict(new)
            if replan:
                logged["reason"] = planner.reason
            entries[plan.row].append(audit.make_entry(ctx, "update", "milestone", record_id=mid, key=key,
                                                      project_code=plan.code, old=old, new=logged))
            if "planned_date" in new:
                history.append((plan, kind, mid, new["planned_date"], planner.reason if replan else None))
    ids = _insert_returning(session, m_t, creates)
    created = {}
    for (plan, kind), mid, row in zip(create_keys, ids, creates):
        created[(plan.row, kind)] = mid
        values = {k: row[k] for k in ("baseline_date", "planned_date", "actual_date") if row[k] is not None}
        entries[plan.row].append(audit.make_entry(ctx, "insert", "milestone", record_id=mid, key=f"{plan.code}:{kind}",
                                                  project_code=plan.code, new={"kind": kind, **values}))
    _update_many(session, m_t, updates)
    plan_rows = []
    for plan, kind, mid, planned, reason in history:
        plan_rows.append({"milestone_id": mid if mid is not None else created[(plan.row, kind)], "planned_date": planned,
                          "on": ctx.as_of, "reason": reason, "by": ctx.by, "at": ctx.now})
    plan_ids = _insert_returning(session, mp_t, plan_rows)
    for (plan, kind, _mid, planned, reason), pid in zip(history, plan_ids):
        entries[plan.row].append(audit.make_entry(
            ctx, "insert", "milestone_plan", record_id=pid, key=f"{plan.code}:{kind}", project_code=plan.code,
            new={"kind": kind, "planned_date": planned, "on": ctx.as_of, "reason": reason},
        ))


# ---------------------------------------------------------------- the service


def import_ledger(
    session: Session,
    ctx: Ctx,
    path: Path,
    *,
    sheet: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    from_unit: str | None = None,
    config: Mapping[str, Any] | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the whole ledger, then write it (unless `dry_run`); raises LedgerRejected on any error.

    Warnings (an unknown chain or unit, a 待定 date) are errors under `strict`.
    """
    path = Path(path)
    units = set(session.connection().execute(select(Unit.__table__.c.name)).scalars())
    parsed = read_ledger(path, as_of=ctx.as_of, sheet=sheet, config=config, units=units, limits=limits,
                         progress=progress)
    result, plans, planner = plan_import(session, ctx, parsed, from_unit=registry.clean_text(from_unit) if from_unit else None,
                                config=config, file_name=path.name, progress=progress)
    if strict:
        result.problems = [
            parse.Problem("error", p.sheet, p.row, p.column, p.header, p.value, p.message + " (--strict)")
            if p.severity == "warning" else p
            for p in result.problems
        ]
    errors = result.errors
    if errors:
        rows = sorted({p.row for p in errors if p.row})
        shown = ", ".join(str(r) for r in rows[:20]) + (" …" if len(rows) > 20 else "")
        raise LedgerRejected(
            f"{path.name}: {len(errors)} error{'s' if len(errors) != 1 else ''}"
            + (f" in row{'s' if len(rows) != 1 else ''} {shown}" if rows else "")
            + "; nothing was written",
            result,
        )
    if dry_run:
        return result
    write_import(session, ctx, result, plans, planner, progress=progress)
    return result
