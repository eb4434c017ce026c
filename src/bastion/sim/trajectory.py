"""The sampled trajectory of one truth object, and its sampling grid.

A trajectory is sampled at ``t_begin_s + j * dt_s`` for ``j = 0 .. n-2`` plus one last sample at
`t_last_s` (at most one `dt_s` after the previous one), so that a world can interpolate all objects
at once with index arithmetic instead of a search. Positions are site ENU metres, velocities ENU m/s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

NO_IMPACT: tuple[float, float, float] = (math.nan, math.nan, math.nan)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Trajectory:
    """Samples of one object: `t_s` (n,) run-clock s, `position_m` (n, 3), `velocity_mps` (n, 3).

    The object exists on ``[t_begin_s, t_end_s)``: `t_end_s` is when it lands, hits the ground or
    reaches its last waypoint (``inf`` if never). Samples may stop earlier than `t_end_s` (at the end
    of the scenario). `impact_m` is the ground impact point (ENU m) for objects that strike the
    ground at `t_end_s`, NaN otherwise.
    """

    t_s: FloatArray
    position_m: FloatArray
    velocity_mps: FloatArray
    t_end_s: float
    impact_m: tuple[float, float, float] = NO_IMPACT

    @property
    def t_begin_s(self) -> float:
        """First sample time (s): when the object starts to exist."""
        return float(self.t_s[0])

    @property
    def t_last_s(self) -> float:
        """Last sample time (s)."""
        return float(self.t_s[-1])


def sample_times(t_begin_s: float, t_stop_s: float, dt_s: float) -> FloatArray:
    """The grid ``t_begin + j*dt`` below `t_stop_s`, then `t_stop_s` itself; at least 2 samples.

    A grid point within ``1e-6 * dt`` of `t_stop_s` is merged into it, so the last gap is never
    vanishingly small.
    """
    span = max(t_stop_s - t_begin_s, 0.0)
    n_grid = max(math.ceil(span / dt_s - 1e-6), 1)
    times = t_begin_s + dt_s * np.arange(n_grid + 1, dtype=np.float64)
    times[-1] = t_begin_s + span
    return times


def check_grid(traj: Trajectory, dt_s: float) -> None:
    """Raise ValueError unless `traj` is sampled on the grid `sample_times` describes."""
    t = traj.t_s
    n = t.shape[0]
    if n < 2 or traj.position_m.shape != (n, 3) or traj.velocity_mps.shape != (n, 3):
        raise ValueError("a trajectory needs n >= 2 samples with (n, 3) positions and velocities")
    expected = t[0] + dt_s * np.arange(n - 1)
    last_gap = t[-1] - t[-2]
    if not np.allclose(t[:-1], expected, rtol=0.0, atol=1e-6 * dt_s) or not (
        -1e-9 <= last_gap <= dt_s * (1.0 + 1e-6)
    ):
        raise ValueError("trajectory samples are not on the t_begin + j*dt grid")
