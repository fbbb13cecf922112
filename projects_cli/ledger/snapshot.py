"""What the registry holds, as a ledger import needs it: every code and name, the units and chains, and each
matched project's ledger row.

Read set-based: a few plain queries for the whole registry, then the ledger
rows (`facts.ledger_rows`, the query ledger export and dispatch run too) of
2,000 matched projects at a time. While the ledger's sheet is still loading on
the other core, `read_ahead` reads the rows the ledger most likely asks for,
so matching starts as soon as the sheet is in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.facts.filters import former_names
from projects_cli.facts.ledger_rows import HELD, LEDGER_KINDS, Shape, milestone_label, sql_by_ids
from projects_cli.rules.milestones import Held
from projects_cli.services import milestones, registry
from projects_cli.store.db import convert_rows, fetch_rows, query_rows
from projects_cli.store.models import Project, Unit
from projects_cli.values import match_name, normalize_name

READ_AHEAD = 100_000  # projects read ahead at most (about 80 MB), see Snapshot.read_ahead
CHUNK = 2000  # ids per IN (…) lookup (SQLite ≥ 3.32 takes 32,766 parameters, PostgreSQL 65,535)
PROJECT_KEYS = registry.COLUMNS  # stored on the project row
TEXT_OR_NONE = frozenset({str, type(None)})


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class Batch:
    """What the registry holds for a batch of matched projects (see `Snapshot.state`)."""

    projects: dict[int, dict[str, Any]] = field(default_factory=dict)
    plans: dict[int, Decimal] = field(default_factory=dict)  # the annual plan of the year
    reports: dict[int, tuple[int, Decimal, str | None]] = field(default_factory=dict)  # the month's (id, amount, source)
    earlier: dict[int, Decimal] = field(default_factory=dict)  # the year's months before it, summed
    milestones: dict[int, dict[str, Held]] = field(default_factory=dict)  # kind → the milestone


def shape(keys: tuple[str, ...] | list[str], *, year: int | None, month: str | None, kinds: tuple[str, ...]) -> Shape:
    """The ledger row the import reads: the project's id, unit id and `keys`; the plan of `year`; the figure of
    `month` (its row) and the year's months before it; each milestone of `kinds` as `Held`."""
    return Shape(("id", "unit_id", *keys), plan_year=year, before_month=month, month=month, month_row=True,
                 kinds=kinds, dates=HELD)


