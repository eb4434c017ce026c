"""Small parts of the live service: SAPIENT connection events as inputs, latency percentiles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bastion.service.core import SAPIENT_FEED
from bastion.service.inputs import InputKind
from bastion.transport import Connection

if TYPE_CHECKING:
    from bastion.service.server import LiveService


class SapientHandler:
    """TCP connection events as core inputs, in order, with back-pressure per connection."""

    def __init__(self, service: LiveService) -> None:
        """Inputs go to `service`'s queue."""
        self._service = service

    def opened(self, conn: Connection) -> None:
        s = self._service
        s.connections[conn.conn_id] = conn
        peer = f"{conn.peer[0]}:{conn.peer[1]}".encode()
        s.queue.put_control(source_of(conn.conn_id), s.input(InputKind.OPENED, conn.conn_id, peer))

    async def received(self, conn: Connection, data: bytes) -> None:
        s = self._service
        await s.queue.put(source_of(conn.conn_id), s.input(InputKind.STREAM, conn.conn_id, data))

    def closed(self, conn: Connection, reason: str) -> None:
        s = self._service
        s.connections.pop(conn.conn_id, None)
        item = s.input(InputKind.CLOSED, conn.conn_id, reason.encode("utf-8"))
        s.queue.put_control(source_of(conn.conn_id), item)


def source_of(conn_id: int) -> str:
    """The input queue source of SAPIENT connection `conn_id` (one bounded queue each)."""
    return f"{SAPIENT_FEED}/{conn_id}"


def percentiles_ms(values: Iterable[float]) -> dict[str, float]:
    """p50/p99/max (nearest rank) of durations in seconds, as milliseconds; {} for none."""
    ordered = sorted(values)
    if not ordered:
        return {}

    def pick(q: float) -> float:
        return round(1000.0 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": pick(0.5), "p99": pick(0.99), "max": round(1000.0 * ordered[-1], 2)}
