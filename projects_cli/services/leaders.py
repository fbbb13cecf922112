"""Leaders in charge (包保领导) as the office manages them: list, add, rename, merge.

A project holds its leader's name as text (`Project.leader`, with its history
in `ProjectRevision`); the `Leader` table adds the leader's title (职务) and
phone and remembers renames and merges. A rename or a merge changes the name on
every project through the registry's write path (`registry.edit_project`, on
the rename's date), so reports for earlier dates still print the old name;
the old name is kept (`Leader.former`, or the merged leader's row) so that a
ledger that still says it finds the leader now (`facts.filters.former_names`).

Services take a Session and a `Ctx`; they never print.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from projects_cli.errors import InvalidValue, UnknownName
from projects_cli.facts.filters import NAMED, find_former, former_names, known_names
from projects_cli.i18n import _
from projects_cli.services import registry
from projects_cli.services.units import effective
from projects_cli.store import changelog
from projects_cli.store.changelog import Ctx
from projects_cli.store.models import LIST_SEP, Leader, Project
from projects_cli.values import clean_text, match_name, nearest_names, text_problem


def clean_leader_name(value: Any) -> str:
    text = clean_text(value)
    if not text:
        raise InvalidValue(_("包保领导姓名不能为空"))
    if not text.isprintable() and (problem := text_problem(text, name=True)):
        raise InvalidValue(_("包保领导 {problem}").format(problem=problem))
    limit = Leader.__table__.c.name.type.length
    if len(text) > limit:
        raise InvalidValue(_("包保领导姓名最长 {limit} 个字符，这个有 {length} 个").format(limit=limit, length=len(text)))
    return text


def _optional(key: str, value: Any) -> str | None:
    text = clean_text(value) or None
    limit = Leader.__table__.c[key].type.length
    if text and len(text) > limit:
        raise InvalidValue(_("{what}最长 {limit} 个字符").format(what=_("职务") if key == "title" else _("电话"), limit=limit))
    return text


def _row(session: Session, name: str) -> Leader | None:
    return session.scalars(select(Leader).where(Leader.name == name)).first()


def _on_projects(session: Session) -> dict[str, int]:
    p = Project.__table__.c
    return {name: n for name, n in session.connection().execute(
        select(p.leader, func.count()).where(p.leader.is_not(None)).group_by(p.leader)) if name}


def find_leader(session: Session, name: str) -> str:
    """The name in force of the leader `name` names: one the office keeps or a project carries (spelling matched
    as `values.match_name` does), or a former name's leader now; else an `UnknownName` error offering the nearest."""
    known = known_names(session, "leader")
    found = match_name(name, known)
    if found is not None:
        return found
    former = find_former(session, "leader", name)
    if former is not None:
        return former.now
    raise UnknownName(NAMED["leader"], clean_text(name), nearest_names(name, known), sorted(known))


def list_leaders(session: Session, *, retired: bool = False) -> list[dict[str, Any]]:
    """Every leader, by name: the ones the office keeps (`leader add`) and the names projects carry;
    per leader title, phone, projects (now), former names; with `retired`, the merged ones too."""
    projects = _on_projects(session)
    rows: dict[str, dict[str, Any]] = {}
    merged_into = {lid: name for lid, name in session.connection().execute(select(Leader.id, Leader.name))}
    for leader in session.scalars(select(Leader).order_by(Leader.name)):
        if leader.retired_on is not None and not retired:
            continue
        rows[leader.name] = {"name": leader.name, "title": leader.title, "phone": leader.phone,
                             "projects": projects.get(leader.name, 0),
                             "former_names": [n for n in leader.former.split(LIST_SEP) if n],
                             "registered": True, "retired_on": leader.retired_on,
                             "merged_into": merged_into.get(leader.merged_into)}
    for name, n in projects.items():
        rows.setdefault(name, {"name": name, "title": None, "phone": None, "projects": n, "former_names": [],
                               "registered": False, "retired_on": None, "merged_into": None})
    return [rows[name] for name in sorted(rows)]


