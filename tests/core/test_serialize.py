"""Event JSON: exact round trips for every payload type, byte stability, and strict decoding."""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from enum import Enum
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bastion.core.errors import DecodeError
from bastion.core.records import (
    Affiliation,
    Alert,
    Event,
    EventKind,
    Identity,
    Note,
    Payload,
    ThreatClass,
    TrackReport,
)
from bastion.core.serialize import (
    PAYLOAD_TYPES,
    TYPE_TAG,
    event_from_json,
    event_to_json,
    payload_from_json,
    payload_to_json,
)

FINITE = st.floats(allow_nan=False, allow_infinity=True, width=64)
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, width=64)


def _strategy(annotation: Any, floats: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    """A strategy for one annotated field type (the same types the codec supports)."""
    if annotation is float:
        return floats
    if annotation is int:
        return st.integers(min_value=-(2**70), max_value=2**70)
    if annotation is str:
        return st.text()
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if typing.get_origin(annotation) is tuple:
        return st.tuples(*(_strategy(a, floats) for a in typing.get_args(annotation)))
    raise AssertionError(f"no strategy for {annotation!r}")


def _record(cls: type[Any], floats: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    kwargs = {f.name: _strategy(hints[f.name], floats) for f in dataclasses.fields(cls)}
    return st.builds(cls, **kwargs)


def _events(floats: st.SearchStrategy[float]) -> st.SearchStrategy[Event]:
    payloads = st.one_of(*(_record(cls, floats) for cls in PAYLOAD_TYPES.values()))
    return st.builds(
        Event,
        seq=st.integers(min_value=0, max_value=2**63 - 1),
        t_s=floats,
        kind=st.sampled_from(list(EventKind)),
        subject_id=st.integers(min_value=-1, max_value=2**31),
        payload=payloads,
    )


def test_lookup_table_covers_every_payload_record() -> None:
    assert set(PAYLOAD_TYPES.values()) == set(typing.get_args(Payload))
    assert all(name == cls.__name__ for name, cls in PAYLOAD_TYPES.items())


@pytest.mark.parametrize("cls", list(PAYLOAD_TYPES.values()), ids=list(PAYLOAD_TYPES))
@given(data=st.data())
def test_payload_round_trip_is_identity(cls: type[Any], data: st.DataObject) -> None:
    payload = data.draw(_record(cls, FINITE))
    text = payload_to_json(payload)
    back = payload_from_json(text)
    assert type(back) is cls
    assert back == payload
    assert json.loads(text)[TYPE_TAG] == cls.__name__


@given(event=_events(FINITE))
def test_event_round_trip_is_identity(event: Event) -> None:
    back = event_from_json(event_to_json(event))
    assert back == event
    assert type(back.payload) is type(event.payload)
    # Exactness, not just ==: the sign of zero survives too.
    assert math.copysign(1.0, back.t_s) == math.copysign(1.0, event.t_s)


@given(event=_events(ANY_FLOAT))
def test_encoding_is_byte_stable_including_nan(event: Event) -> None:
    text = event_to_json(event)
    assert event_to_json(event_from_json(text)) == text
    assert text.isascii()
    assert "\n" not in text
    json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name} in {text}"))


def _track_event() -> Event:
    return Event(
        seq=3,
        t_s=1.5,
        kind=EventKind.TRACK_UPDATED,
        subject_id=7,
        payload=TrackReport(
            track_id=7,
            t_s=1.5,
            position_m=(0.1, -2.0, 300.0),
            velocity_mps=(1.0, 0.0, -0.0),
            position_sigma_m=12.5,
            n_updates=4,
        ),
    )


def test_layout_is_sorted_compact_and_tagged() -> None:
    text = event_to_json(_track_event())
    assert text == (
        '{"kind":"track_updated","payload":{"n_updates":4,"position_m":[0.1,-2.0,300.0],'
        '"position_sigma_m":12.5,"t_s":1.5,"track_id":7,"type":"TrackReport",'
        '"velocity_mps":[1.0,0.0,-0.0]},"seq":3,"subject_id":7,"t_s":1.5}'
    )


def test_added_fields_are_left_out_while_default_and_read_as_default_when_missing() -> None:
    radar = _track_event()
    assert isinstance(radar.payload, TrackReport)
    named = dataclasses.replace(
        radar.payload, coop_source="adsb", coop_ident="4CA2D1", callsign="EIN12"
    )
    coop = dataclasses.replace(radar, payload=named)
    text = event_to_json(coop)
    assert '"callsign":"EIN12","coop_ident":"4CA2D1","coop_source":"adsb"' in text
    assert event_from_json(text) == coop
    # A log written before the fields existed (the layout above) still loads.
    old = event_to_json(radar)
    assert "coop" not in old and "callsign" not in old
    back = event_from_json(old)
    assert back == radar
    assert isinstance(back.payload, TrackReport) and back.payload.callsign == ""
    # An original field is still required.
    with pytest.raises(DecodeError, match=r"missing fields \['n_updates'\]"):
        event_from_json(old.replace('"n_updates":4,', ""))


def test_enums_are_written_as_values_and_rebuilt_as_members() -> None:
    identity = Identity(
        track_id=1,
        t_s=0.0,
        threat_class=ThreatClass.FIXED_WING,
        affiliation=Affiliation.HOSTILE,
        reason="radar kinematics",
    )
    event = Event(seq=0, t_s=0.0, kind=EventKind.IDENTITY_CHANGED, subject_id=1, payload=identity)
    obj = json.loads(event_to_json(event))
    assert obj["kind"] == "identity_changed"
    assert obj["payload"]["threat_class"] == "fixed_wing"
    back = event_from_json(event_to_json(event)).payload
    assert isinstance(back, Identity)
    assert back.threat_class is ThreatClass.FIXED_WING


def test_numpy_and_int_values_are_normalised_to_the_annotated_types() -> None:
    alert = Alert(
        alert_id=np.int64(2),
        track_id=3,
        zone="HQ",
        t_s=np.float64(4.0),
        t_expected_s=10,
        reason="impact",
    )
    event = Event(seq=1, t_s=4, kind=EventKind.ALERT_RAISED, subject_id=2, payload=alert)
    text = event_to_json(event)
    assert '"t_expected_s":10.0' in text
    back = event_from_json(text)
    assert type(back.t_s) is float
    assert type(back.payload.t_s) is float
    assert type(back.payload.alert_id) is int  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "not valid JSON"),
        ("[]", "expected an object"),
        ('{"kind":"track_updated","seq":1,"subject_id":1,"t_s":0.0}', "payload"),
        (
            '{"kind":"nope","payload":{"t_s":0.0,"text":"x","type":"Note"},'
            '"seq":1,"subject_id":1,"t_s":0.0}',
            "not a valid EventKind",
        ),
        (
            '{"kind":"run_started","payload":{"t_s":0.0,"text":"x","type":"Bogus"},'
            '"seq":1,"subject_id":1,"t_s":0.0}',
            "not a payload type",
        ),
        (
            '{"kind":"run_started","payload":{"t_s":0.0,"text":"x","type":"Note","x":1},'
            '"seq":1,"subject_id":1,"t_s":0.0}',
            "unknown fields ['x']",
        ),
        (
            '{"kind":"run_started","payload":{"t_s":"soon","text":"x","type":"Note"},'
            '"seq":1,"subject_id":1,"t_s":0.0}',
            "event.payload.t_s",
        ),
        (
            '{"kind":"run_started","payload":{"t_s":0.0,"text":"x","type":"Note"},'
            '"seq":true,"subject_id":1,"t_s":0.0}',
            "event.seq",
        ),
        (
            '{"kind":"run_started","payload":{"t_s":NaN,"text":"x","type":"Note"},'
            '"seq":1,"subject_id":1,"t_s":0.0}',
            "bare NaN",
        ),
    ],
)
def test_bad_input_raises_decode_error_naming_the_problem(text: str, fragment: str) -> None:
    with pytest.raises(DecodeError, match=None) as info:
        event_from_json(text)
    assert fragment in str(info.value)
    assert info.value.data == text.encode()


def test_a_non_payload_is_refused_on_encode() -> None:
    event = Event(
        seq=0,
        t_s=0.0,
        kind=EventKind.RUN_STARTED,
        subject_id=-1,
        payload=object(),  # type: ignore[arg-type]
    )
    with pytest.raises(TypeError, match="not a payload record"):
        event_to_json(event)


def test_note_round_trips_non_ascii_text() -> None:
    note = Note(t_s=0.0, text='Überwachung \u2014 \U0001f6e9 "quoted"\n')
    assert payload_from_json(payload_to_json(note)) == note
    assert payload_to_json(note).isascii()
