"""Feeds: the bytes of one configured input turned into records, replies and reasons for refusal.

    AsterixFeed   UDP datagrams of CAT048 plots and CAT034 service messages -> per-scan batches
    SapientFeed   TCP streams of framed SapientMessages -> detections, replies (Ack, Error), closes
    CotFeed       the CoT XML a TAK server sends back on Bastion's link -> counted, or refused

Each is stateful (scan assembly, partial frames, registered nodes) and driven only by its inputs and
their arrival times; the decoding itself is the pure codecs' (`bastion.codecs`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Arrays,
    RadarConfig,
    ScanAssembler,
    UnsupportedBlock,
    decode_datagram_arrays,
)
from bastion.codecs.cot import MAX_EVENT_BYTES, decode_xml
from bastion.codecs.sapient import (
    FusionNode,
    NodeRegistration,
    SapientDetection,
    TimestampWindow,
    alert_message,
    encode_message,
    error_message,
    make_ulid,
    parse_frames,
)
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import DecodeError
from bastion.core.geo import Site
from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.core.params import RadarParams
from bastion.core.records import Alert, AlertCleared, TrackReport
from bastion.service.config import AsterixInSpec, SapientInSpec


@dataclass(slots=True)
class FeedOutput:
    """What inputs produced: batches, SAPIENT detections, refusals, replies and connections to close."""

    batches: list[DetectionBatch] = field(default_factory=list)
    detections: list[SapientDetection] = field(default_factory=list)
    cooperative: list[CooperativeReport] = field(default_factory=list)
    """ADS-B and Remote ID reports (`service.coop_feeds`)."""
    rejects: list[tuple[str, str]] = field(default_factory=list)
    """(feed, reason) of each refused input."""
    replies: list[tuple[int, bytes]] = field(default_factory=list)
    closes: list[tuple[int, str]] = field(default_factory=list)


def radar_config(
    radar_id: str,
    sac: int,
    sic: int,
    radars: list[RadarParams],
    site: Site,
    *,
    default_height_m: float | None = None,
    doppler_positive_receding: bool = True,
) -> RadarConfig:
    """The codec's view of scenario radar `radar_id` sending CAT048 as SAC/SIC `sac`/`sic`."""
    r = next(p for p in radars if p.sensor_id == radar_id)
    return RadarConfig(
        sensor_id=r.sensor_id,
        sac=sac,
        sic=sic,
        site=site,
        sensor_enu_m=r.position_m,
        sigma_range_m=r.sigma_range_m,
        sigma_az_rad=r.sigma_az_rad,
        sigma_el_rad=r.sigma_el_rad,
        sigma_range_rate_mps=r.sigma_range_rate_mps,
        default_height_m=default_height_m,
        doppler_positive_receding=doppler_positive_receding,
    )


class AsterixFeed:
    """One ASTERIX UDP feed: decode each datagram, assemble scans per radar."""

    def __init__(
        self, name: str, spec: AsterixInSpec, radars: list[RadarParams], site: Site, epoch: RunEpoch
    ) -> None:
        """`radars` are the scenario's; `spec.radars` say which of them send here and as whom."""
        self.name = name
        configs = [
            radar_config(
                r.radar,
                r.sac,
                r.sic,
                radars,
                site,
                default_height_m=r.default_height_m,
                doppler_positive_receding=r.doppler_positive_receding,
            )
            for r in spec.radars
        ]
        self._scans = ScanAssembler(configs, epoch, split_on_sectors=spec.split_on_sectors)
        self.datagrams = 0
        self.plots = 0

    def datagram(self, data: bytes, t_s: float, out: FeedOutput) -> None:
        """One datagram that arrived at run time `t_s`."""
        self.datagrams += 1
        try:
            items = decode_datagram_arrays(data)
        except DecodeError as exc:
            out.rejects.append((self.name, str(exc)))
            return
        for item in items:
            if isinstance(item, UnsupportedBlock):
                out.rejects.append((self.name, f"ASTERIX CAT{item.category:03d} is not read"))
        self.plots += sum(len(i) for i in items if isinstance(i, Cat048Arrays))
        scans = self._scans.push(
            [i for i in items if isinstance(i, Cat048Arrays | Cat034Message)], t_s
        )
        out.batches.extend(scans.batches)
        out.rejects.extend((self.name, why) for why in scans.rejected)

    def flush(self, out: FeedOutput) -> None:
        """Close every open scan (at the end of a run)."""
        out.batches.extend(self._scans.flush())


