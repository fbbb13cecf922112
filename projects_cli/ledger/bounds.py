"""What a workbook declares, checked before python-calamine reads it: nothing is allocated by a declared size.

python-calamine builds a sheet as one dense block from its first used cell to
its last, about 32 bytes a cell, and reserves its shared-string table by the
count the file declares. So one cell at XFD10000 asks for gigabytes, and
``<sst uniqueCount="2000000000">`` aborts the process. Before a sheet is read,
its XML is streamed once (no tree is built) to find the last row and column
that hold a value, and refused when they exceed ``[limits]`` ledger_rows,
ledger_columns or ledger_cells (rows × columns); the shared-string count
must fit in its part; every part must inflate to the size its zip directory
declares, no more.

The scan is done by regular expressions over chunks of XML: the last cell
reference of a chunk gives a candidate last row (rows come in order), and one
search for a reference beyond the candidate (a pattern built for "greater
than") confirms it; only a file whose cells are out of order, or lack their
references, is looked at cell by cell.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projects_cli.i18n import _

CHUNK = 1 << 22  # bytes of sheet XML looked at a time
HEAD = 1 << 16  # bytes of a part read for its opening tag
# The smallest shared string an <sst> can hold (<si/>): a part of N bytes holds at most N / 5.
SMALLEST_STRING = 5
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"


class Refused(Exception):
    """A workbook out of bounds; `reader` turns it into its BadWorkbook (the message is complete)."""


@dataclass(frozen=True)
class Used:
    """The part of a sheet that holds values: last row and column, 0-based (-1: none)."""

    last_row: int = -1
    last_col: int = -1


def column_letters(index: int) -> str:
    """0 → A, 16383 → XFD."""
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = LETTERS[rest] + text
    return text


def column_index(letters: bytes | str) -> int:
    """A → 0, XFD → 16383."""
    number = 0
    for ch in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + LETTERS.index(ch) + 1
    return number - 1


def greater(text: str, alphabet: str, longest: int) -> str:
    """A regular expression matching the strings over `alphabet` (positional, no leading zero) above `text`.

    `text` is a row number (DIGITS) or column letters (LETTERS): longer is larger,
    of equal length the order is the alphabet's. `longest` bounds the length.
    """
    first = alphabet[1:] if alphabet == DIGITS else alphabet
    anyone = f"[{alphabet[0]}-{alphabet[-1]}]"
    options = []
    if len(text) < longest:
        options.append(f"[{first[0]}-{first[-1]}]{anyone}{{{len(text)},{longest - 1}}}")
    for i, ch in enumerate(text):
        above = alphabet[alphabet.index(ch) + 1:]
        if above:
            options.append(re.escape(text[:i]) + f"[{above[0]}-{above[-1]}]" + (f"{anyone}{{{len(text) - i - 1}}}"
                                                                               if i < len(text) - 1 else ""))
    return "|".join(options) or "(?!)"


# A cell (or row) reference holding a value: not self-closing (<c r="B7" s="2"/> is an empty styled cell).
_REF = re.compile(rb'r="([A-Z]{0,3})([0-9]{1,9})"[^>]*?(/?)>')
_CELL_COLUMNS = re.compile(rb'r="([A-Z]{1,3})[0-9]')


# (Possessive: letters and digits never give back what they matched, so a reference that is not past the
# range is left after one try; this is the scan's costliest step, once per cell of the sheet.)
def _row_search(last: int) -> re.Pattern[bytes]:
    return re.compile(rb'r="[A-Z]{0,3}+0*+(?:' + greater(str(last + 1), DIGITS, 9).encode() + rb')"[^>]*?(?<!/)>')


def _col_search(last: int) -> re.Pattern[bytes]:
    return re.compile(rb'r="(?:' + greater(column_letters(last), LETTERS, 3).encode() + rb')[0-9]++"[^>]*?(?<!/)>')


def _without_ref(tag: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A cell and a row tag not followed by its reference (<c> or <c s="1">: placed by their order)."""
    return re.compile(re.escape(tag) + rb'c(?! r=")'), re.compile(re.escape(tag) + rb'row(?! r=")')


