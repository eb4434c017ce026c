"""What a drone does when its links are jammed: it turns and flies home (its launch point).

Most small drones, and many one-way attack drones, fall back to "return to home" when they lose their
control or navigation links. The model: from the state at the jam, hold the height (at least
`HOLD_MIN_ALT_M`, climbing out of a terminal dive), keep the horizontal speed (at least
`MIN_SPEED_MPS`, for a hovering multirotor), turn toward home at the rate a `TURN_G` lateral
acceleration allows (at most `MAX_TURN_RATE_RADPS`), then fly straight home, where it lands and ceases
to exist. Positions are site ENU metres, velocities ENU m/s, times run-clock seconds.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from bastion.core.params import TargetKind
from bastion.core.units import G0_MPS2

FloatArray = NDArray[np.float64]

JAMMABLE = frozenset({TargetKind.FIXED_WING, TargetKind.MULTIROTOR})
"""Kinds of object that fly home when jammed (rockets fly on; birds and aircraft are not jammed)."""
TURN_G = 1.0
"""Lateral acceleration (g) of the turn home."""
MAX_TURN_RATE_RADPS = 0.5
"""Fastest turn home (rad/s), for slow drones."""
MIN_SPEED_MPS = 10.0
"""Slowest flight home (m/s)."""
HOLD_MIN_ALT_M = 30.0
"""Lowest height (m, site ENU up) a jammed drone holds on its way home."""
_DT_S = 0.05


def return_home(
    pos_m: FloatArray, vel_mps: FloatArray, home_m: FloatArray, t_jam_s: float, times_s: FloatArray
) -> tuple[FloatArray, FloatArray, float]:
    """Positions and velocities (n, 3) at `times_s` (n,) >= `t_jam_s` of a drone jammed at `t_jam_s`
    at `pos_m`, `vel_mps` (3,), flying home to `home_m` (3,; only east and north matter); and the time
    it lands at home (s)."""
    speed = max(float(np.hypot(vel_mps[0], vel_mps[1])), MIN_SPEED_MPS)
    alt = max(float(pos_m[2]), HOLD_MIN_ALT_M)
    omega = min(TURN_G * G0_MPS2 / speed, MAX_TURN_RATE_RADPS)
    home = np.asarray(home_m[:2], dtype=np.float64)
    xy = np.asarray(pos_m[:2], dtype=np.float64).copy()

    def bearing_home(p: FloatArray) -> float:
        return math.atan2(home[0] - p[0], home[1] - p[1])

    moving = float(np.hypot(vel_mps[0], vel_mps[1])) > 0.1
    heading = math.atan2(vel_mps[0], vel_mps[1]) if moving else bearing_home(xy)
    turn_t = [0.0]
    turn_xy = [xy.copy()]
    turn_h = [heading]
    for _ in range(int(2.0 * math.pi / (omega * _DT_S)) + 2):
        err = (bearing_home(xy) - heading + math.pi) % (2.0 * math.pi) - math.pi
        if abs(err) <= omega * _DT_S or np.hypot(*(home - xy)) < speed * _DT_S:
            break
        heading += math.copysign(omega * _DT_S, err)
        xy = xy + speed * _DT_S * np.array([math.sin(heading), math.cos(heading)])
        turn_t.append(turn_t[-1] + _DT_S)
        turn_xy.append(xy.copy())
        turn_h.append(heading)
    heading = bearing_home(xy)
    dist = float(np.hypot(*(home - xy)))
    t_aligned = turn_t[-1]
    t_home = t_jam_s + t_aligned + dist / speed

    tau = np.asarray(times_s, dtype=np.float64) - t_jam_s
    tt = np.array(turn_t)
    txy = np.array(turn_xy)
    th = np.unwrap(np.array(turn_h))
    in_turn = tau <= t_aligned
    straight = speed * np.clip(tau - t_aligned, 0.0, dist / speed)
    direction = np.array([math.sin(heading), math.cos(heading)])
    east = np.where(in_turn, np.interp(tau, tt, txy[:, 0]), xy[0] + straight * direction[0])
    north = np.where(in_turn, np.interp(tau, tt, txy[:, 1]), xy[1] + straight * direction[1])
    h_now = np.where(in_turn, np.interp(tau, tt, th), heading)
    pos = np.stack([east, north, np.full(tau.shape, alt)], axis=1)
    vel = np.stack([speed * np.sin(h_now), speed * np.cos(h_now), np.zeros(tau.shape)], axis=1)
    return pos, vel, t_home
