"""Oracle: Bastion's JPDA marginals and mixture update against Stone Soup's JPDA on the same scene."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy.stats import chi2

from bastion.tracking.gating import gate
from bastion.tracking.jpda import JpdaParams, jpda

SS = [0, 2, 4, 1, 3, 5]  # Stone Soup [x, vx, y, vy, z, vz] -> Bastion [e, n, u, ve, vn, vu]
BS = [0, 3, 1, 4, 2, 5]  # Bastion -> Stone Soup
PD, PG = 0.9, 0.99
CLUTTER = 2e-7  # per m^3


def _scene(
    seed: int, n_tracks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """n_tracks predicted tracks whose paths cross near one point, their detections (some missed) with
    per-detection R, and clutter around them. Returns x (N, 6), P (N, 6, 6), z (M, 3), R (M, 3, 3),
    and the detections' true track (-1 clutter)."""
    rng = np.random.default_rng(seed)
    centre = np.array([5_000.0, 2_000.0, 300.0])
    x = np.zeros((n_tracks, 6))
    x[:, :3] = centre + rng.normal(0.0, 60.0, (n_tracks, 3))
    x[:, 3:] = rng.normal(0.0, 40.0, (n_tracks, 3))
    A = rng.normal(0.0, 1.0, (n_tracks, 6, 6))
    P = A @ A.transpose(0, 2, 1) * 20.0 + np.diag([900.0, 900.0, 400.0, 100.0, 100.0, 50.0])
    truth = x[:, :3] + np.einsum(
        "nij,nj->ni", np.linalg.cholesky(P[:, :3, :3]), rng.normal(0, 0.5, (n_tracks, 3))
    )
    seen = rng.random(n_tracks) < 0.85
    n_clutter = 6
    z_true = truth[seen]
    z_clut = centre + rng.uniform(-150.0, 150.0, (n_clutter, 3))
    sig = rng.uniform(15.0, 40.0, (z_true.shape[0] + n_clutter, 3))
    R = np.zeros((sig.shape[0], 3, 3))
    R[:, [0, 1, 2], [0, 1, 2]] = sig**2
    R[:, 0, 1] = R[:, 1, 0] = 0.3 * sig[:, 0] * sig[:, 1]
    z = np.vstack([z_true, z_clut])
    z[: z_true.shape[0]] += np.einsum(
        "nij,nj->ni",
        np.linalg.cholesky(R[: z_true.shape[0]]),
        rng.normal(size=(z_true.shape[0], 3)),
    )
    origin = np.concatenate([np.flatnonzero(seen), np.full(n_clutter, -1)])
    return x, P, z, R, origin


@pytest.mark.oracle
@pytest.mark.parametrize(("seed", "n_tracks"), [(1, 2), (2, 3), (3, 4), (4, 4)])
def test_jpda_matches_stonesoup(seed: int, n_tracks: int) -> None:
    from stonesoup.dataassociator.probability import JPDA
    from stonesoup.functions import gm_reduce_single
    from stonesoup.hypothesiser.probability import PDAHypothesiser
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.array import CovarianceMatrix, StateVector, StateVectors
    from stonesoup.types.detection import Detection
    from stonesoup.types.state import GaussianState
    from stonesoup.types.track import Track
    from stonesoup.updater.kalman import KalmanUpdater

    x, P, z, R, _ = _scene(seed, n_tracks)
    gate_chi2 = float(chi2.ppf(PG, 3))
    params = JpdaParams(pd=PD, pg=PG, clutter_density_per_m3=CLUTTER)
    trk, det, d2 = gate(x[:, :3], P[:, :3, :3], z, R, gate_chi2)
    ours = jpda(x, P, z, R, trk, det, d2, params)
    assert ours.n_multi_clusters >= 1, "the scene should have at least one shared cluster"

    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    predictor = KalmanPredictor(CombinedLinearGaussianTransitionModel([ConstantVelocity(1.0)] * 3))
    updater = KalmanUpdater(None)
    hyp = PDAHypothesiser(
        predictor=predictor,
        updater=updater,
        clutter_spatial_density=CLUTTER,
        prob_detect=PD,
        prob_gate=PG,
    )
    tracks = [
        Track([GaussianState(StateVector(x[i, BS]), CovarianceMatrix(P[i][np.ix_(BS, BS)]), t0)])
        for i in range(x.shape[0])
    ]
    dets = [
        Detection(
            StateVector(z[j]),
            timestamp=t0,
            measurement_model=LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=R[j]),
        )
        for j in range(z.shape[0])
    ]
    index = {id(d): j for j, d in enumerate(dets)}
    hypotheses = JPDA(hypothesiser=hyp).associate(set(tracks), set(dets), t0)

    beta_ours = {(int(i), int(j)): float(b) for i, j, b in zip(trk, det, ours.beta, strict=True)}
    for i, track in enumerate(tracks):
        mh = hypotheses[track]
        states, weights = [], []
        for h in mh:
            p = float(h.probability)
            if not h:
                assert ours.beta0[i] == pytest.approx(p, abs=1e-6)
                states.append(h.prediction)
            else:
                j = index[id(h.measurement)]
                assert beta_ours[(i, j)] == pytest.approx(p, abs=1e-6)
                states.append(updater.update(h))
            weights.append(p)
        n_ss = sum(1 for h in mh if h)
        assert n_ss == int(np.count_nonzero(trk == i)), "same gated pairs"
        mean, covar = gm_reduce_single(
            StateVectors([s.state_vector for s in states]),
            np.stack([s.covar for s in states], axis=2),
            np.asarray(weights, dtype=float),
        )
        np.testing.assert_allclose(ours.x[i], np.asarray(mean, dtype=float)[SS, 0], rtol=1e-9)
        np.testing.assert_allclose(
            ours.P[i], np.asarray(covar, dtype=float)[np.ix_(SS, SS)], rtol=1e-7, atol=1e-7
        )
