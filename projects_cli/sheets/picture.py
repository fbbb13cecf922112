"""A @chart block drawn as a PNG picture, for the Word documents (python-docx takes pictures, not charts).

Drawn here with Pillow's ImageDraw, without any network or browser: bars (across, categories top to bottom)
or columns (up, categories left to right), one colour per series as in the workbooks and the SVG, every
value printed, and every category's label shown whole — wrapped onto more lines where it is too long for its
place, never skipped. Chinese text needs a CJK font: the first of `FONT_CANDIDATES` (or what fontconfig
answers for Chinese) that exists; without one no picture is drawn and the document keeps the chart's table.
Pillow is imported only here, when a Word document with a chart is written.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from projects_cli.sheets.markup import Block, display

# CJK fonts where Linux (Debian's fonts-noto-cjk, fonts-wqy-microhei), Windows and macOS keep them
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
)
BASE_WIDTH = 640  # the drawing's logical width; the picture is SCALE times that in pixels
SCALE = 2


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int] | None:
    """(font file, face index) of a font with Chinese glyphs (the 简体 face of a collection), or None."""
    from PIL import ImageFont

    found = [p for p in FONT_CANDIDATES if Path(p).is_file()]
    if not found and shutil.which("fc-match"):
        try:
            answer = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif:lang=zh-cn"], capture_output=True,
                                    text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            answer = ""
        if answer and Path(answer).is_file():
            found = [answer]
    for path in found:
        for index in range(10):  # a collection's faces: the one named SC is 简体
            try:
                face = ImageFont.truetype(path, 12, index=index)
            except OSError:
                break
            if "SC" in " ".join(face.getname()):
                return path, index
        try:
            face = ImageFont.truetype(path, 12)
        except OSError:
            continue
        if face.getbbox("中")[2] > 0:
            return path, 0
    return None


def _wrap(text: str, font, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` (between any two characters: Chinese has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if line and font.getlength(line + ch) > width:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines or [""]


def chart_png(block: Block, *, title: bool = True) -> bytes | None:
    """The chart of a @chart block as PNG bytes (its title at the top unless `title` is false: a document that
    sets it as a caption), or None when no CJK font is found."""
    from PIL import Image, ImageDraw, ImageFont

    from projects_cli.sheets.layout import is_number
    from projects_cli.workbooks.styling import SERIES_COLOURS

    found = cjk_font()
    if found is None:
        return None
    path, index = found
    s = SCALE

    def font(size: float):
        return ImageFont.truetype(path, round(size * s), index=index)

    chart_kind, _, name = block.text.partition(" ")
    header = [display(v) for v in block.rows[0].cells]
    series = header[1:]
    data = [(display(r.cells[0]), [float(v) if is_number(v) else None for v in r.cells[1:]]) for r in block.rows[1:]]
    from projects_cli.sheets.layout import whole_numbers

    step = _step(max([v for _, vs in data for v in vs if v is not None] + [0.0]), whole=whole_numbers(block))
    ticks = [step * n for n in range(6) if n == 0 or step * (n - 1) < max(
        [v for _, vs in data for v in vs if v is not None] + [step * 0.5])]
    top = ticks[-1]
    colours = ["#" + c for c in SERIES_COLOURS]
    label_font, value_font, tick_font, title_font = font(13), font(11), font(11), font(16)
    line_h = 17 * s
    width = BASE_WIDTH * s
    title_h, legend_h = (30 * s if title else 4 * s), 24 * s

    if chart_kind == "bar":
        label_w = min(width * 0.3, max(label_font.getlength(c) for c, _ in data) + 16 * s)
        wrapped = [_wrap(c, label_font, label_w - 12 * s) for c, _ in data]
        bar_h = 16 * s
        groups = [max(bar_h * len(series), line_h * len(w)) + 10 * s for w in wrapped]
        plot_x, plot_w = label_w, width - label_w - 70 * s
        plot_y = title_h + legend_h
        height = round(plot_y + sum(groups) + 30 * s)
    else:
        plot_x, plot_y = 56 * s, title_h + legend_h + 12 * s
        plot_w, plot_h = width - plot_x - 16 * s, 260 * s
        group_w = plot_w / max(len(data), 1)
        wrapped = [_wrap(c, label_font, group_w - 4 * s) for c, _ in data]
        height = round(plot_y + plot_h + line_h * max(len(w) for w in wrapped) + 16 * s)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((width / 2, 6 * s), name, font=title_font, fill="black", anchor="ma")
    x = 10 * s
    for si, name in enumerate(series):  # the legend
        draw.rectangle((x, title_h + 4 * s, x + 12 * s, title_h + 16 * s), fill=colours[si % len(colours)])
        draw.text((x + 16 * s, title_h + 10 * s), name, font=label_font, fill="black", anchor="lm")
        x += 16 * s + label_font.getlength(name) + 18 * s
    grid = "#d0d0d0"
    if chart_kind == "bar":
        bottom = plot_y + sum(groups)
        for tick in ticks:
            gx = plot_x + plot_w * tick / top
            draw.line((gx, plot_y, gx, bottom), fill=grid, width=s)
            draw.text((gx, bottom + 4 * s), display(_number(tick)), font=tick_font, fill="#444", anchor="ma")
        y = plot_y
        for (category, values), lines, group in zip(data, wrapped, groups):
            text_y = y + (group - line_h * len(lines)) / 2
            for n, line in enumerate(lines):
                draw.text((plot_x - 8 * s, text_y + n * line_h + line_h / 2), line, font=label_font, fill="black",
                          anchor="rm")
            bars_y = y + (group - bar_h * len(series)) / 2
            for si, value in enumerate(values):
                if value is None:
                    continue
                w = plot_w * max(value, 0) / top
                by = bars_y + si * bar_h
                draw.rectangle((plot_x, by, plot_x + max(w, 1), by + bar_h - 3 * s), fill=colours[si % len(colours)])
                draw.text((plot_x + w + 4 * s, by + (bar_h - 3 * s) / 2), display(_number(value)), font=value_font,
                          fill="black", anchor="lm")
            y += group
        draw.line((plot_x, plot_y, plot_x, bottom), fill="#888", width=s)
    else:
        bottom = plot_y + plot_h
        for tick in ticks:
            gy = bottom - plot_h * tick / top
            draw.line((plot_x, gy, plot_x + plot_w, gy), fill=grid, width=s)
            draw.text((plot_x - 6 * s, gy), display(_number(tick)), font=tick_font, fill="#444", anchor="rm")
        bar_w = min(22 * s, (group_w - 10 * s) / max(len(series), 1))
        for gi, ((category, values), lines) in enumerate(zip(data, wrapped)):
            gx = plot_x + gi * group_w
            start = gx + (group_w - bar_w * len(series)) / 2
            for si, value in enumerate(values):
                if value is None:
                    continue
                h = plot_h * max(value, 0) / top
                bx = start + si * bar_w
                draw.rectangle((bx, bottom - max(h, 1), bx + bar_w - 2 * s, bottom), fill=colours[si % len(colours)])
                draw.text((bx + bar_w / 2 - s, bottom - h - 2 * s), display(_number(value)), font=value_font,
                          fill="black", anchor="md")
            for n, line in enumerate(lines):
                draw.text((gx + group_w / 2, bottom + 4 * s + n * line_h), line, font=label_font, fill="black",
                          anchor="ma")
        draw.line((plot_x, bottom, plot_x + plot_w, bottom), fill="#888", width=s)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)  # optimize=True takes twice as long for a few per cent
    return out.getvalue()


def _step(top: float, *, whole: bool = False) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that covers `top` in at most five steps; at least 1
    when the values are `whole` numbers (counts)."""
    import math

    if top <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(top / 5))
    # counts step by whole numbers: never 2.5 (12 leads: 0 5 10 15, not 0 2.5 5 …), never below 1
    step = next(m * power for m in ((1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)) if m * power * 5 >= top)
    return max(step, 1.0) if whole else step


def _number(value: float):
    from decimal import Decimal

    number = Decimal(str(round(value, 9)))  # a tick 3 × 0.2 is 0.6, not 0.6000000000000001
    return number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
