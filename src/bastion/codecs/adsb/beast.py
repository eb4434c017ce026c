"""Beast binary frames (Mode-S Beast / dump1090 / readsb port 30005) <-> `BeastFrame`, pure.

Layout of one frame on the wire::

    0x1A  type  timestamp (6 bytes)  signal (1 byte)  payload
          '1' (0x31) Mode A/C       payload 2 bytes
          '2' (0x32) Mode S short   payload 7 bytes (56 bits)
          '3' (0x33) Mode S long    payload 14 bytes (112 bits)

The timestamp is a free-running 48-bit big-endian counter of the receiver's 12 MHz clock (MLAT
ticks); signal is the RSSI byte (0-255, amplitude, dBFS = 20 log10(signal / 255)). Every 0x1A byte
inside timestamp, signal or payload is sent twice (0x1A 0x1A); an unescaped 0x1A starts a frame.

`parse(buf) -> (items, remainder)` takes whatever bytes have arrived and returns the frames it
completed, in order, with a `DecodeError` (carrying the offending bytes) in place of each run of
bytes that is not a frame (garbage between frames, an unknown type byte, a frame cut short by the
next marker), and the remainder: the bytes of a frame cut at the end of `buf`, to be prepended to
the next read. It never raises and never reads a socket.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from bastion.core.errors import DecodeError

__all__ = ["ESC", "KINDS", "TICKS_PER_S", "BeastFrame", "encode", "parse"]

ESC: Final = 0x1A
TICKS_PER_S: Final = 12_000_000.0
KINDS: Final[dict[int, tuple[str, int]]] = {
    0x31: ("mode_ac", 2),
    0x32: ("mode_s_short", 7),
    0x33: ("mode_s_long", 14),
}
"""Type byte -> (kind, payload length in bytes)."""
_TYPE_OF: Final = {kind: (code, n) for code, (kind, n) in KINDS.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class BeastFrame:
    """One received frame: `kind` ("mode_ac", "mode_s_short", "mode_s_long"), the 48-bit 12 MHz
    `timestamp_ticks`, the RSSI byte `signal` and the unescaped payload `data`."""

    kind: str
    timestamp_ticks: int
    signal: int
    data: bytes

    @property
    def timestamp_s(self) -> float:
        """Receiver clock in seconds (arbitrary epoch; wraps after 2^48 ticks, about 270 days)."""
        return self.timestamp_ticks / TICKS_PER_S

    @property
    def rssi_dbfs(self) -> float:
        """Signal level in dB relative to full scale (-inf for 0)."""
        return 20.0 * math.log10(self.signal / 255.0) if self.signal else -math.inf


def encode(frame: BeastFrame) -> bytes:
    """The wire bytes of `frame`, with 0x1A escaped (the inverse of `parse`)."""
    code, n = _TYPE_OF[frame.kind]
    if (
        len(frame.data) != n
        or not 0 <= frame.timestamp_ticks < 1 << 48
        or not 0 <= frame.signal < 256
    ):
        raise ValueError(f"frame does not fit its kind: {frame}")
    body = frame.timestamp_ticks.to_bytes(6, "big") + bytes([frame.signal]) + frame.data
    return bytes([ESC, code]) + body.replace(b"\x1a", b"\x1a\x1a")


def _unescape(buf: bytes, start: int, need: int) -> tuple[bytearray, int]:
    """Read up to `need` unescaped body bytes from `buf[start:]`; return them and the next index.

    Stops early at the end of `buf`, at a dangling final 0x1A, or at an unescaped 0x1A (the next
    frame's marker), leaving the index on it.
    """
    body = bytearray()
    k = start
    n = len(buf)
    while len(body) < need and k < n:
        b = buf[k]
        if b == ESC:
            if k + 1 >= n or buf[k + 1] != ESC:
                break
            k += 1
        body.append(b)
        k += 1
    return body, k


def parse(buf: bytes) -> tuple[list[BeastFrame | DecodeError], bytes]:
    """Split `buf` into frames (and DecodeErrors for bytes that are not frames) plus a remainder."""
    items: list[BeastFrame | DecodeError] = []
    n = len(buf)
    i = 0
    while i < n:
        j = buf.find(ESC, i)
        if j < 0:
            items.append(DecodeError(f"Beast: {n - i} bytes outside any frame", data=buf[i:]))
            return items, b""
        if j > i:
            items.append(DecodeError(f"Beast: {j - i} bytes outside any frame", data=buf[i:j]))
        if j + 1 >= n:
            return items, buf[j:]
        kind = KINDS.get(buf[j + 1])
        if kind is None:
            k = buf.find(ESC, j + 2)
            end = n if k < 0 else k
            what = (
                "escaped 0x1A outside a frame" if buf[j + 1] == ESC else f"type 0x{buf[j + 1]:02X}"
            )
            items.append(DecodeError(f"Beast: unknown frame ({what})", data=buf[j:end]))
            i = end
            continue
        name, length = kind
        body, k = _unescape(buf, j + 2, 7 + length)
        if len(body) == 7 + length:
            items.append(
                BeastFrame(
                    kind=name,
                    timestamp_ticks=int.from_bytes(body[:6], "big"),
                    signal=body[6],
                    data=bytes(body[7:]),
                )
            )
            i = k
        elif k >= n - 1:
            return items, buf[j:]
        else:
            items.append(DecodeError("Beast: frame cut short by the next frame", data=buf[j:k]))
            i = k
    return items, b""
