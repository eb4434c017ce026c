"""Motion models on the 9-element state against independent references.

References: predictor.py's CWNA model, the Van Loan integral solved as an ODE (scipy.integrate),
scipy's matrix exponential, the circle a coordinated turn must stay on, and the core ballistic RK4 step
with a finite-difference Jacobian of the flow for the EKF covariance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from bastion.core.ballistics import rk4_step
from bastion.tracking.motion import ConstantVelocity, Hover, MotionModel, Singer, kron_axes
from bastion.tracking.motion_ballistic import Ballistic
from bastion.tracking.motion_level_turn import LevelTurn
from bastion.tracking.motion_turn import CoordinatedTurn3D, ct_axis_domega, ct_axis_matrices
from bastion.tracking.predictor import predict as cv6_predict


def _spd(rng: np.random.Generator, k: int, n: int, scale: float = 1.0) -> np.ndarray:
    a = rng.normal(size=(k, n, n)) * scale
    return a @ a.transpose(0, 2, 1) + np.eye(n) * scale**2


def _states(rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    x = np.concatenate(
        [rng.normal(0, 2000, (k, 3)), rng.normal(0, 30, (k, 3)), rng.normal(0, 10, (k, 3))], axis=1
    )
    return x, _spd(rng, k, 9, 3.0)


def _van_loan_ode(
    A: np.ndarray, q: float, T: float, noise_col: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """F = expm(A T) and Q = q integral_0^T f f^T ds, f(s) = expm(A s) e_c (the noise drives state
    component c = `noise_col`, acceleration by default), by integrating Phi' = A Phi, Q' = q f f^T
    with scipy's DOP853 at tight tolerances: an independent route."""

    def rhs(_s: float, y: np.ndarray) -> np.ndarray:
        Phi = y[:9].reshape(3, 3)
        f = Phi[:, noise_col]
        return np.concatenate([(A @ Phi).ravel(), q * np.outer(f, f).ravel()])

    y0 = np.concatenate([np.eye(3).ravel(), np.zeros(9)])
    sol = solve_ivp(rhs, (0.0, T), y0, method="DOP853", rtol=1e-13, atol=1e-15)
    y = sol.y[:, -1]
    return y[:9].reshape(3, 3), y[9:].reshape(3, 3)


ALL_MODELS: list[MotionModel] = [
    ConstantVelocity(accel_mps2=2.0),
    Singer(accel_sigma_mps2=8.0, tau_s=4.0),
    Hover(speed_sigma_mps=0.5, tau_s=2.0),
    CoordinatedTurn3D(jerk_psd_m2ps5=30.0),
    Ballistic(drag_factor_m2pkg=1e-4),
    LevelTurn(accel_mps2=3 * 9.80665, left=False),
]


