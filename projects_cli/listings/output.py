"""Listings to stdout as an aligned table, JSON or CSV (xlsx is written by the reports that offer it).

Table columns are aligned by display width, so Chinese text (two columns a
character) lines up in a terminal. JSON keys are stable, dates ISO, money an
exact number.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
import unicodedata
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import repeat
from typing import Any, Iterable, Iterator, Mapping, Sequence


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def width(text: str) -> int:
    """Terminal columns the text takes: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


# A long cell wraps after a clause (；), else a phrase (，、), else a word, when that leaves a third of the line.
BREAKS = ("；;。", "，,、", " ")


def wrap(text: str, size: int) -> list[str]:
    """`text` as lines of at most `size` terminal columns, every character kept: a table cell wraps, it is
    never cut (a card's reasons are read whole). Line breaks in the text are kept."""
    if "\n" not in text and (len(text) * 2 <= size or width(text) <= size):
        return [text]
    out = []
    for part in text.split("\n"):
        line, used = "", 0
        for ch in part:
            w = width(ch)
            if used + w > size and line:
                cut = next((c for marks in BREAKS if width(line[:(c := max(line.rfind(m) for m in marks) + 1)]) > size // 3),
                           len(line))
                out.append(line[:cut].rstrip())
                line = line[cut:].lstrip()
                used = width(line)
            line += ch
            used += w
        out.append(line)
    return out


_HANG = re.compile(r"(\s*(?:> )?(?:\d+\. |[-*•] )?)")


def fitted_prose(text: str) -> str:
    """Running text for a terminal (`TABLE_WIDTH` set): a line wider than the terminal wraps, its continuation
    lines indented under its text (under "> 1. " for a quoted list item); off a terminal, as it is."""
    fit = TABLE_WIDTH.get()
    if fit is None:
        return text
    out = []
    for line in text.split("\n"):
        if width(line) <= fit:
            out.append(line)
            continue
        lead = _HANG.match(line).group(1)
        hang = (lead[:lead.index("> ") + 2] if "> " in lead else "") + " " * (width(lead) - (2 if "> " in lead else 0))
        room = max(fit - width(lead), NARROWEST)
        parts = wrap(line[len(lead):], room)
        out.append(lead + parts[0])
        out.extend(hang + part for part in parts[1:])
    return "\n".join(out)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(cell_text(v) for v in value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)



def render_fields(row: Mapping[str, Any], labels) -> str:
    """One record as "label  value" lines, the labels padded to one width (`show` of a project, a unit, a lead,
    a meeting); ``labels``: (key, label) pairs or a dict of them."""
    pairs = list(labels.items()) if isinstance(labels, Mapping) else list(labels)
    size = max((width(label) for _, label in pairs), default=0)
    fit = TABLE_WIDTH.get()
    room = max(fit - size - 2, NARROWEST) if fit is not None else None
    lines = []
    for key, label in pairs:  # on a terminal a long value wraps under itself
        parts = wrap(cell_text(row.get(key)), room) if room is not None else [cell_text(row.get(key))]
        lines.append(f"{pad(label, size)}  {parts[0]}")
        lines.extend(" " * (size + 2) + part for part in parts[1:])
    return "\n".join(lines)


def format_decimal(value: Decimal) -> str:
    """85000, 48800, 2.5 — no trailing zeros, no exponent."""
    if value == value.to_integral():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    from projects_cli.listings.rows import Rows

    if isinstance(value, Rows):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    """`data` as indented JSON. A listing (flat rows with the same keys) is written column by
    column (`_field_json`): the same text as `json.dumps(…, indent=2)`, many times faster on
    100,000 rows."""
    if isinstance(data, list) and data and all(type(r) is dict for r in data):
        keys = list(data[0])
        if keys and all(map(keys.__eq__, map(list, data))):
            columns = list(zip(*map(operator.itemgetter(*keys), data))) if len(keys) > 1 else [[r[keys[0]] for r in data]]
            nested = (dict, list, tuple, set)
            if not any(issubclass(t, nested) for column in columns for t in set(map(type, column))):
                rows = map(",\n    ".join, zip(*map(_field_json, keys, columns)))
                return "[\n  {\n    " + "\n  },\n  {\n    ".join(rows) + "\n  }\n]"
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_default)


def _field_json(field: str, values: Sequence[Any]) -> Iterator[str]:
    """'"field": value' of each value, as `json.dumps` writes a dict; each distinct value encoded once.

    Made as they are taken (zipped row by row by the callers): a 100,000-row listing never holds
    every field's text at once."""
    prefix = json.dumps(field, ensure_ascii=False) + ": "
    types = set(map(type, values))
    if types == {str}:
        return map(prefix.__add__, map(json.encoder.encode_basestring, values))  # type: ignore[attr-defined]
    try:
        distinct = set(values)
    except TypeError:  # dicts, lists
        distinct = None
    # equal values of one type write the same JSON (Decimal("-0.0") and Decimal("0.00") write 0),
    # but not of two (True == 1 == 1.0), nor floats (0.0 == -0.0)
    if distinct is None or len(types - {type(None)}) > 1 or float in types:
        return (prefix + json.dumps(v, ensure_ascii=False, default=json_default) for v in values)
    text = {v: prefix + json.dumps(v, ensure_ascii=False, default=json_default) for v in distinct if type(v) is not str}
    strings = [v for v in distinct if type(v) is str]
    encoded = map(json.encoder.encode_basestring, strings)  # type: ignore[attr-defined]
    text.update(zip(strings, map(prefix.__add__, encoded)))
    return map(text.__getitem__, values)


