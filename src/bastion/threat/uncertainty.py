"""Impact and origin ellipses: the fit's covariance carried to the ground by the unscented transform.

For each of B fitted tracks the 7 unknowns [position, velocity, drag factor] and their covariance
give 2 n + 1 = 15 sigma points (Julier's symmetric set with kappa = 0: the mean with weight 0 and
``mean +- sqrt(n) L e_i`` with weight 1 / (2 n), L the Cholesky factor), so mean and covariance are
matched exactly and the cloud reaches 2.65 sigma along every axis. A negative drag factor is
unphysical and is clipped to 0. All 15 B points fly to the ground in one batch (`fly_to_ground`):
forward for the impact point, backward for the point of origin. The weighted mean and covariance of
the ground points (east, north) and of the times give the estimate, its 2x2 covariance and the time
sigma; the ellipse holding probability `confidence` of a Gaussian has semi-axes
``sqrt(chi2_2(confidence) * eigenvalues)``, with ``chi2_2(p) = -2 ln(1 - p)``.

Why an unscented transform rather than Monte Carlo: 15 deterministic points per track cost one
batched integration and need no random generator, which keeps the stage pure and the event log
reproducible; the map from launch state to ground point is smooth, which is where it shines.
Filterpy's sigma-point classes would add a dependency for ten lines of numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.threat.flight import fly_to_ground
from bastion.threat.terrain import Ground

FloatArray = NDArray[np.float64]
N_STATE = 7
N_SIGMA = 2 * N_STATE + 1


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class GroundEstimates:
    """B ground-point estimates: mean point (B, 3) site ENU m, covariance of (east, north) (B, 2, 2)
    m^2, time from the fit's epoch to the point (B,) s (negative backward), its sigma (B,) s.

    NaN rows where the mean or some sigma point never met the ground."""

    point_m: FloatArray
    cov_en_m2: FloatArray
    dt_s: FloatArray
    sigma_t_s: FloatArray


def sigma_points(mean: FloatArray, cov: FloatArray) -> FloatArray:
    """Symmetric sigma points (B, 15, 7) of B means (B, 7) and covariances (B, 7, 7)."""
    n = mean.shape[1]
    c = 0.5 * (cov + np.swapaxes(cov, 1, 2))
    try:
        root = np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(c)
        root = v * np.sqrt(np.clip(w, 0.0, None))[:, None, :]
    spread = math.sqrt(n) * np.swapaxes(root, 1, 2)  # rows: sqrt(n) L e_i
    pts = np.repeat(mean[:, None, :], 2 * n + 1, axis=1)
    pts[:, 1 : n + 1] += spread
    pts[:, n + 1 :] -= spread
    return pts


def to_ground(
    mean: FloatArray,
    cov: FloatArray,
    site_alt_m: float,
    ground: Ground,
    *,
    backward: bool = False,
    dt_s: float = 3.0,
    max_t_s: float = 300.0,
) -> GroundEstimates:
    """Unscented transform of B states [position, velocity, drag] (B, 7) with covariance (B, 7, 7)
    to the ground, forward (impact) or backward (origin)."""
    b = mean.shape[0]
    pts = sigma_points(mean, cov).reshape(b * N_SIGMA, N_STATE)
    k = np.maximum(pts[:, 6], 0.0)
    where, t = fly_to_ground(
        pts[:, :3],
        pts[:, 3:6],
        k,
        site_alt_m,
        ground,
        backward=backward,
        dt_s=dt_s,
        max_t_s=max_t_s,
    )
    where = where.reshape(b, N_SIGMA, 3)
    t = t.reshape(b, N_SIGMA) * (-1.0 if backward else 1.0)
    w = np.full(N_SIGMA, 1.0 / (2 * N_STATE))
    w[0] = 0.0
    point = np.einsum("s,bsi->bi", w, where)
    d = where[:, :, :2] - point[:, None, :2]
    cov_en = np.einsum("s,bsi,bsj->bij", w, d, d)
    t_mean = t @ w
    sigma_t = np.sqrt(np.einsum("s,bs->b", w, (t - t_mean[:, None]) ** 2))
    return GroundEstimates(point_m=point, cov_en_m2=cov_en, dt_s=t_mean, sigma_t_s=sigma_t)


def chi2_2dof(confidence: float) -> float:
    """Squared Mahalanobis radius of the 2-D Gaussian ellipse holding `confidence` (0 < p < 1)."""
    return -2.0 * math.log1p(-confidence)


def ellipse_axes(
    cov_en_m2: FloatArray, confidence: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Semi-major and semi-minor axes (m) and the major axis's heading (rad, clockwise from north,
    in [0, pi)) of the `confidence` ellipses of B covariances (B, 2, 2) in (east, north)."""
    w, v = np.linalg.eigh(cov_en_m2)
    scale = chi2_2dof(confidence)
    major = np.sqrt(np.clip(w[:, 1], 0.0, None) * scale)
    minor = np.sqrt(np.clip(w[:, 0], 0.0, None) * scale)
    heading = np.mod(np.arctan2(v[:, 0, 1], v[:, 1, 1]), np.pi)
    return major, minor, heading


def ellipse_outline(
    centre_en_m: FloatArray,
    major_m: FloatArray,
    minor_m: FloatArray,
    heading_rad: FloatArray,
    n_vertices: int = 32,
) -> FloatArray:
    """Polygons (B, n_vertices, 2) (east, north) m circumscribing B ellipses: each vertex is pushed
    out by 1 / cos(pi / n) so that the polygon contains the whole ellipse."""
    a = np.linspace(0.0, 2.0 * np.pi, n_vertices, endpoint=False)
    grow = 1.0 / math.cos(math.pi / n_vertices)
    u = major_m[:, None] * np.cos(a)[None] * grow  # along the major axis
    w = minor_m[:, None] * np.sin(a)[None] * grow
    sh, ch = np.sin(heading_rad)[:, None], np.cos(heading_rad)[:, None]
    east = centre_en_m[:, 0:1] + u * sh + w * ch
    north = centre_en_m[:, 1:2] + u * ch - w * sh
    return np.stack([east, north], axis=-1)
