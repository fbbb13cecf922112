"""The State Council's holiday notice read into the calendar (issue 18): the real 2025 and 2026 notices give
exactly the days `chinesecalendar` has; anything not understood is refused with its line, and nothing is written."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from projects_cli.cli.app import app
from projects_cli.config.holiday_notice import read_notice
from projects_cli.errors import InvalidValue
from projects_cli.rules.workdays import prc_calendar

DATA = Path(__file__).parents[1] / "data"

# Shaped like the real notices; 2027's dates are made up for the test (the library does not know 2027 yet).
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至13日（周六）放假调休，共9天。2月14日（周日）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
国务院办公厅
2026年11月10日
"""


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_real_notices_give_the_librarys_days(year):
    notice = read_notice((DATA / f"notice_{year}.txt").read_text(encoding="utf-8"))
    library = prc_calendar()
    assert notice.year == year
    assert notice.weekdays_off == [d for d in library.off if d.year == year]
    assert notice.weekend_workdays == [d for d in library.on if d.year == year]


def test_the_2026_notice_holiday_by_holiday():
    notice = read_notice((DATA / "notice_2026.txt").read_text(encoding="utf-8"))
    assert [(h.name, h.off[0], len(h.off), h.worked) for h in notice.holidays] == [
        ("元旦", date(2026, 1, 1), 3, [date(2026, 1, 4)]),
        ("春节", date(2026, 2, 15), 9, [date(2026, 2, 14), date(2026, 2, 28)]),
        ("清明节", date(2026, 4, 4), 3, []),
        ("劳动节", date(2026, 5, 1), 5, [date(2026, 5, 9)]),
        ("端午节", date(2026, 6, 19), 3, []),
        ("中秋节", date(2026, 9, 25), 3, []),
        ("国庆节", date(2026, 10, 1), 7, [date(2026, 9, 20), date(2026, 10, 10)]),
    ]


@pytest.mark.parametrize("text, year, message", [
    ((DATA / "notice_2026.txt").read_text(encoding="utf-8").replace("2026年", "2027年"), None,
     "第6行读不懂（1月1日标为周四，但2027年1月1日是周五——通知的年份对吗）：一、元旦：1月1日（周四）至3日（周六）"
     "放假调休，共3天。1月4日（周日）上班。；未写入任何日期"),
    ((DATA / "notice_2026.txt").read_text(encoding="utf-8"), 2027,
     "通知安排的是2026年，不是 --year 2027"),
    ("2026年部分节假日安排\n一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。", None,
     "第2行读不懂（写明共4天，日期却是3天）：一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。；未写入任何日"
     "期"),
    ("2026年部分节假日安排\n一、元旦：1月1日（周四）至3日（周六）放假调休。1月5日（周一）上班。", None,
     "第2行读不懂（1月5日本是工作日，不是调休上班）：一、元旦：1月1日（周四）至3日（周六）放假调休。1月5日（周一"
     "）上班。；未写入任何日期"),
    ("2026年部分节假日安排\n一、元旦：1月1日（周四）至3日（周六）放假调休。\n另：1月2日起实行错峰上班。", None,
     "第3行读不懂（提到日期，却不是“一、节日：…放假…”这样的安排）：另：1月2日起实行错峰上班。；未写入任何日期"),
    ("2026年部分节假日安排\n一、元旦：1月1日（周四）至3日（周六）放假调休，1月4日（周日）补班。", None,
     "第2行读不懂（“1月1日（周四）至3日（周六）放假调休，1月4日（周日）补班”不是“某日至某日放假”或“某日放假”）："
     "一、元旦：1月1日（周四）至3日（周六）放假调休，1月4日（周日）补班。；未写入任何日期"),
    ("关于调整作息时间的通知\n各单位：请按时上班。", None,
     "通知中找不到它所安排的年份（如“2027年部分节假日安排”）；请用 --year 指明"),
    ("2026年部分节假日安排\n各单位：请按时上班。", None,
     "通知中没有“一、元旦：1月1日放假…”这样的节日安排行；未写入任何日期"),
])
def test_what_is_not_understood_is_refused_with_its_line(text, year, message):
    with pytest.raises(InvalidValue) as err:
        read_notice(text, year)
    assert str(err.value) == message


def run(config: Path, db: Path, *args: str, as_of: str = "2026-12-02"):
    """The command with `config` as the office's config file: config.toml in the data folder (so it may not exist yet)."""
    assert config.name == "config.toml"
    r = CliRunner().invoke(app, ["--db", str(db), "--as-of", as_of, "--by", "tester", *args],
                           env={"PROJECTS_HOME": str(config.parent), "PROJECTS_CONFIG": None})
    return r.exit_code, r.stdout, r.stderr