class Snapshot:
    """What the import needs to know of the registry, read set-based (a few plain queries per 2,000 rows)."""

    def __init__(self, session: Session):
        conn = session.connection()
        self.session = session
        self.conn = conn
        u = Unit.__table__.c
        self.unit_name = {uid: name for uid, name in conn.execute(select(u.id, u.name))}
        # the units in force (one merged into another is not: its name is one of `formers`)
        self.unit_id = {name: uid for uid, name, retired in conn.execute(select(u.id, u.name, u.retired_on))
                        if retired is None}
        self.formers = {key: former_names(session, key) for key in ("unit", "leader")}
        ids_codes = query_rows(conn, "SELECT id, code FROM project", [], [None, None])
        self.code_of: dict[int, str] = dict(ids_codes)
        self.by_code: dict[str, int] = {code: pid for pid, code in ids_codes}
        self._by_name: dict[str, list[int]] | None = None
        p = Project.__table__.c
        self.chains = {c for (c,) in conn.execute(select(p.chain).distinct()) if c}
        self.clusters = {c for (c,) in conn.execute(select(p.cluster).distinct()) if c}
        self._ahead: tuple[Shape, dict[int, tuple], Any] | None = None  # see read_ahead

    def former(self, key: str, name: str) -> str | None:
        """The name in force now of the unit (`key` "unit") or leader ("leader") `name` was before a rename or
        a merge (`facts.filters.former_names`); None when it is no such name."""
        found = match_name(name, self.formers[key]) if self.formers[key] else None
        return self.formers[key][found].now if found is not None else None

    @property
    def by_name(self) -> dict[str, list[int]]:
        """Normalised name → project ids, read on first use (a ledger with codes for every row never needs it)."""
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for pid, name in query_rows(self.conn, "SELECT id, name FROM project", [], [None, None]):
                self._by_name[normalize_name(name)].append(pid)
        return self._by_name

    def _rows(self, layout: Shape, ids: list[int], raw: Callable[[list[tuple]], None] | None = None) -> list[tuple]:
        """The ledger rows of up to CHUNK projects, typed. `raw`: shown the driver's rows first."""
        rows, description = self._driver_rows(layout, ids)
        if raw is not None:
            raw(rows)
        return convert_rows(self.conn, rows, sql_by_ids(self.conn.dialect, layout, CHUNK).types, description)

    def _driver_rows(self, layout: Shape, ids: list[int]) -> tuple[list[tuple], Any]:
        """The ledger rows of up to CHUNK projects as the driver gives them, and the cursor's description (for
        `db.convert_rows`). The query is compiled once per number of ids: the ids are padded (with the first
        again: the rows stay the same) to a power of two or CHUNK, a dozen numbers."""
        size = min(CHUNK, 1 << (len(ids) - 1).bit_length())
        query = sql_by_ids(self.conn.dialect, layout, size)
        return fetch_rows(self.conn, query.sql, query.params(ids + [ids[0]] * (size - len(ids))))

    def read_ahead(self, loaded: Callable[[], bool], *, year: int, month: str,
                   raw: Callable[[list[tuple]], None] | None = None) -> None:
        """Read projects' `state` while the ledger's sheet is still loading (on another core, see
        `reader.Workbook.load_in_background`), CHUNK projects at a time in id order, until `loaded()`.

        The rows are kept for `state` to take when the ledger asks for the same
        year's plan and month's completion (the likely ones, the as-of date's).
        Time and memory spent are bounded by the sheet's own loading time (a
        small ledger stops this after a chunk or two) and by READ_AHEAD;
        `let_go` drops what the ledger did not ask for. `raw`: shown the rows as the driver gives them
        (`ledger.fingerprint` digests them).
        """
        ids = sorted(self.code_of)[:READ_AHEAD]
        layout = shape(PROJECT_KEYS, year=year, month=month, kinds=LEDGER_KINDS)
        rows: dict[int, tuple] = {}
        text: dict[str, str] = {}  # one object per distinct text (chains, leaders …): 100,000 rows kept small
        description = None
        for chunk in chunks(ids):
            if loaded():
                break
            # kept as the driver gives them, typed when `state` takes them: a row found unchanged by its
            # fingerprint (`ledger.fingerprint`) is only digested, never typed
            found, description = self._driver_rows(layout, chunk)
            if raw is not None:
                raw(found)
            if not found:
                continue
            columns = list(zip(*found))  # a column at a time: each text column's values made one object each
            for i, values in enumerate(columns):
                if str in set(map(type, values[:64])) and set(map(type, values)) <= TEXT_OR_NONE:
                    distinct = set(values)
                    if len(distinct) * 4 < len(values):  # few values (chains, units, leaders), not names or codes
                        text.update((v, v) for v in distinct.difference(text))
                        columns[i] = map(text.get, values)  # (None stays None)
            rows.update((row[0], row) for row in zip(*columns))
        if rows:
            self._ahead = (layout, rows, description)

    def scan(self, ids: list[int], raw: Callable[[list[tuple]], None], *, year: int, month: str) -> None:
        """Show `raw` the rows `read_ahead` would read for `ids` (sorted), as the driver gives them; keep none."""
        layout = shape(PROJECT_KEYS, year=year, month=month, kinds=LEDGER_KINDS)
        for chunk in chunks(ids):
            raw(self._driver_rows(layout, chunk)[0])

    def let_go(self) -> None:
        """Drop the rows read ahead that no ledger row matched."""
        self._ahead = None

    def state(self, ids: list[int], keys: list[str], *, year: int | None, month: str | None,
              kinds: tuple[str, ...]) -> Batch:
        """What a batch of matched projects holds now, one joined query per 2,000 projects.

        Per project: its unit id and `keys`; the annual plan of `year` and the
        completed investment of `month` and of the year's months before it
        (when the ledger has those columns); each milestone of `kinds`. Rows
        `read_ahead` are taken (and let go) when they hold all of that.
        """
        layout = shape(keys, year=year, month=month, kinds=kinds)
        found: list[tuple] = []
        rest = ids
        if self._ahead is not None and self._ahead[0].holds(layout):
            layout, early, description = self._ahead
            taken = [pid for pid in dict.fromkeys(ids) if pid in early]  # (a project twice: an error, found later)
            found = convert_rows(self.conn, [early.pop(pid) for pid in taken],
                                 sql_by_ids(self.conn.dialect, layout, CHUNK).types, description)
            if len(taken) < len(ids):
                have = set(taken)
                rest = [pid for pid in ids if pid not in have]
            else:
                rest = []
        for chunk in chunks(rest):
            found += self._rows(layout, chunk)
        out = Batch()
        names = layout.columns
        at = {label: i for i, label in enumerate(layout.labels)}
        plan_at = at.get("annual_plan") if year is not None else None
        month_at = at.get("month_id") if month is not None else None
        before_at = at.get("completed_before") if month is not None else None
        kind_at = [(kind, at[milestone_label(kind, "id")]) for kind in layout.kinds if kind in kinds]
        projects, plans, reports, earlier, milestones = out.projects, out.plans, out.reports, out.earlier, out.milestones
        for row in found:
            pid = row[0]
            projects[pid] = dict(zip(names, row))
            if plan_at is not None and (amount := row[plan_at]) is not None:
                plans[pid] = amount if type(amount) is Decimal else Decimal(amount)
            if month_at is not None and row[month_at] is not None:
                amount = row[month_at + 1]
                reports[pid] = (row[month_at], amount if type(amount) is Decimal else Decimal(amount), row[month_at + 2])
            if before_at is not None and (amount := row[before_at]) is not None:
                earlier[pid] = amount if type(amount) is Decimal else Decimal(amount)
            if kind_at:
                held = {kind: Held._make(row[i:i + 4]) for kind, i in kind_at if row[i] is not None}
                if held:
                    milestones[pid] = held
        return out

    def last_planned(self, ids: list[int]) -> dict[int, date]:
        """Milestone id → the as-of date its latest plan was set on."""
        return milestones.last_planned(self.session, ids)
