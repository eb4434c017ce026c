"""The HTTP API over TLS (`http_tls`): HTTPS with the configured key, nothing in clear, a bad key
file refused before anything is created. Certificates come from a throw-away CA (trustme)."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import pytest
import trustme

from bastion.core.errors import ConfigError
from bastion.service import LiveService, load_service_config
from bastion.service.config import HttpTlsSpec
from bastion.service.tls import server_context

from .live_helpers import SERVE_CONFIG, http, rehearsal_config


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def key_files(ca: trustme.CA, tmp_path: Path) -> HttpTlsSpec:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    chain, key = tmp_path / "api-chain.pem", tmp_path / "api-key.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in cert.cert_chain_pems))
    key.write_bytes(cert.private_key_pem.bytes())
    return HttpTlsSpec(cert=str(chain), key=str(key))


async def _raw_exchange(address: tuple[str, int], request: bytes) -> bytes:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(*address), 5.0)
    writer.write(request)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 10.0)
    except ConnectionError:
        return b""
    finally:
        writer.close()


async def _served(run_dir: Path, tls_spec: HttpTlsSpec, ca: trustme.CA) -> dict[str, object]:
    service = LiveService(rehearsal_config(http_tls=tls_spec), run_dir)
    await service.start()
    task = asyncio.create_task(service.run())
    try:
        assert service.api is not None
        address = service.api.address
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        status, health = await http(address, "GET", "/health", tls=trusting)
        clear = await _raw_exchange(address, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        stranger = ssl.create_default_context()  # the system's CAs only
        with pytest.raises(ssl.SSLCertVerificationError):
            await http(address, "GET", "/health", tls=stranger)
    finally:
        service.request_stop()
        await task
    return {"status": status, "health": health, "clear": clear}


def test_the_api_speaks_https_only_with_the_configured_key(
    tmp_path: Path, key_files: HttpTlsSpec, ca: trustme.CA
) -> None:
    got = asyncio.run(asyncio.wait_for(_served(tmp_path / "run", key_files, ca), 60))
    assert got["status"] == 200
    health = got["health"]
    assert isinstance(health, dict) and health["status"] == "ok"
    # a plain-HTTP request gets no HTTP answer: nothing is served in clear
    assert not bytes(got["clear"]).startswith(b"HTTP/")  # type: ignore[call-overload]


def test_the_server_context_refuses_versions_before_tls_1_2(key_files: HttpTlsSpec) -> None:
    ctx = server_context(Path(key_files.cert), Path(key_files.key))
    assert ctx.minimum_version is ssl.TLSVersion.TLSv1_2
    # operators are known by their bearer tokens: clients need no certificate
    assert not ctx.check_hostname and ctx.verify_mode is ssl.CERT_NONE


def test_an_unreadable_key_stops_the_start_before_anything_is_created(
    tmp_path: Path, key_files: HttpTlsSpec
) -> None:
    wrong = HttpTlsSpec(cert=key_files.cert, key=str(tmp_path / "missing-key.pem"))
    run_dir = tmp_path / "run"
    service = LiveService(rehearsal_config(http_tls=wrong), run_dir)
    with pytest.raises(ConfigError, match="http_tls: cannot load the TLS certificates or key"):
        asyncio.run(service.start())
    assert not run_dir.exists()
    swapped = HttpTlsSpec(cert=key_files.key, key=key_files.cert)  # key where the chain goes
    with pytest.raises(ConfigError, match="http_tls"):
        asyncio.run(LiveService(rehearsal_config(http_tls=swapped), run_dir).start())
    assert not run_dir.exists()


def test_http_tls_needs_both_files(tmp_path: Path) -> None:
    text = SERVE_CONFIG.read_text()
    path = SERVE_CONFIG.parent / "tls-half.yaml"  # beside the original: its relative paths hold
    try:
        path.write_text(text + "\nhttp_tls: {cert: api-chain.pem}\n")
        with pytest.raises(ConfigError, match=r"http_tls\.key"):
            load_service_config(path)
    finally:
        path.unlink(missing_ok=True)
