"""Frozen parameter objects handed to the pure stages.

Configuration is read and validated at the edge (`bastion.config`, YAML + pydantic) and converted to
these. Positions are site ENU metres, angles radians, times run-clock seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bastion.core.geo import Site
from bastion.core.records import ThreatClass, Vec3


class TargetKind(StrEnum):
    """Kinds of simulated truth object."""

    FIXED_WING = "fixed_wing"
    MULTIROTOR = "multirotor"
    ROCKET = "rocket"
    AIRCRAFT = "aircraft"
    BIRD = "bird"


@dataclass(frozen=True, slots=True, kw_only=True)
class WaypointTarget:
    """A fixed-wing drone, multirotor or manned aircraft flying straight legs between waypoints.

    A fixed-wing one-way attack drone flies its legs at `speed_mps` and dives on its last waypoint
    (`dive_angle_rad` below the horizontal, reached with a turn rate limited by `max_load_g`). A
    multirotor hovers `hover_s` at each interior waypoint. An aircraft with `adsb_icao` broadcasts ADS-B.
    """

    target_id: str
    kind: TargetKind
    hostile: bool
    start_t_s: float
    waypoints_m: tuple[Vec3, ...]
    speed_mps: float
    rcs_m2: float
    hover_s: float = 0.0
    dive_angle_rad: float = 0.5
    adsb_icao: str = ""
    callsign: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RocketTarget:
    """An unguided rocket (or mortar bomb): point mass with gravity and drag after burnout.

    Launched at `launch_t_s` from `launch_m` toward `aim_m` with burnout speed `speed_mps`; the simulator
    solves the (low or high) quadrant elevation that lands it on the aim point.
    """

    target_id: str
    launch_m: Vec3
    aim_m: Vec3
    launch_t_s: float
    speed_mps: float
    mass_kg: float
    diameter_m: float
    drag_coefficient: float
    rcs_m2: float
    high_angle: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class BirdFlock:
    """A flock of `count` birds wandering slowly around `centre_m` within `radius_m`."""

    target_id: str
    centre_m: Vec3
    count: int
    radius_m: float
    speed_mps: float
    rcs_m2: float
    start_t_s: float = 0.0


Target = WaypointTarget | RocketTarget | BirdFlock


@dataclass(frozen=True, slots=True, kw_only=True)
class RadarParams:
    """A 3-D surveillance radar at `position_m` (site ENU, antenna height included).

    Detection follows the radar equation: SNR = `ref_snr_db` at `ref_range_m` for a target of
    `ref_rcs_m2`, scaling as RCS / R^4; Pd per look for a Swerling I target is Pfa^(1 / (1 + SNR)).
    `clutter_per_scan` is the Poisson mean of false detections per scan, uniform in the volume.
    `micro_doppler_gain_db` is the coherent-dwell gain (dB) the radar's micro-Doppler line detector
    adds to a target's SNR; None: the radar measures no micro-Doppler.
    """

    sensor_id: str
    position_m: Vec3
    scan_period_s: float
    min_range_m: float
    max_range_m: float
    min_el_rad: float
    max_el_rad: float
    sigma_range_m: float
    sigma_az_rad: float
    sigma_el_rad: float
    sigma_range_rate_mps: float
    ref_range_m: float
    ref_rcs_m2: float
    ref_snr_db: float
    pfa: float
    clutter_per_scan: float
    micro_doppler_gain_db: float | None = 15.0


@dataclass(frozen=True, slots=True, kw_only=True)
class AdsbReceiverParams:
    """An ADS-B receiver: position reports every `period_s`, quantised like the CPR encoding."""

    period_s: float = 0.5
    sigma_position_m: float = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneParams:
    """A named defended zone: polygon vertices (east_m, north_m) in site ENU, and its population."""

    name: str
    polygon_m: tuple[tuple[float, float], ...]
    population: int = 0
    value: float = 1.0


class EffectorKind(StrEnum):
    """Kinds of modelled effector."""

    GUN = "gun"
    INTERCEPTOR = "interceptor"


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectorParams:
    """A modelled effector: envelope, reaction time, time of flight, Pk per class, magazine.

    A model for planning and training only: it never drives hardware.
    """

    name: str
    kind: EffectorKind
    position_m: Vec3
    min_range_m: float
    max_range_m: float
    max_alt_m: float
    reaction_s: float
    projectile_speed_mps: float
    pk: Mapping[ThreatClass, float]
    magazine: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorParams:
    """The simulated human with engagement authority: log-normal reaction time, approval probability."""

    name: str = "operator-model"
    role: str = "engagement_authority"
    delay_median_s: float = 4.0
    delay_sigma: float = 0.3
    approve_probability: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerParams:
    """Tracker v1: constant-velocity filter, chi-square gate, M-of-N confirmation, deletion on misses."""

    process_accel_mps2: float = 5.0
    gate_chi2: float = 16.0
    confirm_m: int = 3
    confirm_n: int = 4
    delete_misses: int = 4
    init_speed_sigma_mps: float = 100.0
    max_speed_mps: float = 1000.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreatParams:
    """Threat and warning settings: path horizon, warning distance, alert margin, nominal rocket drag."""

    horizon_s: float = 120.0
    step_s: float = 1.0
    warn_distance_m: float = 300.0
    alert_margin_s: float = 10.0
    rocket_drag_factor_m2pkg: float = 1.0e-4
    adsb_gate_m: float = 300.0
    request_expiry_s: float = 30.0
    impact_confidence: float = 0.99
    """Probability mass of the impact ellipse tested against the zones (rockets, mortars)."""
    lethal_radius_m: float = 50.0
    """A zone within this distance (m) of the impact ellipse is warned."""
    max_ellipse_m: float = 1500.0
    """No zone warning from an impact ellipse whose semi-major axis (m) exceeds this."""
    ballistic_min_speed_mps: float = 80.0
    """Tracks at least this fast (and not friendly) are tried against the ballistic model."""
    rank_top_n: int = 10
    """Length of the ranked threat list emitted as events."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TerrainParams:
    """A terrain height grid named `name`: `heights_m[i][j]` is the ground height (m, site ENU up) at
    east ``origin_m[0] + j * spacing_m``, north ``origin_m[1] + i * spacing_m`` (rows south to north,
    columns west to east); heights in between are bilinear."""

    name: str
    origin_m: tuple[float, float]
    spacing_m: float
    heights_m: tuple[tuple[float, ...], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioParams:
    """Everything one scenario run needs, validated and in SI units."""

    name: str
    site: Site
    duration_s: float
    radars: tuple[RadarParams, ...]
    targets: tuple[Target, ...]
    zones: tuple[ZoneParams, ...]
    effectors: tuple[EffectorParams, ...] = ()
    adsb: AdsbReceiverParams | None = field(default_factory=AdsbReceiverParams)
    operator: OperatorParams = field(default_factory=OperatorParams)
    tracker: TrackerParams = field(default_factory=TrackerParams)
    threat: ThreatParams = field(default_factory=ThreatParams)
    terrain: TerrainParams | None = None
    """Ground heights about the site; None: flat ground at the site's height (up = 0)."""
