"""`projects project archive / restore / remove`: a project out of the reports (归档), back again, or deleted."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common

app = typer.Typer(no_args_is_help=True, help="A project's life in the registry (项目归档): archive, restore, remove.")

YES = Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (for scripts); without a terminal it is needed.")]
CODE = Annotated[str, typer.Argument(help="Project code (项目编号), e.g. GX-0004.")]


@app.command()
def archive(
    ctx: typer.Context,
    code: CODE,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (归档原因), e.g. 项目终止.")] = None,
    yes: YES = False,
) -> None:
    """Archive a project (归档): from the as-of date on it is out of every report and listing; it stays in the
    change log and in reports for earlier dates, and `project restore` brings it back.

    Example: projects --as-of 2025-11-01 project archive GX-0004 --reason 项目终止 --yes
    """
    from projects_cli.services import archive as service
    from projects_cli.services import registry

    with common.session(ctx) as session:
        project = registry.get_project(session, code)
        day = common.settings(ctx).today.isoformat()
        row = service.archive_project(session, common.actor(ctx), project.code, reason)
        common.confirm_danger(f"将归档 {project.code}“{project.name}”：自 {day} 起不再出现在报表和清单中，"
                              f"原因：{row.reason}（will archive it from {day}）", yes=yes,
                              question="确定归档吗 (archive)?", what=("归档", "archiving"))
    common.note(f"已归档 {project.code}（archived from {day}）；恢复：projects project restore {project.code}")


@app.command()
def restore(ctx: typer.Context, code: CODE) -> None:
    """Restore an archived project (恢复归档): back in reports and listings from the as-of date on.

    Example: projects --as-of 2025-12-01 project restore GX-0004
    """
    from projects_cli.services import archive as service

    with common.session(ctx) as session:
        row = service.restore_project(session, common.actor(ctx), code)
        day = row.restored_on.isoformat()
    common.note(f"已恢复 {code.strip()}（restored from {day}；归档于 {row.archived_on.isoformat()}）")


@app.command()
def remove(ctx: typer.Context, code: CODE, yes: YES = False) -> None:
    """Remove an archived project (删除项目) that nothing refers to (problems, cards, issued documents, dispatched
    ledgers: the refusal names them), with its milestones, investment figures and plans; each is logged.

    Example: projects project remove GX-0052 --yes
    """
    from projects_cli.services import archive as service
    from projects_cli.services import registry

    with common.session(ctx) as session:
        project = registry.get_project(session, code)
        name, wanted = project.name, project.code
        service.remove_project(session, common.actor(ctx), wanted)
        common.confirm_danger(f"将删除 {wanted}“{name}”及其节点、投资数据（will delete it and its own rows）；"
                              "变更记录中仍保留其全部记录", yes=yes, question="确定删除吗 (remove)?",
                              what=("删除项目", "removing a project"))
    common.note(f"已删除 {wanted}（removed）")
