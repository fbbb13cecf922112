"""`projects lead add / edit / move / follow / assign / sign / list / show / report`: the investment leads (招商线索, 信息库)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import N_, _
from projects_cli.listings.output import Format, shown_values

app = typer.Typer(
    no_args_is_help=True,
    help="Investment leads (招商线索, 信息库): add, move through 线索 → 接洽 → 在谈 → 签约 → 落地, follow up, assign, "
         "sign into a project, list and report.",
)

CodeArg = Annotated[str, typer.Argument(help="Lead code (线索编号), e.g. XS-0001.")]
OnOpt = Annotated[Optional[str], typer.Option("--on", help="The date (日期), YYYY-MM-DD. Default: the as-of date.")]
NextOpt = Annotated[Optional[str], typer.Option("--next", help="Next follow-up date (下次跟进日期), YYYY-MM-DD. Default: "
                                                               "the rules file's leads.follow_days (30) after it.")]
LIST_COLUMNS = (
    ("code", N_("线索编号")),
    ("name", N_("项目名称")),
    ("company", N_("客商")),
    ("chain", N_("产业链")),
    ("source", N_("来源")),
    ("stage", N_("阶段")),
    ("amount_given", N_("投资额（原币）")),
    ("amount_wan", N_("折合（万元）")),
    ("unit", N_("责任单位")),
    ("person", N_("责任人")),
    ("last_on", N_("上次跟进")),
    ("follow_due", N_("下次跟进")),
    ("days_late", N_("逾期天数")),
    ("project", N_("项目编号")),
)
CSV_COLUMNS = (*LIST_COLUMNS[:6], ("amount", N_("投资额（原币万）")), ("currency", N_("币种")), ("rate", N_("汇率（元）")),
               *LIST_COLUMNS[7:], ("leader", N_("包保领导")), ("contact", N_("联系人")), ("signed_on", N_("签约日期")))
SHOW_LABELS = (
    ("code", N_("线索编号")), ("name", N_("项目名称")), ("company", N_("客商")), ("chain", N_("产业链")), ("source", N_("线索来源")),
    ("contact", N_("联系人")), ("amount_given", N_("投资额（原币）")), ("rate", N_("汇率（元）")), ("amount_wan", N_("折合（万元）")),
    ("unit", N_("责任单位")), ("person", N_("责任人")), ("leader", N_("包保领导")), ("stage", N_("阶段")), ("stage_on", N_("进入阶段日期")),
    ("reason", N_("原因")), ("last_on", N_("上次跟进")), ("follow_due", N_("下次跟进")), ("days_late", N_("逾期天数")),
    ("project", N_("项目编号")), ("signed_on", N_("签约日期")), ("recorded_on", N_("登记日期")), ("notes", N_("备注")),
)
OPTIONAL = ("source", "company", "person", "last_on", "project", "amount_given")


def _rates(ctx: typer.Context) -> dict[str, Any]:
    """The exchange rates on file (元 per unit of each currency): the config's [ledger.rates] and usd_rate, as a
    ledger's amounts are converted (`ledger.columns.currency_rates`)."""
    from projects_cli.ledger.columns import currency_rates

    return currency_rates(common.settings(ctx).config)


def _follow_days(ctx: typer.Context) -> int:
    return int(common.settings(ctx).rules.get("leads.follow_days"))


def _date(value: str | None, option: str):
    return common.parse_date_option(value, option)


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A lead as tables show it: its amount as given (3000万美元) beside its 万元, its last contact's date."""
    from projects_cli.store.changelog import decimal_text

    amount = row["amount"]
    given = None if amount is None else f"{decimal_text(amount)}万{'元' if row['currency'] == '人民币' else row['currency']}"
    last = row["last_follow"]
    return {**row, "amount_given": given, "last_on": last["on"] if last else None}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    """A lead as JSON gives it: every key but the database's own ids."""
    return {k: v for k, v in row.items() if k not in ("id", "project_id")}


