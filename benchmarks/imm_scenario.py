"""The IMM benchmarks' shared pieces: the manoeuvring drone profile, the simulated 3-D radar, the
single-model sweep, the clairvoyant yardstick and the runner that puts N Monte Carlo runs through one
vectorised IMM (one row per run). See `imm_accuracy.py` for the method."""

from __future__ import annotations

import math

import numpy as np

from bastion.tracking.imm import (
    ImmParams,
    imm_combine,
    imm_init,
    imm_mix_predict,
    imm_update,
)
from bastion.tracking.measurement import converted_measurement
from bastion.tracking.motion import ConstantVelocity, MotionModel, Singer
from bastion.tracking.motion_ballistic import Ballistic
from bastion.tracking.motion_turn import CoordinatedTurn3D

SIGMA_R_M, SIGMA_ANG_RAD = 10.0, 2e-3
G = 9.80665
VEL_SIGMA_MPS, ACC_SIGMA_MPS2 = 30.0, 5.0


def drone_profile(dt_s: float, steady_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Positions (K, 3) and 1-based segment labels (K,) at the scan times, local frame, heading north.

    `steady_scale` multiplies the durations of the hover and straight segments (not the manoeuvres)."""
    sub = 50
    h = dt_s / sub
    # (duration s, kind, parameter)
    turn_s = math.pi / (3 * G / 30.0)
    k = steady_scale
    segs = [
        (15.0 * k, "hover", 0.0),
        (5.0, "along", 6.0),
        (12.0 * k, "along", 0.0),
        (turn_s, "turn", 1.0),
        (8.0 * k, "along", 0.0),
        (1.5 * turn_s, "turn", -1.0),
        (4.0 * k, "along", 0.0),
        (5.0, "along", -6.0),
        (12.0 * k, "hover", 0.0),
        (5.0, "climb", 5.0),
        (8.0 * k, "along", 0.0),
    ]
    p, v = np.zeros(3), np.zeros(3)
    heading = np.array([0.0, 1.0, 0.0])
    out, labels = [], []
    t, next_scan = 0.0, 0.0
    for i, (dur, kind, par) in enumerate(segs):
        t_end = t + dur
        while t < t_end - 1e-12:
            if t >= next_scan - 1e-9:
                out.append(p.copy())
                labels.append(i + 1)
                next_scan += dt_s
            speed = np.linalg.norm(v)
            d = v / speed if speed > 1e-9 else heading
            if kind == "hover":
                a, v = np.zeros(3), np.zeros(3)
            elif kind == "along":
                a = par * d
            elif kind == "climb":
                a = par * np.array([d[0], d[1], 0.0]) / max(float(np.linalg.norm(d[:2])), 1e-9)
                a[2] = 0.6  # climbs at up to 3 m/s
            else:
                a = par * 3 * G * np.array([-d[1], d[0], 0.0]) / np.linalg.norm(d[:2])
            v = v + a * h
            p = p + v * h
            t += h
    return np.array(out), np.array(labels)


def radar(
    truth: np.ndarray, rng: np.random.Generator, sigma_r_m: float = SIGMA_R_M
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy converted measurements z (..., 3), R (..., 3, 3) and R at the truth, radar at origin."""
    shape = truth.shape[:-1]
    t = truth.reshape(-1, 3)
    r = np.linalg.norm(t, axis=1)
    az = np.arctan2(t[:, 0], t[:, 1])
    el = np.arcsin(t[:, 2] / r)
    rn = r + rng.normal(0, sigma_r_m, r.shape)
    azn = az + rng.normal(0, SIGMA_ANG_RAD, r.shape)
    eln = el + rng.normal(0, SIGMA_ANG_RAD, r.shape)
    z, R = converted_measurement(rn, azn, eln, np.zeros(3), sigma_r_m, SIGMA_ANG_RAD, SIGMA_ANG_RAD)
    _, R_true = converted_measurement(
        r, az, el, np.zeros(3), sigma_r_m, SIGMA_ANG_RAD, SIGMA_ANG_RAD
    )
    return z.reshape(*shape, 3), R.reshape(*shape, 3, 3), R_true.reshape(*shape, 3, 3)


def run_filter(
    params: ImmParams,
    z: np.ndarray,
    R: np.ndarray,
    dt_s: float,
    v0: np.ndarray | None = None,
    vel_sigma_mps: float = VEL_SIGMA_MPS,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimated positions and velocities (N, K, 6) and mode probabilities (N, K, r) for measurements
    z (N, K, 3)."""
    n, k = z.shape[:2]
    x, P, mu = imm_init(z[:, 0], R[:, 0], params, vel_sigma_mps, ACC_SIGMA_MPS2)
    if v0 is not None:
        x[:, :, 3:6] = v0
    est = np.empty((n, k, 6))
    mus = np.empty((n, k, len(params.models)))
    est[:, 0, :3], est[:, 0, 3:] = z[:, 0], x[:, 0, 3:6]
    mus[:, 0] = mu
    dt = np.full(n, dt_s)
    Pi = params.transition(dt)
    for i in range(1, k):
        x, P, c = imm_mix_predict(x, P, mu, dt, params.models, Pi)
        x, P, mu, _ = imm_update(x, P, c, z[:, i], R[:, i])
        xc, _ = imm_combine(x, P, mu)
        est[:, i], mus[:, i] = xc[:, :6], mu
    return est, mus


def single(model: MotionModel) -> ImmParams:
    return ImmParams(models=(model,), sojourn_s=(1.0,), initial_mu=(1.0,))


def sweep() -> list[MotionModel]:
    models: list[MotionModel] = [
        ConstantVelocity(accel_mps2=q) for q in (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 30)
    ]
    models += [
        Singer(accel_sigma_mps2=s, tau_s=t)
        for s in (2, 3, 5, 10, 20, 30, 50)
        for t in (0.1, 0.3, 1.0, 3.0, 10.0)
    ]
    models += [CoordinatedTurn3D(jerk_psd_m2ps5=q) for q in (3, 10, 30, 100, 300, 1000, 3000)]
    models += [Ballistic(drag_factor_m2pkg=1e-4, accel_mps2=q) for q in (3, 10, 30)]
    return models


def label(m: MotionModel) -> str:
    if isinstance(m, ConstantVelocity):
        return f"CV q={m.accel_mps2:g}"
    if isinstance(m, Singer):
        return f"Singer sigma={m.accel_sigma_mps2:g} tau={m.tau_s:g}"
    if isinstance(m, CoordinatedTurn3D):
        return f"CT jerk_psd={m.jerk_psd_m2ps5:g}"
    assert isinstance(m, Ballistic)
    return f"Ballistic q={m.accel_mps2:g}"


MANOEUVRE_SEGMENTS = (2, 4, 6, 8, 10)  # 1-based labels of drone_profile's manoeuvre segments


def clairvoyant(z: np.ndarray, R: np.ndarray, labels: np.ndarray, dt_s: float) -> np.ndarray:
    """A yardstick, not a filter one could run: told the true segment, it uses CV (q 0.5) in quiet
    flight and Singer (15 m/s^2, 2 s) from each manoeuvre's first scan until 2 s after its last."""
    quiet = ConstantVelocity(accel_mps2=0.5)
    loud = Singer(accel_sigma_mps2=15.0, tau_s=2.0)
    n, k = z.shape[:2]
    x, P, mu = imm_init(z[:, 0], R[:, 0], single(quiet), VEL_SIGMA_MPS, ACC_SIGMA_MPS2)
    est = np.empty((n, k, 3))
    est[:, 0] = z[:, 0]
    dt, hold = np.full(n, dt_s), round(2.0 / dt_s)
    for i in range(1, k):
        manoeuvring = np.isin(labels[max(0, i - hold) : i + 1], MANOEUVRE_SEGMENTS).any()
        model: MotionModel = loud if manoeuvring else quiet
        x, P, c = imm_mix_predict(x, P, mu, dt, (model,), np.ones((1, 1)))
        x, P, mu, _ = imm_update(x, P, c, z[:, i], R[:, i])
        est[:, i] = x[:, 0, :3]
    return est


def rmse(est: np.ndarray, truth: np.ndarray, k0: int) -> float:
    """3-D position RMSE of `est` (N, K, >= 3; positions first) after scan `k0`."""
    err = est[:, k0:, :3] - truth[:, k0:]
    return float(np.sqrt(np.mean(np.sum(err**2, axis=2))))
