"""SAPIENT v2.0 message validation, driven by the standard's own field options.

The v2.0 `.proto` files annotate fields with `sapient_msg.proto_options.field_options`
(`is_mandatory`, `is_ulid`, `is_uuid`) and oneofs with `oneof_options` (`is_mandatory`); the checks
below walk any message's descriptor and apply them, as the reference middleware (Apex) does:

- mandatory fields present (a repeated mandatory field has at least one element), mandatory
  oneofs set (a `SapientMessage` must carry one content message);
- ULIDs: 26 characters of Crockford base32, first character 0-7, upper case;
  UUIDs (node ids): version 4, lower case, hyphenated (``8-4-4-4-12``);
- no enum value outside its enum, no unknown field;
- the message timestamp inside a window about its arrival, default -0.9 s .. +0.1 s (Apex's
  default; the message may be up to 0.9 s old and 0.1 s early), and the ICD version of a
  registration equal to "BSI Flex 335 v2.0".

`validate` returns problems, one string each naming the field path; it never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from sapient_msg import proto_options_pb2
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage

ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
UUID4_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
ICD_VERSION = "BSI Flex 335 v2.0"


@dataclass(frozen=True, slots=True, kw_only=True)
class TimestampWindow:
    """Accepted message timestamp minus arrival time, seconds: `min_s` <= delta <= `max_s`."""

    min_s: float = -0.9
    max_s: float = 0.1


DEFAULT_WINDOW = TimestampWindow()


def _options(desc: Any) -> proto_options_pb2.ValidationOptions:
    opts: proto_options_pb2.ValidationOptions = desc.GetOptions().Extensions[
        proto_options_pb2.field_options
    ]
    return opts


@dataclass(frozen=True, slots=True)
class _Field:
    """What the checks need of one field, read once per message type (options lookups through
    protobuf's descriptors cost about 2 us each, 40 per detection report)."""

    desc: Any
    name: str
    mandatory: bool
    ulid: bool
    uuid: bool
    repeated: bool
    enum_values: Any  # the enum's values_by_number, or None
    enum_name: str
    nested: bool  # a sapient_msg message: walked into


@dataclass(frozen=True, slots=True)
class _Plan:
    mandatory_oneofs: tuple[str, ...]
    fields: tuple[_Field, ...]


_PLANS: dict[str, _Plan] = {}


def _plan(descriptor: Any) -> _Plan:
    plan = _PLANS.get(descriptor.full_name)
    if plan is not None:
        return plan
    oneofs = tuple(
        o.name
        for o in descriptor.oneofs
        if o.GetOptions().Extensions[proto_options_pb2.oneof_options].is_mandatory
    )
    fields = []
    for desc in descriptor.fields:
        opts = _options(desc)
        is_enum = desc.type == FieldDescriptor.TYPE_ENUM
        fields.append(
            _Field(
                desc=desc,
                name=desc.name,
                mandatory=bool(opts.is_mandatory),
                ulid=bool(opts.is_ulid),
                uuid=bool(opts.is_uuid),
                repeated=bool(desc.is_repeated),
                enum_values=desc.enum_type.values_by_number if is_enum else None,
                enum_name=desc.enum_type.name if is_enum else "",
                nested=desc.type == FieldDescriptor.TYPE_MESSAGE
                and desc.message_type.full_name.startswith("sapient_msg."),
            )
        )
    plan = _PLANS[descriptor.full_name] = _Plan(mandatory_oneofs=oneofs, fields=tuple(fields))
    return plan


def _walk(msg: Message, path: str) -> Iterator[str]:
    unknown_fields: Any = UnknownFieldSet(msg)
    for unknown in unknown_fields:
        yield f"{path or '(root)'}: unknown field number {unknown.field_number}"
    plan = _plan(msg.DESCRIPTOR)
    for name in plan.mandatory_oneofs:
        if msg.WhichOneof(name) is None:
            yield f"{path or '(root)'}: mandatory one-of '{name}' not set"
    present: dict[Any, Any] = dict(msg.ListFields())
    for f in plan.fields:
        where = f"{path}.{f.name}" if path else f.name
        value = present.get(f.desc)
        if value is None:
            if f.mandatory:
                yield f"{where}: mandatory field missing"
            continue
        if not (f.ulid or f.uuid or f.nested or f.enum_values is not None):
            continue
        values = list(value) if f.repeated else [value]
        for i, v in enumerate(values):
            at = f"{where}[{i}]" if f.repeated else where
            if f.ulid and not (isinstance(v, str) and ULID_RE.fullmatch(v)):
                yield f"{at}: not a ULID: {v!r}"
            if f.uuid and not (isinstance(v, str) and UUID4_RE.fullmatch(v)):
                yield f"{at}: not a lower-case version-4 UUID: {v!r}"
            if f.enum_values is not None and v not in f.enum_values:
                yield f"{at}: unknown {f.enum_name} value {v}"
            if f.nested:
                yield from _walk(v, at)


def validate(
    msg: SapientMessage,
    *,
    received_utc_s: float | None = None,
    window: TimestampWindow | None = None,
) -> list[str]:
    """Every problem with `msg` as the standard defines them; [] if it is valid.

    `received_utc_s` is the arrival time (POSIX seconds, UTC); None skips the timestamp window
    (for stored or replayed messages judged elsewhere).
    """
    window = window or DEFAULT_WINDOW
    problems = list(_walk(msg, ""))
    if received_utc_s is not None and msg.HasField("timestamp"):
        delta = msg.timestamp.seconds + msg.timestamp.nanos * 1e-9 - received_utc_s
        if not window.min_s <= delta <= window.max_s:
            problems.append(
                f"timestamp: {delta:+.3f} s from arrival, outside "
                f"[{window.min_s:+.3f}, {window.max_s:+.3f}] s"
            )
    if msg.HasField("registration") and msg.registration.icd_version != ICD_VERSION:
        problems.append(
            f"registration.icd_version: {msg.registration.icd_version!r} is not {ICD_VERSION!r}"
        )
    return problems
