"""Other IMM model sets for `imm_accuracy.py` (information; the acceptance uses the default IMM).

- `with_hover`: the default plus a station-keeping model (`Hover`).
- `with_level_turns`: the default plus a left and a right level turn at 3 g (`LevelTurn`), the level of
  the profile's turns, the classic way to give an IMM a specified manoeuvre level.
- `with_hover_and_level_turns`: both.
- `matched_to_profile`: a yardstick, not a filter one would ship: a model set built from the profile's
  own manoeuvres (hover; 3 g level turns left and right; +-6 m/s^2 along-track speed changes, the
  `AlongTrack` model below), plus the default's constant velocity and Singer. It asks how far a model
  set can go on this profile when it is told the manoeuvres' levels; the clairvoyant filter of
  `imm_accuracy` is told their times instead.

`AlongTrack` lives here rather than in `bastion.tracking` because it is only a yardstick: its
covariance goes by a central-difference Jacobian of its mean map (exact enough to compare filters,
not written for the per-scan path).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bastion.tracking.filters import HOVER
from bastion.tracking.imm import ImmParams
from bastion.tracking.motion import ConstantVelocity, MotionModel, Singer, kron_axes, symmetrise
from bastion.tracking.motion_level_turn import level_turn_pair

G = 9.80665
TURN_G = 3.0  # the profile's turns (imm_accuracy.drone_profile)
ALONG_MPS2 = 6.0  # the profile's speed changes


def with_hover(params: ImmParams) -> ImmParams:
    """`params` with `Hover(0.5 m/s, 2 s)` added (sojourn 10 s, initial share 0.15)."""
    return _added(params, (HOVER,), (10.0,), 0.15)


def with_level_turns(params: ImmParams) -> ImmParams:
    """`params` with a 3 g `LevelTurn` pair added (sojourn 5 s each, initial share 0.1)."""
    return _added(params, level_turn_pair(TURN_G * G), (5.0, 5.0), 0.1)


def with_hover_and_level_turns(params: ImmParams) -> ImmParams:
    """`params` with `Hover` and the 3 g turn pair added."""
    return with_level_turns(with_hover(params))


def _added(
    params: ImmParams, models: tuple[MotionModel, ...], sojourn_s: tuple[float, ...], share: float
) -> ImmParams:
    """`params` with `models` appended; they start with `share` of the probability, evenly."""
    mu0 = (*((1.0 - share) * m for m in params.initial_mu), *(share / len(models),) * len(models))
    return ImmParams(
        models=(*params.models, *models),
        sojourn_s=(*params.sojourn_s, *sojourn_s),
        initial_mu=mu0,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AlongTrack:
    """Horizontal speed change at a fixed rate `accel_mps2` (m/s^2; negative slows down, stopping at
    zero) along the current heading; vertical constant velocity; white acceleration of density
    `accel_noise_mps2`^2 on every axis; the acceleration state is set to the model's own."""

    accel_mps2: float
    accel_noise_mps2: float = 0.5
    name: str = "along"

    def mean(self, x: np.ndarray, dt_s: np.ndarray) -> np.ndarray:
        vh = x[:, 3:5]
        speed = np.hypot(vh[:, 0], vh[:, 1])
        d = vh / np.maximum(speed, 1e-9)[:, None]
        a = self.accel_mps2
        t_acc = dt_s if a >= 0 else np.minimum(dt_s, speed / -a)  # time until stopped
        acc = a * d
        out = x.copy()
        out[:, 0:2] += vh * dt_s[:, None] + acc * (t_acc * (dt_s - 0.5 * t_acc))[:, None]
        out[:, 2] += x[:, 5] * dt_s
        out[:, 3:5] = vh + acc * t_acc[:, None]
        out[:, 6:8] = np.where((t_acc < dt_s)[:, None], 0.0, acc)
        out[:, 8] = 0.0
        return out

    def predict(
        self, x: np.ndarray, P: np.ndarray, dt_s: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        k = x.shape[0]
        h = 1e-5 * np.maximum(1.0, np.abs(x))  # (K, 9) central-difference steps
        probes = np.repeat(x[:, None, :], 18, axis=1)
        idx = np.arange(9)
        probes[:, idx, idx] += h
        probes[:, 9 + idx, idx] -= h
        out = self.mean(probes.reshape(-1, 9), np.repeat(dt_s, 18)).reshape(k, 18, 9)
        J = np.swapaxes((out[:, :9] - out[:, 9:]) / (2 * h[:, :, None]), 1, 2)
        P_new = J @ P @ np.swapaxes(J, 1, 2)
        cwna = ConstantVelocity(accel_mps2=self.accel_noise_mps2, accel_floor_sigma_mps2=0.01)
        P_new += kron_axes(cwna.axis_matrices(dt_s)[1])
        return self.mean(x, dt_s), symmetrise(P_new)


def matched_to_profile() -> ImmParams:
    """The yardstick model set (see the module docstring); equal initial probabilities."""
    models: tuple[MotionModel, ...] = (
        ConstantVelocity(accel_mps2=0.5),
        Singer(accel_sigma_mps2=20.0, tau_s=3.0),
        *level_turn_pair(TURN_G * G),
        HOVER,
        AlongTrack(accel_mps2=ALONG_MPS2, name="speed_up"),
        AlongTrack(accel_mps2=-ALONG_MPS2, name="slow_down"),
    )
    r = len(models)
    return ImmParams(
        models=models, sojourn_s=(30.0, 5.0, 5.0, 5.0, 10.0, 5.0, 5.0), initial_mu=(1.0 / r,) * r
    )


def _matched(_params: ImmParams) -> ImmParams:
    return matched_to_profile()


MODEL_SETS: dict[str, Callable[[ImmParams], ImmParams]] = {
    "with `Hover`": with_hover,
    "with a 3 g turn pair": with_level_turns,
    "with both": with_hover_and_level_turns,
    "matched to the profile (yardstick)": _matched,
}
"""Column title -> function of the default `ImmParams` giving the model set."""
