"""JPDA: cluster decomposition, marginals, the mixture update and the oversized-cluster fallback."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2

from bastion.tracking.gating import gate
from bastion.tracking.jpda import (
    JpdaParams,
    free_detections,
    jpda,
    marginals,
    pair_log_likelihood_ratio,
)
from bastion.tracking.updater import update

GATE = float(chi2.ppf(0.999, 3))
PARAMS = JpdaParams(pd=0.9, pg=0.999, clutter_density_per_m3=1e-8)


def _tracks(pos: np.ndarray, pos_var: float = 400.0) -> tuple[np.ndarray, np.ndarray]:
    n = pos.shape[0]
    x = np.zeros((n, 6))
    x[:, :3] = pos
    x[:, 3:] = 10.0
    P = np.tile(np.diag([pos_var] * 3 + [100.0] * 3), (n, 1, 1))
    P[:, 0, 3] = P[:, 3, 0] = 50.0
    return x, P


def _dets(z: np.ndarray, sigma_m: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    return z, np.tile(np.eye(3) * sigma_m**2, (z.shape[0], 1, 1))


def _run(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray, params: JpdaParams = PARAMS):
    trk, det, d2 = gate(x[:, :3], P[:, :3, :3], z, R, GATE)
    return trk, det, jpda(x, P, z, R, trk, det, d2, params)


def _brute_force(trk: np.ndarray, det: np.ndarray, log_l: np.ndarray, n: int, params: JpdaParams):
    """Exact marginals by enumerating every feasible joint event of the whole scene (no clusters)."""
    log_miss = math.log1p(-params.pd * params.pg)
    options = [[-1, *np.flatnonzero(trk == i).tolist()] for i in range(n)]
    beta = np.zeros(trk.shape[0])
    beta0 = np.zeros(n)
    total = 0.0
    for ev in itertools.product(*options):
        ds = [det[p] for p in ev if p >= 0]
        if len(ds) != len(set(ds)):
            continue
        w = math.exp(sum(log_l[p] if p >= 0 else log_miss for p in ev))
        total += w
        for i, p in enumerate(ev):
            if p >= 0:
                beta[p] += w
            else:
                beta0[i] += w
    return beta / total, beta0 / total


def test_far_apart_tracks_are_two_independent_pdas() -> None:
    x, P = _tracks(np.array([[0.0, 0.0, 100.0], [50_000.0, 0.0, 100.0]]))
    z, R = _dets(np.array([[5.0, -3.0, 100.0], [-12.0, 8.0, 95.0], [50_010.0, 2.0, 104.0]]))
    trk, det, res = _run(x, P, z, R)
    assert res.n_clusters == 2 and res.n_multi_clusters == 0
    for i in range(2):
        sel = trk == i
        _, _, ri = _run(x[i : i + 1], P[i : i + 1], z[det[sel]], R[det[sel]])
        np.testing.assert_allclose(res.x[i], ri.x[0], rtol=1e-12)
        np.testing.assert_allclose(res.P[i], ri.P[0], rtol=1e-12)
        assert res.beta0[i] == pytest.approx(ri.beta0[0], rel=1e-12)


def test_single_detection_pda_reduces_to_weighted_kalman_update() -> None:
    x, P = _tracks(np.array([[1_000.0, 2_000.0, 300.0]]))
    z, R = _dets(np.array([[1_010.0, 1_990.0, 305.0]]))
    _, _, res = _run(x, P, z, R)
    b = 1.0 - res.beta0[0]
    xk, Pk = update(x, P, z, R)
    np.testing.assert_allclose(res.x[0], x[0] + b * (xk[0] - x[0]), rtol=1e-12)
    dx = xk[0] - x[0]
    spread = b * (1 - b) * np.outer(dx, dx)
    np.testing.assert_allclose(res.P[0], res.beta0[0] * P[0] + b * Pk[0] + spread, rtol=1e-10)


def test_crossing_tracks_share_a_cluster_and_match_brute_force() -> None:
    x, P = _tracks(np.array([[0.0, 0.0, 200.0], [30.0, 10.0, 200.0], [5_000.0, 0.0, 200.0]]))
    z, R = _dets(np.array([[10.0, 4.0, 198.0], [22.0, 6.0, 203.0], [60.0, 40.0, 190.0]]))
    trk, det, res = _run(x, P, z, R)
    assert res.n_clusters == 2 and res.n_multi_clusters == 1 and res.n_lbp_clusters == 0
    S = P[trk, :3, :3] + R[det]
    log_l = pair_log_likelihood_ratio(
        np.einsum("ki,kij,kj->k", z[det] - x[trk, :3], np.linalg.inv(S), z[det] - x[trk, :3]),
        np.linalg.slogdet(S)[1],
        PARAMS.pd,
        PARAMS.clutter_density_per_m3,
    )
    beta, beta0 = _brute_force(trk, det, log_l, 3, PARAMS)
    np.testing.assert_allclose(res.beta, beta, atol=1e-12)
    np.testing.assert_allclose(res.beta0, beta0, atol=1e-12)
    # The third track has nothing in its gate: it keeps its prediction.
    assert res.beta0[2] == 1.0 and res.best_det[2] == -1
    np.testing.assert_array_equal(res.x[2], x[2])
    np.testing.assert_array_equal(res.P[2], P[2])


def test_no_detections_at_all_keeps_every_prediction() -> None:
    x, P = _tracks(np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]]))
    z, R = _dets(np.zeros((0, 3)))
    _, _, res = _run(x, P, z, R)
    np.testing.assert_array_equal(res.beta0, [1.0, 1.0])
    np.testing.assert_array_equal(res.x, x)
    assert res.n_clusters == 2 and res.det_assoc_prob.shape == (0,)


def _scene_with_truth(seed: int, n: int, spacing_m: float, clutter: int):
    """n tracks uniform in a cube of side spacing_m n^(1/3), 90 % detected (detections first, in
    track order), clutter uniform; also returns the rows of the detected tracks."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0.0, spacing_m * n ** (1 / 3), (n, 3))
    x, P = _tracks(pos)
    z_t = pos + rng.normal(0.0, 15.0, pos.shape)
    keep = rng.random(n) < 0.9
    lo, hi = pos.min(0), pos.max(0)
    z = np.vstack([z_t[keep], rng.uniform(lo, hi, (clutter, 3))])
    return x, P, *_dets(z), np.flatnonzero(keep)


