"""Scenario models of what is defended and with what: zones, effectors, no-fire zones, ROE sectors."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from bastion.config.spec_types import (
    NonNegative,
    Number,
    Position,
    Positive,
    Probability,
    Spec,
    Text,
    Vertex,
    Whole,
)
from bastion.core.records import ThreatClass


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
