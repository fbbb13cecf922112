"""Big listings kept compact: each row a few keys into shared parts, read as a dict on demand.

The overdue report on 100,000 projects has 150,000 rows of 14 fields, but most
fields repeat: a project's unit, leader, code and name on each of its rows, a
date's days late and tier on every row planned that day. `Rows` stores, per
part of a row (a run of its fields), one key per row and each distinct part
once. Reading a row joins its parts into a fresh dict; `output.json_lines`
encodes each distinct part once, so writing JSON costs a few lookups a row.
Whole columns are handled at a time (`map`, `zip`), which runs at C speed.
"""

from __future__ import annotations

import operator
from itertools import compress, repeat
from typing import Any, Hashable, Iterable, Iterator, Mapping, Sequence, overload


class Part:
    """A run of fields, and their values per key (a tuple, in the order of the fields); not to be
    changed once rows use it.

    `json` keeps what `output.json_lines` encoded (each key's fields as JSON
    text) for the next listing that shares this part.
    """

    __slots__ = ("fields", "values", "json")

    def __init__(self, fields: Sequence[str], values: Mapping[Hashable, tuple]) -> None:
        self.fields = tuple(fields)
        self.values = values
        self.json: dict[Any, dict[Hashable, str]] = {}


class Rows(Sequence[dict[str, Any]]):
    """Rows of `parts`: row i is the fields of every part, with the values that part has for row i's key.

    `keys[p][i]` is row i's key into `parts[p].values`. Read-only: every
    access builds a new dict, so change copies, not the rows.
    """

    def __init__(self, parts: Sequence[Part], keys: Sequence[list[Hashable]]) -> None:
        if len(parts) != len(keys) or len({len(k) for k in keys}) > 1:
            raise ValueError("one key column per part, all of the same length")
        self.parts = tuple(parts)
        self.keys = [list(k) for k in keys]
        self.fields = tuple(f for part in self.parts for f in part.fields)

    def __len__(self) -> int:
        return len(self.keys[0]) if self.keys else 0

    def _tuples(self, keys: Sequence[Iterable[Hashable]]) -> Iterator[tuple]:
        columns = [map(part.values.__getitem__, column) for part, column in zip(self.parts, keys)]
        if not columns:
            return iter(())
        joined = columns[0]
        for column in columns[1:]:
            joined = map(operator.add, joined, column)
        return joined

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(dict, map(zip, repeat(self.fields), self._tuples(self.keys)))

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Rows: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Rows(self.parts, [k[index] for k in self.keys])
        return dict(zip(self.fields, next(self._tuples([[k[index]] for k in self.keys]))))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Rows, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Rows({list(self)!r})"

    def column(self, field: str) -> list[Any]:
        """One field's values, row by row."""
        for part, keys in zip(self.parts, self.keys):
            if field in part.fields:
                return list(map(operator.itemgetter(part.fields.index(field)), map(part.values.__getitem__, keys)))
        raise KeyError(field)

    def take(self, order: Iterable[int]) -> Rows:
        """The rows at these positions, in this order."""
        order = list(order)
        return Rows(self.parts, [list(map(k.__getitem__, order)) for k in self.keys])

    def where(self, mask: Iterable[Any]) -> Rows:
        """The rows whose entry in `mask` is true."""
        mask = list(mask)
        return Rows(self.parts, [list(compress(k, mask)) for k in self.keys])
