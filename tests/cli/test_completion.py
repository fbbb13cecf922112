"""Shell completion (issue 19): commands, options, and the registry's codes, units, leaders and numbers."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app


@pytest.fixture
def demo(demo_template, tmp_path):
    path = tmp_path / "office.db"
    shutil.copyfile(demo_template, path)
    return path


def complete(words: str, shell: str = "bash") -> list[str]:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"_PROJECTS_COMPLETE": f"complete_{shell}", "COMP_WORDS": words, "COMP_CWORD": str(cword),
           "_TYPER_COMPLETE_ARGS": words}
    r = CliRunner().invoke(app, [], env=env, prog_name="projects")
    assert r.exit_code == 0, r.output
    return [line for line in r.stdout.splitlines() if line]


def test_commands_and_options_complete(demo):
    assert complete("projects ov") == ["overdue"]
    assert "escalate" in complete("projects issue ")
    assert complete(f"projects --db {demo} overdue --un") == ["--unit"]


def test_the_registrys_values_complete(demo):
    assert complete(f"projects --db {demo} show GX-000") == [f"GX-000{n}" for n in range(1, 10)]
    assert complete(f"projects --db {demo} issue assign 2025-00")[:2] == ["2025-001", "2025-002"]
    assert complete(f"projects --db {demo} overdue --unit 经") == ["经济发展局"]
    assert complete(f"projects overdue --db {demo} --unit 王") == ["王因街道"]  # --db typed after the command
    assert complete(f"projects --db {demo} list --leader 张") == ["张伟"]


def test_zsh_shows_each_codes_project_name(demo):
    lines = complete(f"projects --db {demo} show GX-0001", shell="zsh")
    assert lines == ["_arguments '*: :((\"GX-0001\":\"济宁国际高端装备产业城项目\"))'"]


def test_no_registry_no_suggestions_and_no_error(tmp_path):
    assert complete(f"projects --db {tmp_path / 'none.db'} show G") == []
    (tmp_path / "junk.db").write_bytes(b"not a database")
    assert complete(f"projects --db {tmp_path / 'junk.db'} show G") == []


def test_a_lead_command_completes_lead_codes_not_project_codes(demo):
    r = CliRunner().invoke(app, ["--db", str(demo), "--as-of", "2025-10-01", "lead", "add", "--name", "某新能源电池项目",
                                 "--unit", "经济发展局", "--person", "王强"])
    assert r.exit_code == 0, r.stderr
    assert complete(f"projects --db {demo} lead move ") == ["XS-0001"]
    assert complete(f"projects --db {demo} lead list --person 王") == ["王强"]
    assert complete(f"projects --db {demo} lead add --unit 经济") == ["经济发展局"]
