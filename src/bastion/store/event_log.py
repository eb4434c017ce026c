"""The event log file, ``events.jsonl``: one `event_to_json` line per event, in order.

The same events always give the same bytes (ASCII, ``\\n`` line ends, a newline after every line,
nothing else), so two runs with the same seed and version can be compared with ``cmp``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bastion.core.errors import DecodeError, StoreError
from bastion.core.records import Event
from bastion.core.serialize import event_from_json, event_to_json

__all__ = ["read_event_log", "write_event_log"]


def write_event_log(path: Path, events: Iterable[Event]) -> int:
    """Write `events` to `path` as JSON lines, replacing the file; returns the number written.

    Raises `StoreError` if the file cannot be written or an event cannot be serialised.
    """
    n = 0
    try:
        with path.open("wb") as out:
            for event in events:
                try:
                    line = event_to_json(event)
                except (TypeError, ValueError) as exc:
                    raise StoreError(
                        f"{path}: event seq {event.seq} cannot be serialised: {exc}"
                    ) from None
                out.write(line.encode("ascii"))
                out.write(b"\n")
                n += 1
    except OSError as exc:
        raise StoreError(f"cannot write event log {path}: {exc.strerror or exc}") from None
    return n


def read_event_log(path: Path) -> list[Event]:
    """Read an event log written by `write_event_log`.

    Raises `StoreError` naming the file and line if it cannot be read or a line does not decode.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise StoreError(f"cannot read event log {path}: {exc.strerror or exc}") from None
    events: list[Event] = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(event_from_json(line))
        except DecodeError as exc:
            raise StoreError(f"{path}, line {number}: {exc}") from None
    return events
