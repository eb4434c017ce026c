"""Scenario models of identification: the Remote ID receiver, the friendly register, flight plans and
the identity rules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from bastion.config.spec_types import (
    Callsign,
    Icao,
    NonNegative,
    Number,
    Positive,
    RemoteIdSerial,
    Spec,
    Text,
    Vertex,
    Whole,
    show_value,
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


class SpoofSpec(Spec):
    """Thresholds of the cooperative-report spoof checks (docs/identification.md)."""

    position_gate_m: Positive = Field(default=300.0, description="Report-to-track distance, m.")
    velocity_gate_mps: Positive = Field(default=40.0, description="Report-to-track speed gap.")
    confirm_reports: Annotated[Whole, Field(ge=1)] = Field(
        default=2, description="Disagreeing reports in a row before a spoof is declared."
    )
    max_speed_adsb_mps: Positive = Field(default=400.0, description="Fastest ADS-B aircraft.")
    max_speed_remote_id_mps: Positive = Field(default=100.0, description="Fastest Remote ID drone.")
    jump_slack_m: NonNegative = Field(default=150.0, description="Slack on a position jump, m.")
    two_places_max_dt_s: NonNegative = Field(
        default=2.0, description="Reports this close in time are checked for two places, s."
    )


class IdentificationSpec(Spec):
    """The friendly register, flight plans, identity rules and spoof thresholds."""

    friendly_aircraft: list[FriendlyAircraftSpec] = Field(default_factory=list)
    friendly_drones: list[FriendlyDroneSpec] = Field(default_factory=list)
    flight_plans: list[FlightPlanSpec] = Field(default_factory=list)
    rules: IdentityRulesSpec = Field(default_factory=IdentityRulesSpec)
    spoof: SpoofSpec = Field(default_factory=SpoofSpec)
