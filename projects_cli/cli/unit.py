"""`projects unit …`: the responsible units (责任单位) — list, add, edit, show, rename, merge, remove, import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format, shown_columns
from projects_cli.services.units import LIST_COLUMNS  # the import reads back what the list writes

app = typer.Typer(help="Responsible units (责任单位): contacts, renames with their history, merges (机构改革), the whole list from a file.",
                  no_args_is_help=True)

SHOW_LABELS = {**dict(LIST_COLUMNS), "names": N_("名称沿革"), "project_codes": N_("项目")}

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)]
Name = Annotated[str, typer.Argument(help="The unit's name (单位名称), e.g. 经济发展局.")]
Contact = Annotated[Optional[str], typer.Option("--contact", help="Contact person (联系人).")]
Phone = Annotated[Optional[str], typer.Option("--phone", help="Phone (电话).")]
Email = Annotated[Optional[str], typer.Option("--email", help="E-mail (邮箱), e.g. jfj@example.gov.cn.")]
Webhook = Annotated[Optional[str], typer.Option("--webhook", help="The group robot's webhook URL for reminders (企业微信/钉钉群机器人), https://…")]
On = Annotated[Optional[str], typer.Option("--on", help="The date it takes effect (生效日期), YYYY-MM-DD, not before the as-of date (to record an earlier one, run with --as-of that date). Default: the as-of date.",
                                           callback=common.date_callback)]


def _contacts(**values: Optional[str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Also the units merged into another (已撤并).")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """List the units (责任单位) with their projects, open problems (牵头 or 配合) and contacts.

    Example: projects unit list --format csv
    """
    from projects_cli.listings.output import render
    from projects_cli.services import units

    with common.session(ctx, write=False) as session:
        rows = units.list_units(session, retired=all_)
    columns = LIST_COLUMNS if all_ else LIST_COLUMNS[:-2]
    common.out(render(rows, fmt, shown_columns(columns, fmt)))
    if fmt == Format.table:
        common.note(_("共 {n} 个责任单位").format(n=len(rows)))


@app.command()
def add(ctx: typer.Context, name: Name, contact: Contact = None, phone: Phone = None, email: Email = None,
        webhook: Webhook = None) -> None:
    """Add a unit (新增责任单位) with its contacts.

    Example: projects unit add 招商服务中心 --contact 王五 --phone 0531-12345678 --email zsfw@example.gov.cn
    """
    from projects_cli.services import units

    with common.session(ctx) as session:
        unit = units.add_unit(session, common.actor(ctx), name,
                              _contacts(contact=contact, phone=phone, email=email, webhook=webhook))
        added = unit.name
    common.note(_("已添加 {name}").format(name=added))


@app.command()
def edit(ctx: typer.Context, name: Name, contact: Contact = None, phone: Phone = None, email: Email = None,
         webhook: Webhook = None) -> None:
    """Change a unit's contacts (修改联系方式); an empty value ('') clears one.

    Example: projects unit edit 经济发展局 --webhook https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY
    """
    from projects_cli.services import units

    values = _contacts(contact=contact, phone=phone, email=email, webhook=webhook)
    if not values:
        raise typer.BadParameter(_("请说明要改什么，例如 --phone 0531-12345678"), param_hint="options")
    with common.session(ctx) as session:
        changed = units.edit_unit(session, common.actor(ctx), name, values)
    common.note(_("已修改：{fields}").format(fields=_("、").join(_(units.LABELS.get(k, k)) for k in changed)) if changed else _("未改动：单位原本就是这些值"))


@app.command()
def show(ctx: typer.Context, name: Name,
         fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table) -> None:
    """Show one unit (单位详情): contacts, counts, its names over time and its projects.

    Example: projects unit show 经济发展局
    """
    from projects_cli.listings.output import render_fields, to_json
    from projects_cli.services import units

    with common.session(ctx, write=False) as session:
        row = units.show_unit(session, name)
    if fmt == Format.json:
        common.out(to_json(row))
        return
    row = {**row, "names": [_("{name}（至 {day}）").format(name=n["name"], day=n["until"].isoformat()) for n in row["names"]]}
    common.out(render_fields(row, shown_columns(SHOW_LABELS.items())))


@app.command()
def rename(ctx: typer.Context, old: Annotated[str, typer.Argument(help="The unit's name now (现名称).")],
           new: Annotated[str, typer.Argument(help="Its new name (新名称).")], on: On = None) -> None:
    """Rename a unit (单位更名) from a date: reports for earlier dates keep the old name, and imports,
    filters and returned workbooks still find the unit by it.

    Example: projects --as-of 2026-01-01 unit rename 经济发展局 经济发展和科技创新局
    """
    from projects_cli.services import units

    with common.session(ctx) as session:
        unit = units.rename_unit(session, common.actor(ctx), old, new, on)
        now = unit.name
    common.note(_("已更名 {old} → {new}").format(old=old, new=now))


@app.command()
def merge(ctx: typer.Context, a: Annotated[str, typer.Argument(help="The unit that goes (撤并的单位).")],
          b: Annotated[str, typer.Argument(help="The unit it goes into (并入的单位).")], on: On = None,
          yes: Annotated[bool, typer.Option("--yes", "-y", help="Do it without asking (needed when no one is at a terminal).")] = False) -> None:
    """Merge unit A into unit B (机构改革, 单位撤并): A's projects, problems (牵头 and 配合), dispatched workbooks and
    documents go to B, every change logged; reports for dates before keep naming A; A is retired (not offered,
    refused as a new assignment) and its name finds B in imports. Prints what it will do and asks first.

    Example: projects --as-of 2026-01-01 unit merge 生态环境分局 自然资源分局 --yes
    """
    from projects_cli.errors import InvalidValue
    from projects_cli.services import units

    when = units.effective(common.actor(ctx), on)
    with common.session(ctx, write=False) as session:
        plan = units.plan_merge(session, a, b, when)
    for line in plan.lines():
        common.note(line)
    if not yes:
        if not common.can_ask():
            raise InvalidValue(_("没有终端可确认，未合并；确认无误后加 --yes"))
        common.stop_progress()
        if not typer.confirm(_("执行合并？"), default=False, err=True):
            common.note(_("未合并"))
            raise typer.Exit(1)
    with common.session(ctx) as session:
        units.merge_units(session, common.actor(ctx), a, b, when)
    common.note(_("已将 {a} 并入 {b}").format(a=plan.gone, b=plan.into))


@app.command()
def remove(ctx: typer.Context, name: Name) -> None:
    """Remove a unit nothing refers to (删除单位: a typo, one added by mistake); else say what still does.

    Example: projects unit remove 临时工作专班
    """
    from projects_cli.services import units

    with common.session(ctx) as session:
        units.remove_unit(session, common.actor(ctx), name)
    common.note(_("已删除 {name}").format(name=name))


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The unit list (单位通讯录), .xlsx or .csv: 名称/单位名称, 联系人, 电话, 邮箱, webhook.", dir_okay=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and say what would be added and updated; write nothing.")] = False,
) -> None:
    """Import the whole unit list at once (导入单位通讯录): new names are added, known ones (or their former
    names) get the contacts given; a bad row refuses the file, naming its row and column.

    Example: projects unit import 单位通讯录.xlsx --dry-run
    """
    from projects_cli.services import units

    with common.session(ctx, write=not dry_run) as session:
        result = units.import_units(session, common.actor(ctx), file, dry_run=dry_run)
    for label, names in ((_("新增"), result.added), (_("更新"), result.updated)):
        if names:
            common.note(_("{label}：{names}").format(label=label, names=_("、").join(names)))
    common.note((_("将新增 {added} 个，将更新 {updated} 个，{unchanged} 个不变（预检，未写入）") if dry_run
                 else _("新增 {added} 个，更新 {updated} 个，{unchanged} 个不变")).format(
        added=len(result.added), updated=len(result.updated), unchanged=len(result.unchanged)))
