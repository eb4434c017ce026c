"""Point-mass ballistic physics shared by the simulator and the threat stage.

Acceleration ``a = g - (rho(h) * Cd * A / (2 m)) * |v| * v`` with rho(h) from the ICAO standard
atmosphere (PyPI ``ambiance``), tabulated once on a 10 m grid and interpolated so that a whole batch of
states propagates with numpy array operations. Heights are metres above mean sea level (site ENU ``u``
plus the site's altitude).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from ambiance import Atmosphere
from numpy.typing import NDArray

from bastion.core.units import G0_MPS2

FloatArray = NDArray[np.float64]

_H_MIN_M = -1000.0
_H_MAX_M = 40000.0
_H_STEP_M = 10.0


@lru_cache(maxsize=1)
def _density_table() -> tuple[FloatArray, FloatArray]:
    h = np.arange(_H_MIN_M, _H_MAX_M + _H_STEP_M, _H_STEP_M)
    rho = np.asarray(Atmosphere(h).density, dtype=np.float64)
    return h, rho


def air_density_kgpm3(h_msl_m: FloatArray | float) -> FloatArray:
    """ICAO standard-atmosphere air density (kg/m^3) at height above mean sea level (m)."""
    h, rho = _density_table()
    # np.interp holds the end values outside the table, which clamps the height to it.
    return np.asarray(np.interp(h_msl_m, h, rho), dtype=np.float64)


def drag_factor_m2pkg(
    cd: FloatArray | float, diameter_m: FloatArray | float, mass_kg: FloatArray | float
) -> FloatArray:
    """``Cd * A / (2 m)`` in m^2/kg: multiply by rho |v| v for the drag deceleration."""
    area_m2 = np.pi * (np.asarray(diameter_m) / 2.0) ** 2
    return np.asarray(cd * area_m2 / (2.0 * np.asarray(mass_kg)), dtype=np.float64)


def acceleration(
    pos_m: FloatArray, vel_mps: FloatArray, k_drag: FloatArray, site_alt_m: float
) -> FloatArray:
    """Gravity plus drag for states (N, 3) in ENU; `k_drag` (N,) is ``Cd A / (2 m)``."""
    h, rho_table = _density_table()
    rho = np.interp(pos_m[:, 2] + site_alt_m, h, rho_table)
    speed = np.sqrt(np.einsum("ij,ij->i", vel_mps, vel_mps))
    acc: FloatArray = -(rho * k_drag * speed)[:, None] * vel_mps
    acc[:, 2] -= G0_MPS2
    return acc


def rk4_step(
    pos_m: FloatArray, vel_mps: FloatArray, k_drag: FloatArray, site_alt_m: float, dt_s: float
) -> tuple[FloatArray, FloatArray]:
    """One fourth-order Runge-Kutta step of the point-mass model for N states; dt may be negative."""

    def f(p: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        return v, acceleration(p, v, k_drag, site_alt_m)

    k1p, k1v = f(pos_m, vel_mps)
    k2p, k2v = f(pos_m + 0.5 * dt_s * k1p, vel_mps + 0.5 * dt_s * k1v)
    k3p, k3v = f(pos_m + 0.5 * dt_s * k2p, vel_mps + 0.5 * dt_s * k2v)
    k4p, k4v = f(pos_m + dt_s * k3p, vel_mps + dt_s * k3v)
    pos = pos_m + dt_s / 6.0 * (k1p + 2 * k2p + 2 * k3p + k4p)
    vel = vel_mps + dt_s / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v)
    return pos, vel


def propagate_to_ground(
    pos_m: FloatArray,
    vel_mps: FloatArray,
    k_drag: FloatArray,
    site_alt_m: float,
    ground_u_m: float = 0.0,
    dt_s: float = 0.1,
    max_t_s: float = 300.0,
) -> tuple[FloatArray, FloatArray]:
    """Propagate N ballistic states until each crosses ``u = ground_u_m``.

    Returns the impact points (N, 3) and the times to impact (N,) in seconds from now, with the crossing
    interpolated linearly inside the last step. States that never descend to the ground within
    `max_t_s` get NaN.
    """
    p = np.array(pos_m, dtype=np.float64, copy=True)
    v = np.array(vel_mps, dtype=np.float64, copy=True)
    n = p.shape[0]
    impact = np.full((n, 3), np.nan)
    t_imp = np.full(n, np.nan)
    active = p[:, 2] > ground_u_m
    impact[~active] = p[~active]
    t_imp[~active] = 0.0
    t = 0.0
    while active.any() and t < max_t_s:
        idx = np.flatnonzero(active)
        p_new, v_new = rk4_step(p[idx], v[idx], k_drag[idx], site_alt_m, dt_s)
        hit = p_new[:, 2] <= ground_u_m
        if hit.any():
            h = idx[hit]
            frac = (p[h, 2] - ground_u_m) / (p[h, 2] - p_new[hit, 2])
            impact[h] = p[h] + frac[:, None] * (p_new[hit] - p[h])
            t_imp[h] = t + frac * dt_s
            active[h] = False
        p[idx], v[idx] = p_new, v_new
        t += dt_s
    return impact, t_imp
