"""A simulated radar as a SAPIENT sensor node: the messages it sends a fusion node.

    registration(node_id, name, utc_s)                      -> SapientMessage (Registration)
    status(node_id, site, position_m, utc_s, report_id)     -> SapientMessage (StatusReport)
    detections(node_id, batch, epoch, rng)                  -> [SapientMessage (DetectionReport)]

Detections are sent as range/bearing about the node (true north, degrees and metres) with the
radar's 1-sigma errors, one DetectionReport per detection, stamped with the scan time; the node's
location goes out in its StatusReport (WGS-84 degrees, ellipsoid height). Node ids are UUID v4
strings derived from the radar's name so a rehearsal is repeatable.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from sapient_msg.bsi_flex_335_v2_0 import location_pb2, range_bearing_pb2, registration_pb2
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage
from sapient_msg.bsi_flex_335_v2_0.status_report_pb2 import StatusReport

from bastion.codecs.sapient import make_ulid
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.measurements import DetectionBatch
from bastion.core.records import Vec3

ICD_VERSION = "BSI Flex 335 v2.0"


def node_uuid(name: str) -> str:
    """A UUID version 4 string (random-looking, repeatable) for node `name`."""
    b = bytearray(hashlib.sha256(name.encode("utf-8")).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _envelope(node_id: str, destination_id: str, utc_s: float) -> SapientMessage:
    msg = SapientMessage(node_id=node_id, destination_id=destination_id)
    seconds = math.floor(utc_s)
    msg.timestamp.seconds = seconds
    msg.timestamp.nanos = min(round((utc_s - seconds) * 1e9), 999_999_999)
    return msg


def registration(node_id: str, destination_id: str, name: str, utc_s: float) -> SapientMessage:
    """The Registration of a radar node."""
    msg = _envelope(node_id, destination_id, utc_s)
    reg = msg.registration
    definition = reg.node_definition.add()
    definition.node_type = registration_pb2.Registration.NODE_TYPE_RADAR
    reg.icd_version = ICD_VERSION
    reg.name = name
    reg.short_name = name[:16]
    cap = reg.capabilities.add()
    cap.category, cap.type, cap.value, cap.units = "Radar", "Simulated", "3-D surveillance", "-"
    config = reg.config_data.add()
    config.manufacturer, config.model = "Bastion", "simulated radar"
    status = reg.status_definition
    status.status_interval.units = registration_pb2.Registration.TIME_UNITS_SECONDS
    status.status_interval.value = 5
    status.location_definition.location_units = (
        location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    )
    status.location_definition.location_datum = location_pb2.LOCATION_DATUM_WGS84_E
    mode = reg.mode_definition.add()
    mode.mode_name = "surveillance"
    mode.mode_type = registration_pb2.Registration.MODE_TYPE_PERMANENT
    mode.settle_time.units = registration_pb2.Registration.TIME_UNITS_SECONDS
    mode.settle_time.value = 1
    mode.scan_type = registration_pb2.Registration.SCAN_TYPE_SCANNING
    mode.tracking_type = registration_pb2.Registration.TRACKING_TYPE_NONE
    det = mode.detection_definition.add()
    det.location_type.range_bearing_units = (
        range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M
    )
    det.location_type.range_bearing_datum = range_bearing_pb2.RANGE_BEARING_DATUM_TRUE
    region = mode.task.region_definition
    region.region_type.append(registration_pb2.Registration.REGION_TYPE_AREA_OF_INTEREST)
    area = region.region_area.add()
    area.location_units = location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    area.location_datum = location_pb2.LOCATION_DATUM_WGS84_E
    return msg


def status(
    node_id: str,
    destination_id: str,
    site: Site,
    position_m: Vec3,
    utc_s: float,
    rng: np.random.Generator,
) -> SapientMessage:
    """A StatusReport giving the node's location (site ENU `position_m` as WGS-84)."""
    msg = _envelope(node_id, destination_id, utc_s)
    st = msg.status_report
    st.report_id = make_ulid(utc_s, rng)
    st.system = StatusReport.SYSTEM_OK
    st.info = StatusReport.INFO_NEW
    st.mode = "surveillance"
    lat, lon, alt = (float(v) for v in site.enu2geodetic(np.asarray(position_m, dtype=np.float64)))
    loc = st.node_location
    loc.x, loc.y, loc.z = math.degrees(lon), math.degrees(lat), alt
    loc.coordinate_system = location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    loc.datum = location_pb2.LOCATION_DATUM_WGS84_E
    return msg


def detections(
    node_id: str,
    destination_id: str,
    batch: DetectionBatch,
    epoch: RunEpoch,
    rng: np.random.Generator,
) -> list[SapientMessage]:
    """One DetectionReport per detection of `batch`, range/bearing about the node."""
    utc_s = epoch.to_utc_s(batch.t_s)
    out = []
    for i in range(len(batch)):
        msg = _envelope(node_id, destination_id, utc_s)
        rep = msg.detection_report
        rep.report_id = make_ulid(utc_s, rng)
        rep.object_id = make_ulid(utc_s, rng)
        rb = rep.range_bearing
        rb.range = float(batch.range_m[i])
        rb.azimuth = math.degrees(float(batch.az_rad[i])) % 360.0
        rb.elevation = math.degrees(float(batch.el_rad[i]))
        rb.range_error = batch.sigma_range_m
        rb.azimuth_error = math.degrees(batch.sigma_az_rad)
        rb.elevation_error = math.degrees(batch.sigma_el_rad)
        rb.coordinate_system = range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_M
        rb.datum = range_bearing_pb2.RANGE_BEARING_DATUM_TRUE
        out.append(msg)
    return out
