"""GOSPA: the generalised optimal sub-pattern assignment metric between two sets of points.

For estimated points X (|X| = nx) and true points Y (|Y| = ny), cut-off c > 0, order 1 <= p < inf and
0 < alpha <= 2 (Rahmathullah, Garcia-Fernandez, Svensson, "Generalized optimal sub-pattern assignment
metric", FUSION 2017, eq. 1):

    d(X, Y) = ( min over assignments gamma of
                sum_{(i, j) in gamma} d(x_i, y_j)^p + c^p / alpha * (nx + ny - 2 |gamma|) )^(1/p)

with d the Euclidean distance cut at c. For alpha = 2 the optimum never keeps a pair at distance >= c
(it costs c^p, the same as leaving both points unassigned), and the metric splits into (paper, eq. 2)

    d(X, Y)^p = localisation + missed + false
    localisation = sum of d^p over assigned pairs,  missed = c^p / 2 * (unassigned truths),
    false = c^p / 2 * (unassigned estimates)

The components are reported like Stone Soup's `GOSPAMetric` (`stonesoup.metricgenerator.ospametric`):
`localisation`, `missed` and `false` in units of metres^p (not raised to 1/p), `total` = d(X, Y) in
metres. For alpha < 2 pairs at the cut-off stay assigned and count c^p into `localisation`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Gospa:
    """A GOSPA score and its decomposition (see the module docstring).

    `total` is in metres; `localisation`, `missed` and `false` in metres^p, so that
    total^p = localisation + missed + false. `n_assigned`, `n_missed`, `n_false` count the assigned
    pairs, unassigned truths and unassigned estimates.
    """

    total: float
    localisation: float
    missed: float
    false: float
    n_assigned: int
    n_missed: int
    n_false: int


def _points(a: FloatArray, name: str) -> FloatArray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.size == 0:
        return np.zeros((0, arr.shape[-1] if arr.ndim == 2 else 0), dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"GOSPA {name} must have shape (n, d), got {arr.shape}")
    return arr


def gospa(
    estimates_m: FloatArray,
    truths_m: FloatArray,
    *,
    c_m: float,
    p: float = 1.0,
    alpha: float = 2.0,
) -> Gospa:
    """GOSPA between estimated positions `estimates_m` (nx, d) and true positions `truths_m` (ny, d),
    any common frame, metres; cut-off `c_m` in metres, order `p`, `alpha` in (0, 2]."""
    if not c_m > 0:
        raise ValueError(f"GOSPA cut-off c_m must be > 0, got {c_m}")
    if not 1.0 <= p < np.inf:
        raise ValueError(f"GOSPA order p must be in [1, inf), got {p}")
    if not 0.0 < alpha <= 2.0:
        raise ValueError(f"GOSPA alpha must be in (0, 2], got {alpha}")
    x = _points(estimates_m, "estimates_m")
    y = _points(truths_m, "truths_m")
    nx, ny = x.shape[0], y.shape[0]
    unassigned_cost = c_m**p / alpha
    localisation = 0.0
    n_assigned = 0
    if nx and ny:
        if x.shape[1] != y.shape[1]:
            raise ValueError(f"GOSPA points differ in dimension: {x.shape[1]} vs {y.shape[1]}")
        cost = np.minimum(cdist(x, y), c_m) ** p
        rows, cols = linear_sum_assignment(cost)
        pair_cost = cost[rows, cols]
        keep = pair_cost < c_m**p if alpha == 2.0 else np.ones(pair_cost.shape[0], dtype=bool)
        localisation = float(pair_cost[keep].sum())
        n_assigned = int(np.count_nonzero(keep))
    n_false = nx - n_assigned
    n_missed = ny - n_assigned
    missed = unassigned_cost * n_missed
    false = unassigned_cost * n_false
    total = (localisation + missed + false) ** (1.0 / p)
    return Gospa(
        total=float(total),
        localisation=localisation,
        missed=float(missed),
        false=float(false),
        n_assigned=n_assigned,
        n_missed=n_missed,
        n_false=n_false,
    )
