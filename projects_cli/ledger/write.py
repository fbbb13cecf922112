"""Writing a planned ledger import: every row's changes in batches of bulk inserts and updates, with the change log.

The rows other than the project's own go through the services' writers, the
ones the commands use for one project: `registry.ensure_units` (a new
责任单位), `registry.write_plans` (年度计划投资), `investment.write_months`
(the month's completed investment) and `milestones.write_dates` (开工/竣工 and
the plan history); so a change logs the same entries whichever way it came.
A project the ledger adds is logged in one entry with what was created with
it (`registry.created_entry`). New rows get their ids before they are
inserted (`db.reserve_ids`) and every insert is one executemany straight to
the driver, or one COPY on PostgreSQL (`db.insert_columns`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from projects_cli.ledger.plan import ImportResult, Planner, RowPlan
from projects_cli.ledger.read import Progress
from projects_cli.ledger.snapshot import PROJECT_KEYS
from projects_cli.services import investment, milestones, registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.db import insert_columns, reserve_ids, update_rows
from projects_cli.store.models import Project

BATCH = 2000  # rows written per round of inserts and updates
DEFAULTS = {"categories": "", "plan_columns": "", "status": "前期"}


def write_import(session: Session, ctx: Ctx, result: ImportResult, plans: list[RowPlan], planner: Planner, *,
                 progress: Progress | None = None) -> None:
    """Write what `plan.plan_import` decided, in batches of bulk inserts and updates, with the change log."""
    reg = planner.reg
    reg.unit_id.update(registry.ensure_units(session, ctx, planner.new_units))
    taken = set(reg.by_code) | {p.code for p in plans if p.code}
    fresh = [p for p in plans if p.pid is None and not p.code]
    for plan, code in zip(fresh, registry.next_codes(session, len(fresh), taken) if fresh else []):
        plan.code = code
    code_by_row = {p.row: p.code for p in plans}
    for change in result.changes:
        if change.code is None and change.row in code_by_row:
            change.code = code_by_row[change.row]
    total = len(plans)
    # a figure converted from a foreign currency is recorded with its rate: the month's in its source, the
    # annual plan's in its change-log entry (`汇率`), the project's fields in theirs (`_note_rates`)
    done_note = next((result.converted[k] for k in ("completed_ytd", "month_completed") if k in result.converted), None)
    source = result.file + (f"（{done_note}）" if done_note else "")
    plan_note = {"汇率": result.converted["annual_plan"]} if "annual_plan" in result.converted else None
    for start in range(0, total, BATCH):
        batch = plans[start:start + BATCH]
        _write_projects(session, ctx, result, planner, batch)
        for new in (True, False):  # a new project's rows are in its own entry; a project's changes each in theirs
            rows = [p for p in batch if p.is_new is new]
            plan_year, month = result.plan_year, result.completed_month
            registry.write_plans(session, ctx, plan_year, [
                registry.PlanWrite(p.pid, p.code, p.plan[0], p.plan[1]) for p in rows if p.plan is not None
            ], log=not new, note=plan_note)
            investment.write_months(session, ctx, month, [
                investment.MonthWrite(p.pid, p.code, p.report[0], p.report[1], p.report[2])
                for p in rows if p.report is not None
            ], source[:100] or None, log=not new)
        _write_earlier_months(session, ctx, batch, source[:100] or None)
        _write_milestones(session, ctx, planner, batch)
        if progress is not None:
            progress("write", min(start + BATCH, total), total)
    result.written = True


def _write_projects(session: Session, ctx: Ctx, result: ImportResult, planner: Planner, batch: list[RowPlan]) -> None:
    """The batch's projects: new ones (with the ids reserved for them), the changed ones with their version bumped
    (any change to a project's ledger row bumps it: dispatched ledgers see it), and their change-log entries."""
    conn = session.connection()
    p_table = Project.__table__
    unit_id = planner.reg.unit_id
    fresh = [p for p in batch if p.is_new]
    entries = []
    make = changelog.make_entry
    if fresh:
        for plan, pid in zip(fresh, reserve_ids(conn, p_table, len(fresh))):
            plan.pid = pid
        n = len(fresh)
        columns: dict[str, Any] = {"id": [p.pid for p in fresh]}
        for key in PROJECT_KEYS:
            default = DEFAULTS.get(key)
            columns[key] = [p.code for p in fresh] if key == "code" else [p.new.get(key, default) for p in fresh]
        columns["unit_id"] = [unit_id[p.unit] if p.unit else None for p in fresh]
        columns.update(created_at=(ctx.now,) * n, updated_at=(ctx.now,) * n, version=(1,) * n,
                       recorded_on=(ctx.as_of,) * n)
        insert_columns(conn, p_table, columns)
        year, month = result.plan_year, result.completed_month
        for plan in fresh:
            # the row's columns as inserted above: its code, its fields, the defaults for those it leaves out
            logged = registry.created_entry(
                {**DEFAULTS, **plan.new, "code": plan.code}, plan.unit, plan=(year, plan.plan[1]) if plan.plan else None,
                month=(month, plan.report[2]) if plan.report else None,
                milestones=[(kind, change.new) for kind, _mid, change in plan.milestones],
            )
            _note_rates(logged, result.converted)
            entries.append(make(ctx, "insert", "project", record_id=plan.pid, key=plan.code, project_code=plan.code,
                                new=logged))
    updates, replaced = [], []
    for plan in batch:
        if plan.is_new:
            continue
        row = {k: v for k, v in plan.new.items() if k != "unit"}
        old = dict(plan.old)
        if "unit_id" in row:
            row["unit_id"] = unit_id[plan.unit]
            old["unit_id"] = unit_id.get(plan.old["unit"]) if plan.old.get("unit") else None
        updates.append({"_id": plan.pid, **row})
        replaced += registry.replaced_values(plan.pid, old, row, ctx.as_of)
        new = {k: v for k, v in plan.new.items() if k != "unit_id"}
        if new:
            _note_rates(new, result.converted)
            entries.append(make(ctx, "update", "project", record_id=plan.pid, key=plan.code, project_code=plan.code,
                                old=plan.old, new=new))
    update_rows(conn, p_table, updates, {"version": p_table.c.version + 1, "updated_at": ctx.now})
    registry.keep_replaced(session, replaced)
    changelog.log_many(session, entries)


def _write_earlier_months(session: Session, ctx: Ctx, batch: list[RowPlan], source: str | None) -> None:
    """The months before the year to date's, from cumulative month columns (`RowPlan.months`), each logged."""
    by_month: dict[str, list[investment.MonthWrite]] = {}
    for p in batch:
        for month, rid, old, amount in p.months:
            by_month.setdefault(month, []).append(investment.MonthWrite(p.pid, p.code, rid, old, amount))
    for month in sorted(by_month):
        investment.write_months(session, ctx, month, by_month[month], source)


def _note_rates(logged: dict[str, Any], converted: dict[str, str]) -> None:
    """A change-log entry holding an amount converted from a foreign currency records the rate with it (`汇率:FIELD`)."""
    for key, note in converted.items():
        # as `registry.created_entry` names them
        prefix = "completed:" if key in ("completed_ytd", "month_completed") else f"{key}:"
        if key in logged or any(k.startswith(prefix) for k in logged):
            logged[f"汇率:{key}"] = note


def _write_milestones(session: Session, ctx: Ctx, planner: Planner, batch: list[RowPlan]) -> None:
    """开工/竣工 of the batch's projects (`milestones.write_dates`): a new project's unlogged (its entry holds them)."""
    for new in (True, False):
        milestones.write_dates(session, ctx, [
            milestones.DatesWrite(p.pid, p.code, kind, mid, change)
            for p in batch if p.is_new is new for kind, mid, change in p.milestones
        ], kinds=planner.kinds, log=not new)
