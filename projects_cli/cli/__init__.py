"""The `projects` command (typer): parse options, call a service, print. The only floor that prints.

Each module is one command group; `app` loads them lazily so `--help` stays fast.
"""
