"""Live ingest: ASTERIX plots/s and SAPIENT detections/s on one core, latency and loss on loopback.

    python benchmarks/ingest.py --tracks 1000 --scans 5 --seconds 10 --markdown benchmarks/results/ingest.md

Synthetic truth: `--tracks` targets flying straight and level at 30-60 m/s, 2-9 km from one radar at
the site origin, seen every scan (Pd 1) with `--clutter` false plots per scan. Four measurements:

1. Core throughput, one core, no sockets (`LiveCore.feed`, the code `bastion serve` runs): the scans
   as CAT048 datagrams of 20 plots plus a CAT034 north marker, one step per scan; and the same scans
   as SAPIENT DetectionReports (range/bearing) from 2 registered nodes with overlapping coverage,
   one step per scan. Time is everything the service does per input: decode, assemble, group,
   pipeline step, events. Also decoding alone: the CAT048 fast path and libasterix.
2. Live on loopback (`LiveService`, real UDP socket, store, capture log, CoT out over UDP as TAK
   protocol v1 by default, `--cot-format xml` for XML documents): a separate sender process sends
   the scans at 1 scan/s for `--seconds`, each plot carrying its datagram's sequence number in
   I048/220; loss is counted from the sequence numbers the capture log holds; latency is the
   service's own per step figure (`LiveService.latencies_s`): from the arrival of the oldest input
   drained for a step that took data (here: the datagram with the north marker that closed a scan)
   to its outputs sent. The headline is the steady state: the scans after the first
   `--warmup-scans`, when the 1,000 tracks are live; the start-up burst (the step in which they
   are all confirmed and identified at once) is reported apart, per scan.
3. A rate sweep (`--sweep`): the same live service with the default queue limits, fed the same
   1,000-track scans faster (scan period = plots per scan / rate) for `--sweep-seconds` each; per
   rate: datagrams lost (sequence numbers), dropped by the service's queues (its `shed` records),
   kernel drops, plots shed, latency, and how long the service took to drain after the sender
   stopped. Loss, where it begins, is counted and reported, never hidden.

`--json` prints one JSON object with every figure. Every load loop is bounded in count and time and
sends to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Plot,
    ServiceKind,
    decode_datagram,
    encode_cat034,
    encode_cat048,
    split_datablocks,
)
from bastion.codecs.asterix.cat048 import decode_cat048
from bastion.codecs.sapient import decode_message, encode_message, frame, parse_frames
from bastion.codecs.timebase import RunEpoch
from bastion.config import parse_scenario
from bastion.core.geo import enu2aer
from bastion.core.measurements import DetectionBatch
from bastion.service import (
    Input,
    InputKind,
    LiveCore,
    ServiceConfig,
    parse_service_config,
)
from bastion.service import sapient_sensor as sensor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_live import live, sweep
from ingest_report import write_markdown
from machine_info import cpu_model

SCENARIO = """
name: ingest-bench
duration_s: 60.0
site: {name: bench, lat_deg: 51.17, lon_deg: -1.82, alt_m: 100.0}
radars:
  - {kind: radar, id: radar-a, position_m: [0.0, 0.0, 0.0], scan_period_s: 1.0, max_range_m: 20000.0,
     sigma_range_m: 5.0, sigma_az_deg: 0.2, sigma_el_deg: 0.3, sigma_range_rate_mps: 1.0,
     ref_range_m: 5000.0, ref_rcs_m2: 0.1, ref_pd: 0.9, pfa: 1.0e-6, clutter_per_scan: 0.0}
"""
CONFIG = """
scenario: bench.yaml
run_dir: unused
step_period_s: 0.5
track_update_period_s: 0.9  # just under the scan period: each scan's updates go out with its step
asterix:
  - listen: 127.0.0.1:0
    radars: [{radar: radar-a, sac: 25, sic: 1}]
sapient:
  listen: 127.0.0.1:0
  window_min_s: -1.0e9
  window_max_s: 1.0e9
http: null
limits: {queue_items_per_source: 100000, queue_bytes_per_source: 1000000000,
         max_plots_per_step: 1000000}
