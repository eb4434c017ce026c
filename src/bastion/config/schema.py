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

import difflib
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bastion.core.records import ThreatClass

TARGET_KINDS = ("fixed_wing", "multirotor", "aircraft", "rocket", "bird_flock")
"""Values of `targets[i].kind`."""
SENSOR_KINDS = ("radar",)
"""Values of `radars[i].kind`."""
EFFECTOR_KINDS = ("gun", "ad_gun", "interceptor", "jammer", "interceptor_drone")
"""Values of `effectors[i].kind`."""
DEFAULT_DIVE_ANGLE_DEG = math.degrees(0.5)
"""Terminal dive angle below the horizontal (degrees) when a fixed-wing target gives none: the core's
0.5 rad (about 28.6 degrees)."""


def show_value(value: object) -> str:
    """A short, YAML-flavoured rendering of an input value for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest_field(key: object, known: list[str]) -> str:
    """The message for an unknown field: the nearest known name (difflib), or the known names."""
    close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
    if close:
        return f"unknown field; did you mean {close[0]!r}?"
    return "unknown field; expected one of: " + ", ".join(known)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _reject_bool(value: object) -> object:
    """Lax pydantic would read `true` as 1.0; a boolean where a number belongs is a mistake."""
    if isinstance(value, bool):
        raise PydanticCustomError("not_number", "expected a number")
    return value


def _probability(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise PydanticCustomError(
            "bastion", "expected a probability in [0, 1], got {got}", {"got": show_value(value)}
        )
    return value


def _vector(names: tuple[str, ...]) -> BeforeValidator:
    layout = "[" + ", ".join(names) + "]"

    def check(value: object) -> tuple[float, ...]:
        if isinstance(value, list | tuple) and len(value) == len(names):
            items = list(value)
            if all(_is_number(v) and math.isfinite(v) for v in items):
                return tuple(float(v) for v in items)
        raise PydanticCustomError(
            "bastion", "expected " + layout + " in metres, got {got}", {"got": show_value(value)}
        )

    return BeforeValidator(check)


def _icao(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        return value.upper()
    if value == "":
        return value
    raise PydanticCustomError(
        "bastion",
        "expected a 24-bit ICAO address as 6 hex digits in quotes (e.g. 'AE1234'), got {got}",
        {"got": show_value(value)},
    )


def _callsign(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"[A-Z0-9 ]{0,8}", value):
        return value
    raise PydanticCustomError(
        "bastion",
        "expected a callsign of up to 8 characters A-Z, 0-9 or space, got {got}",
        {"got": show_value(value)},
    )


def _remote_id_serial(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"[\x21-\x7e]{0,20}", value):
        return value
    raise PydanticCustomError(
        "bastion",
        "expected a Remote ID serial of up to 20 printable characters without spaces, got {got}",
        {"got": show_value(value)},
    )


Number = Annotated[float, BeforeValidator(_reject_bool)]
Whole = Annotated[int, BeforeValidator(_reject_bool)]
Positive = Annotated[Number, Field(gt=0.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]
Probability = Annotated[Number, AfterValidator(_probability)]
Text = Annotated[str, Field(min_length=1)]
Position = Annotated[tuple[float, float, float], _vector(("east_m", "north_m", "up_m"))]
Vertex = Annotated[tuple[float, float], _vector(("east_m", "north_m"))]
Icao = Annotated[str, BeforeValidator(_icao)]
Callsign = Annotated[str, BeforeValidator(_callsign)]
RemoteIdSerial = Annotated[str, BeforeValidator(_remote_id_serial)]
"""A Remote ID UAS ID: up to 20 printable ASCII characters, no spaces (ASTM F3411 Basic ID)."""


class Spec(BaseModel):
    """Base of every scenario model: frozen, finite numbers, unknown fields rejected with a hint."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = list(cls.model_fields)
            for key in data:
                if key not in cls.model_fields:
                    raise PydanticCustomError(
                        "unknown_field",
                        "{message}",
                        {"field": str(key), "message": suggest_field(key, known)},
                    )
        return data


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


class ZoneSpec(Spec):
    """A defended zone: a simple polygon in site ENU metres, with the people in it."""

    name: Text = Field(description="Zone name, unique among zones.")
    polygon_m: list[Vertex] = Field(description="Outline vertices [east_m, north_m], >= 3.")
    population: Annotated[Whole, Field(ge=0)] = Field(default=0, description="People in it.")
    value: NonNegative = Field(default=1.0, description="Relative value (dimensionless).")


