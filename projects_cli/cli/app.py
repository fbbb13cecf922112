"""The `projects` command: global options, the error handler, and the command groups."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from typer.core import TyperGroup

from projects_cli import __version__
from projects_cli.cli import common
from projects_cli.config.settings import Settings, default_db, default_user
from projects_cli.errors import ProjectsError

# Every command, in the order `projects --help` lists them: name → (module in projects_cli.cli,
# attribute, short help). A group's attribute is its typer app; a command's, its function.
# Only the command being run is imported and built, so `projects --help` stays instant;
# tests/test_help.py checks each short help against the command's own help text.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("registry", "init", "Create the database (初始化), or bring an existing one up to this version's schema."),
    "list": ("registry", "list_cmd", "List projects (项目清单), filtered."),
    "show": ("registry", "show", "Show one project (项目详情) with every field."),
    "add": ("registry", "add", "Add a project (新增项目) and print its code."),
    "edit": ("registry", "edit", "Edit a project's fields (修改项目); an empty value ('') clears a field."),
    "unit": ("unit", "app", "Responsible units (责任单位): contacts, renames with their history, merges (机构改革), the whole list from a file."),
    "leader": ("leader", "app", "Leaders in charge (包保领导): title and phone, renames and merges kept in the projects' history."),
    "milestone": ("milestone", "app", "Milestones (节点): plan, re-plan with a reason, mark done, list with their history."),
    "invest": ("invest", "app", "Investment (投资): the month's completed amount, the annual plan, year-to-date against 序时进度."),
    "countdown": ("report", "countdown", "Countdown (倒计时): each project's next open milestone and the days left, soonest first."),
    "overdue": ("report", "overdue", "The overdue report (逾期通报): milestones past their planned date, problems past their deadline, look-backs (回头看) past their date, grouped by responsible unit (责任单位) then leader (包保领导), with days late, severity tier, the project's investment gap to 序时进度, what is new since last week, and what falls due soon."),
    "cards": ("cards", "app", "Red, yellow and blue cards (红黄蓝牌): rate, set by hand, list, explain, report."),
    "flag": ("cards", "flag", "Score the responsible units (流动红旗评比), award the flag to the best and list the last for a talk (约谈)."),
    "issue": ("issue", "app", "Problems (问题) of projects through the closed loop: 提报 · 受理 · 交办 · 反馈 · 督办 · 办结 · 销号."),
    "sheet": ("sheet", "app", "Supervision sheets (督办单, 红黄蓝牌通报, 周报) from the office's Jinja templates, as Excel, HTML, Markdown or Word."),
    "ledger": ("ledger", "app", "Excel ledgers (台账): import the ledgers units send, export the ledger the office files, dispatch each unit its fill-in workbook (派工单)."),
    "log": ("log", "log", "Show the change log (变更记录), newest first: who changed which record, old and new values."),
    "calendar": ("calendar", "app", "The working-day calendar (工作日历): show a year, import the State Council's holiday notice."),
    "db": ("db", "app", "The database itself (数据库): schema upgrades, backups and checks."),
}


def build_command(name: str):
    """The click command behind one entry of COMMANDS (imports its module)."""
    import importlib

    module, attr, _ = COMMANDS[name]
    target = getattr(importlib.import_module(f"projects_cli.cli.{module}"), attr)
    if isinstance(target, typer.Typer):
        target._add_completion = False  # completion belongs to the root command only
        command = typer.main.get_command(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


# click's base of usage errors (typer ships its own copy of click from 0.20 on)
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _Listed(typer.core.TyperCommand):
    """What `projects --help` needs of a command it does not run: its name and short help."""


class ProjectsGroup(TyperGroup):
    """The root command: builds only the command being run, and turns a user's mistake into
    one line `Error: …` on stderr with exit code 1."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, name: str):
        if name not in COMMANDS:
            return None
        if name in self.commands:
            return self.commands[name]
        return _Listed(name=name, help=COMMANDS[name][2], callback=None)

    def resolve_command(self, ctx: typer.Context, args: list[str]):
        name = args[0] if args else None
        if name in COMMANDS and name not in self.commands:
            self.commands[name] = build_command(name)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: typer.Context):
        from projects_cli.writes import command_inputs

        with command_inputs():  # the files this command reads, which no output may replace
            try:
                try:
                    result = super().invoke(ctx)
                except typer.Exit:
                    common.flush_stdout()
                    raise
                common.flush_stdout()
                return result
            except ProjectsError as exc:
                _fail(exc)
            except _CLICK_ERROR as exc:  # a usage error quotes what was typed
                from projects_cli.listings.output import terminal_safe

                exc.message = terminal_safe(exc.message)
                raise
            except Exception as exc:
                problem = _database_problem(exc, ctx)
                if problem is None:
                    raise
                _fail(problem)


