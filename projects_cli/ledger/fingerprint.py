"""Ledger rows seen before (台账行指纹): a re-import skips the rows that are as they were, with projects as they were.

When an import finds that a row changes nothing and raises no problem, it
keeps the row's digest under its project (`LedgerFingerprint`):

    blake2b(the context, the row's cells and section, the project's ledger row as the import read it)

the context being this code (the source of the modules that type, check and
plan rows), the import's options (as-of date, --month, --from-unit,
--create-units), the config, the sheet's header and info line, and the
registry's units and the former names of units and leaders. The next import
works out the same digest from the row's cells and the project's row as it is
now (read while the sheet loads, `Snapshot.read_ahead`); when it is the one
kept, the row is known to change nothing again: it is neither typed nor
planned, only matched (a second row of the same project is still an error).

Any change to the project by any command changes its row and so the digest,
as does a change to the file's row, its header, the config or the code: the
row is then checked the long way, and kept again when it changes nothing. Only
a row found by its code (a text cell holding a code of the registry) can be
skipped; a sheet of cumulative month columns, or of one row per project per
month, never is (their rows are read together), nor a sheet whose periods are
not the as-of date's year and month, nor one imported with --month.
"""

from __future__ import annotations

import json
import pickle
import sys
import time
from collections.abc import Callable
from datetime import date
from hashlib import blake2b
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import delete
from sqlmodel import Session

from projects_cli.facts.ledger_rows import LEDGER_KINDS, MILESTONE_FIELDS
from projects_cli.ledger import parse
from projects_cli.ledger.snapshot import PROJECT_KEYS, Snapshot, chunks, shape
from projects_cli.store.db import insert_rows, query_rows
from projects_cli.store.models import LedgerFingerprint

SIZE = 16  # bytes of digest: a chance collision is out of reach (2⁻⁶⁴ for 2³² rows)
# Rows are digested pickled (faster than repr): equal bytes are equal values, and values that are equal but pickle
# otherwise (the same text as one object or two) only send a row the long way.
PROTOCOL = 5


def _code() -> bytes:
    """The source of the modules whose rules decide what a row means and changes: a new version reads every row
    the long way once."""
    from projects_cli import values
    from projects_cli.config import office
    from projects_cli.facts import ledger_rows
    from projects_cli.ledger import columns, plan, read, snapshot
    from projects_cli.rules import investment, milestones
    from projects_cli.services import registry

    digest = blake2b(digest_size=SIZE)
    for module in (parse, plan, read, columns, snapshot, ledger_rows, values, office, investment, milestones,
                   registry, sys.modules[__name__]):
        try:
            digest.update(Path(module.__file__).read_bytes())
        except (OSError, TypeError):  # no source beside it (a frozen build): this run's own, kept for it alone
            digest.update(f"{module.__name__} {id(module)} {time.time_ns()}".encode())
    return digest.digest()


