"""CoT to a TAK server over mutual TLS (`outputs.cot.tls`): a stand-in TAK TLS input that requires
a client certificate from its CA receives Bastion's events and sees Bastion's certificate; a server
whose certificate Bastion's CA did not issue gets nothing; unusable files stop the start."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from pathlib import Path

import pytest
import trustme

from bastion.codecs.cot import CotEvent
from bastion.core.errors import ConfigError
from bastion.service import LiveService
from bastion.service.config import CotOutSpec, OutputsSpec, TakTlsSpec
from bastion.service.outputs import Outputs
from bastion.service.tls import client_context

from .live_helpers import rehearsal_config

EVENT = CotEvent(
    uid="bastion.test.track.7",
    type="a-h-A-M-F-Q",
    how="m-f",
    time_utc_s=1_750_000_000.0,
    start_utc_s=1_750_000_000.0,
    stale_utc_s=1_750_000_010.0,
    lat_deg=33.8,
    lon_deg=42.4,
    hae_m=400.0,
    ce_m=20.0,
    le_m=20.0,
    callsign="T7",
)


def _pem(tmp: Path, name: str, *blobs: trustme.Blob) -> str:
    path = tmp / name
    path.write_bytes(b"".join(b.bytes() for b in blobs))
    return str(path)


class TakStandIn:
    """A TLS listener that requires a client certificate from `ca`, like a TAK server's 8089."""

    def __init__(self, server_ca: trustme.CA, client_ca: trustme.CA) -> None:
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ca.issue_cert("127.0.0.1").configure_cert(self.ctx)
        client_ca.configure_trust(self.ctx)
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.received = bytearray()
        self.peers: list[str] = []
        self.got = asyncio.Event()

    async def start(self) -> tuple[str, int]:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.ctx)
        host, port = self.server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        cert = writer.get_extra_info("peercert") or {}
        self.peers += [v for kind, v in cert.get("subjectAltName", ()) if kind == "DNS"]
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while data := await reader.read(65_536):
                self.received += data
                self.got.set()
        writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await writer.wait_closed()

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def _link(
    tmp: Path, server_ca: trustme.CA, trusted_ca: trustme.CA
) -> tuple[TakStandIn, Outputs]:
    client_ca = trustme.CA()
    tak = TakStandIn(server_ca, client_ca)
    host, port = await tak.start()
    ours = client_ca.issue_cert("bastion-c2")
    spec = CotOutSpec(
        tcp=f"{host}:{port}",
        tls=TakTlsSpec(
            ca=_pem(tmp, "tak-ca.pem", trusted_ca.cert_pem),
            cert=_pem(tmp, "bastion.pem", *ours.cert_chain_pems),
            key=_pem(tmp, "bastion-key.pem", ours.private_key_pem),
        ),
    )
    assert spec.tls is not None
    ctx = client_context(Path(spec.tls.ca), Path(spec.tls.cert), Path(spec.tls.key))
    outputs = await Outputs.open(spec, None, tak_tls=ctx)
    assert outputs.tak is not None
    outputs.tak._retry_s = 0.05  # retry fast in the test
    outputs.send([EVENT], [])
    return tak, outputs


def test_cot_reaches_a_mutual_tls_tak_server(tmp_path: Path) -> None:
    async def go() -> tuple[TakStandIn, Outputs]:
        server_ca = trustme.CA()
        tak, outputs = await _link(tmp_path, server_ca, server_ca)
        await asyncio.wait_for(tak.got.wait(), 10.0)
        await outputs.close()
        await tak.close()
        return tak, outputs

    tak, outputs = asyncio.run(go())
    assert b'uid="bastion.test.track.7"' in tak.received
    assert tak.peers == ["bastion-c2"]  # the server saw Bastion's client certificate
    assert outputs.tak is not None and outputs.tak.refused == 0 and outputs.tak.sent == 1


def test_a_server_certificate_from_another_ca_gets_nothing(tmp_path: Path) -> None:
    async def go() -> tuple[TakStandIn, Outputs]:
        tak, outputs = await _link(tmp_path, trustme.CA(), trustme.CA())  # we trust another CA
        for _ in range(100):
            assert outputs.tak is not None
            if outputs.tak.refused >= 2:
                break
            await asyncio.sleep(0.02)
        await outputs.close()  # nothing to flush: never connected
        await tak.close()
        return tak, outputs

    tak, outputs = asyncio.run(go())
    assert outputs.tak is not None and outputs.tak.refused >= 2 and outputs.tak.sent == 0
    assert not tak.received and outputs.tak.queued == 1  # kept for when the link is fixed


def test_unusable_tak_tls_files_stop_the_start_before_anything_is_created(tmp_path: Path) -> None:
    ca = trustme.CA()
    good = _pem(tmp_path, "ca.pem", ca.cert_pem)
    for tls in (
        TakTlsSpec(ca=str(tmp_path / "missing.pem")),
        TakTlsSpec(ca=good, cert=good, key=good),  # a CA certificate is no client certificate
    ):
        cot = CotOutSpec(tcp="127.0.0.1:9", tls=tls)
        service = LiveService(rehearsal_config(outputs=OutputsSpec(cot=cot)), tmp_path / "run")
        with pytest.raises(ConfigError, match=r"outputs\.cot\.tls: cannot load the TLS"):
            asyncio.run(service.start())
        assert not (tmp_path / "run").exists()
