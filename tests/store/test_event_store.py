"""The SQLite event store: round trip, WAL, append-only, clear errors."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bastion.core.errors import StoreError
from bastion.core.records import Event, EventKind, Note
from bastion.store import EventStore, RunInfo


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EventStore]:
    """A new, empty store, closed after the test."""
    with EventStore.create(tmp_path / "run.db") as new:
        yield new


def test_round_trip_through_a_reopened_store(
    tmp_path: Path, events: list[Event], run: RunInfo
) -> None:
    path = tmp_path / "run.db"
    with EventStore.create(path) as store:
        store.record_run(run)
        store.append(events[:5])
        store.append(events[5:])
    with EventStore.open(path) as store:
        assert store.events() == events
        assert store.run_info() == run
        assert store.events(EventKind.ALERT_RAISED) == [events[5]]
        assert store.events(subject_id=-1) == [events[0]]
        assert store.events(EventKind.TRACK_LOST, subject_id=2) == []


def test_wal_mode_and_synchronous_normal(store: EventStore, events: list[Event]) -> None:
    with store:
        store.append(events[:1])
        assert Path(f"{store.path}-wal").exists()
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    with EventStore.open(store.path) as reopened:
        engine = reopened._live()
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_schema_has_the_indexes(store: EventStore) -> None:
    store.close()
    conn = sqlite3.connect(store.path)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        conn.close()
    assert {"ix_events_kind", "ix_events_subject_id"} <= names


def test_duplicate_seq_is_refused_and_nothing_is_overwritten(
    store: EventStore, events: list[Event]
) -> None:
    with store:
        store.append(events[:3])
        replacement = Event(
            seq=1,
            t_s=9.0,
            kind=EventKind.RUN_FINISHED,
            subject_id=-1,
            payload=Note(t_s=9.0, text="x"),
        )
        with pytest.raises(StoreError, match=r"seq 1 already stored; events are append-only"):
            store.append([events[3], replacement])
        # The whole batch was refused, the original kept.
        assert store.events() == events[:3]


def test_seq_repeated_within_one_batch_is_refused(store: EventStore, events: list[Event]) -> None:
    event = events[0]
    with store, pytest.raises(StoreError, match="repeated in one append"):
        store.append([event, event])


def test_database_refuses_update_and_delete(
    store: EventStore, events: list[Event], run: RunInfo
) -> None:
    with store:
        store.record_run(run)
        store.append(events[:2])
    conn = sqlite3.connect(store.path)
    try:
        for sql in ("UPDATE events SET t_s = 1.0", "DELETE FROM events", "DELETE FROM run"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
    finally:
        conn.close()


def test_run_is_recorded_once(store: EventStore, run: RunInfo) -> None:
    with store:
        with pytest.raises(StoreError, match="no run recorded"):
            store.run_info()
        assert not store.has_run()
        store.record_run(run)
        with pytest.raises(StoreError, match="already recorded"):
            store.record_run(run)
        assert store.run_info().seed == 2**80 + 7


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"this is not a database at all" * 40, "not an SQLite database"),
        (b"", "application_id 0"),
    ],
)
def test_opening_a_non_store_file_gives_store_error(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "other.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="is not a Bastion event store") as info:
        EventStore.open(path)
    assert fragment in str(info.value)
    assert path.read_bytes() == content  # untouched


def test_opening_a_foreign_sqlite_database_leaves_it_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a Bastion event store"):
        EventStore.open(path)
    assert path.read_bytes() == before


def test_open_missing_and_create_existing_or_unwritable(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such file"):
        EventStore.open(tmp_path / "missing.db")
    existing = tmp_path / "exists.db"
    existing.write_text("keep me")
    with pytest.raises(StoreError, match="already exists"):
        EventStore.create(existing)
    assert existing.read_text() == "keep me"
    with pytest.raises(StoreError, match="no directory"):
        EventStore.create(tmp_path / "no" / "such" / "dir.db")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StoreError):
        EventStore.create(blocker / "run.db")


def test_unstorable_events_are_refused_with_store_error(
    store: EventStore, events: list[Event]
) -> None:
    base = events[0]
    with store:
        too_big = Event(seq=2**64, t_s=0.0, kind=base.kind, subject_id=-1, payload=base.payload)
        with pytest.raises(StoreError, match="appending events failed"):
            store.append([too_big])
        nan_time = Event(
            seq=5, t_s=float("nan"), kind=base.kind, subject_id=-1, payload=base.payload
        )
        with pytest.raises(StoreError, match="non-finite t_s"):
            store.append([nan_time])
        assert store.events() == []


def test_closed_store_refuses_use(store: EventStore) -> None:
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreError, match="is closed"):
        store.events()


def test_corrupt_row_gives_store_error(store: EventStore, events: list[Event]) -> None:
    with store:
        store.append(events[:1])
    conn = sqlite3.connect(store.path)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute('UPDATE events SET payload = \'{"type":"Bogus"}\'')
    conn.commit()
    conn.close()
    with (
        EventStore.open(store.path) as reopened,
        pytest.raises(StoreError, match="seq 0 is corrupt"),
    ):
        reopened.events()


def test_empty_append_is_a_no_op(store: EventStore) -> None:
    with store:
        store.append([])
        assert store.events() == []


def test_public_names_are_exported() -> None:
    import bastion.store

    assert sorted(bastion.store.__all__) == [
        "EventStore",
        "RunInfo",
        "read_event_log",
        "write_event_log",
    ]
    assert all(hasattr(bastion.store, name) for name in bastion.store.__all__)