def test_cv_position_velocity_block_equals_predictor() -> None:
    rng = np.random.default_rng(1)
    x, P = _states(rng, 6)
    dt = rng.uniform(0.0, 5.0, 6)
    xp, Pp = ConstantVelocity(accel_mps2=3.0, accel_floor_sigma_mps2=0.02).predict(x, P, dt)
    x6, P6 = cv6_predict(x[:, :6], np.ascontiguousarray(P[:, :6, :6]), dt, 3.0)
    np.testing.assert_allclose(xp[:, :6], x6, rtol=1e-13, atol=1e-9)
    np.testing.assert_allclose(Pp[:, :6, :6], P6, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(xp[:, 6:], 0.0)
    np.testing.assert_array_equal(Pp[:, 6:, :6], 0.0)
    np.testing.assert_allclose(Pp[:, 6:, 6:], np.broadcast_to(np.eye(3) * 0.02**2, (6, 3, 3)))


@pytest.mark.parametrize("tau_s", [0.3, 2.0, 20.0, 1e4])
@pytest.mark.parametrize("dt_s", [0.01, 0.5, 0.999, 2.0, 5.0])
def test_singer_matches_van_loan_ode_and_expm(tau_s: float, dt_s: float) -> None:
    sigma = 6.0
    a = 1.0 / tau_s
    F3, Q3 = Singer(accel_sigma_mps2=sigma, tau_s=tau_s).axis_matrices(np.array([dt_s]))
    A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, -a]])
    F_ref, ref = _van_loan_ode(A, 2 * a * sigma**2, dt_s)
    np.testing.assert_allclose(F3[0], F_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(F3[0], expm(A * dt_s), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Q3[0], ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())


def test_singer_limits() -> None:
    T = np.array([1.3])
    # tau -> 0 with 2 sigma^2 tau fixed: the position/velocity block tends to CWNA of density q.
    q = 4.0
    tau = 1e-4
    _, Q3 = Singer(accel_sigma_mps2=math.sqrt(q / (2 * tau)), tau_s=tau).axis_matrices(T)
    t = T[0]
    cwna = q * np.array([[t**3 / 3, t**2 / 2], [t**2 / 2, t]])
    np.testing.assert_allclose(Q3[0, :2, :2], cwna, rtol=1e-3)
    # tau = inf: constant acceleration driven by white jerk of density jerk_psd.
    F3, Q3 = Singer(accel_sigma_mps2=0.0, tau_s=math.inf, jerk_psd_m2ps5=2.5).axis_matrices(T)
    F_ca = np.array([[1, t, t * t / 2], [0, 1, t], [0, 0, 1]])
    Q_ca = 2.5 * np.array(
        [[t**5 / 20, t**4 / 8, t**3 / 6], [t**4 / 8, t**3 / 3, t**2 / 2], [t**3 / 6, t**2 / 2, t]]
    )
    np.testing.assert_allclose(F3[0], F_ca, rtol=1e-14)
    np.testing.assert_allclose(Q3[0], Q_ca, rtol=1e-12)


@pytest.mark.parametrize("tau_s", [0.3, 2.0, 20.0, 1e4])
@pytest.mark.parametrize("dt_s", [0.01, 0.5, 0.999, 2.0, 5.0])
def test_hover_matches_van_loan_ode_and_expm(tau_s: float, dt_s: float) -> None:
    sigma = 0.7
    F3, Q3 = Hover(speed_sigma_mps=sigma, tau_s=tau_s).axis_matrices(np.array([dt_s]))
    A = np.array([[0.0, 1.0, 0.0], [0.0, -1.0 / tau_s, 0.0], [0.0, 0.0, 0.0]])
    F_ref, ref = _van_loan_ode(A, 2 * sigma**2 / tau_s, dt_s, noise_col=1)
    pv = np.ix_([0, 1], [0, 1])  # acceleration is held at zero, outside the model
    np.testing.assert_allclose(F3[0][pv], F_ref[pv], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(F3[0][pv], expm(A * dt_s)[pv], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(Q3[0][pv], ref[pv], rtol=1e-9, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_array_equal(F3[0, 2], 0.0)


def test_hover_forgets_velocity_and_wanders_as_a_random_walk() -> None:
    model = Hover(speed_sigma_mps=0.5, tau_s=2.0)
    x = np.zeros((1, 9))
    x[0, 3:6] = [10.0, -4.0, 1.0]
    P = np.eye(9)[None] * 1e-6
    xp, Pp = model.predict(x, P, np.array([1e3]))
    # a left-over velocity carries the target tau * v further and no more
    np.testing.assert_allclose(xp[0, :3], 2.0 * x[0, 3:6], rtol=1e-12)
    np.testing.assert_allclose(xp[0, 3:6], 0.0, atol=1e-12)
    # over a long step the position variance grows by the diffusion 2 sigma^2 tau per second
    growth = Pp[0, 0, 0] / 1e3
    assert growth == pytest.approx(2 * 0.5**2 * 2.0, rel=1e-2)
    np.testing.assert_allclose(Pp[0, 3, 3], 0.5**2, rtol=1e-9)


def test_hover_refuses_bad_parameters() -> None:
    for tau in (0.0, -1.0, math.inf):
        with pytest.raises(ValueError, match="tau_s"):
            Hover(speed_sigma_mps=0.5, tau_s=tau)
    with pytest.raises(ValueError, match="speed_sigma_mps"):
        Hover(speed_sigma_mps=-0.1, tau_s=1.0)


@pytest.mark.parametrize("omega", [0.0, 1e-3, 0.3, 0.999, 1.5, 3.0])
@pytest.mark.parametrize("dt_s", [0.1, 1.0, 4.0])
def test_ct_matrices_match_van_loan_ode_and_expm(omega: float, dt_s: float) -> None:
    F3, Q3 = ct_axis_matrices(np.array([omega]), np.array([dt_s]), 7.0)
    A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, -(omega**2), 0.0]])
    F_ref, ref = _van_loan_ode(A, 7.0, dt_s)
    np.testing.assert_allclose(F3[0], F_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(F3[0], expm(A * dt_s), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(Q3[0], ref, rtol=1e-8, atol=1e-11 * np.abs(ref).max())


def test_ct_stays_on_the_circle() -> None:
    """A 3 g level turn at 30 m/s (radius 30.6 m), and a banked one tilted by 30 degrees, predicted
    for two full turns in 0.5 s steps, stay on their circles and keep their turn rate."""
    speed, accel = 30.0, 3 * 9.80665
    radius = speed**2 / accel
    omega = speed / radius
    tilt = math.radians(30.0)
    rot = np.array(
        [[1, 0, 0], [0, math.cos(tilt), -math.sin(tilt)], [0, math.sin(tilt), math.cos(tilt)]]
    )
    x = np.zeros((2, 9))
    centre = np.array([100.0, -50.0, 300.0])
    for row, Rm in enumerate((np.eye(3), rot)):
        x[row, 0:3] = centre + Rm @ np.array([radius, 0.0, 0.0])
        x[row, 3:6] = Rm @ np.array([0.0, speed, 0.0])
        x[row, 6:9] = Rm @ np.array([-accel, 0.0, 0.0])
    P = np.broadcast_to(np.eye(9), (2, 9, 9)).copy()
    model = CoordinatedTurn3D(jerk_psd_m2ps5=1.0, max_turn_rate_radps=5.0)
    n_steps = round(2 * 2 * math.pi / omega / 0.5)
    for _ in range(n_steps):
        x, P = model.predict(x, P, np.full(2, 0.5))
    dist = np.linalg.norm(x[:, 0:3] - centre, axis=1)
    np.testing.assert_allclose(dist, radius, rtol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(x[:, 3:6], axis=1), speed, rtol=1e-9)
    # The banked circle's plane: the offset from the centre stays normal to the plane's normal.
    normal = rot @ np.array([0.0, 0.0, 1.0])
    assert abs(float((x[1, 0:3] - centre) @ normal)) < 1e-6


@pytest.mark.parametrize("omega", [1e-4, 0.05, 0.3, 1.2])
def test_ct_domega_matches_finite_difference(omega: float) -> None:
    T = np.array([0.9])
    h = 1e-5
    Fp, _ = ct_axis_matrices(np.array([omega + h]), T, 1.0)
    Fm, _ = ct_axis_matrices(np.array([omega - h]), T, 1.0)
    np.testing.assert_allclose(
        ct_axis_domega(np.array([omega]), T)[0], (Fp[0] - Fm[0]) / (2 * h), rtol=1e-6, atol=1e-9
    )


def test_ct_covariance_is_the_ekf_jacobian_of_the_mean_map() -> None:
    """P+ = J P J^T + Q with J the central-difference Jacobian of x -> F(omega(x)) x."""
    rng = np.random.default_rng(9)
    k = 5
    x = np.concatenate(
        [rng.normal(0, 500, (k, 3)), rng.normal(0, 25, (k, 3)), rng.normal(0, 15, (k, 3))], axis=1
    )
    P = _spd(rng, k, 9, 2.0)
    dt = rng.uniform(0.2, 2.0, k)
    model = CoordinatedTurn3D(jerk_psd_m2ps5=5.0, max_turn_rate_radps=10.0)
    _, P_new = model.predict(x, P, dt)

    def mean(xx: np.ndarray, t: np.ndarray) -> np.ndarray:
        return model.predict(xx, np.broadcast_to(np.eye(9), (len(xx), 9, 9)).copy(), t)[0]

    eps = 1e-4
    for i in range(k):
        probes = np.concatenate([x[i] + eps * np.eye(9), x[i] - eps * np.eye(9)])
        out = mean(probes, np.full(18, dt[i]))
        J = ((out[:9] - out[9:]) / (2 * eps)).T
        omega = np.linalg.norm(np.cross(x[i, 3:6], x[i, 6:9])) / (x[i, 3:6] @ x[i, 3:6])
        _, Q3 = ct_axis_matrices(np.array([omega]), dt[i : i + 1], 5.0)
        ref = J @ P[i] @ J.T + kron_axes(Q3)[0]
        np.testing.assert_allclose(P_new[i], ref, rtol=1e-5, atol=1e-6 * np.abs(ref).max())


def test_ballistic_mean_equals_core_rk4_step() -> None:
    rng = np.random.default_rng(3)
    k = 5
    pos = np.column_stack([rng.uniform(-3000, 3000, (k, 2)), rng.uniform(100, 3000, k)])
    vel = rng.normal(0, 150, (k, 3))
    kd = 1.2e-4
    model = Ballistic(drag_factor_m2pkg=kd, site_alt_m=300.0, max_step_s=0.25)
    x = np.zeros((k, 9))
    x[:, :3], x[:, 3:6] = pos, vel
    xp, _ = model.predict(x, _spd(rng, k, 9), np.full(k, 0.25))
    p_ref, v_ref = rk4_step(pos, vel, np.full(k, kd), 300.0, 0.25)
    np.testing.assert_allclose(xp[:, :3], p_ref, rtol=1e-12)
    np.testing.assert_allclose(xp[:, 3:6], v_ref, rtol=1e-12)
    np.testing.assert_allclose(xp[:, 6:], model.acceleration(p_ref, v_ref), rtol=1e-12)


def test_ballistic_trajectory_and_covariance_against_fine_rk4() -> None:
    """A mortar-like shot (250 m/s at 60 degrees) predicted in 2 s steps for 20 s against the core
    RK4 at 5 ms; the EKF covariance against a central-difference Jacobian of that flow."""
    kd = 1.5e-4
    v0 = 250.0 * np.array([0.0, math.cos(math.radians(60)), math.sin(math.radians(60))])
    x = np.zeros((1, 9))
    x[0, 3:6] = v0
    x[0, 2] = 10.0
    P0 = np.diag([25.0, 25.0, 25.0, 4.0, 4.0, 4.0, 1.0, 1.0, 1.0])[None]
    model = Ballistic(drag_factor_m2pkg=kd, accel_mps2=0.0, accel_floor_sigma_mps2=1e-3)
    xs, P = x.copy(), P0.copy()
    for _ in range(10):
        xs, P = model.predict(xs, P, np.array([2.0]))

    def flow(s6: np.ndarray) -> np.ndarray:
        p, v = s6[:, :3].copy(), s6[:, 3:].copy()
        for _ in range(4_000):
            p, v = rk4_step(p, v, np.full(len(p), kd), 0.0, 5e-3)
        return np.concatenate([p, v], axis=1)

    s0 = x[0, :6]
    eps = np.array([1.0, 1.0, 1.0, 0.01, 0.01, 0.01])
    probes = np.concatenate([s0[None], s0 + np.diag(eps), s0 - np.diag(eps)])
    out = flow(probes)
    np.testing.assert_allclose(xs[0, :6], out[0], rtol=1e-7, atol=1e-6)
    Phi = ((out[1:7] - out[7:13]) / (2 * eps[:, None])).T
    P_ref = Phi @ P0[0, :6, :6] @ Phi.T
    np.testing.assert_allclose(P[0, :6, :6], P_ref, rtol=2e-3, atol=1e-3 * np.abs(P_ref).max())


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.name)
def test_zero_step_is_identity_and_rows_are_independent(model: MotionModel) -> None:
    rng = np.random.default_rng(4)
    x, P = _states(rng, 8)
    x[:, 2] = np.abs(x[:, 2]) + 50.0
    dt = rng.uniform(0.0, 5.0, 8)
    dt[[1, 5]] = 0.0
    xp, Pp = model.predict(x, P, dt)
    np.testing.assert_array_equal(xp[[1, 5]], x[[1, 5]])
    np.testing.assert_array_equal(Pp[[1, 5]], P[[1, 5]])
    for i in range(8):  # one row at a time (shared-F path) equals the mixed-step batch
        xi, Pi = model.predict(x[i : i + 1], P[i : i + 1], dt[i : i + 1])
        np.testing.assert_allclose(xi[0], xp[i], rtol=1e-11, atol=1e-9)
        np.testing.assert_allclose(Pi[0], Pp[i], rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.name)
def test_predict_keeps_covariance_spd_and_inputs_unchanged(model: MotionModel) -> None:
    rng = np.random.default_rng(5)
    x, P = _states(rng, 50)
    x[:, 2] = np.abs(x[:, 2]) + 50.0
    x0, P0 = x.copy(), P.copy()
    for _ in range(20):
        x, P = model.predict(x, P, rng.uniform(0.0, 5.0, 50))
        np.testing.assert_array_equal(P, np.swapaxes(P, 1, 2))
        assert np.linalg.eigvalsh(P).min() > 0.0
    xs, Ps = _states(np.random.default_rng(5), 50)
    np.testing.assert_array_equal(x0[:, :2], xs[:, :2])
    np.testing.assert_array_equal(P0, Ps)


def test_kron_axes_layout() -> None:
    M3 = np.arange(9.0).reshape(1, 3, 3)
    np.testing.assert_array_equal(kron_axes(M3)[0], np.kron(M3[0], np.eye(3)))
