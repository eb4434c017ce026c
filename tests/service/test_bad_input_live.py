"""Bad input against the running service on loopback: every refusal is a clear answer or event, the
queues stay bounded, and the other clients keep being served. Every loop is bounded in count and time."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bastion.codecs.asterix import Cat048Plot, encode_cat048
from bastion.codecs.sapient import decode_message, frame, parse_frames
from bastion.core.records import Note
from bastion.service import LiveService
from bastion.service import sapient_sensor as sensor
from bastion.service.config import CotOutSpec, LimitsSpec, OutputsSpec
from bastion.store import read_event_log
from bastion.transport import TcpClient

from .live_helpers import http, rehearsal_config

QUEUE_ITEMS = 64
FLOOD_DATAGRAMS = 20_000
FLOOD_HEX = encode_cat048(  # 20 valid plots from a radar that is not configured
    [Cat048Plot(sac=99, sic=99, tod_s=1.0, range_m=1000.0 + i, az_rad=0.5) for i in range(20)]
).hex()
FLOOD_SCRIPT = textwrap.dedent(
    """
    import socket, sys, time
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    data = bytes.fromhex(sys.argv[4])
    stop = time.monotonic() + 10.0
    for i in range(n):
        if time.monotonic() > stop:
            break
        try:
            s.sendto(data, (host, port))
        except OSError:
            pass
    """
)


class FakeTakServer:
    """A TAK server stand-in that sends Bastion malformed and valid CoT, and reads what it gets."""

    def __init__(self) -> None:
        self.received = b""

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"<event><point/></event>")  # malformed: mandatory attributes missing
        writer.write(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><event></event>")
        writer.write(b"this is not xml </event>")
        writer.write(
            b'<event version="2.0" uid="ATAK-1" type="a-f-G-U-C" how="h-e" '
            b'time="2026-01-01T00:00:00Z" start="2026-01-01T00:00:00Z" '
            b'stale="2026-01-01T00:10:00Z"><point lat="51.0" lon="-1.8" hae="100" ce="5" le="5"/>'
            b"</event>"
        )
        await writer.drain()
        while data := await reader.read(65536):
            self.received += data
        writer.close()


@dataclass
class Outcome:
    error_4g: list[str]
    after_4g: bytes
    idle_read: bytes
    acks: list[str]
    health_after_flood: dict[str, Any]
    http_status: list[int]
    notes: list[str]


async def _bad_input(run_dir: Path) -> Outcome:
    tak = FakeTakServer()
    tak_server = await asyncio.start_server(tak.serve, "127.0.0.1", 0)
    tak_addr = "{}:{}".format(*tak_server.sockets[0].getsockname()[:2])
    limits = LimitsSpec(idle_timeout_s=1.5, queue_items_per_source=QUEUE_ITEMS)
    cfg = rehearsal_config(limits=limits, outputs=OutputsSpec(cot=CotOutSpec(tcp=tak_addr)))
    service = LiveService(cfg, run_dir)
    await service.start()
    task = asyncio.create_task(service.run())
    assert service.sapient_server is not None and service.api is not None
    sapient = service.sapient_server.address
    rng = np.random.default_rng(1)
    try:
        # A well-behaved sensor node registers first; it must be served throughout.
        good = await TcpClient.connect(*sapient)
        dest = cfg.spec.sapient.node_id if cfg.spec.sapient else ""
        node = sensor.node_uuid("good-node")

        async def register() -> str:
            reg = sensor.registration(node, dest, "good", service.epoch.to_utc_s(service.now()))
            await good.send(frame(reg.SerializeToString()))
            payloads, _ = parse_frames(await good.read(timeout_s=5))
            return decode_message(payloads[0]).WhichOneof("content") or ""

        async def heartbeat() -> None:  # a live node reports its status regularly
            for _ in range(300):
                utc = service.epoch.to_utc_s(service.now())
                st = sensor.status(node, dest, cfg.scenario.params.site, (0.0, 0.0, 0.0), utc, rng)
                await good.send(frame(st.SerializeToString()))
                await asyncio.sleep(0.2)

        acks = [await register()]
        beat = asyncio.create_task(heartbeat())
        # Truncated, garbage and oversized datagrams.
        loop = asyncio.get_running_loop()
        udp, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, remote_addr=service.receivers["asterix0"].address
        )
        for data in (b"\x30\x00", b"\x30\xff\xff" + bytes(10), b"\x30" * 60_000, b"\xde\xad" * 20):
            udp.sendto(data)
        udp.close()
        # A SAPIENT client announcing a 4 GB message gets an Error, then is hung up on.
        big = await TcpClient.connect(*sapient)
        await big.send((2**32 - 1).to_bytes(4, "little"))
        payloads, _ = parse_frames(await big.read(timeout_s=5))
        error_4g = list(decode_message(payloads[0]).error.error_message)
        after_4g = await big.read(timeout_s=5)
        await big.close()
        # A client that connects and never sends is closed after the idle timeout.
        idle = await TcpClient.connect(*sapient)
        idle_read = await idle.read(timeout_s=5)
        await idle.close()
        # A flood of datagrams from another process, bounded in count and time.
        host, port = service.receivers["asterix0"].address
        flood = await asyncio.create_subprocess_exec(
            sys.executable, "-c", FLOOD_SCRIPT, host, str(port), str(FLOOD_DATAGRAMS), FLOOD_HEX
        )
        peak = 0
        while flood.returncode is None:
            peak = max(peak, len(service.queue))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flood.wait(), 0.05)
        status, health = await http(service.api.address, "GET", "/health")
        health["peak_queued"] = peak
        beat.cancel()
        acks.append(await register())
        statuses = [status]
        for method, path in (
            ("GET", "/nowhere"),
            ("DELETE", "/health"),
            ("POST", "/engagements/9/decision"),
        ):
            statuses.append((await http(service.api.address, method, path, {}))[0])
        await good.close()
        await asyncio.sleep(0.3)
    finally:
        service.request_stop()
        await task
        tak_server.close()
    notes = [
        e.payload.text
        for e in read_event_log(run_dir / "events.jsonl")
        if e.kind.value == "input_rejected" and isinstance(e.payload, Note)
    ]
    return Outcome(error_4g, after_4g, idle_read, acks, health, statuses, notes)


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    return asyncio.run(asyncio.wait_for(_bad_input(tmp_path_factory.mktemp("bad") / "run"), 90))


def _noted(outcome: Outcome, *words: str) -> bool:
    return any(all(w in n for w in words) for n in outcome.notes)


def test_bad_datagrams_are_refused_with_their_reason(outcome: Outcome) -> None:
    assert _noted(outcome, "asterix0", "header truncated")
    assert _noted(outcome, "asterix0", "LEN 65535 but only 13 bytes remain")
    assert _noted(outcome, "asterix0", "offset 49344 (CAT048) has LEN 12336 but only 10656 bytes")
    assert _noted(outcome, "asterix0", "CAT222")


def test_a_4_gb_sapient_announcement_gets_an_error_and_a_hang_up(outcome: Outcome) -> None:
    assert outcome.error_4g == [
        "SAPIENT frame announces 4294967295 bytes, above the 1048576-byte limit"
    ]
    assert outcome.after_4g == b""
    assert _noted(outcome, "sapient", "4294967295", "closed")


def test_a_silent_client_is_closed_after_the_idle_timeout(outcome: Outcome) -> None:
    assert outcome.idle_read == b""


def test_malformed_cot_from_the_tak_server_is_refused_and_valid_cot_kept(outcome: Outcome) -> None:
    tak = outcome.health_after_flood["feeds"]["tak"]
    assert tak == {"events": 1, "errors": 3}
    assert _noted(outcome, "tak", "lacks uid, type, time, start, stale")
    assert _noted(outcome, "tak", "declares a DTD or entities")
    assert _noted(outcome, "tak", "CoT refused")


def test_a_flood_is_shed_within_bounded_queues_and_others_keep_being_served(
    outcome: Outcome,
) -> None:
    health = outcome.health_after_flood
    assert health["peak_queued"] <= QUEUE_ITEMS + 10  # one source's bound, plus control inputs
    assert health["status"] == "ok"
    assert outcome.acks == ["registration_ack", "registration_ack"]
    assert _noted(outcome, "asterix0", "input queue full")
    assert _noted(outcome, "asterix0", "unconfigured radar SAC/SIC 99/99")
    assert outcome.http_status == [200, 404, 405, 400]
