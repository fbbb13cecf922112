"""Responsible units (责任单位) as the office manages them: list, add, edit, show, rename, merge, remove, import.

A unit comes into being through `registry.ensure_units` (here, `projects add
--create-units`, a ledger import); its contacts (联系人, 电话, 邮箱, the chat
webhook reminders go to) are set here. History is kept the way project fields
keep theirs:

* a rename on a date keeps the old name (`UnitName`): reports for an earlier
  date print it (`facts.asof.unit_name_on`), imports, filters and returned
  workbooks still match it (`facts.filters.former_names`);
* a merge (机构改革, A into B) moves A's projects through the registry's write
  path (`registry.edit_project`, so `ProjectRevision` keeps A for earlier
  dates), its problems with a 单位撤并移交 event (`issues.transfer_unit`), its
  dispatched workbooks and issued documents, every change logged; A stays as
  a retired unit (never offered or assigned again, its name finding B).

Services take a Session and a `Ctx`; they never print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from sqlalchemy import func, or_, select
from sqlmodel import Session

from projects_cli.errors import InvalidValue, NotFound
from projects_cli.facts.filters import find_former, former_names, known_names
from projects_cli.i18n import N_, _
from projects_cli.services import issues as issue_service
from projects_cli.services import registry
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import (
    Dispatch,
    FlagScore,
    Issue,
    IssueHelper,
    Project,
    ProjectRevision,
    Sheet,
    Unit,
    UnitName,
)
from projects_cli.values import clean_text, match_name, text_problem

# What a unit holds beside its name, in the order `unit show` and the listings print them.
CONTACTS = ("contact", "phone", "email", "webhook")
LABELS = {"name": N_("单位名称"), "contact": N_("联系人"), "phone": N_("电话"), "email": N_("邮箱"), "webhook": "webhook"}
OPEN = ("closed", "rejected")  # a problem in neither is still open
_EMAIL = re.compile(r"^[^@\s,;，；]+@[^@\s,;，；]+\.[^@\s,;，；.]+$")
ROBOTS = ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…（企业微信）",
          "https://oapi.dingtalk.com/robot/send?access_token=…（钉钉）")


# ---------------------------------------------------------------- values


def clean_email(value: Any) -> str | None:
    """An e-mail address as stored (None: empty); anything that is not one address is refused."""
    text = clean_text(value)
    if not text:
        return None
    if not _EMAIL.match(text):
        raise InvalidValue(_("邮箱“{text}”不是有效的电子邮件地址，应形如 name@example.gov.cn").format(text=text))
    return text


def clean_webhook(value: Any) -> str | None:
    """A chat robot's webhook URL as stored (None: empty): http(s), with a host, no spaces."""
    text = clean_text(value)
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or " " in text:
        raise InvalidValue(_("webhook“{text}”不是有效的网址，应以 https:// 开头，如 {first} 或 {second}").format(
            text=text, first=ROBOTS[0], second=ROBOTS[1]))
    return text


def clean_unit_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed, validated contact values (`CONTACTS`) from what was typed; '' clears one."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in CONTACTS:
            raise InvalidValue(_("未知的单位字段 {key!r}；单位的字段有 {fields}").format(key=key, fields=", ".join(CONTACTS)))
        if key == "email":
            out[key] = clean_email(value)
        elif key == "webhook":
            out[key] = clean_webhook(value)
        else:
            out[key] = _text(key, value)
    return out


def _text(key: str, value: Any) -> str | None:
    text = clean_text(value) or None
    if text and not text.isprintable() and (problem := text_problem(text, name=key == "name")):
        raise InvalidValue(_("{what} {problem}").format(what=_(LABELS[key]), problem=problem))
    limit = Unit.__table__.c[key].type.length
    if key == "name":
        limit = registry.MAX_LENGTH["unit"]
    if text and len(text) > limit:
        raise InvalidValue(_("{what}最长 {limit} 个字符，这个有 {length} 个").format(what=_(LABELS[key]), limit=limit, length=len(text)))
    return text


def clean_unit_name(value: Any) -> str:
    name = _text("name", value)
    if not name:
        raise InvalidValue(_("单位名称不能为空"))
    return name


def _values(unit: Unit) -> dict[str, Any]:
    return {key: getattr(unit, key) for key in ("name", *CONTACTS)}


