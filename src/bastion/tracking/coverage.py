"""Sensor coverage: which tracks a sensor's look could have seen, so that only those are charged a miss.

A look (`DetectionBatch`) covers the ball of `max_range_m` about its sensor, within an elevation band
and an azimuth sector (a rotating radar may send each sector as it is swept).
With several sensors of different reach, a track seen by one and outside another must not lose a scan
to the other's empty looks; but a track that has left every live sensor's coverage must still die,
so such a track is charged by every look.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Coverage:
    """Where a sensor can see: within `max_range_m` of `sensor_enu_m`, elevations in a band."""

    sensor_enu_m: FloatArray
    max_range_m: float
    min_el_rad: float
    max_el_rad: float
    sector_start_az_rad: float = 0.0
    sector_extent_rad: float = 2.0 * np.pi

    @staticmethod
    def of(batch: DetectionBatch) -> Coverage:
        pos = np.asarray(batch.sensor_enu_m, dtype=np.float64).copy()
        return Coverage(
            pos,
            batch.max_range_m,
            batch.min_el_rad,
            batch.max_el_rad,
            batch.sector_start_az_rad,
            batch.sector_extent_rad,
        )

    def full_circle(self) -> bool:
        return bool(self.sector_extent_rad >= 2.0 * np.pi)

    def rotation(self) -> Coverage:
        """What the sensor covers over a whole rotation: this coverage with every azimuth."""
        if self.full_circle():
            return self
        return Coverage(self.sensor_enu_m, self.max_range_m, self.min_el_rad, self.max_el_rad)

    def everywhere(self) -> bool:
        full_el = self.min_el_rad <= -np.pi / 2 and self.max_el_rad >= np.pi / 2
        return full_el and not np.isfinite(self.max_range_m) and self.full_circle()

    def contains(self, x: FloatArray) -> BoolArray:
        """Rows whose position `x[:, :3]` (site ENU, m) lies inside, (N,)."""
        d = x[:, :3] - self.sensor_enu_m
        inside: BoolArray = np.einsum("ij,ij->i", d, d) <= self.max_range_m * self.max_range_m
        if self.min_el_rad > -np.pi / 2 or self.max_el_rad < np.pi / 2:
            el = np.arctan2(d[:, 2], np.sqrt(d[:, 0] * d[:, 0] + d[:, 1] * d[:, 1]))
            inside &= (el >= self.min_el_rad) & (el <= self.max_el_rad)
        if not self.full_circle():
            az = np.arctan2(d[:, 0], d[:, 1])  # clockwise from north
            inside &= np.mod(az - self.sector_start_az_rad, 2.0 * np.pi) <= self.sector_extent_rad
        return inside


class Sensors:
    """The sensors heard from lately, with their coverage, so that a track is charged a miss by a
    look that could see it, or by any look when no live sensor reaches it over a whole rotation
    (a track that has left all coverage still dies; a track in another sector of the same radar
    waits for its sector). A sensor is live until three of its own revisit intervals (at least
    1 s) pass without a batch from it."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Coverage, float, float]] = {}

    def scanned(self, x: FloatArray, batch: DetectionBatch) -> BoolArray | None:
        """Rows (N,) the batch's sensor is charged for; None: all of them."""
        t_s, cov = float(batch.t_s), Coverage.of(batch)
        _, last, _ = self._seen.get(batch.sensor_id, (cov, -np.inf, np.inf))
        if t_s > last:  # a replayed (older) batch leaves the record as it is
            self._seen[batch.sensor_id] = (cov, t_s, t_s - last)
        if cov.everywhere():
            return None
        inside = cov.contains(x)
        if bool(inside.all()):
            return None
        reach = np.zeros(x.shape[0], dtype=bool)
        for sid, (seen, t_last, interval) in self._seen.items():
            live = t_s - t_last <= max(3.0 * interval, 1.0) if np.isfinite(interval) else True
            if sid == batch.sensor_id or live:
                rotation = seen.rotation()
                if rotation.everywhere():
                    return inside
                reach |= rotation.contains(x)
        out: BoolArray = inside | ~reach
        return out
