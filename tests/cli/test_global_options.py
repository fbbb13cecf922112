"""Global options typed after the command (issue 19): `projects overdue --db x` is `projects --db x overdue`."""

from __future__ import annotations

import json

import pytest

from projects_cli.cli.app import globals_first

OWN = {"log": {"--by", "--since"}}


def declared(name: str) -> set[str]:
    return OWN.get(name, set())


@pytest.mark.parametrize("args, expected", [
    (["overdue", "--db", "x.db"], ["--db", "x.db", "overdue"]),
    (["overdue", "--db=x.db", "--format", "json"], ["--db=x.db", "overdue", "--format", "json"]),
    (["--by", "甲", "issue", "assign", "2025-001", "--as-of", "2025-10-31", "--unit", "建设局"],
     ["--by", "甲", "--as-of", "2025-10-31", "issue", "assign", "2025-001", "--unit", "建设局"]),
    # the command's own option of that name stays: log --by filters by person
    (["log", "--by", "甲", "--db", "x.db"], ["--db", "x.db", "log", "--by", "甲"]),
    # after `--` nothing moves; an option without its value stays for click to refuse
    (["issue", "respond", "2025-001", "--", "--db", "x"], ["issue", "respond", "2025-001", "--", "--db", "x"]),
    (["overdue", "--db"], ["overdue", "--db"]),
    (["overdue", "--wide", "--unit", "建设局"], ["--wide", "overdue", "--unit", "建设局"]),
    # no command, or not a command: as typed
    (["--db", "x.db"], ["--db", "x.db"]),
    (["--help"], ["--help"]),
    (["overdu", "--db", "x"], ["overdu", "--db", "x"]),
])
def test_globals_first(args, expected):
    assert globals_first(args, declared) == expected


def test_a_global_option_after_the_command_acts_as_before_it(cli):
    assert cli("add", "--name", "甲项目").exit_code == 0
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    r = CliRunner().invoke(app, ["list", "--format", "json", "--db", cli.url, "--as-of", "2025-10-31"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert [p["name"] for p in json.loads(r.stdout) if p["name"] == "甲项目"] == ["甲项目"]
    # log's own --by is its filter; the global --by after it still moves when log does not declare it twice
    r = CliRunner().invoke(app, ["log", "--db", cli.url, "--by", "tester", "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    from tests.conftest import logged_by

    assert {e["by"] for e in json.loads(r.stdout)} == {logged_by(cli.url)}
