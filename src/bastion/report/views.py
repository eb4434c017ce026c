"""Views of the event log for the report: track paths, alert spans, engagement chains, counts.

Pure functions of the events; payloads of an unexpected type for their kind are skipped, never
trusted. Positions are site ENU metres, times run-clock seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from bastion.core.half_flight import half_flight_impacts
from bastion.core.records import (
    COOPERATIVE_TRACK_ID_BASE,
    Alert,
    AlertCleared,
    Assessment,
    Authorisation,
    Engagement,
    EngagementRequest,
    Event,
    EventKind,
    FloatArray,
    Identity,
    ImpactPrediction,
    Note,
    OriginEstimate,
    TrackLost,
    TrackReport,
)
from bastion.core.track_names import coop_name

__all__ = ["AlertSpan", "EngagementChain", "RunView", "TrackPath", "build_view"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TrackPath:
    """One track's published states: times `t_s` (N,) and site ENU positions `position_m` (N, 3)."""

    track_id: int
    t_s: FloatArray
    position_m: FloatArray

    def position_at(self, t_s: float) -> tuple[float, float] | None:
        """(east_m, north_m) of the last published state at or before `t_s` (else the first)."""
        if self.t_s.size == 0:
            return None
        i = max(int(np.searchsorted(self.t_s, t_s, side="right")) - 1, 0)
        return float(self.position_m[i, 0]), float(self.position_m[i, 1])


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertSpan:
    """An alert and its all-clear (None if the run ended first)."""

    alert: Alert
    cleared: AlertCleared | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementChain:
    """One engagement request followed through decision, firing and assessment.

    `expired` is the withdrawal note (request lost, expired or no longer hostile), if any.
    """

    request: EngagementRequest
    decision: Authorisation | None = None
    expired: Note | None = None
    engagement: Engagement | None = None
    assessment: Assessment | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """Everything the report draws, extracted once from the event log."""

    tracks: Mapping[int, TrackPath]
    lost_t_s: Mapping[int, float]
    identities: Mapping[int, Identity]
    impacts: Mapping[int, tuple[ImpactPrediction, ...]]
    alerts: tuple[AlertSpan, ...]
    engagements: tuple[EngagementChain, ...]
    assessments: tuple[Assessment, ...]
    counts: Mapping[EventKind, int]
    t_first_s: float
    t_last_s: float
    origins: Mapping[int, OriginEstimate] = field(default_factory=dict)
    """Best point-of-origin estimate per ballistic track."""
    half_flight: Mapping[int, ImpactPrediction] = field(default_factory=dict)
    """Per ballistic track, the impact prediction current at half its flight (`core.half_flight`):
    the one the run summary quotes and the map draws with its ellipse."""
    names: Mapping[int, str] = field(default_factory=dict)
    """Per track that carries a cooperative identity, its latest name (`coop_name`): from the
    reports of a cooperative-only track, from the identities of a radar track bound to one."""

    def label(self, track_id: int) -> str:
        """What the report calls a track: a cooperative-only track its name ("coop n" if recorded
        before reports named them), a radar track "T<id>", followed by its name if it has one."""
        name = self.names.get(track_id, "")
        if track_id >= COOPERATIVE_TRACK_ID_BASE:
            return name or f"coop {track_id - COOPERATIVE_TRACK_ID_BASE + 1}"
        return f"T{track_id} {name}" if name else f"T{track_id}"


@dataclass(slots=True)
class _Chain:
    request: EngagementRequest
    decision: Authorisation | None = None
    expired: Note | None = None
    engagement: Engagement | None = None
    assessment: Assessment | None = None


