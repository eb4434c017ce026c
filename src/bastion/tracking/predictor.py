"""Constant-velocity prediction, vectorised over every row of a track table.

State per track: x = [e, n, u, ve, vn, vu] in site ENU metres and metres per second; P its 6x6
covariance. The motion model is the continuous white-noise acceleration (CWNA) model, independently per
axis, with power spectral density q = `accel_mps2`^2 (m^2/s^3). For a step of dt seconds, per axis

    F = | 1  dt |        Q = q | dt^3/3  dt^2/2 |
        | 0   1 |              | dt^2/2  dt     |

(Bar-Shalom et al., 2001, sec. 6.2.2) -- the same model as Stone Soup's `ConstantVelocity` with
`noise_diff_coeff = q`. `predict` applies F P F^T by block slices instead of 6x6 products.
"""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_POS = np.arange(3)
_VEL = np.arange(3, 6)


def cv_transition(dt_s: FloatArray) -> FloatArray:
    """State transition matrices F for steps `dt_s` (K,) in seconds; shape (K, 6, 6)."""
    F = np.zeros((dt_s.shape[0], 6, 6), dtype=np.float64)
    F[:, np.arange(6), np.arange(6)] = 1.0
    F[:, _POS, _VEL] = dt_s[:, None]
    return F


def cv_process_noise(dt_s: FloatArray, accel_mps2: float) -> FloatArray:
    """CWNA process noise Q for steps `dt_s` (K,) in seconds and acceleration density
    `accel_mps2`^2 (m^2/s^3); shape (K, 6, 6) in (m, m/s) units."""
    q = accel_mps2 * accel_mps2
    Q = np.zeros((dt_s.shape[0], 6, 6), dtype=np.float64)
    dt2 = dt_s * dt_s
    Q[:, _POS, _POS] = (q / 3.0 * dt2 * dt_s)[:, None]
    cross = (q / 2.0 * dt2)[:, None]
    Q[:, _POS, _VEL] = cross
    Q[:, _VEL, _POS] = cross
    Q[:, _VEL, _VEL] = (q * dt_s)[:, None]
    return Q


@functools.lru_cache(maxsize=64)
def _cv_matrices(dt_s: float, accel_mps2: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """F, F^T (C-contiguous) and Q for one step of `dt_s` seconds, each (6, 6); cached, read-only."""
    dt = np.array([dt_s], dtype=np.float64)
    F = cv_transition(dt)[0]
    FT = np.ascontiguousarray(F.T)
    Q = cv_process_noise(dt, accel_mps2)[0]
    for a in (F, FT, Q):
        a.flags.writeable = False
    return F, FT, Q


def predict_inplace(x: FloatArray, P: FloatArray, dt_s: FloatArray, accel_mps2: float) -> None:
    """Predict C-contiguous states `x` (K, 6) and covariances `P` (K, 6, 6) forward by `dt_s` (K,)
    seconds, in place: x <- F x, P <- F P F^T + Q. `dt_s` must be >= 0 (never backwards).

    When every row has the same step (the tracker keeps all rows at one time, so this is the usual
    case) one 6x6 F is broadcast over the rows; otherwise the per-row products go by block slices.
    """
    k = dt_s.shape[0]
    if k == 0:
        return
    if dt_s.min() == dt_s.max():
        F, FT, Q = _cv_matrices(float(dt_s[0]), accel_mps2)
        x[:, :3] += x[:, 3:] * dt_s[0]
        P[...] = F @ P @ FT
        P += Q
        return
    x[:, :3] += x[:, 3:] * dt_s[:, None]
    dt3 = dt_s[:, None, None]
    P[:, :3, :] += P[:, 3:, :] * dt3  # F P
    P[:, :, :3] += P[:, :, 3:] * dt3  # (F P) F^T
    P += cv_process_noise(dt_s, accel_mps2)


def predict(
    x: FloatArray, P: FloatArray, dt_s: FloatArray, accel_mps2: float
) -> tuple[FloatArray, FloatArray]:
    """Predict states `x` (K, 6) and covariances `P` (K, 6, 6) forward by `dt_s` (K,) seconds.

    Returns new arrays (inputs are not modified); equal to F x and F P F^T + Q with `cv_transition`
    and `cv_process_noise`. `dt_s` must be >= 0: the filter never predicts backwards.
    """
    x_pred = np.array(x, dtype=np.float64, order="C")
    P_pred = np.array(P, dtype=np.float64, order="C")
    predict_inplace(x_pred, P_pred, dt_s, accel_mps2)
    return x_pred, P_pred
