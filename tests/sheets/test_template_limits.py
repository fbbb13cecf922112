"""Templates are bounded: time, output size, numbers, widths and nesting, each a one-line error naming the template."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from projects_cli.config.rulebook import load_rules
from projects_cli.sheets.contexts import office_filters, sheet_config
from projects_cli.sheets.templating import Limits, TemplateProblem, make_env, render

NUMBER = "数字超过 15 位"
WIDTH = "宽度或次数 1000000000 超过 10,000"
TOO_LONG = "文字超过 1 MB（配置文件 [sheets] render_output_mb）"
NESTED = "模板嵌套过深，可能包含了自己"


def env_for(folder: Path, **limits):
    from projects_cli.rules.workdays import prc_calendar

    return make_env([folder], office_filters(load_rules(None), prc_calendar), limits=Limits(**limits))


def problem(tmp_path: Path, source: str, **limits) -> str:
    (tmp_path / "t.txt").write_text(source, encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        render(env_for(tmp_path, **{"output_mb": 1, **limits}), "t.txt", {})
    return str(caught.value)


def where(tmp_path: Path, source: str) -> str:
    return f"模板 {(tmp_path / 't.txt').resolve()} 第 1 行（{source}）："


@pytest.mark.parametrize("source, message", [
    ("{{ 10**30 }}", NUMBER),
    ("{{ 10**10**9 }}", NUMBER),
    ("{{ 1000000000000000000 }}", NUMBER),
    ("{{ 10**8 * 10**8 }}", NUMBER),
    ("{{ 'x'*10**9 }}", TOO_LONG),
    ("{{ [1]*10**7 }}", TOO_LONG),
    ("{{ '{:>1000000000}'.format(1) }}", WIDTH),
    ("{{ '{:>{w}}'.format(1, w=5) }}", "格式中不能嵌套字段"),
    ("{{ '%1000000000d' % 1 }}", WIDTH),
    ("{{ '%*d' % (5, 1) }}", "格式中不能用 * 宽度"),
    ("{{ '%1000000000d'|format(1) }}", WIDTH),
    ("{{ 'x'|center(1000000000) }}", WIDTH),
    ("{{ 'x'.ljust(1000000000) }}", WIDTH),
    ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", TOO_LONG),
    ("{% macro d(n) %}{% if n %}{% set x = d(n-1) %}{{ x }}{{ x }}{% else %}x{% endif %}{% endmacro %}{{ d(40) }}",
     TOO_LONG),
    ("{% set s = 'x'*1000 %}{{ s.join(range(10000)|map('string')|list) }}", TOO_LONG),
    ("{% set s = 'x'*1000 %}{{ ([s]*10000)|join }}", TOO_LONG),
    ("{% set s = 'x'*2000 %}{{ s.replace('x', s) }}", TOO_LONG),
    ("{% set s = 'x'*2000 %}{{ s|replace('x', s) }}", TOO_LONG),
])
def test_huge_numbers_and_texts_are_refused_naming_the_template_and_line(tmp_path, source, message):
    assert problem(tmp_path, source) == where(tmp_path, source) + message


def test_nested_ranges_stop_at_the_time_limit(tmp_path):
    source = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    assert problem(tmp_path, source, seconds=0.5) == where(tmp_path, source) + (
        "模板运行超过 0.5 秒（配置文件 [sheets] render_seconds）")
    assert time.monotonic() - started < 3


def test_a_template_that_includes_itself(tmp_path):
    source = '{% include "t.txt" %}'
    assert problem(tmp_path, source) == where(tmp_path, source) + NESTED


def test_output_past_the_limit_stops_while_it_is_made(tmp_path):
    assert problem(tmp_path, "{% for i in range(2000) %}{{ 'x'*1000 }}{% endfor %}") == f"模板 t.txt：{TOO_LONG}"


def test_ordinary_arithmetic_widths_and_amounts_still_render(tmp_path):
    source = ("{{ 1+2 }}|{{ 'ab'*3 }}|{{ '{:>5}'.format(1) }}|{{ '%05.1f' % 2.5 }}|{{ 850000|wan }}|"
              "{{ none|default(100000) }}|{{ 999999999999999 }}|{% for i in range(3) %}{{ i }}{% endfor %}")
    (tmp_path / "t.txt").write_text(source, encoding="utf-8")
    out = render(env_for(tmp_path), "t.txt", {})
    assert out == ("\x04n3\x05|ababab|    1|002.5|850000万元||\x04n999999999999999\x05|"
                   "\x04n0\x05\x04n1\x05\x04n2\x05")


def test_a_render_just_under_the_limits_is_not_cut(tmp_path):
    (tmp_path / "t.txt").write_text("{{ 'x'*999999 }}", encoding="utf-8")
    assert len(render(env_for(tmp_path, output_mb=1), "t.txt", {})) == 999999


def test_the_limits_come_from_the_config_files_sheets_table():
    assert sheet_config({"render_seconds": 5, "render_output_mb": 2.5}).limits() == Limits(seconds=5, output_mb=2.5)
    assert sheet_config({}).limits() == Limits(seconds=30.0, output_mb=20.0)


def test_a_time_limit_that_did_not_fire_leaves_nothing_pending(tmp_path):
    (tmp_path / "t.txt").write_text("ok", encoding="utf-8")
    env = env_for(tmp_path, seconds=0.05)
    for _ in range(20):
        assert render(env, "t.txt", {}) == "ok"
    time.sleep(0.2)  # past every limit armed above: nothing may land in this thread now
    assert sum(range(100000)) == 4999950000