class EffectorSpec(Spec):
    """A modelled effector (never driven): envelope, reaction, time of flight, Pk, magazine."""

    kind: Literal["gun", "ad_gun", "interceptor", "jammer", "interceptor_drone"] = Field(
        description="Effector kind."
    )
    name: Text = Field(description="Effector name, unique among effectors.")
    position_m: Position = Field(description="Position, site ENU metres.")
    min_range_m: NonNegative = Field(default=0.0, description="Minimum engagement range, m.")
    max_range_m: Positive = Field(description="Maximum engagement range, metres.")
    max_alt_m: Positive = Field(description="Maximum engagement height (site ENU up), metres.")
    reaction_s: NonNegative = Field(description="Time from authorisation to firing, seconds.")
    projectile_speed_mps: Positive = Field(description="Mean projectile speed, m/s.")
    pk: Annotated[dict[ThreatClass, Probability], Field(min_length=1)] = Field(
        description="Probability of kill per engagement, by threat class."
    )
    magazine: Annotated[Whole, Field(ge=0)] = Field(description="Engagements available.")
    min_alt_m: NonNegative = Field(default=0.0, description="Lowest intercept height, metres.")
    sector_from_deg: Annotated[Number, Field(ge=-360.0, le=360.0)] = Field(
        default=0.0, description="Sector start bearing from the effector, degrees from north."
    )
    sector_to_deg: Annotated[Number, Field(ge=-360.0, le=360.0)] = Field(
        default=360.0, description="Sector end bearing, clockwise from the start, degrees."
    )
    slew_rate_degps: Positive | None = Field(
        default=None, description="Slew rate, degrees per second; null: instant."
    )
    effect_delay_s: NonNegative = Field(default=0.0, description="Added to the time of flight.")
    channels: Annotated[Whole, Field(ge=1)] = Field(default=1, description="Engagements at once.")
    reloads: Annotated[Whole, Field(ge=0)] = Field(default=0, description="Spare loads.")
    reload_s: NonNegative = Field(default=0.0, description="Time to reload a load, seconds.")
    cost_per_shot_usd: NonNegative = Field(default=0.0, description="Cost of one shot, USD.")
    debris_radius_m: NonNegative = Field(default=0.0, description="Debris fall radius, metres.")
    miss_range_m: NonNegative = Field(default=0.0, description="Where a miss comes down, metres.")
    weapons_state: Literal["hold", "tight", "free"] = Field(
        default="tight", description="Default rule of engagement."
    )


class NoFireZoneSpec(Spec):
    """An area where no predicted miss or debris may fall: a simple polygon in site ENU metres."""

    name: Text = Field(description="Zone name, unique among no-fire zones.")
    polygon_m: list[Vertex] = Field(description="Outline vertices [east_m, north_m], >= 3.")


class RoeSectorSpec(Spec):
    """A rules-of-engagement sector about the site origin and the weapons state inside it."""

    name: Text = Field(description="Sector name, unique among sectors.")
    state: Literal["hold", "tight", "free"] = Field(description="Weapons state in the sector.")
    az_from_deg: Annotated[Number, Field(ge=-360.0, le=360.0)] = Field(
        default=0.0, description="Start bearing from the site origin, degrees from north."
    )
    az_to_deg: Annotated[Number, Field(ge=-360.0, le=360.0)] = Field(
        default=360.0, description="End bearing, clockwise from the start, degrees."
    )
    min_range_m: NonNegative = Field(default=0.0, description="Inner distance, metres.")
    max_range_m: Positive | None = Field(default=None, description="Outer distance, metres.")
    effectors: list[Text] = Field(default_factory=list, description="Effectors bound; [] all.")


class EngageSpec(Spec):
    """Engagement planning settings."""

    solver: Literal["greedy", "optimal"] = Field(default="optimal", description="WTA solver.")
    max_shooters: Annotated[Whole, Field(ge=1, le=4)] = Field(
        default=1, description="Effectors per track per look."
    )
    decision_allowance_s: NonNegative = Field(default=5.0, description="Human decision time, s.")
    jam_look_s: Positive = Field(default=15.0, description="Time to see a jammed drone turn, s.")
    asset_buffer_m: NonNegative = Field(default=100.0, description="Intercept before this, m.")
    path_step_s: Annotated[Positive, Field(le=2.0)] = Field(
        default=0.25, description="Path and intercept sampling step, seconds."
    )


