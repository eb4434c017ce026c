"""Measurement history: every detection a track absorbed, as rows in blocks allocated on demand.

Rows are (t_s, track_id, sensor east/north/up, range_m, az_rad, el_rad, sigma_range_m, sigma_az_rad,
sigma_el_rad, range_rate_mps, sigma_range_rate_mps); a sensor without Doppler gives NaN range rates.
Rows live in fixed-size blocks (`BLOCK_ROWS`), oldest first from `start` in the first block; an
append writes only the new rows, into the last block and, when that is full, into a fresh one, so
the storage grows with the rows held and never copies them (doubling one ring buffer copied all rows
held, about 15 ms in one step at 200 tracks on a 10 Hz radar; making the ring the size of that load
up front cost every pipeline state 13.6 MB). Rows older than `window_s` leave from the front once
the oldest is `window_s / 4` past due, by moving `start`: no row is copied either, and a block they
leave empty is kept and reused for the next rows, so a steady load allocates nothing. Blocks are not
written when made: each append's rows map only the few pages they fill, not a burst of first-touch
page faults in one step. Memory stays about (detections per second) x 1.25 `window_s`, in whole
blocks, at its peak. The rows of a track that ended are marked dead (track id -1) at once and leave
with their age. Queries select tracks' rows with a mask, block by block; the ballistic fitter reads
them for the few tracks that look ballistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch

FloatArray = NDArray[np.float64]
N_COLS = 13
T, TID, SE, SN, SU, R, AZ, EL, SR, SAZ, SEL, RR, SRR = range(N_COLS)
BLOCK_ROWS = 1 << 14
"""Rows per block (1.7 MB): 200 tracks on a 10 Hz radar hold about 100,000 rows, seven blocks; a
short run with a few tracks maps the pages of one."""


@dataclass(slots=True)
class MeasurementHistory:
    """Detections with the track each one updated, kept for the last `window_s` seconds."""

    window_s: float = 40.0
    block_rows: int = BLOCK_ROWS
    blocks: list[FloatArray] = field(default_factory=list)
    """The blocks in use, oldest first, each (`block_rows`, N_COLS); the last one is being filled."""
    spare: list[FloatArray] = field(default_factory=list)
    """Blocks the expired rows left empty, reused before a new one is allocated."""
    start: int = 0
    """Index in `blocks[0]` of the oldest row held."""
    n: int = 0
    """Rows held: row `start + i` of the blocks end to end for i < n, oldest first."""

    def _segments(self) -> list[FloatArray]:
        """The rows held as views, one per block in use, oldest first."""
        b, end = self.block_rows, self.start + self.n
        return [
            blk[max(0, self.start - i * b) : min(b, end - i * b)]
            for i, blk in enumerate(self.blocks)
        ]

    @property
    def rows(self) -> FloatArray:
        """All rows held, oldest first (a view, or a copy when they span blocks)."""
        segs = self._segments()
        if len(segs) == 1:
            return segs[0]
        return np.concatenate(segs) if segs else np.zeros((0, N_COLS))

    def append(self, batch: DetectionBatch, det_track_id: NDArray[np.int64]) -> None:
        """Add a batch's detections that updated a track (`det_track_id` >= 0)."""
        use = np.flatnonzero(det_track_id >= 0)
        if use.size:
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
            self._write(new)
        if self.n and self.blocks[0][self.start, T] < batch.t_s - 1.25 * self.window_s:
            self._expire(batch.t_s - self.window_s)

    def _write(self, new: FloatArray) -> None:
        """Put `new` rows after the newest, taking spare or fresh blocks as they fill."""
        b, at, m = self.block_rows, self.start + self.n, new.shape[0]
        while len(self.blocks) * b < at + m:
            self.blocks.append(self.spare.pop() if self.spare else np.empty((b, N_COLS)))
        done = 0
        while done < m:
            blk, off = divmod(at + done, b)
            k = min(m - done, b - off)
            self.blocks[blk][off : off + k] = new[done : done + k]
            done += k
        self.n += m

    def _expire(self, cutoff_s: float) -> None:
        """Drop the rows from the front up to the first one at or after `cutoff_s` (s); blocks
        left empty become spare."""
        drop, offset = self.n, 0
        for seg in self._segments():
            young = np.flatnonzero(seg[:, T] >= cutoff_s)
            if young.size:
                drop = offset + int(young[0])
                break
            offset += seg.shape[0]
        self.n -= drop
        emptied, self.start = divmod(self.start + drop, self.block_rows)
        self.spare += self.blocks[:emptied]
        del self.blocks[:emptied]

    def of(self, track_id: int) -> FloatArray:
        """The rows of one track, oldest first (a copy)."""
        return self.of_many(np.array([track_id], dtype=np.int64)).get(
            int(track_id), np.zeros((0, N_COLS))
        )

    def of_many(self, track_ids: NDArray[np.int64]) -> dict[int, FloatArray]:
        """The rows of several tracks in one pass, each oldest first (tracks without rows absent)."""
        if not self.n:
            return {}
        sub = np.concatenate([seg[np.isin(seg[:, TID], track_ids)] for seg in self._segments()])
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
