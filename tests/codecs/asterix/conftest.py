"""The second ASTERIX decoder, CroatiaControl's `asterix-decoder` (GPL, C++), in its own environment.

It installs a module named `asterix`, as libasterix does, so it never shares Bastion's environment:
`make test` builds `.venv-asterix-peer/` (target `asterix-peer`) and the oracle tests talk to it
through a subprocess. Outside CI the fixture builds the environment itself if it is missing; under
CI=true a missing peer fails the tests (it is never skipped).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
PEER_VENV = ROOT / ".venv-asterix-peer"
PEER_PYTHON = PEER_VENV / "bin" / "python"
PEER_PACKAGE = "asterix-decoder==0.7.11"
PEER_SCRIPT = Path(__file__).with_name("asterix_peer_decode.py")

PeerDecode = Callable[[Sequence[bytes]], list[list[dict[str, Any]]]]


def _peer_works() -> bool:
    if not PEER_PYTHON.exists():
        return False
    probe = subprocess.run(
        [str(PEER_PYTHON), "-c", "import asterix, _asterix"], capture_output=True, check=False
    )
    return probe.returncode == 0


def _build_peer() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [str(PEER_PYTHON), "-m", "pip", "install", "--quiet", PEER_PACKAGE],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def asterix_peer() -> PeerDecode:
    """Decode datagrams with the peer; returns, per datagram, the peer's list of record dicts."""
    if not _peer_works():
        if os.environ.get("CI") == "true":
            pytest.fail(
                f"ASTERIX peer decoder missing at {PEER_VENV}: `make asterix-peer` builds it"
            )
        _build_peer()
    if not _peer_works():
        pytest.fail(f"ASTERIX peer decoder ({PEER_PACKAGE}) could not be installed in {PEER_VENV}")

    def decode(datagrams: Sequence[bytes]) -> list[list[dict[str, Any]]]:
        proc = subprocess.run(
            [str(PEER_PYTHON), str(PEER_SCRIPT)],
            input="".join(d.hex() + "\n" for d in datagrams),
            capture_output=True,
            text=True,
            check=True,
        )
        return [json.loads(line) for line in proc.stdout.splitlines()]

    return decode
