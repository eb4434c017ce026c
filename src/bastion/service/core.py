"""The live core: the service's one deterministic state machine, a function of its inputs alone.

    core = LiveCore(config, epoch)
    out = core.feed(Input(...))       -> CoreOutput(events, replies, closes)

Data inputs are decoded by their feed at once (replies such as a SAPIENT RegistrationAck go back in
the same call); detections wait for the next `STEP`, which runs `bastion.pipeline.step` with every
batch whose time is at most the step's time less `reorder_window_s` (held longer batches stay for
the next step, so two sensors' reports reach the tracker in time order), the SAPIENT detections
grouped per node and time, and the operators' decisions. Nothing here reads a clock or a socket:
the asyncio service (`service.server`) and the replay (`service.replay`) feed the same inputs in the
same order and get the same events.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from bastion import __version__, pipeline
from bastion.codecs.sapient import SapientDetection
from bastion.codecs.timebase import RunEpoch
from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.core.records import (
    Alert,
    AlertCleared,
    Authorisation,
    Decision,
    EngagementRequest,
    Event,
    EventKind,
    Identity,
    Note,
    TrackReport,
)
from bastion.service.config import ServiceConfig
from bastion.service.coop_feeds import AdsbFeed, RemoteIdFeed
from bastion.service.cue import CameraCue
from bastion.service.feeds import AsterixFeed, CotFeed, FeedOutput, SapientFeed
from bastion.service.inputs import Input, InputKind
from bastion.service.shed import RejectTally, shed_plots

SAPIENT_FEED = "sapient"
TAK_FEED = "tak"
API_FEED = "api"
SHED_GATE_M = 500.0
"""Distance (m) from a track within which a plot counts as that track's when plots are shed."""


def asterix_feed_name(index: int) -> str:
    """The name of the configuration's `index`-th ASTERIX feed (``asterix0``, ...)."""
    return f"asterix{index}"


def adsb_feed_name(index: int) -> str:
    """The name of the configuration's `index`-th ADS-B feed (``adsb0``, ...)."""
    return f"adsb{index}"


def remote_id_feed_name(index: int) -> str:
    """The name of the configuration's `index`-th Remote ID feed (``remoteid0``, ...)."""
    return f"remoteid{index}"


@dataclass(slots=True)
class CoreOutput:
    """What one input produced: events to store and publish, bytes to send, connections to close."""

    events: list[Event] = field(default_factory=list)
    replies: list[tuple[int, bytes]] = field(default_factory=list)
    closes: list[tuple[int, str]] = field(default_factory=list)


