"""What may be written to a text column, derived from the models: its length, and no control characters.

PostgreSQL refuses text longer than its column (`StringDataRightTruncation`)
and any NUL (`DataError`); SQLite stores either silently. So every write path
checks the same rules before the database sees a value, on both engines: the
ORM's flush (`before_flush`, installed for every session) and the bulk
writers in `store.db` (`check_columns`). A value that breaks one is an
`InvalidValue` naming the field and its limit::

    issue.category（问题类别）最长 50 个字符，这个有 61 个（issue.category holds at most 50 characters, not 61）

Text that a person types or a ledger holds is checked earlier, where the
error can name the option or the cell (`values.text_problem`, used by
`services.registry.clean_value`); this is the floor under every path.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import String, event
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from projects_cli.errors import InvalidValue
from projects_cli.i18n import _
from projects_cli.store import models  # noqa: F401 - the tables must be defined before LENGTHS is built
from projects_cli.values import text_problem

# (table, column) → the longest text it holds; None for unbounded text (sa_type=Text).
LENGTHS: dict[tuple[str, str], int | None] = {
    (table.name, column.name): getattr(column.type, "length", None)
    for table in SQLModel.metadata.sorted_tables
    for column in table.columns
    if isinstance(getattr(column.type, "impl", column.type), String)  # sqlmodel's AutoString wraps a String
}
# Names and codes: zero-width and bidi-control characters refused too (a look-alike second project).
NAMES = {
    ("unit", "name"), ("project", "code"), ("project", "name"), ("project", "owner"), ("project", "leader"),
    ("issue", "number"), ("sheet", "number"), ("sheet", "recipient"), ("change_log", "by"), ("change_log", "record_key"),
    ("change_log", "on_behalf"), ("milestone_plan", "by"), ("issue_event", "actor"), ("card", "set_by"), ("sheet", "by"), ("dispatch", "by"),
}
# What a person would call the fields they type (the rest are named by table.column alone).
LABELS = {
    ("unit", "name"): "单位名称", ("issue", "title"): "问题标题", ("issue", "category"): "问题类别",
    ("issue", "urgency"): "紧急程度", ("change_log", "by"): "操作人 --by", ("change_log", "on_behalf"): "代录 --by", ("issue_event", "actor"): "操作人 --by",
    ("milestone_plan", "by"): "操作人 --by", ("card", "set_by"): "操作人 --by", ("sheet", "by"): "操作人 --by",
    ("dispatch", "by"): "操作人 --by", ("change_log", "record_key"): "变更记录的键（单位名称、编号）",
    ("sheet", "recipient"): "收件单位", ("progress_report", "progress"): "形象进度",
}


def longest(table: str, column: str) -> int | None:
    """The longest text a column holds (None: unbounded or not text)."""
    return LENGTHS.get((table, column))


def field_name(table: str, column: str) -> str:
    label = LABELS.get((table, column))
    return f"{table}.{column}（{label}）" if label else f"{table}.{column}"


def check_value(table: str, column: str, value: Any) -> None:
    """Refuse a value the column cannot hold; anything but text passes."""
    if type(value) is not str or (table, column) not in LENGTHS:
        return
    limit = LENGTHS[(table, column)]
    if limit is not None and len(value) > limit:
        raise InvalidValue(_("{field} 最长 {limit} 个字符，这个有 {length:,} 个").format(
            field=field_name(table, column), limit=limit, length=len(value)))
    if not value.isprintable():
        problem = text_problem(value, name=(table, column) in NAMES, lines=limit is None)
        if problem:
            raise InvalidValue(f"{field_name(table, column)} {problem}")


def check_columns(table: str, columns: Mapping[str, Sequence[Any]]) -> None:
    """`check_value` for whole columns about to be bulk-written, at C speed for the common clean column."""
    for name, values in columns.items():
        if (table, name) not in LENGTHS:
            continue
        limit = LENGTHS[(table, name)]
        try:  # a column of texts and blanks (None, ""), the usual, is checked without a Python loop
            if "".join(filter(None, values)).isprintable() and (
                    limit is None or max(map(len, filter(None, values)), default=0) <= limit):
                continue
        except TypeError:  # something else than text among them: its texts are checked below
            pass
        texts = [v for v in values if type(v) is str]
        if not texts:
            continue
        if (limit is None or max(map(len, texts)) <= limit) and "".join(texts).isprintable():
            continue
        for value in texts:
            check_value(table, name, value)


def check_row(table: str, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        check_value(table, name, value)


def _objects(session: Session) -> Iterable[Any]:
    yield from session.new
    yield from session.dirty


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in _objects(session):
        table = getattr(obj, "__tablename__", None)
        if table is None:
            continue
        for (name, column), _limit in _TEXT_COLUMNS.get(table, ()):
            check_value(name, column, getattr(obj, column, None))


_TEXT_COLUMNS: dict[str, list[tuple[tuple[str, str], int | None]]] = {}
for (_table, _column), _limit in LENGTHS.items():
    _TEXT_COLUMNS.setdefault(_table, []).append(((_table, _column), _limit))

if not event.contains(Session, "before_flush", _before_flush):
    event.listen(Session, "before_flush", _before_flush)
