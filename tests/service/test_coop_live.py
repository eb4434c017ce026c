"""`bastion serve` on loopback with ADS-B (a Beast TCP server of the test's) and Remote ID (UDP):
reports reach the pipeline, garbage and a cut frame are refused as events, and replay agrees."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bastion.core.records import EventKind, Note
from bastion.service import LiveService, load_service_config, replay_capture
from bastion.store import read_event_log

from .coop_data import beast_bytes, remote_id_packs, stream_frames
from .live_helpers import REHEARSAL, http


@dataclass
class Served:
    run_dir: Path
    health: dict[str, Any]


async def _serve(run_dir: Path) -> Served:
    frames = beast_bytes(stream_frames())
    sent, hung_up = asyncio.Event(), asyncio.Event()

    async def receiver(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        for chunk in (
            b"".join(frames[:30]),
            b"\x00\x01garbage\xfe",  # bytes outside any frame
            frames[30][:10],  # a frame cut mid-stream by the next one
            b"".join(frames[30:]),
        ):
            w.write(chunk)
            await w.drain()
            await asyncio.sleep(0.05)
        sent.set()
        await asyncio.wait_for(_r.read(), 30)  # held open until the service hangs up
        w.close()
        await w.wait_closed()
        hung_up.set()

    adsb_server = await asyncio.start_server(receiver, "127.0.0.1", 0)
    port = adsb_server.sockets[0].getsockname()[1]
    path = run_dir.parent / "serve.yaml"  # a real file: the capture log keeps its text for replay
    path.write_text(
        f"scenario: {REHEARSAL}\nstep_period_s: 0.25\nhttp: 127.0.0.1:0\n"
        f"adsb:\n  - {{connect: '127.0.0.1:{port}', format: beast, retry_s: 0.2}}\n"
        "remote_id:\n  - {listen: '127.0.0.1:0'}\n"
    )
    service = LiveService(load_service_config(path), run_dir)
    await service.start()
    task = asyncio.create_task(service.run())
    health: dict[str, Any] = {}
    try:
        assert service.api is not None
        await asyncio.wait_for(sent.wait(), 10)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            target = service.receivers["remoteid0"].address
            for pack in [b"\xff\x00junk", *remote_id_packs()]:
                udp.sendto(pack, target)
                await asyncio.sleep(0.002)
        for _ in range(100):  # bounded: until every datagram was processed
            _, health = await http(service.api.address, "GET", "/health")
            if health["feeds"]["remoteid0"]["datagrams"] == 306 and not health["queued"]:
                break
            await asyncio.sleep(0.05)
    finally:
        service.request_stop()
        await task
        await asyncio.wait_for(hung_up.wait(), 10)
        adsb_server.close()
        await adsb_server.wait_closed()
    return Served(run_dir, health)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    run_dir = tmp_path_factory.mktemp("coop") / "run"
    return asyncio.run(asyncio.wait_for(_serve(run_dir), 60))


def _rejects(run_dir: Path, feed: str) -> list[str]:
    return [
        e.payload.text
        for e in read_event_log(run_dir / "events.jsonl")
        if e.kind is EventKind.INPUT_REJECTED
        and isinstance(e.payload, Note)
        and e.payload.text.startswith(f"{feed}:")
    ]


def test_adsb_and_remote_id_reports_reach_the_pipeline(served: Served) -> None:
    feeds = served.health["feeds"]
    assert feeds["adsb0"]["reports"] >= 10
    assert feeds["remoteid0"]["reports"] >= 40
    assert served.health["cooperative_reports"] >= feeds["adsb0"]["reports"]


def test_garbage_and_a_cut_frame_are_refused_and_the_feed_goes_on(served: Served) -> None:
    texts = _rejects(served.run_dir, "adsb0")
    assert texts, "no input_rejected event for adsb0"
    joined = " ".join(texts)
    assert "outside any frame" in joined
    assert served.health["feeds"]["adsb0"]["errors"] == 2  # the garbage, the cut frame
    assert len(texts) <= 2
    assert served.health["feeds"]["adsb0"]["reports"] >= 15  # frames after the garbage count too
    assert len(_rejects(served.run_dir, "remoteid0")) == 1


def test_replay_reproduces_the_cooperative_run(served: Served, tmp_path: Path) -> None:
    result = replay_capture(served.run_dir / "capture.bcap", out_dir=tmp_path / "r")
    assert result.truncated is False
    assert (tmp_path / "r" / "events.jsonl").read_bytes() == (
        served.run_dir / "events.jsonl"
    ).read_bytes()
