"""Bearing-only measurement model (an RF direction finder) as a partial measurement, EKF or UKF.

A direction finder at `sensor_enu_m` (site ENU metres, (3,) or (K, 3); stationary) measures only the
direction of the emitter: azimuth `az_rad` (clockwise from north) and, for a 2-D array, elevation
`el_rad` (above the sensor's horizontal) -- the angle rows of the radar model in
`bastion.tracking.radar_models`, with the same conventions and the same Jacobian rows

    daz/dd = (d_n, -d_e, 0) / rho^2,   del/dd = (-d_u d_e / (rho r^2), -d_u d_n / (rho r^2), rho / r^2)

(d = position - sensor, rho = hypot(d_e, d_n), r = |d|). There is no range, so one update only narrows
the track across the line of sight; range comes from the motion model, a second sensor (triangulation)
or another sensor kind. The update is a partial one: it touches the state only through the angle rows,
and the innovation is wrapped to (-pi, pi] (Bar-Shalom, Li, Kirubarajan 2001, sec. 10.3; bearings-only
geometry: Aidala and Hammel, "Utilization of modified polar coordinates for bearings-only tracking",
IEEE TAC 28(3), 1983).

Near the sensor: the Jacobian grows as 1/rho. Divisions use max(rho, min_range_m), max(r, min_range_m)
(default 1 m), so H stays finite; a track exactly at (or straight above) the sensor gets a zero azimuth
row and the bearing leaves it unchanged along that row, never NaN. The gain behaves well as rho -> 0
anyway (K ~ P H^T / (H P H^T + R) ~ rho), so the guard only removes the 0/0. The sensor-position term
of `radar_models` (`sensor_sigma_m`, default 0.1 m, adding (sensor_sigma_m / r)^2 to the angle
variances) bounds the cross-range accuracy a track near the sensor can claim.

The EKF is the default; `bearing_ukf_update` runs the same model through the sigma-point code of
`kalman_update` (useful when the prior is wide against the distance to the sensor, where the bearing is
strongly nonlinear in position).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.tracking.kalman_update import (
    UpdateResult,
    diag_covariance,
    iterated_ekf_update,
    ukf_update,
)
from bastion.tracking.radar_models import (
    MIN_RANGE_M,
    SENSOR_SIGMA_M,
    measurement_noise,
    radar_h,
    radar_jacobian,
)

FloatArray = NDArray[np.float64]


def _measurement(
    x: FloatArray,
    P: FloatArray,
    az_rad: FloatArray,
    el_rad: FloatArray | None,
    sigma_az_rad: float | FloatArray,
    sigma_el_rad: float | FloatArray,
) -> tuple[FloatArray, FloatArray, slice]:
    k, dim = x.shape
    if dim < 3 or P.shape != (k, dim, dim):
        raise ValueError(f"state must be (K, d>=3) with P (K, d, d); got {x.shape}, {P.shape}")
    az = np.broadcast_to(np.asarray(az_rad, dtype=np.float64), (k,))
    if el_rad is None:
        return (
            az[:, None].copy(),
            diag_covariance(np.asarray(sigma_az_rad, dtype=np.float64)[..., None], k, 1),
            slice(1, 2),
        )
    el = np.broadcast_to(np.asarray(el_rad, dtype=np.float64), (k,))
    z = np.stack([az, el], axis=1)
    s = np.stack(np.broadcast_arrays(np.asarray(sigma_az_rad), np.asarray(sigma_el_rad)), axis=-1)
    return z, diag_covariance(s, k, 2), slice(1, 3)


def bearing_h(
    x: FloatArray, sensor_enu_m: FloatArray, with_elevation: bool, min_range_m: float = MIN_RANGE_M
) -> FloatArray:
    """Predicted bearings of states `x` (..., d) about `sensor_enu_m` broadcastable to (..., 3):
    (..., 1) [az_rad] or (..., 2) [az_rad, el_rad]."""
    rows = slice(1, 3) if with_elevation else slice(1, 2)
    return radar_h(x, sensor_enu_m, False, min_range_m)[..., rows]


def bearing_jacobian(
    x: FloatArray, sensor_enu_m: FloatArray, with_elevation: bool, min_range_m: float = MIN_RANGE_M
) -> FloatArray:
    """Jacobians of `bearing_h` at states `x` (K, d): (K, 1|2, d) in rad/m."""
    rows = slice(1, 3) if with_elevation else slice(1, 2)
    return radar_jacobian(x, sensor_enu_m, False, min_range_m)[:, rows, :]


def bearing_update(
    x: FloatArray,
    P: FloatArray,
    az_rad: FloatArray,
    el_rad: FloatArray | None,
    sigma_az_rad: float | FloatArray,
    sigma_el_rad: float | FloatArray,
    sensor_enu_m: FloatArray,
    *,
    min_range_m: float = MIN_RANGE_M,
    sensor_sigma_m: float = SENSOR_SIGMA_M,
    iterations: int = 1,
) -> UpdateResult:
    """EKF update of states `x` (K, d >= 3), `P` (K, d, d) with bearings `az_rad` (K,) and, unless
    None, elevations `el_rad` (K,), 1-sigma `sigma_az_rad`, `sigma_el_rad` (scalars or (K,); the
    latter unused without elevations), from a direction finder at `sensor_enu_m` (3,) or (K, 3).
    `iterations` > 1 runs the iterated EKF (`kalman_update.iterated_ekf_update`); `sensor_sigma_m`
    as in `radar_models` (0 for the textbook update)."""
    z, R, rows = _measurement(x, P, az_rad, el_rad, sigma_az_rad, sigma_el_rad)
    k = x.shape[0]
    sensor = np.broadcast_to(np.asarray(sensor_enu_m, dtype=np.float64), (k, 3))
    R += measurement_noise(np.zeros(z.shape[1]), x, sensor, rows, sensor_sigma_m, min_range_m)

    def h(xs: FloatArray) -> FloatArray:
        return radar_h(xs, sensor, False, min_range_m)[:, rows]

    def jac(xs: FloatArray) -> FloatArray:
        return radar_jacobian(xs, sensor, False, min_range_m)[:, rows, :]

    return iterated_ekf_update(x, P, z, R, h, jac, tuple(range(z.shape[1])), iterations)


def bearing_ukf_update(
    x: FloatArray,
    P: FloatArray,
    az_rad: FloatArray,
    el_rad: FloatArray | None,
    sigma_az_rad: float | FloatArray,
    sigma_el_rad: float | FloatArray,
    sensor_enu_m: FloatArray,
    *,
    min_range_m: float = MIN_RANGE_M,
    sensor_sigma_m: float = SENSOR_SIGMA_M,
    alpha: float = 1.0,
    beta: float = 0.0,
    kappa: float = 0.0,
) -> UpdateResult:
    """UKF version of `bearing_update`, same arguments plus the sigma-point scaling (defaults: the
    cubature rule; see `kalman_update`)."""
    z, R, rows = _measurement(x, P, az_rad, el_rad, sigma_az_rad, sigma_el_rad)
    k = x.shape[0]
    sensor = np.broadcast_to(np.asarray(sensor_enu_m, dtype=np.float64), (k, 3))
    R += measurement_noise(np.zeros(z.shape[1]), x, sensor, rows, sensor_sigma_m, min_range_m)
    sensor = sensor[:, None, :]

    def h(pts: FloatArray) -> FloatArray:
        return radar_h(pts, sensor, False, min_range_m)[..., rows]

    return ukf_update(x, P, z, R, h, tuple(range(z.shape[1])), alpha=alpha, beta=beta, kappa=kappa)
