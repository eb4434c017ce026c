"""The JSON-lines event log: byte-identical for identical events, and readable back."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.core.errors import StoreError
from bastion.core.records import Event
from bastion.core.serialize import event_to_json
from bastion.store import EventStore, read_event_log, write_event_log


def test_same_events_give_byte_identical_logs(tmp_path: Path, events: list[Event]) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert write_event_log(a, events) == len(events)
    write_event_log(b, iter(events))
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert lines[:-1] == [event_to_json(e).encode("ascii") for e in events]


def test_log_reads_back_and_matches_a_store_export(tmp_path: Path, events: list[Event]) -> None:
    events = events
    log = tmp_path / "events.jsonl"
    write_event_log(log, events)
    assert read_event_log(log) == events
    with EventStore.create(tmp_path / "run.db") as store:
        store.append(events)
        exported = tmp_path / "export.jsonl"
        write_event_log(exported, store.events())
    assert exported.read_bytes() == log.read_bytes()


def test_write_errors_are_store_errors(tmp_path: Path, events: list[Event]) -> None:
    with pytest.raises(StoreError, match="cannot write event log"):
        write_event_log(tmp_path / "missing" / "events.jsonl", events)


def test_bad_line_names_file_and_line(tmp_path: Path, events: list[Event]) -> None:
    log = tmp_path / "events.jsonl"
    write_event_log(log, events[:2])
    log.write_bytes(log.read_bytes() + b"{oops}\n")
    with pytest.raises(StoreError, match=r"line 3"):
        read_event_log(log)
    with pytest.raises(StoreError, match="cannot read event log"):
        read_event_log(tmp_path / "nope.jsonl")
