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

All reads and writes are set-based, so 100,000 rows import in bounded time and
memory: one joined query per 2,000 matched projects reads what they hold; new
rows get their ids before they are inserted (`db.reserve_ids`) and every insert
is one executemany straight to the driver, or one COPY on PostgreSQL
(`db.insert_columns`); the change log takes one entry per row. The sheet is
read in a thread while the database opens (`reader.preload`), cells are typed
column by column (`parse`), and each batch of rows is let go once planned.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain as chained
from itertools import islice
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from sqlalchemy import and_, bindparam, select, update
from sqlmodel import Session

from projects_cli.config import chains
from projects_cli.errors import ProjectsError
from projects_cli.ledger import parse
from projects_cli.ledger.columns import ledger_section, variants
from projects_cli.ledger.reader import Limits, Workbook
from projects_cli.listings.output import format_decimal
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.db import insert_columns, placeholders, query_rows, reserve_ids
from projects_cli.store.models import (
    InvestmentPlan,
    InvestmentReport,
    Milestone,
    MilestonePlan,
    Project,
    Unit,
)
from projects_cli.values import normalize_name

BATCH = 2000  # rows written per round of inserts and updates
READ_AHEAD = 100_000  # projects read ahead at most (about 80 MB), see _Registry.read_ahead
CHUNK = 2000  # ids per IN (…) lookup (SQLite ≥ 3.32 takes 32,766 parameters, PostgreSQL 65,535)
MILESTONE_COLUMNS = (("开工", "planned_start", "actual_start"), ("竣工", "planned_completion", "actual_completion"))
LEDGER_KINDS = tuple(kind for kind, _, _ in MILESTONE_COLUMNS)  # the milestones a ledger's columns give
MILESTONE_FIELDS = {
    "planned_start": ("开工", "planned_date"),
    "actual_start": ("开工", "actual_date"),
    "planned_completion": ("竣工", "planned_date"),
    "actual_completion": ("竣工", "actual_date"),
}
PROJECT_KEYS = registry.COLUMNS  # stored on the project row
COMPARED = frozenset(PROJECT_KEYS) - {"code"}  # a ledger's code finds the project, never changes it
# "开工.planned_date" …: one string shared by every row's change list and log entry
_KEYS = {(kind, key): f"{kind}.{key}" for kind in LEDGER_KINDS
         for key in ("baseline_date", "planned_date", "actual_date")}
DEFAULTS = {"categories": "", "plan_columns": "", "status": "前期"}

Progress = Callable[[str, int, int], None]  # (stage, done, total)
ZERO = Decimal(0)
NO_MILESTONES: Mapping[str, tuple] = MappingProxyType({})
ID, BASELINE, PLANNED, ACTUAL = range(4)  # a milestone as `_Registry.state` reads it


class LedgerRejected(ProjectsError):
    """The ledger has errors (or warnings under --strict); nothing was written. Carries the result."""

    def __init__(self, message: str, result: ImportResult):
        super().__init__(message)
        self.result = result


