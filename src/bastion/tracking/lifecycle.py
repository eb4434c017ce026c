"""Track lifecycle: M-of-N confirmation and deletion on misses, on whole table columns.

Every processed scan (detection batch) shifts the hit bitmask of each track inside the sensor's coverage
left by one and sets bit 0 if the track was updated (tracks outside it are not charged a scan, so
sensors with different coverage can share one track picture). Then:

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
from scipy.stats import chi2

from bastion.core.params import TrackerParams
from bastion.tracking.jpda import JpdaParams
from bastion.tracking.score import ScoreParams
from bastion.tracking.table import TrackTable

BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


def window_hits(hit_history: NDArray[np.uint64], n: int) -> IntArray:
    """Number of hits among the last `n` scans (n <= 64) for each bitmask, (K,)."""
    mask = np.uint64((1 << n) - 1) if n < 64 else np.uint64(0xFFFFFFFFFFFFFFFF)
    hits: IntArray = np.bitwise_count(hit_history & mask).astype(np.int64)
    return hits


def record_scan(table: TrackTable, hit: BoolArray, scanned: BoolArray | None = None) -> None:
    """Record one scan: `hit` (N,) says which rows were updated in it, `scanned` (N,) which rows the
    sensor could have seen (inside its coverage; default all). Rows outside are left as they were,
    so a track is never charged a miss by a sensor that could not see it."""
    if scanned is None or bool(scanned.all()):
        hh = table.hit_history
        hh <<= np.uint64(1)
        hh |= hit.astype(np.uint64)
        table.n_scans[:] += 1
        misses = table.misses
        misses += 1
        misses[hit] = 0
        return
    rows = np.flatnonzero(scanned | hit)
    h = hit[rows]
    table.hit_history[rows] = (table.hit_history[rows] << np.uint64(1)) | h.astype(np.uint64)
    table.n_scans[rows] += 1
    table.misses[rows] = np.where(h, 0, table.misses[rows] + 1)


def judge(table: TrackTable, params: TrackerParams) -> tuple[BoolArray, BoolArray]:
    """After `record_scan`: the rows to confirm now and the rows to delete now, both (N,).

    Confirm: tentative rows with at least M hits in the last N scans. Delete: rows with
    `delete_misses` consecutive misses, and tentative rows (not confirmed now) that can no longer
    reach M hits within the N scans from their birth.
    """
    hits = window_hits(table.hit_history, params.confirm_n)
    confirmed = table.confirmed
    new_conf = ~confirmed & (hits >= params.confirm_m)
    remaining = np.maximum(params.confirm_n - table.n_scans, 0)
    hopeless = (hits + remaining) < params.confirm_m
    dead = (table.misses >= params.delete_misses) | (hopeless & ~(confirmed | new_conf))
    return new_conf, dead


def association_params(params: TrackerParams) -> tuple[JpdaParams | None, ScoreParams | None]:
    """JPDA and track-score settings from the tracker's (None where not selected)."""
    if params.radar_update not in ("converted", "ekf", "ukf"):
        raise ValueError(
            f"TrackerParams.radar_update must be converted, ekf or ukf, got {params.radar_update!r}"
        )
    if params.association not in ("gnn", "jpda"):
        raise ValueError(
            f"TrackerParams.association must be gnn or jpda, got {params.association!r}"
        )
    if params.management not in ("m_of_n", "score"):
        raise ValueError(
            f"TrackerParams.management must be m_of_n or score, got {params.management!r}"
        )
    pg = float(chi2.cdf(params.gate_chi2, 3))
    jp = None
    if params.association == "jpda":
        jp = JpdaParams(
            pd=params.pd, pg=pg, clutter_density_per_m3=params.false_alarm_density_per_m3
        )
    sp = None
    if params.management == "score":
        sp = ScoreParams(
            pd=params.pd,
            pg=pg,
            false_alarm_density_per_m3=params.false_alarm_density_per_m3,
            new_target_density_per_m3=params.new_target_density_per_m3,
            alpha=params.score_false_track_prob,
            beta=params.score_true_track_loss_prob,
            delete_drop=params.score_delete_drop,
        )
    return jp, sp
