"""Weapon-target assignment: the optimal solver is exact (brute force on small problems), never worse
than greedy, and both respect capacities, shooter limits and infeasible pairs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bastion.engage.wta import WtaProblem, evaluate, solve_greedy, solve_optimal


def _random_problem(rng: np.random.Generator, m: int) -> WtaProblem:
    n, k = int(rng.integers(1, 7)), int(rng.integers(1, 4))
    pk = rng.uniform(0.05, 0.95, (n, k)) * (rng.random((n, k)) < 0.7)
    return WtaProblem(
        value=rng.choice([1.0, 2.0, 3.0], n),
        pk=pk,
        capacity=rng.integers(0, 4, k),
        max_shooters=m,
    )


def _brute_force(p: WtaProblem) -> float:
    """Best value saved over every assignment that respects the constraints."""
    n, k = p.pk.shape
    best = 0.0
    for bits in itertools.product((False, True), repeat=n * k):
        x = np.array(bits).reshape(n, k)
        if (x & (p.pk <= 0.0)).any() or (x.sum(0) > p.capacity).any():
            continue
        if (x.sum(1) > p.max_shooters).any():
            continue
        best = max(best, evaluate(p, x).value_saved)
    return best


@pytest.mark.parametrize("m", [1, 2])
def test_optimal_matches_brute_force_on_small_problems(m: int) -> None:
    rng = np.random.default_rng(11 + m)
    for _ in range(60):
        p = _random_problem(rng, m)
        if p.pk.size > 12:
            continue
        assert solve_optimal(p).value_saved == pytest.approx(_brute_force(p), abs=1e-9)


def test_optimal_never_worse_than_greedy_and_both_feasible() -> None:
    rng = np.random.default_rng(5)
    strictly_better = 0
    for _ in range(150):
        n, k = int(rng.integers(5, 40)), int(rng.integers(2, 8))
        m = int(rng.integers(1, 3))
        pk = rng.uniform(0.1, 0.9, (n, k)) * (rng.random((n, k)) < 0.6)
        p = WtaProblem(
            value=rng.choice([1.0, 2.0, 3.0], n),
            pk=pk,
            capacity=rng.integers(0, 6, k),
            max_shooters=m,
        )
        g, o = solve_greedy(p), solve_optimal(p)
        assert o.value_saved >= g.value_saved - 1e-9
        strictly_better += o.value_saved > g.value_saved + 1e-9
        for r in (g, o):
            assert (r.assign.sum(axis=0) <= p.capacity).all()
            assert (r.assign.sum(axis=1) <= m).all()
            assert not (r.assign & (pk <= 0.0)).any()
    # The comparison has teeth: greedy is beaten on a fair share of these problems.
    assert strictly_better >= 10


def test_greedy_is_myopic_where_optimal_is_not() -> None:
    # One effector is the only one able to reach threat 1; greedy spends it on threat 0 first.
    pk = np.array([[0.9, 0.8], [0.85, 0.0]])
    p = WtaProblem(value=np.ones(2), pk=pk, capacity=np.array([1, 1]))
    g, o = solve_greedy(p), solve_optimal(p)
    assert g.pairs() == [(0, 0)]
    assert o.pairs() == [(0, 1), (1, 0)]
    assert o.expected_leakers == pytest.approx(0.2 + 0.15)


def test_survival_and_expected_leakers() -> None:
    p = WtaProblem(
        value=np.array([2.0, 1.0]),
        pk=np.array([[0.5, 0.5], [0.4, 0.0]]),
        capacity=np.array([2, 1]),
        max_shooters=2,
    )
    r = solve_optimal(p)
    assert r.assign.tolist() == [[True, True], [True, False]]
    assert r.survival.tolist() == pytest.approx([0.25, 0.6])
    assert r.expected_leakers == pytest.approx(0.85)
    assert r.value_saved == pytest.approx(2.0 * 0.75 + 0.4)


def test_nothing_to_assign() -> None:
    empty = WtaProblem(value=np.zeros(0), pk=np.zeros((0, 3)), capacity=np.array([1, 1, 1]))
    assert solve_optimal(empty).assign.shape == (0, 3)
    assert solve_greedy(empty).expected_leakers == 0.0
    none = WtaProblem(
        value=np.ones(2), pk=np.zeros((2, 2)), capacity=np.array([3, 3]), max_shooters=2
    )
    assert not solve_optimal(none).assign.any() and not solve_greedy(none).assign.any()


def test_bad_problem_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="shapes"):
        WtaProblem(value=np.ones(3), pk=np.ones((2, 2)), capacity=np.ones(2, dtype=np.int64))
    with pytest.raises(ValueError, match="max_shooters"):
        WtaProblem(
            value=np.ones(2),
            pk=np.ones((2, 2)),
            capacity=np.ones(2, dtype=np.int64),
            max_shooters=0,
        )
