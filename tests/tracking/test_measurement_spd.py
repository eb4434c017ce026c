"""Property: long random sequences of CV predicts and every kind of measurement update keep each
covariance finite, exactly symmetric and positive definite, even with the target at the sensor."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from bastion.tracking.bearing import bearing_ukf_update, bearing_update
from bastion.tracking.kalman_update import UpdateResult, log_likelihood, mahalanobis2
from bastion.tracking.position_report import position_update
from bastion.tracking.predictor import predict
from bastion.tracking.radar_models import radar_ekf_update, radar_ukf_update

FloatArray = NDArray[np.float64]
K = 4
OPS = (
    "predict",
    "radar_ekf",
    "radar_ekf_rr",
    "radar_ukf",
    "radar_ukf_rr",
    "bearing_az",
    "bearing_az_el",
    "bearing_iekf",
    "bearing_ukf",
    "position",
)

step = st.tuples(
    st.sampled_from(OPS),
    st.floats(0.0, 1.0),  # scale for the op's noise or time step
    st.booleans(),  # bad geometry: the sensor sits exactly at the track (or its prediction)
)


def _sensor(rng: np.random.Generator, x: FloatArray, at_track: bool) -> FloatArray:
    if at_track:
        return x[:, 0:3].copy()
    return rng.uniform([-20_000, -20_000, -100], [20_000, 20_000, 500], size=(K, 3))


def _apply(op: str, u: float, bad: bool, x: FloatArray, P: FloatArray, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    if op == "predict":
        return predict(x, P, np.full(K, 0.01 + 10.0 * u), 0.5 + 20.0 * u)
    sensor = _sensor(rng, x, bad)
    res: UpdateResult
    if op.startswith("radar"):
        rr = op.endswith("_rr")
        z = np.column_stack(
            [
                rng.uniform(0.0, 30_000.0, K),
                rng.uniform(0.0, 2 * np.pi, K),
                rng.uniform(-0.5, 1.5, K),
                rng.uniform(-300.0, 300.0, K),
            ]
        )[:, : 4 if rr else 3]
        sig = np.array([0.5 + 200.0 * u, 1e-4 + 0.05 * u, 1e-4 + 0.05 * u, 0.1 + 10.0 * u])
        upd = radar_ukf_update if "ukf" in op else radar_ekf_update
        res = upd(x, P, z, sig[: z.shape[1]], sensor, rr)
    elif op.startswith("bearing"):
        az = rng.uniform(0.0, 2 * np.pi, K)
        el = None if op == "bearing_az" else rng.uniform(-0.3, 1.5, K)
        s = 1e-4 + 0.05 * u
        if op == "bearing_ukf":
            res = bearing_ukf_update(x, P, az, el, s, s, sensor)
        else:
            res = bearing_update(x, P, az, el, s, s, sensor, iterations=3 if "iekf" in op else 1)
    else:
        z = x[:, 0:3] + rng.normal(0.0, 1000.0 * u + 1.0, size=(K, 3))
        A = rng.normal(size=(K, 3, 3))
        R = A @ np.swapaxes(A, 1, 2) * (0.5 + 500.0 * u) ** 2 / 3.0 + np.eye(3) * 0.25
        res = position_update(x, P, z, R)
    for a in (res.innovation, res.S):
        assert np.all(np.isfinite(a)), op
    assert np.all(np.isfinite(log_likelihood(res.innovation, res.S))), op
    assert np.all(mahalanobis2(res.innovation, res.S) >= 0.0), op
    return res.x, res.P


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(step, min_size=10, max_size=60), seed=st.integers(0, 2**32 - 1))
def test_covariance_stays_spd(steps: list[tuple[str, float, bool]], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.zeros((K, 6))
    x[:, 0:3] = rng.uniform([-10_000, -10_000, 10], [10_000, 10_000, 3000], size=(K, 3))
    x[:, 3:6] = rng.normal(0.0, 30.0, size=(K, 3))
    P = np.broadcast_to(np.diag([100.0**2] * 3 + [20.0**2] * 3), (K, 6, 6)).copy()
    for op, u, bad in steps:
        x, P = _apply(op, u, bad, x, P, rng)
        assert np.all(np.isfinite(x)) and np.all(np.isfinite(P)), op
        if op == "predict":  # the predictor's F P F^T + Q: symmetric to round-off
            np.testing.assert_allclose(P, np.swapaxes(P, 1, 2), rtol=1e-12, atol=0.0)
        else:  # every update symmetrises exactly
            np.testing.assert_array_equal(P, np.swapaxes(P, 1, 2))
        assert np.all(np.linalg.eigvalsh(P) > 0.0), (op, np.linalg.eigvalsh(P).min())


def test_ukf_accepts_a_semidefinite_prior() -> None:
    """A P that is only positive semi-definite (a zero-variance axis) has no Cholesky factor; the UKF
    falls back to the eigen root and still returns finite results."""
    x = np.array([[5000.0, 2000.0, 300.0, -30.0, 5.0, 0.0]])
    P = np.diag([100.0, 100.0, 100.0, 25.0, 25.0, 0.0])[None]
    z = np.array([[5400.0, 1.19, 0.056, -25.0]])
    res = radar_ukf_update(x, P, z, [10.0, 0.003, 0.004, 0.5], np.zeros(3), True)
    ekf = radar_ekf_update(x, P, z, [10.0, 0.003, 0.004, 0.5], np.zeros(3), True)
    assert np.all(np.isfinite(res.x)) and np.all(np.isfinite(res.P))
    np.testing.assert_allclose(res.x[0, 0:3], ekf.x[0, 0:3], atol=1.0)
