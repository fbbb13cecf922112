"""The visual check (issue 20): every workbook and document the tool writes, printed to PDF by LibreOffice
headless as an office would print it, fits its pages: no more pages than it should take, no column cut off
onto a page of its own (the table's first and last headers print on one page), every page numbered, and every
font embedded with the Chinese text in a CJK font (no boxes). `render.sh` makes the PNG pages to look at.

Needs LibreOffice and poppler-utils (Debian's packages; .ci/run installs them); skips and says why without.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from visual_outputs import make_all

pytestmark = [pytest.mark.visual, pytest.mark.slow]

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdfinfo")
CJK_FONTS = ("CJK", "WenQuanYi", "WQY", "FangSong", "SimSun", "SimHei", "KaiTi", "Source Han", "Noto Sans SC",
             "Noto Serif SC", "Droid Sans Fallback", "AR PL")


@pytest.fixture(scope="module")
def printed(demo_template, tmp_path_factory) -> dict[str, tuple[object, Path]]:
    if SOFFICE is None or not POPPLER:
        pytest.skip("LibreOffice and poppler-utils are not installed (Debian: libreoffice-calc-nogui "
                    "libreoffice-writer-nogui poppler-utils; .ci/run installs them)")
    folder = tmp_path_factory.mktemp("visual")
    made = make_all(folder, demo_template)
    profile = folder / "lo-profile"
    files = [str(folder / name) for name in made]
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(folder), *files], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {name: (expect, folder / f"{Path(name).stem}.pdf") for name, expect in made.items()}


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def names():
    from visual_outputs import OUTPUTS

    return [name for _, name, _ in OUTPUTS]


@pytest.mark.parametrize("name", names())
def test_it_prints_on_its_pages_with_no_column_cut_off(printed, name):
    expect, pdf = printed[name]
    assert pdf.exists(), f"LibreOffice made no PDF of {name}"
    text = pages(pdf)
    assert 1 <= len(text) <= expect.pages, f"{name} prints on {len(text)} pages (at most {expect.pages})"
    if expect.together:
        flat = ["".join(p.split()) for p in text]
        assert any(all(t in page for t in expect.together) for page in flat), (
            f"{name}: {' and '.join(expect.together)} do not print on one page (a column or the heading cut off)")


@pytest.mark.parametrize("name", names())
def test_every_page_is_numbered(printed, name):
    _, pdf = printed[name]
    flat = ["".join(p.split()) for p in pages(pdf)]
    numbered = [any(mark in page for mark in (f"—{n}—", f"第{n}页")) for n, page in enumerate(flat, 1)]
    assert numbered == [True] * len(flat), f"{name}: pages without a number: {[n for n, ok in enumerate(numbered, 1) if not ok]}"


@pytest.mark.parametrize("name", names())
def test_the_chinese_prints_in_an_embedded_cjk_font(printed, name):
    _, pdf = printed[name]
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    fonts = [(line.split()[0], line.split()[-5]) for line in lines if line.strip()]
    assert fonts, f"{name}: no font in the PDF"
    assert [f for f, embedded in fonts if embedded != "yes"] == [], f"{name}: fonts not embedded"
    assert any(any(c in f for c in CJK_FONTS) for f, _ in fonts), f"{name}: no CJK font: {[f for f, _ in fonts]}"


def test_a_chart_shows_every_label(printed):
    """The weekly's investment chart names all 13 chains (LibreOffice drops labels that would overlap)."""
    _, pdf = printed["周报-表格.xlsx"]
    text = "".join("".join(p.split()) for p in pages(pdf))
    chains = ["工程机械", "汽车及零部件", "智能装备", "生物医药", "医疗服务业", "医疗器械", "智能终端", "数字经济",
              "新材料", "新能源", "乡村振兴", "基础设施", "民生"]
    # each in the investment table, the chart's own table and on the chart's axis
    assert {c: text.count(c) >= 3 for c in chains} == {c: True for c in chains}
