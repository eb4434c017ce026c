"""The sense-and-warn evaluation's world: a forward operating base, its radar, and seeded rounds.

The base (site ENU metres about its centre) has ten named zones, 80 to 1,200 m across and 300 to
600 m apart, with their populations. Rounds come in groups ("fire missions"): each group has one
counter-rocket/mortar tracking radar somewhere inside the base, and `ROUNDS_PER_GROUP` rounds fired
over a minute from random bearings. Calibres and figures follow the domain primer (PRIMER.md):

| calibre | kind | burnout / muzzle speed | range | mass | diameter | Cd | RCS |
|---|---|---|---|---|---|---|---|
| 107 mm rocket | low angle | 300-370 m/s | 3-8 km | 18.8 kg | 0.107 m | 0.35 | 0.02 m^2 |
| 122 mm rocket | low angle | 450-690 m/s | 8-18 km | 45 kg | 0.122 m | 0.30 | 0.05 m^2 |
| 60 mm mortar | high angle | 100-220 m/s | 1-3.5 km | 1.7 kg | 0.060 m | 0.35 | 0.005 m^2 |
| 81 mm mortar | high angle | 150-270 m/s | 1.5-5.5 km | 4.1 kg | 0.081 m | 0.33 | 0.01 m^2 |
| 120 mm mortar | high angle | 200-320 m/s | 2-7 km | 13.2 kg | 0.120 m | 0.30 | 0.02 m^2 |

Aim points: half inside a zone, a third anywhere over the base, the rest short or long of it (rounds
that must raise no zone alert). The radar is a C-RAM-class fire-control tracker: 10 Hz, 3 m range,
0.15 degree angle and 0.5 m/s Doppler accuracy (1 sigma), 12 km instrumented range, Pd 0.9 per look
on a 0.01 m^2 round at 10 km.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bastion.core.ballistics import drag_factor_m2pkg
from bastion.core.geo import Site
from bastion.core.params import (
    BirdFlock,
    RadarParams,
    RocketTarget,
    ScenarioParams,
    Target,
    TargetKind,
    ThreatParams,
    TrackerParams,
    WaypointTarget,
    ZoneParams,
)
from bastion.core.units import lin2db
from bastion.threat.flight import fly_to_ground
from bastion.threat.terrain import Ground

ROUNDS_PER_GROUP = 20
GROUP_WINDOW_S = 60.0
"""Rounds of a group are launched at uniform random times in [5, 5 + this] s."""
TRACKER = TrackerParams(init_speed_sigma_mps=400.0)
"""The base's tracker (otherwise the defaults): a new track's velocity sigma per axis is above the
fastest round's speed (122 mm, 690 m/s) over sqrt(3), as docs/tracking.md advises. With the default
100 m/s a fast rocket's second plot falls outside a new track's first gate, so every plot starts
another tentative track and the round can go unconfirmed for up to ten seconds."""
SITE = Site(name="FOB Bastion (evaluation)", lat_rad=math.radians(33.8), lon_rad=math.radians(42.4))


def _box(name: str, e: float, n: float, w: float, h: float, pop: int, value: float) -> ZoneParams:
    return ZoneParams(
        name=name,
        polygon_m=(
            (e - w / 2, n - h / 2),
            (e + w / 2, n - h / 2),
            (e + w / 2, n + h / 2),
            (e - w / 2, n + h / 2),
        ),
        population=pop,
        value=value,
    )


ZONES: tuple[ZoneParams, ...] = (
    _box("hq", 0.0, 0.0, 150.0, 100.0, 120, 3.0),
    _box("billets-north", 0.0, 500.0, 300.0, 150.0, 600, 3.0),
    _box("billets-south", -100.0, -500.0, 300.0, 150.0, 600, 3.0),
    _box("dfac", 400.0, 100.0, 80.0, 60.0, 300, 2.0),
    _box("hospital", -450.0, 150.0, 120.0, 80.0, 80, 3.0),
    _box("gym", -350.0, 450.0, 80.0, 60.0, 60, 1.0),
    _box("motor-pool", 650.0, -400.0, 250.0, 200.0, 50, 1.0),
    _box("fuel-point", -750.0, -350.0, 100.0, 100.0, 10, 2.0),
    _box("ammo-supply", 850.0, 550.0, 120.0, 120.0, 10, 2.0),
    _box("flight-line", 0.0, -1000.0, 1200.0, 150.0, 150, 2.0),
)
BASE_BOX_M = (-1000.0, -1100.0, 1000.0, 800.0)
"""(min east, min north, max east, max north) of the base, metres."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Calibre:
    """One round type (see the module table)."""

    name: str
    rocket: bool
    speed_mps: tuple[float, float]
    range_m: tuple[float, float]
    mass_kg: float
    diameter_m: float
    cd: float
    rcs_m2: float


