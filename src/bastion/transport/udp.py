"""UDP datagrams in (unicast or multicast) and out, on asyncio's datagram endpoints.

A receiver bound to a multicast group joins it on one interface (`interface`, an IPv4 address of
that interface; the default ``0.0.0.0`` lets the kernel choose). A sender to a group sets the
outgoing interface and the TTL (1 by default: the group stays on the local link). Receive buffers
are the kernel's: a burst beyond them is dropped by the kernel, which is why the feeds carry their
own sequence or time stamps. Datagrams larger than `max_bytes` are counted and not delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from bastion.transport.types import Address, DatagramHandler, is_multicast

RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
"""Kernel receive buffer asked for (the kernel may grant less): about 0.2 s of a 20,000 plot/s feed."""


SO_RXQ_OVFL = getattr(socket, "SO_RXQ_OVFL", 40)
"""Linux: each received datagram carries the socket's count of datagrams the kernel dropped."""
BURST = 512
"""Datagrams read per wake-up: the kernel buffer is emptied into the owner's queue promptly, so
overload shows in the owner's bounded queue (counted) rather than as silent kernel drops."""


class UdpReceiver:
    """Delivers every datagram arriving on a local address (and group) to `on_datagram`.

    `kernel_drops` is the kernel's own count of datagrams dropped because the socket's receive
    buffer was full (Linux `SO_RXQ_OVFL`; stays 0 where unsupported).
    """

    def __init__(self, on_datagram: DatagramHandler, max_bytes: int) -> None:
        """Use `UdpReceiver.open`."""
        self._on_datagram = on_datagram
        self._max_bytes = max_bytes
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.received = 0
        self.oversized = 0
        self.errors = 0
        self.kernel_drops = 0

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        on_datagram: DatagramHandler,
        *,
        interface: str = "0.0.0.0",
        max_bytes: int = 65_535,
    ) -> UdpReceiver:
        """Bind `host:port` (a group address joins that group on `interface`); port 0 picks one."""
        self = cls(on_datagram, max_bytes)
        sock = _bound_socket(host, port, interface)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(sock.fileno(), self._read_ready)
        return self

    @property
    def address(self) -> Address:
        """The bound local address (the real port when 0 was asked for)."""
        if self._sock is None:
            raise RuntimeError("receiver is closed")
        name = self._sock.getsockname()
        return str(name[0]), int(name[1])

    def _read_ready(self) -> None:
        sock = self._sock
        if sock is None:
            return
        for _ in range(BURST):
            try:
                data, anc, flags, addr = sock.recvmsg(self._max_bytes + 1, socket.CMSG_SPACE(4))
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self.errors += 1
                return
            for level, kind, value in anc:
                if level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL and len(value) >= 4:
                    self.kernel_drops = int.from_bytes(value[:4], "little")
            self.received += 1
            if flags & socket.MSG_TRUNC or len(data) > self._max_bytes:
                self.oversized += 1
                continue
            self._on_datagram(data, (str(addr[0]), int(addr[1])))

    def close(self) -> None:
        """Stop receiving (idempotent)."""
        if self._sock is not None:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None


def _bound_socket(host: str, port: int, interface: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        sock.bind((host, port))
        if is_multicast(host):
            if family == socket.AF_INET6:
                index = socket.if_nametoindex(interface) if interface not in ("", "0.0.0.0") else 0
                mreq6 = socket.inet_pton(socket.AF_INET6, host) + index.to_bytes(4, "little")
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6)
            else:
                mreq = socket.inet_aton(host) + socket.inet_aton(interface)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class UdpSender:
    """Sends datagrams to one destination (unicast or a multicast group)."""

    def __init__(self, sock: socket.socket, destination: Address) -> None:
        """Use `UdpSender.open`."""
        self._sock: socket.socket | None = sock
        self.destination = destination
        self.sent = 0
        self.errors = 0

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        multicast_interface: str = "",
        ttl: int = 1,
    ) -> UdpSender:
        """A sender to `host:port`; for a group, `multicast_interface` (IPv4 address) and `ttl`."""
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        family, _, _, _, sockaddr = infos[0]
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            if is_multicast(host) and family == socket.AF_INET:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
                if multicast_interface:
                    sock.setsockopt(
                        socket.IPPROTO_IP,
                        socket.IP_MULTICAST_IF,
                        socket.inet_aton(multicast_interface),
                    )
            elif is_multicast(host):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, ttl)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        return cls(sock, (str(sockaddr[0]), int(sockaddr[1])))

    def send(self, data: bytes) -> bool:
        """Send one datagram now; False (counted in `errors`) if the kernel refused it."""
        if self._sock is None:
            raise RuntimeError("sender is closed")
        try:
            self._sock.sendto(data, self.destination)
        except OSError:  # buffer full, no listener (ICMP), message too long: counted, not raised
            self.errors += 1
            return False
        self.sent += 1
        return True

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
