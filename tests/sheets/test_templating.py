"""The sheet templates' machinery, without a database: markup, filters, errors, and the folder sandbox."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from projects_cli.config.rulebook import load_rules
from projects_cli.sheets import templating
from projects_cli.sheets.contexts import decode, encode, office_filters
from projects_cli.sheets.markup import MarkupError, Row, escape_value, parse
from projects_cli.sheets.templating import (
    TemplateProblem,
    cn_date,
    cn_month,
    cn_num,
    make_env,
    money,
    pct,
    render,
    wan,
    yi,
)


def office():
    from projects_cli.rules.workdays import prc_calendar

    return office_filters(load_rules(None), prc_calendar)


def env_for(*folders: Path, page: bool = False):
    return make_env(list(folders), office(), page=page)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize(
    "func, args, expected",
    [
        (wan, (Decimal("85000"),), "85000万元"),
        (wan, (Decimal("1234.5"), 2), "1234.50万元"),
        (wan, (None,), "—"),
        (yi, (Decimal("85000"),), "8.5亿元"),
        (yi, (Decimal("123456"),), "12.35亿元"),
        (yi, (10000,), "1亿元"),
        (money, (Decimal("8000"),), "8000万元"),
        (money, (Decimal("85000"),), "8.5亿元"),
        (money, ("",), "—"),
        (pct, (Decimal("85.24"),), "85.2%"),
        (pct, (Decimal("85.25"), 0), "85%"),
        (pct, (30,), "30.0%"),
        (cn_date, (date(2025, 3, 5),), "2025年3月5日"),
        (cn_date, ("2025-03-05",), "2025年3月5日"),
        (cn_date, (None,), ""),
        (cn_month, ("2025-10",), "2025年10月"),
        (cn_month, (date(2025, 3, 5),), "2025年3月"),
        (cn_num, (1,), "一"),
        (cn_num, (10,), "十"),
        (cn_num, (12,), "十二"),
        (cn_num, (20,), "二十"),
        (cn_num, (25,), "二十五"),
        (cn_num, (99,), "九十九"),
    ],
)
def test_filters(func, args, expected):
    assert func(*args) == expected


@pytest.mark.parametrize(
    "as_of, deadline, left, text",
    [
        (date(2025, 9, 30), date(2025, 10, 14), 5, "剩余5个工作日"),  # 国庆 1–8 Oct off, Sat 11 Oct worked
        (date(2025, 10, 31), date(2025, 10, 27), -4, "已逾期4个工作日"),
        (date(2025, 10, 31), date(2025, 10, 31), 0, "今日到期"),
        (date(2025, 11, 1), date(2025, 10, 31), 0, "已到期"),  # a Saturday after a Friday deadline
        (date(2025, 10, 31), None, None, "—"),
    ],
)
def test_working_day_countdown(tmp_path, as_of, deadline, left, text):
    write(tmp_path, "t.txt", "{{ d|workdays_left }}/{{ d|countdown }}")
    out = render(env_for(tmp_path), "t.txt", {"as_of": as_of, "d": deadline})
    expected_left = "" if left is None else f"\x04n{left}\x05"
    assert out == f"{expected_left}/{text}"


def test_card_labels_come_from_the_rules_file(tmp_path):
    write(tmp_path, "t.txt", "{{ 'red'|card }} {{ 'yellow'|card_meaning }} {{ 'blue'|card_consequence }}")
    assert render(env_for(tmp_path), "t.txt", {}) == "红牌 进度滞后 按计划推进"
    write(tmp_path, "bad.txt", "{{ 'green'|card }}")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "bad.txt", {})
    assert str(exc.value) == (
        f"模板 {tmp_path / 'bad.txt'} 第 1 行（{{{{ 'green'|card }}}}）："
        "ValueError: card：'green' 不是牌色；应为 red, yellow, blue 之一"
    )


# ---------------------------------------------------------------- the markup


def test_values_never_become_markup():
    nasty = "A|B\n@title 假标题\n[red] | x"
    markup = f"@table\n名称 | 金额\n| {escape_value(nasty)} | {escape_value(Decimal('85000.5'))} |\n"
    doc = parse(markup)
    assert [b.kind for b in doc.blocks] == ["table"]
    assert doc.blocks[0].rows[1] == Row([nasty, Decimal("85000.5")], ())


def test_parse_blocks_types_and_styles():
    markup = "\n".join([
        "@page landscape",
        "@title 标题",
        "@number 高新督〔2025〕1号",
        "第一段",
        "第二段 " + escape_value(date(2025, 3, 5)) + " 共" + escape_value(12) + "项",
        "@table 表题",
        "名称 | 数量 | 日期",
        "[red, bold] | 甲 | " + escape_value(3) + " | " + escape_value(date(2025, 1, 2)),
        "[total] 合计 | " + escape_value(Decimal("3")) + " |",
        "",
        "@fields",
        "项目 | 甲 | 单位 | 乙",
        "描述 | 很长",
        "@signature",
        "某中心",
        "2025年1月1日",
    ])
    doc = parse(markup)
    assert doc.landscape and doc.title == "标题"
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds == [("title", "标题"), ("number", "高新督〔2025〕1号"), ("para", "第一段"),
                     ("para", "第二段 2025年3月5日 共12项"), ("table", "表题"), ("fields", ""), ("signature", "")]
    table = doc.blocks[4]
    assert table.rows == [
        Row(["名称", "数量", "日期"]),
        Row(["甲", 3, date(2025, 1, 2)], ("red", "bold")),
        Row(["合计", 3, ""], ("total",)),  # a trailing | is optional; short rows get empty cells
    ]
    assert [r.cells for r in doc.blocks[5].rows] == [["项目", "甲", "单位", "乙"], ["描述", "很长"]]
    assert [r.cells for r in doc.blocks[6].rows] == [["某中心"], ["2025年1月1日"]]


@pytest.mark.parametrize(
    "markup, message",
    [
        ("@titel 标题", "模板：输出第 1 行：没有 @titel 这种块；可用的块：@cards"),
        ("@page sideways", "模板：输出第 1 行：@page 只能是 landscape 或 portrait，不能是 'sideways'"),
        ("@table\na | b\n[green] | 1 | 2", "模板：输出第 3 行：没有 [green] 这种行样式；可用：blue, bold, red, total, yellow"),
        ("@chart pie 饼图\na | b\nx | 1", "模板：输出第 1 行：@chart 后应为 bar 或 column 及图表标题，如 @chart bar 投资完成率"),
        ("@chart bar 图\n类 | 值\n甲 | 很多", "模板：图表 '图'：'甲' 行的 '很多' 不是数字"),
    ],
)
def test_bad_markup_is_an_error(markup, message):
    with pytest.raises(MarkupError) as exc:
        parse(markup)
    text = str(exc.value)
    if "可用的块" in message:
        assert text.startswith("模板：输出第 1 行：没有 @titel 这种块；可用的块：@cc, @chart, @feedback")
    else:
        assert text == message


def test_a_line_ending_in_a_tag_keeps_its_line_break(tmp_path):
    write(tmp_path, "t.txt", "{% for x in xs %}\n{{ x }}段{% if x == 2 %}（末）{% endif %}\n{% endfor %}\n@table\n表头\n")
    out = render(env_for(tmp_path), "t.txt", {"xs": [1, 2]})
    assert [(b.kind, b.text) for b in parse(out).blocks] == [("para", "1段"), ("para", "2段（末）"), ("table", "")]


def test_stored_context_keeps_types():
    data = {"a": Decimal("85000.50"), "d": date(2025, 3, 5), "l": [1, "x", None, True], "n": {"k": Decimal("1")}}
    stored = encode(data)
    assert stored == {"a": {"$dec": "85000.50"}, "d": {"$date": "2025-03-05"}, "l": [1, "x", None, True],
                      "n": {"k": {"$dec": "1"}}}
    assert decode(stored) == data


# ---------------------------------------------------------------- mistakes in templates


def test_misspelt_field_names_template_line_and_field(tmp_path):
    path = write(tmp_path, "notice.txt", "@title 督办单\n第二行\n{{ issue.titel }}\n")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "notice.txt", {"issue": {"title": "用地", "number": "2025-001"}, "number": "1"})
    assert str(exc.value) == (
        f"模板 {path} 第 3 行（{{{{ issue.titel }}}}）：没有字段 'titel'；这里的字段有：number, title"
    )


def test_unknown_top_level_field_lists_the_sheets_fields(tmp_path):
    path = write(tmp_path, "t.txt", "{% if projct %}x{% endif %}")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "t.txt", {"project": {}, "as_of": date(2025, 1, 1)})
    assert str(exc.value) == (
        f"模板 {path} 第 1 行（{{% if projct %}}x{{% endif %}}）：没有字段 'projct'；"
        "这份文书的字段有：as_of, project"
    )


def test_error_in_an_included_template_names_that_template(tmp_path):
    write(tmp_path, "main.txt", "@title 标题\n{% include 'part.txt' %}\n")
    part = write(tmp_path, "part.txt", "一\n二\n{{ missing }}\n")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "main.txt", {})
    assert str(exc.value).startswith(f"模板 {part} 第 3 行（{{{{ missing }}}}）：没有字段 'missing'")


def test_syntax_error_names_template_and_line(tmp_path):
    path = write(tmp_path, "t.txt", "一\n{% if x %}\n二\n")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "t.txt", {"x": 1})
    assert str(exc.value).startswith(f"模板 {path} 第 3 行：Unexpected end of template.")


def test_missing_template(tmp_path):
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "nothing.txt", {})
    assert str(exc.value) == f"模板 'nothing.txt' 不在模板文件夹（{tmp_path}）中"


# ---------------------------------------------------------------- nothing outside the template folders


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "sub/../../outside.txt", "C:/Windows/win.ini"])
def test_include_cannot_leave_the_template_folders(tmp_path, name):
    folder = tmp_path / "tpl"
    path = write(folder, "t.txt", f"@title x\n{{% include '{name}' %}}\n")
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(folder), "t.txt", {})
    assert str(exc.value) == (
        f"模板 {path} 第 2 行（{{% include '{name}' %}}）：模板名 {name!r} 指向模板文件夹（{folder}）之外"
    )
    assert "secret" not in str(exc.value)


@pytest.mark.parametrize("name", ["..\\outside.txt", "a\x00b.txt", "", "./..", "ok/../../outside.txt"])
def test_the_loader_refuses_names_that_leave_the_folder(tmp_path, name):
    import jinja2

    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    loader = templating.FolderLoader([tmp_path / "tpl"])
    with pytest.raises(jinja2.TemplateError):
        loader.get_source(None, name)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", folder / "leak.txt")
    write(folder, "t.txt", "{% include 'leak.txt' %}")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(folder), "t.txt", {})
    assert "模板名 'leak.txt' 指向模板文件夹（" in str(exc.value)


def test_the_sandbox_blocks_python_internals(tmp_path):
    path = write(tmp_path, "t.txt", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateProblem) as exc:
        render(env_for(tmp_path), "t.txt", {})
    assert str(exc.value) == (
        f"模板 {path} 第 1 行（{{{{ ''.__class__.__mro__[1].__subclasses__() }}}}）："
        "没有字段 '__class__'；str 没有字段"
    )


def test_office_folder_overrides_the_shipped_one_file_by_file(tmp_path):
    office_dir, shipped = tmp_path / "office", tmp_path / "shipped"
    write(shipped, "a.txt", "shipped a {% include 'b.txt' %}")
    write(shipped, "b.txt", "shipped b")
    write(office_dir, "b.txt", "office b")
    assert render(env_for(office_dir, shipped), "a.txt", {}) == "shipped a office b"


def test_html_page_templates_are_autoescaped(tmp_path):
    write(tmp_path, "p.html", "<p>{{ x }}</p>")
    write(tmp_path, "p.txt", "{{ x }}")
    assert render(env_for(tmp_path, page=True), "p.html", {"x": "<script>alert(1)</script>"}) == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    assert render(env_for(tmp_path), "p.txt", {"x": "<b>"}) == "<b>"  # markup text; the writers escape it
