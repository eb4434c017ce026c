"""SAPIENT v2.0 report contents -> Bastion records (positions in site ENU, times on the run clock).

DetectionReport geometry, either of::

    location      { x, y, z, x_error, y_error, z_error, coordinate_system, datum, utm_zone }
    range_bearing { range, azimuth, elevation, *_error, coordinate_system, datum }

Locations in `LAT_LNG_DEG_M` or `LAT_LNG_RAD_M` (x = longitude, y = latitude, z = height in
metres; datum WGS84_E ellipsoid heights, WGS84_G geoid heights taken as ellipsoid heights, an error
of the geoid undulation) are converted with the site's WGS-84 frame; UTM locations are refused (no
UTM conversion in core). Range/bearing is about the reporting node (whose position comes from its
StatusReport), azimuth from true north (`RANGE_BEARING_DATUM_TRUE`; magnetic, grid and platform
bearings are refused), in degrees or radians and metres or kilometres.

A detection becomes a one-row `DetectionBatch` about the node (or the site origin when the node has
not said where it is and the report is a location). Sigmas: from the report's errors where given
(position errors become range/angle sigmas at the detection's range), else `default_sigma_m`.
Radial speed comes from `enu_velocity` when present (projected on the line of sight), else NaN;
SAPIENT carries no RCS (NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sapient_msg.bsi_flex_335_v2_0 import location_pb2, range_bearing_pb2
from sapient_msg.bsi_flex_335_v2_0.detection_report_pb2 import DetectionReport

from bastion.core.errors import DecodeError
from bastion.core.geo import Site, enu2aer
from bastion.core.measurements import DetectionBatch
from bastion.core.records import Vec3

_LATLON = {
    location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M: math.radians(1.0),
    location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_RAD_M: 1.0,
}
_DATUMS = (location_pb2.LOCATION_DATUM_WGS84_E, location_pb2.LOCATION_DATUM_WGS84_G)
_RB_UNITS = {  # coordinate system -> (radians per angle unit, metres per range unit)
    range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M: (math.radians(1.0), 1.0),
    range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_M: (1.0, 1.0),
    range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM: (math.radians(1.0), 1000.0),
    range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_RADIANS_KM: (1.0, 1000.0),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SapientDetection:
    """One DetectionReport as Bastion reads it: a one-row batch plus what SAPIENT adds."""

    node_id: str
    object_id: str
    report_id: str
    batch: DetectionBatch
    velocity_mps: Vec3 | None
    confidence: float
    classification: tuple[tuple[str, float], ...]


def location_to_enu(loc: location_pb2.Location, site: Site, *, what: str) -> tuple[Vec3, float]:
    """A SAPIENT Location in site ENU metres, and its horizontal 1-sigma error (m, NaN if none)."""
    scale = _LATLON.get(loc.coordinate_system)
    if scale is None:
        name = location_pb2.LocationCoordinateSystem.Name(loc.coordinate_system)
        raise DecodeError(f"{what}: coordinate system {name} not supported (lat/lng only)")
    if loc.datum not in _DATUMS:
        raise DecodeError(f"{what}: datum {loc.datum} not supported (WGS84_E or WGS84_G)")
    lat, lon = loc.y * scale, loc.x * scale
    if not (abs(lat) <= math.pi / 2 and abs(lon) <= 2 * math.pi and math.isfinite(loc.z)):
        raise DecodeError(f"{what}: latitude/longitude/height ({loc.y}, {loc.x}, {loc.z}) invalid")
    enu = site.geodetic2enu(lat, lon, loc.z)
    err = (
        math.hypot(loc.x_error, loc.y_error) / math.sqrt(2.0)
        if loc.x_error or loc.y_error
        else math.nan
    )
    return (float(enu[0]), float(enu[1]), float(enu[2])), err


def detection_to_record(
    report: DetectionReport,
    *,
    node_id: str,
    t_s: float,
    site: Site,
    node_enu_m: Vec3 | None,
    default_sigma_m: float,
    default_sigma_rad: float,
) -> SapientDetection:
    """Convert one DetectionReport. Raises `DecodeError` when its geometry cannot be placed."""
    sigma_r = sigma_az = sigma_el = math.nan
    if report.HasField("range_bearing"):
        rb = report.range_bearing
        if node_enu_m is None:
            raise DecodeError(
                f"detection {report.report_id}: range/bearing from a node with no location"
            )
        units = _RB_UNITS.get(rb.coordinate_system)
        if units is None or rb.datum != range_bearing_pb2.RANGE_BEARING_DATUM_TRUE:
            raise DecodeError(
                f"detection {report.report_id}: range/bearing must be true-north degrees or radians"
            )
        ang, dist = units
        sensor = np.asarray(node_enu_m, dtype=np.float64)
        aer = np.array([rb.range * dist, (rb.azimuth * ang) % (2 * math.pi), rb.elevation * ang])
        sigma_r = rb.range_error * dist if rb.range_error else math.nan
        sigma_az = rb.azimuth_error * ang if rb.azimuth_error else math.nan
        sigma_el = rb.elevation_error * ang if rb.elevation_error else math.nan
    elif report.HasField("location"):
        enu, err = location_to_enu(report.location, site, what=f"detection {report.report_id}")
        sensor = np.asarray(node_enu_m if node_enu_m is not None else (0.0, 0.0, 0.0))
        aer = enu2aer(np.asarray(enu), sensor)
        rng = max(float(aer[0]), 1.0)
        sigma_r = err
        sigma_az = err / rng
        sigma_el = report.location.z_error / rng if report.location.z_error else math.nan
    else:
        raise DecodeError(f"detection {report.report_id}: neither location nor range_bearing")
    if not (np.all(np.isfinite(aer)) and aer[0] >= 0.0):
        raise DecodeError(f"detection {report.report_id}: non-finite or negative geometry")
    velocity: Vec3 | None = None
    rate = math.nan
    if report.HasField("enu_velocity"):
        v = report.enu_velocity
        velocity = (v.east_rate, v.north_rate, v.up_rate)
        az, el = float(aer[1]), float(aer[2])
        los = (math.cos(el) * math.sin(az), math.cos(el) * math.cos(az), math.sin(el))
        rate = sum(a * b for a, b in zip(los, velocity, strict=True))
    batch = DetectionBatch(
        sensor_id=node_id,
        t_s=t_s,
        sensor_enu_m=sensor.astype(np.float64),
        range_m=np.array([aer[0]]),
        az_rad=np.array([aer[1]]),
        el_rad=np.array([aer[2]]),
        range_rate_mps=np.array([rate]),
        rcs_m2=np.array([math.nan]),
        sigma_range_m=sigma_r if math.isfinite(sigma_r) and sigma_r > 0 else default_sigma_m,
        sigma_az_rad=sigma_az if math.isfinite(sigma_az) and sigma_az > 0 else default_sigma_rad,
        sigma_el_rad=sigma_el if math.isfinite(sigma_el) and sigma_el > 0 else default_sigma_rad,
        sigma_range_rate_mps=default_sigma_m,
        truth_id=np.array([-1], dtype=np.int64),
    )
    return SapientDetection(
        node_id=node_id,
        object_id=report.object_id,
        report_id=report.report_id,
        batch=batch,
        velocity_mps=velocity,
        confidence=report.detection_confidence
        if report.HasField("detection_confidence")
        else math.nan,
        classification=tuple((c.type, c.confidence) for c in report.classification),
    )
