"""Filters refuse what does not exist: every filter option of every command, a typo is one line offering
the nearest known names, exit 1; a name spelt with other spaces or full-width forms is the registry's."""

from __future__ import annotations

import json

import pytest

UNIT = "错误：责任单位“经济发展居”不存在；最接近的：经济发展局\n"
TYPOS = {
    "--unit": ("经济发展居", UNIT),
    "--leader": ("刘阳", "错误：包保领导“刘阳”不存在；最接近的：刘洋\n"),
    "--chain": ("工程机", "错误：产业链“工程机”不存在；最接近的：工程机械\n"),
    "--cluster": ("高端", "错误：产业集群“高端”不存在；最接近的：高端装备\n"),
    "--category": ("省重", "错误：项目类别“省重”不存在；最接近的：省重点\n"),
    "--status": ("在建中", "错误：项目状态“在建中”不存在；最接近的：在建\n"),
    "--column": ("4-11", "错误：规划专栏“4-11”不存在；最接近的：4-1、4-9\n"),
    "--color": ("绿", "错误：牌色“绿”不存在；现有的：blue、red、yellow、红牌、蓝牌、黄牌\n"),
    "--state": ("已完成", "错误：问题状态“已完成”不存在；现有的：accepted、assigned、closed、"
                        "rejected、reported、resolved、responded、不予受理、已交办、已办结、已反馈、已受理、已提报、已销号\n"),
    "--level": ("督办", "错误：督办级别“督办”不存在；最接近的：一般督办、挂牌督办、重点督办\n"),
}
PROJECT_FILTERS = ("--unit", "--leader", "--chain", "--cluster", "--category", "--status", "--column")
REPORT_FILTERS = ("--unit", "--leader", "--chain")
COMMANDS = [
    *((("list",), o) for o in PROJECT_FILTERS),
    *((("ledger", "export", "{out}"), o) for o in PROJECT_FILTERS),
    *((("overdue",), o) for o in REPORT_FILTERS),
    *((("overdue", "--format", "xlsx", "-o", "{out}"), o) for o in REPORT_FILTERS),
    *((("countdown",), o) for o in REPORT_FILTERS),
    *((("invest", "show"), o) for o in REPORT_FILTERS),
    *((("cards", "list"), o) for o in ("--unit", "--chain", "--color")),
    *((("cards", "report", "-o", "{out}"), o) for o in ("--unit", "--chain")),
    *((("issue", "list"), o) for o in ("--unit", "--state", "--level")),
    (("sheet", "cards", "--preview"), "--unit"),
    (("ledger", "returns"), "--unit"),
    (("ledger", "dispatch", "-o", "{out}"), "--unit"),
]


@pytest.fixture
def office(cli):
    r = cli("add", "--create-units", "--name", "甲项目", "--unit", "经济发展局", "--leader", "刘洋", "--chain", "工程机械",
            "--cluster", "高端装备", "--categories", "省重点", "--plan-columns", "4-1", "--status", "在建")
    assert r.exit_code == 0, r.stderr
    r = cli("add", "--create-units", "--name", "乙项目", "--unit", "科技创新局", "--leader", "陈静", "--chain", "新材料",
            "--plan-columns", "4-9", "--status", "前期")
    assert r.exit_code == 0, r.stderr
    return cli


def test_every_filter_option_refuses_a_typo_with_the_nearest_names(office, tmp_path):
    out = tmp_path / "out.xlsx"
    for command, option in COMMANDS:
        typed, message = TYPOS[option]
        args = [a.format(out=out) for a in command]
        r = office(*args, option, typed)
        assert (r.exit_code, r.stdout, r.stderr) == (1, "", message), (args, option)
        assert not out.exists(), (args, option)  # an empty ledger or report is never written


def test_the_issues_cases_are_errors_not_empty_results(office, tmp_path):
    # issue 16's 经发局 is now read as the one unit it can stand for (issue 19), and said so; a typo is refused
    r = office("overdue", "--unit", "经发局")
    assert (r.exit_code, r.stderr.splitlines()[0]) == (0, "责任单位“经发局”即“经济发展局”")
    r = office("overdue", "--unit", "经济发展居")
    assert (r.exit_code, r.stderr) == (1, UNIT)
    r = office("ledger", "export", str(tmp_path / "台账.xlsx"), "--unit", "经济发展居")
    assert (r.exit_code, r.stderr) == (1, UNIT)
    assert not (tmp_path / "台账.xlsx").exists()


