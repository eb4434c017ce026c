"""Trajectory builders for waypoint targets (drones, aircraft) and bird flocks.

All positions are site ENU metres, velocities ENU m/s, times run-clock seconds.

- Fixed-wing (one-way attack, hostile): constant `speed_mps` along straight legs, corners rounded to
  a turn of at most `FIXED_WING_LATERAL_G`; it flies level at the altitude of its next-to-last
  waypoint until the point from which a straight dive at `dive_angle_rad` reaches the last waypoint,
  then dives onto it (the last waypoint is taken as ground level there) and ceases to exist. If the
  last leg is too short for that angle, the dive starts at the next-to-last waypoint (steeper).
- Fixed-wing that is not hostile, and aircraft: straight legs at constant speed with rounded corners
  (`AIRCRAFT_LATERAL_G` for aircraft); they end (land) at their last waypoint, no dive.
- Multirotor: straight legs, sharp corners; with ``hover_s > 0`` it stops at each interior waypoint
  for `hover_s` (velocity exactly 0), accelerating and braking at `MULTIROTOR_ACCEL_MPS2`; it starts
  from rest at the first waypoint and ends at rest at the last. A hostile multirotor whose last
  waypoint is at or below ground level (u <= 0) is counted as striking the ground there.
- Birds: each wanders at about `speed_mps` with a random walk of heading, steered back toward the
  flock centre near the edge and never beyond `radius_m` (horizontal), altitude kept in
  `BIRD_ALT_MIN_M` .. `BIRD_ALT_MAX_M`.
"""

from __future__ import annotations

import math

import numpy as np

from bastion.core.errors import ConfigError
from bastion.core.params import BirdFlock, TargetKind, WaypointTarget
from bastion.core.units import G0_MPS2
from bastion.sim.paths import build_path, dedupe, trapezoid_duration_s, trapezoid_profile
from bastion.sim.trajectory import NO_IMPACT, FloatArray, Trajectory, sample_times

FIXED_WING_LATERAL_G = 1.0
"""Largest lateral acceleration (in g) of a fixed-wing drone's turns and dive pull-over."""
AIRCRAFT_LATERAL_G = 0.5
"""Largest lateral acceleration (in g) of a manned aircraft's turns (about a 27 degree bank)."""
MULTIROTOR_ACCEL_MPS2 = 2.0
"""Acceleration and braking of a multirotor that stops to hover (m/s^2)."""
BIRD_ALT_MIN_M = 50.0
BIRD_ALT_MAX_M = 300.0
BIRD_TURN_SIGMA_RAD = 0.3
"""Heading random walk of a bird: standard deviation of the heading change over 1 s (rad)."""
BIRD_STEER_RAD_PER_S = 0.6
"""Turn rate (rad/s) at which a bird near the edge of its area turns back toward the centre."""
BIRD_STEER_FRACTION = 0.7
"""Fraction of the flock radius beyond which birds steer back toward the centre."""
BIRD_VZ_SIGMA_MPS = 0.5
BIRD_VZ_TAU_S = 10.0


def _dive_points(points: FloatArray, dive_angle_rad: float) -> FloatArray:
    """Insert the dive start point before the last waypoint (level flight until the dive)."""
    last, prev = points[-1], points[-2]
    drop = prev[2] - last[2]
    horiz = last[:2] - prev[:2]
    dist = float(np.hypot(*horiz))
    if dive_angle_rad <= 0.0 or drop <= 0.0:
        return points
    x_dive = drop / math.tan(dive_angle_rad)
    if dist <= x_dive + 1.0:
        return points
    start = np.array([*(last[:2] - horiz / dist * x_dive), prev[2]])
    return np.vstack([points[:-1], start, last])


