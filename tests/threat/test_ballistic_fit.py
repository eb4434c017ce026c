"""The ballistic fitter on trajectories made with the core point-mass model and a noisy radar."""

from __future__ import annotations

import math

import numpy as np

from bastion.core.ballistics import drag_factor_m2pkg, propagate_to_ground, rk4_step
from bastion.core.geo import enu2aer
from bastion.core.measurements import DetectionBatch
from bastion.threat.ballistic import BallisticBook
from bastion.threat.ballistic_fit import fit_ballistic
from bastion.threat.history import MeasurementHistory

SITE_ALT_M = 35.0
RADAR_M = np.array([100.0, -200.0, 8.0])
SIG_R, SIG_A = 5.0, math.radians(0.3)
K_107 = float(drag_factor_m2pkg(0.35, 0.107, 18.8))


def _rocket(elev_deg: float, speed: float, k: float, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities every `dt` from a launch 6 km east-south-east, heading at the site."""
    head = np.array([-0.8, 0.6, 0.0])
    e = math.radians(elev_deg)
    p = np.array([[4800.0, -3600.0, 0.5]])
    v = (speed * (math.cos(e) * head + np.array([0.0, 0.0, math.sin(e)])))[None, :]
    ps, vs = [p[0].copy()], [v[0].copy()]
    while p[0, 2] > 0.0:
        p, v = rk4_step(p, v, np.array([k]), SITE_ALT_M, dt)
        ps.append(p[0].copy())
        vs.append(v[0].copy())
    return np.array(ps[:-1]), np.array(vs[:-1])


def _history(
    pos: np.ndarray, dt: float, n: int, rng: np.random.Generator, vel: np.ndarray | None = None
) -> MeasurementHistory:
    """Radar plots of the first `n` samples; range rate from `vel` (finite differences if None)."""
    vel = np.gradient(pos, dt, axis=0) if vel is None else vel
    h = MeasurementHistory()
    for i in range(n):
        aer = enu2aer(pos[i : i + 1], RADAR_M)
        rel = pos[i] - RADAR_M
        rr = float(rel @ vel[i]) / float(np.linalg.norm(rel))
        batch = DetectionBatch(
            sensor_id="r",
            t_s=i * dt,
            sensor_enu_m=RADAR_M,
            range_m=aer[:, 0] + rng.normal(0, SIG_R, 1),
            az_rad=aer[:, 1] + rng.normal(0, SIG_A, 1),
            el_rad=aer[:, 2] + rng.normal(0, SIG_A, 1),
            range_rate_mps=np.array([rr + rng.normal(0, 1.0)]),
            rcs_m2=np.full(1, 0.02),
            sigma_range_m=SIG_R,
            sigma_az_rad=SIG_A,
            sigma_el_rad=SIG_A,
            sigma_range_rate_mps=1.0,
        )
        h.append(batch, np.array([9]))
    return h


def test_fit_recovers_impact_point_and_drag_at_half_flight() -> None:
    dt = 0.25
    pos, vel = _rocket(24.5, 350.0, K_107, dt)
    truth, _ = propagate_to_ground(pos[:1], vel[:1], np.array([K_107]), SITE_ALT_M, dt_s=0.01)
    half = pos.shape[0] // 2
    errors, ks = [], []
    for seed in range(8):
        rows = _history(pos, dt, half, np.random.default_rng(seed), vel).of(9)
        guess = np.concatenate([pos[half - 1] + 40.0, vel[half - 1] - 15.0])
        fit = fit_ballistic(rows, guess, 1.0e-4, SITE_ALT_M)
        assert fit is not None and fit.chi2_per_dof < 2.0
        imp, _ = propagate_to_ground(
            fit.position_m[None],
            fit.velocity_mps[None],
            np.array([fit.drag_factor_m2pkg]),
            SITE_ALT_M,
        )
        errors.append(float(np.hypot(*(imp[0, :2] - truth[0, :2]))))
        ks.append(fit.drag_factor_m2pkg)
    assert np.median(errors) < 40.0 and max(errors) < 100.0, errors
    assert abs(np.median(ks) - K_107) / K_107 < 0.15, ks


def test_straight_flying_drone_is_not_forced_into_a_ballistic_model() -> None:
    dt = 0.25
    t = np.arange(60) * dt
    pos = np.array([-3000.0, 500.0, 300.0]) + np.outer(t, [50.0, 0.0, 0.0])
    rows = _history(pos, dt, 60, np.random.default_rng(1)).of(9)
    fit = fit_ballistic(rows, np.concatenate([pos[-1], [50.0, 0.0, 0.0]]), 1.0e-4, SITE_ALT_M)
    assert fit is None or fit.chi2_per_dof > 4.0
    book = BallisticBook(k_nominal=1.0e-4, site_alt_m=SITE_ALT_M)
    h = _history(pos, dt, 60, np.random.default_rng(1))
    x = np.concatenate([pos[-1], [50.0, 0.0, 0.0]])[None, :]
    pred = book.predict(np.array([9]), x, np.array([t[-1]]), h, float(t[-1]))
    assert not pred.ok[0] and np.isnan(pred.t_impact_s[0]) and np.isnan(pred.impact_m[0]).all()


def test_a_hopeless_fit_gives_up_at_its_third_linearisation(monkeypatch) -> None:
    """An aircraft's level arc (100 m/s, 30 s) is far from ballistic: with a give-up threshold the
    fit stops by its third trajectory batch instead of running all its iterations, and is rejected
    either way."""
    import bastion.threat.ballistic_fit as bf

    t = np.arange(30.0)
    pos = np.array([-3000.0, 500.0, 500.0]) + np.outer(t, [100.0, 0.0, 0.0])
    rows = _history(pos, 1.0, 30, np.random.default_rng(1)).of(9)
    theta0 = np.concatenate([pos[-1], [100.0, 0.0, 0.0], [1.0e-4]])[None]
    calls = []
    real = bf._predict
    monkeypatch.setattr(bf, "_predict", lambda *a: calls.append(1) or real(*a))
    (slow,) = bf.fit_ballistic_batch([rows], theta0, 1.0e-4, SITE_ALT_M, iterations=10)
    n_slow = len(calls)
    calls.clear()
    (fast,) = bf.fit_ballistic_batch(
        [rows], theta0, 1.0e-4, SITE_ALT_M, iterations=10, give_up_chi2_per_dof=100.0
    )
    assert len(calls) == 3 and n_slow == 10
    for fit in (slow, fast):
        assert fit is None or fit.chi2_per_dof > 100.0


def test_batch_members_stop_on_their_own_and_match_single_fits() -> None:
    """A rocket and an aircraft fitted together: the aircraft giving up does not change the
    rocket's fit, which equals its fit alone."""
    from bastion.threat.ballistic_fit import fit_ballistic_batch

    dt = 0.25
    pos, vel = _rocket(24.5, 350.0, K_107, dt)
    half = pos.shape[0] // 2
    rocket = _history(pos, dt, half, np.random.default_rng(3), vel).of(9)
    plane = np.array([-6000.0, 2000.0, 1500.0]) + np.outer(np.arange(40.0), [150.0, 0.0, 0.0])
    aircraft = _history(plane, 1.0, 40, np.random.default_rng(4)).of(9)
    th_r = np.concatenate([pos[half - 1] + 40.0, vel[half - 1] - 15.0, [1.0e-4]])
    th_a = np.concatenate([plane[-1], [150.0, 0.0, 0.0], [1.0e-4]])
    kw = {"iterations": 10, "give_up_chi2_per_dof": 100.0}
    both = fit_ballistic_batch([rocket, aircraft], np.stack([th_r, th_a]), 1e-4, SITE_ALT_M, **kw)
    (alone,) = fit_ballistic_batch([rocket], th_r[None], 1e-4, SITE_ALT_M, **kw)
    assert both[0] is not None and alone is not None and both[0].chi2_per_dof < 2.0
    np.testing.assert_allclose(both[0].theta, alone.theta, rtol=0, atol=1e-9)
    assert both[1] is None or both[1].chi2_per_dof > 4.0
