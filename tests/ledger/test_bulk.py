"""The bulk paths under the ledger import: driver-level inserts and reads, reserved ids, fast value paths, the
change log's cheap encoders, the sheet read in the background. Each is checked against the plain way it replaces."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import insert, select, text

from projects_cli.ledger import importer, parse, snapshot
from projects_cli.ledger.importer import LedgerRejected, import_ledger
from projects_cli.ledger.reader import BadWorkbook, Limits, fill_merged, preload
from projects_cli.ledger.reader import Workbook as Ledger
from projects_cli.services import registry
from projects_cli.store import changelog, db
from projects_cli.store.models import ChangeLog, Milestone, MilestonePlan, Project
from projects_cli.values import ValueProblem, clean_text, normalize_name, parse_amount, parse_decimal, plain_amount

AT = datetime(2025, 10, 31, 8, 30, 15, 123456, tzinfo=timezone.utc)


# ---------------------------------------------------------------- db.insert_columns, reserve_ids, query_rows


def test_insert_columns_stores_what_sqlalchemy_stores(session):
    conn = session.connection()
    unit = registry.ensure_unit(session, changelog.Ctx("t", date(2025, 10, 31)), "经济发展局").id
    values = {"name": "甲项目", "categories": "省重点、市重点", "total_investment": Decimal("85000.5"),
              "floor_area": Decimal("1.25"), "status": "在建", "unit_id": unit, "plan_columns": "",
              "created_at": AT, "updated_at": AT, "version": 1}
    conn.execute(insert(Project.__table__), [{**values, "code": "SA-1"}])
    ids = db.reserve_ids(conn, Project.__table__, 2)
    db.insert_columns(conn, Project.__table__, {
        "id": ids, "code": ["DB-1", "DB-2"], **{k: [v, v] for k, v in values.items()},
    })
    p = Project.__table__.c
    rows = [dict(r._mapping) for r in conn.execute(select(Project.__table__).order_by(p.code))]
    assert [r["code"] for r in rows] == ["DB-1", "DB-2", "SA-1"]
    assert [r["id"] for r in rows[:2]] == ids
    for row in rows:
        del row["id"], row["code"]
    assert rows[0] == rows[1] == rows[2]
    assert rows[0]["created_at"] == AT and rows[0]["total_investment"] == Decimal("85000.5")


def test_insert_columns_dates_and_nulls_read_back_alike(session):
    conn = session.connection()
    pid = db.reserve_ids(conn, Project.__table__, 1)[0]
    db.insert_columns(conn, Project.__table__, {
        "id": [pid], "code": ["GX-9"], "name": ["乙"], "categories": [""], "status": ["前期"], "plan_columns": [""],
        "created_at": [AT], "updated_at": [AT], "version": [1],
    })
    mids = db.reserve_ids(conn, Milestone.__table__, 2)
    db.insert_columns(conn, Milestone.__table__, {
        "id": mids, "project_id": [pid, pid], "kind": ["开工", "竣工"], "seq": [5, 7],
        "baseline_date": [date(2025, 3, 31), None], "planned_date": [date(2025, 3, 31), date(2026, 12, 31)],
        "actual_date": [None, None],
    })
    m = Milestone.__table__.c
    got = conn.execute(select(m.kind, m.baseline_date, m.planned_date, m.actual_date).order_by(m.seq)).all()
    assert [tuple(r) for r in got] == [("开工", date(2025, 3, 31), date(2025, 3, 31), None),
                                       ("竣工", None, date(2026, 12, 31), None)]
    rows = db.query_rows(conn, f"SELECT kind, planned_date FROM milestone WHERE project_id IN ({db.placeholders(1)}) "
                               "ORDER BY seq", [pid], [None, m.planned_date])
    assert rows == [("开工", date(2025, 3, 31)), ("竣工", date(2026, 12, 31))]
    assert db.query_rows(conn, "SELECT id FROM milestone WHERE project_id = ?", [pid + 1000], [None]) == []


def test_reserved_ids_are_never_handed_out_again(session):
    """On PostgreSQL they come from the table's sequence: a later plain insert takes the next one."""
    conn = session.connection()
    first = db.reserve_ids(conn, Project.__table__, 3)
    assert len(set(first)) == 3 and db.reserve_ids(conn, Project.__table__, 0) == []
    db.insert_columns(conn, Project.__table__, {
        "id": first, "code": ["A", "B", "C"], "name": ["甲", "乙", "丙"], "categories": [""] * 3, "status": ["前期"] * 3,
        "plan_columns": [""] * 3, "created_at": [AT] * 3, "updated_at": [AT] * 3, "version": [1] * 3,
    })
    project = registry.add_project(session, changelog.Ctx("t", date(2025, 10, 31), now=AT), {"name": "丁"})
    assert project.id > max(first)
    assert db.reserve_ids(conn, Project.__table__, 1)[0] > project.id


