"""TCP streams: a server that hands each connection's bytes to a handler, and a client.

Every connection is read in chunks of at most `read_bytes`; the handler's `received` is awaited
before the next read, so a handler that is busy slows its peer down through TCP's own flow control
(back-pressure) instead of growing a buffer. A connection that sends nothing for `idle_timeout_s` is
closed ("idle"), so a client that connects and never sends cannot hold a slot forever; connections
beyond `max_connections` are refused at once; a peer that does not read what it is sent is
closed once `max_write_buffer_bytes` are waiting for it ("slow reader").
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from typing import Protocol

from bastion.transport.types import Address


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamLimits:
    """Bounds on one TCP server: seconds, bytes and connection count."""

    idle_timeout_s: float = 30.0
    read_bytes: int = 65_536
    max_connections: int = 64
    max_write_buffer_bytes: int = 1_048_576


class Connection:
    """One accepted connection: who it is, and a way to answer or hang up."""

    def __init__(self, conn_id: int, peer: Address, writer: asyncio.StreamWriter, limit: int):
        """Made by `TcpServer` for each accepted peer."""
        self.conn_id = conn_id
        self.peer = peer
        self._writer = writer
        self._limit = limit
        self.close_reason = ""

    @property
    def is_closing(self) -> bool:
        """Whether the connection is closed or being closed."""
        return self._writer.is_closing()

    def write(self, data: bytes) -> bool:
        """Queue `data` to the peer; a peer with too much unread is closed (returns False)."""
        if self._writer.is_closing():
            return False
        if self._writer.transport.get_write_buffer_size() + len(data) > self._limit:
            self.close("slow reader: write buffer full")
            return False
        self._writer.write(data)
        return True

    def close(self, reason: str) -> None:
        """Close the connection, remembering why (the first reason given wins)."""
        if not self.close_reason:
            self.close_reason = reason
        self._writer.close()


class ConnectionHandler(Protocol):
    """What a `TcpServer` calls for each connection."""

    def opened(self, conn: Connection) -> None:
        """A peer connected."""

    async def received(self, conn: Connection, data: bytes) -> None:
        """Bytes arrived; the next read waits until this returns."""

    def closed(self, conn: Connection, reason: str) -> None:
        """The connection ended (peer closed, idle, refused, error, or closed by us)."""


class TcpServer:
    """Accepts TCP connections on one address and serves each with a `ConnectionHandler`."""

    def __init__(self, handler: ConnectionHandler, limits: StreamLimits) -> None:
        """Use `TcpServer.start`."""
        self._handler = handler
        self._limits = limits
        self._server: asyncio.Server | None = None
        self._next_id = 1
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections: dict[int, Connection] = {}
        self.refused = 0

    @classmethod
    async def start(
        cls,
        host: str,
        port: int,
        handler: ConnectionHandler,
        limits: StreamLimits | None = None,
        *,
        first_conn_id: int = 1,
    ) -> TcpServer:
        """Listen on `host:port` (port 0 picks one); connection ids count from `first_conn_id`."""
        self = cls(handler, limits or StreamLimits())
        self._next_id = first_conn_id
        self._server = await asyncio.start_server(self._serve, host, port, limit=2**16)
        return self

    @property
    def address(self) -> Address:
        """The listening address (the real port when 0 was asked for)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("server is closed")
        name = self._server.sockets[0].getsockname()
        return str(name[0]), int(name[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        peer_info = writer.get_extra_info("peername") or ("?", 0)
        conn = Connection(
            self._next_id,
            (str(peer_info[0]), int(peer_info[1])),
            writer,
            self._limits.max_write_buffer_bytes,
        )
        self._next_id += 1
        if len(self.connections) >= self._limits.max_connections:
            self.refused += 1
            writer.close()
            if task is not None:
                self._tasks.discard(task)
            return
        self.connections[conn.conn_id] = conn
        self._handler.opened(conn)
        reason = "peer closed"
        try:
            while not conn.is_closing:
                try:
                    data = await asyncio.wait_for(
                        reader.read(self._limits.read_bytes), self._limits.idle_timeout_s
                    )
                except TimeoutError:
                    reason = f"idle for {self._limits.idle_timeout_s:g} s"
                    break
                if not data:
                    break
                await self._handler.received(conn, data)
        except (ConnectionError, OSError) as exc:
            reason = f"connection error: {exc}"
        except asyncio.CancelledError:
            reason = "server shutting down"
        finally:
            conn.close(reason)
            self.connections.pop(conn.conn_id, None)
            self._handler.closed(conn, conn.close_reason)
            with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
                await writer.wait_closed()
            if task is not None:
                self._tasks.discard(task)

    async def close(self) -> None:
        """Stop accepting, close every connection and wait for their handlers to finish."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


class TcpClient:
    """One outgoing TCP connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Use `TcpClient.connect`."""
        self._reader = reader
        self._writer = writer

    @classmethod
    async def connect(
        cls,
        host: str,
        port: int,
        *,
        timeout_s: float = 5.0,
        tls: ssl.SSLContext | None = None,
        server_name: str = "",
    ) -> TcpClient:
        """Connect to `host:port` within `timeout_s` (the TLS handshake included, with `tls`: the
        server's certificate checked for `server_name`, default `host`); raises `OSError` (an
        `ssl.SSLError` for a refused handshake) or `TimeoutError`."""
        name = (server_name or host) if tls is not None else None
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=tls, server_hostname=name), timeout_s
        )
        return cls(reader, writer)

    @property
    def is_closing(self) -> bool:
        """Whether the connection is closed or being closed."""
        return self._writer.is_closing()

    async def send(self, data: bytes) -> None:
        """Write `data` and wait until the kernel has room for more (raises on a broken link)."""
        self._writer.write(data)
        await self._writer.drain()

    async def read(self, max_bytes: int = 65_536, *, timeout_s: float | None = None) -> bytes:
        """Up to `max_bytes` of what the peer sent (b"" at end of stream)."""
        return await asyncio.wait_for(self._reader.read(max_bytes), timeout_s)

    async def close(self) -> None:
        """Close the connection and wait for it to be closed."""
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()
