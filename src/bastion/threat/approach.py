"""Closest approach of predicted paths to defended zones, vectorised over tracks, samples and zones.

Each track's path is its straight-line extrapolation over `horizon_s` (air breathers; ballistic
propagation for rockets lives in `ballistic.py`), a plan-view (east, north) segment that stops where a
descending path reaches the ground. Segment-to-polygon distances come from shapely's vectorised
`distance` over all tracks and zones at once (no sampling). The result is, per track and zone, the
closest-approach distance and the time at which it happens.
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
    """Closest approach per track (rows) and zone (columns): distance (m), time from now (s), and
    whether the nearest point is the end of a path cut at the horizon (`closing`: the track would
    come nearer after the horizon, so `t_cpa_s` is the horizon, not the time of closest approach)."""

    cpa_m: FloatArray
    t_cpa_s: FloatArray
    closing: NDArray[np.bool_]


def zone_geometries(zones: Sequence[ZoneParams]) -> list[shapely.Polygon]:
    """Shapely polygons of the zones in site ENU (east_m, north_m), prepared for repeated queries."""
    polys = [shapely.Polygon(z.polygon_m) for z in zones]
    for p in polys:
        shapely.prepare(p)
    return polys


def closest_approach(
    x: FloatArray, polygons: Sequence[shapely.Polygon], horizon_s: float, step_s: float = 1.0
) -> Approach:
    """Closest approach of straight-line paths from states `x` (N, 6) to each polygon.

    Each path is the horizontal segment from the present position to where it will be after
    `horizon_s`, or where it reaches the ground (u = 0) if it descends earlier. Distances come from
    shapely's vectorised segment-to-polygon `distance`; the time is where the segment point nearest
    the polygon lies along it, or, for a path that enters the polygon, its entry point. Exact, so
    `step_s` (kept for callers that sampled paths) no longer matters.
    """
    del step_s
    n, z = x.shape[0], len(polygons)
    if n == 0 or z == 0:
        return Approach(
            cpa_m=np.zeros((n, z)), t_cpa_s=np.zeros((n, z)), closing=np.zeros((n, z), dtype=bool)
        )
    vz = x[:, 5]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_ground = np.where(vz < 0.0, np.maximum(x[:, 2], 0.0) / -vz, np.inf)
    t_end = np.minimum(horizon_s, t_ground)
    start = x[:, :2]
    end = start + x[:, 3:5] * t_end[:, None]
    length = np.hypot(*(end - start).T)
    lines = shapely.linestrings(np.stack([start, end], axis=1))
    polys = np.asarray(polygons, dtype=object)[None, :]
    cpa = shapely.distance(lines[:, None], polys)
    near = shapely.get_point(shapely.shortest_line(lines[:, None], polys), 0)
    along = shapely.line_locate_point(np.repeat(lines[:, None], z, axis=1), near)
    inside = cpa <= 0.0
    if inside.any():
        r, c = np.nonzero(inside)
        cross = shapely.intersection(lines[r], polys[0, c])
        entry = shapely.get_point(shapely.shortest_line(shapely.points(start[r]), cross), 1)
        along[r, c] = shapely.line_locate_point(lines[r], entry)
    frac = np.divide(along, length[:, None], out=np.zeros((n, z)), where=length[:, None] > 0.0)
    t_cpa = np.nan_to_num(frac * np.where(np.isfinite(t_end), t_end, 0.0)[:, None])
    cut = (t_ground > horizon_s) & (length > 0.0)  # the path ends at the horizon, in the air
    closing = cut[:, None] & ~inside & (frac >= 1.0 - 1e-9)
    return Approach(cpa_m=np.asarray(cpa, dtype=np.float64), t_cpa_s=t_cpa, closing=closing)


def point_zone_distance(points_en_m: FloatArray, polygons: Sequence[shapely.Polygon]) -> FloatArray:
    """Horizontal distance (m) from N points (N, 2) to each polygon: (N, Z); 0 inside."""
    pts = shapely.points(points_en_m[:, 0], points_en_m[:, 1])
    if len(polygons) == 0:
        return np.zeros((points_en_m.shape[0], 0))
    return np.stack([shapely.distance(p, pts) for p in polygons], axis=1)