"""
EPOCH = RunEpoch(utc_at_zero_s=1_750_000_000.0)
PLOTS_PER_DATAGRAM = 20
NODES = 2


def _config() -> ServiceConfig:
    scenario = parse_scenario(SCENARIO, source="bench.yaml")
    return parse_service_config(CONFIG, scenario.source_text, source="bench-serve.yaml")


def truth(n: int, t_s: float, seed: int) -> np.ndarray:
    """Positions (n, 3) site ENU at `t_s` of `n` straight-flying targets."""
    rng = np.random.default_rng(seed)
    r = rng.uniform(2000, 9000, n)
    a = rng.uniform(0, 2 * math.pi, n)
    start = np.stack([r * np.sin(a), r * np.cos(a), rng.uniform(100, 1500, n)], axis=-1)
    heading = rng.uniform(0, 2 * math.pi, n)
    speed = rng.uniform(30, 60, n)
    vel = np.stack([speed * np.sin(heading), speed * np.cos(heading), np.zeros(n)], axis=-1)
    return start + vel * t_s


def scan_plots(n: int, clutter: int, t_s: float, seed: int, seq0: int) -> list[list[Cat048Plot]]:
    """One scan's plots in datagrams; plot I048/220 carries its datagram's sequence number."""
    rng = np.random.default_rng(seed + int(t_s * 1000))
    pos = truth(n, t_s, seed)
    aer = enu2aer(pos, np.zeros(3))
    aer += rng.normal(0, 1, aer.shape) * np.array([5.0, math.radians(0.2), 0.0])
    heights = pos[:, 2]
    if clutter:
        cr = rng.uniform(2000, 9000, clutter)
        aer = np.vstack([aer, np.stack([cr, rng.uniform(0, 2 * math.pi, clutter), cr * 0], -1)])
        heights = np.concatenate([heights, rng.uniform(100, 1500, clutter)])
    order = np.argsort(aer[:, 1])  # a rotating radar reports in azimuth order
    tod = EPOCH.time_of_day_s(t_s)
    grams = []
    for k, start in enumerate(range(0, len(order), PLOTS_PER_DATAGRAM)):
        idx = order[start : start + PLOTS_PER_DATAGRAM]
        grams.append(
            [
                Cat048Plot(
                    sac=25,
                    sic=1,
                    tod_s=tod,
                    range_m=float(aer[i, 0]),
                    az_rad=float(aer[i, 1] % (2 * math.pi)),
                    height_m=float(heights[i]),
                    aircraft_address=seq0 + k,
                )
                for i in idx
            ]
        )
    return grams


def asterix_scans(
    tracks: int, clutter: int, scans: int, seed: int, period_s: float = 1.0
) -> list[list[bytes]]:
    """Encoded datagrams per scan (plots..., north marker), one scan every `period_s`."""
    out, seq = [], 0
    for s in range(1, scans + 1):
        t = s * period_s
        grams = [encode_cat048(g) for g in scan_plots(tracks, clutter, t, seed, seq)]
        seq += len(grams)
        marker = Cat034Message(
            sac=25, sic=1, kind=ServiceKind.NORTH_MARKER, tod_s=EPOCH.time_of_day_s(t)
        )
        out.append([*grams, encode_cat034([marker])])
    return out


def core_asterix(cfg: ServiceConfig, scans: list[list[bytes]]) -> tuple[float, int, int]:
    """(seconds, plots, confirmed tracks at the end) feeding the scans to a live core."""
    core = LiveCore(cfg, EPOCH)
    core.start()
    plots = 0
    t0 = time.perf_counter()
    for s, grams in enumerate(scans, start=1):
        for g in grams:
            core.feed(Input(t_s=s + 0.01, kind=InputKind.DATAGRAM, feed="asterix0", payload=g))
        core.feed(Input(t_s=s + 0.02, kind=InputKind.STEP))
    elapsed = time.perf_counter() - t0
    plots = sum(f.plots for f in core.asterix.values())
    return elapsed, plots, int(core.state.tracker.table.confirmed.sum())


def decode_only(scans: list[list[bytes]]) -> tuple[float, int]:
    """(seconds, plots) of decoding alone (`decode_datagram`: the CAT048 fast path)."""
    t0 = time.perf_counter()
    n = sum(len(decode_datagram(g)) for grams in scans for g in grams)
    return time.perf_counter() - t0, n


def decode_libasterix(scans: list[list[bytes]]) -> tuple[float, int]:
    """(seconds, plots) of libasterix decoding alone (the reference decoder)."""
    blocks = [p for grams in scans for g in grams[:-1] for _, p in split_datablocks(g)]
    t0 = time.perf_counter()
    n = sum(len(decode_cat048(p)) for p in blocks)
    return time.perf_counter() - t0, n


def sapient_scans(
    cfg: ServiceConfig, tracks: int, scans: int, seed: int
) -> tuple[list[Input], int]:
    """Inputs: NODES nodes register and report their place, then each scan's detections."""
    dest = cfg.spec.sapient.node_id if cfg.spec.sapient else ""
    site = cfg.scenario.params.site
    rng = np.random.default_rng(seed)
    nodes = [sensor.node_uuid(f"bench-{k}") for k in range(NODES)]
    inputs = []
    for k, node in enumerate(nodes):
        reg = sensor.registration(node, dest, f"node {k}", EPOCH.to_utc_s(0.5))
        st = sensor.status(node, dest, site, (0.0, 0.0, 0.0), EPOCH.to_utc_s(0.5), rng)
        inputs.append(Input(t_s=0.5, kind=InputKind.OPENED, feed="sapient", conn=k + 1))
        payload = encode_message(reg) + encode_message(st)
        inputs.append(
            Input(t_s=0.5, kind=InputKind.STREAM, feed="sapient", conn=k + 1, payload=payload)
        )
    n_det = 0
    for s in range(1, scans + 1):
        t = float(s)
        aer = enu2aer(truth(tracks, t, seed), np.zeros(3))
        for k, node in enumerate(nodes):
            part = aer  # every node sees every target (overlapping coverage)
            batch = DetectionBatch(
                sensor_id=node,
                t_s=t,
                sensor_enu_m=np.zeros(3),
                range_m=part[:, 0],
                az_rad=part[:, 1],
                el_rad=part[:, 2],
                range_rate_mps=np.zeros(len(part)),
                rcs_m2=np.full(len(part), np.nan),
                sigma_range_m=5.0,
                sigma_az_rad=math.radians(0.2),
                sigma_el_rad=math.radians(0.3),
                sigma_range_rate_mps=1.0,
            )
            msgs = sensor.detections(node, dest, batch, EPOCH, rng)
            n_det += len(msgs)
            data = b"".join(frame(m.SerializeToString()) for m in msgs)
            inputs.append(
                Input(t_s=t + 0.01, kind=InputKind.STREAM, feed="sapient", conn=k + 1, payload=data)
            )
        inputs.append(Input(t_s=t + 0.02, kind=InputKind.STEP))
    return inputs, n_det


