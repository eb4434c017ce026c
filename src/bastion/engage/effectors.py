"""Effector envelopes and intercept timing, vectorised over tracks and candidate intercept times.

A threat on a straight-line path x(t) = p + v t can be intercepted at time t_i if the intercept point
lies inside the effector's envelope (min/max slant range, max altitude, above ground) and the shot can
leave at t_f = t_i - tof(t_i) no earlier than the earliest fire time (now plus reaction). The time of
flight is the slant range over the mean projectile speed. Candidate intercept times are sampled every
`step_s`; the first feasible one wins.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.core.params import EffectorParams

FloatArray = NDArray[np.float64]


def first_intercept(
    eff: EffectorParams,
    x: FloatArray,
    earliest_fire_s: float,
    horizon_s: float,
    step_s: float = 0.25,
) -> tuple[FloatArray, FloatArray]:
    """Fire and intercept times (s from now) of the first feasible intercept for states `x` (N, 6).

    `earliest_fire_s` is measured from now (reaction time, plus any decision delay). Returns NaN for
    tracks that cannot be intercepted within `horizon_s`.
    """
    n = x.shape[0]
    t = np.arange(0.0, horizon_s + 0.5 * step_s, step_s)
    pos = x[:, None, :3] + x[:, None, 3:] * t[None, :, None]
    rel = pos - np.asarray(eff.position_m)
    rng = np.linalg.norm(rel, axis=2)
    tof = rng / eff.projectile_speed_mps
    t_fire = t[None, :] - tof
    ok = (
        (rng >= eff.min_range_m)
        & (rng <= eff.max_range_m)
        & (pos[:, :, 2] <= eff.max_alt_m)
        & (pos[:, :, 2] >= 0.0)
        & (t_fire >= earliest_fire_s)
    )
    # A path that has reached the ground has ended: nothing after it counts.
    ended = np.cumsum(pos[:, :, 2] < 0.0, axis=1) > 0
    ok &= ~ended
    anyok = ok.any(axis=1)
    k = ok.argmax(axis=1)
    rows = np.arange(n)
    fire = np.where(anyok, t_fire[rows, k], np.nan)
    inter = np.where(anyok, t[k], np.nan)
    return fire, inter


def validate_effector(eff: EffectorParams) -> list[str]:
    """Reasons an effector's envelope is impossible (empty list if it is sound)."""
    problems = []
    if not 0.0 <= eff.min_range_m < eff.max_range_m:
        problems.append(f"{eff.name}: need 0 <= min_range_m < max_range_m")
    if eff.max_alt_m <= 0.0:
        problems.append(f"{eff.name}: max_alt_m must be positive")
    if eff.projectile_speed_mps <= 0.0:
        problems.append(f"{eff.name}: projectile_speed_mps must be positive")
    if eff.reaction_s < 0.0:
        problems.append(f"{eff.name}: reaction_s must not be negative")
    if any(not 0.0 <= p <= 1.0 for p in eff.pk.values()):
        problems.append(f"{eff.name}: every pk must lie in [0, 1]")
    if eff.magazine < 0:
        problems.append(f"{eff.name}: magazine must not be negative")
    return problems
