"""Location/Vector message (type 0x1): where the unmanned aircraft is and how it moves.

Layout (25 bytes, ASTM F3411-22a Table 6; multi-byte fields little-endian)::

    byte 0      bits 7-4 message type (0x1)   bits 3-0 protocol version
    byte 1      bits 7-4 operational status   bit 3 reserved   bit 2 height type
                bit 1 E/W direction segment   bit 0 speed multiplier
    byte 2      track direction: degrees, +180 if the E/W bit is set; 361 = unknown
    byte 3      horizontal speed: n * 0.25 m/s (multiplier 0), n * 0.75 + 63.75 m/s (multiplier 1);
                255 m/s = unknown
    byte 4      vertical speed, int8 * 0.5 m/s, up positive; 63 m/s = unknown
    bytes 5-8   latitude, int32 * 1e-7 degree          bytes 9-12  longitude, int32 * 1e-7 degree
    bytes 13-14 pressure altitude, uint16 * 0.5 m - 1000 m (0 = unknown)
    bytes 15-16 geodetic altitude (WGS-84 HAE), same encoding
    bytes 17-18 height above take-off (height type 0) or ground (1), same encoding
    byte 19     bits 7-4 vertical accuracy      bits 3-0 horizontal accuracy
    byte 20     bits 7-4 barometric alt. accuracy  bits 3-0 speed accuracy
    bytes 21-22 timestamp: tenths of a second since the start of the hour; 0xFFFF = unknown
    byte 23     bits 7-4 reserved   bits 3-0 timestamp accuracy (n * 0.1 s; 0 unknown)
    byte 24     reserved

Status: 0 undeclared, 1 ground, 2 airborne, 3 emergency, 4 remote ID system failure, 5-15 reserved.
Latitude and longitude 0/0 mean unknown. Values outside the encodable or physical ranges are kept as
decoded (as the reference decoder keeps them) and named in `flags`, so no consumer trusts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bastion.codecs.remoteid._fields import altitude_m, header, i32, latlon_rad, u16

__all__ = ["Location", "decode_location"]

MESSAGE_TYPE = 0x1
DIRECTION_UNKNOWN_DEG = 361
SPEED_UNKNOWN_MPS = 255.0
VSPEED_UNKNOWN_MPS = 63.0
VSPEED_MAX_MPS = 62.0
TIMESTAMP_UNKNOWN = 0xFFFF
TIMESTAMP_MAX = 36000


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """A decoded Location/Vector message; None where the message says unknown.

    `direction_rad` is the track over ground clockwise from true north; `speed_horizontal_mps`
    ground speed; `speed_vertical_mps` up positive; `lat_rad`/`lon_rad` WGS-84; altitudes metres
    (`altitude_baro_m` pressure altitude, `altitude_geo_m` height above the WGS-84 ellipsoid,
    `height_m` above take-off or ground per `height_type`); `timestamp_s` seconds after the hour.
    The accuracies are the standard's enumeration codes.
    """

    protocol_version: int
    status: int
    height_type: int
    direction_rad: float | None
    speed_horizontal_mps: float | None
    speed_vertical_mps: float | None
    lat_rad: float
    lon_rad: float
    altitude_baro_m: float | None
    altitude_geo_m: float | None
    height_m: float | None
    horizontal_accuracy: int
    vertical_accuracy: int
    baro_accuracy: int
    speed_accuracy: int
    timestamp_accuracy: int
    timestamp_s: float | None
    flags: tuple[str, ...] = ()

    @property
    def position_known(self) -> bool:
        """True unless latitude and longitude are both 0 (unknown) or flagged out of range."""
        bad = {"latitude_out_of_range", "longitude_out_of_range"} & set(self.flags)
        return not bad and (self.lat_rad, self.lon_rad) != (0.0, 0.0)


def _direction(data: bytes, flags: list[str]) -> float | None:
    deg = data[2] + (180 if data[1] & 0x02 else 0)
    if deg == DIRECTION_UNKNOWN_DEG:
        return None
    if deg > 360:
        flags.append("direction_out_of_range")
        return None
    return math.radians(deg)


def _speeds(data: bytes, flags: list[str]) -> tuple[float | None, float | None]:
    horizontal = data[3] * 0.75 + 63.75 if data[1] & 0x01 else data[3] * 0.25
    vertical = int.from_bytes(data[4:5], "little", signed=True) * 0.5
    h = None if horizontal == SPEED_UNKNOWN_MPS else horizontal
    v: float | None = vertical
    if vertical == VSPEED_UNKNOWN_MPS:
        v = None
    elif abs(vertical) > VSPEED_MAX_MPS:
        flags.append("speed_vertical_out_of_range")
        v = None
    return h, v


def decode_location(data: bytes) -> Location:
    """Decode one 25-byte Location/Vector message; DecodeError if it is not one."""
    version, flags = header(data, MESSAGE_TYPE, "Location")
    status = data[1] >> 4
    if status > 4:
        flags.append("status_reserved")
    direction = _direction(data, flags)
    speed_h, speed_v = _speeds(data, flags)
    lat = latlon_rad(i32(data, 5), 90.0, "latitude", flags)
    lon = latlon_rad(i32(data, 9), 180.0, "longitude", flags)
    stamp = u16(data, 21)
    timestamp: float | None = None
    if stamp != TIMESTAMP_UNKNOWN:
        if stamp > TIMESTAMP_MAX:
            flags.append("timestamp_out_of_range")
        else:
            timestamp = stamp / 10.0
    return Location(
        protocol_version=version,
        status=status,
        height_type=(data[1] >> 2) & 0x01,
        direction_rad=direction,
        speed_horizontal_mps=speed_h,
        speed_vertical_mps=speed_v,
        lat_rad=lat,
        lon_rad=lon,
        altitude_baro_m=altitude_m(u16(data, 13)),
        altitude_geo_m=altitude_m(u16(data, 15)),
        height_m=altitude_m(u16(data, 17)),
        horizontal_accuracy=data[19] & 0x0F,
        vertical_accuracy=data[19] >> 4,
        baro_accuracy=data[20] >> 4,
        speed_accuracy=data[20] & 0x0F,
        timestamp_accuracy=data[23] & 0x0F,
        timestamp_s=timestamp,
        flags=tuple(flags),
    )
