"""Interacting multiple model (IMM) filter, vectorised over N tracks and r motion models.

The IMM of Blom & Bar-Shalom (IEEE Trans. AC 33(8), 1988), as in Bar-Shalom, Li, Kirubarajan,
*Estimation with Applications to Tracking and Navigation*, 2001, sec. 11.6.6. Arrays:

    x  (N, r, 9)     each model's state [e, n, u, ve, vn, vu, ae, an, au], site ENU, m, m/s, m/s^2
    P  (N, r, 9, 9)  each model's covariance
    mu (N, r)        model probabilities (rows sum to 1)
    transition (r, r) or (N, r, r): Pi[i, j] = P(model j now | model i at the last step)

One cycle is `imm_mix_predict` (mixing probabilities mu_{i|j} = Pi_ij mu_i / c_j with c_j = sum_i
Pi_ij mu_i, mixed initial conditions x0_j = sum_i mu_{i|j} x_i and P0_j = sum_i mu_{i|j} (P_i + (x_i -
x0_j)(x_i - x0_j)^T), then each model's own prediction), then `imm_update` or `imm_update_with`
(each model's measurement update; mode probabilities mu_j proportional to c_j Lambda_j with the
Gaussian likelihood Lambda_j of each model's innovation, normalised in log space), then `imm_combine`
(moment-matched output). Every step works on all N * r rows at once; the only Python loop is over the
r models in the prediction.

filterpy's `IMMEstimator` computes the mixing probabilities at the end of its update (and at
construction) and applies them at the start of its predict; here they are computed at the start of
`imm_mix_predict` from the posterior mu. The arithmetic is the same.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from bastion.tracking.motion import DIM, ConstantVelocity, MotionModel, Singer, symmetrise
from bastion.tracking.motion_ballistic import Ballistic
from bastion.tracking.motion_turn import CoordinatedTurn3D
from bastion.tracking.updater import inv_sym3, mahalanobis2

FloatArray = NDArray[np.float64]


class UpdateOutput(Protocol):
    """What a measurement update returns if not a tuple (e.g. `kalman_update.UpdateResult`)."""

    @property
    def x(self) -> FloatArray: ...
    @property
    def P(self) -> FloatArray: ...
    @property
    def innovation(self) -> FloatArray: ...
    @property
    def S(self) -> FloatArray: ...


MeasurementUpdate = Callable[
    ..., tuple[FloatArray, FloatArray, FloatArray, FloatArray] | UpdateOutput
]
"""update_fn(x (K, d), P (K, d, d), *measurements (K, ...)) -> (x, P, innovation (K, m), S (K, m, m))
as a tuple or an object with those attributes (`radar_models.radar_ekf_update`'s `UpdateResult`),
position in state columns 0:3 and velocity in 3:6; d = 9 here; angle innovations wrapped."""

_TINY = np.finfo(np.float64).tiny
# Tracks per block: each public function works through the tracks in blocks of this many so that the
# intermediate (block, r, 9, 9) arrays stay in the CPU cache (about a third less CPU time at 10,000
# tracks than one pass over all rows); every row is independent, so blocking changes no result.
CHUNK_TRACKS = 512


def _blocks(n: int) -> list[slice]:
    return [slice(s, min(s + CHUNK_TRACKS, n)) for s in range(0, n, CHUNK_TRACKS)]


_LOG_2PI = math.log(2.0 * math.pi)


def _default_models() -> tuple[MotionModel, ...]:
    return (
        ConstantVelocity(accel_mps2=0.5),
        Singer(accel_sigma_mps2=20.0, tau_s=3.0),
        CoordinatedTurn3D(jerk_psd_m2ps5=30.0),
        Ballistic(drag_factor_m2pkg=1e-4),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ImmParams:
    """The IMM's model set and switching; defaults for drones, rockets and mortars.

    `models`: the r motion models. `sojourn_s`: mean time (s) spent in each model before switching;
    over a step of dt the probability of staying is exp(-dt / sojourn) and the rest is shared equally
    by the other models (a continuous-time Markov chain sampled at the scan times, so the switching
    does not depend on the scan rate). `initial_mu`: mode probabilities of a new track.
    """

    models: tuple[MotionModel, ...] = field(default_factory=_default_models)
    sojourn_s: tuple[float, ...] = (30.0, 5.0, 5.0, 30.0)
    initial_mu: tuple[float, ...] = (0.4, 0.3, 0.2, 0.1)

    def __post_init__(self) -> None:
        r = len(self.models)
        if r == 0 or len(self.sojourn_s) != r or len(self.initial_mu) != r:
            raise ValueError(
                f"ImmParams: {r} models but {len(self.sojourn_s)} sojourn times and "
                f"{len(self.initial_mu)} initial probabilities"
            )
        if any(s <= 0.0 for s in self.sojourn_s) or not math.isclose(sum(self.initial_mu), 1.0):
            raise ValueError("ImmParams: sojourn times must be > 0 and initial_mu must sum to 1")

    def transition(self, dt_s: FloatArray) -> FloatArray:
        """Markov transition matrices Pi (N, r, r) for steps `dt_s` (N,) in seconds."""
        r = len(self.models)
        n = dt_s.shape[0]
        if r == 1:
            return np.ones((n, 1, 1))
        stay = np.exp(-dt_s[:, None] / np.asarray(self.sojourn_s)[None, :])  # (N, r)
        Pi = np.repeat(((1.0 - stay) / (r - 1))[:, :, None], r, axis=2)
        idx = np.arange(r)
        Pi[:, idx, idx] = stay
        return Pi

    def step_transition(self, dt_s: FloatArray) -> FloatArray:
        """`transition(dt_s)`, as one (r, r) matrix (cached, read-only) when every step is the same
        (one scan time for all tracks), else (N, r, r)."""
        if dt_s.shape[0] and bool((dt_s == dt_s[0]).all()):
            Pi: FloatArray = _uniform_transition(self, float(dt_s[0]))
            return Pi
        return self.transition(dt_s)


@functools.lru_cache(maxsize=64)
def _uniform_transition(params: ImmParams, dt_s: float) -> FloatArray:
    """`params.transition` for one step of `dt_s` s, (r, r)."""
    Pi: FloatArray = params.transition(np.array([dt_s]))[0]
    Pi.flags.writeable = False
    return Pi


def imm_init(
    z_m: FloatArray,
    R_m2: FloatArray,
    params: ImmParams,
    vel_sigma_mps: float,
    accel_sigma_mps2: float,
    vel_mps: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Start N tracks from positions `z_m` (N, 3) of covariance `R_m2` (N, 3, 3), site ENU.

    Velocity starts at `vel_mps` (N, 3) m/s if given (a prior, e.g. from a cooperative report),
    else at zero, with 1-sigma `vel_sigma_mps` per axis; acceleration at zero with 1-sigma
    `accel_sigma_mps2`; the same in every model. Returns x (N, r, 9), P (N, r, 9, 9), mu (N, r).
    """
    n, r = z_m.shape[0], len(params.models)
    x = np.zeros((n, r, DIM))
    x[:, :, 0:3] = z_m[:, None, :]
    if vel_mps is not None:
        x[:, :, 3:6] = vel_mps[:, None, :]
    P = np.zeros((n, r, DIM, DIM))
    P[:, :, 0:3, 0:3] = R_m2[:, None]
    idx = np.arange(3, 6)
    P[:, :, idx, idx] = vel_sigma_mps**2
    P[:, :, idx + 3, idx + 3] = accel_sigma_mps2**2
    mu = np.broadcast_to(np.asarray(params.initial_mu, dtype=np.float64), (n, r)).copy()
    return x, P, mu


def imm_mix_predict(
    x: FloatArray,
    P: FloatArray,
    mu: FloatArray,
    dt_s: FloatArray,
    models: Sequence[MotionModel],
    transition: FloatArray,
    out: tuple[FloatArray, FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mix and predict N tracks by `dt_s` (N,) >= 0 seconds.

    `transition` is (r, r) or per track (N, r, r). Returns the predicted per-model states (N, r, 9),
    covariances (N, r, 9, 9) and the predicted mode probabilities c (N, r). They are written into
    `out` = (x, P, c) if given (which may be the inputs themselves: each block of tracks is read in
    full before it is written), else into new arrays.
    """
    n, r = mu.shape
    if out is None:
        out = np.empty((n, r, DIM)), np.empty((n, r, DIM, DIM)), np.empty((n, r))
    for b in _blocks(n) if n > CHUNK_TRACKS else [slice(None)]:
        Pi = transition[b] if transition.ndim == 3 else transition
        _mix_predict(x[b], P[b], mu[b], dt_s[b], models, Pi, out[0][b], out[1][b], out[2][b])
    return out


def _mix_predict(
    x: FloatArray,
    P: FloatArray,
    mu: FloatArray,
    dt_s: FloatArray,
    models: Sequence[MotionModel],
    transition: FloatArray,
    x_out: FloatArray,
    P_out: FloatArray,
    c_out: FloatArray,
) -> None:
    n, r = mu.shape
    joint = transition * mu[:, :, None]  # (N, i, j): Pi_ij mu_i
    c = joint.sum(axis=1)  # (N, j)
    joint /= np.maximum(c, _TINY)[:, None, :]  # mu_{i|j}
    # Spread term as sum_i mu_{i|j} y_i y_i^T - y0_j y0_j^T with y = x - x_model0, centred on one
    # model's state so that no large position cancels; one (r x r) @ (r x 81) product per track.
    Wt = np.ascontiguousarray(np.swapaxes(joint, 1, 2))  # (N, j, i)
    ref = x[:, :1, :]
    y = x - ref
    M = np.einsum("nri,nrj->nrij", y, y)  # outer products; einsum is the fastest form measured
    M += P
    # The mixed moments go model-major, (j, N, ...), so that each model reads contiguous rows.
    y0 = np.empty((r, n, DIM))
    np.matmul(Wt, y, out=y0.transpose(1, 0, 2))
    P0 = np.empty((r, n, DIM, DIM))
    np.matmul(Wt, M.reshape(n, r, DIM * DIM), out=P0.reshape(r, n, DIM * DIM).transpose(1, 0, 2))
    P0 -= np.einsum("jni,jnk->jnik", y0, y0)
    y0 += ref[:, 0]  # now the mixed states x0
    c_out[...] = c
    for j, model in enumerate(models):
        # P0 is exactly symmetric: every term is (P_i and y y^T are, entry by entry).
        x_out[:, j], P_out[:, j] = model.predict(y0[j], P0[j], dt_s)


def gaussian_loglik(v: FloatArray, S: FloatArray) -> FloatArray:
    """log N(v; 0, S) for innovations `v` (K, m) and covariances `S` (K, m, m); shape (K,).

    Closed form for m = 3 (as in `updater`), Cholesky otherwise."""
    m = v.shape[1]
    if m == 3:
        a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
        d, e, f = S[:, 1, 1], S[:, 1, 2], S[:, 2, 2]
        det = a * (d * f - e * e) + b * (c * e - b * f) + c * (b * e - c * d)
        out: FloatArray = -0.5 * (mahalanobis2(v, S) + np.log(det) + 3 * _LOG_2PI)
        return out
    L = np.linalg.cholesky(S)
    y = np.linalg.solve(L, v[:, :, None])[:, :, 0]
    logdet = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    res: FloatArray = -0.5 * (np.einsum("ij,ij->i", y, y) + logdet + m * _LOG_2PI)
    return res


def position_update(
    x: FloatArray, P: FloatArray, z_m: FloatArray, R_m2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Linear Kalman update with a position measurement, H = [I3 0 ...], over K rows of any state
    dimension d >= 3: `x` (K, d), `P` (K, d, d), `z_m` (K, 3) site ENU m, `R_m2` (K, 3, 3).

    Joseph form (P+ = (I - K H) P (I - K H)^T + K R K^T; Bucy & Joseph 1968, see Bar-Shalom et al.
    2001, ch. 5), which keeps P+ positive semi-definite whatever the round-off. Returns (x+, P+,
    innovation (K, 3), S (K, 3, 3)); a `MeasurementUpdate`.
    """
    S = P[:, :3, :3] + R_m2
    HP = np.ascontiguousarray(P[:, :3, :])  # (K, 3, d) = (P H^T)^T; contiguous for fast matmul
    gain_t = inv_sym3(S) @ HP  # K^T = S^-1 H P (S and P symmetric), (K, 3, d)
    gain = np.ascontiguousarray(np.swapaxes(gain_t, 1, 2))
    v = z_m - x[:, :3]
    x_new = x + (gain @ v[:, :, None])[:, :, 0]
    # Joseph form through H's structure: B = (I - K H) P = P - K H P, and
    # B (I - K H)^T + K R K^T = B - (B H^T - K R) K^T: two (d x 3)(3 x d) products, no d x d x d one.
    B = gain @ HP
    np.subtract(P, B, out=B)
    T = np.ascontiguousarray(B[:, :, :3]) - gain @ R_m2
    B -= T @ gain_t
    return x_new, symmetrise(B), v, S


def imm_update_with(
    update_fn: MeasurementUpdate,
    x: FloatArray,
    P: FloatArray,
    mu_pred: FloatArray,
    *measurements: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Update every model of N tracks with one measurement per track through `update_fn`.

    `x` (N, r, 9), `P` (N, r, 9, 9) predicted; `mu_pred` (N, r) the predicted mode probabilities c;
    each of `measurements` has N rows and is repeated for the r models before the call, so `update_fn`
    sees K = N * r rows (track-major). Returns (x+, P+, mu+, loglik (N, r)), loglik the natural log of
    each model's measurement likelihood N(innovation; 0, S).
    """
    n, r = mu_pred.shape
    if n <= CHUNK_TRACKS:
        return _update_with(update_fn, x, P, mu_pred, *measurements)
    x_new, P_new = np.empty((n, r, DIM)), np.empty((n, r, DIM, DIM))
    mu, loglik = np.empty((n, r)), np.empty((n, r))
    for b in _blocks(n):
        x_new[b], P_new[b], mu[b], loglik[b] = _update_with(
            update_fn, x[b], P[b], mu_pred[b], *(m[b] for m in measurements)
        )
    return x_new, P_new, mu, loglik


def _update_with(
    update_fn: MeasurementUpdate,
    x: FloatArray,
    P: FloatArray,
    mu_pred: FloatArray,
    *measurements: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    n, r = mu_pred.shape
    xf = x.reshape(n * r, DIM)
    Pf = P.reshape(n * r, DIM, DIM)
    meas = [np.repeat(m, r, axis=0) for m in measurements]
    res = update_fn(xf, Pf, *meas)
    if isinstance(res, tuple):
        x_new, P_new, v, S = res
    else:
        x_new, P_new, v, S = res.x, res.P, res.innovation, res.S
    loglik = gaussian_loglik(v, S).reshape(n, r)
    logw = np.log(np.maximum(mu_pred, _TINY)) + loglik
    logw -= logw.max(axis=1, keepdims=True)
    w = np.exp(logw)
    mu = w / w.sum(axis=1, keepdims=True)
    return x_new.reshape(n, r, DIM), P_new.reshape(n, r, DIM, DIM), mu, loglik


def imm_update(
    x: FloatArray, P: FloatArray, mu_pred: FloatArray, z_m: FloatArray, R_m2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """`imm_update_with(position_update, ...)`: converted position measurements `z_m` (N, 3) and
    covariances `R_m2` (N, 3, 3), site ENU. Returns (x+, P+, mu+, loglik (N, r))."""
    return imm_update_with(position_update, x, P, mu_pred, z_m, R_m2)


def imm_combine(
    x: FloatArray, P: FloatArray, mu: FloatArray, dims: int = DIM
) -> tuple[FloatArray, FloatArray]:
    """Moment-matched combination: x = sum_j mu_j x_j, P = sum_j mu_j (P_j + dx_j dx_j^T).

    Of the first `dims` state components only (6: position and velocity, what the table keeps; the
    combination of a leading block needs nothing from the rest). Returns x (N, dims), P (N, dims,
    dims)."""
    n = mu.shape[0]
    if n <= CHUNK_TRACKS:
        return _combine(x, P, mu, dims)
    xc, Pc = np.empty((n, dims)), np.empty((n, dims, dims))
    for b in _blocks(n):
        xc[b], Pc[b] = _combine(x[b], P[b], mu[b], dims)
    return xc, Pc


def _combine(x: FloatArray, P: FloatArray, mu: FloatArray, d: int) -> tuple[FloatArray, FloatArray]:
    n, r = mu.shape
    xs = x[:, :, :d]
    xc = (mu[:, None, :] @ xs)[:, 0]  # (N, d)
    dx = xs - xc[:, None, :]
    M = np.einsum("nri,nrj->nrij", dx, dx)
    M += P[:, :, :d, :d]
    Pc = (mu[:, None, :] @ M.reshape(n, r, d * d)).reshape(n, d, d)
    return xc, symmetrise(Pc)


def pos_vel(x: FloatArray, P: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The [e, n, u, ve, vn, vu] part of combined states `x` (N, 9), `P` (N, 9, 9): (N, 6), (N, 6, 6)
    (contiguous copies), what the rest of the system reads."""
    return np.ascontiguousarray(x[:, :6]), np.ascontiguousarray(P[:, :6, :6])
