"""Inputs for the live core built from the rehearsal scenario's simulated radar-a (no sockets)."""

from __future__ import annotations

import numpy as np

from bastion.codecs.asterix import (
    Cat034Message,
    ServiceKind,
    batch_to_plots,
    encode_cat034,
    encode_cat048,
)
from bastion.codecs.timebase import RunEpoch
from bastion.service import Input, InputKind, ServiceConfig
from bastion.service.feeds import radar_config
from bastion.sim import Radar, TruthWorld

EPOCH = RunEpoch(utc_at_zero_s=1_750_000_000.0)


def radar_a_scans(config: ServiceConfig, seconds: int, *, seed: int = 3) -> list[Input]:
    """radar-a's scans at 1..`seconds` s as CAT048 datagrams, north markers and steps."""
    p = config.scenario.params
    world = TruthWorld.build(p.targets, p.duration_s, p.site.alt_m, np.random.default_rng(seed))
    radar = Radar(p.radars[0])
    rng = np.random.default_rng(seed + 1)
    cfg = radar_config("radar-a", 25, 1, list(p.radars), p.site)
    out = []
    for t in range(1, seconds + 1):
        plots = batch_to_plots(radar.scan(world, float(t), rng), cfg, EPOCH)
        marker = Cat034Message(
            sac=25, sic=1, kind=ServiceKind.NORTH_MARKER, tod_s=EPOCH.time_of_day_s(float(t))
        )
        arrive = t + 0.01
        out += [
            Input(
                t_s=arrive, kind=InputKind.DATAGRAM, feed="asterix0", payload=encode_cat048(plots)
            ),
            Input(
                t_s=arrive,
                kind=InputKind.DATAGRAM,
                feed="asterix0",
                payload=encode_cat034([marker]),
            ),
            Input(t_s=t + 0.4, kind=InputKind.STEP),
        ]
    return out
