"""The vectorised `tracks_to_events` gives exactly what `track_to_event` gives for each track."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from bastion.codecs.cot import track_to_event, tracks_to_events
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.records import (
    COOPERATIVE_TRACK_ID_BASE,
    Affiliation,
    Identity,
    ThreatClass,
    TrackReport,
)

SITE = Site(name="bench", lat_rad=math.radians(51.17), lon_rad=math.radians(-1.82), alt_m=100.0)
EPOCH = RunEpoch(utc_at_zero_s=1_750_000_000.0)


def _tracks(n: int, rng: np.random.Generator) -> list[TrackReport]:
    pos = rng.uniform(-9000.0, 9000.0, (n, 3))
    vel = rng.normal(0.0, 40.0, (n, 3))
    vel[:3] = 0.0  # standing still: course atan2(0, 0) = 0
    vel[3, :2] = [-0.0, -5.0]  # due south, negative zero east
    return [
        TrackReport(
            track_id=int(10 * k + 7),
            t_s=float(rng.uniform(0.0, 600.0)),
            position_m=(float(p[0]), float(p[1]), float(p[2])),
            velocity_mps=(float(v[0]), float(v[1]), float(v[2])),
            position_sigma_m=float(rng.uniform(1.0, 80.0)),
            n_updates=int(rng.integers(1, 100)),
        )
        for k, (p, v) in enumerate(zip(pos, vel, strict=True))
    ]


def test_tracks_to_events_equals_track_to_event_per_track() -> None:
    rng = np.random.default_rng(7)
    tracks = _tracks(300, rng)
    classes, affs = list(ThreatClass), list(Affiliation)
    idents: list[Identity | None] = [
        None
        if k % 4 == 0
        else Identity(
            track_id=t.track_id,
            t_s=t.t_s,
            threat_class=classes[k % len(classes)],
            affiliation=affs[k % len(affs)],
            reason="test",
        )
        for k, t in enumerate(tracks)
    ]
    geo = SITE.enu2geodetic(np.array([t.position_m for t in tracks]))
    batch = tracks_to_events(tracks, idents, site=SITE, epoch=EPOCH, stale_s=7.5, geodetic=geo)
    one = [
        track_to_event(
            t,
            site=SITE,
            epoch=EPOCH,
            identity=i,
            stale_s=7.5,
            geodetic=(float(g[0]), float(g[1]), float(g[2])),
        )
        for t, i, g in zip(tracks, idents, geo, strict=True)
    ]
    assert batch == one
    assert len({e.type for e in batch}) > 3  # several identities' types formatted
    assert tracks_to_events([], [], site=SITE, epoch=EPOCH, geodetic=np.zeros((0, 3))) == []


def test_a_cooperative_only_track_goes_out_under_its_callsign_or_address() -> None:
    rng = np.random.default_rng(8)
    radar, named, unnamed, rid = _tracks(4, rng)
    coop = COOPERATIVE_TRACK_ID_BASE
    named = dataclasses.replace(
        named, track_id=coop, coop_source="adsb", coop_ident="AE1234", callsign="RCH123 "
    )
    unnamed = dataclasses.replace(
        unnamed, track_id=coop + 1, coop_source="adsb", coop_ident="4CA2D1"
    )
    rid = dataclasses.replace(rid, track_id=coop + 2, coop_source="remote_id", coop_ident="1596F3")
    tracks = [radar, named, unnamed, rid]
    geo = SITE.enu2geodetic(np.array([t.position_m for t in tracks]))
    events = tracks_to_events(tracks, [None] * 4, site=SITE, epoch=EPOCH, geodetic=geo)
    assert [e.callsign for e in events] == [
        f"T{radar.track_id}",
        "RCH123",
        "ICAO 4CA2D1",
        "RID 1596F3",
    ]
    g = geo[1]
    one = track_to_event(
        named, site=SITE, epoch=EPOCH, geodetic=(float(g[0]), float(g[1]), float(g[2]))
    )
    assert one.callsign == "RCH123"


def test_a_radar_track_goes_out_under_the_callsign_its_identity_names() -> None:
    radar = _tracks(5, np.random.default_rng(9))[4]
    plain = Identity(
        track_id=radar.track_id,
        t_s=radar.t_s,
        threat_class=ThreatClass.AIRCRAFT,
        affiliation=Affiliation.FRIEND,
        reason="ADS-B AE1234 RCH123 in the friendly register, consistent with radar",
    )
    named = dataclasses.replace(plain, coop_source="adsb", coop_ident="AE1234", callsign="RCH123")
    address = dataclasses.replace(named, callsign="")
    geo = SITE.enu2geodetic(np.array([radar.position_m] * 3))
    events = tracks_to_events(
        [radar] * 3, [plain, named, address], site=SITE, epoch=EPOCH, geodetic=geo
    )
    assert [e.callsign for e in events] == [f"T{radar.track_id}", "RCH123", "ICAO AE1234"]
