"""CoT out: type atoms, XML round trip, strict parsing, TAK protocol v1 against takproto."""

from __future__ import annotations

import contextlib
import math
import xml.dom.minidom

import pytest
import takproto
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.codecs.cot import (
    CotEvent,
    alert_to_event,
    cot_type,
    decode_mesh,
    decode_xml,
    encode_mesh,
    encode_stream,
    encode_xml,
    parse_stream,
    parse_xml_stream,
    track_to_event,
)
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.records import (
    Affiliation,
    Alert,
    AlertCleared,
    Identity,
    ThreatClass,
    TrackReport,
)

SITE = Site(
    name="al-asad", lat_rad=math.radians(33.7856), lon_rad=math.radians(42.4412), alt_m=188.0
)
EPOCH = RunEpoch(utc_at_zero_s=1_700_000_000.0)
TRACK = TrackReport(
    track_id=7,
    t_s=12.5,
    position_m=(-2_000.0, 1_500.0, 300.0),
    velocity_mps=(45.0, 0.0, -1.0),
    position_sigma_m=15.0,
    n_updates=12,
)
HOSTILE_DRONE = Identity(
    track_id=7,
    t_s=12.0,
    threat_class=ThreatClass.FIXED_WING,
    affiliation=Affiliation.HOSTILE,
    reason="rcs",
)


@pytest.mark.parametrize(
    ("cls", "aff", "expected"),
    [
        (ThreatClass.FIXED_WING, Affiliation.HOSTILE, "a-h-A-M-F-Q"),
        (ThreatClass.MULTIROTOR, Affiliation.SUSPECT, "a-s-A-M-H-Q"),
        (ThreatClass.ROCKET, Affiliation.HOSTILE, "a-h-A-W-M-S-S"),
        (ThreatClass.AIRCRAFT, Affiliation.FRIEND, "a-f-A"),
        (ThreatClass.UNKNOWN, Affiliation.UNKNOWN, "a-u-A"),
        (ThreatClass.BIRD, Affiliation.NEUTRAL, "a-n-A"),
    ],
)
def test_type_atoms(cls: ThreatClass, aff: Affiliation, expected: str) -> None:
    assert cot_type(cls, aff) == expected


def test_track_event_round_trips_through_xml() -> None:
    event = track_to_event(TRACK, site=SITE, epoch=EPOCH, identity=HOSTILE_DRONE)
    assert event.type == "a-h-A-M-F-Q"
    assert event.uid == "bastion.al-asad.track.7"
    assert event.course_deg == pytest.approx(90.0)
    assert event.speed_mps == pytest.approx(45.0)
    assert event.stale_utc_s - event.time_utc_s == pytest.approx(10.0)
    back = decode_xml(encode_xml(event))
    assert back == event
    enu = SITE.geodetic2enu(math.radians(back.lat_deg), math.radians(back.lon_deg), back.hae_m)
    assert enu == pytest.approx(TRACK.position_m, abs=1e-3)
    assert track_to_event(TRACK, site=SITE, epoch=EPOCH).type == "a-u-A"


def test_xml_parses_with_a_strict_parser() -> None:
    doc = xml.dom.minidom.parseString(encode_xml(track_to_event(TRACK, site=SITE, epoch=EPOCH)))
    event = doc.documentElement
    assert event.tagName == "event"
    assert event.getAttribute("version") == "2.0"
    assert event.getAttribute("time") == "2023-11-14T22:13:32.500Z"
    (point,) = event.getElementsByTagName("point")
    assert {point.getAttribute(a) != "" for a in ("lat", "lon", "hae", "ce", "le")} == {True}


def test_alerts_and_all_clears() -> None:
    alert = Alert(
        alert_id=4, track_id=7, zone="runway", t_s=20.0, t_expected_s=95.0, reason="drone"
    )
    raised = alert_to_event(alert, site=SITE, epoch=EPOCH, zone_lat_deg=33.79, zone_lon_deg=42.44)
    assert raised.type == "b-a-g"
    assert raised.stale_utc_s == EPOCH.to_utc_s(95.0)
    assert raised.remarks.startswith("TAKE COVER runway")
    clear = AlertCleared(alert_id=4, track_id=7, zone="runway", t_s=60.0, reason="destroyed")
    cleared = alert_to_event(clear, site=SITE, epoch=EPOCH, zone_lat_deg=33.79, zone_lon_deg=42.44)
    assert cleared.uid == raised.uid
    assert cleared.stale_utc_s == cleared.time_utc_s == EPOCH.to_utc_s(60.0)
    assert decode_xml(encode_xml(cleared)) == cleared


