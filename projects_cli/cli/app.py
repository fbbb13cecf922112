"""The `projects` command: global options, the error handler, and the command groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from projects_cli import __version__
from projects_cli.cli import common
from projects_cli.errors import ProjectsError
from projects_cli.settings import Settings, default_db, default_user


class ProjectsGroup(TyperGroup):
    """Turns a user's mistake into one line `Error: …` on stderr and exit code 1."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except ProjectsError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None


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


def _register() -> None:
    from projects_cli.cli import db as db_cli
    from projects_cli.cli import registry as registry_cli

    registry_cli.register(app)
    app.add_typer(db_cli.app, name="db")
    from projects_cli.cli import issue as issue_cli

    app.add_typer(issue_cli.app, name="issue")
    from projects_cli.cli import log as log_cli

    app.command("log")(log_cli.log)
    from projects_cli.cli import sheet as sheet_cli

    app.add_typer(sheet_cli.app, name="sheet")
    from projects_cli.cli import invest as invest_cli
    from projects_cli.cli import milestone as milestone_cli
    from projects_cli.cli import report as report_cli

    report_cli.register(app)
    app.add_typer(milestone_cli.app, name="milestone")
    app.add_typer(invest_cli.app, name="invest")
    from projects_cli.cli import ledger as ledger_cli

    app.add_typer(ledger_cli.app, name="ledger")
    from projects_cli.cli import cards as cards_cli

    app.add_typer(cards_cli.app, name="cards")
    app.command("flag")(cards_cli.flag)


_register()


def main() -> None:
    app(prog_name="projects")
