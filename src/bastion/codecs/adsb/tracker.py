"""The stateful half of ADS-B in: per-aircraft state -> one `CooperativeReport` per position update.

Kept apart from the pure decoders, and time is always an argument (`t_s`, run-clock seconds): the
tracker never reads a clock. What it does with each message:

- Identification (BDS 0,8) and SBS MSG 1: remember the callsign.
- Airborne velocity (BDS 0,9) and SBS MSG 4: remember the ENU velocity (ground speed and true track,
  or airspeed and magnetic heading, flagged) and the GNSS-minus-baro altitude difference.
- Airborne (BDS 0,5) and surface (BDS 0,6) position: keep the latest even and odd CPR frame of each
  kind; when the opposite-format frame of the same kind is at most `pair_timeout_s` old, decode the
  pair globally (surface pairs pick their quadrant from the site) and emit a report for the newer
  frame. Airborne and surface frames never pair with each other.
- SBS MSG 2/3 carry a position the receiver already decoded: a report is emitted directly.

Every fix is checked against the aircraft's previous fix: a horizontal move longer than
`max_speed_mps` (surface: `max_surface_speed_mps`) times the elapsed time plus `jump_slack_m` is
flagged ``position_jump`` (a CPR zone error, a bad frame or a spoofer). Other flags: ``surface``,
``altitude_baro`` (pressure altitude used as height: no GNSS difference known), ``velocity_unknown``
(no velocity within `velocity_timeout_s`: velocity given as zeros, not measured),
``velocity_airspeed`` (air-relative), ``vertical_rate_unknown`` (vertical velocity taken as 0).
A report's position and velocity are always finite: an airborne fix without altitude gives no report
(counted ``altitude_unknown``). After a flagged jump the new fix becomes the reference, so a glitch
or a spoofer's switch is flagged once, at the jump.

Velocities are given in the aircraft's local ENU frame, which differs from the site's by well under a
degree inside tens of kilometres. Frames that do not decode are counted (`counts`) and kept in
`rejected` (the latest `REJECTED_KEPT`) so that a caller can turn them into events; the feed goes on.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Final

from bastion.codecs.adsb import beast, cpr, modes
from bastion.codecs.adsb.messages import (
    AirbornePosition,
    AirborneVelocity,
    Identification,
    ModeSMessage,
    SurfacePosition,
)
from bastion.codecs.adsb.sbs import SbsMessage, parse_line
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.measurements import CooperativeReport
from bastion.core.records import Vec3

__all__ = ["REJECTED_KEPT", "AircraftState", "AircraftTracker", "TrackerParams"]

REJECTED_KEPT: Final = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerParams:
    """Timeouts (s), plausibility limits (m/s, m) and the forgetting time of the tracker."""

    pair_timeout_s: float = 10.0
    velocity_timeout_s: float = 10.0
    stale_s: float = 60.0
    max_speed_mps: float = 700.0
    max_surface_speed_mps: float = 100.0
    jump_slack_m: float = 500.0


_Frame = tuple[float, AirbornePosition | SurfacePosition]


@dataclass(slots=True, kw_only=True)
class AircraftState:
    """What the tracker knows about one aircraft (mutable; owned by the tracker)."""

    icao: str
    last_seen_s: float
    callsign: str = ""
    frames: dict[tuple[bool, bool], _Frame] = field(default_factory=dict)
    """(surface, odd) -> (t_s, latest frame of that kind and format)."""
    fix_t_s: float = math.nan
    fix_enu_m: Vec3 | None = None
    velocity_t_s: float = math.nan
    velocity_enu_mps: Vec3 | None = None
    velocity_flags: tuple[str, ...] = ()
    geo_minus_baro_m: float | None = None
    n_reports: int = 0
    n_jumps: int = 0


class AircraftTracker:
    """Per-aircraft ADS-B state about one site; emits `CooperativeReport`s (source "adsb")."""

    def __init__(self, site: Site, params: TrackerParams | None = None) -> None:
        self.site = site
        self.params = params or TrackerParams()
        self.aircraft: dict[str, AircraftState] = {}
        self.counts: Counter[str] = Counter()
        self.rejected: deque[DecodeError] = deque(maxlen=REJECTED_KEPT)
        self._beast_remainder = b""
        self._pruned_t_s = -math.inf

    # --- feeds: bytes in, reports out; errors counted, never raised -------------------------------
    def _reject(self, err: DecodeError) -> None:
        self.counts["decode_errors"] += 1
        self.rejected.append(err)

    def feed_frame(self, frame: bytes, t_s: float) -> CooperativeReport | None:
        """Decode one Mode S frame received at `t_s` and update; None if no position resulted."""
        self.counts["frames"] += 1
        try:
            msg = modes.decode(frame)
        except DecodeError as err:
            self._reject(err)
            return None
        return self.update(msg, t_s)

    def feed_beast(self, chunk: bytes, t_s: float) -> list[CooperativeReport]:
        """Feed bytes of a Beast stream that arrived at `t_s`; a frame cut at the end is kept."""
        items, self._beast_remainder = beast.parse(self._beast_remainder + chunk)
        reports: list[CooperativeReport] = []
        for item in items:
            if isinstance(item, DecodeError):
                self._reject(item)
            elif item.kind != "mode_ac":
                report = self.feed_frame(item.data, t_s)
                if report is not None:
                    reports.append(report)
        return reports

    def feed_sbs(self, line: str | bytes, t_s: float) -> CooperativeReport | None:
        """Parse one SBS-1 line received at `t_s` and update; None if no position resulted."""
        self.counts["sbs_lines"] += 1
        try:
            msg = parse_line(line)
        except DecodeError as err:
            self._reject(err)
            return None
        return self.update_sbs(msg, t_s)

    # --- updates from decoded messages ------------------------------------------------------------
    def _state(self, icao: str, t_s: float) -> AircraftState:
        if t_s - self._pruned_t_s >= 1.0:
            self.prune(t_s)
        state = self.aircraft.get(icao)
        if state is None:
            state = self.aircraft[icao] = AircraftState(icao=icao, last_seen_s=t_s)
        state.last_seen_s = max(state.last_seen_s, t_s)
        return state

    def prune(self, t_s: float) -> None:
        """Forget aircraft silent for more than `stale_s` at `t_s`."""
        self._pruned_t_s = t_s
        limit = t_s - self.params.stale_s
        for icao in [k for k, s in self.aircraft.items() if s.last_seen_s < limit]:
            del self.aircraft[icao]

    def update(self, msg: ModeSMessage, t_s: float) -> CooperativeReport | None:
        """Update with one decoded Mode S message received at `t_s`."""
        if isinstance(msg, Identification):
            self._state(msg.icao, t_s).callsign = msg.callsign
        elif isinstance(msg, AirborneVelocity):
            self._velocity(self._state(msg.icao, t_s), msg, t_s)
        elif isinstance(msg, AirbornePosition | SurfacePosition):
            return self._position(self._state(msg.icao, t_s), msg, t_s)
        return None

    def update_sbs(self, msg: SbsMessage, t_s: float) -> CooperativeReport | None:
        """Update with one parsed SBS-1 message received at `t_s`."""
        state = self._state(msg.icao, t_s)
        if msg.callsign:
            state.callsign = msg.callsign
        if msg.ground_speed_mps is not None and msg.track_rad is not None:
            vu = msg.vertical_rate_mps
            self._set_velocity(state, msg.ground_speed_mps, msg.track_rad, vu, t_s, ())
        if msg.lat_rad is None or msg.lon_rad is None:
            return None
        surface = bool(msg.on_ground) or msg.transmission_type == 2
        return self._fix(state, msg.lat_rad, msg.lon_rad, msg.altitude_m, False, surface, t_s)

    # --- internals --------------------------------------------------------------------------------
    def _set_velocity(
        self,
        state: AircraftState,
        speed_mps: float,
        course_rad: float,
        vu_mps: float | None,
        t_s: float,
        flags: tuple[str, ...],
    ) -> None:
        if vu_mps is None:
            flags = (*flags, "vertical_rate_unknown")
        up = 0.0 if vu_mps is None else vu_mps
        state.velocity_enu_mps = (
            speed_mps * math.sin(course_rad),
            speed_mps * math.cos(course_rad),
            up,
        )
        state.velocity_t_s = t_s
        state.velocity_flags = flags

    def _velocity(self, state: AircraftState, msg: AirborneVelocity, t_s: float) -> None:
        if msg.geo_minus_baro_m is not None:
            state.geo_minus_baro_m = msg.geo_minus_baro_m
        if msg.ground_speed_mps is not None and msg.track_rad is not None:
            self._set_velocity(
                state, msg.ground_speed_mps, msg.track_rad, msg.vertical_rate_mps, t_s, ()
            )
        elif msg.airspeed_mps is not None and msg.heading_rad is not None:
            flags = ("velocity_airspeed",)
            self._set_velocity(
                state, msg.airspeed_mps, msg.heading_rad, msg.vertical_rate_mps, t_s, flags
            )

    def _position(
        self, state: AircraftState, msg: AirbornePosition | SurfacePosition, t_s: float
    ) -> CooperativeReport | None:
        surface = isinstance(msg, SurfacePosition)
        state.frames[(surface, msg.cpr_odd)] = (t_s, msg)
        other = state.frames.get((surface, not msg.cpr_odd))
        if other is None or not 0.0 <= t_s - other[0] <= self.params.pair_timeout_s:
            self.counts["unpaired"] += 1
            return None
        even, odd = (other[1], msg) if msg.cpr_odd else (msg, other[1])
        if isinstance(even, SurfacePosition) and isinstance(odd, SurfacePosition):
            latlon = cpr.surface_pair(
                even,
                odd,
                ref_lat_rad=self.site.lat_rad,
                ref_lon_rad=self.site.lon_rad,
                even_is_newer=not msg.cpr_odd,
            )
        elif isinstance(even, AirbornePosition) and isinstance(odd, AirbornePosition):
            latlon = cpr.airborne_pair(even, odd, even_is_newer=not msg.cpr_odd)
        else:  # pragma: no cover - frames are keyed by kind, so a pair is always of one kind
            latlon = None
        if latlon is None:
            self.counts["cpr_zone_mismatch"] += 1
            return None
        if isinstance(msg, SurfacePosition):
            if msg.ground_speed_mps is not None and msg.track_rad is not None and msg.track_valid:
                self._set_velocity(state, msg.ground_speed_mps, msg.track_rad, 0.0, t_s, ())
            return self._fix(state, latlon[0], latlon[1], None, False, True, t_s)
        return self._fix(state, latlon[0], latlon[1], msg.altitude_m, msg.altitude_gnss, False, t_s)

    def _fix(
        self,
        state: AircraftState,
        lat_rad: float,
        lon_rad: float,
        altitude_m: float | None,
        altitude_gnss: bool,
        surface: bool,
        t_s: float,
    ) -> CooperativeReport | None:
        flags: list[str] = []
        if surface:
            flags.append("surface")
            height_m = self.site.alt_m
        elif altitude_m is None:
            self.counts["altitude_unknown"] += 1
            return None
        elif altitude_gnss:
            height_m = altitude_m
        elif state.geo_minus_baro_m is not None:
            height_m = altitude_m + state.geo_minus_baro_m
        else:
            flags.append("altitude_baro")
            height_m = altitude_m
        enu = self.site.geodetic2enu(lat_rad, lon_rad, height_m)
        position: Vec3 = (float(enu[0]), float(enu[1]), float(enu[2]))
        if state.fix_enu_m is not None:
            dt = t_s - state.fix_t_s
            moved = math.hypot(position[0] - state.fix_enu_m[0], position[1] - state.fix_enu_m[1])
            speed = self.params.max_surface_speed_mps if surface else self.params.max_speed_mps
            if moved > speed * abs(dt) + self.params.jump_slack_m:
                flags.append("position_jump")
                state.n_jumps += 1
                self.counts["position_jumps"] += 1
        state.fix_t_s, state.fix_enu_m = t_s, position
        fresh = t_s - state.velocity_t_s <= self.params.velocity_timeout_s
        if state.velocity_enu_mps is not None and fresh:
            velocity = state.velocity_enu_mps
            flags.extend(state.velocity_flags)
        else:
            velocity = (0.0, 0.0, 0.0)
            flags.append("velocity_unknown")
        state.n_reports += 1
        self.counts["reports"] += 1
        return CooperativeReport(
            source="adsb",
            ident=state.icao,
            callsign=state.callsign,
            t_s=t_s,
            position_m=position,
            velocity_mps=velocity,
            flags=tuple(flags),
        )