class LiveCore:
    """Decodes feeds, batches detections and steps the pipeline as its inputs say."""

    def __init__(self, config: ServiceConfig, epoch: RunEpoch) -> None:
        """A fresh live run of `config`'s scenario (site, zones, effectors) on run clock `epoch`."""
        self.config = config
        self.epoch = epoch
        params = config.scenario.params
        spec = config.spec
        rng = np.random.default_rng(np.random.SeedSequence(config.scenario.seed).spawn(5)[4])
        self.state = pipeline.new_state(params, rng)
        self._ids = np.random.default_rng(config.scenario.seed)  # SAPIENT alert ids (ULIDs)
        self.state.update_period_s = spec.track_update_period_s
        self.asterix = {
            asterix_feed_name(i): AsterixFeed(
                asterix_feed_name(i), f, list(params.radars), params.site, epoch
            )
            for i, f in enumerate(spec.asterix)
        }
        self.sapient = (
            SapientFeed(SAPIENT_FEED, spec.sapient, params.site, epoch) if spec.sapient else None
        )
        self.cue = (
            CameraCue(
                spec.sapient.cue_period_s,
                params.site,
                epoch,
                spec.sapient.node_id,
                cue_unknowns=spec.sapient.cue_unknowns,
            )
            if spec.sapient is not None and spec.sapient.cue_period_s is not None
            else None
        )
        self.tak = CotFeed(TAK_FEED)
        self.adsb = {
            adsb_feed_name(i): AdsbFeed(adsb_feed_name(i), f.format, params.site)
            for i, f in enumerate(spec.adsb)
        }
        self.remote_id = {
            remote_id_feed_name(i): RemoteIdFeed(remote_id_feed_name(i), params.site)
            for i in range(len(spec.remote_id))
        }
        self._cooperative: list[CooperativeReport] = []
        self.cooperative_in = 0
        """Cooperative reports handed to the pipeline so far."""
        self.rejects = RejectTally()
        self._batches: list[DetectionBatch] = []
        self._arrivals: list[float] = []
        """Per batch in `_batches`: the arrival (run time, s) of the input that completed it."""
        self._detections: list[SapientDetection] = []
        self._detections_t_s = np.inf
        self._cooperative_t_s = np.inf
        self.step_data_arrival_t_s: float | None = None
        """After a step that took data (batches, detections, cooperative reports): the arrival of
        the earliest input that completed any of them (run time, s); None after a step without."""
        self._decisions: list[Authorisation] = []
        self.pending_requests: dict[int, EngagementRequest] = {}
        self.tracks: dict[int, TrackReport] = {}
        self.identities: dict[int, Identity] = {}
        self.t_s = 0.0
        self.steps = 0
        self.inputs = 0
        self.shed_plots = 0
        self.finished = False

    def start(self) -> list[Event]:
        """The run's first event (call once, before any input)."""
        text = (
            f"live: {self.config.source} (sha256 {self.config.sha256[:12]}) bastion {__version__}"
        )
        return self.state.events([(EventKind.RUN_STARTED, -1, Note(t_s=0.0, text=text))], 0.0)

    def feed(self, item: Input) -> CoreOutput:
        """Consume one input (in arrival order); inputs after STOP are ignored."""
        out = CoreOutput()
        if self.finished:
            return out
        self.inputs += 1
        self.t_s = max(self.t_s, item.t_s)
        fo = FeedOutput()
        kind = item.kind
        if kind is InputKind.DATAGRAM and item.feed in self.remote_id:
            self.remote_id[item.feed].datagram(item.payload, item.t_s, fo)
        elif kind is InputKind.DATAGRAM:
            feed = self.asterix.get(item.feed)
            if feed is None:
                fo.rejects.append((item.feed, "datagram on an unknown feed"))
            else:
                feed.datagram(item.payload, item.t_s, fo)
        elif kind is InputKind.STREAM and item.feed == TAK_FEED:
            self.tak.stream(item.payload, fo)
        elif kind is InputKind.STREAM and item.feed in self.adsb:
            self.adsb[item.feed].stream(item.payload, item.t_s, fo)
        elif kind is InputKind.CLOSED and item.feed in self.adsb:
            reason = item.payload.decode("utf-8", "replace")
            self.adsb[item.feed].closed(reason, item.t_s, fo)
        elif kind is InputKind.STREAM and self.sapient is not None:
            self.sapient.stream(item.conn, item.payload, item.t_s, fo)
        elif kind is InputKind.OPENED and self.sapient is not None:
            self.sapient.opened(item.conn)
        elif kind is InputKind.CLOSED and self.sapient is not None:
            self.sapient.closed(item.conn, item.payload.decode("utf-8", "replace"), fo)
        elif kind is InputKind.DECISION:
            self._decision(item, fo)
        elif kind is InputKind.SHED:
            n = int(json.loads(item.payload)["count"])
            fo.rejects.append((item.feed, f"input queue full: {n} inputs dropped"))
        elif kind is InputKind.STEP:
            self._tick_cooperative(item.t_s, fo, final=False)
            self._collect(fo, item.t_s)
            out.events.extend(self._step(item.t_s, final=False))
            self._alert_nodes(out, item.t_s)
        elif kind is InputKind.STOP:
            for feed in self.asterix.values():
                feed.flush(fo)
            self._tick_cooperative(item.t_s, fo, final=True)
            self._collect(fo, item.t_s)
            out.events.extend(self._step(item.t_s, final=True))
            note = Note(t_s=item.t_s, text="service stopped")
            out.events.extend(self.state.events([(EventKind.RUN_FINISHED, -1, note)], item.t_s))
            self.finished = True
            return out
        self._collect(fo, item.t_s)
        out.replies.extend(fo.replies)
        out.closes.extend(fo.closes)
        return out

    def ready(self, t_s: float) -> bool:
        """Whether a step at run time `t_s` would take data: a batch past the reorder window,
        SAPIENT detections, cooperative reports, decisions, or refusals to report. The service
        steps when this holds (and every `step_period_s`), not after every datagram: a datagram
        that only adds plots to an open scan costs no pipeline step."""
        if self._detections or self._cooperative or self._decisions or self.rejects.pending:
            return True
        cutoff = t_s - self.config.spec.reorder_window_s
        return any(b.t_s <= cutoff for b in self._batches)

    def _alert_nodes(self, out: CoreOutput, t_s: float) -> None:
        """SAPIENT Alerts for the step's zone alerts, then Tasks cueing cameras (if configured)."""
        if self.sapient is None or not self.sapient.nodes:
            return
        alerts = [e.payload for e in out.events if isinstance(e.payload, Alert | AlertCleared)]
        if alerts:
            params = self.config.scenario.params
            self.sapient.alerts(alerts, self.tracks, params.site, self._ids, out.replies)
        if self.cue is not None:
            nodes = self.sapient.registered()
            out.replies.extend(self.cue.step(out.events, self.tracks, nodes, t_s, self._ids))

    def _tick_cooperative(self, t_s: float, fo: FeedOutput, *, final: bool) -> None:
        for adsb in self.adsb.values():
            adsb.tick(t_s, fo, final=final)
        for rid in self.remote_id.values():
            rid.tick(t_s, fo, final=final)

    def _collect(self, fo: FeedOutput, t_s: float) -> None:
        """Take what the input that arrived at `t_s` produced."""
        self._batches.extend(fo.batches)
        self._arrivals.extend([t_s] * len(fo.batches))
        if fo.detections:
            self._detections_t_s = min(self._detections_t_s, t_s)
        if fo.cooperative:
            self._cooperative_t_s = min(self._cooperative_t_s, t_s)
        self._detections.extend(fo.detections)
        self._cooperative.extend(fo.cooperative)
        for feed, why in fo.rejects:
            self.rejects.add(feed, why)
        fo.batches, fo.detections, fo.cooperative, fo.rejects = [], [], [], []

    def _decision(self, item: Input, fo: FeedOutput) -> None:
        try:
            doc = json.loads(item.payload)
            auth = Authorisation(
                request_id=int(doc["request_id"]),
                t_s=item.t_s,
                decision=Decision(doc["decision"]),
                operator=str(doc["operator"]),
                role=str(doc["role"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            fo.rejects.append((API_FEED, f"decision not understood: {exc}"))
            return
        self._decisions.append(auth)

    def _step(self, t_s: float, *, final: bool) -> list[Event]:
        em: list[Event] = []
        texts = self.rejects.take()
        if texts:
            notes = [(EventKind.INPUT_REJECTED, -1, Note(t_s=t_s, text=t)) for t in texts]
            em.extend(self.state.events(notes, t_s))
        grouped = _group(self._detections)
        self._batches.extend(grouped)
        self._arrivals.extend([self._detections_t_s] * len(grouped))
        self._detections, self._detections_t_s = [], np.inf
        cutoff = np.inf if final else t_s - self.config.spec.reorder_window_s
        take = [b.t_s <= cutoff for b in self._batches]
        ready = [b for b, k in zip(self._batches, take, strict=True) if k]
        arrived = [a for a, k in zip(self._arrivals, take, strict=True) if k]
        self._batches = [b for b, k in zip(self._batches, take, strict=True) if not k]
        self._arrivals = [a for a, k in zip(self._arrivals, take, strict=True) if not k]
        first = min([*arrived, self._cooperative_t_s if self._cooperative else np.inf])
        self.step_data_arrival_t_s = float(first) if np.isfinite(first) else None
        self._cooperative_t_s = np.inf
        limit = self.config.spec.limits.max_plots_per_step
        ready, shed = shed_plots(ready, self.state.tracker.table, limit, SHED_GATE_M)
        if shed:
            self.shed_plots += shed
            text = f"{shed} plots shed above {limit} per step (far from tracks first)"
            em.extend(
                self.state.events([(EventKind.INPUT_REJECTED, -1, Note(t_s=t_s, text=text))], t_s)
            )
        inputs = pipeline.StepInputs(
            batches=ready, cooperative=self._cooperative, decisions=self._decisions
        )
        self.cooperative_in += len(self._cooperative)
        self._decisions, self._cooperative = [], []
        self.state, events = pipeline.step(self.state, inputs, max(t_s, self._last_batch_t(ready)))
        self.steps += 1
        self._remember(events)
        return em + events

    @staticmethod
    def _last_batch_t(batches: list[DetectionBatch]) -> float:
        return max((b.t_s for b in batches), default=-np.inf)

    def _remember(self, events: list[Event]) -> None:
        for ev in events:
            p = ev.payload
            if isinstance(p, TrackReport):
                self.tracks[p.track_id] = p
            elif isinstance(p, Identity):
                self.identities[p.track_id] = p
            elif ev.kind is EventKind.TRACK_LOST:
                self.tracks.pop(ev.subject_id, None)
                self.identities.pop(ev.subject_id, None)
            elif ev.kind is EventKind.ENGAGEMENT_REQUESTED and isinstance(p, EngagementRequest):
                self.pending_requests[p.request_id] = p
            elif ev.kind in (
                EventKind.ENGAGEMENT_AUTHORISED,
                EventKind.ENGAGEMENT_DENIED,
                EventKind.ENGAGEMENT_EXPIRED,
            ):
                self.pending_requests.pop(ev.subject_id, None)


def _group(detections: list[SapientDetection]) -> list[DetectionBatch]:
    """SAPIENT detections as batches: one per node, time, position and noise (in arrival order)."""
    groups: dict[tuple[object, ...], list[DetectionBatch]] = defaultdict(list)
    for d in detections:
        b = d.batch
        key = (
            b.sensor_id,
            b.t_s,
            tuple(b.sensor_enu_m.tolist()),
            b.sigma_range_m,
            b.sigma_az_rad,
            b.sigma_el_rad,
            b.sigma_range_rate_mps,
        )
        groups[key].append(b)
    out = []
    for members in groups.values():
        first = members[0]
        if len(members) == 1:
            out.append(first)
            continue
        out.append(
            DetectionBatch(
                sensor_id=first.sensor_id,
                t_s=first.t_s,
                sensor_enu_m=first.sensor_enu_m,
                range_m=np.concatenate([m.range_m for m in members]),
                az_rad=np.concatenate([m.az_rad for m in members]),
                el_rad=np.concatenate([m.el_rad for m in members]),
                range_rate_mps=np.concatenate([m.range_rate_mps for m in members]),
                rcs_m2=np.concatenate([m.rcs_m2 for m in members]),
                sigma_range_m=first.sigma_range_m,
                sigma_az_rad=first.sigma_az_rad,
                sigma_el_rad=first.sigma_el_rad,
                sigma_range_rate_mps=first.sigma_range_rate_mps,
                truth_id=np.concatenate([m.truth_id for m in members]),
            )
        )
    return out
