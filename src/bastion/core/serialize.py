"""Events to and from JSON: deterministic, byte-stable, and exact on the way back.

Layout of one event (keys sorted, no spaces, ASCII only; shown spread out here)::

    {"kind": "track_updated",                 EventKind value
     "payload": {"n_updates": 4,              the payload record's fields, sorted ...
                 "position_m": [1.5, -2.0, 300.0],   ... tuples as lists
                 ...,
                 "type": "TrackReport"},      ... plus the payload record's class name
     "seq": 12, "subject_id": 7, "t_s": 3.25}

Floats are written with `repr`, so every finite float reads back to the identical value (``-0.0``
included); the non-finite floats, which JSON cannot hold, are written as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``. Enums are written as their string values. Decoding goes through
a lookup table from class name to record class, built from the `Payload` union, and checks every
field's type against the record's annotations, so a line that does not describe exactly one valid
event raises `DecodeError`, never a half-built record. A field added after event logs were recorded
(metadata `records.ADDED_FIELD`) is left out while it holds its default and read as its default when
missing: older logs and stores still load, and records that do not use it keep their bytes.
"""

from __future__ import annotations

import dataclasses
import json
import math
import typing
from collections.abc import Callable, Mapping
from enum import Enum
from types import MappingProxyType, UnionType
from typing import Any, Final

from bastion.core.errors import DecodeError
from bastion.core.records import Event, Payload

__all__ = [
    "PAYLOAD_TYPES",
    "TYPE_TAG",
    "event_from_json",
    "event_to_json",
    "payload_from_json",
    "payload_to_json",
]

TYPE_TAG: Final = "type"
"""Key of the payload object that names the payload record class."""

_REQUIRED: Final = object()
"""The `_Fields` default of a field that every event must carry."""

_NON_FINITE: Final[Mapping[str, float]] = MappingProxyType(
    {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
)

# A field codec turns a field value into a JSON-ready value and back (the way back validates).
_Encode = Callable[[Any], Any]
_Decode = Callable[[Any, str], Any]


class _Invalid(Exception):
    """A JSON value that does not fit a field; `where` names the field."""


def _encode_float(value: Any) -> Any:
    x = float(value)
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _decode_float(value: Any, where: str) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"{where}: expected a number, got {value!r}")
    return float(value)


def _encode_int(value: Any) -> Any:
    return int(value)


def _decode_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"{where}: expected an integer, got {value!r}")
    return value


def _encode_str(value: Any) -> Any:
    return str(value)


def _decode_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(f"{where}: expected a string, got {value!r}")
    return value


def _enum_codec(enum_type: type[Enum]) -> tuple[_Encode, _Decode]:
    def encode(value: Any) -> Any:
        return enum_type(value).value

    def decode(value: Any, where: str) -> Any:
        try:
            return enum_type(value)
        except ValueError:
            raise _Invalid(f"{where}: {value!r} is not a valid {enum_type.__name__}") from None

    return encode, decode


def _tuple_codec(items: tuple[tuple[_Encode, _Decode], ...]) -> tuple[_Encode, _Decode]:
    def encode(value: Any) -> Any:
        return [enc(v) for (enc, _), v in zip(items, value, strict=True)]

    def decode(value: Any, where: str) -> Any:
        if not isinstance(value, list) or len(value) != len(items):
            raise _Invalid(f"{where}: expected a list of {len(items)}, got {value!r}")
        return tuple(
            dec(v, f"{where}[{i}]")
            for i, ((_, dec), v) in enumerate(zip(items, value, strict=True))
        )

    return encode, decode


def _codec_for(annotation: Any) -> tuple[_Encode, _Decode]:
    """The codec of one annotated field type; unsupported types fail at import, not at run time."""
    if annotation is float:
        return _encode_float, _decode_float
    if annotation is int:
        return _encode_int, _decode_int
    if annotation is str:
        return _encode_str, _decode_str
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum_codec(annotation)
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and args and Ellipsis not in args:
        return _tuple_codec(tuple(_codec_for(a) for a in args))
    raise TypeError(f"serialize: no JSON codec for field type {annotation!r}")


_Fields = tuple[tuple[str, _Encode, _Decode, Any], ...]


def _default(f: dataclasses.Field[Any]) -> Any:
    """An added field's default (metadata `records.ADDED_FIELD`), else `_REQUIRED`."""
    if not f.metadata.get("added", False):
        return _REQUIRED
    if f.default is dataclasses.MISSING:
        raise TypeError(f"serialize: added field {f.name} has no default")
    return f.default


