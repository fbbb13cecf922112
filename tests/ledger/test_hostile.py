"""Hostile and broken ledger files: a clear error in bounded time and memory, and nothing written."""

from __future__ import annotations

import time
import zipfile
from datetime import date

import ledger_samples as samples
import pytest

from projects_cli.errors import ConfigError
from projects_cli.ledger.importer import read_ledger
from projects_cli.ledger.reader import BadWorkbook, Limits

AS_OF = date(2025, 10, 31)


def read(path, **kw):
    start = time.perf_counter()
    try:
        return read_ledger(path, as_of=AS_OF, **kw)
    finally:
        assert time.perf_counter() - start < 5  # bounded: nothing is inflated or parsed


def test_text_named_xlsx(tmp_path):
    path = samples.not_a_workbook(tmp_path / "x.xlsx")
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == f"{path} is not an Excel workbook (its content is not .xlsx or .xls); save it from Excel as .xlsx"


def test_not_a_ledger_file_at_all(tmp_path):
    path = samples.not_a_workbook(tmp_path / "x.pdf")
    with pytest.raises(BadWorkbook, match=r"x.pdf is not a ledger file; expected an Excel workbook \(.xlsx, .xls\) or a .csv file$"):
        read(path)


def test_empty_and_missing(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    with pytest.raises(BadWorkbook, match=r"e.xlsx is empty$"):
        read(tmp_path / "e.xlsx")
    with pytest.raises(BadWorkbook, match=r"nope.xlsx does not exist$"):
        read(tmp_path / "nope.xlsx")


def test_truncated(tmp_path):
    source = samples.office_ledger(tmp_path / "o.xlsx")
    path = samples.truncated(tmp_path / "t.xlsx", source)
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == f"{path} is damaged or truncated (not a complete .xlsx file); ask for it to be sent again"


def test_password_protected(tmp_path):
    path = samples.encrypted(tmp_path / "p.xlsx")
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == (
        f"{path} is password-protected (encrypted); open it in Excel, remove the password "
        "(File → Info → Protect Workbook) and save it again as .xlsx"
    )


def test_zip_bomb_is_refused_by_its_directory(tmp_path):
    path = samples.zip_bomb(tmp_path / "bomb.xlsx", megabytes=48)
    assert path.stat().st_size < 200_000
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value).startswith(f"{path}: part xl/worksheets/sheet1.xml expands ")
    assert str(info.value).endswith(
        "times (to 48 MB), more than the 200 times allowed ([limits] ledger_part_ratio); "
        "the file looks like a zip bomb and was not opened"
    )


def test_limits_from_the_config_file(tmp_path):
    path = samples.office_ledger(tmp_path / "o.xlsx")
    config = {"limits": {"ledger_unzipped_mb": 0.01}}
    with pytest.raises(BadWorkbook, match=r"MB allowed \(\[limits\] ledger_unzipped_mb\); split the ledger or raise the limit$"):
        read(path, config=config)
    with pytest.raises(BadWorkbook, match=r"o.xlsx is 0.0 MB, more than the 0.001 MB allowed \(\[limits\] ledger_file_mb"):
        read(path, config={"limits": {"ledger_file_mb": 0.001}})
    with pytest.raises(BadWorkbook) as rows:
        read(path, config={"limits": {"ledger_rows": 10}})
    assert str(rows.value) == (f"{path} 工作表 2025年台账 用到第 20 行（单元格 O20），超过允许的 10 行（sheet reaches row 20, "
                               "more than the 10 allowed: [limits] ledger_rows）；请删去表格以外的内容后另存")
    assert Limits.from_config({"ledger_rows": 50}) == Limits(ledger_rows=50)
    assert Limits.from_config(None) == Limits()
    known = "ledger_file_mb, ledger_unzipped_mb, ledger_part_ratio, ledger_rows, ledger_columns, ledger_cells"
    for section, message in [
        ({"ledger_rows": -1}, "[limits] ledger_rows：应为 ≥ 1 的整数，不能是 -1（must be a whole number ≥ 1, not -1）"),
        (3, "[limits]：应为表（must be a table），例如 [limits] ledger_file_mb = 100"),
        ({"ledger_size": 1}, f"[limits] ledger_size：未知的键（unknown key）；可用的键 known keys：{known}"),
        ({"ledger_rows": 50, "template_kb": 3}, f"[limits] template_kb：未知的键（unknown key）；可用的键 known keys：{known}"),
    ]:
        with pytest.raises(ConfigError) as exc:
            Limits.from_config(section)
        assert str(exc.value) == f"配置文件 {message}"


def test_garbage_inside_a_zip(tmp_path):
    path = tmp_path / "g.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "not xml at all <<<")
    with pytest.raises(BadWorkbook, match=r"g.xlsx cannot be read as a workbook \(.*\); save it again from Excel as .xlsx$"):
        read(path)
    other = tmp_path / "z.xlsx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(BadWorkbook, match=r"z.xlsx is a zip file but not an Excel workbook; save it from Excel as .xlsx$"):
        read(other)


@pytest.mark.parametrize("kind", ["bomb", "truncated", "encrypted", "text"])
def test_cli_refuses_cleanly_and_writes_nothing(cli, tmp_path, kind):
    from counts import table_counts

    source = samples.office_ledger(tmp_path / "o.xlsx")
    path = {
        "bomb": lambda: samples.zip_bomb(tmp_path / "b.xlsx", megabytes=24),
        "truncated": lambda: samples.truncated(tmp_path / "t.xlsx", source),
        "encrypted": lambda: samples.encrypted(tmp_path / "e.xlsx"),
        "text": lambda: samples.not_a_workbook(tmp_path / "x.xlsx"),
    }[kind]()
    before = table_counts(cli.url)
    r = cli("ledger", "import", "--create-units", str(path))
    assert r.exit_code == 1
    assert r.stderr.startswith(f"错误：{path}") and r.stderr.count("\n") == 1
    assert table_counts(cli.url) == before


def test_entity_expansion_is_refused(tmp_path):
    path = samples.billion_laughs(tmp_path / "l.xlsx", samples.office_ledger(tmp_path / "o.xlsx"))
    with pytest.raises(BadWorkbook) as info:
        read(path)
    assert str(info.value) == (
        f"{path} cannot be read as a workbook (XmlError: at 0..0: unrecognized entity `&lol9;`); "
        "save it again from Excel as .xlsx"
    )
