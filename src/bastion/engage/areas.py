"""Areas on the ground the engagement planner reasons about: defended assets and no-fire zones.

`AssetMap` says which defended zone a predicted path threatens and by when an intercept must happen:
- a ballistic path threatens the zone (of highest `value`) whose outline, grown by `buffer_m`, holds
  its impact point; the deadline is the impact;
- an air-breathing path threatens the first zone whose grown outline its ground track enters; the
  deadline is that entry (a drone flying over one zone toward another is stopped over the first);
- a path that threatens no zone this way is given the highest zone value (when unsure where a threat
  goes, assume the worst) and its end (impact, or never) as the deadline.

`NoFireMap` says where an intercept would put a predicted miss or debris inside a no-fire zone (a
town, a hospital): debris falls within the effector's `debris_radius_m` of the intercept's ground
point (not for a jammer: nothing breaks up); a missed shot comes down on the line of fire at the
effector's `miss_range_m` (checked at that point and halfway from the intercept to it).

Both test many points at once: a numpy bounding-box test first, then shapely's vectorised
`contains_xy` on the few points inside the box. Positions are site ENU metres.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import NDArray

from bastion.core.engage_params import EffectorKind, EffectorParams, NoFireZoneParams
from bastion.core.params import ZoneParams
from bastion.engage.paths import Paths

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _contains(geom: shapely.Geometry, east: FloatArray, north: FloatArray) -> BoolArray:
    """Points (any shape) inside `geom` (prepared), with a bounding-box pre-filter."""
    out = np.zeros(east.shape, dtype=bool)
    if geom.is_empty:
        return out
    w, s, e, n = geom.bounds
    box = (east >= w) & (east <= e) & (north >= s) & (north <= n)
    if box.any():
        out[box] = shapely.contains_xy(geom, east[box], north[box])
    return out


class AssetMap:
    """The defended zones, each grown by `buffer_m` (m), and their values."""

    def __init__(self, zones: Sequence[ZoneParams], buffer_m: float) -> None:
        self.zones = tuple(zones)
        self.values = np.array([z.value for z in self.zones], dtype=np.float64)
        self.fallback_value = float(self.values.max()) if self.values.size else 1.0
        self._geoms = [shapely.Polygon(z.polygon_m).buffer(buffer_m) for z in self.zones]
        for g in self._geoms:
            shapely.prepare(g)

    def reach(
        self, paths: Paths, ballistic: BoolArray
    ) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
        """Per path: value at risk, deadline (s from now) and zone index (-1: none).

        `ballistic` (N,) marks the paths judged by their impact point.
        """
        n = len(paths)
        t = paths.t_s
        last = paths.alive.shape[1] - 1 - np.argmax(paths.alive[:, ::-1], axis=1)
        end_t = np.where(paths.alive[:, -1], np.inf, t[last])  # alive at the horizon: no end
        value = np.full(n, self.fallback_value)
        deadline = end_t.copy()
        zone = np.full(n, -1, dtype=np.int64)
        east, north = paths.pos_m[:, :, 0], paths.pos_m[:, :, 1]
        rows = np.arange(n)
        impact_e, impact_n = east[rows, last], north[rows, last]
        lands = ballistic & ~paths.alive[:, -1]
        first_entry = np.full(n, np.inf)
        for j, geom in enumerate(self._geoms):
            inside = _contains(geom, east, north) & paths.alive
            hit = inside.any(axis=1)
            t_first = np.where(hit, t[inside.argmax(axis=1)], np.inf)
            air = ~ballistic & (t_first < first_entry)
            on_impact = lands & _contains(geom, impact_e, impact_n)
            on_impact &= (zone < 0) | (self.values[j] > value)
            take = air | on_impact
            first_entry = np.where(air, t_first, first_entry)
            value = np.where(take, self.values[j], value)
            deadline = np.where(air, t_first, deadline)
            zone = np.where(take, j, zone)
        return value, deadline, zone


class NoFireMap:
    """No-fire zones, and where an effector's predicted miss or debris would fall in one."""

    def __init__(self, zones: Sequence[NoFireZoneParams]) -> None:
        self.zones = tuple(zones)
        polys = [shapely.Polygon(z.polygon_m) for z in self.zones]
        self._union = shapely.union_all(polys) if polys else shapely.Polygon()
        shapely.prepare(self._union)
        self._grown: dict[float, shapely.Geometry] = {}

    def _within(self, radius_m: float) -> shapely.Geometry:
        if radius_m <= 0.0:
            return self._union
        if radius_m not in self._grown:
            grown = self._union.buffer(radius_m)
            shapely.prepare(grown)
            self._grown[radius_m] = grown
        return self._grown[radius_m]

    def violates(self, eff: EffectorParams, pos_m: FloatArray) -> BoolArray:
        """Where an intercept by `eff` at points `pos_m` (..., 3) puts miss or debris in a zone."""
        bad = np.zeros(pos_m.shape[:-1], dtype=bool)
        if not self.zones:
            return bad
        east, north = pos_m[..., 0], pos_m[..., 1]
        if eff.kind is not EffectorKind.JAMMER:
            bad |= _contains(self._within(eff.debris_radius_m), east, north)
        if eff.miss_range_m > 0.0:
            de, dn = east - eff.position_m[0], north - eff.position_m[1]
            dist = np.maximum(np.hypot(de, dn), 1e-9)
            reach = np.maximum(eff.miss_range_m, dist)
            me = eff.position_m[0] + de / dist * reach
            mn = eff.position_m[1] + dn / dist * reach
            bad |= _contains(self._union, me, mn)
            bad |= _contains(self._union, 0.5 * (east + me), 0.5 * (north + mn))
        return bad

    def zone_hit(self, eff: EffectorParams, point_m: FloatArray) -> str:
        """Name of a no-fire zone an intercept by `eff` at `point_m` (3,) would hit ("" if none)."""
        if not self.violates(eff, point_m[None, :])[0]:
            return ""
        for z in self.zones:
            if NoFireMap([z]).violates(eff, point_m[None, :])[0]:
                return z.name
        return self.zones[0].name  # only overlapping zones together: name the first
