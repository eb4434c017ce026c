"""ADS-B and Remote ID through the live core (no sockets): reports reach the pipeline, decode errors
become bounded `input_rejected` events naming the feed, and the feed keeps going."""

from __future__ import annotations

from bastion.core.records import Event, EventKind, Note
from bastion.service import Input, InputKind, LiveCore
from bastion.service.config import AdsbInSpec, RemoteIdInSpec

from .coop_data import SBS_LINES, beast_bytes, remote_id_packs, stream_frames
from .core_inputs import EPOCH
from .live_helpers import rehearsal_config


def _core(fmt: str = "beast") -> LiveCore:
    config = rehearsal_config(
        adsb=[AdsbInSpec.model_validate({"connect": "127.0.0.1:30005", "format": fmt})],
        remote_id=[RemoteIdInSpec(listen="127.0.0.1:0")],
    )
    return LiveCore(config, EPOCH)


def _run(core: LiveCore, inputs: list[Input]) -> list[Event]:
    events = core.start()
    for item in inputs:
        events.extend(core.feed(item).events)
    events.extend(core.feed(Input(t_s=inputs[-1].t_s + 1.0, kind=InputKind.STOP)).events)
    return events


def _rejects(events: list[Event], feed: str) -> list[str]:
    return [
        e.payload.text
        for e in events
        if e.kind is EventKind.INPUT_REJECTED
        and isinstance(e.payload, Note)
        and e.payload.text.startswith(f"{feed}:")
    ]


def _stream(t_s: float, data: bytes, feed: str = "adsb0") -> Input:
    return Input(t_s=t_s, kind=InputKind.STREAM, feed=feed, payload=data)


def test_beast_frames_reach_the_pipeline_as_cooperative_reports() -> None:
    core = _core()
    inputs = [_stream(1.0 + 0.05 * i, b) for i, b in enumerate(beast_bytes(stream_frames()))]
    inputs.append(Input(t_s=5.0, kind=InputKind.STEP))
    events = _run(core, inputs)
    assert core.adsb["adsb0"].reports >= 10
    assert core.cooperative_in == core.adsb["adsb0"].reports
    assert _rejects(events, "adsb0") == []


def test_sbs_lines_split_across_reads_give_reports() -> None:
    core = _core("sbs")
    text = b"".join(line + b"\r\n" for line in SBS_LINES)
    inputs = [_stream(1.0 + 0.01 * i, text[i : i + 7]) for i in range(0, len(text), 7)]
    inputs.append(Input(t_s=3.0, kind=InputKind.STEP))
    events = _run(core, inputs)
    assert core.cooperative_in == 2  # the two MSG,3 positions
    assert _rejects(events, "adsb0") == []


def test_garbage_and_a_cut_frame_are_rejected_at_most_once_a_second_and_the_feed_goes_on() -> None:
    core = _core()
    frames = beast_bytes(stream_frames())
    inputs = [_stream(1.0, b"".join(frames[:20]))]
    for i in range(200):  # 2 s of garbage, 100 reads a second, each also a frame cut short
        t = 1.1 + 0.01 * i
        inputs.append(_stream(t, b"\x00garbage\xff" + frames[0][:9] + frames[1]))
        if i % 25 == 0:
            inputs.append(Input(t_s=t, kind=InputKind.STEP))
    inputs.append(_stream(3.2, b"".join(frames[20:])))
    inputs.append(Input(t_s=3.5, kind=InputKind.STEP))
    events = _run(core, inputs)
    texts = _rejects(events, "adsb0")
    assert 2 <= len(texts) <= 4  # 2.2 s of errors: the first at once, then one per second
    assert any("outside any frame" in t for t in texts)
    assert any("decode errors" in t for t in texts)
    assert core.adsb["adsb0"].gate.total == 400
    assert core.adsb["adsb0"].reports > 10  # the good frames before, among and after the garbage


def test_remote_id_packs_give_reports_and_a_bad_datagram_is_rejected() -> None:
    core = _core()
    packs = remote_id_packs()
    inputs = [
        Input(t_s=1.0 + 0.01 * i, kind=InputKind.DATAGRAM, feed="remoteid0", payload=p)
        for i, p in enumerate(packs)
    ]
    inputs.insert(5, Input(t_s=1.04, kind=InputKind.DATAGRAM, feed="remoteid0", payload=b"\x0f"))
    inputs.append(Input(t_s=5.0, kind=InputKind.STEP))
    events = _run(core, inputs)
    feed = core.remote_id["remoteid0"]
    assert feed.reports >= 40
    assert core.cooperative_in == feed.reports
    assert {r for r in feed.receiver.uas} >= {"remoteid0/SSEVTFG93700070"}
    assert len(_rejects(events, "remoteid0")) == 1
