"""SIAP and GOSPA from published track reports against a TruthHistory."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.core.records import TrackReport
from bastion.core.truth import TruthHistory
from bastion.metrics.reports import (
    gospa_from_reports,
    siap_from_reports,
    track_rows_on_grid,
    truth_rows,
)


def _truth() -> TruthHistory:
    # Two objects flying east at 100 m/s, 5 km apart; object 1 exists from t = 3 s on. 1 s grid.
    t = np.arange(11, dtype=np.float64)
    pos = np.full((11, 2, 3), np.nan)
    vel = np.full((11, 2, 3), np.nan)
    for j in range(2):
        pos[:, j] = np.stack([t * 100.0, np.full(11, 5_000.0 * j), np.full(11, 1_000.0)], axis=1)
        vel[:, j] = [100.0, 0.0, 0.0]
    pos[:3, 1] = vel[:3, 1] = np.nan
    return TruthHistory(
        t_s=t,
        position_m=pos,
        velocity_mps=vel,
        names=("a", "b"),
        kinds=("drone", "drone"),
        hostile=(True, True),
    )


def _report(tid: int, t_s: float, y_m: float, dx_m: float = 0.0) -> TrackReport:
    return TrackReport(
        track_id=tid,
        t_s=t_s,
        position_m=(t_s * 100.0 + dx_m, y_m, 1_000.0),
        velocity_mps=(100.0, 0.0, 0.0),
        position_sigma_m=10.0,
        n_updates=5,
    )


def test_reports_are_carried_to_the_grid() -> None:
    # Reports every 2 s at half-seconds: each is carried to the next two grid samples.
    reports = [_report(7, t, 0.0, dx_m=5.0) for t in np.arange(0.5, 10.0, 2.0)]
    rows = track_rows_on_grid(reports, _truth().t_s, max_age_s=2.0)
    np.testing.assert_array_equal(rows.t_s, np.arange(1.0, 11.0))
    np.testing.assert_allclose(rows.position_m[:, 0], np.arange(1.0, 11.0) * 100.0 + 5.0)
    # Too old: a single report is dropped after max_age_s.
    one = track_rows_on_grid([_report(7, 0.0, 0.0)], _truth().t_s, max_age_s=1.5)
    np.testing.assert_array_equal(one.t_s, [0.0, 1.0])


def test_truth_rows_skip_objects_that_do_not_exist() -> None:
    rows = truth_rows(_truth())
    assert rows.n == 11 + 8
    assert set(rows.t_s[rows.object_id == 1].tolist()) == set(range(3, 11))


def test_siap_and_gospa_from_reports() -> None:
    # Object 0 tracked all along (5 m off); object 1 never tracked; one spurious track far away.
    reports = [_report(1, float(t), 0.0, dx_m=5.0) for t in range(11)]
    reports += [_report(2, float(t), 40_000.0) for t in range(11)]
    s = siap_from_reports(reports, _truth(), threshold_m=50.0)
    assert s.completeness == pytest.approx(11 / 19)
    assert s.ambiguity == 1.0
    assert s.spuriousness == pytest.approx(0.5)
    assert s.position_accuracy_m == pytest.approx(5.0)
    assert s.velocity_accuracy_mps == pytest.approx(0.0)
    g = gospa_from_reports(reports, _truth(), c_m=100.0)
    # Per sample: 5 m localisation, one false track (50), and object 1 missed (50) from t = 3 s.
    np.testing.assert_allclose(g.localisation, 5.0)
    np.testing.assert_allclose(g.false, 50.0)
    np.testing.assert_allclose(g.missed, np.where(np.arange(11) >= 3, 50.0, 0.0))