def json_lines(rows: Sequence[dict[str, Any]]) -> Iterator[str]:
    """Each row as one line of JSON, as `json.dumps(row, ensure_ascii=False)` writes it.

    `rows.Rows` are encoded part by part, each distinct part once (and kept on
    the part for other listings sharing it): a few lookups a row instead of
    encoding every field of every row.
    """
    from projects_cli.listings.rows import Rows

    if not isinstance(rows, Rows):
        return map(json.JSONEncoder(ensure_ascii=False, default=json_default).encode, rows)
    pieces = [(part, keys) for part, keys in zip(rows.parts, rows.keys) if part.fields]
    if not len(rows) or not pieces:
        return iter(["{}"] * len(rows))
    columns = []
    for n, (part, keys) in enumerate(pieces):
        # the first part opens the row's braces, the last closes them
        where = ("{" if n == 0 else "", "}" if n == len(pieces) - 1 else "")
        if where not in part.json:  # every key of the part at once: cheaper than finding the ones used
            fields = map(", ".join, zip(*map(_field_json, part.fields, zip(*part.values.values()))))
            part.json[where] = dict(zip(part.values, map(where[0].__add__, map(str.__add__, fields, repeat(where[1])))))
        columns.append(map(part.json[where].__getitem__, keys))
    return map(", ".join, zip(*columns))


# The terminal's width when tables are fitted to it (stdout is a terminal, or COLUMNS is set, and no --wide);
# None: tables as wide as their text (a pipe, a file). Set once per command by the root command.
TABLE_WIDTH: ContextVar[int | None] = ContextVar("table_width", default=None)
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")
NARROWEST = 6  # a text column is not wrapped narrower than this (or its header's longest word)
GAP = 2


