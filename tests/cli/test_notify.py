"""`projects notify`: the reminders each unit gets, worked out from the reports on file (dry run by default)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app

ECON = """## 督办提醒：经济发展局
截至 2025-10-31，以下事项请抓紧办理：

**逾期事项（3项）**
> 1. GX-0007 锐博高端结构件智能制造项目：施工许可节点，期限 2025-10-20，已逾期 11 天（一般逾期）
> 2. GX-0036 纬世特高纯度大规格半导体级石墨材料项目：开工节点，期限 2024-06-30，已逾期 488 天（严重逾期）
> 3. GX-0013 双林自动变速器生产基地项目：土地节点，期限 2025-07-31，已逾期 92 天（严重逾期）

**即将到期（2025-11-05 前）（3项）**
> 1. GX-0013 双林自动变速器生产基地项目：开工节点，期限 2025-10-31，今天到期
> 2. GX-0004 山推大马力推土机产业化项目：问题 2025-004：新增设备用电负荷需扩容，期限 2025-11-03，还剩 3 天
> 3. GX-0007 锐博高端结构件智能制造项目：开工节点，期限 2025-11-05，还剩 5 天

请按期办结并及时反馈督查室。
"""


@pytest.fixture
def demo(demo_template, tmp_path, monkeypatch):
    """Run `projects` on a copy of the sample registry, in a data folder of its own."""
    monkeypatch.setenv("PROJECTS_HOME", str(tmp_path))
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)

    def run(*args: str, as_of: str = "2025-10-31"):
        return CliRunner().invoke(app, ["--db", str(path), "--by", "tester", "--as-of", as_of, *args])

    run.path = path
    run.home = tmp_path
    return run


def test_dry_run_prints_each_units_message(demo):
    r = demo("notify", "--unit", "经济发展局")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ECON
    assert r.stderr == "1 units, 6 items (dry run: nothing sent; --send sends)\n"


def test_json_lists_the_items_with_their_keys(demo):
    r = demo("notify", "--unit", "建设局", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == {
        "as_of": "2025-10-31", "due_by": "2025-11-05", "horizon_workdays": 3,
        "units": [{"unit": "建设局", "items": [{
            "section": "overdue", "key": "overdue:lookback:GX-0024:2025-003:2025-10-29",
            "text": "GX-0024 市第一人民医院公共卫生重症医学中心项目：回头看 2025-003：医院项目配套道路未打通，"
                    "期限 2025-10-29，已逾期 2 天（一般逾期）"}]}],
    }


def test_the_horizon_comes_from_the_rules_file(demo):
    (demo.home / "rules.toml").write_text("[notify]\nhorizon_workdays = 1\n", encoding="utf-8")
    r = demo("notify", "--unit", "经济发展局", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["due_by"] == "2025-11-03"
    assert [i["key"] for i in data["units"][0]["items"] if i["section"] == "due_soon"] == [
        "due_soon:milestone:GX-0013:开工:2025-10-31", "due_soon:issue:GX-0004:2025-004:2025-11-03"]


def test_an_unknown_unit_is_an_error(demo):
    r = demo("notify", "--unit", "不存在局")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: ")


def test_nothing_to_remind(demo):
    r = demo("notify", "--unit", "社会事业局", as_of="2025-01-02")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "截至 2025-01-02 没有需要提醒的事项（nothing to remind）\n"
