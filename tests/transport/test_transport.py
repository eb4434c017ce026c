"""Transports on loopback: UDP in and out, multicast in a private network namespace, TCP server limits."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bastion.transport import (
    Connection,
    StreamLimits,
    TcpClient,
    TcpServer,
    UdpReceiver,
    UdpSender,
    parse_address,
)

SRC = Path(__file__).resolve().parents[2] / "src"


def test_parse_address() -> None:
    assert parse_address("127.0.0.1:30048") == ("127.0.0.1", 30048)
    assert parse_address("[::1]:8087") == ("::1", 8087)
    for bad in ("127.0.0.1", "host:99999", ":80", "127.0.0.1:x"):
        with pytest.raises(ValueError, match=r"expected host:port|outside"):
            parse_address(bad)


async def _udp_round_trip() -> tuple[list[bytes], int]:
    got: list[bytes] = []
    rx = await UdpReceiver.open("127.0.0.1", 0, lambda d, _a: got.append(d), max_bytes=1000)
    tx = await UdpSender.open(*rx.address)
    for data in (b"one", b"two", b"x" * 2000, b"three"):
        tx.send(data)
    for _ in range(200):  # bounded wait for delivery
        if len(got) == 3:
            break
        await asyncio.sleep(0.01)
    tx.close()
    rx.close()
    return got, rx.oversized


def test_udp_delivers_datagrams_and_counts_oversized_ones() -> None:
    got, oversized = asyncio.run(asyncio.wait_for(_udp_round_trip(), 10))
    assert got == [b"one", b"two", b"three"]
    assert oversized == 1


MULTICAST_SCRIPT = textwrap.dedent(
    """
    import asyncio, fcntl, socket, struct
    from bastion.transport import UdpReceiver, UdpSender

    def loopback_up():  # a new network namespace starts with lo down
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        ifr = struct.pack("16sh14s", b"lo", 0, bytes(14))
        flags = struct.unpack("16sh14s", fcntl.ioctl(s, 0x8913, ifr))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sh14s", b"lo", flags | 1, bytes(14)))

    async def main():
        got = []
        rx = await UdpReceiver.open("239.255.48.1", 30048, lambda d, a: got.append(d),
                                    interface="127.0.0.1")
        tx = await UdpSender.open("239.255.48.1", 30048, multicast_interface="127.0.0.1", ttl=0)
        for i in range(3):
            tx.send(b"plot %d" % i)
        for _ in range(200):
            if len(got) == 3:
                break
            await asyncio.sleep(0.01)
        print(sorted(got))

    loopback_up()
    asyncio.run(asyncio.wait_for(main(), 10))
    """
)


def test_multicast_group_in_a_private_network_namespace() -> None:
    """Multicast is joined and received inside a network namespace of our own (no traffic leaves)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run(
        ["unshare", "-rn", sys.executable, "-c", MULTICAST_SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[b'plot 0', b'plot 1', b'plot 2']"


class Echo:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def opened(self, conn: Connection) -> None:
        pass

    async def received(self, conn: Connection, data: bytes) -> None:
        conn.write(data.upper())

    def closed(self, conn: Connection, reason: str) -> None:
        self.reasons.append(reason)


async def _tcp_scenario() -> tuple[bytes, bytes, list[str], int]:
    handler = Echo()
    limits = StreamLimits(idle_timeout_s=0.3, max_connections=2)
    server = await TcpServer.start("127.0.0.1", 0, handler, limits)
    silent = await TcpClient.connect(*server.address)  # connects and never sends
    talker = await TcpClient.connect(*server.address)
    await talker.send(b"hello")
    echoed = await talker.read(timeout_s=5)
    for _ in range(100):  # the silent client is dropped after its idle timeout
        if handler.reasons:
            break
        await asyncio.sleep(0.02)
    at_idle = await silent.read(timeout_s=5)
    third = await TcpClient.connect(*server.address)  # one slot freed by the idle close
    await third.send(b"again")
    echoed_third = await third.read(timeout_s=5)
    assert at_idle == b""
    reasons = list(handler.reasons)
    for c in (silent, talker, third):
        await c.close()
    await server.close()
    return echoed, echoed_third, reasons, server.refused


def test_tcp_server_serves_closes_idle_clients_and_frees_their_slot() -> None:
    echoed, echoed_third, reasons, refused = asyncio.run(asyncio.wait_for(_tcp_scenario(), 20))
    assert echoed == b"HELLO"
    assert echoed_third == b"AGAIN"
    assert reasons[0] == "idle for 0.3 s"
    assert refused == 0


async def _refusal() -> tuple[int, bytes]:
    server = await TcpServer.start("127.0.0.1", 0, Echo(), StreamLimits(max_connections=1))
    first = await TcpClient.connect(*server.address)
    await first.send(b"a")
    await first.read(timeout_s=5)
    second = await TcpClient.connect(*server.address)
    refused_read = await second.read(timeout_s=5)
    await first.close()
    await second.close()
    await server.close()
    return server.refused, refused_read


def test_connections_beyond_the_limit_are_refused() -> None:
    refused, data = asyncio.run(asyncio.wait_for(_refusal(), 20))
    assert refused == 1
    assert data == b""