@dataclass(slots=True)
class _Builder:
    points: dict[int, list[TrackReport]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    lost: dict[int, float] = field(default_factory=dict)
    identities: dict[int, Identity] = field(default_factory=dict)
    impacts: dict[int, list[ImpactPrediction]] = field(default_factory=dict)
    origins: dict[int, OriginEstimate] = field(default_factory=dict)
    alerts: dict[int, Alert] = field(default_factory=dict)
    cleared: dict[int, AlertCleared] = field(default_factory=dict)
    chains: dict[int, _Chain] = field(default_factory=dict)
    by_engagement: dict[int, _Chain] = field(default_factory=dict)
    assessments: list[Assessment] = field(default_factory=list)

    def add(self, e: Event) -> None:
        p = e.payload
        if isinstance(p, TrackReport) and e.kind in _TRACK_KINDS:
            self.points.setdefault(p.track_id, []).append(p)
            if name := coop_name(p):
                self.names[p.track_id] = name
        elif isinstance(p, TrackLost):
            self.lost[p.track_id] = p.t_s
        elif isinstance(p, Identity):
            self.identities[p.track_id] = p
            if name := coop_name(p):
                self.names[p.track_id] = name
        elif isinstance(p, ImpactPrediction):
            self.impacts.setdefault(p.track_id, []).append(p)
        elif isinstance(p, OriginEstimate):
            self.origins[p.track_id] = p
        elif isinstance(p, Alert):
            self.alerts.setdefault(p.alert_id, p)
        elif isinstance(p, AlertCleared):
            self.cleared.setdefault(p.alert_id, p)
        else:
            self._add_engagement(e)

    def _add_engagement(self, e: Event) -> None:
        p = e.payload
        if isinstance(p, EngagementRequest):
            self.chains.setdefault(p.request_id, _Chain(request=p))
        elif isinstance(p, Authorisation) and p.request_id in self.chains:
            self.chains[p.request_id].decision = p
        elif isinstance(p, Note) and e.kind is EventKind.ENGAGEMENT_EXPIRED:
            chain = self.chains.get(e.subject_id)
            if chain is not None:
                chain.expired = p
        elif isinstance(p, Engagement) and p.request_id in self.chains:
            self.chains[p.request_id].engagement = p
            self.by_engagement[p.engagement_id] = self.chains[p.request_id]
        elif isinstance(p, Assessment):
            self.assessments.append(p)
            chain = self.by_engagement.get(p.engagement_id)
            if chain is not None:
                chain.assessment = p


_TRACK_KINDS = frozenset({EventKind.TRACK_CONFIRMED, EventKind.TRACK_UPDATED})


def _path(track_id: int, reports: Sequence[TrackReport]) -> TrackPath:
    ordered = sorted(reports, key=lambda r: r.t_s)
    t = np.array([r.t_s for r in ordered], dtype=np.float64)
    pos = np.array([r.position_m for r in ordered], dtype=np.float64).reshape(-1, 3)
    return TrackPath(track_id=track_id, t_s=t, position_m=pos)


def build_view(events: Sequence[Event]) -> RunView:
    """Extract the report's view from `events` (any order; `seq` order is assumed for ties)."""
    b = _Builder()
    for e in sorted(events, key=lambda ev: ev.seq):
        b.add(e)
    times = [e.t_s for e in events if np.isfinite(e.t_s)]
    return RunView(
        tracks={k: _path(k, v) for k, v in sorted(b.points.items())},
        lost_t_s=dict(sorted(b.lost.items())),
        identities=dict(sorted(b.identities.items())),
        impacts={k: tuple(v) for k, v in sorted(b.impacts.items())},
        origins=dict(sorted(b.origins.items())),
        half_flight=half_flight_impacts(events),
        names=dict(sorted(b.names.items())),
        alerts=tuple(
            AlertSpan(alert=a, cleared=b.cleared.get(aid)) for aid, a in sorted(b.alerts.items())
        ),
        engagements=tuple(
            EngagementChain(
                request=c.request,
                decision=c.decision,
                expired=c.expired,
                engagement=c.engagement,
                assessment=c.assessment,
            )
            for _, c in sorted(b.chains.items())
        ),
        assessments=tuple(b.assessments),
        counts=Counter(e.kind for e in events),
        t_first_s=min(times, default=0.0),
        t_last_s=max(times, default=0.0),
    )
