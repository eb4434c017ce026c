"""Ballistic impact prediction for rocket-class tracks: fit, test, propagate.

For each ballistic candidate the book fits the point-mass model to the track's own radar measurements
(`ballistic_fit`), warm-started from the previous fit, over at most the last `max_rows` plots. A fit
whose residuals are too large (`max_chi2_per_dof`) is rejected: that track is not forced into a
ballistic model and gets no impact prediction from it. An accepted fit is propagated to the ground
for the impact point and time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import propagate_to_ground, rk4_step
from bastion.threat.ballistic_fit import BallisticFit, fit_ballistic
from bastion.threat.history import MeasurementHistory

FloatArray = NDArray[np.float64]


@dataclass(slots=True)
class BallisticBook:
    """The latest accepted fit per track, for warm starts and reporting."""

    k_nominal: float
    site_alt_m: float
    max_rows: int = 80
    max_chi2_per_dof: float = 4.0
    fits: dict[int, BallisticFit] = field(default_factory=dict)

    def _initial(
        self, tid: int, x: FloatArray, t_state: float, t_ref: float
    ) -> tuple[FloatArray, int]:
        prev = self.fits.get(tid)
        if prev is None:
            guess = x.copy()
            guess[:3] += x[3:] * (t_ref - t_state)
            return guess, 8
        p, v = prev.position_m[None, :].copy(), prev.velocity_mps[None, :].copy()
        k = np.array([prev.drag_factor_m2pkg])
        gap = t_ref - prev.t_s
        n = max(1, int(np.ceil(abs(gap) / 0.25)))
        for _ in range(n):
            p, v = rk4_step(p, v, k, self.site_alt_m, gap / n)
        return np.concatenate([p[0], v[0]]), 4

    def predict(
        self,
        track_ids: NDArray[np.int64],
        x: FloatArray,
        t_state_s: FloatArray,
        history: MeasurementHistory,
        t_s: float,
    ) -> tuple[FloatArray, FloatArray]:
        """Impact points (N, 3) and absolute impact times (N,) for N candidate tracks; NaN if no fit."""
        n = track_ids.size
        impact = np.full((n, 3), np.nan)
        t_imp = np.full(n, np.nan)
        states = []
        rows_ok = []
        for i, tid in enumerate(track_ids.tolist()):
            rows = history.of(tid)[-self.max_rows :]
            if rows.shape[0] < 4:
                continue
            x0, iters = self._initial(tid, x[i], float(t_state_s[i]), float(rows[-1, 0]))
            fit = fit_ballistic(rows, x0, self.k_nominal, self.site_alt_m, iterations=iters)
            if fit is None or not fit.chi2_per_dof <= self.max_chi2_per_dof:
                self.fits.pop(tid, None)
                continue
            self.fits[tid] = fit
            states.append(
                np.concatenate([fit.position_m, fit.velocity_mps, [fit.drag_factor_m2pkg, fit.t_s]])
            )
            rows_ok.append(i)
        if states:
            s = np.array(states)
            pts, dt = propagate_to_ground(s[:, :3], s[:, 3:6], s[:, 6], self.site_alt_m)
            impact[rows_ok] = pts
            t_imp[rows_ok] = s[:, 7] + dt
        return impact, t_imp

    def forget(self, track_ids: NDArray[np.int64]) -> None:
        """Drop fits of tracks that ended."""
        for tid in track_ids.tolist():
            self.fits.pop(int(tid), None)
