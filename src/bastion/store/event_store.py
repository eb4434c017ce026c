"""The append-only event store: one SQLite file per run (SQLAlchemy Core).

Schema (format version 1, marked in the file header by ``PRAGMA application_id`` and
``PRAGMA user_version`` so a stranger's database is recognised as one)::

    run     (id INTEGER PRIMARY KEY CHECK (id = 1), scenario_name, scenario_sha256,
             seed TEXT, bastion_version, started_utc)        -- exactly one row, written once
    events  (seq INTEGER PRIMARY KEY, t_s REAL, kind TEXT, subject_id INTEGER,
             payload TEXT)                                   -- `payload_to_json` of the payload
    ix_events_kind (kind), ix_events_subject_id (subject_id)
    triggers refusing UPDATE and DELETE on events and run

Every connection runs in WAL mode with ``synchronous=NORMAL``: readers never block the writer, and
a crash loses at most the last transactions, never the file. Every failure is a `StoreError` naming
the file; no SQLAlchemy exception escapes.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Final
from urllib.parse import quote

from sqlalchemy import (
    REAL,
    CheckConstraint,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bastion.core.errors import DecodeError, StoreError
from bastion.core.records import Event, EventKind
from bastion.core.serialize import payload_from_json, payload_to_json
from bastion.store.types import RunInfo

__all__ = ["APPLICATION_ID", "FORMAT_VERSION", "EventStore"]

APPLICATION_ID: Final = 0x42415354
"""``PRAGMA application_id`` of a Bastion store ("BAST")."""

FORMAT_VERSION: Final = 1
"""``PRAGMA user_version``: the schema version this module reads and writes."""

_metadata = MetaData()

_run = Table(
    "run",
    _metadata,
    Column("id", Integer, CheckConstraint("id = 1", name="one_run"), primary_key=True),
    Column("scenario_name", Text, nullable=False),
    Column("scenario_sha256", Text, nullable=False),
    Column("seed", Text, nullable=False),
    Column("bastion_version", Text, nullable=False),
    Column("started_utc", Text, nullable=False),
)

_events = Table(
    "events",
    _metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("t_s", REAL, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject_id", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    Index("ix_events_kind", "kind"),
    Index("ix_events_subject_id", "subject_id"),
)

_APPEND_ONLY = tuple(
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
    for table in ("events", "run")
    for op in ("UPDATE", "DELETE")
)


def _sqlite_uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _make_engine(path: Path, mode: str) -> Engine:
    """An engine on `path` whose every new connection is switched to WAL, synchronous=NORMAL."""
    uri = _sqlite_uri(path, mode)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    engine = create_engine("sqlite+pysqlite://", creator=connect)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine


_DB_ERRORS = (SQLAlchemyError, sqlite3.Error, OverflowError)


def _probe(path: Path) -> tuple[int, int]:
    """(application_id, user_version) of an SQLite file, read without changing it."""
    try:
        conn = sqlite3.connect(_sqlite_uri(path, "ro"), uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"{path} is not a Bastion event store (not an SQLite database: {exc})"
        ) from None
    return int(app_id), int(version)


def _reason(exc: BaseException) -> str:
    """The database's own words, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc)


