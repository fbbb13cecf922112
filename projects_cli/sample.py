"""The sample registry: every project of the 14th Five-Year Plan's columns (专栏).

`data/plan_projects.csv` holds the plan's facts as the plan states them, one
row per project (a project the plan lists in two columns is one row with both
columns and a note). `projects init --sample` loads it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlmodel import Session

from projects_cli import registry
from projects_cli.audit import Ctx
from projects_cli.errors import InvalidValue
from projects_cli.ledger.columns import field_for, variants
from projects_cli.settings import resource_dir

PLAN_FILE = "plan_projects.csv"
# Columns of the plan file that are evidence, not registry fields.
EVIDENCE = {"规划原文投资", "序号"}


def plan_file() -> Path:
    return resource_dir("data") / PLAN_FILE


def read_plan(path: Path | None = None) -> list[dict[str, Any]]:
    """The plan's projects as field → text, in the plan's order."""
    table = variants()
    with open(path or plan_file(), encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = {h: field_for(h, table) for h in reader.fieldnames or [] if h not in EVIDENCE}
        return [{f: row[h] for h, f in fields.items() if f and row[h] != ""} for row in reader]


def load_plan(session: Session, ctx: Ctx) -> int:
    """Add every plan project to an empty registry; returns how many were added."""
    existing = registry.count_projects(session)
    if existing:
        raise InvalidValue(
            f"the registry already holds {existing} projects; --sample loads the plan into an empty database only"
        )
    rows = read_plan()
    for row in rows:
        registry.add_project(session, ctx, row)
    return len(rows)
