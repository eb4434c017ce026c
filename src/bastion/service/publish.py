"""Events -> the fused picture for other systems: CoT events and CAT062 system tracks.

    pub = Publisher(params, epoch, stale_s=10.0, sac=0, sic=1)
    out = pub.publish(events)         -> Publications(cot=[CotEvent...], cat062=[Cat062Track...])

Each confirmed or updated track becomes a CoT event (typed from the latest identity of its track)
and a CAT062 update (`first` on confirmation); a lost track sends its last CAT062 update with `last`
set; each zone alert and all-clear becomes a CoT alarm at the zone's centroid. Used by the live
service (to sockets) and by `bastion run --emit-cot/--emit-asterix` (to files).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bastion.codecs.asterix import Cat062Track, encode_cat062, report_to_cat062
from bastion.codecs.cot import CotEvent, alert_to_event, tracks_to_events
from bastion.codecs.timebase import RunEpoch
from bastion.core.params import ScenarioParams
from bastion.core.records import (
    Alert,
    AlertCleared,
    Event,
    EventKind,
    Identity,
    TrackReport,
)

MAX_CAT062_PER_DATAGRAM = 200
"""CAT062 updates per datagram (about 50 octets each: well under a UDP datagram's 65,507)."""


@dataclass(slots=True)
class Publications:
    """What a batch of events publishes."""

    cot: list[CotEvent] = field(default_factory=list)
    cat062: list[Cat062Track] = field(default_factory=list)


class Publisher:
    """Turns events into CoT events and CAT062 updates; remembers identities and last reports."""

    def __init__(
        self,
        params: ScenarioParams,
        epoch: RunEpoch,
        *,
        stale_s: float = 10.0,
        sac: int = 0,
        sic: int = 1,
        simulated: bool = False,
        cat062: bool = True,
    ) -> None:
        """`simulated` sets the CAT062 SIM bit (simulated runs); `cat062=False` builds no CAT062
        updates (when no CAT062 output is configured)."""
        self._site = params.site
        self._epoch = epoch
        self._stale_s = stale_s
        self._sac, self._sic = sac, sic
        self._simulated = simulated
        self._want_cat062 = cat062
        self._zones: dict[str, tuple[float, float]] = {}
        for z in params.zones:
            e, n = np.mean(np.asarray(z.polygon_m, dtype=np.float64), axis=0)
            lat, lon, _ = self._site.enu2geodetic(np.array([e, n, 0.0]))
            self._zones[z.name] = (float(np.degrees(lat)), float(np.degrees(lon)))
        self._identity: dict[int, Identity] = {}
        self._last: dict[int, TrackReport] = {}

    def publish(self, events: Iterable[Event]) -> Publications:
        """What `events` (in order) publish."""
        out = Publications()
        tracks: list[tuple[TrackReport, bool]] = []  # converted together at the end
        lost: list[int] = []  # their last CAT062 update after the others, identity known till then
        for ev in events:
            p = ev.payload
            if ev.kind is EventKind.IDENTITY_CHANGED and isinstance(p, Identity):
                self._identity[p.track_id] = p
            elif ev.kind in (EventKind.TRACK_CONFIRMED, EventKind.TRACK_UPDATED) and isinstance(
                p, TrackReport
            ):
                self._last[p.track_id] = p
                tracks.append((p, ev.kind is EventKind.TRACK_CONFIRMED))
            elif ev.kind is EventKind.TRACK_LOST:
                lost.append(ev.subject_id)
            elif isinstance(p, Alert | AlertCleared) and p.zone in self._zones:
                lat, lon = self._zones[p.zone]
                out.cot.append(
                    alert_to_event(
                        p, site=self._site, epoch=self._epoch, zone_lat_deg=lat, zone_lon_deg=lon
                    )
                )
        if tracks:
            self._tracks(tracks, out)
        for track_id in lost:
            last = self._last.pop(track_id, None)
            if last is not None and self._want_cat062:
                out.cat062.append(self._cat062(last, last=True))
            self._identity.pop(track_id, None)
        return out

    def _tracks(self, tracks: list[tuple[TrackReport, bool]], out: Publications) -> None:
        """CoT events and CAT062 updates of many tracks: WGS-84 converted in one vectorised call,
        the CoT events by the codec's vectorised `tracks_to_events`, the CAT062 updates by
        `report_to_cat062` (no scalar pymap3d call per track, about 0.1 ms each)."""
        reports = [r for r, _ in tracks]
        enu = np.array([r.position_m for r in reports], dtype=np.float64)
        geo = self._site.enu2geodetic(enu)
        ident = self._identity.get
        out.cot.extend(
            tracks_to_events(
                reports,
                [ident(r.track_id) for r in reports],
                site=self._site,
                epoch=self._epoch,
                stale_s=self._stale_s,
                geodetic=geo,
            )
        )
        if not self._want_cat062:
            return
        for (r, confirmed), (lat, lon, alt) in zip(tracks, geo.tolist(), strict=True):
            out.cat062.append(
                report_to_cat062(
                    r,
                    site=self._site,
                    epoch=self._epoch,
                    sac=self._sac,
                    sic=self._sic,
                    first=confirmed,
                    last=False,
                    simulated=self._simulated,
                    geodetic=(lat, lon, alt),
                    identity=ident(r.track_id),
                )
            )

    def _cat062(
        self, report: TrackReport, *, first: bool = False, last: bool = False
    ) -> Cat062Track:
        return report_to_cat062(
            report,
            site=self._site,
            epoch=self._epoch,
            sac=self._sac,
            sic=self._sic,
            first=first,
            last=last,
            simulated=self._simulated,
            identity=self._identity.get(report.track_id),
        )


def cat062_datagrams(tracks: Sequence[Cat062Track]) -> list[bytes]:
    """CAT062 updates as UDP datagrams of at most `MAX_CAT062_PER_DATAGRAM` updates each."""
    return [
        encode_cat062(tracks[i : i + MAX_CAT062_PER_DATAGRAM])
        for i in range(0, len(tracks), MAX_CAT062_PER_DATAGRAM)
    ]
