"""Track lifecycle: M-of-N confirmation and deletion on misses, on whole table columns.

Every processed scan (detection batch) shifts each track's hit bitmask left by one and sets bit 0 if
the track was updated. Then:

* a tentative track is **confirmed** when at least M of its last N scans were hits
  (`popcount(hit_history & (2^N - 1)) >= M`);
* a tentative track is **deleted** as soon as it can no longer reach M hits within the N scans that
  start at its birth: hits + (N - n_scans) < M. With the default 3-of-4 this deletes a tentative track
  after two misses in a row, or after any two misses; no tentative track lives longer than N scans;
* a confirmed track is **deleted** after `delete_misses` consecutive misses.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.core.params import TrackerParams
from bastion.tracking.table import TrackTable

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


def window_hits(hit_history: NDArray[np.uint64], n: int) -> IntArray:
    """Number of hits among the last `n` scans (n <= 64) for each bitmask, (K,)."""
    mask = np.uint64((1 << n) - 1) if n < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    hits: IntArray = np.bitwise_count(hit_history & mask).astype(np.int64)
    return hits


def record_scan(table: TrackTable, rows: IntArray, hit: BoolArray) -> None:
    """Record one scan for table rows `rows`: `hit` (K,) says which of them were updated."""
    hh = table.hit_history
    hh[rows] = (hh[rows] << np.uint64(1)) | hit.astype(np.uint64)
    table.n_scans[rows] += 1
    misses = table.misses
    misses[rows] = np.where(hit, 0, misses[rows] + 1)


def to_confirm(table: TrackTable, params: TrackerParams) -> BoolArray:
    """Tentative rows that now pass M-of-N confirmation, (N,)."""
    return ~table.confirmed & (window_hits(table.hit_history, params.confirm_n) >= params.confirm_m)


def to_delete(table: TrackTable, params: TrackerParams) -> BoolArray:
    """Rows to delete now, (N,): confirmed ones after `delete_misses` consecutive misses, tentative ones
    that can no longer be confirmed (or that also reached `delete_misses`)."""
    confirmed = table.confirmed
    too_many_misses = table.misses >= params.delete_misses
    hits = window_hits(table.hit_history, params.confirm_n)
    remaining = np.maximum(params.confirm_n - table.n_scans, 0)
    hopeless = (hits + remaining) < params.confirm_m
    return too_many_misses | (~confirmed & hopeless)
