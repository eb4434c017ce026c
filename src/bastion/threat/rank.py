"""The ranked threat list: which tracks threaten which zone most urgently, each with a one-line reason.

Urgency of track i against zone j (dimensionless, larger is more urgent)::

    score = value_j * exp(-miss_m / scale_m) / max(time_to_zone_s, 1 s)

with `miss_m` the closest-approach distance (drones, aircraft) or the impact point's distance to the
zone (rockets, mortars), `scale_m` the warning distance, `value_j` the zone's value (`ZoneParams.value`).
A track is ranked by its most urgent zone. The list (top `top_n`) is emitted as `RankedThreat` records
when its order changes, at most once per `min_period_s`, and refreshed every `refresh_s` anyway.

The reason line reads like an operator would say it:
``fixed_wing, 48 m/s, 2.1 km from HQ, 44 s, steady heading`` (drone: class, speed, present distance to
the zone, time to closest approach, course behaviour) or ``rocket, 310 m/s, impact 40 m from chancery in
18 s``. The course is steady when its smoothed rate of turn is under `steady_turn_rad_s`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import RankedThreat, ThreatClass

FloatArray = NDArray[np.float64]


def urgency(
    value: FloatArray, time_to_zone_s: FloatArray, miss_m: FloatArray, scale_m: float
) -> FloatArray:
    """Scores (N, Z) from zone values (Z,), times (N, Z) s and miss distances (N, Z) m; 0 where the
    time or distance is not finite."""
    t = np.maximum(np.nan_to_num(time_to_zone_s, nan=np.inf), 1.0)
    d = np.nan_to_num(miss_m, nan=np.inf, posinf=np.inf)
    out: FloatArray = value[None, :] * np.exp(-d / max(scale_m, 1.0)) / t
    return np.where(np.isfinite(out), out, 0.0)


def _km(m: float) -> str:
    return f"{m / 1000:.1f} km" if m >= 1000.0 else f"{m:.0f} m"


@dataclass(slots=True)
class RankBook:
    """Course memory (for 'steady heading') and the last emitted list."""

    top_n: int = 10
    min_period_s: float = 1.0
    refresh_s: float = 10.0
    steady_turn_rad_s: float = math.radians(3.0)
    turn_tau_s: float = 3.0
    course: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    """track id -> (course rad, t_s, smoothed turn rate rad/s)."""
    last_ids: tuple[int, ...] = ()
    last_t_s: float = -math.inf

    def turn_rates(self, ids: Sequence[int], vel_mps: FloatArray, t_s: float) -> FloatArray:
        """Fold in the present course of tracks (velocities (N, 3)); smoothed turn rates (rad/s)."""
        out = np.zeros(len(ids))
        for i, tid in enumerate(ids):
            c = math.atan2(float(vel_mps[i, 0]), float(vel_mps[i, 1]))
            prev = self.course.get(tid)
            rate = 0.0
            if prev is not None and t_s > prev[1]:
                dt = t_s - prev[1]
                now = (c - prev[0] + math.pi) % (2 * math.pi) - math.pi
                w = 1.0 - math.exp(-dt / self.turn_tau_s)
                rate = prev[2] + w * (now / dt - prev[2])
            elif prev is not None:
                rate = prev[2]
            self.course[tid] = (c, t_s, rate)
            out[i] = rate
        return out

    def forget(self, ids: Sequence[int]) -> None:
        """Drop the course memory of tracks that ended."""
        for tid in ids:
            self.course.pop(tid, None)

    def rank(
        self,
        t_s: float,
        ids: Sequence[int],
        classes: Sequence[ThreatClass],
        ballistic: NDArray[np.bool_],
        speed_mps: FloatArray,
        range_m: FloatArray,
        time_to_s: FloatArray,
        miss_m: FloatArray,
        turn_rad_s: FloatArray,
        zone_names: Sequence[str],
        zone_values: FloatArray,
        scale_m: float,
    ) -> list[RankedThreat]:
        """The ranked list if it is due for emission, else []. Arrays are (N,) or (N, Z)."""
        if not ids or not zone_names:
            return []
        score = urgency(zone_values, time_to_s, miss_m, scale_m)
        j = score.argmax(axis=1)
        best = score[np.arange(len(ids)), j]
        order = [int(i) for i in np.argsort(-best, kind="stable") if best[i] > 0.0][: self.top_n]
        top = tuple(ids[i] for i in order)
        due = t_s - self.last_t_s >= self.refresh_s
        changed = top != self.last_ids and t_s - self.last_t_s >= self.min_period_s
        if not (due or changed):
            return []
        self.last_ids, self.last_t_s = top, t_s
        out = []
        for rank, i in enumerate(order, start=1):
            z = int(j[i])
            zone, tc = zone_names[z], classes[i]
            dt, miss, rng = float(time_to_s[i, z]), float(miss_m[i, z]), float(range_m[i, z])
            if ballistic[i]:
                why = f"{tc.value}, {speed_mps[i]:.0f} m/s, impact {_km(miss)} from {zone} in {dt:.0f} s"
            else:
                turn = abs(float(turn_rad_s[i]))
                course = (
                    "steady heading"
                    if turn < self.steady_turn_rad_s
                    else f"turning {math.degrees(turn):.0f} deg/s"
                )
                pass_by = "" if miss <= 0.5 else f", passes {_km(miss)} off"
                why = (
                    f"{tc.value}, {speed_mps[i]:.0f} m/s, {_km(rng)} from {zone}, "
                    f"{dt:.0f} s{pass_by}, {course}"
                )
            out.append(
                RankedThreat(
                    track_id=ids[i],
                    t_s=t_s,
                    rank=rank,
                    score=float(best[i]),
                    zone=zone,
                    zone_value=float(zone_values[z]),
                    threat_class=tc,
                    speed_mps=float(speed_mps[i]),
                    range_m=rng,
                    time_to_zone_s=dt,
                    cpa_m=miss,
                    reason=why,
                )
            )
        return out
