"""Bastion as a SAPIENT fusion node: what to do with each message a sensor node sends.

Stateful (it remembers which nodes registered and where they are), kept apart from the pure codecs
and given the arrival time as an argument. For each frame payload `handle` returns the records to
feed the pipeline, the replies to send back on the same connection, and the problems found:

    undecodable or invalid (validate.py)   -> Error (quoting the packet and every problem)
    Registration                            -> NodeRegistration record, RegistrationAck
    StatusReport                            -> NodeStatus record (node location kept for bearings)
    DetectionReport                         -> SapientDetection record (a one-row DetectionBatch)
    anything else (TaskAck, AlertAck, ...)  -> SapientReceived record, no reply
    StatusReport or DetectionReport from a node that has not registered -> Error
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sapient_msg.bsi_flex_335_v2_0.registration_pb2 import Registration
from sapient_msg.bsi_flex_335_v2_0.sapient_message_pb2 import SapientMessage
from sapient_msg.bsi_flex_335_v2_0.status_report_pb2 import StatusReport

from bastion.codecs.sapient.convert import SapientDetection, detection_to_record, location_to_enu
from bastion.codecs.sapient.messages import decode_message, error_message, registration_ack
from bastion.codecs.sapient.validate import DEFAULT_WINDOW, TimestampWindow, validate
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.records import Vec3


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeRegistration:
    """A sensor node registered: its id (UUID), names and node types."""

    node_id: str
    t_s: float
    name: str
    short_name: str
    node_types: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeStatus:
    """A node's status report: system state, mode, and its position in site ENU if it gave one."""

    node_id: str
    t_s: float
    system: str
    mode: str
    position_m: Vec3 | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SapientReceived:
    """A valid message Bastion does not act on (its content kind, e.g. ``task_ack``)."""

    node_id: str
    t_s: float
    kind: str


SapientRecord = NodeRegistration | NodeStatus | SapientDetection | SapientReceived


@dataclass(slots=True)
class Outcome:
    """What one message produced."""

    records: list[SapientRecord] = field(default_factory=list)
    replies: list[SapientMessage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class FusionNode:
    """Answers sensor nodes as a SAPIENT fusion node with UUID `node_id` on `site`."""

    def __init__(
        self,
        *,
        node_id: str,
        site: Site,
        epoch: RunEpoch,
        window: TimestampWindow = DEFAULT_WINDOW,
        default_sigma_m: float = 10.0,
        default_sigma_rad: float = math.radians(1.0),
    ) -> None:
        """`default_sigma_*` stand in for detection errors a node does not report (m, rad)."""
        self.node_id = node_id
        self._site = site
        self._epoch = epoch
        self._window = window
        self._default_sigma_m = default_sigma_m
        self._default_sigma_rad = default_sigma_rad
        self.registered: dict[str, NodeRegistration] = {}
        self.positions: dict[str, Vec3] = {}

    def _reject(self, payload: bytes, sender: str, problems: list[str], utc_s: float) -> Outcome:
        reply = error_message(
            payload, problems, our_node_id=self.node_id, destination_id=sender, utc_s=utc_s
        )
        return Outcome(replies=[reply], problems=problems)

    def handle(self, payload: bytes, received_utc_s: float) -> Outcome:
        """Handle one frame payload that arrived at POSIX time `received_utc_s` (s)."""
        try:
            msg = decode_message(payload)
        except DecodeError as exc:
            return self._reject(payload, "", [str(exc)], received_utc_s)
        problems = validate(msg, received_utc_s=received_utc_s, window=self._window)
        if problems:
            return self._reject(payload, msg.node_id, problems, received_utc_s)
        t_s = self._epoch.from_utc_s(msg.timestamp.seconds + msg.timestamp.nanos * 1e-9)
        kind = msg.WhichOneof("content") or ""
        sender = msg.node_id
        if kind in ("status_report", "detection_report") and sender not in self.registered:
            return self._reject(payload, sender, [f"{kind} from unregistered node"], received_utc_s)
        try:
            return self._dispatch(msg, kind, t_s, received_utc_s)
        except DecodeError as exc:
            return self._reject(payload, sender, [str(exc)], received_utc_s)

    def _dispatch(self, msg: SapientMessage, kind: str, t_s: float, utc_s: float) -> Outcome:
        sender = msg.node_id
        if kind == "registration":
            reg = msg.registration
            record = NodeRegistration(
                node_id=sender,
                t_s=t_s,
                name=reg.name,
                short_name=reg.short_name,
                node_types=tuple(
                    Registration.NodeType.Name(d.node_type) for d in reg.node_definition
                ),
            )
            self.registered[sender] = record
            ack = registration_ack(msg, our_node_id=self.node_id, utc_s=utc_s)
            return Outcome(records=[record], replies=[ack])
        if kind == "status_report":
            status = msg.status_report
            position: Vec3 | None = None
            if status.HasField("node_location"):
                position, _ = location_to_enu(
                    status.node_location, self._site, what="node location"
                )
                self.positions[sender] = position
            record_s = NodeStatus(
                node_id=sender,
                t_s=t_s,
                system=StatusReport.System.Name(status.system),
                mode=status.mode,
                position_m=position,
            )
            return Outcome(records=[record_s])
        if kind == "detection_report":
            record_d = detection_to_record(
                msg.detection_report,
                node_id=sender,
                t_s=t_s,
                site=self._site,
                node_enu_m=self.positions.get(sender),
                default_sigma_m=self._default_sigma_m,
                default_sigma_rad=self._default_sigma_rad,
            )
            return Outcome(records=[record_d])
        return Outcome(records=[SapientReceived(node_id=sender, t_s=t_s, kind=kind)])
