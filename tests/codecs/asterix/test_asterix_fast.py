"""The CAT048 fast path (`decode_cat048_fast`) agrees with libasterix (`decode_cat048`) field by field.

On Bastion's encoder output, on a real recording (tests/data/asterix), on generated records over
the whole edition-1.32 UAP (including items the fast path hands to libasterix) and on damaged
blocks: the same plots, or the same `DecodeError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path
from typing import Any

import asterix.generated as gen
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bastion.codecs.asterix.cat048_fast as fast
from bastion.codecs.asterix import Cat048Plot, decode_datagram, encode_cat048, split_datablocks
from bastion.codecs.asterix.cat048 import decode_cat048
from bastion.codecs.pcap import read_capture
from bastion.core.errors import DecodeError

DATA = Path(__file__).resolve().parents[2] / "data" / "asterix" / "cat_034_048.pcap"
NM = 1852.0
FUZZ = settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def outcome(decode: Callable[[bytes], list[Cat048Plot]], payload: bytes) -> object:
    """The plots as tuples (NaN made comparable), or the error's class."""
    try:
        plots = decode(payload)
    except DecodeError:
        return DecodeError
    return [tuple("nan" if v != v else v for v in astuple(p)) for p in plots]


def assert_same(payload: bytes) -> object:
    ref = outcome(decode_cat048, payload)
    assert outcome(fast.decode_cat048_fast, payload) == ref
    return ref


