"""Bastion records -> CoT events: each track, and each zone alert.

Track uid ``bastion.<site>.track.<id>``; alert uid ``bastion.<site>.alert.<id>``. A track's point is
its position in WGS-84 (site ENU through `core.geo.Site`), `ce`/`le` its position sigma, its
`<track>` the horizontal course (degrees true) and speed (m/s); ``how="m-f"`` (machine, fused).
Without an identity a track is ``a-u-A`` (unknown air). A track event goes stale after `stale_s`
unless updated; an alert's stale time is its expected impact or arrival, and an all-clear is the
same uid with its stale time set to the clear time (the CoT way to remove an item).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bastion.codecs.cot.event import CotEvent
from bastion.codecs.cot.types import ALERT_TYPE, cot_type
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.records import (
    Affiliation,
    Alert,
    AlertCleared,
    Identity,
    ThreatClass,
    TrackReport,
)
from bastion.core.track_names import track_callsign

HOW_FUSED = "m-f"
FloatArray = NDArray[np.float64]


def track_uid(site: Site, track_id: int) -> str:
    """The stable CoT uid of a track."""
    return f"bastion.{site.name}.track.{track_id}"


def track_to_event(
    track: TrackReport,
    *,
    site: Site,
    epoch: RunEpoch,
    identity: Identity | None = None,
    stale_s: float = 10.0,
    geodetic: tuple[float, float, float] | None = None,
) -> CotEvent:
    """One track update as a CoT event.

    `geodetic` (lat_rad, lon_rad, alt_m) is the track's WGS-84 position if the caller has already
    converted many tracks in one call; otherwise it is converted here.
    """
    lat, lon, hae = (
        geodetic
        if geodetic is not None
        else tuple(float(v) for v in site.enu2geodetic(np.asarray(track.position_m)))
    )
    ve, vn, _ = track.velocity_mps
    t = epoch.to_utc_s(track.t_s)
    kind = cot_type(
        identity.threat_class if identity else ThreatClass.UNKNOWN,
        identity.affiliation if identity else Affiliation.UNKNOWN,
    )
    label = f"{identity.threat_class}/{identity.affiliation}" if identity else "unidentified"
    return CotEvent(
        uid=track_uid(site, track.track_id),
        type=kind,
        how=HOW_FUSED,
        time_utc_s=t,
        start_utc_s=t,
        stale_utc_s=t + stale_s,
        lat_deg=math.degrees(lat),
        lon_deg=math.degrees(lon),
        hae_m=hae,
        ce_m=track.position_sigma_m,
        le_m=track.position_sigma_m,
        callsign=track_callsign(track, identity),
        course_deg=math.degrees(math.atan2(ve, vn)) % 360.0,
        speed_mps=math.hypot(ve, vn),
        remarks=f"Bastion track {track.track_id}: {label}",
    )


def tracks_to_events(
    tracks: Sequence[TrackReport],
    identities: Sequence[Identity | None],
    *,
    site: Site,
    epoch: RunEpoch,
    stale_s: float = 10.0,
    geodetic: FloatArray,
) -> list[CotEvent]:
    """Many track updates as CoT events, equal to `track_to_event` of each (bit for bit), with the
    angle conversions done for all tracks at once and each identity's type and label formatted
    once.

    `identities[i]` is the latest identity of `tracks[i]` (or None); `geodetic` (N, 3) their
    WGS-84 positions (lat_rad, lon_rad, alt_m).
    """
    if not tracks:
        return []
    # math.atan2 and math.hypot, not numpy's: numpy's differ from them in the last bit
    atan2, hypot = math.atan2, math.hypot
    course = np.degrees([atan2(t.velocity_mps[0], t.velocity_mps[1]) for t in tracks]) % 360.0
    course_deg = course.tolist()
    speed = [hypot(t.velocity_mps[0], t.velocity_mps[1]) for t in tracks]
    lat = np.degrees(geodetic[:, 0]).tolist()
    lon = np.degrees(geodetic[:, 1]).tolist()
    hae = geodetic[:, 2].tolist()
    kinds: dict[tuple[ThreatClass, Affiliation] | None, tuple[str, str]] = {}
    out = []
    for k, (track, identity) in enumerate(zip(tracks, identities, strict=True)):
        key = (identity.threat_class, identity.affiliation) if identity else None
        kind_label = kinds.get(key)
        if kind_label is None:
            kind_label = kinds[key] = _kind_label(identity)
        t = epoch.to_utc_s(track.t_s)
        tid = track.track_id
        out.append(
            CotEvent(
                uid=track_uid(site, tid),
                type=kind_label[0],
                how=HOW_FUSED,
                time_utc_s=t,
                start_utc_s=t,
                stale_utc_s=t + stale_s,
                lat_deg=lat[k],
                lon_deg=lon[k],
                hae_m=hae[k],
                ce_m=track.position_sigma_m,
                le_m=track.position_sigma_m,
                callsign=track_callsign(track, identity),
                course_deg=course_deg[k],
                speed_mps=speed[k],
                remarks=f"Bastion track {tid}: {kind_label[1]}",
            )
        )
    return out


def _kind_label(identity: Identity | None) -> tuple[str, str]:
    """(CoT type, remarks label) of a track with `identity` (None: not identified yet)."""
    kind = cot_type(
        identity.threat_class if identity else ThreatClass.UNKNOWN,
        identity.affiliation if identity else Affiliation.UNKNOWN,
    )
    label = f"{identity.threat_class}/{identity.affiliation}" if identity else "unidentified"
    return kind, label


def alert_to_event(
    alert: Alert | AlertCleared,
    *,
    site: Site,
    epoch: RunEpoch,
    zone_lat_deg: float,
    zone_lon_deg: float,
    zone_hae_m: float = 0.0,
) -> CotEvent:
    """A zone alert (or its all-clear) as a CoT alarm event placed at the zone."""
    t = epoch.to_utc_s(alert.t_s)
    cleared = isinstance(alert, AlertCleared)
    stale = t if cleared else epoch.to_utc_s(alert.t_expected_s)  # type: ignore[union-attr]
    verb = "ALL CLEAR" if cleared else "TAKE COVER"
    return CotEvent(
        uid=f"bastion.{site.name}.alert.{alert.alert_id}",
        type=ALERT_TYPE,
        how="m-f",
        time_utc_s=t,
        start_utc_s=t,
        stale_utc_s=max(stale, t),
        lat_deg=zone_lat_deg,
        lon_deg=zone_lon_deg,
        hae_m=zone_hae_m,
        callsign=f"ALERT {alert.zone}",
        remarks=f"{verb} {alert.zone}: track {alert.track_id}: {alert.reason}",
    )
