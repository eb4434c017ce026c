"""Kalman update with converted position measurements, vectorised over track/detection pairs.

The measurement is a site ENU position z (m) with covariance R (m^2), and the state is
[e, n, u, ve, vn, vu], so H = [I3 0] and the update uses only slices of P:

    S = P[:3, :3] + R,   K = P[:, :3] S^-1,   x+ = x + K (z - x[:3]),   P+ = P - K P[:3, :]

The 3x3 innovation covariances are inverted in closed form (adjugate over determinant), elementwise over
all pairs at once, which is several times faster than a batched LAPACK call for small 3x3 blocks. P+ is
made exactly symmetric (upper triangle mirrored) against round-off.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_iu = np.triu_indices(6, 1)
_UPPER = _iu[0] * 6 + _iu[1]  # flat indices of the strict upper triangle of a 6x6 matrix
_LOWER = _iu[1] * 6 + _iu[0]  # and of the mirrored lower-triangle entries


def inv_sym3(S: FloatArray) -> FloatArray:
    """Inverses of symmetric positive-definite 3x3 matrices `S` (K, 3, 3), shape (K, 3, 3)."""
    a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
    d, e, f = S[:, 1, 1], S[:, 1, 2], S[:, 2, 2]
    out = np.empty_like(S)
    A = d * f - e * e
    B = c * e - b * f
    C = b * e - c * d
    inv_det = 1.0 / (a * A + b * B + c * C)
    out[:, 0, 0] = A * inv_det
    out[:, 0, 1] = out[:, 1, 0] = B * inv_det
    out[:, 0, 2] = out[:, 2, 0] = C * inv_det
    out[:, 1, 1] = (a * f - c * c) * inv_det
    out[:, 1, 2] = out[:, 2, 1] = (b * c - a * e) * inv_det
    out[:, 2, 2] = (a * d - b * b) * inv_det
    return out


def mahalanobis2(v: FloatArray, S: FloatArray) -> FloatArray:
    """Squared Mahalanobis distances v^T S^-1 v for innovations `v` (K, 3) and symmetric positive-
    definite covariances `S` (K, 3, 3); dimensionless, shape (K,)."""
    a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
    d, e, f = S[:, 1, 1], S[:, 1, 2], S[:, 2, 2]
    A = d * f - e * e
    B = c * e - b * f
    C = b * e - c * d
    det = a * A + b * B + c * C
    v0, v1, v2 = v[:, 0], v[:, 1], v[:, 2]
    quad = (
        A * v0 * v0
        + (a * f - c * c) * v1 * v1
        + (a * d - b * b) * v2 * v2
        + 2.0 * (B * v0 * v1 + C * v0 * v2 + (b * c - a * e) * v1 * v2)
    )
    d2: FloatArray = quad / det
    return d2


def update(
    x: FloatArray, P: FloatArray, z: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Kalman-update predicted states `x` (K, 6), covariances `P` (K, 6, 6) with positions `z`
    (K, 3) of covariance `R` (K, 3, 3), pairwise. Returns new (x, P); inputs are not modified."""
    PHt = P[:, :, :3]
    gain = PHt @ inv_sym3(P[:, :3, :3] + R)
    v = z - x[:, :3]
    x_new = x + (gain @ v[:, :, None])[:, :, 0]
    P_new = P - gain @ P[:, :3, :]
    # Exact symmetry: mirror the upper triangle onto the lower one.
    flat = P_new.reshape(-1, 36)
    flat[:, _LOWER] = flat[:, _UPPER]
    return x_new, P_new