def _said_changed(code: str, changed: list[str]) -> None:
    from projects_cli.services import leads

    common.note(_("{code}：已修改 {fields}").format(code=code, fields=_("、").join(
        _(leads.LABELS.get(k, k)) for k in changed)) if changed else
                _("未改动：{code} 原本就是这些值").format(code=code))


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The project the investor brings (项目名称).")],
    company: Annotated[Optional[str], typer.Option("--company", help="The investor (客商 / 投资方).")] = None,
    chain: Annotated[Optional[str], typer.Option("--chain", help="Industry chain (产业链), e.g. 新能源.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Where the lead came from (线索来源): 以商招商, 驻外招商, 展会, 中介 …")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="The investor's contact (联系人及电话).")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="Planned investment as given (拟投资额): 8亿元, 85000 (万元), 3000万美元; a foreign amount is kept as given and converted at the config's [ledger.rates] (or usd_rate).")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Responsible unit (责任单位); must be in the registry unless --create-units.")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="Responsible person (责任人), who follows it up.")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="Leader in charge (包保领导), if any.")] = None,
    stage: Annotated[str, typer.Option("--stage", help="Its stage now (阶段): 线索, 接洽 or 在谈.")] = "线索",
    next_on: NextOpt = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="Notes (备注).")] = None,
    create_units: Annotated[bool, typer.Option("--create-units", help="Add a responsible unit not yet in the registry instead of refusing it.")] = False,
    allow_duplicate_name: Annotated[bool, typer.Option("--allow-duplicate-name", help="Allow a name another lead (not ended) already has.")] = False,
) -> None:
    """Add an investment lead (新增招商线索) and print its code.

    Example: projects lead add --name 某新能源电池项目 --company 某某新能源集团 --chain 新能源 --source 以商招商 --amount 8亿元 --unit 经济发展局 --person 王强
    """
    from projects_cli.services import leads

    raw = {"name": name, "company": company, "chain": chain, "source": source, "contact": contact, "amount": amount,
           "unit": unit, "person": person, "leader": leader, "notes": notes}
    nxt = _date(next_on, "--next")
    with common.session(ctx) as session:
        lead = leads.add_lead(session, common.actor(ctx), raw, rates=_rates(ctx), stage=stage, next_on=nxt,
                              create_units=create_units, allow_duplicate_name=allow_duplicate_name)
        code, rate, wan, currency = lead.code, lead.rate, lead.amount_wan, lead.currency
    common.out(code)
    if rate is not None:
        from projects_cli.store.changelog import decimal_text

        common.note(_("{currency}按配置的汇率 {rate} 元折合 {wan} 万元").format(
            currency=currency, rate=decimal_text(rate), wan=decimal_text(wan)))


@app.command()
def move(
    ctx: typer.Context,
    code: CodeArg,
    stage: Annotated[str, typer.Argument(help="The new stage (阶段): 线索 接洽 在谈 落地 搁置 终止 (签约: `lead sign`).")],
    on: OnOpt = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (原因); needed for 搁置 and 终止.")] = None,
) -> None:
    """Move a lead to another stage (阶段变更); 搁置 (shelved) and 终止 (ended) need a reason.

    Example: projects lead move XS-0001 接洽 --on 2025-10-20
    """
    from projects_cli.services import leads

    when = _date(on, "--on")
    with common.session(ctx) as session:
        lead, before = leads.move_lead(session, common.actor(ctx), code, stage, on=when, reason=reason)
        text = _("{code}：{before} → {stage}").format(code=lead.code, before=before, stage=lead.stage)
    common.note(text)


