"""Field codecs shared by the Remote ID message modules (ASTM F3411-22a §5.4.5 encodings).

Every message is 25 bytes; byte 0 is the header: message type in bits 7-4, protocol version in
bits 3-0 (0: F3411-19, 1: F3411-20, 2: F3411-22a). Multi-byte integers are little-endian.
"""

from __future__ import annotations

import math
import string
from typing import Final

from bastion.core.errors import DecodeError

MESSAGE_SIZE: Final = 25
KNOWN_VERSIONS: Final = frozenset({0, 1, 2})
_PRINTABLE: Final = frozenset(string.printable.encode("ascii")) - frozenset(b"\t\n\r\x0b\x0c")

ALT_UNKNOWN_M: Final = -1000.0
"""Encoded altitude 0 (`-1000 m`) means unknown."""


def header(data: bytes, message_type: int, name: str) -> tuple[int, list[str]]:
    """Check length and type of one message; return (protocol version, flags)."""
    if len(data) != MESSAGE_SIZE:
        raise DecodeError(
            f"Remote ID {name}: {len(data)} bytes, expected {MESSAGE_SIZE}", data=data
        )
    if data[0] >> 4 != message_type:
        raise DecodeError(
            f"Remote ID {name}: message type {data[0] >> 4}, expected {message_type}", data=data
        )
    version = data[0] & 0x0F
    flags = [] if version in KNOWN_VERSIONS else ["protocol_version_unknown"]
    return version, flags


def text(raw: bytes, name: str, flags: list[str]) -> str:
    """A NUL-padded text field: the bytes before the first NUL, one character per byte (Latin-1,
    as the reference decoder copies them); flags ``<name>_not_printable`` if not printable ASCII."""
    value = raw.split(b"\x00", 1)[0]
    if not set(value) <= _PRINTABLE:
        flags.append(f"{name}_not_printable")
    return value.decode("latin-1")


def u16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 2], "little")


def u32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little")


def i32(data: bytes, at: int) -> int:
    return int.from_bytes(data[at : at + 4], "little", signed=True)


def altitude_m(encoded: int) -> float | None:
    """Encoded altitude (0.5 m steps from -1000 m) in metres; None for 0 (unknown)."""
    value = encoded * 0.5 - 1000.0
    return None if value == ALT_UNKNOWN_M else value


def latlon_rad(encoded: int, limit_deg: float, name: str, flags: list[str]) -> float:
    """Encoded latitude/longitude (1e-7 degree) in radians; flags ``<name>_out_of_range`` beyond
    +-`limit_deg` (the value is kept: the reference decoder keeps it too)."""
    deg = encoded / 1e7
    if abs(deg) > limit_deg:
        flags.append(f"{name}_out_of_range")
    return math.radians(deg)
