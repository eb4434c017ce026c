"""Schema drift: every field the reference decoder emits maps to a field our record declares, every
record field is mapped (or is one of ours), and dispatch covers every message type; __all__ is honest."""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

import pytest
from remoteid_reference import COMMON, DATA, FIELDS, OURS_ONLY, RECORDS

import bastion.codecs.remoteid as remoteid
from bastion.codecs.remoteid import DECODERS


def _reference_messages() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (DATA / "decoded.jsonl").read_text().splitlines()]
    vectors = json.loads((DATA / "reference_vectors.json").read_text())["vectors"]
    return [m for r in rows for m in r["decoded"]] + [v["decoded"] for v in vectors]


def test_every_reference_key_is_mapped() -> None:
    seen: dict[str, set[str]] = {}
    for m in _reference_messages():
        seen.setdefault(m["type"], set()).update(set(m) - COMMON)
    assert set(seen) == set(FIELDS)
    for kind, keys in seen.items():
        assert keys <= set(FIELDS[kind]), kind


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_mapping_targets_are_exactly_the_record_fields(kind: str) -> None:
    declared = {f.name for f in fields(RECORDS[kind])}
    targets = {name for name, _ in FIELDS[kind].values()}
    assert targets <= declared
    assert declared - targets <= OURS_ONLY


def test_dispatch_covers_every_single_message_type() -> None:
    assert sorted(DECODERS) == [0, 1, 2, 3, 4, 5]
    assert {DECODERS[t].__name__ for t in DECODERS} == {
        "decode_basic_id",
        "decode_location",
        "decode_auth",
        "decode_self_id",
        "decode_system",
        "decode_operator_id",
    }


def test_all_is_honest() -> None:
    assert sorted(remoteid.__all__) == sorted(set(remoteid.__all__))
    for name in remoteid.__all__:
        assert getattr(remoteid, name) is not None