def header_lines(header: str, size: int) -> list[str]:
    """A header on lines of at most `size` columns, broken only between words ("Working days late" on two
    lines; a Chinese header, one word, stays whole)."""
    lines: list[str] = []
    for word in header.split(" "):
        if lines and width(lines[-1]) + 1 + width(word) <= size:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def render_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], max_width: int = 40,
                 optional: Sequence[str] = ()) -> str:
    """rows → an aligned text table with the given (key, header) columns; a cell wider than `max_width`
    columns wraps onto the lines below (`wrap`), so nothing in it is lost.

    Fitted to `TABLE_WIDTH` when set: the `optional` columns (keys, the first dropped first) are left out
    while the table is too wide, then the widest columns wrap narrower (text at any character, a header
    between its words, a number never); a table that still cannot fit (too many columns for the terminal)
    is printed whole rather than cut."""
    fit = TABLE_WIDTH.get()
    columns = list(columns)
    body = [[wrap(cell_text(r.get(k)), max_width) for k, _ in columns] for r in rows]

    def measure() -> list[int]:
        return [max([width(h)] + [width(part) for cells in body for part in cells[i]]) for i, (_, h) in enumerate(columns)]

    widths = measure()
    if fit is not None:
        for key in optional:
            if sum(widths) + GAP * (len(widths) - 1) <= fit:
                break
            at = next((i for i, (k, _) in enumerate(columns) if k == key), None)
            if at is not None:
                del columns[at], widths[at]
                for cells in body:
                    del cells[at]
        numeric_at = {i for i, (k, _) in enumerate(columns)
                      if rows and all(isinstance(r.get(k), (int, float, Decimal)) or r.get(k) is None for r in rows)}
        # a date is never broken either (2025-10-31 stays on its line): such a column is kept as wide as its dates
        numeric_at |= {i for i, (k, _) in enumerate(columns)
                       if rows and all(isinstance(r.get(k), date) or r.get(k) in (None, "")
                                       or (isinstance(r.get(k), str) and _ISO_DAY.fullmatch(r.get(k))) for r in rows)}
        # a column wraps no narrower than its header's longest word, nor a number or date column than its values
        floors = [max(NARROWEST if i not in numeric_at else 1, *(width(w) for w in h.split(" ")),
                      *((width(part) for cells in body for part in cells[i]) if i in numeric_at else ()))
                  for i, (_, h) in enumerate(columns)]
        stuck: set[int] = set()  # columns that wrap no narrower (one long word)
        while (excess := sum(widths) + GAP * (len(widths) - 1) - fit) > 0:
            wide = [i for i in range(len(columns)) if i not in stuck and widths[i] > floors[i]]
            if not wide:
                break
            # the widest wraps down to the next widest (or, among equals, by its share of what is too much)
            ordered = sorted(wide, key=lambda n: -widths[n])
            i, top = ordered[0], widths[ordered[0]]
            second = widths[ordered[1]] if len(ordered) > 1 else floors[i]
            ties = sum(1 for n in wide if widths[n] == top)
            step = top - second if top > second else -(-excess // ties)
            limit = max(floors[i], top - min(step, excess))
            if i not in numeric_at:
                for n, r in enumerate(rows):
                    body[n][i] = wrap(cell_text(r.get(columns[i][0])), limit)
            new = max([width(line) for line in header_lines(columns[i][1], limit)]
                      + [width(part) for cells in body for part in cells[i]])
            if new >= widths[i]:
                stuck.add(i)
            widths[i] = min(new, widths[i])
    headers = [header_lines(h, widths[i]) if width(h) > widths[i] else [h] for i, (_, h) in enumerate(columns)]
    numeric = [all(isinstance(r.get(k), (int, float, Decimal)) or r.get(k) is None for r in rows) and rows for k, _ in columns]
    lines = ["  ".join(pad(h[n] if n < len(h) else "", widths[i]) for i, h in enumerate(headers)).rstrip()
             for n in range(max(map(len, headers), default=1))]
    lines.append("  ".join("-" * w for w in widths))
    for cells in body:
        for n in range(max(map(len, cells), default=1)):
            lines.append("  ".join(pad(c[n] if n < len(c) else "", widths[i], bool(numeric[i]))
                                   for i, c in enumerate(cells)).rstrip())
    return "\n".join(lines)


# What a spreadsheet reads as the start of a formula when it opens a CSV file (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell: text that a spreadsheet would take for a formula gets a leading ' (OWASP's rule).

    Numbers are written as numbers (-12.5 stays -12.5): a cell that is a number
    and nothing else cannot hold a formula, and the office sums these columns.
    Only text is neutralised, whatever it looks like ("-5" typed in a name is text).
    """
    text = cell_text(value)
    if text.startswith(FORMULA_STARTS) and not isinstance(value, (int, float, Decimal)):
        return "'" + text
    return text


# CSV headers: "zh" (the default: the columns' Chinese names, after a UTF-8 byte-order mark, which is what
# Excel on Chinese Windows needs to open the file right, and what `ledger import` reads back) or "en" (the
# JSON keys and no mark, for scripts). Set once per command from --csv-headers.
CSV_HEADERS: ContextVar[str] = ContextVar("csv_headers", default="zh")
BOM = "\ufeff"


def render_csv(rows: Iterable[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """CSV of `rows` with a header row as `CSV_HEADERS` says (Chinese names after a BOM, or the keys)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if CSV_HEADERS.get() == "en":
        writer.writerow([csv_cell(k) for k, _ in columns])
    else:
        buf.write(BOM)
        writer.writerow([csv_cell(label or key) for key, label in columns])
    for r in rows:
        writer.writerow([csv_cell(r.get(k)) for k, _ in columns])
    return buf.getvalue()


# Characters a terminal obeys instead of showing: C0 controls but tab and newline, DEL, C1 controls
# (ESC starts sequences that retitle the window or write hidden links, BEL rings, CR overwrites the line),
# the bidirectional controls (U+202E shows text backwards), line and paragraph separators, and lone
# surrogates (an argument that was not UTF-8), which cannot be written at all.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would obey written as a visible \\uXXXX escape.

    Used for everything printed (stdout and stderr). In JSON the escape is the
    JSON escape of the same character, so JSON printed this way reads back unchanged.
    """
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[tuple[str, str]], json_rows=None,
           optional: Sequence[str] = ()) -> str:
    """One listing in the chosen format; JSON carries every key of `json_rows` (default `rows`); a table
    too wide for the terminal leaves out the `optional` columns first (`render_table`)."""
    fmt = getattr(fmt, "value", fmt)
    if fmt == "json":
        return to_json(list(json_rows if json_rows is not None else rows))
    if fmt == "csv":
        return render_csv(rows, columns).rstrip("\n")
    if fmt == "table":
        return render_table(rows, columns, optional=optional)
    raise ValueError(f"unhandled format {fmt!r}")


def shown_columns(columns: Sequence[tuple[str, str]], fmt: Any = "table") -> list[tuple[str, str]]:
    """`columns` with their labels (marked ``N_()`` where defined) in the interface's language for a terminal
    table; a CSV keeps them as written (Chinese: files are for the office's Excel)."""
    from projects_cli.i18n import _

    if getattr(fmt, "value", fmt) == "csv":
        return list(columns)
    return [(key, _(label)) for key, label in columns]


def shown_values(rows: Sequence[Mapping[str, Any]], *keys: str) -> list[dict[str, Any]]:
    """`rows` with the values of `keys` (labels marked ``N_()``: a state, a status) in the interface's language,
    for a terminal table; a file keeps the office's words."""
    from projects_cli.i18n import _

    return [{**row, **{key: _(row[key]) for key in keys if isinstance(row.get(key), str) and row[key]}} for row in rows]