def _free_name(session: Session, name: str, unit: Unit | None = None) -> None:
    """Refuse `name` for a new or renamed unit when another unit has it now (spaces and full-width forms aside,
    `values.match_name`: 经济 发展局 is 经济发展局), or had it before."""
    alike = match_name(name, session.scalars(select(Unit.name)).all())
    held = session.scalars(select(Unit).where(Unit.name == alike)).first() if alike else None
    if held is not None and held is not unit:
        merged = _("（已撤并）") if held.retired_on else ""
        raise InvalidValue(_("已有责任单位“{name}”{merged}；如是同一单位，请用 unit merge").format(name=held.name, merged=merged))
    former = find_former(session, "unit", name)
    if former is not None and (unit is None or former.now != unit.name):
        raise InvalidValue(_("“{name}”是“{now}”的曾用名；{former}").format(name=name, now=former.now, former=former.message()))


def effective(ctx: Ctx, on: date | None) -> date:
    """The date a rename or a merge takes effect: `on`, default the command's as-of date. Never earlier: a
    report already made for a date before it must read the same when re-run (as every change, it is recorded
    on its as-of date); to record one that took effect earlier, run the command with --as-of that date."""
    if on is None:
        return ctx.as_of
    if on < ctx.as_of:
        raise InvalidValue(_("生效日期 {on} 早于统计截止日期 {day}：此前日期的报表已按当时的名称出具；"
                             "如确于 {on} 生效，请加 --as-of {on} 运行").format(on=on.isoformat(), day=ctx.as_of.isoformat()))
    return on


# ---------------------------------------------------------------- read


def get_unit(session: Session, name: str) -> Unit:
    """The unit of that name in force (or a former name's unit, `registry.find_unit`); merged units too when
    named exactly (`unit show`)."""
    held = session.scalars(select(Unit).where(Unit.name == clean_text(name))).first()
    return held if held is not None else registry.find_unit(session, name)


def _counts(session: Session) -> tuple[dict[int, int], dict[int, int]]:
    """Per unit id: projects (now), open problems it leads or helps with."""
    conn = session.connection()
    p, i, h = Project.__table__.c, Issue.__table__.c, IssueHelper.__table__.c
    projects = dict(conn.execute(select(p.unit_id, func.count()).where(p.unit_id.is_not(None)).group_by(p.unit_id)).all())
    open_issues: dict[int, set[int]] = {}
    for iid, uid in conn.execute(select(i.id, i.lead_unit_id).where(i.state.not_in(OPEN), i.lead_unit_id.is_not(None))):
        open_issues.setdefault(uid, set()).add(iid)
    for iid, uid in conn.execute(select(h.issue_id, h.unit_id).join(Issue.__table__, i.id == h.issue_id)
                                 .where(i.state.not_in(OPEN))):
        open_issues.setdefault(uid, set()).add(iid)
    return projects, {uid: len(ids) for uid, ids in open_issues.items()}


def list_units(session: Session, *, retired: bool = False) -> list[dict[str, Any]]:
    """Every unit in force (with `retired`, the merged ones too), by name: its contacts, projects, open
    problems (牵头 or 配合), former names (曾用名) and, if merged, the date and the unit it went into."""
    projects, open_issues = _counts(session)
    formers = former_names(session, "unit")
    units = session.scalars(select(Unit).order_by(Unit.name)).all()
    names = {u.id: u.name for u in units}
    rows = []
    for unit in units:
        if unit.retired_on is not None and not retired:
            continue
        rows.append({
            "name": unit.name, **{k: getattr(unit, k) for k in CONTACTS},
            "projects": projects.get(unit.id, 0), "open_issues": open_issues.get(unit.id, 0),
            "former_names": [f.name for f in formers.values() if not f.merged and f.now == unit.name],
            "retired_on": unit.retired_on, "merged_into": names.get(unit.merged_into),
        })
    return rows


def show_unit(session: Session, name: str) -> dict[str, Any]:
    """One unit: its `list_units` row, its name history (name, until) and its projects' codes."""
    unit = get_unit(session, name)
    row = next(r for r in list_units(session, retired=True) if r["name"] == unit.name)
    n = UnitName.__table__.c
    row["names"] = [{"name": old, "until": on} for old, on in session.connection().execute(
        select(n.name, n.replaced_on).where(n.unit_id == unit.id).order_by(n.replaced_on, n.id))]
    row["project_codes"] = list(session.scalars(select(Project.code).where(Project.unit_id == unit.id)
                                                .order_by(Project.code)))
    return row


