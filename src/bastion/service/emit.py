"""`bastion simulate SCENARIO --emit --config CONFIG`: the simulator's sensors as real network feeds.

The scenario's truth and radars run in real time (scaled by `speed`); each radar configured in one
of CONFIG's ASTERIX feeds sends its scans as CAT048 plots over UDP to that feed's address, followed
by a CAT034 north marker that closes the scan; every other radar is a SAPIENT sensor node that
connects to CONFIG's SAPIENT address, registers (waiting for the RegistrationAck), reports its
location in a StatusReport and sends each detection as a DetectionReport. A wildcard listen address
(``0.0.0.0``, ``::``) is sent to on loopback. SAPIENT time stamps are UTC now, so only `speed` 1
passes a fusion node's timestamp window; ASTERIX can go faster.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Plot,
    RadarConfig,
    ServiceKind,
    batch_to_plots,
    encode_cat034,
    encode_cat048,
)
from bastion.codecs.sapient import decode_message, encode_message, parse_frames
from bastion.codecs.timebase import RunEpoch
from bastion.config import LoadedScenario
from bastion.core.errors import ConfigError
from bastion.service import sapient_sensor
from bastion.service.config import ServiceConfig
from bastion.service.feeds import radar_config
from bastion.sim import Radar, TruthWorld
from bastion.transport import TcpClient, UdpSender, parse_address

PLOTS_PER_DATAGRAM = 100


@dataclass(slots=True)
class EmitStats:
    """What an emission sent and heard back."""

    scans: int = 0
    plots: int = 0
    datagrams: int = 0
    sapient_messages: int = 0
    sapient_replies: dict[str, int] = field(default_factory=dict)


def _target(listen: str) -> tuple[str, int]:
    host, port = parse_address(listen)
    return ("127.0.0.1" if host in ("0.0.0.0", "", "::") else host), port


class _SapientNode:
    def __init__(self, radar_id: str, client: TcpClient, destination: str) -> None:
        self.radar_id = radar_id
        self.node_id = sapient_sensor.node_uuid(f"bastion-sim/{radar_id}")
        self.client = client
        self.destination = destination
        self.replies: dict[str, int] = {}
        self.registered = asyncio.Event()
        self._buf = b""

    async def listen(self) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while data := await self.client.read():
                payloads, self._buf = parse_frames(self._buf + data)
                for p in payloads:
                    kind = decode_message(p).WhichOneof("content") or "?"
                    self.replies[kind] = self.replies.get(kind, 0) + 1
                    if kind == "registration_ack":
                        self.registered.set()


async def emit_scenario(
    loaded: LoadedScenario,
    config: ServiceConfig,
    *,
    seed: int | None = None,
    speed: float = 1.0,
    wall_clock: Callable[[], float] = time.time,
    on_scan: Callable[[float], None] | None = None,
) -> EmitStats:
    """Run the scenario in (scaled) real time and send its radars' scans as configured."""
    p = loaded.params
    spec = config.spec
    ss = np.random.SeedSequence(loaded.seed if seed is None else seed)
    truth_ss, radar_ss, _, _, _, id_ss = ss.spawn(6)
    world = TruthWorld.build(p.targets, p.duration_s, p.site.alt_m, np.random.default_rng(truth_ss))
    radars = [Radar(r) for r in p.radars]
    rngs = [np.random.default_rng(s) for s in radar_ss.spawn(len(radars))]
    id_rng = np.random.default_rng(id_ss)
    epoch = RunEpoch(utc_at_zero_s=wall_clock())
    stats = EmitStats()
    asterix: dict[int, tuple[UdpSender, RadarConfig]] = {}
    for feed in spec.asterix:
        host, port = _target(feed.listen)
        iface = feed.interface if feed.interface != "0.0.0.0" else "127.0.0.1"
        sender = await UdpSender.open(host, port, multicast_interface=iface, ttl=0)
        for r in feed.radars:
            i = next(k for k, rp in enumerate(p.radars) if rp.sensor_id == r.radar)
            cfg = radar_config(r.radar, r.sac, r.sic, list(p.radars), p.site)
            asterix[i] = (sender, cfg)
    nodes: dict[int, _SapientNode] = {}
    others = [i for i in range(len(radars)) if i not in asterix]
    if others and spec.sapient is None:
        names = ", ".join(p.radars[i].sensor_id for i in others)
        raise ConfigError(f"radars {names} have no ASTERIX feed and CONFIG has no sapient section")
    tasks = []
    try:
        for i in others:
            assert spec.sapient is not None
            host, port = _target(spec.sapient.listen)
            client = await TcpClient.connect(host, port)
            node = _SapientNode(p.radars[i].sensor_id, client, spec.sapient.node_id)
            nodes[i] = node
            tasks.append(asyncio.create_task(node.listen()))
            reg = sapient_sensor.registration(
                node.node_id, node.destination, f"sim {node.radar_id}", wall_clock()
            )
            await client.send(encode_message(reg))
            await asyncio.wait_for(node.registered.wait(), 5.0)
            st = sapient_sensor.status(
                node.node_id, node.destination, p.site, p.radars[i].position_m, wall_clock(), id_rng
            )
            await client.send(encode_message(st))
            stats.sapient_messages += 2
        for t_s, due in _schedule(loaded):
            await _sleep_until(epoch.utc_at_zero_s + t_s / speed, wall_clock)
            for i in due:
                batch = radars[i].scan(world, t_s, rngs[i])
                stats.scans += 1
                if i in asterix:
                    sender, cfg = asterix[i]
                    _send_scan(sender, batch_to_plots(batch, cfg, epoch), cfg, epoch, t_s, stats)
                else:
                    node = nodes[i]
                    msgs = sapient_sensor.detections(
                        node.node_id, node.destination, batch, epoch, id_rng
                    )
                    if msgs:
                        await node.client.send(b"".join(encode_message(m) for m in msgs))
                    stats.sapient_messages += len(msgs)
            if on_scan is not None:
                on_scan(t_s)
        await asyncio.sleep(0.2)  # let the last replies arrive
    finally:
        for node in nodes.values():
            await node.client.close()
        for task in tasks:
            task.cancel()
        for sender, _ in asterix.values():
            sender.close()
    for node in nodes.values():
        for kind, n in node.replies.items():
            stats.sapient_replies[kind] = stats.sapient_replies.get(kind, 0) + n
    return stats


def _send_scan(
    sender: UdpSender,
    plots: list[Cat048Plot],
    cfg: RadarConfig,
    epoch: RunEpoch,
    t_s: float,
    stats: EmitStats,
) -> None:
    for k in range(0, len(plots), PLOTS_PER_DATAGRAM):
        sender.send(encode_cat048(plots[k : k + PLOTS_PER_DATAGRAM]))
        stats.datagrams += 1
    marker = Cat034Message(
        sac=cfg.sac, sic=cfg.sic, kind=ServiceKind.NORTH_MARKER, tod_s=epoch.time_of_day_s(t_s)
    )
    sender.send(encode_cat034([marker]))
    stats.datagrams += 1
    stats.plots += len(plots)


def _schedule(loaded: LoadedScenario) -> list[tuple[float, list[int]]]:
    due: dict[float, list[int]] = {}
    p = loaded.params
    for i, r in enumerate(p.radars):
        for t in np.arange(r.scan_period_s, p.duration_s + 1e-9, r.scan_period_s):
            due.setdefault(round(float(t), 6), []).append(i)
    return sorted(due.items())


async def _sleep_until(utc_s: float, wall_clock: Callable[[], float]) -> None:
    delay = utc_s - wall_clock()
    if delay > 0:
        await asyncio.sleep(delay)
