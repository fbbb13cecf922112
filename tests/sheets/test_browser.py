"""The weekly briefing as HTML opens in a real browser (headless Chromium): it renders, logs nothing
to the console, fetches nothing, and prints on A4 landscape pages.

Debian's chromium is installed by .ci/run; elsewhere these tests skip and say why.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from sheet_scenario import build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WINDOW = (1200, 1600)
A4_LANDSCAPE = (841.92, 594.96)  # points


@pytest.fixture
def briefing(sqlite_url, tmp_path) -> Path:
    """The weekly briefing of the scenario as HTML (the page does not depend on the database back end)."""
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    build(sqlite_url)
    page = tmp_path / "周报.html"
    r = CliRunner().invoke(app, ["--db", sqlite_url, "--as-of", "2025-10-31", "sheet", "weekly", "--output", str(page)])
    assert r.exit_code == 0, r.stderr
    return page


def chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a local file with a throw-away profile and no background traffic."""
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0", *extra, page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def console_lines(stderr: str) -> list[str]:
    """What the page wrote to the console (errors, CSP violations, failed loads) as Chromium logs it."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_weekly_briefing_renders_in_headless_chromium(briefing, tmp_path):
    shot = tmp_path / "周报.png"
    proc = chromium(tmp_path, briefing, f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_lines(proc.stderr) == []
    assert png_size(shot) == WINDOW
    # an empty page of the same size, to tell a drawn page from a blank one by how much there is to compress
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body></body></html>", encoding="utf-8")
    empty = tmp_path / "blank.png"
    assert chromium(tmp_path, blank, f"--screenshot={empty}", f"--window-size={WINDOW[0]},{WINDOW[1]}").returncode == 0
    assert shot.stat().st_size > 3 * empty.stat().st_size


def test_weekly_briefing_prints_on_a4_landscape(briefing, tmp_path):
    pdf = tmp_path / "周报.pdf"
    proc = chromium(tmp_path, briefing, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_lines(proc.stderr) == []
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert abs(float(width) - A4_LANDSCAPE[0]) < 1 and abs(float(height) - A4_LANDSCAPE[1]) < 1
    assert 1 <= len(boxes) <= 6


def test_a_page_that_tries_the_network_is_caught(tmp_path):
    """The console check works: the page's own CSP blocks a fetch, and Chromium says so."""
    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    from projects_cli.config.paths import resource_dir

    head = (resource_dir("templates") / "page.html").read_text(encoding="utf-8")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>', head).group(0)
    page = tmp_path / "bad.html"
    page.write_text(f"<!DOCTYPE html><html><head>{csp}</head><body><img src='http://192.0.2.1/x.png'></body></html>",
                    encoding="utf-8")
    proc = chromium(tmp_path, page, f"--screenshot={tmp_path / 'bad.png'}", "--window-size=400,300")
    assert any("Content Security Policy" in line for line in console_lines(proc.stderr))


PDFTOTEXT = shutil.which("pdftotext")


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text as pdftotext lays it out (poppler-utils; .ci/run installs it)."""
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (Debian: poppler-utils; .ci/run installs it)")
def test_printed_pages_are_numbered_and_keep_the_signature_whole(briefing, tmp_path):
    pdf = tmp_path / "周报.pdf"
    assert chromium(tmp_path, briefing, f"--print-to-pdf={pdf}", "--no-pdf-header-footer").returncode == 0
    pages = pdf_pages(pdf)
    assert [f"—{n}—" in "".join(p.split()) for n, p in enumerate(pages, 1)] == [True] * len(pages)
    last = [line.strip() for line in pages[-1].splitlines() if line.strip()]
    at = last.index("高新区重点项目推进中心")  # the signature, with its date on the same page
    assert last[at + 1] == "2025年10月31日"


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext is not installed (Debian: poppler-utils; .ci/run installs it)")
def test_a_two_character_word_is_not_broken_in_a_narrow_column(sqlite_url, tmp_path):
    from typer.testing import CliRunner

    from projects_cli.cli.app import app

    if CHROMIUM is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; .ci/run installs it)")
    build(sqlite_url)
    runner = CliRunner()
    assert runner.invoke(app, ["--db", sqlite_url, "--as-of", "2025-10-31", "cards", "rate"]).exit_code == 0
    page = tmp_path / "通报.html"
    r = runner.invoke(app, ["--db", sqlite_url, "--as-of", "2025-10-31", "sheet", "cards", "--preview", "-o", str(page)])
    assert r.exit_code == 0, r.stderr
    pdf = tmp_path / "通报.pdf"
    assert chromium(tmp_path, page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer").returncode == 0
    text = "\n".join(pdf_pages(pdf))
    assert "红牌" in text or "黄牌" in text or "蓝牌" in text
    lines = [line.split() for line in text.splitlines()]
    assert not any(cells and cells[-1] in ("红", "黄", "蓝") for cells in lines)  # 红 / 牌 split over two lines
