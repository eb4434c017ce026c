"""Simulated ADS-B reception: one noisy position report per cooperative aircraft per call.

The runner calls `adsb_reports` every `AdsbReceiverParams.period_s`. Each alive object with a
non-empty ICAO address reports its true site-ENU position (m) plus isotropic Gaussian noise of
`sigma_position_m` per axis, and its true ENU velocity (m/s, no noise). CPR quantisation is not
modelled here: the reports are already decoded and converted to site ENU.
"""

from __future__ import annotations

import numpy as np

from bastion.core.measurements import CooperativeReport
from bastion.core.params import AdsbReceiverParams
from bastion.sim.truth import TruthWorld


def adsb_reports(
    world: TruthWorld, t_s: float, params: AdsbReceiverParams, rng: np.random.Generator
) -> list[CooperativeReport]:
    """ADS-B reports (source "adsb") at run time `t_s` (s) of every alive object with an ICAO."""
    pos, vel, alive = world.state_at(t_s)
    has_icao = np.array([bool(icao) for icao in world.adsb_icao], dtype=bool)
    k = np.flatnonzero(alive & has_icao) if len(world) else np.zeros(0, dtype=np.int64)
    noisy = pos[k] + params.sigma_position_m * rng.standard_normal((k.size, 3))
    return [
        CooperativeReport(
            source="adsb",
            ident=world.adsb_icao[i],
            callsign=world.callsign[i],
            t_s=float(t_s),
            position_m=(float(p[0]), float(p[1]), float(p[2])),
            velocity_mps=(float(vel[i, 0]), float(vel[i, 1]), float(vel[i, 2])),
            position_sigma_m=params.sigma_position_m,
        )
        for i, p in zip(k.tolist(), noisy, strict=True)
    ]
