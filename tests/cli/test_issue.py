"""`projects issue …` as a user types it (as of Friday 2025-10-31 unless said otherwise)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import create_engine, text


def count(url: str, *tables: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = tuple(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables)
    engine.dispose()
    return n


def written(url: str) -> tuple[int, ...]:
    return count(url, "change_log", "issue", "issue_event", "issue_helper", "unit")


@pytest.fixture
def office(cli):
    assert cli("add", "--create-units", "--name", "甲项目", "--unit", "自然资源分局").exit_code == 0
    assert cli("add", "--create-units", "--name", "乙项目", "--unit", "建设局").exit_code == 0
    return cli


def squeezed(text: str) -> str:
    """A usage error without the box drawing and line wrapping of its panel."""
    return re.sub(r"[\s│╭╮╰╯─]", "", text)


def report(cli, *extra, as_of="2025-10-31"):
    r = cli("issue", "report", "GX-0001", "--title", "用地指标不足", "--category", "土地", *extra, as_of=as_of)
    assert r.exit_code == 0, r.stderr
    return r.stdout.strip()


def test_the_loop_from_the_command_line(office):
    cli = office
    r = cli("issue", "report", "GX-0001", "--title", "用地指标不足", "--category", "土地", "--urgency", "急件",
            "--description", "二期用地缺口1200亩")
    assert (r.exit_code, r.stdout) == (0, "2025-001\n")
    r = cli("issue", "accept", "2025-1")
    assert (r.exit_code, r.stderr) == (0, "2025-001：已提报 → 已受理\n")
    r = cli("issue", "assign", "2025-001", "--unit", "自然资源分局", "--helper", "建设局")
    # 急件: 3 working days after Friday 31 October
    assert (r.exit_code, r.stderr) == (
        0, "2025-001：已受理 → 已交办\n办理期限：2025-11-05\n"
    )
    r = cli("issue", "instruct", "2025-001", "--leader", "王主任", "--text", "本周拿出方案")
    assert (r.exit_code, r.stderr) == (0, "2025-001：已交办\n")
    assert cli("issue", "respond", "2025-001", "--text", "已组卷上报", as_of="2025-11-03").exit_code == 0
    assert cli("issue", "resolve", "2025-001", "--text", "已批复", as_of="2025-11-04").exit_code == 0
    r = cli("issue", "close", "2025-001", "--text", "经核实", as_of="2025-11-05")
    assert (r.exit_code, r.stderr) == (
        0, "2025-001：已办结 → 已销号\n回头看日期：2025-12-05\n"
    )
    assert cli("issue", "lookback", "2025-001", "--text", "未反弹", as_of="2025-12-05").exit_code == 0

    # as of 31 October it stood assigned; as of 5 December, closed and looked back on
    assert json.loads(cli("issue", "show", "2025-001", "--format", "json").stdout)["state"] == "assigned"
    data = json.loads(cli("issue", "show", "2025-001", "--format", "json", as_of="2025-12-05").stdout)
    assert (data["state"], data["lead_unit"], data["helpers"], data["deadline"], data["lookback_done_on"]) == (
        "closed", "自然资源分局", ["建设局"], "2025-11-05", "2025-12-05",
    )
    assert data["description"] == "二期用地缺口1200亩"
    assert [(e["type"], e["on"], e["to_state"], e["text"]) for e in data["events"]] == [
        ("report", "2025-10-31", "reported", "用地指标不足"),
        ("accept", "2025-10-31", "accepted", None),
        ("assign", "2025-10-31", "assigned", None),
        ("instruct", "2025-10-31", None, "本周拿出方案"),
        ("respond", "2025-11-03", "responded", "已组卷上报"),
        ("resolve", "2025-11-04", "resolved", "已批复"),
        ("close", "2025-11-05", "closed", "经核实"),
        ("lookback", "2025-12-05", None, "未反弹"),
    ]
    shown = cli("issue", "show", "2025-001", as_of="2025-12-05").stdout
    assert "牵头单位    自然资源分局\n" in shown
    assert "2025-10-31  批示    tester                 本周拿出方案；批示领导：王主任\n" in shown
    assert "已受理→已交办  牵头单位：自然资源分局；配合单位：建设局；办理期限：2025-11-05\n" in shown


def test_illegal_move_says_state_and_allowed_moves_and_writes_nothing(office):
    cli = office
    report(cli)
    before = written(cli.url)
    r = cli("issue", "close", "2025-001")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        "错误：不能对问题 2025-001 执行 close：它现在是已提报；现在可以：accept, reject, instruct, consult, follow\n"
    )
    r = cli("issue", "respond", "2025-001", "--text", "x")
    assert r.stderr == (
        "错误：不能对问题 2025-001 执行 respond：它现在是已提报；现在可以：accept, reject, instruct, consult, follow\n"
    )
    assert written(cli.url) == before


def test_unknown_unit_is_refused_unless_created(office):
    cli = office
    report(cli)
    cli("issue", "accept", "2025-001")
    before = written(cli.url)
    r = cli("issue", "assign", "2025-001", "--unit", "住建局", "--helper", "建设局")
    assert r.exit_code == 1
    assert r.stderr == (
        "错误：责任单位“住建局”不存在；最接近的：建设局；"
        "确需新增该单位，请加 --create-units\n"
    )
    assert written(cli.url) == before
    r = cli("issue", "assign", "2025-001", "--unit", "住建局", "--helper", "建设局", "--create-units")
    assert r.exit_code == 0
    rows = json.loads(cli("issue", "list", "--unit", "建设局", "--format", "json").stdout)
    assert [(x["number"], x["lead_unit"], x["helpers"]) for x in rows] == [("2025-001", "住建局", ["建设局"])]


BAD_OPTIONS = [
    (("issue", "report", "GX-0001", "--title", "x", "--category", "土地", "--urgency", "火急"),
     "'火急' 不是紧急程度；请用 特急/急件/一般/复杂 之一"),
    (("issue", "assign", "2025-001", "--unit", "建设局", "--due", "2025-02-30"), "不是真实存在的日期"),
    (("issue", "escalate", "2025-001", "--level", "一般督办", "--reason", "x"),
     "'一般督办' 不是可以升级到的督办级别；请用 重点督办 或 挂牌督办"),
    (("issue", "reject", "2025-001"), "缺少选项 '--reason'"),
]
USER_ERRORS = [
    (("issue", "accept", "2025-404"), "错误：没有编号为 2025-404 的问题；`projects issue list` 列出全部编号\n"),
    (("issue", "report", "GX-0404", "--title", "x", "--category", "土地"),
     "错误：没有编号为 'GX-0404' 的项目；`projects list --search 文字` 可查编号\n"),
    (("issue", "reject", "2025-001", "--reason", " "), "错误：理由（--reason）不能为空\n"),
    (("issue", "list", "--unit", "无此单位"),
     "错误：责任单位“无此单位”不存在；现有的：建设局、自然资源分局\n"),
    (("issue", "list", "--state", "done"),
     "错误：问题状态“done”不存在；现有的：accepted、assigned、closed、rejected、reported、"
     "resolved、responded、不予受理、已交办、已办结、已反馈、已受理、已提报、已销号\n"),
    (("issue", "list", "--level", "督办"),
     "错误：督办级别“督办”不存在；最接近的：一般督办、挂牌督办、重点督办\n"),
]


def test_bad_options_are_usage_errors_and_user_errors_one_line_and_nothing_is_written(office):
    cli = office
    report(cli)
    before = written(cli.url)
    for args, message in BAD_OPTIONS:
        r = cli(*args)
        assert r.exit_code == 2 and squeezed(message) in squeezed(r.stderr), args
    for args, message in USER_ERRORS:
        r = cli(*args)
        assert (r.exit_code, r.stderr) == (1, message), args
    assert written(cli.url) == before


def test_sweep_prints_what_it_did_and_is_idempotent(office):
    cli = office
    for day, urgency in (("2025-10-09", "特急"), ("2025-10-29", "特急"), ("2025-10-30", "特急")):
        n = report(cli, "--urgency", urgency, as_of=day)
        cli("issue", "accept", n, as_of=day)
        assert cli("issue", "assign", n, "--unit", "建设局", as_of=day).exit_code == 0
    r = cli("issue", "sweep")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["问题编号", "项目编号", "牵头单位", "办理期限", "逾期工作日", "逾期次数", "督办级别", "新限期",
                                "处理"]
    # 挂牌督办 sets a new deadline: 5 working days from 31 October
    assert [line.split() for line in lines[2:]] == [
        ["2025-001", "GX-0001", "建设局", "2025-10-10", "16", "1", "挂牌督办", "2025-11-07",
         "记第1次逾期；升为挂牌督办：逾期16个工作日（≥5）"],
        ["2025-002", "GX-0001", "建设局", "2025-10-30", "1", "1", "重点督办", "记第1次逾期；升为重点督办：逾期1个工作日（≥1）"],
    ]
    assert r.stderr == "截至 2025-10-31：升级问题 2 个，记逾期 2 次\n"
    before = written(cli.url)
    r = cli("issue", "sweep")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "截至 2025-10-31：没有需要处理的问题\n")
    assert written(cli.url) == before
    assert json.loads(cli("issue", "sweep", "--format", "json").stdout) == []
    rows = json.loads(cli("issue", "list", "--overdue", "--format", "json").stdout)
    # 2025-001's 挂牌督办 gave it a new deadline (2025-11-07): no longer overdue on 31 October
    assert [(x["number"], x["level"], x["misses"], x["workdays_late"]) for x in rows] == [
        ("2025-002", "重点督办", 1, 1),
    ]
    rows = json.loads(cli("issue", "list", "--level", "挂牌督办", "--format", "json").stdout)
    assert [x["number"] for x in rows] == ["2025-001"]


def test_list_table_and_csv(office):
    cli = office
    n = report(cli, "--urgency", "特急", as_of="2025-10-29")
    cli("issue", "accept", n, as_of="2025-10-29")
    cli("issue", "assign", n, "--unit", "自然资源分局", "--helper", "建设局", as_of="2025-10-29")
    report(cli)
    r = cli("issue", "list")
    assert r.stderr == "共 2 个问题\n"
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["问题编号", "项目编号", "问题", "类别", "紧急程度", "督办级别", "状态", "牵头单位", "办理期限", "逾期工作日"]
    assert lines[2].split() == ["2025-001", "GX-0001", "用地指标不足", "土地", "特急", "一般督办", "已交办", "自然资源分局", "2025-10-30", "1"]
    assert lines[3].split() == ["2025-002", "GX-0001", "用地指标不足", "土地", "一般", "一般督办", "已提报"]
    rows = list(csv.DictReader(io.StringIO(cli("issue", "list", "--state", "已交办", "--format", "csv", "--csv-headers", "en").stdout)))
    assert [(x["number"], x["helpers"], x["deadline"], x["days_late"], x["workdays_late"]) for x in rows] == [
        ("2025-001", "建设局", "2025-10-30", "1", "1")
    ]


def test_a_year_the_calendar_does_not_know_until_the_config_lists_it(office, tmp_path):
    cli = office
    n = report(cli, as_of="2026-12-30")
    cli("issue", "accept", n, as_of="2026-12-30")
    before = written(cli.url)
    r = cli("issue", "assign", n, "--unit", "建设局", as_of="2026-12-30")
    assert r.exit_code == 1
    assert r.stderr.startswith("错误：2027-01-01 所在的2027年节假日尚不知道（chinesecalendar ")
    assert r.stderr.endswith(
        "国务院办公厅发布2027年节假日安排后运行 projects calendar import 通知.txt，或在配置文件 [calendar] 中列出"
        "（holidays = [...], workdays = [...], known_years = [2027]），或升级 chinesecalendar\n"
    )
    assert written(cli.url) == before
    config = tmp_path / "config.toml"
    config.write_text(
        '[calendar]\nholidays = ["2027-01-01", "2027-01-04"]\nworkdays = [2027-01-02]\nknown_years = [2027]\n',
        encoding="utf-8",
    )
    # 5 working days after Wed 30 Dec 2026: 31 Dec, (1 Jan off), Sat 2 Jan worked, (4 Jan off), 5, 6, 7 Jan
    r = cli("--config", str(config), "issue", "assign", n, "--unit", "建设局", as_of="2026-12-30")
    assert r.exit_code == 0 and r.stderr.endswith("办理期限：2027-01-07\n")
    config.write_text('[calendar]\nholiday = ["2027-01-01"]\n', encoding="utf-8")
    r = cli("--config", str(config), "issue", "list")
    assert (r.exit_code, r.stderr) == (
        1, f"错误：配置文件 {config} 第 2 行 [calendar] holiday：未知的键；"
           "可用的键：holidays, workdays, known_years\n"
    )


def test_escalate_and_events_that_keep_the_state(office):
    cli = office
    report(cli)
    cli("issue", "accept", "2025-001")
    r = cli("issue", "escalate", "2025-001", "--reason", "领导批示")
    assert (r.exit_code, r.stderr) == (0, "2025-001：→ 重点督办\n")
    r = cli("issue", "escalate", "2025-001", "--level", "挂牌督办", "--reason", "久拖未决")
    assert (r.exit_code, r.stderr) == (0, "2025-001：→ 挂牌督办\n")
    r = cli("issue", "escalate", "2025-001", "--reason", "再升")
    assert (r.exit_code, r.stderr) == (1, "错误：问题 2025-001 已是挂牌督办，这是最高级别\n")
    for command in ("consult", "follow"):
        r = cli("issue", command, "2025-001", "--text", "记录")
        assert (r.exit_code, r.stderr) == (0, "2025-001：已受理\n")
    events = json.loads(cli("issue", "show", "2025-001", "-f", "json").stdout)["events"]
    assert [e["type"] for e in events] == ["report", "accept", "escalate", "escalate", "consult", "follow"]
