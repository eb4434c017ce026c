"""A minimal pure reader of pcap and pcapng captures: bytes in, packets out.

Only what replay and the tests need: no writing, no filters, no options but the timestamp
resolution. Written here because the capture formats are small and stable, and the candidates on
PyPI either pull in a whole packet-dissection stack (scapy) or do file I/O themselves.

pcap (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcap/)::

    global header, 24 bytes: magic 0xA1B2C3D4 (microsecond stamps) or 0xA1B23C4D (nanosecond),
        in the writer's byte order; version 2.4; thiszone; sigfigs; snaplen; link type (uint32)
    each record: ts_sec, ts_frac, captured length, original length (uint32 each), then the bytes

pcapng (https://datatracker.ietf.org/doc/draft-ietf-opsawg-pcapng/)::

    every block: type (uint32), total length (uint32), body, total length again; padded to 4 bytes
    0x0A0D0D0A Section Header: byte-order magic 0x1A2B3C4D, version, section length, options
    0x00000001 Interface Description: link type (uint16), reserved, snaplen, options
               (option 9 if_tsresol: 10^-n seconds, or 2^-n if the top bit is set)
    0x00000006 Enhanced Packet: interface id, timestamp high, low, captured length, original
               length, packet bytes (padded), options
    0x00000003 Simple Packet: original length, packet bytes (no timestamp: t_s is NaN)
    other blocks are skipped.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from typing import Final

from bastion.core.errors import DecodeError

__all__ = ["Packet", "read_capture"]

_PCAP_MAGIC: Final = {0xA1B2C3D4: 1e-6, 0xA1B23C4D: 1e-9}
_SHB: Final = 0x0A0D0D0A
_BYTE_ORDER_MAGIC: Final = 0x1A2B3C4D
_MAX_PACKET: Final = 1 << 18


@dataclass(frozen=True, slots=True, kw_only=True)
class Packet:
    """One captured packet: its 0-based `index` in the file, POSIX time `t_s` (s), `linktype`
    (LINKTYPE_* number), the captured bytes and the original length on the wire."""

    index: int
    t_s: float
    linktype: int
    data: bytes
    orig_len: int


def _truncated(what: str, data: bytes, at: int) -> DecodeError:
    return DecodeError(f"capture: {what} truncated at byte {at}", data=data[at : at + 64])


def _read_pcap(data: bytes) -> list[Packet]:
    for order in ("<", ">"):
        (magic,) = struct.unpack_from(order + "I", data, 0)
        if magic in _PCAP_MAGIC:
            break
    else:  # pragma: no cover - checked by the caller
        raise DecodeError("capture: not pcap", data=data[:24])
    if len(data) < 24:
        raise _truncated("pcap header", data, 0)
    unit = _PCAP_MAGIC[magic]
    linktype = struct.unpack_from(order + "I", data, 20)[0] & 0x0FFFFFFF
    packets: list[Packet] = []
    at = 24
    while at < len(data):
        if at + 16 > len(data):
            raise _truncated("pcap record header", data, at)
        sec, frac, incl, orig = struct.unpack_from(order + "IIII", data, at)
        if incl > _MAX_PACKET or at + 16 + incl > len(data):
            raise _truncated(f"pcap record of {incl} bytes", data, at)
        body = data[at + 16 : at + 16 + incl]
        packets.append(
            Packet(
                index=len(packets),
                t_s=sec + frac * unit,
                linktype=linktype,
                data=body,
                orig_len=orig,
            )
        )
        at += 16 + incl
    return packets


def _tsresol(options: bytes, order: str) -> float:
    at = 0
    while at + 4 <= len(options):
        code, length = struct.unpack_from(order + "HH", options, at)
        if code == 0:
            break
        if code == 9 and length >= 1 and at + 5 <= len(options):
            v = options[at + 4]
            return 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0**-v
        at += 4 + length + (-length % 4)
    return 1e-6


def _read_pcapng(data: bytes) -> list[Packet]:
    packets: list[Packet] = []
    interfaces: list[tuple[int, float]] = []
    order = "<"
    at = 0
    while at < len(data):
        if at + 12 > len(data):
            raise _truncated("pcapng block header", data, at)
        btype = struct.unpack_from("<I", data, at)[0]
        if btype == _SHB:
            if at + 12 > len(data):
                raise _truncated("pcapng section header", data, at)
            magic = struct.unpack_from("<I", data, at + 8)[0]
            if magic == _BYTE_ORDER_MAGIC:
                order = "<"
            elif magic == struct.unpack("<I", struct.pack(">I", _BYTE_ORDER_MAGIC))[0]:
                order = ">"
            else:
                raise DecodeError("capture: bad pcapng byte-order magic", data=data[at : at + 12])
            interfaces = []
        btype, blen = struct.unpack_from(order + "II", data, at)
        if blen < 12 or blen % 4 or at + blen > len(data):
            raise _truncated(f"pcapng block of {blen} bytes", data, at)
        body = data[at + 8 : at + blen - 4]
        if btype == 1:
            if len(body) < 8:
                raise _truncated("pcapng interface block", data, at)
            linktype = struct.unpack_from(order + "H", body, 0)[0]
            interfaces.append((linktype, _tsresol(body[8:], order)))
        elif btype == 6:
            if len(body) < 20:
                raise _truncated("pcapng packet block", data, at)
            iface, hi, lo, incl, orig = struct.unpack_from(order + "IIIII", body, 0)
            if iface >= len(interfaces):
                raise DecodeError(
                    f"capture: packet on undeclared interface {iface}", data=body[:20]
                )
            if 20 + incl > len(body):
                raise _truncated(f"pcapng packet of {incl} bytes", data, at)
            linktype, unit = interfaces[iface]
            packets.append(
                Packet(
                    index=len(packets),
                    t_s=((hi << 32) | lo) * unit,
                    linktype=linktype,
                    data=body[20 : 20 + incl],
                    orig_len=orig,
                )
            )
        elif btype == 3:
            if not interfaces or len(body) < 4:
                raise _truncated("pcapng simple packet block", data, at)
            orig = struct.unpack_from(order + "I", body, 0)[0]
            linktype = interfaces[0][0]
            packets.append(
                Packet(
                    index=len(packets),
                    t_s=math.nan,
                    linktype=linktype,
                    data=body[4 : 4 + min(orig, len(body) - 4)],
                    orig_len=orig,
                )
            )
        at += blen
    return packets


def read_capture(data: bytes) -> list[Packet]:
    """All packets of a pcap or pcapng capture held in `data`; DecodeError if it is neither or
    is cut short."""
    if len(data) >= 4:
        if struct.unpack_from("<I", data, 0)[0] == _SHB:
            return _read_pcapng(data)
        if any(struct.unpack_from(o + "I", data, 0)[0] in _PCAP_MAGIC for o in "<>"):
            return _read_pcap(data)
    raise DecodeError("capture: neither pcap nor pcapng", data=data[:24])
