"""The names a filter may take (`facts.filters.known_names`) and a filter checked against them (`check_filter`)."""

from __future__ import annotations

import pytest

from projects_cli.config.chains import known_chains, known_clusters
from projects_cli.errors import UnknownName
from projects_cli.facts.filters import ProjectFilter, check_filter, known_names
from projects_cli.services import registry


@pytest.fixture
def office(session, ctx):
    registry.add_project(session, ctx, {"name": "甲", "unit": "经济发展局", "leader": "刘洋", "chain": "现代物流",
                                        "categories": "省重点、市重点", "plan_columns": "4-1", "cluster": "高端装备"},
                         create_units=True)
    registry.add_project(session, ctx, {"name": "乙", "unit": "科技创新局", "chain": "工程机械", "plan_columns": "4-10、11-1"},
                         create_units=True)
    registry.ensure_unit(session, ctx, "财政局")  # a unit answerable for nothing yet is still known
    return session


def test_known_names(office):
    s = office
    assert sorted(known_names(s, "unit")) == ["科技创新局", "经济发展局", "财政局"]
    assert known_names(s, "leader") == ["刘洋"]
    assert known_names(s, "chain") == [*known_chains(), "现代物流"]  # the office's own chain, held by a project
    assert known_names(s, "chain", {"ledger": {"chains": ["文旅康养"]}})[-2:] == ["文旅康养", "现代物流"]
    assert known_names(s, "cluster") == list(known_clusters())
    assert known_names(s, "category") == ["市重点", "省重点"]
    assert known_names(s, "column") == ["11-1", "4-1", "4-10"]
    assert known_names(s, "status") == ["储备", "前期", "在建", "投产", "竣工", "停缓建"]


def test_check_filter_spells_each_name_as_the_registry_does(office):
    typed = ProjectFilter(unit="经济 发展局", leader="刘\u3000洋", column="４-１０", category=" 市重点", search="甲")
    assert check_filter(office, typed) == ProjectFilter(unit="经济发展局", leader="刘洋", column="4-10", category="市重点",
                                                        search="甲")
    assert check_filter(office, ProjectFilter()) == ProjectFilter()
    assert check_filter(office, ProjectFilter(unit="")) == ProjectFilter(unit="")  # '' is no filter, as before


@pytest.mark.parametrize("typed, message", [
    (ProjectFilter(unit="经济发展居"), "责任单位“经济发展居”不存在；最接近的：经济发展局"),
    (ProjectFilter(column="4-2"), "规划专栏“4-2”不存在；最接近的：4-1、4-10"),
    (ProjectFilter(chain="物流"), "产业链“物流”不存在；最接近的：现代物流"),
    (ProjectFilter(leader="王五"), "包保领导“王五”不存在；现有的：刘洋"),
])
def test_check_filter_refuses_an_unknown_name(office, typed, message):
    with pytest.raises(UnknownName) as exc:
        check_filter(office, typed)
    assert str(exc.value) == message