class Fingerprints:
    """The digests kept for the registry's projects, the rows of one import known by them, and those to keep."""

    def __init__(self, session: Session, reg: Snapshot, *, as_of: date, config: Mapping[str, Any] | None,
                 options: tuple = (), month: str | None = None):
        self.session = session
        self.month_given = month is not None  # --month: the periods are settled after the rows are read
        self.reg = reg
        self.as_of, self.year, self.month = as_of, as_of.year, f"{as_of.year:04d}-{as_of.month:02d}"
        self.stored: dict[int, bytes] = {
            pid: bytes(digest) for pid, digest in
            query_rows(session.connection(), "SELECT project_id, digest FROM ledger_fingerprint", [], [None, None])}
        context = (as_of, options, json.dumps(config or {}, sort_keys=True, ensure_ascii=False, default=str),
                   sorted(reg.unit_name.items()), sorted(reg.unit_id.items()),
                   {key: sorted(found.items()) for key, found in sorted(reg.formers.items())})
        self.context = blake2b(_code() + repr(context).encode(), digest_size=SIZE).digest()
        self.state: dict[int, bytes] = {}  # project id → the digest of its ledger row as the driver gave it
        self.raw: dict[int, tuple[int, bytes]] = {}  # Excel row → (project id, the digest of its cells)
        self.kept: list[tuple[int, int]] = []  # (Excel row, project id) found unchanged
        self.to_store: list[tuple[int, bytes]] = []

    def read_ahead(self, loaded: Callable[[], bool]) -> None:
        """`Snapshot.read_ahead` for the as-of date's year and month, each row digested as it is read."""
        self.reg.read_ahead(loaded, year=self.year, month=self.month, raw=self._digest)

    def _digest(self, rows: list[tuple]) -> None:
        self.state.update((row[0], blake2b(pickle.dumps(row, PROTOCOL), digest_size=SIZE).digest()) for row in rows)

    def _scan(self, ids: set[int]) -> None:
        """Digest the rows of the projects `ids` not read ahead."""
        unread = sorted(ids.difference(self.state))
        if unread:
            self.reg.scan(unread, self._digest, year=self.year, month=self.month)

    def sheet(self, header: parse.Header, info: parse.LedgerInfo) -> parse.Seen | None:
        """What `parse.parse_rows` asks of each project row of this sheet (`parse.Seen`); None when no row of it can
        be known: no code column, month columns read together, periods other than the as-of date's, or --month."""
        from projects_cli.ledger.plan import _periods

        columns = header.by_field()
        if (self.month_given or "code" not in columns or parse.MONTH in columns
                or sum(1 for c in header.columns if c.series and c.field == "completed_ytd") > 1):
            return None
        plan_year, month, _, problem = _periods(parse.ParsedSheet("", header, info), self.as_of)
        wanted = shape(PROJECT_KEYS, year=plan_year if "annual_plan" in columns else None,
                       month=month if "completed_ytd" in columns or "month_completed" in columns else None,
                       kinds=LEDGER_KINDS if any(k in columns for k in MILESTONE_FIELDS) else ())
        if problem is not None or not shape(PROJECT_KEYS, year=self.year, month=self.month,
                                            kinds=LEDGER_KINDS).holds(wanted):
            return None
        self._scan(set(self.stored))
        context = blake2b(self.context + repr((header, info)).encode(), digest_size=SIZE).digest()
        code_col, name_col = columns["code"].index, columns["name"].index
        by_code, stored, state, raw = self.reg.by_code, self.stored, self.state, self.raw

        def seen(excel_row: int, cells: list[Any], section: dict[str, str] | None) -> parse.SeenRow | None:
            code = cells[code_col]
            if type(code) is not str or (pid := by_code.get(code)) is None:
                return None  # (found by its name, or a new project: read the long way)
            digest = blake2b(context + pickle.dumps((cells, section), PROTOCOL), digest_size=SIZE).digest()
            if (kept := stored.get(pid)) is not None and (now := state.get(pid)) is not None and blake2b(
                    digest + now, digest_size=SIZE).digest() == kept:
                name = cells[name_col]  # (text: a row with another name cell is never kept, see `keep`)
                return parse.SeenRow(excel_row, {"code": code, "name": name} if parse._present(name) else
                                     {"code": code})
            if type(cells[name_col]) is str:
                raw[excel_row] = (pid, digest)
            return None

        return seen

    def keep(self, excel_row: int, pid: int) -> None:
        """A row found unchanged (`plan.plan_import`)."""
        if (found := self.raw.get(excel_row)) is not None and found[0] == pid:
            self.kept.append((excel_row, pid))

    def settle(self, bad_rows: set[int]) -> None:
        """The digests to keep: the rows found unchanged but those with a problem (or named in one)."""
        kept = [(row, pid) for row, pid in self.kept if row not in bad_rows]
        self._scan({pid for _, pid in kept})  # (the projects' rows as they were: these rows changed nothing)
        raw, state = self.raw, self.state
        self.to_store += [(pid, blake2b(raw[row][1] + state[pid], digest_size=SIZE).digest()) for row, pid in kept]
        self.kept, self.raw = [], {}

    def store(self) -> None:
        """Write the digests to keep (in the import's transaction, after its writes)."""
        new = [(pid, digest) for pid, digest in self.to_store if self.stored.get(pid) != digest]
        self.to_store = []
        if not new:
            return
        conn = self.session.connection()
        if conn.dialect.name == "postgresql" and not conn.exec_driver_sql(
                "SELECT has_table_privilege('ledger_fingerprint', 'INSERT')").scalar():
            return  # a unit's login: the digests steer the office's imports, only the office keeps them (store/roles.py)
        table = LedgerFingerprint.__table__
        for chunk in chunks([pid for pid, _ in new if pid in self.stored]):
            conn.execute(delete(table).where(table.c.project_id.in_(chunk)))
        insert_rows(conn, table, ["project_id", "digest"], new)
