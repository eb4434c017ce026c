"""Helpers for the live service tests: a served configuration on loopback, and an HTTP client."""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import replace
from pathlib import Path
from typing import Any

from bastion.service import LiveService, ServiceConfig, load_service_config

DATA = Path(__file__).resolve().parents[1] / "data" / "service"
REHEARSAL = DATA / "rehearsal.yaml"
SERVE_CONFIG = DATA / "rehearsal-serve.yaml"


def rehearsal_config(**changes: Any) -> ServiceConfig:
    """The rehearsal serve configuration (every port 0), with top-level spec fields changed."""
    cfg = load_service_config(SERVE_CONFIG)
    return replace(cfg, spec=cfg.spec.model_copy(update=changes))


def bound_config(service: LiveService) -> ServiceConfig:
    """The service's configuration with the ports it really bound (what a sender must use)."""
    spec = service.config.spec
    feeds = [
        f.model_copy(update={"listen": "{}:{}".format(*service.receivers[f"asterix{i}"].address)})
        for i, f in enumerate(spec.asterix)
    ]
    update: dict[str, Any] = {"asterix": feeds}
    if service.sapient_server is not None and spec.sapient is not None:
        addr = "{}:{}".format(*service.sapient_server.address)
        update["sapient"] = spec.sapient.model_copy(update={"listen": addr})
    return replace(service.config, spec=spec.model_copy(update=update))


async def http(
    address: tuple[str, int],
    method: str,
    path: str,
    body: Any = None,
    *,
    tls: ssl.SSLContext | None = None,
    headers: str = "",
) -> tuple[int, Any]:
    """One HTTP request to the service's API (HTTPS with the client context `tls`; `headers`:
    extra header lines, each ending in CRLF): (status, decoded JSON body)."""
    server_hostname = address[0] if tls is not None else None
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(*address, ssl=tls, server_hostname=server_hostname), 5.0
    )
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {len(data)}\r\n\r\n"
    writer.write(head.encode() + data)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 5.0)
    writer.close()
    status = int(raw.split(b" ", 2)[1])
    return status, json.loads(raw.split(b"\r\n\r\n", 1)[1])


class Collector(asyncio.DatagramProtocol):
    """Collects datagrams (for the CoT and CAT062 outputs)."""

    def __init__(self) -> None:
        self.datagrams: list[bytes] = []

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.datagrams.append(data)


async def collector() -> tuple[asyncio.DatagramTransport, Collector, str]:
    """A UDP collector on loopback and its ``host:port``."""
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_datagram_endpoint(Collector, local_addr=("127.0.0.1", 0))
    host, port = transport.get_extra_info("sockname")[:2]
    return transport, proto, f"{host}:{port}"
