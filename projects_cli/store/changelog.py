"""The change log: every change any command makes, hash-chained so tampering shows.

Services call `log_insert`, `log_update`, `log_delete` (or `log_many` for bulk
writes) inside the command's transaction; `verify_chain` re-computes the chain
for `projects db check`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from sqlmodel import Session

GENESIS = "0" * 64


@dataclass(frozen=True)
class Ctx:
    """Who acts, for which as-of date, and when (the wall clock of the log)."""

    by: str
    as_of: date
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    command: str = ""


def decimal_text(value: Decimal) -> str:
    """An amount as the log writes it: 85000.00 → "85000" (normalize() alone would give "8.5E+4"), 2.50 → "2.5"."""
    text = str(value)
    if "E" in text or not text[-1].isdigit() or len(text) > 28:  # 1E+5, NaN, more digits than a context holds
        return str(value.quantize(Decimal(1))) if value == value.to_integral() else format(value.normalize(), "f")
    # plain notation already: only trailing zeros after the point to drop
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def _scalar(value: Any) -> Any:
    """What the JSON encoder cannot write itself, as `to_jsonable` writes it."""
    kind = type(value)
    if kind is date or kind is datetime:
        return value.isoformat()
    if kind is Decimal:
        return decimal_text(value)
    if isinstance(value, (Decimal, date, datetime)):
        return to_jsonable(value)
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


# Reused encoders: the same text as json.dumps(to_jsonable(value), …) without a converted copy of each value.
_VALUES = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_scalar)
# = json.dumps(content, ensure_ascii=False); a flat list of strings and numbers cannot hold itself
_CONTENT = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _dump(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return _VALUES.encode(value)


def _at_text(at: Any) -> Any:
    if isinstance(at, datetime):
        at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        at = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return at


def entry_hash(prev_hash: str, row: dict[str, Any], at: Any = None) -> str:
    """The hash of one log row: its own content chained to the row before (`at`: its time as text, if known)."""
    content = [
        prev_hash,
        _at_text(row["at"]) if at is None else at,
        row["by"],
        row["command"],
        row["action"],
        row["table_name"],
        row["record_id"],
        row["record_key"],
        row["project_code"],
        row["fields"],
        row["old"],
        row["new"],
    ]
    return hashlib.sha256(_CONTENT.encode(content).encode()).hexdigest()


def _tail(session: Session) -> str:
    """The hash of the last row, read once per transaction (and locked on PostgreSQL)."""
    if "audit_tail" not in session.info:
        from sqlalchemy import text

        conn = session.connection()
        if conn.dialect.name == "postgresql":
            # Two offices writing at once must not both chain onto the same tail.
            conn.execute(text("SELECT pg_advisory_xact_lock(7226001)"))
        last = conn.execute(text("SELECT hash FROM change_log ORDER BY id DESC LIMIT 1")).scalar()
        session.info["audit_tail"] = last or GENESIS
    return session.info["audit_tail"]


def make_entry(
    ctx: Ctx,
    action: str,
    table: str,
    *,
    record_id: int | None = None,
    key: str | None = None,
    project_code: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> dict[str, Any]:
    fields = sorted(set(old or {}) | set(new or {}))
    return {
        "at": ctx.now,
        "by": ctx.by,
        "command": ctx.command,
        "action": action,
        "table_name": table,
        "record_id": record_id,
        "record_key": key,
        "project_code": project_code,
        "fields": ",".join(fields),
        "old": _dump(old),
        "new": _dump(new),
    }


LOG_COLUMNS = ("at", "by", "command", "action", "table_name", "record_id", "record_key", "project_code", "fields",
               "old", "new", "prev_hash", "hash")


def log_many(session: Session, entries: Iterable[dict[str, Any]]) -> int:
    """Append entries made by `make_entry`, chaining each to the one before (one bulk insert)."""
    from projects_cli.store.db import insert_rows
    from projects_cli.store.models import ChangeLog

    prev = _tail(session)
    rows = []
    at_obj: Any = object()
    at = None
    for entry in entries:
        if entry["at"] is not at_obj:  # a command's entries share one time: turned into text once
            at_obj, at = entry["at"], _at_text(entry["at"])
        digest = entry_hash(prev, entry, at)
        rows.append((entry["at"], entry["by"], entry["command"], entry["action"], entry["table_name"],
                     entry["record_id"], entry["record_key"], entry["project_code"], entry["fields"], entry["old"],
                     entry["new"], prev, digest))
        prev = digest
    if rows:
        if session.autoflush:  # as the ORM insert did: pending objects first
            session.flush()
        insert_rows(session.connection(), ChangeLog.__table__, LOG_COLUMNS, rows)
        session.info["audit_tail"] = prev
    return len(rows)


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed, as (old values, new values)."""
    changed = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in changed}, {k: new[k] for k in changed}


