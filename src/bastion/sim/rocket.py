"""Unguided rocket truth: solve the quadrant elevation that lands on the aim point, then fly it.

Point mass after burnout, gravity plus drag (`bastion.core.ballistics`: ICAO density, RK4). The
ground is the horizontal plane through the aim point (its ``u``, site ENU metres). The range
function R(elevation) is evaluated for many elevations at once (one batched integration), first on
a coarse grid, then by repeated grid bisection inside the bracketing cell, finishing with linear
interpolation; every evaluation uses the same RK4 step as the final flight, so the solved
elevation lands the sampled trajectory on the aim point to well under a metre.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from bastion.core.ballistics import drag_factor_m2pkg, rk4_step
from bastion.core.errors import ConfigError
from bastion.core.params import RocketTarget
from bastion.core.units import G0_MPS2
from bastion.sim.trajectory import FloatArray, Trajectory

_COARSE_ELEVATIONS_RAD = np.radians(np.linspace(0.0, 89.5, 180))
_REFINE_POINTS = 33
_REFINE_ROUNDS = 2
LANDING_TOLERANCE_M = 1.0
"""Largest accepted distance (m) between the solved trajectory's impact and the aim point."""


def _fly_batch(
    launch_m: FloatArray,
    direction: FloatArray,
    elevations_rad: FloatArray,
    speed_mps: float,
    k_drag_pm: float,
    site_alt_m: float,
    ground_u_m: float,
    dt_s: float,
    max_t_s: float,
) -> FloatArray:
    """Horizontal range (m) along `direction` at which each elevation descends through the ground;
    NaN for those that never reach it going down (fired uphill too low)."""
    n = elevations_rad.size
    ce, se = np.cos(elevations_rad), np.sin(elevations_rad)
    p = np.tile(launch_m, (n, 1))
    v = speed_mps * np.column_stack([ce * direction[0], ce * direction[1], se])
    k = np.full(n, k_drag_pm)
    rng_m = np.full(n, np.nan)
    active = np.ones(n, dtype=bool)
    t = 0.0
    while active.any() and t < max_t_s:
        idx = np.flatnonzero(active)
        p_new, v_new = rk4_step(p[idx], v[idx], k[idx], site_alt_m, dt_s)
        crossed = (p[idx, 2] > ground_u_m) & (p_new[:, 2] <= ground_u_m)
        lost = (p_new[:, 2] < ground_u_m) & (v_new[:, 2] < 0.0) & ~crossed
        if crossed.any():
            h = idx[crossed]
            frac = (p[h, 2] - ground_u_m) / (p[h, 2] - p_new[crossed, 2])
            hit = p[h] + frac[:, None] * (p_new[crossed] - p[h])
            rng_m[h] = (hit[:, :2] - launch_m[:2]) @ direction[:2]
        active[idx[crossed | lost]] = False
        p[idx], v[idx] = p_new, v_new
        t += dt_s
    return rng_m


def rocket_trajectory(
    target: RocketTarget, site_alt_m: float, dt_s: float, where: str = ""
) -> Trajectory:
    """Solve the elevation for `target` and sample its flight from launch to impact.

    Raises `ConfigError` (naming the target and its maximum range) if the aim point is out of reach.
    """
    where = where or target.target_id
    launch = np.asarray(target.launch_m, dtype=np.float64)
    aim = np.asarray(target.aim_m, dtype=np.float64)
    if target.speed_mps <= 0.0 or target.mass_kg <= 0.0 or target.diameter_m <= 0.0:
        raise ConfigError(
            f"rocket {target.target_id!r}: speed, mass and diameter must be positive", path=where
        )
    if target.drag_coefficient < 0.0:
        raise ConfigError(
            f"rocket {target.target_id!r}: drag coefficient must not be negative",
            path=f"{where}.drag_coefficient",
        )
    horiz = aim[:2] - launch[:2]
    dist = float(np.hypot(*horiz))
    if dist < 1.0:
        raise ConfigError(
            f"rocket {target.target_id!r}: aim point is (nearly) above the launch point",
            path=f"{where}.aim_m",
        )
    direction = np.array([horiz[0] / dist, horiz[1] / dist, 0.0])
    k_drag = float(drag_factor_m2pkg(target.drag_coefficient, target.diameter_m, target.mass_kg))
    climb = max(launch[2] - aim[2], 0.0)
    max_t = 2.0 * target.speed_mps / G0_MPS2 + math.sqrt(2.0 * climb / G0_MPS2) + 10.0

    def ranges(elev: FloatArray) -> FloatArray:
        r = _fly_batch(
            launch, direction, elev, target.speed_mps, k_drag, site_alt_m, aim[2], dt_s, max_t
        )
        return np.nan_to_num(r, nan=-math.inf)

    elev = _COARSE_ELEVATIONS_RAD
    rng_c = ranges(elev)
    j = int(np.argmax(rng_c))
    fine = np.linspace(elev[max(j - 1, 0)], elev[min(j + 1, elev.size - 1)], _REFINE_POINTS)
    rng_f = ranges(fine)
    i = int(np.argmax(rng_f))
    el_max, r_max = float(fine[i]), float(rng_f[i])
    if not dist <= r_max:
        raise ConfigError(
            f"rocket {target.target_id!r}: aim point {dist:.0f} m away is beyond the maximum range "
            f"{max(r_max, 0.0):.0f} m (at {math.degrees(el_max):.1f} deg elevation, "
            f"{target.speed_mps:g} m/s)",
            path=f"{where}.aim_m",
        )
    if target.high_angle:
        side = elev > el_max
        el_side = np.concatenate([[el_max], elev[side]])
        r_side = np.concatenate([[r_max], rng_c[side]])
    else:
        side = elev < el_max
        el_side = np.concatenate([elev[side], [el_max]])
        r_side = np.concatenate([rng_c[side], [r_max]])
    elevation = _solve_on_side(ranges, el_side, r_side - dist, dist)
    if elevation is None:
        kind = "high" if target.high_angle else "low"
        raise ConfigError(
            f"rocket {target.target_id!r}: no {kind}-angle elevation lands {dist:.0f} m away",
            path=f"{where}.aim_m",
        )
    traj = _fly_one(target, launch, direction, elevation, k_drag, site_alt_m, aim[2], dt_s, max_t)
    miss = float(np.hypot(*(np.asarray(traj.impact_m[:2]) - aim[:2])))
    if not miss <= LANDING_TOLERANCE_M:
        raise ConfigError(
            f"rocket {target.target_id!r}: solved trajectory misses the aim point by {miss:.1f} m",
            path=f"{where}.aim_m",
        )
    return traj


