"""A misregistered radar, and cooperative traffic to register it against (sensor registration).

`misregistered_scan` makes a radar look whose azimuths carry a bias and whose timestamp is off:

    az_measured(t_stamp) = az_true(t_stamp - time_offset_s) + az_bias_rad + noise

i.e. the look happens at ``t_stamp - time_offset_s`` (`Radar.scan` at that time, so detection,
noise and clutter are the radar's own) and is stamped `t_stamp_s`; every azimuth (clutter too) is
turned by `az_bias_rad`. A positive offset is a late timestamp, a positive bias a clockwise turn
(the conventions of `bastion.tracking.registration`); an optional range bias is added to every
range.

`cooperative_traffic` builds a world of constant-velocity ADS-B aircraft around a base, at spread
bearings, some flying radially (inbound or outbound) and some crossing, so that both the bias and
the offset are observable (range rate exposes the offset in range, azimuth rate in azimuth).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from bastion.core.measurements import DetectionBatch
from bastion.core.params import RadarParams, TargetKind
from bastion.sim.radar import Radar
from bastion.sim.trajectory import Trajectory, sample_times
from bastion.sim.truth import TruthObject, TruthWorld

DT_S = 0.05
"""Trajectory sampling step, s."""


def misregistered_scan(
    radar: Radar,
    world: TruthWorld,
    t_stamp_s: float,
    rng: np.random.Generator,
    *,
    az_bias_rad: float,
    time_offset_s: float,
    range_bias_m: float = 0.0,
) -> DetectionBatch:
    """One look of `radar` that really happens at ``t_stamp_s - time_offset_s`` (s), stamped
    `t_stamp_s`, with every azimuth turned clockwise by `az_bias_rad` (rad), wrapped to [0, 2 pi),
    and `range_bias_m` (m) added to every range."""
    batch = radar.scan(world, t_stamp_s - time_offset_s, rng)
    return replace(
        batch,
        t_s=float(t_stamp_s),
        az_rad=np.mod(batch.az_rad + az_bias_rad, 2.0 * np.pi),
        range_m=batch.range_m + range_bias_m,
    )


def surveillance_radar(sensor_id: str = "radar-1") -> RadarParams:
    """An air-surveillance radar 15 m above the site origin, 30 km instrumented range, 1 s scan;
    sigmas 10 m, 2 mrad (0.11 degree) in azimuth, 3 mrad in elevation; 10 m^2 aircraft are seen
    with Pd above 0.8 to 20 km; 5 clutter detections per scan."""
    return RadarParams(
        sensor_id=sensor_id,
        position_m=(0.0, 0.0, 15.0),
        scan_period_s=1.0,
        min_range_m=200.0,
        max_range_m=30_000.0,
        min_el_rad=-0.02,
        max_el_rad=1.2,
        sigma_range_m=10.0,
        sigma_az_rad=2e-3,
        sigma_el_rad=3e-3,
        sigma_range_rate_mps=1.0,
        ref_range_m=5_000.0,
        ref_rcs_m2=0.01,
        ref_snr_db=13.0,
        pfa=1e-6,
        clutter_per_scan=5.0,
        micro_doppler_gain_db=None,
    )


def cooperative_traffic(
    rng: np.random.Generator,
    n_aircraft: int,
    duration_s: float,
    *,
    radial_share: float = 0.5,
    rcs_m2: float = 10.0,
) -> TruthWorld:
    """`n_aircraft` ADS-B aircraft in straight flight for `duration_s` (s) around the site.

    Bearings are spread evenly (jittered by up to 20 degrees); the first ``round(radial_share *
    n_aircraft)`` fly radially (alternately inbound from 9-15 km and outbound from 3-7 km), the rest
    cross the line of sight (heading 90 degrees off the bearing, +-30, from 5-14 km); speeds 60-130
    m/s, heights 300-3,000 m. ICAO addresses ``a00000``, ``a00001``, ...
    """
    times = sample_times(0.0, duration_s, DT_S)
    n_radial = round(radial_share * n_aircraft)
    offset = rng.uniform(0.0, 2.0 * math.pi)
    objects = []
    for i in range(n_aircraft):
        bearing = offset + 2.0 * math.pi * i / n_aircraft + math.radians(rng.uniform(-20.0, 20.0))
        speed = rng.uniform(60.0, 130.0)
        if i < n_radial and i % 2 == 0:
            start_m, heading = rng.uniform(9_000.0, 15_000.0), bearing + math.pi
        elif i < n_radial:
            start_m, heading = rng.uniform(3_000.0, 7_000.0), bearing
        else:
            side = 1.0 if rng.random() < 0.5 else -1.0
            turn = side * math.radians(90.0 + rng.uniform(-30.0, 30.0))
            start_m, heading = rng.uniform(5_000.0, 14_000.0), bearing + turn
        p0 = np.array(
            [start_m * math.sin(bearing), start_m * math.cos(bearing), rng.uniform(300.0, 3000.0)]
        )
        vel = np.array([speed * math.sin(heading), speed * math.cos(heading), 0.0])
        traj = Trajectory(
            t_s=times,
            position_m=p0 + times[:, None] * vel,
            velocity_mps=np.tile(vel, (times.size, 1)),
            t_end_s=math.inf,
        )
        objects.append(
            TruthObject(
                name=f"ac-{i}",
                target_id=f"ac-{i}",
                kind=TargetKind.AIRCRAFT,
                hostile=False,
                rcs_m2=rcs_m2,
                trajectory=traj,
                adsb_icao=f"a{i:05x}",
                callsign=f"TST{i:03d}",
            )
        )
    return TruthWorld(objects, duration_s, DT_S)
