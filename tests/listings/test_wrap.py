"""Terminal tables wrap a long cell (`listings.output.wrap`): every character kept, lines within the width."""

from __future__ import annotations

import pytest

from projects_cli.listings.output import render_table, width, wrap


@pytest.mark.parametrize("text, size, lines", [
    ("短", 40, ["短"]),
    ("", 40, [""]),
    ("投资完成率 58.3%，序时进度 83.3%，落后 25 个百分点；节点“主体完工”逾期 61 天", 40,
     ["投资完成率 58.3%，序时进度 83.3%，", "落后 25 个百分点；", "节点“主体完工”逾期 61 天"]),
    ("开工逾期 92 天；节点“施工许可”逾期 123 天；连续 2 期黄牌", 30,
     ["开工逾期 92 天；", "节点“施工许可”逾期 123 天；", "连续 2 期黄牌"]),
    ("胜利生物202及预混剂车间制剂南线GMP改造项目", 40, ["胜利生物202及预混剂车间制剂南线GMP改造项", "目"]),  # no break: cut by width
    ("第一行\n第二行", 40, ["第一行", "第二行"]),  # a line break in 备注 stays one
    ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
])
def test_wrap(text, size, lines):
    assert wrap(text, size) == lines
    assert all(width(line) <= size for line in lines)


def test_a_wrapped_row_keeps_its_columns_aligned():
    rows = [{"code": "GX-1", "why": "一二三四五，六七八九十", "n": 5}, {"code": "GX-22", "why": "短", "n": 12}]
    assert render_table(rows, [("code", "编号"), ("why", "原因"), ("n", "数")], max_width=12).splitlines() == [
        "编号   原因          数",
        "-----  ------------  --",
        "GX-1   一二三四五，   5",
        "       六七八九十",
        "GX-22  短            12",
    ]


def test_an_english_header_wraps_between_its_words_and_a_number_column_narrows_to_its_numbers():
    from projects_cli.listings.output import TABLE_WIDTH

    rows = [{"number": "2025-005", "late": 8, "misses": 1, "unit": "生态环境分局"}]
    columns = [("number", "Number"), ("late", "Working days late"), ("misses", "Missed deadlines"), ("unit", "Lead unit")]
    token = TABLE_WIDTH.set(46)
    try:
        lines = render_table(rows, columns).splitlines()
    finally:
        TABLE_WIDTH.reset(token)
    assert lines == [
        "Number    Working    Missed     Lead unit",
        "          days late  deadlines",
        "--------  ---------  ---------  ------------",
        "2025-005          8          1  生态环境分局",
    ]
    zh = [("number", "问题编号"), ("late", "逾期工作日"), ("misses", "逾期次数"), ("unit", "牵头单位")]
    token = TABLE_WIDTH.set(46)
    try:  # a Chinese header is one word: it never breaks
        assert render_table(rows, zh).splitlines()[:2] == ["问题编号  逾期工作日  逾期次数  牵头单位", "--------  ----------  --------  ------------"]
    finally:
        TABLE_WIDTH.reset(token)


def test_running_text_wraps_under_its_own_text_on_a_terminal_and_stays_whole_off_one():
    from projects_cli.listings.output import TABLE_WIDTH, fitted_prose

    text = ("**逾期事项（1项）**\n"
            "> 1. GX-0042 山东源尚农产品深加工基地项目：主体完工节点，期限 2025-08-31，已逾期 61 天（较重逾期）")
    assert fitted_prose(text) == text  # a pipe or a file: as written
    token = TABLE_WIDTH.set(60)
    try:
        lines = fitted_prose(text).splitlines()
    finally:
        TABLE_WIDTH.reset(token)
    assert lines == ["**逾期事项（1项）**",
                     "> 1. GX-0042 山东源尚农产品深加工基地项目：主体完工节点，",
                     ">    期限 2025-08-31，已逾期 61 天（较重逾期）"]
    assert all(width(line) <= 60 for line in lines)


def test_a_records_long_value_wraps_under_itself_on_a_terminal():
    from projects_cli.listings.output import TABLE_WIDTH, render_fields

    row = {"code": "GX-0004", "content": "改扩建1.8万平方米现有厂房，增加研发、制造、产品试验、检测等智能化工艺装备"}
    labels = {"code": "项目编号", "content": "建设内容及规模"}
    assert render_fields(row, labels).splitlines()[1] == "建设内容及规模  " + row["content"]
    token = TABLE_WIDTH.set(50)
    try:
        lines = render_fields(row, labels).splitlines()
    finally:
        TABLE_WIDTH.reset(token)
    assert lines == ["项目编号        GX-0004",
                     "建设内容及规模  改扩建1.8万平方米现有厂房，",
                     "                增加研发、制造、产品试验、",
                     "                检测等智能化工艺装备"]  # broken after punctuation where it can