def _solve_on_side(
    ranges: Callable[[FloatArray], FloatArray],
    el_rad: FloatArray,
    miss_m: FloatArray,
    dist_m: float,
) -> float | None:
    """Elevation (rad) where range equals `dist_m`, between the first two consecutive samples of
    `miss_m` = range - dist (m) at elevations `el_rad` whose signs differ; None if none do."""
    above = miss_m >= 0.0
    change = np.flatnonzero(above[1:] != above[0])
    if change.size == 0:
        return None
    i = int(change[0]) + 1
    lo, hi = float(el_rad[i - 1]), float(el_rad[i])
    f_lo, f_hi = float(miss_m[i - 1]), float(miss_m[i])
    for _ in range(_REFINE_ROUNDS):
        grid = np.linspace(lo, hi, _REFINE_POINTS)
        f = ranges(grid) - dist_m
        f[0], f[-1] = f_lo, f_hi
        j = int(np.flatnonzero((f[1:] >= 0.0) != (f_lo >= 0.0))[0]) + 1
        lo, hi, f_lo, f_hi = float(grid[j - 1]), float(grid[j]), float(f[j - 1]), float(f[j])
    if not (math.isfinite(f_lo) and math.isfinite(f_hi)):
        return 0.5 * (lo + hi)
    return lo + (hi - lo) * f_lo / (f_lo - f_hi)


def _fly_one(
    target: RocketTarget,
    launch: FloatArray,
    direction: FloatArray,
    elevation_rad: float,
    k_drag: float,
    site_alt_m: float,
    ground_u_m: float,
    dt_s: float,
    max_t_s: float,
) -> Trajectory:
    """Integrate one flight at `dt_s` from launch to the ground crossing (interpolated)."""
    ce, se = math.cos(elevation_rad), math.sin(elevation_rad)
    p = launch.reshape(1, 3).copy()
    v = target.speed_mps * np.array([[ce * direction[0], ce * direction[1], se]])
    k = np.array([k_drag])
    pos = [p[0].copy()]
    vel = [v[0].copy()]
    n_max = math.ceil(max_t_s / dt_s)
    for _ in range(n_max):
        p_new, v_new = rk4_step(p, v, k, site_alt_m, dt_s)
        if p[0, 2] > ground_u_m >= p_new[0, 2]:
            frac = (p[0, 2] - ground_u_m) / (p[0, 2] - p_new[0, 2])
            pos.append(p[0] + frac * (p_new[0] - p[0]))
            vel.append(v[0] + frac * (v_new[0] - v[0]))
            t_s = target.launch_t_s + dt_s * np.arange(len(pos), dtype=np.float64)
            t_s[-1] = t_s[-2] + frac * dt_s
            impact = pos[-1]
            return Trajectory(
                t_s=t_s,
                position_m=np.asarray(pos),
                velocity_mps=np.asarray(vel),
                t_end_s=float(t_s[-1]),
                impact_m=(float(impact[0]), float(impact[1]), float(impact[2])),
            )
        p, v = p_new, v_new
        pos.append(p[0].copy())
        vel.append(v[0].copy())
    raise ConfigError(f"rocket {target.target_id!r}: does not reach the ground in {max_t_s:.0f} s")
