"""The run summary: per truth object what Bastion saw, said and did, from the events and the scoring.

Built after the run from the event log (what the pipeline said) and the scoring (which track followed
which object); nothing here feeds back into the pipeline.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bastion.core.half_flight import half_flight_impacts
from bastion.core.records import (
    Alert,
    Assessment,
    Authorisation,
    Engagement,
    EngagementRequest,
    Event,
    EventKind,
    Identity,
)
from bastion.runtime.ballistic_summary import BallisticLine, ballistic_lines
from bastion.runtime.scoring import Scoring


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertLine:
    """One zone warned for an object, with the warning time it gave (s before impact or arrival)."""

    zone: str
    raised_t_s: float
    warning_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementLine:
    """One engagement request's history."""

    request_id: int
    effector: str
    requested_t_s: float
    decision: str
    operator: str
    decided_after_s: float
    outcome: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectLine:
    """What happened to one simulated object, and what Bastion made of it."""

    name: str
    kind: str
    hostile: bool
    track_ids: tuple[int, ...]
    identified_class: str
    affiliation: str
    first_detection_t_s: float
    confirmed_t_s: float
    arrival_t_s: float
    """When the object would strike the ground on its planned path (NaN if it never would)."""
    fate: str
    leaked: bool
    alerts: tuple[AlertLine, ...]
    engagements: tuple[EngagementLine, ...]
    impact_error_m: float = math.nan
    """Error of the impact prediction current at half the flight (rounds; `core.half_flight`), from
    the object's main track."""

    @property
    def confirm_delay_s(self) -> float:
        """Seconds from first detection to the first confirmed track on this object."""
        return self.confirmed_t_s - self.first_detection_t_s

    @property
    def lead_s(self) -> float:
        """Seconds between confirmation and planned impact (the time the defence had); NaN if none."""
        return self.arrival_t_s - self.confirmed_t_s


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSummary:
    """The whole run in a few numbers and one line per object."""

    objects: tuple[ObjectLine, ...]
    classes: dict[str, int]
    leakers: tuple[str, ...]
    friendly_engagements: int
    mean_gospa_m: float
    gospa_parts_m: tuple[float, float, float]
    event_counts: dict[str, int] = field(default_factory=dict)
    ballistic: tuple[BallisticLine, ...] = ()
    """Impact and origin estimates of the rounds, against the truth."""
    siap: SiapLine | None = None
    """The run's SIAP (`Scoring.siap`: the same pictures as the GOSPA)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SiapLine:
    """SIAP of a run's confirmed picture against the covered objects, association within
    `assoc_gate_m` (definitions in `bastion.metrics.siap`)."""

    assoc_gate_m: float
    completeness: float
    ambiguity: float
    spuriousness: float
    position_accuracy_m: float
    track_number_changes: int


def _by_track(events: Sequence[Event], kind: EventKind) -> dict[int, list[Event]]:
    out: dict[int, list[Event]] = {}
    for ev in events:
        if ev.kind is kind:
            tid = getattr(ev.payload, "track_id", ev.subject_id)
            out.setdefault(int(tid), []).append(ev)
    return out


def summarise(
    events: Sequence[Event],
    scoring: Scoring,
    names: Sequence[str],
    kinds: Sequence[str],
    hostile: Sequence[bool],
    impact_t_s: Sequence[float],
    impact_m: np.ndarray,
    launch_t_s: Sequence[float],
    launch_m: np.ndarray | None = None,
) -> RunSummary:
    """Summarise a run.

    `impact_t_s` and `impact_m` (K, 3) are each object's planned impact on the ground, had nothing
    stopped it (NaN if it never strikes the ground); `launch_t_s` its start time, `launch_m` (K, 3)
    its start point (for the origin estimates; None: not scored). Warning times and
    the defence's lead are measured against the planned impact.
    """
    idents = _by_track(events, EventKind.IDENTITY_CHANGED)
    alerts = _by_track(events, EventKind.ALERT_RAISED)
    requests = _by_track(events, EventKind.ENGAGEMENT_REQUESTED)
    impacts = half_flight_impacts(events)
    decisions = {
        ev.subject_id: ev.payload
        for ev in events
        if isinstance(ev.payload, Authorisation)
        and ev.kind in (EventKind.ENGAGEMENT_AUTHORISED, EventKind.ENGAGEMENT_DENIED)
    }
    fired = {
        ev.payload.request_id: ev.payload for ev in events if isinstance(ev.payload, Engagement)
    }
    assessed = {
        ev.payload.engagement_id: ev.payload for ev in events if isinstance(ev.payload, Assessment)
    }
    fired_tracks = {e.track_id for e in fired.values()}
    lines = []
    friendly_engagements = 0
    for k, name in enumerate(names):
        tids = tuple(scoring.tracks_of(k))
        ident: Identity | None = None
        for tid in tids:
            for ev in idents.get(tid, []):
                if isinstance(ev.payload, Identity) and (ident is None or ev.t_s >= ident.t_s):
                    ident = ev.payload
        destroyed = scoring.destroyed_t_s.get(k)
        t_imp = float(impact_t_s[k])
        jammed = scoring.jammed_t_s.get(k)
        if destroyed is not None and not destroyed >= t_imp:
            fate = f"destroyed at {destroyed:.0f} s"
        elif jammed is not None and not jammed >= t_imp:
            fate = f"jammed at {jammed:.0f} s, turned home"
        elif math.isfinite(t_imp):
            fate = f"hit the ground at {t_imp:.0f} s"
        else:
            fate = "-"
        a_lines = []
        for tid in tids:
            for ev in alerts.get(tid, []):
                al = ev.payload
                assert isinstance(al, Alert)
                until = t_imp if math.isfinite(t_imp) else al.t_expected_s
                a_lines.append(AlertLine(zone=al.zone, raised_t_s=al.t_s, warning_s=until - al.t_s))
        e_lines = []
        for tid in tids:
            for ev in requests.get(tid, []):
                req = ev.payload
                assert isinstance(req, EngagementRequest)
                dec = decisions.get(req.request_id)
                eng = fired.get(req.request_id)
                ass = assessed.get(eng.engagement_id) if eng else None
                e_lines.append(
                    EngagementLine(
                        request_id=req.request_id,
                        effector=req.effector,
                        requested_t_s=req.t_s,
                        decision=dec.decision.value if dec else "none",
                        operator=dec.operator if dec else "",
                        decided_after_s=(dec.t_s - req.t_s) if dec else math.nan,
                        outcome=ass.outcome.value if ass else ("fired" if eng else "not fired"),
                    )
                )
        if not hostile[k] and fired_tracks.intersection(tids):
            friendly_engagements += 1
        err = math.nan
        imp = next((impacts[t] for t in tids if t in impacts), None)
        if imp is not None and math.isfinite(t_imp):
            err = float(np.hypot(imp.impact_e_m - impact_m[k, 0], imp.impact_n_m - impact_m[k, 1]))
        lines.append(
            ObjectLine(
                name=name,
                kind=kinds[k],
                hostile=bool(hostile[k]),
                track_ids=tids,
                identified_class=ident.threat_class.value if ident else "-",
                affiliation=ident.affiliation.value if ident else "-",
                first_detection_t_s=float(scoring.first_detection_t_s[k]),
                confirmed_t_s=float(scoring.first_confirmed_t_s[k]),
                arrival_t_s=t_imp,
                fate=fate,
                leaked=bool(hostile[k])
                and math.isfinite(t_imp)
                and not min(destroyed or math.inf, jammed or math.inf) < t_imp,
                alerts=tuple(a_lines),
                engagements=tuple(e_lines),
                impact_error_m=err,
            )
        )
    classes = Counter(ln.identified_class for ln in lines)
    return RunSummary(
        objects=tuple(lines),
        classes=dict(sorted(classes.items())),
        leakers=tuple(ln.name for ln in lines if ln.leaked),
        friendly_engagements=friendly_engagements,
        mean_gospa_m=scoring.mean_gospa,
        gospa_parts_m=tuple(float(v) for v in scoring.gospa_parts / max(scoring.gospa_n, 1)),  # type: ignore[arg-type]
        event_counts=dict(sorted(Counter(ev.kind.value for ev in events).items())),
        siap=_siap_line(scoring),
        ballistic=(
            ballistic_lines(events, scoring, names, impact_t_s, impact_m, launch_t_s, launch_m)
            if launch_m is not None
            else ()
        ),
    )


def _siap_line(scoring: Scoring) -> SiapLine | None:
    """The run's SIAP figures, None for a run with no scored scan."""
    if not scoring.pictures:
        return None
    siap = scoring.siap()
    return SiapLine(
        assoc_gate_m=scoring.assoc_gate_m,
        completeness=siap.completeness,
        ambiguity=siap.ambiguity,
        spuriousness=siap.spuriousness,
        position_accuracy_m=siap.position_accuracy_m,
        track_number_changes=siap.track_number_changes,
    )
