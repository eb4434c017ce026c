"""Mode S / ADS-B frame -> typed record, through pyModeS (optional extra ``adsb``).

`decode(frame)` first checks the frame's length and parity with our own CRC-24 (`crc.address`), so a
wrong-CRC extended squitter is rejected before pyModeS is called; then pyModeS decodes the fields and
a lookup table turns its result into one of the records of `messages`, in SI units.

Dispatch table `SPECS` (key -> record): the key is the BDS register for DF 17/18 ("0,5", "0,6",
"0,8", "0,9", "6,1", "6,2"; "0,5 gnss" for TC 20-22; "other" for the rest), "all_call" for DF 11,
"surveillance" for DF 0/4/5/16/20/21 (with Comm-B BDS 2,0 or none) and "surveillance_commb" for
other Comm-B registers. Each spec maps every pyModeS key it consumes to a record field and a unit
conversion, and names the keys it drops on purpose (text echoes of codes already kept): the schema
drift test holds both lists against what pyModeS really emits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Final

from bastion.codecs.adsb import crc
from bastion.codecs.adsb._pymodes import pymodes
from bastion.codecs.adsb.messages import (
    AirbornePosition,
    AirborneVelocity,
    AircraftStatus,
    AllCallReply,
    Identification,
    ModeSMessage,
    OtherMessage,
    SurfacePosition,
    SurveillanceReply,
    TargetState,
)
from bastion.core.errors import DecodeError
from bastion.core.units import ft2m, kt2mps

__all__ = ["COMMON_KEYS", "SPECS", "Spec", "decode", "spec_key"]

Convert = Callable[[Any], Any]


def _same(v: Any) -> Any:
    return v


def _int(v: Any) -> int | None:
    return None if v is None else int(v)


def _bool(v: Any) -> bool | None:
    return None if v is None else bool(v)


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _ft(v: Any) -> float | None:
    return None if v is None else ft2m(float(v))


def _kt(v: Any) -> float | None:
    return None if v is None else kt2mps(float(v))


def _deg(v: Any) -> float | None:
    return None if v is None else math.radians(float(v))


def _fpm(v: Any) -> float | None:
    """Feet per minute to metres per second."""
    return None if v is None else ft2m(float(v)) / 60.0


def _hpa(v: Any) -> float | None:
    return None if v is None else float(v) * 100.0


def _equals(value: str) -> Convert:
    def convert(v: Any) -> bool | None:
        return None if v is None else v == value

    return convert


@dataclass(frozen=True, slots=True)
class Spec:
    """How one pyModeS result becomes one record.

    `fields` maps a pyModeS key to (record field, conversion); `dropped` lists pyModeS keys left out
    on purpose; `constants` sets record fields the key itself implies; `open_keys` accepts unknown
    keys (registers whose content Bastion does not use).
    """

    record: type
    fields: Mapping[str, tuple[str, Convert]]
    dropped: frozenset[str] = frozenset()
    constants: Mapping[str, Any] = field(default_factory=dict)
    open_keys: bool = False

    def build(self, d: Mapping[str, Any], icao: str) -> ModeSMessage:
        values = {name: conv(d.get(key)) for key, (name, conv) in self.fields.items()}
        record: ModeSMessage = self.record(icao=icao, df=int(d["df"]), **values, **self.constants)
        return record


COMMON_KEYS: Final = frozenset({"df", "icao", "crc_valid"})
"""Keys every pyModeS result has; `df` and the address are taken from our own parity check."""

_POSITION: Final[Mapping[str, tuple[str, Convert]]] = {
    "typecode": ("typecode", int),
    "altitude": ("altitude_m", _ft),
    "cpr_format": ("cpr_odd", bool),
    "cpr_lat": ("cpr_lat", int),
    "cpr_lon": ("cpr_lon", int),
    "surveillance_status": ("surveillance_status", int),
    "nic_b": ("nic_b", int),
    "nuc_p": ("nuc_p", _int),
}
_SURVEILLANCE: Final[Mapping[str, tuple[str, Convert]]] = {
    "flight_status": ("flight_status", _int),
    "downlink_request": ("downlink_request", _int),
    "utility_message": ("utility_message", _int),
    "altitude": ("altitude_m", _ft),
    "squawk": ("squawk", _same),
    "bds": ("bds", _same),
    "callsign": ("callsign", _text),
}
_SURVEILLANCE_DROPPED: Final = frozenset(
    {
        "flight_status_text",
        "icao_verified",
        "vertical_status",
        "cross_link_capability",
        "sensitivity_level",
        "reply_information",
    }
)

SPECS: Final[Mapping[str, Spec]] = MappingProxyType(
    {
        "0,8": Spec(
            Identification,
            {
                "typecode": ("typecode", int),
                "category": ("category", int),
                "callsign": ("callsign", _text),
            },
            dropped=frozenset({"bds", "wake_vortex"}),
        ),
        "0,5": Spec(
            AirbornePosition,
            _POSITION,
            dropped=frozenset({"bds"}),
            constants={"altitude_gnss": False},
        ),
        "0,5 gnss": Spec(
            AirbornePosition,
            _POSITION,
            dropped=frozenset({"bds"}),
            constants={"altitude_gnss": True},
        ),
        "0,6": Spec(
            SurfacePosition,
            {
                "typecode": ("typecode", int),
                "movement": ("movement", int),
                "groundspeed": ("ground_speed_mps", _kt),
                "track": ("track_rad", _deg),
                "track_status": ("track_valid", bool),
                "cpr_format": ("cpr_odd", bool),
                "cpr_lat": ("cpr_lat", int),
                "cpr_lon": ("cpr_lon", int),
            },
            dropped=frozenset({"bds"}),
        ),
        "0,9": Spec(
            AirborneVelocity,
            {
                "subtype": ("subtype", int),
                "nac_v": ("nac_v", int),
                "groundspeed": ("ground_speed_mps", _kt),
                "track": ("track_rad", _deg),
                "airspeed": ("airspeed_mps", _kt),
                "airspeed_type": ("airspeed_true", _equals("TAS")),
                "heading": ("heading_rad", _deg),
                "vertical_rate": ("vertical_rate_mps", _fpm),
                "vr_source": ("vertical_rate_gnss", _equals("GNSS")),
                "geo_minus_baro": ("geo_minus_baro_m", _ft),
            },
            dropped=frozenset({"bds", "typecode"}),
        ),
        "6,1": Spec(
            AircraftStatus,
            {
                "subtype": ("subtype", int),
                "emergency_state": ("emergency_state", int),
                "squawk": ("squawk", _same),
            },
            dropped=frozenset({"bds", "typecode"}),
        ),
        "6,2": Spec(
            TargetState,
            {
                "subtype": ("subtype", int),
                "selected_altitude": ("selected_altitude_m", _ft),
                "selected_altitude_source": ("selected_altitude_source", _same),
                "baro_pressure_setting": ("baro_pressure_setting_pa", _hpa),
                "selected_heading": ("selected_heading_rad", _deg),
                "nac_p": ("nac_p", _int),
                "nic_baro": ("nic_baro", _int),
                "sil": ("sil", _int),
                "autopilot": ("autopilot", _bool),
                "vnav_mode": ("vnav_mode", _bool),
                "altitude_hold_mode": ("altitude_hold_mode", _bool),
                "approach_mode": ("approach_mode", _bool),
                "lnav_mode": ("lnav_mode", _bool),
                "tcas_operational": ("tcas_operational", _bool),
            },
            dropped=frozenset({"bds", "typecode"}),
        ),
        "other": Spec(
            OtherMessage,
            {"typecode": ("typecode", _int), "bds": ("bds", _same)},
            open_keys=True,
        ),
        "all_call": Spec(
            AllCallReply,
            {"capability": ("capability", int)},
            dropped=frozenset({"capability_text"}),
        ),
        "surveillance": Spec(SurveillanceReply, _SURVEILLANCE, dropped=_SURVEILLANCE_DROPPED),
        "surveillance_commb": Spec(SurveillanceReply, _SURVEILLANCE, open_keys=True),
    }
)


def spec_key(d: Mapping[str, Any]) -> str:
    """The `SPECS` key for one pyModeS result."""
    df = int(d["df"])
    bds = d.get("bds")
    if df in (17, 18):
        if bds == "0,5" and 20 <= int(d.get("typecode") or 0) <= 22:
            return "0,5 gnss"
        return bds if isinstance(bds, str) and bds in SPECS and "," in bds else "other"
    if df == 11:
        return "all_call"
    return "surveillance" if bds in (None, "2,0") else "surveillance_commb"


def decode(frame: bytes) -> ModeSMessage:
    """Decode one Mode S frame (7 or 14 bytes) to a record; DecodeError if it does not decode.

    The length and parity are checked first (`crc.address`). Needs pyModeS (extra ``adsb``):
    without it, ModuleNotFoundError says what to install.
    """
    icao = crc.address(frame)
    pms = pymodes()
    try:
        d = pms.decode(frame.hex().upper())
    except Exception as exc:  # a third-party decoder: whatever it raises is bad input to us
        raise DecodeError(f"Mode S: pyModeS could not decode: {exc}", data=frame) from exc
    try:
        return SPECS[spec_key(d)].build(d, icao)
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(
            f"Mode S: unexpected field in decoded message: {exc}", data=frame
        ) from exc


def _check_specs() -> None:
    """Every spec target must be a field of its record (checked once at import)."""
    for key, spec in SPECS.items():
        names = {f.name for f in fields(spec.record)}
        targets = {name for name, _ in spec.fields.values()} | set(spec.constants)
        unknown = targets - names
        missing = names - targets - {"icao", "df"}
        if unknown or missing:
            raise RuntimeError(f"SPECS[{key!r}]: unknown {unknown}, unfilled {missing}")


_check_specs()
