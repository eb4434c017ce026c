"""SAPIENT (BSI Flex 335 v2.0) codecs: framing, validation, messages, and a fusion node's handler.

    parse_frames(buf, max_message_bytes=...) -> (payloads, remainder)    frame(payload) -> bytes
    decode_message(payload) -> SapientMessage     encode_message(msg) -> framed bytes
    validate(msg, received_utc_s=...) -> problems
    registration_ack / task_look_at / task_stop / alert_message / error_message -> SapientMessage
    FusionNode(...).handle(payload, received_utc_s) -> Outcome(records, replies, problems)

Bindings: PyPI `sapient-proto` (module `sapient_msg`, protobuf 7).
"""

from __future__ import annotations

from bastion.codecs.sapient.convert import SapientDetection, detection_to_record, location_to_enu
from bastion.codecs.sapient.framing import DEFAULT_MAX_MESSAGE_BYTES, frame, parse_frames
from bastion.codecs.sapient.ids import make_ulid
from bastion.codecs.sapient.messages import (
    alert_message,
    decode_message,
    encode_message,
    error_message,
    registration_ack,
    task_look_at,
    task_stop,
)
from bastion.codecs.sapient.node import (
    FusionNode,
    NodeRegistration,
    NodeStatus,
    Outcome,
    SapientReceived,
    SapientRecord,
)
from bastion.codecs.sapient.validate import TimestampWindow, validate

__all__ = [
    "DEFAULT_MAX_MESSAGE_BYTES",
    "FusionNode",
    "NodeRegistration",
    "NodeStatus",
    "Outcome",
    "SapientDetection",
    "SapientReceived",
    "SapientRecord",
    "TimestampWindow",
    "alert_message",
    "decode_message",
    "detection_to_record",
    "encode_message",
    "error_message",
    "frame",
    "location_to_enu",
    "make_ulid",
    "parse_frames",
    "registration_ack",
    "task_look_at",
    "task_stop",
    "validate",
]
