"""Simulated Remote ID reception: one noisy report per broadcasting drone per call.

The runner calls `remote_id_reports` once per `RemoteIdReceiverParams.period_s` (about 1 Hz, as
ASTM F3411 drones broadcast). Each alive object with a non-empty `remote_id_serial` reports its true
site-ENU position (m) plus isotropic Gaussian noise of `sigma_position_m` per axis and its true ENU
velocity (m/s); source "remote_id", ident the serial. The reports are already decoded and converted
to site ENU (the byte-level decoder is `bastion.codecs.remoteid`).
"""

from __future__ import annotations

import numpy as np

from bastion.core.measurements import CooperativeReport
from bastion.core.params import RemoteIdReceiverParams
from bastion.sim.truth import TruthWorld


def remote_id_reports(
    world: TruthWorld, t_s: float, params: RemoteIdReceiverParams, rng: np.random.Generator
) -> list[CooperativeReport]:
    """Remote ID reports at run time `t_s` (s) of every alive object with a serial."""
    pos, vel, alive = world.state_at(t_s)
    has = np.array([bool(s) for s in world.remote_id_serial], dtype=bool)
    k = np.flatnonzero(alive & has) if len(world) else np.zeros(0, dtype=np.int64)
    noisy = pos[k] + params.sigma_position_m * rng.standard_normal((k.size, 3))
    return [
        CooperativeReport(
            source="remote_id",
            ident=world.remote_id_serial[i],
            callsign="",
            t_s=float(t_s),
            position_m=(float(p[0]), float(p[1]), float(p[2])),
            velocity_mps=(float(vel[i, 0]), float(vel[i, 1]), float(vel[i, 2])),
            position_sigma_m=params.sigma_position_m,
        )
        for i, p in zip(k.tolist(), noisy, strict=True)
    ]
