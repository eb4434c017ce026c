"""The threat stage on seeded simulated rounds: impact and origin against the truth, zone warnings,
the alert's life after track loss, and the ranked threat list."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from bastion.core.params import (
    RadarParams,
    RocketTarget,
    Target,
    TargetKind,
    ThreatParams,
    WaypointTarget,
    ZoneParams,
)
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Alert,
    AlertCleared,
    EventKind,
    ImpactPrediction,
    OriginEstimate,
    RankedThreat,
    ThreatClass,
)
from bastion.sim import Radar, TruthWorld
from bastion.threat import ThreatBook
from bastion.threat.book import warn_thresholds

SITE_ALT_M = 35.0
HOSTILE = np.array([AFFILIATIONS.index(Affiliation.HOSTILE)], dtype=np.int8)
ROCKET = np.array([THREAT_CLASSES.index(ThreatClass.ROCKET)], dtype=np.int8)
RADAR = RadarParams(
    sensor_id="r",
    position_m=(100.0, -200.0, 8.0),
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
    ref_snr_db=25.0,
    pfa=1e-6,
    clutter_per_scan=0.0,
)


def _box(name: str, e: float, n: float, half: float) -> ZoneParams:
    c = ((e - half, n - half), (e + half, n - half), (e + half, n + half), (e - half, n + half))
    return ZoneParams(name=name, polygon_m=c, value=2.0)


ZONES = (_box("chancery", 0.0, 0.0, 50.0), _box("residences", -400.0, 300.0, 80.0))


def _round(aim: tuple[float, float], seed_angle: float, dist: float = 6000.0) -> RocketTarget:
    return RocketTarget(
        target_id="r107",
        launch_m=(aim[0] + dist * math.sin(seed_angle), aim[1] + dist * math.cos(seed_angle), 0.0),
        aim_m=(aim[0], aim[1], 0.0),
        launch_t_s=1.0,
        speed_mps=350.0,
        mass_kg=18.8,
        diameter_m=0.107,
        drag_coefficient=0.35,
        rcs_m2=0.02,
    )


def _fly(
    target: Target,
    seed: int,
    stop_s: float | None = None,
    cls_at: Callable[[float], np.ndarray] = lambda t: ROCKET,
) -> tuple[list, dict]:
    """Run the threat stage on one round seen by RADAR, the tracker replaced by the truth labels;
    `cls_at(t)` is the declared class at time t (rocket throughout by default)."""
    world = TruthWorld.build([target], 80.0, SITE_ALT_M, np.random.default_rng(0), 0.1)
    book = ThreatBook.create(
        replace(ThreatParams(), alert_margin_s=5.0), ZONES, SITE_ALT_M, terrain=None
    )
    radar, rng = Radar(RADAR), np.random.default_rng(seed)
    t_imp = world.impact_t_s(0, planned=True)
    events, first = [], math.nan
    for t in np.arange(0.1, (stop_s or t_imp) + 0.05, 0.1):
        t = round(float(t), 6)
        batch = radar.scan(world, t, rng)
        book.detections(batch, np.where(batch.truth_id == 0, 1, -1).astype(np.int64))
        if len(batch) and math.isnan(first):
            first = t
        pos, vel, alive = world.state_at(t)
        if not alive[0] or math.isnan(first) or t - first < 0.3:
            continue
        x = np.concatenate([pos[0], vel[0]])[None]
        events += book.step(
            t, np.array([1]), x, np.array([t]), np.array([first]), HOSTILE, cls_at(t)
        )
    info = {
        "first_s": first,
        "t_impact_s": t_imp,
        "impact_m": world.impact_point_m(0, planned=True),
        "book": book,
    }
    return events, info


def _of(events: list, kind: type) -> list:
    return [p for _, _, p in events if isinstance(p, kind)]


@pytest.mark.parametrize("seed", range(4))
def test_impact_and_origin_estimates_against_the_truth(seed: int) -> None:
    target = _round((0.0, 0.0), 2.2 + 0.7 * seed)
    events, info = _fly(target, seed)
    preds = _of(events, ImpactPrediction)
    at5 = [p for p in preds if p.t_s <= info["first_s"] + 5.0][-1]
    err5 = math.hypot(at5.impact_e_m - info["impact_m"][0], at5.impact_n_m - info["impact_m"][1])
    assert err5 <= 150.0, err5  # CEP ~40 m: four-sigma headroom for one seeded round
    last = preds[-1]
    err = math.hypot(last.impact_e_m - info["impact_m"][0], last.impact_n_m - info["impact_m"][1])
    assert err <= 20.0 and abs(last.t_impact_s - info["t_impact_s"]) < 0.5
    origin = _of(events, OriginEstimate)[-1]
    org_err = math.hypot(
        origin.origin_e_m - target.launch_m[0], origin.origin_n_m - target.launch_m[1]
    )
    assert org_err <= 60.0, org_err
    assert abs(origin.t_launch_s - target.launch_t_s) < 0.5
    # The ellipse is honest: the truth lies inside the last 99% impact ellipse.
    assert err <= last.ellipse_major_m


def test_round_falling_outside_all_zones_raises_no_zone_alert() -> None:
    events, _ = _fly(_round((900.0, -1200.0), 2.5), seed=7)
    kinds = {k for k, _, _ in events}
    assert EventKind.IMPACT_PREDICTED in kinds and EventKind.ORIGIN_ESTIMATED in kinds
    assert EventKind.ALERT_RAISED not in kinds, [p for _, _, p in events if isinstance(p, Alert)]


def test_round_on_a_zone_warns_it_until_impact_plus_margin_even_after_track_loss() -> None:
    target = _round((10.0, -5.0), 2.0)
    events, info = _fly(target, seed=3, stop_s=20.0)
    alerts = _of(events, Alert)
    chancery = [a for a in alerts if a.zone == "chancery"]
    assert len(chancery) == 1 and abs(chancery[0].t_expected_s - info["t_impact_s"]) < 2.0
    assert chancery[0].t_s - info["first_s"] < 0.15 * (info["t_impact_s"] - info["first_s"])
    book: ThreatBook = info["book"]
    # The round drops out of coverage: its track is lost, but the round is still coming.
    assert book.forget(np.array([1]), 20.0, "track lost") == []
    empty = np.zeros((0, 6))
    none = np.zeros(0, dtype=np.int8)
    ids = np.zeros(0, dtype=np.int64)
    t_clear = min(a.t_expected_s for a in book.warn.active.values()) + 5.0
    no_t = np.zeros(0)
    assert book.step(t_clear - 0.5, ids, empty, no_t, no_t, none, none) == []
    cleared = _of(book.step(t_clear + 3.0, ids, empty, no_t, no_t, none, none), AlertCleared)
    assert chancery[0].alert_id in {c.alert_id for c in cleared} and not book.warn.active


AIRCRAFT = np.array([THREAT_CLASSES.index(ThreatClass.AIRCRAFT)], dtype=np.int8)
UNKNOWN = np.array([THREAT_CLASSES.index(ThreatClass.UNKNOWN)], dtype=np.int8)


def test_a_track_declared_aircraft_gets_no_ballistic_prediction_a_rocket_still_does() -> None:
    # An aircraft in level flight 11 km out, 120 m/s: over its first seconds the radar's angle noise
    # (about 30 m across the beam) hides the missing 5-20 m of gravity drop, so a short ballistic
    # arc fits its plots (the demo's C-130 before its ADS-B identification).
    plane = WaypointTarget(
        target_id="c130",
        kind=TargetKind.AIRCRAFT,
        hostile=False,
        start_t_s=0.0,
        waypoints_m=((11000.0, 0.0, 900.0), (9000.0, -300.0, 900.0)),
        speed_mps=120.0,
        rcs_m2=20.0,
    )
    unknown, _ = _fly(plane, seed=3, stop_s=8.0, cls_at=lambda t: UNKNOWN)
    assert _of(unknown, ImpactPrediction), "the hazard: an unclassified aircraft fits an arc"
    declared, _ = _fly(plane, seed=3, stop_s=8.0, cls_at=lambda t: AIRCRAFT)
    assert not _of(declared, ImpactPrediction) and not _of(declared, OriginEstimate)
    # A rocket is still fitted and warned while classed a rocket or not classed yet, and a fitted
    # round keeps its fit if it is later declared an aircraft.
    target = _round((10.0, -5.0), 2.0)
    for cls_at in (lambda t: UNKNOWN, lambda t: ROCKET if t < 4.0 else AIRCRAFT):
        events, info = _fly(target, seed=1, cls_at=cls_at)
        preds = _of(events, ImpactPrediction)
        assert preds and preds[-1].t_s > info["t_impact_s"] - 2.0
        assert "chancery" in {a.zone for a in _of(events, Alert)}


def test_ranked_threats_carry_a_reason_line() -> None:
    zones = (_box("hq", 0.0, 0.0, 100.0), _box("fuel", 3000.0, 3000.0, 50.0))
    book = ThreatBook.create(ThreatParams(), zones, SITE_ALT_M)
    fw = THREAT_CLASSES.index(ThreatClass.FIXED_WING)
    mr = THREAT_CLASSES.index(ThreatClass.MULTIROTOR)
    ids = np.array([5, 6])
    cls = np.array([fw, mr], dtype=np.int8)
    aff = np.repeat(HOSTILE, 2)
    ranked: list[RankedThreat] = []
    for t in np.arange(0.0, 4.0, 1.0):
        x = np.array(
            [
                [-2200.0 + 48.0 * t, 0.0, 300.0, 48.0, 0.0, 0.0],  # straight at hq
                [3000.0, -1500.0, 100.0, 0.0, 10.0, 0.0],  # slow, toward fuel
            ]
        )
        em = book.step(float(t), ids, x, np.full(2, float(t)), np.zeros(2), aff, cls)
        ranked += [p for _, _, p in em if isinstance(p, RankedThreat)]
    first = [r for r in ranked if r.rank == 1]
    assert first and first[0].track_id == 5 and first[0].zone == "hq"
    assert first[0].reason == "fixed_wing, 48 m/s, 2.1 km from hq, 44 s, steady heading"
    assert {r.track_id for r in ranked} == {5, 6}


def test_a_drone_alert_says_when_its_approach_is_cut_by_the_horizon() -> None:
    """A drone whose straight path comes within the warning distance of a zone only at the end of
    the horizon is warned, and its alert says so instead of calling the horizon its closest
    approach; one that passes its closest point inside the horizon gives that point and time."""
    tp = ThreatParams()
    zones = (_box("hq", 0.0, 0.0, 100.0), _box("fuel", 0.0, 3000.0, 100.0))
    book = ThreatBook.create(tp, zones, SITE_ALT_M)
    fw = THREAT_CLASSES.index(ThreatClass.FIXED_WING)
    reach = 100.0 + tp.warn_distance_m / 2  # from the zone centre, inside the warning distance
    far = -(reach + 50.0 * tp.horizon_s)  # at 50 m/s, this near to hq exactly at the horizon
    x = np.array(
        [
            [far, 0.0, 300.0, 50.0, 0.0, 0.0],  # closing on hq at the horizon
            [-3000.0, 3000.0 + reach, 300.0, 50.0, 0.0, 0.0],  # along fuel's side at 58-62 s
        ]
    )
    cls = np.array([fw, fw], dtype=np.int8)
    em = book.step(0.0, np.array([5, 6]), x, np.zeros(2), np.zeros(2), np.repeat(HOSTILE, 2), cls)
    alerts = {p.zone: p for _, _, p in em if isinstance(p, Alert)}
    assert alerts["hq"].reason.endswith(f"from hq at the {tp.horizon_s:.0f} s horizon and closing")
    assert alerts["hq"].t_expected_s == pytest.approx(tp.horizon_s)
    assert "closest 150 m from fuel in 6" in alerts["fuel"].reason
    assert 58.0 <= alerts["fuel"].t_expected_s <= 62.0 + 1e-9


def test_the_late_threshold_applies_after_a_share_of_the_predicted_flight() -> None:
    """`warn_probability` in the first `warn_late_fraction` of a round's flight, counted from its
    track's first detection to its predicted impact, the late one after."""
    tp = replace(ThreatParams(), warn_probability_first=0.2, warn_probability=0.2)
    tp = replace(tp, warn_probability_late=0.6, warn_late_fraction=0.1)
    born, impact = np.array([10.0, 8.0]), np.array([30.0, 30.0])  # flights of 20 s and 22 s
    assert warn_thresholds(tp, 11.0, born, impact).tolist() == [0.2, 0.6]  # 5%, then 13.6%
    assert warn_thresholds(tp, 12.5, born, impact).tolist() == [0.6, 0.6]  # 12.5%
    one = replace(tp, warn_late_fraction=0.0)
    assert warn_thresholds(one, 10.5, born, impact).tolist() == [0.6, 0.6]  # late throughout


def test_the_early_threshold_falls_from_first_detection_to_the_late_fraction() -> None:
    """`warn_probability_first` at the track's first detection, falling linearly to
    `warn_probability` at `warn_late_fraction` of the predicted flight, then the late one."""
    tp = replace(ThreatParams(), warn_probability_first=1.0, warn_probability=0.2)
    tp = replace(tp, warn_probability_late=0.6, warn_late_fraction=0.1)
    born, impact = np.array([10.0, 10.0, 10.0]), np.array([30.0, 20.0, 50.0])  # 20, 10, 40 s
    thr = warn_thresholds(tp, 11.0, born, impact)  # 5%, 10%, 2.5% of the flights
    np.testing.assert_allclose(thr, [0.6, 0.6, 0.8])
    thr = warn_thresholds(tp, 10.0, born, impact)  # at first detection
    np.testing.assert_allclose(thr, [1.0, 1.0, 1.0])
    thr = warn_thresholds(tp, 11.9, born, impact)  # 9.5%: near the floor; 19%: late; 4.75%
    np.testing.assert_allclose(thr, [0.24, 0.6, 0.62])