@app.command()
def follow(
    ctx: typer.Context,
    code: CodeArg,
    text: Annotated[str, typer.Option("--text", help="What was done (跟进情况): a visit, a call, a meeting …")],
    on: OnOpt = None,
    who: Annotated[Optional[str], typer.Option("--who", help="Who made the contact (跟进人). Default: the lead's person.")] = None,
    next_on: NextOpt = None,
) -> None:
    """Record a contact made on a lead (跟进记录): the date, who, what, and the next follow-up date.

    Example: projects lead follow XS-0001 --text 赴深圳总部洽谈，对方确认选址意向 --on 2025-10-28 --next 2025-11-15
    """
    from projects_cli.services import leads

    when, nxt = _date(on, "--on"), _date(next_on, "--next")
    with common.session(ctx) as session:
        follow_row = leads.follow_lead(session, common.actor(ctx), code, text, on=when, who=who, next_on=nxt)
        said = _("{code}：跟进 {day}").format(code=code.strip().upper(), day=follow_row.on.isoformat()) + (
            _("，下次 {day}").format(day=follow_row.next_on.isoformat()) if follow_row.next_on else "")
    common.note(said)


@app.command()
def assign(
    ctx: typer.Context,
    code: CodeArg,
    unit: Annotated[Optional[str], typer.Option("--unit", help="The responsible unit from now on (责任单位).")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="The responsible person from now on (责任人).")] = None,
    next_on: Annotated[Optional[str], typer.Option("--next", help="Next follow-up date (下次跟进日期), YYYY-MM-DD.")] = None,
    create_units: Annotated[bool, typer.Option("--create-units", help="Add a responsible unit not yet in the registry instead of refusing it.")] = False,
) -> None:
    """Assign a lead (派工): its unit and person from the as-of date on, and when its next follow-up falls due.

    Example: projects lead assign XS-0001 --unit 投资促进局 --person 李娜 --next 2025-11-10
    """
    from projects_cli.services import leads

    nxt = _date(next_on, "--next")
    with common.session(ctx) as session:
        lead, changed = leads.assign_lead(session, common.actor(ctx), code, unit=unit, person=person, next_on=nxt,
                                          create_units=create_units)
        lead_code = lead.code
    _said_changed(lead_code, changed)


@app.command()
def edit(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[Optional[str], typer.Option("--name", help="The project's name (项目名称).")] = None,
    company: Annotated[Optional[str], typer.Option("--company", help="The investor (客商); \"\" clears it.")] = None,
    chain: Annotated[Optional[str], typer.Option("--chain", help="Industry chain (产业链); \"\" clears it.")] = None,
    source: Annotated[Optional[str], typer.Option("--source", help="Where the lead came from (线索来源); \"\" clears it.")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="The investor's contact (联系人及电话); \"\" clears it.")] = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="Planned investment as given (拟投资额): 8亿元, 3000万美元 (converted at today's rate on file); \"\" clears it.")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="Responsible unit (责任单位), as `lead assign` sets it (the earlier one stays on record).")] = None,
    person: Annotated[Optional[str], typer.Option("--person", help="Responsible person (责任人), as `lead assign` sets it.")] = None,
    leader: Annotated[Optional[str], typer.Option("--leader", help="Leader in charge (包保领导); \"\" clears it.")] = None,
    next_on: Annotated[Optional[str], typer.Option("--next", help="Next follow-up date (下次跟进日期), YYYY-MM-DD, as `lead assign` sets it.")] = None,
    notes: Annotated[Optional[str], typer.Option("--notes", help="Notes (备注); \"\" clears them.")] = None,
    create_units: Annotated[bool, typer.Option("--create-units", help="Add a responsible unit not yet in the registry instead of refusing it.")] = False,
    allow_duplicate_name: Annotated[bool, typer.Option("--allow-duplicate-name", help="Allow a name another lead (not ended) already has.")] = False,
) -> None:
    """Correct a lead's fields (修改线索): each change is in the change log, and `projects undo` takes it back.

    The stage changes with `lead move` and `lead sign`; follow-ups are added with `lead follow`.

    Example: projects lead edit XS-0001 --company 某某新能源集团有限公司 --amount 10亿元
    """
    from projects_cli.services import leads

    given = {"name": name, "company": company, "chain": chain, "source": source, "contact": contact,
             "amount": amount, "unit": unit, "person": person, "leader": leader, "notes": notes}
    raw: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if next_on is not None:
        raw["next_on"] = _date(next_on, "--next")
    with common.session(ctx) as session:
        lead, changed = leads.edit_lead(session, common.actor(ctx), code, raw, rates=_rates(ctx),
                                        create_units=create_units, allow_duplicate_name=allow_duplicate_name)
        lead_code = lead.code
    _said_changed(lead_code, changed)


