"""SAPIENT TCP framing: 4-byte little-endian length prefix, pure parser, bounded message size."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.codecs.sapient import frame, parse_frames
from bastion.core.errors import DecodeError


def test_frame_is_length_little_endian_then_payload() -> None:
    assert frame(b"abc") == b"\x03\x00\x00\x00abc"
    assert frame(b"") == b"\x00\x00\x00\x00"


@settings(derandomize=True, max_examples=200)
@given(st.lists(st.binary(max_size=300), max_size=8), st.lists(st.integers(1, 64), min_size=1))
def test_any_chunking_gives_back_the_same_messages(messages: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(frame(m) for m in messages)
    got: list[bytes] = []
    buf = b""
    pos = 0
    i = 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        buf += stream[pos : pos + step]
        pos += step
        i += 1
        out, buf = parse_frames(buf)
        got.extend(out)
    assert got == messages
    assert buf == b""


def test_a_4_gb_announcement_is_refused_at_the_header() -> None:
    # Only the 4 header bytes have arrived: the parser refuses without waiting for (or allocating)
    # the payload.
    with pytest.raises(DecodeError, match="4294967295 bytes") as info:
        parse_frames(b"\xff\xff\xff\xff")
    assert info.value.data == b"\xff\xff\xff\xff"


def test_limit_is_configurable_and_inclusive() -> None:
    assert parse_frames(frame(b"x" * 10), max_message_bytes=10) == ([b"x" * 10], b"")
    with pytest.raises(DecodeError, match="above the 9-byte limit"):
        parse_frames(frame(b"x" * 10), max_message_bytes=9)


def test_partial_header_waits() -> None:
    assert parse_frames(b"\x05\x00") == ([], b"\x05\x00")
    assert parse_frames(b"\x05\x00\x00\x00ab") == ([], b"\x05\x00\x00\x00ab")
