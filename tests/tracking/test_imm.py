"""IMM mixing, update, likelihoods and combination against explicit formulas; property tests.

Hypothesis drives long random sequences of predicts (random step 0..5 s, random model or the whole
IMM) and updates (random measurement noise over six orders of magnitude) and requires every covariance,
per model and combined, to stay symmetric positive definite and the mode probabilities to stay a
probability vector.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal

from bastion.tracking import imm as imm_module
from bastion.tracking.imm import (
    ImmParams,
    gaussian_loglik,
    imm_combine,
    imm_init,
    imm_mix_predict,
    imm_update,
    imm_update_with,
    pos_vel,
    position_update,
)
from bastion.tracking.motion import ConstantVelocity
from bastion.tracking.predictor import predict as cv6_predict
from bastion.tracking.updater import update as cv6_update

PARAMS = ImmParams()


def _spd(rng: np.random.Generator, k: int, n: int, scale: float = 1.0) -> np.ndarray:
    a = rng.normal(size=(k, n, n)) * scale
    return a @ a.transpose(0, 2, 1) + np.eye(n) * scale**2


def _assert_spd(P: np.ndarray) -> None:
    flat = P.reshape(-1, P.shape[-1], P.shape[-1])
    np.testing.assert_array_equal(flat, flat.transpose(0, 2, 1))
    np.linalg.cholesky(flat)  # raises LinAlgError unless positive definite
    assert np.isfinite(flat).all()


def _assert_prob(mu: np.ndarray) -> None:
    assert np.isfinite(mu).all()
    assert (mu >= 0.0).all()
    np.testing.assert_allclose(mu.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def _random_imm(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = len(PARAMS.models)
    x = np.concatenate(
        [
            rng.normal(0, 2000, (n, r, 2)),
            rng.uniform(50, 2000, (n, r, 1)),
            rng.normal(0, 30, (n, r, 3)),
            rng.normal(0, 5, (n, r, 3)),
        ],
        axis=2,
    )
    P = _spd(rng, n * r, 9, 4.0).reshape(n, r, 9, 9)
    mu = rng.dirichlet(np.ones(r), n)
    return x, P, mu


def test_mixing_matches_explicit_formulas() -> None:
    rng = np.random.default_rng(1)
    n, r = 5, len(PARAMS.models)
    x, P, mu = _random_imm(rng, n)
    dt = np.zeros(n)  # a zero step leaves each model's prediction equal to its mixed prior
    Pi = PARAMS.transition(np.full(n, 2.0))
    x0, P0, c = imm_mix_predict(x, P, mu, dt, PARAMS.models, Pi)
    for t in range(n):
        cbar = mu[t] @ Pi[t]
        np.testing.assert_allclose(c[t], cbar, rtol=1e-14)
        for j in range(r):
            w = Pi[t, :, j] * mu[t] / cbar[j]
            xm = (w[:, None] * x[t]).sum(axis=0)
            Pm = sum(w[i] * (P[t, i] + np.outer(x[t, i] - xm, x[t, i] - xm)) for i in range(r))
            np.testing.assert_allclose(x0[t, j], xm, rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(P0[t, j], Pm, rtol=1e-10, atol=1e-8)


def test_single_model_imm_is_the_plain_kalman_filter() -> None:
    """r = 1 with the CV model: identical to predictor.predict + updater.update on [pos, vel]."""
    rng = np.random.default_rng(2)
    n = 6
    params = ImmParams(
        models=(ConstantVelocity(accel_mps2=2.0),), sojourn_s=(1.0,), initial_mu=(1.0,)
    )
    z0 = rng.normal(0, 1000, (n, 3))
    R = _spd(rng, n, 3, 5.0)
    x, P, mu = imm_init(z0, R, params, 30.0, 1.0)
    x6, P6 = pos_vel(x[:, 0], P[:, 0])
    for _ in range(10):
        dt = rng.uniform(0.1, 3.0, n)
        z = rng.normal(0, 1000, (n, 3))
        x, P, c = imm_mix_predict(x, P, mu, dt, params.models, params.transition(dt))
        x, P, mu, _ = imm_update(x, P, c, z, R)
        x6, P6 = cv6_predict(x6, P6, dt, 2.0)
        x6, P6 = cv6_update(x6, P6, z, R)
    xc, Pc = imm_combine(x, P, mu)
    xa, Pa = pos_vel(xc, Pc)
    np.testing.assert_allclose(xa, x6, rtol=1e-9, atol=1e-7)
    np.testing.assert_allclose(Pa, P6, rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(mu, 1.0)


def test_loglik_matches_scipy_and_general_path() -> None:
    rng = np.random.default_rng(3)
    S = _spd(rng, 8, 3, 3.0)
    v = rng.normal(0, 5, (8, 3))
    ll = gaussian_loglik(v, S)
    ref = [multivariate_normal(mean=np.zeros(3), cov=S[i]).logpdf(v[i]) for i in range(8)]
    np.testing.assert_allclose(ll, ref, rtol=1e-12)
    S2 = _spd(rng, 8, 2, 3.0)  # m = 2 goes through the Cholesky path
    v2 = rng.normal(0, 5, (8, 2))
    ref2 = [multivariate_normal(mean=np.zeros(2), cov=S2[i]).logpdf(v2[i]) for i in range(8)]
    np.testing.assert_allclose(gaussian_loglik(v2, S2), ref2, rtol=1e-12)


def test_update_with_a_plugged_in_measurement_function() -> None:
    """A nonlinear-style update function (returns x, P, innovation, S) plugs in: here a position
    update written independently with the textbook gain formula, and a 2-D (e, n) measurement."""
    rng = np.random.default_rng(4)
    n = 4
    x, P, mu = _random_imm(rng, n)
    z = x[:, 0, :3] + rng.normal(0, 20, (n, 3))
    R = _spd(rng, n, 3, 4.0)

    def textbook(xk, Pk, zk, Rk):  # type: ignore[no-untyped-def]
        H = np.zeros((3, 9))
        H[:, :3] = np.eye(3)
        S = H @ Pk @ H.T + Rk
        K = Pk @ H.T @ np.linalg.inv(S)
        v = zk - xk[:, :3]
        x_new = xk + (K @ v[:, :, None])[:, :, 0]
        IKH = np.eye(9) - K @ H
        P_new = IKH @ Pk @ IKH.transpose(0, 2, 1) + K @ Rk @ K.transpose(0, 2, 1)
        return x_new, 0.5 * (P_new + P_new.transpose(0, 2, 1)), v, S

    a = imm_update(x, P, mu, z, R)
    b = imm_update_with(textbook, x, P, mu, z, R)
    for got, ref in zip(a, b, strict=True):
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9)

    def en_only(xk, Pk, zk, Rk):  # type: ignore[no-untyped-def]
        S = Pk[:, :2, :2] + Rk
        K = Pk[:, :, :2] @ np.linalg.inv(S)
        v = zk - xk[:, :2]
        return xk + (K @ v[:, :, None])[:, :, 0], Pk - K @ S @ K.transpose(0, 2, 1), v, S

    _, _, mu2, ll2 = imm_update_with(en_only, x, P, mu, z[:, :2], R[:, :2, :2])
    S_ref = P[:, :, :2, :2] + R[:, None, :2, :2]
    for i in range(n):
        for j in range(len(PARAMS.models)):
            v = z[i, :2] - x[i, j, :2]
            ref = multivariate_normal(mean=np.zeros(2), cov=S_ref[i, j]).logpdf(v)
            assert ll2[i, j] == pytest.approx(ref, rel=1e-10)
    _assert_prob(mu2)


def test_mode_probabilities_survive_extreme_likelihoods() -> None:
    """An outlier 1e6 sigma away in every model underflows every likelihood; log space keeps mu."""
    rng = np.random.default_rng(5)
    x, P, mu = _random_imm(rng, 3)
    z = x[:, 0, :3] + 1e8
    _, _, mu_new, ll = imm_update(x, P, mu, z, np.broadcast_to(np.eye(3), (3, 3, 3)).copy())
    assert (ll < -1e10).all()
    _assert_prob(mu_new)


def test_transition_and_params() -> None:
    Pi = PARAMS.transition(np.array([0.0, 0.5, 5.0, 1e6]))
    np.testing.assert_allclose(Pi.sum(axis=2), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(Pi[0], np.eye(4))
    assert Pi[1, 0, 0] == pytest.approx(math.exp(-0.5 / PARAMS.sojourn_s[0]))
    np.testing.assert_allclose(Pi[3], (1 - np.eye(4)) / 3, atol=1e-12)
    with pytest.raises(ValueError, match="sojourn"):
        ImmParams(sojourn_s=(1.0, 2.0))
    with pytest.raises(ValueError, match="sum to 1"):
        ImmParams(initial_mu=(0.5, 0.5, 0.5, 0.5))


def test_init_and_combine() -> None:
    rng = np.random.default_rng(6)
    z = rng.normal(0, 1000, (3, 3))
    R = _spd(rng, 3, 3, 5.0)
    x, P, mu = imm_init(z, R, PARAMS, 40.0, 3.0)
    assert x.shape == (3, 4, 9) and P.shape == (3, 4, 9, 9) and mu.shape == (3, 4)
    np.testing.assert_array_equal(x[:, 2, :3], z)
    np.testing.assert_array_equal(P[:, 1, :3, :3], R)
    assert P[0, 0, 4, 4] == 1600.0 and P[0, 0, 7, 7] == 9.0
    x, P, mu = _random_imm(rng, 3)
    xc, Pc = imm_combine(x, P, mu)
    for t in range(3):
        xm = mu[t] @ x[t]
        Pm = sum(mu[t, j] * (P[t, j] + np.outer(x[t, j] - xm, x[t, j] - xm)) for j in range(4))
        np.testing.assert_allclose(xc[t], xm, rtol=1e-13)
        np.testing.assert_allclose(Pc[t], Pm, rtol=1e-12, atol=1e-9)


def test_init_with_a_velocity_prior_and_empty_inputs() -> None:
    z = np.array([[100.0, 200.0, 300.0]])
    R = np.eye(3)[None] * 4.0
    x, _, _ = imm_init(z, R, PARAMS, 5.0, 1.0, vel_mps=np.array([[10.0, -5.0, 1.0]]))
    np.testing.assert_array_equal(x[0, :, 3:6], np.tile([10.0, -5.0, 1.0], (4, 1)))
    x, P, mu = imm_init(np.zeros((0, 3)), np.zeros((0, 3, 3)), PARAMS, 30.0, 5.0)
    dt = np.zeros(0)
    x, P, c = imm_mix_predict(x, P, mu, dt, PARAMS.models, PARAMS.transition(dt))
    x, P, mu, ll = imm_update(x, P, c, np.zeros((0, 3)), np.zeros((0, 3, 3)))
    xc, Pc = imm_combine(x, P, mu)
    assert xc.shape == (0, 9) and Pc.shape == (0, 9, 9) and ll.shape == (0, 4)


def test_blocked_processing_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The public functions work through the tracks in blocks; blocks of 3 give the same numbers."""
    rng = np.random.default_rng(8)
    n = 10
    x, P, mu = _random_imm(rng, n)
    dt = rng.uniform(0.0, 3.0, n)
    z = x[:, 0, :3] + rng.normal(0, 20, (n, 3))
    R = _spd(rng, n, 3, 4.0)

    def cycle() -> list[np.ndarray]:
        xp, Pp, c = imm_mix_predict(x, P, mu, dt, PARAMS.models, PARAMS.transition(dt))
        xu, Pu, mu_u, ll = imm_update(xp, Pp, c, z, R)
        return [xp, Pp, c, xu, Pu, mu_u, ll, *imm_combine(xu, Pu, mu_u)]

    whole = cycle()
    monkeypatch.setattr(imm_module, "CHUNK_TRACKS", 3)
    blocked = cycle()
    for a, b in zip(whole, blocked, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-9)


