"""Weapon-target assignment: which effectors engage which threats, to save the most asset value.

Problem (static WTA with capacities): threats i = 1..N threaten assets of value v_i; effector k kills
threat i with probability p_ik (0 where no feasible window); effector k can take at most c_k shots
(free channels, rounds left); a threat gets at most `max_shooters` effectors, each at most once.
Assigning x_ik in {0, 1} leaves threat i alive with probability S_i = prod_k (1 - p_ik)^x_ik.
Maximise the expected value saved, sum_i v_i (1 - S_i); the expected leakers are sum_i S_i.

Solvers:
- `solve_greedy`: maximum marginal return. Repeatedly take the shot with the largest gain
  v_i S_i p_ik among those still allowed, and update S_i; stop when no shot gains anything.
- `solve_optimal`: exact. With one shooter per threat (shoot-look-shoot) the objective is linear,
  sum v_i p_ik x_ik, and the problem is a transportation problem: `scipy.optimize.linear_sum_assignment`
  on the gain matrix with each effector's column repeated c_k times solves it exactly. With more
  shooters per threat the objective is not linear in x; it becomes linear over *groups*: one binary
  y_iG per threat and group G of at most `max_shooters` effectors with p_ik > 0, worth
  v_i (1 - prod_{k in G} (1 - p_ik)), with sum_G y_iG <= 1 per threat and sum_{i, G containing k} y_iG
  <= c_k per effector. That integer programme is solved by `scipy.optimize.milp` (HiGHS).

Why scipy and not OR-Tools: scipy is already a dependency and ships HiGHS, a first-rate MILP solver;
OR-Tools would add a large binary wheel and pins protobuf, which the interface codecs (SAPIENT, TAK)
also need at other versions. The group formulation is exact for the stated `max_shooters`; its size
grows as N * C(K, max_shooters), fine for the few shooters per threat a look allows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import csr_array

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WtaProblem:
    """`value` (N,) asset value at risk per threat, `pk` (N, K) kill probability (0: not feasible),
    `capacity` (K,) shots each effector can take, `max_shooters` effectors per threat."""

    value: FloatArray
    pk: FloatArray
    capacity: IntArray
    max_shooters: int = 1

    def __post_init__(self) -> None:
        n, k = self.pk.shape
        if self.value.shape != (n,) or self.capacity.shape != (k,):
            raise ValueError(
                f"WTA shapes disagree: value {self.value.shape}, pk {self.pk.shape}, "
                f"capacity {self.capacity.shape}"
            )
        if self.max_shooters < 1:
            raise ValueError("max_shooters must be at least 1")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class WtaResult:
    """`assign` (N, K) chosen shots, `survival` (N,) probability each threat survives them."""

    assign: BoolArray
    survival: FloatArray
    value_saved: float

    @property
    def expected_leakers(self) -> float:
        """Expected number of threats that survive the assigned shots."""
        return float(self.survival.sum())

    def pairs(self) -> list[tuple[int, int]]:
        """The assigned (threat, effector) pairs, threat-major."""
        rows, cols = np.nonzero(self.assign)
        return list(zip(rows.tolist(), cols.tolist(), strict=True))


def evaluate(problem: WtaProblem, assign: BoolArray) -> WtaResult:
    """Survival and value saved of an assignment."""
    survival = np.prod(np.where(assign, 1.0 - problem.pk, 1.0), axis=1)
    saved = float(np.sum(problem.value * (1.0 - survival)))
    return WtaResult(assign=assign, survival=survival, value_saved=saved)


def solve_greedy(problem: WtaProblem) -> WtaResult:
    """Maximum-marginal-return greedy assignment."""
    v, pk = problem.value, problem.pk
    n, k = pk.shape
    cap = problem.capacity.astype(np.int64).copy()
    assign = np.zeros((n, k), dtype=bool)
    shooters = np.zeros(n, dtype=np.int64)
    survival = np.ones(n)
    gain = v[:, None] * pk
    gain[:, cap <= 0] = 0.0
    while True:
        flat = int(np.argmax(gain)) if gain.size else 0
        if not gain.size or gain.flat[flat] <= 0.0:
            break
        i, j = divmod(flat, k)
        assign[i, j] = True
        survival[i] *= 1.0 - pk[i, j]
        shooters[i] += 1
        cap[j] -= 1
        gain[i] = v[i] * survival[i] * pk[i]
        gain[i, assign[i]] = 0.0
        gain[:, cap <= 0] = 0.0
        if shooters[i] >= problem.max_shooters:
            gain[i] = 0.0
    return evaluate(problem, assign)


def solve_optimal(problem: WtaProblem) -> WtaResult:
    """Exact assignment: linear_sum_assignment for one shooter per threat, else a MILP over groups."""
    if problem.max_shooters == 1:
        return _transport(problem)
    return _groups_milp(problem)


def _transport(problem: WtaProblem) -> WtaResult:
    v, pk = problem.value, problem.pk
    n, k = pk.shape
    gain = v[:, None] * pk
    useful = gain > 0.0
    cap = np.minimum(problem.capacity, useful.sum(axis=0))  # no more copies than takers
    cols = np.repeat(np.arange(k), np.maximum(cap, 0))
    assign = np.zeros((n, k), dtype=bool)
    rows_used = np.flatnonzero(useful.any(axis=1))
    if cols.size and rows_used.size:
        sub = gain[np.ix_(rows_used, cols)]
        r, c = linear_sum_assignment(sub, maximize=True)
        keep = sub[r, c] > 0.0
        assign[rows_used[r[keep]], cols[c[keep]]] = True
    return evaluate(problem, assign)


def _groups(pk_row: FloatArray, m: int) -> list[tuple[int, ...]]:
    able = np.flatnonzero(pk_row > 0.0).tolist()
    return [g for size in range(1, m + 1) for g in itertools.combinations(able, size)]


def _groups_milp(problem: WtaProblem) -> WtaResult:
    v, pk = problem.value, problem.pk
    n, k = pk.shape
    m = problem.max_shooters
    owner: list[int] = []
    rows: list[tuple[int, ...]] = []
    for i in range(n):
        if v[i] <= 0.0:
            continue
        for g in _groups(pk[i], m):
            owner.append(i)
            rows.append(g + (-1,) * (m - len(g)))
    assign = np.zeros((n, k), dtype=bool)
    if not rows:
        return evaluate(problem, assign)
    owner_a = np.array(owner, dtype=np.int64)
    members = np.array(rows, dtype=np.int64)  # (G, m), -1 pads groups smaller than m
    used = members >= 0
    miss = np.where(used, 1.0 - pk[owner_a[:, None], np.maximum(members, 0)], 1.0)
    worth = v[owner_a] * (1.0 - miss.prod(axis=1))
    n_var = owner_a.size
    col = np.arange(n_var)
    one_each = csr_array((np.ones(n_var), (owner_a, col)), shape=(n, n_var))
    eff_cols = np.broadcast_to(col[:, None], members.shape)[used]
    per_eff = csr_array((np.ones(eff_cols.size), (members[used], eff_cols)), shape=(k, n_var))
    res = milp(
        c=-worth,
        integrality=np.ones(n_var),
        bounds=Bounds(0.0, 1.0),
        constraints=[
            LinearConstraint(one_each, -np.inf, 1.0),
            LinearConstraint(per_eff, -np.inf, np.maximum(problem.capacity, 0).astype(float)),
        ],
        options={"mip_rel_gap": 0.0},  # proven optimal, not within HiGHS's default 0.01 %
    )
    if res.x is None:  # pragma: no cover - the empty assignment is always feasible
        raise RuntimeError(f"WTA MILP failed: {res.message}")
    chosen = np.flatnonzero(res.x > 0.5)
    pick = used[chosen]
    assign[np.broadcast_to(owner_a[chosen, None], pick.shape)[pick], members[chosen][pick]] = True
    return evaluate(problem, assign)