def add_leader(session: Session, ctx: Ctx, name: str, *, title: str | None = None, phone: str | None = None) -> Leader:
    """Keep a leader (with title and phone); a name the office keeps already, or had before, is refused."""
    name = clean_leader_name(name)
    alike = match_name(name, session.scalars(select(Leader.name)).all())  # 张 三 is 张三
    if alike is not None:
        raise InvalidValue(_("已有包保领导“{name}”").format(name=alike))
    former = former_names(session, "leader").get(name)
    if former is not None:
        raise InvalidValue(_("“{name}”是“{now}”的曾用名；{former}").format(name=name, now=former.now, former=former.message("包保领导")))
    leader = Leader(name=name, title=_optional("title", title), phone=_optional("phone", phone))
    session.add(leader)
    session.flush()
    changelog.log_insert(session, ctx, "leader", leader.id,
                         {k: v for k, v in (("name", name), ("title", leader.title), ("phone", leader.phone)) if v},
                         key=name)
    return leader


def _kept(session: Session, ctx: Ctx, name: str) -> Leader:
    """The leader's row, made (and logged) when only projects carried the name so far."""
    return _row(session, name) or add_leader(session, ctx, name)


def _move_projects(session: Session, ctx: Ctx, old: str, new: str, on: date) -> list[str]:
    """Every project whose leader is `old` gets `new`, through `registry.edit_project` on `on`; their codes."""
    dated = replace(ctx, as_of=on)
    codes = list(session.scalars(select(Project.code).where(Project.leader == old).order_by(Project.code)))
    for code in codes:
        registry.edit_project(session, dated, code, {"leader": new})
    return codes


def rename_leader(session: Session, ctx: Ctx, old: str, new: str, on: date | None = None) -> list[str]:
    """A leader's name changes from `on` (default: the as-of date) on every project (earlier reports keep the
    old name); the old name is remembered for imports. Returns the projects' codes."""
    on = effective(ctx, on)
    current = find_leader(session, old)
    new_name = clean_leader_name(new)
    if new_name == current:
        raise InvalidValue(_("包保领导已叫“{name}”").format(name=new_name))
    if _row(session, new_name) is not None or new_name in _on_projects(session):
        raise InvalidValue(_("已有包保领导“{new}”；如是同一人，请用 leader merge {current} {new}").format(
            new=new_name, current=current))
    leader = _kept(session, ctx, current)
    formers = [n for n in leader.former.split(LIST_SEP) if n and n != new_name]  # renamed back: no longer former
    old_values = {"name": leader.name, "former": leader.former}
    leader.name, leader.former = new_name, LIST_SEP.join([*formers, current])[:200]
    session.flush()
    changelog.log_update(session, ctx, "leader", leader.id, old_values,
                         {"name": leader.name, "former": leader.former, "renamed_on": on}, key=new_name)
    return _move_projects(session, ctx, current, new_name, on)


def merge_leaders(session: Session, ctx: Ctx, a: str, b: str, on: date | None = None) -> list[str]:
    """Leader `a`'s projects go to leader `b` from `on` (default: the as-of date), earlier reports keeping `a`;
    `a` is then retired, its name finding `b` in imports. Returns the projects' codes."""
    on = effective(ctx, on)
    gone, into = find_leader(session, a), find_leader(session, b)
    if gone == into:
        raise InvalidValue(_("“{a}”和“{b}”是同一位包保领导“{gone}”").format(a=a, b=b, gone=gone))
    codes = _move_projects(session, ctx, gone, into, on)
    target = _kept(session, ctx, into)
    row = _kept(session, ctx, gone)
    row.retired_on, row.merged_into = on, target.id
    session.flush()
    changelog.log_update(session, ctx, "leader", row.id, {"retired_on": None, "merged_into": None},
                         {"retired_on": on, "merged_into": into}, key=gone)
    return codes