CALIBRES: tuple[Calibre, ...] = (
    Calibre(name="107mm", rocket=True, speed_mps=(300.0, 370.0), range_m=(3000.0, 8000.0),
            mass_kg=18.8, diameter_m=0.107, cd=0.35, rcs_m2=0.02),
    Calibre(name="122mm", rocket=True, speed_mps=(450.0, 690.0), range_m=(8000.0, 18000.0),
            mass_kg=45.0, diameter_m=0.122, cd=0.30, rcs_m2=0.05),
    Calibre(name="60mm", rocket=False, speed_mps=(100.0, 220.0), range_m=(1000.0, 3500.0),
            mass_kg=1.7, diameter_m=0.060, cd=0.35, rcs_m2=0.005),
    Calibre(name="81mm", rocket=False, speed_mps=(150.0, 270.0), range_m=(1500.0, 5500.0),
            mass_kg=4.1, diameter_m=0.081, cd=0.33, rcs_m2=0.01),
    Calibre(name="120mm", rocket=False, speed_mps=(200.0, 320.0), range_m=(2000.0, 7000.0),
            mass_kg=13.2, diameter_m=0.120, cd=0.30, rcs_m2=0.02),
)  # fmt: skip


def radar_params(position_m: tuple[float, float, float]) -> RadarParams:
    """The evaluation's C-RAM-class tracking radar at `position_m` (site ENU m)."""
    pfa, pd = 1.0e-6, 0.9
    return RadarParams(
        sensor_id="cram-radar",
        position_m=position_m,
        scan_period_s=0.1,
        min_range_m=150.0,
        max_range_m=12000.0,
        min_el_rad=math.radians(-1.0),
        max_el_rad=math.radians(85.0),
        sigma_range_m=3.0,
        sigma_az_rad=math.radians(0.15),
        sigma_el_rad=math.radians(0.15),
        sigma_range_rate_mps=0.5,
        ref_range_m=10000.0,
        ref_rcs_m2=0.01,
        ref_snr_db=lin2db(math.log(pfa) / math.log(pd) - 1.0),
        pfa=pfa,
        clutter_per_scan=0.1,
    )


def _aim(rng: np.random.Generator) -> tuple[float, float]:
    u = rng.random()
    if u < 0.5:
        z = ZONES[int(rng.integers(len(ZONES)))]
        xy = np.asarray(z.polygon_m)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        p = lo + rng.random(2) * (hi - lo)
        return float(p[0]), float(p[1])
    e0, n0, e1, n1 = BASE_BOX_M
    if u < 0.83:
        return float(rng.uniform(e0, e1)), float(rng.uniform(n0, n1))
    bearing, dist = rng.uniform(0.0, 2 * math.pi), rng.uniform(1400.0, 2200.0)
    return dist * math.sin(bearing), dist * math.cos(bearing)


