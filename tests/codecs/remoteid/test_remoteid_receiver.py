"""The Remote ID receiver: one report per Location, identity and operator joined, corrupt input
never trusted, and legacy Bluetooth messages joined across advertisements."""

from __future__ import annotations

import math

import numpy as np
import pytest
from remoteid_reference import CAPTURES, DATA

from bastion.codecs.pcap import read_capture
from bastion.codecs.remoteid import RemoteIdReceiver, from_ble_pdu
from bastion.core.geo import Site

SITE = Site(
    name="hillsboro", lat_rad=math.radians(45.545), lon_rad=math.radians(-122.97), alt_m=60.0
)


def _run(capture: str) -> tuple[RemoteIdReceiver, list]:
    receiver = RemoteIdReceiver(SITE)
    reports = []
    for packet in read_capture((DATA / capture).read_bytes()):
        reports += receiver.feed_packet(packet, packet.t_s - 1.6e9)
    return receiver, reports


def test_wifi_beacon_reports_join_identity_position_and_operator() -> None:
    receiver, reports = _run(CAPTURES[0])
    assert len(reports) == 21
    first = reports[0]
    assert (first.source, first.ident, first.callsign) == (
        "remote_id",
        "MFG1A0123456789",
        "GBR-OP-123ABCD",
    )
    lla = SITE.enu2geodetic(np.array(first.position_m))
    assert math.degrees(lla[0]) == pytest.approx(45.5457468, abs=1e-9)
    assert math.degrees(lla[1]) == pytest.approx(-122.9681496, abs=1e-9)
    assert lla[2] == pytest.approx(237.0, abs=1e-6)
    speed = math.hypot(first.velocity_mps[0], first.velocity_mps[1])
    assert speed == pytest.approx(20.5)
    assert math.atan2(first.velocity_mps[0], first.velocity_mps[1]) == pytest.approx(
        math.radians(92)
    )
    assert first.flags == ("vertical_speed_unknown",)
    (uas,) = receiver.uas.values()
    assert uas.system is not None
    assert uas.operator_position_m is not None
    assert math.degrees(uas.system.operator_lat_rad) == pytest.approx(45.5443876, abs=1e-12)
    op = SITE.geodetic2enu(uas.system.operator_lat_rad, uas.system.operator_lon_rad, 0.0)
    assert uas.operator_position_m[:2] == pytest.approx((op[0], op[1]), abs=1e-9)
    assert math.isnan(uas.operator_position_m[2])  # operator altitude unknown (-1000 m)
    assert uas.self_id == "Recreational"


def test_bt5_capture_never_trusts_corrupted_frames() -> None:
    receiver, reports = _run(CAPTURES[2])
    assert receiver.counts["link_crc_failed"] >= 5
    assert receiver.counts["decode_errors"] >= 6
    idents = {r.ident for r in reports}
    assert idents <= {"SSEVTFG93700070"}
    # every Location in this capture has position 0/0 (unknown): no report, counted
    assert reports == []
    assert receiver.counts["position_invalid"] > 100
    (uas,) = receiver.uas.values()
    assert uas.operator_id == "FIN87astrdge12kxyz8"
    assert uas.self_id == "Drone ID demo"


def _legacy_pdu(address: bytes, counter: int, message: bytes) -> bytes:
    ad = bytes([1 + 2 + 1 + 1 + len(message), 0x16, 0xFA, 0xFF, 0x0D, counter]) + message
    payload = address[::-1] + ad
    return bytes([0x02, len(payload)]) + payload


def test_legacy_bluetooth_joins_separate_advertisements() -> None:
    address = bytes.fromhex("C0FFEE000001")
    basic = bytes.fromhex("02223132333435363738393031323334353637383930000000")
    location = bytes.fromhex("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200")
    receiver = RemoteIdReceiver(SITE)
    b1 = from_ble_pdu(_legacy_pdu(address, 1, location))
    b2 = from_ble_pdu(_legacy_pdu(address, 2, basic))
    assert b1 is not None and b2 is not None
    assert (b1.transport, b1.sender) == ("bluetooth_legacy", "c0:ff:ee:00:00:01")
    (early,) = receiver.update(b1, 0.0)
    assert early.ident == "mac:c0:ff:ee:00:00:01"
    assert "ident_unknown" in early.flags
    receiver.update(b2, 0.5)
    (late,) = receiver.update(b1, 1.0)
    assert late.ident == "12345678901234567890"
    assert late.flags == ()
    assert late.velocity_mps[2] == pytest.approx(5.0)
    lla = SITE.enu2geodetic(np.array(late.position_m))
    assert lla[2] == pytest.approx(110.0, abs=1e-6)


def test_hovering_drone_with_unknown_direction_reports_zero_velocity() -> None:
    hover = bytearray.fromhex("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200")
    hover[1] &= ~0x03  # east/west bit and speed multiplier cleared
    hover[2], hover[3] = 181, 0  # direction 181 + 180 = 361 (unknown), speed 0
    pdu = _legacy_pdu(bytes.fromhex("C0FFEE000002"), 1, bytes(hover))
    broadcast = from_ble_pdu(pdu)
    assert broadcast is not None
    (report,) = RemoteIdReceiver(SITE).update(broadcast, 0.0)
    assert report.velocity_mps == (0.0, 0.0, 5.0)
    assert "velocity_unknown" not in report.flags


def test_location_without_any_altitude_gives_no_report() -> None:
    blind = bytearray.fromhex("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200")
    blind[13:17] = bytes(4)  # pressure and geodetic altitude 0 = unknown
    broadcast = from_ble_pdu(_legacy_pdu(bytes.fromhex("C0FFEE000003"), 1, bytes(blind)))
    assert broadcast is not None
    receiver = RemoteIdReceiver(SITE)
    assert receiver.update(broadcast, 0.0) == []
    assert receiver.counts["altitude_unknown"] == 1