# ---------------------------------------------------------------- write


def add_unit(session: Session, ctx: Ctx, name: str, values: Mapping[str, Any] | None = None) -> Unit:
    """A new unit (refused when the name is taken, or was a unit's before), with its contacts; logged."""
    name = clean_unit_name(name)
    contacts = clean_unit_values({k: v for k, v in (values or {}).items() if v is not None})
    _free_name(session, name)
    unit = registry.ensure_unit(session, ctx, name)
    for key, value in contacts.items():
        setattr(unit, key, value)
    if any(contacts.values()):
        session.flush()
        changelog.log_update(session, ctx, "unit", unit.id, {}, {k: v for k, v in contacts.items() if v}, key=name)
    return unit


def edit_unit(session: Session, ctx: Ctx, name: str, values: Mapping[str, Any]) -> list[str]:
    """Change a unit's contacts (`CONTACTS`; '' clears one); returns the fields that really changed."""
    unit = get_unit(session, name)
    new = clean_unit_values(values)
    old = _values(unit)
    for key, value in new.items():
        setattr(unit, key, value)
    session.flush()
    before, after = changelog.diff(old, _values(unit))
    if after:
        changelog.log_update(session, ctx, "unit", unit.id, before, after, key=unit.name)
    return list(after)


def rename_unit(session: Session, ctx: Ctx, old: str, new: str, on: date | None = None) -> Unit:
    """Rename a unit from `on` (default: the as-of date): the old name is kept (`UnitName`) so that reports for
    an earlier date print it, and imports, filters and returned workbooks still find the unit by it."""
    unit = get_unit(session, old)
    if unit.retired_on is not None:
        raise InvalidValue(_("责任单位“{name}”已于 {day} 撤并，不能更名").format(name=unit.name, day=unit.retired_on.isoformat()))
    on = effective(ctx, on)
    new_name = clean_unit_name(new)
    if new_name == unit.name:
        raise InvalidValue(_("责任单位已叫“{name}”").format(name=new_name))
    _free_name(session, new_name, unit)
    n = UnitName.__table__.c
    last = session.scalar(select(func.max(n.replaced_on)).where(n.unit_id == unit.id))
    if last is not None and on < last:
        raise InvalidValue(_("“{name}”的上一次更名在 {last}，新的更名日期不能早于它").format(name=unit.name, last=last.isoformat()))
    previous = unit.name
    session.add(UnitName(unit_id=unit.id, name=previous, replaced_on=on))
    unit.name = new_name
    session.flush()
    changelog.log_update(session, ctx, "unit", unit.id, {"name": previous}, {"name": new_name, "renamed_on": on},
                         key=new_name)
    return unit


@dataclass
class MergePlan:
    """What `unit merge A B` does: A's projects, problems, dispatches and documents that go to B."""

    gone: str
    into: str
    on: date
    projects: list[str] = field(default_factory=list)  # codes
    issues: list[str] = field(default_factory=list)  # numbers (led or helped)
    dispatches: int = 0
    sheets: int = 0
    cards: int = 0  # the cards of its projects (they go with the projects)
    flag_scores: int = 0  # stay with A: the scores it earned

    def lines(self) -> list[str]:
        """The plan in words, one line each, for the person who confirms it."""
        return [
            _("将“{gone}”并入“{into}”，自 {on} 起：").format(gone=self.gone, into=self.into, on=self.on.isoformat()),
            _("  项目 {n} 个改由“{into}”负责{few}").format(n=len(self.projects), into=self.into, few=_few(self.projects)),
            _("  问题 {n} 个（牵头或配合）移交“{into}”{few}").format(n=len(self.issues), into=self.into, few=_few(self.issues)),
            _("  派工单 {dispatches} 份、已发文件 {sheets} 份改归“{into}”").format(
                dispatches=self.dispatches, sheets=self.sheets, into=self.into),
            _("  红黄蓝牌 {n} 张随项目移交").format(n=self.cards),
            _("  流动红旗评分 {n} 条仍记在“{gone}”名下").format(n=self.flag_scores, gone=self.gone),
            _("  “{gone}”随后撤并：不再可选，导入时其名称对应“{into}”；此前日期的报表仍显示“{gone}”").format(
                gone=self.gone, into=self.into),
        ]