# ---------------------------------------------------------------- values: the fast paths equal the long way


@settings(max_examples=500, deadline=None)
@given(st.floats(min_value=0, max_value=2e13, allow_nan=False) | st.decimals(0, 10**9, places=2).map(float))
def test_plain_amount_is_parse_amount(value):
    fast = plain_amount(value)
    if fast is not None:
        assert (str(fast), fast) == (str(parse_amount(value)), parse_amount(value))
        assert (str(fast), fast) == (str(parse_decimal(value)), parse_decimal(value))


@pytest.mark.parametrize("value", [0.0, -0.0, -5.0, 1e13, 1e-05, 0.123456, "85000", 85000, Decimal(1), True])
def test_plain_amount_leaves_the_rest_to_the_long_way(value):
    assert plain_amount(value) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab 合计ＧＸ－9\u3000\xa0\t\n①¨\u200b\x1c\x85\u2028", max_size=8))
def test_clean_text_and_normalize_name_fast_paths(value):
    import re
    import unicodedata

    spaces = re.compile(r"\s+")
    slow = spaces.sub(" ", value.replace("\u3000", " ").replace("\xa0", " ")).strip()
    assert clean_text(value) == slow
    assert normalize_name(value) == spaces.sub("", unicodedata.normalize("NFKC", slow))


@pytest.mark.parametrize("parser", [parse_decimal, parse_amount])
def test_huge_exponents_are_a_value_problem(parser):
    with pytest.raises(ValueProblem):
        parser("1E1000000")


# ---------------------------------------------------------------- the change log


@settings(max_examples=1000, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d) < Decimal("1e20")))
def test_decimal_text_is_the_logs_old_formula(value):
    old = str(value.quantize(Decimal(1))) if value == value.to_integral() else format(value.normalize(), "f")
    assert changelog.decimal_text(value) == old


