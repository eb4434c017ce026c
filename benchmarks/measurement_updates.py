"""Time of one batched measurement update for K tracks: radar EKF / UKF (with and without range
rate), bearing-only EKF / iterated EKF / UKF, WGS-84 position report; and Stone Soup's EKF / UKF on
one track for scale.

    python benchmarks/measurement_updates.py --tracks 1000 --dim 9 \
        --markdown benchmarks/results/measurement-updates.md

Inputs: K states of dimension `--dim` (>= 6; 9 is the IMM's constant-acceleration state) 2-9 km from
a radar at the origin, random SPD covariances, one measurement per track. Each figure is the best of
`--repeat` timings of one call that updates all K tracks at once (milliseconds), and the same per track
(microseconds). Stone Soup's figure is per track (its updaters take one track at a time, d = 6).
`--json` prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bastion.core.geo import Site
from bastion.tracking.bearing import bearing_ukf_update, bearing_update
from bastion.tracking.position_report import position_report_measurement, position_update
from bastion.tracking.radar_models import radar_ekf_update, radar_h, radar_ukf_update
from machine_info import cpu_model

SIGMAS = np.array([10.0, 0.003, 0.004, 0.5])


def _best_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def _stonesoup_us(repeat: int, ukf: bool) -> float:
    from stonesoup.models.measurement.nonlinear import CartesianToElevationBearingRangeRate
    from stonesoup.types.angle import Bearing, Elevation
    from stonesoup.types.array import StateVector
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.prediction import GaussianStatePrediction
    from stonesoup.updater.kalman import ExtendedKalmanUpdater, UnscentedKalmanUpdater

    model = CartesianToElevationBearingRangeRate(
        ndim_state=6,
        mapping=(0, 1, 2),
        velocity_mapping=(3, 4, 5),
        noise_covar=np.diag(np.array([SIGMAS[2], SIGMAS[1], SIGMAS[0], SIGMAS[3]]) ** 2),
    )
    updater = (UnscentedKalmanUpdater if ukf else ExtendedKalmanUpdater)(measurement_model=model)
    t = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    x = np.array([5000.0, 3000.0, 500.0, -40.0, 10.0, 0.0])
    z = radar_h(x[None], np.zeros(3), True)[0]
    det = Detection(
        StateVector([Elevation(z[2]), Bearing(np.pi / 2 - z[1]), z[0], z[3]]),
        timestamp=t,
        measurement_model=model,
    )
    P = np.diag([400.0] * 3 + [25.0] * 3)
    n = 200

    def run() -> None:
        for _ in range(n):
            pred = GaussianStatePrediction(StateVector(x), P, timestamp=t)
            updater.update(SingleHypothesis(pred, det))

    return _best_ms(run, repeat) * 1e3 / n


def measure(k: int, d: int, repeat: int, seed: int, stonesoup: bool) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    x = np.zeros((k, d))
    rng_m = rng.uniform(2000.0, 9000.0, k)
    az = rng.uniform(0.0, 2 * np.pi, k)
    x[:, 0] = rng_m * np.sin(az)
    x[:, 1] = rng_m * np.cos(az)
    x[:, 2] = rng.uniform(50.0, 1500.0, k)
    x[:, 3:6] = rng.normal(0.0, 40.0, (k, 3))
    A = rng.normal(size=(k, d, d))
    P = A @ np.swapaxes(A, 1, 2) * 0.1 + np.diag([400.0] * 3 + [25.0] * 3 + [4.0] * (d - 6))
    sensor = np.zeros(3)
    z4 = radar_h(x, sensor, True) + rng.normal(size=(k, 4)) * SIGMAS
    site = Site(name="bench", lat_rad=0.9, lon_rad=0.1, alt_m=50.0)
    lla = site.enu2geodetic(x[:, 0:3])
    lat, lon = np.degrees(lla[:, 0]), np.degrees(lla[:, 1])
    zp, Rp = position_report_measurement(lat, lon, lla[:, 2], 5.0, 10.0, site)
    cases: dict[str, Callable[[], object]] = {
        "radar_ekf": lambda: radar_ekf_update(x, P, z4[:, :3], SIGMAS[:3], sensor, False),
        "radar_ekf_rr": lambda: radar_ekf_update(x, P, z4, SIGMAS, sensor, True),
        "radar_ukf": lambda: radar_ukf_update(x, P, z4[:, :3], SIGMAS[:3], sensor, False),
        "radar_ukf_rr": lambda: radar_ukf_update(x, P, z4, SIGMAS, sensor, True),
        "bearing_ekf": lambda: bearing_update(x, P, z4[:, 1], z4[:, 2], 0.003, 0.004, sensor),
        "bearing_iekf3": lambda: bearing_update(
            x, P, z4[:, 1], z4[:, 2], 0.003, 0.004, sensor, iterations=3
        ),
        "bearing_ukf": lambda: bearing_ukf_update(x, P, z4[:, 1], z4[:, 2], 0.003, 0.004, sensor),
        "position_report_to_enu": lambda: position_report_measurement(
            lat, lon, lla[:, 2], 5.0, 10.0, site
        ),
        "position_update": lambda: position_update(x, P, zp, Rp),
    }
    out: dict[str, object] = {"tracks": k, "dim": d, "repeat": repeat, "seed": seed}
    for name, fn in cases.items():
        ms = _best_ms(fn, repeat)
        out[f"{name}_ms"] = round(ms, 3)
        out[f"{name}_us_per_track"] = round(ms * 1e3 / k, 3)
    if stonesoup:
        out["stonesoup_ekf_rr_us_per_track_d6"] = round(_stonesoup_us(repeat, False), 1)
        out["stonesoup_ukf_rr_us_per_track_d6"] = round(_stonesoup_us(repeat, True), 1)
    return out


def _markdown(res: dict[str, object], load: tuple[float, float, float]) -> str:
    cmd = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    lines = [
        "# Measurement updates: one batched call for K tracks",
        "",
        f"- date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"- command: `{cmd}`",
        f"- machine: {cpu_model()}; {os.cpu_count()} cores; {platform.platform()}; Python "
        f"{platform.python_version()}, numpy {np.__version__}",
        f"- load average at start (1, 5, 15 min): {[round(v, 2) for v in load]} (shared machine; "
        "to be re-measured on a quiet one)",
        f"- K = {res['tracks']} tracks, state dimension d = {res['dim']}, best of {res['repeat']}",
        "",
        "| update | ms per call | us per track |",
        "|---|---:|---:|",
    ]
    for key, val in res.items():
        if key.endswith("_ms"):
            name = key[:-3]
            lines.append(f"| {name} | {val} | {res[name + '_us_per_track']} |")
    for key in ("stonesoup_ekf_rr_us_per_track_d6", "stonesoup_ukf_rr_us_per_track_d6"):
        if key in res:
            lines.append(f"| {key} (one track per call, d = 6) | | {res[key]} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tracks", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=9)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-stonesoup", action="store_true", help="skip the Stone Soup reference")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--markdown", type=Path, help="write a results file")
    args = ap.parse_args()
    if args.dim < 6:
        ap.error("--dim must be at least 6")
    load = os.getloadavg()
    res = measure(args.tracks, args.dim, args.repeat, args.seed, not args.no_stonesoup)
    if args.json:
        print(json.dumps(res))
    else:
        for key, val in res.items():
            print(f"{key}: {val}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(_markdown(res, load))


if __name__ == "__main__":
    main()
