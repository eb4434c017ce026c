"""The pipeline with stub neighbours: hand-made detection batches and ADS-B reports, no simulator."""

from __future__ import annotations

import math

import numpy as np

from bastion import pipeline
from bastion.core.geo import Site, enu2aer
from bastion.core.identification import FriendlyAircraft, IdentificationParams
from bastion.core.params import (
    EffectorKind,
    EffectorParams,
    RadarParams,
    ScenarioParams,
    ZoneParams,
)
from bastion.core.records import (
    Authorisation,
    CooperativeReport,
    Decision,
    DetectionBatch,
    Event,
    EventKind,
    ThreatClass,
)
from bastion.engage import ENGAGEMENT_AUTHORITY

RADAR = RadarParams(
    sensor_id="r1",
    position_m=(0.0, 0.0, 10.0),
    scan_period_s=1.0,
    min_range_m=100.0,
    max_range_m=20000.0,
    min_el_rad=-0.05,
    max_el_rad=1.2,
    sigma_range_m=5.0,
    sigma_az_rad=math.radians(0.3),
    sigma_el_rad=math.radians(0.3),
    sigma_range_rate_mps=1.0,
    ref_range_m=10000.0,
    ref_rcs_m2=0.1,
    ref_snr_db=15.0,
    pfa=1e-6,
    clutter_per_scan=0.0,
)
PARAMS = ScenarioParams(
    name="stub",
    site=Site(name="stub", lat_rad=0.5, lon_rad=0.7, alt_m=100.0),
    duration_s=200.0,
    radars=(RADAR,),
    targets=(),
    zones=(
        ZoneParams(
            name="hq",
            polygon_m=((-200.0, -200.0), (200.0, -200.0), (200.0, 200.0), (-200.0, 200.0)),
        ),
    ),
    effectors=(
        EffectorParams(
            name="gun-1",
            kind=EffectorKind.GUN,
            position_m=(0.0, 0.0, 0.0),
            min_range_m=200.0,
            max_range_m=2000.0,
            max_alt_m=1500.0,
            reaction_s=2.0,
            projectile_speed_mps=1000.0,
            pk={ThreatClass.FIXED_WING: 0.8},
            magazine=4,
        ),
    ),
    identification=IdentificationParams(aircraft=(FriendlyAircraft(icao="AE1234"),)),
)


def _batch(
    t_s: float, positions: np.ndarray, rcs: float, rng: np.random.Generator
) -> DetectionBatch:
    aer = enu2aer(positions, np.asarray(RADAR.position_m))
    n = positions.shape[0]
    return DetectionBatch(
        sensor_id="r1",
        t_s=t_s,
        sensor_enu_m=np.asarray(RADAR.position_m),
        range_m=aer[:, 0] + rng.normal(0, RADAR.sigma_range_m, n),
        az_rad=aer[:, 1] + rng.normal(0, RADAR.sigma_az_rad, n),
        el_rad=aer[:, 2] + rng.normal(0, RADAR.sigma_el_rad, n),
        range_rate_mps=np.zeros(n),
        rcs_m2=rng.exponential(rcs, n),
        sigma_range_m=RADAR.sigma_range_m,
        sigma_az_rad=RADAR.sigma_az_rad,
        sigma_el_rad=RADAR.sigma_el_rad,
        sigma_range_rate_mps=RADAR.sigma_range_rate_mps,
    )


def _run(with_adsb: bool, seconds: int = 80) -> list[Event]:
    rng = np.random.default_rng(4)
    state = pipeline.new_state(PARAMS, np.random.default_rng(1))
    start = np.array([-6000.0, 300.0, 400.0])
    vel = np.array([50.0, 0.0, 0.0])
    events: list[Event] = []
    decisions: list[Authorisation] = []
    for k in range(1, seconds + 1):
        t = float(k)
        pos = start + vel * t
        coop = []
        if with_adsb:
            coop = [
                CooperativeReport(
                    source="adsb",
                    ident="AE1234",
                    callsign="RCH123",
                    t_s=t,
                    position_m=tuple(pos.tolist()),  # type: ignore[arg-type]
                    velocity_mps=(50.0, 0.0, 0.0),
                )
            ]
        inputs = pipeline.StepInputs(
            batches=[_batch(t, pos[None, :], 0.1, rng)], cooperative=coop, decisions=decisions
        )
        decisions = []
        state, new = pipeline.step(state, inputs, t)
        for ev in new:
            if ev.kind is EventKind.ENGAGEMENT_REQUESTED:
                decisions.append(
                    Authorisation(
                        request_id=ev.subject_id,
                        t_s=t + 0.5,
                        decision=Decision.APPROVED,
                        operator="capt-jones",
                        role=ENGAGEMENT_AUTHORITY,
                    )
                )
        events.extend(new)
    return events


def test_inbound_drone_confirmed_identified_alerted_and_engaged_after_approval() -> None:
    events = _run(with_adsb=False)
    kinds = [e.kind for e in events]
    assert EventKind.TRACK_CONFIRMED in kinds
    ident = [e for e in events if e.kind is EventKind.IDENTITY_CHANGED]
    assert ident[-1].payload.affiliation.value == "hostile"  # type: ignore[union-attr]
    assert ident[-1].payload.threat_class is ThreatClass.FIXED_WING  # type: ignore[union-attr]
    alerts = [e for e in events if e.kind is EventKind.ALERT_RAISED]
    assert [a.payload.zone for a in alerts] == ["hq"]  # type: ignore[union-attr]
    first_alert = alerts[0].t_s
    # Reaches hq's edge at 116 s: the alert must come long before.
    assert first_alert < 60.0
    order = [k for k in kinds if k.value.startswith("engagement")]
    assert order[:3] == [
        EventKind.ENGAGEMENT_REQUESTED,
        EventKind.ENGAGEMENT_AUTHORISED,
        EventKind.ENGAGEMENT_FIRED,
    ]
    assert [e.seq for e in events] == list(range(len(events)))


def test_same_target_with_adsb_is_friend_and_never_engaged() -> None:
    events = _run(with_adsb=True)
    ident = [e for e in events if e.kind is EventKind.IDENTITY_CHANGED]
    assert ident and all(e.payload.affiliation.value == "friend" for e in ident)  # type: ignore[union-attr]
    assert not any(e.kind.value.startswith("engagement") for e in events)
    assert not any(e.kind is EventKind.ALERT_RAISED for e in events)
