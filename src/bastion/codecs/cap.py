"""OASIS Common Alerting Protocol (CAP) 1.2: zone alerts as XML documents, and back.

Layout written (CAP 1.2, section 3; namespace ``urn:oasis:names:tc:emergency:cap:1.2``; element order
as the standard's schema requires)::

    <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
      <identifier/> <sender/> <sent/>           no spaces, commas, '<' or '&'; sent as
                                                YYYY-MM-DDThh:mm:ss+00:00 (no fractions, no 'Z')
      <status/>        Actual | Exercise | System | Test | Draft
      <msgType/>       Alert | Update | Cancel | Ack | Error
      <scope/>         Public | Restricted | Private
      <references/>?   "sender,identifier,sent" entries separated by spaces
      <info>
        <category/>+   Geo Met Safety Security Rescue Fire Health Env Transport Infra CBRNE Other
        <event/>  <responseType/>*   Shelter Evacuate Prepare Execute Avoid Monitor Assess AllClear None
        <urgency/>     Immediate | Expected | Future | Past | Unknown
        <severity/>    Extreme | Severe | Moderate | Minor | Unknown
        <certainty/>   Observed | Likely | Possible | Unlikely | Unknown
        <onset/>? <expires/>? <senderName/>? <headline/>? <description/>? <instruction/>?
        <parameter><valueName/><value/></parameter>*
        <area><areaDesc/><polygon/>*</area>*    polygon: "lat,lon lat,lon ..." WGS-84 degrees,
                                                   at least 4 pairs, first equal to last
      </info>
    </alert>

`encode` writes a `CapMessage` (one info block) as UTF-8 XML bytes; `decode` parses and validates
bytes back into the same record and raises `DecodeError` (carrying the bytes) on anything else.
`alert_to_cap` / `cleared_to_cap` turn Bastion's `Alert` / `AlertCleared` into messages (an alert to
take shelter, and an Update with responseType AllClear referencing it); the exact record fields
travel as ``bastion:*`` parameters, so `cap_to_record` gives the identical record back.

Written with the standard library's ElementTree: CAP needs no feature beyond it. Decoding refuses any
document type declaration before parsing, so entity-expansion and external-entity tricks never reach
the parser (CAP documents never carry one).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.params import ZoneParams
from bastion.core.records import Alert, AlertCleared

__all__ = [
    "CAP_NS",
    "CapArea",
    "CapMessage",
    "alert_to_cap",
    "cap_to_record",
    "cleared_to_cap",
    "decode",
    "encode",
]

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
_Q = f"{{{CAP_NS}}}"
STATUS = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
CATEGORIES = (
    "Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
    "CBRNE", "Other",
)  # fmt: skip
RESPONSES = (
    "Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None",
)  # fmt: skip
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
_ID = re.compile(r"[^\s,<&]+")


@dataclass(frozen=True, slots=True, kw_only=True)
class CapArea:
    """An alert area: its description and polygons as (lat_deg, lon_deg) rings, first == last."""

    area_desc: str
    polygons: tuple[tuple[tuple[float, float], ...], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CapMessage:
    """One CAP 1.2 alert message with one info block (times are timezone-aware, whole seconds)."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    event: str
    categories: tuple[str, ...]
    urgency: str
    severity: str
    certainty: str
    references: tuple[str, ...] = ()
    response_types: tuple[str, ...] = ()
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[CapArea, ...] = ()


def _time(t: datetime) -> str:
    if t.tzinfo is None:
        raise ValueError("CAP times must be timezone-aware")
    return t.astimezone(UTC).replace(microsecond=0).isoformat()


def _check(msg: CapMessage) -> None:
    rules = (
        (_ID.fullmatch(msg.identifier) is not None, "identifier has a space, comma, < or &"),
        (_ID.fullmatch(msg.sender) is not None, "sender has a space, comma, < or &"),
        (msg.status in STATUS, f"status {msg.status!r}"),
        (msg.msg_type in MSG_TYPES, f"msgType {msg.msg_type!r}"),
        (msg.scope in SCOPES, f"scope {msg.scope!r}"),
        (bool(msg.categories) and set(msg.categories) <= set(CATEGORIES), "category"),
        (set(msg.response_types) <= set(RESPONSES), "responseType"),
        (msg.urgency in URGENCIES, f"urgency {msg.urgency!r}"),
        (msg.severity in SEVERITIES, f"severity {msg.severity!r}"),
        (msg.certainty in CERTAINTIES, f"certainty {msg.certainty!r}"),
        (bool(msg.event), "event is empty"),
    )
    for ok, what in rules:
        if not ok:
            raise ValueError(f"not a valid CAP 1.2 message: {what}")
    for area in msg.areas:
        for ring in area.polygons:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise ValueError("a CAP polygon needs >= 4 points, the first equal to the last")


