"""Exact JPDA marginals by joint-event enumeration, vectorised over events and over clusters at once.

Reference: T. E. Fortmann, Y. Bar-Shalom, M. Scheffe, "Sonar tracking of multiple targets using joint
probabilistic data association", IEEE J. Oceanic Eng. 8(3), 1983, sec. III (feasible joint events and
their weights); Y. Bar-Shalom, P. Willett, X. Tian, "Tracking and Data Fusion", 2011, sec. 6.2.

Every multi-track cluster's feasible joint events (each track takes its miss or one gated detection,
no detection taken twice) are grown in lockstep, one track per stage: stage s extends every live event
of every cluster by the options of that cluster's s-th track. An event is a row of flat arrays: its
cluster, its log weight, the detections taken as bits of uint64 words, and per stage a back-pointer
to its parent event and the option it took. A cluster whose event count passes the cap is dropped
(and reported) as soon as it does: a miss is always feasible, so counts never decrease from one stage
to the next and the check is exact. The marginals are the normalised event weights summed per option,
collected by walking the back-pointers. The number of Python iterations is the largest cluster's
track count, not the number of clusters. Written here because neither scipy nor Stone Soup offers a
vectorised enumerator (Stone Soup's `JPDA` loops over `itertools.product` of the whole scene).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_ONE = np.uint64(1)


def enumerate_marginals(
    cl: IntArray, lt: IntArray, ld: IntArray, log_l: FloatArray, log_miss: float, cap: int
) -> tuple[FloatArray, FloatArray, IntArray, BoolArray, int]:
    """Exact marginals of C clusters given as Q gated pairs.

    `cl` (Q,): compact cluster index 0..C-1 of each pair (every cluster has a pair); `lt` (Q,): the
    pair's track index within its cluster 0..k_c-1; `ld` (Q,): its detection index within its
    cluster; `log_l` (Q,): ln of the pair's weight; `log_miss`: ln of a missed track's weight; `cap`:
    the largest number of events allowed per cluster.

    Returns (beta (Q,), beta0 (G,), slot_of_pair (Q,), overflow (C,), events), where the G "slots"
    number the (cluster, local track) pairs, slot_of_pair gives each pair's slot, `overflow` marks
    the clusters dropped at the cap (their beta and beta0 are meaningless) and `events` counts the
    events of the clusters kept.
    """
    nq = cl.shape[0]
    n_cl = int(cl.max()) + 1
    k_c = np.zeros(n_cl, dtype=np.int64)
    np.maximum.at(k_c, cl, lt + 1)
    q_c = np.zeros(n_cl, dtype=np.int64)
    np.maximum.at(q_c, cl, ld + 1)
    off = np.concatenate([[0], np.cumsum(k_c)[:-1]]).astype(np.int64)
    n_slot = int(k_c.sum())
    slot = off[cl] + lt
    order = np.argsort(slot, kind="stable")
    slot_start = np.searchsorted(slot[order], np.arange(n_slot + 1))
    deg = np.diff(slot_start)
    word = ld // 64
    bit = (ld % 64).astype(np.uint64)

    # Lower bound on each cluster's event count: the all-miss event, the Q_c one-pair events and the
    # two-pair events (pairs of gated pairs sharing neither track nor detection). A cluster already
    # past the cap by this count is dropped before any enumeration.
    q_n = np.bincount(cl, minlength=n_cl).astype(np.float64)
    d_slot = np.bincount(slot, minlength=n_slot).astype(np.float64)
    span = int(q_c.max())
    det_keys, d_det = np.unique(cl * span + ld, return_counts=True)
    same_t = np.bincount(
        np.repeat(np.arange(n_cl), k_c), weights=d_slot * (d_slot - 1.0), minlength=n_cl
    )
    same_d = np.bincount(det_keys // span, weights=d_det * (d_det - 1.0), minlength=n_cl)
    two = 0.5 * (q_n * (q_n - 1.0) - same_t - same_d)
    alive = 1.0 + q_n + two <= cap

    ev_cl = np.flatnonzero(alive).astype(np.int64)
    used = np.zeros((ev_cl.shape[0], int(q_c.max() + 63) // 64), dtype=np.uint64)
    logw = np.zeros(ev_cl.shape[0])
    parents: list[IntArray] = []
    options: list[IntArray] = []
    # Events of clusters whose every track has been processed, retired at stage s: their indices
    # into the stage s - 1 arrays, their cluster and their log weight.
    retired: dict[int, tuple[IntArray, IntArray, FloatArray]] = {}
    s = 0
    while ev_cl.shape[0]:
        done = k_c[ev_cl] <= s
        if done.any():
            if s:
                retired[s] = (np.flatnonzero(done), ev_cl[done], logw[done])
            live = ~done
            ev_cl, used, logw = ev_cl[live], used[live], logw[live]
            base = np.flatnonzero(live)
        else:
            base = None
        if ev_cl.shape[0] == 0:
            break
        g = off[ev_cl] + s
        n_opt = 1 + deg[g]
        ev = np.repeat(np.arange(ev_cl.shape[0]), n_opt)
        oi = np.arange(ev.shape[0]) - np.repeat(np.cumsum(n_opt) - n_opt, n_opt)
        g_ev = g[ev]
        is_pair = oi > 0
        pp = order[np.where(is_pair, slot_start[g_ev] + oi - 1, 0)]
        taken = (used[ev, word[pp]] >> bit[pp]) & _ONE
        ok = ~is_pair | (taken == 0)
        ev, g_ev, is_pair, pp = ev[ok], g_ev[ok], is_pair[ok], pp[ok]
        new_cl = ev_cl[ev]
        over = np.bincount(new_cl, minlength=n_cl) > cap
        if over.any():
            alive &= ~over
            keep = alive[new_cl]
            ev, g_ev, is_pair, pp, new_cl = (
                ev[keep],
                g_ev[keep],
                is_pair[keep],
                pp[keep],
                new_cl[keep],
            )
        used = used[ev]
        rows = np.flatnonzero(is_pair)
        used[rows, word[pp[rows]]] |= _ONE << bit[pp[rows]]
        logw = logw[ev] + np.where(is_pair, log_l[pp], log_miss)
        parents.append(ev if base is None else base[ev])
        options.append(np.where(is_pair, pp, nq + g_ev))
        ev_cl = new_cl
        s += 1

    mass = np.zeros(nq + n_slot)
    n_events = 0
    idx = np.zeros(0, dtype=np.int64)
    w = np.zeros(0)
    for i in range(len(options) - 1, -1, -1):
        if i + 1 in retired:
            r_idx, r_cl, r_logw = retired[i + 1]
            top = np.full(n_cl, -np.inf)
            np.maximum.at(top, r_cl, r_logw)
            r_w = np.exp(r_logw - top[r_cl])
            r_w /= np.bincount(r_cl, weights=r_w, minlength=n_cl)[r_cl]
            n_events += r_idx.shape[0]
            idx = np.concatenate([idx, r_idx])
            w = np.concatenate([w, r_w])
        mass += np.bincount(options[i][idx], weights=w, minlength=nq + n_slot)
        idx = parents[i][idx]
    return mass[:nq], mass[nq:], slot.astype(np.int64), ~alive, n_events
