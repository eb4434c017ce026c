"""`bastion serve`: the long-running asyncio service around the live core.

    service = LiveService(config, run_dir)
    await service.start()             # bind every socket, open the store and capture log
    await service.run()               # until SIGTERM/SIGINT or `request_stop()`; then shuts down

One task processes inputs: it takes them from the per-source queues in turn (`shed.FairQueue`),
writes each to the capture log, feeds it to the core, sends the core's replies, and runs a step
(itself a recorded input) when the core has data for one (`LiveCore.ready`: a closed scan,
SAPIENT detections, ...), and at least every `step_period_s`.
A step's events are appended to the store and the event log and published. Shutdown closes the
inputs first, processes everything already queued, runs the final step, then flushes and closes
the store, the capture log and the outputs: nothing received is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import signal
import ssl
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from bastion import __version__
from bastion.codecs.timebase import RunEpoch
from bastion.core.errors import ConfigError
from bastion.core.records import Event
from bastion.core.serialize import event_to_json
from bastion.runtime.runner import prepare_out_dir
from bastion.service.api import Account, HttpApi
from bastion.service.capture import CaptureHeader, CaptureWriter
from bastion.service.config import ServiceConfig
from bastion.service.core import (
    API_FEED,
    SAPIENT_FEED,
    TAK_FEED,
    LiveCore,
    adsb_feed_name,
    asterix_feed_name,
    remote_id_feed_name,
)
from bastion.service.handlers import SapientHandler, percentiles_ms
from bastion.service.inputs import Input, InputKind
from bastion.service.outputs import Outputs
from bastion.service.publish import Publisher
from bastion.service.shed import FairQueue
from bastion.service.tls import client_context, server_context
from bastion.service.views import feed_counters, pending_requests, track_list
from bastion.store import EventStore, RunInfo
from bastion.transport import (
    Connection,
    StreamLimits,
    TcpClient,
    TcpServer,
    UdpReceiver,
    parse_address,
)

CAPTURE_FILE = "capture.bcap"
EVENTS_FILE = "events.jsonl"


class LiveService:
    """The live service: sockets in, core, store, capture log, sockets out, HTTP API."""

    def __init__(
        self,
        config: ServiceConfig,
        run_dir: Path,
        *,
        force: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """Nothing is opened until `start`."""
        self.config = config
        self.run_dir = run_dir
        self._force = force
        self._clock = clock
        self._wall = wall_clock
        self._t0 = 0.0
        limits = config.spec.limits
        self.queue = FairQueue(limits.queue_items_per_source, limits.queue_bytes_per_source)
        self.connections: dict[int, Connection] = {}
        self.receivers: dict[str, UdpReceiver] = {}
        self.sapient_server: TcpServer | None = None
        self.adsb_tasks: list[asyncio.Task[None]] = []
        self.adsb_connected: dict[str, bool] = {}
        self.api: HttpApi | None = None
        self.outputs = Outputs()
        self._stop = asyncio.Event()
        self._last_step_t = 0.0
        self.events_written = 0
        self.last_seq = -1
        self.latencies_s: deque[float] = deque(maxlen=100_000)
        """Per step that took data (a closed scan, SAPIENT detections, ...): seconds from the
        socket read of the earliest input that completed its data (a scan's north marker, a
        detection report; `LiveCore.step_data_arrival_t_s`) to its outputs sent; a reorder window
        counts, the store append and the event log follow the send and do not."""
        self.step_cpu_s: deque[float] = deque(maxlen=100_000)
        """Per step that took data: CPU seconds this thread spent from the step to its outputs
        sent (the part of the latency that is Bastion's work; the rest is queueing and waiting
        for a CPU)."""
        self._sent_t = -1.0
        self._sent_cpu_s = -1.0

    def now(self) -> float:
        """Run time (s) since the service started."""
        return self._clock() - self._t0

    def input(self, kind: InputKind, conn: int = 0, payload: bytes = b"", feed: str = "") -> Input:
        """An input stamped with its arrival now."""
        return Input(
            t_s=self.now(), kind=kind, feed=feed or SAPIENT_FEED, conn=conn, payload=payload
        )

    def _tls(self, field: str, load: Callable[[Path], ssl.SSLContext]) -> ssl.SSLContext:
        """`load(base_dir)`, a ConfigError naming `field` if its files cannot be used."""
        try:
            return load(self.config.base_dir)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load the TLS certificates or key: {exc}",
                source=self.config.source,
                path=field,
            ) from None

    def _tls_contexts(self) -> tuple[ssl.SSLContext | None, ssl.SSLContext | None]:
        """The API's server context (`http_tls`) and the TAK link's client context
        (`outputs.cot.tls`), None where not configured."""
        spec = self.config.spec
        api = tak = None
        if spec.http and (h := spec.http_tls) is not None:
            api = self._tls("http_tls", lambda b: server_context(b / h.cert, b / h.key))
        cot = spec.outputs.cot
        if cot is not None and cot.tcp and (t := cot.tls) is not None:
            tak = self._tls(
                "outputs.cot.tls",
                lambda b: client_context(
                    b / t.ca, b / t.cert if t.cert else None, b / t.key if t.key else None
                ),
            )
        return api, tak

    async def start(self) -> None:
        """Open the run directory, the store and the capture log, then bind every socket."""
        spec = self.config.spec
        # before anything is created: a bad key file leaves nothing behind
        api_tls, tak_tls = self._tls_contexts()
        prepare_out_dir(self.run_dir, self._force)
        self._t0 = self._clock()
        self.epoch = RunEpoch(utc_at_zero_s=self._wall())
        scenario = self.config.scenario
        self.store = EventStore.create(self.run_dir / "bastion.sqlite")
        self.store.record_run(
            RunInfo(
                scenario_name=scenario.params.name,
                scenario_sha256=scenario.sha256,
                seed=scenario.seed,
                bastion_version=__version__,
                started_utc=datetime.fromtimestamp(self.epoch.utc_at_zero_s, UTC).isoformat(
                    timespec="seconds"
                ),
            )
        )
        self.capture = CaptureWriter(
            self.run_dir / CAPTURE_FILE,
            CaptureHeader(
                bastion_version=__version__,
                epoch_utc_s=self.epoch.utc_at_zero_s,
                config_source=self.config.source,
                config_text=self.config.text,
                scenario_text=scenario.source_text,
            ),
        )
        self._log: BinaryIO = (self.run_dir / EVENTS_FILE).open("wb")
        self.core = LiveCore(self.config, self.epoch)
        cot = spec.outputs.cot
        self.publisher = Publisher(
            scenario.params,
            self.epoch,
            stale_s=cot.stale_s if cot else 10.0,
            sac=spec.outputs.cat062.sac if spec.outputs.cat062 else 0,
            sic=spec.outputs.cat062.sic if spec.outputs.cat062 else 1,
            cat062=spec.outputs.cat062 is not None,
        )
        self._record(self.core.start())
        self.outputs = await Outputs.open(
            spec.outputs.cot, spec.outputs.cat062, on_tak=self._tak_received, tak_tls=tak_tls
        )
        for i, feed in enumerate(spec.asterix):
            name = asterix_feed_name(i)
            host, port = parse_address(feed.listen)
            self.receivers[name] = await UdpReceiver.open(
                host, port, self._datagram_handler(name), interface=feed.interface
            )
        for i, rid in enumerate(spec.remote_id):
            name = remote_id_feed_name(i)
            host, port = parse_address(rid.listen)
            self.receivers[name] = await UdpReceiver.open(
                host, port, self._datagram_handler(name), interface=rid.interface
            )
        for i, adsb in enumerate(spec.adsb):
            name = adsb_feed_name(i)
            host, port = parse_address(adsb.connect)
            self.adsb_tasks.append(
                asyncio.create_task(self._adsb_client(name, host, port, adsb.retry_s))
            )
        if spec.sapient is not None:
            host, port = parse_address(spec.sapient.listen)
            limits = StreamLimits(
                idle_timeout_s=spec.limits.idle_timeout_s,
                max_connections=spec.limits.max_connections,
            )
            self.sapient_server = await TcpServer.start(host, port, SapientHandler(self), limits)
        if spec.http:
            host, port = parse_address(spec.http)
            accounts = {o.token_sha256: Account(o.operator, o.role) for o in spec.operators}
            self.api = await HttpApi.start(self, host, port, accounts, api_tls)
        # The start-up heap (imports, configuration: about 430,000 objects) goes to the permanent
        # generation, so a full garbage collection never scans it again: one over it took about
        # 0.4 s on a loaded 2-core machine, a pause in whichever step triggered it.
        gc.collect()
        gc.freeze()

    def _tak_received(self, data: bytes) -> None:
        self.queue.put_nowait(TAK_FEED, self.input(InputKind.STREAM, 0, data, feed=TAK_FEED))

    async def _adsb_client(self, name: str, host: str, port: int, retry_s: float) -> None:
        """Connect to an ADS-B receiver, queue what it sends, reconnect after `retry_s` when lost."""
        while True:
            try:
                client = await TcpClient.connect(host, port, timeout_s=5.0)
            except (OSError, TimeoutError):
                await asyncio.sleep(retry_s)
                continue
            self.adsb_connected[name] = True
            reason = "peer closed"
            try:
                while data := await client.read():
                    await self.queue.put(name, self.input(InputKind.STREAM, 0, data, feed=name))
            except (ConnectionError, OSError) as exc:
                reason = f"connection error: {exc}"
            except asyncio.CancelledError:
                reason = "service stopping"
                raise
            finally:
                self.adsb_connected[name] = False
                closed = self.input(InputKind.CLOSED, 0, reason.encode("utf-8"), feed=name)
                self.queue.put_control(name, closed)
                await client.close()
            await asyncio.sleep(retry_s)

    def _datagram_handler(self, name: str) -> Callable[[bytes, tuple[str, int]], None]:
        def on_datagram(data: bytes, _sender: tuple[str, int]) -> None:
            self.queue.put_nowait(name, self.input(InputKind.DATAGRAM, 0, data, feed=name))

        return on_datagram

    def request_stop(self) -> None:
        """Ask the service to shut down (what SIGTERM does)."""
        self._stop.set()

    async def run(self) -> None:
        """Process inputs until asked to stop, then shut down cleanly."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.request_stop)  # fails off the main thread
        period = self.config.spec.step_period_s
        try:
            while not self._stop.is_set():
                wait = max(0.0, self._last_step_t + period - self.now())
                await self.queue.wait(min(wait, 0.05))
                self.process()
        finally:
            await self._shutdown()

    def process(self, *, force_step: bool = False) -> None:
        """Feed what is queued (one round) to the core; step if data came or the period is up."""
        items = self.queue.drain(self.config.spec.limits.max_inputs_per_drain)
        for source, n in self.queue.take_dropped().items():
            payload = json.dumps({"count": n}).encode()
            items.append(self.input(InputKind.SHED, 0, payload, feed=source.split("/")[0]))
        for item in items:
            self._feed(item)
        now = self.now()
        ready = self.core.ready(now)
        if ready or force_step or now - self._last_step_t >= self.config.spec.step_period_s:
            self._last_step_t = now
            self._sent_t, self._sent_cpu_s = -1.0, -1.0
            cpu0 = time.thread_time()
            self._feed(Input(t_s=now, kind=InputKind.STEP))
            arrival = self.core.step_data_arrival_t_s
            if arrival is not None:  # from the input that completed the step's data to outputs sent
                sent = self._sent_t if self._sent_t >= 0.0 else self.now()
                self.latencies_s.append(sent - arrival)
                cpu1 = self._sent_cpu_s if self._sent_cpu_s >= 0.0 else time.thread_time()
                self.step_cpu_s.append(cpu1 - cpu0)
            self.capture.flush()

    def _feed(self, item: Input) -> None:
        self.capture.write(item)
        out = self.core.feed(item)
        for conn_id, data in out.replies:
            conn = self.connections.get(conn_id)
            if conn is not None:
                conn.write(data)
        for conn_id, reason in out.closes:
            conn = self.connections.get(conn_id)
            if conn is not None:
                conn.close(reason)
        if out.events:
            self._record(out.events)

    def _record(self, events: list[Event]) -> None:
        """Publish first (the outputs' latency), then append to the store and the event log."""
        pubs = self.publisher.publish(events)
        self.outputs.send(pubs.cot, pubs.cat062 if self.outputs.wants_cat062 else [])
        self._sent_t, self._sent_cpu_s = self.now(), time.thread_time()
        self.store.append(events)
        self._log.write(b"".join(event_to_json(e).encode("ascii") + b"\n" for e in events))
        self.events_written += len(events)
        self.last_seq = events[-1].seq

    async def _shutdown(self) -> None:
        for receiver in self.receivers.values():
            receiver.close()
        for client in self.adsb_tasks:
            client.cancel()
        await asyncio.gather(*self.adsb_tasks, return_exceptions=True)
        if self.sapient_server is not None:
            await self.sapient_server.close()
        if self.api is not None:
            await self.api.close()
        while len(self.queue):
            self.process()
        self.process()
        self._feed(Input(t_s=self.now(), kind=InputKind.STOP))
        self.capture.close()
        self._log.close()
        self.store.close()
        await self.outputs.close()

    # The HTTP API's view of the service (`service.api.ServiceView`).

    def health(self) -> dict[str, Any]:
        """Liveness and counters for GET /health."""
        core = self.core
        tak = self.outputs.tak
        drops = {name: r.kernel_drops for name, r in self.receivers.items()}
        return {
            "status": "ok",
            "t_s": round(self.now(), 3),
            "inputs": core.inputs,
            "steps": core.steps,
            "events": self.events_written,
            "last_seq": self.last_seq,
            "queued": len(self.queue),
            "rejected": core.rejects.total,
            "shed_plots": core.shed_plots,
            "cooperative_reports": core.cooperative_in,
            "latency_ms": percentiles_ms(self.latencies_s),
            "step_cpu_ms": percentiles_ms(self.step_cpu_s),
            "tracks": len(core.tracks),
            "feeds": feed_counters(core, drops, self.adsb_connected),
            "outputs": {
                "cot_sent": self.outputs.cot_sent,
                "cat062_sent": self.outputs.cat062_sent,
                "tak_connected": tak.connected if tak else None,
                "tak_sent": tak.sent if tak else None,
                "tak_tls_refused": tak.refused if tak else None,
            },
        }

    def track_list(self) -> list[dict[str, Any]]:
        """Current tracks for GET /tracks."""
        return track_list(self.core)

    def pending_requests(self) -> list[dict[str, Any]]:
        """Engagement requests awaiting a decision for GET /engagements."""
        return pending_requests(self.core)

    def submit_decision(self, request_id: int, doc: dict[str, Any]) -> None:
        """Queue an operator's decision as an input."""
        payload = json.dumps({"request_id": request_id, **doc}, sort_keys=True).encode()
        self.queue.put_control(API_FEED, self.input(InputKind.DECISION, 0, payload, feed=API_FEED))
