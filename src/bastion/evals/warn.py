"""`bastion eval warn`: seeded rockets and mortars against the evaluation base, scored against truth.

Rounds are fired in groups (`warn_setup`): each group is one simulated run through the whole pipeline
(radar, tracker, identification, threat and warning stages), so confirmation and classification
delays count against the warning. The tracker's first gate is set for the fastest round
(`warn_setup.TRACKER`), as a counter-rocket site would set it. Per round, from the truth:

- zones at risk: zones within the lethal radius (`ThreatParams.lethal_radius_m`) of the true impact;
- warning time ratio, per (round, zone at risk): (impact - first alert on that zone) over (impact -
  first detection of the round), 0 if never warned; `warning_time_ratio_median` over those pairs;
- `zone_recall`: share of (round, zone at risk) pairs warned before impact; `zone_precision`: share
  of warned (round, zone) pairs that were at risk (alerts on tracks that follow no round count as
  warned and not at risk);
- `impact_cep_m`: median distance from the true impact of the impact point predicted from the fit
  in force 5 s after the round's first detection, for 107 mm rockets fired from 5-7 km (the case the
  requirement names);
  `impact_cep_all_m` likewise over every round; `origin_cep_m`: median distance from the true launch
  point of the best origin estimate;
- `alert_latency_p99_ms`: wall time of the pipeline steps that raised an alert on a round, measured
  in separate groups with `other_tracks` other objects (birds, drones) tracked at the same time; from
  a detection entering `pipeline.step` to the alert event it returns.

Groups run in a process pool, then the latency groups one at a time in this process (so that no
other simulation competes for the cores while steps are timed); each group's randomness comes from
its own child of the root seed, so the numbers do not depend on the number of workers.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from bastion import pipeline
from bastion.core.params import RocketTarget, Target, ThreatParams
from bastion.core.records import Alert, OriginEstimate
from bastion.evals.warn_setup import (
    GROUP_WINDOW_S,
    ROUNDS_PER_GROUP,
    SITE,
    ZONES,
    calibre_of,
    clutter_objects,
    draw_round,
    scenario,
)
from bastion.sim import Radar, TruthWorld
from bastion.threat.approach import point_zone_distance, zone_geometries
from bastion.threat.uncertainty import to_ground

THREAT = ThreatParams(warn_distance_m=300.0, lethal_radius_m=50.0, alert_margin_s=5.0)
"""The threat settings evaluated (the scenario defaults, with a 5 s margin)."""
CEP_DELAY_S = 5.0
TRUTH_DT_S = 0.2
"""Truth sampling step (s): RK4 at 0.2 s lands within millimetres of 0.05 s, at a quarter the cost."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundResult:
    """What happened to one round."""

    name: str
    calibre: str
    range_m: float
    first_detection_t_s: float
    impact_t_s: float
    at_risk: tuple[str, ...]
    warned_t_s: dict[str, float]
    impact_error_5s_m: float
    origin_error_m: float
    impact_en_m: tuple[float, float] = (math.nan, math.nan)
    """The true impact point (east, north), site ENU m."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupResult:
    """One group's rounds, stray alerts (on tracks that follow no round) and step latencies."""

    rounds: tuple[RoundResult, ...]
    stray_alerts: int
    alert_latency_ms: tuple[float, ...] = ()
    tracks_at_alerts: tuple[int, ...] = ()
    """Confirmed tracks held at each measured alert step."""


@dataclass(slots=True)
class _Collect:
    alerts: dict[int, dict[str, float]] = field(default_factory=dict)
    origins: dict[int, OriginEstimate] = field(default_factory=dict)
    track_round: dict[int, int] = field(default_factory=dict)
    impact_5s: dict[int, tuple[float, float]] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)
    tracks: list[int] = field(default_factory=list)


class Recorder(Protocol):
    """Watches a group's run (the tuning traces in `warn_tune`): `start` may replace parts of the
    fresh pipeline state, `step` sees the state after every step with the track-to-round map."""

    def start(self, state: pipeline.PipelineState) -> None: ...

    def step(
        self, state: pipeline.PipelineState, t_s: float, track_round: dict[int, int]
    ) -> None: ...


