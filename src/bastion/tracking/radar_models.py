"""3-D radar measurement model: range, azimuth, elevation and optionally range rate, with EKF and UKF.

A radar at `sensor_enu_m` (site ENU metres, (3,) or one per track (K, 3); assumed stationary) measures a
target at position p = x[0:3] with velocity w = x[3:6] (site ENU m, m/s). With d = p - sensor,

    range_m         r  = |d|
    az_rad          az = atan2(d_e, d_n)               clockwise from north, in [0, 2 pi)
    el_rad          el = atan2(d_u, hypot(d_e, d_n))    above the sensor's horizontal, in [-pi/2, pi/2]
    range_rate_mps  rr = d . w / r                      positive receding (opening range)

in the order z = [range_m, az_rad, el_rad(, range_rate_mps)] -- the arguments of
`bastion.tracking.measurement.polar2enu`, whose inverse this is (flat earth about the site, as
`bastion.core.geo.enu2aer`). The Jacobian H = dh/dx (Bar-Shalom, Li, Kirubarajan 2001, sec. 10.3.2;
the range-rate rows as in Stone Soup's `CartesianToElevationBearingRangeRate`), with rho = hypot(d_e, d_n):

    dr/dd   = d / r                     daz/dd = (d_n, -d_e, 0) / rho^2
    del/dd  = (-d_u d_e / (rho r^2), -d_u d_n / (rho r^2), rho / r^2)
    drr/dd  = (w - rr d / r) / r        drr/dw = d / r

Guard near the sensor: the angle and range-rate derivatives grow as 1/rho and 1/r, and atan2(0, 0) is
meaningless. Every division uses max(rho, min_range_m) and max(r, min_range_m) (default 1 m), so a
track at (or above) the sensor gives bounded, finite H -- exactly zero angle rows at the sensor itself,
i.e. the angles then carry no information and the update leaves the state alone along them -- instead of
inf/NaN. The range rate d . w / r has no derivative in position at d = 0 (its limit depends on the
direction of approach), and a Jacobian of |w| / r there would claim a spurious, very precise position
fix; inside `min_range_m` the position part of its row is therefore set to zero (the velocity part,
d / r, vanishes there by itself). Farther than `min_range_m` the model is exact.

Sensor position uncertainty: the sensor's surveyed position is known only to `sensor_sigma_m` per axis
(default 0.1 m), which adds sensor_sigma_m^2 to the range variance and (sensor_sigma_m / r)^2 to each
angle variance (capped at pi^2: no angle information) and |w|^2 (sensor_sigma_m / r)^2 to the range-rate
variance (capped at |w|^2), r and w the prior's range and velocity. At surveillance ranges this is
negligible (0.1 mrad at 1 km, in quadrature with sigma_angle of 1-10 mrad: under 1% of the
variance), but it bounds the
cross-range accuracy a track close to the sensor can claim: without it an angle sigma of 0.1 mrad on a
track 1 m away is a 0.1 mm fix, and the UKF's sigma points, spread all round the sensor, turn that into
covariances with condition numbers beyond double precision (found by the property test). It is treated
as white noise, though a real survey error is a fixed bias; set it to 0 for the textbook update (the
Stone Soup oracle tests do).

`radar_ekf_update` linearises at the prior mean (Joseph-form covariance update); `radar_ukf_update`
propagates sigma points through h and needs no Jacobian (see `kalman_update` for both filters and the
choice of sigma-point weights). The UKF is worth its ~3x cost where the prior is wide against the range
(a new track, a track close to the radar); on confirmed tracks at kilometres the two agree closely.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bastion.tracking.kalman_update import (
    UpdateResult,
    diag_covariance,
    ekf_update,
    ukf_update,
)

FloatArray = NDArray[np.float64]

MIN_RANGE_M = 1.0
"""Default guard: horizontal and slant ranges below this (m) are taken as this in divisions."""

SENSOR_SIGMA_M = 0.1
"""Default 1-sigma uncertainty (m per axis) of a sensor's surveyed position, added to the noise."""

