"""Golden tests: every Remote ID message in tests/data/remoteid decodes to the reference decoder's
values (libopendroneid), every pack the reference refused is refused, and corrupted frames are
flagged, never trusted, never a crash."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import pytest
from remoteid_reference import CAPTURES, COMMON, DATA, FIELDS, RECORDS, Extracted, close

from bastion.codecs.remoteid import (
    AuthPage,
    Broadcast,
    assemble_auth,
    decode_message,
    flatten,
)
from bastion.core.errors import DecodeError

TRANSPORT = {
    "wifi_beacon": "wifi_beacon",
    "wifi_nan": "wifi_nan",
    "bluetooth": "bluetooth_extended",
}
REFERENCE = json.loads((DATA / "reference_vectors.json").read_text())["vectors"]


def _mismatches(record: object, want: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    got = asdict(record)  # type: ignore[call-overload]
    fields = FIELDS[want["type"]]
    out = {}
    for key, value in want.items():
        if key in COMMON:
            continue
        name, convert = fields[key]
        if got[name] is None and isinstance(record, AuthPage) and record.page > 0:
            continue  # page-0 fields: checked on the assembled authentication
        if not close(got[name], convert(value)):
            out[key] = (got[name], convert(value))
    if (
        type(record) is not RECORDS[want["type"]]
        or got["protocol_version"] != want["proto_version"]
    ):
        out["type"] = (type(record).__name__, want["type"])
    return out


def test_every_reference_row_matches_our_extraction(
    reference_rows: list[dict[str, Any]], extracted: Extracted
) -> None:
    assert len(reference_rows) == 305
    for row in reference_rows:
        got = extracted[(row["capture"], row["frame"])]
        assert isinstance(got, Broadcast), (row["capture"], row["frame"], got)
        assert got.transport == TRANSPORT[row["transport"]]
        assert (got.counter, got.payload.hex()) == (row["counter"], row["payload_hex"])
        messages = flatten(got.message)
        chunks = [got.payload[i : i + 25].hex() for i in range(3, len(got.payload), 25)]
        assert chunks == row["messages_hex"] == [m["hex"] for m in row["decoded"]]
        assert len(messages) == len(row["messages_hex"]) == len(row["decoded"])
        for record, want in zip(messages, row["decoded"], strict=True):
            assert _mismatches(record, want) == {}, (row["capture"], row["frame"])


def test_packs_refused_by_the_reference_are_refused(
    reference_rows: list[dict[str, Any]], extracted: Extracted
) -> None:
    """Frames absent from the reference carry no Remote ID or a pack the reference refused
    (empty, more than 9 messages, wrong size byte, unknown type, a type repeated): never a Broadcast."""
    in_reference = {(r["capture"], r["frame"]) for r in reference_rows}
    for key, got in extracted.items():
        assert isinstance(got, Broadcast) == (key in in_reference), key
    refused = [k for k, v in extracted.items() if isinstance(v, DecodeError)]
    assert {c for c, _ in refused} == {"odid_bt5_lr_sample.pcapng"}
    assert {f for _, f in refused} >= {81, 90, 92, 123, 260, 270}


def test_corrupted_bt5_frames_are_flagged(extracted: Extracted) -> None:
    """The sniffer marks a failed link CRC; such a broadcast decodes (as the reference decodes it)
    but carries `link_crc_failed`, and a garbled Location (frame 269: longitude -214.6) is flagged."""
    bt5 = {f: v for (c, f), v in extracted.items() if c == CAPTURES[2]}
    flagged = {f for f, v in bt5.items() if isinstance(v, Broadcast) and v.crc_ok is False}
    assert flagged >= {42, 45, 57, 197, 269}
    assert all("link_crc_failed" in v.flags for f, v in bt5.items() if f in flagged)  # type: ignore[union-attr]
    clean = [v for v in bt5.values() if isinstance(v, Broadcast) and v.crc_ok]
    assert len(clean) == 242 - len(flagged)
    garbled = bt5[269]
    assert isinstance(garbled, Broadcast)
    location = flatten(garbled.message)[1]
    assert "longitude_out_of_range" in location.flags
    assert "status_reserved" in location.flags
    assert not location.position_known  # type: ignore[union-attr]


@pytest.mark.parametrize("vector", REFERENCE, ids=[v["name"] for v in REFERENCE])
def test_reference_vector_decodes_to_reference_values(vector: dict[str, Any]) -> None:
    record = decode_message(bytes.fromhex(vector["encoded_hex"]))
    assert _mismatches(record, vector["decoded"]) == {}
    assert record.flags == ()


def test_authentication_pages_assemble_to_the_reference() -> None:
    pages = [decode_message(bytes.fromhex(v["encoded_hex"])) for v in REFERENCE[2:4]]
    assert all(isinstance(p, AuthPage) for p in pages)
    auth = assemble_auth(pages)  # type: ignore[arg-type]
    want = REFERENCE[3]["decoded"]
    assert (auth.auth_type, auth.last_page_index, auth.length_bytes) == (
        want["AuthType"],
        want["LastPageIndex"],
        want["Length"],
    )
    assert auth.timestamp_unix_s == want["Timestamp"] + 1546300800
    text = REFERENCE[2]["input"]["AuthData"] + REFERENCE[3]["input"]["AuthData"]
    assert auth.data == text.encode()
    with pytest.raises(DecodeError):
        assemble_auth(pages[1:])
