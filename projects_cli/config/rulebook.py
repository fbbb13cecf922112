"""The rules file (TOML): overdue tiers, card thresholds, flag weights, issue deadlines.

Shipped defaults live in `data/rules.toml`. An office file names only what it
changes: a table it gives is merged key by key into the defaults, any other
value replaces the default's. Both files are read through `config.schema`
against `RULES` (each key's kind and range), then the rules that tie keys
together are checked on the merged result (a yellow threshold above its red
one, flag weights that add up to 0); a mistake is an error naming the file,
the line and the key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projects_cli.config.paths import home_dir, resource_dir
from projects_cli.config.schema import Choice, Flag, Items, Loc, Names, Number, Table, Text, Whole, read_toml
from projects_cli.errors import ConfigError
from projects_cli.i18n import _
from projects_cli.rules.scoring import COMPONENTS

LABEL = _("规则文件")
DEFAULT_FILE = "rules.toml"


def default_path() -> Path:
    return resource_dir("data") / DEFAULT_FILE


def resolve_path(explicit: Path | None) -> Path | None:
    """--rules, else rules.toml in the data folder, else None (the shipped defaults only)."""
    if explicit is not None:
        return explicit
    candidate = home_dir() / DEFAULT_FILE
    return candidate if candidate.exists() else None


def _tiers_in_order(tiers: list[dict[str, Any]], loc: Loc) -> None:
    limits = [t.get("max_days") for t in tiers]
    if limits[-1] is not None or any(m is None for m in limits[:-1]):
        loc.fail(_("除最后一档外每档都要写 max_days，最后一档不写"),
                 'tiers = [{ name = "一般逾期", max_days = 30 }, { name = "严重逾期" }]')
    if limits[:-1] != sorted(limits[:-1]):
        loc.fail(_("各档的 max_days 应从小到大"))


_COLOURS = Table({"red": Text('"红牌"'), "yellow": Text('"黄牌"'), "blue": Text('"蓝牌"')})

RULES = Table({
    "version": Text('"2025.1"'),
    "overdue": Table({
        "tiers": Items(Table({"name": Text('"一般逾期"'), "max_days": Whole(1)}, needed=("name",),
                             example='{ name = "一般逾期", max_days = 30 }'),
                       example='[{ name = "一般逾期", max_days = 30 }, { name = "严重逾期" }]', check=_tiers_in_order),
        "due_soon_days": Whole(0),
        "lookback_days": Whole(0),
    }),
    "period": Table({"kind": Choice(("monthly", "weekly"))}),
    "cards": Table({
        "lag_yellow_points": Number(0),
        "lag_red_points": Number(0),
        "start_red_days": Whole(0),
        "start_yellow_days": Whole(0),
        "milestone_red_days": Whole(0),
        "milestone_yellow_days": Whole(0),
        "issue_overdue_yellow": Flag(),
        "issue_listed_red": Flag(),
        "yellows_to_red": Whole(0),
        "red_steps_down": Flag(),
        "active_statuses": Names('["前期", "在建", "投产"]', needed=True, alone=False),
        "labels": _COLOURS,
        "meaning": _COLOURS,
        "consequence": _COLOURS,
    }),
    "flag": Table({
        "weights": Table({c: Number(0) for c in COMPONENTS}),
        "winners": Whole(1),
        "bottom": Whole(0),
        "score_helpers": Flag(),
    }),
    "issues": Table({
        "deadline_days": Table(extra=Whole(1)),  # urgency → working days; the office names its urgencies
        "escalate_key_after": Whole(0),
        "escalate_listed_after": Whole(0),
        "listed_on_second_miss": Flag(),
        "listed_deadline_days": Whole(0),
        "remind_workdays": Whole(0),
    }),
    "leads": Table({"follow_days": Whole(1)}),
    "notify": Table({"horizon_workdays": Whole(0, 60)}),
})

# (lower, higher): a yellow threshold above its red one, or 重点督办 after 挂牌督办, could never fire.
_ORDERED = (
    (("cards", "lag_yellow_points"), ("cards", "lag_red_points")),
    (("cards", "start_yellow_days"), ("cards", "start_red_days")),
    (("cards", "milestone_yellow_days"), ("cards", "milestone_red_days")),
    (("issues", "escalate_key_after"), ("issues", "escalate_listed_after")),
)


def _merged(base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in given.items():
        out[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


def _check_together(data: dict[str, Any], loc: Loc) -> None:
    """The rules that tie keys together, on the merged rules (the line is the office file's, where it wrote the key)."""
    for lower, higher in _ORDERED:
        if data[lower[0]][lower[1]] > data[higher[0]][higher[1]]:
            loc.child(lower[0]).child(lower[1]).fail(
                _("不能大于 {higher}：{value} > {most}").format(higher=higher[1], value=data[lower[0]][lower[1]],
                                                              most=data[higher[0]][higher[1]]))
    if sum(data["flag"]["weights"].values()) <= 0:
        loc.child("flag").child("weights").fail(
            _("各项权重之和为 0，至少一项应大于 0"),
            "weights = { investment = 40, milestones = 30, issues = 20, ledger = 10 }")


@dataclass(frozen=True)
class Rules:
    data: dict[str, Any]
    version: str  # the file's `version` plus a short hash of its content
    path: Path | None

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, dotted: str) -> Any:
        value: Any = self.data
        for part in dotted.split("."):
            value = value[part]
        return value


def load_rules(explicit: Path | None = None) -> Rules:
    """The rules in force: the shipped defaults, overridden by the office's file if any."""
    defaults_raw, source = read_toml(default_path(), LABEL)
    data = RULES.read(defaults_raw, Loc(source))
    path = resolve_path(explicit)
    if path is not None:
        given, source = read_toml(path, LABEL)
        data = _merged(data, RULES.read(given, Loc(source)))
    _check_together(data, Loc(source))
    digest = hashlib.sha256(source.text.encode()).hexdigest()[:8]
    return Rules(data=data, version=f"{data.get('version', '?')}+{digest}", path=path)


def rules_problems(explicit: Path | None = None) -> tuple[Path | None, list[str]]:
    """The office's rules file in force (None: there is none, the defaults hold) and every problem in it,
    each naming its line (`config check`); a file that is not TOML at all is one problem."""
    path = resolve_path(explicit)
    if path is None:
        return None, []
    try:
        given, source = read_toml(path, LABEL)
    except ConfigError as exc:
        return path, [str(exc)]
    problems: list[str] = []
    checked = RULES.read(given, Loc(source, problems=problems))
    if not problems:
        defaults_raw, shipped = read_toml(default_path(), LABEL)
        Loc(source, problems=problems).collect(
            lambda: _check_together(_merged(RULES.read(defaults_raw, Loc(shipped)), checked), Loc(source)))
    return path, problems
