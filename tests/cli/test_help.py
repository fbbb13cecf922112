"""Every command has help text with an example, and the root answers fast (no heavy imports)."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from projects_cli.cli.app import app


def walk(command, path=()):
    import typer.core  # noqa: F401

    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


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

    assert {name: first_paragraph(build_command(name).help or "") for name in COMMANDS} == {
        name: entry[2] for name, entry in COMMANDS.items()
    }


def test_every_command_has_help_with_an_example():
    missing = []
    for path, command in all_commands():
        if hasattr(command, "commands"):
            if not (command.help or "").strip():
                missing.append(" ".join(path))
            continue
        text = command.help or ""
        if "Example:" not in text or "projects " not in text.split("Example:")[1]:
            missing.append(" ".join(path))
    assert missing == []


def test_every_option_has_help():
    missing = []
    for path, command in all_commands():
        for param in command.params:
            if param.param_type_name == "option" and not getattr(param, "help", None):
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


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
