"""Our TakMessage writer gives takproto's bytes for any event (the reference: `to_tak_message`)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.codecs.cot import (
    CotEvent,
    decode_mesh,
    encode_mesh,
    encode_mesh_many,
    encode_stream,
    encode_stream_many,
    to_tak_message,
)
from bastion.codecs.cot.tak_wire import tak_message_bytes, tak_messages_bytes, varint

NUMBERS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, math.nan, math.inf, -math.inf, 1e-300]),
    st.floats(allow_nan=True, allow_infinity=True),
)
TEXT = st.one_of(st.just(""), st.text(max_size=40), st.text(max_size=300))
TIMES = st.one_of(st.just(0.0), st.just(0.0004), st.floats(0.0, 4.0e9))


@settings(max_examples=400, deadline=None)
@given(
    texts=st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT),
    times=st.tuples(TIMES, TIMES, TIMES),
    point=st.tuples(NUMBERS, NUMBERS, NUMBERS, NUMBERS, NUMBERS),
    track=st.tuples(NUMBERS, NUMBERS),
)
def test_bytes_equal_takproto(
    texts: tuple[str, ...],
    times: tuple[float, ...],
    point: tuple[float, ...],
    track: tuple[float, float],
) -> None:
    event = _event(texts, times, (*point, *track))
    assert tak_message_bytes(event) == to_tak_message(event).SerializeToString()


REGULAR = st.floats(-1.0e6, 1.0e6).filter(lambda v: v != 0.0)
"""Numbers of the batch writer's fast path (finite, not zero)."""


def _event(texts: tuple[str, ...], times: tuple[float, ...], nums: tuple[float, ...]) -> CotEvent:
    return CotEvent(
        uid=texts[0],
        type=texts[1],
        how=texts[2],
        callsign=texts[3],
        remarks=texts[4],
        time_utc_s=times[0],
        start_utc_s=times[1],
        stale_utc_s=times[2],
        lat_deg=nums[0],
        lon_deg=nums[1],
        hae_m=nums[2],
        ce_m=nums[3],
        le_m=nums[4],
        course_deg=nums[5],
        speed_mps=nums[6],
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(  # the fast path: a live track's event
                _event,
                st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT),
                st.tuples(*[st.floats(1.0e9, 4.0e9)] * 3),
                st.tuples(*[REGULAR] * 7),
            ),
            st.builds(  # anything else: written one by one
                _event,
                st.tuples(TEXT, TEXT, TEXT, TEXT, TEXT),
                st.tuples(TIMES, TIMES, TIMES),
                st.tuples(*[NUMBERS] * 7),
            ),
        ),
        max_size=12,
    )
)
def test_batch_bytes_equal_takproto(events: list[CotEvent]) -> None:
    assert tak_messages_bytes(events) == [to_tak_message(e).SerializeToString() for e in events]
    assert encode_mesh_many(events) == [encode_mesh(e) for e in events]
    assert encode_stream_many(events) == [encode_stream(e) for e in events]


def test_a_track_event_round_trips() -> None:
    event = CotEvent(
        uid="bastion.al-asad.track.7",
        type="a-h-A-M-F-Q",
        how="m-f",
        time_utc_s=1_700_000_012.5,
        start_utc_s=1_700_000_012.5,
        stale_utc_s=1_700_000_022.5,
        lat_deg=33.77,
        lon_deg=42.42,
        hae_m=488.0,
        ce_m=15.0,
        le_m=15.0,
        callsign="T7",
        course_deg=90.0,
        speed_mps=45.0,
        remarks="Bastion track 7: fixed_wing/hostile <&>",
    )
    assert decode_mesh(encode_mesh_many([event])[0]) == event


def test_varint_and_times_before_the_epoch_are_refused() -> None:
    assert varint(300) == b"\xac\x02"
    assert varint(2**64 - 1) == b"\xff" * 9 + b"\x01"
    with pytest.raises(ValueError, match="uint64"):
        varint(-1)
    with pytest.raises(ValueError, match="uint64"):
        varint(2**64)
    before = CotEvent(
        uid="u", type="t", how="h", time_utc_s=-1.0, start_utc_s=0.0, stale_utc_s=0.0,
        lat_deg=0.0, lon_deg=0.0, hae_m=0.0,
    )  # fmt: skip
    with pytest.raises(ValueError):
        to_tak_message(before)
    with pytest.raises(ValueError):
        tak_message_bytes(before)
