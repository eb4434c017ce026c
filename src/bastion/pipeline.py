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
import shapely
from numpy.typing import NDArray

from bastion.core.params import ScenarioParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Alert,
    Authorisation,
    CooperativeReport,
    DetectionBatch,
    Emission,
    Event,
    EventKind,
    ImpactPrediction,
    Threat,
    ThreatClass,
    TrackLost,
    TrackReport,
)
from bastion.engage import EngageBook
from bastion.identify import ClassifierParams, IdentityBook, classify
from bastion.identify.correlate import correlate
from bastion.threat import WarnBook, closest_approach, predict_impact
from bastion.threat.approach import point_zone_distance, zone_geometries
from bastion.tracking import Tracker

FloatArray = NDArray[np.float64]
_HOSTILE = AFFILIATIONS.index(Affiliation.HOSTILE)
_SUSPECT = AFFILIATIONS.index(Affiliation.SUSPECT)
_ROCKET = THREAT_CLASSES.index(ThreatClass.ROCKET)


@dataclass(frozen=True, slots=True, kw_only=True)
class StepInputs:
    """What arrived since the last step: sensor looks, cooperative reports, human decisions."""

    batches: Sequence[DetectionBatch] = ()
    cooperative: Sequence[CooperativeReport] = ()
    decisions: Sequence[Authorisation] = ()


@dataclass(slots=True)
class PipelineState:
    """Everything the pipeline remembers between steps."""

    params: ScenarioParams
    tracker: Tracker
    identities: IdentityBook
    warn: WarnBook
    engage: EngageBook
    classifier: ClassifierParams = field(default_factory=ClassifierParams)
    update_period_s: float = 1.0
    next_seq: int = 0
    last_report_t_s: dict[int, float] = field(default_factory=dict)
    threat_zone: dict[int, int] = field(default_factory=dict)
    last_impact_t_s: dict[int, float] = field(default_factory=dict)
    polygons: list[shapely.Polygon] = field(default_factory=list)

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
        identities=IdentityBook(),
        warn=WarnBook(
            zone_names=tuple(z.name for z in params.zones), margin_s=params.threat.alert_margin_s
        ),
        engage=EngageBook(
            params.effectors,
            rng,
            request_expiry_s=params.threat.request_expiry_s,
            horizon_s=params.threat.horizon_s,
        ),
        polygons=zone_geometries(params.zones),
    )


def _track_report(track_id: int, t_s: float, x: FloatArray, p: FloatArray, n: int) -> TrackReport:
    return TrackReport(
        track_id=track_id,
        t_s=t_s,
        position_m=(float(x[0]), float(x[1]), float(x[2])),
        velocity_mps=(float(x[3]), float(x[4]), float(x[5])),
        position_sigma_m=float(np.sqrt(np.trace(p[:3, :3]) / 3.0)),
        n_updates=n,
    )


def step(state: PipelineState, inputs: StepInputs, t_s: float) -> tuple[PipelineState, list[Event]]:
    """Advance the pipeline to `t_s` with the inputs that arrived; return the new events."""
    em: list[Emission] = []
    for batch in sorted(inputs.batches, key=lambda b: b.t_s):
        res = state.tracker.step(batch)
        _lost(state, res.lost_confirmed_ids, t_s, "track not detected for too long", em)
        table = state.tracker.table
        rows = np.flatnonzero(np.isin(table.track_id[: table.n], res.confirmed_ids))
        for r in rows.tolist():
            tid = int(table.track_id[r])
            rep = _track_report(tid, batch.t_s, table.x[r], table.P[r], int(table.n_updates[r]))
            em.append((EventKind.TRACK_CONFIRMED, tid, rep))
            state.last_report_t_s[tid] = batch.t_s

    table = state.tracker.table
    conf = np.flatnonzero(table.confirmed[: table.n])
    ids = table.track_id[conf].astype(np.int64)
    x, t_state = table.x[conf], table.t_s[conf]
    _correlate(state, inputs.cooperative, ids, x, t_state)

    speed = state.identities.smooth_speed(ids, x[:, 3:], t_s)
    codes = classify(speed, table.rcs_log_mean[conf], table.n_updates[conf], state.classifier)
    for ident in state.identities.update(ids, codes, speed, t_s):
        em.append((EventKind.IDENTITY_CHANGED, ident.track_id, ident))

    _periodic_reports(state, conf, t_s, em)
    x_now = x.copy()
    x_now[:, :3] += x[:, 3:] * (t_s - t_state)[:, None]
    aff = state.identities.affiliation_of(ids)
    cls = state.identities.class_of(ids)
    _threat_and_warn(state, ids, x_now, aff, cls, t_s, em)

    threatening = np.isin(ids, np.fromiter(state.warn.threatened_tracks(), np.int64))
    out = state.engage.step(t_s, ids, x_now, cls, aff, inputs.decisions, threatening)
    em.extend(out.emissions)
    if out.destroyed_track_ids:
        dead = np.array(out.destroyed_track_ids, dtype=np.int64)
        state.tracker.remove(dead)
        _lost(state, dead, t_s, "destroyed (engagement model)", em)
    return state, state.events(em, t_s)


