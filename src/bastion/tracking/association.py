"""Global nearest neighbour (GNN) association over gated pairs, solved per connected cluster.

The problem: give each track at most one detection and each detection at most one track, minimising

    sum over assigned pairs of cost(i, j)  +  miss_cost * (number of unassigned tracks),

where only gated pairs may be assigned (cost = squared Mahalanobis distance, miss_cost = the gate, so
assigning a gated pair never costs more than a miss). Tracks and detections form a bipartite graph whose
edges are the gated pairs; its connected components (clusters) are independent sub-problems:

* a *star* cluster -- one track whose detections gate with no other track, or one detection whose tracks
  gate with no other detection; nearly every cluster in a sparse scene -- is solved exactly by its
  cheapest pair, found from node degrees for all such clusters at once, without computing components;
* the remaining pairs are split into clusters by min-label propagation, and each cluster is solved with
  `scipy.optimize.linear_sum_assignment` on its small dense matrix, augmented with one "miss" column per
  track (cost `miss_cost`, other entries of that column forbidden).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_EMPTY = np.zeros(0, dtype=np.int64)


def clusters(track: IntArray, det: IntArray) -> IntArray:
    """Connected-component label of each gated pair (P,); pairs share a label iff they are connected.

    `track` and `det` (P,) are the pairs' track rows and detection indices. Labels are small integers
    (the compact index of the lowest track row in the component). Min-label propagation: each round
    passes the smallest track label through every detection and back, until nothing changes.
    """
    if track.shape[0] == 0:
        return _EMPTY.copy()
    t_u, ti = np.unique(track, return_inverse=True)
    d_u, di = np.unique(det, return_inverse=True)
    lab_t = np.arange(t_u.shape[0], dtype=np.int64)
    big = np.int64(t_u.shape[0])
    while True:
        lab_d = np.full(d_u.shape[0], big, dtype=np.int64)
        np.minimum.at(lab_d, di, lab_t[ti])
        new_t = np.full(t_u.shape[0], big, dtype=np.int64)
        np.minimum.at(new_t, ti, lab_d[di])
        if np.array_equal(new_t, lab_t):
            return lab_t[ti]
        lab_t = new_t


def _solve_dense(
    track: IntArray, det: IntArray, cost: FloatArray, miss_cost: float
) -> tuple[IntArray, IntArray]:
    """Optimal assignment of one cluster with `linear_sum_assignment` (miss columns appended)."""
    t_u, ti = np.unique(track, return_inverse=True)
    d_u, di = np.unique(det, return_inverse=True)
    nt, nd = t_u.shape[0], d_u.shape[0]
    mat = np.full((nt, nd + nt), np.inf)
    mat[ti, di] = cost
    mat[np.arange(nt), nd + np.arange(nt)] = miss_cost
    rows, cols = linear_sum_assignment(mat)
    real = cols < nd
    return t_u[rows[real]], d_u[cols[real]]


def gnn(
    track: IntArray, det: IntArray, cost: FloatArray, miss_cost: float
) -> tuple[IntArray, IntArray]:
    """Optimal one-to-one assignment over gated pairs.

    `track`, `det`, `cost` (P,) list the gated pairs (track row, detection index, cost <= miss_cost),
    each pair at most once. Returns the assigned (track rows, detection indices), sorted by track row.
    The result depends only on the set of pairs and their costs, not on their order (exact ties in cost
    are broken by track row, then detection index).
    """
    if track.shape[0] == 0:
        return _EMPTY.copy(), _EMPTY.copy()
    deg_t = np.bincount(track)
    deg_d = np.bincount(det)
    if deg_t.max() == 1 and deg_d.max() == 1:
        # Every pair is its own cluster (the common case in sparse scenes).
        order = np.argsort(track)
        return track.take(order), det.take(order)
    # A track is a star centre if each of its detections gates with it alone; likewise a detection.
    max_dd = np.zeros(deg_t.shape[0], dtype=np.int64)
    np.maximum.at(max_dd, track, deg_d[det])
    max_dt = np.zeros(deg_d.shape[0], dtype=np.int64)
    np.maximum.at(max_dt, det, deg_t[track])
    t_star = max_dd[track] == 1
    d_star = max_dt[det] == 1
    simple = t_star | d_star

    out_t: list[IntArray] = []
    out_d: list[IntArray] = []
    if simple.any():
        # Star clusters: the cheapest pair of each (key: the track, or the detection offset by N).
        key = np.where(t_star, track, deg_t.shape[0] + det)[simple]
        trk_s, det_s, cost_s = track[simple], det[simple], cost[simple]
        order = np.lexsort((det_s, trk_s, cost_s, key))
        first = np.ones(order.shape[0], dtype=bool)
        first[1:] = key[order[1:]] != key[order[:-1]]
        best = order[first]
        out_t.append(trk_s[best])
        out_d.append(det_s[best])

    hard = ~simple
    if hard.any():
        trk_h, det_h, cost_h = track[hard], det[hard], cost[hard]
        label = clusters(trk_h, det_h)
        order = np.lexsort((det_h, trk_h, label))
        trk_h, det_h, cost_h, label = trk_h[order], det_h[order], cost_h[order], label[order]
        cuts = np.flatnonzero(label[1:] != label[:-1]) + 1
        starts = [0, *cuts.tolist()]
        ends = [*cuts.tolist(), label.shape[0]]
        for b, e in zip(starts, ends, strict=True):
            at, ad = _solve_dense(trk_h[b:e], det_h[b:e], cost_h[b:e], miss_cost)
            out_t.append(at)
            out_d.append(ad)

    at = np.concatenate(out_t).astype(np.int64)
    ad = np.concatenate(out_d).astype(np.int64)
    order = np.argsort(at, kind="stable")
    return at[order], ad[order]


def gnn_confirmed_first(
    track: IntArray,
    det: IntArray,
    cost: FloatArray,
    confirmed: NDArray[np.bool_],
    n_det: int,
    miss_cost: float,
) -> tuple[IntArray, IntArray]:
    """GNN over gated pairs with confirmed tracks served first, then tentative tracks with the
    detections left over (a tentative track never takes a confirmed track's detection).
    `confirmed` (N,) flags the track rows; `n_det` is the number of detections. Returns the
    assigned (track rows, detection indices)."""
    if track.shape[0] == 0:
        return _EMPTY.copy(), _EMPTY.copy()
    conf = confirmed[track]
    at1, ad1 = gnn(track[conf], det[conf], cost[conf], miss_cost)
    used = np.zeros(n_det, dtype=bool)
    used[ad1] = True
    rest = ~conf & ~used[det]
    at2, ad2 = gnn(track[rest], det[rest], cost[rest], miss_cost)
    return np.concatenate([at1, at2]), np.concatenate([ad1, ad2])