def test_concatenated_documents_split_in_any_chunks() -> None:
    events = [track_to_event(TRACK, site=SITE, epoch=EPOCH, stale_s=s) for s in (5.0, 6.0, 7.0)]
    stream = b"".join(encode_xml(e) for e in events)
    got: list[CotEvent] = []
    buf = b""
    for i in range(0, len(stream), 97):
        out, buf = parse_xml_stream(buf + stream[i : i + 97])
        got.extend(out)
    assert got == events
    assert buf == b""


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<event", "not well-formed"),
        (b"<notevent/>", "not <event>"),
        (b'<event uid="x" type="a-u-A" time="t" start="t" stale="t"><point/></event>', "time"),
        (b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "b">]><event/>', "DTD"),
        (b'<event uid="x" type="a" time="2024-01-01T00:00:00Z"/>', "lacks start, stale, <point>"),
        (
            b'<event uid="x" type="a" time="2024-01-01T00:00:00Z" start="2024-01-01T00:00:00Z" '
            b'stale="2024-01-01T00:00:00Z"><point lat="91" lon="0" hae="0" ce="1" le="1"/></event>',
            "lat",
        ),
        (b"\xff\xfe<event/>", "not well-formed"),
    ],
)
def test_malformed_cot_is_a_decode_error(data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason) as info:
        decode_xml(data)
    assert info.value.data


def test_endless_document_is_refused() -> None:
    with pytest.raises(DecodeError, match="no </event>"):
        parse_xml_stream(b"<event " + b"a" * 70_000)


@settings(max_examples=200, derandomize=True)
@given(st.binary(max_size=500))
def test_garbage_only_raises_decode_error(data: bytes) -> None:
    for decode in (
        decode_xml,
        decode_mesh,
        lambda d: parse_stream(d),
        lambda d: parse_xml_stream(d),
    ):
        with contextlib.suppress(DecodeError):
            decode(data)


@pytest.mark.oracle
def test_our_xml_converts_with_takproto_and_back() -> None:
    event = track_to_event(TRACK, site=SITE, epoch=EPOCH, identity=HOSTILE_DRONE)
    mesh = bytes(takproto.xml2proto(encode_xml(event)))
    assert mesh.startswith(b"\xbf\x01\xbf")
    theirs = takproto.parse_proto(bytearray(mesh)).cotEvent
    assert (theirs.uid, theirs.type, theirs.how) == (event.uid, event.type, event.how)
    assert theirs.sendTime == round(event.time_utc_s * 1000)
    assert theirs.staleTime == round(event.stale_utc_s * 1000)
    assert (theirs.lat, theirs.lon, theirs.hae) == (event.lat_deg, event.lon_deg, event.hae_m)
    assert theirs.detail.contact.callsign == event.callsign
    assert theirs.detail.track.speed == pytest.approx(event.speed_mps)
    assert decode_mesh(mesh) == event  # takproto's bytes, read back by ours


@pytest.mark.oracle
def test_our_tak_protobuf_parses_with_takproto() -> None:
    event = track_to_event(TRACK, site=SITE, epoch=EPOCH, identity=HOSTILE_DRONE)
    for data in (encode_mesh(event), encode_stream(event)):
        theirs = takproto.parse_proto(bytearray(data)).cotEvent
        assert (theirs.uid, theirs.type) == (event.uid, event.type)
        assert (theirs.lat, theirs.lon, theirs.ce) == (event.lat_deg, event.lon_deg, event.ce_m)
        assert theirs.detail.track.course == pytest.approx(event.course_deg)
    stream_frame = bytes(takproto.xml2proto(encode_xml(event), takproto.TAKProtoVer.STREAM))
    assert parse_stream(stream_frame * 2) == ([event, event], b"")


def test_tak_stream_splits_and_refuses_oversized_frames() -> None:
    event = track_to_event(TRACK, site=SITE, epoch=EPOCH)
    data = encode_stream(event) * 3
    events, rest = parse_stream(data[:-5])
    assert (events, rest) == ([event, event], data[2 * len(data) // 3 : -5])
    with pytest.raises(DecodeError, match="above 65536"):
        parse_stream(b"\xbf\xff\xff\xff\xff\x0f")
    with pytest.raises(DecodeError, match="0xBF"):
        parse_stream(b"\x00\x01")
