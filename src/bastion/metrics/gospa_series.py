"""GOSPA over a run: one `bastion.metrics.gospa` score per time step, and their totals.

The time steps are the distinct times of the estimate and truth rows together (exact equality), as in
Stone Soup's `GOSPAMetric.compute_over_time` (`stonesoup.metricgenerator.ospametric`, switching
penalty 0): at each step GOSPA compares the estimates and truths that have a row at that time. Rows
are positions in one Cartesian frame (site ENU, m); the parameters are those of `gospa` (cut-off
`c_m` in metres, order p, alpha). The per-step GOSPA is an assignment problem (Hungarian, scipy), so
the loop runs over time steps, each step vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.metrics.gospa import gospa

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class GospaSeries:
    """GOSPA at each time step `times_s` (T,): `total` (m), `localisation`, `missed`, `false`
    (m^p, so total^p = localisation + missed + false at each step) and the counts `n_assigned`,
    `n_missed`, `n_false`."""

    times_s: FloatArray
    total: FloatArray
    localisation: FloatArray
    missed: FloatArray
    false: FloatArray
    n_assigned: IntArray
    n_missed: IntArray
    n_false: IntArray

    @property
    def mean_total_m(self) -> float:
        """Mean over time steps of the GOSPA distance (m); 0 for an empty run."""
        return float(self.total.mean()) if self.total.shape[0] else 0.0

    def mean_parts(self) -> tuple[float, float, float]:
        """Mean over time steps of (localisation, missed, false), m^p."""
        if not self.total.shape[0]:
            return 0.0, 0.0, 0.0
        return (
            float(self.localisation.mean()),
            float(self.missed.mean()),
            float(self.false.mean()),
        )

    def sum_parts(self) -> tuple[float, float, float]:
        """Sum over time steps of (localisation, missed, false), m^p."""
        return (float(self.localisation.sum()), float(self.missed.sum()), float(self.false.sum()))


def gospa_series(
    estimate_t_s: FloatArray,
    estimate_position_m: FloatArray,
    truth_t_s: FloatArray,
    truth_position_m: FloatArray,
    *,
    c_m: float,
    p: float = 1.0,
    alpha: float = 2.0,
) -> GospaSeries:
    """GOSPA per time step between estimate rows (`estimate_t_s` (K,) s, `estimate_position_m`
    (K, d) m) and truth rows (`truth_t_s` (L,), `truth_position_m` (L, d)); see the module docstring."""
    et = np.asarray(estimate_t_s, dtype=np.float64)
    ut = np.asarray(truth_t_s, dtype=np.float64)
    ep = np.asarray(estimate_position_m, dtype=np.float64)
    up = np.asarray(truth_position_m, dtype=np.float64)
    if ep.shape[0] != et.shape[0] or up.shape[0] != ut.shape[0]:
        raise ValueError("GOSPA series: one time per row is needed")
    times = np.unique(np.concatenate([et, ut]))
    n_t = times.shape[0]
    e_ord, u_ord = np.argsort(et, kind="stable"), np.argsort(ut, kind="stable")
    e_b = np.searchsorted(et[e_ord], times, side="left")
    e_e = np.searchsorted(et[e_ord], times, side="right")
    u_b = np.searchsorted(ut[u_ord], times, side="left")
    u_e = np.searchsorted(ut[u_ord], times, side="right")
    vals = np.zeros((n_t, 4))
    counts = np.zeros((n_t, 3), dtype=np.int64)
    dim = ep.shape[1] if ep.ndim == 2 else up.shape[1]
    for k in range(n_t):
        est = ep[e_ord[e_b[k] : e_e[k]]].reshape(-1, dim)
        tru = up[u_ord[u_b[k] : u_e[k]]].reshape(-1, dim)
        g = gospa(est, tru, c_m=c_m, p=p, alpha=alpha)
        vals[k] = (g.total, g.localisation, g.missed, g.false)
        counts[k] = (g.n_assigned, g.n_missed, g.n_false)
    return GospaSeries(
        times_s=times,
        total=vals[:, 0].copy(),
        localisation=vals[:, 1].copy(),
        missed=vals[:, 2].copy(),
        false=vals[:, 3].copy(),
        n_assigned=counts[:, 0].copy(),
        n_missed=counts[:, 1].copy(),
        n_false=counts[:, 2].copy(),
    )
