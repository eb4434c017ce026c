"""Typed records of decoded Mode S / ADS-B messages, in SI units.

One record per message family, with the register it comes from (DO-260B; ICAO Doc 9871):

| record              | downlink format / register                     |
|---------------------|------------------------------------------------|
| `Identification`    | DF 17/18, TC 1-4, BDS 0,8                      |
| `SurfacePosition`   | DF 17/18, TC 5-8, BDS 0,6                      |
| `AirbornePosition`  | DF 17/18, TC 9-18 (baro) and 20-22 (GNSS), BDS 0,5 |
| `AirborneVelocity`  | DF 17/18, TC 19, BDS 0,9                       |
| `AircraftStatus`    | DF 17/18, TC 28, BDS 6,1                       |
| `TargetState`       | DF 17/18, TC 29, BDS 6,2                       |
| `SurveillanceReply` | DF 0/4/5/16/20/21 (altitude or identity; Comm-B identification BDS 2,0) |
| `AllCallReply`      | DF 11                                          |
| `OtherMessage`      | any other register that decodes but Bastion does not use               |

Angles are radians clockwise from true (or magnetic, where the register says so) north; speeds m/s;
altitudes metres (barometric pressure altitude unless the field says GNSS); `None` where the message
says "not available". `icao` is the 24-bit address as 6 upper-case hex digits, `df` the downlink format.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AirbornePosition",
    "AirborneVelocity",
    "AircraftStatus",
    "AllCallReply",
    "Identification",
    "ModeSMessage",
    "OtherMessage",
    "SurfacePosition",
    "SurveillanceReply",
    "TargetState",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Identification:
    """Aircraft identification and category (BDS 0,8): the callsign, trailing spaces removed."""

    icao: str
    df: int
    typecode: int
    category: int
    callsign: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AirbornePosition:
    """Airborne position (BDS 0,5): altitude and one CPR-encoded half of a position.

    `altitude_m` is barometric pressure altitude for TC 9-18 and GNSS height (HAE) for TC 20-22
    (`altitude_gnss`). `cpr_odd` is the CPR format bit F; `cpr_lat`/`cpr_lon` the raw 17-bit
    values (divide by 2^17 for the zone fraction). A position needs an even/odd pair or a reference.
    """

    icao: str
    df: int
    typecode: int
    altitude_m: float | None
    altitude_gnss: bool
    cpr_odd: bool
    cpr_lat: int
    cpr_lon: int
    surveillance_status: int
    nic_b: int
    nuc_p: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SurfacePosition:
    """Surface position (BDS 0,6): movement, ground track and one CPR half (90-degree zones)."""

    icao: str
    df: int
    typecode: int
    movement: int
    ground_speed_mps: float | None
    track_rad: float | None
    track_valid: bool
    cpr_odd: bool
    cpr_lat: int
    cpr_lon: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AirborneVelocity:
    """Airborne velocity (BDS 0,9).

    Subtypes 1/2 give ground speed and true track; subtypes 3/4 give airspeed (`airspeed_true`:
    TAS, else IAS) and magnetic heading, with the ground fields None. `vertical_rate_mps` is positive
    up (`vertical_rate_gnss`: from GNSS, else barometric); `geo_minus_baro_m` is GNSS height minus
    barometric altitude.
    """

    icao: str
    df: int
    subtype: int
    nac_v: int
    ground_speed_mps: float | None
    track_rad: float | None
    airspeed_mps: float | None
    airspeed_true: bool | None
    heading_rad: float | None
    vertical_rate_mps: float | None
    vertical_rate_gnss: bool | None
    geo_minus_baro_m: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AircraftStatus:
    """Aircraft status (BDS 6,1, subtype 1): emergency state and the Mode A code (squawk)."""

    icao: str
    df: int
    subtype: int
    emergency_state: int
    squawk: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetState:
    """Target state and status (BDS 6,2, subtype 1): what the autopilot is set to."""

    icao: str
    df: int
    subtype: int
    selected_altitude_m: float | None
    selected_altitude_source: str | None
    baro_pressure_setting_pa: float | None
    selected_heading_rad: float | None
    nac_p: int | None
    nic_baro: int | None
    sil: int | None
    autopilot: bool | None
    vnav_mode: bool | None
    altitude_hold_mode: bool | None
    approach_mode: bool | None
    lnav_mode: bool | None
    tcas_operational: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SurveillanceReply:
    """A reply to an interrogation (DF 0/4/5/16/20/21): altitude or squawk, and Comm-B if present.

    The address comes from the AP field and cannot be verified from the frame alone. `bds` is the
    Comm-B register inferred for DF 20/21 (None otherwise); `callsign` is set for BDS 2,0 only.
    """

    icao: str
    df: int
    flight_status: int | None
    downlink_request: int | None
    utility_message: int | None
    altitude_m: float | None
    squawk: str | None
    bds: str | None
    callsign: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AllCallReply:
    """All-call reply (DF 11): the address and the transponder capability."""

    icao: str
    df: int
    capability: int


@dataclass(frozen=True, slots=True, kw_only=True)
class OtherMessage:
    """A message that decodes but that Bastion does not use (operational status, Comm-D, ...)."""

    icao: str
    df: int
    typecode: int | None
    bds: str | None


ModeSMessage = (
    Identification
    | AirbornePosition
    | SurfacePosition
    | AirborneVelocity
    | AircraftStatus
    | TargetState
    | SurveillanceReply
    | AllCallReply
    | OtherMessage
)
