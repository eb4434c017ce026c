"""GOSPA: known values, and an oracle comparison with Stone Soup's GOSPAMetric."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bastion.metrics import Gospa, gospa


def test_identical_sets_score_zero() -> None:
    pts = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0]])
    assert gospa(pts, pts, c_m=10.0) == Gospa(
        total=0.0, localisation=0.0, missed=0.0, false=0.0, n_assigned=2, n_missed=0, n_false=0
    )


def test_hand_computed_decomposition() -> None:
    # One truth matched at 3 m, one truth missed, two false tracks (one beyond the cut-off of a truth).
    truths = np.array([[0.0, 0.0], [1_000.0, 0.0]])
    tracks = np.array([[3.0, 0.0], [500.0, 0.0], [-500.0, 0.0]])
    g = gospa(tracks, truths, c_m=10.0, p=2.0)
    assert g.localisation == pytest.approx(9.0)
    assert g.missed == pytest.approx(100.0 / 2)
    assert g.false == pytest.approx(2 * 100.0 / 2)
    assert (g.n_assigned, g.n_missed, g.n_false) == (1, 1, 2)
    assert g.total == pytest.approx(np.sqrt(9.0 + 50.0 + 100.0))


def test_empty_sets() -> None:
    pts = np.array([[1.0, 2.0, 3.0]] * 3)
    assert gospa(np.zeros((0, 3)), pts, c_m=20.0).total == pytest.approx(30.0)
    assert gospa(pts, np.zeros((0, 3)), c_m=20.0).false == pytest.approx(30.0)
    assert gospa(np.zeros((0, 3)), np.zeros((0, 3)), c_m=20.0).total == 0.0


def test_pair_at_cutoff_counts_as_missed_and_false() -> None:
    g = gospa(np.array([[0.0, 0.0]]), np.array([[20.0, 0.0]]), c_m=20.0)
    assert (g.n_assigned, g.n_missed, g.n_false) == (0, 1, 1)
    assert g.total == pytest.approx(20.0)


def test_bad_arguments() -> None:
    pts = np.zeros((1, 3))
    with pytest.raises(ValueError, match="cut-off"):
        gospa(pts, pts, c_m=0.0)
    with pytest.raises(ValueError, match="order"):
        gospa(pts, pts, c_m=1.0, p=0.5)
    with pytest.raises(ValueError, match="alpha"):
        gospa(pts, pts, c_m=1.0, alpha=3.0)
    with pytest.raises(ValueError, match="dimension"):
        gospa(pts, np.zeros((1, 2)), c_m=1.0)


@pytest.mark.oracle
@pytest.mark.parametrize("seed", range(40))
def test_matches_stonesoup_gospa(seed: int) -> None:
    from stonesoup.metricgenerator.ospametric import GOSPAMetric
    from stonesoup.types.array import StateVector
    from stonesoup.types.state import State

    rng = np.random.default_rng(seed)
    dim = int(rng.integers(1, 4))
    nx, ny = int(rng.integers(0, 12)), int(rng.integers(0, 12))
    if nx + ny == 0:
        ny = 1
    spread = rng.choice([20.0, 100.0, 500.0])
    tracks = rng.uniform(-spread, spread, (nx, dim))
    truths = rng.uniform(-spread, spread, (ny, dim))
    c = float(rng.choice([10.0, 50.0, 100.0]))
    p = float(rng.choice([1.0, 2.0, 3.0]))

    t = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    metric = GOSPAMetric(c=c, p=p)
    ref, _ = metric.compute_gospa_metric(
        [State(StateVector(x), timestamp=t) for x in tracks],
        [State(StateVector(y), timestamp=t) for y in truths],
    )
    ours = gospa(tracks, truths, c_m=c, p=p)
    assert ours.total == pytest.approx(ref.value["distance"], rel=1e-9, abs=1e-9)
    assert ours.localisation == pytest.approx(ref.value["localisation"], rel=1e-9, abs=1e-9)
    assert ours.missed == pytest.approx(ref.value["missed"], rel=1e-9, abs=1e-9)
    assert ours.false == pytest.approx(ref.value["false"], rel=1e-9, abs=1e-9)
