"""Cooperative-only tracks through the pipeline, with stub inputs (hand-made radar looks and reports).

An ADS-B aircraft beyond the radar's reach is still a track, identified from the register; it is
lost when its reports stop, handed over when the radar picks it up, and never engaged.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bastion import pipeline
from bastion.core.identification import FriendlyAircraft, IdentificationParams, IdentityRules
from bastion.core.measurements import CooperativeReport
from bastion.core.records import (
    Affiliation,
    Event,
    EventKind,
    Identity,
    ThreatClass,
    TrackLost,
    TrackReport,
)
from bastion.identify.coop_tracks import COOP_ID_BASE
from stub_pipeline import GUN, radar_look
from stub_pipeline import PARAMS as BASE

PARAMS = replace(
    BASE,
    effectors=(replace(GUN, pk={ThreatClass.FIXED_WING: 0.8, ThreatClass.UNKNOWN: 0.5}),),
    identification=IdentificationParams(
        aircraft=(FriendlyAircraft(icao="AE1234"),),
        rules=IdentityRules(unregistered_remote_id=Affiliation.HOSTILE),
    ),
)


def _run(
    start: tuple[float, float, float],
    vel: tuple[float, float, float],
    seconds: int,
    report_until_s: float = math.inf,
    source: str = "adsb",
    ident: str = "AE1234",
    radar: bool = True,
) -> list[Event]:
    """One aircraft (or drone) flying from `start` at `vel`, reporting cooperatively once a second."""
    rng = np.random.default_rng(7)
    state = pipeline.new_state(PARAMS, np.random.default_rng(1))
    p0, v = np.array(start), np.array(vel)
    events: list[Event] = []
    for k in range(1, seconds + 1):
        t = float(k)
        pos = p0 + v * t
        coop = []
        if t <= report_until_s:
            coop = [
                CooperativeReport(
                    source=source,
                    ident=ident,
                    callsign="RCH123" if source == "adsb" else "",
                    t_s=t,
                    position_m=(float(pos[0]), float(pos[1]), float(pos[2])),
                    velocity_mps=(float(v[0]), float(v[1]), float(v[2])),
                    position_sigma_m=15.0,
                )
            ]
        batches = [radar_look(t, pos[None, :], 10.0, rng)] if radar else []
        state, new = pipeline.step(state, pipeline.StepInputs(batches=batches, cooperative=coop), t)
        events.extend(new)
    return events


def _of(events: list[Event], tid: int, kind: EventKind) -> list[Event]:
    return [e for e in events if e.subject_id == tid and e.kind is kind]


def test_adsb_aircraft_beyond_radar_is_a_friendly_track_lost_after_timeout() -> None:
    # 30 km east, flying north: never within the radar's 20 km; reports stop at 40 s.
    events = _run((30000.0, 0.0, 3000.0), (0.0, 120.0, 0.0), 70, report_until_s=40.0)
    confirmed = [e for e in events if e.kind is EventKind.TRACK_CONFIRMED]
    assert [e.subject_id for e in confirmed] == [COOP_ID_BASE]
    tid = COOP_ID_BASE
    first = confirmed[0].payload
    assert isinstance(first, TrackReport) and first.t_s == 1.0 and first.position_sigma_m == 15.0
    idents = [e.payload for e in _of(events, tid, EventKind.IDENTITY_CHANGED)]
    assert idents and all(isinstance(i, Identity) for i in idents)
    assert {i.affiliation for i in idents if isinstance(i, Identity)} == {Affiliation.FRIEND}
    assert "AE1234" in idents[0].reason and "only cooperatively" in idents[0].reason  # type: ignore[union-attr]
    updates = _of(events, tid, EventKind.TRACK_UPDATED)
    assert 35 <= len(updates) <= 39  # one a second while reports arrive, none after
    assert max(e.t_s for e in updates) <= 40.0
    (lost,) = _of(events, tid, EventKind.TRACK_LOST)
    assert 50.0 < lost.t_s <= 51.0
    assert isinstance(lost.payload, TrackLost) and "no cooperative report" in lost.payload.reason
    assert not any(e.subject_id == tid for e in events if e.seq > lost.seq)
    assert [e.seq for e in events] == list(range(len(events)))


def test_radar_pickup_ends_the_cooperative_track_and_the_radar_track_takes_the_identity() -> None:
    # Inbound from 26 km at 150 m/s: within 20 km after 40 s.
    events = _run((26000.0, 500.0, 2000.0), (-150.0, 0.0, 0.0), 70)
    tid = COOP_ID_BASE
    assert _of(events, tid, EventKind.TRACK_CONFIRMED)[0].t_s == 1.0
    (lost,) = _of(events, tid, EventKind.TRACK_LOST)
    assert isinstance(lost.payload, TrackLost)
    assert "correlated with radar track" in lost.payload.reason
    radar_ids = {
        e.subject_id
        for e in events
        if e.kind is EventKind.TRACK_CONFIRMED and e.subject_id < COOP_ID_BASE
    }
    assert len(radar_ids) == 1
    (rid,) = radar_ids
    assert lost.payload.reason.endswith(f"radar track {rid}")
    assert 40.0 <= lost.t_s <= 50.0
    radar_idents = [e.payload for e in _of(events, rid, EventKind.IDENTITY_CHANGED)]
    friend = [
        i for i in radar_idents if isinstance(i, Identity) and "consistent with radar" in i.reason
    ]
    assert friend and friend[0].affiliation is Affiliation.FRIEND and friend[0].t_s == lost.t_s
    assert radar_idents[-1].affiliation is Affiliation.FRIEND  # type: ignore[union-attr]
    assert not any(e.subject_id == tid for e in events if e.seq > lost.seq)
    assert not any(e.kind.value.startswith("engagement") for e in events)


def test_hostile_cooperative_only_drone_is_never_nominated_nor_threat_assessed() -> None:
    # An unregistered Remote ID drone (hostile by this site's rule) inbound over the gun, radar blind.
    events = _run(
        (1500.0, 0.0, 150.0), (-15.0, 0.0, 0.0), 120, source="remote_id", ident="X1", radar=False
    )
    tid = COOP_ID_BASE
    idents = [e.payload for e in _of(events, tid, EventKind.IDENTITY_CHANGED)]
    assert idents[-1].affiliation is Affiliation.HOSTILE  # type: ignore[union-attr]
    assert len(_of(events, tid, EventKind.TRACK_UPDATED)) >= 100
    kinds = {e.kind for e in events}
    assert not any(k.value.startswith(("engagement", "threat", "alert", "impact")) for k in kinds)


def test_cooperative_tracks_are_deterministic() -> None:
    a = _run((26000.0, 500.0, 2000.0), (-150.0, 0.0, 0.0), 60, report_until_s=30.0)
    b = _run((26000.0, 500.0, 2000.0), (-150.0, 0.0, 0.0), 60, report_until_s=30.0)
    assert a == b