def run_group(
    seed: np.random.SeedSequence,
    n_rounds: int,
    other_tracks: int,
    threat: ThreatParams,
    recorder: Recorder | None = None,
) -> GroupResult:
    """Simulate one group of `n_rounds` rounds (plus `other_tracks` other objects) and score it."""
    draw_ss, truth_ss, radar_ss, engage_ss = seed.spawn(4)
    rng = np.random.default_rng(draw_ss)
    radar_m = (
        float(rng.uniform(-600, 600)),
        float(rng.uniform(-600, 600)),
        float(rng.uniform(5, 15)),
    )
    launches = np.sort(rng.uniform(5.0, 5.0 + GROUP_WINDOW_S, n_rounds))
    rounds = [draw_round(i, float(t), rng, SITE.alt_m) for i, t in enumerate(launches)]
    targets: list[Target] = [*rounds, *clutter_objects(other_tracks, rng)]
    params = scenario("warn-eval", radar_m, targets, 400.0, threat)
    world = TruthWorld.build(
        targets, 400.0, SITE.alt_m, np.random.default_rng(truth_ss), TRUTH_DT_S
    )
    t_imp = np.array([world.impact_t_s(k, planned=True) for k in range(n_rounds)])
    duration = float(np.nanmax(t_imp)) + threat.alert_margin_s + 2.0
    radar = Radar(params.radars[0])
    radar_rng = np.random.default_rng(radar_ss)
    state = pipeline.new_state(params, np.random.default_rng(engage_ss))
    if recorder is not None:
        recorder.start(state)
    first_det = np.full(n_rounds, np.nan)
    col = _Collect()
    period = params.radars[0].scan_period_s
    for t_s in np.arange(period, duration, period):
        t = round(float(t_s), 6)
        batch = radar.scan(world, t, radar_rng)
        seen = batch.truth_id[(batch.truth_id >= 0) & (batch.truth_id < n_rounds)]
        first_det[seen[np.isnan(first_det[seen])]] = t
        t0 = time.perf_counter()
        state, events = pipeline.step(state, pipeline.StepInputs(batches=[batch]), t)
        dt_ms = 1e3 * (time.perf_counter() - t0)
        _map_tracks(state, world, n_rounds, col)
        _impact_at_5s(state, t, first_det, col)
        if recorder is not None:
            recorder.step(state, t, col.track_round)
        raised = False
        for ev in events:
            p = ev.payload
            if isinstance(p, Alert):
                col.alerts.setdefault(p.track_id, {}).setdefault(p.zone, p.t_s)
                raised |= p.track_id in state.threats.ballistic_tracks
            elif isinstance(p, OriginEstimate):
                col.origins[p.track_id] = p
        if raised:
            col.latency_ms.append(dt_ms)
            col.tracks.append(int(state.tracker.table.confirmed.sum()))
    return _score(rounds, world, first_det, t_imp, col, threat)


def _map_tracks(state: pipeline.PipelineState, world: TruthWorld, n: int, col: _Collect) -> None:
    """Tie each newly fitted ballistic track to the round it follows (nearest within 150 m)."""
    for tid, fit in state.threats.ballistic.fits.items():
        if tid in col.track_round:
            continue
        pos, _, alive = world.state_at(fit.t_s)
        d = np.linalg.norm(np.nan_to_num(pos[:n], nan=1e12) - fit.position_m, axis=1)
        d[~alive[:n]] = np.inf
        k = int(np.argmin(d))
        if d[k] <= 150.0:
            col.track_round[tid] = k


def _impact_at_5s(
    state: pipeline.PipelineState, t_s: float, first_det: np.ndarray, col: _Collect
) -> None:
    """The impact point predicted from each round's fit in force `CEP_DELAY_S` after its first
    detection (the first step at or past that time)."""
    book = state.threats.ballistic
    for tid, k in col.track_round.items():
        fit = book.fits.get(tid)
        if k in col.impact_5s or fit is None or not t_s >= first_det[k] + CEP_DELAY_S:
            continue
        est = to_ground(fit.theta[None], fit.covariance[None], book.site_alt_m, book.ground)
        if np.isfinite(est.point_m[0]).all():
            col.impact_5s[k] = (float(est.point_m[0, 0]), float(est.point_m[0, 1]))


def _score(
    rounds: Sequence[RocketTarget],
    world: TruthWorld,
    first_det: np.ndarray,
    t_imp: np.ndarray,
    col: _Collect,
    threat: ThreatParams,
) -> GroupResult:
    polys = zone_geometries(ZONES)
    out = []
    for k, rnd in enumerate(rounds):
        tids = [t for t, r in col.track_round.items() if r == k]
        impact = world.impact_point_m(k, planned=True)
        dist = point_zone_distance(impact[None, :2], polys)[0]
        at_risk = tuple(
            z.name for z, d in zip(ZONES, dist, strict=True) if d <= threat.lethal_radius_m
        )
        warned: dict[str, float] = {}
        for tid in tids:
            for zone, t in col.alerts.get(tid, {}).items():
                if t < t_imp[k]:
                    warned[zone] = min(t, warned.get(zone, math.inf))
        err5 = math.nan
        if k in col.impact_5s:
            e, n = col.impact_5s[k]
            err5 = math.hypot(e - impact[0], n - impact[1])
        origins = [col.origins[t] for t in tids if t in col.origins]
        org_err = math.nan
        if origins:
            best = max(origins, key=lambda o: o.t_s)
            org_err = math.hypot(
                best.origin_e_m - rnd.launch_m[0], best.origin_n_m - rnd.launch_m[1]
            )
        out.append(
            RoundResult(
                name=rnd.target_id,
                calibre=calibre_of(rnd.target_id),
                range_m=math.hypot(rnd.aim_m[0] - rnd.launch_m[0], rnd.aim_m[1] - rnd.launch_m[1]),
                first_detection_t_s=float(first_det[k]),
                impact_t_s=float(t_imp[k]),
                at_risk=at_risk,
                warned_t_s=warned,
                impact_error_5s_m=err5,
                impact_en_m=(float(impact[0]), float(impact[1])),
                origin_error_m=org_err,
            )
        )
    stray = sum(len(z) for t, z in col.alerts.items() if t not in col.track_round)
    return GroupResult(
        rounds=tuple(out),
        stray_alerts=stray,
        alert_latency_ms=tuple(col.latency_ms),
        tracks_at_alerts=tuple(col.tracks),
    )


