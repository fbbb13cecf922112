"""`projects admin role …`: who may do what on a shared PostgreSQL server (logins, 角色)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import _
from projects_cli.listings.output import Format

app = typer.Typer(help="Administration (管理) of a shared PostgreSQL registry: the logins and their roles.",
                  no_args_is_help=True)
role = typer.Typer(help="Logins and their roles (登录与角色): office, staff, unit, leader — PostgreSQL only.",
                   no_args_is_help=True)
app.add_typer(role, name="role")

LIST_COLUMNS = (("login", "登录"), ("kind", "角色"), ("label", "角色名称"), ("unit", "责任单位"), ("member", "已授权"),
                ("by", "经办人"), ("at", "时间"))


class Kind(str, Enum):
    office = "office"
    staff = "staff"
    unit = "unit"
    leader = "leader"


class Reads(str, Enum):
    all = "all"
    own = "own"


Login = Annotated[str, typer.Argument(help="The PostgreSQL login (登录名), e.g. jfj_wang.")]


@role.command("add")
def add(
    ctx: typer.Context,
    login: Login,
    kind: Annotated[Kind, typer.Option("--as", help="office (督查室: everything), staff (督查室工作人员: everything but "
                                                    "the schema and the logins), unit (责任单位: its own projects), "
                                                    "leader (包保领导: reads, adds 批示).")],
    unit: Annotated[Optional[str], typer.Option("--unit", help="A unit's login: its unit (责任单位), e.g. 经济发展局.")] = None,
) -> None:
    """Give a PostgreSQL login a role (授权): creates the login (no password) when the server has none.

    Run as an office login that may create roles (CREATEROLE). The password is
    set by the administrator in PostgreSQL, never by this tool:
    ALTER ROLE jfj_wang PASSWORD '…' (or \\password jfj_wang in psql).

    Example: projects --db postgresql+psycopg://duchashi@dbhost/projects admin role add jfj_wang --as unit --unit 经济发展局
    """
    from projects_cli.services.registry import find_unit
    from projects_cli.store import changelog, roles

    if (kind == Kind.unit) != (unit is not None):
        raise typer.BadParameter(_("--unit 与 --as unit 一起用：单位的登录要指定单位，别的登录不指定"),
                                 param_hint="--unit")
    with common.session(ctx) as session:
        conn = session.connection()
        roles.require_postgres(conn)
        found = find_unit(session, unit) if unit is not None else None
        actor = common.actor(ctx)
        created, groups = roles.add_login(conn, login, kind.value, found.id if found else None, now=actor.now)
        changelog.log_insert(session, actor, "login_role", None,
                             {"login": login.strip(), "kind": kind.value, "unit": found.name if found else None},
                             key=login.strip())
    what = f"{roles.KINDS[kind.value]} {found.name}" if found else roles.KINDS[kind.value]
    common.note(f"{login} → {groups[kind.value]}（{what}）")
    if created:
        common.note(_("已新建登录 {login}，还没有密码：请在 psql 中 \\password {login}，或 ALTER ROLE {login} PASSWORD '…'").format(
            login=login))


@role.command("list")
def list_cmd(ctx: typer.Context, fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
             ) -> None:
    """List the logins with a role in this registry (登录与角色), and whether PostgreSQL still grants it.

    On SQLite there are none: the file's permissions are the access control.

    Example: projects admin role list
    """
    from projects_cli.listings.output import render
    from projects_cli.store import roles

    with common.session(ctx, write=False) as session:
        conn = session.connection()
        if conn.dialect.name != "postgresql":
            common.note(roles.SQLITE_HINT)
            return
        rows = [{"login": r.login, "kind": r.kind, "label": roles.KINDS[r.kind], "unit": r.unit,
                 "member": "是" if r.member else "否（已被收回 revoked）", "by": r.by, "at": r.at}
                for r in roles.list_logins(conn)]
    common.out(render(rows, fmt, LIST_COLUMNS))


@role.command("remove")
def remove(ctx: typer.Context, login: Login) -> None:
    """Take a login's role away (收回授权); the login itself stays, for the server's administrator to drop.

    Example: projects --db postgresql+psycopg://duchashi@dbhost/projects admin role remove jfj_wang
    """
    from projects_cli.store import changelog, roles

    with common.session(ctx) as session:
        conn = session.connection()
        roles.remove_login(conn, login.strip())
        changelog.log_delete(session, common.actor(ctx), "login_role", None, {"login": login.strip()}, key=login.strip())
    common.note(_("已收回 {login} 的角色；删除登录本身：DROP ROLE {login}").format(login=login))


@role.command("scope")
def scope(
    ctx: typer.Context,
    unit_reads: Annotated[Optional[Reads], typer.Option(
        "--unit-reads", help="What unit logins may read: all (every project, the default) or own (only the projects "
                             "they answer for, their unit's and those whose problems they lead or help with, and what "
                             "hangs off them: milestones, investment, problems, returns, leads, their change log).")
    ] = None,
) -> None:
    """Show or set what unit logins may read (单位可读范围); PostgreSQL enforces it.

    Without --unit-reads it prints the choice in force. Leaders, staff and the
    office read everything; every unit reads the units, the leaders and the
    config whatever the choice. Run as an office login (the tables' owner).

    Example: projects --db postgresql+psycopg://duchashi@dbhost/projects admin role scope --unit-reads own
    """
    from projects_cli.store import changelog, roles

    with common.session(ctx, write=unit_reads is not None) as session:
        conn = session.connection()
        roles.require_postgres(conn)
        if unit_reads is None:
            reads = roles.unit_reads(conn)
        else:
            reads = unit_reads.value
            before = roles.set_unit_reads(conn, reads, now=common.actor(ctx).now)
            if before != reads:
                changelog.log_update(session, common.actor(ctx), "role_scope", None, {"reads": before}, {"reads": reads},
                                     key="unit")
    common.out(_("单位的登录可读：所有项目（all）") if reads == "all" else
               _("单位的登录可读：本单位的项目和本单位牵头或配合办理问题的项目，及其节点、投资、问题、台账回收、招商线索和变更记录（own）"))