class OperatorSpec(Spec):
    """The simulated human with engagement authority."""

    name: Text = Field(default="operator-model", description="Operator name.")
    role: Text = Field(default="engagement_authority", description="Operator role.")
    delay_median_s: Positive = Field(default=4.0, description="Median decision time, seconds.")
    delay_sigma: NonNegative = Field(default=0.3, description="Log-normal sigma of the delay.")
    approve_probability: Probability = Field(default=1.0, description="P(approve a request).")


class TrackerSpec(Spec):
    """Tracker v1 settings."""

    process_accel_mps2: Positive = Field(default=5.0, description="Process noise, m/s^2.")
    gate_chi2: Positive = Field(default=16.0, description="Chi-square gate (dimensionless).")
    confirm_m: Annotated[Whole, Field(ge=1)] = Field(default=3, description="M of M-of-N.")
    confirm_n: Annotated[Whole, Field(ge=1)] = Field(default=4, description="N of M-of-N.")
    delete_misses: Annotated[Whole, Field(ge=1)] = Field(default=4, description="Misses to drop.")
    init_speed_sigma_mps: Positive = Field(default=100.0, description="New-track speed sigma, m/s.")
    max_speed_mps: Positive = Field(default=1000.0, description="Fastest plausible track, m/s.")
    oosm_lag_s: NonNegative = Field(
        default=0.0, description="Latest a batch may arrive and still be fused (reprocessed), s."
    )
    filter: Literal["cv", "imm"] = Field(
        default="cv", description="State filter: constant velocity or the four-model IMM."
    )
    radar_update: Literal["converted", "ekf", "ukf"] = Field(
        default="converted", description="Radar update: converted position, EKF or UKF."
    )
    use_range_rate: bool = Field(
        default=False, description="Update with radial velocity (EKF/UKF radar update only)."
    )
    association: Literal["gnn", "jpda"] = Field(
        default="gnn", description="Association: global nearest neighbour or JPDA."
    )
    management: Literal["m_of_n", "score"] = Field(
        default="m_of_n", description="Confirmation and deletion: M-of-N or track score."
    )
    pd: Annotated[Number, Field(gt=0.0, lt=1.0)] = Field(
        default=0.9, description="Detection probability per look (JPDA, score)."
    )
    false_alarm_density_per_m3: Positive = Field(
        default=1e-10, description="Clutter density, false detections per m^3 per look."
    )
    new_target_density_per_m3: Positive = Field(
        default=1e-11, description="New-target detections per m^3 per look."
    )
    score_false_track_prob: Annotated[Number, Field(gt=0.0, lt=0.5)] = Field(
        default=1e-5, description="Score: probability of confirming a false track."
    )
    score_true_track_loss_prob: Annotated[Number, Field(gt=0.0, lt=0.5)] = Field(
        default=1e-3, description="Score: probability of deleting a true tentative track."
    )
    score_delete_drop: Positive = Field(
        default=6.0, description="Score: drop below the peak that deletes a confirmed track."
    )
    history_points: Annotated[Whole, Field(ge=0, le=10_000)] = Field(
        default=20, description="States kept per track for its recent path."
    )
    history_period_s: Positive = Field(
        default=1.0, description="Least time between two history states of a track, s."
    )
    align_sensors: bool = Field(
        default=False, description="Estimate and correct each radar's bias and time offset."
    )


class ThreatSpec(Spec):
    """Threat evaluation and warning settings."""

    horizon_s: Positive = Field(default=120.0, description="Path prediction horizon, seconds.")
    step_s: Positive = Field(default=1.0, description="Path prediction step, seconds.")
    warn_distance_m: NonNegative = Field(default=300.0, description="Warn within this, metres.")
    alert_margin_s: NonNegative = Field(default=10.0, description="Alert margin, seconds.")
    rocket_drag_factor_m2pkg: NonNegative = Field(
        default=1.0e-4, description="Prior mean of a rocket's drag factor Cd*A/(2*mass), m^2/kg."
    )
    adsb_gate_m: Positive = Field(default=300.0, description="ADS-B correlation gate, metres.")
    request_expiry_s: Positive = Field(default=30.0, description="Request lifetime, seconds.")
    impact_confidence: Annotated[Number, Field(gt=0.0, lt=1.0)] = Field(
        default=0.99, description="Probability held by the impact ellipse tested against zones."
    )
    lethal_radius_m: NonNegative = Field(
        default=50.0, description="A round within this of a zone hits it, metres."
    )
    warn_probability: Annotated[Number, Field(gt=0.0, le=1.0)] = Field(
        default=0.225, description="Hit probability at which a rocket or mortar warns a zone."
    )
    warn_hold_s: NonNegative = Field(
        default=0.1, description="Hit probability held this long before warning, seconds."
    )
    release_probability: Annotated[Number, Field(ge=0.0, lt=1.0)] = Field(
        default=0.05, description="Hit probability below which a rocket alert may be released."
    )
    ballistic_min_speed_mps: Positive = Field(
        default=80.0, description="Non-friendly tracks this fast are tried as ballistic, m/s."
    )
    rank_top_n: Annotated[Whole, Field(ge=1)] = Field(
        default=10, description="Entries of the ranked threat list."
    )


