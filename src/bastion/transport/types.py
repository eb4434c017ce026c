"""The transports' whole contract: addresses and the callbacks they make."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

Address = tuple[str, int]
"""A host (IPv4 or IPv6 literal, or a name) and a port."""

DatagramHandler = Callable[[bytes, Address], None]
"""Called with each datagram received and its sender; must not block."""


def parse_address(text: str, *, what: str = "address") -> Address:
    """``host:port`` or ``[v6]:port`` to `(host, port)`; raises `ValueError` naming `what`."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ValueError(f"{what} {text!r}: expected host:port")
    port = int(port_text)
    if not 0 <= port <= 65535:
        raise ValueError(f"{what} {text!r}: port {port} outside 0..65535")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        ipaddress.IPv6Address(host)
    return host, port


def is_multicast(host: str) -> bool:
    """Whether `host` is an IPv4 or IPv6 multicast group literal."""
    try:
        return ipaddress.ip_address(host).is_multicast
    except ValueError:
        return False
