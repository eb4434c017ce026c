"""Generic batched Kalman updates for nonlinear measurements: EKF and UKF, vectorised over K tracks.

Every function works on a whole batch of track/measurement pairs at once: states `x` (K, d) and
covariances `P` (K, d, d) with d >= 6 (position [e, n, u] in site ENU metres in columns 0:3, velocity
[ve, vn, vu] m/s in 3:6, anything else after), measurements `z` (K, m) with covariance `R` (K, m, m).
Columns of z listed in `angle_cols` are angles in radians: their innovations (and, for the UKF, the
sigma-point deviations) are wrapped to (-pi, pi].

Extended Kalman filter (Bar-Shalom, Li, Kirubarajan, *Estimation with Applications to Tracking and
Navigation*, 2001, sec. 10.3): with H the Jacobian of h at the prior mean,

    v = wrap(z - h(x)),   S = H P H^T + R,   K = P H^T S^-1,   x+ = x + K v,
    P+ = (I - K H) P (I - K H)^T + K R K^T          (Joseph form, ibid. eq. 5.2.3-18)

The Joseph form is a sum of two positive semi-definite terms, correct for any gain (e.g. after a guard
has altered H), and it does not lose positive definiteness to the cancellation that the short form
P - K H P suffers when the update removes most of the variance; the result is then symmetrised,
P+ <- (P+ + P+^T) / 2, so that it is exactly symmetric (the matrix products leave round-off
asymmetry). Joseph costs two more d x d products per track than the short form.

Unscented Kalman filter (Julier and Uhlmann, "Unscented filtering and nonlinear estimation", Proc.
IEEE 92(3), 2004; scaled sigma points of Wan and van der Merwe, "The unscented Kalman filter for
nonlinear estimation", IEEE AS-SPCC 2000): 2d+1 sigma points x, x +- sqrt(d + lambda) L_i with
L L^T = P, lambda = alpha^2 (d + kappa) - d, mean weights W0 = lambda / (d + lambda),
Wi = 1 / (2 (d + lambda)), covariance weight W0c = W0 + 1 - alpha^2 + beta. Angles are averaged as
circular means, atan2(sum W sin, sum W cos) (the same rule as Stone Soup's `Angle.average`), and
their deviations wrapped. P+ = P - K S K^T, symmetrised. The defaults alpha = 1, beta = 0, kappa = 0
give the spherical cubature rule (Arasaratnam and Haykin, "Cubature Kalman filters", IEEE TAC 54(6),
2009): every weight is 1/(2d) > 0, so the joint sigma-point covariance of (x, z) is positive
semi-definite and P+ = P - Pxz (Pzz + R)^-1 Pxz^T is positive definite whenever R is. Other
settings (e.g. Stone Soup's alpha = 0.5, beta = 2, kappa = 3 - d) give a negative centre weight and
lose that guarantee.

The small m x m systems are solved with batched LAPACK (`numpy.linalg.solve`); written here rather than
taken from filterpy or Stone Soup because both work one track (one object) at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

MeasurementFn = Callable[[FloatArray], FloatArray]
"""h: states (K, n, d) -> predicted measurements (K, n, m); angles in radians."""

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateResult:
    """A batch of Kalman updates: posterior `x` (K, d), `P` (K, d, d) in the state's units (site ENU
    m, m/s, ...), the `innovation` (K, m) z - h(x) with angle components wrapped to (-pi, pi] (m, rad,
    m/s as the measurement), and its covariance `S` (K, m, m), for likelihoods and gating."""

    x: FloatArray
    P: FloatArray
    innovation: FloatArray
    S: FloatArray


def wrap_angle(angle_rad: FloatArray) -> FloatArray:
    """Wrap angles (any shape, radians) to (-pi, pi]."""
    out: FloatArray = np.pi - np.mod(np.pi - np.asarray(angle_rad, dtype=np.float64), 2.0 * np.pi)
    return out


def mahalanobis2(innovation: FloatArray, S: FloatArray) -> FloatArray:
    """Squared Mahalanobis distances v^T S^-1 v of innovations (K, m) under covariances (K, m, m);
    dimensionless, shape (K,)."""
    sol = np.linalg.solve(S, innovation[..., None])[..., 0]
    d2: FloatArray = np.einsum("km,km->k", innovation, sol)
    return d2


def log_likelihood(innovation: FloatArray, S: FloatArray) -> FloatArray:
    """Gaussian log-likelihoods log N(v; 0, S) of innovations (K, m) with covariances (K, m, m),
    shape (K,): -(m log 2 pi + log det S + v^T S^-1 v) / 2 (natural log; the density is per unit of
    the measurement, so compare likelihoods only between hypotheses with the same measurement)."""
    m = innovation.shape[-1]
    _sign, logdet = np.linalg.slogdet(S)
    ll: FloatArray = -0.5 * (m * _LOG_2PI + logdet + mahalanobis2(innovation, S))
    return ll


def symmetrise(P: FloatArray) -> FloatArray:
    """(P + P^T) / 2 over the last two axes."""
    out: FloatArray = 0.5 * (P + np.swapaxes(P, -1, -2))
    return out


def diag_covariance(sigmas: FloatArray | Sequence[float], k: int, m: int) -> FloatArray:
    """Diagonal covariances (k, m, m) from 1-sigma values broadcastable to (k, m)."""
    s = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (k, m))
    R = np.zeros((k, m, m), dtype=np.float64)
    R[:, np.arange(m), np.arange(m)] = s * s
    return R


def _wrap_cols(v: FloatArray, angle_cols: Sequence[int]) -> FloatArray:
    if len(angle_cols):
        cols = list(angle_cols)
        v[..., cols] = wrap_angle(v[..., cols])
    return v


def _gain(cross: FloatArray, S: FloatArray) -> FloatArray:
    """K = C S^-1 for cross-covariances C (K, d, m) and symmetric S (K, m, m)."""
    gain: FloatArray = np.swapaxes(np.linalg.solve(S, np.swapaxes(cross, -1, -2)), -1, -2)
    return gain


def ekf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    hx: FloatArray,
    H: FloatArray,
    angle_cols: Sequence[int] = (),
) -> UpdateResult:
    """EKF update (Joseph form, symmetrised) of `x` (K, d), `P` (K, d, d) with measurements `z`
    (K, m) of covariance `R` (K, m, m), given the predicted measurements `hx` = h(x) (K, m) and the
    Jacobians `H` (K, m, d) at x. Inputs are not modified."""
    v = _wrap_cols(z - hx, angle_cols)
    PHt = P @ np.swapaxes(H, -1, -2)
    S = symmetrise(H @ PHt + R)
    gain = _gain(PHt, S)
    x_new = x + np.einsum("kdm,km->kd", gain, v)
    d = x.shape[1]
    IKH = np.eye(d) - gain @ H
    P_new = IKH @ P @ np.swapaxes(IKH, -1, -2) + gain @ R @ np.swapaxes(gain, -1, -2)
    return UpdateResult(x=x_new, P=symmetrise(P_new), innovation=v, S=S)


def iterated_ekf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    h: Callable[[FloatArray], FloatArray],
    jacobian: Callable[[FloatArray], FloatArray],
    angle_cols: Sequence[int] = (),
    iterations: int = 1,
) -> UpdateResult:
    """Iterated EKF (Gauss-Newton on the MAP cost; Bell and Cathey, "The iterated Kalman filter
    update as a Gauss-Newton method", IEEE TAC 38(2), 1993): re-linearise at the latest estimate,

        x_{i+1} = x + K_i (z - h(x_i) - H_i (x - x_i)),   K_i = P H_i^T (H_i P H_i^T + R)^-1

    `iterations` = 1 is the plain EKF. P+ uses the last H_i (Joseph form); `innovation` and `S` are
    those of the prior (i = 0), as gating and likelihoods need. `h` maps (K, d) -> (K, m), `jacobian`
    (K, d) -> (K, m, d)."""
    first = ekf_update(x, P, z, R, h(x), jacobian(x), angle_cols)
    res = first
    for _ in range(iterations - 1):
        H = jacobian(res.x)
        hx = h(res.x) + np.einsum("kmd,kd->km", H, x - res.x)  # h linearised about x_i, at x
        res = ekf_update(x, P, z, R, hx, H, angle_cols)
    return UpdateResult(x=res.x, P=res.P, innovation=first.innovation, S=first.S)


def sigma_points(
    x: FloatArray, P: FloatArray, alpha: float, beta: float, kappa: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Scaled sigma points (K, 2d+1, d) of N(x, P) and their mean and covariance weights (2d+1,)
    each (Wan and van der Merwe 2000; see the module docstring). The square root is the Cholesky
    factor; if any P in the batch is not positive definite, the eigen-decomposition root with negative
    eigenvalues clipped to zero is used for the batch instead (any root gives the same moments)."""
    d = x.shape[1]
    lam = alpha * alpha * (d + kappa) - d
    c = d + lam
    try:
        L = np.linalg.cholesky(P) * np.sqrt(c)  # (K, d, d); columns are the spread directions
    except np.linalg.LinAlgError:  # some P not positive definite (from elsewhere): symmetric root
        w, V = np.linalg.eigh(symmetrise(P))
        L = V * np.sqrt(np.clip(w, 0.0, None) * c)[:, None, :]
    cols = np.swapaxes(L, -1, -2)  # (K, d, d): row i is column i of L
    pts = np.empty((x.shape[0], 2 * d + 1, d), dtype=np.float64)
    pts[:, 0] = x
    pts[:, 1 : d + 1] = x[:, None, :] + cols
    pts[:, d + 1 :] = x[:, None, :] - cols
    wm = np.full(2 * d + 1, 0.5 / c)
    wm[0] = lam / c
    wc = wm.copy()
    wc[0] = lam / c + (1.0 - alpha * alpha + beta)
    return pts, wm, wc


def ukf_update(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    h: MeasurementFn,
    angle_cols: Sequence[int] = (),
    *,
    alpha: float = 1.0,
    beta: float = 0.0,
    kappa: float = 0.0,
) -> UpdateResult:
    """UKF update of `x` (K, d), `P` (K, d, d) with measurements `z` (K, m) of covariance `R`
    (K, m, m) through `h` (sigma points (K, 2d+1, d) -> (K, 2d+1, m)). Angle columns use circular
    means and wrapped deviations. Defaults alpha = 1, beta = 0, kappa = 0 are the cubature rule."""
    pts, wm, wc = sigma_points(x, P, alpha, beta, kappa)
    zs = h(pts)  # (K, n, m)
    z_mean = np.einsum("n,knm->km", wm, zs)
    if len(angle_cols):
        cols = list(angle_cols)
        ang = zs[..., cols]
        z_mean[:, cols] = np.arctan2(
            np.einsum("n,knm->km", wm, np.sin(ang)), np.einsum("n,knm->km", wm, np.cos(ang))
        )
    dz = _wrap_cols(zs - z_mean[:, None, :], angle_cols)
    dx = pts - pts[:, :1, :]
    dzw = np.swapaxes(dz * wc[None, :, None], -1, -2)  # (K, m, n): batched matmuls beat einsum
    S = symmetrise(dzw @ dz + R)
    cross = np.swapaxes(dzw @ dx, -1, -2)  # sum_n wc_n dx_n dz_n^T, (K, d, m)
    gain = _gain(cross, S)
    v = _wrap_cols(z - z_mean, angle_cols)
    x_new = x + np.einsum("kdm,km->kd", gain, v)
    P_new = P - gain @ S @ np.swapaxes(gain, -1, -2)
    return UpdateResult(x=x_new, P=symmetrise(P_new), innovation=v, S=S)
