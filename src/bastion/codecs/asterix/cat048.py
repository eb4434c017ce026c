"""ASTERIX CAT048 (monoradar target reports), edition 1.32, through libasterix `Cat_048_1_32`.

Items read and written (UAP field reference number, item, layout, unit on the wire)::

    FRN 1  I048/010  Data Source Identifier   SAC (8) | SIC (8)
    FRN 2  I048/140  Time of Day              24 bits unsigned, LSB 1/128 s, UTC since midnight
    FRN 3  I048/020  Target Report Descriptor TYP (3) SIM RDP SPI RAB FX, extents ...
    FRN 4  I048/040  Measured Position        RHO 16 bits LSB 1/256 NM | THETA 16 bits LSB 360/2^16 deg
    FRN 5  I048/070  Mode-3/A Code            V G L spare | 12-bit octal code
    FRN 6  I048/090  Flight Level             V G | 14 bits signed, LSB 1/4 FL (25 ft)
    FRN 11 I048/161  Track Number             4 spare | 12 bits
    FRN 8  I048/220  Aircraft Address         24 bits
    FRN 19 I048/110  Height Measured by 3D Radar  2 spare | 14 bits signed, LSB 25 ft, MSL zero
    FRN 20 I048/120  Radial Doppler Speed     compound; CAL: D | 5 spare | 10 bits signed, LSB 1 m/s
    FRN 27 I048/SP   Special Purpose Field    LEN (1, counts itself) | content

Bastion's own use of I048/SP (the standard leaves its content to the user; other decoders skip it):
``LEN=6 | 0x42 ('B') | RCS estimate as IEEE-754 float32, big-endian, m^2``. A radar that does not send
it gives `rcs_m2 = nan`.

Resolution on the wire: range 1/256 NM (7.2 m), azimuth 0.0055 deg, height 25 ft (7.6 m), time
1/128 s, Doppler 1 m/s. Values outside the item's range raise `ValueError` on encoding, except
Doppler beyond +-511 m/s, which is left out (I048/120 cannot carry it).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asterix.generated as gen

from bastion.codecs.asterix.datablock import build_datablocks, lib_errors, parse_records
from bastion.core.errors import DecodeError

Spec = gen.Cat_048_1_32
CATEGORY = 48
M_PER_NM = 1852.0
M_PER_FT = 0.3048
RHO_MAX_NM = 65535 / 256
CAL_MAX_MPS = 511.0
SP_TAG_RCS = 0x42
_DEG = "\N{DEGREE SIGN}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cat048Plot:
    """One CAT048 target report as it is on the wire, in SI units.

    `tod_s` is UTC seconds since midnight (NaN without I048/140); `range_m` slant range and
    `az_rad` azimuth clockwise from north about the radar; `height_m` the 3-D radar's height above
    mean sea level; `flight_level_m` the Mode C pressure altitude (FL x 100 ft, in metres);
    `doppler_mps` the calculated radial Doppler speed as sent (sign convention is the radar's);
    `rcs_m2` Bastion's SP
    extension. Absent values are NaN (floats) or -1 (integers).
    """

    sac: int
    sic: int
    tod_s: float
    range_m: float
    az_rad: float
    height_m: float = math.nan
    flight_level_m: float = math.nan
    doppler_mps: float = math.nan
    rcs_m2: float = math.nan
    detection_type: int = 1
    simulated: bool = False
    track_number: int = -1
    mode3a: int = -1
    aircraft_address: int = -1


def _quantity(item: Any, name: str, unit: str) -> float:
    return float(item.variation.get_item(name).variation.content.as_quantity(unit))


def _plot_from_record(rec: Any) -> Cat048Plot:
    i010, i140, i040 = rec.get_item("010"), rec.get_item("140"), rec.get_item("040")
    missing = [n for n, i in (("I048/010", i010), ("I048/040", i040)) if i is None]
    if missing:
        raise DecodeError(
            f"CAT048 record lacks {', '.join(missing)}", data=rec.unparse().to_bytes()
        )
    kw: dict[str, Any] = {
        "sac": i010.variation.get_item("SAC").as_uint(),
        "sic": i010.variation.get_item("SIC").as_uint(),
        "tod_s": math.nan if i140 is None else float(i140.variation.content.as_quantity("s")),
        "range_m": _quantity(i040, "RHO", "NM") * M_PER_NM,
        "az_rad": math.radians(_quantity(i040, "THETA", _DEG)),
    }
    if (i020 := rec.get_item("020")) is not None:
        kw["detection_type"] = i020.variation.get_item("TYP").as_uint()
        kw["simulated"] = bool(i020.variation.get_item("SIM").as_uint())
    if (i110 := rec.get_item("110")) is not None:
        kw["height_m"] = _quantity(i110, "3DH", "ft") * M_PER_FT
    if (i090 := rec.get_item("090")) is not None and i090.variation.get_item("V").as_uint() == 0:
        kw["flight_level_m"] = _quantity(i090, "FL", "FL") * 100.0 * M_PER_FT
    if (i120 := rec.get_item("120")) is not None and (cal := i120.variation.get_item("CAL")):
        kw["doppler_mps"] = _quantity(cal, "CAL", "m/s")
    if (i161 := rec.get_item("161")) is not None:
        kw["track_number"] = i161.variation.get_item("TRN").as_uint()
    if (i070 := rec.get_item("070")) is not None:
        kw["mode3a"] = i070.variation.get_item("MODE3A").as_uint()
    if (i220 := rec.get_item("220")) is not None:
        kw["aircraft_address"] = i220.variation.as_uint()
    if (isp := rec.get_item("SP")) is not None:
        sp = isp.variation.get_bytes()
        if len(sp) == 5 and sp[0] == SP_TAG_RCS:
            kw["rcs_m2"] = float(struct.unpack(">f", sp[1:])[0])
    return Cat048Plot(**kw)


def decode_cat048(payload: bytes) -> list[Cat048Plot]:
    """Decode the records of one CAT048 data block (the bytes after CAT and LEN).

    Every record must carry I048/010 and I048/040 (a missing I048/140 gives `tod_s = nan`);
    anything malformed raises `DecodeError` carrying the bytes.
    """
    records = parse_records(Spec, payload, cat=CATEGORY)
    try:
        return [_plot_from_record(rec) for rec in records]
    except DecodeError:
        raise
    except lib_errors() as exc:
        raise DecodeError(f"CAT048 record content does not decode: {exc!r}", data=payload) from exc


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"CAT048 encode: {what}")


def _record(p: Cat048Plot) -> Any:
    rho_nm = p.range_m / M_PER_NM
    _check(0.0 <= rho_nm <= RHO_MAX_NM, f"range {p.range_m} m outside 0..{RHO_MAX_NM * M_PER_NM} m")
    _check(
        math.isnan(p.tod_s) or 0.0 <= p.tod_s < 86_400.0,
        f"time of day {p.tod_s} s not in [0, 86400)",
    )
    _check(0 <= p.sac < 256 and 0 <= p.sic < 256, f"SAC/SIC {p.sac}/{p.sic} outside 0..255")
    _check(0 <= p.detection_type < 8, f"detection type {p.detection_type} outside 0..7")
    theta = math.degrees(p.az_rad) % 360.0
    theta_raw = round(theta * 65536 / 360.0) % 65536
    items: dict[str, Any] = {
        "010": (("SAC", p.sac), ("SIC", p.sic)),
        "020": ((("TYP", p.detection_type), ("SIM", int(p.simulated)), 0, 0, 0, None),),  # None: FX
        "040": (("RHO", min(round(rho_nm * 256), 65535)), ("THETA", theta_raw)),
    }
    if math.isfinite(p.tod_s):
        items["140"] = min(round(p.tod_s * 128), 2**24 - 1)
    if p.mode3a >= 0:
        items["070"] = (0, 0, 0, 0, ("MODE3A", p.mode3a & 0o7777))
    if math.isfinite(p.flight_level_m):
        fl_raw = round(p.flight_level_m / M_PER_FT / 100.0 * 4)
        _check(-(2**13) <= fl_raw < 2**13, f"flight level {p.flight_level_m} m out of range")
        items["090"] = (0, 0, ("FL", fl_raw))
    if p.aircraft_address >= 0:
        items["220"] = p.aircraft_address & 0xFFFFFF
    if p.track_number >= 0:
        items["161"] = (0, ("TRN", p.track_number & 0xFFF))
    if math.isfinite(p.height_m):
        h_raw = round(p.height_m / M_PER_FT / 25.0)
        _check(-(2**13) <= h_raw < 2**13, f"height {p.height_m} m out of range")
        items["110"] = (0, ("3DH", h_raw))
    if math.isfinite(p.doppler_mps) and abs(p.doppler_mps) <= CAL_MAX_MPS:
        items["120"] = {"CAL": (0, 0, ("CAL", round(p.doppler_mps)))}
    if math.isfinite(p.rcs_m2):
        items["SP"] = bytes([SP_TAG_RCS]) + struct.pack(">f", p.rcs_m2)
    record_spec: Any = Spec.cv_record  # typed per item; items are checked above
    return record_spec.create(items)


def encode_cat048(plots: Sequence[Cat048Plot]) -> bytes:
    """Encode plots as CAT048 data blocks (several if one would pass 65535 bytes); b"" for none."""
    return build_datablocks(Spec, [_record(p) for p in plots])
