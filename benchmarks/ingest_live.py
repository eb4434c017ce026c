"""The ingest benchmark's live part: `bastion serve`'s `LiveService` on loopback fed by a sender
process, loss counted by sequence numbers, latency from the service and end to end, a rate sweep."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bastion.codecs.asterix import Cat048Plot, decode_datagram
from bastion.codecs.timebase import RunEpoch
from bastion.service import CaptureReader, InputKind, LiveService, ServiceConfig
from bastion.service.config import CotOutSpec, LimitsSpec, OutputsSpec
from ingest_e2e import CotSink, scan_latency_pairs

ScanMaker = Callable[[int, int, int, int, float], list[list[bytes]]]
"""(tracks, clutter, scans, seed, period_s) -> encoded datagrams per scan."""

KEEP_UP_S = 0.5
"""The service keeps up with a rate if it has decoded every plot within this long of the last send."""
SENDER = r"""
import json, socket, struct, sys, time
path, host, port, period = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
data = open(path, "rb").read()
scans, pos = [], 0
while pos < len(data):
    (n,) = struct.unpack_from("<I", data, pos); pos += 4
    grams = []
    for _ in range(n):
        (k,) = struct.unpack_from("<I", data, pos); pos += 4
        grams.append(data[pos:pos + k]); pos += k
    scans.append(grams)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
t0, markers = time.monotonic(), []
for i, grams in enumerate(scans):  # one scan per period, its datagrams spread over the period
    for j, g in enumerate(grams):
        due = t0 + period * (i + j / len(grams))
        while time.monotonic() < due:
            time.sleep(min(0.002, max(0.0, due - time.monotonic())))
        s.sendto(g, (host, port))
    markers.append(time.time())  # the scan's last datagram (its north marker) is sent
