"""`projects leader …`: the leaders in charge (包保领导) — list, add, rename, merge."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.cli.unit import On
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format

app = typer.Typer(help="Leaders in charge (包保领导): title and phone, renames and merges kept in the projects' history.",
                  no_args_is_help=True)

LIST_COLUMNS = (("name", N_("包保领导")), ("title", N_("职务")), ("phone", N_("电话")), ("projects", N_("项目数")),
                ("former_names", N_("曾用名")), ("registered", N_("已登记")), ("retired_on", N_("撤并日期")), ("merged_into", N_("并入")))
Leader = Annotated[str, typer.Argument(help="The leader's name (姓名), e.g. 张三.")]


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also the leaders merged into another.")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """List the leaders (包保领导) with their projects: the ones the office keeps and the names projects carry.

    Example: projects leader list --format json
    """
    from projects_cli.listings.output import render, shown_columns
    from projects_cli.services import leaders

    with common.session(ctx, write=False) as session:
        rows = leaders.list_leaders(session, retired=all_)
    common.out(render(rows, fmt, shown_columns(LIST_COLUMNS if all_ else LIST_COLUMNS[:-2], fmt)))
    if fmt == Format.table:
        common.note(_("共 {n} 位包保领导").format(n=len(rows)))


@app.command()
def add(ctx: typer.Context, name: Leader,
        title: Annotated[Optional[str], typer.Option("--title", help="Title (职务), e.g. 副区长.")] = None,
        phone: Annotated[Optional[str], typer.Option("--phone", help="Phone (电话).")] = None) -> None:
    """Keep a leader (登记包保领导) with title and phone.

    Example: projects leader add 张三 --title 副区长 --phone 0531-87654321
    """
    from projects_cli.services import leaders

    with common.session(ctx) as session:
        leaders.add_leader(session, common.actor(ctx), name, title=title, phone=phone)
    common.note(_("已添加 {name}").format(name=name))


@app.command()
def rename(ctx: typer.Context, old: Annotated[str, typer.Argument(help="The name now (现姓名).")],
           new: Annotated[str, typer.Argument(help="The new name (新姓名).")], on: On = None) -> None:
    """Rename a leader from a date (更正姓名) on every project: reports for earlier dates keep the old name,
    imports still find the leader by it.

    Example: projects --as-of 2026-01-01 leader rename 张伟 张玮
    """
    from projects_cli.services import leaders

    with common.session(ctx) as session:
        codes = leaders.rename_leader(session, common.actor(ctx), old, new, on)
    common.note(_("已更名 {old} → {new}，涉及 {n} 个项目").format(old=old, new=new, n=len(codes)))


@app.command()
def merge(ctx: typer.Context, a: Annotated[str, typer.Argument(help="The leader whose projects go (移交的领导).")],
          b: Annotated[str, typer.Argument(help="The leader who takes them (接手的领导).")], on: On = None) -> None:
    """Hand leader A's projects to leader B from a date (包保调整): reports for earlier dates keep A; A is retired
    and A's name finds B in imports.

    Example: projects --as-of 2026-01-01 leader merge 刘洋 陈静
    """
    from projects_cli.services import leaders

    with common.session(ctx) as session:
        codes = leaders.merge_leaders(session, common.actor(ctx), a, b, on)
    common.note(_("已将 {a} 并入 {b}，涉及 {n} 个项目").format(a=a, b=b, n=len(codes)))