ANGLE_COLS = (1, 2)
"""Columns of the radar measurement vector that are angles (azimuth, elevation)."""


def radar_h(
    x: FloatArray,
    sensor_enu_m: FloatArray,
    with_range_rate: bool,
    min_range_m: float = MIN_RANGE_M,
) -> FloatArray:
    """Predicted radar measurements of states `x` (..., d) about `sensor_enu_m` broadcastable to
    (..., 3): shape (..., 3) [range_m, az_rad, el_rad] or (..., 4) with range_rate_mps appended."""
    d = x[..., 0:3] - sensor_enu_m
    rho = np.hypot(d[..., 0], d[..., 1])
    r = np.hypot(rho, d[..., 2])
    m = 4 if with_range_rate else 3
    out = np.empty((*x.shape[:-1], m), dtype=np.float64)
    out[..., 0] = r
    out[..., 1] = np.mod(np.arctan2(d[..., 0], d[..., 1]), 2.0 * np.pi)
    out[..., 2] = np.arctan2(d[..., 2], rho)
    if with_range_rate:
        out[..., 3] = np.einsum("...i,...i->...", d, x[..., 3:6]) / np.maximum(r, min_range_m)
    return out


def radar_jacobian(
    x: FloatArray,
    sensor_enu_m: FloatArray,
    with_range_rate: bool,
    min_range_m: float = MIN_RANGE_M,
) -> FloatArray:
    """Jacobians dh/dx of `radar_h` at states `x` (K, d), shape (K, 3|4, d); rows (range, az, el,
    range rate), columns the state; units m/m, rad/m, (m/s)/m and (m/s)/(m/s); zero beyond column 6."""
    k, dim = x.shape
    d = x[:, 0:3] - np.broadcast_to(sensor_enu_m, (k, 3))
    de, dn, du = d[:, 0], d[:, 1], d[:, 2]
    rho_raw = np.hypot(de, dn)
    r = np.maximum(np.hypot(rho_raw, du), min_range_m)
    rho = np.maximum(rho_raw, min_range_m)
    r2 = r * r
    m = 4 if with_range_rate else 3
    H = np.zeros((k, m, dim), dtype=np.float64)
    u = d / r[:, None]
    H[:, 0, 0:3] = u
    H[:, 1, 0] = dn / (rho * rho)
    H[:, 1, 1] = -de / (rho * rho)
    H[:, 2, 0] = -du * de / (rho * r2)
    H[:, 2, 1] = -du * dn / (rho * r2)
    H[:, 2, 2] = rho_raw / r2
    if with_range_rate:
        w = x[:, 3:6]
        rr = np.einsum("ki,ki->k", u, w)
        # rr = d . w / |d| has no derivative in position at d = 0 (its value depends on the
        # direction of approach); inside the guard the position part of the row is dropped.
        beyond_guard = np.hypot(rho_raw, du) >= min_range_m
        H[:, 3, 0:3] = (w - rr[:, None] * u) / r[:, None] * beyond_guard[:, None]
        H[:, 3, 3:6] = u
    return H


def _check(x: FloatArray, P: FloatArray, z: FloatArray, with_range_rate: bool) -> int:
    k, dim = x.shape
    m = 4 if with_range_rate else 3
    if dim < 6 or P.shape != (k, dim, dim):
        raise ValueError(f"state must be (K, d>=6) with P (K, d, d); got {x.shape}, {P.shape}")
    if z.shape != (k, m):
        raise ValueError(
            f"radar measurements must be ({k}, {m}) for with_range_rate="
            f"{with_range_rate}; got {z.shape}"
        )
    return m


