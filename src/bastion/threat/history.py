"""Measurement history: every detection a track absorbed, as one growable table of arrays.

Rows are (t_s, track_id, sensor east/north/up, range_m, az_rad, el_rad, sigma_range_m, sigma_az_rad,
sigma_el_rad). Rows older than `window_s` are pruned on append, so memory stays bounded at
(detections per second) x window. Queries select one track's rows with a mask; the ballistic fitter
reads them for the few tracks that look ballistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import DetectionBatch

FloatArray = NDArray[np.float64]
N_COLS = 11
T, TID, SE, SN, SU, R, AZ, EL, SR, SAZ, SEL = range(N_COLS)


@dataclass(slots=True)
class MeasurementHistory:
    """Detections with the track each one updated, pruned to the last `window_s` seconds."""

    window_s: float = 90.0
    rows: FloatArray = field(default_factory=lambda: np.zeros((0, N_COLS)))

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
            self.rows = np.concatenate([self.rows, new])
        keep = self.rows[:, T] >= batch.t_s - self.window_s
        if not keep.all():
            self.rows = self.rows[keep]

    def of(self, track_id: int) -> FloatArray:
        """The rows of one track, oldest first."""
        out: FloatArray = self.rows[self.rows[:, TID] == track_id]
        return out

    def forget(self, track_ids: NDArray[np.int64]) -> None:
        """Drop the rows of tracks that ended."""
        if track_ids.size:
            self.rows = self.rows[~np.isin(self.rows[:, TID], track_ids)]
