"""A name typed against the names the registry knows (`values.match_name`, `nearest_names`, `resolve_name`)."""

from __future__ import annotations

import pytest

from projects_cli.errors import UnknownName
from projects_cli.values import match_name, nearest_names, resolve_name

UNITS = ["经济发展局", "科技创新局", "自然资源分局", "建设局", "黄屯街道", "王因街道"]
UNIT = ("责任单位", "unit")


@pytest.mark.parametrize("typed, found", [
    ("经济发展局", "经济发展局"),
    ("  经济发展局 ", "经济发展局"),
    ("经济 发展局", "经济发展局"),
    ("经济\u3000发展局", "经济发展局"),
    ("经发局", None),
    ("经济发展", None),
])
def test_a_name_matches_as_written_or_after_normalising(typed, found):
    assert match_name(typed, UNITS) == found


def test_full_width_letters_and_digits_match_their_half_width_forms():
    assert match_name("４－１", ["4-1", "4-10"]) == "4-1"
    assert match_name("ＧＸ园区", ["GX园区"]) == "GX园区"


@pytest.mark.parametrize("typed, nearest", [
    ("经发局", ["经济发展局"]),  # the typo
    ("经济发展居", ["经济发展局"]),
    ("住建局", ["建设局"]),
    ("自然资源", ["自然资源分局"]),  # held in a known name
    ("王屯街道", ["王因街道", "黄屯街道"]),
    ("财政局", []),
    ("", []),
])
def test_nearest_names_closest_first(typed, nearest):
    assert nearest_names(typed, UNITS) == nearest


def test_nearest_names_are_at_most_n():
    assert nearest_names("4-1x", ["4-1", "4-10", "4-2", "4-3", "4-4", "4-5", "4-6"], n=3) == ["4-1", "4-10", "4-2"]


@pytest.mark.parametrize("typed, known, hint, message", [
    ("经发局", UNITS, "",
     "责任单位“经发局”不存在；最接近的：经济发展局"),
    ("财政局", UNITS, "",
     "责任单位“财政局”不存在；现有的：建设局、王因街道、科技创新局、经济发展局、自然资源分局、黄屯街道"),
    ("财政局", [], "",
     "责任单位“财政局”不存在；项目库中还没有任何责任单位"),
    ("财政局", [f"单位{i}" for i in range(21)], "",
     "责任单位“财政局”不存在；没有相近的名称，共有 21 个责任单位"),
    ("经济发展居", UNITS, "确需新增该单位，请加 --create-units",
     "责任单位“经济发展居”不存在；最接近的：经济发展局；确需新增该单位，请加 --create-units"),
])
def test_an_unknown_name_is_one_line_with_the_nearest_names(typed, known, hint, message):
    with pytest.raises(UnknownName) as exc:
        resolve_name(typed, known, UNIT, hint)
    assert str(exc.value) == message
    assert "\n" not in str(exc.value)


def test_a_known_name_comes_back_in_the_registrys_spelling():
    assert resolve_name(" 经济 发展局", UNITS, UNIT) == "经济发展局"
