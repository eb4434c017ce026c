"""The live service's HTTP API: health, the picture, and the human decision on each engagement.

    GET  /health                            200 {"status": "ok", "t_s", "inputs", "feeds", ...}
    GET  /tracks                            200 [{"track_id", "t_s", "position_m", ...}]
    GET  /engagements                       200 [{"request_id", "track_id", "effector", ...}] pending
    POST /engagements/{request_id}/decision {"decision": "approved"|"denied", "operator", "role"}
                                            202 accepted for the next step; 400 bad body; 404 not pending;
                                            401 no or unknown token; 403 token of someone else

With operators configured (`ServiceSpec.operators`), a decision needs ``Authorization: Bearer
<token>``: the token's SHA-256 names the operator and role the decision is recorded under (the body
may leave them out; if it names them, they must be the token's). Without operators the API decides
unauthenticated, which the configuration allows only on a loopback address. With `http_tls` in the
configuration the API speaks HTTPS (`tls.server_context`), so tokens do not cross the network in clear.

A decision is an input like any other (recorded in the capture log, replayed): the pipeline's ledger
checks the operator's role and the request's state and answers with `engagement_authorised`,
`engagement_denied` or `input_rejected` events. Written on asyncio's streams rather than FastAPI and
uvicorn: four JSON routes, one event loop shared with the feeds and one shutdown; a second server
with its own signal handling would cost more than these 150 lines. Requests are bounded (8 KiB of
head, 64 KiB of body, 5 s to arrive) and each connection serves one request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

MAX_HEAD_BYTES = 8192
MAX_BODY_BYTES = 65_536
REQUEST_TIMEOUT_S = 5.0
_DECISION = re.compile(r"/engagements/(\d{1,9})/decision")


@dataclass(frozen=True, slots=True)
class Account:
    """Who a bearer token belongs to."""

    operator: str
    role: str


Accounts = Mapping[str, Account]
"""Accounts by the lower-case hex SHA-256 of their token."""


class ServiceView(Protocol):
    """What the API reads from and gives to the service."""

    def health(self) -> dict[str, Any]:
        """Liveness and counters."""

    def track_list(self) -> list[dict[str, Any]]:
        """Current tracks."""

    def pending_requests(self) -> list[dict[str, Any]]:
        """Engagement requests waiting for a human decision."""

    def submit_decision(self, request_id: int, doc: dict[str, Any]) -> None:
        """Queue a validated decision for the core."""


class HttpError(Exception):
    """An HTTP error answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        self.status = status
        super().__init__(message)


def route(
    view: ServiceView,
    method: str,
    path: str,
    body: bytes,
    *,
    authorization: str | None = None,
    accounts: Accounts | None = None,
) -> tuple[HTTPStatus, Any]:
    """Answer one request: (status, JSON-able body). Raises `HttpError`. `authorization` is the
    request's Authorization header; `accounts` the operators who may decide (None or empty: the
    API decides unauthenticated)."""
    if method == "GET" and path == "/health":
        return HTTPStatus.OK, view.health()
    if method == "GET" and path == "/tracks":
        return HTTPStatus.OK, view.track_list()
    if method == "GET" and path == "/engagements":
        return HTTPStatus.OK, view.pending_requests()
    m = _DECISION.fullmatch(path)
    if m and method == "POST":
        request_id = int(m.group(1))
        account = _authenticate(authorization, accounts) if accounts else None
        doc = _decision_body(body, account)
        if request_id not in {r["request_id"] for r in view.pending_requests()}:
            raise HttpError(HTTPStatus.NOT_FOUND, f"engagement request {request_id} is not pending")
        view.submit_decision(request_id, doc)
        return HTTPStatus.ACCEPTED, {"request_id": request_id, **doc, "status": "queued"}
    if path in ("/health", "/tracks", "/engagements") or m:
        raise HttpError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} not allowed on {path}")
    raise HttpError(HTTPStatus.NOT_FOUND, f"no route {path}")


