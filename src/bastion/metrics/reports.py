"""SIAP and GOSPA of a scenario run from what the pipeline published: track reports against truth.

The pipeline publishes `TrackReport`s at its own rate, per track, at times that need not fall on the
truth's sampling grid (`TruthHistory.t_s`). Both metrics compare states at common times, so each
report is carried to the truth sample times that follow it, until the track's next report or for at
most `max_age_s`, by constant-velocity extrapolation (position + velocity * dt; site ENU, m and m/s).
A track not reported for longer than `max_age_s` is absent from the picture (it counts neither as a
track nor as a miss of its own). Truth rows are the samples where the object exists (finite
position); an object outside every radar's coverage still counts, so completeness is that of the
whole scenario (the runtime's `Scoring` restricts truth to covered objects instead).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bastion.core.records import TrackReport
from bastion.core.truth import TruthHistory
from bastion.metrics.gospa_series import GospaSeries, gospa_series
from bastion.metrics.siap import Siap, score_siap
from bastion.metrics.track_truth import FloatArray, StateRows


def truth_rows(truth: TruthHistory) -> StateRows:
    """One row per (object, sample) where the object exists; ids are object indices."""
    pos = np.asarray(truth.position_m, dtype=np.float64)
    vel = np.asarray(truth.velocity_mps, dtype=np.float64)
    k, j = np.nonzero(np.all(np.isfinite(pos), axis=2))
    return StateRows(
        t_s=np.asarray(truth.t_s, dtype=np.float64)[k],
        object_id=j.astype(np.int64),
        position_m=pos[k, j],
        velocity_mps=np.nan_to_num(vel[k, j]),
    )


def track_rows_on_grid(
    reports: Sequence[TrackReport], grid_t_s: FloatArray, *, max_age_s: float
) -> StateRows:
    """Track reports carried to the sample times `grid_t_s` (s, sorted), see the module docstring."""
    if not max_age_s >= 0:
        raise ValueError(f"max_age_s must be >= 0, got {max_age_s}")
    grid = np.asarray(grid_t_s, dtype=np.float64)
    n = len(reports)
    tid = np.fromiter((r.track_id for r in reports), dtype=np.int64, count=n)
    t = np.fromiter((r.t_s for r in reports), dtype=np.float64, count=n)
    p = np.array([r.position_m for r in reports], dtype=np.float64).reshape(n, 3)
    v = np.array([r.velocity_mps for r in reports], dtype=np.float64).reshape(n, 3)
    order = np.lexsort((t, tid))
    tid, t, p, v = tid[order], t[order], p[order], v[order]
    # A later report of the same track at the same time replaces an earlier one.
    keep = np.ones(n, dtype=bool)
    keep[:-1] = (tid[1:] != tid[:-1]) | (t[1:] != t[:-1])
    tid, t, p, v = tid[keep], t[keep], p[keep], v[keep]
    t_next = np.full(t.shape[0], np.inf)
    same = tid[1:] == tid[:-1]
    t_next[:-1][same] = t[1:][same]
    lo = np.searchsorted(grid, t, side="left")
    hi = np.minimum(
        np.searchsorted(grid, t_next, side="left"),
        np.searchsorted(grid, t + max_age_s, side="right"),
    )
    length = np.maximum(hi - lo, 0)
    r = np.repeat(np.arange(t.shape[0]), length)
    g = np.repeat(lo, length) + (
        np.arange(r.shape[0]) - np.repeat(np.cumsum(length) - length, length)
    )
    dt = (grid[g] - t[r])[:, None]
    return StateRows(
        t_s=grid[g],
        object_id=tid[r],
        position_m=p[r] + v[r] * dt,
        velocity_mps=v[r].copy(),
    )


def siap_from_reports(
    reports: Sequence[TrackReport],
    truth: TruthHistory,
    *,
    threshold_m: float = 250.0,
    max_age_s: float = 2.0,
) -> Siap:
    """SIAP of a run's published tracks against its truth: reports carried to the truth samples,
    Stone Soup's TrackToTruth association within `threshold_m` (m; 3 steps to start, 2 misses to end).
    """
    tracks = track_rows_on_grid(reports, truth.t_s, max_age_s=max_age_s)
    s, _ = score_siap(tracks, truth_rows(truth), threshold_m=threshold_m)
    return s


def gospa_from_reports(
    reports: Sequence[TrackReport],
    truth: TruthHistory,
    *,
    c_m: float = 100.0,
    p: float = 1.0,
    max_age_s: float = 2.0,
) -> GospaSeries:
    """GOSPA per truth sample of a run's published tracks (carried as above) against its truth."""
    tracks = track_rows_on_grid(reports, truth.t_s, max_age_s=max_age_s)
    tru = truth_rows(truth)
    return gospa_series(tracks.t_s, tracks.position_m, tru.t_s, tru.position_m, c_m=c_m, p=p)
