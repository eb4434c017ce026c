"""Small scenario helpers for the tracking tests: constant-velocity truth seen by one 3-D radar."""

from __future__ import annotations

import numpy as np

from bastion.core.geo import enu2aer
from bastion.core.measurements import DetectionBatch

SIGMA_RANGE_M = 10.0
SIGMA_ANGLE_RAD = 2e-3
VOLUME_M = ((-20_000.0, 20_000.0), (-20_000.0, 20_000.0), (0.0, 4_000.0))


def cv_truth(
    rng: np.random.Generator,
    n_targets: int,
    n_scans: int,
    *,
    dt_s: float = 1.0,
    accel_mps2: float = 0.0,
    speed_mps: tuple[float, float] = (30.0, 250.0),
) -> np.ndarray:
    """Truth states (n_scans, n_targets, 6) [e, n, u, ve, vn, vu]: CV with optional random accel."""
    ang = rng.uniform(0, 2 * np.pi, n_targets)
    rad = rng.uniform(3_000.0, 18_000.0, n_targets)
    x = np.zeros((n_targets, 6))
    x[:, 0] = rad * np.sin(ang)
    x[:, 1] = rad * np.cos(ang)
    x[:, 2] = rng.uniform(300.0, 3_000.0, n_targets)
    hdg = rng.uniform(0, 2 * np.pi, n_targets)
    spd = rng.uniform(*speed_mps, n_targets)
    x[:, 3] = spd * np.sin(hdg)
    x[:, 4] = spd * np.cos(hdg)
    x[:, 5] = rng.normal(0.0, 2.0, n_targets)
    out = np.zeros((n_scans, n_targets, 6))
    for k in range(n_scans):
        out[k] = x
        a = rng.normal(0.0, accel_mps2, (n_targets, 3))
        x = x.copy()
        x[:, :3] += x[:, 3:] * dt_s + 0.5 * a * dt_s**2
        x[:, 3:] += a * dt_s
    return out


def radar_batch(
    rng: np.random.Generator,
    truth: np.ndarray,
    t_s: float,
    *,
    pd: float = 1.0,
    clutter: int = 0,
    sensor_enu_m: np.ndarray | None = None,
    truth_ids: np.ndarray | None = None,
) -> DetectionBatch:
    """One radar look at truth states (K, 6) with noise, detection probability and uniform clutter."""
    sensor = np.zeros(3) if sensor_enu_m is None else sensor_enu_m
    k = truth.shape[0]
    ids = np.arange(k, dtype=np.int64) if truth_ids is None else truth_ids
    seen = rng.random(k) < pd
    aer = enu2aer(truth[seen, :3], sensor)
    los = (truth[seen, :3] - sensor) / aer[:, :1]
    rr = np.sum(los * truth[seen, 3:], axis=1)
    n_seen = aer.shape[0]
    aer = aer + rng.normal(0.0, 1.0, (n_seen, 3)) * [
        SIGMA_RANGE_M,
        SIGMA_ANGLE_RAD,
        SIGMA_ANGLE_RAD,
    ]
    lo = np.array([v[0] for v in VOLUME_M])
    hi = np.array([v[1] for v in VOLUME_M])
    cl = enu2aer(rng.uniform(lo, hi, (clutter, 3)), sensor)
    all_aer = np.concatenate([aer, cl])
    return DetectionBatch(
        sensor_id="radar-1",
        t_s=t_s,
        sensor_enu_m=sensor,
        range_m=all_aer[:, 0].copy(),
        az_rad=all_aer[:, 1].copy(),
        el_rad=all_aer[:, 2].copy(),
        range_rate_mps=np.concatenate(
            [rr + rng.normal(0, 1.0, n_seen), rng.uniform(-50, 50, clutter)]
        ),
        rcs_m2=np.concatenate([np.full(n_seen, 1.0), np.full(clutter, 0.1)]),
        sigma_range_m=SIGMA_RANGE_M,
        sigma_az_rad=SIGMA_ANGLE_RAD,
        sigma_el_rad=SIGMA_ANGLE_RAD,
        sigma_range_rate_mps=1.0,
        truth_id=np.concatenate([ids[seen], np.full(clutter, -1, dtype=np.int64)]),
    )
