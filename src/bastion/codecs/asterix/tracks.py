"""`TrackReport` <-> CAT062 system track: site ENU to WGS-84 and back, run time to time of day.

Position goes out twice, as WGS-84 (I062/105, geometric altitude I062/130 above the ellipsoid) and
as site east/north (I062/100); velocity as site east/north (I062/185) and up as rate of climb
(I062/220); `position_sigma_m` as the accuracy of both axes (I062/500 APC). The track number is the
track id modulo 65536 (I062/040 has 16 bits). A track that names an ADS-B identity (a
cooperative-only ADS-B track, or a radar track its ADS-B reports correlate with) also carries the
callsign (I062/245) and ICAO address (I062/380 ADR), so that a receiving system names it.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

from bastion.codecs.asterix.cat062 import ICAO_CHARS, Cat062Track
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.records import COOPERATIVE_TRACK_ID_BASE, Identity, TrackReport
from bastion.core.track_names import named_by


def cat062_track_number(track_id: int) -> int:
    """The 16-bit I062/040 track number of a Bastion track id, without collisions between kinds:
    radar tracks cycle through 0..32767 and cooperative-only tracks (ids from
    `COOPERATIVE_TRACK_ID_BASE`) through 32768..65535."""
    if track_id >= COOPERATIVE_TRACK_ID_BASE:
        return 32768 + (track_id - COOPERATIVE_TRACK_ID_BASE) % 32768
    return track_id % 32768


def report_to_cat062(
    report: TrackReport,
    *,
    site: Site,
    epoch: RunEpoch,
    sac: int,
    sic: int,
    service_id: int = 1,
    first: bool = False,
    last: bool = False,
    simulated: bool = False,
    geodetic: tuple[float, float, float] | None = None,
    identity: Identity | None = None,
) -> Cat062Track:
    """A CAT062 system track update for one `TrackReport`.

    `geodetic` (lat_rad, lon_rad, alt_m) is the track's WGS-84 position if the caller has already
    converted many tracks in one call; otherwise it is converted here. `identity` is the track's
    latest identity: a radar track bound to ADS-B takes its callsign and address from it.
    """
    lat, lon, alt = (
        geodetic
        if geodetic is not None
        else tuple(float(v) for v in site.enu2geodetic(np.asarray(report.position_m)))
    )
    e, n, _ = report.position_m
    ve, vn, vu = report.velocity_mps
    return Cat062Track(
        sac=sac,
        sic=sic,
        service_id=service_id,
        tod_s=epoch.time_of_day_s(report.t_s),
        track_number=cat062_track_number(report.track_id),
        lat_rad=lat,
        lon_rad=lon,
        alt_m=alt,
        east_m=e,
        north_m=n,
        vel_east_mps=ve,
        vel_north_mps=vn,
        vel_up_mps=vu,
        sigma_east_m=report.position_sigma_m,
        sigma_north_m=report.position_sigma_m,
        confirmed=True,
        first=first,
        last=last,
        simulated=simulated,
        **_adsb_identity(named_by(report, identity)),
    )


def _adsb_identity(named: TrackReport | Identity | None) -> dict[str, Any]:
    """I062/245 and I062/380 of a track that names an ADS-B identity (a cooperative-only track's
    report, or a radar track's identity): its callsign (when ICAO characters carry it) and its
    24-bit address; nothing for other tracks."""
    if named is None or named.coop_source != "adsb":
        return {}
    out: dict[str, Any] = {}
    callsign = named.callsign.strip().upper()
    if callsign and ICAO_CHARS.fullmatch(callsign):
        out["callsign"] = callsign
    with contextlib.suppress(ValueError):
        address = int(named.coop_ident, 16)
        if 0 <= address < 2**24:
            out["target_address"] = address
    return out


def cat062_to_report(
    track: Cat062Track, *, site: Site, epoch: RunEpoch, near_t_s: float
) -> TrackReport:
    """A `TrackReport` from a CAT062 update (another system's track), in this site's ENU frame.

    Missing altitude is taken as the site's; missing velocity as zero; missing accuracy as NaN;
    `n_updates` is not on the wire and is 0.
    """
    alt = track.alt_m if math.isfinite(track.alt_m) else site.alt_m
    enu = site.geodetic2enu(track.lat_rad, track.lon_rad, alt)
    vel = (
        track.vel_east_mps if math.isfinite(track.vel_east_mps) else 0.0,
        track.vel_north_mps if math.isfinite(track.vel_north_mps) else 0.0,
        track.vel_up_mps if math.isfinite(track.vel_up_mps) else 0.0,
    )
    sigma = max(track.sigma_east_m, track.sigma_north_m)
    return TrackReport(
        track_id=track.track_number,
        t_s=epoch.from_time_of_day_s(track.tod_s, near_t_s),
        position_m=(float(enu[0]), float(enu[1]), float(enu[2])),
        velocity_mps=vel,
        position_sigma_m=sigma,
        n_updates=0,
        callsign=track.callsign,
        coop_source="adsb" if track.target_address >= 0 else "",
        coop_ident=f"{track.target_address:06X}" if track.target_address >= 0 else "",
    )
