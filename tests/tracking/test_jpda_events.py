"""Batched joint-event enumeration: many clusters at once against brute force, one cluster at a time."""

from __future__ import annotations

import itertools
import math

import numpy as np

from bastion.tracking.jpda_events import enumerate_marginals

LOG_MISS = math.log1p(-0.9 * 0.99)


def _brute(lt: np.ndarray, ld: np.ndarray, log_l: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Marginals of one cluster by itertools.product over its tracks' options (pair or miss)."""
    k = int(lt.max()) + 1
    options = [[-1, *np.flatnonzero(lt == i).tolist()] for i in range(k)]
    beta, beta0, total, n = np.zeros(lt.shape[0]), np.zeros(k), 0.0, 0
    for ev in itertools.product(*options):
        ds = [ld[p] for p in ev if p >= 0]
        if len(ds) != len(set(ds)):
            continue
        n += 1
        w = math.exp(sum(log_l[p] if p >= 0 else LOG_MISS for p in ev))
        total += w
        for i, p in enumerate(ev):
            if p >= 0:
                beta[p] += w
            else:
                beta0[i] += w
    return beta / total, beta0 / total, n


def _random_clusters(seed: int, n_clusters: int, max_tracks: int, max_dets: int):
    """Random bipartite clusters (not necessarily connected inside; enumeration does not care)."""
    rng = np.random.default_rng(seed)
    cl, lt, ld = [], [], []
    for c in range(n_clusters):
        k = int(rng.integers(1, max_tracks + 1))
        q = int(rng.integers(1, max_dets + 1))
        for i in range(k):
            dets = rng.choice(q, size=int(rng.integers(1, q + 1)), replace=False)
            for j in dets:
                cl.append(c)
                lt.append(i)
                ld.append(int(j))
    n = len(cl)
    return (
        np.array(cl, dtype=np.int64),
        np.array(lt, dtype=np.int64),
        np.array(ld, dtype=np.int64),
        rng.normal(0.0, 2.0, n),
    )


def test_many_clusters_of_different_sizes_match_brute_force() -> None:
    cl, lt, ld, log_l = _random_clusters(3, 40, 4, 5)
    beta, beta0, slot, overflow, n_events = enumerate_marginals(cl, lt, ld, log_l, LOG_MISS, 10_000)
    assert not overflow.any()
    total_events = 0
    for c in range(40):
        sel = np.flatnonzero(cl == c)
        b, b0, n = _brute(lt[sel], ld[sel], log_l[sel])
        total_events += n
        np.testing.assert_allclose(beta[sel], b, atol=1e-12)
        slots = np.unique(slot[sel])
        np.testing.assert_allclose(beta0[slots], b0, atol=1e-12)
    assert n_events == total_events


def test_cluster_with_more_than_64_detections() -> None:
    # Two tracks, 50 detections each, 10 shared: 90 detections, two bitmask words.
    lt = np.concatenate([np.zeros(50, dtype=np.int64), np.ones(50, dtype=np.int64)])
    ld = np.concatenate([np.arange(50), np.arange(40, 90)]).astype(np.int64)
    log_l = np.random.default_rng(5).normal(0.0, 1.0, 100)
    cl = np.zeros(100, dtype=np.int64)
    beta, beta0, _, overflow, n_events = enumerate_marginals(cl, lt, ld, log_l, LOG_MISS, 10_000)
    b, b0, n = _brute(lt, ld, log_l)
    assert not overflow[0] and n_events == n == 51 * 51 - 10
    np.testing.assert_allclose(beta, b, atol=1e-12)
    np.testing.assert_allclose(beta0, b0, atol=1e-12)


def test_cap_drops_only_the_oversized_cluster() -> None:
    # Cluster 0: 3 tracks x 6 shared detections (229 events); cluster 1: 2 tracks, 1 detection each.
    lt0 = np.repeat(np.arange(3), 6)
    ld0 = np.tile(np.arange(6), 3)
    cl = np.concatenate([np.zeros(18), np.ones(2)]).astype(np.int64)
    lt = np.concatenate([lt0, [0, 1]]).astype(np.int64)
    ld = np.concatenate([ld0, [0, 0]]).astype(np.int64)
    log_l = np.random.default_rng(2).normal(0.0, 1.0, 20)
    for cap in (228, 40, 5):  # late overflow, overflow by the lower bound, and tiny
        beta, _, _, overflow, n_events = enumerate_marginals(cl, lt, ld, log_l, LOG_MISS, cap)
        np.testing.assert_array_equal(overflow, [True, False])
        assert n_events == 3
        b, _, _ = _brute(lt[18:], ld[18:], log_l[18:])
        np.testing.assert_allclose(beta[18:], b, atol=1e-12)
    _, _, _, overflow, n_events = enumerate_marginals(cl, lt, ld, log_l, LOG_MISS, 229)
    assert not overflow.any() and n_events == 229 + 3
