"""Track labels: cooperative-only tracks go by callsign, else address, never by their raw id; a
radar track bound to a cooperative identity by its id and that identity's name."""

from __future__ import annotations

import dataclasses

import numpy as np

from bastion.core.measurements import CooperativeReport
from bastion.core.params import ScenarioParams
from bastion.core.records import (
    COOPERATIVE_TRACK_ID_BASE,
    Affiliation,
    Event,
    EventKind,
    Identity,
    ThreatClass,
    TrackReport,
)
from bastion.core.serialize import event_from_json, event_to_json
from bastion.identify.coop_tracks import CoopTracks
from bastion.report.plan_map import draw_map
from bastion.report.tables import threats_table
from bastion.report.timeline import draw_timeline
from bastion.report.views import build_view

BASE = COOPERATIVE_TRACK_ID_BASE


def _adsb(t_s: float, ident: str, callsign: str, east_m: float) -> CooperativeReport:
    return CooperativeReport(
        source="adsb",
        ident=ident,
        callsign=callsign,
        t_s=t_s,
        position_m=(east_m, 3000.0, 1200.0),
        velocity_mps=(80.0, 0.0, 0.0),
    )


def _recorded_events() -> list[Event]:
    """A run as recorded: two ADS-B-only tracks (one with a callsign, one without), a track recorded
    before reports named cooperative tracks, and a radar track; each identified as an aircraft."""
    book = CoopTracks()
    emissions = []
    for t in (1.0, 2.0, 3.0):
        reports = [_adsb(t, "AE4567", "RCH456 ", 80.0 * t), _adsb(t, "4CA2D1", "", -80.0 * t)]
        emissions += book.step(t, reports, np.full(2, -1, dtype=np.int64)).emissions
    old = TrackReport(
        track_id=BASE + 2,
        t_s=1.0,
        position_m=(0.0, -3000.0, 900.0),
        velocity_mps=(0.0, 60.0, 0.0),
        position_sigma_m=30.0,
        n_updates=1,
    )
    radar = TrackReport(
        track_id=7,
        t_s=1.0,
        position_m=(2000.0, 0.0, 500.0),
        velocity_mps=(0.0, 0.0, 0.0),
        position_sigma_m=20.0,
        n_updates=3,
    )
    bound = dataclasses.replace(radar, track_id=8, position_m=(-2000.0, 0.0, 500.0))
    emissions += [(EventKind.TRACK_CONFIRMED, r.track_id, r) for r in (old, radar, bound)]
    for tid in (BASE, BASE + 1, BASE + 2, 7, 8):
        named = {"coop_source": "adsb", "coop_ident": "AE1234", "callsign": "RCH123"}
        identity = Identity(
            track_id=tid,
            t_s=1.0,
            threat_class=ThreatClass.AIRCRAFT,
            affiliation=Affiliation.FRIEND,
            reason="test",
            **(named if tid == 8 else {}),  # a radar track its ADS-B reports correlate with
        )
        emissions.append((EventKind.IDENTITY_CHANGED, tid, identity))
    events = [
        Event(seq=i, t_s=p.t_s, kind=k, subject_id=s, payload=p)
        for i, (k, s, p) in enumerate(emissions)
    ]
    return [event_from_json(event_to_json(e)) for e in events]  # as read back from the log


EXPECTED = {BASE: "RCH456", BASE + 1: "ICAO 4CA2D1", BASE + 2: "coop 3", 7: "T7", 8: "T8 RCH123"}


def test_labels_are_the_callsign_else_the_address_else_coop_n() -> None:
    view = build_view(_recorded_events())
    assert {tid: view.label(tid) for tid in view.tracks} == EXPECTED


def test_plan_view_and_timeline_show_the_labels_not_the_raw_ids(scenario: ScenarioParams) -> None:
    view = build_view(_recorded_events())
    fig = draw_map(scenario, view, None, "t")
    on_map = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert set(EXPECTED.values()) <= on_map
    timeline = draw_timeline(scenario, view, "t")
    rows = [t.get_text() for t in timeline.axes[0].get_yticklabels()]
    for label in EXPECTED.values():
        assert f"{label} aircraft (friend)" in rows
    table = threats_table(view)
    assert "RCH456, ICAO 4CA2D1, coop 3" in table
    for text in (*on_map, *rows, table):
        assert str(BASE) not in text
