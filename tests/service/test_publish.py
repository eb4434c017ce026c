"""The publisher's batched conversion gives what the codecs' per-track functions give."""

from __future__ import annotations

import dataclasses
import math

import pytest

from bastion.codecs.asterix import report_to_cat062
from bastion.codecs.cot import track_to_event
from bastion.core.records import (
    NO_CLASS_PROBABILITIES,
    Affiliation,
    Event,
    EventKind,
    Identity,
    ThreatClass,
    TrackLost,
    TrackReport,
)
from bastion.service import Publisher

from .core_inputs import EPOCH
from .live_helpers import rehearsal_config


def _fields(obj: object) -> dict[str, object]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}  # type: ignore[arg-type]


def _same(a: object, b: object) -> None:
    fa, fb = _fields(a), _fields(b)
    assert fa.keys() == fb.keys()
    for k, v in fa.items():
        if isinstance(v, float) and math.isfinite(v):
            assert fb[k] == pytest.approx(v, rel=1e-12, abs=1e-9), k
        else:
            assert fb[k] == v, k


def test_batched_cot_and_cat062_equal_the_codecs_per_track_output() -> None:
    params = rehearsal_config().scenario.params
    reports = [
        TrackReport(
            track_id=k,
            t_s=10.0 + k,
            position_m=(1000.0 * k - 3000.0, 250.0 * k, 50.0 * k),
            velocity_mps=(-40.0, 3.0 * k, -1.0),
            position_sigma_m=5.0 + k,
            n_updates=4,
        )
        for k in range(1, 6)
    ]
    hostile = Identity(
        track_id=2,
        t_s=11.0,
        threat_class=ThreatClass.FIXED_WING,
        affiliation=Affiliation.HOSTILE,
        reason="test",
        class_probabilities=NO_CLASS_PROBABILITIES,
    )
    events = [
        Event(seq=0, t_s=11.0, kind=EventKind.IDENTITY_CHANGED, subject_id=2, payload=hostile)
    ]
    events += [
        Event(seq=k, t_s=r.t_s, kind=EventKind.TRACK_UPDATED, subject_id=r.track_id, payload=r)
        for k, r in enumerate(reports, start=1)
    ]
    pubs = Publisher(params, EPOCH, stale_s=7.0, sac=3, sic=4).publish(events)
    for r, cot, cat in zip(reports, pubs.cot, pubs.cat062, strict=True):
        ident = hostile if r.track_id == 2 else None
        _same(track_to_event(r, site=params.site, epoch=EPOCH, identity=ident, stale_s=7.0), cot)
        _same(report_to_cat062(r, site=params.site, epoch=EPOCH, sac=3, sic=4), cat)
    assert pubs.cot[1].type.startswith("a-h-A")


def test_a_radar_track_bound_to_adsb_is_published_under_its_callsign() -> None:
    params = rehearsal_config().scenario.params
    report = TrackReport(
        track_id=259,
        t_s=96.0,
        position_m=(4000.0, 600.0, 1000.0),
        velocity_mps=(-75.0, 0.0, -5.0),
        position_sigma_m=12.0,
        n_updates=6,
    )
    friend = Identity(
        track_id=259,
        t_s=96.0,
        threat_class=ThreatClass.AIRCRAFT,
        affiliation=Affiliation.FRIEND,
        reason="ADS-B AE1234 RCH123 in the friendly register, consistent with radar",
        coop_source="adsb",
        coop_ident="AE1234",
        callsign="RCH123",
    )
    events = [
        Event(seq=0, t_s=96.0, kind=EventKind.IDENTITY_CHANGED, subject_id=259, payload=friend),
        Event(seq=1, t_s=96.0, kind=EventKind.TRACK_UPDATED, subject_id=259, payload=report),
        Event(seq=2, t_s=99.0, kind=EventKind.TRACK_LOST, subject_id=259, payload=TrackLost(
            track_id=259, t_s=99.0, reason="missed"
        )),
    ]  # fmt: skip
    pubs = Publisher(params, EPOCH, stale_s=7.0, sac=3, sic=4).publish(events)
    assert [e.callsign for e in pubs.cot] == ["RCH123"]
    updates = [(t.callsign, t.target_address, t.last) for t in pubs.cat062]
    assert updates == [("RCH123", 0xAE1234, False), ("RCH123", 0xAE1234, True)]
