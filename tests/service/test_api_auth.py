"""Who may decide an engagement through the HTTP API: bearer tokens, recorded names, loopback only
without them."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bastion.cli import app
from bastion.core.errors import ConfigError
from bastion.service import load_service_config
from bastion.service.api import Account, HttpApi, HttpError, route

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "al-asad-drone-raid.yaml"
TOKEN = "correct-horse-battery-staple"
ACCOUNTS = {hashlib.sha256(TOKEN.encode()).hexdigest(): Account("J. Smith", "engagement_authority")}


class View:
    """One pending request (7); decisions submitted are kept."""

    def __init__(self) -> None:
        self.submitted: list[tuple[int, dict[str, Any]]] = []

    def health(self) -> dict[str, Any]:
        return {"status": "ok"}

    def track_list(self) -> list[dict[str, Any]]:
        return []

    def pending_requests(self) -> list[dict[str, Any]]:
        return [{"request_id": 7}]

    def submit_decision(self, request_id: int, doc: dict[str, Any]) -> None:
        self.submitted.append((request_id, doc))


def decide(view: View, body: dict[str, Any], authorization: str | None) -> tuple[HTTPStatus, Any]:
    data = json.dumps(body).encode()
    return route(
        view,
        "POST",
        "/engagements/7/decision",
        data,
        authorization=authorization,
        accounts=ACCOUNTS,
    )


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, HTTPStatus.UNAUTHORIZED),
        ("Bearer", HTTPStatus.UNAUTHORIZED),
        (f"Basic {TOKEN}", HTTPStatus.UNAUTHORIZED),
        ("Bearer not-the-token", HTTPStatus.UNAUTHORIZED),
    ],
)
def test_a_decision_without_a_known_token_is_refused(
    authorization: str | None, status: int
) -> None:
    view = View()
    with pytest.raises(HttpError) as err:
        decide(view, {"decision": "approved"}, authorization)
    assert err.value.status == status
    assert view.submitted == []


def test_the_token_names_who_decided() -> None:
    view = View()
    status, body = decide(view, {"decision": "approved"}, f"Bearer {TOKEN}")
    assert status == HTTPStatus.ACCEPTED
    assert view.submitted == [
        (7, {"decision": "approved", "operator": "J. Smith", "role": "engagement_authority"})
    ]
    assert body["operator"] == "J. Smith"


@pytest.mark.parametrize(
    "claim", [{"operator": "Someone Else"}, {"role": "commander"}], ids=["operator", "role"]
)
def test_a_token_cannot_decide_in_someone_elses_name(claim: dict[str, str]) -> None:
    view = View()
    with pytest.raises(HttpError) as err:
        decide(view, {"decision": "denied", **claim}, f"Bearer {TOKEN}")
    assert err.value.status == HTTPStatus.FORBIDDEN
    assert "J. Smith" in str(err.value)
    assert view.submitted == []


def test_reading_the_picture_needs_no_token() -> None:
    assert route(View(), "GET", "/health", b"", accounts=ACCOUNTS)[0] == HTTPStatus.OK


def test_over_http_the_header_is_read_and_a_refusal_carries_the_challenge() -> None:
    async def main() -> tuple[bytes, bytes, list[tuple[int, dict[str, Any]]]]:
        view = View()
        api = await HttpApi.start(view, "127.0.0.1", 0, ACCOUNTS)
        try:
            answers = []
            for auth in ("", f"Authorization: Bearer {TOKEN}\r\n"):
                reader, writer = await asyncio.open_connection(*api.address)
                data = b'{"decision": "approved"}'
                writer.write(
                    f"POST /engagements/7/decision HTTP/1.1\r\nHost: x\r\n{auth}"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                answers.append(await asyncio.wait_for(reader.read(), 5.0))
                writer.close()
            return answers[0], answers[1], view.submitted
        finally:
            await api.close()

    refused, accepted, submitted = asyncio.run(main())
    assert refused.startswith(b"HTTP/1.1 401") and b"WWW-Authenticate: Bearer" in refused
    assert accepted.startswith(b"HTTP/1.1 202")
    assert submitted == [
        (7, {"decision": "approved", "operator": "J. Smith", "role": "engagement_authority"})
    ]


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "serve.yaml"
    path.write_text(f"scenario: {SCENARIO}\n{body}")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("http: 0.0.0.0:8480\n", "beyond this machine"),
        ("http: 10.1.2.3:8480\n", "beyond this machine"),
        (
            "operators: [{operator: A, role: r, token_sha256: " + "a" * 64 + "},"
            " {operator: B, role: r, token_sha256: " + "a" * 64 + "}]\n",
            "operators[1]: the same token twice",
        ),
        ("operators: [{operator: A, role: r, token_sha256: abc}]\n", "token_sha256"),
    ],
)
def test_an_api_open_to_the_network_needs_operators(
    tmp_path: Path, body: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_service_config(_config(tmp_path, body))


def test_operators_open_the_api_to_the_network(tmp_path: Path) -> None:
    entry = f"[{{operator: J. Smith, role: engagement_authority, token_sha256: {'b' * 64}}}]"
    cfg = load_service_config(_config(tmp_path, f"http: 0.0.0.0:8480\noperators: {entry}\n"))
    assert cfg.spec.operators[0].operator == "J. Smith"
    for loopback in ("127.0.0.1:8480", "localhost:8480", "[::1]:8480"):
        assert load_service_config(_config(tmp_path, f"http: '{loopback}'\n")).spec.operators == []


def test_operator_token_prints_a_token_and_its_hash() -> None:
    out = CliRunner().invoke(
        app, ["operator-token", "--operator", "J. Smith", "--role", "engagement_authority"]
    )
    assert out.exit_code == 0, out.output
    token = re.search(r"shown once\): (\S+)", out.output)
    digest = re.search(r"token_sha256: ([0-9a-f]{64})", out.output)
    assert token and digest and len(token.group(1)) >= 40
    assert hashlib.sha256(token.group(1).encode()).hexdigest() == digest.group(1)