print(json.dumps({"seconds": time.monotonic() - t0, "marker_sent_utc_s": markers}))
"""


async def live(
    epoch: RunEpoch,
    cfg: ServiceConfig,
    scans: list[list[bytes]],
    tmp: Path,
    cot_format: str,
    period_s: float = 1.0,
    default_limits: bool = False,
    warmup_scans: int = 5,
) -> dict[str, object]:
    """The service on loopback fed by a sender process at one scan per `period_s`.

    Latency figures come twice: over every scan (keys as before), and in steady state (``steady_``
    keys), the scans after the first `warmup_scans`, in which the picture is established (the
    tracks are confirmed and identified, all at once here: the start-up burst, reported apart in
    ``startup_`` keys, per scan)."""
    blob = tmp / "scans.bin"
    with blob.open("wb") as f:
        for grams in scans:
            f.write(len(grams).to_bytes(4, "little"))
            for g in grams:
                f.write(len(g).to_bytes(4, "little") + g)
    sink = CotSink()  # the CoT output goes here, stamped by the kernel as it arrives
    sink.start()
    cot = CotOutSpec(udp=sink.address, format=cot_format)
    update: dict[str, object] = {"sapient": None, "outputs": OutputsSpec(cot=cot)}
    if default_limits:
        update["limits"] = LimitsSpec()
    spec = cfg.spec.model_copy(update=update)
    # The sender's scans are stamped on EPOCH, scan i at (i + 1) periods; the service's epoch is
    # one period later, so each scan is stamped at most its own duration before its marker arrives,
    # as a radar's plots are (never in the service's future).
    start = time.time()
    service = LiveService(
        replace(cfg, spec=spec),
        tmp / "run",
        wall_clock=lambda: epoch.utc_at_zero_s + period_s + time.time() - start,
    )
    await service.start()
    task = asyncio.create_task(service.run())
    host, port = service.receivers["asterix0"].address
    cpu0 = time.process_time()  # this process runs the service (the sender is another one)
    sender = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SENDER,
        str(blob),
        host,
        str(port),
        str(period_s),
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(sender.communicate(), len(scans) * period_s + 60)
    sent_at = time.monotonic()
    sent_plots = _plots_in(scans)
    feed = service.core.asterix["asterix0"]
    while feed.plots < sent_plots and time.monotonic() - sent_at < 30.0:
        await asyncio.sleep(0.002)  # the service decodes what the kernel and its queue still hold
    drain_s = time.monotonic() - sent_at
    cpu_s = time.process_time() - cpu0
    await asyncio.sleep(1.0)
    health = service.health()
    service.request_stop()
    await task
    sink.stop()
    sender_out = json.loads(out.decode())
    e2e_pairs = scan_latency_pairs(sender_out["marker_sent_utc_s"], sink.times_s)
    e2e = [lat for _, lat in e2e_pairs]
    lat_s, cpu_s_steps = list(service.latencies_s), list(service.step_cpu_s)
    steady_e2e = [lat for k, lat in e2e_pairs if k >= warmup_scans]
    startup = _startup(lat_s[:warmup_scans], cpu_s_steps[:warmup_scans], e2e_pairs, warmup_scans)
    sent = {_seq(g) for grams in scans for g in grams[:-1]}
    got, queue_dropped = set(), 0
    for item in CaptureReader.open(tmp / "run" / "capture.bcap").inputs():
        if item.kind is InputKind.DATAGRAM:
            for p in decode_datagram(item.payload):
                if isinstance(p, Cat048Plot):
                    got.add(p.aircraft_address)
        elif item.kind is InputKind.SHED:
            queue_dropped += int(json.loads(item.payload)["count"])
    return {
        "sent_datagrams": len(sent),
        "lost_datagrams": len(sent - got),
        "queue_dropped_datagrams": queue_dropped,
        "shed_plots": health["shed_plots"],
        "plots_in": health["feeds"]["asterix0"]["plots"],  # type: ignore[index]
        "latency_ms": health["latency_ms"],
        "latency_samples": len(service.latencies_s),
        "step_cpu_ms": health["step_cpu_ms"],
        "kernel_drops": health["feeds"]["asterix0"]["kernel_drops"],  # type: ignore[index]
        "send_seconds": float(sender_out["seconds"]),
        "service_cpu_s_per_s": cpu_s / (float(sender_out["seconds"]) + drain_s),
        "e2e_latency_ms": _pcts(e2e),
        "e2e_samples": len(e2e),
        "warmup_scans": warmup_scans,
        "steady_latency_ms": _pcts(lat_s[warmup_scans:]),
        "steady_latency_samples": len(lat_s[warmup_scans:]),
        "steady_step_cpu_ms": _pcts(cpu_s_steps[warmup_scans:]),
        "steady_e2e_latency_ms": _pcts(steady_e2e),
        "steady_e2e_samples": len(steady_e2e),
        **startup,
        "scans": len(scans),
        "drain_after_send_s": drain_s,
        "steps": health["steps"],
        "tracks": health["tracks"],
        "events": service.events_written,
        "cot_sent": service.outputs.cot_sent,
    }


def sweep(
    epoch: RunEpoch,
    make_scans: ScanMaker,
    cfg: ServiceConfig,
    args: argparse.Namespace,
    rates: list[int],
) -> list[dict[str, object]]:
    """The live service at each plot rate (plots/s) for `args.sweep_seconds`, default limits."""
    rows = []
    per_scan = args.tracks + args.clutter
    for rate in rates:
        period = per_scan / rate
        n = max(2, math.ceil(args.sweep_seconds / period))
        scans = make_scans(args.tracks, args.clutter, n, args.seed, period)
        with tempfile.TemporaryDirectory() as tmp:
            lv = asyncio.run(live(epoch, cfg, scans, Path(tmp), args.cot_format, period, True))
        sent_plots = n * per_scan
        lv.update(
            rate_plots_per_s=rate,
            scan_period_s=period,
            sent_plots=sent_plots,
            achieved_plots_per_s=sent_plots / float(lv["send_seconds"]),  # type: ignore[arg-type]
        )
        lost = lv["lost_datagrams"], lv["queue_dropped_datagrams"], lv["kernel_drops"]
        lv["loss"] = any(bool(x) for x in lost) or bool(lv["shed_plots"])
        lv["keeps_up"] = float(lv["drain_after_send_s"]) <= KEEP_UP_S  # type: ignore[arg-type]
        print(f"sweep {rate}/s: {lv}", file=sys.stderr, flush=True)
        rows.append(lv)
    return rows


def _pcts(values: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in ms, as the service's /health gives them (nearest rank: the p99 of fewer
    than 200 samples is the largest or second largest)."""
    if not values:
        return {}
    v = sorted(values)
    pick = lambda q: round(1000.0 * v[min(len(v) - 1, int(q * len(v)))], 2)  # noqa: E731
    return {"p50": pick(0.5), "p95": pick(0.95), "p99": pick(0.99), "max": round(1000.0 * v[-1], 2)}


def _startup(
    lat_s: list[float], cpu_s: list[float], e2e: list[tuple[int, float]], warmup: int
) -> dict[str, object]:
    """The warm-up scans one by one (ms), and the start-up burst: the one whose step took the most
    CPU (where the tracks are confirmed and identified at once)."""
    ms = lambda v: round(1000.0 * v, 2)  # noqa: E731
    burst = max(range(len(cpu_s)), key=cpu_s.__getitem__, default=None)
    e2e_of = dict(e2e)
    return {
        "startup_latency_ms": [ms(v) for v in lat_s],
        "startup_step_cpu_ms": [ms(v) for v in cpu_s],
        "startup_e2e_latency_ms": [ms(e2e_of[k]) if k in e2e_of else None for k in range(warmup)],
        "burst": None
        if burst is None
        else {
            "scan": burst + 1,
            "latency_ms": ms(lat_s[burst]),
            "step_cpu_ms": ms(cpu_s[burst]),
            "e2e_latency_ms": ms(e2e_of[burst]) if burst in e2e_of else None,
        },
    }


def _plots_in(scans: list[list[bytes]]) -> int:
    return sum(len(decode_datagram(g)) for grams in scans for g in grams[:-1])


def _seq(datagram: bytes) -> int:
    first = decode_datagram(datagram)[0]
    assert isinstance(first, Cat048Plot)
    return first.aircraft_address
