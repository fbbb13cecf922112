"""`projects project archive / restore / remove`: a project out of the reports (归档), back again, or deleted."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import _

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
        common.confirm_danger(_("将归档 {code}“{name}”：自 {day} 起不再出现在报表和清单中，原因：{reason}").format(
            code=project.code, name=project.name, day=day, reason=row.reason), yes=yes,
            question=_("确定归档吗？"), what=(_("归档"), "archiving"))
    common.note(_("已归档 {code}（自 {day} 起）；恢复：projects project restore {code}").format(code=project.code, day=day))


@app.command()
def restore(ctx: typer.Context, code: CODE) -> None:
    """Restore an archived project (恢复归档): back in reports and listings from the as-of date on.

    Example: projects --as-of 2025-12-01 project restore GX-0004
    """
    from projects_cli.services import archive as service

    with common.session(ctx) as session:
        row = service.restore_project(session, common.actor(ctx), code)
        day = row.restored_on.isoformat()
    common.note(_("已恢复 {code}（自 {day} 起；归档于 {archived}）").format(code=code.strip(), day=day, archived=row.archived_on.isoformat()))


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
        common.confirm_danger(_("将删除 {code}“{name}”及其节点、投资数据；变更记录中仍保留其全部记录").format(
            code=wanted, name=name), yes=yes, question=_("确定删除吗？"), what=(_("删除项目"), "removing a project"))
    common.note(_("已删除 {code}").format(code=wanted))