def _record_fields(cls: type[Any], skip: frozenset[str] = frozenset()) -> _Fields:
    """(name, encode, decode, default) of every field of a record class, from its annotations;
    the default is `_REQUIRED` but for fields marked `ADDED_FIELD`."""
    hints = typing.get_type_hints(cls)
    fields = [f for f in dataclasses.fields(cls) if f.name not in skip]
    if TYPE_TAG in (f.name for f in fields):
        raise TypeError(f"serialize: {cls.__name__}.{TYPE_TAG} clashes with the type tag")
    return tuple((f.name, *_codec_for(hints[f.name]), _default(f)) for f in fields)


def _payload_classes() -> tuple[type[Any], ...]:
    hints = typing.get_type_hints(Event)
    union = hints["payload"]
    if not isinstance(union, UnionType):
        raise TypeError(f"serialize: Event.payload must be a union of records, not {union!r}")
    return typing.get_args(union)


PAYLOAD_TYPES: Final[Mapping[str, type[Any]]] = MappingProxyType(
    {cls.__name__: cls for cls in _payload_classes()}
)
"""Lookup table from the `type` tag to the payload record class (every member of `Payload`)."""

_PAYLOAD_FIELDS: Final[Mapping[type[Any], _Fields]] = MappingProxyType(
    {cls: _record_fields(cls) for cls in PAYLOAD_TYPES.values()}
)


_EVENT_FIELDS: Final[_Fields] = _record_fields(Event, skip=frozenset({"payload"}))


def _dumps(obj: Mapping[str, Any]) -> str:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def _payload_obj(payload: Payload) -> dict[str, Any]:
    cls = type(payload)
    fields = _PAYLOAD_FIELDS.get(cls)
    if fields is None:
        raise TypeError(f"serialize: {cls.__name__} is not a payload record")
    obj: dict[str, Any] = {}
    for name, enc, _, default in fields:
        value = getattr(payload, name)
        if default is _REQUIRED or value != default:
            obj[name] = enc(value)
    obj[TYPE_TAG] = cls.__name__
    return obj


def _decode_fields(obj: Any, fields: _Fields, what: str, extra: frozenset[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _Invalid(f"{what}: expected an object, got {type(obj).__name__}")
    names = {name for name, _, _, _ in fields}
    required = {name for name, _, _, default in fields if default is _REQUIRED}
    missing = sorted(required - obj.keys())
    unknown = sorted(obj.keys() - names - extra)
    if missing or unknown:
        raise _Invalid(f"{what}: missing fields {missing}, unknown fields {unknown}")
    return {
        name: dec(obj[name], f"{what}.{name}") if name in obj else default
        for name, _, dec, default in fields
    }


def _payload_from_obj(obj: Any, what: str) -> Payload:
    if not isinstance(obj, dict):
        raise _Invalid(f"{what}: expected an object, got {type(obj).__name__}")
    tag = obj.get(TYPE_TAG)
    cls = PAYLOAD_TYPES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise _Invalid(f"{what}.{TYPE_TAG}: {tag!r} is not a payload type")
    values = _decode_fields(obj, _PAYLOAD_FIELDS[cls], what, frozenset({TYPE_TAG}))
    payload: Payload = cls(**values)
    return payload


def _reject_constant(name: str) -> Any:
    raise ValueError(f"bare {name} is not JSON (write it as the string {name!r})")


def _loads(text: str | bytes) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DecodeError(f"not valid JSON: {exc}", data=_as_bytes(text)) from None


def _as_bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8", "backslashreplace")


def payload_to_json(payload: Payload) -> str:
    """One payload record as deterministic JSON, tagged with its class name under ``"type"``."""
    return _dumps(_payload_obj(payload))


def payload_from_json(text: str | bytes) -> Payload:
    """The payload record `payload_to_json` wrote; raises `DecodeError` on anything else."""
    obj = _loads(text)
    try:
        return _payload_from_obj(obj, "payload")
    except _Invalid as exc:
        raise DecodeError(f"not a Bastion payload: {exc}", data=_as_bytes(text)) from None


def event_to_json(event: Event) -> str:
    """One event as deterministic, byte-stable JSON (one line, no trailing newline)."""
    obj: dict[str, Any] = {name: enc(getattr(event, name)) for name, enc, _, _ in _EVENT_FIELDS}
    obj["payload"] = _payload_obj(event.payload)
    return _dumps(obj)


def event_from_json(text: str | bytes) -> Event:
    """The event `event_to_json` wrote, rebuilt as the same frozen records.

    Raises `DecodeError` (carrying the offending text) if `text` is not JSON, names an unknown
    payload type, misses or adds a field, or holds a value of the wrong type.
    """
    obj = _loads(text)
    try:
        values = _decode_fields(obj, _EVENT_FIELDS, "event", frozenset({"payload"}))
        if "payload" not in obj:
            raise _Invalid("event: missing fields ['payload']")
        values["payload"] = _payload_from_obj(obj["payload"], "event.payload")
    except _Invalid as exc:
        raise DecodeError(f"not a Bastion event: {exc}", data=_as_bytes(text)) from None
    return Event(**values)
