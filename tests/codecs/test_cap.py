"""CAP 1.2 codec: alerts and all-clears to XML and back, checked with an independent parser (lxml)
against a schema written from the CAP 1.2 standard, and bad documents refused."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from bastion.codecs.cap import (
    CAP_NS,
    alert_to_cap,
    cap_to_record,
    cleared_to_cap,
    decode,
    encode,
)
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.params import ZoneParams
from bastion.core.records import Alert, AlertCleared

SCHEMA = etree.XMLSchema(
    etree.parse(Path(__file__).parents[1] / "data" / "cap" / "cap-1.2-subset.xsd")
)
SITE = Site(name="IZ compound", lat_rad=math.radians(33.2986), lon_rad=math.radians(44.3954))
ZONE = ZoneParams(
    name="chancery", polygon_m=((-60.0, -40.0), (60.0, -40.0), (60.0, 40.0), (-60.0, 40.0))
)
EPOCH = datetime(2026, 3, 1, 22, 0, 0, tzinfo=UTC)
ALERT = Alert(
    alert_id=7,
    track_id=2,
    zone="chancery",
    t_s=12.25,
    t_expected_s=35.912345678,
    reason="rocket, 310 m/s, impact 12 m from chancery in 24 s (99% ellipse 0 m from it)",
)
CLEARED = AlertCleared(
    alert_id=7,
    track_id=2,
    zone="chancery",
    t_s=41.0,
    reason="expected impact or arrival time passed",
)
NS = {"cap": CAP_NS}


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def test_alert_document_is_valid_cap_and_says_take_shelter() -> None:
    data = encode(alert_to_cap(ALERT, ZONE, SITE, EPOCH, "bastion@iz-compound", margin_s=10.0))
    root = _xml(data)
    SCHEMA.assertValid(root)
    assert root.tag == f"{{{CAP_NS}}}alert"
    assert root.findtext("cap:sent", namespaces=NS) == "2026-03-01T22:00:12+00:00"
    assert root.findtext("cap:msgType", namespaces=NS) == "Alert"
    info = root.find("cap:info", NS)
    assert info.findtext("cap:responseType", namespaces=NS) == "Shelter"
    assert info.findtext("cap:urgency", namespaces=NS) == "Immediate"
    assert info.findtext("cap:expires", namespaces=NS) == "2026-03-01T22:00:46+00:00"
    ring = info.findtext("cap:area/cap:polygon", namespaces=NS).split()
    assert len(ring) == 5 and ring[0] == ring[-1]
    lat, lon = (float(v) for v in ring[0].split(","))
    assert abs(lat - 33.2986) < 0.001 and abs(lon - 44.3954) < 0.001


def test_all_clear_references_the_alert() -> None:
    data = encode(cleared_to_cap(CLEARED, ALERT, ZONE, SITE, EPOCH, "bastion@iz-compound"))
    root = _xml(data)
    SCHEMA.assertValid(root)
    assert root.findtext("cap:msgType", namespaces=NS) == "Update"
    assert root.findtext("cap:info/cap:responseType", namespaces=NS) == "AllClear"
    assert root.findtext("cap:references", namespaces=NS) == (
        "bastion@iz-compound,bastion-alert-7,2026-03-01T22:00:12+00:00"
    )


@pytest.mark.parametrize("record", [ALERT, CLEARED])
def test_round_trip_gives_the_identical_record(record: Alert | AlertCleared) -> None:
    if isinstance(record, Alert):
        msg = alert_to_cap(record, ZONE, SITE, EPOCH, "bastion@iz-compound", margin_s=10.0)
    else:
        msg = cleared_to_cap(record, ALERT, ZONE, SITE, EPOCH, "bastion@iz-compound")
    back = decode(encode(msg))
    assert back == msg
    assert cap_to_record(back) == record


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>x</identifier></alert>',
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><alert xmlns="'
        + CAP_NS.encode()
        + b'">&e;</alert>',
    ],
)
def test_bad_documents_are_refused_with_the_bytes(data: bytes) -> None:
    with pytest.raises(DecodeError) as err:
        decode(data)
    assert err.value.data == data


def test_an_invalid_value_is_refused() -> None:
    good = encode(alert_to_cap(ALERT, ZONE, SITE, EPOCH, "bastion@iz", margin_s=10.0))
    bad = good.replace(b"<cap:urgency>Immediate<", b"<cap:urgency>Now<").replace(
        b"<urgency>Immediate<", b"<urgency>Now<"
    )
    assert bad != good
    with pytest.raises(DecodeError, match="urgency"):
        decode(bad)
