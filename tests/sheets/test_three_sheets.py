"""三单 (issue 20): a problem's 交办单 when it is assigned, 催办单 as its deadline nears, 督办单 once it is
overdue (挂牌督办通知书 when listed); each numbered, each from its own template; `sheet list --issue` in order."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app
from projects_cli.rules.escalation import sheet_kind


@pytest.mark.parametrize("level, left, assigned_today, kind", [
    ("一般督办", 10, False, "assign"), ("一般督办", 4, False, "assign"), ("一般督办", 3, False, "remind"),
    ("一般督办", 0, False, "remind"), ("一般督办", -1, False, "notice"), ("重点督办", -5, False, "notice"),
    ("挂牌督办", 8, False, "notice"), ("一般督办", 1, True, "assign"), ("一般督办", None, False, "assign"),
])
def test_which_sheet(level, left, assigned_today, kind):
    assert sheet_kind(level, left, 3, assigned_today) == kind


@pytest.fixture
def office(demo_template, tmp_path):
    path = tmp_path / "office.db"
    shutil.copyfile(demo_template, path)
    return path


def run(path, as_of, *args):
    r = CliRunner().invoke(app, ["--db", str(path), "--as-of", as_of, "--by", "tester", *args], catch_exceptions=False)
    return r.exit_code, r.stdout, r.stderr


def test_a_problem_gets_its_three_sheets_in_turn(office, tmp_path):
    assert run(office, "2025-10-31", "issue", "accept", "2025-009")[0] == 0
    assert run(office, "2025-10-31", "issue", "assign", "2025-009", "--unit", "经济发展局", "--helper", "建设局",
               "--urgency", "一般")[0] == 0  # 5 working days: 2025-11-07
    said = []
    for as_of, name in [("2025-10-31", "a.md"), ("2025-11-04", "b.md"), ("2025-11-10", "c.md")]:
        code, _, err = run(office, as_of, "sheet", "notice", "2025-009", "-o", str(tmp_path / name))
        assert code == 0, err
        said.append(err.splitlines()[-1])
    assert said == ["高新督〔2025〕1号  交办单  经济发展局", "高新督〔2025〕2号  催办单  经济发展局",
                    "高新督〔2025〕3号  督办单  经济发展局"]
    a, b, c = ((tmp_path / n).read_text(encoding="utf-8") for n in ("a.md", "b.md", "c.md"))
    assert a.startswith("# 重点项目问题交办单\n\n高新督〔2025〕1号\n\n经济发展局、建设局：\n\n")
    assert "现交经济发展局牵头办理、建设局配合办理，请于2025年11月7日前办结" in a
    assert b.startswith("# 重点项目问题催办单\n\n高新督〔2025〕2号\n\n")
    assert "办结时限为2025年11月7日，目前剩余3个工作日，尚未办结。请经济发展局抓紧办理，建设局密切配合" in b
    assert c.startswith("# 重点项目问题督办单\n\n高新督〔2025〕3号\n\n")
    assert "已超过办结时限3天，现交经济发展局牵头办理、建设局配合办理" in c
    for text in (a, b, c):  # never 你单位 to two units; the reply is stamped and the receipt comes back
        assert "你单位" not in text
        assert "（盖章）" in text and "**签收回执（收到后当日签收）**" in text
        assert "- **签收单位**（经济发展局、建设局）：" in text
    code, out, _ = run(office, "2025-11-10", "sheet", "list", "--issue", "2025-009", "--format", "json")
    import json
    assert [(s["number"], s["kind_zh"], s["issued_on"]) for s in json.loads(out)] == [
        ("高新督〔2025〕1号", "交办单", "2025-10-31"), ("高新督〔2025〕2号", "催办单", "2025-11-04"),
        ("高新督〔2025〕3号", "督办单", "2025-11-10")]


def test_the_kind_may_be_chosen_and_a_listed_problem_gets_its_notice(office):
    code, out, err = run(office, "2025-10-31", "sheet", "notice", "2025-008", "--kind", "交办单", "--preview")
    assert code == 0, err
    assert out.startswith("# 重点项目问题交办单")
    code, out, _ = run(office, "2025-10-31", "sheet", "notice", "2025-004", "--preview")
    assert out.startswith("**急件**\n\n# 重点项目问题挂牌督办通知书")
    assert "请经济发展局切实担起牵头责任" in out
    code, _, err = run(office, "2025-10-31", "sheet", "notice", "2025-008", "--kind", "周报", "--preview")
    assert code == 2 and "不是问题的三单之一" in err
