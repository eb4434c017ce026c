"""Waypoint targets and birds: speeds, turns, dives, hovers and confinement."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.core.errors import ConfigError
from bastion.core.params import BirdFlock, TargetKind, WaypointTarget
from bastion.core.units import G0_MPS2
from bastion.sim.motion import (
    BIRD_ALT_MAX_M,
    BIRD_ALT_MIN_M,
    FIXED_WING_LATERAL_G,
    MULTIROTOR_ACCEL_MPS2,
    flock_trajectories,
    waypoint_trajectory,
)

from .conftest import DT_S

DIVE_RAD = 0.5
CRUISE_M = 800.0


def _shahed(hostile: bool = True) -> WaypointTarget:
    return WaypointTarget(
        target_id="owa-1",
        kind=TargetKind.FIXED_WING,
        hostile=hostile,
        start_t_s=2.0,
        waypoints_m=((-20000.0, 6000.0, CRUISE_M), (-6000.0, 0.0, CRUISE_M), (0.0, 0.0, 0.0)),
        speed_mps=50.0,
        rcs_m2=0.1,
        dive_angle_rad=DIVE_RAD,
    )


def test_fixed_wing_flies_at_constant_speed_with_bounded_turns() -> None:
    traj = waypoint_trajectory(_shahed(), 10_000.0, DT_S)
    speed = np.linalg.norm(traj.velocity_mps, axis=1)
    assert np.allclose(speed, 50.0, rtol=0.0, atol=1e-9)
    accel = np.linalg.norm(np.diff(traj.velocity_mps, axis=0), axis=1) / np.diff(traj.t_s)
    assert accel.max() <= FIXED_WING_LATERAL_G * G0_MPS2 * 1.01
    assert accel.max() > 0.5 * G0_MPS2  # it does turn, hard
    # The position samples integrate the velocity samples (no jumps).
    mid_v = 0.5 * (traj.velocity_mps[1:] + traj.velocity_mps[:-1])
    step_err = np.diff(traj.position_m, axis=0) - mid_v * np.diff(traj.t_s)[:, None]
    assert np.abs(step_err).max() < 0.05


def test_fixed_wing_dives_onto_last_waypoint_and_ends_there() -> None:
    target = _shahed()
    traj = waypoint_trajectory(target, 10_000.0, DT_S)
    assert traj.impact_m == (0.0, 0.0, 0.0)
    assert np.allclose(traj.position_m[-1], 0.0, atol=1e-6)
    assert traj.t_last_s == traj.t_end_s
    # Level at cruise altitude until the dive point, then a straight dive at the dive angle.
    dive_start_m = CRUISE_M / math.tan(DIVE_RAD)
    ground_dist = np.hypot(traj.position_m[:, 0], traj.position_m[:, 1])
    far = ground_dist > dive_start_m + 100.0
    assert np.allclose(traj.position_m[far, 2], CRUISE_M)
    first_below = int(np.flatnonzero(traj.position_m[:, 2] < CRUISE_M - 0.01)[0])
    assert dive_start_m - 1.0 < ground_dist[first_below] < dive_start_m + 100.0
    last_5_s = traj.t_s > traj.t_end_s - 5.0
    v = traj.velocity_mps[last_5_s]
    pitch = np.arctan2(v[:, 2], np.hypot(v[:, 0], v[:, 1]))
    assert np.allclose(pitch, -DIVE_RAD, atol=1e-9)


def test_short_last_leg_dives_from_the_previous_waypoint() -> None:
    target = WaypointTarget(
        target_id="owa-2",
        kind=TargetKind.FIXED_WING,
        hostile=True,
        start_t_s=0.0,
        waypoints_m=((-3000.0, 0.0, 500.0), (-500.0, 0.0, 500.0), (0.0, 0.0, 0.0)),
        speed_mps=45.0,
        rcs_m2=0.1,
    )
    traj = waypoint_trajectory(target, 10_000.0, DT_S)
    assert np.allclose(traj.position_m[-1], 0.0, atol=1e-6)
    assert traj.position_m[:, 2].min() == pytest.approx(0.0, abs=1e-6)


def test_friendly_fixed_wing_does_not_dive_and_ends_at_last_waypoint() -> None:
    traj = waypoint_trajectory(_shahed(hostile=False), 10_000.0, DT_S)
    assert all(math.isnan(x) for x in traj.impact_m)
    assert np.allclose(traj.position_m[-1], 0.0, atol=1e-6)
    # No level-then-dive: a straight descent along the whole last leg (much shallower than 0.5 rad).
    v = traj.velocity_mps[-1]
    assert -math.atan2(v[2], math.hypot(v[0], v[1])) < 0.2


def test_aircraft_lands_at_last_waypoint_and_stops_existing() -> None:
    target = WaypointTarget(
        target_id="cargo",
        kind=TargetKind.AIRCRAFT,
        hostile=False,
        start_t_s=0.0,
        waypoints_m=((-15000.0, 0.0, 900.0), (-3000.0, 0.0, 150.0), (0.0, 0.0, 0.0)),
        speed_mps=70.0,
        rcs_m2=20.0,
        adsb_icao="ABC123",
        callsign="RCH101",
    )
    traj = waypoint_trajectory(target, 10_000.0, DT_S)
    assert np.allclose(np.linalg.norm(traj.velocity_mps, axis=1), 70.0)
    assert np.allclose(traj.position_m[-1], 0.0, atol=1e-6)
    assert traj.t_end_s == pytest.approx(traj.t_last_s)
    assert all(math.isnan(x) for x in traj.impact_m)


def test_multirotor_hovers_with_zero_speed_at_interior_waypoints() -> None:
    hover_s = 20.0
    target = WaypointTarget(
        target_id="quad-1",
        kind=TargetKind.MULTIROTOR,
        hostile=True,
        start_t_s=1.0,
        waypoints_m=((1000.0, 1000.0, 100.0), (1500.0, 1000.0, 100.0), (1500.0, 1500.0, 120.0)),
        speed_mps=12.0,
        rcs_m2=0.01,
        hover_s=hover_s,
    )
    traj = waypoint_trajectory(target, 10_000.0, DT_S)
    speed = np.linalg.norm(traj.velocity_mps, axis=1)
    at_b = np.linalg.norm(traj.position_m - (1500.0, 1000.0, 100.0), axis=1) < 1e-9
    hover_t = traj.t_s[at_b]
    assert hover_t[-1] - hover_t[0] == pytest.approx(hover_s, abs=DT_S)
    assert np.all(speed[at_b] == 0.0)
    assert speed.max() == pytest.approx(12.0)
    accel = np.abs(np.diff(speed)) / np.diff(traj.t_s)
    assert accel.max() <= MULTIROTOR_ACCEL_MPS2 * 1.001
    assert np.allclose(traj.position_m[-1], (1500.0, 1500.0, 120.0))
    assert speed[0] == 0.0 and speed[-1] == pytest.approx(0.0, abs=1e-9)
    legs_s = 500.0 / 12.0 + 12.0 / MULTIROTOR_ACCEL_MPS2 + 500.4 / 12.0 + 12.0 / 2.0
    assert traj.t_end_s == pytest.approx(1.0 + legs_s + hover_s, abs=0.01)


def test_birds_wander_inside_their_radius_and_altitude_band() -> None:
    flock = BirdFlock(
        target_id="flock-1",
        centre_m=(2000.0, -1000.0, 120.0),
        count=12,
        radius_m=250.0,
        speed_mps=10.0,
        rcs_m2=0.005,
    )
    trajs = flock_trajectories(flock, 900.0, DT_S, np.random.default_rng(7))
    assert len(trajs) == 12
    pos = np.stack([t.position_m for t in trajs])  # (birds, n, 3)
    off = np.hypot(pos[..., 0] - 2000.0, pos[..., 1] + 1000.0)
    assert off.max() <= 250.0
    assert off.max() > 150.0  # they do roam
    assert pos[..., 2].min() >= BIRD_ALT_MIN_M and pos[..., 2].max() <= BIRD_ALT_MAX_M
    ground_speed = np.hypot(*np.stack([t.velocity_mps[:, :2] for t in trajs]).T)
    assert ground_speed.min() > 7.9 and ground_speed.max() < 12.1
    again = flock_trajectories(flock, 900.0, DT_S, np.random.default_rng(7))
    assert all(
        np.array_equal(a.position_m, b.position_m) for a, b in zip(trajs, again, strict=True)
    )


def test_bad_waypoint_targets_are_config_errors() -> None:
    one_point = WaypointTarget(
        target_id="bad",
        kind=TargetKind.AIRCRAFT,
        hostile=False,
        start_t_s=0.0,
        waypoints_m=((0.0, 0.0, 100.0), (0.0, 0.0, 100.0)),
        speed_mps=50.0,
        rcs_m2=1.0,
    )
    with pytest.raises(ConfigError, match=r"'bad'.*two distinct waypoints"):
        waypoint_trajectory(one_point, 100.0, DT_S, "targets[3]")
    bird_kind = WaypointTarget(
        target_id="b",
        kind=TargetKind.BIRD,
        hostile=False,
        start_t_s=0.0,
        waypoints_m=((0.0, 0.0, 100.0), (100.0, 0.0, 100.0)),
        speed_mps=10.0,
        rcs_m2=0.01,
    )
    with pytest.raises(ConfigError) as info:
        waypoint_trajectory(bird_kind, 100.0, DT_S, "targets[0]")
    assert info.value.path == "targets[0].kind"
