"""`python -m projects_cli` runs the same command as the `projects` script."""

from projects_cli.cli.entry import main

main()
