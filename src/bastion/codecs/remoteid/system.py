"""System message (type 0x4): where the operator is, and the area and class of the operation.

Layout (25 bytes, ASTM F3411-22a Table 12; multi-byte fields little-endian)::

    byte 0      bits 7-4 message type (0x4)   bits 3-0 protocol version
    byte 1      bits 7-5 reserved   bits 4-2 classification type   bits 1-0 operator location type
    bytes 2-5   operator latitude, int32 * 1e-7 degree
    bytes 6-9   operator longitude, int32 * 1e-7 degree
    bytes 10-11 area count (number of aircraft in the area)
    byte 12     area radius, n * 10 m
    bytes 13-14 area ceiling, uint16 * 0.5 m - 1000 m (0 = unknown)
    bytes 15-16 area floor, same encoding
    byte 17     bits 7-4 UA category (EU)   bits 3-0 UA class (EU)
    bytes 18-19 operator geodetic altitude (WGS-84 HAE), altitude encoding
    bytes 20-23 timestamp, uint32 seconds since 2019-01-01T00:00:00Z
    byte 24     reserved

Operator location type: 0 take-off point, 1 live GNSS, 2 fixed location. Classification type:
0 undeclared, 1 European Union. Protocol versions 0 and 1 left bytes 18-23 reserved (zero).
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.codecs.remoteid._fields import altitude_m, header, i32, latlon_rad, u16, u32
from bastion.codecs.remoteid.auth import EPOCH_2019_UNIX_S

__all__ = ["System", "decode_system"]

MESSAGE_TYPE = 0x4


@dataclass(frozen=True, slots=True, kw_only=True)
class System:
    """A decoded System message: the operator's position (WGS-84 radians, HAE metres) and the area.

    `timestamp_unix_s` is POSIX seconds, None when the field is 0 (unknown, or protocol < 2).
    """

    protocol_version: int
    operator_location_type: int
    classification_type: int
    operator_lat_rad: float
    operator_lon_rad: float
    area_count: int
    area_radius_m: float
    area_ceiling_m: float | None
    area_floor_m: float | None
    category_eu: int
    class_eu: int
    operator_altitude_geo_m: float | None
    timestamp_unix_s: int | None
    flags: tuple[str, ...] = ()

    @property
    def operator_position_known(self) -> bool:
        """True unless the operator's latitude/longitude are 0/0 (unknown) or out of range."""
        bad = {"operator_latitude_out_of_range", "operator_longitude_out_of_range"} & set(
            self.flags
        )
        return not bad and (self.operator_lat_rad, self.operator_lon_rad) != (0.0, 0.0)


def decode_system(data: bytes) -> System:
    """Decode one 25-byte System message; DecodeError if it is not one."""
    version, flags = header(data, MESSAGE_TYPE, "System")
    if data[1] & 0x03 == 3:
        flags.append("operator_location_type_reserved")
    lat = latlon_rad(i32(data, 2), 90.0, "operator_latitude", flags)
    lon = latlon_rad(i32(data, 6), 180.0, "operator_longitude", flags)
    stamp = u32(data, 20)
    return System(
        protocol_version=version,
        operator_location_type=data[1] & 0x03,
        classification_type=(data[1] >> 2) & 0x07,
        operator_lat_rad=lat,
        operator_lon_rad=lon,
        area_count=u16(data, 10),
        area_radius_m=data[12] * 10.0,
        area_ceiling_m=altitude_m(u16(data, 13)),
        area_floor_m=altitude_m(u16(data, 15)),
        category_eu=data[17] >> 4,
        class_eu=data[17] & 0x0F,
        operator_altitude_geo_m=altitude_m(u16(data, 18)),
        timestamp_unix_s=stamp + EPOCH_2019_UNIX_S if stamp else None,
        flags=tuple(flags),
    )
