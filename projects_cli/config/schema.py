"""One reader for the office's files: TOML read safely, then checked against a small typed schema.

A schema is a `Table` of key → kind: `Text`, `Whole`, `Number`, `Flag`, `Choice`,
`Dates`, `Years`, `Names`, `Items` (a list of one kind) or another `Table`.
`read_toml` reads a file (missing, a folder, not UTF-8, not TOML: a `ConfigError`);
`Table.read` returns the table cleaned (text stripped, dates as `date`, one name
as a list of one). Every mistake — an unknown key, a wrong type, a value out of
range, a missing key — is a `ConfigError` naming the file, the line, the table
and the key, Chinese first with the English beside::

    配置文件 /srv/office/config.toml 第 2 行 [calendar] holiday：未知的键（unknown key）；可用的键 known keys：holidays, workdays, known_years

Imports only the standard library, `errors` and `values`.
"""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Mapping, NoReturn, Protocol, Sequence

from projects_cli.errors import ConfigError
from projects_cli.i18n import _
from projects_cli.values import clean_text


@dataclass(frozen=True)
class Source:
    """A file as read: what the office calls it (配置文件, 规则文件), its path and its text (for line numbers)."""

    label: str
    path: Path | None = None
    text: str = ""


# No config, rules or template file the office writes comes near this.
MAX_FILE_BYTES = 1_000_000


