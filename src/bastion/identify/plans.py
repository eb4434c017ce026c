"""Friendly flight plans: which tracks could be a plan's drone now, vectorised over tracks.

A track is a candidate for plan p when it is inside p's corridor (horizontal distance to the
corridor polyline at most `half_width_m`, height within [`min_alt_m`, `max_alt_m`]), the time lies in
one of p's windows (departure, expected return), and its declared class is p's class or still
unknown. Positions site ENU metres, times run-clock seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bastion.core.identification import FlightPlan
from bastion.core.records import THREAT_CLASSES, ThreatClass

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_UNKNOWN = THREAT_CLASSES.index(ThreatClass.UNKNOWN)


def polyline_distance_m(points_m: FloatArray, vertices_m: FloatArray) -> FloatArray:
    """Horizontal distance (m) of points (N, 2) to the polyline through vertices (V, 2), V >= 1."""
    pts = np.asarray(points_m, dtype=np.float64).reshape(-1, 2)
    v = np.asarray(vertices_m, dtype=np.float64).reshape(-1, 2)
    if v.shape[0] == 1:
        out1: FloatArray = np.linalg.norm(pts - v[0], axis=1)
        return out1
    a, b = v[:-1], v[1:]  # (S, 2)
    ab = b - a
    len2 = np.maximum(np.einsum("sk,sk->s", ab, ab), 1e-12)
    ap = pts[:, None, :] - a[None, :, :]  # (N, S, 2)
    u = np.clip(np.einsum("nsk,sk->ns", ap, ab) / len2, 0.0, 1.0)
    nearest = a[None] + u[..., None] * ab[None]
    out: FloatArray = np.linalg.norm(pts[:, None, :] - nearest, axis=2).min(axis=1)
    return out


def in_window(plan: FlightPlan, t_s: float) -> bool:
    """Whether run time `t_s` lies in one of the plan's windows."""
    return any(lo <= t_s <= hi for lo, hi in plan.windows_s)


def candidates(
    plans: Sequence[FlightPlan], position_m: FloatArray, class_codes: NDArray[np.int8], t_s: float
) -> BoolArray:
    """(N, P): track n could be plan p's drone now (see the module docstring)."""
    pos = np.asarray(position_m, dtype=np.float64).reshape(-1, 3)
    out = np.zeros((pos.shape[0], len(plans)), dtype=bool)
    for j, plan in enumerate(plans):
        if not in_window(plan, t_s) or pos.shape[0] == 0:
            continue
        d = polyline_distance_m(pos[:, :2], np.asarray(plan.corridor_m))
        ok = (
            (d <= plan.half_width_m) & (pos[:, 2] >= plan.min_alt_m) & (pos[:, 2] <= plan.max_alt_m)
        )
        code = THREAT_CLASSES.index(plan.threat_class)
        ok &= (class_codes == code) | (class_codes == _UNKNOWN)
        out[:, j] = ok
    return out
