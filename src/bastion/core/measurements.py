"""Sensor inputs as they enter the pipeline: one look's detections or bearings as arrays, and
self-reported (ADS-B, Remote ID) positions.

Frozen, slotted and keyword-only, like every record; every physical field carries its unit in its
name. Positions are site ENU metres, angles radians (azimuth clockwise from north), times run-clock
seconds (`t_s`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Vec3 = tuple[float, float, float]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class DetectionBatch:
    """All detections of one sensor look (scan), as arrays of length M.

    `sensor_enu_m` is the sensor's position in site ENU; measurements are about it: `range_m`,
    `az_rad` (clockwise from north), `el_rad`, `range_rate_mps` (positive receding), `rcs_m2`
    (the sensor's estimate). `sigma_*` give the 1-sigma measurement noise of this sensor. `truth_id`
    is for simulation scoring only (-1 for clutter); the pipeline never reads it.

    Micro-Doppler, for sensors that measure it (both arrays empty otherwise): `md_rate_hz` is the
    modulation rate of the micro-Doppler line found in each detection's Doppler spectrum, Hz (rotor
    blade flash, propeller, jet engine or wing beat), NaN where no line was found; `md_ratio_db` is
    that line's power relative to the body echo, dB (NaN likewise).

    Coverage, so that a tracker fusing several sensors counts a miss only against the sensors that
    could have seen a track: `max_range_m` (m), the elevation band `min_el_rad`..`max_el_rad` and
    the azimuth sector from `sector_start_az_rad` clockwise over `sector_extent_rad` the look
    covered (defaults: everything; a sector lets a rotating radar send each sector as it is swept).
    A detection beyond `max_range_m` is rejected as bad input.
    `frame` names the coordinate frame of the measurements; ``"sensor_polar"`` (range, azimuth,
    elevation about `sensor_enu_m`) is the only one a tracker accepts.
    """

    sensor_id: str
    t_s: float
    sensor_enu_m: FloatArray
    range_m: FloatArray
    az_rad: FloatArray
    el_rad: FloatArray
    range_rate_mps: FloatArray
    rcs_m2: FloatArray
    sigma_range_m: float
    sigma_az_rad: float
    sigma_el_rad: float
    sigma_range_rate_mps: float
    truth_id: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    md_rate_hz: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    md_ratio_db: FloatArray = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    max_range_m: float = math.inf
    min_el_rad: float = -math.pi / 2.0
    max_el_rad: float = math.pi / 2.0
    sector_start_az_rad: float = 0.0
    sector_extent_rad: float = 2.0 * math.pi
    frame: str = "sensor_polar"

    def __len__(self) -> int:
        return int(self.range_m.shape[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class BearingBatch:
    """One look of a passive direction finder (e.g. an RF detector locating a drone's control
    link), as arrays of length M: `az_rad` (clockwise from north) and `el_rad` (above the
    sensor's horizontal; NaN where the finder measures azimuth only) about `sensor_enu_m` (site
    ENU), with 1-sigma errors `sigma_az_rad`, `sigma_el_rad`. No range: a bearing refines a track,
    it never starts one."""

    sensor_id: str
    t_s: float
    sensor_enu_m: FloatArray
    az_rad: FloatArray
    el_rad: FloatArray
    sigma_az_rad: float
    sigma_el_rad: float

    def __len__(self) -> int:
        return int(self.az_rad.shape[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class CooperativeReport:
    """A self-reported position (ADS-B or Remote ID), already converted to site ENU.

    `flags` name what the decoder could not vouch for (e.g. ``position_jump``: the reported position
    moved faster than physics allows since the last one; ``velocity_unknown``: the velocity is zeros,
    not measured); an empty tuple means nothing was flagged. Position and velocity are always
    finite. Self-reported data is never proof of identity. `position_sigma_m` is the position
    accuracy the source declares (1 sigma per axis, metres), NaN where it is not known.
    """

    source: str  # "adsb" | "remote_id"
    ident: str  # ICAO address (hex) or Remote ID serial
    callsign: str
    t_s: float
    position_m: Vec3
    velocity_mps: Vec3
    flags: tuple[str, ...] = ()
    position_sigma_m: float = math.nan
