"""Where the live picture goes: CoT over UDP and to a TAK server over TCP (optionally TLS), CAT062
over UDP.

A TAK server link is a bounded queue and a task that connects, sends and reconnects (every
`retry_s`) on its own: a slow or absent TAK server never blocks the pipeline; when the queue is
full the oldest events are dropped first (the newer state of a track replaces the older anyway)
and counted. CoT goes as XML documents (``format: xml``, what TAK servers and ATAK accept on their
plain TCP/UDP inputs) or TAK protocol v1 (``format: tak``: mesh framing on UDP, stream framing on
TCP), over TLS when configured (`cot.tls`: the server's CA, Bastion's client certificate; a refused
handshake is counted and retried like a refused connection). Chosen over PyPI `pytak`: its worth is
TLS set-up and its own queue workers, and Bastion already has the transport, the codecs and the
standard library's `ssl`; one client task here is 70 lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import Callable, Sequence

from bastion.codecs.asterix import Cat062Track
from bastion.codecs.cot import CotEvent, encode_mesh_many, encode_stream_many, encode_xml
from bastion.service.config import Cat062OutSpec, CotOutSpec
from bastion.service.publish import cat062_datagrams
from bastion.transport import TcpClient, UdpSender, parse_address

TAK_QUEUE_ITEMS = 10_000


class TakLink:
    """A TCP link to a TAK server that keeps reconnecting; `offer` never blocks."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        retry_s: float = 2.0,
        on_receive: Callable[[bytes], None] | None = None,
        tls: ssl.SSLContext | None = None,
        server_name: str = "",
    ) -> None:
        """Call `start` to run it; `on_receive` gets what the server sends back; `tls`: connect
        with TLS, checking the server's certificate for `server_name` (default `host`)."""
        self._host, self._port, self._retry_s = host, port, retry_s
        self._tls, self._server_name = tls, server_name
        self._on_receive = on_receive
        self._queue: deque[bytes] = deque(maxlen=TAK_QUEUE_ITEMS)
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connected = False
        self.sent = 0
        self.dropped = 0
        self.connects = 0
        self.refused = 0
        """Connections whose TLS handshake failed (a certificate not trusted, or ours refused)."""

    def start(self) -> None:
        """Start the link's task."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tak-link")

    def offer(self, data: bytes) -> None:
        """Queue bytes for the server (the oldest are dropped when the queue is full)."""
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
        self._queue.append(data)
        self._ready.set()

    @property
    def queued(self) -> int:
        """Items waiting."""
        return len(self._queue)

    async def _run(self) -> None:
        while True:
            try:
                client = await TcpClient.connect(
                    self._host,
                    self._port,
                    timeout_s=5.0,
                    tls=self._tls,
                    server_name=self._server_name,
                )
            except (OSError, TimeoutError) as exc:
                if isinstance(exc, ssl.SSLError):
                    self.refused += 1
                await asyncio.sleep(self._retry_s)
                continue
            self.connected = True
            self.connects += 1
            reader = asyncio.create_task(self._read(client))
            try:
                while not reader.done():
                    while self._queue:
                        await client.send(self._queue[0])
                        self._queue.popleft()
                        self.sent += 1
                    self._ready.clear()
                    waiter = asyncio.create_task(self._ready.wait())
                    await asyncio.wait({waiter, reader}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
            except (OSError, ConnectionError):
                pass
            finally:
                self.connected = False
                reader.cancel()
                await client.close()
            await asyncio.sleep(self._retry_s)

    async def _read(self, client: TcpClient) -> None:
        """What the server sends (other clients' events) until it hangs up."""
        with contextlib.suppress(OSError, ConnectionError):
            while data := await client.read():
                if self._on_receive is not None:
                    self._on_receive(data)

    async def close(self, *, flush_timeout_s: float = 2.0) -> None:
        """Send what is queued (waiting at most `flush_timeout_s`), then stop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + flush_timeout_s
        while self._queue and self.connected and loop.time() < deadline:
            await asyncio.sleep(0.01)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class Outputs:
    """Every configured output; `send` publishes one step's CoT events and CAT062 updates."""

    def __init__(self) -> None:
        """Use `Outputs.open`."""
        self.cot_udp: UdpSender | None = None
        self.cot_format = "xml"
        self.tak: TakLink | None = None
        self.cat062_udp: UdpSender | None = None
        self.cot_sent = 0
        self.cat062_sent = 0

    @classmethod
    async def open(
        cls,
        cot: CotOutSpec | None,
        cat062: Cat062OutSpec | None,
        *,
        on_tak: Callable[[bytes], None] | None = None,
        tak_tls: ssl.SSLContext | None = None,
    ) -> Outputs:
        """Open the senders and start the TAK link (`on_tak` gets what the TAK server sends;
        `tak_tls`: the link's TLS context, `tls.client_context`, when `cot.tls` is set)."""
        self = cls()
        if cot is not None:
            self.cot_format = cot.format
            if cot.udp:
                host, port = parse_address(cot.udp)
                self.cot_udp = await UdpSender.open(
                    host, port, multicast_interface=cot.multicast_interface
                )
            if cot.tcp:
                host, port = parse_address(cot.tcp)
                server_name = cot.tls.server_name if cot.tls is not None else ""
                self.tak = TakLink(
                    host, port, on_receive=on_tak, tls=tak_tls, server_name=server_name
                )
                self.tak.start()
        if cat062 is not None:
            host, port = parse_address(cat062.udp)
            self.cat062_udp = await UdpSender.open(
                host, port, multicast_interface=cat062.multicast_interface
            )
        return self

    def send(self, cot: Sequence[CotEvent], cat062: Sequence[Cat062Track]) -> None:
        """Publish now (never blocks: UDP sends, the TAK link queues). TAK protocol events are
        encoded together (`encode_mesh_many`: one array pass for all their numbers)."""
        tak = self.cot_format == "tak"
        if cot and self.cot_udp is not None:
            for data in encode_mesh_many(cot) if tak else [encode_xml(e) for e in cot]:
                self.cot_udp.send(data)
        if cot and self.tak is not None:
            for data in encode_stream_many(cot) if tak else [encode_xml(e) for e in cot]:
                self.tak.offer(data)
        self.cot_sent += len(cot)
        if self.cat062_udp is not None and cat062:
            for datagram in cat062_datagrams(cat062):
                self.cat062_udp.send(datagram)
            self.cat062_sent += len(cat062)

    @property
    def wants_cat062(self) -> bool:
        """Whether CAT062 is configured (its encoding is skipped otherwise)."""
        return self.cat062_udp is not None

    async def close(self) -> None:
        """Flush the TAK link and close every socket."""
        if self.tak is not None:
            await self.tak.close()
        for sender in (self.cot_udp, self.cat062_udp):
            if sender is not None:
                sender.close()