OFFICE_CONFIG = """# 本办配置
[database]
wait_seconds = 10  # 导入时别的命令多等一会儿

[calendar]
holidays = ["2027-03-01"]   # an old guess for 2027, replaced by the notice
workdays = []
"""


def test_import_writes_the_year_keeping_the_rest_and_then_a_complex_problem_can_be_assigned(tmp_path):
    config, db = tmp_path / "config.toml", tmp_path / "office.db"
    config.write_text(OFFICE_CONFIG, encoding="utf-8")
    notice = tmp_path / "2027年节假日安排.txt"
    notice.write_bytes(NOTICE_2027.encode("gb18030"))  # saved by an older Windows editor
    assert run(config, db, "init")[0] == 0
    with sqlite3.connect(db) as conn:  # the unit, as the office registered it long ago
        conn.execute("INSERT INTO unit (name) VALUES ('建设局')")
    assert run(config, db, "add", "--name", "甲项目", "--unit", "建设局")[::2] == (0, "")
    assert run(config, db, "issue", "report", "GX-0001", "--title", "用地手续", "--category", "土地", "--urgency", "复杂",
               as_of="2026-12-20")[0] == 0
    assert run(config, db, "issue", "accept", "2026-001", as_of="2026-12-20")[0] == 0
    code, _, err = run(config, db, "issue", "assign", "2026-001", "--unit", "建设局", as_of="2026-12-20")
    assert (code, err.split("（")[0]) == (1, "错误：2027-01-01 所在的2027年节假日尚不知道")

    before = config.read_bytes()
    code, out, err = run(config, db, "calendar", "import", str(notice), "--dry-run")
    assert (code, err) == (0, "预演：未写入\n")
    assert out.splitlines()[0] == f"2027年节假日安排（读自 {notice}）"
    assert "春节    2月5日（周五）至2月13日（周六）      9  2月14日（周日）" in out
    assert out.splitlines()[-1] == "放假的工作日18天，调休上班5天"
    assert config.read_bytes() == before

    code, out, err = run(config, db, "calendar", "import", str(notice))
    assert (code, err) == (0, f"已写入 {config} 的 [calendar]：2027年成为已知年份\n")
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# 本办配置\n[database]\nwait_seconds = 10  # 导入时别的命令多等一会儿\n")
    assert "2027-03-01" not in text and '"2027-02-08"' in text and "known_years = [2027]" in text

    code, out, err = run(config, db, "issue", "assign", "2026-001", "--unit", "建设局", as_of="2026-12-20")
    # 15 working days: 21–31 Dec (9), 1 Jan off, 4–8 Jan (5), 11 Jan
    assert (code, err) == (0, "2026-001：已受理 → 已交办\n办理期限：2027-01-11\n")

    code, out, _ = run(config, db, "calendar", "show", "2027")
    assert out.splitlines()[0] == f"2027年工作日历（来源：配置文件 {config} 列入（chinesecalendar 尚未收录））"
    assert out.splitlines()[-1] == "共放假工作日18天，调休上班5天；其余周六、周日休息。"

    again = config.read_bytes()
    assert run(config, db, "calendar", "import", str(notice))[0] == 0  # the same year again replaces it
    assert config.read_bytes() == again


def test_a_year_the_library_knows_is_not_written_again(tmp_path):
    config, db = tmp_path / "config.toml", tmp_path / "office.db"
    code, _, err = run(config, db, "calendar", "import", str(DATA / "notice_2026.txt"))
    assert (code, err) == (0, "与 chinesecalendar 收录的2026年完全一致，无需写入\n")
    assert not config.exists()


def test_an_unknown_year_is_one_error_naming_the_command(tmp_path):
    config, db = tmp_path / "config.toml", tmp_path / "office.db"
    assert run(config, db, "calendar", "show", "2027") == (1, "", (
        f"错误：2027年的节假日尚不知道：chinesecalendar 未收录，配置文件 {config} 也未列入；国务院办公厅发布通知后运行 "
        "projects calendar import 通知.txt\n"))


def test_a_refused_notice_writes_nothing(tmp_path):
    config, db = tmp_path / "config.toml", tmp_path / "office.db"
    config.write_text(OFFICE_CONFIG, encoding="utf-8")
    notice = tmp_path / "n.txt"
    notice.write_text(NOTICE_2027.replace("（周五）至3日", "（周四）至3日"), encoding="utf-8")
    code, out, err = run(config, db, "calendar", "import", str(notice))
    assert (code, out) == (1, "")
    assert err.startswith("错误：第4行读不懂（1月1日标为周四，但2027年1月1日是周五——通知的年份对吗）")
    assert config.read_text(encoding="utf-8") == OFFICE_CONFIG