def _validate_waypoints(target: WaypointTarget, where: str) -> FloatArray:
    if target.speed_mps <= 0.0:
        raise ConfigError(
            f"target {target.target_id!r}: speed must be positive, got {target.speed_mps} m/s",
            path=f"{where}.speed_mps",
        )
    if target.hover_s < 0.0:
        raise ConfigError(
            f"target {target.target_id!r}: hover time must not be negative", path=f"{where}.hover_s"
        )
    points = dedupe(np.asarray(target.waypoints_m, dtype=np.float64).reshape(-1, 3))
    if points.shape[0] < 2:
        raise ConfigError(
            f"target {target.target_id!r}: needs at least two distinct waypoints",
            path=f"{where}.waypoints_m",
        )
    return points


def waypoint_trajectory(
    target: WaypointTarget, t_stop_s: float, dt_s: float, where: str = ""
) -> Trajectory:
    """Sample a waypoint target from `start_t_s` to its end or `t_stop_s`, whichever is first.

    `where` names the target in error messages (``targets[2]``).
    """
    where = where or target.target_id
    points = _validate_waypoints(target, where)
    if target.kind is TargetKind.MULTIROTOR:
        return _multirotor(target, points, t_stop_s, dt_s)
    if target.kind not in (TargetKind.FIXED_WING, TargetKind.AIRCRAFT):
        raise ConfigError(
            f"target {target.target_id!r}: kind {target.kind} cannot fly waypoints",
            path=f"{where}.kind",
        )
    diving = target.kind is TargetKind.FIXED_WING and target.hostile
    lateral_g = FIXED_WING_LATERAL_G if target.kind is TargetKind.FIXED_WING else AIRCRAFT_LATERAL_G
    if diving:
        points = _dive_points(points, target.dive_angle_rad)
    path = build_path(points, target.speed_mps**2 / (lateral_g * G0_MPS2))
    t0 = target.start_t_s
    t_end = t0 + path.length_m / target.speed_mps
    times = sample_times(t0, min(t_end, max(t_stop_s, t0)), dt_s)
    s = (times - t0) * target.speed_mps
    impact = (float(points[-1, 0]), float(points[-1, 1]), float(points[-1, 2]))
    return Trajectory(
        t_s=times,
        position_m=path.point(s),
        velocity_mps=path.tangent(s) * target.speed_mps,
        t_end_s=t_end,
        impact_m=impact if diving else NO_IMPACT,
    )


def _multirotor(
    target: WaypointTarget, points: FloatArray, t_stop_s: float, dt_s: float
) -> Trajectory:
    path = build_path(points, 0.0)
    leg_len = np.linalg.norm(np.diff(points, axis=0), axis=1)
    s_wp = np.concatenate([[0.0], np.cumsum(leg_len)])
    stops = np.arange(points.shape[0]) if target.hover_s > 0.0 else np.array([0, len(points) - 1])
    s_start = s_wp[stops[:-1]]
    move_len = s_wp[stops[1:]] - s_start
    move_t = np.array(
        [trapezoid_duration_s(x, target.speed_mps, MULTIROTOR_ACCEL_MPS2) for x in move_len]
    )
    t_start = np.concatenate([[0.0], np.cumsum(move_t + target.hover_s)[:-1]])
    t0 = target.start_t_s
    t_end = t0 + float(t_start[-1] + move_t[-1])
    times = sample_times(t0, min(t_end, max(t_stop_s, t0)), dt_s)
    tau = times - t0
    # Before a move starts the drone sits at the move's start (hovering after the previous move).
    move = np.clip(np.searchsorted(t_start, tau, side="right") - 1, 0, stops.size - 2)
    s = np.empty_like(tau)
    speed = np.empty_like(tau)
    for i in range(move_len.size):
        sel = move == i
        d, v = trapezoid_profile(
            tau[sel] - t_start[i], float(move_len[i]), target.speed_mps, MULTIROTOR_ACCEL_MPS2
        )
        s[sel] = s_start[i] + d
        speed[sel] = v
    end = points[-1]
    strikes = target.hostile and end[2] <= 0.0
    return Trajectory(
        t_s=times,
        position_m=path.point(s),
        velocity_mps=path.tangent(s) * speed[:, None],
        t_end_s=t_end,
        impact_m=(float(end[0]), float(end[1]), float(end[2])) if strikes else NO_IMPACT,
    )


