"""Measurement history: every detection a track absorbed, as one ring buffer of rows.

Rows are (t_s, track_id, sensor east/north/up, range_m, az_rad, el_rad, sigma_range_m, sigma_az_rad,
sigma_el_rad, range_rate_mps, sigma_range_rate_mps); a sensor without Doppler gives NaN range rates.
Rows live in a ring buffer (`INITIAL_ROWS` to start), oldest first from `start`, that doubles when
full, so an append writes only the new rows. Rows older than `window_s` leave from the front once
the oldest is `window_s / 4` past due, by moving `start`: no row is copied, so no step pays for a
compaction (a copy of all rows held took about 15 ms at 200 tracks on a 10 Hz radar, a spike in
whichever step it fell). The buffer's memory is written once when it is made (or grown), so that no
step pays the system's first-touch page faults either (about 5 ms per 2 MB here). Memory stays
about (detections per second) x 1.25 `window_s`, or the first size if more. The rows of a track
that ended are marked dead (track id -1) at once and leave with their age. Queries select tracks' rows with a
mask; the ballistic fitter reads them for the few tracks that look ballistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch

FloatArray = NDArray[np.float64]
N_COLS = 13
T, TID, SE, SN, SU, R, AZ, EL, SR, SAZ, SEL, RR, SRR = range(N_COLS)
INITIAL_ROWS = 1 << 17
"""The ring's first size (13.6 MB): 200 tracks on a 10 Hz radar hold about 100,000 rows; growing
to that by doubling copied all rows held, the last time 15 ms in one step."""


def _written(rows: int) -> FloatArray:
    """A zeroed (rows, N_COLS) buffer whose pages are already mapped (written once)."""
    buf = np.empty((rows, N_COLS))
    buf.fill(0.0)
    return buf


@dataclass(slots=True)
class MeasurementHistory:
    """Detections with the track each one updated, kept for the last `window_s` seconds."""

    window_s: float = 40.0
    buf: FloatArray = field(default_factory=lambda: _written(INITIAL_ROWS))
    start: int = 0
    """Index in `buf` of the oldest row held."""
    n: int = 0
    """Rows held: `buf[(start + i) % len(buf)]` for i < n, oldest first."""

    def _segments(self) -> tuple[FloatArray, FloatArray]:
        """The rows held as two views, oldest first: the run from `start`, then the wrapped part."""
        cap = self.buf.shape[0]
        end = self.start + self.n
        return self.buf[self.start : min(end, cap)], self.buf[: max(0, end - cap)]

    @property
    def rows(self) -> FloatArray:
        """All rows held, oldest first (a view, or a copy when the ring has wrapped)."""
        head, tail = self._segments()
        return head if not tail.shape[0] else np.concatenate([head, tail])

    def append(self, batch: DetectionBatch, det_track_id: NDArray[np.int64]) -> None:
        """Add a batch's detections that updated a track (`det_track_id` >= 0)."""
        use = np.flatnonzero(det_track_id >= 0)
        if use.size:
            if self.n + use.size > self.buf.shape[0]:
                grown = _written(max(2 * self.buf.shape[0], self.n + use.size))
                head, tail = self._segments()
                grown[: head.shape[0]] = head
                grown[head.shape[0] : self.n] = tail
                self.buf, self.start = grown, 0
            new = np.empty((use.size, N_COLS))
            new[:, T] = batch.t_s
            new[:, TID] = det_track_id[use]
            new[:, SE : SU + 1] = batch.sensor_enu_m
            new[:, R] = batch.range_m[use]
            new[:, AZ] = batch.az_rad[use]
            new[:, EL] = batch.el_rad[use]
            new[:, SR] = batch.sigma_range_m
            new[:, SAZ] = batch.sigma_az_rad
            new[:, SEL] = batch.sigma_el_rad
            rr = batch.range_rate_mps
            new[:, RR] = rr[use] if rr.shape == batch.range_m.shape else np.nan
            new[:, SRR] = batch.sigma_range_rate_mps
            cap = self.buf.shape[0]
            at = (self.start + self.n) % cap
            first = min(use.size, cap - at)
            self.buf[at : at + first] = new[:first]
            self.buf[: use.size - first] = new[first:]
            self.n += use.size
        if self.n and self.buf[self.start, T] < batch.t_s - 1.25 * self.window_s:
            self._expire(batch.t_s - self.window_s)

    def _expire(self, cutoff_s: float) -> None:
        """Drop the rows from the front up to the first one at or after `cutoff_s` (s)."""
        head, tail = self._segments()
        for seg, offset in ((head, 0), (tail, head.shape[0])):
            young = np.flatnonzero(seg[:, T] >= cutoff_s)
            if young.size:
                drop = offset + int(young[0])
                break
        else:
            drop = self.n
        self.start = (self.start + drop) % self.buf.shape[0]
        self.n -= drop

    def of(self, track_id: int) -> FloatArray:
        """The rows of one track, oldest first (a copy)."""
        return self.of_many(np.array([track_id], dtype=np.int64)).get(
            int(track_id), np.zeros((0, N_COLS))
        )

    def of_many(self, track_ids: NDArray[np.int64]) -> dict[int, FloatArray]:
        """The rows of several tracks in one pass, each oldest first (tracks without rows absent)."""
        head, tail = self._segments()
        sub = np.concatenate([seg[np.isin(seg[:, TID], track_ids)] for seg in (head, tail)])
        if not sub.shape[0]:
            return {}
        sub = sub[np.argsort(sub[:, TID], kind="stable")]
        ids, first = np.unique(sub[:, TID], return_index=True)
        parts = np.split(sub, first[1:])
        return {int(t): p for t, p in zip(ids.tolist(), parts, strict=True)}

    def forget(self, track_ids: NDArray[np.int64]) -> None:
        """Mark the rows of tracks that ended dead (track id -1; they leave with their age)."""
        if track_ids.size and self.n:
            for seg in self._segments():
                tid = seg[:, TID]
                tid[np.isin(tid, track_ids)] = -1.0
