"""Load shedding: what the live service drops when more arrives than it can process, and in what order.

Order (documented in docs/integration.md, "Overload"):

1. Per source, before the core (`FairQueue`): each UDP feed and each TCP connection has its own
   bounded queue (items and bytes). A full UDP queue drops the newest datagram (counted, reported
   as an `input_rejected` event at the next step); a full TCP queue stops reading that connection
   (TCP flow control slows the sender, nothing is lost). The core takes from the sources in turn,
   so one flooding source cannot starve the others.
2. Per step, in the core (`shed_plots`): beyond `max_plots_per_step` detections, plots far from
   every track go first (clutter and not-yet-tracked objects), then plots near tentative tracks;
   plots in the gate of a confirmed track are kept last: tracks are protected before clutter.
3. Refusals (`RejectTally`): refused inputs are counted per (feed, reason) and reported as one
   event per reason per step, so a garbage flood costs a bounded number of events.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.spatial import cKDTree

from bastion.core.geo import aer2enu
from bastion.core.measurements import DetectionBatch
from bastion.service.inputs import Input
from bastion.tracking.table import TrackTable


class FairQueue:
    """Bounded per-source queues of inputs, drained in turn (round robin)."""

    def __init__(self, max_items: int, max_bytes: int) -> None:
        """Limits apply to each source separately."""
        self._max_items = max_items
        self._max_bytes = max_bytes
        self._queues: dict[str, deque[Input]] = {}
        self._bytes: dict[str, int] = {}
        self._order: deque[str] = deque()
        self.dropped: dict[str, int] = {}
        self._ready = asyncio.Event()
        self._room = asyncio.Event()

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def _has_room(self, source: str, size: int) -> bool:
        q = self._queues.get(source)
        if q is None or not q:
            return True
        return len(q) < self._max_items and self._bytes[source] + size <= self._max_bytes

    def _append(self, source: str, item: Input) -> None:
        q = self._queues.get(source)
        if q is None:
            q = self._queues[source] = deque()
            self._bytes[source] = 0
        if not q:
            self._order.append(source)
        q.append(item)
        self._bytes[source] += len(item.payload)
        self._ready.set()

    def put_nowait(self, source: str, item: Input) -> bool:
        """Queue `item` unless `source` is full; a refused item is counted in `dropped`."""
        if not self._has_room(source, len(item.payload)):
            self.dropped[source] = self.dropped.get(source, 0) + 1
            return False
        self._append(source, item)
        return True

    def put_control(self, source: str, item: Input) -> None:
        """Queue `item` whatever the limits: connection events and decisions are never dropped."""
        self._append(source, item)

    async def put(self, source: str, item: Input) -> None:
        """Queue `item`, waiting while `source` is full (back-pressure for streams)."""
        while not self._has_room(source, len(item.payload)):
            self._room.clear()
            await self._room.wait()
        self._append(source, item)

    def drain(self, max_items: int) -> list[Input]:
        """Up to `max_items` inputs, one source after another."""
        out: list[Input] = []
        while self._order and len(out) < max_items:
            source = self._order.popleft()
            q = self._queues[source]
            item = q.popleft()
            self._bytes[source] -= len(item.payload)
            out.append(item)
            if q:
                self._order.append(source)
            else:
                del self._queues[source], self._bytes[source]
        if out:
            self._room.set()
        if not self._order:
            self._ready.clear()
        return out

    def take_dropped(self) -> dict[str, int]:
        """Counts dropped per source since the last call."""
        dropped, self.dropped = self.dropped, {}
        return dropped

    async def wait(self, timeout_s: float) -> None:
        """Return when something is queued or after `timeout_s`."""
        if self._order:
            return
        try:
            await asyncio.wait_for(self._ready.wait(), timeout_s)
        except TimeoutError:
            return


class RejectTally:
    """Refusals counted per (feed, reason) until `take`; at most `max_reasons` distinct reasons."""

    def __init__(self, max_reasons: int = 64, max_reason_chars: int = 300) -> None:
        """Beyond `max_reasons`, further reasons are counted together as "other"."""
        self._max = max_reasons
        self._chars = max_reason_chars
        self._counts: dict[tuple[str, str], int] = {}
        self.total = 0

    def add(self, feed: str, reason: str, count: int = 1) -> None:
        """Count `count` refusals of `feed` for `reason`."""
        key = (feed, reason[: self._chars])
        if key not in self._counts and len(self._counts) >= self._max:
            key = (feed, "other reasons")
        self._counts[key] = self._counts.get(key, 0) + count
        self.total += count

    @property
    def pending(self) -> bool:
        """Whether refusals wait to be reported."""
        return bool(self._counts)

    def take(self) -> list[str]:
        """One text per (feed, reason) since the last call, in first-seen order."""
        out = [
            f"{feed}: {reason}" + (f" (x{n})" if n > 1 else "")
            for (feed, reason), n in self._counts.items()
        ]
        self._counts = {}
        return out


def shed_plots(
    batches: Sequence[DetectionBatch], table: TrackTable, budget: int, gate_m: float
) -> tuple[list[DetectionBatch], int]:
    """Keep at most `budget` detections, those in confirmed tracks' gates first; returns (kept, shed).

    Priority per detection: 0 within `gate_m` of a confirmed track, 1 within `gate_m` of a
    tentative one, 2 otherwise; ties keep the earlier batch's detections. Positions are compared in
    site ENU (m), tracks at their last update.
    """
    total = sum(len(b) for b in batches)
    if total <= budget:
        return list(batches), 0
    n = table.n
    pos = table.x[:n, :3]
    confirmed = np.asarray(table.confirmed[:n], dtype=bool)
    trees = [cKDTree(pos[mask]) if mask.any() else None for mask in (confirmed, ~confirmed)]
    prio = []
    for b in batches:
        aer = np.stack([b.range_m, b.az_rad, np.nan_to_num(b.el_rad)], axis=-1)
        enu = aer2enu(aer, b.sensor_enu_m)
        p = np.full(len(b), 2, dtype=np.int64)
        for level, tree in ((1, trees[1]), (0, trees[0])):
            if tree is not None and len(b):
                d, _ = tree.query(enu, k=1, distance_upper_bound=gate_m)
                p[np.isfinite(d)] = level
        prio.append(p)
    allp = np.concatenate(prio)
    keep_idx = np.sort(np.argsort(allp, kind="stable")[:budget])
    keep = np.zeros(total, dtype=bool)
    keep[keep_idx] = True
    kept: list[DetectionBatch] = []
    start = 0
    for b in batches:
        mask = keep[start : start + len(b)]
        start += len(b)
        if mask.all():
            kept.append(b)
        elif mask.any():
            kept.append(_select(b, mask))
    return kept, total - int(keep.sum())


def _select(b: DetectionBatch, mask: np.ndarray) -> DetectionBatch:
    def pick(a: np.ndarray) -> np.ndarray:
        return a[mask] if a.shape[0] == mask.shape[0] else a

    return replace(
        b,
        range_m=b.range_m[mask],
        az_rad=b.az_rad[mask],
        el_rad=b.el_rad[mask],
        range_rate_mps=b.range_rate_mps[mask],
        rcs_m2=b.rcs_m2[mask],
        truth_id=pick(b.truth_id),
        md_rate_hz=pick(b.md_rate_hz),
        md_ratio_db=pick(b.md_ratio_db),
    )