def read_limited(path: Path, where: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them; anything else is a `ConfigError` saying why.

    Opened without blocking and checked on the open file, so a FIFO cannot hang
    the command and /dev/zero cannot fill the memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigError(_("{where} 不存在").format(where=where)) from None
    except IsADirectoryError:
        raise ConfigError(_("{where} 是文件夹，不是文件").format(where=where)) from None
    except OSError as exc:
        raise ConfigError(_("{where} 无法读取（{reason}）").format(where=where, reason=exc.strerror)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise ConfigError(_("{where} 是文件夹，不是文件").format(where=where))
        raise ConfigError(_("{where} 不是普通文件（是管道或设备）").format(where=where))
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise ConfigError(_("{where} 无法读取（{reason}）").format(where=where, reason=exc.strerror)) from None
    if len(data) > limit:
        raise ConfigError(_("{where} 超过 {limit:,} 字节，不像是这个文件").format(where=where, limit=limit))
    return data


def read_toml(path: Path, label: str) -> tuple[dict[str, Any], Source]:
    """The file's tables and its `Source`; a file that cannot be read as TOML is a `ConfigError` saying why."""
    where = f"{label} {path}"
    raw = read_limited(Path(path), where)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # Notepad saves UTF-8 with a BOM
    except UnicodeDecodeError:
        raise ConfigError(_("{where} 不是 UTF-8 文本；请另存为 UTF-8").format(where=where)) from None
    return parse_toml(text, path, label)


def parse_toml(text: str, path: Path, label: str) -> tuple[dict[str, Any], Source]:
    """`read_toml` of text already in hand (e.g. a file about to be written, `path` its name)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{label} {path} 不是有效的 TOML（{reason}）").format(label=label, path=path, reason=exc)) from None
    return data, Source(label, Path(path), text)


def _key_pattern(key: str) -> str:
    """A key as written in TOML: bare or quoted, at the start of a line, after `{`, `,` or a dot."""
    return r"(?:^|[\s{,.])[\"']?" + re.escape(key) + r"[\"']?\s*[=.]"


@dataclass(frozen=True)
class Loc:
    """Where a value sits: the file, then its keys (a list item as its 1-based position)."""

    source: Source
    keys: tuple[str | int, ...] = ()
    # where a `Table` collects its keys' errors and goes on (`config check`: every problem at once);
    # None: the first error is raised
    problems: list[str] | None = field(default=None, compare=False)

    def child(self, key: str | int) -> Loc:
        return Loc(self.source, (*self.keys, key), self.problems)

    def collect(self, read: Callable[[], Any]) -> Any:
        """`read()`; with `problems`, its error is noted there and None returned instead."""
        try:
            return read()
        except ConfigError as exc:
            if self.problems is None:
                raise
            self.problems.append(str(exc))
            return None

    def name(self, table: bool = False) -> str:
        """`[cards] lag_red_points`, `[overdue] tiers 第 2 项 max_days`, `[calendar]` for a table itself."""
        head: list[str] = []
        for key in self.keys:
            if not isinstance(key, str):
                break
            head.append(key)
        tail = self.keys[len(head):]
        if not head:
            return ""
        if table and not tail:
            return f"[{'.'.join(head)}]"
        text = (f"[{'.'.join(head[:-1])}] " if len(head) > 1 else "") + head[-1]
        for key in tail:
            text += _(" 第 {number} 项").format(number=key) if isinstance(key, int) else f" {key}"
        return text

    def line(self) -> int | None:
        """The line the value is written on (best effort: the table's header, then the key below it)."""
        lines = self.source.text.splitlines()
        names: list[str] = []
        for key in self.keys:
            if not isinstance(key, str):
                break
            names.append(key)
        if not lines or not names:
            return None
        start, end, rest = 0, len(lines), names
        for size in range(len(names), 0, -1):
            header = re.compile(r"^\s*\[\[?\s*" + r"\s*\.\s*".join(f"[\"']?{re.escape(n)}[\"']?" for n in names[:size])
                                + r"\s*\]")
            found = next((n for n, text in enumerate(lines) if header.match(text)), None)
            if found is not None:
                start, rest = found, names[size:]
                end = next((n for n in range(found + 1, len(lines)) if lines[n].lstrip().startswith("[")), len(lines))
                if not rest:
                    return found + 1
                break
        at = start
        for key in rest:
            pattern = re.compile(_key_pattern(key))
            hit = next((n for n in range(at, end) if pattern.search(lines[n])), None)
            if hit is None:
                return None
            at = hit
        return at + 1

    def where(self, table: bool = False) -> str:
        """规则文件 /p/rules.toml 第 3 行 [cards] lag_red_points"""
        text = self.source.label
        if self.source.path is not None:
            text += f" {self.source.path}"
        number = self.line()
        if number is not None:
            text += _(" 第 {number} 行").format(number=number)
        name = self.name(table)
        return f"{text} {name}" if name else text

    def fail(self, problem: str, example: str = "", more: str = "", table: bool = False) -> NoReturn:
        """Raise the error: where, what is wrong (a message already in the interface's language), an example of
        what is right."""
        message = _("{where}：{problem}").format(where=self.where(table), problem=problem)
        if example:
            message += _("，例如 {example}").format(example=example)
        raise ConfigError(message + more)


def shown(value: Any) -> str:
    """A wrong value as the error quotes it (true/false as TOML writes them, long ones cut)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _key(loc: Loc) -> str:
    last = loc.keys[-1] if loc.keys else ""
    return str(last)


class Kind(Protocol):
    def read(self, value: Any, loc: Loc) -> Any: ...


@dataclass(frozen=True)
class Text:
    """Text, stripped (`exact`: as written, for a password); `empty` allows "", `longest` caps the length."""

    example: str = ""
    empty: bool = False
    longest: int | None = None
    exact: bool = False

    def read(self, value: Any, loc: Loc) -> str:
        example = f"{_key(loc)} = {self.example}" if self.example else ""
        if not isinstance(value, str):
            loc.fail(_("应为文字，不能是 {value}").format(value=shown(value)), example)
        text = value if self.exact else value.strip()
        if not text and not self.empty:
            loc.fail(_("不能为空"), example)
        if self.longest is not None and len(text) > self.longest:
            loc.fail(_("{value} 超过 {most} 个字").format(value=shown(text), most=self.longest))
        return text


@dataclass(frozen=True)
class Whole:
    """A whole number (not true/false) from `least` up, to `most` when given."""

    least: int = 0
    most: int | None = None

    def read(self, value: Any, loc: Loc) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < self.least or (
                self.most is not None and value > self.most):
            if self.most is None:
                loc.fail(_("应为 ≥ {least} 的整数，不能是 {value}").format(least=self.least, value=shown(value)))
            loc.fail(_("应为 {least} 到 {most} 之间的整数，不能是 {value}").format(
                least=self.least, most=self.most, value=shown(value)))
        return value


@dataclass(frozen=True)
class Number:
    """A finite number (whole or decimal, not true/false) ≥ `least`, or above it when `above`."""

    least: float = 0
    above: bool = False

    def read(self, value: Any, loc: Loc) -> int | float:
        ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
              and (value > self.least if self.above else value >= self.least))
        if not ok:
            if self.above:
                loc.fail(_("应为大于 {least:g} 的数，不能是 {value}").format(least=self.least, value=shown(value)))
            loc.fail(_("应为 ≥ {least:g} 的数，不能是 {value}").format(least=self.least, value=shown(value)))
        return value


@dataclass(frozen=True)
class Flag:
    def read(self, value: Any, loc: Loc) -> bool:
        if not isinstance(value, bool):
            loc.fail(_("应为 true 或 false，不能是 {value}").format(value=shown(value)))
        return value


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    def read(self, value: Any, loc: Loc) -> str:
        if value not in self.options or not isinstance(value, str):
            loc.fail(_("应为 {choices} 之一，不能是 {value}").format(choices='、'.join(self.options), value=shown(value)))
        return value


def _a_list(value: Any, loc: Loc, problem: str, example: str) -> list[Any]:
    if not isinstance(value, list):
        loc.fail(problem, f"{_key(loc)} = {example}")
    return value


@dataclass(frozen=True)
class Dates:
    """A list of dates, each a TOML date (2027-01-01) or ISO text ("2027-01-01")."""

    def read(self, value: Any, loc: Loc) -> list[date]:
        out = []
        for number, item in enumerate(_a_list(value, loc, _("应为日期列表"), '["2027-01-01"]'), 1):
            if isinstance(item, str):
                try:
                    item = date.fromisoformat(item.strip())
                except ValueError:
                    loc.child(number).fail(_("{value} 不是日期，请写成 YYYY-MM-DD").format(value=shown(item)),
                                           '"2027-01-01"')
            if not isinstance(item, date) or isinstance(item, datetime):
                loc.child(number).fail(_("{value} 不是日期").format(value=shown(item)), '"2027-01-01"')
            out.append(item)
        return out


@dataclass(frozen=True)
class Years:
    """A list of years such as [2027]."""

    def read(self, value: Any, loc: Loc) -> list[int]:
        items = _a_list(value, loc, _("应为年份列表"), "[2027]")
        return [Whole(1900, 2100).read(item, loc.child(number)) for number, item in enumerate(items, 1)]


@dataclass(frozen=True)
class Names:
    """A list of names, as `values.clean_text` cleans them, each kept once.

    `needed`: the list cannot be empty; `distinct`: a name given twice is an error
    rather than kept once; `longest` caps a name's length; `alone`: one name
    without brackets is taken as a list of one.
    """

    example: str = '["现代物流"]'
    needed: bool = False
    distinct: bool = False
    longest: int | None = None
    alone: bool = True

    def read(self, value: Any, loc: Loc) -> list[str]:
        if isinstance(value, str) and self.alone:
            value = [Text(self.example).read(value, loc)]
        items = _a_list(value, loc, _("应为名称列表"), self.example)
        if self.needed and not items:
            loc.fail(_("不能为空"), f"{_key(loc)} = {self.example}")
        names: list[str] = []
        text = Text(longest=self.longest)
        for number, item in enumerate(items, 1):
            name = clean_text(text.read(item, loc.child(number)))
            if name in names:
                if self.distinct:
                    loc.child(number).fail(_("{value} 重复").format(value=shown(name)))
                continue
            names.append(name)
        return names


@dataclass(frozen=True)
class Items:
    """A list whose items are all of one kind; `check` looks at the list as a whole."""

    item: Kind
    example: str = ""
    needed: bool = True
    check: Callable[[list[Any], Loc], None] | None = None

    def read(self, value: Any, loc: Loc) -> list[Any]:
        items = _a_list(value, loc, _("应为列表"), self.example)
        if self.needed and not items:
            loc.fail(_("不能为空"), f"{_key(loc)} = {self.example}")
        out = [self.item.read(item, loc.child(number)) for number, item in enumerate(items, 1)]
        if self.check is not None:
            self.check(out, loc)
        return out


@dataclass(frozen=True)
class Table:
    """A table of known keys, each of its kind; `extra` takes keys the office names itself (all of one kind).

    A key neither known nor taken by `extra` is an error listing the known keys;
    a key in `needed` must be there; `check` looks at the keys together.
    """

    keys: Mapping[str, Kind] = field(default_factory=dict)
    extra: Kind | None = None
    needed: Sequence[str] = ()
    example: str = ""
    check: Callable[[dict[str, Any], Loc], None] | None = None

    def read(self, value: Any, loc: Loc) -> dict[str, Any]:
        if not isinstance(value, dict):
            loc.fail(_("应为表"), self.example, table=True)
        out: dict[str, Any] = {}
        failed = False
        for key, item in value.items():
            kind = self.keys.get(key, self.extra)
            if kind is None:
                inner = loc.child(key)
                is_table = isinstance(item, dict)
                word = _("未知的表") if is_table else _("未知的键")
                loc.collect(lambda: inner.fail(
                    word, more=_("；可用的键：{keys}").format(keys=', '.join(self.keys) or _('（无）')), table=is_table))
                failed = True
                continue
            problems = len(loc.problems or ())
            out[key] = loc.collect(lambda: kind.read(item, loc.child(key)))
            failed = failed or len(loc.problems or ()) > problems
        for key in self.needed:
            if key not in out and key not in value:
                loc.collect(lambda: loc.fail(_("缺少 {key}").format(key=key), self.example, table=True))
        if self.check is not None and not failed:  # the keys together, once each reads right
            loc.collect(lambda: self.check(out, loc))
        return out