@app.command()
def sign(
    ctx: typer.Context,
    code: CodeArg,
    on: Annotated[str, typer.Option("--on", help="The date the contract was signed (签约日期), YYYY-MM-DD.")],
    start: Annotated[Optional[str], typer.Option("--start", help="Planned start (计划开工日期), YYYY-MM-DD: the start countdown (开工倒计时) runs to it.")] = None,
    allow_duplicate_name: Annotated[bool, typer.Option("--allow-duplicate-name", help="Allow a name a project already has (同名项目).")] = False,
) -> None:
    """Sign a lead (签约): add its project to the registry and print the project's code.

    The project takes the lead's name, company (as 建设单位), chain, unit, leader and amount in 万元 (总投资);
    its 签约 milestone is done on --on and, with --start, its 开工 planned; the lead stays, linked to it.

    Example: projects lead sign XS-0001 --on 2025-10-30 --start 2026-03-31
    """
    from projects_cli.services import leads, milestones

    when, begin = _date(on, "--on"), _date(start, "--start")
    kinds = milestones.configured_kinds(common.settings(ctx).config)
    with common.session(ctx) as session:
        lead, project = leads.sign_lead(session, common.actor(ctx), code, when, start=begin, kinds=kinds,
                                        allow_duplicate_name=allow_duplicate_name)
        lead_code = lead.code
    common.out(project)
    common.note(_("{code} 签约 {day} → 项目 {project}").format(code=lead_code, day=when.isoformat(), project=project)
                + (_("，计划开工 {day}").format(day=begin.isoformat()) if begin else ""))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    unit: Annotated[Optional[str], typer.Option(help="Responsible unit (责任单位).")] = None,
    chain: Annotated[Optional[str], typer.Option(help="Industry chain (产业链).")] = None,
    stage: Annotated[Optional[str], typer.Option(help="Stage (阶段): 线索 接洽 在谈 签约 落地 搁置 终止.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Source (线索来源), e.g. 以商招商.")] = None,
    person: Annotated[Optional[str], typer.Option(help="Responsible person (责任人).")] = None,
    search: Annotated[Optional[str], typer.Option(help="Text in the code, name or company (搜索).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only leads past their follow-up date (跟进逾期).")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help=common.FORMAT_HELP)] = Format.table,
) -> None:
    """List the investment leads (招商线索清单) at the as-of date, with the stage and follow-up then.

    The table ends with the leads and their 万元 by stage; amounts in another currency are shown as given
    beside their 万元.

    Example: projects lead list --stage 在谈 --format json
    """
    from projects_cli.listings.output import render, shown_columns
    from projects_cli.services import leads
    from projects_cli.store.changelog import decimal_text

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        names = common.filters(session, ctx, unit=unit) if unit else None
        rows = leads.list_leads(session, s.today, follow_days=_follow_days(ctx), overdue_only=overdue, search=search,
                                unit=names.unit if names else None, chain=chain and chain.strip(),
                                stage=leads.check_stage(stage) if stage else None, source=source and source.strip(),
                                person=person and person.strip())
    shown = [_shown(r) for r in rows]
    if fmt == Format.json:
        common.out(render(rows, fmt, shown_columns(LIST_COLUMNS, fmt), json_rows=[_public(r) for r in rows]))
        return
    if fmt == Format.table:
        shown = shown_values(shown, "stage")
    common.out(render(shown, fmt, shown_columns(CSV_COLUMNS if fmt == Format.csv else LIST_COLUMNS, fmt), optional=OPTIONAL))
    if fmt == Format.table:
        totals = leads.pipeline(rows)
        stages = " · ".join(f"{e['stage']} {e['leads']}" for e in shown_values(totals["by_stage"], "stage") if e["leads"])
        common.note(_("共 {n} 条线索（{stages}），合计 {amount} 万元，跟进逾期 {overdue}").format(
            n=totals["total"]["leads"], stages=stages or _("无"), amount=decimal_text(totals["total"]["amount_wan"]),
            overdue=totals["total"]["overdue"]))


