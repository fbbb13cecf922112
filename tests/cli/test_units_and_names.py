"""One unit policy (add, edit, issue assign, ledger import refuse an unknown unit unless --create-units)
and one name per project (add, edit refuse a second project of the same name unless --allow-duplicate-name)."""

from __future__ import annotations

import json

import pytest
from counts import table_counts
from sqlalchemy import create_engine, text

CREATE = "；确需新增该单位，请加 --create-units"


@pytest.fixture
def office(cli):
    r = cli("add", "--create-units", "--name", "甲项目", "--unit", "经济发展局", "--leader", "刘洋")
    assert (r.exit_code, r.stdout) == (0, "GX-0001\n"), r.stderr
    r = cli("add", "--create-units", "--name", "ABC智能制造项目", "--unit", "科技创新局")
    assert (r.exit_code, r.stdout) == (0, "GX-0002\n"), r.stderr
    return cli


def projects(cli) -> list[tuple[str, str, str | None]]:
    return [(p["code"], p["name"], p["unit"]) for p in json.loads(cli("list", "--format", "json").stdout)]


def units(cli) -> list[str]:
    engine = create_engine(cli.url)
    with engine.connect() as conn:
        names = sorted(conn.execute(text("SELECT name FROM unit")).scalars())
    engine.dispose()
    return names


def test_edit_refuses_the_issues_typo_and_creates_no_phantom_unit(office):
    cli = office
    before = table_counts(cli.url)
    r = cli("edit", "GX-0001", "--unit", "经济发展居")
    assert (r.exit_code, r.stderr) == (1, "错误：责任单位“经济发展居”不存在；最接近的：经济发展局" + CREATE + "\n")
    assert table_counts(cli.url) == before
    r = cli("edit", "GX-0001", "--unit", "经济发展居", "--create-units")
    assert (r.exit_code, r.stderr) == (0, "已修改：责任单位\n")
    assert projects(cli)[0] == ("GX-0001", "甲项目", "经济发展居")
    assert units(cli) == ["科技创新局", "经济发展局", "经济发展居"]


def test_add_refuses_an_unknown_unit_unless_created(office):
    cli = office
    before = table_counts(cli.url)
    r = cli("add", "--name", "乙项目", "--unit", "住建局")
    assert (r.exit_code, r.stdout, r.stderr) == (
        1, "", "错误：责任单位“住建局”不存在；现有的：科技创新局、经济发展局" + CREATE + "\n")
    assert table_counts(cli.url) == before
    assert cli("add", "--name", "乙项目", "--unit", "住建局", "--create-units").stdout == "GX-0003\n"
    assert units(cli) == ["住建局", "科技创新局", "经济发展局"]


def test_a_unit_spelt_with_other_spaces_is_the_registrys(office):
    cli = office
    assert cli("add", "--name", "乙项目", "--unit", "经济 发展局").stdout == "GX-0003\n"
    r = cli("edit", "GX-0002", "--unit", "经济\u3000发展局")
    assert (r.exit_code, r.stderr) == (0, "已修改：责任单位\n")
    assert projects(cli) == [("GX-0001", "甲项目", "经济发展局"), ("GX-0002", "ABC智能制造项目", "经济发展局"),
                             ("GX-0003", "乙项目", "经济发展局")]
    assert units(cli) == ["科技创新局", "经济发展局"]  # and --create-units does not make a second one
    assert cli("edit", "GX-0003", "--unit", "科技 创新局", "--create-units").exit_code == 0
    assert units(cli) == ["科技创新局", "经济发展局"]


DUPLICATE = "错误：已有同名项目 {code}“{name}”；如确为另一个项目，请加 --allow-duplicate-name\n"


