"""`lead report --output`: the pipeline at a glance (招商线索汇总) as a file — Excel, HTML, Markdown, Word — laid out
by the sheets' writers from templates/leads.txt, read back with exact values.

Six leads in three units and six chains (one without), one in 万美元 converted at the config's usd_rate (7.1),
one with an amount to the fen (1234.56万元); one signed in July and started in September, one signed in the
period and not started; two new in the period (October), four stage moves in it (one shelved with a reason).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

AS_OF, SINCE = "2025-10-31", "2025-09-30"
STAGES = ["线索", "接洽", "在谈", "签约", "落地", "搁置", "终止"]


@pytest.fixture
def pipeline(usd_cli, cli):
    run, config = usd_cli, usd_cli.config
    adds = [
        ("2025-07-01", "数字经济平台项目", "数字经济", "0.85亿元", "经济发展局"),
        ("2025-08-01", "智能终端模组项目", "智能终端", "1234.56", "投资促进局"),
        ("2025-09-01", "新能源电池项目", "新能源", "8亿元", "投资促进局"),
        ("2025-09-05", "高纯石墨材料项目", "新材料", "3000万美元", "经济发展局"),
        ("2025-10-09", "手术机器人项目", "医疗器械", "1.5亿元", "科技创新局"),
        ("2025-10-15", "工业互联网平台项目", None, "2亿元", "经济发展局"),
    ]
    for on, name, chain, amount, unit in adds:
        run(on, "lead", "add", "--name", name, "--amount", amount, "--unit", unit, "--create-units",
            *(("--chain", chain) if chain else ()))
    run("2025-07-20", "lead", "move", "XS-0001", "在谈")
    run("2025-08-15", "lead", "sign", "XS-0001", "--on", "2025-08-15", "--start", "2025-09-30")
    run("2025-09-10", "lead", "move", "XS-0003", "接洽")
    run("2025-09-20", "milestone", "done", "GX-0001", "开工", "--on", "2025-09-20")
    run("2025-09-20", "lead", "move", "XS-0001", "落地")
    run("2025-10-08", "lead", "move", "XS-0004", "接洽")
    run("2025-10-12", "lead", "move", "XS-0003", "在谈")
    run("2025-10-20", "lead", "sign", "XS-0003", "--on", "2025-10-20", "--start", "2026-03-31")
    run("2025-10-25", "lead", "move", "XS-0006", "搁置", "--reason", "企业调整投资计划")

    def report(*args):
        if args[:1] == ("--templates",):  # a global option, before the command
            return cli("--config", str(config), *args[:2], "lead", "report", "--since", SINCE, *args[2:], as_of=AS_OF)
        return cli("--config", str(config), "lead", "report", "--since", SINCE, *args, as_of=AS_OF)

    report.cli = cli
    return report


def rows(ws) -> list[tuple]:
    """The non-empty values of each non-empty row, in order (a merged cell's value sits in its first cell)."""
    return [values for row in ws.iter_rows(values_only=True) if (values := tuple(v for v in row if v is not None))]


def number(value) -> Decimal:
    return Decimal(str(value))


BY_STAGE = [("线索", 2, Decimal("16234.56")), ("接洽", 1, 21300), ("在谈", 0, 0), ("签约", 1, 80000), ("落地", 1, 8500),
            ("搁置", 1, 20000), ("终止", 0, 0)]
BY_CHAIN = [("新能源", 1, 80000, 1, 0), ("新材料", 1, 21300, 0, 1), ("未明确产业链", 1, 20000, 0, 0),
            ("医疗器械", 1, 15000, 0, 0), ("数字经济", 1, 8500, 1, 0), ("智能终端", 1, Decimal("1234.56"), 0, 1)]
BY_UNIT = [("投资促进局", 2, Decimal("81234.56"), 1, 1), ("经济发展局", 3, 49800, 1, 1), ("科技创新局", 1, 15000, 0, 0)]
TOTAL = ("合计", 6, Decimal("146034.56"), 2, 2)


def test_the_scenario_as_json(pipeline):
    """What the files below lay out: the data `lead report --format json` gives."""
    import json

    data = json.loads(pipeline("--format", "json").stdout)
    assert [(s["stage"], s["leads"], number(s["amount_wan"])) for s in data["by_stage"]] == BY_STAGE
    assert [(g["chain"] or "未明确产业链", g["leads"], number(g["amount_wan"]), g["signed"], g["overdue"])
            for g in data["by_chain"]] == BY_CHAIN
    assert data["total"] == {"leads": 6, "amount_wan": 146034.56, "signed": 2, "overdue": 2}


def test_excel_has_the_tables_with_their_totals_and_the_funnel_chart(pipeline, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "招商.xlsx"
    r = pipeline("-o", str(out))
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", f"已写出 {out}\n")
    wb = load_workbook(out)
    assert wb.sheetnames == ["招商线索汇总"]
    ws = wb.active
    got = rows(ws)
    assert got[:3] == [("招商线索汇总",), ("（截至2025年10月31日）",), (
        "\u3000\u3000统计期：2025年10月1日至2025年10月31日。截至2025年10月31日，信息库在库招商线索6条，"
        "拟投资额合计14.6亿元（外币按汇率折合），已签约2条，跟进逾期2条；本期新增线索2条，阶段变化4次。",)]
    # by stage, in the pipeline's order, every stage; the 合计 is the sum of each column to the fen
    at = got.index(("阶段", "线索数", "拟投资额（万元）"))
    stages = [(s, n, number(a)) for s, n, a in got[at + 1 : at + 8]]
    assert stages == BY_STAGE
    total = got[at + 8]
    assert (total[0], total[1], number(total[2])) == ("合计", 6, Decimal("146034.56"))
    assert total[1] == sum(n for _, n, _ in stages) and number(total[2]) == sum(a for _, _, a in stages)
    total_cell = next(c for row in ws.iter_rows() for c in row if c.value == "合计")
    assert (total_cell.font.b, total_cell.fill.fgColor.rgb[-6:]) == (True, "FFF2CC")  # the 合计 row: bold, filled
    # by chain and by unit: leads, 万元, signed, overdue, each with its 合计
    for header, expected in ((("产业链", "线索数", "拟投资额（万元）", "已签约", "跟进逾期"), BY_CHAIN),
                             (("责任单位", "线索数", "拟投资额（万元）", "已签约", "跟进逾期"), BY_UNIT)):
        at = got.index(header)
        body = [(g[0], g[1], number(g[2]), g[3], g[4]) for g in got[at + 1 : at + 1 + len(expected)]]
        assert body == expected
        total = got[at + 1 + len(expected)]
        assert (total[0], total[1], number(total[2]), total[3], total[4]) == TOTAL
        assert [sum(g[i] for g in body) for i in (1, 2, 3, 4)] == [6, Decimal("146034.56"), 2, 2]
    # the funnel: a bar chart of the leads by stage, its categories the stages in order
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert (chart.type, len(chart.series)) == ("bar", 1)
    assert chart.x_axis.scaling.orientation == "maxMin"  # 线索 at the top, as in the table
    ref = chart.series[0].cat.numRef or chart.series[0].cat.strRef
    cells = ws[ref.f.split("!")[1].replace("$", "")]
    assert [c[0].value for c in cells] == STAGES
    values = ws[chart.series[0].val.numRef.f.split("!")[1].replace("$", "")]
    assert [c[0].value for c in values] == [2, 1, 0, 1, 1, 1, 0]
    # new leads, the stage moves of the period, signing to start
    at = got.index(("线索编号", "项目名称", "责任单位", "阶段", "拟投资额（万元）", "登记日期"))
    assert got[at - 1] == ("本期新增线索（2条）",)
    assert [g[:5] for g in got[at + 1 : at + 3]] == [("XS-0005", "手术机器人项目", "科技创新局", "线索", 15000),
                                                   ("XS-0006", "工业互联网平台项目", "经济发展局", "搁置", 20000)]
    assert [g[5].date().isoformat() for g in got[at + 1 : at + 3]] == ["2025-10-09", "2025-10-15"]
    at = got.index(("日期", "线索编号", "项目名称", "阶段变化", "原因"))
    assert [(g[0].date().isoformat(), *g[1:]) for g in got[at + 1 : at + 5]] == [
        ("2025-10-08", "XS-0004", "高纯石墨材料项目", "线索→接洽"),
        ("2025-10-12", "XS-0003", "新能源电池项目", "接洽→在谈"),
        ("2025-10-20", "XS-0003", "新能源电池项目", "在谈→签约"),
        ("2025-10-25", "XS-0006", "工业互联网平台项目", "线索→搁置", "企业调整投资计划")]
    assert ("\u3000\u3000已签约线索2条，其项目已开工1个，签约转开工率50.0%。",) in got
    at = got.index(("线索编号", "项目名称", "项目编号", "签约日期", "开工日期", "签约至开工（天）"))
    first, second = got[at + 1], got[at + 2]
    assert (first[:3], first[3].date().isoformat(), first[4].date().isoformat(), first[5]) == (
        ("XS-0001", "数字经济平台项目", "GX-0001"), "2025-08-15", "2025-09-20", 36)
    assert (second[:3], second[3].date().isoformat(), second[4:]) == (
        ("XS-0003", "新能源电池项目", "GX-0002"), "2025-10-20", ("未开工", "—"))
    assert got[-2:] == [("高新区重点项目推进中心",), ("2025年10月31日",)]
    # a report takes no number and is not recorded: no sheet issued, nothing in the change log
    assert pipeline.cli("sheet", "list", "--format", "json").stdout.strip() == "[]"


def html_tables(page: str) -> list[list[list[str]]]:
    import re

    return [[re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]
            for table in re.findall(r"<table>(.*?)</table>", page, re.S)]


def test_html_has_the_svg_funnel_and_the_tables(pipeline, tmp_path):
    import re

    out = tmp_path / "招商.html"
    assert pipeline("-o", str(out)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and 'aria-label="招商线索漏斗：各阶段线索数（条）"' in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert re.findall(r'class="label"[^>]*>([^<]*)<', svg) == STAGES  # the funnel's bars, top to bottom
    assert re.findall(r'class="value"[^>]*>([^<]*)<', svg) == ["2", "1", "0", "1", "1", "1", "0"]
    tables = html_tables(page)
    # by stage, chain, unit, the new leads, the moves, signing to start (the chart is the picture alone)
    assert [t[0][0] for t in tables] == ["阶段", "产业链", "责任单位", "线索编号", "日期", "线索编号"]
    assert tables[0][1:] == [[s, str(n), str(a)] for s, n, a in BY_STAGE] + [["合计", "6", "146034.56"]]
    assert tables[2][1:] == [[u, str(n), str(a), str(s), str(o)] for u, n, a, s, o in BY_UNIT] + [
        ["合计", "6", "146034.56", "2", "2"]]
    assert tables[4][4] == ["2025年10月25日", "XS-0006", "工业互联网平台项目", "线索→搁置", "企业调整投资计划"]


def test_word_opens_with_the_title_tables_and_the_chart_picture(pipeline, tmp_path):
    from docx import Document

    out = tmp_path / "招商.docx"
    assert pipeline("-o", str(out)).exit_code == 0
    doc = Document(str(out))
    texts = [p.text for p in doc.paragraphs]
    assert "招商线索汇总" in texts and "（截至2025年10月31日）" in texts
    # a report is not a 公文: no red 版头 (the office's mark) and no 发文字号 line; it starts at its title
    assert [t for t in texts if t.strip()][0] == "招商线索汇总"
    assert doc.core_properties.title == "招商线索汇总"
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    by_stage = next(t for t in tables if t[0] == ["阶段", "线索数", "拟投资额（万元）"])
    assert by_stage[1:] == [[s, str(n), str(a)] for s, n, a in BY_STAGE] + [["合计", "6", "146034.56"]]
    by_unit = next(t for t in tables if t[0][0] == "责任单位")
    assert by_unit[-1] == ["合计", "6", "146034.56", "2", "2"]
    from projects_cli.sheets.picture import cjk_font

    if cjk_font() is not None:  # the chart is a picture where a CJK font is found to draw it with
        assert len(doc.inline_shapes) == 1


def test_markdown_to_stdout_and_the_empty_sections_say_so(pipeline, cli):
    r = pipeline("--format", "md")
    assert r.exit_code == 0 and r.stderr == ""
    text = r.stdout
    assert text.startswith("# 招商线索汇总\n\n**（截至2025年10月31日）**\n")
    assert "| **合计** | **6** | **146034.56** |" in text
    assert "| 线索 | 2 | 16234.56 |\n| 接洽 | 1 | 21300 |\n| 在谈 | 0 | 0 |" in text
    # a period with nothing new: a line, not an empty table
    quiet = cli("lead", "report", "--since", "2025-10-28", "--format", "md", as_of=AS_OF).stdout
    assert "本期无新增线索。" in quiet and "本期无阶段变化。" in quiet
    assert "本期新增线索（" not in quiet and "| 日期 |" not in quiet


def test_an_empty_registry_reports_in_lines(cli):
    text = cli("lead", "report", "--format", "md").stdout
    assert "| **合计** | **0** | **0** |" in text
    for line in ("信息库尚无招商线索。", "本期无新增线索。", "本期无阶段变化。", "尚无签约的招商线索。"):
        assert line in text


def test_formats_it_cannot_write_are_refused(pipeline, tmp_path):
    r = pipeline("-o", str(tmp_path / "招商.pdf"))
    assert r.exit_code == 2
    assert "不能写成 .pdf 文件；本命令可写" in r.stderr
    for ext in (".xlsx", ".html", ".md", ".docx"):
        assert ext in r.stderr
    assert not (tmp_path / "招商.pdf").exists()
    r = pipeline("--format", "xlsx")
    assert r.exit_code == 2 and "Excel 文件需要写到文件：请加 --output 文件.xlsx" in r.stderr
    r = pipeline("--format", "md", "-o", str(tmp_path / "招商.html"))
    assert r.exit_code == 2 and "--format md 与文件 招商.html 的扩展名不符" in r.stderr


def test_a_missing_folder_is_one_line_and_no_traceback(pipeline, tmp_path):
    for name in ("招商.xlsx", "招商.docx", "招商.html"):
        target = tmp_path / "没有这个文件夹" / name
        r = pipeline("-o", str(target))
        assert (r.exit_code, r.stderr) == (1, f"错误：无法写入 {target}（文件夹 {target.parent} 不存在）；原有文件未改动\n")


def test_the_offices_template_overrides_the_shipped_one(pipeline, tmp_path):
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "leads.txt").write_text("@title 本单位招商汇总\n在库线索{{ total.leads }}条，合计{{ total.amount_wan|money }}。\n",
                                      encoding="utf-8")
    r = pipeline("--templates", str(folder), "--format", "md")
    assert (r.exit_code, r.stdout) == (0, "# 本单位招商汇总\n\n在库线索6条，合计14.6亿元。\n")
