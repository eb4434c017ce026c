"""GOSPA over a run (`gospa_series`) against Stone Soup's GOSPAMetric run through its MultiManager on
the same tracks and truths, step by step and in total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from bastion.metrics import StateRows, gospa_series

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

CASES = [("scripted", s, c, p) for s, c, p in [(0, 100.0, 1.0), (1, 50.0, 2.0), (2, 20.0, 1.0)]] + [
    ("swarm", s, c, p) for s, c, p in [(0, 30.0, 1.0), (1, 10.0, 2.0)]
]


@pytest.mark.oracle
@pytest.mark.parametrize(("kind", "seed", "c_m", "p"), CASES)
def test_gospa_series_matches_stonesoup(
    kind: str,
    seed: int,
    c_m: float,
    p: float,
    make_run: Callable[[str, int], tuple[StateRows, StateRows]],
    stonesoup_objects: Callable[..., tuple[dict[int, Any], dict[int, Any]]],
) -> None:
    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.manager import MultiManager
    from stonesoup.metricgenerator.ospametric import GOSPAMetric

    tracks, truths = make_run(kind, seed)
    ss_tracks, ss_truths = stonesoup_objects(tracks, truths)
    manager = MultiManager([GOSPAMetric(c=c_m, p=p, measure=Euclidean(mapping=(0, 2, 4)))])
    manager.add_data(
        {"tracks": set(ss_tracks.values()), "groundtruth_paths": set(ss_truths.values())}
    )
    ref = manager.generate_metrics()["gospa_generator"]["GOSPA Metrics"].value

    ours = gospa_series(tracks.t_s, tracks.position_m, truths.t_s, truths.position_m, c_m=c_m, p=p)
    np.testing.assert_array_equal(
        ours.times_s, [(m.timestamp - EPOCH).total_seconds() for m in ref]
    )
    for key, arr in [
        ("distance", ours.total),
        ("localisation", ours.localisation),
        ("missed", ours.missed),
        ("false", ours.false),
    ]:
        np.testing.assert_allclose(arr, [m.value[key] for m in ref], rtol=1e-9, atol=1e-9)
    assert ours.mean_total_m == pytest.approx(
        np.mean([m.value["distance"] for m in ref]), rel=1e-12
    )
    # Not a trivial run: every part of GOSPA is present.
    assert min(ours.sum_parts()) > 0.0


def test_series_decomposition_and_empty_steps() -> None:
    # Step 0: one track 3 m off one truth; step 1: truth only; step 2: track only.
    et = np.array([0.0, 2.0])
    ep = np.array([[3.0, 0.0, 0.0], [50.0, 0.0, 0.0]])
    ut = np.array([0.0, 1.0])
    up = np.zeros((2, 3))
    s = gospa_series(et, ep, ut, up, c_m=10.0, p=2.0)
    np.testing.assert_array_equal(s.times_s, [0.0, 1.0, 2.0])
    np.testing.assert_allclose(s.localisation, [9.0, 0.0, 0.0])
    np.testing.assert_allclose(s.missed, [0.0, 50.0, 0.0])
    np.testing.assert_allclose(s.false, [0.0, 0.0, 50.0])
    np.testing.assert_allclose(s.total**2, s.localisation + s.missed + s.false)
    np.testing.assert_array_equal(s.n_assigned, [1, 0, 0])
    assert s.mean_parts() == pytest.approx((3.0, 50.0 / 3, 50.0 / 3))
    empty = gospa_series(np.zeros(0), np.zeros((0, 3)), np.zeros(0), np.zeros((0, 3)), c_m=1.0)
    assert empty.mean_total_m == 0.0 and empty.times_s.shape == (0,)
