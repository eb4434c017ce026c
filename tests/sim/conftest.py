"""Shared builders for the simulator tests."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from bastion.core.params import RadarParams, RocketTarget, TargetKind
from bastion.sim.trajectory import Trajectory, sample_times
from bastion.sim.truth import TruthObject, TruthWorld

DT_S = 0.05


def rocket_107(**changes: Any) -> RocketTarget:
    """A 107 mm rocket fired north 6 km onto the site origin."""
    base = RocketTarget(
        target_id="rocket-1",
        launch_m=(0.0, -6000.0, 0.0),
        aim_m=(0.0, 0.0, 0.0),
        launch_t_s=5.0,
        speed_mps=370.0,
        mass_kg=18.8,
        diameter_m=0.107,
        drag_coefficient=0.35,
        rcs_m2=0.02,
    )
    return replace(base, **changes)


def static_world(
    positions_m: list[tuple[float, float, float]],
    *,
    rcs_m2: float = 0.01,
    velocity_mps: tuple[float, float, float] = (0.0, 0.0, 0.0),
    duration_s: float = 10.0,
    icao: str = "",
) -> TruthWorld:
    """Objects moving at a constant velocity from the given positions (for sensor tests)."""
    times = sample_times(0.0, duration_s, DT_S)
    vel = np.asarray(velocity_mps, dtype=np.float64)
    objects = []
    for i, p in enumerate(positions_m):
        pos = np.asarray(p, dtype=np.float64) + times[:, None] * vel
        objects.append(
            TruthObject(
                name=f"obj-{i}",
                target_id=f"obj-{i}",
                kind=TargetKind.AIRCRAFT,
                hostile=False,
                rcs_m2=rcs_m2,
                trajectory=Trajectory(
                    t_s=times,
                    position_m=pos,
                    velocity_mps=np.tile(vel, (times.size, 1)),
                    t_end_s=math.inf,
                ),
                adsb_icao=icao,
                callsign="TEST01" if icao else "",
            )
        )
    return TruthWorld(objects, duration_s, DT_S)


@pytest.fixture
def radar_params() -> RadarParams:
    """A counter-drone radar 10 m above the site origin: SNR 13 dB on 0.01 m^2 at 5 km."""
    return RadarParams(
        sensor_id="radar-1",
        position_m=(0.0, 0.0, 10.0),
        scan_period_s=1.0,
        min_range_m=100.0,
        max_range_m=8000.0,
        min_el_rad=-0.05,
        max_el_rad=1.4,
        sigma_range_m=5.0,
        sigma_az_rad=0.01,
        sigma_el_rad=0.008,
        sigma_range_rate_mps=1.0,
        ref_range_m=5000.0,
        ref_rcs_m2=0.01,
        ref_snr_db=13.0,
        pfa=1e-6,
        clutter_per_scan=0.0,
    )
