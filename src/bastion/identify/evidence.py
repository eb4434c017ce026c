"""The evidence each track has gathered for classification, accumulated as arrays over tracks.

Two feeds, both vectorised over tracks:

- `detections(batch, det_track_id)`, after every tracker step: for each detection that updated a
  track, its RCS estimate (running sums of log10 RCS), its micro-Doppler line if the sensor measures
  one (looks, lines found, sums of log10 rate and of relative power) and its plot position in site
  ENU (a ring of the last `RING` plots with their times, for the acceleration fit);
- `kinematics(ids, x, t_s)`, at every evaluation: the tracker's ENU velocity folded into smoothed
  horizontal speed, vertical speed, turn rate and a hover indicator (exponential smoothing with time
  constants `TAU_SPEED_S`, `TAU_TURN_S`, `TAU_HOVER_S`; a tracker's velocity of a slow target
  wanders by several m/s from scan to scan).

`first_t_s` is the time of the first detection seen for a track (the start of its "track life").
Units: s, m, m/s, rad/s, m^2 (in log10), Hz (in log10), dB.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.core.geo import aer2enu, wrap_pi
from bastion.core.measurements import DetectionBatch
from bastion.identify.columns import Column, TrackColumns

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

RING = 12
"""Plots kept per track for the acceleration fit."""
TAU_SPEED_S = 4.0
TAU_TURN_S = 6.0
TAU_HOVER_S = 8.0
HOVER_MAX_SPEED_MPS = 2.5
"""A horizontal speed below this counts as hovering."""
TURN_MIN_SPEED_MPS = 5.0
"""Turn rate is measured only above this horizontal speed (heading is noise below it)."""
RCS_FLOOR_M2 = 1e-6

_SPEC = {
    "first_t_s": Column(np.float64, np.nan),
    "n_looks": Column(np.int64, 0),
    "rcs_log_sum": Column(np.float64, 0.0),
    "n_md_looks": Column(np.int64, 0),
    "n_md": Column(np.int64, 0),
    "md_log_rate_sum": Column(np.float64, 0.0),
    "md_ratio_sum": Column(np.float64, 0.0),
    "plot_t_s": Column(np.float64, np.nan, (RING,)),
    "plot_m": Column(np.float64, np.nan, (RING, 3)),
    "kin_t_s": Column(np.float64, np.nan),
    "hspeed_mps": Column(np.float64, np.nan),
    "vspeed_mps": Column(np.float64, np.nan),
    "heading_rad": Column(np.float64, np.nan),
    "turn_rps": Column(np.float64, np.nan),
    "hover": Column(np.float64, np.nan),
    "height_m": Column(np.float64, np.nan),
}


def _smooth(prev: FloatArray, now: FloatArray, dt_s: FloatArray, tau_s: float) -> FloatArray:
    """Exponential smoothing; the first value (prev NaN) is taken as is, NaN `now` keeps prev."""
    w = 1.0 - np.exp(-np.maximum(dt_s, 0.0) / tau_s)
    out = np.where(np.isnan(prev), now, prev + w * (now - prev))
    return np.where(np.isnan(now), prev, out)


class EvidenceBook:
    """Per-track classification evidence; see the module docstring."""

    __slots__ = ("cols",)

    def __init__(self) -> None:
        self.cols = TrackColumns(_SPEC)

    def detections(self, batch: DetectionBatch, det_track_id: IntArray) -> None:
        """Fold in the detections of one sensor look that updated (or started) a track."""
        tid = np.asarray(det_track_id, dtype=np.int64)
        use = np.flatnonzero(tid >= 0)
        if use.size == 0:
            return
        c = self.cols
        rows = c.rows(tid[use])
        first = c["first_t_s"]
        first[rows] = np.where(np.isnan(first[rows]), batch.t_s, first[rows])
        np.add.at(c["n_looks"], rows, 1)
        log_rcs = np.log10(np.maximum(batch.rcs_m2[use], RCS_FLOOR_M2))
        np.add.at(c["rcs_log_sum"], rows, np.where(np.isfinite(log_rcs), log_rcs, 0.0))
        if batch.md_rate_hz.shape == batch.range_m.shape:
            rate, ratio = batch.md_rate_hz[use], batch.md_ratio_db[use]
            found = np.isfinite(rate) & (rate > 0.0) & np.isfinite(ratio)
            np.add.at(c["n_md_looks"], rows, 1)
            np.add.at(c["n_md"], rows, found.astype(np.int64))
            log_rate = np.log10(np.where(found, rate, 1.0))
            np.add.at(c["md_log_rate_sum"], rows, log_rate)
            np.add.at(c["md_ratio_sum"], rows, np.where(found, ratio, 0.0))
        # One plot per track per look (the first detection if a tracker gave a track several).
        uniq, first_idx = np.unique(rows, return_index=True)
        aer = np.stack([batch.range_m[use], batch.az_rad[use], batch.el_rad[use]], axis=-1)[
            first_idx
        ]
        plots = aer2enu(aer, batch.sensor_enu_m)
        slot = np.argmin(np.nan_to_num(c["plot_t_s"][uniq], nan=-np.inf), axis=1)
        c["plot_t_s"][uniq, slot] = batch.t_s
        c["plot_m"][uniq, slot] = plots

    def kinematics(self, ids: IntArray, x: FloatArray, t_s: float) -> IntArray:
        """Fold in the tracks' ENU states `x` (N, 6) at run time `t_s`; return their rows."""
        c = self.cols
        rows = c.rows(ids)
        if rows.size == 0:
            return rows
        dt = t_s - c["kin_t_s"][rows]
        dt = np.where(np.isnan(dt), 0.0, dt)
        hs = np.hypot(x[:, 3], x[:, 4])
        heading = np.arctan2(x[:, 3], x[:, 4])
        prev_heading = c["heading_rad"][rows]
        turn = np.abs(wrap_pi(heading - prev_heading)) / np.where(dt > 0.0, dt, np.nan)
        fast = (hs >= TURN_MIN_SPEED_MPS) & (c["hspeed_mps"][rows] >= TURN_MIN_SPEED_MPS)
        turn = np.where(fast & np.isfinite(turn), turn, np.nan)
        c["turn_rps"][rows] = _smooth(c["turn_rps"][rows], turn, dt, TAU_TURN_S)
        c["heading_rad"][rows] = heading
        c["hspeed_mps"][rows] = _smooth(c["hspeed_mps"][rows], hs, dt, TAU_SPEED_S)
        c["vspeed_mps"][rows] = _smooth(c["vspeed_mps"][rows], x[:, 5], dt, TAU_SPEED_S)
        hover = (hs < HOVER_MAX_SPEED_MPS).astype(np.float64)
        c["hover"][rows] = _smooth(c["hover"][rows], hover, dt, TAU_HOVER_S)
        c["height_m"][rows] = x[:, 2]
        c["kin_t_s"][rows] = t_s
        return rows

    def forget(self, ids: IntArray) -> None:
        """Drop the evidence of tracks that ended."""
        self.cols.forget(ids)
