"""Predicted paths, engagement windows (envelope, sector, slew, deadline), assets and no-fire zones."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bastion.core.ballistics import propagate_to_ground
from bastion.core.engage_params import (
    EffectorKind,
    EffectorParams,
    NoFireZoneParams,
    RoeSectorParams,
    WeaponsState,
)
from bastion.core.params import ZoneParams
from bastion.core.records import AFFILIATIONS, THREAT_CLASSES, Affiliation, ThreatClass
from bastion.engage import Planner
from bastion.engage.areas import AssetMap, NoFireMap
from bastion.engage.effectors import effector_window, validate_effector
from bastion.engage.paths import Paths, predict_paths

GUN = EffectorParams(
    name="gun",
    kind=EffectorKind.GUN,
    position_m=(0.0, 0.0, 0.0),
    min_range_m=200.0,
    max_range_m=2000.0,
    max_alt_m=1500.0,
    reaction_s=2.0,
    projectile_speed_mps=1000.0,
    pk={ThreatClass.FIXED_WING: 0.7},
    magazine=10,
)
# A drone 4 km west at 300 m, flying east at 50 m/s: enters 2 km slant range after about 40 s.
WEST = np.array([[-4000.0, 0.0, 300.0, 50.0, 0.0, 0.0]])


def _paths(x: np.ndarray, ballistic: bool = False, horizon_s: float = 120.0) -> Paths:
    return predict_paths(x, np.array([ballistic] * x.shape[0]), horizon_s, 0.25)


def test_ballistic_path_lands_where_the_point_mass_model_does() -> None:
    x = np.array([[3000.0, 0.0, 500.0, -250.0, 0.0, 60.0]])
    k = 8.4e-5
    impact, t_imp = propagate_to_ground(x[:, :3], x[:, 3:], np.array([k]), 190.0, dt_s=0.01)
    p = predict_paths(x, np.array([True]), 120.0, 0.25, k_drag_m2pkg=k, site_alt_m=190.0)
    last = int(np.flatnonzero(p.alive[0])[-1])
    assert abs(p.t_s[last] - t_imp[0]) <= 0.25
    assert np.hypot(*(p.pos_m[0, last, :2] - impact[0, :2])) < 0.25 * 260.0
    assert not p.alive[0, last + 1 :].any()


def test_air_breathing_path_holds_its_height() -> None:
    x = WEST.copy()
    x[0, 5] = -6.0  # a noisy climb-rate estimate must not fly the drone into the ground
    p = _paths(x)
    assert p.alive.all() and np.allclose(p.pos_m[0, :, 2], 300.0)
    assert np.allclose(p.pos_m[0, 4, :2], [-4000.0 + 50.0, 0.0])


def test_window_opens_at_the_envelope_and_time_of_flight_includes_effect_delay() -> None:
    w = effector_window(GUN, _paths(WEST), earliest_fire_s=2.0)
    assert 39.0 < w.intercept_s[0] < 42.0
    slant = math.hypot(-4000.0 + 50.0 * w.intercept_s[0], 300.0)
    assert w.intercept_s[0] - w.fire_s[0] == pytest.approx(slant / 1000.0, abs=1e-6)
    slow = effector_window(replace(GUN, effect_delay_s=4.0), _paths(WEST), 2.0)
    assert slow.intercept_s[0] - slow.fire_s[0] == pytest.approx(slant / 1000.0 + 4.0, abs=0.01)
    # Past the effector the window closes at the far edge of the envelope.
    assert w.close_s[0] > w.fire_s[0] + 60.0


def test_height_limits_sector_and_deadline() -> None:
    low = replace(GUN, min_alt_m=400.0)
    assert not effector_window(low, _paths(WEST), 2.0).feasible[0]
    east_only = replace(GUN, sector_from_rad=math.radians(45), sector_width_rad=math.radians(90))
    w = effector_window(east_only, _paths(WEST), 2.0)
    # The drone is west until it passes overhead; it can be engaged only once it is east.
    assert w.feasible[0] and w.intercept_s[0] > 80.0
    assert not effector_window(GUN, _paths(WEST), 2.0, deadline_s=np.array([30.0])).feasible[0]
    assert not effector_window(GUN, _paths(WEST), earliest_fire_s=200.0).feasible[0]


def test_slewing_delays_the_shot() -> None:
    slewed = replace(GUN, slew_rate_radps=math.radians(10.0))
    ready = effector_window(slewed, _paths(WEST), 2.0, pointing_az_rad=math.radians(270.0))
    turned = effector_window(slewed, _paths(WEST), 2.0, pointing_az_rad=math.radians(90.0))
    assert ready.fire_s[0] == pytest.approx(effector_window(GUN, _paths(WEST), 2.0).fire_s[0])
    # 180 degrees at 10 degrees/s: 18 s of slewing before the first shot can leave.
    assert turned.fire_s[0] >= 18.0 + 2.0 - 0.25


def test_asset_of_a_drone_is_the_first_zone_it_reaches() -> None:
    zones = [
        ZoneParams(
            name="near",
            polygon_m=((-2100, -100), (-1900, -100), (-1900, 100), (-2100, 100)),
            value=1,
        ),
        ZoneParams(
            name="far", polygon_m=((900, -100), (1100, -100), (1100, 100), (900, 100)), value=5
        ),
        ZoneParams(
            name="aside", polygon_m=((0, 5000), (100, 5000), (100, 5100), (0, 5100)), value=9
        ),
    ]
    assets = AssetMap(zones, buffer_m=100.0)
    value, deadline, zone = assets.reach(_paths(WEST), np.array([False]))
    assert zone[0] == 0 and value[0] == 1.0
    assert deadline[0] == pytest.approx((4000.0 - 2200.0) / 50.0, abs=0.25)
    away = WEST.copy()
    away[0, 3] = -50.0
    value, deadline, zone = assets.reach(_paths(away), np.array([False]))
    assert zone[0] == -1 and value[0] == 9.0 and math.isinf(deadline[0])


def test_asset_of_a_rocket_is_where_it_lands() -> None:
    zones = [
        ZoneParams(
            name="overflown",
            polygon_m=((1000, -500), (2000, -500), (2000, 500), (1000, 500)),
            value=5,
        ),
        ZoneParams(
            name="struck", polygon_m=((-600, -300), (0, -300), (0, 300), (-600, 300)), value=2
        ),
    ]
    x = np.array([[3000.0, 0.0, 300.0, -250.0, 0.0, 40.0]])
    paths = predict_paths(x, np.array([True]), 120.0, 0.25, k_drag_m2pkg=0.0)
    value, deadline, zone = AssetMap(zones, 50.0).reach(paths, np.array([True]))
    last = int(np.flatnonzero(paths.alive[0])[-1])
    assert -600.0 < paths.pos_m[0, last, 0] < 0.0  # the test's geometry: it lands in "struck"
    assert zone[0] == 1 and value[0] == 2.0 and deadline[0] == paths.t_s[last]


def test_no_fire_zone_bars_debris_and_misses_but_not_a_jammer() -> None:
    town = NoFireMap(
        [
            NoFireZoneParams(
                name="town", polygon_m=((-3000, -500), (-2000, -500), (-2000, 500), (-3000, 500))
            )
        ]
    )
    over_town = np.array([[-2500.0, 0.0, 300.0], [-1000.0, 0.0, 300.0], [-1700.0, 0.0, 300.0]])
    assert town.violates(GUN, over_town).tolist() == [True, False, False]
    debris = replace(GUN, debris_radius_m=400.0)
    assert town.violates(debris, over_town).tolist() == [True, False, True]
    # A gun firing west at 1 km: its missed rounds come down 2.5 km out, in the town.
    miss = replace(GUN, miss_range_m=2500.0)
    assert town.violates(miss, over_town).tolist() == [True, True, True]
    assert town.zone_hit(miss, over_town[1]) == "town"
    jammer = replace(GUN, kind=EffectorKind.JAMMER, debris_radius_m=400.0)
    assert not town.violates(jammer, over_town).any()
    assert not NoFireMap([]).violates(miss, over_town).any()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"min_range_m": 3000.0}, "min_range_m < max_range_m"),
        ({"min_alt_m": 2000.0}, "min_alt_m < max_alt_m"),
        ({"min_alt_m": 1400.0, "max_range_m": 1000.0, "min_range_m": 0.0}, "envelope is empty"),
        ({"max_alt_m": -5.0}, "min_alt_m < max_alt_m"),
        ({"sector_width_rad": 0.0}, "sector"),
        ({"projectile_speed_mps": 0.0}, "projectile_speed_mps"),
        ({"slew_rate_radps": 0.0}, "slew rate"),
        ({"reaction_s": -1.0}, "reaction_s"),
        ({"pk": {ThreatClass.FIXED_WING: 1.5}}, "pk must lie"),
        ({"pk": {ThreatClass.FIXED_WING: 0.0}}, "defeat nothing"),
        ({"magazine": -1}, "magazine"),
        ({"channels": 0}, "channels"),
        ({"miss_range_m": -1.0}, "miss_range_m"),
        ({"max_range_m": math.nan}, "finite"),
        ({"kind": EffectorKind.JAMMER, "pk": {ThreatClass.ROCKET: 0.5}}, "unguided rocket"),
    ],
)
def test_impossible_effectors_are_explained(change: dict[str, object], reason: str) -> None:
    problems = validate_effector(replace(GUN, **change))  # type: ignore[arg-type]
    assert any(reason in p for p in problems), problems
    assert all(p.startswith("gun: ") for p in problems)


def test_a_sound_effector_has_no_problems() -> None:
    assert validate_effector(GUN) == []


def test_planner_says_why_there_is_no_window() -> None:
    cls = np.array([THREAT_CLASSES.index(ThreatClass.FIXED_WING)], dtype=np.int8)
    aff = np.array([AFFILIATIONS.index(Affiliation.HOSTILE)], dtype=np.int8)
    away = WEST.copy()
    away[0, 3] = -50.0
    everywhere = NoFireZoneParams(
        name="all", polygon_m=((-9e3, -9e3), (9e3, -9e3), (9e3, 9e3), (-9e3, 9e3))
    )
    held = RoeSectorParams(name="hold", state=WeaponsState.HOLD)
    cases = [
        (Planner([GUN]), away, "does not enter the envelope"),
        (Planner([GUN], roe_sectors=[held]), WEST, "rules of engagement"),
        (Planner([GUN], no_fire_zones=[everywhere]), WEST, "no-fire zone"),
    ]
    for planner, x, why in cases:
        plan = planner.plan(x, cls, aff, np.array([2.0]))
        assert not plan.pk.any()
        assert why in planner.why_not(plan, 0, 0, aff, 2.0)
