"""`config init` and `config check` (issue 18): the starting file holds every key with the code's defaults,
and a check lists every problem of a file at once, each with its line."""

from __future__ import annotations

import re
import tomllib

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app
from projects_cli.cli.config import defaults
from projects_cli.config import office
from projects_cli.config.check import config_problems


def run(*args: str, env: dict[str, str] | None = None):
    r = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def commented_keys(text: str) -> dict[str, dict[str, object]]:
    """The template's commented `# key = value` lines, by the commented `# [section]` above them."""
    out: dict[str, dict[str, object]] = {}
    section = None
    for line in text.splitlines():
        head = re.fullmatch(r"# \[([a-z_.]+)\]", line.strip())
        if head:
            section = head.group(1)
            out.setdefault(section, {})
            continue
        item = re.fullmatch(r"# ([a-z_]+) = (.+?)(\s+# .*)?", line.strip())
        if item and section:
            out[section][item.group(1)] = tomllib.loads(f"v = {item.group(2)}")["v"]
    return out


def test_the_template_shows_every_key_of_every_section_and_the_codes_defaults():
    written = commented_keys(office.template_path().read_text(encoding="utf-8"))
    for name, table in office.SECTIONS.items():
        keys = [k for k, kind in table.keys.items() if not isinstance(kind, office.Table)]
        assert name in written, name
        assert sorted(written[name]) == sorted(keys), name
    for name, values in defaults().items():
        for key, value in values.items():
            assert written[name][key] == value, (name, key)


def test_the_template_read_as_a_config_with_every_line_uncommented_is_valid(tmp_path):
    lines = []
    for line in office.template_path().read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r"# (\[[a-z_.]+\]|[a-z_]+ = .+)", line):
            line = line[2:]
        lines.append(line)
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    config = office.load_config(path)
    assert config["sheets"]["prefix"] == "高新督"
    assert config["limits"]["ledger_rows"] == 1_048_576
    assert config["ledger"]["status"]["续建"] == "在建"


def test_init_writes_the_template_and_never_replaces_a_file_without_force(tmp_path):
    path = tmp_path / "config.toml"
    code, _, err = run("--config", str(path), "config", "init")
    assert code == 0, err
    assert path.read_text(encoding="utf-8") == office.template_path().read_text(encoding="utf-8")
    assert f"已写入 {path}" in err
    path.write_text('[sheets]\nprefix = "某某督"\n', encoding="utf-8")
    code, _, err = run("--config", str(path), "config", "init")
    assert code == 1
    assert err.strip() == (f"错误：{path} 已存在，未改动；要换成模板请加 --force（原文件另存为 .bak），或用 -o 写到别处")
    assert path.read_text(encoding="utf-8") == '[sheets]\nprefix = "某某督"\n'
    code, _, err = run("--config", str(path), "config", "init", "--force")
    assert code == 0, err
    assert (tmp_path / "config.toml.bak").read_text(encoding="utf-8") == '[sheets]\nprefix = "某某督"\n'
    assert "高新督" in path.read_text(encoding="utf-8")


def test_init_writes_to_the_data_folder_by_default(tmp_path):
    code, _, err = run("config", "init", env={"PROJECTS_HOME": str(tmp_path), "PROJECTS_CONFIG": ""})
    assert code == 0, err
    assert (tmp_path / "config.toml").exists()


BAD = """\
[sheets]
prefx = "高新督"
list_limit = 0

[ledgr]
x = 1

[limits]
ledger_rows = "many"

[calendar]
holidays = ["2027-13-01"]
workdays = ["2027-01-04"]
"""


def test_check_lists_every_problem_with_its_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    where = f"配置文件 {path}"
    assert config_problems(path) == [
        f"{where} 第 2 行 [sheets] prefx：未知的键；可用的键：prefix, office, mark, "
        "title_font, contact, weekly_to, weekly_cc, phone, templates, list_limit, render_seconds, render_output_mb",
        f"{where} 第 3 行 [sheets] list_limit：应为 ≥ 1 的整数，不能是 0",
        f"{where} 第 5 行 [ledgr]：未知的表；可用的键：calendar, ledger, dispatch, "
        "limits, sheets, milestones, database, investment, notify",
        f"{where} 第 9 行 [limits] ledger_rows：应为 ≥ 1 的整数，不能是 'many'",
        f"{where} 第 12 行 [calendar] holidays 第 1 项：'2027-13-01' 不是日期，请写成 YYYY-MM-DD"
        "，例如 \"2027-01-01\"",
    ]
    code, out, err = run("config", "check", str(path))
    assert code == 1
    assert out.splitlines() == config_problems(path)
    assert err.strip() == "错误：发现 5 处问题，见上"


def test_check_of_a_good_file_says_what_it_sets(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[sheets]\nprefix = "某某督"\n\n[calendar]\nholidays = ["2027-01-01"]\nknown_years = [2027]\n',
                    encoding="utf-8")
    code, out, err = run("--rules", str(tmp_path / "none.toml"), "config", "check", str(path))
    assert (code, out) == (0, "")
    assert err.strip() == f"配置文件 {path} 没有问题：[calendar] holidays, known_years；[sheets] prefix"


def test_check_keys_checked_together_only_once_each_reads(tmp_path):
    # a day both off and worked is a problem of the table, reported when its keys read right
    path = tmp_path / "c.toml"
    path.write_text('[calendar]\nholidays = ["2027-01-04"]\nworkdays = ["2027-01-04"]\n', encoding="utf-8")
    assert config_problems(path) == [
        f"配置文件 {path} 第 1 行 [calendar]：2027-01-04 同时列在 holidays 和 workdays 中"
        ""]


def test_check_without_a_config_file_says_the_defaults_hold_and_checks_the_rules_file(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[cards]\nlag_red_points = -3\n[flagg]\nx = 1\n", encoding="utf-8")
    env = {"PROJECTS_HOME": str(tmp_path), "PROJECTS_CONFIG": "", "PROJECTS_RULES": ""}
    code, out, err = run("config", "check", env=env)
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"规则文件 {rules} 第 2 行 [cards] lag_red_points：")
    assert lines[1].startswith(f"规则文件 {rules} 第 3 行 [flagg]：未知的表")
    assert f"没有配置文件 {tmp_path / 'config.toml'}：全部用默认值" in err
    assert "错误：发现 2 处问题" in err


@pytest.mark.parametrize("text, problem", [
    ("[sheets\n", "不是有效的 TOML"),
    ("\xff", None),
])
def test_check_of_a_file_that_is_not_toml_is_one_problem(tmp_path, text, problem):
    path = tmp_path / "c.toml"
    if problem is None:
        path.write_bytes(b"\xff\xfe")
        problem = "不是 UTF-8 文本"
    else:
        path.write_text(text, encoding="utf-8")
    found = config_problems(path)
    assert len(found) == 1 and problem in found[0] and str(path) in found[0]
    code, _, err = run("config", "check", str(path))
    assert code == 1 and "Traceback" not in err
