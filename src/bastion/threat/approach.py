"""Closest approach of predicted paths to defended zones, vectorised over tracks, samples and zones.

Each track's path is sampled every `step_s` over `horizon_s` (straight-line extrapolation for air
breathers; ballistic propagation for rockets lives in `impact.py`). The plan-view (east, north) distance
from every sample to every zone polygon comes from shapely's vectorised `distance`; a path that descends
below ground stops there. The result is, per track and zone, the closest-approach distance and the time
at which it happens.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from bastion.core.params import ZoneParams

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Approach:
    """Closest approach per track (rows) and zone (columns): distance (m) and time from now (s)."""

    cpa_m: FloatArray
    t_cpa_s: FloatArray


def zone_geometries(zones: Sequence[ZoneParams]) -> list[shapely.Polygon]:
    """Shapely polygons of the zones in site ENU (east_m, north_m), prepared for repeated queries."""
    polys = [shapely.Polygon(z.polygon_m) for z in zones]
    for p in polys:
        shapely.prepare(p)
    return polys


def closest_approach(
    x: FloatArray, polygons: Sequence[shapely.Polygon], horizon_s: float, step_s: float
) -> Approach:
    """Closest approach of straight-line paths from states `x` (N, 6) to each polygon.

    Distances are in the horizontal plane; samples after the path reaches the ground (u <= 0) are
    ignored, except the ground point itself.
    """
    n, z = x.shape[0], len(polygons)
    if n == 0 or z == 0:
        return Approach(cpa_m=np.zeros((n, z)), t_cpa_s=np.zeros((n, z)))
    t = np.arange(0.0, horizon_s + 0.5 * step_s, step_s)
    pos = x[:, None, :3] + x[:, None, 3:] * t[None, :, None]  # (N, T, 3)
    below = pos[:, :, 2] <= 0.0
    # First sample at or below ground: clamp the path there.
    first_below = np.where(below.any(axis=1), below.argmax(axis=1), t.size - 1)
    valid = np.arange(t.size)[None, :] <= first_below[:, None]
    pts = shapely.points(pos[:, :, 0].ravel(), pos[:, :, 1].ravel())
    cpa = np.empty((n, z))
    tc = np.empty((n, z))
    for j, poly in enumerate(polygons):
        d = shapely.distance(poly, pts).reshape(n, t.size)
        d = np.where(valid, d, np.inf)
        k = d.argmin(axis=1)
        cpa[:, j] = d[np.arange(n), k]
        tc[:, j] = t[k]
    return Approach(cpa_m=cpa, t_cpa_s=tc)


def point_zone_distance(points_en_m: FloatArray, polygons: Sequence[shapely.Polygon]) -> FloatArray:
    """Horizontal distance (m) from N points (N, 2) to each polygon: (N, Z); 0 inside."""
    pts = shapely.points(points_en_m[:, 0], points_en_m[:, 1])
    if len(polygons) == 0:
        return np.zeros((points_en_m.shape[0], 0))
    return np.stack([shapely.distance(p, pts) for p in polygons], axis=1)
