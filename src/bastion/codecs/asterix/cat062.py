"""ASTERIX CAT062 (SDPS system tracks), edition 1.21, through libasterix `Cat_062_1_21`.

Items read and written (UAP field reference number, item, layout, unit on the wire)::

    FRN 1  I062/010  Data Source Identifier   SAC (8) | SIC (8)
    FRN 3  I062/015  Service Identification   8 bits
    FRN 4  I062/070  Time of Track Information  24 bits unsigned, LSB 1/128 s, UTC since midnight
    FRN 5  I062/105  Position in WGS-84       LAT 32 bits signed | LON 32 bits signed, LSB 180/2^25 deg
    FRN 6  I062/100  Position (Cartesian)     X 24 bits signed | Y 24 bits signed, LSB 0.5 m
    FRN 7  I062/185  Velocity (Cartesian)     VX 16 bits signed | VY 16 bits signed, LSB 0.25 m/s
    FRN 12 I062/040  Track Number             16 bits
    FRN 13 I062/080  Track Status             MON SPI MRH SRC(3) CNF FX | SIM TSE TSB FPC AFF STP KOS FX ...
    FRN 17 I062/130  Geometric Altitude       16 bits signed, LSB 6.25 ft, above the WGS-84 ellipsoid
    FRN 22 I062/220  Rate of Climb/Descent    16 bits signed, LSB 6.25 ft/min
    FRN 24 I062/245  Target Identification    STI (2) | spare (6) | 8 characters of 6 bits (ICAO)
    FRN 26 I062/380  Aircraft Derived Data    compound; ADR: 24-bit target (ICAO) address
    FRN 27 I062/500  Estimated Accuracies     compound; APC: X 16 bits | Y 16 bits unsigned, LSB 0.5 m

Bastion's system plane for I062/100 and I062/185 is the site's local east-north plane: X east,
Y north, metres about the site origin (`core.geo.Site`). Within tens of kilometres the difference
from a stereographic projection at the same origin is below the 0.5 m LSB.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asterix.generated as gen

from bastion.codecs.asterix.datablock import build_datablocks, lib_errors, parse_records
from bastion.core.errors import DecodeError

Spec = gen.Cat_062_1_21
CATEGORY = 62
M_PER_FT = 0.3048
LATLON_LSB_DEG = 180.0 / 2**25
_DEG = "\N{DEGREE SIGN}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cat062Track:
    """One CAT062 system track update as on the wire, in SI units.

    `tod_s` UTC seconds since midnight; `lat_rad`/`lon_rad` WGS-84; `alt_m` geometric altitude
    above the WGS-84 ellipsoid (NaN if absent); `east_m`/`north_m` position in the system plane
    (NaN if absent); `vel_east_mps`/`vel_north_mps`/`vel_up_mps` velocity (NaN if absent);
    `sigma_east_m`/`sigma_north_m` the position accuracy (1 sigma, NaN if absent); `confirmed`
    is I062/080 CNF inverted, `first`/`last` are TSB/TSE, `simulated` is SIM; `callsign` the
    downlinked identification (I062/245, STI 0; "" if absent: at most 8 of A-Z, 0-9 and space),
    `target_address` the 24-bit ICAO address (I062/380 ADR; -1 if absent).
    """

    sac: int
    sic: int
    service_id: int
    tod_s: float
    track_number: int
    lat_rad: float
    lon_rad: float
    alt_m: float = math.nan
    east_m: float = math.nan
    north_m: float = math.nan
    vel_east_mps: float = math.nan
    vel_north_mps: float = math.nan
    vel_up_mps: float = math.nan
    sigma_east_m: float = math.nan
    sigma_north_m: float = math.nan
    confirmed: bool = True
    first: bool = False
    last: bool = False
    simulated: bool = False
    callsign: str = ""
    target_address: int = -1


ICAO_CHARS = re.compile(r"[A-Z0-9 ]{0,8}")
"""What I062/245's 6-bit (ICAO Annex 10) characters can carry here: letters, digits and space."""


def _q(item: Any, name: str, unit: str) -> float:
    return float(item.variation.get_item(name).variation.content.as_quantity(unit))


def _track_from_record(rec: Any) -> Cat062Track:
    need = {"010": rec.get_item("010"), "070": rec.get_item("070"), "040": rec.get_item("040")}
    need["105"] = rec.get_item("105")
    missing = [f"I062/{k}" for k, v in need.items() if v is None]
    if missing:
        raise DecodeError(
            f"CAT062 record lacks {', '.join(missing)}", data=rec.unparse().to_bytes()
        )
    i010, i105 = need["010"], need["105"]
    kw: dict[str, Any] = {
        "sac": i010.variation.get_item("SAC").as_uint(),
        "sic": i010.variation.get_item("SIC").as_uint(),
        "service_id": -1,
        "tod_s": float(need["070"].variation.content.as_quantity("s")),
        "track_number": need["040"].variation.as_uint(),
        "lat_rad": math.radians(_q(i105, "LAT", _DEG)),
        "lon_rad": math.radians(_q(i105, "LON", _DEG)),
    }
    if (i015 := rec.get_item("015")) is not None:
        kw["service_id"] = i015.variation.as_uint()
    if (i100 := rec.get_item("100")) is not None:
        kw["east_m"], kw["north_m"] = _q(i100, "X", "m"), _q(i100, "Y", "m")
    if (i185 := rec.get_item("185")) is not None:
        kw["vel_east_mps"], kw["vel_north_mps"] = _q(i185, "VX", "m/s"), _q(i185, "VY", "m/s")
    if (i130 := rec.get_item("130")) is not None:
        kw["alt_m"] = float(i130.variation.content.as_quantity("ft")) * M_PER_FT
    if (i220 := rec.get_item("220")) is not None:
        kw["vel_up_mps"] = float(i220.variation.content.as_quantity("ft/min")) * M_PER_FT / 60.0
    if (i500 := rec.get_item("500")) is not None and (apc := i500.variation.get_item("APC")):
        kw["sigma_east_m"], kw["sigma_north_m"] = _q(apc, "X", "m"), _q(apc, "Y", "m")
    if (i245 := rec.get_item("245")) is not None:
        kw["callsign"] = i245.variation.get_item("CHR").variation.content.as_string().rstrip()
    if (i380 := rec.get_item("380")) is not None and (adr := i380.variation.get_item("ADR")):
        kw["target_address"] = adr.variation.as_uint()
    if (i080 := rec.get_item("080")) is not None:
        v = i080.variation
        kw["confirmed"] = v.get_item("CNF").as_uint() == 0
        for key, name in (("simulated", "SIM"), ("last", "TSE"), ("first", "TSB")):
            sub = v.get_item(name)
            if sub is not None:
                kw[key] = bool(sub.as_uint())
    return Cat062Track(**kw)


