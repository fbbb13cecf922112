"""The registry: add, edit, list, show; errors change nothing; every change is logged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from projects_cli.errors import InvalidValue, NotFound
from projects_cli.services import registry
from projects_cli.store.models import ChangeLog, InvestmentPlan


def test_add_generates_sequential_codes(session, ctx):
    a = registry.add_project(session, ctx, {"name": "甲项目"})
    b = registry.add_project(session, ctx, {"name": "乙项目", "code": "ZX-7"})
    c = registry.add_project(session, ctx, {"name": "丙项目"})
    assert (a.code, b.code, c.code) == ("GX-0001", "ZX-7", "GX-0002")


def test_add_parses_amounts_and_lists(session, ctx):
    p = registry.add_project(
        session,
        ctx,
        {"name": " 某 项目 ", "total_investment": "8.5亿元", "categories": "省重点,市重点、省重点", "unit": "经济发展局",
         "annual_plan": "12,000"}, create_units=True,
    )
    row = registry.show_project(session, p.code, 2025)
    assert row["name"] == "某 项目"
    assert row["total_investment"] == Decimal("85000")
    assert row["categories"] == ["省重点", "市重点"]
    assert row["unit"] == "经济发展局"
    assert row["annual_plan"] == Decimal("12000")
    assert session.scalar(select(func.count()).select_from(InvestmentPlan)) == 1


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"name": "x", "total_investment": "-5"}, "总投资（万元）不能为负数：-5"),
        ({"name": "x", "total_investment": "很多"}, "总投资（万元）：'很多' 不是金额"),
        ({"name": "x", "status": "在办"}, "项目状态应为 储备/前期/在建/投产/竣工/停缓建 之一，不能是 '在办'"),
        ({"name": "  "}, "项目名称不能为空"),
        ({"name": "x", "code": "甲 1"}, "不能用作项目编号"),
    ],
)
def test_add_rejects_bad_values(session, ctx, values, message):
    with pytest.raises(InvalidValue) as info:
        registry.add_project(session, ctx, values)
    assert message in str(info.value)


def test_duplicate_code_is_refused(session, ctx):
    registry.add_project(session, ctx, {"name": "甲", "code": "GX-0001"})
    with pytest.raises(InvalidValue, match="编号 GX-0001 已被使用"):
        registry.add_project(session, ctx, {"name": "乙", "code": "GX-0001"})


def test_edit_logs_only_changed_fields(session, ctx):
    p = registry.add_project(session, ctx, {"name": "甲", "status": "前期"})
    changed = registry.edit_project(session, ctx, p.code, {"status": "在建", "name": "甲"})
    assert changed == ["status"]
    assert p.version == 2
    entry = session.scalars(select(ChangeLog).order_by(ChangeLog.id.desc())).first()
    assert (entry.action, entry.table_name, entry.project_code, entry.fields) == ("update", "project", "GX-0001", "status")
    assert json.loads(entry.old) == {"status": "前期"} and json.loads(entry.new) == {"status": "在建"}
    assert registry.edit_project(session, ctx, p.code, {"status": "在建"}) == []


def test_unknown_code(session):
    with pytest.raises(NotFound, match="没有编号为 'GX-9999' 的项目"):
        registry.get_project(session, "GX-9999")


def test_filters(session, ctx):
    registry.add_project(session, ctx, {"name": "甲", "chain": "工程机械", "plan_columns": "4-1", "categories": "省重点"})
    registry.add_project(session, ctx, {"name": "乙", "chain": "新能源", "plan_columns": "4-10", "leader": "张三"})
    names = lambda **kw: [r["name"] for r in registry.list_projects(session, registry.ProjectFilter(**kw), 2025)]  # noqa: E731
    assert names(column="4-1") == ["甲"]
    assert names(column="4-10") == ["乙"]
    assert names(chain="新能源") == ["乙"]
    assert names(leader="张三") == ["乙"]
    assert names(category="省重点") == ["甲"]
    assert names(search="乙") == ["乙"]
    assert names() == ["甲", "乙"]


def test_a_unit_is_created_once_on_first_use_however_many_name_it(session, ctx):
    registry.ensure_unit(session, ctx, "经济发展局")
    assert registry.ensure_units(session, ctx, ["科技创新局", " 经济发展局 ", "科技创新局"]) == {
        "经济发展局": 1, "科技创新局": 2}
    assert registry.ensure_units(session, ctx, []) == {}
    entries = session.scalars(select(ChangeLog).where(ChangeLog.table_name == "unit").order_by(ChangeLog.id)).all()
    assert [(e.action, e.record_id, e.record_key, json.loads(e.new)) for e in entries] == [
        ("insert", 1, "经济发展局", {"name": "经济发展局"}), ("insert", 2, "科技创新局", {"name": "科技创新局"})]
    with pytest.raises(InvalidValue, match="^单位名称不能为空$"):
        registry.ensure_units(session, ctx, ["科技创新局", "　"])