def encode(msg: CapMessage) -> bytes:
    """The message as a CAP 1.2 XML document (UTF-8); raises ValueError on an invalid message."""
    _check(msg)
    ET.register_namespace("", CAP_NS)
    root = ET.Element(_Q + "alert")

    def sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
        el = ET.SubElement(parent, _Q + tag)
        el.text = text
        return el

    for tag, text in (
        ("identifier", msg.identifier),
        ("sender", msg.sender),
        ("sent", _time(msg.sent)),
        ("status", msg.status),
        ("msgType", msg.msg_type),
        ("scope", msg.scope),
    ):
        sub(root, tag, text)
    if msg.references:
        sub(root, "references", " ".join(msg.references))
    info = ET.SubElement(root, _Q + "info")
    for c in msg.categories:
        sub(info, "category", c)
    sub(info, "event", msg.event)
    for r in msg.response_types:
        sub(info, "responseType", r)
    sub(info, "urgency", msg.urgency)
    sub(info, "severity", msg.severity)
    sub(info, "certainty", msg.certainty)
    if msg.onset is not None:
        sub(info, "onset", _time(msg.onset))
    if msg.expires is not None:
        sub(info, "expires", _time(msg.expires))
    for tag, text in (
        ("senderName", msg.sender_name),
        ("headline", msg.headline),
        ("description", msg.description),
        ("instruction", msg.instruction),
    ):
        if text:
            sub(info, tag, text)
    for name, value in msg.parameters:
        par = ET.SubElement(info, _Q + "parameter")
        sub(par, "valueName", name)
        sub(par, "value", value)
    for area in msg.areas:
        el = ET.SubElement(info, _Q + "area")
        sub(el, "areaDesc", area.area_desc)
        for ring in area.polygons:
            sub(el, "polygon", " ".join(f"{lat:.6f},{lon:.6f}" for lat, lon in ring))
    out: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def _text(el: ET.Element, tag: str, data: bytes, required: bool = True) -> str:
    found = el.find(_Q + tag)
    if found is None:
        if required:
            raise DecodeError(f"CAP: missing <{tag}>", data=data)
        return ""
    return (found.text or "").strip()


def _parse_time(text: str, data: bytes) -> datetime:
    if not _TIME.fullmatch(text):
        raise DecodeError(f"CAP: {text!r} is not a CAP date-time", data=data)
    return datetime.fromisoformat(text)


