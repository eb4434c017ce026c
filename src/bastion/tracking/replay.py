"""Out-of-sequence measurements by buffer-and-reprocess: the recent past, kept so it can be redone.

A detection batch that arrives after a later one has been processed (a slow link, a sensor whose clock
runs behind) is fused exactly, not approximately: the tracker rolls the track table back to just
before the first batch later than the late one, processes the late batch, then reprocesses the later
batches in time order. This is the "reprocessing" solution of Bar-Shalom, "Update with
out-of-sequence measurements in tracking: exact solution", IEEE TAES 38(3), 2002, sec. 1; it gives the
same tracks as if the batches had arrived in order, for any motion or measurement model and any
association, at the cost of keeping a table snapshot per batch within the lag and of re-running those
batches. Retrodiction (Bar-Shalom's algorithm A1) would be cheaper but is exact only for a
single linear model and one-lag arrivals; our tracks run an IMM and several associators.

`ReplayBuffer` holds, for every batch processed within `lag_s` of the newest, the table as it was
before that batch, the batch itself and the track each of its detections went to (`det_track_id`),
so that a replay can give a track re-created from the same detection the same id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import BearingBatch, DetectionBatch
from bastion.tracking.table import TrackTable

IntArray = NDArray[np.int64]


@dataclass(slots=True)
class Processed:
    """One processed batch: the table before it, the batch, where its detections went."""

    t_s: float
    before: TrackTable
    batch: DetectionBatch | BearingBatch
    det_track_id: IntArray


class ReplayBuffer:
    """The batches processed within `lag_s` s of the newest, in processing (time) order."""

    __slots__ = ("_items", "lag_s")

    def __init__(self, lag_s: float) -> None:
        self.lag_s = float(lag_s)
        self._items: list[Processed] = []

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Processed]:
        return iter(self._items)

    def push(self, item: Processed) -> None:
        """Append the newest processed batch and forget those older than `lag_s` before it."""
        self._items.append(item)
        horizon = item.t_s - self.lag_s
        k = 0
        while k < len(self._items) and self._items[k].t_s < horizon:
            k += 1
        if k:
            del self._items[:k]

    def split_after(self, t_s: float) -> list[Processed]:
        """Remove and return the batches later than `t_s` (strictly), oldest first."""
        k = len(self._items)
        while k > 0 and self._items[k - 1].t_s > t_s:
            k -= 1
        later = self._items[k:]
        del self._items[k:]
        return later


def reused_ids(tb: TrackTable, first: IntArray, reuse_from: int) -> IntArray:
    """Ids for tracks a replay starts from detections that started `first` the first time round:
    that id when it was born at or after `reuse_from` (the roll-back point's next id) and is free,
    else a fresh one from the table's counter."""
    ok = (first >= reuse_from) & ~np.isin(first, tb.track_id)
    _, first_seen = np.unique(first, return_index=True)
    dup = np.ones(first.shape[0], dtype=bool)
    dup[first_seen] = False
    ok &= ~dup
    out = first.copy()
    n_fresh = int(np.count_nonzero(~ok))
    out[~ok] = np.arange(tb.next_id, tb.next_id + n_fresh, dtype=np.int64)
    return out
