"""Every command has help text with an example, and the root answers fast (no heavy imports)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app


def walk(command, path=()):
    import typer.core  # noqa: F401

    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


EXAMPLE = re.compile("Example:|示例：")  # the help's example paragraph, in English or as the Chinese help shows it


def all_commands():
    from projects_cli.cli.app import COMMANDS, build_command

    out = []
    for name in COMMANDS:
        out.extend((p, c) for p, c in walk(build_command(name), (name,)))
    return out


def first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def test_listed_short_help_is_the_commands_own():
    from projects_cli.cli.app import COMMANDS, build_command
    from projects_cli.i18n import help_text

    assert {name: first_paragraph(build_command(name).help or "") for name in COMMANDS} == {
        name: help_text(entry[2]) for name, entry in COMMANDS.items()
    }


def test_every_command_has_help_with_an_example():
    missing = []
    for path, command in all_commands():
        if hasattr(command, "commands"):
            if not (command.help or "").strip():
                missing.append(" ".join(path))
            continue
        text = command.help or ""
        if not EXAMPLE.search(text) or "projects " not in EXAMPLE.split(text, 1)[1]:
            missing.append(" ".join(path))
    assert missing == []


def test_every_option_has_help():
    missing = []
    for path, command in all_commands():
        for param in command.params:
            if param.param_type_name == "option" and not getattr(param, "help", None):
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_shell_completion_is_an_option_of_the_root_only():
    """`projects --install-completion`; a command of its own (`list`, `overdue` …) does not offer it again."""
    import typer

    with_completion = [" ".join(path) for path, command in all_commands()
                       if {"--install-completion", "--show-completion"} & {o for p in command.params for o in p.opts}]
    assert with_completion == []
    assert "--install-completion" in {o for p in typer.main.get_command(app).params for o in p.opts}


def test_help_runs_for_every_command():
    runner = CliRunner()
    for path, _ in all_commands():
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path


def test_root_help_imports_no_heavy_library():
    code = (
        "import sys; sys.argv=['projects','--help'];\n"
        "from projects_cli.cli.app import main\n"
        "try: main()\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in ('sqlalchemy','sqlmodel','openpyxl','jinja2','alembic','python_calamine','docx','lxml') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("HEAVY []")


# ---------------------------------------------------------------- every example runs as printed

# what an example needs on the sample registry before it can run (a problem in the right state, a file
# the command reads, a document already issued), as commands run first
# a lead added at the start of October, for the examples that move, follow, sign or show XS-0001
LEAD = ["--as-of", "2025-10-01", "lead", "add", "--name", "某新能源电池项目", "--unit", "经济发展局", "--amount", "8亿元"]
# a 周调度 on the as-of date on one project, for the examples that use HY-0001
MEETING = ["meeting", "add", "--kind", "周调度", "--date", "2025-10-31", "--chair", "王主任", "--units", "经济发展局、建设局",
           "--projects", "GX-0004"]
SETUP: dict[tuple[str, ...], list[list[str]]] = {
    ("issue", "assign"): [["issue", "accept", "2025-009"]],
    ("issue", "close"): [["issue", "resolve", "2025-005", "--text", "已办结"]],
    ("sheet", "reissue"): [["sheet", "notice", "2025-004", "--output", "n.md"]],
    ("sheet", "void"): [["sheet", "notice", "2025-004", "--output", "n.md"]],
    ("ledger", "import"): [["ledger", "export", "经济发展局10月台账.xlsx", "--unit", "经济发展局"]],
    ("config", "check"): [["config", "init", "-o", "督查室配置.toml"]],
    ("cards", "report"): [["cards", "rate", "--period", "2025-10"]],
    ("sheet", "cards"): [["cards", "rate", "--period", "2025-10"]],
    ("undo",): [["edit", "GX-0001", "--notes", "核对后补记"]],
    ("project", "restore"): [["--as-of", "2025-11-01", "project", "archive", "GX-0004", "--reason", "项目终止", "--yes"]],
    ("project", "remove"): [["add", "--name", "误录的项目", "--status", "前期"],
                            ["project", "archive", "GX-0052", "--reason", "重复录入", "--yes"]],
    ("log", "revert"): [["edit", "GX-0001", "--notes", "核对后补记"]],
    ("unit", "remove"): [["unit", "add", "临时工作专班"]],
    **{("lead", name): [LEAD] for name in ("move", "follow", "assign", "sign", "show", "edit")},
    **{("meeting", name): [MEETING] for name in ("attend", "decide", "show", "agenda", "minutes")},
}
FRESH = {("init",)}  # examples that make their registry
FILES = {("calendar", "import"): ("notice_2026.txt", "2026年节假日安排.txt")}


def unit_list(path: Path) -> None:
    """An office's unit list as it keeps one: a title row, then 单位名称 / 联系人 / 电话 / 邮箱."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["高新区责任单位通讯录"])
    ws.append(["单位名称", "联系人", "电话", "邮箱"])
    ws.append(["经济发展局", "王五", "0537-2345678", "jfj@example.gov.cn"])
    ws.append(["招商服务中心", "赵六", "0537-3456789", None])
    wb.save(path)


