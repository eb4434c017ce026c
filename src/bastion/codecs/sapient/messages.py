"""SAPIENT v2.0 messages: decode and encode `SapientMessage`, and build the ones Bastion sends.

Protobuf bindings from PyPI `sapient-proto` (module `sapient_msg.bsi_flex_335_v2_0`). The envelope::

    SapientMessage { timestamp (mandatory, UTC), node_id (mandatory, UUID of the sender),
                     destination_id (UUID), oneof content (mandatory) {
                       registration | registration_ack | status_report | detection_report | task |
                       task_ack | alert | alert_ack | error } }

Bastion, as a fusion node, answers a Registration with a RegistrationAck, tasks a sensor with a
Task (`look_at` a track's position), raises Alerts and answers bad messages with Error (which
carries the offending packet and the reasons). Locations are written WGS-84, degrees and metres
(`LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M`, `LOCATION_DATUM_WGS84_E`), x = longitude,
y = latitude, z = height above the ellipsoid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from google.protobuf.message import DecodeError as ProtobufDecodeError
from sapient_msg.bsi_flex_335_v2_0 import alert_pb2, location_pb2, task_pb2
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage

from bastion.codecs.sapient.framing import frame
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.records import Alert, TrackReport

MAX_ERROR_PACKET_BYTES = 4096
"""An Error quotes at most this much of the offending packet."""


def decode_message(payload: bytes) -> SapientMessage:
    """Parse one serialised SapientMessage (a frame's payload). Raises `DecodeError`."""
    msg = SapientMessage()
    try:
        msg.ParseFromString(bytes(payload))
    except (ProtobufDecodeError, RuntimeError, ValueError) as exc:
        raise DecodeError(f"SAPIENT message does not parse: {exc}", data=bytes(payload)) from exc
    return msg


def encode_message(msg: SapientMessage) -> bytes:
    """Serialise and frame one message for a SAPIENT TCP stream."""
    return frame(msg.SerializeToString())


def _envelope(our_node_id: str, destination_id: str, utc_s: float) -> SapientMessage:
    msg = SapientMessage(node_id=our_node_id)
    if destination_id:
        msg.destination_id = destination_id
    seconds = math.floor(utc_s)
    msg.timestamp.seconds = seconds
    msg.timestamp.nanos = min(round((utc_s - seconds) * 1e9), 999_999_999)
    return msg


def _set_location(loc: location_pb2.Location, site: Site, position_m: Sequence[float]) -> None:
    lat, lon, alt = (float(v) for v in site.enu2geodetic(np.asarray(position_m, dtype=np.float64)))
    loc.x, loc.y, loc.z = math.degrees(lon), math.degrees(lat), alt
    loc.coordinate_system = location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    loc.datum = location_pb2.LOCATION_DATUM_WGS84_E


def registration_ack(
    registration: SapientMessage,
    *,
    our_node_id: str,
    utc_s: float,
    accepted: bool = True,
    reasons: Sequence[str] = (),
) -> SapientMessage:
    """The RegistrationAck answering `registration` (sent to its node)."""
    msg = _envelope(our_node_id, registration.node_id, utc_s)
    msg.registration_ack.acceptance = accepted
    msg.registration_ack.ack_response_reason.extend(reasons)
    return msg


def task_look_at(
    track: TrackReport,
    *,
    site: Site,
    our_node_id: str,
    destination_id: str,
    task_id: str,
    utc_s: float,
    name: str = "look at track",
) -> SapientMessage:
    """A Task asking sensor `destination_id` to look at `track`'s current position."""
    msg = _envelope(our_node_id, destination_id, utc_s)
    task = msg.task
    task.task_id = task_id
    task.task_name = name
    task.task_description = f"Bastion track {track.track_id}"
    task.control = task_pb2.Task.CONTROL_START
    _set_location(task.command.look_at.location_list.locations.add(), site, track.position_m)
    return msg


def task_stop(
    *, our_node_id: str, destination_id: str, task_id: str, utc_s: float, reason: str
) -> SapientMessage:
    """A Task ending task `task_id` on sensor `destination_id` (control STOP, no command)."""
    msg = _envelope(our_node_id, destination_id, utc_s)
    task = msg.task
    task.task_id = task_id
    task.task_name = "stop"
    task.task_description = reason
    task.control = task_pb2.Task.CONTROL_STOP
    return msg


def alert_message(
    alert: Alert,
    *,
    epoch: RunEpoch,
    our_node_id: str,
    destination_id: str,
    alert_id: str,
    track: TrackReport | None = None,
    site: Site | None = None,
    cleared: bool = False,
) -> SapientMessage:
    """An Alert for a zone warning (ALERT_STATUS_CLEAR when `cleared`), at the track if given."""
    msg = _envelope(our_node_id, destination_id, epoch.to_utc_s(alert.t_s))
    body = msg.alert
    body.alert_id = alert_id
    body.alert_type = alert_pb2.Alert.ALERT_TYPE_CRITICAL
    body.status = (
        alert_pb2.Alert.ALERT_STATUS_CLEAR if cleared else alert_pb2.Alert.ALERT_STATUS_ACTIVE
    )
    body.description = f"zone {alert.zone}: track {alert.track_id}: {alert.reason}"
    body.priority = alert_pb2.Alert.DISCRETE_PRIORITY_HIGH
    if track is not None and site is not None:
        _set_location(body.location, site, track.position_m)
    return msg


def error_message(
    packet: bytes,
    problems: Sequence[str],
    *,
    our_node_id: str,
    destination_id: str,
    utc_s: float,
) -> SapientMessage:
    """An Error quoting (the start of) the offending `packet` and every problem found in it."""
    msg = _envelope(our_node_id, destination_id, utc_s)
    msg.error.packet = bytes(packet[:MAX_ERROR_PACKET_BYTES])
    msg.error.error_message.extend(problems)
    return msg