def log_insert(session: Session, ctx: Ctx, table: str, record_id: int | None, values: dict[str, Any], **kw) -> None:
    log_many(session, [make_entry(ctx, "insert", table, record_id=record_id, new=values, **kw)])


def log_update(
    session: Session, ctx: Ctx, table: str, record_id: int | None, old: dict[str, Any], new: dict[str, Any], **kw
) -> bool:
    """Log the fields that changed; False (nothing logged) when none did."""
    before, after = diff(old, new)
    if not after:
        return False
    log_many(session, [make_entry(ctx, "update", table, record_id=record_id, old=before, new=after, **kw)])
    return True


def log_delete(session: Session, ctx: Ctx, table: str, record_id: int | None, values: dict[str, Any], **kw) -> None:
    log_many(session, [make_entry(ctx, "delete", table, record_id=record_id, old=values, **kw)])


def verify_chain(session: Session) -> list[str]:
    """Problems with the change log: an edited, deleted or inserted row breaks the chain."""
    from sqlalchemy import text

    problems: list[str] = []
    prev = GENESIS
    prev_id = 0
    rows = session.connection().execute(
        text(
            "SELECT id, at, by, command, action, table_name, record_id, record_key, project_code,"
            " fields, old, new, prev_hash, hash FROM change_log ORDER BY id"
        )
    )
    for row in rows.mappings():
        row = dict(row)
        at = row["at"]
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        row["at"] = at
        if row["prev_hash"] != prev:
            problems.append(
                f"change log entry {row['id']} does not follow entry {prev_id}: "
                "an entry was deleted or the chain was rewritten"
            )
        elif entry_hash(prev, row) != row["hash"]:
            problems.append(f"change log entry {row['id']} was edited after it was written")
        prev = row["hash"]
        prev_id = row["id"]
    return problems


LOG_FILTERS = {"project": ("project_code", ("项目编号", "project code")), "by": ("by", ("经办人", "person")),
               "table": ("table_name", ("表", "table"))}


def check_log_filters(session: Session, **typed: str | None) -> dict[str, str | None]:
    """`list_changes`' filters in their spelling: a code or a person the log holds (a code once used stays
    known), a table of the registry; anything else is an `errors.UnknownName` offering the nearest ones."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from projects_cli.store.models import ChangeLog
    from projects_cli.values import clean_text, resolve_name

    out: dict[str, str | None] = {}
    for key, value in typed.items():
        column, what = LOG_FILTERS[key]
        if value and clean_text(value):
            if key == "table":
                known = sorted(SQLModel.metadata.tables)
            else:
                known = [v for v in session.connection().execute(select(ChangeLog.__table__.c[column]).distinct()).scalars() if v]
            value = resolve_name(value, known, what)
        out[key] = value
    return out


def list_changes(
    session: Session, *, project: str | None = None, by: str | None = None, table: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The change log, newest first, filtered by project code, actor or table."""
    from sqlalchemy import select

    from projects_cli.store.models import ChangeLog

    c = ChangeLog.__table__.c
    query = select(c.id, c.at, c.by, c.command, c.action, c.table_name, c.record_key, c.project_code, c.fields, c.old, c.new)
    if project:
        query = query.where(c.project_code == project.strip())
    if by:
        query = query.where(c.by == by.strip())
    if table:
        query = query.where(c.table_name == table.strip())
    query = query.order_by(c.id.desc())
    if limit:
        query = query.limit(limit)
    rows = []
    for r in session.connection().execute(query).mappings():
        row = dict(r)
        row["old"] = json.loads(row["old"]) if row["old"] else None
        row["new"] = json.loads(row["new"]) if row["new"] else None
        at = row["at"]
        if isinstance(at, datetime):
            row["at"] = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        rows.append(row)
    return rows
