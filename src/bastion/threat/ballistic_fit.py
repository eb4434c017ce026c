"""Ballistic state and drag estimation by batch least squares on a track's radar measurements.

Unknowns: position and velocity at the latest measurement time (site ENU) and the drag factor
k = Cd A / (2 m) (m^2/kg). Each candidate trajectory is propagated with the point-mass model (gravity,
drag with the ICAO atmosphere; `bastion.core.ballistics.rk4_step`) back through the measurement times,
and compared with the measurements in each sensor's own range/azimuth/elevation space, weighted by the
sensor's noise, so no converted-measurement approximation enters. Gauss-Newton with a finite-difference
Jacobian: the nominal and the 7 perturbed trajectories travel as one batch of 8 states. The drag factor
has a Gaussian prior about the class's nominal value, which keeps it sane on short arcs.

A track that is not ballistic (a drone, a manoeuvring aircraft) leaves large residuals: `chi2_per_dof`
says so, and callers do not force such a track into the model.

No library fits: filterpy/Stone Soup offer sequential filters, not a batch fit in sensor coordinates
with an atmosphere-dependent drag model, and this one is ~100 lines of numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import rk4_step
from bastion.core.geo import enu2aer, wrap_pi
from bastion.threat.history import AZ, EL, SAZ, SE, SEL, SR, SU, R, T

FloatArray = NDArray[np.float64]
_STEP_S = 0.25
_EPS = np.array([1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.0])  # finite-difference steps (m, m/s, k relative)


@dataclass(frozen=True, slots=True, kw_only=True)
class BallisticFit:
    """A fitted ballistic state at `t_s`: position (m) and velocity (m/s) in site ENU, drag factor."""

    t_s: float
    position_m: FloatArray
    velocity_mps: FloatArray
    drag_factor_m2pkg: float
    covariance: FloatArray
    """(7, 7) covariance of [position, velocity, drag factor]."""
    chi2_per_dof: float
    n_measurements: int


def _propagate_to_times(
    state: FloatArray, k: FloatArray, t_ref: float, times: FloatArray, site_alt_m: float
) -> FloatArray:
    """Positions (B, M, 3) of B states (B, 6) at `times` (M,), all <= t_ref, sorted ascending."""
    pos, vel = state[:, :3].copy(), state[:, 3:].copy()
    out = np.empty((state.shape[0], times.size, 3))
    t = t_ref
    for j in range(times.size - 1, -1, -1):
        gap = times[j] - t  # <= 0
        n = max(1, int(np.ceil(-gap / _STEP_S))) if gap < 0 else 0
        for _ in range(n):
            pos, vel = rk4_step(pos, vel, k, site_alt_m, gap / n)
        t = times[j]
        out[:, j] = pos
    return out


def _residuals(pred_m: FloatArray, rows: FloatArray) -> FloatArray:
    """Whitened residuals (B, 3M) of predicted positions (B, M, 3) against measurement rows (M, 11)."""
    aer = enu2aer(pred_m, rows[:, SE : SU + 1])
    dr = (rows[:, R] - aer[..., 0]) / rows[:, SR]
    daz = wrap_pi(rows[:, AZ] - aer[..., 1]) * np.cos(rows[:, EL]) / rows[:, SAZ]
    de = (rows[:, EL] - aer[..., 2]) / rows[:, SEL]
    return np.concatenate([dr, daz, de], axis=-1)


def fit_ballistic(
    rows: FloatArray,
    x0: FloatArray,
    k_nominal: float,
    site_alt_m: float,
    k_rel_sigma: float = 1.0,
    iterations: int = 8,
) -> BallisticFit | None:
    """Fit a ballistic trajectory to one track's measurement rows (history layout), oldest first.

    `x0` (6,) is the initial guess at the latest measurement time (the track state). Returns None with
    fewer than 4 measurements or if the normal equations are singular.
    """
    m = rows.shape[0]
    if m < 4:
        return None
    times = rows[:, T]
    t_ref = float(times[-1])
    theta = np.concatenate([x0, [k_nominal]]).astype(np.float64)
    prior_sigma = k_rel_sigma * k_nominal
    cov = np.eye(7)
    chi2 = np.inf
    for _ in range(iterations):
        eps = _EPS.copy()
        eps[6] = 0.05 * max(theta[6], 1e-6)
        batch = np.repeat(theta[None, :], 8, axis=0)
        batch[1:] += np.diag(eps)
        pred = _propagate_to_times(batch[:, :6], batch[:, 6], t_ref, times, site_alt_m)
        res = _residuals(pred, rows)  # (8, 3M)
        prior = (theta[6] - k_nominal) / prior_sigma
        r0 = np.concatenate([res[0], [prior]])
        jac = np.empty((3 * m + 1, 7))
        jac[: 3 * m] = ((res[1:] - res[0]) / eps[:, None]).T
        jac[3 * m] = 0.0
        jac[3 * m, 6] = 1.0 / prior_sigma
        # Gauss-Newton on |r|^2 with J = dr/dtheta: r(theta + d) ~ r0 + J d, so d = -(J'J)^-1 J' r0.
        try:
            info = jac.T @ jac
            step = np.linalg.solve(info, -(jac.T @ r0))
        except np.linalg.LinAlgError:
            return None
        theta = theta + step
        theta[6] = max(theta[6], 0.0)
        chi2 = float(r0 @ r0)
        cov = np.linalg.inv(info)
        if np.all(np.abs(step[:6]) < 0.01):
            break
    pred = _propagate_to_times(theta[None, :6], theta[None, 6], t_ref, times, site_alt_m)
    res = _residuals(pred, rows)[0]
    chi2 = float(res @ res)
    dof = max(3 * m - 7, 1)
    return BallisticFit(
        t_s=t_ref,
        position_m=theta[:3].copy(),
        velocity_mps=theta[3:6].copy(),
        drag_factor_m2pkg=float(theta[6]),
        covariance=cov,
        chi2_per_dof=chi2 / dof,
        n_measurements=m,
    )
