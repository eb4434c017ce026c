"""Remote ID test data: the reference rows and our extraction of every capture, read once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from remoteid_reference import CAPTURES, DATA, Extracted

from bastion.codecs.pcap import read_capture
from bastion.codecs.remoteid import from_packet
from bastion.core.errors import DecodeError


@pytest.fixture(scope="session")
def reference_rows() -> list[dict[str, Any]]:
    lines = (DATA / "decoded.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def extracted() -> Extracted:
    """(capture, frame index) -> our Broadcast, the DecodeError it raised, or None (no Remote ID)."""
    out: Extracted = {}
    for name in CAPTURES:
        for packet in read_capture((DATA / name).read_bytes()):
            try:
                out[(name, packet.index)] = from_packet(packet)
            except DecodeError as err:
                out[(name, packet.index)] = err
    return out
