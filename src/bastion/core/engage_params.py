"""Frozen parameter objects of the engagement stage: modelled effectors, no-fire zones, rules-of-
engagement sectors, the weapon-target assignment solver and the simulated operator.

Effectors are models for planning and training (envelope, reaction time, probability of kill);
Bastion drives no hardware. Positions are site ENU metres, angles radians, times seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bastion.core.records import ThreatClass, Vec3


class EffectorKind(StrEnum):
    """Kinds of modelled effector (models for planning and training; Bastion drives no hardware)."""

    GUN = "gun"
    """Gun-type close-in system (C-RAM class, 20 mm, self-destructing rounds)."""
    AD_GUN = "ad_gun"
    """35 mm air-defence gun (programmable air-burst ammunition)."""
    INTERCEPTOR = "interceptor"
    """Short-range interceptor missile."""
    JAMMER = "jammer"
    """RF jammer: breaks a drone's control and navigation links; the drone lands or returns home."""
    INTERCEPTOR_DRONE = "interceptor_drone"
    """A drone that rams or nets its target."""


class WeaponsState(StrEnum):
    """Rules-of-engagement weapons state: what an effector may be nominated against.

    HOLD: nothing. TIGHT: tracks identified hostile. FREE: hostile or suspect. Friend, assumed friend,
    neutral and unknown tracks never, in any state.
    """

    HOLD = "hold"
    TIGHT = "tight"
    FREE = "free"


_TWO_PI = 6.283185307179586
_INF = float("inf")


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectorParams:
    """A modelled effector: envelope, timing, Pk per class, magazine, cost and collateral footprint.

    A model for planning and training only: it never drives hardware. Envelope: slant range in
    [`min_range_m`, `max_range_m`] from `position_m` (site ENU m), intercept height (site ENU up) in
    [`min_alt_m`, `max_alt_m`], bearing from the effector (clockwise from north) within the sector
    from `sector_from_rad` clockwise over `sector_width_rad`. Timing: `reaction_s` from authorisation
    to firing, plus slewing at `slew_rate_radps` from where it last pointed; time of flight is slant
    range / `projectile_speed_mps` plus `effect_delay_s` (a jammer's time to break the links).
    `channels` engagements at once; `magazine` shots per load, `reloads` further loads taking
    `reload_s` each. Collateral: the debris of an intercept falls within `debris_radius_m` of the
    intercept's ground point; a missed shot comes down on the line of fire `miss_range_m` from the
    effector (0: nothing comes down, e.g. a jammer). `weapons_state` is its default rule of engagement.
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
    min_alt_m: float = 0.0
    sector_from_rad: float = 0.0
    sector_width_rad: float = _TWO_PI
    slew_rate_radps: float = _INF
    effect_delay_s: float = 0.0
    channels: int = 1
    reloads: int = 0
    reload_s: float = 0.0
    cost_per_shot_usd: float = 0.0
    debris_radius_m: float = 0.0
    miss_range_m: float = 0.0
    weapons_state: WeaponsState = WeaponsState.TIGHT


@dataclass(frozen=True, slots=True, kw_only=True)
class NoFireZoneParams:
    """An area where no predicted miss or debris may fall (a town, a hospital, a fuel farm).

    Polygon vertices (east_m, north_m) in site ENU.
    """

    name: str
    polygon_m: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoeSectorParams:
    """A rules-of-engagement sector: the weapons state for intercept points inside it.

    Bearing from the site origin (clockwise from north) from `az_from_rad` clockwise over
    `az_width_rad`, horizontal distance from the origin in [`min_range_m`, `max_range_m`].
    `effectors` names the effectors it binds (empty: all). A sector naming an effector overrides a
    sector for all effectors, which overrides the effector's own `weapons_state`; where sectors of
    one level overlap, the more restrictive state holds.
    """

    name: str
    state: WeaponsState
    az_from_rad: float = 0.0
    az_width_rad: float = _TWO_PI
    min_range_m: float = 0.0
    max_range_m: float = _INF
    effectors: tuple[str, ...] = ()


class WtaSolver(StrEnum):
    """Weapon-target assignment solver."""

    GREEDY = "greedy"
    OPTIMAL = "optimal"


@dataclass(frozen=True, slots=True, kw_only=True)
class EngageParams:
    """Engagement planning settings.

    `max_shooters`: effectors nominated against one track per look (1: shoot-look-shoot).
    `decision_allowance_s`: time allowed for the human decision when judging whether an intercept is
    still feasible. `jam_look_s`: how long after a jammer's effect the track must show it turned
    away (else it counts as missed). `asset_buffer_m`: an intercept must happen before the threat's
    predicted path comes within this horizontal distance (m) of the zone it threatens.
    `path_step_s`: sampling step (s) of predicted paths and intercept times.
    """

    solver: WtaSolver = WtaSolver.OPTIMAL
    max_shooters: int = 1
    decision_allowance_s: float = 5.0
    jam_look_s: float = 15.0
    asset_buffer_m: float = 100.0
    path_step_s: float = 0.25


@dataclass(frozen=True, slots=True, kw_only=True)
class OperatorParams:
    """The simulated human with engagement authority: log-normal reaction time, approval probability."""

    name: str = "operator-model"
    role: str = "engagement_authority"
    delay_median_s: float = 4.0
    delay_sigma: float = 0.3
    approve_probability: float = 1.0
