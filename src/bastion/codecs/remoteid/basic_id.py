"""Basic ID message (type 0x0): who the unmanned aircraft is.

Layout (25 bytes, ASTM F3411-22a Table 4)::

    byte 0      bits 7-4 message type (0x0)  bits 3-0 protocol version
    byte 1      bits 7-4 ID type             bits 3-0 UA type
    bytes 2-21  UAS ID, 20 ASCII characters, NUL padded
    bytes 22-24 reserved

ID type: 0 none, 1 serial number (ANSI/CTA-2063-A), 2 CAA registration ID, 3 UTM assigned UUID,
4 specific session ID. UA type: 0 none, 1 aeroplane, 2 helicopter or multirotor, 3 gyroplane,
4 hybrid lift (VTOL), 5 ornithopter, 6 glider, 7 kite, 8 free balloon, 9 captive balloon,
10 airship, 11 free fall or parachute, 12 rocket, 13 tethered powered aircraft, 14 ground obstacle,
15 other. A pack may carry two Basic ID messages (two ID types).
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.codecs.remoteid._fields import header, text

__all__ = ["BasicId", "decode_basic_id"]

MESSAGE_TYPE = 0x0


@dataclass(frozen=True, slots=True, kw_only=True)
class BasicId:
    """A decoded Basic ID message; `flags` name fields that are not what the standard allows."""

    protocol_version: int
    id_type: int
    ua_type: int
    uas_id: str
    flags: tuple[str, ...] = ()


def decode_basic_id(data: bytes) -> BasicId:
    """Decode one 25-byte Basic ID message; DecodeError if it is not one."""
    version, flags = header(data, MESSAGE_TYPE, "Basic ID")
    uas_id = text(data[2:22], "uas_id", flags)
    if data[1] >> 4 > 4:
        flags.append("id_type_reserved")
    return BasicId(
        protocol_version=version,
        id_type=data[1] >> 4,
        ua_type=data[1] & 0x0F,
        uas_id=uas_id,
        flags=tuple(flags),
    )