def _run(args: tuple[np.random.SeedSequence, int, int, ThreatParams]) -> GroupResult:
    return run_group(*args)


def evaluate(
    shots: int,
    seed: int,
    *,
    latency_groups: int = 2,
    other_tracks: int = 200,
    workers: int = 2,
    threat: ThreatParams = THREAT,
) -> dict[str, float | int]:
    """Fire `shots` rounds (in groups of `ROUNDS_PER_GROUP`) plus `latency_groups` groups among
    `other_tracks` other objects; return the metrics (see the module docstring)."""
    n_groups = math.ceil(shots / ROUNDS_PER_GROUP)
    sizes = [min(ROUNDS_PER_GROUP, shots - g * ROUNDS_PER_GROUP) for g in range(n_groups)]
    main_ss, lat_ss = np.random.SeedSequence(seed).spawn(2)
    jobs = [(s, n, 0, threat) for s, n in zip(main_ss.spawn(n_groups), sizes, strict=True)]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_run, jobs))
    else:
        results = [_run(j) for j in jobs]
    # Latency groups run one at a time with nothing else on the machine's cores, after the heap
    # left by the pool's results is collected and frozen out of the collector, as the live service
    # does at start-up (`bastion serve`): otherwise one full collection of it lands in a timed step.
    gc.collect()
    gc.freeze()
    try:
        latency = [
            run_group(s, ROUNDS_PER_GROUP, other_tracks, threat)
            for s in lat_ss.spawn(latency_groups)
        ]
    finally:
        gc.unfreeze()
    return metrics(results, latency)


def metrics(main: Sequence[GroupResult], latency: Sequence[GroupResult]) -> dict[str, float | int]:
    """The evaluation's numbers from the groups' results."""
    rounds = [r for g in main for r in g.rounds]
    ratios, hits, pairs_at_risk = [], 0, 0
    for r in rounds:
        span = r.impact_t_s - r.first_detection_t_s
        for zone in r.at_risk:
            pairs_at_risk += 1
            t = r.warned_t_s.get(zone)
            hits += t is not None
            ratios.append(0.0 if t is None or not span > 0 else (r.impact_t_s - t) / span)
    warned = sum(len(r.warned_t_s) for r in rounds) + sum(g.stray_alerts for g in main)
    true_warned = sum(len(set(r.warned_t_s) & set(r.at_risk)) for r in rounds)
    case = [
        r.impact_error_5s_m
        for r in rounds
        if r.calibre == "107mm" and 5000.0 <= r.range_m <= 7000.0
    ]
    all_err = [r.impact_error_5s_m for r in rounds]
    origin = [r.origin_error_m for r in rounds]
    lat = [v for g in latency for v in g.alert_latency_ms]
    held = [v for g in latency for v in g.tracks_at_alerts]

    def med(v: Sequence[float]) -> float:
        a = np.asarray(v, dtype=np.float64)
        a = a[np.isfinite(a)]
        return float(np.median(a)) if a.size else math.nan

    return {
        "shots": len(rounds),
        "zone_pairs_at_risk": pairs_at_risk,
        "rounds_outside_all_zones": sum(not r.at_risk for r in rounds),
        "warning_time_ratio_median": float(np.median(ratios)) if ratios else math.nan,
        "warning_time_ratio_p10": float(np.percentile(ratios, 10)) if ratios else math.nan,
        "zone_recall": hits / pairs_at_risk if pairs_at_risk else math.nan,
        "zone_precision": true_warned / warned if warned else math.nan,
        "zones_warned": warned,
        "stray_alerts": sum(g.stray_alerts for g in main),
        "impact_cep_m": med(case),
        "impact_cep_rounds": int(np.isfinite(case).sum()) if case else 0,
        "impact_cep_all_m": med(all_err),
        "impact_unpredicted_at_5s": int(sum(not math.isfinite(e) for e in all_err)),
        "origin_cep_m": med(origin),
        "origin_unestimated": int(sum(not math.isfinite(e) for e in origin)),
        "alert_latency_p99_ms": float(np.percentile(lat, 99)) if lat else math.nan,
        "alert_latency_median_ms": float(np.median(lat)) if lat else math.nan,
        "alert_latency_samples": len(lat),
        "tracks_held_at_alerts_min": min(held) if held else 0,
    }
