"""Every example of the standard's test harness parses with Bastion's SAPIENT codec, and Bastion's
frames parse with the protobuf bindings (the peer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import json_format
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage

from bastion.codecs.sapient import decode_message, encode_message, parse_frames, validate

EXAMPLES = sorted(
    (Path(__file__).resolve().parents[2] / "data" / "sapient" / "examples_v2_0").glob("*/*.json")
)


def _load(path: Path) -> SapientMessage:
    return json_format.Parse(path.read_text(), SapientMessage())


def _utc(msg: SapientMessage) -> float:
    return msg.timestamp.seconds + msg.timestamp.nanos * 1e-9


def test_all_45_examples_are_here() -> None:
    assert len(EXAMPLES) == 45


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_example_parses_and_validates_with_ours(path: Path) -> None:
    original = _load(path)
    stream = encode_message(original)
    payloads, rest = parse_frames(stream)
    assert rest == b""
    (payload,) = payloads
    msg = decode_message(payload)
    assert msg == original
    assert validate(msg, received_utc_s=_utc(msg)) == []


@pytest.mark.oracle
@pytest.mark.parametrize("path", EXAMPLES[:: len(EXAMPLES) // 9], ids=lambda p: p.name)
def test_our_frames_parse_with_the_protobuf_bindings(path: Path) -> None:
    original = _load(path)
    stream = encode_message(original) * 3
    for i in range(3):
        n = int.from_bytes(stream[:4], "little")
        assert n == original.ByteSize()
        assert SapientMessage.FromString(stream[4 : 4 + n]) == original, i
        stream = stream[4 + n :]
    assert stream == b""


def test_examples_are_refused_after_the_timestamp_window() -> None:
    msg = _load(EXAMPLES[0])
    (problem,) = validate(msg, received_utc_s=_utc(msg) + 5.0)
    assert problem.startswith("timestamp: -5.000 s from arrival")
