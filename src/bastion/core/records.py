"""Records that cross stages at low rate: the events and their payloads (sensor inputs are in
`measurements`).

Every record is frozen, slotted and keyword-only; every physical field carries its unit in its name.
Positions are site ENU metres, velocities ENU metres per second, times run-clock seconds (`t_s`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Vec3 = tuple[float, float, float]


class ThreatClass(StrEnum):
    """What a track is."""

    ROCKET = "rocket"
    FIXED_WING = "fixed_wing"
    MULTIROTOR = "multirotor"
    BIRD = "bird"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class Affiliation(StrEnum):
    """Whose a track is (STANAG 1241 standard identities)."""

    FRIEND = "friend"
    ASSUMED_FRIEND = "assumed_friend"
    NEUTRAL = "neutral"
    UNKNOWN = "unknown"
    SUSPECT = "suspect"
    HOSTILE = "hostile"


FRIENDLY = frozenset({Affiliation.FRIEND, Affiliation.ASSUMED_FRIEND})

COOPERATIVE_TRACK_ID_BASE = 1 << 31
"""Tracks seen only cooperatively (ADS-B, Remote ID) have ids from here up; radar tracks count up
from 1 and never reach it."""

THREAT_CLASSES: tuple[ThreatClass, ...] = tuple(ThreatClass)
"""Array code of a class is its index here (arrays hold int8 codes, records hold the enum)."""
AFFILIATIONS: tuple[Affiliation, ...] = tuple(Affiliation)
"""Array code of an affiliation is its index here."""


ADDED_FIELD: Final = MappingProxyType({"added": True})
"""`dataclasses.field` metadata of a payload field added after event logs were recorded: the event
JSON leaves it out while it holds its default, and reads an event without it as the default."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackReport:
    """A track's state at `t_s` as published to consumers. A cooperative-only track (ADS-B or Remote
    ID alone) also names itself: `coop_source` ("adsb" | "remote_id"), `coop_ident` (ICAO address in
    hex, or Remote ID serial) and the latest `callsign` reported ("" until one is); all "" otherwise."""

    track_id: int
    t_s: float
    position_m: Vec3
    velocity_mps: Vec3
    position_sigma_m: float
    n_updates: int
    coop_source: str = field(default="", metadata=ADDED_FIELD)
    coop_ident: str = field(default="", metadata=ADDED_FIELD)
    callsign: str = field(default="", metadata=ADDED_FIELD)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackLost:
    """A track was deleted after too many misses, or the object it tracked was destroyed."""

    track_id: int
    t_s: float
    reason: str


ClassProbabilities = tuple[float, float, float, float, float, float]
"""P(class) of one track, in `THREAT_CLASSES` order (the last, UNKNOWN, is what no model explains)."""
NO_CLASS_PROBABILITIES: ClassProbabilities = (0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """What and whose a track is, with the reason for the latest change.

    `class_probabilities` are the classifier's P(class | evidence so far) at `t_s`, in
    `THREAT_CLASSES` order; `threat_class` is the class declared from them (with hysteresis). A
    radar track bound to a cooperative identity (its ADS-B or Remote ID reports correlate with it)
    names it as a `TrackReport` of a cooperative-only track does: `coop_source`, `coop_ident`,
    `callsign`; all "" otherwise.
    """

    track_id: int
    t_s: float
    threat_class: ThreatClass
    affiliation: Affiliation
    reason: str
    class_probabilities: ClassProbabilities = NO_CLASS_PROBABILITIES
    coop_source: str = field(default="", metadata=ADDED_FIELD)
    coop_ident: str = field(default="", metadata=ADDED_FIELD)
    callsign: str = field(default="", metadata=ADDED_FIELD)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpoofAlert:
    """A cooperative report (ADS-B, Remote ID) that contradicts the radar picture or physics.

    `check` names the test that failed: ``position_mismatch`` or ``velocity_mismatch`` (the report
    disagrees with the radar track its identifier is bound to), ``two_places`` (one identifier
    reported in two places no aircraft could join), ``position_jump`` (consecutive reports further
    apart than the fastest plausible flight). `track_id` is the radar track concerned, or -1.
    """

    track_id: int
    t_s: float
    source: str
    ident: str
    check: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Threat:
    """A confirmed track's closest approach to a defended zone on its predicted path."""

    track_id: int
    t_s: float
    zone: str
    threat_class: ThreatClass
    cpa_m: float
    t_cpa_s: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ImpactPrediction:
    """Where and when a ballistic track is predicted to reach the ground (site ENU)."""

    track_id: int
    t_s: float
    impact_e_m: float
    impact_n_m: float
    t_impact_s: float
    sigma_t_impact_s: float = math.nan
    ellipse_major_m: float = math.nan
    """Semi-major axis of the impact ellipse holding probability `confidence`, metres."""
    ellipse_minor_m: float = math.nan
    ellipse_heading_rad: float = math.nan
    """Direction of the major axis, clockwise from north, in [0, pi)."""
    confidence: float = math.nan
    drag_factor_m2pkg: float = math.nan
    """Fitted ``Cd A / (2 m)``, m^2/kg."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OriginEstimate:
    """Where and when a ballistic track left the ground (its point of origin), with its ellipse.

    Site ENU metres; `t_launch_s` run-clock seconds; the ellipse holds probability `confidence`.
    """

    track_id: int
    t_s: float
    origin_e_m: float
    origin_n_m: float
    origin_u_m: float
    t_launch_s: float
    sigma_t_launch_s: float
    ellipse_major_m: float
    ellipse_minor_m: float
    ellipse_heading_rad: float
    confidence: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedThreat:
    """One entry of the ranked threat list: the track's most urgent zone and why.

    `range_m` is the track's present horizontal distance to the zone, `time_to_zone_s` the time to its
    closest approach (or impact), `cpa_m` the closest-approach (or impact-to-zone) distance, `score`
    the urgency the list is sorted by (zone value over time, discounted by miss distance).
    """

    track_id: int
    t_s: float
    rank: int
    score: float
    zone: str
    zone_value: float
    threat_class: ThreatClass
    speed_mps: float
    range_m: float
    time_to_zone_s: float
    cpa_m: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """A warning raised to one zone: take cover until `t_expected_s` (impact or arrival) plus a margin."""

    alert_id: int
    track_id: int
    zone: str
    t_s: float
    t_expected_s: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertCleared:
    """All-clear for a zone's alert."""

    alert_id: int
    track_id: int
    zone: str
    t_s: float
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EngagementRequest:
    """A nomination of one hostile track to one effector, waiting for a human decision."""

    request_id: int
    track_id: int
    effector: str
    t_s: float
    expires_t_s: float
    reason: str


class Decision(StrEnum):
    """A human's answer to an engagement request."""

    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True, slots=True, kw_only=True)