def test_log_entries_keep_their_text_and_the_chain_verifies(session, ctx):
    old = {"total_investment": Decimal("48800.00"), "开工.planned_date": date(2024, 4, 1)}
    new = {"total_investment": Decimal("50000"), "name": "甲 \"引号\" 项目", "开工.planned_date": date(2024, 6, 30),
           "tags": ["a", 1.5]}
    entry = changelog.make_entry(ctx, "update", "project", record_id=7, key="GX-0007", project_code="GX-0007",
                             old=old, new=new)
    assert entry["new"] == json.dumps(changelog.to_jsonable(new), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert entry["old"] == '{"total_investment":"48800","开工.planned_date":"2024-04-01"}'
    changelog.log_many(session, [entry, changelog.make_entry(ctx, "insert", "unit", key="建设局", new={"name": "建设局"})])
    assert changelog.verify_chain(session) == []
    rows = session.execute(select(ChangeLog.at, ChangeLog.new, ChangeLog.hash).order_by(ChangeLog.id)).all()
    assert rows[0].at == ctx.now and rows[0].new == entry["new"]
    # the stored hash is the one the plain json.dumps of the content gives
    def content(by):
        return [changelog.GENESIS, ctx.now.replace(tzinfo=None).isoformat(timespec="microseconds"), by, ctx.command,
                "update", "project", 7, "GX-0007", "GX-0007", entry["fields"], entry["old"], entry["new"]]
    import hashlib

    # since migration 0010 the command's id (None here: no command ran) and its as-of date follow; on PostgreSQL
    # the row names the login, and --by as 代录 after them (migration 0014)
    pg = session.connection().dialect.name == "postgresql"
    login = session.execute(text("SELECT session_user")).scalar() if pg else ctx.by
    assert rows[0].hash == hashlib.sha256(json.dumps([*content(login), None, ctx.as_of.isoformat(),
                                                      *([ctx.by] if pg else [])], ensure_ascii=False).encode()).hexdigest()
    # a row from before it (no run, no date, no 代录) hashes as it always did: older logs still verify
    legacy = {**entry, "run": None, "on": None, "on_behalf": None}
    assert changelog.entry_hash(changelog.GENESIS, legacy) == hashlib.sha256(
        json.dumps(content(ctx.by), ensure_ascii=False).encode()).hexdigest()
    session.connection().execute(text("UPDATE change_log SET new = '{}' WHERE id = (SELECT min(id) FROM change_log)"))
    assert changelog.verify_chain(session) == [
        "变更记录第 1 条在写入后被改动"]


# ---------------------------------------------------------------- the reader


def _ledger(path, rows: int, merged: str | None = None):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", "责任单位", "计划开工时间"])
    for i in range(rows):
        ws.append([f"项目{i:03d}", 100 + i, "经济发展局" if i == 0 or not merged else None, date(2025, 6, 30)])
    if merged:
        ws.merge_cells(merged)
    wb.save(path)
    return path


def test_a_sheet_read_in_the_background_is_the_same_sheet(tmp_path):
    path = _ledger(tmp_path / "l.xlsx", 5, merged="C2:C4")
    book = preload(path, Limits())
    assert book is not None
    raw = book.sheet(book.sheet_names[0])
    rows = list(raw.rows())
    book.close()
    book.close()  # twice is fine
    plain = Ledger(path)
    assert rows == list(plain.sheet(plain.sheet_names[0]).rows())
    assert [r[1][2] for r in rows] == ["责任单位", "经济发展局", "经济发展局", "经济发展局", "", ""]
    assert [r[2] for r in rows] == [None, None, {2}, {2}, None, None]


def test_preload_of_a_bad_file_leaves_the_error_to_the_import(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    assert preload(bad, Limits()) is None
    assert preload(tmp_path / "missing.xlsx", Limits()) is None
    path = _ledger(tmp_path / "l.xlsx", 2)
    book = preload(path, Limits(), sheet="no such sheet")  # nothing read in the background; sheet() says why
    with pytest.raises(BadWorkbook, match="没有工作表 'no such sheet'"):
        book.sheet("no such sheet")
    book.close()


@pytest.mark.parametrize("limit", [0, 1, 3, 4, 5, 6, 10])
@pytest.mark.parametrize("merged", [[], [((1, 0), (2, 0))], [((0, 0), (0, 2)), ((3, 1), (4, 1))]])
def test_fill_merged_rows_and_the_row_limit(limit, merged):
    rows = [[f"{r}{c}" for c in range(3)] for r in range(5)]
    try:
        got = list(fill_merged(iter([list(r) for r in rows]), merged, limit, "w"))
    except BadWorkbook as exc:
        assert limit < 5 and str(exc) == f"w 超过 {limit:,} 行（配置文件 [limits] ledger_rows）"
        return
    assert limit >= 5
    assert [i for i, _, _ in got] == [0, 1, 2, 3, 4]
    for (r0, c0), (r1, c1) in merged:
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                assert got[r][1][c] == rows[r0][c0]
                assert (got[r][2] is not None and c in got[r][2]) == ((r, c) != (r0, c0))


# ---------------------------------------------------------------- the import


def test_a_re_plan_is_refused_when_the_last_plan_is_after_the_as_of_date(session, ctx, tmp_path):
    from openpyxl import load_workbook

    path = _ledger(tmp_path / "l.xlsx", 3)
    import_ledger(session, ctx, path, create_units=True)
    later = changelog.Ctx(ctx.by, date(2025, 11, 20), now=ctx.now, command=ctx.command)
    wb = load_workbook(path)
    wb.active["D3"] = date(2025, 9, 30)
    wb.save(path)
    import_ledger(session, later, path, create_units=True)  # 项目001 re-planned as of 11-20
    wb.active["D3"] = date(2025, 12, 31)
    wb.active["D4"] = date(2025, 12, 31)
    wb.save(path)
    before = session.scalar(select(MilestonePlan.id).order_by(MilestonePlan.id.desc()).limit(1))
    with pytest.raises(LedgerRejected) as info:
        import_ledger(session, ctx, path, create_units=True)  # as of 10-31 again
    assert [(p.row, p.column, p.message) for p in info.value.result.errors] == [
        (3, "D", "开工最近一次调整计划是在 2025-11-20，晚于截至日期 2025-10-31：请检查 --as-of"),
    ]
    assert session.scalar(select(MilestonePlan.id).order_by(MilestonePlan.id.desc()).limit(1)) == before


def test_rows_typed_by_column_give_each_problem_on_its_row_in_column_order(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", "计划开工时间", "项目状态", "责任单位"])
    ws.append(["甲", "很多", "2024-02-30", "乱", "经济发展局"])
    ws.append([None, 5.5, date(1800, 1, 1), "在建", "经济发展局"])
    ws.append(["丙", 1.23456, "待定", "续建", None])
    wb.save(tmp_path / "p.xlsx")
    from projects_cli.ledger.importer import read_ledger

    parsed = read_ledger(tmp_path / "p.xlsx", as_of=date(2025, 10, 31))
    assert [(p.severity, p.row, p.column) for p in parsed.problems] == [
        ("error", 2, "B"), ("error", 2, "C"), ("error", 2, "D"),
        ("error", 3, "C"), ("error", 3, "A"),
        ("warning", 4, "C"),
    ]
    assert [r.values for r in parsed.rows] == [
        {"name": "甲", "unit": "经济发展局"},
        {"total_investment": Decimal("5.5"), "status": "在建", "unit": "经济发展局"},
        {"name": "丙", "total_investment": Decimal("1.23"), "status": "在建"},
    ]
    assert parse.column_letter(28) == "AB"


def test_totals_are_told_from_projects_whose_names_start_like_them(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "项目名称", "总投资"])
    ws.append([None, "合 计", 300])  # a total, spaced
    ws.append([None, "其中：续建", 100])
    ws.append([1, "合成材料项目", 100])  # 合… but a project
    ws.append([2, "总部基地项目", 100])
    ws.append(["小计", None, 200])
    ws.append([3, "累计", 200])
    wb.save(tmp_path / "t.xlsx")
    from projects_cli.ledger.importer import read_ledger

    parsed = read_ledger(tmp_path / "t.xlsx", as_of=date(2025, 10, 31))
    assert [r.values["name"] for r in parsed.rows] == ["合成材料项目", "总部基地项目"]
    assert parsed.skipped == {"blank": 0, "total": 4, "section": 0, "note": 0}


# ---------------------------------------------------------------- the registry read ahead while the sheet loads


def _read(reg, ids: list[int], keys: list[str], **kw) -> tuple:
    got = reg.state(ids, keys, **kw)
    projects = {pid: {k: row[k] for k in ("id", "unit_id", *keys)} for pid, row in got.projects.items()}
    return projects, got.plans, got.reports, got.earlier, got.milestones


@pytest.mark.parametrize(("year", "month", "kinds", "taken"), [
    (2025, "2025-10", ("开工", "竣工"), True),  # what the ledger of the as-of month asks: the rows read ahead serve
    (None, None, (), True),  # a ledger with no investment or milestone columns: served too, the rest left out
    (2025, None, ("竣工",), True),
    (2025, "2025-09", ("开工", "竣工"), False),  # another month: read as usual
    (2024, "2025-10", ("开工",), False),
])
def test_rows_read_ahead_are_what_the_registry_holds(office, monkeypatch, year, month, kinds, taken):
    ids = sorted(snapshot.Snapshot(office).code_of)
    keys = ["code", "name", "total_investment", "chain", "status"]
    plain = _read(snapshot.Snapshot(office), ids, keys, year=year, month=month, kinds=kinds)
    assert len(plain[0]) == 5 and (year != 2025 or plain[1]) and (month != "2025-10" or plain[2] and plain[3])
    monkeypatch.setattr(snapshot, "READ_AHEAD", 4)  # the fifth project is read when asked for
    reg = snapshot.Snapshot(office)
    reg.read_ahead(lambda: False, year=2025, month="2025-10")
    assert sorted(reg._ahead[1]) == ids[:4]
    assert _read(reg, ids, keys, year=year, month=month, kinds=kinds) == plain
    assert len(reg._ahead[1]) == (0 if taken else 4)  # taken rows are let go
    reg.let_go()
    assert reg._ahead is None


def test_nothing_is_read_ahead_once_the_sheet_has_loaded(office):
    reg = snapshot.Snapshot(office)
    reg.read_ahead(lambda: True, year=2025, month="2025-10")
    assert reg._ahead is None


def test_an_import_with_the_registry_read_ahead(office, ctx, tmp_path, monkeypatch):
    # the sheet "still loading" throughout: every project is read ahead, and the import is the same
    from openpyxl import load_workbook

    from projects_cli.ledger import exporter
    from projects_cli.ledger.reader import Workbook as LedgerBook

    path = tmp_path / "r.xlsx"
    exporter.export_ledger(office, ctx, path, registry.ProjectFilter())
    wb = load_workbook(path)
    ws = wb.active
    cells = {ws.cell(r, c).value: (r, c) for r in range(1, 6) for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, cells["项目编号"][1]).value == "GX-0003")
    ws.cell(row, cells["总投资"][1]).value = 99999
    wb.save(path)
    read_ahead = []

    class Registry(snapshot.Snapshot):  # notes how many projects it read ahead
        def read_ahead(self, *args, **kwargs):
            super().read_ahead(*args, **kwargs)
            read_ahead.append(len(self._ahead[1]) if self._ahead else 0)

    monkeypatch.setattr(LedgerBook, "loaded", lambda self: False)
    monkeypatch.setattr(importer, "Snapshot", Registry)
    result = import_ledger(office, ctx, path, book=preload(path, Limits()), create_units=True)
    assert read_ahead == [5]
    assert (result.added, result.changed, result.unchanged, [c.code for c in result.changes if c.action == "change"]) == (
        0, 1, 4, ["GX-0003"])
    assert registry.get_project(office, "GX-0003").total_investment == Decimal("99999")