class SapientFeed:
    """Bastion as a SAPIENT fusion node on TCP: frames per connection, the node's answers."""

    def __init__(self, name: str, spec: SapientInSpec, site: Site, epoch: RunEpoch) -> None:
        """One fusion node for every connection (a node may reconnect and stay registered)."""
        self.name = name
        self._epoch = epoch
        self._max = spec.max_message_bytes
        self.node = FusionNode(
            node_id=spec.node_id,
            site=site,
            epoch=epoch,
            window=TimestampWindow(min_s=spec.window_min_s, max_s=spec.window_max_s),
            default_sigma_m=spec.default_sigma_m,
            default_sigma_rad=math.radians(spec.default_sigma_deg),
        )
        self._buffers: dict[int, bytes] = {}
        self.nodes: dict[int, str] = {}
        """The node id registered on each open connection (where alerts go)."""
        self.messages = 0
        self.detections = 0
        self.errors = 0

    @property
    def connections(self) -> int:
        """Connections open now."""
        return len(self._buffers)

    def registered(self) -> dict[int, tuple[str, tuple[str, ...]]]:
        """Connection -> (node id, node types) of the nodes registered on open connections."""
        known = self.node.registered
        return {
            conn: (node_id, known[node_id].node_types if node_id in known else ())
            for conn, node_id in self.nodes.items()
        }

    def alerts(
        self,
        alerts: list[Alert | AlertCleared],
        tracks: dict[int, TrackReport],
        site: Site,
        rng: np.random.Generator,
        out: list[tuple[int, bytes]],
    ) -> None:
        """A SAPIENT Alert to every registered node for each zone alert raised or cleared."""
        for alert in alerts:
            utc_s = self._epoch.to_utc_s(alert.t_s)
            for conn, node in self.nodes.items():
                msg = alert_message(
                    alert if isinstance(alert, Alert) else _as_alert(alert),
                    epoch=self._epoch,
                    our_node_id=self.node.node_id,
                    destination_id=node,
                    alert_id=make_ulid(utc_s, rng),
                    track=tracks.get(alert.track_id),
                    site=site,
                    cleared=isinstance(alert, AlertCleared),
                )
                out.append((conn, encode_message(msg)))

    def opened(self, conn: int) -> None:
        """A sensor node connected."""
        self._buffers[conn] = b""

    def closed(self, conn: int, reason: str, out: FeedOutput) -> None:
        """A connection ended; a partial frame left behind is reported."""
        self.nodes.pop(conn, None)
        rest = self._buffers.pop(conn, b"")
        if rest:
            out.rejects.append(
                (
                    self.name,
                    f"connection {conn} closed ({reason}) inside a frame: {len(rest)} bytes",
                )
            )

    def stream(self, conn: int, data: bytes, t_s: float, out: FeedOutput) -> None:
        """Bytes read from connection `conn` at run time `t_s`."""
        if conn not in self._buffers:  # closed already: what was still queued is moot
            return
        utc_s = self._epoch.to_utc_s(t_s)
        try:
            payloads, rest = parse_frames(self._buffers[conn] + data, max_message_bytes=self._max)
        except DecodeError as exc:
            self.errors += 1
            reply = error_message(
                exc.data, [str(exc)], our_node_id=self.node.node_id, destination_id="", utc_s=utc_s
            )
            out.replies.append((conn, encode_message(reply)))
            out.closes.append((conn, "frame above the size limit"))
            out.rejects.append((self.name, f"connection {conn}: {exc}; closed"))
            self._buffers.pop(conn, None)
            self.nodes.pop(conn, None)
            return
        self._buffers[conn] = rest
        for payload in payloads:
            self.messages += 1
            result = self.node.handle(payload, utc_s)
            for msg in result.replies:
                out.replies.append((conn, encode_message(msg)))
            if result.problems:
                self.errors += 1
                out.rejects.append((self.name, "; ".join(result.problems)))
            for record in result.records:
                if isinstance(record, NodeRegistration):
                    self.nodes[conn] = record.node_id
                if isinstance(record, SapientDetection):
                    self.detections += 1
                    out.detections.append(record)


def _as_alert(cleared: AlertCleared) -> Alert:
    return Alert(
        alert_id=cleared.alert_id,
        track_id=cleared.track_id,
        zone=cleared.zone,
        t_s=cleared.t_s,
        t_expected_s=cleared.t_s,
        reason=cleared.reason,
    )


class CotFeed:
    """CoT XML documents from a TAK server (other clients' events): decoded one by one, each bad
    document refused with its reason while the good ones around it are kept. Bastion does not act
    on them yet (they are counted); a document that never ends is refused at `MAX_EVENT_BYTES`."""

    END = b"</event>"

    def __init__(self, name: str) -> None:
        """An empty stream."""
        self.name = name
        self._buf = b""
        self.events = 0
        self.errors = 0

    def stream(self, data: bytes, out: FeedOutput) -> None:
        """Bytes received from the TAK server."""
        buf = self._buf + data
        while (end := buf.find(self.END)) >= 0:
            doc, buf = buf[: end + len(self.END)].strip(), buf[end + len(self.END) :]
            try:
                decode_xml(doc)
                self.events += 1
            except DecodeError as exc:
                self.errors += 1
                out.rejects.append((self.name, f"CoT refused: {exc}"))
        if len(buf) > MAX_EVENT_BYTES:
            self.errors += 1
            out.rejects.append(
                (self.name, f"CoT refused: no </event> within {MAX_EVENT_BYTES} bytes")
            )
            buf = b""
        self._buf = buf
