"""`projects db check`: is the registry sound? Integrity, schema at head, orphan rows, the change log's chain and signatures."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, TypeVar

from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

import projects_cli.store.models  # noqa: F401  (registers the tables)
from projects_cli.i18n import _
from projects_cli.store import changelog, db

T = TypeVar("T")


def orphan_queries() -> list[tuple[str, str]]:
    """(description, SQL counting rows whose foreign key points at nothing), from the models' own foreign keys."""
    out = []
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            col, ref = fk.parent, fk.column
            sql = (
                f"SELECT count(*) FROM {table.name} t WHERE t.{col.name} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {ref.table.name} r WHERE r.{ref.name} = t.{col.name})"
            )
            out.append((f"{table.name}.{col.name} → {ref.table.name}", sql))
    return out


@dataclass
class Report:
    """What `check` found: problems (an empty list means the registry is sound) and lines to say beside them."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    log: changelog.LogReport | None = None


def check(session: Session, *, expect: tuple[int, str, str] | None = None, location: str | None = None,
          accept_head: bool = False) -> Report:
    """Every problem found, in words, and the change log's head (`changelog.verify_log` for the options).

    Each part runs on its own (in a savepoint): a part that cannot run on this
    file (a dropped table, a row the change log cannot read, a page SQLite
    cannot read) is reported as a problem and the other parts still run.
    """
    conn = session.connection()
    report = Report()
    problems = report.problems
    if conn.dialect.name == "sqlite":
        result = _part(session, problems, _("完整性"),
                       lambda: [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()])
        if result is not None and result != ["ok"]:
            problems.extend(_("完整性：{line}").format(line=line) for line in result)
    current = _part(session, problems, _("数据库版本"), lambda: db.current_revision(conn))
    head = db.head_revision()
    if current != head:
        problems.append(_("数据库版本是 {current}，本程序需要 {head}：请运行 projects db upgrade").format(
            current=current or _("（无）"), head=head))
        return report
    present = set(_part(session, problems, _("表"), lambda: inspect(conn).get_table_names()) or ())
    missing = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in present]
    problems.extend(_("缺少表 {name}").format(name=name) for name in missing)
    if conn.dialect.name == "postgresql":  # unit scope is PostgreSQL's own: the policies must be there and on
        from projects_cli.store.roles import check_policies

        problems.extend(_part(session, problems, _("行级安全"), lambda: check_policies(conn)) or ())
    for what, sql in orphan_queries():
        if any(name in missing for name in _tables_of(what)):
            continue
        count = _part(session, problems, _("{what} 中指向不存在记录的行").format(what=what), lambda sql=sql: conn.execute(text(sql)).scalar())
        if count:
            problems.append(_("{what} 有 {count} 行指向不存在的记录").format(what=what, count=count))
    if "change_log" not in missing:
        log = _part(session, problems, _("变更记录"), lambda: changelog.verify_log(
            session, expect=expect, location=location, accept_head=accept_head, anchored="log_anchor" not in missing))
        if log is not None:
            problems.extend(log.problems)
            report.notes.extend(log.notes)
            report.log = log
    return report


def _tables_of(what: str) -> tuple[str, str]:
    """The two tables of an orphan check's description ("table.column → other")."""
    left, right = what.split(" → ")
    return left.split(".")[0], right


def _part(session: Session, problems: list[str], what: str, run: Callable[[], T]) -> T | None:
    """`run()` in a savepoint; a failure is one problem line ("what: cannot be checked (reason)") and None."""
    try:
        with session.begin_nested():
            return run()
    except Exception as exc:  # a damaged file, a dropped table, a value the driver cannot read
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0]
        problems.append(_("{what}：无法检查（{reason}）").format(what=what, reason=reason))
        return None
