"""Bad input on every ADS-B decoder: only DecodeError ever escapes, and the feeds keep counting."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.codecs.adsb import AircraftTracker, address, decode, parse, parse_line
from bastion.codecs.adsb.beast import BeastFrame, encode
from bastion.codecs.adsb.crc import residual
from bastion.core.errors import DecodeError
from bastion.core.geo import Site

SITE = Site(name="s", lat_rad=0.87, lon_rad=0.12)
VALID = [
    bytes.fromhex(h)
    for h in (
        "8D406B902015A678D4D220AA4BDA",
        "8D40058B58C901375147EFD09357",
        "8D485020994409940838175B284F",
        "903A23FF426A38565950432EBF95",
        "8DA05629EA21485CBF3F8CADAEEB",
        "20001718029FCD",
        "A0001838201584F23468207CDFA5",
    )
]
SBS = "MSG,3,1,1,4CA2D6,1,2016/03/15,10:00:00.000,2016/03/15,10:00:00.000,,35000,,,53.1,-2.1,,,0,0,0,0"


def _only_decode_errors(fn: object, *args: object) -> None:
    try:
        fn(*args)  # type: ignore[operator]
    except DecodeError as err:
        assert isinstance(err.data, bytes)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=40))
def test_random_bytes_decode_or_raise_decode_error(data: bytes) -> None:
    _only_decode_errors(decode, data)
    _only_decode_errors(address, data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID), st.integers(0, 13), st.integers(1, 30))
def test_truncated_and_oversized_frames_raise_decode_error(
    frame: bytes, cut: int, extra: int
) -> None:
    for bad in (frame[: min(cut, len(frame) - 1)], frame + bytes(extra)):
        try:
            decode(bad)
        except DecodeError as err:
            assert err.data == bad
        else:
            raise AssertionError(f"{bad.hex()} decoded")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID[:5]), st.integers(40, 111), st.data())
def test_wrong_crc_extended_squitter_is_refused(
    frame: bytes, bit: int, data: st.DataObject
) -> None:
    bad = bytearray(frame)
    bad[bit // 8] ^= 0x80 >> (bit % 8)
    assert residual(bytes(bad)) != 0
    try:
        decode(bytes(bad))
    except DecodeError as err:
        assert "CRC" in str(err)
    else:
        raise AssertionError("a wrong-CRC frame decoded")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_random_sbs_lines_raise_only_decode_error(line: str | bytes) -> None:
    _only_decode_errors(parse_line, line)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 21), st.text(alphabet=",-.0123456789ABCDEFMSG~/: x", max_size=12), st.booleans()
)
def test_sbs_field_mutations_raise_only_decode_error(index: int, value: str, drop: bool) -> None:
    fields = SBS.split(",")
    if drop:
        del fields[index]
    else:
        fields[index] = value
    _only_decode_errors(parse_line, ",".join(fields))


frames = st.builds(
    BeastFrame,
    kind=st.sampled_from(["mode_ac", "mode_s_short", "mode_s_long"]),
    timestamp_ticks=st.integers(0, 2**48 - 1),
    signal=st.integers(0, 255),
    data=st.just(b""),
).flatmap(
    lambda f: st.binary(
        min_size={"mode_ac": 2, "mode_s_short": 7, "mode_s_long": 14}[f.kind],
        max_size={"mode_ac": 2, "mode_s_short": 7, "mode_s_long": 14}[f.kind],
    ).map(
        lambda d: BeastFrame(
            kind=f.kind, timestamp_ticks=f.timestamp_ticks, signal=f.signal, data=d
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(st.lists(frames, max_size=8), st.data())
def test_beast_stream_cut_anywhere_parses_to_the_same_frames(
    sent: list[BeastFrame], data: st.DataObject
) -> None:
    wire = b"".join(encode(f) for f in sent)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(wire)), max_size=4)))
    got: list[object] = []
    rest = b""
    for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True):
        items, rest = parse(rest + wire[a:b])
        got.extend(items)
    assert got == sent
    assert rest == b""


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=120))
def test_beast_parse_never_raises_and_loses_no_byte(buf: bytes) -> None:
    items, rest = parse(buf)
    assert len(rest) <= 2 * (2 + 7 + 14)
    pieces = [encode(i) if isinstance(i, BeastFrame) else i.data for i in items]
    assert b"".join(pieces) + rest == buf


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.binary(max_size=60)
        | st.sampled_from(
            [
                encode(BeastFrame(kind="mode_s_long", timestamp_ticks=0, signal=1, data=f))
                for f in VALID[:5]
            ]
        ),
        max_size=10,
    )
)
def test_tracker_beast_feed_survives_anything(chunks: list[bytes]) -> None:
    tracker = AircraftTracker(SITE)
    for i, chunk in enumerate(chunks):
        tracker.feed_beast(chunk, float(i))
    assert tracker.counts["decode_errors"] >= len(tracker.rejected)


def _field(low: float, high: float) -> st.SearchStrategy[str]:
    return st.just("") | st.floats(low, high, allow_nan=False).map(lambda v: f"{v:.4f}")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("1234"),
            _field(-1000, 60000),
            _field(0, 2000),
            _field(0, 360),
            _field(-90, 90),
            _field(-180, 180),
            _field(-6000, 6000),
        ),
        max_size=12,
    )
)
def test_every_report_is_finite(rows: list[tuple[str, ...]]) -> None:
    tracker = AircraftTracker(SITE)
    for i, (kind, alt, gs, trk, lat, lon, vr) in enumerate(rows):
        line = f"MSG,{kind},1,1,ABCDEF,1,,,,,,{alt},{gs},{trk},{lat},{lon},{vr},,0,0,0,0"
        report = tracker.feed_sbs(line, float(i))
        if report is not None:
            values = [*report.position_m, *report.velocity_mps]
            assert all(math.isfinite(v) for v in values), report