MADE = {("unit", "import"): ("单位通讯录.xlsx", unit_list)}
# examples that need a PostgreSQL server (tests/store/test_roles.py runs these commands on one): on the sample
# they run without their --db, parse as printed, and stop at the one line saying SQLite has no logins
NEEDS_POSTGRES = {("admin", "role", "add"), ("admin", "role", "remove"), ("admin", "role", "scope")}


def examples() -> list[tuple[tuple[str, ...], str]]:
    out = []
    for path, command in all_commands():
        text = command.help or ""
        if hasattr(command, "commands") or not EXAMPLE.search(text):
            continue
        out += [(path, line.strip()) for line in EXAMPLE.split(text, 1)[1].strip().splitlines()
                if line.strip().startswith("projects ")]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("path, example", examples(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_every_example_runs_as_printed_on_the_sample(demo_template, tmp_path, monkeypatch, path, example):
    import shlex
    import shutil

    monkeypatch.chdir(tmp_path)
    for name in ("projects.db", "office.db"):  # the default registry, and the one examples name with --db
        if path not in FRESH:
            shutil.copyfile(demo_template, tmp_path / name)
    env = {"PROJECTS_HOME": str(tmp_path), "PROJECTS_DB": str(tmp_path / "projects.db"),
           "PROJECTS_AS_OF": "2025-10-31", "PROJECTS_CONFIG": "", "PROJECTS_RULES": "", "PROJECTS_USER": "tester"}
    if path in FILES:
        source, name = FILES[path]
        shutil.copyfile(Path(__file__).parent.parent / "data" / source, tmp_path / name)
    if path in MADE:
        name, make = MADE[path]
        make(tmp_path / name)
    runner = CliRunner()
    for step in SETUP.get(path, []):
        r = runner.invoke(app, step, env=env, catch_exceptions=False)
        assert r.exit_code == 0, (step, r.stderr)
    args = shlex.split(example)[1:]
    if path in NEEDS_POSTGRES:
        from projects_cli.store.roles import SQLITE_HINT

        assert args[0] == "--db" and args[1].startswith("postgresql+psycopg://"), example
        r = runner.invoke(app, args[2:], env=env, catch_exceptions=False)
        assert (r.exit_code, r.stderr) == (1, f"错误：{SQLITE_HINT}\n"), example
        return
    r = runner.invoke(app, args, env=env, catch_exceptions=False)
    assert r.exit_code == 0, (example, r.stderr)



@pytest.mark.slow
@pytest.mark.parametrize("width", ["80", "100"])
def test_no_help_text_is_cut_off(width):
    """No help is cut off at 80 or 100 columns: rich marks a cut with "…", so a command's help drawn holds no
    more "…" than its texts do (rich breaks only at spaces, and Chinese has none; projects_cli/i18n.py)."""
    from projects_cli.cli.app import app

    runner = CliRunner()
    cut = []
    for path, command in all_commands():
        drawn = runner.invoke(app, [*path, "--help"], env={"COLUMNS": width}).stdout
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        if drawn.count("…") > sum(text.count("…") for text in texts):
            cut.append((" ".join(path), [line for line in drawn.splitlines() if "…" in line]))
    assert cut == []
