"""The pipeline: one pure `step(state, inputs, t_s) -> (state, events)` through every stage.

    detections ─► tracker ─► correlate (ADS-B) ─► classify/identify ─► threat & warn ─► engage ─► events

The same step runs in a simulated scenario, in the live service and in a campaign. It touches no file,
socket or clock; randomness (the engagement outcome model) comes from a seeded generator in the state.
Event sequence numbers are assigned here, in emission order, so a run's event log is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import BearingBatch, CooperativeReport, DetectionBatch
from bastion.core.params import ScenarioParams
from bastion.core.records import (
    Authorisation,
    Emission,
    Event,
    EventKind,
    Note,
    TrackLost,
    TrackReport,
)
from bastion.engage import EngageBook
from bastion.identify import IdentityBook
from bastion.identify.coop_tracks import CoopTracks
from bastion.identify.correlate import correlate
from bastion.threat import ThreatBook
from bastion.tracking import Tracker, TrackTable
from bastion.tracking.alignment import Alignment

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class StepInputs:
    """What arrived since the last step: radar looks, direction-finder bearings, cooperative
    reports, human decisions."""

    batches: Sequence[DetectionBatch] = ()
    bearings: Sequence[BearingBatch] = ()
    cooperative: Sequence[CooperativeReport] = ()
    decisions: Sequence[Authorisation] = ()


@dataclass(slots=True)
class ReportClock:
    """When each track was last published, as sorted id and time arrays (vectorised lookups)."""

    ids: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    t_s: FloatArray = field(default_factory=lambda: np.zeros(0))

    def last(self, ids: IntArray) -> FloatArray:
        """Last report time of each id (-inf for ids never reported)."""
        out = np.full(ids.shape, -np.inf)
        if self.ids.size:
            pos = np.minimum(np.searchsorted(self.ids, ids), self.ids.size - 1)
            hit = self.ids[pos] == ids
            out[hit] = self.t_s[pos[hit]]
        return out

    def mark(self, ids: IntArray, t_s: float) -> None:
        """Record that `ids` were reported at `t_s`."""
        ids = np.asarray(ids, dtype=np.int64)
        merged = np.union1d(self.ids, ids)
        times = np.full(merged.size, t_s)
        keep = ~np.isin(self.ids, ids)
        times[np.searchsorted(merged, self.ids[keep])] = self.t_s[keep]
        self.ids, self.t_s = merged, times

    def forget(self, ids: IntArray) -> None:
        """Drop ended tracks."""
        keep = ~np.isin(self.ids, ids)
        self.ids, self.t_s = self.ids[keep], self.t_s[keep]


@dataclass(slots=True)
class PipelineState:
    """Everything the pipeline remembers between steps: one book per stage."""

    params: ScenarioParams
    tracker: Tracker
    identities: IdentityBook
    threats: ThreatBook
    engage: EngageBook
    update_period_s: float = 1.0
    next_seq: int = 0
    reported: ReportClock = field(default_factory=ReportClock)
    coop: CoopTracks = field(default_factory=CoopTracks)
    alignment: Alignment | None = None

    def events(self, emissions: Sequence[Emission], t_s: float) -> list[Event]:
        """Number emissions into events, in order."""
        out = []
        for kind, subject, payload in emissions:
            out.append(
                Event(seq=self.next_seq, t_s=t_s, kind=kind, subject_id=subject, payload=payload)
            )
            self.next_seq += 1
        return out


def new_state(params: ScenarioParams, rng: np.random.Generator) -> PipelineState:
    """A fresh pipeline for a scenario; `rng` drives the engagement outcome model only."""
    return PipelineState(
        params=params,
        tracker=Tracker(params.tracker),
        identities=IdentityBook(params.identification),
        threats=ThreatBook.create(
            params.threat, params.zones, params.site.alt_m, terrain=params.terrain
        ),
        engage=EngageBook.from_scenario(params, rng),
        alignment=Alignment() if params.tracker.align_sensors else None,
    )


def step(state: PipelineState, inputs: StepInputs, t_s: float) -> tuple[PipelineState, list[Event]]:
    """Advance the pipeline to `t_s` with the inputs that arrived; return the new events."""
    em: list[Emission] = []
    if state.alignment is not None:
        state.alignment.cooperative(inputs.cooperative, t_s)
    for raw in sorted(inputs.batches, key=lambda b: b.t_s):
        batch = raw
        if state.alignment is not None:
            batch, aligned = state.alignment.look(raw)
            if aligned is not None:
                em.append((EventKind.SENSOR_REGISTERED, -1, aligned))
        res = state.tracker.step(batch)
        if res.rejected_reason:
            em.append((EventKind.INPUT_REJECTED, -1, Note(t_s=batch.t_s, text=res.rejected_reason)))
            continue
        for rej in res.rejections:
            em.append((EventKind.INPUT_REJECTED, -1, Note(t_s=batch.t_s, text=rej.text())))
        state.threats.detections(batch, res.det_track_id)
        state.identities.detections(batch, res.det_track_id)
        _lost(state, res.lost_confirmed_ids, t_s, "not detected for too long", em)
        em.extend(state.threats.forget(res.lost_ids, t_s, "track lost"))
        table = state.tracker.table
        rows = table.rows_of(res.confirmed_ids)
        for rep in _track_reports(table, rows, np.full(len(rows), batch.t_s)):
            em.append((EventKind.TRACK_CONFIRMED, rep.track_id, rep))
        state.reported.mark(res.confirmed_ids, t_s)  # the step's time, as periodic reports

    for look in sorted(inputs.bearings, key=lambda b: b.t_s):
        res = state.tracker.step_bearings(look)
        texts = [res.rejected_reason] if res.rejected_reason else [r.text() for r in res.rejections]
        em.extend((EventKind.INPUT_REJECTED, -1, Note(t_s=look.t_s, text=t)) for t in texts)

    table = state.tracker.table
    conf = np.flatnonzero(table.confirmed)
    ids = table.track_id[conf].astype(np.int64)
    x, t_state = table.x[conf], table.t_s[conf]
    match = _correlate(state, inputs.cooperative, ids, x, t_state)
    c_ids, c_x, c_t, c_match = _cooperative(state, inputs.cooperative, ids, match, t_s, em)
    em.extend(
        state.identities.step(
            t_s,
            np.concatenate([ids, c_ids]),
            np.vstack([x, c_x]),
            np.concatenate([t_state, c_t]),
            inputs.cooperative,
            np.where(match >= 0, match, c_match),
        )
    )
    _periodic_reports(state, conf, t_s, em)

    aff = state.identities.affiliation_of(ids)
    cls = state.identities.class_of(ids)
    born = table.born_t_s[conf]
    em.extend(state.threats.step(t_s, ids, x, t_state, born, aff, cls))

    x_now = x.copy()
    x_now[:, :3] += x[:, 3:] * (t_s - t_state)[:, None]
    threatening = state.threats.threatening(ids)
    out = state.engage.step(t_s, ids, x_now, cls, aff, inputs.decisions, threatening)
    em.extend(out.emissions)
    if out.destroyed_track_ids:
        dead = np.array(out.destroyed_track_ids, dtype=np.int64)
        state.tracker.remove(dead)
        _lost(state, dead, t_s, "destroyed (engagement model)", em)
    return state, state.events(em, t_s)


def _lost(state: PipelineState, ids: IntArray, t_s: float, why: str, em: list[Emission]) -> None:
    ids = np.asarray(ids, dtype=np.int64)
    for tid in ids.tolist():
        em.append((EventKind.TRACK_LOST, tid, TrackLost(track_id=tid, t_s=t_s, reason=why)))
    state.reported.forget(ids)
    em.extend(state.threats.forget(ids, t_s, f"track {why}"))
    state.identities.forget(ids)


def _correlate(
    state: PipelineState,
    reports: Sequence[CooperativeReport],
    ids: IntArray,
    x: FloatArray,
    t_state: FloatArray,
) -> IntArray:
    """The confirmed track each cooperative report correlates with (-1: none)."""
    match, _ = correlate(reports, ids, x, t_state, state.params.threat.adsb_gate_m)
    return match


def _cooperative(
    state: PipelineState,
    reports: Sequence[CooperativeReport],
    ids: IntArray,
    match: IntArray,
    t_s: float,
    em: list[Emission],
) -> tuple[IntArray, FloatArray, FloatArray, IntArray]:
    """Cooperative-only tracks (identify.coop_tracks): ids, states, times, and each report's one.

    They are identified with the radar tracks but kept out of the threat and engagement stages.
    """
    spoof = state.identities.spoof
    bound = np.array([spoof.bound_track(r.source, r.ident) for r in reports], dtype=np.int64)
    held = (bound >= 0) & np.isin(bound, ids)
    state.coop.update_period_s = state.update_period_s
    res = state.coop.step(t_s, reports, match, held)
    em.extend(res.emissions)
    state.identities.forget(res.ended_ids)
    c_ids, c_x, c_t = state.coop.state()
    return c_ids, c_x, c_t, res.match


def _periodic_reports(state: PipelineState, conf: IntArray, t_s: float, em: list[Emission]) -> None:
    """TRACK_UPDATED for each confirmed track at most once per `update_period_s` of step time
    (a confirmation counts as a report at its step's time: a track confirmed in a step is not
    also updated in it, however late its batch reached the step).

    The due check is one array operation, and so is each field of the due tracks' records.
    """
    table = state.tracker.table
    ids = table.track_id[conf].astype(np.int64)
    due = t_s - state.reported.last(ids) >= state.update_period_s
    rows = conf[due]
    for rep in _track_reports(table, rows, table.t_s[rows]):
        em.append((EventKind.TRACK_UPDATED, rep.track_id, rep))
    state.reported.mark(ids[due], t_s)


def _track_reports(table: TrackTable, rows: IntArray, t_s: FloatArray) -> list[TrackReport]:
    """Reports of table `rows` at times `t_s` (s): position and velocity from the state, the
    position sigma sqrt(trace(P_pos) / 3) (m); each field computed for all rows at once."""
    sigma = np.sqrt(np.trace(table.P[rows, :3, :3], axis1=1, axis2=2) / 3.0)
    return [
        TrackReport(
            track_id=tid,
            t_s=t,
            position_m=(x[0], x[1], x[2]),
            velocity_mps=(x[3], x[4], x[5]),
            position_sigma_m=s,
            n_updates=n,
        )
        for tid, t, x, s, n in zip(
            table.track_id[rows].tolist(),
            np.asarray(t_s, dtype=np.float64).tolist(),
            table.x[rows, :6].tolist(),
            sigma.tolist(),
            table.n_updates[rows].tolist(),
            strict=True,
        )
    ]