def test_position_update_is_joseph_form() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(0, 100, (4, 9))
    P = _spd(rng, 4, 9, 3.0)
    z, R = rng.normal(0, 100, (4, 3)), _spd(rng, 4, 3, 2.0)
    xn, Pn, v, S = position_update(x, P, z, R)
    H = np.hstack([np.eye(3), np.zeros((3, 6))])
    K = P @ H.T @ np.linalg.inv(H @ P @ H.T + R)
    np.testing.assert_allclose(xn, x + (K @ (z - x[:, :3])[:, :, None])[:, :, 0], rtol=1e-11)
    np.testing.assert_allclose(Pn, P - K @ H @ P, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(S, P[:, :3, :3] + R)
    np.testing.assert_allclose(v, z - x[:, :3])


# --- property tests ----------------------------------------------------------------------------

STEP = st.tuples(
    st.sampled_from(["imm", "model0", "model1", "model2", "model3", "update"]),
    st.floats(0.0, 5.0),
    st.floats(-1.0, 5.0),  # log10 of the measurement sigma, m
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**31 - 1), steps=st.lists(STEP, min_size=20, max_size=60))
def test_long_random_sequences_keep_covariances_spd(
    seed: int, steps: list[tuple[str, float, float]]
) -> None:
    rng = np.random.default_rng(seed)
    n = 3
    z0 = np.column_stack([rng.normal(0, 3000, (n, 2)), rng.uniform(50, 3000, n)])
    R0 = _spd(rng, n, 3, 10.0)
    x, P, mu = imm_init(z0, R0, PARAMS, 50.0, 10.0)
    c = mu
    for kind, dt_s, log_sigma in steps:
        dt = np.full(n, dt_s)
        dt[0] = rng.uniform(0.0, 5.0)  # rows with different steps in one call
        if kind == "imm":
            x, P, c = imm_mix_predict(x, P, mu, dt, PARAMS.models, PARAMS.transition(dt))
        elif kind.startswith("model"):
            model = PARAMS.models[int(kind[-1])]
            for j in range(len(PARAMS.models)):
                x[:, j], P[:, j] = model.predict(x[:, j], P[:, j], dt)
        else:
            sig = 10.0**log_sigma
            xc, _ = imm_combine(x, P, mu)
            R = _spd(rng, n, 3, sig)
            z = xc[:, :3] + rng.normal(0, 3.0 * sig, (n, 3))
            x, P, mu, ll = imm_update(x, P, c, z, R)
            assert np.isfinite(ll).all()
            _assert_prob(mu)
            c = mu
        _assert_spd(P)
        xc, Pc = imm_combine(x, P, mu)
        _assert_spd(Pc)
        assert np.isfinite(xc).all()
