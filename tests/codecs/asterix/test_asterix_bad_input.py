"""Bad input: truncated, garbage and oversized datagrams raise `DecodeError` and nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.codecs.asterix import (
    MAX_DATAGRAM_BYTES,
    Cat034Message,
    Cat048Plot,
    Cat062Track,
    decode_datagram,
    encode_cat034,
    encode_cat048,
    encode_cat062,
)
from bastion.core.errors import DecodeError

FUZZ = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VALID = (
    encode_cat048(
        [
            Cat048Plot(
                sac=1,
                sic=2,
                tod_s=10.0,
                range_m=900.0,
                az_rad=1.0,
                height_m=90.0,
                doppler_mps=3.0,
                rcs_m2=0.2,
                track_number=3,
                mode3a=0o1200,
            ),
            Cat048Plot(sac=1, sic=2, tod_s=10.5, range_m=1900.0, az_rad=2.0),
        ]
    )
    + encode_cat034([Cat034Message(sac=1, sic=2, kind=1, tod_s=11.0, sector_az_rad=0.5)])
    + encode_cat062(
        [
            Cat062Track(
                sac=1,
                sic=3,
                service_id=1,
                tod_s=11.0,
                track_number=9,
                lat_rad=0.5,
                lon_rad=0.7,
                alt_m=100.0,
                vel_east_mps=1.0,
                vel_north_mps=2.0,
            )
        ]
    )
)


def _decode_or_decode_error(data: bytes) -> None:
    try:
        decode_datagram(data)
    except DecodeError as exc:
        assert isinstance(exc.data, bytes)
        assert str(exc)


def test_the_valid_datagram_decodes() -> None:
    assert len(decode_datagram(VALID)) == 4


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID) - 1))
def test_truncated(cut: int) -> None:
    boundaries = {0}
    pos = 0
    while pos < len(VALID):
        pos += int.from_bytes(VALID[pos + 1 : pos + 3], "big")
        boundaries.add(pos)
    if cut in boundaries and cut > 0:
        assert decode_datagram(VALID[:cut])  # whole blocks: a shorter valid datagram
    else:
        with pytest.raises(DecodeError):
            decode_datagram(VALID[:cut])


@FUZZ
@given(st.binary(max_size=600))
def test_garbage(data: bytes) -> None:
    _decode_or_decode_error(data)


@FUZZ
@given(st.sampled_from([34, 48, 62]), st.binary(min_size=1, max_size=300))
def test_garbage_behind_a_valid_header(cat: int, body: bytes) -> None:
    _decode_or_decode_error(bytes([cat]) + (len(body) + 3).to_bytes(2, "big") + body)


@FUZZ
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.integers(min_value=0, max_value=255))
def test_one_corrupted_byte(pos: int, value: int) -> None:
    data = bytearray(VALID)
    data[pos] = value
    _decode_or_decode_error(bytes(data))


def test_oversized_datagram() -> None:
    block = encode_cat034([Cat034Message(sac=1, sic=1, kind=1)])
    data = block * (MAX_DATAGRAM_BYTES // len(block) + 1)
    with pytest.raises(DecodeError, match="exceeds"):
        decode_datagram(data)


def test_many_tiny_blocks_do_not_exhaust_the_stack() -> None:
    # 21,000 minimal blocks (each 3 bytes, LEN 3): libasterix's own splitter would recurse once each.
    with pytest.raises(DecodeError, match="no record"):
        decode_datagram(bytes([48, 0, 3]) * 21_000)


def test_error_names_the_problem() -> None:
    with pytest.raises(DecodeError, match=r"LEN 200 but only 5 bytes remain") as info:
        decode_datagram(bytes([48, 0, 200, 0x80, 0x01]))
    assert info.value.data == bytes([48, 0, 200, 0x80, 0x01])
