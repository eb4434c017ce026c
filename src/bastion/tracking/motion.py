"""Motion models on one common 9-element state, vectorised over rows, for the IMM filter.

Every model works on the same state, so an IMM mixes them without any state-space conversion:

    x = [e, n, u, ve, vn, vu, ae, an, au]      site ENU; m, m/s, m/s^2
    P   its 9x9 covariance (m^2, m^2/s, m^2/s^2, m^2/s^3, m^2/s^4)

Each model is a frozen dataclass with a `name` and `predict(x (K, 9), P (K, 9, 9), dt_s (K,))` returning
new arrays; the step may differ per row and a zero step returns the row unchanged (exactly). The three
axes move independently under the same per-axis 3x3 transition F3 and noise Q3 (for the coordinated turn
the axes are coupled only through the turn rate, which is fixed per row over the step), so the 9x9
matrices are kron(F3, I3) and kron(Q3, I3) in this state order.

- `ConstantVelocity`: continuous white-noise acceleration (CWNA) on position and velocity, exactly the
  model of `predictor.py` (Bar-Shalom, Li, Kirubarajan 2001, sec. 6.2.2); acceleration is not part of
  the model: its F rows are zero and it keeps a small variance so that P stays positive definite.
- `Singer`: acceleration a first-order Gauss-Markov process, a' = -a / tau + w, E[a^2] = sigma^2
  (Singer, IEEE Trans. AES-6, 1970), discretised exactly. tau -> infinity is the constant-acceleration
  (white jerk) model, tau -> 0 with 2 sigma^2 tau fixed is CWNA.
- `Hover`: velocity a first-order Gauss-Markov (Ornstein-Uhlenbeck) process that reverts to zero,
  v' = -v / tau + w, E[v^2] = sigma^2 (the velocity analogue of Singer; the "integrated OU" or
  nearly-constant-position model): a multirotor holding station, whose position wanders by wind gusts
  but does not drift away. Acceleration is not part of the model, as in `ConstantVelocity`.
- `CoordinatedTurn3D` (module `motion_turn`): the 3-D nearly-coordinated turn a' = -omega^2 v + w,
  omega = |v x a| / |v|^2 from the state.
- `Ballistic` (module `motion_ballistic`): gravity and quadratic drag, an extended-Kalman prediction.

Exact discretisation (Van Loan, "Computing integrals involving the matrix exponential", IEEE Trans. AC
23(3), 1978): Q = integral_0^T f(s) f(s)^T ds q with f(s) = F3(s) [0, 0, 1]^T.
The closed forms lose all precision for a small theta = alpha T (Singer) or omega T (CT) by cancellation,
so for theta <= 1 the integrals are evaluated by 16-node Gauss-Legendre quadrature of the same integrand
written with the stable functions sinc and expm1 (exact to round-off there: the integrands are entire
and hardly vary over [0, 1]); scipy's batched `expm` would give the same numbers but costs ~0.6 ms per
row, far too slow for the per-scan path.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DIM = 9
_I3 = np.eye(3)
_U, _W = np.polynomial.legendre.leggauss(16)
GL_U = 0.5 * (_U + 1.0)  # Gauss-Legendre nodes on [0, 1]
GL_W = 0.5 * _W
THETA_SWITCH = 1.0
_IU = np.triu_indices(3)


class MotionModel(Protocol):
    """A motion model on the 9-element state; see the module docstring."""

    @property
    def name(self) -> str: ...

    def predict(
        self, x: FloatArray, P: FloatArray, dt_s: FloatArray
    ) -> tuple[FloatArray, FloatArray]: ...


def kron_axes(M3: FloatArray) -> FloatArray:
    """Per-axis matrices `M3` (K, 3, 3) to the 9x9 state matrices kron(M3, I3), shape (K, 9, 9)."""
    k = M3.shape[0]
    out = M3[:, :, None, :, None] * _I3[None, None, :, None, :]
    return np.ascontiguousarray(out.reshape(k, DIM, DIM))


def symmetrise(P: FloatArray) -> FloatArray:
    """(P + P^T) / 2 over the last two axes; a new array."""
    out: FloatArray = P + np.swapaxes(P, -1, -2)
    out *= 0.5
    return out


def hold_zero_steps(
    dt_s: FloatArray, x: FloatArray, P: FloatArray, x_new: FloatArray, P_new: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Rows with a zero step take the input state and covariance back unchanged, exactly."""
    zero = dt_s == 0.0
    if zero.any():
        x_new[zero] = x[zero]
        P_new[zero] = P[zero]
    return x_new, P_new


