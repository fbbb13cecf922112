"""The `projects` command (typer): parse options, call a service, print. The only floor that prints.

Each module is one command group; `app` loads them lazily so `--help` stays fast.
"""

from projects_cli.i18n import install_for_libraries

install_for_libraries()  # typer's and click's own strings in the interface's language, before typer shows any
