"""Gating: which (track, detection) pairs are close enough to be associated.

Two passes, both on whole arrays:

1. Coarse, spatial: a `scipy.spatial.cKDTree` over the detections' ENU positions is queried at every
   track's predicted position with that track's largest possible gate radius. A pair inside the
   chi-square gate satisfies |v|^2 <= gate * lambda_max(S) <= gate * (trace(P_pos) + max_j trace(R_j)),
   so the radius sqrt(gate * (trace(P_pos) + max_j trace(R_j))) never drops a pair the fine gate keeps.
2. Fine, statistical: the squared Mahalanobis distance d^2 = v^T S^-1 v with S = P_pos + R_j is computed
   for the candidate pairs only and compared with `gate_chi2` (chi-square with 3 degrees of freedom; 16
   keeps 99.9 % of true pairs).

Cost is O((N + M) log M) plus the candidate pairs, not O(N M).
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from bastion.tracking.updater import mahalanobis2

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_EMPTY = np.zeros(0, dtype=np.int64)
_K_NEAREST = 4
"""Neighbours fetched per track by the fast k-nearest query before falling back to a ball query."""


def gate_radius_m(P_pos: FloatArray, R_max_trace_m2: float, gate_chi2: float) -> FloatArray:
    """Per-track Euclidean search radius (K,) in m that contains every detection the chi-square gate
    can accept, for predicted position covariances `P_pos` (K, 3, 3) in m^2."""
    tr: FloatArray = np.trace(P_pos, axis1=1, axis2=2)
    radius: FloatArray = np.sqrt(gate_chi2 * (tr + R_max_trace_m2))
    return radius


def candidate_pairs(
    track_pos_m: FloatArray, radius_m: FloatArray, tree: cKDTree
) -> tuple[IntArray, IntArray]:
    """Pairs (track row, detection index) whose Euclidean distance is within each track's radius.

    `track_pos_m` (K, 3) site ENU m; `radius_m` (K,) m; `tree` a cKDTree over detection positions.
    One k-nearest query (bounded by the largest radius) serves nearly every track; a track whose k-th
    neighbour is still inside its radius is asked again with a ball query, so no pair is lost. Pairs are
    grouped by track row.
    """
    if track_pos_m.shape[0] == 0 or tree.n == 0:
        return _EMPTY.copy(), _EMPTY.copy()
    k = min(_K_NEAREST, tree.n)
    dist, idx = tree.query(track_pos_m, k=k, distance_upper_bound=float(radius_m.max()))
    if k == 1:
        dist, idx = dist[:, None], idx[:, None]
    inside = dist <= radius_m[:, None]
    full = inside[:, -1]
    if not full.any():
        trk, col = np.nonzero(inside)
        return trk.astype(np.int64), idx[trk, col].astype(np.int64)
    rows = np.flatnonzero(full)
    inside[rows] = False
    trk, col = np.nonzero(inside)
    det = idx[trk, col].astype(np.int64)
    hits = tree.query_ball_point(track_pos_m[rows], r=radius_m[rows])
    counts = np.fromiter(map(len, hits), dtype=np.int64, count=hits.shape[0])
    extra = np.fromiter(
        itertools.chain.from_iterable(hits), dtype=np.int64, count=int(counts.sum())
    )
    trk = np.concatenate([trk.astype(np.int64), np.repeat(rows.astype(np.int64), counts)])
    det = np.concatenate([det, extra])
    order = np.argsort(trk, kind="stable")
    return trk[order], det[order]


def gate(
    track_pos_m: FloatArray,
    P_pos: FloatArray,
    det_pos_m: FloatArray,
    R: FloatArray,
    gate_chi2: float,
    tree: cKDTree | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Gated pairs between K predicted tracks and M detections.

    `track_pos_m` (K, 3) predicted positions and `P_pos` (K, 3, 3) their covariances; `det_pos_m`
    (M, 3) converted detections and `R` (M, 3, 3) their covariances; all site ENU, m and m^2. A
    prebuilt `tree` over `det_pos_m` may be passed. Returns (track row, detection index, d^2) of every
    pair with d^2 <= `gate_chi2`, grouped by track row.
    """
    if track_pos_m.shape[0] == 0 or det_pos_m.shape[0] == 0:
        return _EMPTY.copy(), _EMPTY.copy(), np.zeros(0, dtype=np.float64)
    if tree is None:
        tree = cKDTree(det_pos_m, balanced_tree=False, compact_nodes=False)
    r_max = float(np.trace(R, axis1=1, axis2=2).max())
    radius = gate_radius_m(P_pos, r_max, gate_chi2)
    trk, det = candidate_pairs(track_pos_m, radius, tree)
    v = det_pos_m[det] - track_pos_m[trk]
    d2 = mahalanobis2(v, P_pos[trk] + R[det])
    ok = d2 <= gate_chi2
    return trk[ok], det[ok], d2[ok]