def flock_trajectories(
    flock: BirdFlock, t_stop_s: float, dt_s: float, rng: np.random.Generator, where: str = ""
) -> list[Trajectory]:
    """Sample the `count` birds of a flock from `start_t_s` to `t_stop_s` (one per bird).

    Velocity sample j is the bird's velocity over ``[t_j, t_j+1)``, so positions integrate exactly.
    """
    where = where or flock.target_id
    if flock.count < 1 or flock.radius_m <= 0.0 or flock.speed_mps <= 0.0:
        raise ConfigError(
            f"flock {flock.target_id!r}: count, radius_m and speed_mps must be positive",
            path=where,
        )
    t0 = flock.start_t_s
    times = sample_times(t0, max(t_stop_s, t0), dt_s)
    n, c = times.size, flock.count
    centre = np.asarray(flock.centre_m, dtype=np.float64)[:2]
    radius = flock.radius_m
    r0 = radius * BIRD_STEER_FRACTION * np.sqrt(rng.random(c))
    a0 = rng.uniform(0.0, 2.0 * np.pi, c)
    xy = centre + r0[:, None] * np.stack([np.sin(a0), np.cos(a0)], axis=1)
    alt_mid = float(np.clip(flock.centre_m[2], BIRD_ALT_MIN_M, BIRD_ALT_MAX_M))
    alt = np.clip(alt_mid + rng.uniform(-25.0, 25.0, c), BIRD_ALT_MIN_M, BIRD_ALT_MAX_M)
    heading = rng.uniform(0.0, 2.0 * np.pi, c)
    speed = flock.speed_mps * rng.uniform(0.8, 1.2, c)
    vz = np.zeros(c)
    pos = np.empty((n, c, 3))
    vel = np.zeros((n, c, 3))
    gaps = np.diff(times)
    noise_h = rng.standard_normal((n, c))
    noise_v = rng.standard_normal((n, c))
    for j in range(n):
        pos[j, :, :2], pos[j, :, 2] = xy, alt
        if j == n - 1:
            break
        h = float(gaps[j])
        heading = heading + BIRD_TURN_SIGMA_RAD * math.sqrt(h) * noise_h[j]
        step = (speed * h)[:, None] * np.stack([np.sin(heading), np.cos(heading)], axis=1)
        to_centre = centre - xy
        home = np.arctan2(to_centre[:, 0], to_centre[:, 1])
        off = np.hypot(*(xy + step - centre).T)
        turn = np.mod(home - heading + np.pi, 2.0 * np.pi) - np.pi
        steer = off > BIRD_STEER_FRACTION * radius
        heading = np.where(
            steer,
            heading + np.clip(turn, -BIRD_STEER_RAD_PER_S * h, BIRD_STEER_RAD_PER_S * h),
            heading,
        )
        direction = np.stack([np.sin(heading), np.cos(heading)], axis=1)
        outside = np.hypot(*(xy + (speed * h)[:, None] * direction - centre).T) > radius
        heading = np.where(outside, home, heading)
        direction = np.stack([np.sin(heading), np.cos(heading)], axis=1)
        vz += (
            -vz * h / BIRD_VZ_TAU_S
            + BIRD_VZ_SIGMA_MPS * math.sqrt(2.0 * h / BIRD_VZ_TAU_S) * noise_v[j]
        )
        leaves = (alt + vz * h < BIRD_ALT_MIN_M) | (alt + vz * h > BIRD_ALT_MAX_M)
        vz = np.where(leaves, -vz, vz)
        vel[j, :, :2] = speed[:, None] * direction
        vel[j, :, 2] = vz
        xy = xy + vel[j, :, :2] * h
        alt = np.clip(alt + vz * h, BIRD_ALT_MIN_M, BIRD_ALT_MAX_M)
    vel[-1] = vel[-2]
    return [
        Trajectory(t_s=times, position_m=pos[:, b], velocity_mps=vel[:, b], t_end_s=math.inf)
        for b in range(c)
    ]
