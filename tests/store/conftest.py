"""Fixtures for the store tests: one event of every payload type, and a run."""

from __future__ import annotations

import pytest

from bastion.core.records import (
    Affiliation,
    Alert,
    AlertCleared,
    Assessment,
    Authorisation,
    Decision,
    Engagement,
    EngagementRequest,
    Event,
    EventKind,
    Identity,
    ImpactPrediction,
    Note,
    Outcome,
    Payload,
    Threat,
    ThreatClass,
    TrackLost,
    TrackReport,
)
from bastion.store import RunInfo


@pytest.fixture
def run() -> RunInfo:
    """A run whose seed does not fit in 64 bits."""
    return RunInfo(
        scenario_name="unit-test",
        scenario_sha256="0" * 64,
        seed=2**80 + 7,
        bastion_version="0.1.0",
        started_utc="2024-05-01T12:00:00Z",
    )


@pytest.fixture
def events() -> list[Event]:
    """One event of every payload type, with awkward floats and non-ASCII text."""
    payloads: list[tuple[EventKind, int, Payload]] = [
        (EventKind.RUN_STARTED, -1, Note(t_s=0.0, text="run started \u2014 ok")),
        (
            EventKind.TRACK_CONFIRMED,
            1,
            TrackReport(
                track_id=1,
                t_s=0.1,
                position_m=(1e-300, -0.0, 1234.5678901234567),
                velocity_mps=(-50.0, 3.0, 0.1 + 0.2),
                position_sigma_m=15.0,
                n_updates=3,
            ),
        ),
        (
            EventKind.IDENTITY_CHANGED,
            1,
            Identity(
                track_id=1,
                t_s=0.2,
                threat_class=ThreatClass.ROCKET,
                affiliation=Affiliation.HOSTILE,
                reason="ballistic",
            ),
        ),
        (
            EventKind.THREAT_RAISED,
            1,
            Threat(
                track_id=1,
                t_s=0.3,
                zone="HQ",
                threat_class=ThreatClass.ROCKET,
                cpa_m=12.0,
                t_cpa_s=20.0,
                reason="impact inside zone",
            ),
        ),
        (
            EventKind.IMPACT_PREDICTED,
            1,
            ImpactPrediction(
                track_id=1, t_s=0.3, impact_e_m=10.0, impact_n_m=-5.0, t_impact_s=20.0
            ),
        ),
        (
            EventKind.ALERT_RAISED,
            1,
            Alert(alert_id=1, track_id=1, zone="HQ", t_s=0.4, t_expected_s=20.0, reason="r"),
        ),
        (
            EventKind.ENGAGEMENT_REQUESTED,
            1,
            EngagementRequest(
                request_id=1, track_id=1, effector="C-RAM", t_s=0.5, expires_t_s=30.5, reason="r"
            ),
        ),
        (
            EventKind.ENGAGEMENT_AUTHORISED,
            1,
            Authorisation(
                request_id=1, t_s=4.5, decision=Decision.APPROVED, operator="op", role="ea"
            ),
        ),
        (
            EventKind.ENGAGEMENT_FIRED,
            1,
            Engagement(
                engagement_id=1,
                request_id=1,
                track_id=1,
                effector="C-RAM",
                t_s=5.0,
                t_intercept_s=7.0,
            ),
        ),
        (
            EventKind.ENGAGEMENT_ASSESSED,
            1,
            Assessment(
                engagement_id=1,
                track_id=1,
                effector="C-RAM",
                t_s=7.0,
                outcome=Outcome.DESTROYED,
            ),
        ),
        (
            EventKind.ALERT_CLEARED,
            1,
            AlertCleared(alert_id=1, track_id=1, zone="HQ", t_s=8.0, reason="destroyed"),
        ),
        (EventKind.TRACK_LOST, 1, TrackLost(track_id=1, t_s=8.0, reason="destroyed")),
    ]
    return [
        Event(seq=seq, t_s=payload.t_s, kind=kind, subject_id=subject, payload=payload)
        for seq, (kind, subject, payload) in enumerate(payloads)
    ]
