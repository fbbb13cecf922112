"""`projects sheet …` over a known registry: Excel cells, numbering, re-issue, the office's templates, errors."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from loghead import footer, head_of
from openpyxl import load_workbook
from sheet_scenario import FORMULA_NAME, PIPE_NAME, build

from projects_cli.config.paths import resource_dir

FIRST = "高新督〔2025〕1号"


@pytest.fixture(scope="session")
def scenario_file(tmp_path_factory) -> Path:
    """The scenario built once on SQLite; each SQLite test starts from a copy."""
    from projects_cli.store import db

    path = tmp_path_factory.mktemp("scenario") / "scenario.db"
    url = f"sqlite:///{path}"
    db.upgrade(url, backup=False)
    build(url)
    return path


@pytest.fixture
def scn(db_url, scenario_file):
    if db_url.startswith("sqlite"):
        target = Path(db_url.split("///", 1)[1])
        for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(scenario_file, target)
    else:
        build(db_url)
    return db_url


def rows(ws) -> list[tuple]:
    """The non-empty values of each non-empty row, in order."""
    out = []
    for row in ws.iter_rows(values_only=True):
        values = tuple(v for v in row if v is not None)
        if values:
            out.append(values)
    return out


def sheet_rows(cli) -> list[dict]:
    return json.loads(cli("sheet", "list", "--format", "json").stdout)


def log_rows(cli) -> list[dict]:
    return json.loads(cli("log", "--table", "sheet", "--format", "json").stdout)


# ---------------------------------------------------------------- 督办单


def test_notice_in_excel(cli, scn, tmp_path):
    out = tmp_path / "督办单.xlsx"
    r = cli("sheet", "notice", "2025-001", "--output", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"已写出 {out}\n{FIRST}  督办单  自然资源局\n"
    wb = load_workbook(out)
    assert wb.sheetnames == ["自然资源局"]
    ws = wb.active
    assert ws["A1"].value == "重点项目问题督办单"
    assert ws["A2"].value == FIRST
    got = rows(ws)
    assert got[:5] == [
        ("重点项目问题督办单",),
        (FIRST,),
        ("自然资源局、建设局：",),
        ("\u3000\u3000甲智能装备产业园反映的“用地指标未落实”问题，已列入区重点项目问题重点督办事项，已超过办结时限4天，现交自然资源局牵头办理、建设局配合办理，具体情况如下：",),
        ("问题编号", "2025-001", "督办级别", "重点督办"),
    ]
    assert ("项目名称", "甲智能装备产业园", "项目编号", "GX-0001") in got
    assert ("牵头单位", "自然资源局", "配合单位", "建设局") in got
    assert ("提报日期", "2025年10月20日", "交办日期", "2025年10月20日") in got
    assert ("办结时限", "2025年10月27日（5个工作日）", "剩余时限", "已逾期4个工作日") in got
    assert ("领导批示", "区长 赵六（2025年10月22日）：请抓紧协调，月底前解决。") in got
    assert ("督办要求",) in got
    assert ("办理情况", "已采取的措施、取得的进展") in got
    assert ("下步措施及完成时限",) in got
    # the sheet ends with the change log's head as it stood when the sheet went out (before the sheet's own row)
    assert got[-3:] == [("高新区重点项目推进中心",), ("2025年10月31日",), (footer(head_of(cli.url, back=1)),)]
    # merged title, A4 portrait, fitted to one page wide, card notices bordered
    assert "A1:D1" in {str(r) for r in ws.merged_cells.ranges}
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    label = next(c for row in ws.iter_rows() for c in row if c.value == "问题编号")
    assert label.border.left.style == "thin" and label.font.b


def test_notice_markdown_to_stdout(cli, scn):
    r = cli("sheet", "notice", "2025-1")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith(f"# 重点项目问题督办单\n\n{FIRST}\n\n自然资源局、建设局：\n\n")
    assert "- **剩余时限**：已逾期4个工作日\n" in r.stdout


def test_notice_needs_an_assigned_issue_and_records_nothing_otherwise(cli, scn):
    r = cli("sheet", "notice", "2025-002")
    assert r.exit_code == 1
    assert r.stderr == (
        "错误：问题 2025-002 已销号：交办单、催办单、督办单只发给已交办或已反馈的问题；请先交办：projects issue a"
        "ssign 2025-002 --unit …\n"
    )
    r = cli("sheet", "notice", "2025-099")
    assert (r.exit_code, r.stderr) == (1, "错误：没有编号为 2025-099 的问题；`projects issue list` 列出全部编号\n")
    assert sheet_rows(cli) == [] and log_rows(cli) == []
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    assert [s["number"] for s in sheet_rows(cli)] == [FIRST]  # the failures took no number


# ---------------------------------------------------------------- numbering and the record


def test_numbers_are_sequential_per_year_and_never_repeat(cli, scn, tmp_path):
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    assert cli("sheet", "cards", "--output", str(tmp_path / "c.xlsx")).exit_code == 0
    assert cli("sheet", "weekly", "--preview").exit_code == 0  # a preview takes no number
    assert cli("sheet", "weekly", "--output", str(tmp_path / "w.md")).exit_code == 0
    assert cli("sheet", "notice", "2025-001", as_of="2026-01-05").exit_code == 0
    listed = sheet_rows(cli)
    assert [(s["number"], s["kind"], s["recipient"], s["ref"]) for s in listed] == [
        ("高新督〔2025〕1号", "notice", "自然资源局", "2025-001"),
        ("高新督〔2025〕2号", "cards", "建设局", "2025-10"),
        ("高新督〔2025〕3号", "cards", "经济发展局", "2025-10"),
        ("高新督〔2025〕4号", "cards", "自然资源局", "2025-10"),
        ("高新督〔2025〕5号", "weekly", "各责任单位", "2025-W44"),
        ("高新督〔2026〕1号", "notice", "自然资源局", "2025-001"),
    ]
    assert {s["by"] for s in listed} == {"tester"}
    logged = log_rows(cli)
    assert [e["record_key"] for e in reversed(logged)] == [s["number"] for s in listed]
    first = logged[-1]["new"]
    assert {k: first[k] for k in ("number", "kind", "recipient", "ref", "issued_on")} == {
        "number": FIRST, "kind": "notice", "recipient": "自然资源局", "ref": "2025-001", "issued_on": "2025-10-31"}
    assert len(first["sha256"]) == 64
    wb = load_workbook(tmp_path / "c.xlsx")
    assert wb.sheetnames == ["建设局", "经济发展局", "自然资源局"]
    assert [wb[n]["A2"].value for n in wb.sheetnames] == ["高新督〔2025〕2号", "高新督〔2025〕3号", "高新督〔2025〕4号"]


def test_a_failed_write_takes_no_number(cli, scn, tmp_path):
    r = cli("sheet", "weekly", "--output", str(tmp_path / "missing" / "w.xlsx"))
    assert r.exit_code == 1 and r.stderr.startswith(f"错误：无法写入 {tmp_path / 'missing' / 'w.xlsx'}（文件夹 ")
    assert sheet_rows(cli) == [] and log_rows(cli) == []
    assert cli("sheet", "weekly").exit_code == 0
    assert [s["number"] for s in sheet_rows(cli)] == [FIRST]


def test_reissue_is_identical_whatever_changed_since(cli, scn, tmp_path):
    original = tmp_path / "a.xlsx"
    assert cli("sheet", "notice", "2025-001", "-o", str(original)).exit_code == 0
    first_md = cli("sheet", "reissue", FIRST, "-f", "md").stdout
    # the registry and the templates change afterwards …
    assert cli("edit", "GX-0001", "--name", "甲智能装备产业园（更名）").exit_code == 0
    office = tmp_path / "tpl"
    office.mkdir()
    text = (resource_dir("templates") / "notice.txt").read_text(encoding="utf-8")
    (office / "notice.txt").write_text(text.replace("重点项目问题督办单", "新标题"), encoding="utf-8")
    # … the re-issue is the sheet as issued
    again = tmp_path / "b.xlsx"
    r = cli("--templates", str(office), "sheet", "reissue", FIRST, "--output", str(again), as_of="2025-12-01")
    assert r.exit_code == 0, r.stderr
    assert rows(load_workbook(again).active) == rows(load_workbook(original).active)
    assert cli("--templates", str(office), "sheet", "reissue", FIRST, "-f", "md").stdout == first_md
    assert first_md.startswith("# 重点项目问题督办单\n") and "甲智能装备产业园反映" in first_md
    # --rerender: the stored data through today's templates (the data is still as issued)
    md = cli("--templates", str(office), "sheet", "reissue", FIRST, "-f", "md", "--rerender").stdout
    assert md.startswith("# 新标题\n") and "甲智能装备产业园反映" in md and "更名" not in md
    assert [s["number"] for s in sheet_rows(cli)] == [FIRST]  # re-issuing numbers nothing


def test_one_document_keeps_one_number_across_formats(cli, scn, tmp_path):
    for name in ("a.xlsx", "a.html", "a.md", "a.docx"):
        r = cli("sheet", "notice", "2025-001", "--output", str(tmp_path / name))
        assert r.exit_code == 0, r.stderr
    r = cli("sheet", "notice", "2025-001")
    assert r.stderr == f"{FIRST}  督办单  自然资源局  （同一文件已发文，沿用原编号，未另行记录）\n"
    assert [s["number"] for s in sheet_rows(cli)] == [FIRST]
    assert [e["record_key"] for e in log_rows(cli)] == [FIRST]
    assert load_workbook(tmp_path / "a.xlsx").active["A2"].value == FIRST
    assert FIRST in (tmp_path / "a.html").read_text(encoding="utf-8")
    assert (tmp_path / "a.md").read_text(encoding="utf-8") == cli("sheet", "reissue", FIRST, "-f", "md").stdout
    from docx import Document

    assert [p.text for p in Document(str(tmp_path / "a.docx")).paragraphs[:3]] == ["高新区重点项目推进中心", FIRST, "重点项目问题督办单"]
    assert cli("sheet", "reissue", FIRST, "--output", str(tmp_path / "b.docx")).exit_code == 0
    assert Document(str(tmp_path / "b.docx")).paragraphs[1].text == FIRST
    # the weekly briefing written three times is one document; a card notice per unit is one each
    for name in ("w.xlsx", "w.html", "w.md"):
        assert cli("sheet", "weekly", "--output", str(tmp_path / name)).exit_code == 0
    for _ in range(2):
        assert cli("sheet", "cards").exit_code == 0
    assert [(s["number"], s["kind"]) for s in sheet_rows(cli)] == [
        (FIRST, "notice"), ("高新督〔2025〕2号", "weekly"), ("高新督〔2025〕3号", "cards"), ("高新督〔2025〕4号", "cards"),
        ("高新督〔2025〕5号", "cards")]
    # what changed is another document: a later as-of date, or the data
    assert cli("sheet", "notice", "2025-001", as_of="2025-11-03").exit_code == 0
    assert sheet_rows(cli)[-1]["number"] == "高新督〔2025〕6号"


def test_a_preview_never_takes_a_number(cli, scn):
    for _ in range(3):
        r = cli("sheet", "notice", "2025-001", "--preview")
        assert r.stderr == "预览（未编号，未记录）  督办单  自然资源局\n"
        assert "（预览，未编号）" in r.stdout
    assert sheet_rows(cli) == [] and log_rows(cli) == []
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    assert [s["number"] for s in sheet_rows(cli)] == [FIRST]


def test_void_keeps_the_sheet_listed_and_never_reuses_its_number(cli, scn):
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    r = cli("sheet", "void", FIRST, "--reason", "  主送单位有误 ")
    assert (r.exit_code, r.stderr) == (0, f"{FIRST} 已作废\n")
    listed = sheet_rows(cli)
    assert [(s["number"], s["state"], s["void_reason"], s["voided_on"]) for s in listed] == [
        (FIRST, "作废", "主送单位有误", "2025-10-31")]
    table = cli("sheet", "list").stdout.splitlines()
    assert table[0].split() == ["编号", "类型", "日期", "主送", "事由", "经办人", "状态", "作废原因"]
    assert table[2].split()[-2:] == ["作废", "主送单位有误"]
    # the same document issued again takes a new number, never the voided one
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    assert [(s["number"], s["state"]) for s in sheet_rows(cli)] == [(FIRST, "作废"), ("高新督〔2025〕2号", "有效")]
    r = cli("sheet", "reissue", FIRST, "-f", "md")
    assert (r.exit_code, r.stderr) == (
        1, f"错误：{FIRST} 已于2025-10-31作废（主送单位有误），不再重新打印\n")
    r = cli("sheet", "void", FIRST, "--reason", "再次")
    assert (r.exit_code, r.stderr) == (1, f"错误：{FIRST} 已于2025-10-31作废（主送单位有误）\n")
    r = cli("sheet", "void", "高新督〔2025〕2号", "--reason", " ")
    assert (r.exit_code, r.stderr) == (1, "错误：作废需说明原因：--reason TEXT\n")
    r = cli("sheet", "void", "高新督〔2025〕9号", "--reason", "x")
    assert r.exit_code == 1 and r.stderr.startswith("错误：没有文号为 '高新督〔2025〕9号' 的文书")
    voided = [e for e in log_rows(cli) if e["action"] == "update"]
    assert [(e["record_key"], e["old"], e["new"]) for e in voided] == [
        (FIRST, {"voided_on": None, "void_reason": None}, {"voided_on": "2025-10-31", "void_reason": "主送单位有误"})]


def test_reissue_unknown_number(cli, scn):
    r = cli("sheet", "reissue", "高新督〔2025〕9号")
    assert (r.exit_code, r.stderr) == (1, "错误：没有文号为 '高新督〔2025〕9号' 的文书；projects sheet list 列出"
                                          "已发文号，如 高新督〔2025〕12号\n")
    r = cli("sheet", "reissue", "9")
    assert r.stderr == ("错误：没有文号为 '9' 的文书；projects sheet list 列出已发文号，如 高新督〔2025〕12号\n")


@pytest.mark.parametrize("typed", ["高新督〔2025〕1号", "高新督[2025]1号", "高新督(2025)1号", "高新督（2025）1号",
                                   "高新督2025-1", "高新督2025-01", "2025-1", "〔2025〕1号", "高新督【2025】1号", "1",
                                   "高新督〔２０２５〕１号"])
def test_a_number_is_found_however_its_brackets_are_typed(cli, scn, typed):
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    r = cli("sheet", "reissue", typed, "-f", "md")
    assert r.exit_code == 0, r.stderr
    assert "高新督〔2025〕1号" in r.stdout


def test_a_number_of_another_prefix_or_shared_by_years_is_not_guessed(cli, scn):
    assert cli("sheet", "notice", "2025-001").exit_code == 0
    assert cli("sheet", "notice", "2025-001", as_of="2026-01-05").exit_code == 0
    r = cli("sheet", "reissue", "济高督〔2025〕1号")
    assert r.exit_code == 1 and r.stderr.startswith("错误：没有文号为 '济高督〔2025〕1号' 的文书")
    r = cli("sheet", "reissue", "1")
    assert r.stderr == ("错误：2 份文书编号为 1 号：高新督〔2025〕1号、高新督〔2026〕1号；请写全文号\n")


def test_prefix_office_and_templates_from_the_config_file(cli, scn, tmp_path):
    folder = tmp_path / "模板"
    folder.mkdir()
    text = (resource_dir("templates") / "notice.txt").read_text(encoding="utf-8")
    (folder / "notice.txt").write_text(text.replace("督办要求", "工作要求"), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[sheets]\nprefix = "济高督"\noffice = "济宁高新区督查室"\ntemplates = "模板"\n'
                      'contact = "王某"\nphone = "0537-1234567"\n', encoding="utf-8")
    r = cli("--config", str(config), "sheet", "notice", "2025-001")
    assert r.exit_code == 0, r.stderr
    assert "济高督〔2025〕1号" in r.stdout and "## 工作要求" in r.stdout and "督办要求" not in r.stdout
    assert r.stdout.endswith("济宁高新区督查室  \n2025年10月31日  \n\n*联系人：王某　联系电话：0537-1234567*\n\n"
                             f"*{footer(head_of(cli.url, back=1))}*\n")
    config.write_text('[sheets]\nprefx = "x"\n', encoding="utf-8")
    r = cli("--config", str(config), "sheet", "notice", "2025-001")
    assert (r.exit_code, r.stderr) == (
        1, f"错误：配置文件 {config} 第 2 行 [sheets] prefx：未知的键；可用的键：prefix, office, mark, title_font, "
           "contact, weekly_to, weekly_cc, phone, templates, list_limit, render_seconds, render_output_mb\n")
    r = cli("--templates", str(tmp_path / "nowhere"), "sheet", "weekly")
    assert (r.exit_code, r.stderr) == (1, f"错误：模板文件夹 {tmp_path / 'nowhere'} 不存在\n")



def test_shipped_notice_of_an_urgent_issue_carries_its_urgency_and_record(cli, scn, tmp_path):
    from docx import Document
    from sqlalchemy import create_engine, text

    engine = create_engine(scn)
    with engine.begin() as conn:
        conn.execute(text("UPDATE issue SET urgency = '特急' WHERE number = '2025-001'"))
    engine.dispose()
    r = cli("sheet", "notice", "2025-001", "--output", str(tmp_path / "督办单.docx"))
    assert r.exit_code == 0, r.stderr
    texts = [p.text for p in Document(str(tmp_path / "督办单.docx")).paragraphs if p.text]
    assert texts[:3] == ["特急", "高新区重点项目推进中心", FIRST]
    # the change log's head as a 附注 under the date, then the 版记
    assert texts[-3] == "2025年10月31日"
    assert texts[-2].startswith("防篡改校验：记录 ") and texts[-2].endswith('"）')
    assert texts[-1] == "高新区重点项目推进中心\t2025年10月31日印发"
    md = cli("sheet", "reissue", FIRST).stdout
    assert md.startswith(f"**特急**\n\n# 重点项目问题督办单\n\n{FIRST}\n")
    assert "印发" not in md  # the 版记 is Word's: the signature says as much

def test_an_office_template_without_the_word_markup_still_makes_a_docx(cli, scn, tmp_path):
    """An override written before @urgency / @printed existed: no urgency, no 版记; the mark and font from the config."""
    from docx import Document
    from docx.oxml.ns import qn

    folder = tmp_path / "模板"
    folder.mkdir()
    text = (resource_dir("templates") / "notice.txt").read_text(encoding="utf-8")
    old = text.replace('{% if issue.urgency in ("特急", "急件") %}\n@urgency {{ issue.urgency }}\n{% endif %}\n', "")
    reply = (resource_dir("templates") / "problem_reply.txt").read_text(encoding="utf-8")
    reply = reply.replace("\n@printed {{ office }} | {{ issued_on }}\n", "\n")  # the 版记 lives in the shared end
    assert "\n@urgency" not in old and "\n@printed" not in reply
    (folder / "notice.txt").write_text(old, encoding="utf-8")
    (folder / "problem_reply.txt").write_text(reply, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[sheets]\noffice = "济宁高新区督查室"\nmark = "济宁高新区督查室文件"\ntitle_font = "黑体"\n'
                      'templates = "模板"\n', encoding="utf-8")
    r = cli("--config", str(config), "sheet", "notice", "2025-001", "--output", str(tmp_path / "督办单.docx"))
    assert r.exit_code == 0, r.stderr
    doc = Document(str(tmp_path / "督办单.docx"))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[:4] == ["济宁高新区督查室文件", FIRST, "重点项目问题督办单", "自然资源局、建设局："]
    assert doc.paragraphs[2].runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert texts[-3:-1] == ["济宁高新区督查室", "2025年10月31日"]
    assert texts[-1].startswith("防篡改校验：记录 ")  # no 版记 in this template: the head comes last
    assert not any(p._p.pPr is not None and p._p.pPr.find(qn("w:framePr")) is not None for p in doc.paragraphs)

# ---------------------------------------------------------------- the office's templates


def test_an_edited_template_changes_the_output_without_code(cli, scn, tmp_path):
    office = tmp_path / "tpl"
    office.mkdir()
    text = (resource_dir("templates") / "cards.txt").read_text(encoding="utf-8")
    (office / "cards.txt").write_text(text.replace("@title ", "@title （内部）"), encoding="utf-8")
    out = tmp_path / "c.xlsx"
    r = cli("--templates", str(office), "sheet", "cards", "--unit", "经济发展局", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert load_workbook(out).active["A1"].value == "（内部）重点项目红黄蓝牌通报"
    # the other sheets still come from the shipped folder
    assert cli("--templates", str(office), "sheet", "notice", "2025-001").stdout.startswith("# 重点项目问题督办单")
    # the HTML page is a template too (autoescaped)
    page = (resource_dir("templates") / "page.html").read_text(encoding="utf-8")
    (office / "page.html").write_text(page.replace("<body>", "<body><p>内部资料 {{ title }}</p>"), encoding="utf-8")
    html = cli("--templates", str(office), "sheet", "notice", "2025-001", "-f", "html", "--preview").stdout
    assert "<body><p>内部资料 重点项目问题督办单</p>" in html


def test_a_misspelt_field_is_a_clear_error_and_records_nothing(cli, scn, tmp_path):
    office = tmp_path / "tpl"
    office.mkdir()
    text = (resource_dir("templates") / "notice.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("@number"))
    (office / "notice.txt").write_text(text.replace("@number {{ number }}", "@number {{ numbr }}"), encoding="utf-8")
    r = cli("--templates", str(office), "sheet", "notice", "2025-001")
    assert r.exit_code == 1
    assert r.stderr.startswith(
        f"错误：模板 {office / 'notice.txt'} 第 {line} 行（@number {{{{ numbr }}}}）：没有字段 'numbr'；"
        "这份文书的字段有：as_of, helpers, history, instructions, issue, issued_on, kind, kind_zh, lead_unit,"
    )
    assert sheet_rows(cli) == [] and log_rows(cli) == []
    r = cli("sheet", "notice", "2025-001")
    assert r.stdout.splitlines()[2] == FIRST  # the failed attempt took no number


def test_a_template_cannot_include_files_outside_its_folders(cli, scn, tmp_path):
    office = tmp_path / "tpl"
    office.mkdir()
    (office / "weekly.txt").write_text("@title 周报\n{% include '../../etc/passwd' %}\n", encoding="utf-8")
    r = cli("--templates", str(office), "sheet", "weekly")
    assert (r.exit_code, r.stderr) == (1, (
        f"错误：模板 {office / 'weekly.txt'} 第 2 行（{{% include '../../etc/passwd' %}}）：模板名 "
        f"'../../etc/passwd' 指向模板文件夹（{office} 或 {resource_dir('templates').resolve()}）之外\n"
    ))
    assert "root:" not in r.stdout + r.stderr


# ---------------------------------------------------------------- card notices


def test_card_notice_colours_and_formula_text(cli, scn, tmp_path):
    out = tmp_path / "c.xlsx"
    r = cli("sheet", "cards", "--unit", "经济发展局", "--output", str(out))
    assert r.exit_code == 0, r.stderr
    ws = load_workbook(out).active
    got = rows(ws)
    assert got[:3] == [("重点项目红黄蓝牌通报",), (FIRST,), ("经济发展局：",)]
    assert got[3] == ("\u3000\u3000根据区重点项目红黄蓝牌管理办法，对照序时进度和节点计划，截至2025年10月31日，你单位负责推进的2个"
                      "重点项目中，红牌1个、黄牌0个、蓝牌1个。",)
    header = ("序号", "项目名称", "包保领导", "本期", "上期", "变化", "主要原因")
    at = got.index(header)
    assert got[at + 1] == (1, "甲智能装备产业园", "张三", "红牌", "黄牌", "升级", "投资完成率 30.0%，序时进度 83.3%，落后 53.3 个百分点")
    assert got[at + 2] == (2, FORMULA_NAME, "张三", "蓝牌", "蓝牌", "持平", "正常推进")
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells["甲智能装备产业园"].fill.fgColor.rgb == "00FF8B8B"  # red card row
    assert cells[FORMULA_NAME].fill.fgColor.rgb == "009DC3E6"  # blue card row
    assert cells[FORMULA_NAME].data_type == "s"  # text, never a live formula
    assert ("\u3000\u3000（一）红牌项目（严重滞后）：约谈责任单位主要负责人，全区通报，问题纳入挂牌督办。",) in got


def test_card_notice_errors(cli, scn):
    r = cli("sheet", "cards", "--unit", "宣传部")
    assert r.exit_code == 1 and r.stderr == "错误：责任单位“宣传部”不存在；现有的：建设局、经济发展局、自然资源局、财政局\n"
    r = cli("sheet", "cards", "--unit", "财政局")
    assert (r.exit_code, r.stderr) == (1, (
        "错误：财政局没有项目有 2025-10 的红黄蓝牌；请先评定该期（projects cards rate --period 2025-10），"
        "或换一个 --period\n"))
    r = cli("sheet", "cards", "--period", "2025-11")
    assert (r.exit_code, r.stderr) == (
        1, "错误：2025-11 还没有评牌；请先评价：projects cards rate --period 2025-11\n")
    r = cli("sheet", "cards", "--period", "十月")
    assert (r.exit_code, r.stderr) == (
        1, "错误：'十月' 不是评价周期；月份写作 2025-10 或 2025年10月，周写作 2025-W43 或 2025年第43周\n")
    assert sheet_rows(cli) == [] and log_rows(cli) == []


def test_card_notice_for_an_earlier_period(cli, scn):
    r = cli("sheet", "cards", "--unit", "建设局", "--period", "2025-09", as_of="2025-11-05")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("# 重点项目红黄蓝牌通报\n\n高新督〔2025〕1号\n\n建设局：\n")
    assert "| 1 | 乙生物医药基地 | 李四 | 黄牌 | — | 新评 | 进度滞后 |" in r.stdout
    assert "（一）黄牌项目（进度滞后）：书面提醒责任单位，限期整改。" in r.stdout


# ---------------------------------------------------------------- the weekly briefing


def test_weekly_briefing_in_excel(cli, scn, tmp_path):
    out = tmp_path / "周报.xlsx"
    r = cli("sheet", "weekly", "--output", str(out))
    assert r.exit_code == 0, r.stderr
    ws = load_workbook(out).active
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    got = rows(ws)
    assert got[:4] == [("全区重点项目推进情况周报",), ("2025年第1期（第44周，2025年10月25日—2025年10月31日）",), (FIRST,), ("各责任单位：",)]
    by_unit = got.index(("责任单位", "逾期事项", "本周新增", "即将到期", "一般逾期", "较重逾期", "严重逾期", "最长逾期（天）"))
    assert got[by_unit + 1 : by_unit + 5] == [
        ("建设局", 1, 1, 0, 1, 0, 0, 3),
        ("经济发展局", 1, 0, 0, 0, 1, 0, 60),
        ("自然资源局", 1, 1, 1, 1, 0, 0, 4),
        ("合计", 3, 2, 1, 2, 1, 0, "—"),
    ]
    new = got.index(("序号", "责任单位", "项目名称", "逾期事项", "计划日期", "逾期天数", "程度"))
    assert got[new + 1] == (1, "建设局", "乙生物医药基地", "主体完工", datetime(2025, 10, 28), 3, "一般逾期")
    assert got[new + 2] == (2, "自然资源局", "甲智能装备产业园", "问题 2025-001：用地指标未落实", datetime(2025, 10, 27), 4, "一般逾期")
    header = ("项目名称", "责任单位", "上期", "本期", "主要原因")
    changes = [i for i, r in enumerate(got) if r == header]
    assert [got[i - 1] for i in changes] == [("新亮红牌项目（1个）",), ("新亮黄牌项目（1个）",), ("牌色好转项目（1个）",)]
    assert [got[i + 1] for i in changes] == [
        ("甲智能装备产业园", "经济发展局", "黄牌", "红牌", "投资完成率 30.0%，序时进度 83.3%，落后 53.3 个百分点"),
        (PIPE_NAME, "自然资源局", "—", "黄牌", "节点“竣工”逾期 3 天"),
        ("乙生物医药基地", "建设局", "黄牌", "蓝牌", "—"),
    ]
    assert ("2025-001", "甲智能装备产业园", "用地指标未落实", "自然资源局", datetime(2025, 10, 29), "一般督办→重点督办") in got
    flag = got.index(("名次", "责任单位", "得分", "备注"))
    assert got[flag + 1 : flag + 4] == [(1, "建设局", 92.5, "流动红旗"), (2, "自然资源局", 80), (3, "经济发展局", 61.2, "约谈")]
    invest = got.index(("产业链", "项目数", "年度计划（万元）", "完成投资（万元）", "完成率（%）", "落后序时（百分点）"))
    assert got[invest + 1 : invest + 4] == [
        ("智能装备", 1, 10000, 3000, 30, 53.3),
        ("生物医药", 1, 20000, 17000, 85, -1.7),
        ("合计", 2, 30000, 20000, 66.7, 16.7),
    ]
    assert ("\u3000\u3000截至2025年10月31日，纳入年度计划的重点项目完成投资2亿元，占年度计划3亿元的66.7%，序时进度83.3%。",) in got
    # the trend of the last 8 weeks (columns), the chains and the units (bars), the investment's trend (columns)
    assert [(c.type, len(c.series)) for c in ws._charts] == [("col", 3), ("bar", 2), ("bar", 2), ("col", 2)]
    chart_rows = got.index(("产业链", "完成率", "序时进度"))
    assert got[chart_rows + 1 : chart_rows + 3] == [("智能装备", 30, 83.3), ("生物医药", 85, 83.3)]
    unit_rows = got.index(("责任单位", "完成率", "序时进度"))
    assert got[unit_rows - 1 : unit_rows + 3] == [("各责任单位投资完成率与序时进度（%）",), ("责任单位", "完成率", "序时进度"),
                                                  ("建设局", 85, 83.3), ("经济发展局", 30, 83.3)]
    by_unit = ws._charts[2]
    assert (by_unit.x_axis.tickLblSkip, by_unit.x_axis.delete) == (1, False)  # every unit's label shown
    trend = got.index(("周末", "逾期事项", "红牌", "黄牌"))
    assert [row[0] for row in got[trend + 1 : trend + 9]] == [
        "9月12日", "9月19日", "9月26日", "10月3日", "10月10日", "10月17日", "10月24日", "10月31日"]
    weekly_invest = got.index(("周末", "完成率", "序时进度"))
    # the scenario's projects were added this week: earlier weeks had nothing planned, so no point (not 0)
    assert got[weekly_invest + 1 : weekly_invest + 3] == [("10月31日", 66.7, 83.3), ("六、本周变化",)]


def test_weekly_html_is_one_self_contained_page(cli, scn, tmp_path):
    out = tmp_path / "周报.html"
    assert cli("sheet", "weekly", "--output", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "@page { size: A4 landscape;" in page
    assert "<svg" in page and "各产业链投资完成率与序时进度（%）" in page
    for external in ("<script", "<link", "src=", "url(", "@import"):
        assert external not in page
    assert "https://" not in page
    # the SVG namespace, and a project named like a formula (本周变化 lists it) as text: never a fetch
    assert page.count("http://") == page.count('xmlns="http://www.w3.org/2000/svg"') + page.count('HYPERLINK(&#34;http://')
    assert "丁|管网@改造[二期]" in page  # data arrives as text, escaped once
    assert '<tr class="card-red">' in page


def test_weekly_shows_the_latest_rating_and_says_when_there_is_none(cli, scn):
    md = cli("sheet", "weekly", "--preview", as_of="2025-11-05").stdout
    assert "## 二、红黄蓝牌情况（2025年10月）\n\n本期红牌1个、黄牌1个、蓝牌2个（上期红牌0个、黄牌2个、蓝牌1个）。" in md
    assert "2025年10月流动红旗由建设局获得。经济发展局排名末位，将按规定约谈。" in md
    md = cli("sheet", "weekly", "--preview", as_of="2025-08-29").stdout
    assert "## 二、红黄蓝牌情况\n\n本期尚未评定红黄蓝牌。\n" in md
    assert "## 四、流动红旗\n\n本期尚未评定流动红旗。\n" in md


def test_output_format_choices(cli, scn, tmp_path):
    r = cli("sheet", "weekly", "--format", "xlsx")
    assert r.exit_code == 2 and "Excel 文件需要写到文件：请加 --output 文件.xlsx" in r.stderr
    r = cli("sheet", "weekly", "--format", "docx")
    assert r.exit_code == 2 and "Word 文件需要写到文件：请加 --output 文件.docx" in r.stderr
    r = cli("sheet", "weekly", "--output", str(tmp_path / "w.xlsx"), "--format", "docx")
    assert r.exit_code == 2 and "与文件 w.xlsx 的扩展名不符" in r.stderr
    r = cli("sheet", "weekly", "--output", str(tmp_path / "w.pdf"))
    assert r.exit_code == 2 and "不能写成 .pdf 文件" in r.stderr
    r = cli("sheet", "weekly", "--output", str(tmp_path / "w.md"), "--format", "html")
    assert r.exit_code == 2 and "与文件 w.md 的扩展名不符" in r.stderr
    assert sheet_rows(cli) == []
    r = cli("sheet", "weekly", "--output", str(tmp_path / "w.txt"), "--format", "md")
    assert r.exit_code == 0 and (tmp_path / "w.txt").read_text(encoding="utf-8").startswith("# 全区重点项目推进情况周报")


def test_html_escapes_data_and_holds_one_section_per_unit(cli, scn, tmp_path):
    assert cli("edit", "GX-0001", "--name", "<script>alert(1)</script>甲").exit_code == 0
    page = tmp_path / "n.html"
    assert cli("sheet", "notice", "2025-001", "-o", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;甲" in text
    md = cli("sheet", "notice", "2025-001", "--preview").stdout
    assert "\\<script\\>alert(1)\\</script\\>甲" in md  # Markdown escapes it too
    cards = tmp_path / "c.html"
    assert cli("sheet", "cards", "-o", str(cards)).exit_code == 0
    text = cards.read_text(encoding="utf-8")
    assert [m for m in ("建设局", "经济发展局", "自然资源局") if f'<section class="sheet" aria-label="{m}">' in text] == [
        "建设局", "经济发展局", "自然资源局"]


def test_briefing_lists_are_capped_by_the_config_file(cli, scn, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[sheets]\nlist_limit = 1\n", encoding="utf-8")
    md = cli("--config", str(config), "sheet", "weekly", "--preview").stdout
    assert "| 1 | 建设局 | 乙生物医药基地 | 主体完工 | 2025年10月28日 | 3 | 一般逾期 |\n\n另有1项新增逾期事项，详见逾期清单。" in md
    assert "| 2 | 自然资源局 | 甲智能装备产业园 |" not in md
    config.write_text("[sheets]\nlist_limit = 0\n", encoding="utf-8")
    r = cli("--config", str(config), "sheet", "weekly", "--preview")
    assert (r.exit_code, r.stderr) == (
        1, f"错误：配置文件 {config} 第 2 行 [sheets] list_limit：应为 ≥ 1 的整数，不能是 0\n")


def test_sheet_list(cli, scn):
    cli("sheet", "notice", "2025-001")
    cli("sheet", "weekly")
    r = cli("sheet", "list", "--kind", "weekly")
    assert r.stdout.splitlines()[2].split() == ["高新督〔2025〕2号", "周报", "2025-10-31", "各责任单位", "2025-W44", "tester",
                                                "有效"]
    assert len(r.stdout.splitlines()) == 3
    assert cli("sheet", "list", "--year", "2024").stdout.splitlines()[2:] == []
    r = cli("sheet", "list", "--kind", "memo")
    assert (r.exit_code, r.stderr) == (
        1, "错误：文书类型“memo”不存在；现有的：assign、cards、minutes、notice、remind、weekly、交办单、会议纪要、催办单、周报、督办单、红黄蓝牌通报\n")


def test_templates_in_the_data_folder_are_picked_up(cli, scn, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "templates").mkdir(parents=True)
    (home / "templates" / "weekly.txt").write_text("@title 本地周报\n{{ week.number }}周\n", encoding="utf-8")
    monkeypatch.setenv("PROJECTS_HOME", str(home))
    assert cli("sheet", "weekly", "--preview").stdout == "# 本地周报\n\n44周\n"
