"""Bad input on the SAPIENT decoders: only `DecodeError` escapes, and the node always answers."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.codecs.sapient import FusionNode, decode_message, parse_frames
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import DecodeError
from bastion.core.geo import Site

FUZZ = settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
NODE = FusionNode(
    node_id="0b6c7a52-2f4e-4c1d-9a3b-5e6f7a8b9c0d",
    site=Site(name="s", lat_rad=0.9, lon_rad=0.0),
    epoch=RunEpoch(utc_at_zero_s=0.0),
)


@FUZZ
@given(st.binary(max_size=400))
def test_garbage_payloads(data: bytes) -> None:
    try:
        decode_message(data)
    except DecodeError as exc:
        assert exc.data == data
    out = NODE.handle(data, received_utc_s=1.0)
    assert out.records or out.replies
    assert all(r.HasField("error") for r in out.replies)


@FUZZ
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=1 << 20))
def test_garbage_streams(data: bytes, limit: int) -> None:
    try:
        payloads, rest = parse_frames(data, max_message_bytes=limit)
    except DecodeError as exc:
        assert len(exc.data) == 4
    else:
        assert sum(len(p) + 4 for p in payloads) + len(rest) == len(data)
        assert all(len(p) <= limit for p in payloads)


def test_oversized_frame_header_is_refused_whatever_follows() -> None:
    for announced in (2**32 - 1, 2**31, 1_048_577):
        try:
            parse_frames(announced.to_bytes(4, "little") + b"\x00" * 10)
        except DecodeError as exc:
            assert f"{announced} bytes" in str(exc)
        else:
            raise AssertionError("oversized frame accepted")
