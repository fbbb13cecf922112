"""Archiving (归档), restoring and removing projects, and what refers to a record.

An archived project is out of every report and listing from the day it was
archived (the command's as-of date; `facts.asof.archived_ids`), stays in the
change log and in reports for earlier dates, and can be restored. A project is
removed (删除) only when archived and when nothing refers to it (problems,
cards, issued documents, dispatched ledgers): `refusal` names what does. Its
own rows (milestones and their plans, investment figures and plans, progress
reports, the kept earlier values) go with it, each logged (`delete_project`,
which `undo` of an added project uses too).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Text, cast, delete, func, select
from sqlmodel import Session, SQLModel

from projects_cli.errors import IllegalMove, InvalidValue
from projects_cli.i18n import N_, _
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import (
    Dispatch,
    InvestmentPlan,
    InvestmentReport,
    Milestone,
    MilestonePlan,
    MilestoneRevision,
    Project,
    ProjectArchive,
    Sheet,
    Unit,
)
from projects_cli.values import clean_text

TABLE = "project_archive"
# The tables a project's own rows are in (they go with it); every other row that refers to it blocks a removal.
OWNED = ("milestone", "investment_report", "investment_revision", "investment_plan", "progress_report",
         "project_revision", "project_archive", "ledger_fingerprint")
LABELS = {"issue": N_("问题记录"), "card": N_("红黄蓝牌"), "sheet": N_("已发文件"), "dispatch": N_("派工单"), "project": N_("项目记录"),
          "issue_helper": N_("问题的配合单位"), "flag_score": N_("流动红旗评分")}


def references(session: Session, table: str, record_id: int, *, owned: tuple[str, ...] = ()) -> dict[str, int]:
    """Per table, how many rows refer to row `record_id` of `table` by a foreign key (tables in `owned` left
    out); tables with none are not listed. Read from the models' foreign keys, so a new table is counted too."""
    conn = session.connection()
    out: dict[str, int] = {}
    for other in SQLModel.metadata.sorted_tables:
        if other.name in owned:
            continue
        for fk in other.foreign_keys:
            if fk.column.table.name == table:
                count = conn.execute(select(func.count()).select_from(other).where(fk.parent == record_id)).scalar()
                if count:
                    out[other.name] = out.get(other.name, 0) + count
    return out


def _naming(session: Session, code: str) -> dict[str, int]:
    """Rows that name a project by its code in their stored data: issued documents (their data), dispatches."""
    conn = session.connection()
    quoted = f'%"{code}"%'
    out = {}
    for name, column in (("sheet", Sheet.__table__.c.context), ("dispatch", Dispatch.__table__.c.fingerprints)):
        count = conn.execute(select(func.count()).where(cast(column, Text).like(quoted))).scalar()
        if count:
            out[name] = count
    return out


def referring(session: Session, project: Project) -> dict[str, int]:
    """What refers to a project beyond its own rows: problems, cards, documents and dispatches naming it."""
    found = references(session, "project", project.id, owned=OWNED)
    for name, count in _naming(session, project.code).items():
        found[name] = found.get(name, 0) + count
    return found


def refusal(found: dict[str, int]) -> str:
    """What refers to a record, in words: 问题记录 2 条、红黄蓝牌 3 条."""
    return _("、").join(_("{what} {count} 条").format(what=_(LABELS.get(name, name)), count=count)
                       for name, count in sorted(found.items()))


def open_archive(session: Session, project: Project) -> ProjectArchive | None:
    """The project's archive not restored yet, if it is archived."""
    return session.scalars(select(ProjectArchive).where(ProjectArchive.project_id == project.id,
                                                        ProjectArchive.restored_on.is_(None))).first()


def archive_project(session: Session, ctx: Ctx, code: str, reason: str | None) -> ProjectArchive:
    """`project archive`: out of every report and listing from `ctx.as_of` on, with the reason and who archived it."""
    project = registry.get_project(session, code)
    reason = clean_text(reason)
    if not reason:
        raise InvalidValue(_("归档 {code} 需要说明原因（--reason）").format(code=project.code))
    held = open_archive(session, project)
    if held is not None:
        raise IllegalMove(_("{code} 已于 {day} 归档（{reason}）；恢复请用 projects project restore {code}").format(
            code=project.code, day=held.archived_on.isoformat(), reason=held.reason))
    if project.recorded_on is not None and ctx.as_of < project.recorded_on:
        raise InvalidValue(_("{code} 是 {recorded} 才录入的，不能在此之前的 {day} 归档（请检查 --as-of）").format(
            code=project.code, recorded=project.recorded_on.isoformat(), day=ctx.as_of.isoformat()))
    row = ProjectArchive(project_id=project.id, archived_on=ctx.as_of, reason=reason, by=ctx.by, at=ctx.now)
    session.add(row)
    session.flush()
    changelog.log_insert(session, ctx, TABLE, row.id, {"archived_on": ctx.as_of, "reason": reason},
                         key=project.code, project_code=project.code)
    return row


