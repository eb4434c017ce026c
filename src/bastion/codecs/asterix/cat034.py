"""ASTERIX CAT034 (monoradar service messages), edition 1.29, through libasterix `Cat_034_1_29`.

Items read and written (UAP field reference number, item, layout, unit on the wire)::

    FRN 1  I034/010  Data Source Identifier   SAC (8) | SIC (8)
    FRN 2  I034/000  Message Type             8 bits: 1 north marker, 2 sector crossing,
                                              3 geographical filtering, 4 jamming strobe, 5-7 others
    FRN 3  I034/030  Time of Day              24 bits unsigned, LSB 1/128 s, UTC since midnight
    FRN 4  I034/020  Sector Number            8 bits unsigned, LSB 360/2^8 deg (1.40625 deg)
    FRN 5  I034/041  Antenna Rotation Speed   16 bits unsigned, LSB 1/128 s (period of one turn)

A radar sends a north marker as its antenna passes north and, optionally, a sector crossing
message at each sector boundary; Bastion uses them to close a scan (`bastion.codecs.asterix.scan`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import asterix.generated as gen

from bastion.codecs.asterix.datablock import build_datablocks, lib_errors, parse_records
from bastion.core.errors import DecodeError

Spec = gen.Cat_034_1_29
CATEGORY = 34


class ServiceKind(IntEnum):
    """I034/000 message types."""

    NORTH_MARKER = 1
    SECTOR_CROSSING = 2
    GEOGRAPHICAL_FILTERING = 3
    JAMMING_STROBE = 4
    SOLAR_STORM = 5
    SSR_JAMMING_STROBE = 6
    MODE_S_JAMMING_STROBE = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class Cat034Message:
    """One CAT034 service message: `tod_s` UTC seconds since midnight (NaN if absent),
    `sector_az_rad` the sector's start azimuth (NaN if absent), `rotation_period_s` the antenna's
    period (NaN if absent)."""

    sac: int
    sic: int
    kind: int
    tod_s: float = math.nan
    sector_az_rad: float = math.nan
    rotation_period_s: float = math.nan


def _message_from_record(rec: Any) -> Cat034Message:
    i010, i000 = rec.get_item("010"), rec.get_item("000")
    if i010 is None or i000 is None:
        raise DecodeError("CAT034 record lacks I034/010 or I034/000", data=rec.unparse().to_bytes())
    kw: dict[str, Any] = {
        "sac": i010.variation.get_item("SAC").as_uint(),
        "sic": i010.variation.get_item("SIC").as_uint(),
        "kind": i000.variation.as_uint(),
    }
    if (i030 := rec.get_item("030")) is not None:
        kw["tod_s"] = float(i030.variation.content.as_quantity("s"))
    if (i020 := rec.get_item("020")) is not None:
        kw["sector_az_rad"] = i020.variation.as_uint() * 2.0 * math.pi / 256.0
    if (i041 := rec.get_item("041")) is not None:
        kw["rotation_period_s"] = float(i041.variation.content.as_quantity("s"))
    return Cat034Message(**kw)


def decode_cat034(payload: bytes) -> list[Cat034Message]:
    """Decode the records of one CAT034 data block (the bytes after CAT and LEN)."""
    records = parse_records(Spec, payload, cat=CATEGORY)
    try:
        return [_message_from_record(rec) for rec in records]
    except DecodeError:
        raise
    except lib_errors() as exc:
        raise DecodeError(f"CAT034 record content does not decode: {exc!r}", data=payload) from exc


def _record(m: Cat034Message) -> Any:
    if not (0 <= m.sac < 256 and 0 <= m.sic < 256 and 0 <= m.kind < 256):
        raise ValueError(f"CAT034 encode: SAC/SIC/type {m.sac}/{m.sic}/{m.kind} outside 0..255")
    items: dict[str, Any] = {"010": (("SAC", m.sac), ("SIC", m.sic)), "000": m.kind}
    if math.isfinite(m.tod_s):
        if not 0.0 <= m.tod_s < 86_400.0:
            raise ValueError(f"CAT034 encode: time of day {m.tod_s} s outside [0, 86400)")
        items["030"] = min(round(m.tod_s * 128), 2**24 - 1)
    if math.isfinite(m.sector_az_rad):
        items["020"] = round(math.degrees(m.sector_az_rad) % 360.0 / 1.40625) % 256
    if math.isfinite(m.rotation_period_s):
        raw = round(m.rotation_period_s * 128)
        if not 0 <= raw < 2**16:
            raise ValueError(f"CAT034 encode: rotation period {m.rotation_period_s} s out of range")
        items["041"] = raw
    record_spec: Any = Spec.cv_record  # typed per item; items are checked above
    return record_spec.create(items)


def encode_cat034(messages: Sequence[Cat034Message]) -> bytes:
    """Encode service messages as CAT034 data blocks; b"" for none."""
    return build_datablocks(Spec, [_record(m) for m in messages])