def _authenticate(authorization: str | None, accounts: Accounts) -> Account:
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(HTTPStatus.UNAUTHORIZED, "a decision needs 'Authorization: Bearer <token>'")
    digest = hashlib.sha256(token.strip().encode("utf-8")).hexdigest()
    found = None
    for known, account in accounts.items():  # compare every one, in constant time
        if hmac.compare_digest(known, digest):
            found = account
    if found is None:
        raise HttpError(HTTPStatus.UNAUTHORIZED, "unknown token")
    return found


def _decision_body(body: bytes, account: Account | None) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HttpError(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
    if not isinstance(doc, dict):
        raise HttpError(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
    decision, operator, role = doc.get("decision"), doc.get("operator"), doc.get("role")
    if decision not in ("approved", "denied"):
        raise HttpError(HTTPStatus.BAD_REQUEST, "decision must be 'approved' or 'denied'")
    if account is not None:
        for name, value, own in (
            ("operator", operator, account.operator),
            ("role", role, account.role),
        ):
            if value is not None and value != own:
                raise HttpError(
                    HTTPStatus.FORBIDDEN,
                    f"the token is {account.operator}'s ({account.role}): {name} {value!r} is not",
                )
        return {"decision": decision, "operator": account.operator, "role": account.role}
    for name, value in (("operator", operator), ("role", role)):
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise HttpError(HTTPStatus.BAD_REQUEST, f"{name} must be a non-empty string")
    return {"decision": decision, "operator": operator, "role": role}


class HttpApi:
    """Serves `route` over HTTP/1.1 on one address."""

    def __init__(self, view: ServiceView, accounts: Accounts | None = None) -> None:
        """Use `HttpApi.start`."""
        self._view = view
        self._accounts = accounts
        self._server: asyncio.Server | None = None
        self.requests = 0

    @classmethod
    async def start(
        cls,
        view: ServiceView,
        host: str,
        port: int,
        accounts: Accounts | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> HttpApi:
        """Listen on `host:port` (0 picks a port); `accounts`: who may decide (see `route`); `tls`:
        serve HTTPS with this context (`tls.server_context`), else plain HTTP."""
        self = cls(view, accounts)
        self._server = await asyncio.start_server(
            self._serve,
            host,
            port,
            limit=MAX_HEAD_BYTES,
            ssl=tls,
            ssl_handshake_timeout=REQUEST_TIMEOUT_S if tls is not None else None,
        )
        return self

    @property
    def address(self) -> tuple[str, int]:
        """The listening address."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("API is closed")
        name = self._server.sockets[0].getsockname()
        return str(name[0]), int(name[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body = await asyncio.wait_for(self._request(reader), REQUEST_TIMEOUT_S)
        except HttpError as exc:
            status, body = exc.status, {"error": str(exc)}
        except TimeoutError:
            status, body = HTTPStatus.REQUEST_TIMEOUT, {"error": "request not received in time"}
        except (ValueError, asyncio.LimitOverrunError, asyncio.IncompleteReadError):
            status, body = HTTPStatus.BAD_REQUEST, {"error": "malformed HTTP request"}
        self.requests += 1
        data = json.dumps(body).encode("utf-8")
        challenge = "WWW-Authenticate: Bearer\r\n" if status is HTTPStatus.UNAUTHORIZED else ""
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\nContent-Type: application/json\r\n"
            f"{challenge}Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
        )
        with contextlib.suppress(ConnectionError, OSError):
            writer.write(head.encode("ascii") + data)
            await writer.drain()
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()

    async def _request(self, reader: asyncio.StreamReader) -> tuple[HTTPStatus, Any]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise HttpError(HTTPStatus.BAD_REQUEST, "malformed request line")
        method, path = parts[0], parts[1].split("?", 1)[0]
        length = 0
        authorization = None
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "authorization":
                authorization = value.strip()
            if name.strip().lower() == "content-length":
                if not value.strip().isdigit():
                    raise HttpError(HTTPStatus.BAD_REQUEST, "bad Content-Length")
                length = int(value.strip())
        if length > MAX_BODY_BYTES:
            raise HttpError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body above 64 KiB")
        body = await reader.readexactly(length) if length else b""
        return route(
            self._view, method, path, body, authorization=authorization, accounts=self._accounts
        )

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
