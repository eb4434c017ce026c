"""Stub neighbours for pipeline tests: a one-radar site, its scenario and hand-made radar looks.

Shared by the pipeline-level tests so that the stub world is defined once; each test adds what it
needs (effector Pk, identification rules) with `dataclasses.replace`.
"""

from __future__ import annotations

import math

import numpy as np

from bastion.core.engage_params import EffectorKind, EffectorParams
from bastion.core.geo import Site, enu2aer
from bastion.core.identification import FriendlyAircraft, IdentificationParams
from bastion.core.measurements import DetectionBatch
from bastion.core.params import RadarParams, ScenarioParams, ZoneParams
from bastion.core.records import ThreatClass

RADAR = RadarParams(
    sensor_id="r1",
    position_m=(0.0, 0.0, 10.0),
    scan_period_s=1.0,
    min_range_m=100.0,
    max_range_m=20000.0,
    min_el_rad=-0.05,
    max_el_rad=1.2,
    sigma_range_m=5.0,
    sigma_az_rad=math.radians(0.3),
    sigma_el_rad=math.radians(0.3),
    sigma_range_rate_mps=1.0,
    ref_range_m=10000.0,
    ref_rcs_m2=0.1,
    ref_snr_db=15.0,
    pfa=1e-6,
    clutter_per_scan=0.0,
)
GUN = EffectorParams(
    name="gun-1",
    kind=EffectorKind.GUN,
    position_m=(0.0, 0.0, 0.0),
    min_range_m=200.0,
    max_range_m=2000.0,
    max_alt_m=1500.0,
    reaction_s=2.0,
    projectile_speed_mps=1000.0,
    pk={ThreatClass.FIXED_WING: 0.8},
    magazine=4,
)
PARAMS = ScenarioParams(
    name="stub",
    site=Site(name="stub", lat_rad=0.5, lon_rad=0.7, alt_m=100.0),
    duration_s=300.0,
    radars=(RADAR,),
    targets=(),
    zones=(
        ZoneParams(
            name="hq",
            polygon_m=((-200.0, -200.0), (200.0, -200.0), (200.0, 200.0), (-200.0, 200.0)),
        ),
    ),
    effectors=(GUN,),
    identification=IdentificationParams(aircraft=(FriendlyAircraft(icao="AE1234"),)),
)


def radar_look(
    t_s: float, positions: np.ndarray, rcs_m2: float, rng: np.random.Generator
) -> DetectionBatch:
    """One noisy look of RADAR at `positions` (N, 3) site ENU m; objects beyond its range are unseen.

    RCS estimates are Swerling I draws about `rcs_m2`.
    """
    aer = enu2aer(positions, np.asarray(RADAR.position_m)).reshape(-1, 3)
    aer = aer[aer[:, 0] <= RADAR.max_range_m]
    n = aer.shape[0]
    return DetectionBatch(
        sensor_id=RADAR.sensor_id,
        t_s=t_s,
        sensor_enu_m=np.asarray(RADAR.position_m),
        range_m=aer[:, 0] + rng.normal(0, RADAR.sigma_range_m, n),
        az_rad=aer[:, 1] + rng.normal(0, RADAR.sigma_az_rad, n),
        el_rad=aer[:, 2] + rng.normal(0, RADAR.sigma_el_rad, n),
        range_rate_mps=np.zeros(n),
        rcs_m2=rng.exponential(rcs_m2, n),
        sigma_range_m=RADAR.sigma_range_m,
        sigma_az_rad=RADAR.sigma_az_rad,
        sigma_el_rad=RADAR.sigma_el_rad,
        sigma_range_rate_mps=RADAR.sigma_range_rate_mps,
    )