def _random_scene(seed: int, n: int, spacing_m: float, clutter: int):
    return _scene_with_truth(seed, n, spacing_m, clutter)[:4]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_marginals_sum_to_one_per_track_and_at_most_one_per_detection(seed: int) -> None:
    x, P, z, R = _random_scene(seed, 200, 200.0, 100)
    trk, _, res = _run(x, P, z, R)
    assert res.n_multi_clusters > 5, "the scene should be dense enough to share clusters"
    per_track = res.beta0 + np.bincount(trk, weights=res.beta, minlength=x.shape[0])
    np.testing.assert_allclose(per_track, 1.0, atol=1e-12)
    assert np.all(res.det_assoc_prob <= 1.0 + 1e-12)
    assert np.all(res.beta >= 0.0)
    np.testing.assert_allclose(res.P, res.P.transpose(0, 2, 1))
    assert np.all(np.linalg.eigvalsh(res.P) > 0.0)


def test_sparse_scene_of_1000_tracks_has_one_cluster_per_track() -> None:
    x, P, z, R, seen = _scene_with_truth(7, 1_000, 5_000.0, 300)
    trk, det, res = _run(x, P, z, R)
    assert res.n_clusters == 1_000 and res.n_multi_clusters == 0
    # A detected track's most likely detection is its own (detection j is track seen[j]).
    own = res.best_det[seen] == np.arange(seen.shape[0])
    assert np.count_nonzero(own) >= 0.97 * seen.shape[0]
    has = np.bincount(trk, minlength=1_000) > 0
    assert np.all(res.best_det[~has] == -1)
    # best_d2 / best_log_det_S belong to the chosen pair and are NaN without one.
    hit = res.best_det >= 0
    assert np.all(np.isnan(res.best_d2[~hit])) and np.all(np.isnan(res.best_log_det_S[~hit]))
    pair = {(int(t), int(d)) for t, d in zip(trk, det, strict=True)}
    assert all((int(i), int(res.best_det[i])) in pair for i in np.flatnonzero(hit))
    assert np.all(res.best_d2[hit] <= GATE)
    np.testing.assert_allclose(
        res.best_log_det_S[hit], np.linalg.slogdet(P[hit, :3, :3] + R[res.best_det[hit]])[1]
    )


