"""Predictor and updater against the textbook matrix formulas."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.tracking.predictor import cv_process_noise, cv_transition, predict, predict_inplace
from bastion.tracking.updater import inv_sym3, mahalanobis2, update


def _spd(rng: np.random.Generator, k: int, n: int, scale: float = 1.0) -> np.ndarray:
    a = rng.normal(size=(k, n, n)) * scale
    return a @ a.transpose(0, 2, 1) + np.eye(n) * scale**2


@pytest.mark.parametrize("uniform", [True, False])
def test_predict_equals_F_P_Ft_plus_Q(uniform: bool) -> None:
    rng = np.random.default_rng(1)
    k = 7
    x = rng.normal(size=(k, 6)) * 100
    P = _spd(rng, k, 6, 10.0)
    dt = np.full(k, 1.7) if uniform else rng.uniform(0, 5, k)
    xp, Pp = predict(x, P, dt, 3.0)
    F, Q = cv_transition(dt), cv_process_noise(dt, 3.0)
    np.testing.assert_allclose(xp, (F @ x[:, :, None])[:, :, 0], rtol=1e-12)
    np.testing.assert_allclose(Pp, F @ P @ F.transpose(0, 2, 1) + Q, rtol=1e-12, atol=1e-9)


def test_predict_does_not_mutate_and_inplace_does() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 6))
    P = _spd(rng, 3, 6)
    x0, P0 = x.copy(), P.copy()
    xp, Pp = predict(x, P, np.ones(3), 5.0)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(P, P0)
    predict_inplace(x, P, np.ones(3), 5.0)
    np.testing.assert_array_equal(x, xp)
    np.testing.assert_array_equal(P, Pp)


def test_process_noise_matches_cwna() -> None:
    q = 4.0**2
    Q = cv_process_noise(np.array([2.0]), 4.0)[0]
    per_axis = q * np.array([[8.0 / 3.0, 2.0], [2.0, 2.0]])
    for i in range(3):
        sub = Q[np.ix_([i, i + 3], [i, i + 3])]
        np.testing.assert_allclose(sub, per_axis)
    assert Q[0, 1] == Q[0, 4] == 0.0


def test_update_equals_textbook_kalman() -> None:
    rng = np.random.default_rng(3)
    k = 9
    x = rng.normal(size=(k, 6)) * 100
    P = _spd(rng, k, 6, 20.0)
    R = _spd(rng, k, 3, 5.0)
    z = x[:, :3] + rng.normal(size=(k, 3)) * 10
    xu, Pu = update(x, P, z, R)
    H = np.hstack([np.eye(3), np.zeros((3, 3))])
    for i in range(k):
        S = H @ P[i] @ H.T + R[i]
        K = P[i] @ H.T @ np.linalg.inv(S)
        np.testing.assert_allclose(xu[i], x[i] + K @ (z[i] - H @ x[i]), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(Pu[i], (np.eye(6) - K @ H) @ P[i], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(Pu, Pu.transpose(0, 2, 1))


def test_inv_sym3_and_mahalanobis() -> None:
    rng = np.random.default_rng(4)
    S = _spd(rng, 20, 3, 30.0)
    v = rng.normal(size=(20, 3)) * 30
    np.testing.assert_allclose(inv_sym3(S), np.linalg.inv(S), rtol=1e-9, atol=1e-15)
    ref = np.einsum("ki,kij,kj->k", v, np.linalg.inv(S), v)
    np.testing.assert_allclose(mahalanobis2(v, S), ref, rtol=1e-9)
