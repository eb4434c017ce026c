"""Gating against brute force, and GNN against exhaustive enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.spatial import cKDTree

from bastion.tracking.association import clusters, gnn
from bastion.tracking.gating import candidate_pairs, gate


def _brute_force_cost(track, det, cost, miss, at, ad) -> float:
    c = {(int(t), int(d)): float(v) for t, d, v in zip(track, det, cost, strict=True)}
    tracks = sorted(set(track.tolist()))
    return sum(c[(int(t), int(d))] for t, d in zip(at, ad, strict=True)) + miss * (
        len(tracks) - len(at)
    )


def _optimum(track, det, cost, miss) -> float:
    c = {(int(t), int(d)): float(v) for t, d, v in zip(track, det, cost, strict=True)}
    tracks = sorted(set(track.tolist()))
    dets = sorted(set(det.tolist()))
    best = np.inf
    options = [[None, *[d for d in dets if (t, d) in c]] for t in tracks]
    for choice in itertools.product(*options):
        used = [d for d in choice if d is not None]
        if len(used) != len(set(used)):
            continue
        total = sum(miss if d is None else c[(t, d)] for t, d in zip(tracks, choice, strict=True))
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_gnn_is_optimal_and_order_free(seed: int) -> None:
    rng = np.random.default_rng(seed)
    nt, nd = rng.integers(1, 6), rng.integers(1, 6)
    pairs = [(t, d) for t in range(nt) for d in range(nd) if rng.random() < 0.5]
    if not pairs:
        pairs = [(0, 0)]
    track = np.array([p[0] for p in pairs], dtype=np.int64) * 3 + 1  # non-contiguous rows
    det = np.array([p[1] for p in pairs], dtype=np.int64) * 2
    cost = rng.uniform(0, 16, len(pairs))
    at, ad = gnn(track, det, cost, 16.0)
    assert len(set(at.tolist())) == len(at)
    assert len(set(ad.tolist())) == len(ad)
    got = _brute_force_cost(track, det, cost, 16.0, at, ad)
    assert got == pytest.approx(_optimum(track, det, cost, 16.0))
    perm = rng.permutation(len(pairs))
    at2, ad2 = gnn(track[perm], det[perm], cost[perm], 16.0)
    np.testing.assert_array_equal(at, at2)
    np.testing.assert_array_equal(ad, ad2)


def test_gnn_prefers_a_miss_to_a_worse_global_assignment() -> None:
    # Track 0 gates det 0 (1) and det 1 (15.9); track 1 gates det 0 (15.9) only.
    # Taking (0,0) and missing track 1 costs 1 + 16 = 17 < 15.9 + 15.9.
    at, ad = gnn(np.array([0, 0, 1]), np.array([0, 1, 0]), np.array([1.0, 15.9, 15.9]), 16.0)
    np.testing.assert_array_equal(at, [0])
    np.testing.assert_array_equal(ad, [0])


def test_clusters_label_connected_components() -> None:
    track = np.array([0, 0, 1, 2, 3, 3])
    det = np.array([0, 1, 1, 5, 6, 7])
    lab = clusters(track, det)
    assert lab[0] == lab[1] == lab[2]
    assert lab[4] == lab[5]
    assert len({lab[0], lab[3], lab[4]}) == 3


def test_gate_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    k, m = 60, 80
    pos = rng.uniform(-2_000, 2_000, (k, 3))
    a = rng.normal(size=(k, 3, 3)) * 60
    P = a @ a.transpose(0, 2, 1) + np.eye(3) * 100
    z = rng.uniform(-2_000, 2_000, (m, 3))
    b = rng.normal(size=(m, 3, 3)) * 20
    R = b @ b.transpose(0, 2, 1) + np.eye(3) * 25
    trk, det, d2 = gate(pos, P, z, R, 16.0)
    S = P[:, None] + R[None]
    v = z[None] - pos[:, None]
    full = np.einsum("kmi,kmij,kmj->km", v, np.linalg.inv(S), v)
    ref = {(int(i), int(j)) for i, j in zip(*np.nonzero(full <= 16.0), strict=True)}
    assert ref  # the test scene has gated pairs
    assert set(zip(trk.tolist(), det.tolist(), strict=True)) == ref
    np.testing.assert_allclose(d2, full[trk, det])


def test_candidate_pairs_fall_back_when_many_neighbours() -> None:
    """More tracks inside the radius than the k-nearest query returns: none may be lost."""
    rng = np.random.default_rng(8)
    tracks = rng.normal(size=(50, 3)) * 10.0
    tree = cKDTree(tracks)
    dets = np.array([[0.0, 0.0, 0.0], [1e6, 0.0, 0.0], [5.0, 5.0, 5.0]])
    trk, det, d2 = candidate_pairs(tree, dets, 1_000.0)
    for j in (0, 2):
        np.testing.assert_array_equal(np.sort(trk[det == j]), np.arange(50))
    assert not np.any(det == 1)
    np.testing.assert_allclose(d2, np.sum((dets[det] - tracks[trk]) ** 2, axis=1))
