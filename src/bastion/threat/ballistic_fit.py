"""Ballistic state and drag estimation by batch least squares on tracks' radar measurements.

Unknowns per track: position and velocity at its latest measurement time (site ENU) and the drag
factor k = Cd A / (2 m) (m^2/kg). Each candidate trajectory is integrated backward with the
point-mass model (gravity, drag with the ICAO atmosphere; `bastion.core.ballistics.rk4_step`) on a
fixed grid of `step_s`; positions and velocities at the measurement times come from the cubic Hermite
curve between grid nodes (exact to millimetres for this smooth motion), so the cost does not grow
with the number of plots, only with the time span they cover. Predictions are compared with the
measurements in each sensor's own range / azimuth / elevation / range-rate space, weighted by the
sensor's noise, so no converted-measurement approximation enters; Doppler (range rate) pins the
along-track deceleration, hence the drag, within seconds. Gauss-Newton with a finite-difference
Jacobian: the nominal and the 7 perturbed trajectories of every track travel as one batch, so B
tracks cost one integration of 8 B states per iteration. The drag factor has a Gaussian prior about
the class's nominal value, which keeps it sane on short arcs.

A track that is not ballistic (a drone, a manoeuvring aircraft) leaves large residuals: `chi2_per_dof`
says so, and callers do not force such a track into the model.

No library fits: filterpy/Stone Soup offer sequential filters, not a batch fit in sensor coordinates
with an atmosphere-dependent drag model, batched over tracks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import rk4_step
from bastion.core.geo import wrap_pi
from bastion.threat.history import AZ, EL, RR, SAZ, SE, SEL, SR, SRR, SU, R, T

FloatArray = NDArray[np.float64]
_Q = 8  # nominal + 7 perturbed states per track
_EPS = np.array([1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.0])  # finite-difference steps (m, m/s; k below)


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
    first_t_s: float = math.nan
    """Time of the oldest measurement in the fit (s)."""

    @property
    def theta(self) -> FloatArray:
        """The 7 unknowns [position, velocity, drag factor] as one array."""
        return np.concatenate([self.position_m, self.velocity_mps, [self.drag_factor_m2pkg]])


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class _Padded:
    """B tracks' measurement rows padded to M: offsets back from each track's t_ref (s), masks."""

    t_ref: FloatArray  # (B,)
    first_t: FloatArray  # (B,)
    offset: FloatArray  # (B, M) >= 0
    sensor: FloatArray  # (B, M, 3)
    z: FloatArray  # (B, M, 4): range, az, el, range rate
    sigma: FloatArray  # (B, M, 4)
    use: NDArray[np.bool_]  # (B, M, 4)
    n_rows: NDArray[np.int64]  # (B,)


def _pad(rows_list: Sequence[FloatArray]) -> _Padded:
    b = len(rows_list)
    m = max(r.shape[0] for r in rows_list)
    offset = np.zeros((b, m))
    sensor = np.zeros((b, m, 3))
    z = np.zeros((b, m, 4))
    sigma = np.ones((b, m, 4))
    use = np.zeros((b, m, 4), dtype=bool)
    t_ref = np.empty(b)
    first = np.empty(b)
    n_rows = np.empty(b, dtype=np.int64)
    for i, rows in enumerate(rows_list):
        k = rows.shape[0]
        t_ref[i], first[i], n_rows[i] = rows[-1, T], rows[0, T], k
        offset[i, :k] = rows[-1, T] - rows[:, T]
        sensor[i, :k] = rows[:, SE : SU + 1]
        z[i, :k] = rows[:, [R, AZ, EL, RR]]
        sigma[i, :k] = rows[:, [SR, SAZ, SEL, SRR]]
        use[i, :k, :3] = True
        use[i, :k, 3] = np.isfinite(rows[:, RR]) & (rows[:, SRR] > 0.0)
    z = np.where(use, z, 0.0)
    sigma = np.where(use, sigma, 1.0)
    return _Padded(
        t_ref=t_ref,
        first_t=first,
        offset=offset,
        sensor=sensor,
        z=z,
        sigma=sigma,
        use=use,
        n_rows=n_rows,
    )


def _predict(
    states: FloatArray, k: FloatArray, pad: _Padded, site_alt_m: float, step_s: float
) -> tuple[FloatArray, FloatArray]:
    """Positions and velocities (B, Q, M, 3) of states (B*Q, 6) at the padded measurement times."""
    b = pad.offset.shape[0]
    q = states.shape[0] // b
    n_nodes = max(1, math.ceil(float(pad.offset.max()) / step_s))
    pos = np.empty((n_nodes + 1, states.shape[0], 3))
    vel = np.empty_like(pos)
    pos[0], vel[0] = states[:, :3], states[:, 3:]
    for node in range(n_nodes):
        pos[node + 1], vel[node + 1] = rk4_step(pos[node], vel[node], k, site_alt_m, -step_s)
    s = pad.offset / step_s
    j = np.clip(np.floor(s), 0, n_nodes - 1).astype(np.int64)
    t = (s - j)[:, None, :, None]  # (B, 1, M, 1)
    jj = j[:, None, :]  # (B, 1, M)
    idx = (np.arange(b)[:, None] * q + np.arange(q)[None, :])[:, :, None]  # (B, Q, 1)
    p0, p1, v0, v1 = pos[jj, idx], pos[jj + 1, idx], vel[jj, idx], vel[jj + 1, idx]
    h = -step_s
    t2, t3 = t * t, t * t * t
    p = (
        (2 * t3 - 3 * t2 + 1) * p0
        + (t3 - 2 * t2 + t) * h * v0
        + (3 * t2 - 2 * t3) * p1
        + (t3 - t2) * h * v1
    )
    dp = (6 * t2 - 6 * t) * p0 + (3 * t2 - 4 * t + 1) * h * v0
    dp += (6 * t - 6 * t2) * p1 + (3 * t2 - 2 * t) * h * v1
    return p, dp / h


def _residuals(p: FloatArray, v: FloatArray, pad: _Padded) -> FloatArray:
    """Whitened residuals (B, Q, 4M) of predicted positions/velocities (B, Q, M, 3)."""
    d = p - pad.sensor[:, None]
    ground = np.hypot(d[..., 0], d[..., 1])
    rng = np.sqrt(ground**2 + d[..., 2] ** 2)
    az = np.arctan2(d[..., 0], d[..., 1])
    el = np.arctan2(d[..., 2], ground)
    rr = np.einsum("bqmi,bqmi->bqm", d, v) / np.maximum(rng, 1e-9)
    z, sg = pad.z[:, None], pad.sigma[:, None]
    res = np.stack(
        [
            (z[..., 0] - rng) / sg[..., 0],
            wrap_pi(z[..., 1] - az) * np.cos(z[..., 2]) / sg[..., 1],
            (z[..., 2] - el) / sg[..., 2],
            (z[..., 3] - rr) / sg[..., 3],
        ],
        axis=-1,
    )
    res = np.where(pad.use[:, None], res, 0.0)
    return res.reshape(res.shape[0], res.shape[1], -1)


def fit_ballistic_batch(
    rows_list: Sequence[FloatArray],
    theta0: FloatArray,
    k_nominal: float,
    site_alt_m: float,
    k_rel_sigma: float = 1.0,
    iterations: int = 8,
    step_s: float = 2.0,
    give_up_chi2_per_dof: float = math.inf,
) -> list[BallisticFit | None]:
    """Fit B tracks at once: measurement rows (history layout, oldest first, >= 4 each) and initial
    guesses `theta0` (B, 7) = [position, velocity, drag factor] at each track's latest measurement.

    A track stops iterating when every step is below 1 cm and 1 mm/s, when its state is no longer
    finite (it diverged), or, from the third linearisation on, when its chi-square per degree of
    freedom is above `give_up_chi2_per_dof` (not ballistic: an aircraft's arc sends Gauss-Newton
    far off and each further iteration costs as much as a good track's); the batch stops when
    every track has, or after `iterations`. The iterations run on the tracks still going only.
    Returns one fit per track, None where the normal equations are singular or the result is not
    finite.
    """
    full = _pad(rows_list)
    b = len(rows_list)
    theta = np.array(theta0, dtype=np.float64).reshape(b, 7)
    prior_sigma = max(k_rel_sigma * k_nominal, 1e-9)
    n_res = 4 * full.offset.shape[1] + 1
    info = np.tile(np.eye(7), (b, 1, 1))
    r0 = np.zeros((b, n_res))
    jac = np.zeros((b, n_res, 7))
    step = np.zeros((b, 7))
    dof = np.maximum(full.use.sum(axis=(1, 2)) - 7, 1)
    going = np.arange(b)
    pad = full
    for it in range(iterations):
        th = theta[going]
        eps = np.tile(_EPS, (going.size, 1))
        eps[:, 6] = 0.05 * np.maximum(th[:, 6], 2e-6)
        batch = np.repeat(th[:, None, :], _Q, axis=1)
        batch[:, 1:] += eps[:, :, None] * np.eye(7)[None]
        flat = batch.reshape(going.size * _Q, 7)
        with np.errstate(all="ignore"):  # a diverging track's numbers overflow; it stops below
            p, v = _predict(flat[:, :6], flat[:, 6], pad, site_alt_m, step_s)
            res = _residuals(p, v, pad)
            r = np.concatenate([res[:, 0], ((th[:, 6] - k_nominal) / prior_sigma)[:, None]], 1)
            j = np.zeros((going.size, n_res, 7))
            j[:, :-1] = np.swapaxes((res[:, 1:] - res[:, :1]) / eps[:, :, None], 1, 2)
        j[:, -1, 6] = 1.0 / prior_sigma
        ok = np.isfinite(r).all(axis=1) & np.isfinite(j).all(axis=(1, 2))
        r, j = np.where(ok[:, None], r, 0.0), np.where(ok[:, None, None], j, 0.0)
        inf_ = np.einsum("bmi,bmj->bij", j, j)
        grad = np.einsum("bmi,bm->bi", j, r)
        try:
            st = np.linalg.solve(inf_, -grad[..., None])[..., 0]
        except np.linalg.LinAlgError:  # one singular track must not sink the others: each alone
            if b == 1:
                return [None]
            args = (k_nominal, site_alt_m, k_rel_sigma, iterations, step_s, give_up_chi2_per_dof)
            return [
                fit_ballistic_batch([rows_list[i]], theta[i : i + 1], *args)[0] for i in range(b)
            ]
        r0[going], jac[going], info[going], step[going] = r, j, inf_, st
        theta[going] = th + st
        theta[going, 6] = np.maximum(theta[going, 6], 0.0)
        theta[going[~ok]] = np.nan
        small = np.all(np.abs(st[:, :3]) < 0.01, axis=1) & np.all(
            np.abs(st[:, 3:6]) < 0.001, axis=1
        )
        done = small | ~ok | ~np.isfinite(theta[going]).all(axis=1)
        if it >= 2:
            done |= np.einsum("bm,bm->b", r, r) / dof[going] > give_up_chi2_per_dof
        if done.all():
            break
        if done.any():
            going = going[~done]
            pad = _take(full, going)
    # chi2 at the solution from the last linearisation: |r0 + J step|^2.
    r1 = r0 + np.einsum("bmi,bi->bm", jac, step)
    chi2 = np.einsum("bm,bm->b", r1, r1)
    out: list[BallisticFit | None] = []
    for i in range(b):
        if not np.isfinite(theta[i]).all():
            out.append(None)
            continue
        try:
            cov = np.linalg.inv(info[i])
        except np.linalg.LinAlgError:
            out.append(None)
            continue
        if not np.isfinite(cov).all():
            out.append(None)
            continue
        out.append(
            BallisticFit(
                t_s=float(full.t_ref[i]),
                position_m=theta[i, :3].copy(),
                velocity_mps=theta[i, 3:6].copy(),
                drag_factor_m2pkg=float(theta[i, 6]),
                covariance=0.5 * (cov + cov.T),
                chi2_per_dof=float(chi2[i] / dof[i]),
                n_measurements=int(full.n_rows[i]),
                first_t_s=float(full.first_t[i]),
            )
        )
    return out


def _take(pad: _Padded, rows: NDArray[np.int64]) -> _Padded:
    """The tracks `rows` of a padded batch (the padding width M is kept)."""
    return _Padded(
        t_ref=pad.t_ref[rows],
        first_t=pad.first_t[rows],
        offset=pad.offset[rows],
        sensor=pad.sensor[rows],
        z=pad.z[rows],
        sigma=pad.sigma[rows],
        use=pad.use[rows],
        n_rows=pad.n_rows[rows],
    )


def fit_ballistic(
    rows: FloatArray,
    x0: FloatArray,
    k_nominal: float,
    site_alt_m: float,
    k_rel_sigma: float = 1.0,
    iterations: int = 8,
) -> BallisticFit | None:
    """Fit one track's rows; `x0` is (6,) [position, velocity] (drag starts at `k_nominal`) or (7,).

    Returns None with fewer than 4 measurements or if the normal equations are singular.
    """
    if rows.shape[0] < 4:
        return None
    theta = np.asarray(x0, dtype=np.float64)
    if theta.size == 6:
        theta = np.concatenate([theta, [k_nominal]])
    return fit_ballistic_batch([rows], theta[None], k_nominal, site_alt_m, k_rel_sigma, iterations)[
        0
    ]
