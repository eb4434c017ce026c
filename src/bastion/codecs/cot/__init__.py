"""Cursor on Target (CoT) out: tracks and alerts as CoT XML and TAK protocol v1 protobuf.

track_to_event(track, site=..., epoch=..., identity=...) -> CotEvent
tracks_to_events(tracks, identities, site=..., epoch=..., geodetic=...) -> [CotEvent]  (vectorised)
alert_to_event(alert, site=..., epoch=..., zone_lat_deg=..., zone_lon_deg=...) -> CotEvent
encode_xml(event) -> bytes          decode_xml(bytes) -> CotEvent
parse_xml_stream(buf) -> (events, remainder)
encode_mesh / encode_stream(event) -> bytes   decode_mesh(bytes) / parse_stream(buf)
encode_mesh_many / encode_stream_many(events) -> [bytes]  (many at once, faster)
cot_type(threat_class, affiliation) -> "a-h-A-M-F-Q", ...
"""

from __future__ import annotations

from bastion.codecs.cot.convert import (
    alert_to_event,
    track_to_event,
    track_uid,
    tracks_to_events,
)
from bastion.codecs.cot.event import (
    MAX_EVENT_BYTES,
    CotEvent,
    decode_xml,
    encode_xml,
    iso8601,
    parse_iso8601,
    parse_xml_stream,
)
from bastion.codecs.cot.tak import (
    decode_mesh,
    encode_mesh,
    encode_mesh_many,
    encode_stream,
    encode_stream_many,
    from_tak_message,
    parse_stream,
    to_tak_message,
)
from bastion.codecs.cot.types import ALERT_TYPE, cot_type

__all__ = [
    "ALERT_TYPE",
    "MAX_EVENT_BYTES",
    "CotEvent",
    "alert_to_event",
    "cot_type",
    "decode_mesh",
    "decode_xml",
    "encode_mesh",
    "encode_mesh_many",
    "encode_stream",
    "encode_stream_many",
    "encode_xml",
    "from_tak_message",
    "iso8601",
    "parse_iso8601",
    "parse_stream",
    "parse_xml_stream",
    "to_tak_message",
    "track_to_event",
    "track_uid",
    "tracks_to_events",
]
