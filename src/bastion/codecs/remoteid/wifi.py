"""Remote ID over Wi-Fi: beacon vendor element and NAN service discovery frames -> `Broadcast`.

Input is an IEEE 802.11 management frame without radiotap (strip it first: `capture`). Layout::

    802.11 header, 24 bytes: frame control (2, little-endian; type 0 management, subtype 8 beacon or
        13 action), duration (2), DA (6), SA (6) = transmitter, BSSID (6), sequence (2)

    Beacon (ASTM F3411-22a §5.4.7, ASD-STAN prEN 4709-002): 12 fixed bytes (timestamp, interval,
    capability), then information elements (id, length, body); the Remote ID one is
        0xDD len  FA 0B BC  0x0D  counter  message-pack

    NAN service discovery (Wi-Fi Alliance NAN 3.1 §9.5, public action frame)::
        category 0x04, action 0x09, OUI 50 6F 9A, OUI type 0x13, then NAN attributes
        (id 1 byte, length 2 bytes little-endian, body); the Service Descriptor Attribute (id 0x03):
        service ID (6) = 88 69 19 9D 92 09 (hash of "org.opendroneid.remoteid"), instance ID,
        requestor instance ID, service control; if control bit 2 / bit 3: length-prefixed matching
        filter / response filter; if bit 4: service info length, service info = counter + pack

`from_wifi` returns None for a frame that carries no Remote ID (other beacons, NAN sync beacons)
and raises DecodeError for one that carries Remote ID that does not decode.
"""

from __future__ import annotations

from typing import Final

from bastion.codecs.remoteid.broadcast import Broadcast, from_counted_payload, mac
from bastion.core.errors import DecodeError

__all__ = ["NAN_SERVICE_ID", "from_wifi"]

ASD_STAN_OUI: Final = bytes.fromhex("FA0BBC")
ODID_OUI_TYPE: Final = 0x0D
WFA_OUI: Final = bytes.fromhex("506F9A")
NAN_OUI_TYPE: Final = 0x13
NAN_SERVICE_ID: Final = bytes.fromhex("8869199D9209")
_HEADER: Final = 24


def _beacon(frame: bytes, sender: str) -> Broadcast | None:
    at = _HEADER + 12
    while at + 2 <= len(frame):
        eid, length = frame[at], frame[at + 1]
        body = frame[at + 2 : at + 2 + length]
        if eid == 0xDD and body[:3] == ASD_STAN_OUI and body[3:4] == bytes([ODID_OUI_TYPE]):
            if len(body) < length:
                raise DecodeError("Remote ID beacon: vendor element cut short", data=body)
            return from_counted_payload(body[4:], transport="wifi_beacon", sender=sender)
        at += 2 + length
    return None


def _service_info(sda: bytes) -> bytes | None:
    """The service info of a Service Descriptor Attribute body, None if it carries none."""
    if len(sda) < 9:
        raise DecodeError("Remote ID NAN: service descriptor cut short", data=sda)
    control = sda[8]
    at = 9
    for bit in (0x04, 0x08):  # matching filter, service response filter
        if control & bit:
            if at >= len(sda):
                raise DecodeError("Remote ID NAN: service descriptor cut short", data=sda)
            at += 1 + sda[at]
    if not control & 0x10:
        return None
    if at >= len(sda) or at + 1 + sda[at] > len(sda):
        raise DecodeError("Remote ID NAN: service info cut short", data=sda)
    return sda[at + 1 : at + 1 + sda[at]]


def _nan(frame: bytes, sender: str) -> Broadcast | None:
    head = frame[_HEADER : _HEADER + 6]
    if head != bytes([0x04, 0x09]) + WFA_OUI + bytes([NAN_OUI_TYPE]):
        return None
    at = _HEADER + 6
    while at + 3 <= len(frame):
        aid = frame[at]
        length = int.from_bytes(frame[at + 1 : at + 3], "little")
        body = frame[at + 3 : at + 3 + length]
        if aid == 0x03 and body[:6] == NAN_SERVICE_ID:
            if len(body) < length:
                raise DecodeError("Remote ID NAN: attribute cut short", data=body)
            info = _service_info(body)
            if info is None:
                return None
            return from_counted_payload(info, transport="wifi_nan", sender=sender)
        at += 3 + length
    return None


def from_wifi(frame: bytes) -> Broadcast | None:
    """The Remote ID broadcast in an 802.11 management frame; None if it carries none."""
    if len(frame) < _HEADER:
        return None
    fc = int.from_bytes(frame[:2], "little")
    if (fc >> 2) & 0x3 != 0:
        return None
    subtype = (fc >> 4) & 0xF
    sender = mac(frame[10:16])
    if subtype == 8:
        return _beacon(frame, sender)
    if subtype == 13:
        return _nan(frame, sender)
    return None