@dataclass(slots=True)
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
    reporter: str | None = None  # 填报单位, as the ledger's info line names it
    written: bool = False

    @property
    def errors(self) -> list[parse.Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[parse.Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(eq=False, slots=True)
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
                out.append(_KEYS[kind, key])
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
    book: Workbook | None = None,
) -> parse.ParsedSheet:
    """The ledger's rows and problems (no database): the sheet named, else the first with a ledger header.

    `book` is the file already opened (`reader.preload`); it is closed here either way.
    """
    table = variants(ledger_section(config).get("headers"))
    if book is None:
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


@dataclass
class _Batch:
    """What the registry holds for a batch of matched projects (see `_Registry.state`)."""

    projects: dict[int, dict[str, Any]] = field(default_factory=dict)
    plans: dict[int, Decimal] = field(default_factory=dict)  # the annual plan of the year
    reports: dict[int, tuple[int, Decimal]] = field(default_factory=dict)  # the month's report (id, amount)
    earlier: dict[int, Decimal] = field(default_factory=dict)  # the year's months before it, summed
    milestones: dict[int, dict[str, tuple]] = field(default_factory=dict)  # kind → (ID, BASELINE, PLANNED, ACTUAL)


_DATES = ("baseline_date", "planned_date", "actual_date")


@dataclass(frozen=True)
class _Layout:
    """The columns of a `_Registry.state` read: project columns, the year's plan, the month's
    completion and the milestones of `kinds` (each id and `_DATES`)."""

    names: tuple[str, ...]  # project columns, "id" and "unit_id" first
    year: int | None
    month: str | None
    kinds: tuple[str, ...]

    @property
    def params(self) -> list[Any]:
        return [v for v in (self.year, self.month) if v is not None] + list(self.kinds)

    @property
    def types(self) -> list[Any]:
        p, m = Project.__table__.c, Milestone.__table__.c
        types: list[Any] = [p[n] for n in self.names]
        if self.year is not None:
            types.append(InvestmentPlan.__table__.c.amount)
        if self.month is not None:
            types += [None, InvestmentReport.__table__.c.amount]
        for _kind in self.kinds:
            types += [None, *(m[d] for d in _DATES)]
        return types

    def holds(self, other: _Layout) -> bool:
        """Whether rows of this layout hold everything `other` asks for."""
        return (set(other.names) <= set(self.names) and other.year in (None, self.year)
                and other.month in (None, self.month) and set(other.kinds) <= set(self.kinds))


class _Registry:
    """What the import needs to know of the registry, read set-based (a few plain queries per 2,000 rows)."""

    def __init__(self, session: Session):
        conn = session.connection()
        self.conn = conn
        self.quote = conn.dialect.identifier_preparer.quote
        u = Unit.__table__.c
        self.unit_id = {name: uid for uid, name in conn.execute(select(u.id, u.name))}
        self.unit_name = {uid: name for name, uid in self.unit_id.items()}
        ids_codes = query_rows(conn, "SELECT id, code FROM project", [], [None, None])
        self.code_of: dict[int, str] = dict(ids_codes)
        self.by_code: dict[str, int] = {code: pid for pid, code in ids_codes}
        self._by_name: dict[str, list[int]] | None = None
        p = Project.__table__.c
        self.chains = {c for (c,) in conn.execute(select(p.chain).distinct()) if c}
        self.clusters = {c for (c,) in conn.execute(select(p.cluster).distinct()) if c}
        self._ahead: tuple[_Layout, dict[int, tuple]] | None = None  # see read_ahead

    @property
    def by_name(self) -> dict[str, list[int]]:
        """Normalised name → project ids, read on first use (a ledger with codes for every row never needs it)."""
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for pid, name in query_rows(self.conn, "SELECT id, name FROM project", [], [None, None]):
                self._by_name[normalize_name(name)].append(pid)
        return self._by_name

    def read_ahead(self, loaded: Callable[[], bool], *, year: int, month: str) -> None:
        """Read projects' `state` while the ledger's sheet is still loading (on another core, see
        `reader.Workbook.load_in_background`), CHUNK projects at a time in id order, until `loaded()`.

        The rows are kept for `state` to take when the ledger asks for the same
        year's plan and month's completion (the likely ones, the as-of date's).
        Time and memory spent are bounded by the sheet's own loading time (a
        small ledger stops this after a chunk or two) and by READ_AHEAD;
        `let_go` drops what the ledger did not ask for.
        """
        ids = sorted(self.code_of)[:READ_AHEAD]
        layout = _Layout(("id", "unit_id", *PROJECT_KEYS), year, month, LEDGER_KINDS)
        rows: dict[int, tuple] = {}
        text: dict[str, str] = {}  # one object per distinct text (chains, leaders …): 100,000 rows kept small
        keep = text.setdefault
        for chunk in _chunks(ids):
            if loaded():
                break
            got = query_rows(self.conn, self._state_sql(layout, len(chunk)), [*layout.params, *chunk], layout.types)
            rows.update((row[0], tuple([keep(v, v) if type(v) is str else v for v in row])) for row in got)
        if rows:
            self._ahead = (layout, rows)

    def let_go(self) -> None:
        """Drop the rows read ahead that no ledger row matched."""
        self._ahead = None

    def _state_sql(self, layout: _Layout, count: int) -> str:
        """SELECT of `layout`'s columns for `count` project ids (its params, then the ids)."""
        q = self.quote
        columns = [f"p.{q(n)}" for n in layout.names]
        joins: list[str] = []
        if layout.year is not None:
            columns.append("ip.amount")
            joins.append("LEFT JOIN investment_plan ip ON ip.project_id = p.id AND ip.year = ?")
        if layout.month is not None:
            columns += ["ir.id", "ir.amount"]
            joins.append("LEFT JOIN investment_report ir ON ir.project_id = p.id AND ir.month = ?")
        for i, _kind in enumerate(layout.kinds):
            columns += [f"m{i}.id", *(f"m{i}.{d}" for d in _DATES)]
            joins.append(f"LEFT JOIN milestone m{i} ON m{i}.project_id = p.id AND m{i}.kind = ?")
        return f"SELECT {', '.join(columns)} FROM project p {' '.join(joins)} WHERE p.id IN ({placeholders(count)})"

    def state(self, ids: list[int], keys: list[str], *, year: int | None, month: str | None,
              kinds: tuple[str, ...]) -> _Batch:
        """What a batch of matched projects holds now, one joined query per 2,000 projects.

        Per project: its unit id and `keys`; the annual plan of `year` and the
        completed investment of `month` (when the ledger has those columns);
        each milestone of `kinds` (id and dates). Rows `read_ahead` are taken
        (and let go) when they hold all of that.
        """
        layout = _Layout(("id", "unit_id", *keys), year, month, kinds)
        found: list[tuple] = []
        rest = ids
        if self._ahead is not None and self._ahead[0].holds(layout):
            layout, early = self._ahead
            taken = [pid for pid in ids if pid in early]
            found = [early.pop(pid) for pid in taken]
            if len(taken) < len(ids):
                have = set(taken)
                rest = [pid for pid in ids if pid not in have]
            else:
                rest = []
        for chunk in _chunks(rest):
            found += query_rows(self.conn, self._state_sql(layout, len(chunk)), [*layout.params, *chunk], layout.types)
        out = _Batch()
        width = len(layout.names)
        for row in found:
            pid = row[0]
            out.projects[pid] = dict(zip(layout.names, row))
            at = width
            if layout.year is not None:
                if row[at] is not None and year is not None:
                    out.plans[pid] = Decimal(row[at])
                at += 1
            if layout.month is not None:
                if row[at] is not None and month is not None:
                    out.reports[pid] = (row[at], Decimal(row[at + 1]))
                at += 2
            milestones = {}
            for kind in layout.kinds:
                if row[at] is not None and kind in kinds:
                    milestones[kind] = row[at:at + 4]  # (id, baseline, planned, actual)
                at += 4
            if milestones:
                out.milestones[pid] = milestones
        if month is not None:
            out.earlier = self.earlier(ids, month)
        return out

    def earlier(self, ids: list[int], month: str) -> dict[int, Decimal]:
        """Per project: the sum of the completed investment of the year's months before `month`."""
        amount = InvestmentReport.__table__.c.amount
        out: dict[int, Decimal] = {}
        first = f"{month[:4]}-01"
        for chunk in _chunks(ids):
            sql = (f"SELECT project_id, SUM(amount) FROM investment_report WHERE project_id IN "
                   f"({placeholders(len(chunk))}) AND month >= ? AND month < ? GROUP BY project_id")
            for pid, total in query_rows(self.conn, sql, [*chunk, first, month], [None, amount]):
                out[pid] = Decimal(total or 0)
        return out

    def last_planned(self, ids: list[int]) -> dict[int, date]:
        """Milestone id → the as-of date its latest plan was set on."""
        mp = MilestonePlan.__table__
        on = self.quote("on")
        out: dict[int, date] = {}
        for chunk in _chunks(ids):
            sql = (f"SELECT milestone_id, MAX({on}) FROM milestone_plan WHERE milestone_id IN "
                   f"({placeholders(len(chunk))}) GROUP BY milestone_id")
            out.update(query_rows(self.conn, sql, chunk, [None, mp.c.on]))
        return out


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
                 config: Mapping[str, Any] | None, file_name: str, reg: _Registry | None = None):
        self.ctx = ctx
        self.parsed = parsed
        self.sheet = parsed.sheet
        self.columns = parsed.header.by_field()
        self.reg = reg or _Registry(session)
        self.from_unit = from_unit
        self.file_name = file_name
        self.problems: list[parse.Problem] = []
        self.plan_year, self.month, self.ledger_as_of = _periods(parsed, ctx.as_of)
        self.known_chains = set(chains.known_chains(config)) | self.reg.chains
        self.known_clusters = set(chains.known_clusters(config)) | self.reg.clusters
        from projects_cli.services.milestones import configured_kinds

        self.kinds = list(configured_kinds(config))
        self.reason = f"台账导入 {file_name}"[:200]
        self.new_units: list[str] = []
        self.unknown: dict[tuple[str, str], list[int]] = defaultdict(list)  # (field, value) → rows
        self.replans: list[tuple[int, str, date, int]] = []  # (row, kind, new plan, milestone id)

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

    def check_replans(self) -> None:
        """A re-plan is refused when the milestone's last plan was set after the as-of date (a wrong --as-of)."""
        if not self.replans:
            return
        last_on = self.reg.last_planned([mid for *_, mid in self.replans])
        as_of = self.ctx.as_of
        for row, kind, planned, mid in self.replans:
            when = last_on.get(mid)
            if when is not None and when > as_of:
                self.problem(row, "planned_start" if kind == "开工" else "planned_completion", planned,
                             f"{kind} was last re-planned on {when.isoformat()}, after the as-of "
                             f"date {as_of.isoformat()}; check --as-of")
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
                 miles: Mapping[str, tuple]) -> _Plan | None:
        """The writes for one row (None when it changes nothing)."""
        values = row.values
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
        new_plan = (plan, amount) if amount is not None and not _same(amount, plan) else None
        new_report = None
        done = values.get("completed_ytd")
        if done is not None:
            month_amount = Decimal(done) - earlier
            if month_amount < 0:
                self.problem(row.row, "completed_ytd", done,
                             f"completed investment to {self.month} ({_num(done)} 万元) is less than the "
                             f"{_num(earlier)} 万元 already on file for the months of {self.month[:4]} before it")
            elif report is None or not _same(report[1], month_amount):
                new_report = (report[0] if report else None, report[1] if report else None, month_amount)
        milestones = []
        for kind, planned_key, actual_key in MILESTONE_COLUMNS:
            planned = values.get(planned_key)
            actual = values.get(actual_key)
            if planned is None and actual is None:
                continue
            have = miles.get(kind)
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            if planned is not None and (have is None or have[PLANNED] != planned):
                if have is not None and have[PLANNED] is not None:
                    self.replans.append((row.row, kind, planned, have[ID]))  # checked by check_replans
                    before["planned_date"] = have[PLANNED]
                    after["planned_date"] = planned
                else:
                    after["planned_date"] = planned
                    if have is None or have[BASELINE] is None:
                        if have is not None:
                            before["baseline_date"] = None
                        after["baseline_date"] = planned
            if actual is not None and (have is None or have[ACTUAL] != actual):
                if have is not None:
                    before["actual_date"] = have[ACTUAL]
                after["actual_date"] = actual
            if after:
                milestones.append((kind, have[ID] if have else None, before, after))
        changes = bool(new or new_plan or new_report or milestones)
        if self.from_unit and existing is not None:
            owner = self.reg.unit_name.get(existing["unit_id"]) if existing["unit_id"] else None
            if owner != self.from_unit and changes:
                self.problem(row.row, "name", values.get("name"),
                             f"{existing['code']} belongs to {owner or 'no unit'}, not {self.from_unit}; "
                             f"a ledger from {self.from_unit} cannot change it (refused)")
        elif self.from_unit and unit and unit != self.from_unit and (existing is None or "unit" in new):
            self.problem(row.row, "unit", unit,
                         f"a ledger from {self.from_unit} may hold only its own projects, not {unit}'s (refused)")
        if existing is not None and not changes:
            return None
        return _Plan(row.row, pid, existing["code"] if existing else values.get("code"), values.get("name", ""),
                     is_new=existing is None, unit=unit_set, old=old, new=new, plan=new_plan, report=new_report,
                     milestones=milestones)