@pytest.fixture
def no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the fast path hands a block to libasterix."""

    def refuse(payload: bytes) -> list[Cat048Plot]:
        raise AssertionError("fell back to libasterix")

    monkeypatch.setattr(fast, "decode_cat048", refuse)


def _random_plots(rng: np.random.Generator, n: int) -> list[Cat048Plot]:
    def maybe(p: float, lo: float, hi: float) -> float:
        return float(rng.uniform(lo, hi)) if rng.random() < p else math.nan

    return [
        Cat048Plot(
            sac=int(rng.integers(0, 256)),
            sic=int(rng.integers(0, 256)),
            tod_s=maybe(0.9, 0.0, 86_399.0),
            range_m=float(rng.uniform(0.0, 250.0 * NM)),
            az_rad=float(rng.uniform(0.0, 2.0 * math.pi)),
            height_m=maybe(0.7, -500.0, 20_000.0),
            flight_level_m=maybe(0.5, -300.0, 15_000.0),
            doppler_mps=maybe(0.5, -500.0, 500.0),
            rcs_m2=maybe(0.5, 1e-4, 10.0),
            simulated=bool(rng.integers(0, 2)),
            detection_type=int(rng.integers(0, 8)),
            track_number=int(rng.integers(-1, 4096)),
            mode3a=int(rng.integers(-1, 0o10000)),
            aircraft_address=int(rng.integers(-1, 2**24)),
        )
        for _ in range(n)
    ]


def test_encoder_output_mixed_layouts(no_fallback: None) -> None:
    plots = _random_plots(np.random.default_rng(7), 300)
    decoded = 0
    for k in range(0, len(plots), 30):
        for _, payload in split_datablocks(encode_cat048(plots[k : k + 30])):
            ref = assert_same(payload)
            assert isinstance(ref, list)
            decoded += len(ref)
    assert decoded == len(plots)


def test_encoder_output_one_layout_is_one_group(no_fallback: None) -> None:
    plots = [
        Cat048Plot(sac=25, sic=1, tod_s=100.0 + i, range_m=5000.0 + 7 * i, az_rad=0.01 * i,
                   height_m=300.0 + i, aircraft_address=i)
        for i in range(50)
    ]  # fmt: skip
    ((_, payload),) = split_datablocks(encode_cat048(plots))
    assert len(fast._groups(payload)) == 1
    ref = assert_same(payload)
    assert isinstance(ref, list) and len(ref) == 50
    assert [p.aircraft_address for p in decode_datagram(encode_cat048(plots))] == list(range(50))


def _real_blocks() -> list[bytes]:
    blocks = []
    for packet in read_capture(DATA.read_bytes()):
        ip = packet.data[14:]  # Ethernet II, then IPv4 (header length from IHL), then UDP (8)
        udp = ip[(ip[0] & 0x0F) * 4 + 8 :]
        try:
            blocks.extend(p for cat, p in split_datablocks(udp) if cat == 48)
        except DecodeError:
            continue  # a packet of the capture that is not ASTERIX
    return blocks


def test_real_recording_agrees() -> None:
    blocks = _real_blocks()
    outcomes = [assert_same(b) for b in blocks]
    plots = [p for o in outcomes if isinstance(o, list) for p in o]
    assert len(blocks) == 86
    assert len(plots) == 120
    assert outcomes.count(DecodeError) == 2  # records without I048/040: refused by both


def test_real_recording_takes_the_fast_path(no_fallback: None) -> None:
    taken = [b for b in _real_blocks() if outcome(decode_cat048, b) is not DecodeError]
    plots = [p for b in taken for p in fast.decode_cat048_fast(b)]
    assert len(plots) == 120
    assert {p.detection_type for p in plots} >= {5}  # Mode S roll-call plots with I048/250 etc.


def test_layout_tables_match_libasterix() -> None:
    items = gen.Cat_048_1_32.cv_record.cv_items_list
    assert gen.Cat_048_1_32.cv_record.cv_fspec_max_bytes == fast.FSPEC_MAX_BYTES
    variation: list[Any] = [i.cv_non_spare.cv_rule.cv_variation for i in items]
    for frn, octets in fast.FIXED_BYTES.items():
        assert variation[frn - 1].cv_bit_size == 8 * octets, frn
    for frn, extents in fast.EXTENDED_MAX_OCTETS.items():
        groups = variation[frn - 1].cv_items_list
        assert len(groups) == extents
        assert all(sum(size for _, size in g[:-1]) == 7 and g[-1] is None for g in groups)
    i130 = variation[fast.COMPOUND_130 - 1]
    assert [n.cv_rule.cv_variation.cv_bit_size for n in i130.cv_items_list] == [8] * 7
    assert variation[fast.REPETITIVE_250 - 1].cv_variation.cv_bit_size == 8 * fast.BDS_BYTES
    cal, rds = variation[fast.COMPOUND_120 - 1].cv_items_list
    assert cal.cv_rule.cv_variation.cv_bit_size == 16
    assert rds.cv_rule.cv_variation.cv_variation.cv_bit_size == 8 * fast.RDS_BYTES


def _fspec(frns: list[int]) -> bytes:
    n = max(1, (max(frns, default=1) + 6) // 7)
    out = bytearray(n)
    for f in frns:
        out[(f - 1) // 7] |= 0x80 >> ((f - 1) % 7)
    for k in range(n - 1):
        out[k] |= 1
    return bytes(out)


@st.composite
def item(draw: st.DrawFn, frn: int) -> bytes:
    """Content of item `frn`, usually well formed, sometimes not."""
    raw = st.binary
    if frn in fast.FIXED_BYTES:
        return draw(raw(min_size=fast.FIXED_BYTES[frn], max_size=fast.FIXED_BYTES[frn]))
    if frn in fast.EXTENDED_MAX_OCTETS:
        n = draw(st.integers(1, fast.EXTENDED_MAX_OCTETS[frn] + 1))
        octets = [b & 0xFE for b in draw(raw(min_size=n, max_size=n))]
        return bytes([b | 1 for b in octets[:-1]] + octets[-1:])
    if frn == fast.COMPOUND_130:
        head = draw(st.integers(0, 255))
        return bytes([head]) + draw(raw(min_size=bin(head >> 1).count("1"), max_size=7))[:7]
    if frn == fast.REPETITIVE_250:
        n = draw(st.integers(0, 3))
        return bytes([n]) + draw(raw(min_size=8 * n, max_size=8 * n))
    if frn == fast.COMPOUND_120:
        head = draw(st.sampled_from([0x80, 0x40, 0xC0, 0x00, 0x81, 0x20]))
        body = draw(raw(min_size=2, max_size=2)) if head & 0x80 else b""
        if head & 0x40:
            n = draw(st.integers(0, 2))
            body += bytes([n]) + draw(raw(min_size=6 * n, max_size=6 * n))
        return bytes([head]) + body
    if frn == fast.EXPLICIT_SP:
        content = draw(st.one_of(raw(max_size=6), st.binary(min_size=4, max_size=4).map(
            lambda b: bytes([0x42]) + b)))  # fmt: skip
        return bytes([len(content) + 1]) + content
    if frn == 16:  # I048/030: FX-repetitive, not on the fast path
        return bytes([draw(st.integers(0, 127)) << 1])
    content = draw(raw(max_size=4))  # FRN 28 RE
    return bytes([len(content) + 1]) + content


@st.composite
def record(draw: st.DrawFn) -> bytes:
    common = [1, 2, 3, 4, 5, 6, 8, 11, 19, 20, 27]
    rare = [7, 9, 10, 12, 13, 14, 15, 17, 18, 21, 22, 23, 24, 25, 26]
    frns = set(draw(st.lists(st.sampled_from(common), max_size=8)))
    frns |= set(draw(st.lists(st.sampled_from([*rare, 16, 28]), max_size=2)))
    if draw(st.booleans()):
        frns |= {1, 4}
    order = sorted(frns)
    return _fspec(order) + b"".join(draw(item(f)) for f in order)


@FUZZ
@given(st.lists(record(), min_size=1, max_size=4), st.lists(st.integers(0, 3), max_size=6))
def test_generated_records_agree(records: list[bytes], repeats: list[int]) -> None:
    block = b"".join(records) + b"".join(records[i % len(records)] for i in repeats)
    assert_same(block)


@FUZZ
@given(st.data())
def test_damaged_blocks_agree(data: st.DataObject) -> None:
    plots = _random_plots(np.random.default_rng(data.draw(st.integers(0, 50))), 4)
    ((_, payload),) = split_datablocks(encode_cat048(plots))
    damaged = bytearray(payload)
    for _ in range(data.draw(st.integers(1, 3))):
        damaged[data.draw(st.integers(0, len(damaged) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(damaged)))
    assert_same(bytes(damaged[:cut]))
    assert_same(bytes(damaged))


def test_signalling_nan_rcs_reads_as_nan(no_fallback: None) -> None:
    fspec = bytes([0x91, 0x01, 0x01, 0x04])  # FRN 1 and 4, FX, FX, FX, then FRN 27 (SP)
    body = bytes([0x19, 0x01]) + bytes([0x10, 0x00, 0x20, 0x00])
    sp = bytes([6, 0x42, 0x7F, 0x80, 0x00, 0x01])
    (plot,) = fast.decode_cat048_fast(fspec + body + sp)
    assert math.isnan(plot.rcs_m2)
    assert_same(fspec + body + sp)
