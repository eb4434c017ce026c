"""The live rehearsal: `bastion simulate --emit` into `bastion serve`, CoT out through a real TAK
server (taky, from PyPI, on loopback) to a second TAK client that receives and parses it; then
SIGTERM stops the service cleanly. Every process has a hard timeout and is ended by its id."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bastion.codecs.cot import parse_xml_stream
from bastion.service import CaptureReader, replay_capture
from bastion.store import read_event_log

from .live_helpers import REHEARSAL

BIN = Path(sys.executable).parent


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _connect(port: int, deadline: float) -> socket.socket:
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1.0)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)


def test_simulate_emit_into_serve_and_cot_through_taky(tmp_path: Path) -> None:
    tak_port, asterix_port, sapient_port, http_port = _free_ports(4)
    (tmp_path / "taky.conf").write_text(
        "[taky]\nhostname = localhost\nnode_id = BASTION-CI\nbind_ip = 127.0.0.1\nroot_dir = .\n"
        f"[cot_server]\nport = {tak_port}\n[dp_server]\nupload_path = ./dp-user\n"
        "[ssl]\nenabled = false\n"
    )
    config = tmp_path / "serve.yaml"
    config.write_text(
        f"scenario: {REHEARSAL}\nrun_dir: run\nstep_period_s: 0.25\nreorder_window_s: 0.3\n"
        "track_update_period_s: 0.25\n"
        f"asterix:\n  - listen: 127.0.0.1:{asterix_port}\n"
        "    radars: [{radar: radar-a, sac: 25, sic: 1}]\n"
        f"sapient:\n  listen: 127.0.0.1:{sapient_port}\n  window_min_s: -3.0\n"
        f"outputs:\n  cot:\n    tcp: 127.0.0.1:{tak_port}\n"
        f"http: 127.0.0.1:{http_port}\n"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    deadline = time.monotonic() + 90
    taky = subprocess.Popen(
        [str(BIN / "taky"), "-c", "taky.conf"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    serve = None
    try:
        listener = _connect(tak_port, deadline)  # the second TAK client, e.g. an ATAK device
        serve = subprocess.Popen(
            [str(BIN / "bastion"), "serve", str(config)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        _connect(http_port, deadline).close()  # serve is up
        sim = subprocess.run(
            [str(BIN / "bastion"), "simulate", str(REHEARSAL), "--emit", "--config", str(config)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert sim.returncode == 0, sim.stdout + sim.stderr
        assert "16 scans" in sim.stdout
        buf, events = b"", []
        listener.settimeout(1.0)
        while time.monotonic() < deadline and not any(e.type.startswith("a-h-A") for e in events):
            try:
                data = listener.recv(65536)
            except TimeoutError:
                continue
            if not data:
                break
            buf += data
            parsed, buf = parse_xml_stream(buf)
            events.extend(parsed)
        listener.close()
        serve.send_signal(signal.SIGTERM)
        out, _ = serve.communicate(timeout=30)
    finally:
        if serve is not None:
            _stop(serve)
        _stop(taky)
    assert serve.returncode == 0, out.decode()
    assert b"stopped:" in out
    hostile = [e for e in events if e.type.startswith("a-h-A")]
    assert hostile, f"no hostile air track reached the TAK client ({len(events)} events)"
    assert hostile[0].uid.startswith("bastion.rehearsal-base.track.")
    log = read_event_log(tmp_path / "run" / "events.jsonl")
    assert log[-1].kind.value == "run_finished"
    reader = CaptureReader.open(tmp_path / "run" / "capture.bcap")
    assert list(reader.inputs())[-1].kind.name == "STOP"
    assert not reader.truncated
    replayed = replay_capture(tmp_path / "run" / "capture.bcap", speed=0.0)
    assert replayed.events == log