def plan_import(
    session: Session, ctx: Ctx, parsed: parse.ParsedSheet, *, from_unit: str | None = None,
    config: Mapping[str, Any] | None = None, file_name: str = "", progress: Progress | None = None,
    reg: _Registry | None = None,
) -> tuple[ImportResult, list[_Plan], _Planner]:
    """Match and check every row against the registry; nothing is written.

    `parsed.rows` is used up: each batch of rows is let go once planned (the
    plans hold what is to be written), so 100,000 rows and their plans are
    never in memory together.
    """
    planner = _Planner(session, ctx, parsed, from_unit=from_unit, config=config, file_name=file_name, reg=reg)
    result = ImportResult(file_name, parsed.sheet, rows=len(parsed.rows), skipped=dict(parsed.skipped))
    result.unused_columns = [f"{c.letter} {c.header}" for c in parsed.unused]
    result.header_rows = (parsed.header.first + 1, parsed.header.last + 1)
    result.plan_year, result.completed_month, result.as_of = planner.plan_year, planner.month, planner.ledger_as_of
    result.reporter = parsed.info.reporter
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
        # the fields read back for comparison: those the batch's rows give (a blank cell changes nothing)
        given = set().union(*(row.values for row in batch))
        compared = [k for k in PROJECT_KEYS if k in given or k in ("code", "total_investment")]
        now = planner.reg.state(ids, compared, year=planner.plan_year if has_plan else None,
                                month=planner.month if has_done else None,
                                kinds=LEDGER_KINDS if has_milestones else ()) if ids else _Batch()
        existing, miles = now.projects, now.milestones
        for row, pid in zip(batch, matched[start:start + BATCH]):
            have = existing.get(pid) if pid is not None else None
            planner.check_row(row, have)
            plan = planner.plan_row(
                row, pid, have, now.plans.get(pid), now.earlier.get(pid, ZERO), now.reports.get(pid),
                miles.get(pid, NO_MILESTONES),
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
        planner.check_replans()
        rows[start:start + len(batch)] = [None] * len(batch)
        del batch
        if progress is not None:
            progress("check", min(start + BATCH, total), total)
    planner.report_unknown()
    planner.reg.let_go()
    result.problems = sorted(parsed.problems + planner.problems, key=lambda p: (p.row, p.column, p.severity))
    planner.new_units = sorted({p.unit for p in plans if p.unit and p.unit not in planner.reg.unit_id})
    return result, plans, planner


# ---------------------------------------------------------------- writing


def _update_many(conn, table, rows: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> None:
    """Executemany updates by id, grouped by the set of columns each row changes."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(k for k in row if k != "_id"))].append(row)
    for keys, group in groups.items():
        values: dict[str, Any] = {k: bindparam(f"v_{k}") for k in keys}
        values.update(extra or {})
        stmt = update(table).where(table.c.id == bindparam("_id")).values(values)
        conn.execute(stmt, [{"_id": r["_id"], **{f"v_{k}": r[k] for k in keys}} for r in group])


def _logged(plan: _Plan, year: int | None, month: str | None, reason: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One change-log entry per row: the project's fields and, beside them, its plan, month and milestones.

    (An entry per table touched would be seven per new project; on 100,000 rows
    the log would cost more than the import itself.)
    """
    old = dict(plan.old)
    if plan.is_new:
        new = {k: v for k, v in plan.new.items() if k != "unit_id" and v is not None and v != ""}
    else:
        new = {k: v for k, v in plan.new.items() if k != "unit_id"}
    if plan.unit and "unit" not in new:
        new["unit"] = plan.unit
    if plan.plan is not None:
        if plan.plan[0] is not None:
            old[f"annual_plan:{year}"] = plan.plan[0]
        new[f"annual_plan:{year}"] = plan.plan[1]
    if plan.report is not None:
        if plan.report[1] is not None:
            old[f"completed:{month}"] = plan.report[1]
        new[f"completed:{month}"] = plan.report[2]
    for kind, _mid, before, after in plan.milestones:
        for key, value in before.items():
            old[_KEYS[kind, key]] = value
        for key, value in after.items():
            new[_KEYS[kind, key]] = value
        if before.get("planned_date") is not None and "planned_date" in after:
            new[f"{kind}.reason"] = reason
    return old, new


def write_import(session: Session, ctx: Ctx, result: ImportResult, plans: list[_Plan], planner: _Planner, *,
                 progress: Progress | None = None) -> None:
    """Write what `plan_import` decided, in batches of bulk inserts and updates, with the change log.

    New rows get their ids before they are inserted (`db.reserve_ids`), so
    nothing is looked up again after an insert; every insert is one
    executemany straight to the driver (`db.insert_columns`).
    """
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
    conn = session.connection()
    p_table, plan_t, rep_t = Project.__table__, InvestmentPlan.__table__, InvestmentReport.__table__
    source = result.file[:100] or None
    year, month = result.plan_year, result.completed_month
    bump = {"version": p_table.c.version + 1, "updated_at": ctx.now}
    unit_id = reg.unit_id
    total = len(plans)
    for start in range(0, total, BATCH):
        batch = plans[start:start + BATCH]
        # projects: new ones, with the ids reserved for them, then the changed ones
        fresh = [p for p in batch if p.is_new]
        if fresh:
            for plan, pid in zip(fresh, reserve_ids(conn, p_table, len(fresh))):
                plan.pid = pid
            n = len(fresh)
            columns: dict[str, Any] = {"id": [p.pid for p in fresh]}
            for key in PROJECT_KEYS:
                default = DEFAULTS.get(key)
                columns[key] = [p.code for p in fresh] if key == "code" else [p.new.get(key, default) for p in fresh]
            columns["unit_id"] = [unit_id[p.unit] if p.unit else None for p in fresh]
            columns.update(created_at=(ctx.now,) * n, updated_at=(ctx.now,) * n, version=(1,) * n)
            insert_columns(conn, p_table, columns)
        updates, touched = [], []
        for plan in batch:
            if plan.is_new:
                continue
            row = {k: v for k, v in plan.new.items() if k != "unit"}
            if "unit_id" in row:
                row["unit_id"] = unit_id[plan.unit]
            if row:
                updates.append({"_id": plan.pid, **row})
            else:
                touched.append({"_id": plan.pid})
        _update_many(conn, p_table, updates, bump)
        if touched:
            conn.execute(update(p_table).where(p_table.c.id == bindparam("_id")).values(bump), touched)
        # the year's plan and the month's completed investment
        with_plan = [p for p in batch if p.plan is not None]
        inserts = [p for p in with_plan if p.plan[0] is None]
        insert_columns(conn, plan_t, {"project_id": [p.pid for p in inserts], "year": (year,) * len(inserts),
                                      "amount": [p.plan[1] for p in inserts]})
        changed = [{"pid": p.pid, "amount": p.plan[1]} for p in with_plan if p.plan[0] is not None]
        if changed:
            conn.execute(update(plan_t).where(and_(plan_t.c.project_id == bindparam("pid"), plan_t.c.year == year))
                         .values(amount=bindparam("amount")), changed)
        with_report = [p for p in batch if p.report is not None]
        inserts = [p for p in with_report if p.report[0] is None]
        insert_columns(conn, rep_t, {"project_id": [p.pid for p in inserts], "month": (month,) * len(inserts),
                                     "amount": [p.report[2] for p in inserts], "source": (source,) * len(inserts)})
        changed = [{"_id": p.report[0], "v_amount": p.report[2]} for p in with_report if p.report[0] is not None]
        if changed:
            conn.execute(update(rep_t).where(rep_t.c.id == bindparam("_id"))
                         .values(amount=bindparam("v_amount"), source=source), changed)
        _write_milestones(conn, ctx, planner, batch)
        entries = []
        make_entry, reason = changelog.make_entry, planner.reason
        for plan in batch:
            old, new = _logged(plan, year, month, reason)
            entries.append(make_entry(
                ctx, "insert" if plan.is_new else "update", "project", record_id=plan.pid, key=plan.code,
                project_code=plan.code, old=old or None, new=new,
            ))
        changelog.log_many(session, entries)
        if progress is not None:
            progress("write", min(start + BATCH, total), total)
    result.written = True


def _write_milestones(conn, ctx: Ctx, planner: _Planner, batch: list[_Plan]) -> None:
    """开工/竣工: new milestones (the plan is the baseline), changed dates, and a plan-history row per plan set."""
    m_t, mp_t = Milestone.__table__, MilestonePlan.__table__
    creates: list[tuple[int, str, dict[str, Any]]] = []  # (project id, kind, dates)
    updates = []
    history: list[tuple[int | None, int, date, str | None]] = []  # (milestone id or None: created, index, date, reason)
    for plan in batch:
        for kind, mid, old, new in plan.milestones:
            if mid is None:
                if new.get("planned_date") is not None:
                    history.append((None, len(creates), new["planned_date"], None))
                creates.append((plan.pid, kind, new))
                continue
            updates.append({"_id": mid, **new})
            if "planned_date" in new:
                replan = old.get("planned_date") is not None
                history.append((mid, -1, new["planned_date"], planner.reason if replan else None))
    ids = reserve_ids(conn, m_t, len(creates))
    seq = {kind: planner.kinds.index(kind) for kind in {kind for _pid, kind, _new in creates}}
    insert_columns(conn, m_t, {
        "id": ids,
        "project_id": [pid for pid, _kind, _new in creates],
        "kind": [kind for _pid, kind, _new in creates],
        "seq": [seq[kind] for _pid, kind, _new in creates],
        "baseline_date": [new.get("baseline_date") for _pid, _kind, new in creates],
        "planned_date": [new.get("planned_date") for _pid, _kind, new in creates],
        "actual_date": [new.get("actual_date") for _pid, _kind, new in creates],
    })
    _update_many(conn, m_t, updates)
    n = len(history)
    insert_columns(conn, mp_t, {
        "milestone_id": [mid if mid is not None else ids[index] for mid, index, _planned, _reason in history],
        "planned_date": [planned for _mid, _index, planned, _reason in history],
        "on": (ctx.as_of,) * n, "reason": [reason for _mid, _index, _planned, reason in history],
        "by": (ctx.by,) * n, "at": (ctx.now,) * n,
    })


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
    book: Workbook | None = None,
) -> ImportResult:
    """Check the whole ledger, then write it (unless `dry_run`); raises LedgerRejected on any error.

    Warnings (an unknown chain or unit, a 待定 date) are errors under `strict`. `book`: the
    file already opened, its sheet perhaps being read meanwhile (`reader.preload`).
    """
    # Hundreds of thousands of rows, dicts and tuples that hold no reference cycles: the cyclic
    # collector would only rescan them again and again. Reference counting frees them as usual.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import_ledger(session, ctx, Path(path), sheet=sheet, dry_run=dry_run, strict=strict,
                              from_unit=from_unit, config=config, limits=limits, progress=progress, book=book)
    finally:
        if collecting:
            gc.enable()


def _import_ledger(session: Session, ctx: Ctx, path: Path, *, sheet: str | None, dry_run: bool, strict: bool,
                   from_unit: str | None, config: Mapping[str, Any] | None, limits: Limits | None,
                   progress: Progress | None, book: Workbook | None) -> ImportResult:
    reg = _Registry(session)  # read while the sheet may still be loading (reader.preload)
    if book is not None:  # and, while it still is, what matched projects hold
        reg.read_ahead(book.loaded, year=ctx.as_of.year, month=f"{ctx.as_of.year:04d}-{ctx.as_of.month:02d}")
    units = set(reg.unit_id)
    parsed = read_ledger(path, as_of=ctx.as_of, sheet=sheet, config=config, units=units, limits=limits,
                         progress=progress, book=book)
    result, plans, planner = plan_import(session, ctx, parsed, from_unit=registry.clean_text(from_unit) if from_unit else None,
                                         config=config, file_name=path.name, progress=progress, reg=reg)
    parsed.rows.clear()  # used up by plan_import (the plans hold what is to be written)
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
