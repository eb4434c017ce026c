"""The site's identification settings: the friendly register, flight plans, rules, spoof checks.

Frozen parameter objects handed to the identification stage (`bastion.identify`); the scenario's
`identification` section is converted to them at the edge (`bastion.config`). Positions are site ENU
metres, heights ENU up (m), times run-clock seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bastion.core.records import Affiliation, ThreatClass


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendlyAircraft:
    """A friendly aircraft in the register: its 24-bit ICAO address (6 upper-case hex digits)."""

    icao: str
    callsign: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendlyDrone:
    """A friendly drone in the register: its Remote ID serial (UAS ID)."""

    serial: str
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FlightPlan:
    """A friendly flight: where (corridor) and when (windows) `count` drones of `threat_class` fly.

    The corridor is the polyline `corridor_m` ((east_m, north_m) vertices, site ENU) widened by
    `half_width_m` on each side, between `min_alt_m` and `max_alt_m` (ENU up). `windows_s` are the
    run-time intervals [start_s, end_s] in which the flight may be in its corridor: its departure
    window and its expected-return window. `ident` is the Remote ID serial or ICAO address the drone
    carries ("" if it carries none).
    """

    name: str
    threat_class: ThreatClass
    corridor_m: tuple[tuple[float, float], ...]
    half_width_m: float
    windows_s: tuple[tuple[float, float], ...]
    min_alt_m: float = 0.0
    max_alt_m: float = 1.0e5
    ident: str = ""
    count: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityRules:
    """The site's identity rules that are a matter of policy (see docs/identification.md).

    `drone_without_id`: fixed-wing drones and multirotors with no cooperative identity, outside any
    flight plan. `aircraft_without_id`: manned aircraft with none. `unregistered_adsb`: an aircraft
    whose ADS-B is consistent with its radar track but not in the register. `unregistered_remote_id`:
    likewise a drone's Remote ID. `grace_s`: how long a confirmed track that could carry a cooperative
    identity (not a rocket) waits for one before a class rule may call it hostile.
    """

    drone_without_id: Affiliation = Affiliation.HOSTILE
    aircraft_without_id: Affiliation = Affiliation.UNKNOWN
    unregistered_adsb: Affiliation = Affiliation.NEUTRAL
    unregistered_remote_id: Affiliation = Affiliation.SUSPECT
    grace_s: float = 3.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SpoofParams:
    """Thresholds of the spoof checks (`bastion.identify.spoof`).

    A report bound to a radar track disagrees with it when its position is more than
    `position_gate_m` (plus three times the track's position sigma) from the track's, or its
    velocity more than `velocity_gate_mps` from the track's, for `confirm_reports` reports in a row.
    One identifier in two places: two reports `two_places_max_dt_s` apart or less whose distance
    exceeds what `max_speed_mps` allows plus `jump_slack_m`. A position jump: consecutive reports of
    one identifier further apart than that.
    """

    position_gate_m: float = 300.0
    velocity_gate_mps: float = 40.0
    confirm_reports: int = 2
    max_speed_adsb_mps: float = 400.0
    max_speed_remote_id_mps: float = 100.0
    jump_slack_m: float = 150.0
    two_places_max_dt_s: float = 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentificationParams:
    """The register, the flight plans, the rules and the spoof thresholds of one site."""

    aircraft: tuple[FriendlyAircraft, ...] = ()
    drones: tuple[FriendlyDrone, ...] = ()
    flight_plans: tuple[FlightPlan, ...] = ()
    rules: IdentityRules = field(default_factory=IdentityRules)
    spoof: SpoofParams = field(default_factory=SpoofParams)