def _few(items: list[str], n: int = 8) -> str:
    return _("：{items}").format(items=_("、").join(items[:n]) + (" …" if len(items) > n else "")) if items else ""


def _merge_pair(session: Session, a: str, b: str) -> tuple[Unit, Unit]:
    gone, into = get_unit(session, a), get_unit(session, b)
    for unit in (gone, into):
        if unit.retired_on is not None:
            raise InvalidValue(_("责任单位“{name}”已于 {day} 撤并，不能再合并").format(name=unit.name, day=unit.retired_on.isoformat()))
    if gone.id == into.id:
        raise InvalidValue(_("“{a}”和“{b}”是同一个单位“{gone}”").format(a=a, b=b, gone=gone.name))
    return gone, into


def plan_merge(session: Session, a: str, b: str, on: date) -> MergePlan:
    """What `merge_units` would do (reads only)."""
    gone, into = _merge_pair(session, a, b)
    from projects_cli.store.models import Card

    conn = session.connection()
    codes = list(session.scalars(select(Project.code).where(Project.unit_id == gone.id).order_by(Project.code)))
    return MergePlan(
        gone.name, into.name, on, codes, [i.number for i in issue_service.unit_issues(session, gone.id)],
        conn.execute(select(func.count()).select_from(Dispatch).where(Dispatch.unit_id == gone.id)).scalar() or 0,
        len(_sheets_of(session, gone.name)),
        conn.execute(select(func.count()).select_from(Card).where(
            Card.project_id.in_(select(Project.id).where(Project.unit_id == gone.id)))).scalar() or 0,
        conn.execute(select(func.count()).select_from(FlagScore).where(FlagScore.unit_id == gone.id)).scalar() or 0,
    )


def _sheets_of(session: Session, name: str) -> list[Sheet]:
    return list(session.scalars(select(Sheet).where(or_(Sheet.recipient == name, Sheet.ref == name)).order_by(Sheet.id)))


def merge_units(session: Session, ctx: Ctx, a: str, b: str, on: date | None = None) -> MergePlan:
    """机构改革: unit `a` goes into unit `b` from `on` (default: the as-of date), as `plan_merge` says.

    Projects move through `registry.edit_project` on `on` (reports for earlier dates still show A); problems
    through `issues.transfer_unit`; dispatches and issued documents (addressed to A) are re-filed under B,
    their content as issued; A is retired. Every change is logged."""
    on = effective(ctx, on)
    plan = plan_merge(session, a, b, on)
    gone, into = _merge_pair(session, a, b)
    dated = replace(ctx, as_of=on)
    for code in plan.projects:
        registry.edit_project(session, dated, code, {"unit": into.name})
    issue_service.transfer_unit(session, dated, gone, into)
    entries = []
    for dispatch in session.scalars(select(Dispatch).where(Dispatch.unit_id == gone.id).order_by(Dispatch.id)):
        dispatch.unit_id = into.id
        entries.append(changelog.make_entry(ctx, "update", "dispatch", record_id=dispatch.id, key=dispatch.token,
                                            old={"unit": gone.name}, new={"unit": into.name}))
    for sheet in _sheets_of(session, gone.name):
        old = {k: getattr(sheet, k) for k in ("recipient", "ref") if getattr(sheet, k) == gone.name}
        for key in old:
            setattr(sheet, key, into.name)
        entries.append(changelog.make_entry(ctx, "update", "sheet", record_id=sheet.id, key=sheet.number,
                                            old=old, new=dict.fromkeys(old, into.name)))
    gone.retired_on, gone.merged_into = on, into.id
    session.flush()
    entries.append(changelog.make_entry(ctx, "update", "unit", record_id=gone.id, key=gone.name,
                                        old={"retired_on": None, "merged_into": None},
                                        new={"retired_on": on, "merged_into": into.name}))
    changelog.log_many(session, entries)
    return plan