def decode(data: bytes) -> CapMessage:
    """Parse a CAP 1.2 document (one info block read) into a `CapMessage`; `DecodeError` if invalid."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise DecodeError("CAP: document type declarations are not allowed", data=data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DecodeError(f"CAP: not well-formed XML: {exc}", data=data) from None
    if root.tag != _Q + "alert":
        raise DecodeError(f"CAP: root is {root.tag!r}, expected {{{CAP_NS}}}alert", data=data)
    info = root.find(_Q + "info")
    if info is None:
        raise DecodeError("CAP: missing <info>", data=data)
    areas = []
    for area in info.findall(_Q + "area"):
        rings = []
        for poly in area.findall(_Q + "polygon"):
            try:
                pairs = [p.split(",") for p in (poly.text or "").split()]
                rings.append(tuple((float(a), float(b)) for a, b in pairs))
            except ValueError:
                raise DecodeError("CAP: a polygon is not 'lat,lon' pairs", data=data) from None
        areas.append(CapArea(area_desc=_text(area, "areaDesc", data), polygons=tuple(rings)))
    params = tuple(
        (_text(p, "valueName", data), _text(p, "value", data))
        for p in info.findall(_Q + "parameter")
    )
    onset, expires = _text(info, "onset", data, False), _text(info, "expires", data, False)
    refs = _text(root, "references", data, False)
    msg = CapMessage(
        identifier=_text(root, "identifier", data),
        sender=_text(root, "sender", data),
        sent=_parse_time(_text(root, "sent", data), data),
        status=_text(root, "status", data),
        msg_type=_text(root, "msgType", data),
        scope=_text(root, "scope", data),
        references=tuple(refs.split()),
        event=_text(info, "event", data),
        categories=tuple((c.text or "").strip() for c in info.findall(_Q + "category")),
        response_types=tuple((c.text or "").strip() for c in info.findall(_Q + "responseType")),
        urgency=_text(info, "urgency", data),
        severity=_text(info, "severity", data),
        certainty=_text(info, "certainty", data),
        onset=_parse_time(onset, data) if onset else None,
        expires=_parse_time(expires, data) if expires else None,
        sender_name=_text(info, "senderName", data, False),
        headline=_text(info, "headline", data, False),
        description=_text(info, "description", data, False),
        instruction=_text(info, "instruction", data, False),
        parameters=params,
        areas=tuple(areas),
    )
    try:
        _check(msg)
    except ValueError as exc:
        raise DecodeError(f"CAP: {exc}", data=data) from None
    return msg


def _ring(zone: ZoneParams, site: Site) -> tuple[tuple[float, float], ...]:
    en = np.asarray(zone.polygon_m, dtype=np.float64)
    enu = np.column_stack([en, np.zeros(en.shape[0])])
    llh = site.enu2geodetic(enu)
    pts = [(math.degrees(a), math.degrees(b)) for a, b in llh[:, :2].tolist()]
    pts = [(round(a, 6), round(b, 6)) for a, b in pts]
    return (*pts, pts[0])


def _at(epoch_utc: datetime, t_s: float) -> datetime:
    return epoch_utc + timedelta(seconds=math.floor(t_s))


def _ident(sender: str, alert_id: int, suffix: str = "") -> str:
    return f"{sender.split('@')[0]}-alert-{alert_id}{suffix}"


def alert_to_cap(
    alert: Alert, zone: ZoneParams, site: Site, epoch_utc: datetime, sender: str, margin_s: float
) -> CapMessage:
    """A take-shelter alert for `zone` (WGS-84 polygon from the site's frame). `epoch_utc` is the
    run clock's zero; the alert expires at the expected impact or arrival plus `margin_s`."""
    return CapMessage(
        identifier=_ident(sender, alert.alert_id),
        sender=sender,
        sent=_at(epoch_utc, alert.t_s),
        status="Actual",
        msg_type="Alert",
        scope="Private",
        event="Incoming fire warning",
        categories=("Security",),
        response_types=("Shelter",),
        urgency="Immediate",
        severity="Extreme",
        certainty="Likely",
        onset=_at(epoch_utc, alert.t_s),
        expires=_at(epoch_utc, math.ceil(alert.t_expected_s + margin_s)),
        sender_name=f"Bastion, {site.name}",
        headline=f"Take cover: {zone.name}",
        description=alert.reason,
        instruction=f"Take cover now in {zone.name} and stay until the all-clear.",
        parameters=_params(alert),
        areas=(CapArea(area_desc=zone.name, polygons=(_ring(zone, site),)),),
    )


def cleared_to_cap(
    cleared: AlertCleared,
    alert: Alert,
    zone: ZoneParams,
    site: Site,
    epoch_utc: datetime,
    sender: str,
) -> CapMessage:
    """The all-clear for `alert`: an Update with responseType AllClear that references it."""
    ref = f"{sender},{_ident(sender, alert.alert_id)},{_time(_at(epoch_utc, alert.t_s))}"
    return CapMessage(
        identifier=_ident(sender, alert.alert_id, "-clear"),
        sender=sender,
        sent=_at(epoch_utc, cleared.t_s),
        status="Actual",
        msg_type="Update",
        scope="Private",
        references=(ref,),
        event="Incoming fire warning",
        categories=("Security",),
        response_types=("AllClear",),
        urgency="Past",
        severity="Minor",
        certainty="Observed",
        sender_name=f"Bastion, {site.name}",
        headline=f"All clear: {zone.name}",
        description=cleared.reason,
        instruction=f"All clear in {zone.name}.",
        parameters=_params(cleared),
        areas=(CapArea(area_desc=zone.name, polygons=(_ring(zone, site),)),),
    )


def _params(rec: Alert | AlertCleared) -> tuple[tuple[str, str], ...]:
    out = [
        ("bastion:record", type(rec).__name__),
        ("bastion:alert_id", str(rec.alert_id)),
        ("bastion:track_id", str(rec.track_id)),
        ("bastion:zone", rec.zone),
        ("bastion:t_s", repr(float(rec.t_s))),
        ("bastion:reason", rec.reason),
    ]
    if isinstance(rec, Alert):
        out.append(("bastion:t_expected_s", repr(float(rec.t_expected_s))))
    return tuple(out)


def cap_to_record(msg: CapMessage) -> Alert | AlertCleared:
    """The Bastion record a message made by `alert_to_cap` / `cleared_to_cap` carries (exact)."""
    p = dict(msg.parameters)
    try:
        kind = p["bastion:record"]
        alert_id, track_id = int(p["bastion:alert_id"]), int(p["bastion:track_id"])
        zone, t_s, reason = p["bastion:zone"], float(p["bastion:t_s"]), p["bastion:reason"]
        if kind == "Alert":
            t_exp = float(p["bastion:t_expected_s"])
            return Alert(
                alert_id=alert_id,
                track_id=track_id,
                zone=zone,
                t_s=t_s,
                t_expected_s=t_exp,
                reason=reason,
            )
    except (KeyError, ValueError) as exc:
        raise DecodeError(f"CAP: no Bastion record in the parameters ({exc})") from None
    if kind != "AlertCleared":
        raise DecodeError(f"CAP: unknown Bastion record {kind!r}")
    return AlertCleared(alert_id=alert_id, track_id=track_id, zone=zone, t_s=t_s, reason=reason)
