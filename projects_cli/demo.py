"""The demo (演示情景): the plan's projects brought to life as of a date, and demo problems played through the loop.

`projects init --sample` loads the plan (`sample.load_plan`), then `load_demo`:
units, leaders, milestones and their re-plans, the year's plan and monthly
investment from `data/demo_scenario.toml`, and the problems of
`data/demo_issues.toml`, each step as of its own date and marked as demo data.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from projects_cli.config.paths import resource_dir
from projects_cli.config.settings import load_toml
from projects_cli.errors import InvalidValue
from projects_cli.services import issues, registry
from projects_cli.store.changelog import Ctx

DEMO_FILE = "demo_scenario.toml"
DEMO_ISSUES_FILE = "demo_issues.toml"


def demo_file() -> Path:
    return resource_dir("data") / DEMO_FILE


def demo_issues_file() -> Path:
    return resource_dir("data") / DEMO_ISSUES_FILE


def load_demo(session: Session, ctx: Ctx, path: Path | None = None) -> dict[str, int]:
    """Add the demo scenario (`data/demo_scenario.toml`) to the plan's projects; returns what was added.

    Only what the plan does not state is added (unit, leader, status, milestones,
    the year's plan and monthly investment), each write marked as demo data and
    made as of its own date; entries dated after `ctx.as_of` are left out, so
    the demo reads as it stood on the as-of date. Then the hook for problems:
    `load_demo_issues` plays `data/demo_issues.toml` through the loop.
    """
    from dataclasses import replace
    from decimal import Decimal

    from projects_cli.rules.dates import month_end
    from projects_cli.services import investment, milestones

    path = path or demo_file()
    data = load_toml(path, "demo scenario file")
    label, year, plans_on = data["label"], int(data["year"]), data["plans_set_on"]
    ctx = replace(ctx, command=f"{ctx.command} (演示情景)".strip())
    at = lambda day: replace(ctx, as_of=day)  # noqa: E731 - each write as of its own date
    counts = dict.fromkeys(("projects", "milestones", "replans", "months", "issues"), 0)
    for index, spec in enumerate(data.get("project", []), 1):
        where = f"demo scenario file {path}, project {index}"
        try:
            project = registry.get_project(session, spec["code"])
        except KeyError as exc:
            raise InvalidValue(f"{where} lacks {exc.args[0]!r}") from None
        if project.name != spec.get("name"):
            raise InvalidValue(f"{where}: {project.code} is {project.name!r} in the registry, not {spec.get('name')!r}")
        notes = f"{project.notes}；{data['note']}" if project.notes else data["note"]
        # the scenario's units, leaders and statuses hold from its start (reports for its dates read them)
        registry.edit_project(session, at(min(plans_on, ctx.as_of)), project.code,
                              {"unit": spec["unit"], "leader": spec["leader"], "status": spec["status"], "notes": notes},
                              create_units=True)  # the scenario's units are its own
        counts["projects"] += 1
        if "plan" in spec:
            registry.set_annual_plan(session, at(plans_on), project.code, year, Decimal(spec["plan"]))
        for month, amount in enumerate(spec.get("completed", []), 1):
            if month_end(year, month) <= ctx.as_of:
                investment.set_month(session, at(month_end(year, month)), project, f"{year}-{month:02d}",
                                     Decimal(amount), label)
                counts["months"] += 1
        for m in spec.get("milestones", []):
            if plans_on > ctx.as_of:
                break
            milestones.set_planned(session, at(plans_on), project, m["kind"], m["planned"], label)
            counts["milestones"] += 1
            for replan in m.get("replans", []):
                if replan["on"] <= ctx.as_of:
                    milestones.set_planned(session, at(replan["on"]), project, m["kind"], replan["planned"],
                                           replan["reason"])
                    counts["replans"] += 1
            if "done" in m and m["done"] <= ctx.as_of:
                milestones.set_actual(session, at(m["done"]), project, m["kind"], m["done"])
    counts["issues"] = load_demo_issues(session, ctx)
    return counts


# ---------------------------------------------------------------- the demo's problems, played through the loop


def load_demo_issues(session: Session, ctx: Ctx, path: Path | None = None, rules: issues.IssueRules | None = None) -> int:
    """Play the demo problems of `data/demo_issues.toml` through the loop; returns how many issues.

    Every step (and every `sweeps` date) runs in date order, as of its own
    date and by `ctx.by`; steps dated after `ctx.as_of` are left out, so the
    demo reads as it stood on the as-of date. Units are created as needed.
    Needs the plan's projects (GX-0001 …) in the registry.
    """
    rules = rules or issues.default_rules()
    path = path or demo_issues_file()
    data = load_toml(path, "demo issues file")
    label = data.get("label", "")  # marks every demo problem's description as demo data
    plan: list[tuple[date, int, str, dict[str, Any], int]] = []  # (date, order, action, step, issue index)
    order = 0
    specs = data.get("issue", [])
    for index, spec in enumerate(specs):
        try:
            plan.append((spec["reported_on"], order, "report", spec, index))
            order += 1
            for step in spec.get("steps", []):
                plan.append((step["on"], order, step["do"], step, index))
                order += 1
        except KeyError as exc:
            raise InvalidValue(f"demo issues file {path}: issue {index + 1} lacks {exc.args[0]!r}") from None
    for day in data.get("sweeps", []):
        plan.append((day, order, "sweep", {}, -1))
        order += 1
    numbers: dict[int, str] = {}
    for day, _, action, step, index in sorted(plan, key=lambda t: (t[0], t[1])):
        if day > ctx.as_of:
            continue
        at = Ctx(by=ctx.by, as_of=day, now=ctx.now, command=ctx.command, run=ctx.run)
        if action == "report":
            description = (step.get("description") or "") + (f"（{label}）" if label else "")
            issue = issues.report_issue(
                session, at, step["project"], title=step["title"], category=step["category"],
                description=description or None, urgency=step.get("urgency", "一般"), rules=rules,
            )
            numbers[index] = issue.number
        elif action == "sweep":
            issues.sweep(session, at, rules)
        elif index in numbers:
            _demo_step(session, at, rules, numbers[index], action, step)
    return len(numbers)


def _demo_step(session: Session, ctx: Ctx, rules: issues.IssueRules, number: str, action: str, step: dict[str, Any]) -> None:
    text = step.get("text")
    if action == "accept":
        issues.accept_issue(session, ctx, number, text=text)
    elif action == "reject":
        issues.reject_issue(session, ctx, number, reason=text)
    elif action == "assign":
        issues.assign_issue(
            session, ctx, number, rules, unit=step["unit"], helpers=step.get("helpers", []),
            urgency=step.get("urgency"), due=step.get("due"), text=text, create_units=True,
        )
    elif action == "respond":
        issues.respond_issue(session, ctx, number, text=text)
    elif action == "resolve":
        issues.resolve_issue(session, ctx, number, text=text)
    elif action == "close":
        issues.close_issue(session, ctx, number, rules, text=text)
    elif action == "send-back":
        issues.send_back_issue(session, ctx, number, rules, reason=text, due=step.get("due"))
    elif action == "reopen":
        issues.reopen_issue(session, ctx, number, rules, reason=text, due=step.get("due"))
    elif action == "escalate":
        issues.escalate_issue(session, ctx, number, reason=text, level=step.get("level"), rules=rules)
    elif action in ("instruct", "consult", "follow"):
        issues.note_issue(session, ctx, number, action, text=text, who=step.get("who"))
    elif action == "lookback":
        issues.record_lookback(session, ctx, number, text=text)
    else:
        raise InvalidValue(f"demo issues file: unknown step {action!r}")