def max_range_m(cal: Calibre, speed_mps: float, site_alt_m: float) -> float:
    """Longest ground range (m) of a calibre at a speed over flat ground (elevations 5-80 degrees)."""
    elev = np.radians(np.arange(5.0, 80.5, 1.0))
    vel = speed_mps * np.stack([np.cos(elev), np.zeros(elev.size), np.sin(elev)], axis=1)
    pos = np.tile([0.0, 0.0, 1e-6], (elev.size, 1))
    k = np.full(elev.size, float(drag_factor_m2pkg(cal.cd, cal.diameter_m, cal.mass_kg)))
    impact, _ = fly_to_ground(pos, vel, k, site_alt_m, Ground(), dt_s=0.5)
    return float(np.nanmax(impact[:, 0]))


def draw_round(
    index: int, launch_t_s: float, rng: np.random.Generator, site_alt_m: float
) -> RocketTarget:
    """One seeded round that the simulator can fly (redrawn until its aim point is well in reach)."""
    for _ in range(50):
        cal = CALIBRES[int(rng.integers(len(CALIBRES)))]
        aim = _aim(rng)
        bearing = rng.uniform(0.0, 2 * math.pi)
        dist = rng.uniform(*cal.range_m)
        speed = float(rng.uniform(*cal.speed_mps))
        if dist > 0.97 * max_range_m(cal, speed, site_alt_m):
            continue
        target = RocketTarget(
            target_id=f"{cal.name}-{index}",
            launch_m=(aim[0] + dist * math.sin(bearing), aim[1] + dist * math.cos(bearing), 0.0),
            aim_m=(aim[0], aim[1], 0.0),
            launch_t_s=launch_t_s,
            speed_mps=speed,
            mass_kg=cal.mass_kg,
            diameter_m=cal.diameter_m,
            drag_coefficient=cal.cd,
            rcs_m2=cal.rcs_m2,
            high_angle=not cal.rocket,
        )
        return target
    raise RuntimeError("no reachable round drawn in 50 tries")  # pragma: no cover


def calibre_of(target_id: str) -> str:
    """The calibre name of a round drawn by `draw_round`."""
    return target_id.split("-", 1)[0]


def clutter_objects(n: int, rng: np.random.Generator) -> list[Target]:
    """`n` other objects for the latency runs: birds, loitering hostile drones, multirotors, all
    kept 2-5 km out so they stay tracked without threatening a zone."""
    out: list[Target] = []
    n_birds = n // 2
    for f in range(n_birds // 10):
        b = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(2000.0, 4000.0)
        out.append(
            BirdFlock(
                target_id=f"birds-{f}",
                centre_m=(r * math.sin(b), r * math.cos(b), float(rng.uniform(50, 300))),
                count=10,
                radius_m=300.0,
                speed_mps=10.0,
                rcs_m2=0.01,
            )
        )
    for d in range(n - 10 * (n_birds // 10)):
        b0 = rng.uniform(0, 2 * math.pi)
        r = rng.uniform(2500.0, 5000.0)
        pts = tuple(
            (r * math.sin(b0 + a), r * math.cos(b0 + a), float(rng.uniform(100, 600)))
            for a in np.linspace(0.0, 1.5, 4)
        )
        fixed = d % 3 != 0
        out.append(
            WaypointTarget(
                target_id=f"drone-{d}",
                kind=TargetKind.FIXED_WING if fixed else TargetKind.MULTIROTOR,
                hostile=True,
                start_t_s=0.0,
                waypoints_m=pts,
                speed_mps=float(rng.uniform(30, 50) if fixed else rng.uniform(8, 15)),
                rcs_m2=0.1 if fixed else 0.03,
            )
        )
    return out


def scenario(
    name: str, radar_m: tuple[float, float, float], targets: list[Target], duration_s: float,
    threat: ThreatParams,
) -> ScenarioParams:  # fmt: skip
    """The evaluation base with one radar and the given targets."""
    return ScenarioParams(
        name=name,
        site=SITE,
        duration_s=duration_s,
        radars=(radar_params(radar_m),),
        targets=tuple(targets),
        zones=ZONES,
        adsb=None,
        tracker=TRACKER,
        threat=threat,
    )
