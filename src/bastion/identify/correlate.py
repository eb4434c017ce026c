"""Correlation of cooperative reports (ADS-B) with radar tracks, by position and velocity gates.

Each report is matched to the nearest confirmed track whose state, extrapolated to the report's time,
lies within `gate_m` in position and `gate_mps` in velocity (cKDTree on positions, vectorised).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from bastion.core.measurements import CooperativeReport


def correlate(
    reports: Sequence[CooperativeReport],
    track_ids: NDArray[np.int64],
    x: NDArray[np.float64],
    t_state_s: NDArray[np.float64],
    gate_m: float,
    gate_mps: float = 60.0,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """For each report, the matched track id (-1 if none) and the distance in metres (NaN if none).

    `x` is (N, 6) ENU state [e, n, u, ve, vn, vu] of the candidate tracks at times `t_state_s` (N,).
    """
    m = len(reports)
    match = np.full(m, -1, dtype=np.int64)
    dist = np.full(m, np.nan)
    if m == 0 or track_ids.size == 0:
        return match, dist
    t_r = np.array([r.t_s for r in reports])
    p_r = np.array([r.position_m for r in reports])
    v_r = np.array([r.velocity_mps for r in reports])
    # Extrapolate tracks to the mean report time; reports in one step are within a scan of each other.
    t_ref = float(t_r.mean())
    pos = x[:, :3] + x[:, 3:] * (t_ref - t_state_s)[:, None]
    p_ref = p_r - v_r * (t_r - t_ref)[:, None]
    tree = cKDTree(pos)
    d, j = tree.query(p_ref, k=1, distance_upper_bound=gate_m)
    ok = np.isfinite(d)
    jj = np.where(ok, j, 0)
    ok &= np.linalg.norm(x[jj, 3:] - v_r, axis=1) <= gate_mps
    match[ok] = track_ids[jj[ok]]
    dist[ok] = d[ok]
    return match, dist