def references(session: Session, unit: Unit) -> list[str]:
    """What still refers to a unit, in words (N 个项目 …); empty when nothing does."""
    conn = session.connection()

    def count(query) -> int:
        return conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0

    r = ProjectRevision.__table__.c
    found = [
        (count(select(Project.id).where(Project.unit_id == unit.id)), _("{n} 个项目")),
        (count(select(r.id).where(r.field == "unit_id", r.value == str(unit.id))), _("{n} 条项目历史")),
        (count(select(Issue.id).where(Issue.lead_unit_id == unit.id)), _("{n} 个问题牵头")),
        (count(select(IssueHelper.id).where(IssueHelper.unit_id == unit.id)), _("{n} 个问题配合")),
        (count(select(Dispatch.id).where(Dispatch.unit_id == unit.id)), _("{n} 份派工单")),
        (count(select(FlagScore.id).where(FlagScore.unit_id == unit.id)), _("{n} 条流动红旗评分")),
        (count(select(Sheet.id).where(or_(Sheet.recipient == unit.name, Sheet.ref == unit.name))), _("{n} 份已发文件")),
        (count(select(Unit.id).where(Unit.merged_into == unit.id)), _("{n} 个已并入的单位")),
        (count(select(UnitName.id).where(UnitName.unit_id == unit.id)), _("{n} 个曾用名")),
    ]
    return [what.format(n=n) for n, what in found if n]


def remove_unit(session: Session, ctx: Ctx, name: str) -> None:
    """Delete a unit nothing refers to (a typo, a unit added by mistake); else a refusal naming what does."""
    unit = session.scalars(select(Unit).where(Unit.name == clean_text(name))).first() or registry.find_unit(session, name)
    held = references(session, unit)
    if held:
        hint = (_("；它已撤并，保留供此前日期的报表使用") if unit.retired_on else
                _("；如已撤并，请用 unit merge {name} 新单位").format(name=unit.name))
        raise InvalidValue(_("责任单位“{name}”仍被引用，不能删除：{refs}{hint}").format(
            name=unit.name, refs=_("、").join(held), hint=hint))
    values = {k: v for k, v in _values(unit).items() if v}
    session.delete(unit)
    session.flush()
    changelog.log_delete(session, ctx, "unit", unit.id, values, key=unit.name)


# ---------------------------------------------------------------- import


# `unit list`'s columns (key, header); the counted ones are the registry's own, not read back by an import
LIST_COLUMNS = (
    ("name", N_("责任单位")), ("projects", N_("项目数")), ("open_issues", N_("未办结问题")), ("contact", N_("联系人")), ("phone", N_("电话")),
    ("email", N_("邮箱")), ("webhook", "webhook"), ("former_names", N_("曾用名")), ("retired_on", N_("撤并日期")),
    ("merged_into", N_("并入")),
)
COUNTED = ("projects", "open_issues", "former_names", "retired_on", "merged_into")
SKIPPED = "-"  # a column `unit list` writes that an import passes over (what the registry counts itself)

# The headers a unit list may have (Chinese first), → field.
IMPORT_HEADERS = {
    **{label: SKIPPED for key, label in LIST_COLUMNS if key in COUNTED}, **{key: SKIPPED for key in COUNTED},
    "名称": "name", "单位名称": "name", "责任单位": "name", "单位": "name", "name": "name",
    "联系人": "contact", "contact": "contact",
    "电话": "phone", "联系电话": "phone", "手机": "phone", "phone": "phone",
    "邮箱": "email", "电子邮箱": "email", "电子邮件": "email", "email": "email", "e-mail": "email",
    "webhook": "webhook", "机器人": "webhook", "群机器人": "webhook", "webhook地址": "webhook",
}


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_unit_rows(path: Path) -> tuple[dict[str, str], list[tuple[int, dict[str, Any]]]]:
    """(field → where its column is, e.g. "B 列“邮箱”"; the rows as (row number, field → cell)) of a unit list
    (.xlsx or .csv): the first non-empty row is the header. Unknown columns are refused, naming the column."""
    cells = _cells(path)
    rows = [(n, row) for n, row in cells if any(clean_text(c) for c in row)]
    if not rows:
        raise InvalidValue(_("{file}：没有内容").format(file=path.name))
    # a title row above the header (单位通讯录, one cell) is skipped
    while len(rows) > 1 and sum(1 for c in rows[0][1] if clean_text(c)) == 1 and not _known_header(rows[0][1]):
        rows = rows[1:]
    header_row, header = rows[0]
    keys: list[str | None] = []
    for col, text in enumerate(header, 1):
        label = clean_text(text)
        if not label:
            keys.append(None)
            continue
        key = IMPORT_HEADERS.get(label) or IMPORT_HEADERS.get(label.lower())
        if key is None:
            raise InvalidValue(_("{file} 第 {row} 行第 {column} 列：不认识的列“{label}”（可用的列：名称/单位名称、联系人、电话、邮箱、webhook）").format(
                file=path.name, row=header_row, column=_letter(col), label=label))
        if key in keys and key != SKIPPED:
            raise InvalidValue(_("{file} 第 {row} 行第 {column} 列：“{label}”与前面的列重复").format(
                file=path.name, row=header_row, column=_letter(col), label=label))
        keys.append(key)
    if "name" not in keys:
        raise InvalidValue(_("{file} 第 {row} 行：缺少“名称”或“单位名称”列").format(file=path.name, row=header_row))
    where = {key: _("第 {column} 列“{label}”").format(column=_letter(i + 1), label=clean_text(header[i]))
             for i, key in enumerate(keys) if key and key != SKIPPED}
    out = []
    for n, row in rows[1:]:
        values = {key: row[i] if i < len(row) else None for i, key in enumerate(keys) if key and key != SKIPPED}
        extra = [i for i, c in enumerate(row) if i >= len(keys) or keys[i] is None]
        for i in extra:
            if clean_text(row[i]):
                raise InvalidValue(_("{file} 第 {row} 行第 {column} 列：这一列没有表头").format(
                    file=path.name, row=n, column=_letter(i + 1)))
        out.append((n, values))
    return where, out


