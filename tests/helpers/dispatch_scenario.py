"""The 派工单 scenario shared by the dispatch and return tests.

The registry (as of 2025-10-20, when the workbooks go out; due 2025-10-31):

| code | unit | status | what the tests do with it |
|---|---|---|---|
| GX-0001 甲 | 经济发展局 | 在建 | the unit fills 10月 investment, 形象进度, problems: lands |
| GX-0002 乙 | 经济发展局 | 前期 | the unit gives 实际开工 (派工单) and 土地 done (节点 sheet): lands |
| GX-0003 丙 | 经济发展局 | 在建 | the unit alters its locked 总投资 and fills 形象进度: tampered, not applied |
| GX-0004 丁 | 经济发展局 | 在建 | the office edits its 计划竣工 meanwhile; the unit fills 形象进度: conflict |
| GX-0005 戊 | 经济发展局 | 储备 | not active: not sent |
| GX-0006 己 | 黄屯街道 | 在建 | the unit adds a row for it: another unit's, refused |

`build` makes it, `fill` writes a unit's return with openpyxl, `dump` and
`moved` show exactly which rows a return changed.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import create_engine, select, text

from projects_cli.listings.output import format_decimal
from projects_cli.store.db import session_scope

D = date.fromisoformat
SENT = "2025-10-20"
NOW = datetime(2025, 10, 20, 9, 0, tzinfo=timezone.utc)
TABLES = ("project", "unit", "milestone", "milestone_plan", "investment_plan", "investment_report", "progress_report",
          "issue")


def build(url: str) -> None:
    from projects_cli.services import investment, issues, milestones, registry
    from projects_cli.store.changelog import Ctx

    ctx = Ctx(by="office", as_of=D("2025-10-01"), now=NOW, command="test")
    with session_scope(url) as s:
        add = lambda **kw: registry.add_project(s, ctx, kw, plan_year=2025, create_units=True)  # noqa: E731
        p1 = add(name="甲项目", unit="经济发展局", status="在建", owner="甲公司", total_investment="50000",
                 annual_plan="12000", site_progress="基础施工")
        p2 = add(name="乙项目", unit="经济发展局", status="前期", owner="乙公司", total_investment="20000")
        p3 = add(name="丙项目", unit="经济发展局", status="在建", owner="丙公司", total_investment="30000")
        p4 = add(name="丁项目", unit="经济发展局", status="在建", owner="丁公司", total_investment="8000")
        add(name="戊项目", unit="经济发展局", status="储备")
        p6 = add(name="己项目", unit="黄屯街道", status="在建", total_investment="9000")
        investment.set_month(s, ctx, p1, "2025-08", Decimal(2000))
        investment.set_month(s, ctx, p1, "2025-09", Decimal(1500))
        milestones.set_planned(s, ctx, p1, "开工", D("2025-03-31"))
        milestones.set_actual(s, ctx, p1, "开工", D("2025-03-20"))
        milestones.set_planned(s, ctx, p1, "竣工", D("2026-06-30"))
        milestones.set_planned(s, ctx, p2, "土地", D("2025-08-31"))
        milestones.set_planned(s, ctx, p2, "开工", D("2025-10-15"))
        milestones.set_planned(s, ctx, p3, "主体完工", D("2025-12-31"))
        milestones.set_planned(s, ctx, p4, "竣工", D("2025-12-31"))
        milestones.set_planned(s, ctx, p6, "开工", D("2025-10-10"))
        rules = issues.default_rules()
        issue = issues.report_issue(s, ctx, p2.code, title="土地指标未下达", category="土地")
        issues.accept_issue(s, ctx, issue.number)
        issues.assign_issue(s, ctx, issue.number, rules, unit="经济发展局", due=D("2025-10-24"))


def dump(url: str) -> dict[str, set[tuple]]:
    """Every row of the registry's tables (bookkeeping columns left out), to see exactly what moved."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}")).mappings()
            out[table] = {tuple(sorted((k, _text(v)) for k, v in r.items() if k not in ("updated_at", "version")))
                          for r in rows}
    engine.dispose()
    return out


def _text(value) -> str:
    """A cell as text, the same on both back ends (SQLite gives 800, PostgreSQL 800.00)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format_decimal(Decimal(str(value)))
    return str(value)


def moved(before: dict[str, set[tuple]], after: dict[str, set[tuple]]) -> dict[str, list[dict[str, str]]]:
    """Rows added or changed per table (as dicts of their new values)."""
    return {t: sorted((dict(r) for r in after[t] - before[t]), key=str) for t in TABLES if after[t] - before[t]}


def dispatch_row(url: str, unit: str = "经济发展局"):
    from projects_cli.store.models import Dispatch, Unit

    with session_scope(url, write=False) as s:
        return s.scalars(select(Dispatch).join(Unit, Unit.id == Dispatch.unit_id).where(Unit.name == unit)).one()


def fill(path: Path, dest: Path, *, tamper: bool = True, stranger: bool = True, **cells) -> Path:
    """The unit's return, filled in with openpyxl (the hidden sheet kept as sent)."""
    wb = load_workbook(path)
    ws, due = wb["派工单"], wb["节点及问题"]
    ws["K5"] = 800  # GX-0001 10月完成投资
    ws["N5"] = "主体施工"
    ws["O5"] = "设备进场滞后\n资金拨付慢"
    ws["L6"] = date(2025, 10, 18)  # GX-0002 实际开工
    due["G5"] = date(2025, 10, 10)  # GX-0002 土地 done
    ws["N7"] = "主体施工"  # GX-0003 …
    if tamper:
        ws["F7"] = 35000  # … and its locked 总投资 altered
    ws["N8"] = "设备安装"  # GX-0004, which the office re-plans meanwhile
    if stranger:
        ws["B9"], ws["C9"], ws["K9"] = "GX-0006", "己项目", 500  # another unit's project, added below
    for ref, value in cells.items():
        sheet, cell = ref.split("_")
        (ws if sheet == "main" else due)[cell] = value
    wb.save(dest)
    return dest