class Authorisation:
    """A recorded human decision on an engagement request: who, with which role, when."""

    request_id: int
    t_s: float
    decision: Decision
    operator: str
    role: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Engagement:
    """A simulated engagement fired under an authorisation; never a command to real hardware."""

    engagement_id: int
    request_id: int
    track_id: int
    effector: str
    t_s: float
    t_intercept_s: float
    authorised_by: str = ""
    """Who approved the request this engagement consumed (the `Authorisation.operator`)."""
    cost_usd: float = 0.0
    """Modelled cost of the shot, US dollars."""


class Outcome(StrEnum):
    """Result of a simulated engagement."""

    DESTROYED = "destroyed"
    MISSED = "missed"
    ABORTED = "aborted"
    JAMMED = "jammed"
    """Links jammed: the drone turns away to return home (or lands)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """Kill assessment of one engagement; `reason` says what it rests on (model, track behaviour)."""

    engagement_id: int
    track_id: int
    effector: str
    t_s: float
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """A free-text run annotation (run started, input rejected, ...)."""

    t_s: float
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SensorRegistration:
    """A sensor's estimated azimuth bias and time offset, from cooperative traffic.

    Sign conventions: the sensor reports azimuth `az_bias_rad` too far clockwise and stamps its looks
    `time_offset_s` late; from `t_s` on, the tracker sees its looks corrected by both. Sigmas are the
    1-sigma uncertainties; `n_pairs` detections of `n_aircraft` aircraft have been used so far.
    """

    sensor_id: str
    t_s: float
    az_bias_rad: float
    sigma_az_bias_rad: float
    time_offset_s: float
    sigma_time_offset_s: float
    n_pairs: int
    n_aircraft: int


Payload = (
    TrackReport
    | TrackLost
    | Identity
    | SpoofAlert
    | Threat
    | ImpactPrediction
    | OriginEstimate
    | RankedThreat
    | Alert
    | AlertCleared
    | EngagementRequest
    | Authorisation
    | Engagement
    | Assessment
    | Note
    | SensorRegistration
)


class EventKind(StrEnum):
    """Every kind of event the pipeline emits."""

    RUN_STARTED = "run_started"
    RUN_FINISHED = "run_finished"
    TRACK_CONFIRMED = "track_confirmed"
    TRACK_UPDATED = "track_updated"
    TRACK_LOST = "track_lost"
    IDENTITY_CHANGED = "identity_changed"
    SPOOF_ALERT = "spoof_alert"
    THREAT_RAISED = "threat_raised"
    IMPACT_PREDICTED = "impact_predicted"
    ORIGIN_ESTIMATED = "origin_estimated"
    THREAT_RANKED = "threat_ranked"
    ALERT_RAISED = "alert_raised"
    ALERT_CLEARED = "alert_cleared"
    ENGAGEMENT_REQUESTED = "engagement_requested"
    ENGAGEMENT_AUTHORISED = "engagement_authorised"
    ENGAGEMENT_DENIED = "engagement_denied"
    ENGAGEMENT_EXPIRED = "engagement_expired"
    ENGAGEMENT_FIRED = "engagement_fired"
    ENGAGEMENT_ASSESSED = "engagement_assessed"
    INPUT_REJECTED = "input_rejected"
    SENSOR_REGISTERED = "sensor_registered"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """The backbone record: everything that happens is one appended event.

    `seq` is assigned by the event log in append order; `subject_id` is the track (or request,
    engagement, alert) the event is about, or -1.
    """

    seq: int
    t_s: float
    kind: EventKind
    subject_id: int
    payload: Payload


Emission = tuple[EventKind, int, Payload]
"""What a stage emits: an event's kind, subject id and payload; the event log assigns `seq`."""
