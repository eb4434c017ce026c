"""The tracking engine through the pipeline: sensor alignment, refused input as events, bearings."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from bastion.core.measurements import CooperativeReport
from bastion.core.params import TrackerParams
from bastion.core.records import EventKind, SensorRegistration
from bastion.evals.registration import looks
from bastion.pipeline import StepInputs, new_state, step
from stub_pipeline import PARAMS


def _run(align: bool, seed: int) -> tuple[list[SensorRegistration], float]:
    """Feed the registration evaluation's looks through the pipeline; returns the alignment
    records and the median distance (m) from each confirmed radar track to its nearest aircraft's
    last ADS-B position over the last 20 looks."""
    params = dataclasses.replace(
        PARAMS, tracker=TrackerParams(align_sensors=align, oosm_lag_s=2.0, filter="cv")
    )
    state = new_state(params, np.random.default_rng(0))
    seen: set[tuple[str, float]] = set()
    records: list[SensorRegistration] = []
    errors: list[float] = []
    run = looks(seed)
    for k, (batch, window) in enumerate(run):
        fresh = [r for r in window if (r.ident, r.t_s) not in seen]
        seen.update((r.ident, r.t_s) for r in fresh)
        state, events = step(state, StepInputs(batches=[batch], cooperative=fresh), batch.t_s)
        records += [e.payload for e in events if e.kind is EventKind.SENSOR_REGISTERED]  # type: ignore[misc]
        if k >= len(run) - 20:
            errors += _track_errors(state.tracker.table, window)
    return records, float(np.median(errors))


def _track_errors(table: object, window: list[CooperativeReport]) -> list[float]:
    latest: dict[str, CooperativeReport] = {}
    for r in window:
        latest[r.ident] = r
    truth = np.array([r.position_m for r in latest.values()])
    x = table.x[table.confirmed & (table.track_id < 2**31), :3]  # type: ignore[attr-defined]
    if not len(truth) or not len(x):
        return []
    d = np.linalg.norm(x[:, None, :] - truth[None, :, :], axis=2).min(axis=1)
    return [float(v) for v in d if v < 1_000.0]


def test_alignment_converges_is_recorded_and_pulls_tracks_onto_the_aircraft() -> None:
    records, aligned_err = _run(True, seed=3)
    assert records, "a converged sensor must be recorded"
    last = records[-1]
    assert isinstance(last, SensorRegistration)
    assert abs(math.degrees(last.az_bias_rad) - 1.0) < 0.1
    assert abs(last.time_offset_s - 0.5) < 0.05
    none, raw_err = _run(False, seed=3)
    assert not none
    # A 1 degree bias puts tracks hundreds of metres off at 10-30 km; aligned, tens.
    assert aligned_err < 0.4 * raw_err, (aligned_err, raw_err)


def test_refused_input_becomes_events_naming_the_sensor_and_the_pipeline_runs_on() -> None:
    import dataclasses as dc

    from bastion.core.measurements import BearingBatch
    from bastion.core.records import Note
    from stub_pipeline import radar_look

    state = new_state(PARAMS, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    events = []
    for k in range(5):
        look = radar_look(float(k), np.array([[3_000.0, 1_000.0, 300.0]]), 1.0, rng)
        if k == 3:
            look = dc.replace(
                look,
                range_m=np.r_[look.range_m, -10.0, np.nan],
                az_rad=np.r_[look.az_rad, 0.1, 0.2],
                el_rad=np.r_[look.el_rad, 0.0, 0.0],
                range_rate_mps=np.r_[look.range_rate_mps, 0.0, 0.0],
                rcs_m2=np.r_[look.rcs_m2, 1.0, 1.0],
            )
        bearings = BearingBatch(
            sensor_id="df-9",
            t_s=k + 0.5,
            sensor_enu_m=np.zeros(3),
            az_rad=np.array([np.nan]),
            el_rad=np.array([np.nan]),
            sigma_az_rad=0.01,
            sigma_el_rad=0.01,
        )
        state, out = step(state, StepInputs(batches=[look], bearings=[bearings]), k + 0.5)
        events += out
    texts = [e.payload.text for e in events if e.kind is EventKind.INPUT_REJECTED]
    assert all(isinstance(e.payload, Note) for e in events if e.kind is EventKind.INPUT_REJECTED)
    assert any("'r1'" in t and "negative range" in t for t in texts)
    assert any("'r1'" in t and "non-finite" in t for t in texts)
    assert sum("'df-9'" in t for t in texts) == 5
    assert any(e.kind is EventKind.TRACK_CONFIRMED for e in events)
