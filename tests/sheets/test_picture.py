"""A @chart drawn as a PNG for the Word documents (sheets/picture.py): every label whole, round ticks."""

from __future__ import annotations

import struct
from decimal import Decimal

import pytest

from projects_cli.sheets import picture
from projects_cli.sheets.markup import Block, Row

pytestmark = pytest.mark.skipif(picture.cjk_font() is None, reason="no CJK font installed (fonts-noto-cjk)")


def size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def bars(*names: str) -> Block:
    rows = [Row(["责任单位", "完成率", "序时进度"])] + [Row([n, Decimal("70.5"), Decimal("83.3")]) for n in names]
    return Block("chart", "bar 各责任单位投资完成率与序时进度（%）", rows)


def test_a_label_too_long_for_its_place_wraps_onto_more_lines_and_is_never_cut():
    from PIL import ImageFont

    path, index = picture.cjk_font()
    font = ImageFont.truetype(path, 26, index=index)
    label = "高新区管委会经济发展和科技创新局（含招商服务中心）"
    lines = picture._wrap(label, font, 200)
    assert "".join(lines) == label and len(lines) > 1
    assert all(font.getlength(line) <= 200 for line in lines)
    short, long = size(picture.chart_png(bars("建设局", "黄屯街道"))), size(picture.chart_png(bars("建设局", label * 2)))
    assert short[0] == long[0] == picture.BASE_WIDTH * picture.SCALE
    assert long[1] > short[1]  # the long label's lines make its row taller


@pytest.mark.parametrize("top, step", [(25, 5), (100, 20), (83.3, 20), (7, 2), (0.5, 0.1), (1234, 250), (0, 1)])
def test_the_axis_steps_are_round(top, step):
    assert picture._step(top) == pytest.approx(step)


def test_counts_step_by_whole_numbers_and_ticks_print_without_float_noise():
    assert (picture._step(2), picture._step(2, whole=True), picture._step(30, whole=True)) == (0.5, 1.0, 10)
    assert str(picture._number(3 * 0.2)) == "0.6"  # 0.6000000000000001 as a float
    assert (picture._step(12), picture._step(12, whole=True)) == (2.5, 5)  # 12 leads: 0 5 10 15


def test_columns_with_many_categories_still_show_each_label():
    rows = [Row(["周末", "逾期事项"])] + [Row([f"10月{d}日", Decimal(d)]) for d in range(1, 27)]
    few = size(picture.chart_png(Block("chart", "column 近2周逾期事项", rows[:3])))
    many = size(picture.chart_png(Block("chart", "column 近26周逾期事项", rows)))
    assert few == (1280, 718)  # one line of labels under the columns
    assert many == (1280, 820)  # each date wrapped under its narrow column: four lines, none skipped
