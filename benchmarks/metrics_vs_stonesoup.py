"""SIAP and GOSPA over a run: bastion.metrics against Stone Soup's metric generators, same tracks.

    python benchmarks/metrics_vs_stonesoup.py --targets 100 --scans 50 --seed 1 --json

Builds one run: `--targets` truths flying constant velocity for `--scans` one-second steps; a track on
each truth (position noise 10 m, velocity noise 2 m/s) except a few missed truths, a hand-over to a
new track mid-run on some, a duplicate track on some, and spurious tracks far from everything. Then
scores it twice and times each (time.perf_counter, best of `--repeats` for Bastion, one run for Stone
Soup):

* Bastion: `associate_tracks_to_truth` + `siap` (arrays) and `gospa_series`;
* Stone Soup: a `MultiManager` with `IDSIAPMetrics` (position/velocity `Euclidean` measures) and
  `GOSPAMetric` (c = 100 m, p = 1, position only), associated by `TrackToTruth` (threshold 100 m,
  3 steps to start, 2 misses to end). Building Stone Soup's objects is not timed.

Every SIAP figure and the per-step GOSPA are compared; the largest absolute difference is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bastion.metrics import StateRows, associate_tracks_to_truth, gospa_series, siap
from machine_info import cpu_model

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
THRESHOLD_M = 100.0
C_M = 100.0
SIAP_TITLES = {
    "completeness": "SIAP Completeness",
    "ambiguity": "SIAP Ambiguity",
    "spuriousness": "SIAP Spuriousness",
    "position_accuracy_m": "SIAP Position Accuracy",
    "velocity_accuracy_mps": "SIAP Velocity Accuracy",
    "track_number_change_rate_per_s": "SIAP Rate of Track Number Change",
    "longest_track_segment": "SIAP Longest Track Segment",
}


def make_run(targets: int, scans: int, seed: int) -> tuple[StateRows, StateRows]:
    """Truth and track rows (see the module docstring)."""
    rng = np.random.default_rng(seed)
    t = np.arange(scans, dtype=np.float64)
    p0 = np.column_stack(
        [rng.uniform(-20_000, 20_000, (targets, 2)), rng.uniform(300, 3_000, targets)]
    )
    v = np.column_stack([rng.uniform(-200, 200, (targets, 2)), rng.normal(0, 2, targets)])
    pos = p0[None] + t[:, None, None] * v[None]
    tt, jj = np.repeat(t, targets), np.tile(np.arange(targets), scans)
    truths = StateRows(
        t_s=tt,
        object_id=jj.astype(np.int64),
        position_m=pos.reshape(-1, 3),
        velocity_mps=np.broadcast_to(v, pos.shape).reshape(-1, 3).copy(),
        label=jj.astype(np.int64),
    )
    kind = rng.choice(4, targets, p=[0.8, 0.05, 0.1, 0.05])  # plain, missed, hand-over, duplicate
    keep = kind[jj] != 1
    tid = jj + 10_000
    tid[(kind[jj] == 2) & (tt >= scans // 2)] += 100_000
    p_rows, v_rows = truths.position_m, np.asarray(truths.velocity_mps)
    dup = keep & (kind[jj] == 3)
    n_sp = max(targets // 20, 1)
    sp_t = np.repeat(t, n_sp)
    sp_p = np.array([60_000.0, 60_000.0, 1_000.0]) + rng.uniform(-5_000, 5_000, (sp_t.size, 3))
    t_all = np.concatenate([tt[keep], tt[dup], sp_t])
    p_all = np.concatenate([p_rows[keep], p_rows[dup] + 30.0, sp_p])
    v_all = np.concatenate([v_rows[keep], v_rows[dup], np.zeros((sp_t.size, 3))])
    i_all = np.concatenate([tid[keep], jj[dup] + 50_000, np.tile(np.arange(n_sp), scans) + 90_000])
    tracks = StateRows(
        t_s=t_all,
        object_id=i_all.astype(np.int64),
        position_m=p_all + rng.normal(0, 10.0, p_all.shape),
        velocity_mps=v_all + rng.normal(0, 2.0, v_all.shape),
        label=np.where(i_all < 90_000, i_all % 10_000, -1).astype(np.int64),
    )
    return tracks, truths


def to_stonesoup(rows: StateRows, truth: bool) -> list[Any]:
    """Stone Soup Track or GroundTruthPath objects, state (x, vx, y, vy, z, vz)."""
    from stonesoup.types.array import StateVector
    from stonesoup.types.groundtruth import GroundTruthPath, GroundTruthState
    from stonesoup.types.state import State
    from stonesoup.types.track import Track

    vel = np.asarray(rows.velocity_mps)
    out = []
    for i in np.unique(rows.object_id):
        r = np.flatnonzero(rows.object_id == i)
        r = r[np.argsort(rows.t_s[r])]
        sv = [StateVector(np.column_stack([rows.position_m[k], vel[k]]).ravel()) for k in r]
        ts = [EPOCH + dt.timedelta(seconds=float(rows.t_s[k])) for k in r]
        if truth:
            out.append(
                GroundTruthPath(
                    [GroundTruthState(s, timestamp=x) for s, x in zip(sv, ts, strict=True)]
                )
            )
        else:
            out.append(Track([State(s, timestamp=x) for s, x in zip(sv, ts, strict=True)]))
    return out


def run_bastion(tracks: StateRows, truths: StateRows, repeats: int) -> tuple[float, dict[str, Any]]:
    best = np.inf
    out: dict[str, Any] = {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        s = siap(tracks, truths, associate_tracks_to_truth(tracks, truths, threshold_m=THRESHOLD_M))
        g = gospa_series(tracks.t_s, tracks.position_m, truths.t_s, truths.position_m, c_m=C_M)
        best = min(best, time.perf_counter() - t0)
        out = {k: float(getattr(s, k)) for k in SIAP_TITLES}
        out["track_number_changes"] = s.track_number_changes
        out["gospa"] = g.total
    return best, out


def run_stonesoup(tracks: StateRows, truths: StateRows) -> tuple[float, dict[str, Any]]:
    from stonesoup.dataassociator.tracktotrack import TrackToTruth
    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.manager import MultiManager
    from stonesoup.metricgenerator.ospametric import GOSPAMetric
    from stonesoup.metricgenerator.tracktotruthmetrics import SIAPMetrics

    ss_tracks, ss_truths = to_stonesoup(tracks, False), to_stonesoup(truths, True)
    pos = Euclidean(mapping=(0, 2, 4))
    manager = MultiManager(
        [
            SIAPMetrics(position_measure=pos, velocity_measure=Euclidean(mapping=(1, 3, 5))),
            GOSPAMetric(c=C_M, p=1.0, measure=pos),
        ],
        associator=TrackToTruth(association_threshold=THRESHOLD_M, measure=pos),
    )
    manager.add_data({"tracks": set(ss_tracks), "groundtruth_paths": set(ss_truths)})
    t0 = time.perf_counter()
    m = manager.generate_metrics()
    elapsed = time.perf_counter() - t0
    out: dict[str, Any] = {k: float(m["siap_generator"][v].value) for k, v in SIAP_TITLES.items()}
    out["gospa"] = np.array(
        [x.value["distance"] for x in m["gospa_generator"]["GOSPA Metrics"].value]
    )
    return elapsed, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=100)
    ap.add_argument("--scans", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3, help="Bastion runs (best is reported)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--markdown", type=Path, default=None, help="also write Markdown results")
    args = ap.parse_args(argv)

    tracks, truths = make_run(args.targets, args.scans, args.seed)
    b_s, b = run_bastion(tracks, truths, args.repeats)
    s_s, s = run_stonesoup(tracks, truths)
    diffs = [abs(b[k] - s[k]) for k in SIAP_TITLES] + [
        float(np.max(np.abs(b["gospa"] - s["gospa"])))
    ]
    result: dict[str, Any] = {
        "bastion_ms": b_s * 1e3,
        "stonesoup_ms": s_s * 1e3,
        "ratio": s_s / b_s,
        "max_abs_diff": max(diffs),
        **{f"siap_{k}": b[k] for k in SIAP_TITLES},
        "track_number_changes": b["track_number_changes"],
        "mean_gospa_m": float(np.mean(b["gospa"])),
        "track_rows": tracks.n,
        "truth_rows": truths.n,
        "targets": args.targets,
        "scans": args.scans,
        "seed": args.seed,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(result) if args.json else "\n".join(f"{k}: {v}" for k, v in result.items()))
    if args.markdown:
        cpu = cpu_model()
        cores = os.cpu_count()
        load = Path("/proc/loadavg").read_text().split()[:3]
        date = subprocess.run(["date", "-u"], capture_output=True, text=True, check=False).stdout
        command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *sys.argv[1:]])
        lines = [
            "# Metrics benchmark: bastion.metrics vs Stone Soup (SIAP + GOSPA over a run)",
            "",
            f"- date: {date.strip()}",
            f"- command: `{command}`",
            f"- machine: {cpu}; {cores} cores; load average {' '.join(load)} when run",
            f"- run: {args.targets} truths, {args.scans} steps, {tracks.n} track rows, "
            f"{truths.n} truth rows, seed {args.seed}",
            "",
            "| | Bastion | Stone Soup |",
            "|---|---:|---:|",
            f"| SIAP + GOSPA, ms | {result['bastion_ms']:.1f} | {result['stonesoup_ms']:.0f} |",
            "",
            f"**Ratio (Stone Soup / Bastion): {result['ratio']:.0f}x**; largest difference over "
            f"the seven SIAP figures and every step's GOSPA: {result['max_abs_diff']:.2e}.",
            "",
            f"SIAP: completeness {result['siap_completeness']:.4f}, ambiguity "
            f"{result['siap_ambiguity']:.4f}, spuriousness {result['siap_spuriousness']:.4f}, "
            f"track-number changes {result['track_number_changes']}; mean GOSPA "
            f"{result['mean_gospa_m']:.1f} m (c = 100 m, p = 1).",
            "",
        ]
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
