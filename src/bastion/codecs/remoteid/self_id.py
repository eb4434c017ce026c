"""Self-ID message (type 0x3): the operator's free-text declaration of the flight's purpose.

Layout (25 bytes, ASTM F3411-22a Table 10)::

    byte 0      bits 7-4 message type (0x3)   bits 3-0 protocol version
    byte 1      description type: 0 text, 1 emergency, 2 extended status, 3-200 reserved,
                201-255 private use
    bytes 2-24  description, 23 ASCII characters, NUL padded
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.codecs.remoteid._fields import header, text

__all__ = ["SelfId", "decode_self_id"]

MESSAGE_TYPE = 0x3


@dataclass(frozen=True, slots=True, kw_only=True)
class SelfId:
    """A decoded Self-ID message (free text, never evidence of anything)."""

    protocol_version: int
    description_type: int
    description: str
    flags: tuple[str, ...] = ()


def decode_self_id(data: bytes) -> SelfId:
    """Decode one 25-byte Self-ID message; DecodeError if it is not one."""
    version, flags = header(data, MESSAGE_TYPE, "Self-ID")
    description = text(data[2:25], "description", flags)
    return SelfId(
        protocol_version=version,
        description_type=data[1],
        description=description,
        flags=tuple(flags),
    )
