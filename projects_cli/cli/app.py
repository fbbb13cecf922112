"""The `projects` command: global options, the error handler, and the command groups."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from typer.core import TyperGroup

from projects_cli import __version__, i18n
from projects_cli.cli import common
from projects_cli.config.settings import Settings, default_db, default_user
from projects_cli.errors import ProjectsError
from projects_cli.i18n import _

i18n.translate_vendored_click()


def _no_empty_envvar_hint() -> None:
    """click 8.2.0–8.2.1 name an option without an environment variable "(env var: 'None')" in its errors
    (typer shows every option's variable): say nothing of one it does not have."""
    option = getattr(getattr(typer.core, "click", None), "Option", None)
    hint = vars(option).get("get_error_hint") if option is not None else None
    if hint is None or getattr(hint, "patched", False):
        return

    def get_error_hint(self, ctx):
        text = hint(self, ctx)
        return text.replace(" (env var: 'None')", "") if self.envvar is None else text

    get_error_hint.patched = True
    option.get_error_hint = get_error_hint


_no_empty_envvar_hint()

# Every command, in the order `projects --help` lists them: name → (module in projects_cli.cli,
# attribute, short help). A group's attribute is its typer app; a command's, its function.
# Only the command being run is imported and built, so `projects --help` stays instant;
# tests/test_help.py checks each short help against the command's own help text.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("registry", "init", "Create the database (初始化), or bring an existing one up to this version's schema."),
    "list": ("registry", "list_cmd", "List projects (项目清单), filtered; projects archived (已归档) on the as-of date are left out (--archived: only those)."),
    "show": ("registry", "show", "Show one project (项目详情) with every field."),
    "add": ("registry", "add", "Add a project (新增项目) and print its code."),
    "edit": ("registry", "edit", "Edit a project's fields (修改项目); an empty value ('') clears a field."),
    "project": ("project", "app", "A project's life in the registry (项目归档): archive, restore, remove."),
    "unit": ("unit", "app", "Responsible units (责任单位): contacts, renames with their history, merges (机构改革), the whole list from a file."),
    "leader": ("leader", "app", "Leaders in charge (包保领导): title and phone, renames and merges kept in the projects' history."),
    "milestone": ("milestone", "app", "Milestones (节点): plan, re-plan with a reason, mark done, list with their history."),
    "invest": ("invest", "app", "Investment (投资): the month's completed amount, the annual plan, year-to-date against 序时进度."),
    "countdown": ("report", "countdown", "Countdown (倒计时): each project's next open milestone and the days left, soonest first."),
    "overdue": ("report", "overdue", "The overdue report (逾期通报): milestones past their planned date, problems past their deadline, look-backs (回头看) past their date, investment leads (招商线索) past their follow-up date, grouped by responsible unit (责任单位) then leader (包保领导), with days late, severity tier, the project's investment gap to 序时进度, what is new since last week, and what falls due soon."),
    "cards": ("cards", "app", "Red, yellow and blue cards (红黄蓝牌): rate, set by hand, list, explain, report."),
    "flag": ("cards", "flag", "Score the responsible units (流动红旗评比), award the flag to the best and list the last for a talk (约谈)."),
    "issue": ("issue", "app", "Problems (问题) of projects through the closed loop: 提报 · 受理 · 交办 · 反馈 · 督办 · 办结 · 销号."),
    "meeting": ("meeting", "app", "Meetings (会议): 周调度 · 月调度 · 专题会商 · 现场观摩, the units at them, their decisions (议定事项) and minutes (会议纪要)."),
    "sheet": ("sheet", "app", "Supervision sheets (督办单, 红黄蓝牌通报, 周报) from the office's Jinja templates, as Excel, HTML, Markdown or Word."),
    "ledger": ("ledger", "app", "Excel ledgers (台账): import the ledgers units send, export the ledger the office files, dispatch each unit its fill-in workbook (派工单)."),
    "log": ("log", "app", "Show the change log (变更记录), newest first: who changed which record, old and new values."),
    "undo": ("undo", "undo", "Undo changes (撤销) by their change-log entries: each is reversed as a new, logged change through the usual write paths (reports for earlier dates keep what was on record then), newest first, all or none. Refused, with the reason, when a later change depends on it (the field was changed again since, the milestone has been done since, the problem has moved on, a document number was issued)."),
    "config": ("config", "app", "The config file (配置文件): write a commented starting file, check one line by line."),
    "calendar": ("calendar", "app", "The working-day calendar (工作日历): show a year, import the State Council's holiday notice."),
    "lead": ("lead", "app", "Investment leads (招商线索, 信息库): add, move through 线索 → 接洽 → 在谈 → 签约 → 落地, follow up, assign, sign into a project, list and report."),
    "notify": ("notify", "app", "Reminders (催办提醒) to the responsible units: work them out, send them, see what went out."),
    "db": ("db", "app", "The database itself (数据库): schema upgrades, backups and checks."),
    "admin": ("admin", "app", "Administration (管理) of a shared PostgreSQL registry: the logins and their roles."),
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
        single = typer.Typer(add_completion=False)  # (likewise)
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return i18n.localize_command(command)


# Commands built ahead, in a resident process before it forks (cli/resident.py): a fork takes the one it runs.
PREBUILT: dict[str, object] = {}


def prebuild() -> None:
    """Build every command now (in the resident process, so that no fork spends the time)."""
    for name in COMMANDS:
        PREBUILT[name] = build_command(name)


# click's base of usage errors (typer ships its own copy of click from 0.20 on)
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class _Listed(typer.core.TyperCommand):
    """What `projects --help` needs of a command it does not run: its name and short help."""


# The root's options that take a value; typed after the command (`projects overdue --db x`) they are moved
# in front of it, unless the command has an option of that name itself (`log --by` filters by person).
GLOBAL_OPTIONS = ("--db", "--as-of", "--by", "--config", "--rules", "--templates", "--csv-headers")
GLOBAL_FLAGS = ("--wide",)


def _option_names(command) -> set[str]:
    """Every option name a command, or any command of a group, declares."""
    names = {opt for param in getattr(command, "params", ()) for opt in getattr(param, "opts", ())}
    for sub in getattr(command, "commands", {}).values():
        names |= _option_names(sub)
    return names


def globals_first(args: list[str], declared) -> list[str]:
    """`args` with the global options typed after the command moved in front of it (`declared(name)`: the
    option names the command `name` has of its own, left where they are). Nothing after `--` moves."""
    i = 0
    while i < len(args) and args[i].startswith("-"):  # the globals already in front, with their values
        i += 2 if args[i] in GLOBAL_OPTIONS else 1
    if i >= len(args) or args[i] not in COMMANDS:
        return args
    own = declared(args[i])
    moved, kept = [], []
    rest = args[i + 1:]
    j = 0
    while j < len(rest):
        arg = rest[j]
        if arg == "--":
            kept += rest[j:]
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS and arg not in own:
            moved.append(arg)
            j += 1
            continue
        if name in GLOBAL_OPTIONS and name not in own and ("=" in arg or j + 1 < len(rest)):
            step = 1 if "=" in arg else 2
            moved += rest[j:j + step]
            j += step
            continue
        kept.append(arg)
        j += 1
    return [*args[:i], *moved, args[i], *kept]


class ProjectsGroup(TyperGroup):
    """The root command: builds only the command being run, and turns a user's mistake into
    one line `错误：…` on stderr with exit code 1."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        i18n.localize_command(self, deep=False)  # its commands are built, and localized, when run

    def main(self, *args, **kwargs):
        i18n.localize_params(self.params)  # typer adds --install-completion and --show-completion after __init__
        return super().main(*args, **kwargs)

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        def declared(name: str) -> set[str]:
            return _option_names(self._built(ctx, name))

        return super().parse_args(ctx, globals_first(list(args), declared))

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, name: str):
        if name not in COMMANDS:
            return None
        if ctx.resilient_parsing:  # shell completion: the command's options and values too
            return self._built(ctx, name)
        if name in self.commands:
            return self.commands[name]
        return _Listed(name=name, help=i18n.help_text(COMMANDS[name][2]), callback=None)

    def resolve_command(self, ctx: typer.Context, args: list[str]):
        name = args[0] if args else None
        if name in COMMANDS:
            self._built(ctx, name)
        return super().resolve_command(ctx, args)

    def _built(self, ctx: typer.Context, name: str):
        """The command `name`, built once; for shell completion with the registry's values (`completion`)."""
        if name not in self.commands:
            self.commands[name] = PREBUILT.pop(name, None) or build_command(name)
        if ctx.resilient_parsing and not getattr(self.commands[name], "_completes", False):
            from projects_cli.cli.completion import attach

            attach(self.commands[name], name)._completes = True
        return self.commands[name]

    def invoke(self, ctx: typer.Context):
        from projects_cli.cli.progress import running
        from projects_cli.writes import command_inputs

        with command_inputs():  # the files this command reads, which no output may replace
            try:
                try:
                    with running():  # after a second, a line on stderr says what it is doing (a terminal only)
                        result = super().invoke(ctx)
                except typer.Exit:
                    common.flush_stdout()
                    raise
                common.flush_stdout()
                return result
            except ProjectsError as exc:
                _fail(exc)
            except KeyboardInterrupt:  # Ctrl-C: say what is left behind, exit as shells expect (128 + SIGINT)
                from projects_cli.writes import interrupted

                common.note(interrupted())
                raise typer.Exit(130) from None
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
    """The one line `错误：…` (`Error: …`) and exit code 1."""
    common.note(_("错误：{message}").format(message=exc))
    if isinstance(exc, common.StdoutBroken):
        common.detach_stdout()
    raise typer.Exit(1) from None


def _database_problem(exc: Exception, ctx: typer.Context) -> ProjectsError | None:
    """A database error (a damaged or foreign file, read-only, locked) in the user's words, else None."""
    if "sqlite3" not in sys.modules and "sqlalchemy" not in sys.modules:
        return None
    from projects_cli.store.db import display_name
    from projects_cli.store.failures import database_problem, refused_words

    url = common.settings(ctx).url
    words = refused_words(exc)
    if words is not None:  # PostgreSQL refused this login (no GRANT, or a row-level security policy)
        from projects_cli.store.roles import refusal

        return refusal(url, words)
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
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="""Key-project supervision (重点项目督查) for a development zone's supervision office (督查室).

A registry of key projects (项目库) with milestones (节点), the start countdown
(开工倒计时) and the weekly overdue report (逾期), red/yellow/blue cards (红黄蓝牌)
and the red flag (流动红旗), the closed loop of problems (问题闭环督办),
supervision sheets (督办单) and Excel ledgers (台账).

Start with:  projects init --sample   then   projects overdue
""",
)


