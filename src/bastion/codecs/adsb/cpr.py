"""Compact Position Reporting (DO-260B §A.1.7): positions from CPR halves, through pyModeS.

A position message carries 17-bit latitude/longitude fractions of a zone: even frames use 60 (airborne
360 degrees, surface 90 degrees) latitude zones, odd frames 59. Two frames of opposite format decode
globally if the aircraft stayed in one longitude-zone band between them (the caller enforces the time
limit, e.g. 10 s); one frame decodes locally against a reference within 180 NM (airborne) or
45 NM (surface, which also needs the reference to pick the quadrant). Angles here are radians.
"""

from __future__ import annotations

import math

from bastion.codecs.adsb._pymodes import pymodes_position
from bastion.codecs.adsb.messages import AirbornePosition, SurfacePosition

__all__ = ["airborne_pair", "airborne_with_reference", "surface_pair", "surface_with_reference"]

LatLon = tuple[float, float]
"""(lat_rad, lon_rad), WGS-84."""


def _rad(pos: tuple[float, float] | None) -> LatLon | None:
    return None if pos is None else (math.radians(pos[0]), math.radians(pos[1]))


def airborne_pair(
    even: AirbornePosition, odd: AirbornePosition, *, even_is_newer: bool
) -> LatLon | None:
    """Global decode of an even/odd airborne pair; the newer frame's position, None if the
    two frames fall in different longitude-zone bands (NL) or the result is impossible."""
    pos = pymodes_position().airborne_position_pair(
        even.cpr_lat, even.cpr_lon, odd.cpr_lat, odd.cpr_lon, even_is_newer=even_is_newer
    )
    return _rad(pos)


def surface_pair(
    even: SurfacePosition,
    odd: SurfacePosition,
    *,
    ref_lat_rad: float,
    ref_lon_rad: float,
    even_is_newer: bool,
) -> LatLon | None:
    """Global decode of an even/odd surface pair, the quadrant chosen by the reference (rad)."""
    pos = pymodes_position().surface_position_pair(
        even.cpr_lat,
        even.cpr_lon,
        odd.cpr_lat,
        odd.cpr_lon,
        lat_ref=math.degrees(ref_lat_rad),
        lon_ref=math.degrees(ref_lon_rad),
        even_is_newer=even_is_newer,
    )
    return _rad(pos)


def airborne_with_reference(
    msg: AirbornePosition, ref_lat_rad: float, ref_lon_rad: float
) -> LatLon:
    """Local decode of one airborne frame against a reference within 180 NM (rad)."""
    lat, lon = pymodes_position().airborne_position_with_ref(
        int(msg.cpr_odd),
        msg.cpr_lat,
        msg.cpr_lon,
        math.degrees(ref_lat_rad),
        math.degrees(ref_lon_rad),
    )
    return math.radians(lat), math.radians(lon)


def surface_with_reference(msg: SurfacePosition, ref_lat_rad: float, ref_lon_rad: float) -> LatLon:
    """Local decode of one surface frame against a reference within 45 NM (rad)."""
    lat, lon = pymodes_position().surface_position_with_ref(
        int(msg.cpr_odd),
        msg.cpr_lat,
        msg.cpr_lon,
        math.degrees(ref_lat_rad),
        math.degrees(ref_lon_rad),
    )
    return math.radians(lat), math.radians(lon)
