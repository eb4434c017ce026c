"""Simulated tracks for training and evaluating the classifier, one object per little world.

Each object is drawn from its class's public figures (domain primer), flown by the simulator, seen by
`EVAL_RADAR` (the al-Asad scenario's counter-drone radar: 1 Hz, 5 m / 0.5 degree noise, 0.1 m^2 seen
with Pd 0.9 at 12 km, 3 clutter detections per scan, micro-Doppler dwell gain 15 dB) and tracked by
the real tracker; the real `Classifier` is fed exactly as the pipeline feeds it. Per scan, every
confirmed track the object's detections hold the majority of yields one `Snapshot` (its features
and the declared class at that moment).

| class      | draw (uniform unless said; RCS log-uniform)                                              |
|------------|------------------------------------------------------------------------------------------|
| rocket     | 107 mm (250-370 m/s, 3-8 km), 122 mm (450-690 m/s, 6-18 km) or mortar (high angle,      |
|            | 120-320 m/s, 1-6 km); RCS 0.01-0.05 m^2; aimed within 1.5 km of the radar                |
| fixed_wing | attack class (40-55 m/s, 50-2,000 m, 0.05-0.5 m^2) or small (15-35 m/s, 50-500 m,       |
|            | 0.01-0.1 m^2); three legs turning up to 90 degrees                                        |
| multirotor | 3-20 m/s, 10-300 m, 0.001-0.05 m^2; legs of 100-600 m, hovering 0-20 s at each corner     |
| bird       | 5-20 m/s, 0.001-0.01 m^2, wandering within 100-500 m of a centre                          |
| aircraft   | aeroplane (60-250 m/s, 300-8,000 m, 2-100 m^2) or helicopter (30-80 m/s, 100-1,500 m,    |
|            | 1-20 m^2); two legs                                                                       |

Objects start 1.5-8 km from the radar (aircraft 3-12 km) in a random direction and head anywhere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.errors import ConfigError
from bastion.core.params import (
    BirdFlock,
    RadarParams,
    RocketTarget,
    Target,
    TargetKind,
    TrackerParams,
    WaypointTarget,
)
from bastion.core.records import THREAT_CLASSES, ThreatClass
from bastion.identify.classifier import Classifier
from bastion.identify.evidence import EvidenceBook
from bastion.identify.features import features
from bastion.identify.model import MODEL_CLASSES, NaiveBayes
from bastion.sim import Radar, TruthWorld
from bastion.tracking import Tracker

FloatArray = NDArray[np.float64]

EVAL_RADAR = RadarParams(
    sensor_id="eval-radar",
    position_m=(0.0, 0.0, 10.0),
    scan_period_s=1.0,
    min_range_m=150.0,
    max_range_m=20000.0,
    min_el_rad=math.radians(-2.0),
    max_el_rad=math.radians(60.0),
    sigma_range_m=5.0,
    sigma_az_rad=math.radians(0.5),
    sigma_el_rad=math.radians(0.5),
    sigma_range_rate_mps=1.0,
    ref_range_m=12000.0,
    ref_rcs_m2=0.1,
    ref_snr_db=21.1,
    pfa=1e-6,
    clutter_per_scan=3.0,
    micro_doppler_gain_db=15.0,
)
DURATION_S = 25.0


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Snapshot:
    """One track of one object at one scan: age since its first detection, features, declared class."""

    obj: int
    label: int
    track_id: int
    t_s: float
    age_s: float
    n_looks: int
    features: FloatArray
    declared: int


def _logu(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _start(rng: np.random.Generator, lo_m: float, hi_m: float, alt_m: float) -> FloatArray:
    r, az = rng.uniform(lo_m, hi_m), rng.uniform(0.0, 2.0 * np.pi)
    return np.array([r * np.sin(az), r * np.cos(az), alt_m])


def _legs(
    rng: np.random.Generator, start: FloatArray, n: int, leg_m: tuple[float, float], turn_deg: float
) -> tuple[tuple[float, float, float], ...]:
    pts = [start]
    heading = rng.uniform(0.0, 2.0 * np.pi)
    for _ in range(n):
        heading += math.radians(rng.uniform(-turn_deg, turn_deg))
        d = rng.uniform(*leg_m)
        p = pts[-1] + np.array([d * math.sin(heading), d * math.cos(heading), 0.0])
        pts.append(p)
    return tuple((float(p[0]), float(p[1]), float(p[2])) for p in pts)


def draw_target(cls: ThreatClass, name: str, rng: np.random.Generator) -> Target:
    """One random object of class `cls` (see the module docstring)."""
    if cls is ThreatClass.ROCKET:
        return _draw_rocket(name, rng)
    if cls is ThreatClass.FIXED_WING:
        attack = rng.random() < 0.5
        speed = rng.uniform(40.0, 55.0) if attack else rng.uniform(15.0, 35.0)
        alt = rng.uniform(50.0, 2000.0) if attack else rng.uniform(50.0, 500.0)
        rcs = _logu(rng, 0.05, 0.5) if attack else _logu(rng, 0.01, 0.1)
        wps = _legs(rng, _start(rng, 1500.0, 8000.0, alt), 3, (400.0, 1500.0), 90.0)
        return WaypointTarget(
            target_id=name, kind=TargetKind.FIXED_WING, hostile=False, start_t_s=0.0,
            waypoints_m=wps, speed_mps=speed, rcs_m2=rcs,
        )  # fmt: skip
    if cls is ThreatClass.MULTIROTOR:
        alt = rng.uniform(10.0, 300.0)
        wps = _legs(rng, _start(rng, 1500.0, 8000.0, alt), 5, (100.0, 600.0), 180.0)
        return WaypointTarget(
            target_id=name, kind=TargetKind.MULTIROTOR, hostile=False, start_t_s=0.0,
            waypoints_m=wps, speed_mps=rng.uniform(3.0, 20.0), rcs_m2=_logu(rng, 0.001, 0.05),
            hover_s=rng.uniform(0.0, 20.0),
        )  # fmt: skip
    if cls is ThreatClass.BIRD:
        centre = _start(rng, 1500.0, 8000.0, rng.uniform(50.0, 300.0))
        return BirdFlock(
            target_id=name, centre_m=(float(centre[0]), float(centre[1]), float(centre[2])),
            count=1, radius_m=rng.uniform(100.0, 500.0), speed_mps=rng.uniform(5.0, 20.0),
            rcs_m2=_logu(rng, 0.001, 0.01),
        )  # fmt: skip
    heli = rng.random() < 0.3
    speed = rng.uniform(30.0, 80.0) if heli else rng.uniform(60.0, 250.0)
    alt = rng.uniform(100.0, 1500.0) if heli else rng.uniform(300.0, 8000.0)
    rcs = _logu(rng, 1.0, 20.0) if heli else _logu(rng, 2.0, 100.0)
    wps = _legs(rng, _start(rng, 3000.0, 12000.0, alt), 2, (3000.0, 8000.0), 60.0)
    return WaypointTarget(
        target_id=name, kind=TargetKind.AIRCRAFT, hostile=False, start_t_s=0.0,
        waypoints_m=wps, speed_mps=speed, rcs_m2=rcs,
    )  # fmt: skip


def _draw_rocket(name: str, rng: np.random.Generator) -> RocketTarget:
    kind = rng.integers(3)
    if kind == 0:  # 107 mm
        speed, mass, dia, rng_m, high = rng.uniform(250, 370), 18.8, 0.107, (3000, 8000), False
    elif kind == 1:  # 122 mm
        speed, mass, dia, rng_m, high = rng.uniform(450, 690), rng.uniform(45, 66), 0.122, (
            6000, 18000), False  # fmt: skip
    else:  # mortar bomb
        speed, mass, dia, rng_m, high = (
            rng.uniform(120, 320), rng.uniform(3, 15), rng.uniform(0.06, 0.12), (1000, 6000), True
        )  # fmt: skip
    aim = _start(rng, 0.0, 1500.0, 0.0)
    d, az = rng.uniform(*rng_m), rng.uniform(0.0, 2.0 * np.pi)
    launch = aim + np.array([d * math.sin(az), d * math.cos(az), 0.0])
    return RocketTarget(
        target_id=name, launch_m=(float(launch[0]), float(launch[1]), 0.0),
        aim_m=(float(aim[0]), float(aim[1]), 0.0), launch_t_s=0.0, speed_mps=float(speed),
        mass_kg=float(mass), diameter_m=float(dia), drag_coefficient=float(rng.uniform(0.3, 0.45)),
        rcs_m2=_logu(rng, 0.01, 0.05), high_angle=high,
    )  # fmt: skip


def _world(cls: ThreatClass, name: str, rng: np.random.Generator) -> TruthWorld:
    """A world with one object of `cls`; draws again if the simulator cannot fly the draw."""
    for _ in range(20):
        try:
            return TruthWorld.build([draw_target(cls, name, rng)], DURATION_S, 0.0, rng, dt_s=0.1)
        except ConfigError:
            continue
    raise ConfigError(f"could not draw a flyable {cls.value} in 20 tries")


def simulate_object(
    cls: ThreatClass, obj: int, seed: np.random.SeedSequence, model: NaiveBayes | None
) -> list[Snapshot]:
    """Fly one object of `cls` through radar, tracker and classifier; its track snapshots per scan.

    With `model` None, features are recorded and `declared` is -1 (training needs no model).
    """
    world_ss, radar_ss = seed.spawn(2)
    world = _world(cls, f"{cls.value}-{obj}", np.random.default_rng(world_ss))
    radar = Radar(EVAL_RADAR)
    tracker = Tracker(TrackerParams())
    clf = Classifier(model) if model is not None else None
    book = clf.evidence if clf is not None else EvidenceBook()
    hits: dict[int, list[int]] = {}  # track id -> [object detections, all detections]
    rng = np.random.default_rng(radar_ss)
    label = MODEL_CLASSES.index(cls)
    out: list[Snapshot] = []
    for t in np.arange(1.0, DURATION_S + 1e-9, EVAL_RADAR.scan_period_s):
        batch = radar.scan(world, float(t), rng)
        res = tracker.step(batch)
        book.detections(batch, res.det_track_id)
        for tid, truth in zip(res.det_track_id.tolist(), batch.truth_id.tolist(), strict=True):
            if tid >= 0:
                h = hits.setdefault(tid, [0, 0])
                h[0] += truth == 0
                h[1] += 1
        if clf is not None:
            clf.forget(res.lost_ids)
        else:
            book.forget(res.lost_ids)
        table = tracker.table
        conf = np.flatnonzero(table.confirmed)
        ids = table.track_id[conf].astype(np.int64)
        x = table.x[conf]
        if clf is not None:
            ev = clf.evaluate(ids, x, float(t))
            declared = ev.codes.astype(np.int64)
        else:
            book.kinematics(ids, x, float(t))
            declared = np.full(ids.size, -1, dtype=np.int64)
        rows = book.cols.find(ids)
        feats = features(book.cols, rows, float(t))
        for i, tid in enumerate(ids.tolist()):
            h = hits.get(tid, [0, 1])
            if 2 * h[0] <= h[1]:
                continue  # a clutter track, or mostly clutter
            out.append(
                Snapshot(
                    obj=obj,
                    label=label,
                    track_id=tid,
                    t_s=float(t),
                    age_s=float(t) - float(book.cols["first_t_s"][rows[i]]),
                    n_looks=int(book.cols["n_looks"][rows[i]]),
                    features=feats[i],
                    declared=int(declared[i]),
                )
            )
    return out


def code_of(cls: ThreatClass) -> int:
    """Index of a class in THREAT_CLASSES (the declared codes)."""
    return THREAT_CLASSES.index(cls)