def _lost(
    state: PipelineState, ids: NDArray[np.int64], t_s: float, why: str, em: list[Emission]
) -> None:
    for tid in np.asarray(ids, dtype=np.int64).tolist():
        em.append((EventKind.TRACK_LOST, tid, TrackLost(track_id=tid, t_s=t_s, reason=why)))
        state.last_report_t_s.pop(tid, None)
        state.threat_zone.pop(tid, None)
        state.last_impact_t_s.pop(tid, None)
    for cleared in state.warn.track_lost(t_s, np.asarray(ids, dtype=np.int64), f"track {why}"):
        em.append((EventKind.ALERT_CLEARED, cleared.alert_id, cleared))
    state.identities.forget(np.asarray(ids, dtype=np.int64))


def _correlate(
    state: PipelineState,
    reports: Sequence[CooperativeReport],
    ids: NDArray[np.int64],
    x: FloatArray,
    t_state: FloatArray,
) -> None:
    match, dist = correlate(reports, ids, x, t_state, state.params.threat.adsb_gate_m)
    hit = np.flatnonzero(match >= 0)
    if hit.size:
        reasons = [
            f"correlated with ADS-B {reports[i].ident} {reports[i].callsign} at {dist[i]:.0f} m"
            for i in hit.tolist()
        ]
        _, first = np.unique(match[hit], return_index=True)
        state.identities.mark_friend(match[hit][first], [reasons[i] for i in first.tolist()])


def _periodic_reports(
    state: PipelineState, conf: NDArray[np.int64], t_s: float, em: list[Emission]
) -> None:
    table = state.tracker.table
    for r in conf.tolist():
        tid = int(table.track_id[r])
        if t_s - state.last_report_t_s.get(tid, -np.inf) >= state.update_period_s:
            rep = _track_report(
                tid, float(table.t_s[r]), table.x[r], table.P[r], int(table.n_updates[r])
            )
            em.append((EventKind.TRACK_UPDATED, tid, rep))
            state.last_report_t_s[tid] = t_s


def _threat_and_warn(
    state: PipelineState,
    ids: NDArray[np.int64],
    x_now: FloatArray,
    aff: NDArray[np.int8],
    cls: NDArray[np.int8],
    t_s: float,
    em: list[Emission],
) -> None:
    tp = state.params.threat
    polys = state.polygons
    sel = np.flatnonzero((aff == _HOSTILE) | (aff == _SUSPECT))
    ballistic = cls[sel] == _ROCKET
    m, z = sel.size, len(polys)
    dist = np.full((m, z), np.inf)
    t_exp = np.full((m, z), np.nan)
    b_rows, a_rows = sel[ballistic], sel[~ballistic]
    if b_rows.size:
        impact, t_imp = predict_impact(
            x_now[b_rows], tp.rocket_drag_factor_pm, state.params.site.alt_m
        )
        ok = np.isfinite(t_imp)
        d = point_zone_distance(np.nan_to_num(impact[:, :2]), polys)
        dist[np.flatnonzero(ballistic)] = np.where(ok[:, None], d, np.inf)
        t_exp[np.flatnonzero(ballistic)] = (t_s + t_imp)[:, None]
        for i in np.flatnonzero(ok).tolist():
            tid = int(ids[b_rows[i]])
            if t_s - state.last_impact_t_s.get(tid, -np.inf) >= state.update_period_s:
                pred = ImpactPrediction(
                    track_id=tid,
                    t_s=t_s,
                    impact_e_m=float(impact[i, 0]),
                    impact_n_m=float(impact[i, 1]),
                    t_impact_s=float(t_s + t_imp[i]),
                )
                em.append((EventKind.IMPACT_PREDICTED, tid, pred))
                state.last_impact_t_s[tid] = t_s
    if a_rows.size:
        app = closest_approach(x_now[a_rows], polys, tp.horizon_s, tp.step_s)
        dist[np.flatnonzero(~ballistic)] = app.cpa_m
        t_exp[np.flatnonzero(~ballistic)] = t_s + app.t_cpa_s
    warn = dist <= tp.warn_distance_m
    release = dist > 2.0 * tp.warn_distance_m
    reasons = []
    for i, r in enumerate(sel.tolist()):
        tid = int(ids[r])
        tc = THREAT_CLASSES[int(cls[r])]
        speed = float(np.linalg.norm(x_now[r, 3:]))
        j = int(np.argmin(dist[i])) if z else -1
        if j < 0 or not np.isfinite(dist[i, j]):
            reasons.append(f"{tc.value}, {speed:.0f} m/s")
            continue
        zone = state.params.zones[j].name
        dt = float(t_exp[i, j] - t_s)
        verb = "impact" if ballistic[i] else "closest"
        reason = f"{tc.value}, {speed:.0f} m/s, {verb} {dist[i, j]:.0f} m from {zone} in {dt:.0f} s"
        reasons.append(reason)
        if state.threat_zone.get(tid) != j and dist[i, j] <= 2.0 * tp.warn_distance_m:
            state.threat_zone[tid] = j
            threat = Threat(
                track_id=tid,
                t_s=t_s,
                zone=zone,
                threat_class=tc,
                cpa_m=float(dist[i, j]),
                t_cpa_s=float(t_exp[i, j]),
                reason=reason,
            )
            em.append((EventKind.THREAT_RAISED, tid, threat))
    for rec in state.warn.step(t_s, ids[sel], warn, release, t_exp, reasons):
        kind = EventKind.ALERT_RAISED if isinstance(rec, Alert) else EventKind.ALERT_CLEARED
        em.append((kind, rec.alert_id, rec))