_PREFIX = re.compile(rb"<(\w+:)?sheetData\b")


class SheetScan:
    """The used range of one sheet's XML, fed chunk by chunk (each ending after a '>')."""

    def __init__(self) -> None:
        self.last_row = -1
        self.last_col = -1
        self.rows_without_ref = 0
        self.widest_unreferenced = 0
        self._prefix: bytes | None = None
        self._row_at: tuple[int, re.Pattern[bytes]] | None = None
        self._col_at: tuple[int, re.Pattern[bytes]] | None = None
        self._bare: tuple[bytes, re.Pattern[bytes], re.Pattern[bytes]] | None = None  # see `_without_ref`

    def feed(self, chunk: bytes) -> None:
        if self._prefix is None and (found := _PREFIX.search(chunk)):
            self._prefix = b"<" + (found.group(1) or b"")
        tail = len(chunk)
        for _try in range(64):  # the last reference that holds a value (not an empty styled cell)
            tail = chunk.rfind(b'r="', 0, tail)
            match = _REF.match(chunk, tail) if tail >= 0 else None
            if match is not None and not match.group(3):
                self.last_row = max(self.last_row, int(match.group(2)) - 1)
                break
            if tail < 0:
                break
        if self._row_at is None or self._row_at[0] != self.last_row:
            self._row_at = (self.last_row, _row_search(self.last_row))
        if self._row_at[1].search(chunk):  # out of order (or the last reference is an empty cell): look at each
            for _letters, number, closed in _REF.findall(chunk):
                if not closed:
                    self.last_row = max(self.last_row, int(number) - 1)
        if self._col_at is None or self._col_at[0] != self.last_col:
            self._col_at = (self.last_col, _col_search(self.last_col))
        if self._col_at[1].search(chunk):
            seen = {letters for letters, _number, closed in _REF.findall(chunk) if letters and not closed}
            self.last_col = max(self.last_col, *map(column_index, seen)) if seen else self.last_col
        tag = self._prefix or b"<"
        if self._bare is None or self._bare[0] != tag:
            self._bare = (tag, *_without_ref(tag))
        _tag, bare_cell, bare_row = self._bare
        if bare_cell.search(chunk):  # perhaps cells placed by their order (or <col …>: looked at below)
            cell = re.compile(re.escape(tag) + rb"c[\s>/]")
            unreferenced = re.compile(re.escape(tag) + rb'c(?:>|/|\s(?![^>]*\br="))')
            for row in chunk.split(b"row>"):
                if unreferenced.search(row):
                    self.widest_unreferenced = max(self.widest_unreferenced, len(cell.findall(row)))
        if bare_row.search(chunk):
            self.rows_without_ref += len(re.findall(re.escape(tag) + rb'row(?:>|/|\s(?![^>]*\br="))', chunk))

    def used(self) -> Used:
        """The used range, widened by cells and rows placed by their order (an upper bound for those)."""
        last_col = self.last_col + self.widest_unreferenced
        last_row = self.last_row + self.rows_without_ref
        return Used(last_row, last_col) if last_col >= 0 else Used(last_row, 0 if last_row >= 0 else -1)


def stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Any:
    """The part's bytes in chunks, each ending after a '>'; Refused when it inflates past its declared size."""
    try:
        with zf.open(info) as fh:
            carry = b""
            while True:
                block = fh.read(CHUNK)
                if not block:
                    break
                block = carry + block
                cut = block.rfind(b">") + 1
                if cut == 0 and len(block) > 16 * CHUNK:
                    raise Refused(_("{where}：部分 {part} 不是表格数据").format(where=where, part=info.filename))
                carry = block[cut:]
                yield block[:cut]
            if carry:
                yield carry
            decompressor = getattr(fh, "_decompressor", None)
            if decompressor is not None and not getattr(decompressor, "eof", True):
                raise Refused(
                    _("{where}：部分 {part} 解压后超过它声明的 {size:,} 字节，文件被篡改或损坏，未打开").format(
                        where=where, part=info.filename, size=info.file_size)
                )
    except zipfile.BadZipFile as exc:
        raise Refused(_("{where}：文件已损坏（{reason}）；请对方重新发送").format(where=where, reason=exc)) from None


def scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Used:
    scan = SheetScan()
    for chunk in stream(zf, info, where):
        scan.feed(chunk)
    return scan.used()


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*>')


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {k.split(b":")[-1] if k != b"r:id" else k: v for k, v in _ATTR.findall(tag)}


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part (xl/worksheets/sheet1.xml), from xl/workbook.xml and its relationships."""
    names = set(zf.namelist())
    try:
        workbook = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attrs = _attrs(tag)
        target = html.unescape(attrs.get(b"Target", b"").decode("utf-8", "replace"))
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attrs.get(b"Id", b"")] = re.sub(r"[^/]+/\.\./", "", target)
    out = {}
    for tag in _SHEET.findall(workbook):
        attrs = _attrs(tag)
        rid = next((v for k, v in attrs.items() if k.endswith(b"id") and k != b"sheetId"), b"")
        name = html.unescape(attrs.get(b"name", b"").decode("utf-8", "replace"))
        if rid in targets:
            out[name] = targets[rid]
    return out


def check_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> None:
    """The shared-string count declared must fit in its part (python-calamine reserves room for that many)."""
    with zf.open(info) as fh:
        head = fh.read(HEAD)
    tag = re.search(rb"<(?:\w+:)?sst\b[^>]*>", head)
    if tag is None:
        return
    most = info.file_size // SMALLEST_STRING + 1
    for key in (b"uniqueCount", b"count"):
        found = re.search(rb"\b" + key + rb'="\s*([0-9]+)\s*"', tag.group(0))
        if found is None:
            continue
        declared = int(found.group(1)) if len(found.group(1)) < 20 else 10 ** 20
        if key == b"uniqueCount" and declared > most:
            raise Refused(
                _("{where}：共享字符串表声明有 {declared:,} 个字符串，但它的 {size:,} 字节最多装下 {most:,} 个，"
                  "文件被篡改或损坏，未打开；请用 Excel 另存后再导入").format(
                    where=where, declared=declared, size=info.file_size, most=most)
            )


def check_parts(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], where: str) -> None:
    """Every XML part but the sheets (checked when read) inflates to its declared size; the string count fits."""
    for info in infos:
        name = info.filename
        if name.startswith("xl/worksheets/") or not name.endswith((".xml", ".rels")):
            continue
        if name.endswith("sharedStrings.xml"):
            check_strings(zf, info, where)
        for _chunk in stream(zf, info, where):
            pass


@dataclass(frozen=True)
class Bounds:
    """The [limits] a sheet must keep to (see `reader.Limits`)."""

    rows: int
    columns: int
    cells: int


def check_used(used: Used, bounds: Bounds, where: str) -> None:
    """Refuse a used range beyond the limits, naming its last cell."""
    if used.last_row < 0:
        return
    rows, cols = used.last_row + 1, used.last_col + 1
    cell = f"{column_letters(max(used.last_col, 0))}{rows}"
    if rows > bounds.rows:
        raise Refused(_("{where} 用到第 {rows:,} 行（单元格 {cell}），超过允许的 {most:,} 行（[limits] ledger_rows）；"
                        "请删去表格以外的内容后另存").format(where=where, rows=rows, cell=cell, most=bounds.rows))
    if cols > bounds.columns:
        raise Refused(_("{where} 用到第 {cols:,} 列（单元格 {cell}），超过允许的 {most:,} 列（[limits] ledger_columns）；"
                        "请删去表格以外的内容后另存").format(where=where, cols=cols, cell=cell, most=bounds.columns))
    if rows * cols > bounds.cells:
        raise Refused(_("{where} 的范围 A1:{cell} 有 {cells:,} 个单元格，超过允许的 {most:,} 个（[limits] ledger_cells）；"
                        "请删去表格以外的内容，或把台账分成几个文件").format(where=where, cell=cell, cells=rows * cols,
                                                                        most=bounds.cells))


class Ranges:
    """The used ranges of sheets scanned before, by the digest of their file's bytes and the scanner's source.

    The same bytes have the same used range, so a ledger imported again (or a
    --dry-run before the import) is not scanned again: its range is checked
    against the limits in force as before, only not worked out twice. Kept in
    one small JSON file (`config.paths.cache_dir`), the latest MEMO_SIZE sheets;
    a memo that cannot be read or written is an empty one (the sheet is scanned).
    """

    MEMO_SIZE = 64

    def __init__(self, file: Path | None):
        self.file = file
        self._found: dict[str, list[int]] | None = None
        self._file_digest: tuple[Path, Any] | None = None

    @classmethod
    def default(cls) -> Ranges:
        from projects_cli.config.paths import cache_dir

        return cls(cache_dir() / "sheet-ranges.json")

    def key(self, path: Path, part: str) -> str:
        """The memo's key of one sheet part: the digest of the scanner's source, the file's bytes and the part."""
        if self._file_digest is None or self._file_digest[0] != path:
            digest = hashlib.blake2b(Path(__file__).read_bytes(), digest_size=16)
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    digest.update(block)
            self._file_digest = (path, digest)
        digest = self._file_digest[1].copy()
        digest.update(part.encode())
        return digest.hexdigest()

    def _load(self) -> dict[str, list[int]]:
        if self._found is None:
            self._found = {}
            try:
                found = json.loads(self.file.read_text("utf-8")) if self.file is not None else {}
            except (OSError, ValueError):
                found = {}
            if isinstance(found, dict):
                self._found = {k: v for k, v in found.items() if isinstance(v, list) and len(v) == 2
                               and all(type(n) is int for n in v)}
        return self._found

    def get(self, key: str) -> Used | None:
        found = self._load().get(key)
        return Used(*found) if found is not None else None

    def put(self, key: str, used: Used) -> None:
        found = self._load()
        found.pop(key, None)
        found[key] = [used.last_row, used.last_col]
        while len(found) > self.MEMO_SIZE:
            found.pop(next(iter(found)))
        if self.file is None:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.file.parent, prefix=".sheet-ranges-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(found, f)
            os.replace(temp, self.file)
        except OSError:
            pass  # (a memo only: the next import scans again)


