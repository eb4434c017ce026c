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


def _is_repeated(desc: Any) -> bool:
    return bool(desc.is_repeated)


def _walk(msg: Message, path: str) -> Iterator[str]:
    unknown_fields: Any = UnknownFieldSet(msg)
    for unknown in unknown_fields:
        yield f"{path or '(root)'}: unknown field number {unknown.field_number}"
    for oneof in msg.DESCRIPTOR.oneofs:
        oneof_opts: Any = oneof.GetOptions().Extensions
        opts = oneof_opts[proto_options_pb2.oneof_options]
        if opts.is_mandatory and msg.WhichOneof(oneof.name) is None:
            yield f"{path or '(root)'}: mandatory one-of '{oneof.name}' not set"
    present: dict[Any, Any] = dict(msg.ListFields())
    fields: list[Any] = list(msg.DESCRIPTOR.fields)
    for desc in fields:
        where = f"{path}.{desc.name}" if path else desc.name
        opts = _options(desc)
        value = present.get(desc)
        if value is None:
            if opts.is_mandatory:
                yield f"{where}: mandatory field missing"
            continue
        values = list(value) if _is_repeated(desc) else [value]
        for i, v in enumerate(values):
            at = f"{where}[{i}]" if _is_repeated(desc) else where
            if opts.is_ulid and not (isinstance(v, str) and ULID_RE.fullmatch(v)):
                yield f"{at}: not a ULID: {v!r}"
            if opts.is_uuid and not (isinstance(v, str) and UUID4_RE.fullmatch(v)):
                yield f"{at}: not a lower-case version-4 UUID: {v!r}"
            if desc.type == FieldDescriptor.TYPE_ENUM and v not in desc.enum_type.values_by_number:
                yield f"{at}: unknown {desc.enum_type.name} value {v}"
            if desc.type == FieldDescriptor.TYPE_MESSAGE and desc.message_type.full_name.startswith(
                "sapient_msg."
            ):
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