def test_a_name_with_other_spaces_or_full_width_forms_is_the_registrys(office):
    def codes(*args):
        r = office("list", *args, "--format", "json")
        assert r.exit_code == 0, r.stderr
        return [p["code"] for p in json.loads(r.stdout)]

    assert codes("--unit", " 经济 发展局") == ["GX-0001"]
    assert codes("--leader", "刘\u3000洋") == ["GX-0001"]
    assert codes("--column", "４-１") == ["GX-0001"]
    assert codes("--category", "省 重点") == ["GX-0001"]
    assert codes("--chain", "新 材料") == ["GX-0002"]
    r = office("overdue", "--unit", "经济 发展局", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["totals"]["overdue"] == 0


def test_known_names_with_nothing_to_list_are_not_errors(office):
    """A chain the office knows (the plan's ten, [ledger] chains) with no project yet is an empty listing."""
    r = office("list", "--chain", "智能装备")
    assert (r.exit_code, r.stderr) == (0, "共 0 个项目\n")
    r = office("cards", "list", "--color", "红牌")
    assert r.exit_code == 0, r.stderr
    r = office("issue", "list", "--state", "已交办", "--level", "挂牌督办")
    assert (r.exit_code, r.stderr) == (0, "共 0 个问题\n")


@pytest.mark.parametrize("vocabulary, typed, stored", [
    ("CardColor", "红", "red"), ("CardColor", "红色", "red"), ("CardColor", "红牌", "red"), ("CardColor", "RED", "red"),
    ("CardColor", " Yellow ", "yellow"), ("CardColor", "蓝", "blue"),
    ("Level", "挂牌", "挂牌督办"), ("Level", "重点", "重点督办"), ("Level", "一般督办", "一般督办"),
    ("IssueState", "交办", "assigned"), ("IssueState", "已交办", "assigned"), ("IssueState", "销号", "closed"),
    ("IssueState", "不予受理", "rejected"), ("IssueState", "Assigned", "assigned"),
    ("SheetKind", "督办单", "notice"), ("SheetKind", "亮牌通知", "cards"), ("SheetKind", "周报", "weekly"),
    ("SheetKind", "weekly", "weekly"),
])
def test_closed_lists_take_the_short_forms_offices_type(vocabulary, typed, stored):
    from projects_cli import vocab
    from projects_cli.cli.common import pick

    assert pick(typed, getattr(vocab, vocabulary), ("名称", "name")) == stored


def test_short_forms_are_each_one_members_only():
    from projects_cli import vocab

    for kind in (vocab.CardColor, vocab.Level, vocab.IssueState, vocab.SheetKind, vocab.ProjectStatus):
        names = [n for m in kind for n in m.names()]
        assert len(names) == len(set(names)), kind


def test_a_unit_by_its_short_form_or_beginning_and_never_a_guess_between_two(demo_template, tmp_path):
    import shutil

    from typer.testing import CliRunner

    from projects_cli.cli.app import app
    from projects_cli.values import short_forms

    path = tmp_path / "office.db"
    shutil.copyfile(demo_template, path)

    def run(*args):
        r = CliRunner().invoke(app, ["--db", str(path), "--as-of", "2025-10-31", "--by", "tester", *args])
        return r.exit_code, r.stdout, r.stderr

    full = run("overdue", "--unit", "经济发展局", "--format", "json")[1]
    code, out, err = run("overdue", "--unit", "经发局", "--format", "json")
    assert (code, out) == (0, full)
    assert err.splitlines()[0] == "责任单位“经发局”即“经济发展局”"
    assert run("overdue", "--unit", "王因", "--format", "json")[2].startswith("责任单位“王因”即“王因街道”")
    assert run("unit", "add", "经济技术开发区管委会")[0] == 0
    code, _, err = run("overdue", "--unit", "经济")
    assert (code, err) == (1, "错误：责任单位“经济”可指经济发展局、经济技术开发区管委会，请写全称\n")
    # a short form is a beginning, or the name's characters in order from its first; one character is none
    assert short_forms("经发局", ["经济发展局", "建设局"]) == ["经济发展局"]
    assert short_forms("发展局", ["经济发展局"]) == []
    assert short_forms("经", ["经济发展局"]) == []
    assert short_forms("自然资源局", ["自然资源分局", "自然资源局"]) == ["自然资源分局"]  # the exact one is matched before