def check_sheet(path: Path, name: str, bounds: Bounds, where: str, ranges: Ranges | None = None) -> None:
    """Refuse the sheet `name` of the .xlsx at `path` when its used range is beyond `bounds` (before it is read).
    `ranges`: the ranges scanned before (the sheet's XML is streamed only when its file is not among them)."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = sheet_parts(zf)
            part = parts.get(name)
            names = [part] if part else [n for n in zf.namelist() if n.startswith("xl/worksheets/")
                                         and n.endswith(".xml")]
            for item in names:
                try:
                    info = zf.getinfo(item)
                except KeyError:
                    continue
                key = ranges.key(path, item) if ranges is not None else ""
                used = ranges.get(key) if ranges is not None else None
                if used is None:
                    used = scan_sheet(zf, info, where)
                    if ranges is not None:
                        ranges.put(key, used)
                check_used(used, bounds, where)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(_("{where}：文件已损坏（{reason}）；请对方重新发送").format(where=where, reason=exc)) from None


def clip_merged(merged: list, last_row: int, last_col: int) -> list:
    """Merged ranges cut to the used range (a merge reaching XFD1048576 covers only cells that exist)."""
    out = []
    for (r0, c0), (r1, c1) in merged:
        if r0 > last_row or c0 > last_col:
            continue
        out.append(((r0, c0), (min(r1, last_row), min(c1, last_col))))
    return out


def merged_cells(merged: list) -> int:
    return sum((r1 - r0 + 1) * (c1 - c0 + 1) for (r0, c0), (r1, c1) in merged)

