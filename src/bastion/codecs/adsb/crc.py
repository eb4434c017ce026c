"""Mode S parity: the CRC-24 of ICAO Annex 10 Vol IV §3.1.2.3.3, and the frame checks built on it.

Layout of a Mode S reply (bit 1 is the most significant bit of byte 0)::

    bits 1-5      DF   downlink format; DF 0-15 are 56 bits long, DF 16-31 are 112 bits long
    bits 6-32/88  the format's fields (for DF 11/17/18 bits 9-32 hold the 24-bit ICAO address AA)
    last 24 bits  parity: PI (DF 11/17/18) or AP (address/parity: DF 0/4/5/16/20/21/24)

The parity is the remainder of the message's data bits divided by the generator polynomial
G(x) = x^24 + x^23 + ... + x^10 + x^3 + 1 (0x1FFF409), MSB first, initial value 0, no reflection.

- DF 17/18 (extended squitter): PI is the plain CRC, so the residual (CRC of the data bits XOR the
  parity field) is 0 for an intact frame. This is checked: a non-zero residual is a wrong-CRC frame.
- DF 11 (all-call reply): PI is the CRC XOR the interrogator code (II/SI, at most 7 bits), so the
  residual's top 17 bits must be 0.
- DF 0/4/5/16/20/21/24: AP is the CRC XOR the aircraft address, so the residual IS the address; it
  cannot be verified from the frame alone (a corrupted frame yields a wrong address).

Written here (not taken from pyModeS) because it is a few lines, cheap, pure, and must run before
the optional GPL decoder is even imported: wrong-CRC frames are dropped at the door.
"""

from __future__ import annotations

from typing import Final

from bastion.core.errors import DecodeError

__all__ = ["address", "crc24", "downlink_format", "frame_length", "residual"]

_GENERATOR: Final = 0xFFF409
"""G(x) without its x^24 term."""


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 16
        for _ in range(8):
            crc = ((crc << 1) ^ _GENERATOR) if crc & 0x800000 else crc << 1
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_TABLE: Final = _make_table()

_SHORT_DF: Final = frozenset({0, 4, 5, 11})
"""Downlink formats of 56-bit replies that Bastion accepts."""
_LONG_DF: Final = frozenset({16, 17, 18, 20, 21, 24})
"""Downlink formats of 112-bit replies that Bastion accepts (24 stands for Comm-D, DF 24-31)."""


def crc24(data: bytes) -> int:
    """The 24-bit Mode S CRC of `data` (all bits are data bits)."""
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ _TABLE[((crc >> 16) ^ b) & 0xFF]
    return crc


def residual(frame: bytes) -> int:
    """CRC of the data bits XOR the frame's last 24 bits: 0 for an intact DF 17/18 frame."""
    return crc24(frame[:-3]) ^ int.from_bytes(frame[-3:], "big")


def downlink_format(frame: bytes) -> int:
    """The DF field (first 5 bits), with DF 24-31 folded to 24 (Comm-D); DecodeError if empty."""
    if not frame:
        raise DecodeError("empty Mode S frame", data=frame)
    df = frame[0] >> 3
    return 24 if df >= 24 else df


def frame_length(df: int) -> int:
    """Length in bytes of a reply with downlink format `df` (7 or 14)."""
    return 7 if df < 16 else 14


def address(frame: bytes) -> str:
    """Check a Mode S frame's length and parity; return its ICAO address as 6 upper-case hex digits.

    Raises DecodeError for an unsupported downlink format, a length that does not fit the format,
    a DF 17/18 frame with a non-zero residual or a DF 11 frame whose residual exceeds 7 bits.
    For DF 0/4/5/16/20/21/24 the address is recovered from the AP field (not verifiable).
    """
    df = downlink_format(frame)
    if df not in _SHORT_DF and df not in _LONG_DF:
        raise DecodeError(f"Mode S: unsupported downlink format {df}", data=frame)
    if len(frame) != frame_length(df):
        raise DecodeError(
            f"Mode S DF {df}: {len(frame)} bytes, expected {frame_length(df)}", data=frame
        )
    rem = residual(frame)
    if df in (17, 18):
        if rem:
            raise DecodeError(f"Mode S DF {df}: CRC mismatch (residual {rem:06X})", data=frame)
        return frame[1:4].hex().upper()
    if df == 11:
        if rem & 0xFFFF80:
            raise DecodeError(f"Mode S DF 11: CRC mismatch (residual {rem:06X})", data=frame)
        return frame[1:4].hex().upper()
    return f"{rem:06X}"
