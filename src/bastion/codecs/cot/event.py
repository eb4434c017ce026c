"""Cursor on Target (CoT) events as XML: one `CotEvent` record, encoded and decoded strictly.

Layout (CoT base schema, event version 2.0)::

    <event version="2.0" uid="..." type="a-h-A-M-F-Q" how="m-f"
           time="2024-01-02T03:04:05.678Z" start="..." stale="...">
      <point lat="33.78" lon="42.44" hae="310.0" ce="12.0" le="12.0"/>   degrees WGS-84, metres
      <detail>
        <contact callsign="..."/>                    optional
        <track course="270.0" speed="45.0"/>         optional: degrees true, metres per second
        <remarks>...</remarks>                       optional
      </detail>
    </event>

`hae` is height above the WGS-84 ellipsoid, `ce`/`le` the circular and linear (vertical) errors in
metres (9999999.0 means unknown, as in CoT). Times are ISO 8601 UTC.

Decoding is strict: the stdlib expat parser (well-formedness), no DTD or entity declarations at all
(refused before parsing: no entity expansion attacks), a size limit, the mandatory attributes, and
numbers in range; every failure is a `DecodeError` carrying the bytes. `parse_xml_stream` splits
concatenated documents (a TCP XML stream or a file of events) without a socket.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime

from bastion.core.errors import DecodeError

UNKNOWN_ERROR_M = 9_999_999.0
MAX_EVENT_BYTES = 65_536
_END = b"</event>"


@dataclass(frozen=True, slots=True, kw_only=True)
class CotEvent:
    """One CoT event. Times are POSIX UTC seconds; position WGS-84 degrees and metres."""

    uid: str
    type: str
    how: str
    time_utc_s: float
    start_utc_s: float
    stale_utc_s: float
    lat_deg: float
    lon_deg: float
    hae_m: float
    ce_m: float = UNKNOWN_ERROR_M
    le_m: float = UNKNOWN_ERROR_M
    callsign: str = ""
    course_deg: float = math.nan
    speed_mps: float = math.nan
    remarks: str = ""


def iso8601(utc_s: float) -> str:
    """POSIX seconds as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""
    ms = round(utc_s * 1000.0)
    return (
        datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        + f".{ms % 1000:03d}Z"
    )


def parse_iso8601(text: str) -> float:
    """ISO 8601 UTC (``Z`` or ``+00:00``) to POSIX seconds; `ValueError` otherwise."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None or value.utcoffset() is None or value.utcoffset().total_seconds() != 0:  # type: ignore[union-attr]
        raise ValueError(f"time {text!r} is not UTC")
    return value.timestamp()


def _num(value: float) -> str:
    return repr(float(value))


def encode_xml(event: CotEvent) -> bytes:
    """One CoT event as a UTF-8 XML document (with declaration)."""
    root = ET.Element(
        "event",
        {
            "version": "2.0",
            "uid": event.uid,
            "type": event.type,
            "how": event.how,
            "time": iso8601(event.time_utc_s),
            "start": iso8601(event.start_utc_s),
            "stale": iso8601(event.stale_utc_s),
        },
    )
    ET.SubElement(
        root,
        "point",
        {
            "lat": _num(event.lat_deg),
            "lon": _num(event.lon_deg),
            "hae": _num(event.hae_m),
            "ce": _num(event.ce_m),
            "le": _num(event.le_m),
        },
    )
    detail = ET.SubElement(root, "detail")
    if event.callsign:
        ET.SubElement(detail, "contact", {"callsign": event.callsign})
    if math.isfinite(event.course_deg) and math.isfinite(event.speed_mps):
        ET.SubElement(
            detail, "track", {"course": _num(event.course_deg), "speed": _num(event.speed_mps)}
        )
    if event.remarks:
        ET.SubElement(detail, "remarks").text = event.remarks
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body + b"\n"


def _float(el: ET.Element, name: str, low: float, high: float, data: bytes) -> float:
    raw = el.get(name)
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise DecodeError(
            f"CoT <{el.tag}> {name}={raw!r}: need a number in [{low}, {high}]", data=data
        )
    return value


def decode_xml(data: bytes, *, max_bytes: int = MAX_EVENT_BYTES) -> CotEvent:
    """Parse one CoT XML document. Raises `DecodeError` on anything malformed or out of range."""
    data = bytes(data)
    if len(data) > max_bytes:
        raise DecodeError(f"CoT document of {len(data)} bytes exceeds {max_bytes}", data=data[:256])
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise DecodeError("CoT document declares a DTD or entities (refused)", data=data)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DecodeError(f"CoT XML is not well-formed: {exc}", data=data) from exc
    if root.tag != "event":
        raise DecodeError(f"CoT root element is <{root.tag}>, not <event>", data=data)
    missing = [a for a in ("uid", "type", "time", "start", "stale") if not root.get(a)]
    point = root.find("point")
    if missing or point is None:
        what = ", ".join(missing + ([] if point is not None else ["<point>"]))
        raise DecodeError(f"CoT event lacks {what}", data=data)
    try:
        times = [parse_iso8601(root.get(a, "")) for a in ("time", "start", "stale")]
    except (ValueError, OverflowError) as exc:
        raise DecodeError(f"CoT event time does not parse: {exc}", data=data) from exc
    detail = root.find("detail")
    contact = detail.find("contact") if detail is not None else None
    track = detail.find("track") if detail is not None else None
    remarks = detail.find("remarks") if detail is not None else None
    return CotEvent(
        uid=root.get("uid", ""),
        type=root.get("type", ""),
        how=root.get("how", ""),
        time_utc_s=times[0],
        start_utc_s=times[1],
        stale_utc_s=times[2],
        lat_deg=_float(point, "lat", -90.0, 90.0, data),
        lon_deg=_float(point, "lon", -180.0, 180.0, data),
        hae_m=_float(point, "hae", -1e7, 1e8, data),
        ce_m=_float(point, "ce", 0.0, 1e8, data),
        le_m=_float(point, "le", 0.0, 1e8, data),
        callsign=(contact.get("callsign") or "") if contact is not None else "",
        course_deg=_float(track, "course", -360.0, 360.0, data) if track is not None else math.nan,
        speed_mps=_float(track, "speed", 0.0, 1e5, data) if track is not None else math.nan,
        remarks=(remarks.text or "") if remarks is not None else "",
    )


def parse_xml_stream(
    buf: bytes, *, max_bytes: int = MAX_EVENT_BYTES
) -> tuple[list[CotEvent], bytes]:
    """Split concatenated CoT documents: complete events and the unconsumed remainder.

    Raises `DecodeError` when a document is malformed or when no ``</event>`` has come within
    `max_bytes` (a peer streaming an endless document is refused, not buffered).
    """
    events: list[CotEvent] = []
    pos = 0
    while True:
        end = buf.find(_END, pos)
        if end < 0:
            rest = buf[pos:]
            if len(rest) > max_bytes:
                raise DecodeError(f"no </event> within {max_bytes} bytes", data=rest[:256])
            return events, rest if rest.strip() else b""
        stop = end + len(_END)
        events.append(decode_xml(buf[pos:stop].strip(), max_bytes=max_bytes))
        pos = stop
