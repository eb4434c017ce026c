"""The stateful half of Remote ID in: per-transmitter state -> one `CooperativeReport` per Location.

Kept apart from the pure decoders; time is an argument (`t_s`, run-clock seconds). Bluetooth legacy
sends one message per advertisement, so identity (Basic ID), operator (System, Operator ID) and
position (Location) arrive separately: the receiver keeps the latest of each per transmitter address
and joins them. Message packs update all at once, Basic ID and System first, so a pack's Location is
reported with the identity it came with.

What is kept per transmitter (`UasState`): UAS IDs by ID type, the latest Location, Self-ID text,
Operator ID, authentication pages, and the operator's position (System message: WGS-84, and site
ENU metres when known). The report's `ident` is the UAS ID (serial number first, then registration,
UUID, session ID); before any Basic ID arrives it is "mac:<address>" and flagged ``ident_unknown``.

Not trusted, and therefore not used: broadcasts whose link-layer CRC failed (counted
``link_crc_failed``), Locations whose position is unknown or out of range (counted
``position_invalid``) or whose geodetic and pressure altitudes are both unknown (counted
``altitude_unknown``): a report's position and velocity are always finite. Report flags: the
Location's own flags, ``altitude_baro`` (pressure altitude used as height), ``velocity_unknown``
(direction or speed unknown with a non-zero speed: horizontal velocity given as zeros, not
measured), ``vertical_speed_unknown`` (taken as 0), ``status_emergency``,
``status_system_failure``. Remote ID is self-reported and unauthenticated here: a report says what
a transmitter claims, never who it is.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Final

from bastion.codecs.pcap import Packet
from bastion.codecs.remoteid.auth import AuthPage
from bastion.codecs.remoteid.basic_id import BasicId
from bastion.codecs.remoteid.broadcast import Broadcast
from bastion.codecs.remoteid.capture import from_packet
from bastion.codecs.remoteid.location import Location
from bastion.codecs.remoteid.messages import flatten
from bastion.codecs.remoteid.operator_id import OperatorId
from bastion.codecs.remoteid.self_id import SelfId
from bastion.codecs.remoteid.system import System
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.measurements import CooperativeReport
from bastion.core.records import Vec3

__all__ = ["REJECTED_KEPT", "RemoteIdReceiver", "UasState"]

REJECTED_KEPT: Final = 100
_ID_PREFERENCE: Final = (1, 2, 3, 4)
"""ID types in order of preference: serial number, CAA registration, UTM UUID, session ID."""
_ORDER: Final = {BasicId: 0, System: 1, OperatorId: 2, SelfId: 3, AuthPage: 4, Location: 5}


@dataclass(slots=True, kw_only=True)
class UasState:
    """What one transmitter has said (mutable; owned by the receiver).

    `operator_position_m` is the operator's position in site ENU metres (None if unknown; its up
    component NaN when the operator's altitude is unknown).
    """

    sender: str
    last_seen_s: float
    uas_ids: dict[int, str] = field(default_factory=dict)
    ua_type: int | None = None
    location: Location | None = None
    self_id: str = ""
    operator_id: str = ""
    system: System | None = None
    operator_position_m: Vec3 | None = None
    auth_pages: dict[int, AuthPage] = field(default_factory=dict)

    @property
    def ident(self) -> str:
        """The preferred UAS ID, or "mac:<address>" before any Basic ID."""
        for id_type in _ID_PREFERENCE:
            if self.uas_ids.get(id_type):
                return self.uas_ids[id_type]
        return next(iter(self.uas_ids.values()), "") or f"mac:{self.sender}"


class RemoteIdReceiver:
    """Per-transmitter Remote ID state about one site; emits `CooperativeReport`s ("remote_id")."""

    def __init__(self, site: Site, *, stale_s: float = 60.0) -> None:
        self.site = site
        self.stale_s = stale_s
        self.uas: dict[str, UasState] = {}
        self.counts: Counter[str] = Counter()
        self.rejected: deque[DecodeError] = deque(maxlen=REJECTED_KEPT)

    def feed_packet(self, packet: Packet, t_s: float) -> list[CooperativeReport]:
        """Extract and apply the Remote ID in one captured packet received at `t_s`."""
        self.counts["packets"] += 1
        try:
            broadcast = from_packet(packet)
        except DecodeError as err:
            self.counts["decode_errors"] += 1
            self.rejected.append(err)
            return []
        return [] if broadcast is None else self.update(broadcast, t_s)

    def prune(self, t_s: float) -> None:
        """Forget transmitters silent for more than `stale_s` at `t_s`."""
        for sender in [k for k, s in self.uas.items() if s.last_seen_s < t_s - self.stale_s]:
            del self.uas[sender]

    def update(self, broadcast: Broadcast, t_s: float) -> list[CooperativeReport]:
        """Apply one decoded broadcast received at `t_s`; the reports of its Location messages."""
        self.counts["broadcasts"] += 1
        if broadcast.crc_ok is False:
            self.counts["link_crc_failed"] += 1
            return []
        state = self.uas.get(broadcast.sender)
        if state is None:
            state = self.uas[broadcast.sender] = UasState(sender=broadcast.sender, last_seen_s=t_s)
        state.last_seen_s = max(state.last_seen_s, t_s)
        reports: list[CooperativeReport] = []
        for msg in sorted(flatten(broadcast.message), key=lambda m: _ORDER[type(m)]):
            if isinstance(msg, BasicId):
                state.uas_ids[msg.id_type] = msg.uas_id
                state.ua_type = msg.ua_type
            elif isinstance(msg, System):
                self._system(state, msg)
            elif isinstance(msg, OperatorId):
                state.operator_id = msg.operator_id
            elif isinstance(msg, SelfId):
                state.self_id = msg.description
            elif isinstance(msg, AuthPage):
                state.auth_pages[msg.page] = msg
            else:
                report = self._location(state, msg, t_s)
                if report is not None:
                    reports.append(report)
        return reports

    def _system(self, state: UasState, msg: System) -> None:
        state.system = msg
        if msg.operator_position_known:
            alt = msg.operator_altitude_geo_m
            enu = self.site.geodetic2enu(msg.operator_lat_rad, msg.operator_lon_rad, alt or 0.0)
            up = float(enu[2]) if alt is not None else math.nan
            state.operator_position_m = (float(enu[0]), float(enu[1]), up)
        else:
            state.operator_position_m = None

    def _location(self, state: UasState, msg: Location, t_s: float) -> CooperativeReport | None:
        state.location = msg
        if not msg.position_known:
            self.counts["position_invalid"] += 1
            return None
        flags = list(msg.flags)
        if msg.altitude_geo_m is not None:
            height = msg.altitude_geo_m
        elif msg.altitude_baro_m is not None:
            height = msg.altitude_baro_m
            flags.append("altitude_baro")
        else:
            self.counts["altitude_unknown"] += 1
            return None
        enu = self.site.geodetic2enu(msg.lat_rad, msg.lon_rad, height)
        speed = msg.speed_horizontal_mps
        if speed == 0.0:
            ve = vn = 0.0
        elif msg.direction_rad is None or speed is None:
            ve = vn = 0.0
            flags.append("velocity_unknown")
        else:
            ve = speed * math.sin(msg.direction_rad)
            vn = speed * math.cos(msg.direction_rad)
        if msg.speed_vertical_mps is None:
            flags.append("vertical_speed_unknown")
        if msg.status == 3:
            flags.append("status_emergency")
        elif msg.status == 4:
            flags.append("status_system_failure")
        if not state.uas_ids:
            flags.append("ident_unknown")
        self.counts["reports"] += 1
        return CooperativeReport(
            source="remote_id",
            ident=state.ident,
            callsign=state.operator_id,
            t_s=t_s,
            position_m=(float(enu[0]), float(enu[1]), float(enu[2])),
            velocity_mps=(ve, vn, msg.speed_vertical_mps or 0.0),
            flags=tuple(flags),
        )