def apply_axis_model(
    x: FloatArray, P: FloatArray, dt_s: FloatArray, F3: FloatArray, Q3: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """x <- F x, P <- F P F^T + Q with F = kron(F3, I3), Q = kron(Q3, I3); new arrays, K rows.

    F P F^T goes by the Kronecker structure: with one broadcast 9x9 F when every row has the same
    F3 (the usual case: one scan time for all tracks), else as per-row 3x3 products on the blocks.
    """
    k = x.shape[0]
    if k == 0:
        return x.copy(), P.copy()
    xb = x.reshape(k, 3, 3)  # [block (pos, vel, acc), axis]
    x_new = np.ascontiguousarray((F3 @ xb).reshape(k, DIM))
    Pc = np.ascontiguousarray(P)
    if bool((F3[:1] == F3).all()):
        F = kron_axes(F3[:1])[0]
        P_new = F @ Pc @ np.ascontiguousarray(F.T)
    else:
        FP = (F3 @ Pc.reshape(k, 3, 27)).reshape(k, 9, 3, 3)  # [i a, n, b]
        P_new = (F3[:, None] @ FP).reshape(k, DIM, DIM)  # [i a, j, b]
    P5 = P_new.reshape(k, 3, 3, 3, 3)
    for a in range(3):
        P5[:, :, a, :, a] += Q3
    return hold_zero_steps(dt_s, x, P, x_new, symmetrise(P_new))


class AxisModel(Protocol):
    """A motion model linear in the state with per-axis matrices (`ConstantVelocity`, `Singer`)."""

    def axis_matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]: ...

    def __hash__(self) -> int: ...


@functools.lru_cache(maxsize=256)
def _step_matrices(model: AxisModel, dt_s: float) -> tuple[FloatArray, FloatArray]:
    """F^T and Q, each (9, 9), of `model` for one step of `dt_s` s; cached, read-only."""
    F3, Q3 = model.axis_matrices(np.array([dt_s]))
    FT = np.ascontiguousarray(kron_axes(F3)[0].T)
    Q = kron_axes(Q3)[0]
    FT.flags.writeable = False
    Q.flags.writeable = False
    return FT, Q