def test_oversized_cluster_falls_back_to_lbp_close_to_exact() -> None:
    x, P, z, R = _random_scene(11, 5, 8.0, 2)
    big = JpdaParams(pd=0.9, pg=0.999, clutter_density_per_m3=1e-8, max_hypotheses=20_000)
    trk, _, exact = _run(x, P, z, R, big)
    assert exact.n_multi_clusters == 1 and exact.n_lbp_clusters == 0
    assert exact.n_events > 1_000
    capped = JpdaParams(pd=0.9, pg=0.999, clutter_density_per_m3=1e-8, max_hypotheses=1_000)
    _, _, approx = _run(x, P, z, R, capped)
    assert approx.n_lbp_clusters >= 1
    np.testing.assert_allclose(approx.beta, exact.beta, atol=0.01)
    assert float(np.abs(approx.beta - exact.beta).max()) > 0.0
    per_track = approx.beta0 + np.bincount(trk, weights=approx.beta, minlength=5)
    np.testing.assert_allclose(per_track, 1.0, atol=1e-9)


def test_state_of_any_dimension_with_position_first() -> None:
    x6, P6 = _tracks(np.array([[0.0, 0.0, 100.0], [25.0, 0.0, 100.0]]))
    z, R = _dets(np.array([[10.0, 3.0, 100.0], [18.0, -4.0, 102.0]]))
    x9 = np.zeros((2, 9))
    x9[:, :6] = x6
    P9 = np.tile(np.eye(9) * 30.0, (2, 1, 1))
    P9[:, :6, :6] = P6
    _, _, r6 = _run(x6, P6, z, R)
    _, _, r9 = _run(x9, P9, z, R)
    np.testing.assert_allclose(r9.x[:, :6], r6.x, rtol=1e-12)
    np.testing.assert_allclose(r9.P[:, :6, :6], r6.P, rtol=1e-12)
    np.testing.assert_allclose(r9.beta, r6.beta, rtol=1e-12)


def test_marginals_order_invariant_and_free_detections() -> None:
    x, P, z, R = _random_scene(5, 60, 40.0, 20)
    trk, det, d2 = gate(x[:, :3], P[:, :3, :3], z, R, GATE)
    S = P[trk, :3, :3] + R[det]
    log_l = pair_log_likelihood_ratio(d2, np.linalg.slogdet(S)[1], 0.9, 1e-8)
    b, b0, _ = marginals(trk, det, log_l, 60, z.shape[0], PARAMS)
    perm = np.random.default_rng(0).permutation(trk.shape[0])
    bp, b0p, _ = marginals(trk[perm], det[perm], log_l[perm], 60, z.shape[0], PARAMS)
    np.testing.assert_allclose(bp, b[perm], atol=1e-12)
    np.testing.assert_allclose(b0p, b0, atol=1e-12)
    prob = np.bincount(det, weights=b, minlength=z.shape[0])
    free = free_detections(prob, 0.5)
    np.testing.assert_array_equal(free, prob < 0.5)
    assert free[-20:].sum() >= 1, "some clutter detections should be free"


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="pd"):
        JpdaParams(pd=1.0, pg=0.99, clutter_density_per_m3=1e-9)
    with pytest.raises(ValueError, match="max_hypotheses"):
        JpdaParams(pd=0.9, pg=0.99, clutter_density_per_m3=1e-9, max_hypotheses=0)