def restore_project(session: Session, ctx: Ctx, code: str) -> ProjectArchive:
    """`project restore`: an archived project is back in reports and listings from `ctx.as_of` on."""
    project = registry.get_project(session, code)
    held = open_archive(session, project)
    if held is None:
        raise IllegalMove(_("{code} 没有归档，无需恢复").format(code=project.code))
    if ctx.as_of < held.archived_on:
        raise InvalidValue(_("{code} 于 {archived} 归档，不能在此之前的 {day} 恢复（请检查 --as-of）").format(
            code=project.code, archived=held.archived_on.isoformat(), day=ctx.as_of.isoformat()))
    held.restored_on, held.restored_by = ctx.as_of, ctx.by
    session.flush()
    changelog.log_update(session, ctx, TABLE, held.id, {"restored_on": None}, {"restored_on": ctx.as_of},
                         key=project.code, project_code=project.code)
    return held


def archives(session: Session, project: Project) -> list[dict[str, Any]]:
    """A project's archives, oldest first: archived_on, reason, by, restored_on."""
    rows = session.scalars(select(ProjectArchive).where(ProjectArchive.project_id == project.id)
                           .order_by(ProjectArchive.archived_on, ProjectArchive.id))
    return [{"archived_on": r.archived_on, "reason": r.reason, "by": r.by, "restored_on": r.restored_on} for r in rows]


def remove_project(session: Session, ctx: Ctx, code: str) -> dict[str, Any]:
    """`project remove`: an archived project that nothing refers to is deleted with its own rows (logged).
    Returns its values as logged."""
    project = registry.get_project(session, code)
    if open_archive(session, project) is None:
        raise IllegalMove(_("{code} 没有归档，不能删除；先归档：projects project archive {code} --reason …").format(
            code=project.code))
    found = referring(session, project)
    if found:
        raise IllegalMove(_("{code} 仍被引用，不能删除：{refs}").format(code=project.code, refs=refusal(found)))
    return delete_project(session, ctx, project)


def project_entry(session: Session, project: Project) -> dict[str, Any]:
    """A project's values as its change-log entry names them (`registry.created_entry`)."""
    unit = session.get(Unit, project.unit_id).name if project.unit_id else None
    return registry.created_entry(registry.project_values(project), unit)


def delete_project(session: Session, ctx: Ctx, project: Project) -> dict[str, Any]:
    """Delete a project and its own rows (`OWNED`), logging each milestone, figure and plan and the project."""
    from projects_cli.store.models import InvestmentRevision, LedgerFingerprint, ProgressReport, ProjectRevision

    session.flush()
    conn = session.connection()
    code, pid = project.code, project.id
    entries = []
    m, mp = Milestone.__table__.c, MilestonePlan.__table__.c
    mids = select(m.id).where(m.project_id == pid)
    for row in conn.execute(select(Milestone.__table__).where(m.project_id == pid).order_by(m.seq)).mappings():
        old = {k: row[k] for k in ("kind", "baseline_date", "planned_date", "actual_date") if row[k] is not None}
        entries.append(changelog.make_entry(ctx, "delete", "milestone", record_id=row["id"], key=f"{code}:{row['kind']}",
                                            project_code=code, old=old))
    for row in conn.execute(select(InvestmentReport.__table__).where(
            InvestmentReport.__table__.c.project_id == pid).order_by(InvestmentReport.__table__.c.month)).mappings():
        entries.append(changelog.make_entry(ctx, "delete", "investment_report", record_id=row["id"],
                                            key=f"{code}:{row['month']}", project_code=code,
                                            old={"amount": row["amount"], "source": row["source"]}))
    for row in conn.execute(select(InvestmentPlan.__table__).where(
            InvestmentPlan.__table__.c.project_id == pid).order_by(InvestmentPlan.__table__.c.year)).mappings():
        entries.append(changelog.make_entry(ctx, "delete", "investment_plan", record_id=pid, key=f"{code}:{row['year']}",
                                            project_code=code, old={"amount": row["amount"]}))
    logged = project_entry(session, project)
    entries.append(changelog.make_entry(ctx, "delete", "project", record_id=pid, key=code, project_code=code, old=logged))
    conn.execute(delete(MilestonePlan.__table__).where(mp.milestone_id.in_(mids)))
    conn.execute(delete(MilestoneRevision.__table__).where(MilestoneRevision.__table__.c.milestone_id.in_(mids)))
    for table in (Milestone, InvestmentReport, InvestmentRevision, InvestmentPlan, ProgressReport, ProjectRevision,
                  ProjectArchive, LedgerFingerprint):
        conn.execute(delete(table.__table__).where(table.__table__.c.project_id == pid))
    session.expunge(project)
    conn.execute(delete(Project.__table__).where(Project.__table__.c.id == pid))
    changelog.log_many(session, entries)
    return logged


def archived_on(session: Session, as_of: date) -> list[dict[str, Any]]:
    """The projects archived on `as_of`, by code: code, name, archived_on, reason, by."""
    from projects_cli.facts.asof import archive_holds

    p, a = Project.__table__.c, ProjectArchive.__table__.c
    query = (select(p.code, p.name, a.archived_on, a.reason, a.by)
             .join_from(ProjectArchive.__table__, Project.__table__, p.id == a.project_id)
             .where(archive_holds(as_of)).order_by(p.code))
    return [dict(r) for r in session.connection().execute(query).mappings()]
