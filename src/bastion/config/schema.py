"""The scenario YAML as pydantic models: its shape, types, units and per-field ranges.

Every field carries its unit in its name: SI (`_m`, `_s`, `_mps`, `_m2`, `_kg`) except human angles,
given in degrees (`_deg`) and converted to radians by the loader. Positions are site ENU metres written
`[east_m, north_m, up_m]`; zone vertices `[east_m, north_m]`. Every model forbids unknown fields and
reports a misspelt one with the nearest known name. Cross-field rules (min < max, valid polygons,
starts above ground, unique names) live in `bastion.config.checks`; conversion to the core parameter
objects in `bastion.config.loader`. Defaults of the optional sections equal the core defaults
(`bastion.core.params`); a test holds them together.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field

from bastion.config.schema_defence import EffectorSpec, NoFireZoneSpec, RoeSectorSpec, ZoneSpec
from bastion.config.schema_identification import (
    FlightPlanSpec,
    FriendlyAircraftSpec,
    FriendlyDroneSpec,
    IdentificationSpec,
    IdentityRulesSpec,
    RemoteIdSpec,
    SpoofSpec,
)
from bastion.config.schema_stages import (
    IMM_MODEL_SPECS,
    EngageSpec,
    OperatorSpec,
    ThreatSpec,
    TrackerSpec,
)
from bastion.config.spec_types import (
    Callsign,
    Icao,
    NonNegative,
    Number,
    Position,
    Positive,
    Probability,
    RemoteIdSerial,
    Spec,
    Text,
    Vertex,
    Whole,
)

TARGET_KINDS = ("fixed_wing", "multirotor", "aircraft", "rocket", "bird_flock")
"""Values of `targets[i].kind`."""
SENSOR_KINDS = ("radar",)
"""Values of `radars[i].kind`."""
EFFECTOR_KINDS = ("gun", "ad_gun", "interceptor", "jammer", "interceptor_drone")
"""Values of `effectors[i].kind`."""
DEFAULT_DIVE_ANGLE_DEG = math.degrees(0.5)
"""Terminal dive angle below the horizontal (degrees) when a fixed-wing target gives none: the core's
0.5 rad (about 28.6 degrees)."""


class SiteSpec(Spec):
    """The site origin on WGS-84; every position in the scenario is ENU metres about it."""

    name: Text = Field(description="Site name.")
    lat_deg: Annotated[Number, Field(ge=-90.0, le=90.0)] = Field(
        description="Geodetic latitude of the origin, degrees north."
    )
    lon_deg: Annotated[Number, Field(ge=-180.0, le=180.0)] = Field(
        description="Longitude of the origin, degrees east."
    )
    alt_m: Annotated[Number, Field(ge=-500.0, le=9000.0)] = Field(
        default=0.0, description="Height of the origin above the WGS-84 ellipsoid, metres."
    )


class RadarSpec(Spec):
    """A 3-D surveillance radar; detection follows SNR = ref * (RCS / ref_rcs) * (ref_range / R)^4."""

    kind: Literal["radar"] = Field(description="Sensor kind.")
    id: Text = Field(description="Sensor identifier, unique among radars.")
    position_m: Position = Field(description="Antenna position, site ENU metres (height included).")
    scan_period_s: Positive = Field(description="Time between looks at a target, seconds.")
    min_range_m: NonNegative = Field(default=0.0, description="Blind range, metres.")
    max_range_m: Positive = Field(description="Instrumented range, metres.")
    min_el_deg: Annotated[Number, Field(ge=-90.0, le=90.0)] = Field(
        default=-2.0, description="Lowest elevation covered, degrees."
    )
    max_el_deg: Annotated[Number, Field(ge=-90.0, le=90.0)] = Field(
        default=70.0, description="Highest elevation covered, degrees."
    )
    sigma_range_m: Positive = Field(description="Range noise (1 sigma), metres.")
    sigma_az_deg: Positive = Field(description="Azimuth noise (1 sigma), degrees.")
    sigma_el_deg: Positive = Field(description="Elevation noise (1 sigma), degrees.")
    sigma_range_rate_mps: Positive = Field(
        default=1.0, description="Radial velocity noise (1 sigma), m/s."
    )
    ref_range_m: Positive = Field(description="Reference range for the detection model, metres.")
    ref_rcs_m2: Positive = Field(description="Reference radar cross-section, square metres.")
    ref_snr_db: Number | None = Field(
        default=None, description="SNR of the reference target at the reference range, dB."
    )
    ref_pd: Probability | None = Field(
        default=None,
        description="Or: Pd per look (Swerling I) of the reference target at the reference range.",
    )
    pfa: Annotated[Number, Field(gt=0.0, lt=1.0)] = Field(
        default=1e-6, description="Probability of false alarm per resolution cell."
    )
    clutter_per_scan: NonNegative = Field(
        default=0.0, description="Mean number of false detections per scan (Poisson)."
    )
    micro_doppler_gain_db: Number | None = Field(
        default=15.0,
        description="Dwell gain of the micro-Doppler line detector, dB; null: no micro-Doppler.",
    )


class AdsbSpec(Spec):
    """An ADS-B receiver at the site; absent means the scenario has none."""

    period_s: Positive = Field(default=0.5, description="Time between position reports, seconds.")
    sigma_position_m: NonNegative = Field(
        default=10.0, description="Reported position noise (1 sigma), metres."
    )


class _WaypointSpec(Spec):
    kind: str = Field(description="Target kind.")
    id: Text = Field(description="Target identifier, unique among targets.")
    hostile: bool = Field(description="Ground truth: true for a hostile target.")
    start_t_s: NonNegative = Field(default=0.0, description="Time it appears, run seconds.")
    waypoints_m: Annotated[list[Position], Field(min_length=2)] = Field(
        description="Waypoints, site ENU metres; flown in straight legs from the first."
    )
    speed_mps: Positive = Field(description="Ground speed along the legs, m/s.")
    rcs_m2: Positive = Field(description="Radar cross-section, square metres.")
    adsb_icao: Icao = Field(default="", description="ICAO address broadcast on ADS-B (6 hex).")
    callsign: Callsign = Field(default="", description="Callsign broadcast on ADS-B.")
    remote_id_serial: RemoteIdSerial = Field(
        default="", description="Serial (UAS ID) broadcast on Remote ID; drones only."
    )


class FixedWingSpec(_WaypointSpec):
    """A fixed-wing drone (one-way attack class) that dives on its last waypoint."""

    kind: Literal["fixed_wing"] = Field(description="Target kind.")
    dive_angle_deg: Annotated[Number, Field(gt=0.0, le=90.0)] = Field(
        default=DEFAULT_DIVE_ANGLE_DEG, description="Terminal dive below the horizontal, degrees."
    )


class MultirotorSpec(_WaypointSpec):
    """A multirotor that hovers at each interior waypoint."""

    kind: Literal["multirotor"] = Field(description="Target kind.")
    hover_s: NonNegative = Field(default=0.0, description="Hover time at interior waypoints, s.")


class AircraftSpec(_WaypointSpec):
    """A manned aircraft or helicopter; broadcasts ADS-B when `adsb_icao` is set."""

    kind: Literal["aircraft"] = Field(description="Target kind.")


class RocketSpec(Spec):
    """An unguided rocket or mortar bomb: point mass with gravity and drag after burnout."""

    kind: Literal["rocket"] = Field(description="Target kind.")
    id: Text = Field(description="Target identifier, unique among targets.")
    launch_m: Position = Field(description="Launch point, site ENU metres.")
    aim_m: Position = Field(description="Aim point, site ENU metres.")
    launch_t_s: NonNegative = Field(default=0.0, description="Launch time, run seconds.")
    speed_mps: Annotated[Positive, Field(le=3000.0)] = Field(
        description="Speed at burnout (launch), m/s; at most 3000."
    )
    mass_kg: Positive = Field(description="Mass after burnout, kg.")
    diameter_m: Positive = Field(description="Body diameter (reference area), metres.")
    drag_coefficient: Positive = Field(description="Drag coefficient Cd (dimensionless).")
    rcs_m2: Positive = Field(description="Radar cross-section, square metres.")
    high_angle: bool = Field(default=False, description="Fly the high quadrant elevation.")


class BirdFlockSpec(Spec):
    """A flock of birds wandering around a centre."""

    kind: Literal["bird_flock"] = Field(description="Target kind.")
    id: Text = Field(description="Target identifier, unique among targets.")
    centre_m: Position = Field(description="Centre of the flock's area, site ENU metres.")
    count: Annotated[Whole, Field(ge=1)] = Field(description="Number of birds.")
    radius_m: Positive = Field(description="Radius of the area the flock wanders in, metres.")
    speed_mps: Positive = Field(description="Flying speed of each bird, m/s.")
    rcs_m2: Positive = Field(description="Radar cross-section of one bird, square metres.")
    start_t_s: NonNegative = Field(default=0.0, description="Time it appears, run seconds.")


TargetSpec = Annotated[
    FixedWingSpec | MultirotorSpec | AircraftSpec | RocketSpec | BirdFlockSpec,
    Field(discriminator="kind"),
]


class TerrainSpec(Spec):
    """A terrain height grid about the site (absent: flat ground at the site's height)."""

    name: Text = Field(description="Grid name, for messages (e.g. its source).")
    origin_m: Vertex = Field(description="South-west grid node [east_m, north_m].")
    spacing_m: Positive = Field(description="Distance between grid nodes, metres.")
    heights_m: list[list[Number]] = Field(
        description="Ground heights (site ENU up, m); rows south to north, columns west to east."
    )


class ScenarioSpec(Spec):
    """A whole scenario file."""

    name: Text = Field(description="Scenario name.")
    description: str = Field(default="", description="Free text for people; not used by the run.")
    seed: Annotated[Whole, Field(ge=0)] = Field(default=1, description="Default root seed.")
    duration_s: Positive = Field(description="Length of the run, seconds.")
    site: SiteSpec = Field(description="Site origin.")
    radars: Annotated[list[RadarSpec], Field(min_length=1)] = Field(description="Radars (>= 1).")
    adsb: AdsbSpec | None = Field(default=None, description="ADS-B receiver; absent: none.")
    targets: list[TargetSpec] = Field(default_factory=list, description="Simulated truth.")
    zones: list[ZoneSpec] = Field(default_factory=list, description="Defended zones.")
    effectors: list[EffectorSpec] = Field(default_factory=list, description="Modelled effectors.")
    no_fire_zones: list[NoFireZoneSpec] = Field(default_factory=list, description="No-fire areas.")
    roe_sectors: list[RoeSectorSpec] = Field(default_factory=list, description="ROE sectors.")
    engage: EngageSpec = Field(default_factory=EngageSpec, description="Engagement settings.")
    operator: OperatorSpec = Field(default_factory=OperatorSpec, description="Operator model.")
    tracker: TrackerSpec = Field(default_factory=TrackerSpec, description="Tracker settings.")
    threat: ThreatSpec = Field(default_factory=ThreatSpec, description="Threat settings.")
    terrain: TerrainSpec | None = Field(default=None, description="Terrain grid; absent: flat.")
    remote_id: RemoteIdSpec | None = Field(default=None, description="Remote ID receiver.")
    identification: IdentificationSpec = Field(
        default_factory=IdentificationSpec, description="Register, flight plans, identity rules."
    )


ALL_SPECS: tuple[type[Spec], ...] = (
    ScenarioSpec,
    SiteSpec,
    RadarSpec,
    AdsbSpec,
    FixedWingSpec,
    MultirotorSpec,
    AircraftSpec,
    RocketSpec,
    BirdFlockSpec,
    ZoneSpec,
    EffectorSpec,
    NoFireZoneSpec,
    RoeSectorSpec,
    EngageSpec,
    OperatorSpec,
    TrackerSpec,
    *IMM_MODEL_SPECS,
    ThreatSpec,
    TerrainSpec,
    RemoteIdSpec,
    FriendlyAircraftSpec,
    FriendlyDroneSpec,
    FlightPlanSpec,
    IdentityRulesSpec,
    SpoofSpec,
    IdentificationSpec,
)
"""Every model of the schema (for documentation and drift tests)."""
