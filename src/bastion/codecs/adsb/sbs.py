"""SBS-1 / BaseStation port-30003 lines -> `SbsMessage` (pure; no pyModeS needed).

A line is 22 comma-separated fields, already decoded by the receiver (dump1090, readsb, ...)::

     1 message type      "MSG" (other record types, SEL/ID/AIR/STA/CLK, are not parsed here)
     2 transmission type 1 identification, 2 surface position, 3 airborne position, 4 airborne velocity,
                         5 surveillance altitude, 6 surveillance identity (squawk), 7 air-to-air, 8 all-call
     3 session id        4 aircraft id        5 hex ident (24-bit ICAO address; "~" marks a non-ICAO one)
     6 flight id         7 date generated     8 time generated     9 date logged     10 time logged
    11 callsign         12 altitude (ft)     13 ground speed (kt) 14 track (deg)     15 latitude (deg)
    16 longitude (deg)  17 vertical rate (ft/min)                 18 squawk          19 alert (squawk change)
    20 emergency        21 SPI (ident)       22 is on ground

Dates are "YYYY/MM/DD", times "HH:MM:SS.sss" (read as UTC); flags are "-1"/"1" (set), "0" or empty.
Any field may be empty. A line with fewer or more than 22 fields, or a field that does not parse, raises
DecodeError naming the line. Values are converted to SI at this edge.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from bastion.core.errors import DecodeError
from bastion.core.units import ft2m, kt2mps

__all__ = ["N_FIELDS", "SbsMessage", "parse_line"]

N_FIELDS: Final = 22
_MAX_LINE: Final = 512
_HEX_IDENT: Final = re.compile(r"~?[0-9A-F]{6}")
_SQUAWK: Final = re.compile(r"[0-7]{4}")
_FLAGS: Final = {"": None, "0": False, "-1": True, "1": True}


@dataclass(frozen=True, slots=True, kw_only=True)
class SbsMessage:
    """One BaseStation MSG line; None where the field was empty.

    `generated_unix_s`/`logged_unix_s` are POSIX seconds (UTC); `altitude_m` barometric altitude,
    `ground_speed_mps`, `track_rad` clockwise from true north, `lat_rad`/`lon_rad` WGS-84,
    `vertical_rate_mps` positive up.
    """

    transmission_type: int
    session_id: str
    aircraft_id: str
    icao: str
    flight_id: str
    generated_unix_s: float | None
    logged_unix_s: float | None
    callsign: str
    altitude_m: float | None
    ground_speed_mps: float | None
    track_rad: float | None
    lat_rad: float | None
    lon_rad: float | None
    vertical_rate_mps: float | None
    squawk: str | None
    alert: bool | None
    emergency: bool | None
    spi: bool | None
    on_ground: bool | None


class _Bad(Exception):
    """A field that does not parse (turned into a DecodeError naming the line)."""


def _number(text: str, name: str, low: float = -math.inf, high: float = math.inf) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise _Bad(f"{name} {text!r} is not a number") from None
    if not low <= value <= high:
        raise _Bad(f"{name} {text!r} is out of range [{low}, {high}]")
    return value


def _flag(text: str, name: str) -> bool | None:
    if text not in _FLAGS:
        raise _Bad(f"{name} flag {text!r} is not -1, 0 or empty")
    return _FLAGS[text]


def _when(date: str, time: str, name: str) -> float | None:
    if not date and not time:
        return None
    try:
        stamp = datetime.strptime(f"{date} {time}", "%Y/%m/%d %H:%M:%S.%f").replace(tzinfo=UTC)
    except ValueError:
        try:
            stamp = datetime.strptime(f"{date} {time}", "%Y/%m/%d %H:%M:%S").replace(tzinfo=UTC)
        except ValueError:
            raise _Bad(f"{name} {date!r} {time!r} is not YYYY/MM/DD HH:MM:SS.sss") from None
    return stamp.timestamp()


def _convert(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _fields(f: list[str]) -> SbsMessage:
    if f[0] != "MSG":
        raise _Bad(f"record type {f[0]!r} is not MSG")
    if f[1] not in {"1", "2", "3", "4", "5", "6", "7", "8"}:
        raise _Bad(f"transmission type {f[1]!r} is not 1-8")
    icao = f[4].upper()
    if not _HEX_IDENT.fullmatch(icao):
        raise _Bad(f"hex ident {f[4]!r} is not 6 hex digits")
    squawk = f[17] or None
    if squawk is not None and not _SQUAWK.fullmatch(squawk):
        raise _Bad(f"squawk {squawk!r} is not 4 octal digits")
    lat = _number(f[14], "latitude", -90.0, 90.0)
    lon = _number(f[15], "longitude", -180.0, 180.0)
    return SbsMessage(
        transmission_type=int(f[1]),
        session_id=f[2],
        aircraft_id=f[3],
        icao=icao,
        flight_id=f[5],
        generated_unix_s=_when(f[6], f[7], "generated"),
        logged_unix_s=_when(f[8], f[9], "logged"),
        callsign=f[10].strip(),
        altitude_m=_convert(_number(f[11], "altitude", -2000.0, 200000.0), ft2m(1.0)),
        ground_speed_mps=_convert(_number(f[12], "ground speed", 0.0, 5000.0), kt2mps(1.0)),
        track_rad=_convert(_number(f[13], "track", -360.0, 360.0), math.pi / 180.0),
        lat_rad=None if lat is None else math.radians(lat),
        lon_rad=None if lon is None else math.radians(lon),
        vertical_rate_mps=_convert(
            _number(f[16], "vertical rate", -100000, 100000), ft2m(1.0) / 60
        ),
        squawk=squawk,
        alert=_flag(f[18], "alert"),
        emergency=_flag(f[19], "emergency"),
        spi=_flag(f[20], "SPI"),
        on_ground=_flag(f[21], "on-ground"),
    )


def parse_line(line: str | bytes) -> SbsMessage:
    """Parse one SBS-1 line (trailing CR/LF allowed); DecodeError naming the line if it is not one."""
    raw = line if isinstance(line, bytes) else line.encode("utf-8", "surrogateescape")
    if len(raw) > _MAX_LINE:
        raise DecodeError(
            f"SBS line of {len(raw)} bytes is longer than {_MAX_LINE}", data=raw[:_MAX_LINE]
        )
    try:
        text = raw.decode("ascii").rstrip("\r\n")
    except UnicodeDecodeError:
        raise DecodeError(f"SBS line {raw!r} is not ASCII", data=raw) from None
    f = text.split(",")
    if len(f) != N_FIELDS:
        what = "missing" if len(f) < N_FIELDS else "extra"
        raise DecodeError(
            f"SBS line {text!r}: {len(f)} fields ({what} fields; expected {N_FIELDS})", data=raw
        )
    try:
        return _fields(f)
    except _Bad as exc:
        raise DecodeError(f"SBS line {text!r}: {exc}", data=raw) from None
