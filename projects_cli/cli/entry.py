"""The `projects` console script. `projects --version` answers before typer is even imported."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from projects_cli import __version__

        print(f"projects {__version__}")
        return
    from projects_cli.cli.app import main as run

    run()
