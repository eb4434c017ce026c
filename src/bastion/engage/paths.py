"""Predicted paths of tracks, sampled on one time grid, for intercept and asset timing.

Air-breathing tracks (drones, aircraft) are extrapolated in a straight line at their current horizontal
velocity, holding their height: a tracker's climb-rate estimate on a small, low drone is too noisy to
extrapolate (a few m/s of noise would fly it into the ground within seconds), and a diving drone's
deadline comes from reaching its asset anyway (`areas.AssetMap`).
Ballistic tracks (rockets, mortar bombs) follow the point-mass model of `bastion.core.ballistics`
(gravity and drag with the nominal drag factor), integrated with RK4 at twice the grid step and
interpolated linearly onto the grid (a parabola between 0.5 s samples is off by about g dt^2 / 8,
0.3 m). A path ends where it reaches the ground (u <= 0): samples after that are not alive.
Positions are site ENU metres, velocities ENU m/s, times seconds from now.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import rk4_step

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Paths:
    """Predicted paths of N tracks: `t_s` (T,) from now, `pos_m` and `vel_mps` (N, T, 3),
    `alive` (N, T) False from the first sample at or below the ground on."""

    t_s: FloatArray
    pos_m: FloatArray
    vel_mps: FloatArray
    alive: BoolArray

    def __len__(self) -> int:
        return int(self.pos_m.shape[0])

    def rows(self, idx: NDArray[np.int64]) -> Paths:
        """The paths of rows `idx` only."""
        return Paths(
            t_s=self.t_s, pos_m=self.pos_m[idx], vel_mps=self.vel_mps[idx], alive=self.alive[idx]
        )


def predict_paths(
    x: FloatArray,
    ballistic: BoolArray,
    horizon_s: float,
    step_s: float,
    k_drag_m2pkg: float = 1.0e-4,
    site_alt_m: float = 0.0,
) -> Paths:
    """Paths of states `x` (N, 6) [e, n, u, ve, vn, vu] over [0, `horizon_s`] every `step_s` (s).

    Rows where `ballistic` is True fly the drag-and-gravity model with drag factor `k_drag_m2pkg`
    (Cd A / 2m, m^2/kg); `site_alt_m` is the site's height above sea level (m) for the air density.
    """
    n = x.shape[0]
    t = np.arange(0.0, horizon_s + 0.5 * step_s, step_s)
    level = x[:, 3:].copy()
    level[:, 2] = 0.0
    pos = x[:, None, :3] + level[:, None, :] * t[None, :, None]
    vel = np.broadcast_to(level[:, None, :], (n, t.size, 3)).copy()
    b = np.flatnonzero(ballistic)
    if b.size:
        pos[b], vel[b] = _ballistic(x[b], t, k_drag_m2pkg, site_alt_m)
    # The first sample below ground stands for the ground point; everything after it is gone.
    alive = np.cumsum(pos[:, :, 2] < 0.0, axis=1) <= 1
    pos[:, :, 2] = np.maximum(pos[:, :, 2], 0.0)
    return Paths(t_s=t, pos_m=pos, vel_mps=vel, alive=alive)


def _ballistic(
    x: FloatArray, t: FloatArray, k_drag: float, site_alt_m: float
) -> tuple[FloatArray, FloatArray]:
    """RK4 at twice the grid step until every row is on the ground, interpolated onto `t`."""
    m = x.shape[0]
    coarse_dt = 2.0 * float(t[1] - t[0]) if t.size > 1 else 0.5
    n_coarse = int(np.ceil(t[-1] / coarse_dt)) + 1
    p = x[:, :3].copy()
    v = x[:, 3:].copy()
    kd = np.full(m, k_drag)
    cp = np.empty((m, n_coarse, 3))
    cv = np.empty((m, n_coarse, 3))
    cp[:, 0], cv[:, 0] = p, v
    last = 0
    for j in range(1, n_coarse):
        p, v = rk4_step(p, v, kd, site_alt_m, coarse_dt)
        cp[:, j], cv[:, j] = p, v
        last = j
        if (p[:, 2] < 0.0).all():
            break
    # Beyond the last integrated step the rows are underground: hold the last sample there.
    cp[:, last + 1 :] = cp[:, last : last + 1]
    cv[:, last + 1 :] = cv[:, last : last + 1]
    tc = coarse_dt * np.arange(n_coarse)
    idx = np.clip(np.searchsorted(tc, t, side="right") - 1, 0, n_coarse - 2)
    frac = ((t - tc[idx]) / coarse_dt)[None, :, None]
    pos = cp[:, idx] + frac * (cp[:, idx + 1] - cp[:, idx])
    vel = cv[:, idx] + frac * (cv[:, idx + 1] - cv[:, idx])
    return pos, vel
