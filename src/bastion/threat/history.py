"""Measurement history: every detection a track absorbed, as one growable table of arrays.

Rows are (t_s, track_id, sensor east/north/up, range_m, az_rad, el_rad, sigma_range_m, sigma_az_rad,
sigma_el_rad, range_rate_mps, sigma_range_rate_mps); a sensor without Doppler gives NaN range rates.
Rows live in a buffer that doubles when full, so an append copies only the new rows; rows older than
`window_s` are dropped in one compaction once they are `window_s / 4` past due, which keeps memory
bounded at about (detections per second) x 1.25 `window_s`; the rows of a track that ended are marked
dead at once and go with the next compaction. Queries select one track's rows with a
mask; the ballistic fitter reads them for the few tracks that look ballistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import DetectionBatch

FloatArray = NDArray[np.float64]
N_COLS = 13
T, TID, SE, SN, SU, R, AZ, EL, SR, SAZ, SEL, RR, SRR = range(N_COLS)


@dataclass(slots=True)
class MeasurementHistory:
    """Detections with the track each one updated, kept for the last `window_s` seconds."""

    window_s: float = 40.0
    buf: FloatArray = field(default_factory=lambda: np.zeros((1024, N_COLS)))
    n: int = 0

    @property
    def rows(self) -> FloatArray:
        """All rows held, oldest first (a view)."""
        return self.buf[: self.n]

    def append(self, batch: DetectionBatch, det_track_id: NDArray[np.int64]) -> None:
        """Add a batch's detections that updated a track (`det_track_id` >= 0)."""
        use = np.flatnonzero(det_track_id >= 0)
        if use.size:
            if self.n + use.size > self.buf.shape[0]:
                grown = np.zeros((max(2 * self.buf.shape[0], self.n + use.size), N_COLS))
                grown[: self.n] = self.buf[: self.n]
                self.buf = grown
            new = self.buf[self.n : self.n + use.size]
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
            self.n += use.size
        if self.n and self.buf[0, T] < batch.t_s - 1.25 * self.window_s:
            rows = self.rows
            self._keep((rows[:, T] >= batch.t_s - self.window_s) & (rows[:, TID] >= 0))

    def of(self, track_id: int) -> FloatArray:
        """The rows of one track, oldest first (a copy)."""
        rows = self.rows
        out: FloatArray = rows[rows[:, TID] == track_id]
        return out

    def of_many(self, track_ids: NDArray[np.int64]) -> dict[int, FloatArray]:
        """The rows of several tracks in one pass, each oldest first (tracks without rows absent)."""
        rows = self.rows
        sub = rows[np.isin(rows[:, TID], track_ids)]
        sub = sub[np.argsort(sub[:, TID], kind="stable")]
        ids, first = np.unique(sub[:, TID], return_index=True)
        parts = np.split(sub, first[1:])
        return {int(t): p for t, p in zip(ids.tolist(), parts, strict=True)}

    def forget(self, track_ids: NDArray[np.int64]) -> None:
        """Drop the rows of tracks that ended (marked with track id -1; compacted with the old rows)."""
        if track_ids.size and self.n:
            tid = self.buf[: self.n, TID]
            tid[np.isin(tid, track_ids)] = -1.0

    def _keep(self, keep: NDArray[np.bool_]) -> None:
        kept = self.rows[keep]
        self.buf[: kept.shape[0]] = kept
        self.n = kept.shape[0]
