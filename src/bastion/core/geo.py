"""Frames: WGS-84 at the edges, local ENU metres about the site origin inside.

All angles are radians. Conversions go through pymap3d; functions accept scalars or numpy arrays.
Sensor-frame helpers (`enu2aer`/`aer2enu`) work about a sensor position given in site ENU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymap3d
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """A defended site: its WGS-84 origin (lat/lon in radians, height above the ellipsoid in metres)."""

    name: str
    lat_rad: float
    lon_rad: float
    alt_m: float = 0.0

    def geodetic2enu(
        self, lat_rad: FloatArray | float, lon_rad: FloatArray | float, alt_m: FloatArray | float
    ) -> FloatArray:
        """WGS-84 (rad, rad, m) to site ENU metres; returns shape (..., 3)."""
        e, n, u = pymap3d.geodetic2enu(
            lat_rad, lon_rad, alt_m, self.lat_rad, self.lon_rad, self.alt_m, deg=False
        )
        return np.stack(np.broadcast_arrays(e, n, u), axis=-1).astype(np.float64)

    def enu2geodetic(self, enu_m: FloatArray) -> FloatArray:
        """Site ENU metres (..., 3) to WGS-84 (lat_rad, lon_rad, alt_m) as shape (..., 3)."""
        enu = np.asarray(enu_m, dtype=np.float64)
        lat, lon, alt = pymap3d.enu2geodetic(
            enu[..., 0], enu[..., 1], enu[..., 2], self.lat_rad, self.lon_rad, self.alt_m, deg=False
        )
        return np.stack(np.broadcast_arrays(lat, lon, alt), axis=-1).astype(np.float64)


def enu2aer(enu_m: FloatArray, sensor_enu_m: FloatArray) -> FloatArray:
    """Site ENU (..., 3) to (range_m, az_rad, el_rad) about a sensor at `sensor_enu_m` (3,).

    Azimuth is clockwise from north in [0, 2*pi); elevation is above the sensor's local horizontal
    (flat-earth about the site, adequate inside a few tens of kilometres).
    """
    d = np.asarray(enu_m, dtype=np.float64) - np.asarray(sensor_enu_m, dtype=np.float64)
    ground = np.hypot(d[..., 0], d[..., 1])
    rng = np.sqrt(ground**2 + d[..., 2] ** 2)
    az = np.mod(np.arctan2(d[..., 0], d[..., 1]), 2.0 * np.pi)
    el = np.arctan2(d[..., 2], ground)
    return np.stack([rng, az, el], axis=-1)


def aer2enu(aer: FloatArray, sensor_enu_m: FloatArray) -> FloatArray:
    """(range_m, az_rad, el_rad) (..., 3) about a sensor at `sensor_enu_m` (3,) to site ENU (..., 3)."""
    a = np.asarray(aer, dtype=np.float64)
    r, az, el = a[..., 0], a[..., 1], a[..., 2]
    ce = np.cos(el)
    rel = np.stack([r * ce * np.sin(az), r * ce * np.cos(az), r * np.sin(el)], axis=-1)
    return rel + np.asarray(sensor_enu_m, dtype=np.float64)


def wrap_pi(angle_rad: FloatArray) -> FloatArray:
    """Wrap angles to [-pi, pi)."""
    return np.mod(np.asarray(angle_rad) + np.pi, 2.0 * np.pi) - np.pi
