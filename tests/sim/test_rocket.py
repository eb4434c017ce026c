"""Rocket truth: the solved elevation lands on the aim point with a plausible flight."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.core.errors import ConfigError
from bastion.sim.rocket import rocket_trajectory
from bastion.sim.truth import TruthWorld

from .conftest import DT_S, rocket_107

SITE_ALT_M = 50.0


def _elevation_rad(velocity_mps: np.ndarray) -> float:
    return math.atan2(velocity_mps[2], math.hypot(velocity_mps[0], velocity_mps[1]))


def test_low_angle_rocket_lands_on_aim_point_at_6_km() -> None:
    target = rocket_107()
    traj = rocket_trajectory(target, SITE_ALT_M, DT_S)
    miss = math.dist(traj.impact_m[:2], target.aim_m[:2])
    flight_s = traj.t_end_s - target.launch_t_s
    assert miss < 20.0
    assert 15.0 <= flight_s <= 45.0
    # The sampled trajectory itself ends at the impact point, at ground level.
    assert math.dist(tuple(traj.position_m[-1]), traj.impact_m) < 1e-9
    assert traj.impact_m[2] == pytest.approx(0.0, abs=1e-9)
    # Low angle: below the ~42 degree maximum-range elevation of this round.
    assert 0.1 < _elevation_rad(traj.velocity_mps[0]) < math.radians(40.0)


def test_rocket_apogee_and_speed_are_plausible() -> None:
    traj = rocket_trajectory(rocket_107(), SITE_ALT_M, DT_S)
    apogee_m = float(traj.position_m[:, 2].max())
    speed = np.linalg.norm(traj.velocity_mps, axis=1)
    assert 500.0 < apogee_m < 3000.0
    assert speed[0] == pytest.approx(370.0)
    assert speed.min() < 0.7 * speed[0]  # drag and climb slow it down


def test_higher_drag_needs_a_steeper_shot_and_shortens_the_maximum_range() -> None:
    low = rocket_trajectory(rocket_107(drag_coefficient=0.3), SITE_ALT_M, DT_S)
    high = rocket_trajectory(rocket_107(drag_coefficient=0.45), SITE_ALT_M, DT_S)
    assert _elevation_rad(high.velocity_mps[0]) > _elevation_rad(low.velocity_mps[0]) + 0.02
    far = (0.0, 1500.0, 0.0)  # 7.5 km: reachable with Cd 0.3, not with Cd 0.45
    rocket_trajectory(rocket_107(drag_coefficient=0.3, aim_m=far), SITE_ALT_M, DT_S)
    with pytest.raises(ConfigError, match="maximum range"):
        rocket_trajectory(rocket_107(drag_coefficient=0.45, aim_m=far), SITE_ALT_M, DT_S)


def test_high_angle_solution_lands_too_and_flies_longer() -> None:
    low = rocket_trajectory(rocket_107(), SITE_ALT_M, DT_S)
    high = rocket_trajectory(rocket_107(high_angle=True), SITE_ALT_M, DT_S)
    assert math.dist(high.impact_m[:2], (0.0, 0.0)) < 20.0
    assert _elevation_rad(high.velocity_mps[0]) > math.radians(45.0)
    assert high.t_end_s - high.t_begin_s > 1.5 * (low.t_end_s - low.t_begin_s)


def test_out_of_range_error_names_target_and_max_range() -> None:
    target = rocket_107(target_id="r-far", aim_m=(0.0, 6000.0, 0.0))  # 12 km
    with pytest.raises(ConfigError, match=r"'r-far'.*maximum range \d+ m") as info:
        TruthWorld.build([target], 60.0, SITE_ALT_M, np.random.default_rng(0))
    assert info.value.path == "targets[0].aim_m"
    max_range_m = float(str(info.value).split("maximum range ")[1].split(" m")[0])
    assert 6500.0 < max_range_m < 8500.0


def test_launch_from_a_hill_onto_lower_ground() -> None:
    target = rocket_107(launch_m=(3000.0, -4000.0, 150.0), aim_m=(200.0, 100.0, 20.0))
    traj = rocket_trajectory(target, SITE_ALT_M, DT_S)
    assert math.dist(traj.impact_m, target.aim_m) < 20.0


def test_rocket_exists_only_between_launch_and_impact() -> None:
    world = TruthWorld.build([rocket_107()], 60.0, SITE_ALT_M, np.random.default_rng(0))
    t_impact = world.impact_t_s(0)
    assert not world.state_at(4.99)[2][0]
    assert world.state_at(5.0)[2][0]
    assert world.state_at(t_impact - 0.01)[2][0]
    assert not world.state_at(t_impact + 0.01)[2][0]
    pos, _, _ = world.state_at(5.0)
    assert np.allclose(pos[0], (0.0, -6000.0, 0.0))
