"""The tracker with the IMM filter: same bookkeeping as constant velocity, better on manoeuvres."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cv_scenario import cv_truth, radar_batch

from bastion.core.params import TrackerParams
from bastion.tracking import Tracker
from bastion.tracking.imm import imm_combine

CV = TrackerParams(process_accel_mps2=2.0, confirm_m=3, confirm_n=4)
IMM = dataclasses.replace(CV, filter="imm")


def _turning_truth(n_scans: int, dt_s: float) -> np.ndarray:
    """One target at 60 m/s: 20 s straight, a 3 g level turn for 15 s, then straight: (n, 1, 6)."""
    x = np.array([4_000.0, 2_000.0, 500.0, 60.0, 0.0, 0.0])
    out = np.zeros((n_scans, 1, 6))
    for k in range(n_scans):
        out[k, 0] = x
        t = k * dt_s
        omega = 3 * 9.81 / 60.0 if 20.0 <= t < 35.0 else 0.0
        c, s = np.cos(omega * dt_s), np.sin(omega * dt_s)
        v = x[3:5].copy()
        if omega:
            x[0] += (v[0] * s - v[1] * (1 - c)) / omega
            x[1] += (v[1] * s + v[0] * (1 - c)) / omega
            x[3], x[4] = v[0] * c - v[1] * s, v[0] * s + v[1] * c
        else:
            x[:2] += v * dt_s
    return out


def _rmse_m(params: TrackerParams, seed: int) -> float:
    rng = np.random.default_rng(seed)
    truth = _turning_truth(60, 1.0)
    tr = Tracker(params)
    err = []
    for k in range(60):
        tr.step(radar_batch(rng, truth[k], float(k)))
        tb = tr.table
        if k >= 5 and tb.confirmed.any():
            err.append(np.linalg.norm(tb.x[tb.confirmed, :3] - truth[k, 0, :3], axis=1).min())
    return float(np.sqrt(np.mean(np.square(err))))


def test_imm_beats_constant_velocity_through_a_3g_turn() -> None:
    cv = np.mean([_rmse_m(CV, s) for s in range(1, 6)])
    imm = np.mean([_rmse_m(IMM, s) for s in range(1, 6)])
    assert imm < 0.8 * cv, (imm, cv)


def test_imm_table_columns_hold_the_combination_of_the_models() -> None:
    rng = np.random.default_rng(3)
    truth = cv_truth(rng, 20, 8, speed_mps=(30.0, 120.0))
    tr = Tracker(IMM)
    for k in range(8):
        tr.step(radar_batch(rng, truth[k], float(k), clutter=10))
    tb = tr.table
    assert tb.n_models == 4 and int(tb.confirmed.sum()) == 20
    x, P = imm_combine(tb.model_x, tb.model_P, tb.model_prob)
    np.testing.assert_allclose(tb.x, x[:, :6], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(tb.P, P[:, :6, :6], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(tb.model_prob.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.linalg.eigvalsh(tb.P) > 0.0)


def test_late_batch_with_imm_gives_the_in_order_tracks() -> None:
    rng = np.random.default_rng(4)
    truth = cv_truth(rng, 6, 8, speed_mps=(30.0, 120.0))
    batches = [radar_batch(rng, truth[k], float(k), clutter=3) for k in range(8)]
    params = dataclasses.replace(IMM, oosm_lag_s=2.5)
    a, b = Tracker(params), Tracker(params)
    for batch in batches:
        a.step(batch)
    for batch in [*batches[:4], batches[5], batches[6], batches[4], batches[7]]:
        b.step(batch)
    np.testing.assert_allclose(b.table.model_x, a.table.model_x, atol=1e-9)
    np.testing.assert_allclose(b.table.model_prob, a.table.model_prob, atol=1e-12)


def test_unknown_filter_is_refused() -> None:
    with pytest.raises(ValueError, match="filter"):
        Tracker(dataclasses.replace(CV, filter="ukf-magic"))


def _velocity_rmse(params: TrackerParams, seed: int) -> float:
    """RMSE (m/s) of the radial (line-of-sight) velocity of the confirmed tracks just after
    confirmation (4 looks): what a radial-velocity measurement observes directly."""
    rng = np.random.default_rng(seed)
    truth = cv_truth(rng, 30, 4, speed_mps=(30.0, 150.0))
    tr = Tracker(params)
    for k in range(4):
        tr.step(radar_batch(rng, truth[k], float(k)))
    tb = tr.table
    x = tb.x[tb.confirmed]
    near = np.linalg.norm(x[:, None, :3] - truth[-1][None, :, :3], axis=2).argmin(axis=1)
    los = truth[-1][near, :3] / np.linalg.norm(truth[-1][near, :3], axis=1, keepdims=True)
    err = np.sum((x[:, 3:] - truth[-1][near, 3:]) * los, axis=1)
    return float(np.sqrt(np.mean(err**2)))


@pytest.mark.parametrize("filt", ["cv", "imm"])
def test_radial_velocity_update_sharpens_velocity(filt: str) -> None:
    """EKF and UKF radar updates with range rate: a young track's radial velocity error well below
    the converted update's; EKF and UKF agree."""
    base = dataclasses.replace(CV, filter=filt)
    conv = np.mean([_velocity_rmse(base, s) for s in (1, 2)])
    ekf = dataclasses.replace(base, radar_update="ekf", use_range_rate=True)
    ukf = dataclasses.replace(ekf, radar_update="ukf")
    v_ekf = np.mean([_velocity_rmse(ekf, s) for s in (1, 2)])
    v_ukf = np.mean([_velocity_rmse(ukf, s) for s in (1, 2)])
    assert v_ekf < 0.7 * conv, (v_ekf, conv)
    assert abs(v_ukf - v_ekf) < 0.2 * v_ekf, (v_ukf, v_ekf)
