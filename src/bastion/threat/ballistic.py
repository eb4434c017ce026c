"""Ballistic prediction for rocket and mortar tracks: fit, test, then impact and origin ellipses.

Each step, the book fits the point-mass model to every candidate track's own radar measurements
(`fit_ballistic_batch`, all candidates in one batch), over at most the last `max_rows` plots:
warm-started from the track's previous fit carried forward to its newest plot (a few Gauss-Newton
iterations), or cold from the tracker's state. A fit whose residuals are too large
(`max_chi2_per_dof`) is rejected: that track is not forced into a ballistic model and gets no
prediction. Accepted fits go to the ground through the unscented transform (`to_ground`): forward
for the impact point, its ellipse and time; backward, at most once per `origin_period_s`, for the
point of origin. The origin keeps the estimate with the smallest ellipse so far, since later fits
slide their window past the first plots, which see the launch best.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import acceleration
from bastion.threat.ballistic_fit import BallisticFit, fit_ballistic_batch
from bastion.threat.history import MeasurementHistory, T
from bastion.threat.terrain import Ground
from bastion.threat.uncertainty import GroundEstimates, to_ground

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Origin:
    """A point-of-origin estimate: site ENU point (3,) m, (east, north) covariance (2, 2) m^2, launch
    time (run-clock s) and its sigma (s), made at `t_s`."""

    t_s: float
    point_m: FloatArray
    cov_en_m2: FloatArray
    t_launch_s: float
    sigma_t_launch_s: float


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Predictions:
    """Impact predictions for N candidate tracks (rows); `ok` False where no fit was accepted.

    `impact_m` (N, 3) site ENU, `cov_en_m2` (N, 2, 2), `t_impact_s` (N,) run-clock s, `sigma_t_s`
    (N,) s; NaN rows where not `ok`. `fits` holds the accepted fits by track id.
    """

    ok: NDArray[np.bool_]
    impact_m: FloatArray
    cov_en_m2: FloatArray
    t_impact_s: FloatArray
    sigma_t_s: FloatArray

    @classmethod
    def empty(cls, n: int) -> Predictions:
        """N rows, none predicted."""
        return cls(
            ok=np.zeros(n, dtype=bool),
            impact_m=np.full((n, 3), np.nan),
            cov_en_m2=np.full((n, 2, 2), np.nan),
            t_impact_s=np.full(n, np.nan),
            sigma_t_s=np.full(n, np.nan),
        )


@dataclass(slots=True)
class BallisticBook:
    """The latest accepted fit and the best origin per track."""

    k_nominal: float
    site_alt_m: float
    ground: Ground = field(default_factory=Ground)
    max_rows: int = 120
    min_rows: int = 6
    max_chi2_per_dof: float = 4.0
    give_up_chi2_per_dof: float = 100.0
    """A fit still this far off at its third linearisation stops there (rejected): real rounds are
    below 2 by then on the evaluation's shots, aircraft arcs in the hundreds."""
    warm_iterations: int = 2
    cold_iterations: int = 10
    origin_period_s: float = 1.0
    fits: dict[int, BallisticFit] = field(default_factory=dict)
    origins: dict[int, Origin] = field(default_factory=dict)
    new_origins: list[int] = field(default_factory=list)

    def _warm(self, fits: list[BallisticFit], t_ref: FloatArray) -> FloatArray:
        """Previous fits' states carried to the new reference times: (B, 7)."""
        theta = np.array([f.theta for f in fits])
        gap = t_ref - np.array([f.t_s for f in fits])
        n = max(1, math.ceil(float(np.abs(gap).max()) / 0.25))
        p, v = theta[:, :3].copy(), theta[:, 3:6].copy()
        for _ in range(n):
            p, v = _rk4_rows(p, v, theta[:, 6], self.site_alt_m, gap / n)
        return np.concatenate([p, v, theta[:, 6:7]], axis=1)

    def predict(
        self,
        track_ids: NDArray[np.int64],
        x: FloatArray,
        t_state_s: FloatArray,
        history: MeasurementHistory,
        t_s: float,
    ) -> Predictions:
        """Fit and predict the impact of N candidate tracks (`x` (N, 6) tracker states at
        `t_state_s`); also refreshes origins (`origins`, ids in `new_origins`)."""
        n = track_ids.size
        out = Predictions.empty(n)
        self.new_origins = []
        rows_of: dict[int, FloatArray] = {}
        held = history.of_many(track_ids)
        for i, tid in enumerate(track_ids.tolist()):
            rows = held.get(tid, np.zeros((0, 1)))[-self.max_rows :]
            if rows.shape[0] >= self.min_rows:
                rows_of[i] = rows
        if not rows_of:
            return out
        warm = [i for i in rows_of if int(track_ids[i]) in self.fits]
        cold = [i for i in rows_of if int(track_ids[i]) not in self.fits]
        fitted: dict[int, BallisticFit] = {}
        for group, iters in ((warm, self.warm_iterations), (cold, self.cold_iterations)):
            if not group:
                continue
            t_ref = np.array([rows_of[i][-1, T] for i in group])
            if group is warm:
                theta0 = self._warm([self.fits[int(track_ids[i])] for i in group], t_ref)
            else:
                xs = x[group].copy()
                xs[:, :3] += xs[:, 3:] * (t_ref - t_state_s[group])[:, None]
                theta0 = np.concatenate([xs, np.full((len(group), 1), self.k_nominal)], axis=1)
            fits = fit_ballistic_batch(
                [rows_of[i] for i in group],
                theta0,
                self.k_nominal,
                self.site_alt_m,
                iterations=iters,
                give_up_chi2_per_dof=self.give_up_chi2_per_dof,
            )
            for i, fit in zip(group, fits, strict=True):
                tid = int(track_ids[i])
                if fit is None or not fit.chi2_per_dof <= self.max_chi2_per_dof:
                    self.fits.pop(tid, None)
                else:
                    self.fits[tid] = fit
                    fitted[i] = fit
        if not fitted:
            return out
        rows = np.array(sorted(fitted))
        mean = np.array([fitted[i].theta for i in rows.tolist()])
        cov = np.array([fitted[i].covariance for i in rows.tolist()])
        t_fit = np.array([fitted[i].t_s for i in rows.tolist()])
        imp = to_ground(mean, cov, self.site_alt_m, self.ground)
        good = np.isfinite(imp.point_m).all(axis=1) & np.isfinite(imp.cov_en_m2).all(axis=(1, 2))
        r = rows[good]
        out.ok[r] = True
        out.impact_m[r] = imp.point_m[good]
        out.cov_en_m2[r] = imp.cov_en_m2[good]
        out.t_impact_s[r] = t_fit[good] + imp.dt_s[good]
        out.sigma_t_s[r] = imp.sigma_t_s[good]
        self._origins(track_ids[rows], mean, cov, t_fit, t_s)
        return out

    def _origins(
        self,
        ids: NDArray[np.int64],
        mean: FloatArray,
        cov: FloatArray,
        t_fit: FloatArray,
        t_s: float,
    ) -> None:
        due = np.array(
            [
                t_s - self.origins[int(t)].t_s >= self.origin_period_s
                if int(t) in self.origins
                else True
                for t in ids.tolist()
            ],
            dtype=bool,
        )
        if not due.any():
            return
        est: GroundEstimates = to_ground(
            mean[due], cov[due], self.site_alt_m, self.ground, backward=True
        )
        for j, tid in enumerate(ids[due].tolist()):
            if not (np.isfinite(est.point_m[j]).all() and np.isfinite(est.cov_en_m2[j]).all()):
                continue
            new = Origin(
                t_s=t_s,
                point_m=est.point_m[j],
                cov_en_m2=est.cov_en_m2[j],
                t_launch_s=float(t_fit[due][j] + est.dt_s[j]),
                sigma_t_launch_s=float(est.sigma_t_s[j]),
            )
            old = self.origins.get(int(tid))
            if old is None or np.linalg.det(new.cov_en_m2) <= np.linalg.det(old.cov_en_m2):
                self.origins[int(tid)] = new
                self.new_origins.append(int(tid))
            else:
                self.origins[int(tid)] = Origin(
                    t_s=t_s,
                    point_m=old.point_m,
                    cov_en_m2=old.cov_en_m2,
                    t_launch_s=old.t_launch_s,
                    sigma_t_launch_s=old.sigma_t_launch_s,
                )

    def forget(self, track_ids: NDArray[np.int64]) -> None:
        """Drop fits and origins of tracks that ended."""
        for tid in track_ids.tolist():
            self.fits.pop(int(tid), None)
            self.origins.pop(int(tid), None)


def _rk4_rows(
    p: FloatArray, v: FloatArray, k: FloatArray, site_alt_m: float, dt_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """One RK4 step of the point-mass model with a step size per row (s, (N,))."""
    h = dt_s[:, None]
    k1p, k1v = v, acceleration(p, v, k, site_alt_m)
    k2p, k2v = v + 0.5 * h * k1v, acceleration(p + 0.5 * h * k1p, v + 0.5 * h * k1v, k, site_alt_m)
    k3p, k3v = v + 0.5 * h * k2v, acceleration(p + 0.5 * h * k2p, v + 0.5 * h * k2v, k, site_alt_m)
    k4p, k4v = v + h * k3v, acceleration(p + h * k3p, v + h * k3v, k, site_alt_m)
    return (
        p + h / 6.0 * (k1p + 2 * k2p + 2 * k3p + k4p),
        v + h / 6.0 * (k1v + 2 * k2v + 2 * k3v + k4v),
    )