@app.command()
def show(
    ctx: typer.Context,
    code: CodeArg,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Show one lead (线索详情) at the as-of date: every field, its stages, assignments and follow-ups.

    Example: projects lead show XS-0001
    """
    from projects_cli.listings.output import render_fields, render_table, shown_columns, to_json
    from projects_cli.services import leads

    s = common.settings(ctx)
    with common.session(ctx, write=False) as session:
        row = leads.show_lead(session, code, s.today, follow_days=_follow_days(ctx))
    if fmt == Format.json:
        common.out(to_json(_public(row)))
        return
    shown = shown_values([_shown(row)], "stage")[0]
    common.out(render_fields(shown, shown_columns(SHOW_LABELS)))
    common.out("")
    common.out(_("阶段记录"))
    common.out(render_table(shown_values(row["stages"], "stage"),
                            shown_columns((("on", N_("日期")), ("stage", N_("阶段")), ("reason", N_("原因")), ("by", N_("经办人"))))))
    common.out("")
    common.out(_("派工记录"))
    common.out(render_table(row["assignments"], shown_columns((("on", N_("日期")), ("unit", N_("责任单位")), ("person", N_("责任人")),
                                                 ("next_on", N_("下次跟进")), ("by", N_("经办人"))))))
    common.out("")
    common.out(_("跟进记录"))
    if row["follows"]:
        common.out(render_table(row["follows"], shown_columns((("on", N_("日期")), ("who", N_("跟进人")), ("text", N_("跟进情况")),
                                                 ("next_on", N_("下次跟进"))))))
    else:
        common.out(_("（无）"))


GROUP_COLUMNS = (("leads", N_("线索数")), ("amount_wan", N_("拟投资额（万元）")), ("signed", N_("已签约")), ("overdue", N_("跟进逾期")))


class ReportFormat(str, Enum):
    """What `lead report` writes: the terminal's tables, JSON, or the report laid out as a sheet (招商线索汇总)."""

    table = "table"
    json = "json"
    md = "md"
    html = "html"
    xlsx = "xlsx"
    docx = "docx"


def _report_extensions() -> dict[str, ReportFormat]:
    """`lead report --output`'s formats by the file's extension: the sheets' (`sheet weekly`), and .json."""
    from projects_cli.cli.sheet import EXTENSIONS

    return {**{ext: ReportFormat(f.value) for ext, f in EXTENSIONS.items()}, ".json": ReportFormat.json}


def _report_file(ctx: typer.Context, data: dict[str, Any], fmt: ReportFormat, output: Path | None) -> None:
    """The report as `sheet weekly --preview` lays out a sheet: templates/leads.txt (the office's templates folder
    overrides it), never numbered, nothing recorded; Excel with native charts, HTML with SVG, Word with pictures."""
    from datetime import timedelta

    from projects_cli.cli import sheet
    from projects_cli.sheets import contexts

    s = common.settings(ctx)
    config, renderer = sheet._config(s), sheet._renderer(s)
    title = contexts.REPORTS["leads"]
    context = {**data, "start": data["since"] + timedelta(days=1)}
    issued = contexts.preview(renderer, "leads", s.today, config, title, "", context)
    sheet._emit([issued], sheet.SheetFormat(fmt.value), output, renderer, config)


@app.command()
def report(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option("--since", help="The period starts after this date (统计起始日), YYYY-MM-DD. Default: the as-of date minus 7 days.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file (输出文件), laid out as a sheet; the format follows the extension: .xlsx, .html, .md or .docx (.json: the JSON).", dir_okay=False)] = None,
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="table, json, md, html, xlsx or docx. Default: from --output's extension, else table.")] = None,
) -> None:
    """The pipeline at a glance (招商线索汇总): leads and 万元 by stage, chain and unit, new leads and stage
    moves in the period, and signing to start (签约→开工).

    With --output (or --format md, html, xlsx, docx) it is the report 招商线索汇总 as the sheets are laid out
    (templates/leads.txt, which the office's templates folder may override): tables with their 合计, the
    funnel of leads by stage as a chart; a report, never numbered or recorded.

    Example: projects --as-of 2025-10-31 lead report --since 2025-09-30 -o 招商.xlsx
    """
    from datetime import timedelta

    from projects_cli.listings.output import render_table, shown_columns, to_json
    from projects_cli.services import leads
    from projects_cli.store.changelog import decimal_text

    chosen = common.output_format(output, fmt, _report_extensions(), ReportFormat.table)
    if chosen in (ReportFormat.xlsx, ReportFormat.docx) and output is None:
        from projects_cli.cli.sheet import FILE_ONLY, SheetFormat

        raise typer.BadParameter(FILE_ONLY[SheetFormat(chosen.value)], param_hint="--format")
    s = common.settings(ctx)
    start = _date(since, "--since") or s.today - timedelta(days=7)
    with common.session(ctx, write=False) as session:
        data = leads.pipeline_report(session, s.today, start, follow_days=_follow_days(ctx))
    if chosen == ReportFormat.json:
        common.write_output(to_json(data), output)
        return
    if chosen != ReportFormat.table:
        _report_file(ctx, data, chosen, output)
        return
    total, conv = data["total"], data["conversion"]
    parts = [
        _("截至 {as_of} 招商线索：{leads} · 合计 {amount} 万元 · 已签约 {signed} · 跟进逾期 {overdue}").format(
            as_of=s.today.isoformat(), leads=total['leads'], amount=decimal_text(total['amount_wan']),
            signed=total['signed'], overdue=total['overdue']),
        "",
        _("按阶段"),
        render_table(data["by_stage"], shown_columns((("stage", N_("阶段")), ("leads", N_("线索数")), ("amount_wan", N_("拟投资额（万元）"))))),
        "",
        _("按产业链"),
        render_table(data["by_chain"], shown_columns((("chain", N_("产业链")), *GROUP_COLUMNS))),
        "",
        _("按责任单位"),
        render_table(data["by_unit"], shown_columns((("unit", N_("责任单位")), *GROUP_COLUMNS))),
        "",
        _("新增线索（{since} 以来）：{n}").format(since=start.isoformat(), n=len(data['new'])),
    ]
    if data["new"]:
        parts.append(render_table(data["new"], shown_columns((("code", N_("线索编号")), ("name", N_("项目名称")), ("unit", N_("责任单位")),
                                                ("stage", N_("阶段")), ("amount_wan", N_("拟投资额（万元）")), ("recorded_on", N_("登记日期"))))))
    parts += ["", _("阶段变化（{since} 以来）：{n}").format(since=start.isoformat(), n=len(data['moves']))]
    if data["moves"]:
        parts.append(render_table(data["moves"], shown_columns((("on", N_("日期")), ("code", N_("线索编号")), ("name", N_("项目名称")),
                                                  ("from_stage", N_("原阶段")), ("stage", N_("新阶段")), ("reason", N_("原因"))))))
    rate = "—" if conv["rate"] is None else f"{conv['rate']}%"
    parts += ["", _("签约→开工：{started}/{signed}（{rate}）").format(started=conv['started'], signed=conv['signed'], rate=rate)]
    if conv["leads"]:
        parts.append(render_table(conv["leads"], shown_columns((("code", N_("线索编号")), ("project", N_("项目编号")), ("signed_on", N_("签约日期")),
                                                  ("started_on", N_("开工日期")), ("days_to_start", N_("签约至开工天数"))))))
    common.write_output("\n".join(parts), output)