@pytest.mark.parametrize("typed, code, name", [
    ("甲项目", "GX-0001", "甲项目"),
    ("甲 项目", "GX-0001", "甲项目"),
    (" 甲\u3000项目 ", "GX-0001", "甲项目"),
    ("ＡＢＣ智能制造项目", "GX-0002", "ABC智能制造项目"),  # full-width letters
    ("ABC 智能制造 项目", "GX-0002", "ABC智能制造项目"),
])
def test_add_refuses_a_second_project_of_the_same_name(office, typed, code, name):
    cli = office
    before = table_counts(cli.url)
    r = cli("add", "--name", typed, "--unit", "经济发展局")
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", DUPLICATE.format(code=code, name=name))
    assert table_counts(cli.url) == before
    r = cli("add", "--name", typed, "--unit", "经济发展局", "--allow-duplicate-name")
    assert (r.exit_code, r.stdout) == (0, "GX-0003\n")


def test_edit_refuses_another_projects_name_but_not_its_own(office):
    cli = office
    r = cli("edit", "GX-0002", "--name", "甲 项目")
    assert (r.exit_code, r.stderr) == (1, DUPLICATE.format(code="GX-0001", name="甲项目"))
    r = cli("edit", "GX-0001", "--name", "甲 项目")  # its own name, spaced: not a second project
    assert (r.exit_code, r.stderr) == (0, "已修改：项目名称\n")
    r = cli("edit", "GX-0002", "--name", "甲项目", "--allow-duplicate-name")
    assert (r.exit_code, r.stderr) == (0, "已修改：项目名称\n")
    assert [p[1] for p in projects(cli)] == ["甲 项目", "甲项目"]


LEDGER = "项目名称,责任单位,总投资（万元）\n甲项目,经济发展局,100\n乙项目,经发局,200\n丙项目,新设协调办,300\n丁项目,经发局,50\n戊项目,经济 发展局,10\n"


def test_a_ledger_naming_unknown_units_is_refused_before_anything_is_written(office, tmp_path):
    cli = office
    path = tmp_path / "台账.csv"
    path.write_text(LEDGER, encoding="utf-8")
    before = table_counts(cli.url)
    r = cli("ledger", "import", str(path))
    near = "责任单位“经发局”不存在；最接近的：经济发展局" + CREATE
    assert (r.exit_code, r.stderr) == (1, (
        f"错误：台账 第 3 行，B 列 责任单位：{near}\n"
        "错误：台账 第 4 行，B 列 责任单位：责任单位“新设协调办”不存在；现有的：科技创新局、经济发展局"
        f"{CREATE}\n"
        f"错误：台账 第 5 行，B 列 责任单位：{near}\n"
        "错误：台账.csv：3 处错误（第 3, 4, 5 行）；未写入任何内容\n"))
    assert table_counts(cli.url) == before
    r = cli("ledger", "import", str(path), "--dry-run", "--format", "json")
    assert r.exit_code == 1 and json.loads(r.stdout)["counts"] == {"added": 1, "changed": 1, "unchanged": 0, "refused": 3}
    r = cli("ledger", "import", str(path), "--create-units")
    assert r.exit_code == 0, r.stderr
    assert projects(cli) == [("GX-0001", "甲项目", "经济发展局"), ("GX-0002", "ABC智能制造项目", "科技创新局"),
                             ("GX-0003", "乙项目", "经发局"), ("GX-0004", "丙项目", "新设协调办"),
                             ("GX-0005", "丁项目", "经发局"), ("GX-0006", "戊项目", "经济发展局")]
    assert units(cli) == ["新设协调办", "科技创新局", "经发局", "经济发展局"]


def test_a_ledger_of_known_units_needs_no_flag(office, tmp_path):
    cli = office
    path = tmp_path / "台账.csv"
    path.write_text("项目名称,责任单位\n己项目,经济 发展局\n庚项目,科技创新局\n", encoding="utf-8")
    r = cli("ledger", "import", str(path))
    assert r.exit_code == 0, r.stderr
    assert projects(cli)[2:] == [("GX-0003", "己项目", "经济发展局"), ("GX-0004", "庚项目", "科技创新局")]
