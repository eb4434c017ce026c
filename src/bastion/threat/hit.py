"""Probability that a round lands within the lethal radius of each zone, from its impact estimate.

For B predicted impacts (mean and 2x2 covariance of (east, north), site ENU m, from the unscented
transform in `uncertainty.py`) and Z zones, the hit probability is the mass of the impact
distribution inside the zone grown by the lethal radius (`shapely.buffer`): the chance that the
true impact is within `lethal_radius_m` of the zone, which is the evaluation's "zone at risk".

The distribution is a Gaussian N(mean, s^2 cov). `sigma_scale` s widens (s > 1) or narrows it; the
threat stage uses s = 1: on the tuning runs (benchmarks/results/warn-tuning.md) s = 0.7 and 1.3 only
moved along the same warning-time / precision trade-off, and the unscented covariance proved
consistent (the true impact's squared Mahalanobis distance averages about 2); zones given 10-50%
were hit more often than that because half the rounds were aimed inside a zone.
The integral is a fixed equal-weight quadrature: `n` points of the standard 2-D normal built from a
Fibonacci (golden-ratio) lattice on the unit square, ``u_i = ((i + 1/2) / n, frac(i / phi))`` (a
rank-1 lattice rule: Niederreiter 1992, "Random Number Generation and Quasi-Monte Carlo Methods",
ch. 5; Sloan & Joe 1994, "Lattice Methods for Multiple Integration"), mapped to the plane by the
Box-Muller transform (Box & Muller 1958), ``r = sqrt(-2 ln(1 - u_1))``, ``a = 2 pi u_2``. Each
threat's points are ``mean + s R p`` (R a square-root factor of the covariance, from its
eigen-decomposition), tested against every grown zone with shapely 2's vectorised `contains_xy`,
after a cheap bounding-box cut in numpy. With the default 1,024 points the error is below 0.01
against a 100,000-draw Monte Carlo for the geometries in tests/threat/test_hit.py (about 0.004
typical) and below 0.006 against the exact noncentral chi-square integral for a circle and an
isotropic covariance; 1,024 random draws would give a standard error up to 0.016.

Why not exact: zones are general polygons and the grown zone has rounded corners, for which no
closed form exists (a circle would have the noncentral chi-square / Rice integral only for an
isotropic covariance). Why not random Monte Carlo: the stage is pure and its event log must be
reproducible; a fixed lattice needs no generator and converges faster.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
GOLDEN = (1.0 + math.sqrt(5.0)) / 2.0


def normal_lattice(n: int) -> FloatArray:
    """`n` equal-weight points (n, 2) of the standard 2-D normal distribution (Fibonacci lattice
    mapped by the inverse Box-Muller transform); their mean is 0 and their covariance close to I."""
    i = np.arange(n, dtype=np.float64)
    u1 = (i + 0.5) / n
    u2 = np.mod(i / GOLDEN, 1.0)
    r = np.sqrt(-2.0 * np.log1p(-u1))
    a = 2.0 * np.pi * u2
    return np.stack([r * np.cos(a), r * np.sin(a)], axis=1)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class HitZones:
    """Zones grown by the lethal radius, prepared for `hit_probability`.

    `grown` the Z grown polygons (site ENU east, north m), `bounds_m` (Z, 4) their (min east, min
    north, max east, max north), `unit` the (n, 2) standard-normal lattice."""

    grown: tuple[shapely.Polygon, ...]
    bounds_m: FloatArray
    unit: FloatArray

    @classmethod
    def build(
        cls, polygons: Sequence[shapely.Polygon], lethal_radius_m: float, n_points: int = 1024
    ) -> HitZones:
        """Grow `polygons` (site ENU m) by `lethal_radius_m` (m, >= 0; 16 segments per quarter
        circle) and build an `n_points` lattice."""
        grown = tuple(
            shapely.buffer(p, lethal_radius_m, quad_segs=16) if lethal_radius_m > 0 else p
            for p in polygons
        )
        for g in grown:
            shapely.prepare(g)
        bounds = (
            np.array([g.bounds for g in grown], dtype=np.float64).reshape(-1, 4)
            if grown
            else np.zeros((0, 4))
        )
        return cls(grown=grown, bounds_m=bounds, unit=normal_lattice(n_points))


def hit_probability(
    zones: HitZones, mean_en_m: FloatArray, cov_en_m2: FloatArray, sigma_scale: float = 1.0
) -> FloatArray:
    """Probability (B, Z) that each of B impacts lands inside each grown zone.

    `mean_en_m` (B, 2) impact means and `cov_en_m2` (B, 2, 2) their covariances, site ENU (east,
    north) m; the distribution is N(mean, sigma_scale^2 cov). Rows with a non-finite mean or
    covariance give probability 0.
    """
    b, z = mean_en_m.shape[0], len(zones.grown)
    out = np.zeros((b, z))
    if b == 0 or z == 0:
        return out
    good = np.asarray(np.isfinite(mean_en_m).all(axis=1) & np.isfinite(cov_en_m2).all(axis=(1, 2)))
    w, v = np.linalg.eigh(np.where(good[:, None, None], cov_en_m2, 0.0))
    root = v * (sigma_scale * np.sqrt(np.clip(w, 0.0, None)))[:, None, :]  # root @ root.T = s^2 P
    n = zones.unit.shape[0]
    u0, u1 = zones.unit[None, :, 0], zones.unit[None, :, 1]
    mean = np.where(good[:, None], mean_en_m, np.nan)
    east = (mean[:, 0:1] + root[:, 0, 0:1] * u0 + root[:, 0, 1:2] * u1).ravel()
    north = (mean[:, 1:2] + root[:, 1, 0:1] * u0 + root[:, 1, 1:2] * u1).ravel()
    row = np.repeat(np.arange(b), n)
    for j, (g, (e0, n0, e1, n1)) in enumerate(zip(zones.grown, zones.bounds_m, strict=True)):
        box = np.flatnonzero((east >= e0) & (east <= e1) & (north >= n0) & (north <= n1))
        if box.size == 0:
            continue
        inside = box[shapely.contains_xy(g, east[box], north[box])]
        out[:, j] = np.bincount(row[inside], minlength=b) / n
    return out
