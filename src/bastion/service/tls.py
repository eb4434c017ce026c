"""TLS contexts for the service's own API (server side) and for its TAK server link (client side).

Both require TLS 1.2 or later with the standard library's default ciphers, and read PEM files
(a TAK server's `.p12` client bundle converts with `openssl pkcs12 -in user.p12 -out user.pem
-nodes`, then the certificate and key can be one file). Loading raises `OSError` or `ssl.SSLError`;
the service turns either into a `ConfigError` naming the field before it creates anything.
"""

from __future__ import annotations

import ssl
from pathlib import Path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """The HTTP API's context: its certificate chain and key; clients need no certificate
    (operators are known by their bearer tokens)."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_path, key_path)
    return ctx


def client_context(ca_path: Path, cert_path: Path | None, key_path: Path | None) -> ssl.SSLContext:
    """A TAK server link's context: the server must present a certificate issued by the CA in
    `ca_path` for the name connected to; `cert_path`/`key_path` are Bastion's client certificate
    and key (the TAK server's mutual TLS input, usually port 8089), or None for server-only TLS."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_path)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_path is not None:
        ctx.load_cert_chain(cert_path, key_path)
    return ctx
