"""The live service on loopback: the simulator's radars in (ASTERIX and SAPIENT), the picture out
(CoT, CAT062), a human decision through the HTTP API, and a replay giving the same event log."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bastion.codecs.asterix import Cat062Track, decode_datagram
from bastion.codecs.cot import decode_xml
from bastion.config import load_scenario
from bastion.service import EmitStats, LiveService, emit_scenario, replay_capture
from bastion.service.config import Cat062OutSpec, CotOutSpec, OutputsSpec
from bastion.store import EventStore, read_event_log

from .live_helpers import REHEARSAL, bound_config, collector, http, rehearsal_config


@dataclass
class Live:
    run_dir: Path
    stats: EmitStats
    cot: list[bytes]
    cat062: list[bytes]
    health: dict[str, Any]
    pending: list[dict[str, Any]]
    decision: tuple[int, Any]
    bad_decision: tuple[int, Any]


async def _live(run_dir: Path) -> Live:
    cot_t, cot, cot_addr = await collector()
    ast_t, ast, ast_addr = await collector()
    outputs = OutputsSpec(
        cot=CotOutSpec(udp=cot_addr), cat062=Cat062OutSpec(udp=ast_addr, sac=25, sic=100)
    )
    service = LiveService(rehearsal_config(outputs=outputs), run_dir)
    await service.start()
    task = asyncio.create_task(service.run())
    try:
        assert service.api is not None
        stats = await emit_scenario(load_scenario(REHEARSAL), bound_config(service))
        for _ in range(50):  # bounded: until everything sent has been processed
            _, health = await http(service.api.address, "GET", "/health")
            if health["feeds"]["asterix0"]["datagrams"] == stats.datagrams and not health["queued"]:
                break
            await asyncio.sleep(0.1)
        _, pending = await http(service.api.address, "GET", "/engagements")
        body = {"decision": "approved", "operator": "J. Smith", "role": "engagement_authority"}
        rid = pending[0]["request_id"] if pending else 0
        decision = await http(service.api.address, "POST", f"/engagements/{rid}/decision", body)
        bad = await http(service.api.address, "POST", f"/engagements/{rid}/decision", {"x": 1})
        await asyncio.sleep(0.5)  # a step or two to act on the decision
    finally:
        service.request_stop()
        await task
        cot_t.close()
        ast_t.close()
    return Live(run_dir, stats, cot.datagrams, ast.datagrams, health, pending, decision, bad)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Live:
    run_dir = tmp_path_factory.mktemp("live") / "run"
    return asyncio.run(asyncio.wait_for(_live(run_dir), 60))


def test_every_emitted_scan_was_received(live: Live) -> None:
    feeds = live.health["feeds"]
    assert live.stats.scans == 16
    assert feeds["asterix0"]["datagrams"] == live.stats.datagrams
    assert feeds["sapient"]["detections"] == live.stats.sapient_messages - 2
    assert live.stats.sapient_replies == {"registration_ack": 1, "alert": 1}  # the hangar alert
    assert live.health["rejected"] == 0


def test_the_drone_is_tracked_and_published_as_cot_and_cat062(live: Live) -> None:
    events = read_event_log(live.run_dir / "events.jsonl")
    kinds = {e.kind.value for e in events}
    assert {"track_confirmed", "alert_raised", "engagement_requested"} <= kinds
    cot = [decode_xml(d) for d in live.cot]
    assert any(e.type.startswith("a-h-A") for e in cot)  # hostile air
    tracks = [t for d in live.cat062 for t in decode_datagram(d)]
    assert tracks
    assert all(isinstance(t, Cat062Track) and (t.sac, t.sic) == (25, 100) for t in tracks)


def test_the_human_decision_goes_through_the_api_into_the_event_log(live: Live) -> None:
    assert live.pending and live.pending[0]["effector"] == "sam-1"
    assert live.decision[0] == 202
    assert live.bad_decision == (400, {"error": "decision must be 'approved' or 'denied'"})
    events = read_event_log(live.run_dir / "events.jsonl")
    (ok,) = [e for e in events if e.kind.value == "engagement_authorised"]
    assert (ok.payload.operator, ok.payload.role) == ("J. Smith", "engagement_authority")  # type: ignore[union-attr]


def test_store_holds_every_event_of_the_log_and_the_run_finished(live: Live) -> None:
    log = read_event_log(live.run_dir / "events.jsonl")
    with EventStore.open(live.run_dir / "bastion.sqlite") as store:
        assert store.events() == log
    assert log[-1].kind.value == "run_finished"


def test_replay_of_the_capture_gives_a_byte_identical_event_log(live: Live, tmp_path: Path) -> None:
    result = replay_capture(live.run_dir / "capture.bcap", speed=10.0, out_dir=tmp_path / "r")
    assert result.truncated is False
    assert (tmp_path / "r" / "events.jsonl").read_bytes() == (
        live.run_dir / "events.jsonl"
    ).read_bytes()
