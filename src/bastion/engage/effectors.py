"""Effector envelopes and engagement windows, vectorised over tracks and candidate intercept times.

A track on its predicted path (`bastion.engage.paths`) can be intercepted by an effector at time t_i
(seconds from now) when, at t_i, the path is alive and inside the envelope (slant range, height,
bearing sector), the intercept happens before the deadline (the threat reaching its asset), the rules
of engagement and the no-fire zones allow it (optional mask), and the shot can leave at
t_f = t_i - tof(t_i) no earlier than the earliest fire time: now plus reaction (plus any decision
time and reload) plus the time to slew from where the effector points to the intercept bearing. The
time of flight is the slant range over the mean projectile speed plus the effect delay. Candidate
intercept times are the paths' samples; the window of a track is every feasible sample, opened by the
first one (the shot nominated) and closed by the last one.

`validate_effector` lists why an effector's configuration is impossible; an effector with reasons is
refused (by the configuration loader, and by the engagement stage with an event).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.engage_params import EffectorKind, EffectorParams
from bastion.core.records import ThreatClass
from bastion.engage.paths import Paths, predict_paths

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Window:
    """One effector's engagement window on N tracks (s from now; NaN where there is none).

    `fire_s` and `intercept_s` are the first feasible shot, `close_s` the last feasible firing time,
    `index` the path sample of the first intercept (-1: none).
    """

    fire_s: FloatArray
    intercept_s: FloatArray
    close_s: FloatArray
    index: NDArray[np.int64]

    @property
    def feasible(self) -> BoolArray:
        """Tracks with a window."""
        ok: BoolArray = np.isfinite(self.fire_s)
        return ok


def wrap_rad(a: FloatArray | float) -> FloatArray:
    """Angles wrapped to [-pi, pi) (rad)."""
    out: FloatArray = np.mod(np.asarray(a, dtype=np.float64) + np.pi, 2.0 * np.pi) - np.pi
    return out


def effector_window(
    eff: EffectorParams,
    paths: Paths,
    earliest_fire_s: float | FloatArray,
    deadline_s: FloatArray | None = None,
    pointing_az_rad: float = math.nan,
    allowed: BoolArray | None = None,
) -> Window:
    """The window of `eff` on each path; `earliest_fire_s` is a scalar or per track (N,) (s).

    `deadline_s` (N,) bounds the intercept time; `pointing_az_rad` is where the effector points now
    (NaN: already on the bearing, no slew); `allowed` (N, T) masks samples out (rules of engagement,
    no-fire zones).
    """
    t = paths.t_s
    rel = paths.pos_m - np.asarray(eff.position_m, dtype=np.float64)
    rng = np.sqrt(np.einsum("ntc,ntc->nt", rel, rel))
    up = paths.pos_m[:, :, 2]
    ok = (
        paths.alive
        & (rng >= eff.min_range_m)
        & (rng <= eff.max_range_m)
        & (up >= eff.min_alt_m)
        & (up <= eff.max_alt_m)
    )
    t_fire = t[None, :] - rng / eff.projectile_speed_mps - eff.effect_delay_s
    earliest = np.broadcast_to(np.asarray(earliest_fire_s, dtype=np.float64), (len(paths),))
    need_az = eff.sector_width_rad < 2.0 * math.pi or (
        math.isfinite(eff.slew_rate_radps) and math.isfinite(pointing_az_rad)
    )
    if need_az:
        az = np.arctan2(rel[:, :, 0], rel[:, :, 1])
        if eff.sector_width_rad < 2.0 * math.pi:
            ok &= np.mod(az - eff.sector_from_rad, 2.0 * math.pi) <= eff.sector_width_rad
        if math.isfinite(eff.slew_rate_radps) and math.isfinite(pointing_az_rad):
            slew = np.abs(wrap_rad(az - pointing_az_rad)) / eff.slew_rate_radps
            ok &= t_fire >= earliest[:, None] + slew
    ok &= t_fire >= earliest[:, None]
    if deadline_s is not None:
        ok &= t[None, :] < deadline_s[:, None]
    if allowed is not None:
        ok &= allowed
    anyok = ok.any(axis=1)
    first = np.where(anyok, ok.argmax(axis=1), -1)
    last = ok.shape[1] - 1 - ok[:, ::-1].argmax(axis=1)
    rows = np.arange(len(paths))
    return Window(
        fire_s=np.where(anyok, t_fire[rows, first], np.nan),
        intercept_s=np.where(anyok, t[first], np.nan),
        close_s=np.where(anyok, t_fire[rows, last], np.nan),
        index=first,
    )


def first_intercept(
    eff: EffectorParams,
    x: FloatArray,
    earliest_fire_s: float,
    horizon_s: float,
    step_s: float = 0.25,
) -> tuple[FloatArray, FloatArray]:
    """Fire and intercept times (s from now) of the first feasible intercept of straight-line states
    `x` (N, 6); NaN for tracks that cannot be intercepted within `horizon_s`."""
    paths = predict_paths(x, np.zeros(x.shape[0], dtype=bool), horizon_s, step_s)
    w = effector_window(eff, paths, earliest_fire_s)
    return w.fire_s, w.intercept_s


def validate_effector(eff: EffectorParams) -> list[str]:
    """Reasons an effector's configuration is impossible (empty list if it is sound)."""
    problems = []
    numbers = {
        "min_range_m": eff.min_range_m,
        "max_range_m": eff.max_range_m,
        "min_alt_m": eff.min_alt_m,
        "max_alt_m": eff.max_alt_m,
        "reaction_s": eff.reaction_s,
        "projectile_speed_mps": eff.projectile_speed_mps,
        "effect_delay_s": eff.effect_delay_s,
        "reload_s": eff.reload_s,
        "cost_per_shot_usd": eff.cost_per_shot_usd,
        "debris_radius_m": eff.debris_radius_m,
        "miss_range_m": eff.miss_range_m,
        "sector_from_rad": eff.sector_from_rad,
        "sector_width_rad": eff.sector_width_rad,
    }
    bad = [k for k, v in numbers.items() if not math.isfinite(v)]
    if bad:
        return [f"{eff.name}: {', '.join(bad)} must be finite numbers"]
    if not 0.0 <= eff.min_range_m < eff.max_range_m:
        problems.append(
            f"{eff.name}: need 0 <= min_range_m < max_range_m, got "
            f"{eff.min_range_m:g} m and {eff.max_range_m:g} m"
        )
    if not 0.0 <= eff.min_alt_m < eff.max_alt_m:
        problems.append(
            f"{eff.name}: need 0 <= min_alt_m < max_alt_m, got "
            f"{eff.min_alt_m:g} m and {eff.max_alt_m:g} m"
        )
    elif eff.min_alt_m - eff.position_m[2] > eff.max_range_m:
        problems.append(f"{eff.name}: min_alt_m lies beyond max_range_m; the envelope is empty")
    if not 0.0 < eff.sector_width_rad <= 2.0 * math.pi + 1e-9:
        problems.append(f"{eff.name}: the sector must be wider than 0 and at most 360 degrees")
    if eff.projectile_speed_mps <= 0.0:
        problems.append(f"{eff.name}: projectile_speed_mps must be positive")
    if not eff.slew_rate_radps > 0.0:
        problems.append(f"{eff.name}: the slew rate must be positive")
    for name in ("reaction_s", "effect_delay_s", "reload_s", "cost_per_shot_usd"):
        if numbers[name] < 0.0:
            problems.append(f"{eff.name}: {name} must not be negative")
    for name in ("debris_radius_m", "miss_range_m"):
        if numbers[name] < 0.0:
            problems.append(f"{eff.name}: {name} must not be negative")
    if any(not 0.0 <= p <= 1.0 for p in eff.pk.values()):
        problems.append(f"{eff.name}: every pk must lie in [0, 1]")
    elif not any(p > 0.0 for p in eff.pk.values()):
        problems.append(f"{eff.name}: pk is 0 for every threat class; it can defeat nothing")
    if eff.kind is EffectorKind.JAMMER and eff.pk.get(ThreatClass.ROCKET, 0.0) > 0.0:
        problems.append(f"{eff.name}: a jammer cannot defeat an unguided rocket (pk must be 0)")
    if eff.magazine < 0 or eff.reloads < 0:
        problems.append(f"{eff.name}: magazine and reloads must not be negative")
    if eff.channels < 1:
        problems.append(f"{eff.name}: channels must be at least 1")
    return problems