def _fail(exc: ProjectsError) -> NoReturn:
    """The one line `Error: …` and exit code 1."""
    common.note(f"Error: {exc}")
    if isinstance(exc, common.StdoutBroken):
        common.detach_stdout()
    raise typer.Exit(1) from None


def _database_problem(exc: Exception, ctx: typer.Context) -> ProjectsError | None:
    """A database error (a damaged or foreign file, read-only, locked) in the user's words, else None."""
    if "sqlite3" not in sys.modules and "sqlalchemy" not in sys.modules:
        return None
    from projects_cli.store.db import display_name
    from projects_cli.store.failures import database_problem

    url = common.settings(ctx).url
    try:
        display = display_name(url)
    except Exception:  # a URL SQLAlchemy cannot parse: say it as given
        display = url
    return database_problem(exc, display)


app = typer.Typer(
    cls=ProjectsGroup,
    name="projects",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="""Key-project supervision (重点项目督查) for a development zone's supervision office (督查室).

A registry of key projects (项目库) with milestones (节点), the start countdown
(开工倒计时) and the weekly overdue report (逾期), red/yellow/blue cards (红黄蓝牌)
and the red flag (流动红旗), the closed loop of problems (问题闭环督办),
supervision sheets (督办单) and Excel ledgers (台账).

Start with:  projects init --sample   then   projects overdue
""",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"projects {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Optional[str],
        typer.Option(
            "--db",
            envvar="PROJECTS_DB",
            help=f"Database (数据库): a SQLite file path or a SQLAlchemy URL such as postgresql+psycopg://user@host/db. Default: {default_db()}",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        Optional[str],
        typer.Option(
            "--as-of",
            envvar="PROJECTS_AS_OF",
            help="The date every report is computed for (统计截止日期), YYYY-MM-DD. Default: today.",
            callback=common.date_callback,
        ),
    ] = None,
    by: Annotated[
        Optional[str],
        typer.Option("--by", envvar="PROJECTS_USER", help="Who is acting (经办人), for the change log. Default: the OS user."),
    ] = None,
    config: Annotated[
        Optional[Path],
        typer.Option(
            "--config",
            envvar="PROJECTS_CONFIG",
            help="The office's config file (配置文件, TOML). Default: config.toml in the data folder, if present.",
            dir_okay=False,
        ),
    ] = None,
    rules: Annotated[
        Optional[Path],
        typer.Option(
            "--rules",
            envvar="PROJECTS_RULES",
            help="Rules file (评价规则, TOML) for cards, flag and escalation. Default: rules.toml in the data folder, else the shipped defaults.",
            dir_okay=False,
        ),
    ] = None,
    templates: Annotated[
        Optional[Path],
        typer.Option(
            "--templates",
            envvar="PROJECTS_TEMPLATES",
            help="Your own sheet templates (模板) folder; its files override the shipped ones file by file.",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options come before the command: projects --db office.db --as-of 2025-03-31 overdue"""
    ctx.obj = Settings(
        db=db or default_db(),
        as_of=as_of,  # already a date (see date_callback)
        by=(by or "").strip() or default_user(),
        config_path=config,
        rules_path=rules,
        templates_dir=templates,
    )
    common.protect_inputs(ctx.obj)


def main() -> None:
    app(prog_name="projects")
