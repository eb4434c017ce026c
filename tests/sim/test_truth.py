"""TruthWorld: object expansion, interpolation, existence, destruction and history."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.core.errors import ConfigError
from bastion.core.params import BirdFlock, TargetKind, WaypointTarget
from bastion.sim import TruthWorld

from .conftest import rocket_107

SITE_ALT_M = 50.0


def _targets() -> list[WaypointTarget | BirdFlock]:
    return [
        WaypointTarget(
            target_id="owa-1",
            kind=TargetKind.FIXED_WING,
            hostile=True,
            start_t_s=0.0,
            waypoints_m=((-4000.0, 2000.0, 300.0), (-1000.0, 0.0, 300.0), (0.0, 0.0, 0.0)),
            speed_mps=50.0,
            rcs_m2=0.1,
        ),
        WaypointTarget(
            target_id="cargo",
            kind=TargetKind.AIRCRAFT,
            hostile=False,
            start_t_s=3.0,
            waypoints_m=((-9000.0, 0.0, 900.0), (9000.0, 0.0, 900.0)),
            speed_mps=100.0,
            rcs_m2=20.0,
            adsb_icao="4CA123",
            callsign="RCH101",
        ),
        BirdFlock(
            target_id="flock-1",
            centre_m=(1000.0, 1000.0, 100.0),
            count=3,
            radius_m=200.0,
            speed_mps=10.0,
            rcs_m2=0.005,
        ),
    ]


@pytest.fixture
def world() -> TruthWorld:
    return TruthWorld.build(
        [*_targets(), rocket_107()], 120.0, SITE_ALT_M, np.random.default_rng(11)
    )


def test_objects_are_expanded_and_described(world: TruthWorld) -> None:
    assert len(world) == 6
    assert world.names == ("owa-1", "cargo", "flock-1/1", "flock-1/2", "flock-1/3", "rocket-1")
    assert world.kinds[2] is TargetKind.BIRD and world.kinds[5] is TargetKind.ROCKET
    assert world.hostile == (True, False, False, False, False, True)
    assert world.adsb_icao[1] == "4CA123" and world.callsign[1] == "RCH101"
    assert world.adsb_icao[0] == "" and world.callsign[5] == ""
    assert np.allclose(world.rcs_m2, [0.1, 20.0, 0.005, 0.005, 0.005, 0.02])
    assert [world.start_t_s(k) for k in (0, 1, 2, 5)] == [0.0, 3.0, 0.0, 5.0]


def test_impacts_are_known_only_for_ground_strikers(world: TruthWorld) -> None:
    assert np.allclose(world.impact_point_m(0), 0.0, atol=1e-6)
    assert np.linalg.norm(world.impact_point_m(5)[:2]) < 20.0
    assert 15.0 < world.impact_t_s(5) - 5.0 < 45.0
    for k in (1, 2, 3, 4):
        assert math.isnan(world.impact_t_s(k))
        assert np.isnan(world.impact_point_m(k)).all()


def test_state_interpolates_between_samples(world: TruthWorld) -> None:
    # The aircraft flies a straight line at 100 m/s: interpolation must be exact off the grid.
    for t in (3.0, 10.013, 47.77, 99.999):
        pos, vel, alive = world.state_at(t)
        assert alive[1]
        assert np.allclose(pos[1], (-9000.0 + 100.0 * (t - 3.0), 0.0, 900.0), atol=1e-6)
        assert np.allclose(vel[1], (100.0, 0.0, 0.0))
    pos, vel, alive = world.state_at(2.999)
    assert not alive[1] and np.isnan(pos[1]).all() and np.isnan(vel[1]).all()


def test_world_ends_at_duration(world: TruthWorld) -> None:
    assert world.state_at(120.0)[2][1]
    assert not world.state_at(120.01)[2].any()


def test_destroy_removes_object_from_then_on(world: TruthWorld) -> None:
    t_kill = 12.0
    world.destroy(5, t_kill)
    assert world.state_at(t_kill - 0.01)[2][5]
    assert not world.state_at(t_kill)[2][5]
    assert not world.state_at(t_kill + 50.0)[2][5]
    assert math.isnan(world.impact_t_s(5))
    assert np.isnan(world.impact_point_m(5)).all()
    assert np.linalg.norm(world.impact_point_m(5, planned=True)[:2]) < 20.0
    assert world.destroyed_t_s(5) == t_kill
    world.destroy(5, 20.0)  # a later kill of a dead object changes nothing
    assert world.destroyed_t_s(5) == t_kill
    assert world.state_at(t_kill + 1.0)[2][:5].tolist() == [True] * 5
    with pytest.raises(IndexError):
        world.destroy(6, 1.0)


def test_history_matches_state_at(world: TruthWorld) -> None:
    world.destroy(2, 30.0)
    hist = world.history(1.0)
    assert hist.t_s.shape == (121,)
    assert hist.position_m.shape == (121, 6, 3) and hist.velocity_mps.shape == (121, 6, 3)
    assert hist.names == world.names and hist.kinds[5] == "rocket"
    assert hist.hostile == world.hostile
    for i in (0, 17, 64, 120):
        pos, _, alive = world.state_at(float(hist.t_s[i]))
        assert np.array_equal(np.isnan(hist.position_m[i, :, 0]), ~alive)
        assert np.allclose(hist.position_m[i][alive], pos[alive])
    assert np.isnan(hist.position_m[30:, 2]).all() and not np.isnan(hist.position_m[:30, 2]).any()


def test_same_seed_same_world() -> None:
    a = TruthWorld.build(_targets(), 60.0, SITE_ALT_M, np.random.default_rng(3)).history(0.5)
    b = TruthWorld.build(_targets(), 60.0, SITE_ALT_M, np.random.default_rng(3)).history(0.5)
    c = TruthWorld.build(_targets(), 60.0, SITE_ALT_M, np.random.default_rng(4)).history(0.5)
    assert np.array_equal(a.position_m, b.position_m, equal_nan=True)
    assert not np.array_equal(a.position_m, c.position_m, equal_nan=True)


def test_duplicate_target_ids_are_rejected() -> None:
    with pytest.raises(ConfigError, match="duplicate target ids: rocket-1"):
        TruthWorld.build([rocket_107(), rocket_107()], 60.0, 0.0, np.random.default_rng(0))


def test_empty_world() -> None:
    world = TruthWorld.build([], 10.0, 0.0, np.random.default_rng(0))
    pos, vel, alive = world.state_at(1.0)
    assert pos.shape == (0, 3) and vel.shape == (0, 3) and alive.shape == (0,)
    assert world.history(1.0).position_m.shape == (11, 0, 3)
