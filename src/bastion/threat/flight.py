"""Ballistic flight to the ground, forward (impact point) or backward in time (point of origin).

A batch of N point-mass states (site ENU position m, velocity m/s, drag factor ``Cd A / (2 m)``
m^2/kg) is integrated with the core's RK4 step (`bastion.core.ballistics.rk4_step`: gravity, drag
with the ICAO atmosphere) at a coarse step, `dt_s` (0.5 s by default: the motion is smooth, and RK4's
error at 1 s steps is millimetres over a whole flight). Inside every step the path
is the cubic Hermite curve through both ends' positions and velocities; over a terrain grid the
height above the ground (`Ground`) is checked at `SUBSTEPS` points along it, so a ridge narrower than
one step is not jumped over (flat ground, which a ballistic path crosses once, is checked at the
step's end); the crossing is found by bisection on the cubic and a last false-position step, to
millimetres.

Why not `bastion.core.ballistics.propagate_to_ground`: it only knows a flat ground, steps at 0.1 s,
interpolates the crossing linearly, and runs forward only (it treats a state at or below the ground as
landed, and loops on an accumulated float time). Here the loop runs a fixed number of steps, and
`backward=True` integrates with a negative step until the path, run backwards, meets the ground at
its launch point.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import rk4_step
from bastion.threat.terrain import Ground

FloatArray = NDArray[np.float64]
SUBSTEPS = 4
"""Points per step at which the height above the ground is checked."""
_BISECTIONS = 10


def _newton_flat(
    seg: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    h_s: float,
    agl_end: FloatArray,
    flat_u_m: float,
) -> FloatArray:
    """Fraction of each Hermite segment where it crosses the plane u = `flat_u_m`: Newton's method
    on the cubic's height from the straight-line guess (a few steps reach millimetres)."""
    p0, v0, p1, v1 = seg
    z0 = p0[:, 2] - flat_u_m
    tau = np.clip(z0 / np.maximum(z0 - agl_end, 1e-12), 0.0, 1.0)
    for _ in range(4):
        t2 = tau * tau
        z = (
            (2 * t2 * tau - 3 * t2 + 1) * p0[:, 2]
            + (t2 * tau - 2 * t2 + tau) * h_s * v0[:, 2]
            + (3 * t2 - 2 * t2 * tau) * p1[:, 2]
            + (t2 * tau - t2) * h_s * v1[:, 2]
            - flat_u_m
        )
        dz = (
            (6 * t2 - 6 * tau) * p0[:, 2]
            + (3 * t2 - 4 * tau + 1) * h_s * v0[:, 2]
            + (6 * tau - 6 * t2) * p1[:, 2]
            + (3 * t2 - 2 * tau) * h_s * v1[:, 2]
        )
        tau = np.clip(tau - z / np.where(np.abs(dz) > 1e-9, dz, 1e-9), 0.0, 1.0)
    return tau


def _agl(
    seg: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    h_s: float,
    tau: FloatArray,
    ground: Ground,
) -> FloatArray:
    """Height above the ground (m) at fractions `tau` of Hermite segments `seg` = (p0, v0, p1, v1)."""
    q = hermite(*seg, h_s, tau)
    out: FloatArray = q[:, 2] - ground.height_m(q[:, 0], q[:, 1])
    return out


def hermite(
    p0: FloatArray, v0: FloatArray, p1: FloatArray, v1: FloatArray, h_s: float, tau: FloatArray
) -> FloatArray:
    """Positions on the cubic Hermite curve from (p0, v0) to (p1, v1) over a step of `h_s` seconds
    (negative backward) at fractions `tau` (N,) of the step; inputs (N, 3), output (N, 3)."""
    t = tau[:, None]
    t2, t3 = t * t, t * t * t
    out: FloatArray = (
        (2 * t3 - 3 * t2 + 1) * p0
        + (t3 - 2 * t2 + t) * h_s * v0
        + (-2 * t3 + 3 * t2) * p1
        + (t3 - t2) * h_s * v1
    )
    return out


def fly_to_ground(
    pos_m: FloatArray,
    vel_mps: FloatArray,
    k_drag: FloatArray,
    site_alt_m: float,
    ground: Ground,
    *,
    backward: bool = False,
    dt_s: float = 0.5,
    max_t_s: float = 300.0,
) -> tuple[FloatArray, FloatArray]:
    """Where and when N states (N, 3), (N, 3), (N,) meet the ground.

    Returns the ground points (N, 3) and the times (N,) in seconds from now to reach them (forward)
    or since they were left (backward), both non-negative. A state at or below the ground is its own
    answer with time 0. NaN where the ground is not met within `max_t_s`.
    """
    p = np.array(pos_m, dtype=np.float64, copy=True).reshape(-1, 3)
    v = np.array(vel_mps, dtype=np.float64, copy=True).reshape(-1, 3)
    k = np.asarray(k_drag, dtype=np.float64).reshape(-1)
    n = p.shape[0]
    point = np.full((n, 3), np.nan)
    t_hit = np.full(n, np.nan)
    above = p[:, 2] - ground.height_m(p[:, 0], p[:, 1]) > 0.0
    point[~above] = p[~above]
    t_hit[~above] = 0.0
    h = -dt_s if backward else dt_s
    # A ballistic path crosses a plane once, so flat ground needs no checks inside a step.
    subs = 1 if ground.heights_m is None else SUBSTEPS
    taus = np.arange(1, subs + 1, dtype=np.float64) / subs
    active = np.flatnonzero(above)
    for step in range(math.ceil(max_t_s / dt_s)):
        if active.size == 0:
            break
        p0, v0 = p[active], v[active]
        p1, v1 = rk4_step(p0, v0, k[active], site_alt_m, h)
        m = active.size
        # Heights above the ground at the sub-step points (m, S).
        if subs == 1:
            agl = (p1[:, 2] - ground.height_m(p1[:, 0], p1[:, 1]))[:, None]
        else:
            tau = np.tile(taus, m)
            rep = np.repeat(np.arange(m), subs)
            pts = hermite(p0[rep], v0[rep], p1[rep], v1[rep], h, tau)
            agl = (pts[:, 2] - ground.height_m(pts[:, 0], pts[:, 1])).reshape(m, subs)
        below = agl <= 0.0
        hit = below.any(axis=1)
        if hit.any():
            r = np.flatnonzero(hit)
            s = below[r].argmax(axis=1)
            lo = s.astype(np.float64) / subs
            hi = (s + 1.0) / subs
            a = (p0[r], v0[r], p1[r], v1[r])
            if subs == 1:
                tau = _newton_flat(a, h, agl[r, 0], ground.flat_u_m)
                done = active[r]
                point[done] = hermite(*a, h, tau)
                t_hit[done] = (step + tau) * dt_s
                p[active], v[active] = p1, v1
                active = active[~hit]
                continue
            f_lo = _agl(a, h, lo, ground)
            f_hi = agl[r, s]
            for _ in range(_BISECTIONS):
                mid = 0.5 * (lo + hi)
                f_mid = _agl(a, h, mid, ground)
                down = f_mid <= 0.0
                hi, f_hi = np.where(down, mid, hi), np.where(down, f_mid, f_hi)
                lo, f_lo = np.where(down, lo, mid), np.where(down, f_lo, f_mid)
            # False position inside the last bracket.
            tau = lo + (hi - lo) * f_lo / np.maximum(f_lo - f_hi, 1e-12)
            done = active[r]
            point[done] = hermite(*a, h, tau)
            t_hit[done] = (step + tau) * dt_s
        p[active], v[active] = p1, v1
        active = active[~hit]
    return point, t_hit
