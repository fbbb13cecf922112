"""Undo (撤销): a change-log entry's reverse applied as a new, logged change through the usual write paths.

`undo_entries` takes log entries (by id, a command's `run`, or the acting
person's last command: `select_entries`) and reverses them newest first, each
through the service that made it — a project's fields through
`registry.edit_project` (so reports for earlier dates keep the old values), a
milestone's dates through `milestones.set_planned` / `set_actual`, a month's
figure through `investment.write_months`, an annual plan through
`registry.write_plans`, an added project through `archive.delete_project`.
Each entry undone gets a `revert` row in the log (table change_log, the
entry's id), so it is never undone twice. An entry is refused, and nothing
at all is undone, when a later change depends on it: the field was changed
again since, a milestone added or re-planned has been done since, a problem
has moved on, a project added is referred to or changed since, a document
number was issued or voided (numbers are never taken back).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from sqlalchemy import delete, func, select
from sqlmodel import Session

from projects_cli.errors import IllegalMove, InvalidValue, NotFound
from projects_cli.i18n import _
from projects_cli.services import archive, investment, milestones, registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx, to_jsonable
from projects_cli.store.models import (
    MILESTONE_KINDS,
    ChangeLog,
    InvestmentReport,
    InvestmentRevision,
    Issue,
    IssueEvent,
    IssueHelper,
    Meeting,
    MeetingDecision,
    MeetingUnit,
    Milestone,
    MilestonePlan,
    MilestoneRevision,
    ProgressReport,
    Project,
    ProjectArchive,
    ProjectRevision,
    Sheet,
    Unit,
)
from projects_cli.vocab import BY_KEY, IssueEventType, IssueState

REVERT = "revert"  # the action of the row that marks an entry undone (table change_log, record_id: the entry's id)
MARK_TABLE = "change_log"
UNDO_COMMANDS = ("undo", "log revert")
MOST = 100_000  # entries one undo takes


class Refused(IllegalMove):
    """An entry that cannot be undone, with the reason."""


@dataclass
class Entry:
    """One change-log row, its old and new values read from JSON."""

    id: int
    at: datetime
    by: str
    command: str
    action: str
    table_name: str
    record_id: int | None
    record_key: str | None
    project_code: str | None
    old: dict[str, Any]
    new: dict[str, Any]
    run: str | None

    def title(self) -> str:
        return _("第 {id} 条（{command} · {table} {key}）").format(
            id=self.id, command=self.command or "—", table=self.table_name, key=self.record_key or "").replace(" ）", "）")


_COLUMNS = ("id", "at", "by", "command", "action", "table_name", "record_id", "record_key", "project_code", "old", "new",
            "run")


def _load(session: Session, where) -> list[Entry]:
    c = ChangeLog.__table__.c
    rows = session.connection().execute(select(*(c[k] for k in _COLUMNS)).where(where).order_by(c.id))
    out = []
    for row in rows.mappings():
        values = dict(row)
        values["old"] = json.loads(values["old"]) if values["old"] else {}
        values["new"] = json.loads(values["new"]) if values["new"] else {}
        out.append(Entry(**values))
    return out


# ---------------------------------------------------------------- which entries


def parse_ids(items: Iterable[str]) -> list[int]:
    """Log ids as typed: 1041, 1041-1050 (a range, both ends included), also 1041,1042."""
    out: list[int] = []
    for item in items:
        for part in str(item).replace("，", ",").split(","):
            part = part.strip().lstrip("#")
            if not part:
                continue
            first, dash, last = part.partition("-")
            try:
                lo, hi = int(first), int(last) if dash else int(first)
            except ValueError:
                raise InvalidValue(_("“{part}”不是变更记录的序号：写作 1041 或 1041-1050").format(part=part)) from None
            if lo <= 0 or hi < lo:
                raise InvalidValue(_("“{part}”不是有效的序号范围：写作 1041-1050").format(part=part))
            if hi - lo >= MOST:
                raise InvalidValue(_("“{part}”多于 {most} 条").format(part=part, most=MOST))
            out.extend(range(lo, hi + 1))
    return sorted(set(out))


def _group(session: Session, entry: Entry) -> list[int]:
    """The ids of the command `entry` belongs to: its run, or (rows from before runs) the same person,
    command and time."""
    c = ChangeLog.__table__.c
    where = c.run == entry.run if entry.run else (c.run.is_(None) & (c.by == entry.by) & (c.command == entry.command)
                                                  & (c.at == entry.at))
    return list(session.connection().execute(select(c.id).where(where).order_by(c.id)).scalars())


def _undone(session: Session, ids: list[int]) -> dict[int, int]:
    """Entry id → the id of the row that marked it undone, for those of `ids` already undone."""
    c = ChangeLog.__table__.c
    out: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        query = select(c.record_id, c.id).where(c.action == REVERT, c.record_id.in_(ids[start:start + 900]))
        out.update(session.connection().execute(query).all())
    return out


def select_entries(session: Session, *, ids: Iterable[int] = (), run: str | None = None,
                   last_by: str | None = None) -> list[int]:
    """The entries to undo: the ids given (each must be in the log), every row of a command (`run`, as `log`
    shows it, or `#ID`: the command of entry ID — rows from before runs by person, command and time), or
    `last_by`'s last command not undone yet (undo's own commands aside)."""
    c = ChangeLog.__table__.c
    conn = session.connection()
    wanted = sorted(set(ids))
    if run is not None and run.strip().startswith("#"):  # #1041: the command that entry belongs to (older rows too)
        try:
            of = int(run.strip()[1:])
        except ValueError:
            raise InvalidValue(_("--run {run}：写作命令号（3f9a0b12c4）或 #序号（#1041）").format(run=run)) from None
        found = _load(session, c.id == of)
        if not found:
            raise NotFound(_("变更记录中没有第 {id} 条").format(id=of))
        wanted += _group(session, found[0])
    elif run is not None:
        run = run.strip()
        wanted += list(conn.execute(select(c.id).where(c.run == run)).scalars())
        if not wanted:
            raise NotFound(_("变更记录中没有命令 {run!r}；`projects log` 的“命令号”一栏列出各命令").format(run=run))
    if last_by is not None:
        found = None
        if conn.dialect.name == "postgresql":  # who acted is the login there (--by is only 代录 beside it)
            last_by = conn.execute(select(func.session_user())).scalar()
        query = (select(c.id).where(c.by == last_by, c.action != REVERT, c.command.not_in(UNDO_COMMANDS))
                 .order_by(c.id.desc()))
        for (row_id,) in conn.execute(query):
            group = _group(session, _load(session, c.id == row_id)[0])
            if len(_undone(session, group)) < len(group):
                found = group
                break
        if found is None:
            raise NotFound(_("{by} 没有可撤销的命令").format(by=last_by))
        wanted += found
    if not wanted:
        raise InvalidValue(_("请给出要撤销的变更记录：序号（1041 或 1041-1050）、--run 命令号 或 --last"))
    wanted = sorted(set(wanted))
    held = set()
    for start in range(0, len(wanted), 900):
        held.update(conn.execute(select(c.id).where(c.id.in_(wanted[start:start + 900]))).scalars())
    missing = [i for i in wanted if i not in held]
    if missing:
        last = conn.execute(select(func.max(c.id))).scalar() or 0
        raise NotFound(_("变更记录中没有第 {id} 条（现有 1 … {last}）").format(id=missing[0], last=last))
    return wanted


# ---------------------------------------------------------------- the plan


@dataclass
class Step:
    """One entry's reverse: what it does, in words, and the function that does it."""

    entry: Entry
    text: str
    apply: Callable[[], None] | None  # None: undone with another entry (a plan row with its milestone)