def decode_cat062(payload: bytes) -> list[Cat062Track]:
    """Decode the records of one CAT062 data block; each must carry 010, 040, 070 and 105."""
    records = parse_records(Spec, payload, cat=CATEGORY)
    try:
        return [_track_from_record(rec) for rec in records]
    except DecodeError:
        raise
    except lib_errors() as exc:
        raise DecodeError(f"CAT062 record content does not decode: {exc!r}", data=payload) from exc


def _signed(value: float, lsb: float, bits: int, what: str) -> int:
    raw = round(value / lsb)
    if not -(2 ** (bits - 1)) <= raw < 2 ** (bits - 1):
        raise ValueError(f"CAT062 encode: {what} {value} out of range")
    return raw


def _record(t: Cat062Track) -> Any:
    if not (0 <= t.sac < 256 and 0 <= t.sic < 256 and 0 <= t.service_id < 256):
        raise ValueError(
            f"CAT062 encode: SAC/SIC/service {t.sac}/{t.sic}/{t.service_id} not 0..255"
        )
    if not 0.0 <= t.tod_s < 86_400.0:
        raise ValueError(f"CAT062 encode: time of day {t.tod_s} s outside [0, 86400)")
    items: dict[str, Any] = {
        "010": (("SAC", t.sac), ("SIC", t.sic)),
        "015": t.service_id,
        "070": min(round(t.tod_s * 128), 2**24 - 1),
        "105": (
            ("LAT", _signed(math.degrees(t.lat_rad), LATLON_LSB_DEG, 32, "latitude")),
            ("LON", _signed(math.degrees(t.lon_rad), LATLON_LSB_DEG, 32, "longitude")),
        ),
        "040": t.track_number & 0xFFFF,
        # MON=0 (multisensor), SPI=0, MRH=1 (geometric), SRC=2 (3D radar), CNF; SIM TSE TSB, rest 0;
        # libasterix wants a placeholder (None) where each extent's FX bit goes
        "080": (
            (0, 0, 1, 2, int(not t.confirmed), None),
            (int(t.simulated), int(t.last), int(t.first), 0, 0, 0, 0, None),
        ),
    }
    if math.isfinite(t.east_m) and math.isfinite(t.north_m):
        items["100"] = (
            ("X", _signed(t.east_m, 0.5, 24, "east")),
            ("Y", _signed(t.north_m, 0.5, 24, "north")),
        )
    if math.isfinite(t.vel_east_mps) and math.isfinite(t.vel_north_mps):
        items["185"] = (
            ("VX", _signed(t.vel_east_mps, 0.25, 16, "east velocity")),
            ("VY", _signed(t.vel_north_mps, 0.25, 16, "north velocity")),
        )
    if math.isfinite(t.alt_m):
        items["130"] = _signed(t.alt_m / M_PER_FT, 6.25, 16, "altitude")
    if math.isfinite(t.vel_up_mps):
        items["220"] = _signed(t.vel_up_mps / M_PER_FT * 60.0, 6.25, 16, "rate of climb")
    if math.isfinite(t.sigma_east_m) and math.isfinite(t.sigma_north_m):
        sx = min(round(t.sigma_east_m / 0.5), 0xFFFF)
        sy = min(round(t.sigma_north_m / 0.5), 0xFFFF)
        items["500"] = {"APC": (("X", sx), ("Y", sy))}
    if t.callsign:
        if not ICAO_CHARS.fullmatch(t.callsign):
            raise ValueError(
                f"CAT062 encode: callsign {t.callsign!r} is not up to 8 of A-Z, 0-9 and space"
            )
        items["245"] = (("STI", 0), 0, ("CHR", t.callsign.ljust(8)))  # STI 0: downlinked
    if t.target_address >= 0:
        if t.target_address >= 2**24:
            raise ValueError(f"CAT062 encode: target address {t.target_address:#x} over 24 bits")
        items["380"] = {"ADR": t.target_address}
    record_spec: Any = Spec.cv_record  # typed per item; items are checked above
    return record_spec.create(items)


def encode_cat062(tracks: Sequence[Cat062Track]) -> bytes:
    """Encode system track updates as CAT062 data blocks; b"" for none."""
    return build_datablocks(Spec, [_record(t) for t in tracks])
