"""What the live core consumes: one ordered stream of inputs, each with its arrival on the run clock.

Everything that can change what the live service does is an `Input`: the bytes of a datagram or
of a TCP read, a connection opening or closing, an operator's decision, the service's own decision
to run the pipeline (`STEP`), load it shed, and its stop. The core is a function of this stream
alone, so the stream, recorded in the capture log, replays to the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class InputKind(IntEnum):
    """The kinds of input, with their number in the capture log."""

    DATAGRAM = 1
    """A UDP datagram on feed `feed` (payload: its bytes)."""
    STREAM = 2
    """Bytes read from TCP connection `conn` of feed `feed`."""
    OPENED = 3
    """Connection `conn` opened (payload: the peer address, UTF-8)."""
    CLOSED = 4
    """Connection `conn` closed (payload: why, UTF-8)."""
    DECISION = 5
    """An operator's decision on an engagement request (payload: JSON, see `service.api`)."""
    STEP = 6
    """Run the pipeline at `t_s` with everything decoded since the last step."""
    SHED = 7
    """Inputs dropped before the core because feed `feed` overflowed (payload: JSON count)."""
    STOP = 8
    """The service stopped: close open scans, run a last step, finish the run."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Input:
    """One input: arrival `t_s` (run seconds), kind, feed name, connection id (0: none), bytes."""

    t_s: float
    kind: InputKind
    feed: str = ""
    conn: int = 0
    payload: bytes = b""