def measurement_noise(
    sigmas: FloatArray | Sequence[float],
    x: FloatArray,
    sensor_enu_m: FloatArray,
    rows: slice,
    sensor_sigma_m: float,
    min_range_m: float = MIN_RANGE_M,
) -> FloatArray:
    """Measurement covariances (K, m, m) for the radar rows `rows` of (range, az, el, range rate):
    diag(sigmas^2) plus the sensor-position term -- sensor_sigma_m^2 on range,
    min((sensor_sigma_m / r)^2, pi^2) on each angle and |w|^2 min((sensor_sigma_m / r)^2, 1) on
    range rate, r and w the prior's range and velocity (module docstring)."""
    k = x.shape[0]
    m = len(range(4)[rows])
    R = diag_covariance(sigmas, k, m)
    if sensor_sigma_m > 0.0:
        r = np.linalg.norm(x[:, 0:3] - sensor_enu_m, axis=1)
        s2 = sensor_sigma_m * sensor_sigma_m
        frac = s2 / np.maximum(r * r, s2 / np.pi**2)  # (s / r)^2, at most pi^2
        w2 = np.einsum("ki,ki->k", x[:, 3:6], x[:, 3:6]) if x.shape[1] >= 6 else np.zeros(k)
        rr = w2 * np.minimum(frac, 1.0)  # rr moves by up to |w| s / r, at most |w|
        extra = np.stack([np.full(k, s2), frac, frac, rr], axis=1)
        R[:, np.arange(m), np.arange(m)] += extra[:, rows]
    return R


def radar_ekf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    sigmas: FloatArray | Sequence[float],
    sensor_enu_m: FloatArray,
    with_range_rate: bool,
    *,
    min_range_m: float = MIN_RANGE_M,
    sensor_sigma_m: float = SENSOR_SIGMA_M,
) -> UpdateResult:
    """EKF update of states `x` (K, d >= 6), covariances `P` (K, d, d) with radar measurements `z`
    (K, 3) [range_m, az_rad, el_rad] or (K, 4) [..., range_rate_mps], 1-sigma `sigmas` broadcastable
    to (K, 3|4) in the same units, from a radar at `sensor_enu_m` (3,) or (K, 3) site ENU metres,
    known to `sensor_sigma_m` per axis (0 for the textbook update; see the module docstring)."""
    m = _check(x, P, z, with_range_rate)
    k = x.shape[0]
    sensor = np.broadcast_to(np.asarray(sensor_enu_m, dtype=np.float64), (k, 3))
    R = measurement_noise(sigmas, x, sensor, slice(0, m), sensor_sigma_m, min_range_m)
    hx = radar_h(x, sensor, with_range_rate, min_range_m)
    H = radar_jacobian(x, sensor, with_range_rate, min_range_m)
    return ekf_update(x, P, z, R, hx, H, ANGLE_COLS)


def radar_ukf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    sigmas: FloatArray | Sequence[float],
    sensor_enu_m: FloatArray,
    with_range_rate: bool,
    *,
    min_range_m: float = MIN_RANGE_M,
    sensor_sigma_m: float = SENSOR_SIGMA_M,
    alpha: float = 1.0,
    beta: float = 0.0,
    kappa: float = 0.0,
) -> UpdateResult:
    """UKF update with the same arguments as `radar_ekf_update`; `alpha`, `beta`, `kappa` scale the
    sigma points (defaults: the cubature rule, every weight positive; see `kalman_update`)."""
    m = _check(x, P, z, with_range_rate)
    k = x.shape[0]
    sensor = np.broadcast_to(np.asarray(sensor_enu_m, dtype=np.float64), (k, 3))
    R = measurement_noise(sigmas, x, sensor, slice(0, m), sensor_sigma_m, min_range_m)
    sensor = sensor[:, None, :]

    def h(pts: FloatArray) -> FloatArray:
        return radar_h(pts, sensor, with_range_rate, min_range_m)

    return ukf_update(x, P, z, R, h, ANGLE_COLS, alpha=alpha, beta=beta, kappa=kappa)