def core_sapient(cfg: ServiceConfig, inputs: list[Input]) -> tuple[float, int, int]:
    """(seconds, detections, confirmed tracks) feeding SAPIENT inputs to a live core."""
    core = LiveCore(cfg, EPOCH)
    core.start()
    t0 = time.perf_counter()
    for item in inputs:
        for conn, data in core.feed(item).replies:
            payloads, _ = parse_frames(data)
            for p in payloads:
                kind = decode_message(p).WhichOneof("content")
                if kind == "error":
                    raise RuntimeError(f"SAPIENT error from the core on conn {conn}")
    elapsed = time.perf_counter() - t0
    assert core.sapient is not None
    return elapsed, core.sapient.detections, int(core.state.tracker.table.confirmed.sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--clutter", type=int, default=100)
    ap.add_argument("--scans", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=10, help="live run length (scans at 1 Hz)")
    ap.add_argument(
        "--warmup-scans",
        type=int,
        default=5,
        help="live scans in which the picture is established (tracks confirmed, identified); the "
        "steady-state latency is over the scans after them",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cot-format", choices=("xml", "tak"), default="tak")
    ap.add_argument(
        "--sweep", default="5000,10000,20000,40000", help="plot rates (plots/s); '' for none"
    )
    ap.add_argument("--sweep-seconds", type=float, default=5.0)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    load_before = os.getloadavg()
    cfg = _config()
    print("encoding scans ...", file=sys.stderr, flush=True)
    scans = asterix_scans(args.tracks, args.clutter, max(args.scans, args.seconds), args.seed)
    core_asterix(cfg, scans[:2])  # warm up (imports, caches), not timed
    gc.collect()  # as `LiveService.start` does: the start-up heap is not scanned again
    gc.freeze()
    t_ast, n_ast, conf_ast = core_asterix(cfg, scans[: args.scans])
    t_dec, n_dec = decode_only(scans[: args.scans])
    t_lib, n_lib = decode_libasterix(scans[: min(args.scans, 3)])
    sap_inputs, n_sap_sent = sapient_scans(cfg, args.tracks, args.scans, args.seed)
    t_sap, n_sap, conf_sap = core_sapient(cfg, sap_inputs)
    with tempfile.TemporaryDirectory() as tmp:
        lv = asyncio.run(
            live(
                EPOCH,
                cfg,
                scans[: args.seconds],
                Path(tmp),
                args.cot_format,
                warmup_scans=args.warmup_scans,
            )
        )
    rates = [int(r) for r in args.sweep.split(",") if r.strip()]
    sw = sweep(EPOCH, asterix_scans, cfg, args, rates)
    held = [r["rate_plots_per_s"] for r in sw if not r["loss"]]
    kept = [r["rate_plots_per_s"] for r in sw if not r["loss"] and r["keeps_up"]]
    result = {
        "asterix_plots_per_s": n_ast / t_ast,
        "asterix_decode_only_plots_per_s": n_dec / t_dec,
        "asterix_libasterix_decode_plots_per_s": n_lib / t_lib,
        "sapient_detections_per_s": n_sap / t_sap,
        "asterix_plots": n_ast,
        "asterix_confirmed_tracks": conf_ast,
        "sapient_detections": n_sap,
        "sapient_detections_sent": n_sap_sent,
        "sapient_confirmed_tracks": conf_sap,
        "live": lv,
        "sweep": sw,
        "no_loss_up_to_plots_per_s": max(held, default=0),
        "keeps_up_without_loss_to_plots_per_s": max(kept, default=0),
        "loss_from_plots_per_s": min(
            (r["rate_plots_per_s"] for r in sw if r["loss"]), default=None
        ),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print({k: v for k, v in result.items() if k not in ("live", "sweep")}, lv)
    if args.markdown:
        write_markdown(args, result)


if __name__ == "__main__":
    main()
