"""Ballistic motion model (gravity and quadratic drag) on the IMM's 9-element state, EKF prediction.

State x = [e, n, u, ve, vn, vu, ae, an, au] in site ENU (m, m/s, m/s^2), as in `motion`. Position and
velocity follow the point-mass model of `bastion.core.ballistics`

    p' = v,   v' = a(p, v) = -g u_hat - rho(h) k |v| v,    h = u + site altitude (m above MSL)

with k = Cd A / (2 m) (m^2/kg, `bastion.core.ballistics.drag_factor_m2pkg`; note the 1/2 is inside k)
and rho(h) the ICAO standard atmosphere of `core.ballistics.air_density_kgpm3`. The acceleration part
of the state is not propagated: after the step it is set to a(p, v) at the new state.

Extended Kalman prediction (e.g. Bar-Shalom, Li, Kirubarajan 2001, sec. 10.3): the step is cut into
equal substeps of at most `max_step_s`; on each the mean goes by classical fourth-order Runge-Kutta and
the covariance by the transition Phi = expm(A h) of the Jacobian A = d(p', v') / d(p, v) at the
substep's midpoint state (third-order Taylor series of expm; the midpoint makes it second-order
accurate), plus CWNA process noise of density `accel_mps2`^2 for the forces the model lacks (wind,
thrust tail-off, drag error). The acceleration block of P is Ja P6 Ja^T + floor^2 I with Ja = da/d(p, v)
at the new state, so P stays positive definite.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import air_density_kgpm3
from bastion.core.units import G0_MPS2
from bastion.tracking.motion import DIM, hold_zero_steps, symmetrise

FloatArray = NDArray[np.float64]

_DH_M = 5.0  # half-width of the central difference for d(rho)/dh, m (the table step is 10 m)
_EYE3 = np.eye(3)
_EYE6 = np.eye(6)


def _cwna6_rows(q: float, h: FloatArray) -> FloatArray:
    """CWNA noise kron([[h^3/3, h^2/2], [h^2/2, h]] q, I3) per row for substeps `h` (K,) s."""
    k = h.shape[0]
    Q2 = np.empty((k, 2, 2))
    Q2[:, 0, 0] = q * h**3 / 3.0
    Q2[:, 0, 1] = Q2[:, 1, 0] = q * h**2 / 2.0
    Q2[:, 1, 1] = q * h
    return (Q2[:, :, None, :, None] * _EYE3[None, None, :, None, :]).reshape(k, 6, 6)


@functools.lru_cache(maxsize=64)
def _cwna6(q: float, h: float) -> FloatArray:
    """`_cwna6_rows` for one substep of `h` s, (6, 6); cached, read-only."""
    Q6: FloatArray = _cwna6_rows(q, np.array([h]))[0]
    Q6.flags.writeable = False
    return Q6


@dataclass(frozen=True, slots=True, kw_only=True)
class Ballistic:
    """Gravity plus drag; see the module docstring.

    `drag_factor_m2pkg` is Cd A / (2 m) (m^2/kg; about 1e-4 for a 107 mm rocket or an 81 mm mortar
    bomb, 0 for vacuum); `gravity_mps2` (m/s^2); `accel_mps2` the CWNA density's square root for
    unmodelled forces (m^2/s^3 after squaring); `accel_floor_sigma_mps2` the 1-sigma added to the
    acceleration components (m/s^2); `site_alt_m` the site origin's height above MSL (m), for rho;
    `max_step_s` the longest integration substep (s).
    """

    drag_factor_m2pkg: float
    gravity_mps2: float = G0_MPS2
    accel_mps2: float = 1.0
    accel_floor_sigma_mps2: float = 0.1
    site_alt_m: float = 0.0
    max_step_s: float = 0.5
    name: str = "ballistic"

    def acceleration(self, pos_m: FloatArray, vel_mps: FloatArray) -> FloatArray:
        """a(p, v) in m/s^2 for positions `pos_m` (K, 3) and velocities `vel_mps` (K, 3), ENU."""
        return self._accel(air_density_kgpm3(pos_m[:, 2] + self.site_alt_m), vel_mps)

    def _accel(self, rho: FloatArray, vel_mps: FloatArray) -> FloatArray:
        """a(p, v) given the air density `rho` (K,) kg/m^3 at the positions."""
        speed = np.sqrt(np.einsum("ij,ij->i", vel_mps, vel_mps))
        acc: FloatArray = -(rho * self.drag_factor_m2pkg * speed)[:, None] * vel_mps
        acc[:, 2] -= self.gravity_mps2
        return acc

    def _density(self, pos_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """rho (K,) kg/m^3 at `pos_m` (K, 3) and d(rho)/dh (kg/m^4) by central difference, from one
        table look-up of the three heights."""
        k = pos_m.shape[0]
        h = pos_m[:, 2] + self.site_alt_m
        r = air_density_kgpm3(np.concatenate([h, h + _DH_M, h - _DH_M]))
        return r[:k], (r[k : 2 * k] - r[2 * k :]) / (2.0 * _DH_M)

    def jacobian(self, pos_m: FloatArray, vel_mps: FloatArray) -> FloatArray:
        """da / d(p, v) at the given states, shape (K, 3, 6): columns e, n, u, ve, vn, vu."""
        return self._jacobian(*self._density(pos_m), vel_mps)

    def _jacobian(self, rho: FloatArray, drho: FloatArray, vel_mps: FloatArray) -> FloatArray:
        """`jacobian` given rho (K,) and d(rho)/dh (K,) at the positions."""
        k = vel_mps.shape[0]
        speed = np.sqrt(np.einsum("ij,ij->i", vel_mps, vel_mps))
        kd = self.drag_factor_m2pkg
        J = np.zeros((k, 3, 6))
        J[:, :, 2] = -(drho * kd * speed)[:, None] * vel_mps
        inv_s = np.where(speed > 0.0, 1.0 / np.where(speed > 0.0, speed, 1.0), 0.0)
        vv = vel_mps[:, :, None] * vel_mps[:, None, :] * inv_s[:, None, None]
        J[:, :, 3:] = -(rho * kd)[:, None, None] * (speed[:, None, None] * _EYE3 + vv)
        return J

    def _rk4(
        self, p: FloatArray, v: FloatArray, h: FloatArray | float
    ) -> tuple[FloatArray, FloatArray]:
        """One classical RK4 step of per-row length `h` (K,) seconds, or `h` s for every row."""
        hc = h[:, None] if isinstance(h, np.ndarray) else h
        k1p, k1v = v, self.acceleration(p, v)
        k2p = v + 0.5 * hc * k1v
        k2v = self.acceleration(p + 0.5 * hc * k1p, k2p)
        k3p = v + 0.5 * hc * k2v
        k3v = self.acceleration(p + 0.5 * hc * k2p, k3p)
        k4p = v + hc * k3v
        k4v = self.acceleration(p + hc * k3p, k4p)
        p_new = p + hc / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p)
        v_new = v + hc / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v)
        return p_new, v_new

    def predict(
        self, x: FloatArray, P: FloatArray, dt_s: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Predict `x` (K, 9), `P` (K, 9, 9) by `dt_s` (K,) >= 0 seconds; new arrays."""
        k = x.shape[0]
        if k == 0:
            return x.copy(), P.copy()
        # Each row takes its own number of equal substeps, so a row's result never depends on the
        # other rows; rows already done take zero-length substeps (an exact no-op).
        n_row = np.maximum(np.ceil(dt_s / self.max_step_s), 1.0)
        h_row = dt_s / n_row
        p, v = x[:, 0:3].copy(), x[:, 3:6].copy()
        P6 = P[:, :6, :6].copy()
        q = self.accel_mps2**2
        A = np.zeros((k, 6, 6))
        A[:, :3, 3:] = _EYE3
        # One scan time for all rows (the tracker's case): scalar substeps and a cached noise matrix.
        uniform = bool((h_row == h_row[0]).all())
        for i in range(int(n_row.max())):
            h: FloatArray | float
            if uniform:
                h = float(h_row[0])
                Q6: FloatArray = _cwna6(q, h)
            else:
                h = np.where(i < n_row, h_row, 0.0)
                Q6 = _cwna6_rows(q, h)
            p_new, v_new = self._rk4(p, v, h)
            v_mid = 0.5 * (v + v_new)
            A[:, 3:, :] = self._jacobian(*self._density(0.5 * (p + p_new)), v_mid)
            Ah = A * (h[:, None, None] if isinstance(h, np.ndarray) else h)
            # Phi = I + Ah + Ah^2 / 2 + Ah^3 / 6, summed in that order, with no extra temporaries.
            Ah2 = Ah @ Ah
            Ah3 = Ah2 @ Ah
            Ah2 /= 2.0
            Phi = _EYE6 + Ah
            Phi += Ah2
            Ah3 /= 6.0
            Phi += Ah3
            P6 = Phi @ P6 @ np.swapaxes(Phi, 1, 2)
            P6 += Q6
            P6 = symmetrise(P6)
            p, v = p_new, v_new
        rho, drho = self._density(p)
        Ja = self._jacobian(rho, drho, v)
        x_new = np.empty((k, DIM))
        x_new[:, 0:3], x_new[:, 3:6] = p, v
        x_new[:, 6:9] = self._accel(rho, v)
        P_new = np.empty((k, DIM, DIM))
        P_new[:, :6, :6] = P6
        cross = Ja @ P6  # (K, 3, 6)
        P_new[:, 6:, :6] = cross
        P_new[:, :6, 6:] = np.swapaxes(cross, 1, 2)
        # P6 is symmetric and the cross blocks mirror each other exactly, so only the acceleration
        # block needs symmetrising (0.5 (a + a) = a exactly: the same as symmetrising all of P).
        P_new[:, 6:, 6:] = symmetrise(
            cross @ np.swapaxes(Ja, 1, 2) + self.accel_floor_sigma_mps2**2 * _EYE3
        )
        return hold_zero_steps(dt_s, x, P, x_new, P_new)
