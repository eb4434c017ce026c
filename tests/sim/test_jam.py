"""A jammed drone turns and flies home; rockets and birds are not jammed; impacts follow the jam."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.core.params import BirdFlock, RocketTarget, TargetKind, WaypointTarget
from bastion.sim import TruthWorld
from bastion.sim.jam import HOLD_MIN_ALT_M, return_home

DRONE = WaypointTarget(
    target_id="owa",
    kind=TargetKind.FIXED_WING,
    hostile=True,
    start_t_s=0.0,
    waypoints_m=((-8000.0, 0.0, 300.0), (-500.0, 0.0, 300.0), (0.0, 0.0, 0.0)),
    speed_mps=50.0,
    rcs_m2=0.1,
)
QUAD = WaypointTarget(
    target_id="quad",
    kind=TargetKind.MULTIROTOR,
    hostile=True,
    start_t_s=0.0,
    waypoints_m=((0.0, 3000.0, 100.0), (0.0, 0.0, 0.0)),
    speed_mps=15.0,
    rcs_m2=0.01,
)
ROCKET = RocketTarget(
    target_id="r",
    launch_m=(5000.0, 0.0, 0.0),
    aim_m=(0.0, 0.0, 0.0),
    launch_t_s=0.0,
    speed_mps=350.0,
    mass_kg=18.8,
    diameter_m=0.107,
    drag_coefficient=0.35,
    rcs_m2=0.02,
)
BIRDS = BirdFlock(
    target_id="b",
    centre_m=(0.0, 2000.0, 100.0),
    count=2,
    radius_m=200.0,
    speed_mps=10.0,
    rcs_m2=0.01,
)


def _world() -> TruthWorld:
    return TruthWorld.build(
        [DRONE, QUAD, ROCKET, BIRDS], 400.0, 0.0, np.random.default_rng(1), dt_s=0.05
    )


def test_jammed_drone_turns_home_and_never_strikes() -> None:
    w = _world()
    planned = w.impact_t_s(0)
    assert math.isfinite(planned)
    before, _, _ = w.state_at(60.0)
    assert w.jam(0, 60.0)
    assert w.jammed_t_s(0) == 60.0
    assert math.isnan(w.impact_t_s(0)) and w.impact_t_s(0, planned=True) == planned
    # The state is continuous at the jam, then the drone heads back west toward its launch point.
    at, _, _ = w.state_at(60.0)
    assert np.allclose(at[0], before[0], atol=1.0)
    later, vel, alive = w.state_at(120.0)
    assert alive[0] and vel[0, 0] < -45.0 and later[0, 0] < at[0, 0]
    assert later[0, 2] >= HOLD_MIN_ALT_M
    # It lands at home: gone before the end of the run, never at the aim point.
    _, _, alive_end = w.state_at(399.0)
    assert not alive_end[0]
    hist = w.history(1.0)
    finite = hist.position_m[:, 0][np.isfinite(hist.position_m[:, 0, 0])]
    assert np.hypot(finite[:, 0], finite[:, 1]).min() > 4000.0


def test_a_hovering_multirotor_goes_home_too() -> None:
    w = _world()
    assert w.jam(1, 30.0)
    _, vel, alive = w.state_at(40.0)
    assert alive[1] and vel[1, 1] > 5.0  # northward, back to its start


def test_rockets_birds_dead_and_jammed_objects_are_not_jammed_again() -> None:
    w = _world()
    assert not w.jam(2, 10.0)  # an unguided rocket flies on
    assert not w.jam(3, 10.0)  # a bird
    assert w.jam(0, 60.0)
    assert not w.jam(0, 70.0)
    w.destroy(1, 20.0)
    assert not w.jam(1, 30.0)
    with pytest.raises(IndexError):
        w.jam(99, 1.0)


def test_return_home_turns_at_a_bounded_rate() -> None:
    times = np.arange(0.0, 30.0, 0.05)
    pos, vel, t_home = return_home(
        np.array([0.0, 0.0, 200.0]),
        np.array([50.0, 0.0, -5.0]),
        np.array([-5000.0, 0.0, 0.0]),
        0.0,
        times,
    )
    heading = np.unwrap(np.arctan2(vel[:, 0], vel[:, 1]))
    rate = np.abs(np.diff(heading)) / 0.05
    assert rate.max() <= 0.5 + 1e-6
    assert np.allclose(np.hypot(vel[:, 0], vel[:, 1]), 50.0)
    assert t_home > 5000.0 / 50.0
    assert np.all(pos[:, 2] == 200.0)