def _text(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    return str(value)


def _changes(entry: Entry, keys: Iterable[str]) -> str:
    from projects_cli.services.changes import DATE_LABELS

    def label(key: str) -> str:
        return BY_KEY[key].label if key in BY_KEY else _(DATE_LABELS.get(key, key))

    return _("，").join(_("{field} {new} → {old}").format(field=label(k), new=_text(entry.new.get(k)), old=_text(entry.old.get(k)))
                        for k in keys)


def _later(session: Session, entry: Entry, taken: set[int], *, project: bool = False) -> Entry | None:
    """The first later entry on the same record (or, `project`, on the same project) that is not being undone
    now, not undone already and not written by an undo."""
    c = ChangeLog.__table__.c
    same = (c.project_code == entry.project_code) if project else (
        (c.table_name == entry.table_name) & (c.record_id == entry.record_id))
    undone = select(c.record_id).where(c.action == REVERT, c.record_id.is_not(None))
    query = (select(c.id).where(c.id > entry.id, same, c.action != REVERT, c.command.not_in(UNDO_COMMANDS),
                                c.id.not_in(undone)).order_by(c.id))
    for (row_id,) in session.connection().execute(query):
        if row_id not in taken:
            return _load(session, c.id == row_id)[0]
    return None


def _since(later: Entry | None) -> str:
    return _("（见第 {id} 条 {command}）").format(id=later.id, command=later.command) if later is not None else ""


def _same(now: Any, logged: Any) -> bool:
    return to_jsonable(now) == logged


class Planner:
    """Builds each entry's `Step`, checking that nothing later depends on it (`entries`: newest first)."""

    def __init__(self, session: Session, ctx: Ctx, entries: list[Entry]):
        self.session, self.ctx = session, ctx
        self.entries = entries  # newest first: the order they are reversed in
        self.taken = {e.id for e in entries}

    def refuse(self, entry: Entry, reason: str) -> Refused:
        return Refused(_("{title}不能撤销：{reason}；未撤销任何变更").format(title=entry.title(), reason=reason))

    def step(self, entry: Entry) -> Step:
        if self._taken_with_decision(entry):
            return Step(entry, _("问题 {key} 的这一步随议定事项一并撤销").format(key=entry.record_key), None)
        handler = getattr(self, f"_{entry.table_name}_{entry.action}", None)
        if handler is None:
            raise self.refuse(entry, self._why_not(entry))
        return handler(entry)

    def _why_not(self, entry: Entry) -> str:
        if entry.action == REVERT:
            return _("这是一条撤销记录；要恢复原状，请再改一次")
        if entry.table_name == "sheet":
            return _("文号已发出或已作废，文号不收回；作废请用 projects sheet void")
        if entry.table_name in ("card", "flag_score"):
            return _("评定结果不撤销：请重新评定（projects cards rate / cards set / flag）")
        if entry.table_name in ("issue", "issue_event"):
            return _("问题 {number} 的提报与此后的办理须分别撤销，先撤销后面的步骤").format(number=entry.record_key)
        if entry.table_name == "dispatch":
            return _("派工单已发出，不撤销")
        if entry.action == "delete":
            return _("删除的记录不恢复（变更记录中保留其原值）")
        return _("不支持撤销对 {table} 的{action}").format(table=entry.table_name, action=entry.action)

    # -------------------------------------------------------- projects

    def _project(self, entry: Entry) -> Project:
        project = self.session.get(Project, entry.record_id) if entry.record_id else None
        if project is None:
            raise self.refuse(entry, _("项目 {code} 已不存在").format(code=entry.record_key))
        return project

    def _project_update(self, entry: Entry) -> Step:
        project = self._project(entry)
        keys = [k for k in entry.new if k in registry.COLUMNS or k == "unit"]
        now = archive.project_entry(self.session, project)
        for key in keys:
            if not _same(now.get(key), entry.new.get(key)):
                raise self.refuse(entry, _("{field}此后又改为 {value}{since}").format(
                    field=BY_KEY[key].zh, value=_text(to_jsonable(now.get(key))),
                    since=_since(_later(self.session, entry, self.taken))))
        raw = {k: "" if entry.old.get(k) is None else entry.old[k] for k in keys}

        def apply() -> None:
            registry.edit_project(self.session, self.ctx, project.code, raw, allow_duplicate_name=True)

        return Step(entry, _("{code} 改回：{changes}").format(code=project.code, changes=_changes(entry, keys)), apply if keys else None)

    def _project_insert(self, entry: Entry) -> Step:
        project = self._project(entry)
        found = archive.referring(self.session, project)
        if found:
            raise self.refuse(entry, _("{code} 此后已被引用：{refs}").format(code=project.code, refs=archive.refusal(found)))
        later = _later(self.session, entry, self.taken, project=True)
        if later is not None:
            raise self.refuse(entry, _("{code} 此后又有变更{since}；请一并撤销或先撤销它").format(code=project.code, since=_since(later)))
        return Step(entry, _("删除新增的项目 {code}“{name}”及其节点、投资数据").format(code=project.code, name=project.name),
                    lambda: archive.delete_project(self.session, self.ctx, project))

    def _unit_insert(self, entry: Entry) -> Step:
        unit = self.session.get(Unit, entry.record_id) if entry.record_id else None
        if unit is None:
            raise self.refuse(entry, _("单位 {name} 已不存在").format(name=entry.record_key))
        found = archive.references(self.session, "unit", unit.id)
        kept = self.session.connection().execute(select(func.count()).select_from(ProjectRevision).where(
            ProjectRevision.field == "unit_id", ProjectRevision.value == str(unit.id))).scalar()
        if kept:
            found["project_revision"] = kept
        later = _later(self.session, entry, self.taken)
        if found or later is not None:
            what = archive.refusal(found) if found else _("此后又有变更{since}").format(since=_since(later))
            raise self.refuse(entry, _("单位“{name}”此后已被引用：{what}").format(name=unit.name, what=what))

        def apply() -> None:
            self.session.expunge(unit)
            self.session.connection().execute(delete(Unit.__table__).where(Unit.__table__.c.id == unit.id))
            changelog.log_delete(self.session, self.ctx, "unit", unit.id, {"name": unit.name}, key=unit.name)

        return Step(entry, _("删除新增的单位“{name}”").format(name=unit.name), apply)

    def _lead_update(self, entry: Entry) -> Step:
        """A lead's fields (`lead edit`) put back as they were, and an assignment's unit and person (`lead assign`)
        through `assign_lead` (the assignment stays on record); a stage move or a follow-up date is not undone."""
        from projects_cli.services import leads
        from projects_cli.store.models import Lead

        lead = self.session.get(Lead, entry.record_id) if entry.record_id else None
        if lead is None:
            raise self.refuse(entry, _("线索 {code} 已不存在").format(code=entry.record_key))
        keys = list(entry.new)
        if "stage" in keys:
            raise self.refuse(entry, _("线索阶段变更不撤销，请再用 projects lead move {code} … 改回").format(code=lead.code))
        if "next_on" in keys:
            raise self.refuse(entry, _("下次跟进日期已派出，不撤销，请用 projects lead assign {code} --next … 重新安排").format(
                code=lead.code))
        unit = self.session.get(Unit, lead.unit_id).name if lead.unit_id else None
        now = {**{k: getattr(lead, k) for k in (*leads.TEXT_FIELDS, *leads.AMOUNT_COLUMNS)}, "unit": unit}
        for key in keys:
            if not _same(now.get(key), entry.new.get(key)):
                raise self.refuse(entry, _("{field}此后又改为 {value}{since}").format(
                    field=_(leads.LABELS.get(key, key)), value=_text(to_jsonable(now.get(key))),
                    since=_since(_later(self.session, entry, self.taken))))
        direct = {k: entry.old.get(k) for k in keys if k not in ("unit", "person")}
        for key in ("amount", "rate", "amount_wan"):
            if direct.get(key) is not None:
                direct[key] = Decimal(str(direct[key]))
        assigned = {k: entry.old.get(k) for k in keys if k in ("unit", "person")}
        words = _("，").join(_("{field} {new} → {old}").format(field=_(leads.LABELS.get(k, k)), new=_text(entry.new.get(k)),
                                                               old=_text(entry.old.get(k))) for k in keys)

        def apply() -> None:
            leads.set_fields(self.session, self.ctx, lead, direct)
            if assigned:
                leads.assign_lead(self.session, self.ctx, lead.code, unit=assigned.get("unit", unit) or "",
                                  person=assigned.get("person", lead.person) or "")

        return Step(entry, _("{code} 改回：{changes}").format(code=lead.code, changes=words), apply)

    def _project_archive_insert(self, entry: Entry) -> Step:
        row = self.session.get(ProjectArchive, entry.record_id)
        if row is None or row.restored_on is not None:
            raise self.refuse(entry, _("{code} 此后已恢复{since}").format(code=entry.record_key,
                                                                   since=_since(_later(self.session, entry, self.taken))))
        return Step(entry, _("恢复归档的项目 {key}").format(key=entry.record_key),
                    lambda: archive.restore_project(self.session, self.ctx, entry.record_key))

    def _project_archive_update(self, entry: Entry) -> Step:
        row = self.session.get(ProjectArchive, entry.record_id)
        if row is None:
            raise self.refuse(entry, _("{code} 的归档记录已不存在").format(code=entry.record_key))
        project = self._project_of(entry)
        if archive.open_archive(self.session, project) is not None:
            raise self.refuse(entry, _("{code} 此后又已归档").format(code=project.code))
        return Step(entry, _("重新归档 {code}（原因：{reason}）").format(code=project.code, reason=row.reason),
                    lambda: archive.archive_project(self.session, self.ctx, project.code, row.reason))

    def _project_of(self, entry: Entry) -> Project:
        project = self.session.scalars(select(Project).where(Project.code == entry.project_code)).first()
        if project is None:
            raise self.refuse(entry, _("项目 {code} 已不存在").format(code=entry.project_code))
        return project

    # -------------------------------------------------------- milestones

    def _milestone(self, entry: Entry) -> Milestone:
        found = self.session.scalars(select(Milestone).where(Milestone.id == entry.record_id)
                                     .execution_options(populate_existing=True)).first()
        if found is None:
            raise self.refuse(entry, _("节点 {key} 已不存在").format(key=entry.record_key))
        return found

    def _changed_dates(self, entry: Entry, milestone: Milestone, keys: Iterable[str]) -> None:
        from projects_cli.services.changes import DATE_LABELS

        for key in keys:
            if not _same(getattr(milestone, key), entry.new.get(key)):
                now = getattr(milestone, key)
                later = _since(_later(self.session, entry, self.taken))
                if key == "actual_date" and now is not None:
                    raise self.refuse(entry, _("节点此后已记实际完成 {day}{since}").format(
                        day=_text(to_jsonable(now)), since=later))
                raise self.refuse(entry, _("{field}此后又改为 {value}{since}").format(
                    field=DATE_LABELS[key], value=_text(to_jsonable(now)), since=later))

    def _milestone_insert(self, entry: Entry) -> Step:
        m = self._milestone(entry)
        later = _later(self.session, entry, self.taken)
        if later is not None and "actual_date" in later.new:
            raise self.refuse(entry, _("节点此后已记实际完成 {day}{since}").format(
                day=_text(later.new["actual_date"]), since=_since(later)))
        self._changed_dates(entry, m, ("baseline_date", "planned_date", "actual_date"))
        if later is not None:
            raise self.refuse(entry, _("节点此后又有变更{since}；请一并撤销").format(since=_since(later)))

        def apply() -> None:
            conn = self.session.connection()
            plans = list(conn.execute(select(MilestonePlan.__table__).where(
                MilestonePlan.__table__.c.milestone_id == m.id).order_by(MilestonePlan.__table__.c.id)).mappings())
            entries = [changelog.make_entry(self.ctx, "delete", milestones.PLAN_TABLE, record_id=p["id"],
                                            key=entry.record_key, project_code=entry.project_code,
                                            old={"kind": m.kind, "planned_date": p["planned_date"], "on": p["on"],
                                                 "reason": p["reason"]}) for p in plans]
            old = {k: getattr(m, k) for k in ("kind", "baseline_date", "planned_date", "actual_date")
                   if getattr(m, k) is not None}
            entries.append(changelog.make_entry(self.ctx, "delete", milestones.TABLE, record_id=m.id,
                                                key=entry.record_key, project_code=entry.project_code, old=old))
            conn.execute(delete(MilestonePlan.__table__).where(MilestonePlan.__table__.c.milestone_id == m.id))
            conn.execute(delete(MilestoneRevision.__table__).where(MilestoneRevision.__table__.c.milestone_id == m.id))
            self.session.expunge(m)
            conn.execute(delete(Milestone.__table__).where(Milestone.__table__.c.id == m.id))
            self._touch(m.project_id)
            changelog.log_many(self.session, entries)

        return Step(entry, _("删除新增的节点 {key}").format(key=entry.record_key), apply)

    def _touch(self, project_id: int) -> None:
        project = self.session.get(Project, project_id)
        project.version += 1
        project.updated_at = self.ctx.now
        self.session.flush()

    def _milestone_update(self, entry: Entry) -> Step:
        m = self._milestone(entry)
        keys = [k for k in ("baseline_date", "planned_date", "actual_date") if k in entry.new]
        self._changed_dates(entry, m, keys)
        project = self.session.get(Project, m.project_id)
        kinds = tuple(dict.fromkeys((*MILESTONE_KINDS, m.kind)))
        old_planned = entry.old.get("planned_date")
        if "planned_date" in entry.new:
            if old_planned is None:
                raise self.refuse(entry, _("这是该节点的第一个计划（基准计划），撤销后节点将没有计划；请用 milestone replan 改期"))
        later = _later(self.session, entry, self.taken)
        if later is not None:
            if "actual_date" in later.new:
                raise self.refuse(entry, _("节点此后已记实际完成 {day}{since}").format(
                    day=_text(later.new["actual_date"]), since=_since(later)))
            raise self.refuse(entry, _("节点此后又有变更{since}；请一并撤销").format(since=_since(later)))

        def apply() -> None:
            if "actual_date" in entry.new:
                old = entry.old.get("actual_date")
                milestones.set_actual(self.session, self.ctx, project, m.kind,
                                      date.fromisoformat(old) if old else None, kinds=kinds)
            if "planned_date" in entry.new:
                milestones.set_planned(self.session, self.ctx, project, m.kind, date.fromisoformat(old_planned),
                                       f"撤销第 {entry.id} 条（undo）", kinds=kinds)

        return Step(entry, _("节点 {key} 改回：{changes}").format(key=entry.record_key, changes=_changes(entry, keys)), apply)

    def _milestone_plan_insert(self, entry: Entry) -> Step:
        return Step(entry, _("节点 {key} 的计划记录随节点一并撤销").format(key=entry.record_key), None)

    # -------------------------------------------------------- investment

    def _investment_report_insert(self, entry: Entry) -> Step:
        report = self.session.get(InvestmentReport, entry.record_id)
        if report is None:
            raise self.refuse(entry, _("{code} 的投资数据已不存在").format(code=entry.record_key))
        if not _same(Decimal(report.amount), entry.new.get("amount")):
            raise self.refuse(entry, _("此后已改为 {amount} 万元{since}").format(
                amount=changelog.decimal_text(Decimal(report.amount)), since=_since(_later(self.session, entry, self.taken))))

        def apply() -> None:
            conn = self.session.connection()
            if report.recorded_on != self.ctx.as_of:  # reports for the dates it was on record still read it
                conn.execute(InvestmentRevision.__table__.insert(), [{
                    "project_id": report.project_id, "month": report.month, "amount": report.amount,
                    "recorded_on": report.recorded_on, "replaced_on": self.ctx.as_of}])
            self.session.expunge(report)
            conn.execute(delete(InvestmentReport.__table__).where(InvestmentReport.__table__.c.id == report.id))
            changelog.log_delete(self.session, self.ctx, investment.TABLE, report.id,
                                 {"amount": report.amount, "source": report.source}, key=entry.record_key,
                                 project_code=entry.project_code)
            self._touch(report.project_id)

        return Step(entry, _("删除 {key} 的完成投资 {amount} 万元").format(key=entry.record_key, amount=entry.new.get('amount')), apply)

    def _investment_report_update(self, entry: Entry) -> Step:
        report = self.session.get(InvestmentReport, entry.record_id)
        if report is None:
            raise self.refuse(entry, _("{code} 的投资数据已不存在").format(code=entry.record_key))
        self.session.refresh(report)
        if not _same(Decimal(report.amount), entry.new.get("amount")):
            raise self.refuse(entry, _("此后已改为 {amount} 万元{since}").format(
                amount=changelog.decimal_text(Decimal(report.amount)), since=_since(_later(self.session, entry, self.taken))))
        amount = Decimal(entry.old["amount"])
        source = entry.old["source"] if "source" in entry.old else report.source
        code = entry.project_code or ""

        def apply() -> None:
            investment.write_months(self.session, self.ctx, report.month, [investment.MonthWrite(
                report.project_id, code, report.id, (Decimal(report.amount), report.source), amount)], source)
            self._touch(report.project_id)

        return Step(entry, _("{key} 完成投资改回：{amount} → {old} 万元").format(key=entry.record_key, amount=entry.new.get('amount'), old=entry.old['amount']), apply)

    def _investment_plan(self, entry: Entry) -> Step:
        project = self._project(entry)
        year = int(str(entry.record_key).rsplit(":", 1)[1])
        now = registry.annual_plan(self.session, project, year)
        if not _same(now, entry.new.get("amount")):
            raise self.refuse(entry, _("{year} 年计划投资此后已改为 {amount} 万元{since}").format(
                year=year, amount=_text(to_jsonable(now)), since=_since(_later(self.session, entry, self.taken))))
        target = Decimal(entry.old["amount"]) if entry.old.get("amount") is not None else None

        def apply() -> None:
            registry.write_plans(self.session, self.ctx, year,
                                 [registry.PlanWrite(project.id, project.code, now, target)])

        return Step(entry, _("{code} {year} 年计划投资改回：{new} → {old} 万元").format(
            code=project.code, year=year, new=_text(entry.new.get("amount")), old=_text(entry.old.get("amount"))), apply)

    _investment_plan_insert = _investment_plan_update = _investment_plan_delete = _investment_plan

    def _progress_report_insert(self, entry: Entry) -> Step:
        row = self.session.get(ProgressReport, entry.record_id)
        if row is None:
            raise self.refuse(entry, _("该进度报告已不存在"))

        def apply() -> None:
            self.session.expunge(row)
            self.session.connection().execute(delete(ProgressReport.__table__).where(
                ProgressReport.__table__.c.id == row.id))
            changelog.log_delete(self.session, self.ctx, "progress_report", row.id, entry.new,
                                 key=entry.record_key, project_code=entry.project_code)

        return Step(entry, _("删除 {key} 的进度报告（{day}）").format(key=entry.record_key, day=row.on.isoformat()), apply)

    # -------------------------------------------------------- problems

    def _issue_insert(self, entry: Entry) -> Step:
        issue = self.session.get(Issue, entry.record_id)
        if issue is None:
            raise self.refuse(entry, _("问题 {number} 已不存在").format(number=entry.record_key))
        conn = self.session.connection()
        events = conn.execute(select(IssueEvent.__table__.c.type).where(
            IssueEvent.__table__.c.issue_id == issue.id).order_by(IssueEvent.__table__.c.id)).scalars().all()
        if events != ["report"]:
            raise self.refuse(entry, _("问题 {number} 此后已有办理（{steps}）").format(number=issue.number, steps=_("、").join(events[1:])))
        sheets = conn.execute(select(func.count()).select_from(Sheet).where(Sheet.ref == issue.number)).scalar()
        if sheets:
            raise self.refuse(entry, _("问题 {number} 已发过督办单 {n} 份").format(number=issue.number, n=sheets))

        return Step(entry, _("删除新提报的问题 {number}“{title}”（编号不再使用）").format(number=issue.number, title=issue.title),
                    lambda: self._drop_issue(issue, entry.new, entry.project_code))

    def _drop_issue(self, issue: Issue, logged: dict[str, Any], project_code: str | None) -> None:
        """Delete a problem with its helpers and history (its number is not given again), logged with `logged`."""
        conn = self.session.connection()
        for table, column in ((IssueHelper, IssueHelper.__table__.c.issue_id),
                              (IssueEvent, IssueEvent.__table__.c.issue_id)):
            conn.execute(delete(table.__table__).where(column == issue.id))
        entry = changelog.make_entry(self.ctx, "delete", "issue", record_id=issue.id, key=issue.number,
                                     project_code=project_code, old=logged)
        self.session.expunge(issue)
        conn.execute(delete(Issue.__table__).where(Issue.__table__.c.id == issue.id))
        changelog.log_many(self.session, [entry])

    def _issue_event_insert(self, entry: Entry) -> Step:
        if entry.new.get("type") == "report":
            return Step(entry, _("问题 {key} 的提报记录随问题一并撤销").format(key=entry.record_key), None)
        return self._issue_step(entry)

    def _issue_update(self, entry: Entry) -> Step:
        return self._issue_step(entry)

    def _issue_step(self, entry: Entry) -> Step:
        """A problem's step (accept, assign, respond, escalate …, a sweep's move of it): every entry the command
        wrote for the problem is undone at once, by the newest of them (`issues.revert_step`)."""
        group = [e for e in self.entries if e.record_key == entry.record_key and _same_command(e, entry)
                 and e.table_name in ("issue", "issue_event")]
        if entry.id != max(e.id for e in group):
            return Step(entry, _("问题 {key} 的这一步随第 {with_entry} 条一并撤销").format(key=entry.record_key, with_entry=max(e.id for e in group)), None)
        if any(e.table_name == "issue" and e.action == "insert" for e in group):
            raise self.refuse(entry, self._why_not(entry))
        events = [e for e in group if e.table_name == "issue_event"]
        if not events:
            raise self.refuse(entry, _("找不到这一步的办理记录"))
        old: dict[str, Any] = {}
        for e in sorted(group, key=lambda e: e.id):
            if e.table_name == "issue":
                for key, value in e.old.items():
                    old.setdefault(key, value)
        steps = "、".join(e.new.get("type", "") for e in sorted(events, key=lambda e: e.id))
        first = min(e.id for e in group)

        def apply() -> None:
            from projects_cli.services import issues

            try:
                issues.revert_step(self.session, self.ctx, str(entry.record_key), max(e.record_id for e in events), old,
                                   f"撤销第 {first} 条（{entry.command}）", undone=self._undone_events(entry),
                                   step_events=[e.record_id for e in events])
            except IllegalMove as exc:
                raise self.refuse(entry, str(exc)) from None

        from projects_cli.services.changes import ISSUE_LABELS

        changed = _("，").join(f"{_(ISSUE_LABELS.get(k, k))} {_text(_(IssueState(v).zh) if k == 'state' and v else v)}"
                              for k, v in old.items()) or _("无字段变化")
        return Step(entry, _("问题 {key} 撤销这一步（{steps}），改回：{changed}").format(key=entry.record_key, steps=steps, changed=changed), apply)

    # -------------------------------------------------------- meetings

    def _taken_with_decision(self, entry: Entry) -> bool:
        """A problem's entry written by the `meeting decide` that made the problem: undone with the decision."""
        return entry.table_name in ("issue", "issue_event") and any(
            e.table_name == "meeting_decision" and e.action == "insert" and not e.new.get("attached")
            and e.new.get("issue") == entry.record_key and _same_command(e, entry) for e in self.entries)

    def _minutes_issued(self, entry: Entry, number: str) -> None:
        sheets = self.session.connection().execute(select(Sheet.number).where(
            Sheet.kind == "minutes", Sheet.ref == number, Sheet.voided_on.is_(None)).order_by(Sheet.id)).scalars().all()
        if sheets:
            raise self.refuse(entry, _("会议 {number} 的纪要已发文（{sheets}），文号不收回；请先作废纪要：projects sheet void").format(
                number=number, sheets="、".join(sheets)))

    def _meeting_insert(self, entry: Entry) -> Step:
        meeting = self.session.get(Meeting, entry.record_id) if entry.record_id else None
        if meeting is None:
            raise self.refuse(entry, _("会议 {number} 已不存在").format(number=entry.record_key))
        decided = self.session.connection().execute(select(func.count()).select_from(MeetingDecision).where(
            MeetingDecision.meeting_id == meeting.id)).scalar()
        if decided:
            raise self.refuse(entry, _("会议 {number} 已有议定事项 {n} 项，请先撤销").format(number=meeting.number, n=decided))
        self._minutes_issued(entry, meeting.number)
        c = ChangeLog.__table__.c
        undone = select(c.record_id).where(c.action == REVERT, c.record_id.is_not(None))
        later = self.session.connection().execute(select(c.id).where(
            c.id > entry.id, c.table_name == "meeting_unit", c.record_key.like(f"{meeting.number}:%"),
            c.action != REVERT, c.command.not_in(UNDO_COMMANDS), c.id.not_in(undone)).order_by(c.id)).scalars().all()
        later = [i for i in later if i not in self.taken]
        if later:
            raise self.refuse(entry, _("会议 {number} 此后已登记参会情况（见第 {id} 条）；请一并撤销").format(
                number=meeting.number, id=later[0]))

        def apply() -> None:
            from projects_cli.services import meetings

            meetings.delete_meeting(self.session, self.ctx, meeting)

        return Step(entry, _("删除新增的会议 {number}“{title}”（编号不再使用）").format(number=meeting.number, title=meeting.title), apply)

    def _meeting_unit_insert(self, entry: Entry) -> Step:
        if any(e.table_name == "meeting" and e.action == "insert" and _same_command(e, entry) for e in self.entries):
            return Step(entry, _("参会单位 {key} 随会议一并撤销").format(key=entry.record_key), None)
        row = self.session.get(MeetingUnit, entry.record_id) if entry.record_id else None
        if row is None:
            raise self.refuse(entry, _("参会单位 {key} 已不存在").format(key=entry.record_key))
        later = _later(self.session, entry, self.taken)
        if later is not None:
            raise self.refuse(entry, _("{key} 此后又有变更{since}；请一并撤销").format(key=entry.record_key, since=_since(later)))

        def apply() -> None:
            self.session.delete(row)
            self.session.flush()
            changelog.log_delete(self.session, self.ctx, "meeting_unit", row.id, entry.new, key=entry.record_key)

        return Step(entry, _("删除参会登记 {key}").format(key=entry.record_key), apply)

    def _meeting_unit_update(self, entry: Entry) -> Step:
        row = self.session.get(MeetingUnit, entry.record_id) if entry.record_id else None
        if row is None:
            raise self.refuse(entry, _("参会单位 {key} 已不存在").format(key=entry.record_key))
        later = _later(self.session, entry, self.taken)
        if later is not None:
            raise self.refuse(entry, _("{key} 此后又有变更{since}；请一并撤销").format(key=entry.record_key, since=_since(later)))
        keys = [k for k in ("attendance", "deputy", "note") if k in entry.new]

        def apply() -> None:
            old = {k: getattr(row, k) for k in keys}
            for k in keys:
                setattr(row, k, entry.old.get(k))
            self.session.flush()
            changelog.log_update(self.session, self.ctx, "meeting_unit", row.id, old,
                                 {k: entry.old.get(k) for k in keys}, key=entry.record_key)

        return Step(entry, _("参会情况 {key} 改回：{changes}").format(key=entry.record_key, changes=_changes(entry, keys)), apply)

    def _meeting_decision_insert(self, entry: Entry) -> Step:
        row = self.session.get(MeetingDecision, entry.record_id) if entry.record_id else None
        if row is None:
            raise self.refuse(entry, _("议定事项 {key} 已不存在").format(key=entry.record_key))
        meeting = self.session.get(Meeting, row.meeting_id)
        self._minutes_issued(entry, meeting.number)
        issue = self.session.get(Issue, row.issue_id)
        conn = self.session.connection()
        if not row.attached:
            e = IssueEvent.__table__.c
            events = conn.execute(select(e.id, e.type, e.data).where(e.issue_id == issue.id).order_by(e.id)).all()
            reverted = {step for _, kind, data in events if kind == REVERT for step in (data or {}).get("undoes", [])}
            steps = [kind for event_id, kind, _ in events if kind != REVERT and event_id not in reverted]
            if steps != ["report", "accept", "assign"]:
                raise self.refuse(entry, _("议定事项所跟踪的问题 {number} 此后已有办理（{steps}）；请先撤销这些步骤").format(
                    number=issue.number, steps=_("、").join(_(IssueEventType(k).zh) if k in IssueEventType.values() else k
                                                           for k in steps[3:])))
            sheets = conn.execute(select(func.count()).select_from(Sheet).where(Sheet.ref == issue.number)).scalar()
            if sheets:
                raise self.refuse(entry, _("问题 {number} 已发过交办单/督办单 {sheets} 份").format(number=issue.number, sheets=sheets))
        others = [r for r in conn.execute(select(MeetingDecision.__table__.c.id).where(
            MeetingDecision.__table__.c.issue_id == issue.id, MeetingDecision.__table__.c.id != row.id)).scalars()]
        if not row.attached and others:
            raise self.refuse(entry, _("问题 {number} 此后又被其他议定事项引用").format(number=issue.number))

        def apply() -> None:
            self.session.delete(row)
            self.session.flush()
            changelog.log_delete(self.session, self.ctx, "meeting_decision", row.id, entry.new, key=entry.record_key,
                                 project_code=entry.project_code)
            if not row.attached:
                logged = self._load_issue_insert(entry, issue.number)
                self._drop_issue(issue, logged, entry.project_code)

        what = (_("及其跟踪的问题 {number}") if not row.attached else _("（问题 {number} 上的会商与交办另行撤销）")).format(
            number=issue.number)
        return Step(entry, _("删除议定事项 {key}“{text}”{what}").format(key=entry.record_key, text=row.text, what=what), apply)

    def _load_issue_insert(self, entry: Entry, number: str) -> dict[str, Any]:
        """What the problem's insert entry logged (for the deletion's entry), else the number alone."""
        c = ChangeLog.__table__.c
        found = _load(self.session, (c.table_name == "issue") & (c.action == "insert") & (c.record_key == number))
        return found[0].new if found else {"number": number}


    def _undone_events(self, entry: Entry) -> set[int]:
        """Ids of the problem's events whose steps were undone already (their log entries marked)."""
        c = ChangeLog.__table__.c
        marked = select(c.record_id).where(c.action == REVERT)
        return set(self.session.connection().execute(select(c.record_id).where(
            c.table_name == "issue_event", c.action == "insert", c.record_key == entry.record_key,
            c.id.in_(marked))).scalars())


def _same_command(a: Entry, b: Entry) -> bool:
    return a.run == b.run if a.run or b.run else (a.by, a.command, a.at) == (b.by, b.command, b.at)


def _siblings(session: Session, entries: list[Entry]) -> list[Entry]:
    """The entries that are undone with one given: a milestone's plan row with its milestone, a problem's report
    event with the problem (the row just before it, of the same command and record)."""
    c = ChangeLog.__table__.c
    have = {e.id for e in entries}
    extra = []
    for e in entries:
        if e.action == "insert" and e.table_name in ("meeting", "meeting_decision"):
            # a meeting with the units asked to it; a decision with the steps it made on its problem
            same = (c.run == e.run) if e.run else ((c.by == e.by) & (c.command == e.command) & (c.at == e.at))
            if e.table_name == "meeting":
                mine = (c.table_name == "meeting_unit") & c.record_key.like(f"{e.record_key}:%")
            else:
                mine = c.table_name.in_(("issue", "issue_event")) & (c.record_key == e.new.get("issue"))
            for other in _load(session, same & mine):
                if other.id not in have:
                    extra.append(other)
                    have.add(other.id)
            continue
        if e.table_name in ("issue", "issue_event") and not (e.action == "insert" and (
                e.table_name == "issue" or e.new.get("type") == "report")):
            same = (c.run == e.run) if e.run else ((c.by == e.by) & (c.command == e.command) & (c.at == e.at))
            for other in _load(session, same & (c.record_key == e.record_key) & c.table_name.in_(("issue", "issue_event"))):
                if other.id not in have:
                    extra.append(other)
                    have.add(other.id)
            continue
        pair = {"milestone_plan": "milestone", "issue_event": "issue"}.get(e.table_name)
        if pair is None or (e.table_name == "issue_event" and e.new.get("type") != "report"):
            continue
        same_command = (c.run == e.run) if e.run else ((c.command == e.command) & (c.at == e.at))
        found = _load(session, (c.id < e.id) & (c.table_name == pair) & (c.record_key == e.record_key) & same_command
                      & (c.id >= e.id - 3))
        if found and found[-1].id not in have:
            extra.append(found[-1])
            have.add(found[-1].id)
    return extra


def plan_undo(session: Session, ctx: Ctx, ids: list[int]) -> Planner:
    c = ChangeLog.__table__.c
    entries: list[Entry] = []
    for start in range(0, len(ids), 900):
        entries += _load(session, c.id.in_(ids[start:start + 900]))
    entries += _siblings(session, entries)
    done = _undone(session, [e.id for e in entries])
    if done:
        first = min(done)
        raise Refused(_("第 {id} 条已撤销过（见第 {by} 条）；未撤销任何变更").format(id=first, by=done[first]))
    return Planner(session, ctx, sorted(entries, key=lambda e: -e.id))


def undo_entries(session: Session, ctx: Ctx, ids: list[int]) -> list[str]:
    """Undo the entries `ids` (with the rows undone with them), newest first, each checked just before it is
    reversed; one `revert` row per entry. Returns what was done, a line per entry, oldest first. Raises
    `Refused` (and the caller's transaction undoes everything) when any cannot be undone.

    Example: undo_entries(session, ctx, [1041, 1042])
    """
    planner = plan_undo(session, ctx, ids)
    lines = []
    for entry in planner.entries:
        step = planner.step(entry)
        if step.apply is not None:
            step.apply()
        lines.append(_("撤销第 {id} 条（{command}）：{text}").format(id=entry.id, command=entry.command or '—', text=step.text))
    changelog.log_many(session, [
        changelog.make_entry(ctx, REVERT, MARK_TABLE, record_id=e.id, key=f"#{e.id}", project_code=e.project_code,
                             new={"reverted": e.id, "command": e.command})
        for e in sorted(planner.entries, key=lambda e: e.id)])
    return lines[::-1]


def undone_ids(session: Session) -> set[int]:
    """Every entry undone so far."""
    c = ChangeLog.__table__.c
    return set(session.connection().execute(select(c.record_id).where(c.action == REVERT)).scalars())

