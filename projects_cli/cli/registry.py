"""`projects init`, `list`, `show`, `add`, `edit`: the registry (项目库) itself."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import _
from projects_cli.listings.output import Format
from projects_cli.vocab import BY_KEY, PROJECT_FIELDS

LIST_COLUMNS = (
    ("code", _("项目编号")),
    ("name", _("项目名称")),
    ("chain", _("产业链")),
    ("unit", _("责任单位")),
    ("leader", _("包保领导")),
    ("status", _("状态")),
    ("total_investment", _("总投资（万元）")),
)
SHOW_LABELS = {f.key: f.label for f in PROJECT_FIELDS}  # in the interface's language (a CSV keeps f.zh)

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)]


def init(
    ctx: typer.Context,
    sample: Annotated[
        bool,
        typer.Option("--sample", help="Load the 14th Five-Year Plan's key projects (十四五规划专栏项目) and the demo scenario."),
    ] = False,
) -> None:
    """Create the database (初始化), or bring an existing one up to this version's schema.

    Example: projects --db office.db init --sample
    """
    from projects_cli.store import db

    s = common.settings(ctx)
    db.ensure_folder(s.url)
    before, after, backup = common.upgrade(s.url)
    name = db.display_name(s.url)
    if backup:
        common.note(_("已将 {name} 备份到 {backup}").format(name=name, backup=backup))
    if before == after:
        common.note(_("{name} 的数据库版本为 {after}").format(name=name, after=after))
    else:
        common.note(_("{name}：数据库版本 {before} → {after}").format(name=name, before=before or _("无"), after=after))
    if sample:
        from projects_cli import demo as demo_mod
        from projects_cli import sample as sample_mod

        with common.session(ctx) as session:
            actor = common.actor(ctx)
            count = sample_mod.load_plan(session, actor)
            demo = demo_mod.load_demo(session, actor)
        common.note(_("已载入十四五规划专栏项目 {count} 个").format(count=count))
        common.note(
            _("已载入演示情景（不是真实数据）：{projects} 个项目的责任单位和包保领导、{milestones} 个节点（其中 {replans} 个调整过计划）、"
              "{months} 个月度完成投资、{issues} 个问题；可以试试：{example}").format(
                projects=demo["projects"], milestones=demo["milestones"], replans=demo["replans"], months=demo["months"],
                issues=demo["issues"], example=_try_overdue(s))
        )


def _try_overdue(s) -> str:
    """The first command to run on the sample, runnable as printed: with this --db unless it is the default."""
    import shlex

    from projects_cli.config.settings import default_db

    db = "" if s.db == default_db() else f" --db {shlex.quote(s.db)}"
    return f"projects{db} --as-of 2025-10-31 overdue"


def list_cmd(
    ctx: typer.Context,
    chain: Annotated[Optional[str], typer.Option(help="Industry chain (产业链), e.g. 工程机械.")] = None,
    cluster: Annotated[Optional[str], typer.Option(help="Industry cluster (产业集群), e.g. 高端装备.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="Responsible unit (责任单位).")] = None,
    leader: Annotated[Optional[str], typer.Option(help="Leader in charge (包保领导).")] = None,
    category: Annotated[Optional[str], typer.Option(help="Category (项目类别), e.g. 省重点.")] = None,
    status: Annotated[Optional[str], typer.Option(help="Status (项目状态): 储备/前期/在建/投产/竣工/停缓建.")] = None,
    column: Annotated[Optional[str], typer.Option(help="Plan column (规划专栏), e.g. 4-1.")] = None,
    search: Annotated[Optional[str], typer.Option(help="Text in the code, name, owner or content (搜索).")] = None,
    archived: Annotated[bool, typer.Option("--archived", help="Only the projects archived (已归档) on the as-of date; without it they are left out.")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """List projects (项目清单), filtered; projects archived (已归档) on the as-of date are left out (--archived: only those).

    Example: projects list --chain 工程机械 --format json
    """
    from projects_cli.services import registry

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        filters = common.filters(session, ctx, chain=chain, cluster=cluster, unit=unit, leader=leader,
                                 category=category, status=status, column=column, search=search)
        rows = registry.list_projects(session, filters, s.today.year, s.today, archived=archived)
    common.out(common_render(rows, fmt))
    if fmt == Format.table:
        common.note(_("共 {n} 个项目").format(n=len(rows)))


def common_render(rows: list[dict[str, Any]], fmt: Format) -> str:
    from projects_cli.listings.output import render, shown_values

    if fmt == Format.csv:
        return render(rows, fmt, [(f.key, f.zh) for f in PROJECT_FIELDS])
    return render(shown_values(rows, "status") if fmt == Format.table else rows, fmt, LIST_COLUMNS)


def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Project code (项目编号), e.g. GX-0001.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Show one project (项目详情) with every field.

    Example: projects show GX-0004 --format json
    """
    from projects_cli.listings.output import to_json
    from projects_cli.services import archive, registry

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        row = registry.show_project(session, code, s.today.year)
        held = archive.open_archive(session, registry.get_project(session, code))
    if held is not None:
        common.note(_("已归档：自 {day} 起不在报表和清单中，原因：{reason}；恢复：projects project restore {code}").format(
            day=held.archived_on.isoformat(), reason=held.reason, code=row["code"]))
    if fmt == Format.json:
        common.out(to_json(row))
        return
    if fmt == Format.csv:
        common.out(common_render([row], fmt))
        return
    from projects_cli.listings.output import render_fields, shown_values

    labels = {**SHOW_LABELS, "annual_plan": _("{year}年计划投资（万元）").format(year=row["plan_year"])}
    common.out(render_fields(shown_values([row], "status")[0], labels))


