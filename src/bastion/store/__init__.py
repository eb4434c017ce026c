"""The event store (SQLite through SQLAlchemy) and the JSON-lines event log: the file I/O of events."""

from __future__ import annotations

from bastion.store.event_log import read_event_log, write_event_log
from bastion.store.event_store import EventStore
from bastion.store.types import RunInfo

__all__ = ["EventStore", "RunInfo", "read_event_log", "write_event_log"]
