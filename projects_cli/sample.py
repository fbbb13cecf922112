"""The sample registry: every project of the 14th Five-Year Plan's columns (专栏).

`data/plan_projects.csv` holds the plan's facts as the plan states them, one
row per project (a project the plan lists in two columns is one row with both
columns and a note). `projects init --sample` loads it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from projects_cli.config.settings import resource_dir
from projects_cli.errors import InvalidValue
from projects_cli.services import registry
from projects_cli.store.changelog import Ctx

PLAN_FILE = "plan_projects.csv"
# The plan's own date (the 14th Five-Year Plan, 2021–2025): the ledger reader's year for undated lines.
PLAN_DATE = date(2021, 12, 31)


def plan_file() -> Path:
    return resource_dir("data") / PLAN_FILE


def read_plan(path: Path | None = None) -> list[dict[str, Any]]:
    """The plan's projects as typed field values, in the plan's order, read as any ledger is.

    Columns that are evidence rather than registry fields (规划原文投资, the plan's
    own words for the amount) are not read.
    """
    from projects_cli.ledger.importer import read_ledger

    return [row.values for row in read_ledger(path or plan_file(), as_of=PLAN_DATE).rows]


def load_plan(session: Session, ctx: Ctx) -> int:
    """Add every plan project to an empty registry (through the ledger importer); returns how many were added."""
    from projects_cli.ledger.importer import import_ledger

    existing = registry.count_projects(session)
    if existing:
        raise InvalidValue(
            f"the registry already holds {existing} projects; --sample loads the plan into an empty database only"
        )
    return import_ledger(session, ctx, plan_file()).added


# ---------------------------------------------------------------- the demo scenario

DEMO_FILE = "demo_scenario.toml"


def demo_file() -> Path:
    return resource_dir("data") / DEMO_FILE


def load_demo(session: Session, ctx: Ctx, path: Path | None = None) -> dict[str, int]:
    """Add the demo scenario (`data/demo_scenario.toml`) to the plan's projects; returns what was added.

    Only what the plan does not state is added (unit, leader, status, milestones,
    the year's plan and monthly investment), each write marked as demo data and
    made as of its own date; entries dated after `ctx.as_of` are left out, so
    the demo reads as it stood on the as-of date. Then the hook for problems:
    `issues.load_demo_issues` plays `data/demo_issues.toml` through the loop.
    """
    from dataclasses import replace
    from decimal import Decimal

    from projects_cli.config.settings import load_toml
    from projects_cli.rules.dates import month_end
    from projects_cli.services import investment, milestones

    path = path or demo_file()
    data = load_toml(path, "demo scenario file")
    label, year, plans_on = data["label"], int(data["year"]), data["plans_set_on"]
    ctx = replace(ctx, command=f"{ctx.command} (演示情景)".strip())
    at = lambda day: replace(ctx, as_of=day)  # noqa: E731 - each write as of its own date
    counts = dict.fromkeys(("projects", "milestones", "replans", "months", "issues"), 0)
    for index, spec in enumerate(data.get("project", []), 1):
        where = f"demo scenario file {path}, project {index}"
        try:
            project = registry.get_project(session, spec["code"])
        except KeyError as exc:
            raise InvalidValue(f"{where} lacks {exc.args[0]!r}") from None
        if project.name != spec.get("name"):
            raise InvalidValue(f"{where}: {project.code} is {project.name!r} in the registry, not {spec.get('name')!r}")
        notes = f"{project.notes}；{data['note']}" if project.notes else data["note"]
        registry.edit_project(session, ctx, project.code,
                              {"unit": spec["unit"], "leader": spec["leader"], "status": spec["status"], "notes": notes})
        counts["projects"] += 1
        if "plan" in spec:
            registry.set_annual_plan(session, at(plans_on), project.code, year, Decimal(spec["plan"]))
        for month, amount in enumerate(spec.get("completed", []), 1):
            if month_end(year, month) <= ctx.as_of:
                investment.set_month(session, at(month_end(year, month)), project, f"{year}-{month:02d}",
                                     Decimal(amount), label)
                counts["months"] += 1
        for m in spec.get("milestones", []):
            if plans_on > ctx.as_of:
                break
            milestones.set_planned(session, at(plans_on), project, m["kind"], m["planned"], label)
            counts["milestones"] += 1
            for replan in m.get("replans", []):
                if replan["on"] <= ctx.as_of:
                    milestones.set_planned(session, at(replan["on"]), project, m["kind"], replan["planned"],
                                           replan["reason"])
                    counts["replans"] += 1
            if "done" in m and m["done"] <= ctx.as_of:
                milestones.set_actual(session, at(m["done"]), project, m["kind"], m["done"])
    counts["issues"] = _load_demo_issues(session, ctx)
    return counts


def _load_demo_issues(session: Session, ctx: Ctx) -> int:
    """The hook for the demo's problems (问题): played through the issue loop by the issue workflow."""
    from projects_cli.services import issues

    return issues.load_demo_issues(session, ctx)