def _field_options(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _opt(key: str) -> Any:
    """An optional text option for one project field, its help from `fields.PROJECT_FIELDS`."""
    return Annotated[Optional[str], typer.Option(help=BY_KEY[key].option_help)]


# One declaration per field, shared by `add` and `edit`: `chain: F.chain = None`.
F = SimpleNamespace(**{f.key: _opt(f.key) for f in PROJECT_FIELDS})
PlanYear = Annotated[Optional[int], typer.Option(min=common.FIRST_YEAR, max=common.LAST_YEAR, help="Year of --annual-plan (default: the as-of year).")]
CreateUnits = Annotated[bool, typer.Option("--create-units", help="Add a responsible unit (责任单位) not yet in the registry instead of refusing it.")]
AllowDuplicateName = Annotated[bool, typer.Option("--allow-duplicate-name", help="Allow a name another project already has (同名项目), spaces and full-width forms aside.")]
CHECKS = ("ctx", "plan_year", "create_units", "allow_duplicate_name")  # options that are not project fields


def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help=BY_KEY["name"].option_help)],
    code: F.code = None,
    categories: F.categories = None,
    cluster: F.cluster = None,
    chain: F.chain = None,
    owner: F.owner = None,
    location: F.location = None,
    content: F.content = None,
    floor_area: F.floor_area = None,
    capacity: F.capacity = None,
    total_investment: F.total_investment = None,
    annual_plan: F.annual_plan = None,
    plan_year: PlanYear = None,
    status: F.status = None,
    unit: F.unit = None,
    leader: F.leader = None,
    task_force: F.task_force = None,
    source: F.source = None,
    plan_columns: F.plan_columns = None,
    site_progress: F.site_progress = None,
    notes: F.notes = None,
    approval_code: F.approval_code = None,
    create_units: CreateUnits = False,
    allow_duplicate_name: AllowDuplicateName = False,
) -> None:
    """Add a project (新增项目) and print its code.

    The unit must be in the registry unless --create-units; a name another project already has is
    refused unless --allow-duplicate-name.

    Example: projects add --name 某某智能制造项目 --chain 智能装备 --unit 经济发展局 --total-investment 8.5亿元
    """
    values = _field_options(dict(locals()))  # first line: locals() is exactly the options here
    for key in CHECKS:
        values.pop(key, None)
    from projects_cli.services import registry

    with common.session(ctx) as session:
        project = registry.add_project(session, common.actor(ctx), values, plan_year=plan_year,
                                       create_units=create_units, allow_duplicate_name=allow_duplicate_name)
        code_out = project.code
    common.out(code_out)


def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Project code (项目编号).")],
    name: F.name = None,
    new_code: Annotated[Optional[str], typer.Option("--new-code", help="Change the code (项目编号).")] = None,
    categories: F.categories = None,
    cluster: F.cluster = None,
    chain: F.chain = None,
    owner: F.owner = None,
    location: F.location = None,
    content: F.content = None,
    floor_area: F.floor_area = None,
    capacity: F.capacity = None,
    total_investment: F.total_investment = None,
    annual_plan: F.annual_plan = None,
    plan_year: PlanYear = None,
    status: F.status = None,
    unit: F.unit = None,
    leader: F.leader = None,
    task_force: F.task_force = None,
    source: F.source = None,
    plan_columns: F.plan_columns = None,
    site_progress: F.site_progress = None,
    notes: F.notes = None,
    approval_code: F.approval_code = None,
    create_units: CreateUnits = False,
    allow_duplicate_name: AllowDuplicateName = False,
) -> None:
    """Edit a project's fields (修改项目); an empty value ('') clears a field.

    The unit and the name are checked as `add` checks them (--create-units, --allow-duplicate-name).

    Example: projects edit GX-0004 --status 在建 --leader 张三
    """
    values = _field_options(dict(locals()))  # first line: locals() is exactly the options here
    for key in ("code", *CHECKS):
        values.pop(key, None)
    from projects_cli.services import registry

    if "new_code" in values:
        values["code"] = values.pop("new_code")
    if not values:
        raise typer.BadParameter(_("请说明要改什么，例如 --status 在建"), param_hint="options")
    with common.session(ctx) as session:
        changed = registry.edit_project(session, common.actor(ctx), code, values, plan_year=plan_year,
                                        create_units=create_units, allow_duplicate_name=allow_duplicate_name)
    if changed:
        common.note(_("已修改：{fields}").format(fields=_("、").join(BY_KEY[k].label if k in BY_KEY else k for k in changed)))
    else:
        common.note(_("未改动：项目原本就是这些值"))