def _known_header(row: list[Any]) -> bool:
    return any(IMPORT_HEADERS.get(clean_text(c)) or IMPORT_HEADERS.get(clean_text(c).lower()) for c in row)


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _cells(path: Path) -> list[tuple[int, list[Any]]]:
    suffix = path.suffix.lower()
    if not path.exists():
        raise NotFound(_("没有文件 {path}").format(path=path))
    if suffix == ".csv":
        import csv

        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="gb18030")
        return list(enumerate(csv.reader(text.splitlines()), 1))
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a damaged or foreign file
            raise InvalidValue(_("{file} 不是可读的 Excel 文件（{reason}）").format(file=path.name, reason=type(exc).__name__)) from None
        try:
            return [(n, ["" if c is None else c for c in row]) for n, row in enumerate(wb.active.iter_rows(values_only=True), 1)]
        finally:
            wb.close()
    raise InvalidValue(_("{file}：只能导入 .xlsx 或 .csv 文件").format(file=path.name))


def import_units(session: Session, ctx: Ctx, path: Path, *, dry_run: bool = False) -> ImportResult:
    """The whole unit list at once: a row naming a unit in force (or a former name of one) updates its contacts
    (an empty cell leaves one as it is), a new name adds a unit. A bad row refuses the whole file, naming the row
    and the column; a merged unit's name is refused, naming the one it went into. Logged like `add_unit`/`edit_unit`;
    `dry_run` writes nothing and says the same."""
    result = ImportResult()
    seen: dict[str, int] = {}
    checked = []
    where, rows = read_unit_rows(path)
    in_force = known_names(session, "unit")
    for n, row in rows:
        at = _("{file} 第 {row} 行{where}").format(file=path.name, row=n, where=where["name"])
        contacts = {}
        for key, value in row.items():
            try:
                if key == "name":
                    name = clean_unit_name(value)
                elif clean_text(value):
                    contacts.update(clean_unit_values({key: value}))
            except InvalidValue as exc:
                raise InvalidValue(_("{file} 第 {row} 行{where}：{problem}").format(
                    file=path.name, row=n, where=where[key], problem=exc)) from None
        known = match_name(name, in_force)
        former = find_former(session, "unit", name) if known is None else None
        if former is not None and former.merged:
            raise InvalidValue(_("{at}：{former}；请改写为“{now}”").format(at=at, former=former.message(), now=former.now))
        target = known or (former.now if former else name)
        if target in seen:
            raise InvalidValue(_("{at}：“{name}”与第 {row} 行是同一单位").format(at=at, name=name, row=seen[target]))
        seen[target] = n
        checked.append((target, contacts, known is not None or former is not None))
    for name, contacts, exists in checked:
        if not exists:
            if not dry_run:
                add_unit(session, ctx, name, contacts)
            result.added.append(name)
            continue
        unit = get_unit(session, name)
        if not any(getattr(unit, k) != v for k, v in contacts.items()):
            result.unchanged.append(unit.name)
            continue
        if not dry_run:
            edit_unit(session, ctx, unit.name, contacts)
        result.updated.append(unit.name)
    return result

