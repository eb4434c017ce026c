"""How many tracks one core holds: time per scan and memory per track at 10,000 targets.

    python benchmarks/capacity.py --targets 10000 --clutter 1000 --scans 20 --json

The scenario is the tracker benchmark's (`tracker_vs_stonesoup.make_scenario`: CV targets over a
40 x 40 km volume seen by one 3-D radar, Pd 0.95, uniform clutter). BLAS and OpenMP are held to one
thread before numpy loads, so "one core" is what is measured. Printed:

* `ms_per_scan`: mean wall time of `Tracker.step` over the scans after the first `--warmup` (the
  table fills during the first scans), and `ms_per_scan_p95`;
* `bytes_per_track`: bytes of the track table's arrays per live track at the end of the run
  (state, covariance, scalar columns, and for an IMM tracker each model's state);
* `step_peak_bytes_per_track`: the largest transient allocation of one step (tracemalloc, a separate
  untimed run over the last scans), per live track;
* memory linearity: the same two memory figures at a quarter and a half of `--targets`, and the
  ratio of the largest to the smallest per-track figure (1.0 is perfectly linear).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from bastion.core.params import TrackerParams  # noqa: E402
from bastion.tracking import Tracker  # noqa: E402
from bastion.tracking.table import TrackTable  # noqa: E402
from tracker_vs_stonesoup import batches_from, machine, make_scenario  # noqa: E402


def table_bytes(tb: TrackTable) -> int:
    """Bytes held by the table's arrays (allocated capacity, not just live rows)."""
    return sum(int(a.nbytes) for a in tb._blocks())


def run(
    targets: int, clutter: float, scans: int, seed: int, warmup: int, params: TrackerParams
) -> dict[str, float]:
    """Time and memory of one run; see the module docstring for the keys."""
    scn = make_scenario(
        targets=targets, clutter=clutter, scans=scans, seed=seed, pd=0.95, accel_mps2=1.0
    )
    batches = batches_from(scn)
    tracker = Tracker(params, capacity=2 * targets)
    times = []
    for b in batches:
        t0 = time.perf_counter()
        tracker.step(b)
        times.append(time.perf_counter() - t0)
    tb = tracker.table
    steady = np.array(times[warmup:]) * 1e3
    # Transient memory of a step, untimed: replay the last scans with tracemalloc on.
    probe = Tracker(params, capacity=2 * targets)
    for b in batches[:-3]:
        probe.step(b)
    tracemalloc.start()
    peak = 0
    for b in batches[-3:]:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        probe.step(b)
        peak = max(peak, tracemalloc.get_traced_memory()[1] - base)
    tracemalloc.stop()
    return {
        "ms_per_scan": float(steady.mean()),
        "ms_per_scan_p95": float(np.percentile(steady, 95)),
        "live_tracks": float(tb.n),
        "confirmed_tracks": float(tb.confirmed.sum()),
        "detections_per_scan": float(np.mean([len(b) for b in batches])),
        "bytes_per_track": table_bytes(tb) / max(tb.n, 1),
        "step_peak_bytes_per_track": peak / max(tb.n, 1),
    }


def markdown(res: dict[str, Any], command: str) -> str:
    m = res["machine"]
    lines = [
        "# Tracker capacity: one core, 10,000 targets",
        "",
        f"- date: {res['date']}",
        f"- command: `{command}`",
        f"- machine: {m['platform']}; {m['cpu']}; {m['cores']} cores; Python {m['python']}, "
        f"numpy {m['numpy']}; BLAS/OpenMP threads: 1; load average at start {res['load_avg']}",
        f"- scenario: {res['targets']} targets, {res['clutter']} clutter per scan, "
        f"{res['scans']} scans at 1 s, seed {res['seed']}, filter `{res['filter']}`",
        "",
        "| | value | goal |",
        "|---|---:|---:|",
        f"| ms per scan (mean after warm-up) | {res['ms_per_scan']:.1f} | <= 100 |",
        f"| ms per scan (p95) | {res['ms_per_scan_p95']:.1f} | |",
        f"| live tracks at the end | {res['live_tracks']:.0f} | |",
        f"| table bytes per track | {res['bytes_per_track']:.0f} | |",
        f"| step transient bytes per track | {res['step_peak_bytes_per_track']:.0f} | |",
        "",
        "Memory per track at fractions of the target count (linear memory keeps these flat):",
        "",
        "| targets | live tracks | table bytes/track | step bytes/track |",
        "|---:|---:|---:|---:|",
    ]
    for row in res["linearity"]:
        lines.append(
            f"| {row['targets']} | {row['live_tracks']:.0f} | {row['bytes_per_track']:.0f} | "
            f"{row['step_peak_bytes_per_track']:.0f} |"
        )
    lines += [
        "",
        f"Largest over smallest per-track figure: {res['memory_linearity_ratio']:.2f} "
        "(table capacity doubles, so up to 2 is expected from allocation granularity).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=10_000)
    ap.add_argument("--clutter", type=float, default=1_000.0)
    ap.add_argument("--scans", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--filter", choices=("cv", "imm"), default="cv")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args(argv)
    params = TrackerParams(process_accel_mps2=1.0, confirm_m=3, confirm_n=5, delete_misses=3)
    if args.filter == "imm":
        params = TrackerParams(
            process_accel_mps2=1.0, confirm_m=3, confirm_n=5, delete_misses=3, filter="imm"
        )
    load = os.getloadavg()[0]
    res: dict[str, Any] = run(
        args.targets, args.clutter, args.scans, args.seed, args.warmup, params
    )
    rows = []
    for frac in (4, 2):
        n = args.targets // frac
        r = run(n, args.clutter / frac, min(args.scans, 8), args.seed, 3, params)
        rows.append({"targets": n, **r})
    rows.append({"targets": args.targets, **res})
    per = [r["bytes_per_track"] + r["step_peak_bytes_per_track"] for r in rows]
    res.update(
        targets=args.targets,
        clutter=args.clutter,
        scans=args.scans,
        seed=args.seed,
        filter=args.filter,
        linearity=rows,
        memory_linearity_ratio=max(per) / min(per),
        load_avg=round(load, 2),
        machine=machine(),
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    command = "python benchmarks/capacity.py " + shlex.join(argv or sys.argv[1:])
    if args.json:
        print(json.dumps(res))
    else:
        print(markdown(res, command))
    if args.markdown:
        args.markdown.write_text(markdown(res, command), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