class EventStore:
    """An append-only store of one run's events and its `RunInfo`.

    Make one with `EventStore.create` (a new file) or `EventStore.open` (an existing store); use it
    as a context manager or call `close`. Events are appended, never updated or deleted.
    """

    def __init__(self, path: Path, engine: Engine) -> None:
        """Wrap an engine already checked to hold a Bastion store; use `create` or `open`."""
        self._path = path
        self._engine: Engine | None = engine

    @property
    def path(self) -> Path:
        """The store's SQLite file."""
        return self._path

    @classmethod
    def create(cls, path: Path) -> EventStore:
        """Create a new, empty store at `path`; refuses to touch an existing file."""
        if path.exists():
            raise StoreError(f"cannot create event store {path}: the file already exists")
        if not path.parent.is_dir():
            raise StoreError(f"cannot create event store {path}: no directory {path.parent}")
        engine = _make_engine(path, "rwc")
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version={FORMAT_VERSION}")
                _metadata.create_all(conn)
                for ddl in _APPEND_ONLY:
                    conn.execute(text(ddl))
        except _DB_ERRORS as exc:
            engine.dispose()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise StoreError(f"cannot create event store {path}: {_reason(exc)}") from None
        return cls(path, engine)

    @classmethod
    def open(cls, path: Path) -> EventStore:
        """Open the existing store at `path`; raises `StoreError` if it is not a Bastion store."""
        if not path.is_file():
            raise StoreError(f"cannot open event store {path}: no such file")
        app_id, version = _probe(path)
        if app_id != APPLICATION_ID:
            raise StoreError(f"{path} is not a Bastion event store (application_id {app_id})")
        if version != FORMAT_VERSION:
            raise StoreError(
                f"{path}: event store format {version} is not supported (expected {FORMAT_VERSION})"
            )
        engine = _make_engine(path, "rw")
        return cls(path, engine)

    def __enter__(self) -> EventStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the store (idempotent); the WAL is checkpointed into the file."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _live(self) -> Engine:
        if self._engine is None:
            raise StoreError(f"event store {self._path} is closed")
        return self._engine

    @contextmanager
    def _errors(self, action: str) -> Iterator[Engine]:
        engine = self._live()
        try:
            yield engine
        except _DB_ERRORS as exc:
            raise StoreError(f"{self._path}: {action} failed: {_reason(exc)}") from None

    def record_run(self, run: RunInfo) -> None:
        """Save the run's identity; a store holds exactly one run, recorded once."""
        row = {
            "id": 1,
            "scenario_name": run.scenario_name,
            "scenario_sha256": run.scenario_sha256,
            "seed": str(int(run.seed)),
            "bastion_version": run.bastion_version,
            "started_utc": run.started_utc,
        }
        try:
            with self._live().begin() as conn:
                conn.execute(insert(_run), row)
        except IntegrityError:
            raise StoreError(f"{self._path}: the run is already recorded") from None
        except _DB_ERRORS as exc:
            raise StoreError(f"{self._path}: recording the run failed: {_reason(exc)}") from None

    def has_run(self) -> bool:
        """Whether `record_run` has been called on this store."""
        with self._errors("reading the run") as engine, engine.connect() as conn:
            return conn.execute(select(_run.c.id)).first() is not None

    def run_info(self) -> RunInfo:
        """The recorded run; raises `StoreError` if none was recorded."""
        with self._errors("reading the run") as engine, engine.connect() as conn:
            row = conn.execute(select(_run)).mappings().first()
        if row is None:
            raise StoreError(f"{self._path}: no run recorded")
        try:
            seed = int(row["seed"])
        except ValueError:
            raise StoreError(
                f"{self._path}: stored seed {row['seed']!r} is not an integer"
            ) from None
        return RunInfo(
            scenario_name=row["scenario_name"],
            scenario_sha256=row["scenario_sha256"],
            seed=seed,
            bastion_version=row["bastion_version"],
            started_utc=row["started_utc"],
        )

    def append(self, events: Sequence[Event]) -> None:
        """Append `events` in one transaction; all are stored or none.

        Refuses (with `StoreError`, storing nothing) a `seq` already stored or repeated in the batch,
        a non-finite `t_s`, and a payload that cannot be serialised.
        """
        if not events:
            return
        rows = [self._row(e) for e in events]
        repeated = sorted(seq for seq, n in Counter(r["seq"] for r in rows).items() if n > 1)
        if repeated:
            raise StoreError(f"{self._path}: seq {_list(repeated)} repeated in one append")
        try:
            with self._live().begin() as conn:
                conn.execute(insert(_events), rows)
        except IntegrityError as exc:
            stored = self._stored_seqs([r["seq"] for r in rows])
            if not stored:
                raise StoreError(f"{self._path}: append refused: {_reason(exc)}") from None
            raise StoreError(
                f"{self._path}: seq {_list(stored)} already stored; events are append-only"
            ) from None
        except _DB_ERRORS as exc:
            raise StoreError(f"{self._path}: appending events failed: {_reason(exc)}") from None

    def _row(self, e: Event) -> dict[str, Any]:
        if not math.isfinite(e.t_s):
            raise StoreError(f"{self._path}: event seq {e.seq} has non-finite t_s {e.t_s!r}")
        try:
            payload = payload_to_json(e.payload)
            kind = EventKind(e.kind).value
        except (TypeError, ValueError) as exc:
            raise StoreError(f"{self._path}: event seq {e.seq} cannot be stored: {exc}") from None
        return {
            "seq": int(e.seq),
            "t_s": float(e.t_s),
            "kind": kind,
            "subject_id": int(e.subject_id),
            "payload": payload,
        }

    def _stored_seqs(self, seqs: list[int]) -> list[int]:
        found: list[int] = []
        with self._errors("reading events") as engine, engine.connect() as conn:
            for start in range(0, len(seqs), 500):
                chunk = seqs[start : start + 500]
                query = select(_events.c.seq).where(_events.c.seq.in_(chunk))
                found.extend(conn.execute(query).scalars())
        return sorted(found)

    def events(
        self, kind: EventKind | None = None, *, subject_id: int | None = None
    ) -> list[Event]:
        """Stored events in `seq` order, optionally only one kind and/or one subject."""
        query = select(_events).order_by(_events.c.seq)
        if kind is not None:
            query = query.where(_events.c.kind == EventKind(kind).value)
        if subject_id is not None:
            query = query.where(_events.c.subject_id == subject_id)
        with self._errors("reading events") as engine, engine.connect() as conn:
            rows = conn.execute(query).all()
        out: list[Event] = []
        for seq, t_s, kind_text, subject, payload in rows:
            try:
                out.append(
                    Event(
                        seq=seq,
                        t_s=t_s,
                        kind=EventKind(kind_text),
                        subject_id=subject,
                        payload=payload_from_json(payload),
                    )
                )
            except (DecodeError, ValueError) as exc:
                raise StoreError(
                    f"{self._path}: stored event seq {seq} is corrupt: {exc}"
                ) from None
        return out


def _list(seqs: Sequence[int], limit: int = 10) -> str:
    shown = ", ".join(str(s) for s in seqs[:limit])
    return shown + (f" (+{len(seqs) - limit} more)" if len(seqs) > limit else "")
