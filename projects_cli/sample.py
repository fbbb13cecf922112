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

from projects_cli.config.paths import resource_dir
from projects_cli.errors import InvalidValue
from projects_cli.i18n import _
from projects_cli.services import registry
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import Project

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
            _("项目库中已有 {n} 个项目；--sample 只能把规划项目载入空数据库").format(n=existing)
        )
    added = import_ledger(session, ctx, plan_file(), create_units=True).added
    # the plan's projects are on record for every date a report may ask about (the plan is from 2021)
    session.connection().execute(Project.__table__.update().values(recorded_on=None))
    return added

