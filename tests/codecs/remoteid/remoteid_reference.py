"""Remote ID reference data: where it lives, and the reference decoder's field names (the C
struct members of ODID_*_data) -> our record fields, each with the conversion from the reference's
units and sentinels to ours. Shared by the golden and the schema drift tests; the conversions are
written here, independently of the codec."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bastion.codecs.remoteid import (
    AuthPage,
    BasicId,
    Broadcast,
    Location,
    OperatorId,
    SelfId,
    System,
)
from bastion.core.errors import DecodeError

DATA = Path(__file__).parents[2] / "data" / "remoteid"
CAPTURES = ("odid_wifi_bcn_sample.pcap", "odid_wifi_sample.pcap", "odid_bt5_lr_sample.pcapng")
Extracted = dict[tuple[str, int], Broadcast | DecodeError | None]

EPOCH_2019 = 1546300800

Convert = Callable[[Any], Any]


def same(v: Any) -> Any:
    return v


def rad(v: float) -> float:
    return math.radians(v)


def altitude(v: float) -> float | None:
    return None if v == -1000 else float(v)


def direction(v: float) -> float | None:
    return None if v > 360 else math.radians(v)


def speed_h(v: float) -> float | None:
    return None if v == 255 else float(v)


def speed_v(v: float) -> float | None:
    return None if abs(v) > 62 else float(v)


def timestamp_tenths(v: float) -> float | None:
    return None if v > 3600 else v


def stamp_2019(v: int) -> int | None:
    return None if v == 0 else v + EPOCH_2019


COMMON = {"hex", "proto_version", "msg_type", "type", "rc"}
"""Reference keys every message has: checked separately (or, `rc`, always 0)."""

RECORDS: dict[str, type] = {
    "BasicID": BasicId,
    "Location": Location,
    "Auth": AuthPage,
    "SelfID": SelfId,
    "System": System,
    "OperatorID": OperatorId,
}

FIELDS: dict[str, dict[str, tuple[str, Convert]]] = {
    "BasicID": {
        "IDType": ("id_type", same),
        "UAType": ("ua_type", same),
        "UASID": ("uas_id", same),
    },
    "Location": {
        "Status": ("status", same),
        "Direction": ("direction_rad", direction),
        "SpeedHorizontal": ("speed_horizontal_mps", speed_h),
        "SpeedVertical": ("speed_vertical_mps", speed_v),
        "Latitude": ("lat_rad", rad),
        "Longitude": ("lon_rad", rad),
        "AltitudeBaro": ("altitude_baro_m", altitude),
        "AltitudeGeo": ("altitude_geo_m", altitude),
        "HeightType": ("height_type", same),
        "Height": ("height_m", altitude),
        "HorizAccuracy": ("horizontal_accuracy", same),
        "VertAccuracy": ("vertical_accuracy", same),
        "BaroAccuracy": ("baro_accuracy", same),
        "SpeedAccuracy": ("speed_accuracy", same),
        "TSAccuracy": ("timestamp_accuracy", same),
        "TimeStamp": ("timestamp_s", timestamp_tenths),
    },
    "Auth": {
        "DataPage": ("page", same),
        "AuthType": ("auth_type", same),
        "LastPageIndex": ("last_page_index", same),
        "Length": ("length_bytes", same),
        "Timestamp": ("timestamp_unix_s", stamp_2019),
    },
    "SelfID": {"DescType": ("description_type", same), "Desc": ("description", same)},
    "System": {
        "OperatorLocationType": ("operator_location_type", same),
        "ClassificationType": ("classification_type", same),
        "OperatorLatitude": ("operator_lat_rad", rad),
        "OperatorLongitude": ("operator_lon_rad", rad),
        "AreaCount": ("area_count", same),
        "AreaRadius": ("area_radius_m", float),
        "AreaCeiling": ("area_ceiling_m", altitude),
        "AreaFloor": ("area_floor_m", altitude),
        "CategoryEU": ("category_eu", same),
        "ClassEU": ("class_eu", same),
        "OperatorAltitudeGeo": ("operator_altitude_geo_m", altitude),
        "Timestamp": ("timestamp_unix_s", stamp_2019),
    },
    "OperatorID": {
        "OperatorIdType": ("operator_id_type", same),
        "OperatorId": ("operator_id", same),
    },
}
"""Per reference message type: reference key -> (our field, conversion of the reference value)."""

OURS_ONLY = {"protocol_version", "flags", "data"}
"""Record fields with no reference key: `protocol_version` is checked against `proto_version`,
`flags` is Bastion's, and authentication `data` is not in the reference's decoded dump."""


def close(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6)
    return bool(got == want)
