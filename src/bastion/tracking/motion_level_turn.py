"""Level turn at a fixed lateral acceleration (left or right) on the IMM's 9-element state.

The classic way to give an IMM a specified manoeuvre level (Bar-Shalom, Li, Kirubarajan 2001,
sec. 11.7; Li & Jilkov, "Survey of maneuvering target tracking, Part I", sec. V.A, the coordinated
turn with a known rate): one model per turn direction, each turning the horizontal velocity at the
rate the stated lateral acceleration gives, omega = +-`accel_mps2` / |v_h| (positive is to the left,
anticlockwise seen from above). Unlike `CoordinatedTurn3D`, which must first estimate the turn rate
from the acceleration in its state (two or three scans of a noisy radar), this model knows it as soon
as it is chosen: it tracks a turn of its own level from the scan after the turn begins. It is exact
for that level only (a 2 g turn is a mismatch for a 3 g model), so it complements the estimated-rate
model rather than replacing it. Not in the default IMM (see docs/tracking.md and
benchmarks/results/imm.md); add a pair with `level_turn_pair`.

State x = [e, n, u, ve, vn, vu, ae, an, au] in site ENU as in `motion`. Over a step T with
theta = omega T (omega held over the step, from the prior speed):

    p_h += [[S, -C], [C, S]] v_h,   v_h <- Rot(theta) v_h,   S = sin(theta) / omega,
    C = (1 - cos theta) / omega;   u += T vu, vu held;   a <- (-omega vn, omega ve, 0)

so the acceleration the model hands to the other models at mixing is its centripetal one. The
prediction is an extended-Kalman one: omega depends on the speed, and the Jacobian carries
d omega / d v_h = -omega v_h / |v_h|^2 (zero when omega is clipped to `max_turn_rate_radps`). Below
`min_speed_mps` the model is constant velocity (no direction to turn from). Process noise: white
acceleration of density `accel_noise_mps2`^2 (m^2/s^3) on each axis (as `ConstantVelocity`), and a
floor `accel_floor_sigma_mps2` on the acceleration, which the model sets from the velocity.

Written here because no library offers a vectorised batch of speed-dependent turn models on this state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.tracking.motion import DIM, ConstantVelocity, hold_zero_steps, kron_axes, symmetrise
from bastion.tracking.motion_turn import domc, dsinc, one_minus_cos_over_sq, sinc

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelTurn:
    """A level turn at lateral acceleration `accel_mps2` (m/s^2, > 0), to the left if `left` else
    to the right; see the module docstring for the other fields."""

    accel_mps2: float
    left: bool
    accel_noise_mps2: float = 0.5
    accel_floor_sigma_mps2: float = 0.01
    min_speed_mps: float = 3.0
    max_turn_rate_radps: float = 3.0
    name: str = "turn"

    def __post_init__(self) -> None:
        if not self.accel_mps2 > 0.0 or not self.min_speed_mps > 0.0:
            raise ValueError("LevelTurn: accel_mps2 and min_speed_mps must be > 0")

    @property
    def _noise(self) -> ConstantVelocity:
        """The process noise about the turn: constant velocity's, with this model's densities."""
        return ConstantVelocity(
            accel_mps2=self.accel_noise_mps2, accel_floor_sigma_mps2=self.accel_floor_sigma_mps2
        )

    def turn_rate_radps(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Signed turn rate omega (K,) of states `x` (K, 9) and d omega / d v_h (K, 2)."""
        vh = x[:, 3:5]
        s2 = np.einsum("ij,ij->i", vh, vh)
        fast = s2 >= self.min_speed_mps**2
        s = np.sqrt(np.where(fast, s2, 1.0))
        rate = self.accel_mps2 / s
        free = fast & (rate < self.max_turn_rate_radps)
        sign = 1.0 if self.left else -1.0
        omega = np.where(fast, sign * np.minimum(rate, self.max_turn_rate_radps), 0.0)
        grad = np.where(free[:, None], -omega[:, None] * vh / np.where(fast, s2, 1.0)[:, None], 0.0)
        return omega, grad

    def predict(
        self, x: FloatArray, P: FloatArray, dt_s: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Predict `x` (K, 9), `P` (K, 9, 9) by `dt_s` (K,) >= 0 seconds; new arrays."""
        k = x.shape[0]
        if k == 0:
            return x.copy(), P.copy()
        T = dt_s
        omega, grad = self.turn_rate_radps(x)
        th = omega * T
        c, sn = np.cos(th), np.sin(th)
        S = T * sinc(th)
        C = T * th * one_minus_cos_over_sq(th)
        vx, vy = x[:, 3], x[:, 4]
        nvx, nvy = c * vx - sn * vy, sn * vx + c * vy
        x_new = np.zeros_like(x)
        x_new[:, 0] = x[:, 0] + S * vx - C * vy
        x_new[:, 1] = x[:, 1] + C * vx + S * vy
        x_new[:, 2] = x[:, 2] + T * x[:, 5]
        x_new[:, 3], x_new[:, 4], x_new[:, 5] = nvx, nvy, x[:, 5]
        x_new[:, 6], x_new[:, 7] = -omega * nvy, omega * nvx
        # Jacobian at fixed omega, then the rank-one term (df/domega) (domega/dx)^T.
        J = np.zeros((k, DIM, DIM))
        J[:, 0, 0] = J[:, 1, 1] = J[:, 2, 2] = J[:, 5, 5] = 1.0
        J[:, 0, 3], J[:, 0, 4], J[:, 1, 3], J[:, 1, 4] = S, -C, C, S
        J[:, 2, 5] = T
        J[:, 3, 3], J[:, 3, 4], J[:, 4, 3], J[:, 4, 4] = c, -sn, sn, c
        J[:, 6, 3], J[:, 6, 4] = -omega * sn, -omega * c
        J[:, 7, 3], J[:, 7, 4] = omega * c, -omega * sn
        dS = T * T * dsinc(th)
        dC = T * T * (one_minus_cos_over_sq(th) + th * domc(th))
        u = np.zeros((k, DIM))
        u[:, 0] = dS * vx - dC * vy
        u[:, 1] = dC * vx + dS * vy
        u[:, 3], u[:, 4] = -T * nvy, T * nvx
        u[:, 6] = -nvy - th * nvx
        u[:, 7] = nvx - th * nvy
        J[:, :, 3:5] += u[:, :, None] * grad[:, None, :]
        P_new = J @ P @ np.swapaxes(J, 1, 2)
        P_new += kron_axes(self._noise.axis_matrices(T)[1])  # the CWNA noise of constant velocity
        return hold_zero_steps(dt_s, x, P, x_new, symmetrise(P_new))


def level_turn_pair(accel_mps2: float, **kwargs: float) -> tuple[LevelTurn, LevelTurn]:
    """A left and a right `LevelTurn` at `accel_mps2`, named "turn_left" and "turn_right"."""
    return (
        LevelTurn(accel_mps2=accel_mps2, left=True, name="turn_left", **kwargs),
        LevelTurn(accel_mps2=accel_mps2, left=False, name="turn_right", **kwargs),
    )
