"""The vectorised IMM against filterpy's IMMEstimator (the one-track oracle), track by track.

filterpy's IMMEstimator computes its mixing probabilities at the end of `update` (and at construction)
and uses them at the start of `predict`; `imm_mix_predict` computes them at its start from the
posterior mode probabilities. Both are Bar-Shalom's IMM cycle, so we compare like with like after each
step: each model's predicted state and covariance after predict, and after update the mode
probabilities and the moment-matched state and covariance (filterpy's `x`, `P` after `update`).
filterpy's Kalman update is in Joseph form, as `position_update` is. Three tracks with different
trajectories run through our filter at once, each against its own filterpy IMM.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from filterpy.kalman import IMMEstimator, KalmanFilter

from bastion.tracking.imm import imm_combine, imm_mix_predict, imm_update
from bastion.tracking.motion import ConstantVelocity, Singer

pytestmark = pytest.mark.oracle

N_STEPS = 50
DT_S = 1.0


def _truth(rng: np.random.Generator) -> np.ndarray:
    """(N_STEPS, 3) positions: straight, a hard turn, a dash with acceleration, another turn."""
    p = np.array([rng.uniform(-3000, 3000), rng.uniform(-3000, 3000), rng.uniform(100, 500)])
    heading = rng.uniform(0, 2 * math.pi)
    v = 30.0 * np.array([math.sin(heading), math.cos(heading), 0.0])
    out = np.empty((N_STEPS, 3))
    sub = 20
    for k in range(N_STEPS):
        for _ in range(sub):
            if 12 <= k < 20 or 38 <= k < 44:  # turn at ~ 2 g
                sign = 1.0 if k < 30 else -1.0
                a = sign * 20.0 * np.array([-v[1], v[0], 0.0]) / np.linalg.norm(v[:2])
            elif 26 <= k < 32:  # dash
                a = 4.0 * v / np.linalg.norm(v)
            else:
                a = np.zeros(3)
            v = v + a * DT_S / sub
            p = p + v * DT_S / sub
        out[k] = p
    return out


def _filterpy_imm(
    z0: np.ndarray, R: np.ndarray, mats: list[tuple[np.ndarray, np.ndarray]], mu0: np.ndarray
) -> tuple[IMMEstimator, np.ndarray, np.ndarray]:
    x0 = np.zeros(9)
    x0[:3] = z0
    P0 = np.diag([0.0] * 3 + [40.0**2] * 3 + [5.0**2] * 3)
    P0[:3, :3] = R
    filters = []
    for F, Q in mats:
        kf = KalmanFilter(dim_x=9, dim_z=3)
        kf.x = x0.copy()[:, None]
        kf.P = P0.copy()
        kf.F, kf.Q = F.copy(), Q.copy()
        kf.H = np.hstack([np.eye(3), np.zeros((3, 6))])
        kf.R = R.copy()
        filters.append(kf)
    return IMMEstimator(filters, mu0.copy(), TRANSITION), x0, P0


TRANSITION = np.array([[0.93, 0.05, 0.02], [0.08, 0.88, 0.04], [0.05, 0.05, 0.90]])
MODELS = (
    ConstantVelocity(accel_mps2=1.0),
    Singer(accel_sigma_mps2=15.0, tau_s=4.0),
    Singer(accel_sigma_mps2=0.0, tau_s=math.inf, jerk_psd_m2ps5=4.0),
)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).max() / np.abs(b).max())


def test_imm_matches_filterpy_imm_estimator() -> None:
    rng = np.random.default_rng(20261125)
    n = 3
    truths = np.stack([_truth(rng) for _ in range(n)])  # (n, steps, 3)
    sig = rng.uniform(5.0, 15.0, (n, N_STEPS, 3))
    R_all = np.zeros((n, N_STEPS, 3, 3))
    idx = np.arange(3)
    R_all[:, :, idx, idx] = sig**2
    z_all = truths + rng.normal(size=truths.shape) * sig
    mats = [
        (m.matrices(np.array([DT_S]))[0][0], m.matrices(np.array([DT_S]))[1][0]) for m in MODELS
    ]
    mu0 = np.array([0.5, 0.3, 0.2])

    oracles = []
    x = np.zeros((n, 3, 9))
    P = np.zeros((n, 3, 9, 9))
    for i in range(n):
        imm_ref, x0, P0 = _filterpy_imm(z_all[i, 0], R_all[i, 0], mats, mu0)
        oracles.append(imm_ref)
        x[i] = x0
        P[i] = P0
    mu = np.tile(mu0, (n, 1))
    worst = {"pred": 0.0, "mu": 0.0, "x": 0.0, "P": 0.0}
    for k in range(1, N_STEPS):
        x_pred, P_pred, c = imm_mix_predict(x, P, mu, np.full(n, DT_S), MODELS, TRANSITION)
        x, P, mu, _ = imm_update(x_pred, P_pred, c, z_all[:, k], R_all[:, k])
        xc, Pc = imm_combine(x, P, mu)
        for i, ref in enumerate(oracles):
            ref.predict()
            for j, f in enumerate(ref.filters):
                worst["pred"] = max(
                    worst["pred"], _rel(x_pred[i, j], f.x[:, 0]), _rel(P_pred[i, j], f.P)
                )
                f.R = R_all[i, k].copy()
            ref.update(z_all[i, k][:, None])
            worst["mu"] = max(worst["mu"], float(np.abs(mu[i] - ref.mu).max()))
            worst["x"] = max(worst["x"], _rel(xc[i], ref.x[:, 0]))
            worst["P"] = max(worst["P"], _rel(Pc[i], ref.P))
    assert worst["pred"] < 1e-8, worst
    assert worst["mu"] < 1e-8, worst
    assert worst["x"] < 1e-8, worst
    assert worst["P"] < 1e-8, worst


def test_oracle_scenario_exercises_mode_switching() -> None:
    """Guard against a vacuous comparison: filterpy's own mode probabilities move between models."""
    rng = np.random.default_rng(20261125)
    truth = _truth(rng)
    R = np.eye(3) * 100.0
    z = truth + rng.normal(size=truth.shape) * 10.0
    mats = [
        (m.matrices(np.array([DT_S]))[0][0], m.matrices(np.array([DT_S]))[1][0]) for m in MODELS
    ]
    ref, _, _ = _filterpy_imm(z[0], R, mats, np.array([0.5, 0.3, 0.2]))
    cv_prob = []
    for k in range(1, N_STEPS):
        ref.predict()
        ref.update(z[k][:, None])
        cv_prob.append(ref.mu[0])
    assert max(cv_prob) > 0.7
    assert min(cv_prob[12:22]) < 0.3
