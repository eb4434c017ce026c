"""Transports: move bytes over UDP (unicast, multicast) and TCP (server, client) with asyncio.

They know nothing of the bytes they carry: every protocol is a pure codec in `bastion.codecs`, and
the live service (`bastion.service`) joins the two. Each transport calls back with the bytes and who
sent them, and is closed by its owner; none reads the clock or swallows an error silently.

    await UdpReceiver.open(host, port, on_datagram, group=None)    datagrams in (unicast/multicast)
    await UdpSender.open(host, port, multicast_interface=None)     datagrams out
    await TcpServer.start(host, port, handler, limits)             streams in, replies out
    await TcpClient.connect(host, port)                            a stream out (TAK server, ADS-B)
"""

from __future__ import annotations

from bastion.transport.tcp import Connection, ConnectionHandler, StreamLimits, TcpClient, TcpServer
from bastion.transport.types import Address, DatagramHandler, parse_address
from bastion.transport.udp import UdpReceiver, UdpSender

__all__ = [
    "Address",
    "Connection",
    "ConnectionHandler",
    "DatagramHandler",
    "StreamLimits",
    "TcpClient",
    "TcpServer",
    "UdpReceiver",
    "UdpSender",
    "parse_address",
]
