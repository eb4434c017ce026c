"""The minimal capture reader: pcap (both byte orders, micro- and nanosecond stamps) and pcapng
(interfaces, if_tsresol, enhanced and simple packets); anything else is a DecodeError."""

from __future__ import annotations

import math
import struct

import pytest

from bastion.codecs.pcap import read_capture
from bastion.core.errors import DecodeError


def _pcap(
    order: str, magic: int, records: list[tuple[int, int, bytes]], linktype: int = 127
) -> bytes:
    out = struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for sec, frac, body in records:
        out += struct.pack(order + "IIII", sec, frac, len(body), len(body)) + body
    return out


def _block(btype: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


@pytest.mark.parametrize("order", ["<", ">"])
def test_pcap_micro_and_nano(order: str) -> None:
    micro = read_capture(_pcap(order, 0xA1B2C3D4, [(10, 500_000, b"ab"), (11, 0, b"")]))
    assert [(p.index, p.t_s, p.data, p.linktype) for p in micro] == [
        (0, 10.5, b"ab", 127),
        (1, 11.0, b"", 127),
    ]
    nano = read_capture(_pcap(order, 0xA1B23C4D, [(10, 250_000_000, b"x")], linktype=272))
    assert (nano[0].t_s, nano[0].linktype) == (10.25, 272)


def test_pcapng_interfaces_resolution_and_simple_packets() -> None:
    shb = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    tsresol_ns = struct.pack("<HHB", 9, 1, 9) + b"\x00" * 3 + struct.pack("<HH", 0, 0)
    idb0 = _block(1, struct.pack("<HHI", 272, 0, 0))
    idb1 = _block(1, struct.pack("<HHI", 105, 0, 0) + tsresol_ns)
    stamp = 1_500_000_000_000_000_000
    epb = _block(6, struct.pack("<IIIII", 1, stamp >> 32, stamp & 0xFFFFFFFF, 3, 3) + b"abc")
    spb = _block(3, struct.pack("<I", 2) + b"zz")
    other = _block(5, b"stats")
    packets = read_capture(shb + idb0 + idb1 + epb + other + spb)
    assert [(p.linktype, p.data) for p in packets] == [(105, b"abc"), (272, b"zz")]
    assert packets[0].t_s == pytest.approx(1.5e9)
    assert math.isnan(packets[1].t_s)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 24,
        _pcap("<", 0xA1B2C3D4, [(0, 0, b"abcd")])[:-1],
        b"\x0a\x0d\x0d\x0a" + b"\x00" * 8,
    ],
)
def test_not_a_capture_or_cut_short(data: bytes) -> None:
    with pytest.raises(DecodeError):
        read_capture(data)
