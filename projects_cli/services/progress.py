"""Site progress (形象进度) and problems as units report them, kept with their date so the history can be seen.

Each report is a `ProgressReport` row (never overwritten); the project's
`site_progress` holds the latest stage reported.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import ProgressReport, Project

TABLE = "progress_report"


def record_progress(
    session: Session, ctx: Ctx, project: Project, *, progress: str | None, problems: str | None, on: date,
    source: str | None = None, update_project: bool = True,
) -> ProgressReport:
    """Keep what a unit reported on `on`; with `update_project`, a new stage also becomes the project's
    形象进度 (logged, version bumped)."""
    report = ProgressReport(project_id=project.id, on=on, progress=progress, problems=problems,
                            source=source[:100] if source else None)
    session.add(report)
    session.flush()
    values = {k: v for k, v in {"on": on, "progress": progress, "problems": problems, "source": report.source}.items()
              if v is not None}
    changelog.log_insert(session, ctx, TABLE, report.id, values, key=project.code, project_code=project.code)
    if update_project and progress is not None and progress != project.site_progress:
        old = project.site_progress
        project.site_progress = progress
        project.version += 1
        project.updated_at = ctx.now
        session.flush()
        changelog.log_update(session, ctx, "project", project.id, {"site_progress": old}, {"site_progress": progress},
                         key=project.code, project_code=project.code)
    return report


def progress_history(session: Session, project: Project) -> list[dict[str, Any]]:
    """A project's reports, oldest first: date, stage, problems, where they came from."""
    rows = session.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project.id).order_by(ProgressReport.on, ProgressReport.id)
    )
    return [{"on": r.on, "progress": r.progress, "problems": r.problems, "source": r.source} for r in rows]
