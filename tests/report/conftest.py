"""A small synthetic run for the report tests: two zones, a radar, two effectors, four objects."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.core.engage_params import EffectorKind, EffectorParams
from bastion.core.geo import Site
from bastion.core.params import RadarParams, ScenarioParams, ZoneParams
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
    FloatArray,
    Identity,
    ImpactPrediction,
    Note,
    Outcome,
    Payload,
    ThreatClass,
    TrackLost,
    TrackReport,
)
from bastion.core.truth import TruthHistory

DT_S = 1.0
DURATION_S = 120.0


@pytest.fixture
def scenario() -> ScenarioParams:
    """Two zones (one with awkward characters in its name), one radar, two effectors."""
    radar = RadarParams(
        sensor_id="R1",
        position_m=(0.0, -500.0, 10.0),
        scan_period_s=1.0,
        min_range_m=200.0,
        max_range_m=15000.0,
        min_el_rad=0.0,
        max_el_rad=1.2,
        sigma_range_m=10.0,
        sigma_az_rad=0.002,
        sigma_el_rad=0.002,
        sigma_range_rate_mps=1.0,
        ref_range_m=10000.0,
        ref_rcs_m2=1.0,
        ref_snr_db=13.0,
        pfa=1e-6,
        clutter_per_scan=2.0,
    )
    effectors = (
        EffectorParams(
            name="C-RAM 1",
            kind=EffectorKind.GUN,
            position_m=(500.0, 300.0, 0.0),
            min_range_m=200.0,
            max_range_m=3000.0,
            max_alt_m=3000.0,
            reaction_s=2.0,
            projectile_speed_mps=1000.0,
            pk={ThreatClass.ROCKET: 0.7},
            magazine=20,
        ),
        EffectorParams(
            name="SAM-A",
            kind=EffectorKind.INTERCEPTOR,
            position_m=(-1500.0, -1500.0, 0.0),
            min_range_m=500.0,
            max_range_m=8000.0,
            max_alt_m=6000.0,
            reaction_s=5.0,
            projectile_speed_mps=600.0,
            pk={ThreatClass.FIXED_WING: 0.8},
            magazine=4,
        ),
    )
    zones = (
        ZoneParams(
            name="HQ",
            polygon_m=((-400.0, -300.0), (600.0, -300.0), (600.0, 500.0), (-400.0, 500.0)),
            population=200,
        ),
        ZoneParams(
            name='Airfield <east> & "ramp"',
            polygon_m=((1500.0, -2500.0), (4000.0, -2000.0), (3800.0, -1200.0), (1300.0, -1700.0)),
        ),
    )
    return ScenarioParams(
        name="synthetic-raid",
        site=Site(name="Test site", lat_rad=math.radians(33.8), lon_rad=math.radians(42.4)),
        duration_s=DURATION_S,
        radars=(radar,),
        targets=(),
        zones=zones,
        effectors=effectors,
    )


def _segment(a: FloatArray, b: FloatArray, t0: float, t1: float, t: FloatArray) -> FloatArray:
    f = np.clip((t - t0) / (t1 - t0), 0.0, 1.0)[:, None]
    pos = a + f * (b - a)
    pos[(t < t0) | (t > t1)] = np.nan
    return pos


@pytest.fixture
def truth() -> TruthHistory:
    """A rocket, a drone, a friendly aircraft and a bird, sampled every second."""
    t = np.arange(0.0, DURATION_S + DT_S, DT_S)
    rocket = _segment(
        np.array([-9000.0, 7000.0, 0.0]), np.array([100.0, 100.0, 0.0]), 10.0, 50.0, t
    )
    rocket[:, 2] = np.where(np.isnan(rocket[:, 0]), np.nan, 2000.0 * np.sin(np.pi * (t - 10) / 40))
    drone = np.full((t.size, 3), np.nan)
    leg1 = _segment(
        np.array([11000.0, 6000.0, 300.0]), np.array([6000.0, 1000.0, 300.0]), 0.0, 50.0, t
    )
    leg2 = _segment(
        np.array([6000.0, 1000.0, 300.0]), np.array([2600.0, -1800.0, 0.0]), 50.0, 90.0, t
    )
    drone = np.where(np.isnan(leg1), leg2, leg1)
    aircraft = _segment(
        np.array([-12000.0, -6000.0, 1500.0]), np.array([12000.0, -3000.0, 1500.0]), 0.0, 120.0, t
    )
    bird = np.stack(
        [-3000.0 + 200.0 * np.cos(t / 20), -4000.0 + 200.0 * np.sin(t / 20), 100.0 + 0 * t], axis=1
    )
    pos = np.stack([rocket, drone, aircraft, bird], axis=1)
    vel = np.gradient(pos, DT_S, axis=0)
    return TruthHistory(
        t_s=t,
        position_m=pos,
        velocity_mps=vel,
        names=("rocket-1", "uav-1", "airliner", "bird-1"),
        kinds=("rocket", "fixed_wing", "aircraft", "bird"),
        hostile=(True, True, False, False),
    )


def _noisy_tracks(truth: TruthHistory, rng: np.random.Generator) -> list[tuple[float, Payload]]:
    out: list[tuple[float, Payload]] = []
    starts = {0: 14.0, 1: 5.0, 2: 3.0, 3: 8.0}
    ends = {0: 44.0, 1: 80.0, 2: 120.0, 3: 60.0}
    for k, tid in enumerate((1, 2, 3, 4)):
        for i, ts in enumerate(truth.t_s):
            p = truth.position_m[i, k]
            if ts < starts[k] or ts > ends[k] or np.isnan(p).any() or i % 2:
                continue
            noisy = p + rng.normal(0.0, 40.0, 3)
            out.append(
                (
                    float(ts),
                    TrackReport(
                        track_id=tid,
                        t_s=float(ts),
                        position_m=(float(noisy[0]), float(noisy[1]), float(noisy[2])),
                        velocity_mps=(0.0, 0.0, 0.0),
                        position_sigma_m=40.0,
                        n_updates=i,
                    ),
                )
            )
    return out


@pytest.fixture
def events(truth: TruthHistory) -> list[Event]:
    """Events of a run over the truth: tracks, identities, impacts, alerts, engagements."""
    rng = np.random.default_rng(1)
    timed: list[tuple[float, EventKind, int, Payload]] = [
        (0.0, EventKind.RUN_STARTED, -1, Note(t_s=0.0, text="run started")),
    ]
    seen: set[int] = set()
    for t, report in _noisy_tracks(truth, rng):
        assert isinstance(report, TrackReport)
        kind = EventKind.TRACK_UPDATED if report.track_id in seen else EventKind.TRACK_CONFIRMED
        seen.add(report.track_id)
        timed.append((t, kind, report.track_id, report))
    identities = [
        (1, 16.0, ThreatClass.ROCKET, Affiliation.HOSTILE),
        (2, 7.0, ThreatClass.FIXED_WING, Affiliation.SUSPECT),
        (2, 20.0, ThreatClass.FIXED_WING, Affiliation.HOSTILE),
        (3, 5.0, ThreatClass.AIRCRAFT, Affiliation.FRIEND),
        (4, 10.0, ThreatClass.BIRD, Affiliation.NEUTRAL),
    ]
    for tid, t, cls, aff in identities:
        ident = Identity(track_id=tid, t_s=t, threat_class=cls, affiliation=aff, reason="test")
        timed.append((t, EventKind.IDENTITY_CHANGED, tid, ident))
    for i, t in enumerate(np.arange(16.0, 44.0, 4.0)):
        err = 800.0 / (i + 1)
        imp = ImpactPrediction(
            track_id=1,
            t_s=float(t),
            impact_e_m=100.0 + err,
            impact_n_m=100.0 - err,
            t_impact_s=50.0,
            ellipse_major_m=2.5 * err,
            ellipse_minor_m=1.25 * err,
            ellipse_heading_rad=0.6,
            confidence=0.99,
        )
        timed.append((float(t), EventKind.IMPACT_PREDICTED, 1, imp))
    timed += [
        (
            17.0,
            EventKind.ALERT_RAISED,
            1,
            Alert(
                alert_id=1,
                track_id=1,
                zone="HQ",
                t_s=17.0,
                t_expected_s=50.0,
                reason="impact in HQ",
            ),
        ),
        (
            17.5,
            EventKind.ENGAGEMENT_REQUESTED,
            1,
            EngagementRequest(
                request_id=1,
                track_id=1,
                effector="C-RAM 1",
                t_s=17.5,
                expires_t_s=47.5,
                reason="rocket",
            ),
        ),
        (
            21.0,
            EventKind.ENGAGEMENT_AUTHORISED,
            1,
            Authorisation(
                request_id=1,
                t_s=21.0,
                decision=Decision.APPROVED,
                operator="Lt <Smith>",
                role="engagement_authority",
            ),
        ),
        (
            38.0,
            EventKind.ENGAGEMENT_FIRED,
            1,
            Engagement(
                engagement_id=1,
                request_id=1,
                track_id=1,
                effector="C-RAM 1",
                t_s=38.0,
                t_intercept_s=42.0,
            ),
        ),
        (
            42.0,
            EventKind.ENGAGEMENT_ASSESSED,
            1,
            Assessment(
                engagement_id=1, track_id=1, effector="C-RAM 1", t_s=42.0, outcome=Outcome.DESTROYED
            ),
        ),
        (44.0, EventKind.TRACK_LOST, 1, TrackLost(track_id=1, t_s=44.0, reason="destroyed")),
        (
            45.0,
            EventKind.ALERT_CLEARED,
            1,
            AlertCleared(alert_id=1, track_id=1, zone="HQ", t_s=45.0, reason="threat destroyed"),
        ),
        (
            22.0,
            EventKind.ENGAGEMENT_REQUESTED,
            2,
            EngagementRequest(
                request_id=2, track_id=2, effector="SAM-A", t_s=22.0, expires_t_s=52.0, reason="uav"
            ),
        ),
        (
            26.0,
            EventKind.ENGAGEMENT_DENIED,
            2,
            Authorisation(
                request_id=2,
                t_s=26.0,
                decision=Decision.DENIED,
                operator="Capt Jones",
                role="engagement_authority",
            ),
        ),
        (
            40.0,
            EventKind.ALERT_RAISED,
            2,
            Alert(
                alert_id=2,
                track_id=2,
                zone='Airfield <east> & "ramp"',
                t_s=40.0,
                t_expected_s=90.0,
                reason="drone approaching",
            ),
        ),
        (
            41.0,
            EventKind.ENGAGEMENT_REQUESTED,
            3,
            EngagementRequest(
                request_id=3, track_id=2, effector="SAM-A", t_s=41.0, expires_t_s=71.0, reason="uav"
            ),
        ),
        (
            45.0,
            EventKind.ENGAGEMENT_AUTHORISED,
            3,
            Authorisation(
                request_id=3,
                t_s=45.0,
                decision=Decision.APPROVED,
                operator="Capt Jones",
                role="engagement_authority",
            ),
        ),
        (
            52.0,
            EventKind.ENGAGEMENT_FIRED,
            2,
            Engagement(
                engagement_id=2,
                request_id=3,
                track_id=2,
                effector="SAM-A",
                t_s=52.0,
                t_intercept_s=60.0,
            ),
        ),
        (
            60.0,
            EventKind.ENGAGEMENT_ASSESSED,
            2,
            Assessment(
                engagement_id=2, track_id=2, effector="SAM-A", t_s=60.0, outcome=Outcome.MISSED
            ),
        ),
        (
            62.0,
            EventKind.ENGAGEMENT_REQUESTED,
            4,
            EngagementRequest(
                request_id=4, track_id=2, effector="SAM-A", t_s=62.0, expires_t_s=92.0, reason="uav"
            ),
        ),
        (81.0, EventKind.ENGAGEMENT_EXPIRED, 4, Note(t_s=81.0, text="request 4: track 2 lost")),
        (81.0, EventKind.TRACK_LOST, 2, TrackLost(track_id=2, t_s=81.0, reason="misses")),
        (120.0, EventKind.RUN_FINISHED, -1, Note(t_s=120.0, text="run finished")),
    ]
    timed.sort(key=lambda x: x[0])
    return [
        Event(seq=i, t_s=t, kind=kind, subject_id=subject, payload=payload)
        for i, (t, kind, subject, payload) in enumerate(timed)
    ]