def test_clusters_solved_together_equal_clusters_solved_alone() -> None:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    x, P, z, R = _random_scene(2, 200, 200.0, 100)
    n, m = 200, z.shape[0]
    trk, det, d2 = gate(x[:, :3], P[:, :3, :3], z, R, GATE)
    S = P[trk, :3, :3] + R[det]
    log_l = pair_log_likelihood_ratio(d2, np.linalg.slogdet(S)[1], 0.9, 1e-8)
    b, b0, (_, n_multi, n_lbp, _) = marginals(trk, det, log_l, n, m, PARAMS)
    assert n_multi > 10 and n_lbp == 0
    graph = csr_matrix((np.ones(trk.shape[0]), (trk, n + det)), shape=(n + m, n + m))
    _, label = connected_components(graph, directed=False)
    for c in np.unique(label[trk]):
        sel = np.flatnonzero(label[trk] == c)
        bc, b0c, _ = marginals(trk[sel], det[sel], log_l[sel], n, m, PARAMS)
        np.testing.assert_allclose(b[sel], bc, atol=1e-12)
        tr = np.unique(trk[sel])
        np.testing.assert_allclose(b0[tr], b0c[tr], atol=1e-12)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.integers(1, 4),
    st.integers(0, 6),
    st.integers(0, 2**32 - 1),
    st.floats(5.0, 60.0),
)
def test_random_scenes_keep_probabilities_and_covariances_valid(
    n: int, m: int, seed: int, sigma_m: float
) -> None:
    rng = np.random.default_rng(seed)
    x, P = _tracks(rng.uniform(0.0, 120.0, (n, 3)), pos_var=float(rng.uniform(50.0, 2_000.0)))
    z, R = _dets(rng.uniform(0.0, 120.0, (m, 3)), sigma_m)
    trk, det, res = _run(x, P, z, R)
    per_track = res.beta0 + np.bincount(trk, weights=res.beta, minlength=n)
    np.testing.assert_allclose(per_track, 1.0, atol=1e-12)
    assert np.all((res.beta >= 0.0) & (res.beta <= 1.0))
    assert np.all(res.det_assoc_prob <= 1.0 + 1e-12)
    assert np.all(np.isfinite(res.x))
    np.testing.assert_array_equal(res.P, res.P.transpose(0, 2, 1))
    assert np.all(np.linalg.eigvalsh(res.P) > 0.0)
    if trk.shape[0]:
        S = P[trk, :3, :3] + R[det]
        v = z[det] - x[trk, :3]
        d2 = np.einsum("ki,kij,kj->k", v, np.linalg.inv(S), v)
        log_l = pair_log_likelihood_ratio(d2, np.linalg.slogdet(S)[1], 0.9, 1e-8)
        beta, beta0 = _brute_force(trk, det, log_l, n, PARAMS)
        np.testing.assert_allclose(res.beta, beta, atol=1e-9)
        np.testing.assert_allclose(res.beta0, beta0, atol=1e-9)


def test_scan_llr_is_the_pda_likelihood_ratio() -> None:
    x, P = _tracks(np.array([[0.0, 0.0, 100.0], [9_000.0, 0.0, 100.0]]))
    z, R = _dets(np.array([[12.0, -5.0, 104.0], [30.0, 20.0, 90.0]]))
    trk, det, res = _run(x, P, z, R)
    log_miss = math.log1p(-PARAMS.pd * PARAMS.pg)
    assert res.scan_llr[1] == pytest.approx(log_miss, rel=1e-14)
    S = P[trk, :3, :3] + R[det]
    v = z[det] - x[trk, :3]
    d2 = np.einsum("ki,kij,kj->k", v, np.linalg.inv(S), v)
    log_l = pair_log_likelihood_ratio(d2, np.linalg.slogdet(S)[1], PARAMS.pd, 1e-8)
    expect = math.log(math.exp(log_miss) + float(np.exp(log_l).sum()))
    assert res.scan_llr[0] == pytest.approx(expect, rel=1e-12)
