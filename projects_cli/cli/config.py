"""`projects config …`: the office's config file (配置文件) — a commented starting file, and a check of one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from projects_cli.cli import common
from projects_cli.i18n import _

app = typer.Typer(help="The config file (配置文件): write a commented starting file, check one line by line.",
                  no_args_is_help=True)


def defaults() -> dict[str, dict[str, Any]]:
    """section → key → the value used when the config file does not write it, read from the code that applies
    it (`SheetConfig`, the ledger reader's `Limits`, the 派工单's stages …): a default lives once, there; a test
    compares the shipped template (data/config.toml, which `init` writes) with these. A key with no default
    (a password, a currency rate) is absent: without it the feature is off or the input is refused."""
    from dataclasses import fields

    from projects_cli.ledger import dispatch, exporter
    from projects_cli.ledger.reader import Limits
    from projects_cli.rules import investment
    from projects_cli.sheets import templating
    from projects_cli.sheets.contexts import SheetConfig
    from projects_cli.store.db import WAIT_SECONDS
    from projects_cli.store.models import MILESTONE_KINDS

    sheets = {f.name: f.default for f in fields(SheetConfig) if f.default not in (None, "", ())}
    sheets.update(render_seconds=templating.RENDER_SECONDS, render_output_mb=templating.RENDER_OUTPUT_MB)
    return {
        "ledger": {"title": exporter.DEFAULT_TITLE},
        "dispatch": {"stages": list(dispatch.DEFAULT_STAGES), "title": dispatch.DEFAULT_TITLE},
        "limits": {f.name: f.default for f in fields(Limits)},
        "sheets": sheets,
        "milestones": {"kinds": list(MILESTONE_KINDS)},
        "database": {"wait_seconds": WAIT_SECONDS},
        "investment": {"warn_total_factor": investment.WARN_TOTAL_FACTOR,
                       "warn_plan_factor": investment.WARN_PLAN_FACTOR},
    }


@app.command()
def init(
    ctx: typer.Context,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False,
        help="Where to write it. Default: the config file in force (--config, PROJECTS_CONFIG, else config.toml "
             "in the data folder).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace an existing file (a copy of it is kept beside it as .bak).")] = False,
) -> None:
    """Write a starting config file (配置文件模板): every section with its keys and their defaults, commented.

    Uncomment (remove "# ") and edit only what the office changes; a key left out keeps the default shown.
    An existing file is never replaced without --force, and then a copy is kept. Then run `projects config check`.

    Example: projects config init
    """
    import shutil

    from projects_cli.config.calendar import config_file
    from projects_cli.config.office import template_path
    from projects_cli.errors import ProjectsError
    from projects_cli.writes import cannot_write, release, write_text

    path = output or config_file(common.settings(ctx))
    text = template_path().read_text(encoding="utf-8")
    if path.exists() and not force:
        raise ProjectsError(_("{path} 已存在，未改动；要换成模板请加 --force（原文件另存为 .bak），或用 -o 写到别处").format(
            path=path))
    if path.is_dir():
        raise ProjectsError(_("{dest} 是文件夹；请给出文件名").format(dest=path))
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        try:
            shutil.copy2(path, backup)
        except OSError as exc:
            raise cannot_write(backup, exc) from None
    release(path)  # the config file is an input of every command; here it is on purpose the output
    write_text(path, text)
    if backup is not None:
        common.note(_("原文件已另存为 {backup}").format(backup=backup))
    common.note(_("已写入 {path}：每个设置及其默认值（均已注释）；改好后运行 projects config check").format(path=path))


@app.command()
def check(
    ctx: typer.Context,
    file: Annotated[Optional[Path], typer.Argument(
        dir_okay=False, help="The config file to check. Default: the one in force.")] = None,
) -> None:
    """Check a config file (and the rules file in force) and name the line of every problem; exit 1 if any.

    Unknown sections and keys (a misspelling), wrong kinds of value and values out of range are all listed
    at once, each with its file, line, section and key, and an example of what is right.

    Example: projects config check 督查室配置.toml
    """
    from projects_cli.config.calendar import config_file
    from projects_cli.config.check import config_problems, written_keys
    from projects_cli.config.rulebook import rules_problems
    from projects_cli.errors import ProjectsError

    s = common.settings(ctx)
    path = file or config_file(s)
    problems: list[str] = []
    if path.exists() or file is not None:
        problems += config_problems(path)
        if not problems:
            written = written_keys(path)
            shown = _("；").join(f"[{name}] {', '.join(keys)}" for name, keys in written.items()) or _("没有写任何设置")
            common.note(_("配置文件 {path} 没有问题：{shown}").format(path=path, shown=shown))
    else:
        common.note(_("没有配置文件 {path}：全部用默认值；projects config init 写一份带注释的模板").format(path=path))
    if file is None:
        rules, found = rules_problems(s.rules_path)
        problems += found
        if rules is not None and not found:
            common.note(_("规则文件 {path} 没有问题").format(path=rules))
    if problems:
        for problem in problems:
            common.out(problem)
        raise ProjectsError(_("发现 {n} 处问题，见上").format(n=len(problems)))