class RemoteIdSpec(Spec):
    """A Remote ID receiver at the site; absent means the scenario has none."""

    period_s: Positive = Field(default=1.0, description="Time between a drone's reports, s.")
    sigma_position_m: NonNegative = Field(
        default=5.0, description="Reported position noise (1 sigma), metres."
    )


Identity = Literal["friend", "assumed_friend", "neutral", "unknown", "suspect", "hostile"]


class FriendlyAircraftSpec(Spec):
    """A friendly aircraft in the register."""

    icao: Icao = Field(description="24-bit ICAO address, 6 hex digits in quotes.")
    callsign: Callsign = Field(default="", description="Callsign, for people.")
    name: str = Field(default="", description="Name, for people.")


class FriendlyDroneSpec(Spec):
    """A friendly drone in the register."""

    serial: RemoteIdSerial = Field(description="Remote ID serial (UAS ID).")
    name: str = Field(default="", description="Name, for people.")


class FlightPlanSpec(Spec):
    """A friendly drone flight: corridor, height band, departure and expected-return windows."""

    name: Text = Field(description="Plan name, unique among plans.")
    threat_class: Literal["fixed_wing", "multirotor", "aircraft"] = Field(
        description="Class of the drone(s) flying it."
    )
    corridor_m: Annotated[list[Vertex], Field(min_length=1)] = Field(
        description="Corridor centre line, vertices [east_m, north_m]."
    )
    half_width_m: Positive = Field(description="Corridor half-width, metres.")
    windows_s: Annotated[list[tuple[NonNegative, NonNegative]], Field(min_length=1)] = Field(
        description="Windows [start_s, end_s] (run seconds): departure, expected return."
    )
    min_alt_m: Number = Field(default=0.0, description="Lowest height in the corridor, m (up).")
    max_alt_m: Number = Field(default=1.0e5, description="Highest height in the corridor, m (up).")
    ident: str = Field(default="", description="Remote ID serial or ICAO it carries, if any.")
    count: Annotated[Whole, Field(ge=1)] = Field(default=1, description="Drones on this plan.")

    @model_validator(mode="after")
    def _ordered(self) -> FlightPlanSpec:
        for lo, hi in self.windows_s:
            if lo > hi:
                raise PydanticCustomError(
                    "bastion",
                    "windows_s: each window is [start_s, end_s] with start_s <= end_s, got {got}",
                    {"got": show_value([lo, hi])},
                )
        if self.min_alt_m >= self.max_alt_m:
            raise PydanticCustomError("bastion", "min_alt_m must be below max_alt_m")
        return self


class IdentityRulesSpec(Spec):
    """The site's identity policy (docs/identification.md)."""

    drone_without_id: Identity = Field(default="hostile", description="Drone, no ID, no plan.")
    aircraft_without_id: Identity = Field(default="unknown", description="Aircraft, no ID.")
    unregistered_adsb: Identity = Field(default="neutral", description="ADS-B, not registered.")
    unregistered_remote_id: Identity = Field(
        default="suspect", description="Remote ID, not registered."
    )
    grace_s: NonNegative = Field(default=3.0, description="Wait for a cooperative ID, seconds.")


class IdentificationSpec(Spec):
    """The friendly register, flight plans and identity rules."""

    friendly_aircraft: list[FriendlyAircraftSpec] = Field(default_factory=list)
    friendly_drones: list[FriendlyDroneSpec] = Field(default_factory=list)
    flight_plans: list[FlightPlanSpec] = Field(default_factory=list)
    rules: IdentityRulesSpec = Field(default_factory=IdentityRulesSpec)


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
    ThreatSpec,
    TerrainSpec,
    RemoteIdSpec,
    FriendlyAircraftSpec,
    FriendlyDroneSpec,
    FlightPlanSpec,
    IdentityRulesSpec,
    IdentificationSpec,
)
"""Every model of the schema (for documentation and drift tests)."""
