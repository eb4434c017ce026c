"""Bastion as a SAPIENT fusion node: registration, status, detections, errors, and what it sends."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import json_format
from sapient_msg.bsi_flex_335_v2_0 import location_pb2, range_bearing_pb2
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage

from bastion.codecs.sapient import (
    FusionNode,
    NodeRegistration,
    NodeStatus,
    SapientDetection,
    SapientReceived,
    alert_message,
    decode_message,
    make_ulid,
    task_look_at,
    validate,
)
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.records import Alert, TrackReport

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "sapient" / "examples_v2_0"
SITE = Site(name="base", lat_rad=math.radians(51.17), lon_rad=math.radians(-1.82), alt_m=100.0)
EPOCH = RunEpoch(utc_at_zero_s=1_750_000_000.0)
OURS = "0b6c7a52-2f4e-4c1d-9a3b-5e6f7a8b9c0d"
SENSOR = "a8654cdf-4328-47de-81fa-c495589e30c9"
T0 = 1_750_000_100.0


def _msg(example: str, utc_s: float = T0) -> SapientMessage:
    msg = json_format.Parse((EXAMPLES / example).read_text(), SapientMessage())
    msg.node_id = SENSOR
    msg.destination_id = OURS
    msg.timestamp.seconds = int(utc_s)
    msg.timestamp.nanos = round((utc_s % 1) * 1e9)
    return msg


def _node() -> FusionNode:
    return FusionNode(node_id=OURS, site=SITE, epoch=EPOCH)


def _registered() -> FusionNode:
    node = _node()
    node.handle(_msg("asm_simulator/Default.Registration.json").SerializeToString(), T0)
    return node


def _lat_lng(loc: location_pb2.Location, lat_deg: float, lon_deg: float, h_m: float) -> None:
    loc.Clear()
    loc.x, loc.y, loc.z = lon_deg, lat_deg, h_m
    loc.coordinate_system = location_pb2.LOCATION_COORDINATE_SYSTEM_LAT_LNG_DEG_M
    loc.datum = location_pb2.LOCATION_DATUM_WGS84_E


def test_registration_is_acknowledged() -> None:
    node = _node()
    out = node.handle(
        _msg("asm_simulator/Default.Registration.json").SerializeToString(), T0 + 0.05
    )
    assert out.problems == []
    (record,) = out.records
    assert isinstance(record, NodeRegistration)
    assert record.node_types == ("NODE_TYPE_CAMERA",)
    assert record.t_s == pytest.approx(100.0)
    (ack,) = out.replies
    assert ack.registration_ack.acceptance is True
    assert (ack.node_id, ack.destination_id) == (OURS, SENSOR)
    assert validate(ack, received_utc_s=T0 + 0.05) == []


def test_detection_before_registration_is_an_error() -> None:
    out = _node().handle(_msg("asm_simulator/Default.DetectionReport.json").SerializeToString(), T0)
    assert out.records == []
    (reply,) = out.replies
    assert list(reply.error.error_message) == ["detection_report from unregistered node"]
    assert decode_message(reply.error.packet).node_id == SENSOR


def test_invalid_message_gets_an_error_naming_every_problem() -> None:
    msg = _msg("asm_simulator/Default.DetectionReport.json", utc_s=T0 - 10.0)
    msg.detection_report.report_id = "not-a-ulid"
    msg.node_id = "A8654CDF-4328-47DE-81FA-C495589E30C9"
    out = _registered().handle(msg.SerializeToString(), T0)
    (reply,) = out.replies
    problems = list(reply.error.error_message)
    assert any(p.startswith("detection_report.report_id: not a ULID") for p in problems)
    assert any(p.startswith("node_id: not a lower-case version-4 UUID") for p in problems)
    assert any(p.startswith("timestamp: -10.000 s") for p in problems)
    assert out.problems == problems


def test_garbage_gets_an_error_too() -> None:
    out = _node().handle(b"\xff\xff\xff", T0)
    (reply,) = out.replies
    assert reply.error.packet == b"\xff\xff\xff"
    assert reply.error.error_message[0].startswith("SAPIENT message does not parse")


def test_the_examples_utm_detection_is_refused_with_a_reason() -> None:
    out = _registered().handle(
        _msg("asm_simulator/Default.DetectionReport.json").SerializeToString(), T0
    )
    (reply,) = out.replies
    assert "LOCATION_COORDINATE_SYSTEM_UTM_M not supported" in reply.error.error_message[0]


def test_lat_lng_detection_lands_where_it_was_reported() -> None:
    node = _registered()
    msg = _msg("asm_simulator/Default.DetectionReport.json")
    target = SITE.enu2geodetic(np.array([1200.0, -800.0, 150.0]))
    lat, lon, h = (float(v) for v in target)
    _lat_lng(msg.detection_report.location, math.degrees(lat), math.degrees(lon), h)
    (record,) = node.handle(msg.SerializeToString(), T0).records
    assert isinstance(record, SapientDetection)
    batch = record.batch
    assert len(batch) == 1
    enu = np.array(
        [
            batch.range_m[0] * math.cos(batch.el_rad[0]) * math.sin(batch.az_rad[0]),
            batch.range_m[0] * math.cos(batch.el_rad[0]) * math.cos(batch.az_rad[0]),
            batch.range_m[0] * math.sin(batch.el_rad[0]),
        ]
    )
    assert np.allclose(enu + batch.sensor_enu_m, [1200.0, -800.0, 150.0], atol=1e-3)
    assert record.velocity_mps == (1.0, 2.0, 3.0)
    assert record.classification == (("Human", pytest.approx(0.8)),)
    assert batch.t_s == pytest.approx(100.0)


def test_range_bearing_detection_is_about_the_node_from_its_status() -> None:
    node = _registered()
    status = _msg("asm_simulator/Default.StatusReport.json")
    _lat_lng(status.status_report.node_location, 51.17, -1.82, 100.0)
    (st,) = node.handle(status.SerializeToString(), T0).records
    assert isinstance(st, NodeStatus)
    assert st.system == "SYSTEM_OK"
    assert st.position_m == pytest.approx((0.0, 0.0, 0.0), abs=1e-6)
    det = _msg("asm_simulator/Default.DetectionReport.json")
    rb = det.detection_report.range_bearing
    rb.range, rb.azimuth, rb.elevation = 2.5, 90.0, 5.0
    rb.range_error, rb.azimuth_error = 0.01, 0.5
    rb.coordinate_system = range_bearing_pb2.RANGE_BEARING_COORDINATE_SYSTEM_DEGREES_KM
    rb.datum = range_bearing_pb2.RANGE_BEARING_DATUM_TRUE
    (record,) = node.handle(det.SerializeToString(), T0).records
    assert isinstance(record, SapientDetection)
    b = record.batch
    assert (b.range_m[0], b.az_rad[0], b.el_rad[0]) == pytest.approx(
        (2500.0, math.pi / 2, math.radians(5.0))
    )
    assert (b.sigma_range_m, b.sigma_az_rad) == pytest.approx((10.0, math.radians(0.5)))
    rb.datum = range_bearing_pb2.RANGE_BEARING_DATUM_MAGNETIC
    (reply,) = node.handle(det.SerializeToString(), T0).replies
    assert "true-north" in reply.error.error_message[0]


def test_other_valid_messages_are_recorded_without_reply() -> None:
    out = _registered().handle(
        _msg("asm_simulator/Default.TaskAck.LookAt.json").SerializeToString(), T0
    )
    assert out.replies == []
    assert out.records == [
        SapientReceived(node_id=SENSOR, t_s=pytest.approx(100.0), kind="task_ack")
    ]


def test_task_and_alert_we_send_are_valid_sapient() -> None:
    rng = np.random.default_rng(5)
    track = TrackReport(
        track_id=12,
        t_s=100.0,
        position_m=(500.0, 900.0, 120.0),
        velocity_mps=(0.0, -40.0, 0.0),
        position_sigma_m=8.0,
        n_updates=5,
    )
    task = task_look_at(
        track,
        site=SITE,
        our_node_id=OURS,
        destination_id=SENSOR,
        task_id=make_ulid(T0, rng),
        utc_s=T0,
    )
    alert = Alert(
        alert_id=3, track_id=12, zone="runway", t_s=100.0, t_expected_s=160.0, reason="drone"
    )
    sent = alert_message(
        alert,
        epoch=EPOCH,
        our_node_id=OURS,
        destination_id=SENSOR,
        alert_id=make_ulid(T0, rng),
        track=track,
        site=SITE,
    )
    for msg in (task, sent):
        again = SapientMessage.FromString(msg.SerializeToString())
        assert validate(again, received_utc_s=T0) == []
    loc = task.task.command.look_at.location_list.locations[0]
    back = SITE.geodetic2enu(math.radians(loc.y), math.radians(loc.x), loc.z)
    assert np.allclose(back, track.position_m, atol=1e-3)
    assert sent.alert.description.startswith("zone runway: track 12")
