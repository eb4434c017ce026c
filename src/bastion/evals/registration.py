"""Sensor registration against ADS-B traffic: one seeded run, scored against the true bias.

A radar (`bastion.sim.misregistration.surveillance_radar`) with an azimuth bias and a time offset
looks every `scan_period_s` at `n_aircraft` ADS-B aircraft (`cooperative_traffic`); the ADS-B
receiver reports every aircraft every `adsb_period_s` with `adsb_sigma_m` position noise, at times
not aligned with the radar's. Each raw look goes to `SensorBiasEstimator.update` with the reports
received in the `window_s` seconds up to its timestamp (what a live system would hold when the look
arrives). Per look the run records the estimate's errors and sigmas.

Convergence time: the first look time (from the first look) after which both errors stay below
the thresholds (0.1 degree, 50 ms) for the rest of the run; NaN if the last look is not below them.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.core.params import AdsbReceiverParams
from bastion.sim.adsb import adsb_reports
from bastion.sim.misregistration import cooperative_traffic, misregistered_scan, surveillance_radar
from bastion.sim.radar import Radar
from bastion.tracking.registration import RegistrationParams, SensorBiasEstimator

FloatArray = NDArray[np.float64]

AZ_TOLERANCE_RAD = math.radians(0.1)
TIME_TOLERANCE_S = 0.05


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationScenario:
    """The run's set-up (units in the names)."""

    az_bias_rad: float = math.radians(1.0)
    time_offset_s: float = 0.5
    n_aircraft: int = 4
    duration_s: float = 60.0
    scan_period_s: float = 1.0
    adsb_period_s: float = 0.5
    adsb_sigma_m: float = 20.0
    window_s: float = 5.0
    radial_share: float = 0.5
    range_bias_m: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RegistrationRun:
    """Per look (L,): time since the first look `t_s`, estimate errors `az_error_rad` and
    `time_error_s` (estimate minus truth), sigmas `sigma_az_rad`, `sigma_time_s`, `n_pairs` used
    at that look, `converged` flags; and `converge_t_s` (see the module docstring)."""

    t_s: FloatArray
    az_error_rad: FloatArray
    time_error_s: FloatArray
    sigma_az_rad: FloatArray
    sigma_time_s: FloatArray
    n_pairs: NDArray[np.int64]
    converged: NDArray[np.bool_]
    converge_t_s: float


Look = tuple[DetectionBatch, list[CooperativeReport]]
"""One raw radar look and the cooperative reports received in the window up to its timestamp."""


def looks(seed: int, scenario: RegistrationScenario | None = None) -> list[Look]:
    """The seeded looks of `scenario` (default: 1 degree, 0.5 s, 4 aircraft, 60 s), in time order.

    Looks are stamped 1, 2, ... s (radar time); ADS-B reports start at 0.13 s (receiver time, the
    truth's). World, radar and receiver draw from children of `seed` (`SeedSequence.spawn`).
    """
    sc = scenario if scenario is not None else RegistrationScenario()
    world_rng, radar_rng, adsb_rng = np.random.default_rng(seed).spawn(3)
    world = cooperative_traffic(
        world_rng, sc.n_aircraft, sc.duration_s + 2.0, radial_share=sc.radial_share
    )
    radar = Radar(surveillance_radar())
    adsb = AdsbReceiverParams(period_s=sc.adsb_period_s, sigma_position_m=sc.adsb_sigma_m)
    report_t = np.arange(0.13, sc.duration_s + 1.0, sc.adsb_period_s)
    reports = [r for t in report_t for r in adsb_reports(world, float(t), adsb, adsb_rng)]
    times = [r.t_s for r in reports]
    out: list[Look] = []
    for t in np.arange(1.0, 1.0 + sc.duration_s, sc.scan_period_s).tolist():
        batch = misregistered_scan(
            radar,
            world,
            t,
            radar_rng,
            az_bias_rad=sc.az_bias_rad,
            time_offset_s=sc.time_offset_s,
            range_bias_m=sc.range_bias_m,
        )
        lo, hi = bisect.bisect_left(times, t - sc.window_s), bisect.bisect_right(times, t)
        out.append((batch, reports[lo:hi]))
    return out


def score(
    run_looks: list[Look],
    scenario: RegistrationScenario | None = None,
    params: RegistrationParams | None = None,
) -> RegistrationRun:
    """Feed `run_looks` to a fresh `SensorBiasEstimator` and score it against `scenario`'s truth."""
    sc = scenario if scenario is not None else RegistrationScenario()
    estimator = SensorBiasEstimator(params)
    n = len(run_looks)
    look_t = np.array([b.t_s for b, _ in run_looks], dtype=np.float64)
    err_az, err_t, sig_az, sig_t = (np.zeros(n) for _ in range(4))
    n_pairs = np.zeros(n, dtype=np.int64)
    converged = np.zeros(n, dtype=bool)
    for i, (batch, reports) in enumerate(run_looks):
        step = estimator.update(batch, reports)
        est = step.estimate
        err_az[i] = est.az_bias_rad - sc.az_bias_rad
        err_t[i] = est.time_offset_s - sc.time_offset_s
        sig_az[i], sig_t[i] = est.sigma_az_rad, est.sigma_time_s
        n_pairs[i] = step.det_index.size
        converged[i] = est.converged
    good = (np.abs(err_az) < AZ_TOLERANCE_RAD) & (np.abs(err_t) < TIME_TOLERANCE_S)
    bad = np.flatnonzero(~good)
    if n == 0 or not good[-1]:
        converge_t = math.nan
    else:
        first = 0 if bad.size == 0 else int(bad[-1]) + 1
        converge_t = float(look_t[first] - look_t[0])
    return RegistrationRun(
        t_s=look_t - look_t[0] if n else look_t,
        az_error_rad=err_az,
        time_error_s=err_t,
        sigma_az_rad=sig_az,
        sigma_time_s=sig_t,
        n_pairs=n_pairs,
        converged=converged,
        converge_t_s=converge_t,
    )


def run(
    seed: int,
    scenario: RegistrationScenario | None = None,
    params: RegistrationParams | None = None,
) -> RegistrationRun:
    """One seeded run of `scenario`: `score(looks(seed, scenario), scenario, params)`."""
    return score(looks(seed, scenario), scenario, params)