def predict_linear(
    model: AxisModel, x: FloatArray, P: FloatArray, dt_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """x <- F x, P <- F P F^T + Q for a model with per-axis matrices; new arrays, K rows.

    When every row has the same step (one scan time for all tracks, the tracker's case) F^T and Q
    come from a cache per (model, step) and F P F^T goes as two (9K x 9)(9 x 9) matrix products:
    A = P F^T per row, then A^T F^T = F P F^T (P symmetric); else `apply_axis_model`.
    """
    k = x.shape[0]
    if k == 0 or not bool((dt_s == dt_s[0]).all()) or dt_s[0] <= 0.0:
        F3, Q3 = model.axis_matrices(dt_s)
        return apply_axis_model(x, P, dt_s, F3, Q3)
    FT, Q = _step_matrices(model, float(dt_s[0]))
    x_new = x @ FT
    A = (np.ascontiguousarray(P).reshape(k * DIM, DIM) @ FT).reshape(k, DIM, DIM)
    B = np.swapaxes(A, 1, 2) @ FT
    B += Q
    return x_new, symmetrise(B)


class LinearAxisModel:
    """`matrices` and `predict` for a model that is linear in the state with per-axis matrices: the
    subclass (a slotted frozen dataclass) defines `axis_matrices(dt_s) -> (F3, Q3)`."""

    __slots__ = ()

    def axis_matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        raise NotImplementedError

    def matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """State transition F and process noise Q for steps `dt_s` (K,), each (K, 9, 9)."""
        F3, Q3 = self.axis_matrices(dt_s)
        return kron_axes(F3), kron_axes(Q3)

    def predict(
        self, x: FloatArray, P: FloatArray, dt_s: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Predict `x` (K, 9), `P` (K, 9, 9) by `dt_s` (K,) >= 0 seconds; new arrays."""
        return predict_linear(self, x, P, dt_s)


def sym3(q: list[FloatArray], k: int) -> FloatArray:
    """Symmetric (K, 3, 3) from the upper triangle [q11, q12, q13, q22, q23, q33] (each (K,))."""
    out = np.empty((k, 3, 3), dtype=np.float64)
    for (i, j), v in zip(zip(*_IU, strict=True), q, strict=True):
        out[:, i, j] = v
        out[:, j, i] = v
    return out


def quad_q3(f1: FloatArray, f2: FloatArray, f3: FloatArray, t_s: FloatArray) -> list[FloatArray]:
    """Upper triangle of integral_0^T f f^T ds by Gauss-Legendre, given f at s = T u (K, nodes)."""
    k = t_s.shape[0]
    out = []
    for a, b in ((f1, f1), (f1, f2), (f1, f3), (f2, f2), (f2, f3), (f3, f3)):
        out.append(np.dot(a * b, GL_W) * t_s if k else np.zeros(0))
    return out


# --- constant velocity -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ConstantVelocity(LinearAxisModel):
    """CWNA constant velocity with power spectral density `accel_mps2`^2 (m^2/s^3) per axis.

    `accel_floor_sigma_mps2` is the 1-sigma of the acceleration components after a step (the model
    holds them at zero); keep it small against real manoeuvres, it only keeps P positive definite.
    """

    accel_mps2: float
    accel_floor_sigma_mps2: float = 0.01
    name: str = "cv"

    def axis_matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-axis F3 and Q3 for steps `dt_s` (K,), each (K, 3, 3)."""
        k = dt_s.shape[0]
        F3 = np.zeros((k, 3, 3))
        F3[:, 0, 0] = F3[:, 1, 1] = 1.0
        F3[:, 0, 1] = dt_s
        q = self.accel_mps2**2
        zero = np.zeros(k)
        Q3 = sym3([q * dt_s**3 / 3.0, q * dt_s**2 / 2.0, zero, q * dt_s, zero, zero], k)
        Q3[:, 2, 2] = self.accel_floor_sigma_mps2**2
        return F3, Q3


# --- Singer ------------------------------------------------------------------------------------


def _phi1_exp(y: FloatArray) -> FloatArray:
    """(1 - e^-y) / y, stable near 0 (value 1 there)."""
    out = np.ones_like(y)
    nz = y != 0.0
    out[nz] = -np.expm1(-y[nz]) / y[nz]
    return out


def _phi2_exp(y: FloatArray) -> FloatArray:
    """(y - 1 + e^-y) / y^2 = sum_n (-y)^n / (n + 2)!, series for y <= 1 (value 1/2 at 0)."""
    out = np.empty_like(y)
    small = y <= THETA_SWITCH
    ys = y[small]
    acc = np.zeros_like(ys)
    fact = [float(np.prod(np.arange(1, n + 3))) for n in range(20)]
    for n in range(19, -1, -1):  # Horner on sum_n c_n (-y)^n
        acc = acc * (-ys) + 1.0 / fact[n]
    out[small] = acc
    yl = y[~small]
    out[~small] = (yl + np.expm1(-yl)) / (yl * yl)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Singer(LinearAxisModel):
    """Singer acceleration model: RMS acceleration `accel_sigma_mps2` (m/s^2) per axis and
    manoeuvre time constant `tau_s` (s); the driving white noise has density 2 sigma^2 / tau.

    Pass `tau_s=math.inf` for the constant-acceleration (Wiener-process acceleration) limit; there the
    noise density is not defined by sigma, so `jerk_psd_m2ps5` (m^2/s^5) is used instead.
    """

    accel_sigma_mps2: float
    tau_s: float
    jerk_psd_m2ps5: float = 0.0
    name: str = "singer"

    def axis_matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-axis F3 and Q3 for steps `dt_s` (K,), each (K, 3, 3); computed once per distinct step."""
        dt_u, inv = np.unique(dt_s, return_inverse=True)
        F3, Q3 = self._unique_axis_matrices(dt_u)
        return F3[inv], Q3[inv]

    def _unique_axis_matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        k = dt_s.shape[0]
        alpha = 0.0 if np.isinf(self.tau_s) else 1.0 / self.tau_s
        q = self.jerk_psd_m2ps5 if alpha == 0.0 else 2.0 * alpha * self.accel_sigma_mps2**2
        T = dt_s
        th = alpha * T
        F3 = np.zeros((k, 3, 3))
        F3[:, 0, 0] = F3[:, 1, 1] = 1.0
        F3[:, 0, 1] = T
        F3[:, 0, 2] = T * T * _phi2_exp(th)
        F3[:, 1, 2] = T * _phi1_exp(th)
        F3[:, 2, 2] = np.exp(-th)
        small = th <= THETA_SWITCH
        q3 = [np.empty(k) for _ in range(6)]
        if small.any():
            Ts = T[small]
            y = th[small][:, None] * GL_U  # (Ks, nodes)
            u = GL_U
            f1 = (Ts[:, None] * u) ** 2 * _phi2_exp(y.ravel()).reshape(y.shape)
            f2 = Ts[:, None] * u * _phi1_exp(y.ravel()).reshape(y.shape)
            f3 = np.exp(-y)
            for dst, val in zip(q3, quad_q3(f1, f2, f3, Ts), strict=True):
                dst[small] = val
        if (~small).any():
            a = alpha
            t = th[~small]
            e1, e2 = np.exp(-t), np.exp(-2.0 * t)
            # Singer (1970) closed form, as in Li & Jilkov (2003) Part I, eq. (30), over 2 alpha.
            vals = [
                (1 - e2 + 2 * t + 2 * t**3 / 3 - 2 * t**2 - 4 * t * e1) / (2 * a**5),
                (e2 + 1 - 2 * e1 + 2 * t * e1 - 2 * t + t**2) / (2 * a**4),
                (1 - e2 - 2 * t * e1) / (2 * a**3),
                (4 * e1 - 3 - e2 + 2 * t) / (2 * a**3),
                (e2 + 1 - 2 * e1) / (2 * a**2),
                (1 - e2) / (2 * a),
            ]
            for dst, val in zip(q3, vals, strict=True):
                dst[~small] = val
        return F3, q * sym3(q3, k)


# --- hover -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Hover(LinearAxisModel):
    """Station keeping: velocity reverts to zero with time constant `tau_s` (s) and RMS
    `speed_sigma_mps` (m/s) per axis; the driving white noise on velocity has density 2 sigma^2 / tau.

    Over a step T with theta = T / tau: p <- p + tau (1 - e^-theta) v, v <- e^-theta v, so a velocity
    left over from a dash is forgotten within a few tau, and the position of a hovering target is
    averaged over many scans instead of being extrapolated along a noisy velocity. Position wanders as
    a random walk of diffusion 2 sigma^2 tau (m^2/s) over long steps. `accel_floor_sigma_mps2` as in
    `ConstantVelocity`.
    """

    speed_sigma_mps: float
    tau_s: float
    accel_floor_sigma_mps2: float = 0.01
    name: str = "hover"

    def __post_init__(self) -> None:
        if not (0.0 < self.tau_s < math.inf) or self.speed_sigma_mps < 0.0:
            raise ValueError("Hover: tau_s must be finite and > 0, speed_sigma_mps >= 0")

    def axis_matrices(self, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Per-axis F3 and Q3 for steps `dt_s` (K,), each (K, 3, 3)."""
        k = dt_s.shape[0]
        tau, T = self.tau_s, dt_s
        th = T / tau
        F3 = np.zeros((k, 3, 3))
        F3[:, 0, 0] = 1.0
        F3[:, 0, 1] = T * _phi1_exp(th)  # tau (1 - e^-theta), exact as theta -> 0
        F3[:, 1, 1] = np.exp(-th)
        small = th <= THETA_SWITCH
        q3 = [np.zeros(k) for _ in range(6)]
        if small.any():
            Ts = T[small]
            y = th[small][:, None] * GL_U  # (Ks, nodes)
            f1 = Ts[:, None] * GL_U * _phi1_exp(y.ravel()).reshape(y.shape)
            f2 = np.exp(-y)
            for dst, val in zip(q3, quad_q3(f1, f2, np.zeros_like(f1), Ts), strict=True):
                dst[small] = val
        if (~small).any():
            t = th[~small]
            a1, a2 = -np.expm1(-t), -np.expm1(-2.0 * t)  # 1 - e^-theta, 1 - e^-2 theta
            q3[0][~small] = tau**3 * (t - 2.0 * a1 + 0.5 * a2)
            q3[1][~small] = tau**2 * (a1 - 0.5 * a2)
            q3[3][~small] = tau * 0.5 * a2
        Q3 = (2.0 * self.speed_sigma_mps**2 / tau) * sym3(q3, k)
        Q3[:, 2, 2] = self.accel_floor_sigma_mps2**2
        return F3, Q3
