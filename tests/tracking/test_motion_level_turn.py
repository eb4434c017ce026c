"""The fixed-level turn model against the circle it must fly, a finite-difference Jacobian, and its
place in an IMM (a sustained turn of its own level, and a gentler one it does not match)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.tracking.imm import ImmParams, imm_combine, imm_init, imm_mix_predict, imm_update
from bastion.tracking.measurement import converted_measurement
from bastion.tracking.motion_level_turn import LevelTurn, level_turn_pair

G = 9.80665


def _circle_state(speed: float, heading_rad: float, centre: np.ndarray, left: bool) -> np.ndarray:
    """A state on a level circle about `centre` flying at `speed` along `heading_rad` (from east,
    anticlockwise), turning left or right at 3 g."""
    radius = speed**2 / (3 * G)
    d = np.array([math.cos(heading_rad), math.sin(heading_rad), 0.0])
    side = np.array([-d[1], d[0], 0.0]) * (1.0 if left else -1.0)  # towards the centre
    x = np.zeros(9)
    x[0:3] = centre - radius * side
    x[3:6] = speed * d
    x[6:9] = 3 * G * side
    return x


@pytest.mark.parametrize("left", [True, False])
def test_flies_its_own_circle_exactly(left: bool) -> None:
    """Two full 3 g turns at 30 and 12 m/s in 0.5 s steps stay on their circles, at their speed, with
    the centripetal acceleration in the state; the vertical is constant velocity."""
    model = LevelTurn(accel_mps2=3 * G, left=left, max_turn_rate_radps=10.0)
    centre = np.array([100.0, -50.0, 300.0])
    x = np.stack([_circle_state(30.0, 0.3, centre, left), _circle_state(12.0, 2.0, centre, left)])
    x[:, 5] = [0.0, 1.5]
    P = np.broadcast_to(np.eye(9), (2, 9, 9)).copy()
    n_steps = 40
    for _ in range(n_steps):
        x, P = model.predict(x, P, np.full(2, 0.5))
    radius = np.array([30.0, 12.0]) ** 2 / (3 * G)
    np.testing.assert_allclose(np.linalg.norm(x[:, 0:2] - centre[:2], axis=1), radius, rtol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(x[:, 3:5], axis=1), [30.0, 12.0], rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(x[:, 6:8], axis=1), 3 * G, rtol=1e-9)
    np.testing.assert_allclose(x[:, 2], [300.0, 300.0 + 1.5 * 0.5 * n_steps], rtol=1e-12)
    # The turn goes the stated way: angular momentum about the centre is up for a left turn.
    r_vec = x[:, 0:2] - centre[:2]
    lz = r_vec[:, 0] * x[:, 4] - r_vec[:, 1] * x[:, 3]
    assert np.all(lz > 0) if left else np.all(lz < 0)


def test_covariance_is_the_ekf_jacobian_of_the_mean_map() -> None:
    """P+ = J P J^T + Q with J the central-difference Jacobian of the mean map, for fast, slow
    (constant velocity), clipped-rate and near-straight rows in both directions."""
    rng = np.random.default_rng(11)
    k = 8
    x = np.concatenate(
        [rng.normal(0, 500, (k, 3)), rng.normal(0, 25, (k, 3)), rng.normal(0, 15, (k, 3))], axis=1
    )
    x[1, 3:5] = [0.5, -1.0]  # below min_speed_mps: constant velocity
    x[2, 3:5] = [4.0, 3.0]  # 5 m/s: the rate clips at 3 rad/s
    x[3, 3:5] = [3000.0, 0.0]  # theta about 5e-3: the small-angle series
    a = rng.normal(size=(k, 9, 9))
    P = a @ a.transpose(0, 2, 1) + 4.0 * np.eye(9)
    dt = rng.uniform(0.2, 2.0, k)
    for left in (True, False):
        model = LevelTurn(
            accel_mps2=2 * G, left=left, accel_noise_mps2=0.0, accel_floor_sigma_mps2=0.0
        )
        _, P_new = model.predict(x, P, dt)
        eps = 1e-5
        for i in range(k):
            probes = np.concatenate([x[i] + eps * np.eye(9), x[i] - eps * np.eye(9)])
            eye = np.broadcast_to(np.eye(9), (18, 9, 9)).copy()
            out = model.predict(probes, eye, np.full(18, dt[i]))[0]
            J = ((out[:9] - out[9:]) / (2 * eps)).T
            ref = J @ P[i] @ J.T
            np.testing.assert_allclose(P_new[i], ref, rtol=1e-6, atol=1e-7 * np.abs(ref).max())


def test_process_noise_is_cwna_plus_the_acceleration_floor() -> None:
    x = np.zeros((1, 9))
    x[0, 3] = 20.0
    P0 = np.zeros((1, 9, 9))
    T = 0.8
    model = LevelTurn(accel_mps2=G, left=True, accel_noise_mps2=2.0, accel_floor_sigma_mps2=0.1)
    _, P = model.predict(x, P0, np.array([T]))
    for ax in range(3):
        np.testing.assert_allclose(P[0, ax, ax], 4.0 * T**3 / 3.0)
        np.testing.assert_allclose(P[0, ax, 3 + ax], 4.0 * T**2 / 2.0)
        np.testing.assert_allclose(P[0, 3 + ax, 3 + ax], 4.0 * T)
        np.testing.assert_allclose(P[0, 6 + ax, 6 + ax], 0.01)


def test_refuses_a_non_positive_level() -> None:
    with pytest.raises(ValueError, match="accel_mps2"):
        LevelTurn(accel_mps2=0.0, left=True)
    left, right = level_turn_pair(3 * G)
    assert (left.left, right.left, left.name, right.name) == (
        True,
        False,
        "turn_left",
        "turn_right",
    )


def _turn_rmse(params: ImmParams, accel_g: float, seed: int) -> tuple[float, float]:
    """Position RMSE (m) and mean horizontal speed error (m/s) of `params` on 40 runs of a level turn
    at `accel_g` and 30 m/s held 40 s, 1.5-2.5 km from a 2 Hz radar (10 m, 2 mrad), after 5 s."""
    rng = np.random.default_rng(seed)
    n, dt, k = 40, 0.5, 80
    omega = accel_g * G / 30.0
    phase = rng.uniform(0, 2 * math.pi, n)[:, None] + omega * dt * np.arange(k)[None, :]
    centre = np.column_stack([rng.uniform(1500, 2500, n), np.zeros(n), np.full(n, 150.0)])
    radius = 30.0 / omega
    truth = np.stack(
        [
            centre[:, 0, None] + radius * np.cos(phase),
            centre[:, 1, None] + radius * np.sin(phase),
            np.broadcast_to(centre[:, 2, None], (n, k)),
        ],
        axis=2,
    )
    r = np.linalg.norm(truth, axis=2) + rng.normal(0, 10.0, (n, k))
    az = np.arctan2(truth[..., 0], truth[..., 1]) + rng.normal(0, 2e-3, (n, k))
    el = np.arcsin(truth[..., 2] / np.linalg.norm(truth, axis=2)) + rng.normal(0, 2e-3, (n, k))
    zf, Rf = converted_measurement(r.ravel(), az.ravel(), el.ravel(), np.zeros(3), 10.0, 2e-3, 2e-3)
    z, R = zf.reshape(n, k, 3), Rf.reshape(n, k, 3, 3)
    x, P, mu = imm_init(z[:, 0], R[:, 0], params, 30.0, 5.0)
    steps = np.full(n, dt)
    Pi = params.transition(steps)
    est = np.empty((n, k, 6))
    for i in range(1, k):
        x, P, c = imm_mix_predict(x, P, mu, steps, params.models, Pi)
        x, P, mu, _ = imm_update(x, P, c, z[:, i], R[:, i])
        est[:, i] = imm_combine(x, P, mu)[0][:, :6]
    err = est[:, 10:, :3] - truth[:, 10:]
    speed_err = np.abs(np.hypot(est[:, 10:, 3], est[:, 10:, 4]) - 30.0).mean()
    return float(np.sqrt(np.mean(np.sum(err**2, axis=2)))), float(speed_err)


def _with_pair(accel_mps2: float) -> ImmParams:
    d = ImmParams()
    mu = (*(0.9 * m for m in d.initial_mu), 0.05, 0.05)
    return ImmParams(
        models=(*d.models, *level_turn_pair(accel_mps2)),
        sojourn_s=(*d.sojourn_s, 5.0, 5.0),
        initial_mu=mu,
    )


def test_an_imm_with_the_pair_tracks_a_turn_of_its_level_far_better() -> None:
    """In a sustained 3 g turn the 3 g pair cuts the default IMM's error by a third and its speed
    error by more than half (seeded, measured: 5.2 m against 8.5 m, 1.3 against 4.4 m/s)."""
    base, base_speed = _turn_rmse(ImmParams(), 3.0, seed=1)
    paired, speed_err = _turn_rmse(_with_pair(3 * G), 3.0, seed=1)
    assert paired < 0.7 * base
    assert speed_err < 0.4 * base_speed


def test_the_pair_costs_little_in_a_turn_it_does_not_match() -> None:
    """A 1 g turn is a mismatch for the 3 g pair; with this radar (2 Hz, 2 mrad) it costs little
    (measured 9.12 against 9.08 m). With a 1 Hz, 0.5 degree radar it costs more, which is why the
    pair is not in the default (docs/tracking.md)."""
    base, _ = _turn_rmse(ImmParams(), 1.0, seed=1)
    paired, _ = _turn_rmse(_with_pair(3 * G), 1.0, seed=1)
    assert paired < 1.05 * base
