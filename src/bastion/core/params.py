"""Frozen parameter objects handed to the pure stages.

Configuration is read and validated at the edge (`bastion.config`, YAML + pydantic) and converted to
these. Positions are site ENU metres, angles radians, times run-clock seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bastion.core.engage_params import (
    EffectorParams,
    EngageParams,
    NoFireZoneParams,
    OperatorParams,
    RoeSectorParams,
)
from bastion.core.geo import Site
from bastion.core.identification import IdentificationParams
from bastion.core.records import Vec3


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
    multirotor hovers `hover_s` at each interior waypoint. An aircraft with `adsb_icao` broadcasts ADS-B;
    a drone with `remote_id_serial` broadcasts Remote ID.
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
    remote_id_serial: str = ""


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
class RemoteIdReceiverParams:
    """A Remote ID receiver: each drone with a serial reports every `period_s` (sent with the first
    tick at or after each period), with isotropic position noise `sigma_position_m` (m, 1 sigma)."""

    period_s: float = 1.0
    sigma_position_m: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneParams:
    """A named defended zone: polygon vertices (east_m, north_m) in site ENU, and its population."""

    name: str
    polygon_m: tuple[tuple[float, float], ...]
    population: int = 0
    value: float = 1.0


IMM_MODEL_KINDS = ("cv", "singer", "ct", "ballistic", "hover", "level_turn")
"""Motion models the tracker's IMM can be given (docs/tracking.md; `level_turn` is a left and right pair)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImmModelParams:
    """One model of the tracker's IMM as configured: its kind (`IMM_MODEL_KINDS`), the parameters it
    sets by name (those of its class in `bastion.tracking`; the others keep the kind's defaults),
    its mean sojourn time (s) and its weight in a new track's model probabilities (normalised over
    the models; a `level_turn` pair halves it); None: the kind's default
    (`tracking.filters.kind_defaults`)."""

    kind: str
    sojourn_s: float | None = None
    weight: float | None = None
    settings: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackerParams:
    """Tracker: state filter, chi-square gate, association, confirmation and deletion, fusion of
    late batches; every field is explained in docs/tracking.md."""

    process_accel_mps2: float = 5.0
    gate_chi2: float = 16.0
    confirm_m: int = 3
    confirm_n: int = 4
    delete_misses: int = 4
    init_speed_sigma_mps: float = 100.0
    max_speed_mps: float = 1000.0
    oosm_lag_s: float = 0.0
    """How late (s) a batch may arrive and still be fused, by rolling back and reprocessing; a
    batch later than that is refused with a reason. 0: every out-of-sequence batch is refused."""
    filter: str = "cv"
    """State filter: ``"cv"`` (constant-velocity Kalman) or ``"imm"`` (IMM over constant velocity,
    Singer, coordinated turn and ballistic models; see docs/tracking.md)."""
    imm_models: tuple[ImmModelParams, ...] = ()
    """The IMM's models; empty: the default four (`tracking.filters.imm_params`)."""
    site_alt_m: float = 0.0
    """The site origin's height above MSL (m): the air density of the ballistic model's drag."""
    radar_update: str = "converted"
    """Radar measurement update: ``"converted"`` (linear update with the converted position,
    fastest), ``"ekf"`` or ``"ukf"`` (range, azimuth, elevation directly; see `use_range_rate`)."""
    use_range_rate: bool = False
    """With an ``ekf``/``ukf`` radar update, also update with each detection's radial velocity
    (a batch whose range rates are not all finite is used without them)."""
    association: str = "gnn"
    """``"gnn"`` (global nearest neighbour, one detection per track) or ``"jpda"`` (joint
    probabilistic data association over clusters of tracks sharing detections)."""
    management: str = "m_of_n"
    """Confirmation and deletion: ``"m_of_n"`` (hit counts) or ``"score"`` (log-likelihood-ratio
    track score with Wald's sequential test)."""
    pd: float = 0.9
    """Detection probability per look, for JPDA and the track score."""
    false_alarm_density_per_m3: float = 1e-10
    """False detections per m^3 per look (clutter density), for JPDA and the track score."""
    new_target_density_per_m3: float = 1e-11
    """New-target detections per m^3 per look, for a new track's initial score."""
    score_false_track_prob: float = 1e-5
    """Score: accepted probability of confirming a false track (Wald's alpha)."""
    score_true_track_loss_prob: float = 1e-3
    """Score: accepted probability of deleting a true tentative track (Wald's beta)."""
    score_delete_drop: float = 6.0
    """Score: a confirmed track is deleted when its score falls this far below its peak."""
    history_points: int = 20
    """States kept per track for its recent path (a ring; 0 keeps none)."""
    history_period_s: float = 1.0
    """Least time between two states of a track's history, s (the history's bounded rate)."""
    align_sensors: bool = False
    """Estimate each radar's azimuth bias and time offset against cooperative (ADS-B, Remote ID)
    traffic and correct its looks once the estimate has converged."""


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
    """Probability mass of the impact and origin ellipses reported and drawn (rockets, mortars)."""
    lethal_radius_m: float = 50.0
    """A round landing within this distance (m) of a zone hits it (the hit probability's radius)."""
    warn_probability_first: float = 1.0
    """A rocket or mortar warns a zone once its hit probability (`threat.hit`) reaches a threshold:
    this at its track's first detection, falling linearly to ..."""
    warn_probability: float = 0.1
    """... this at `warn_late_fraction` of its predicted flight (first detection to impact) ..."""
    warn_late_fraction: float = 0.1
    warn_probability_late: float = 0.8
    """... and this after it (chosen on the tuning seeds: benchmarks/results/warn-tuning.md)."""
    warn_hold_s: float = 0.1
    """The hit probability must stay at or above the threshold this long (s); 0: at once."""
    release_probability: float = 0.05
    """A rocket's or mortar's alert is released once the zone's hit probability has stayed below
    this for the warn book's release hold (10 s); below `warn_probability` (hysteresis)."""
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
    no_fire_zones: tuple[NoFireZoneParams, ...] = ()
    roe_sectors: tuple[RoeSectorParams, ...] = ()
    engage: EngageParams = field(default_factory=EngageParams)
    adsb: AdsbReceiverParams | None = field(default_factory=AdsbReceiverParams)
    operator: OperatorParams = field(default_factory=OperatorParams)
    tracker: TrackerParams = field(default_factory=TrackerParams)
    threat: ThreatParams = field(default_factory=ThreatParams)
    terrain: TerrainParams | None = None
    """Ground heights about the site; None: flat ground at the site's height (up = 0)."""
    identification: IdentificationParams = field(default_factory=IdentificationParams)
    """The friendly register, flight plans, identity rules and spoof checks."""
    remote_id: RemoteIdReceiverParams | None = field(default_factory=RemoteIdReceiverParams)
    """The Remote ID receiver; None: the site has none."""
