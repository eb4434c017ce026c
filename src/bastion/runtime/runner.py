"""The scenario runner: a simulated world in the loop with the pipeline, recorded to a run directory.

Time advances over the merged schedule of every sensor's scans and the ADS-B receiver's reports. At
each tick the due sensor looks and cooperative reports, and the operator model's decisions whose time
has come, go through `pipeline.step`; the events are appended to the store. Engagement requests are
handed to the operator model (it plays the human); tracks the engagement model destroys end their truth
object. Randomness: one root seed, child generators per component via `SeedSequence.spawn`.

The run directory holds `bastion.sqlite` (events, WAL), `events.jsonl` (the byte-stable event log),
`scenario.yaml` (the exact input), `truth.npz` and `report.html`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bastion import __version__, pipeline
from bastion.config import LoadedScenario
from bastion.core.clock import RunClock
from bastion.core.errors import ConfigError
from bastion.core.records import (
    Assessment,
    Authorisation,
    EngagementRequest,
    Event,
    EventKind,
    Note,
    Outcome,
)
from bastion.core.truth import TruthHistory
from bastion.engage import OperatorModel
from bastion.engage.effectors import validate_effector
from bastion.report import render_report
from bastion.runtime.scoring import Scoring
from bastion.sim import Radar, TruthWorld, adsb_reports
from bastion.sim.remote_id import remote_id_reports
from bastion.store import EventStore, RunInfo, write_event_log

ProgressFn = Callable[[float, float], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult:
    """What a run produced: where it was written, its events, truth and scoring."""

    out_dir: Path
    db_path: Path
    events_path: Path
    report_path: Path
    events: list[Event]
    truth: TruthHistory
    scoring: Scoring
    world: TruthWorld


def _schedule(loaded: LoadedScenario) -> list[tuple[float, list[int], bool]]:
    """Ticks as (t_s, indices of radars due, ADS-B due), in time order."""
    p = loaded.params
    due: dict[float, tuple[list[int], bool]] = {}
    for i, r in enumerate(p.radars):
        for t in np.arange(r.scan_period_s, p.duration_s + 1e-9, r.scan_period_s):
            key = round(float(t), 6)
            radars, adsb = due.get(key, ([], False))
            due[key] = ([*radars, i], adsb)
    if p.adsb is not None:
        for t in np.arange(p.adsb.period_s, p.duration_s + 1e-9, p.adsb.period_s):
            key = round(float(t), 6)
            radars, _ = due.get(key, ([], False))
            due[key] = (radars, True)
    return [(t, r, a) for t, (r, a) in sorted(due.items())]


def prepare_out_dir(out_dir: Path, force: bool) -> None:
    """Create the run directory; an existing one is replaced only with `force`."""
    if out_dir.exists():
        if not force:
            raise ConfigError(f"run directory {out_dir} exists; use --force to overwrite it")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)


def run_scenario(
    loaded: LoadedScenario,
    out_dir: Path,
    seed: int | None = None,
    force: bool = False,
    on_progress: ProgressFn | None = None,
) -> RunResult:
    """Run a loaded scenario to its end and write the run directory."""
    p = loaded.params
    problems = [msg for e in p.effectors for msg in validate_effector(e)]
    if problems:
        raise ConfigError("; ".join(problems), source=loaded.source, path="effectors")
    seed = loaded.seed if seed is None else seed
    prepare_out_dir(out_dir, force)
    ss = np.random.SeedSequence(seed)
    truth_ss, radar_ss, adsb_ss, op_ss, eng_ss = ss.spawn(5)
    world = TruthWorld.build(p.targets, p.duration_s, p.site.alt_m, np.random.default_rng(truth_ss))
    radars = [Radar(r) for r in p.radars]
    radar_rngs = [np.random.default_rng(s) for s in radar_ss.spawn(len(radars))]
    adsb_rng = np.random.default_rng(adsb_ss)
    rid_rng = np.random.default_rng(ss.spawn(1)[0])  # a sixth child: the first five are unchanged
    rid_next_t_s = p.remote_id.period_s if p.remote_id is not None else np.inf
    operator = OperatorModel(p.operator, np.random.default_rng(op_ss))
    state = pipeline.new_state(p, np.random.default_rng(eng_ss))
    clock = RunClock()
    scoring = Scoring(n_objects=len(world.names), radars=p.radars)

    db_path = out_dir / "bastion.sqlite"
    (out_dir / "scenario.yaml").write_text(loaded.source_text)
    store = EventStore.create(db_path)
    store.record_run(
        RunInfo(
            scenario_name=p.name,
            scenario_sha256=loaded.sha256,
            seed=seed,
            bastion_version=__version__,
            started_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        )
    )
    events: list[Event] = state.events(
        [
            (
                EventKind.RUN_STARTED,
                -1,
                Note(t_s=0.0, text=f"{p.name} seed {seed} bastion {__version__}"),
            )
        ],
        0.0,
    )
    pending: list[Authorisation] = []
    try:
        for t_s, radar_idx, adsb_due in _schedule(loaded):
            clock.advance_to(t_s)  # the schedule is sorted; a tick back in time is a bug, not data
            batches = [radars[i].scan(world, t_s, radar_rngs[i]) for i in radar_idx]
            for b in batches:
                scoring.detections(t_s, b.truth_id)
            coop = adsb_reports(world, t_s, p.adsb, adsb_rng) if adsb_due and p.adsb else []
            if p.remote_id is not None and t_s >= rid_next_t_s - 1e-9:  # first tick of a period
                coop = coop + remote_id_reports(world, t_s, p.remote_id, rid_rng)
                period = p.remote_id.period_s
                rid_next_t_s = (np.floor(t_s / period + 1e-9) + 1.0) * period
            ready = [d for d in pending if d.t_s <= t_s]
            pending = [d for d in pending if d.t_s > t_s]
            inputs = pipeline.StepInputs(batches=batches, cooperative=coop, decisions=ready)
            state, new = pipeline.step(state, inputs, t_s)
            for ev in new:
                if ev.kind is EventKind.ENGAGEMENT_REQUESTED and isinstance(
                    ev.payload, EngagementRequest
                ):
                    pending.append(operator.decide(ev.payload))
                elif isinstance(ev.payload, Assessment) and ev.payload.outcome is Outcome.DESTROYED:
                    k = scoring.track_truth.get(ev.payload.track_id)
                    if k is not None:
                        world.destroy(k, t_s)
                        scoring.destroyed_t_s[k] = t_s
                elif isinstance(ev.payload, Assessment) and ev.payload.outcome is Outcome.JAMMED:
                    k = scoring.track_truth.get(ev.payload.track_id)
                    if k is not None and world.jam(k, t_s):  # the drone turns home
                        scoring.jammed_t_s[k] = t_s
            if batches:
                _score(state, world, scoring, t_s)
            events.extend(new)
            store.append(new)
            if on_progress is not None:
                on_progress(t_s, p.duration_s)
        end = state.events(
            [(EventKind.RUN_FINISHED, -1, Note(t_s=p.duration_s, text="scenario complete"))],
            p.duration_s,
        )
        events.extend(end)
        store.append(end)
    finally:
        store.close()
    events_path = out_dir / "events.jsonl"
    write_event_log(events_path, events)
    truth = world.history(1.0)
    np.savez_compressed(
        out_dir / "truth.npz",
        t_s=truth.t_s,
        position_m=truth.position_m,
        velocity_mps=truth.velocity_mps,
        names=np.array(truth.names),
        kinds=np.array(truth.kinds),
        hostile=np.array(truth.hostile),
    )
    report_path = render_report(out_dir, p, events, truth, title=f"Bastion run: {p.name}")
    return RunResult(
        out_dir=out_dir,
        db_path=db_path,
        events_path=events_path,
        report_path=report_path,
        events=events,
        truth=truth,
        scoring=scoring,
        world=world,
    )


def _score(state: pipeline.PipelineState, world: TruthWorld, scoring: Scoring, t_s: float) -> None:
    table = state.tracker.table
    conf = np.flatnonzero(table.confirmed[: table.n])
    x = table.x[conf]
    pos = x[:, :3] + x[:, 3:] * (t_s - table.t_s[conf])[:, None]
    truth_pos, _, alive = world.state_at(t_s)
    scoring.scan(t_s, truth_pos, alive, table.track_id[conf].astype(np.int64), pos)


def load_truth(path: Path) -> TruthHistory:
    """Read a run directory's `truth.npz` back."""
    with np.load(path) as z:
        return TruthHistory(
            t_s=z["t_s"],
            position_m=z["position_m"],
            velocity_mps=z["velocity_mps"],
            names=tuple(str(s) for s in z["names"]),
            kinds=tuple(str(s) for s in z["kinds"]),
            hostile=tuple(bool(b) for b in z["hostile"]),
        )
