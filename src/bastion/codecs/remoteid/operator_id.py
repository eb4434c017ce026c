"""Operator ID message (type 0x5): the registration of the operator (e.g. a CAA operator number).

Layout (25 bytes, ASTM F3411-22a Table 14)::

    byte 0      bits 7-4 message type (0x5)   bits 3-0 protocol version
    byte 1      operator ID type: 0 operator ID, 1-200 reserved, 201-255 private use
    bytes 2-21  operator ID, 20 ASCII characters, NUL padded
    bytes 22-24 reserved
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.codecs.remoteid._fields import header, text

__all__ = ["OperatorId", "decode_operator_id"]

MESSAGE_TYPE = 0x5


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorId:
    """A decoded Operator ID message."""

    protocol_version: int
    operator_id_type: int
    operator_id: str
    flags: tuple[str, ...] = ()


def decode_operator_id(data: bytes) -> OperatorId:
    """Decode one 25-byte Operator ID message; DecodeError if it is not one."""
    version, flags = header(data, MESSAGE_TYPE, "Operator ID")
    operator_id = text(data[2:22], "operator_id", flags)
    return OperatorId(
        protocol_version=version,
        operator_id_type=data[1],
        operator_id=operator_id,
        flags=tuple(flags),
    )