class CsvHeaders(str, Enum):
    zh = "zh"
    en = "en"


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
            help="Database (数据库): a SQLite file path or a SQLAlchemy URL such as postgresql+psycopg://user@host/db. "
                 "Default: projects.db in the data folder ($PROJECTS_HOME, else ~/.local/share/projects); "
                 "`projects db current` shows which.",
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
    csv_headers: Annotated[
        CsvHeaders,
        typer.Option(
            "--csv-headers",
            envvar="PROJECTS_CSV_HEADERS",
            help="CSV headers (表头): zh — Chinese names, with the UTF-8 mark Excel on Chinese Windows needs "
                 "(default; `ledger import` reads it back); en — the JSON keys, no mark, for scripts.",
        ),
    ] = CsvHeaders.zh,
    wide: Annotated[
        bool,
        typer.Option("--wide", envvar="PROJECTS_WIDE",
                     help="Tables as wide as their text, every column (默认在终端里按终端宽度折行、省略次要列)."),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Global options come before the command: projects --db office.db --as-of 2025-03-31 overdue"""
    ctx.obj = Settings(
        db=db or default_db(),
        as_of=as_of,  # already a date (see date_callback)
        by=(by or "").strip() or default_user(),
        by_given=bool((by or "").strip()),
        config_path=config,
        rules_path=rules,
        templates_dir=templates,
    )
    common.protect_inputs(ctx.obj)
    from projects_cli.listings.output import CSV_HEADERS, TABLE_WIDTH

    CSV_HEADERS.set(csv_headers.value)
    TABLE_WIDTH.set(None if wide else _terminal_width())


def _terminal_width() -> int | None:
    """The columns tables are fitted to: the terminal's when stdout is one, else COLUMNS if set (a pipe or a
    file gets tables as wide as their text)."""
    import os
    import shutil

    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) >= 20 else None


def main() -> None:
    app(prog_name="projects")
