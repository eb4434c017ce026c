"""Per-track state as named numpy columns keyed by track id (no object per track).

`TrackColumns` holds one array per column, rows in insertion order; `rows(ids)` maps ids to rows
(adding rows, filled with each column's fill value, for ids not seen before) through a sorted
index, and `forget(ids)` drops rows. The identification books keep their state this way so that
every update runs over all tracks at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Column:
    """A column's dtype, trailing shape (one row's shape) and fill value for new rows."""

    dtype: type[Any]
    fill: Any
    shape: tuple[int, ...] = ()


class TrackColumns:
    """Named columns over track ids; see the module docstring."""

    __slots__ = ("_cols", "_order", "_spec", "ids")

    def __init__(self, spec: Mapping[str, Column]) -> None:
        self._spec = dict(spec)
        self.ids: IntArray = np.zeros(0, dtype=np.int64)
        self._order: IntArray = np.zeros(0, dtype=np.int64)
        self._cols: dict[str, NDArray[Any]] = {
            name: np.zeros((0, *c.shape), dtype=c.dtype) for name, c in self._spec.items()
        }

    def __len__(self) -> int:
        return int(self.ids.size)

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self._cols[name]

    def __setitem__(self, name: str, value: NDArray[Any]) -> None:
        self._cols[name] = value

    def find(self, ids: IntArray) -> IntArray:
        """Row of each id, -1 for ids not held."""
        q = np.asarray(ids, dtype=np.int64)
        out = np.full(q.shape, -1, dtype=np.int64)
        if self.ids.size == 0 or q.size == 0:
            return out
        sorted_ids = self.ids[self._order]
        pos = np.clip(np.searchsorted(sorted_ids, q), 0, sorted_ids.size - 1)
        hit = sorted_ids[pos] == q
        out[hit] = self._order[pos[hit]]
        return out

    def rows(self, ids: IntArray) -> IntArray:
        """Row of each id (ids may repeat), adding filled rows for ids not held yet."""
        q = np.asarray(ids, dtype=np.int64)
        new = np.unique(q[self.find(q) < 0])
        if new.size:
            n = new.size
            self.ids = np.concatenate([self.ids, new])
            for name, c in self._spec.items():
                block = np.full((n, *c.shape), c.fill, dtype=c.dtype)
                self._cols[name] = np.concatenate([self._cols[name], block])
            self._order = np.argsort(self.ids, kind="stable")
        return self.find(q)

    def forget(self, ids: IntArray) -> None:
        """Drop the rows of `ids` (ids not held are ignored)."""
        if self.ids.size == 0:
            return
        keep = ~np.isin(self.ids, np.asarray(ids, dtype=np.int64))
        if keep.all():
            return
        self.ids = self.ids[keep]
        for name in self._cols:
            self._cols[name] = self._cols[name][keep]
        self._order = np.argsort(self.ids, kind="stable")
