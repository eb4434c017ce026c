"""Scoring a warning rule on a hand-made trace: first warnings with a hold, the figures, the
first-prediction ceiling, the calibration table and the covariance consistency check."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bastion.core.params import ThreatParams
from bastion.evals.warn_tune import (
    Trace,
    consistency,
    first_prediction_ceiling,
    first_warnings,
    reliability,
    score,
    thresholds,
)


def _trace() -> tuple[Trace, np.ndarray]:
    # Round 0 (track 7): flies 0-10 s, hits zone 0. Round 1 (track 9): 0-20 s, hits nothing.
    t = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 21.0])
    rnd = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1])
    tid = np.array([7, 7, 7, 7, 9, 9, 9, 9, 9])
    p = np.zeros((9, 2))
    p[:4, 0] = [0.1, 0.3, 0.35, 0.9]  # zone 0 rises on round 0
    p[4:8, 1] = [0.3, 0.1, 0.3, 0.3]  # zone 1 flickers on round 1
    p[8, 1] = 1.0  # after round 1's impact: never counts
    n = t.size
    tr = Trace(
        t_s=t,
        round_idx=rnd,
        track_id=tid,
        mean_en_m=np.where((rnd == 0)[:, None], [1.0, 0.0], [0.0, 0.0]),
        cov_en_m2=np.repeat(np.eye(2)[None], n, axis=0),
        t_impact_s=np.where(rnd == 0, 10.0, 20.0),
        born_t_s=np.zeros(n),
        impact_t_s=np.array([10.0, 20.0]),
        first_det_t_s=np.array([0.0, 0.0]),
        impact_en_m=np.array([[0.0, 0.0], [0.0, 2.0]]),
        at_risk=np.array([[True, False], [False, False]]),
    )
    return tr, p


def test_first_warnings_with_and_without_a_hold() -> None:
    tr, p = _trace()
    now = first_warnings(tr, p, 0.25, 0.0)
    assert now[0, 0] == 1.5 and now[1, 1] == 3.0 and math.isinf(now[0, 1])
    held = first_warnings(tr, p, 0.25, 0.5)
    assert held[0, 0] == 2.0  # above since 1.5 s
    assert held[1, 1] == 6.0  # the run restarted at 5 s after the dip at 4 s
    s = score(tr, held)
    assert s.recall == 1.0 and s.zones_warned == 2 and s.precision == 0.5
    assert s.ratio_median == pytest.approx((10.0 - 2.0) / 10.0)
    assert s.early_share == 0.0  # its one pair at risk warned at 0.8 of the flight, not 0.9
    assert score(tr, now).early_share == 0.0  # warned at 1.5 s: 0.85
    assert score(tr, first_warnings(tr, p, 0.05, 0.0)).early_share == 1.0  # at 1 s: 0.9


def test_two_stage_thresholds_by_the_share_of_the_flight() -> None:
    tr, p = _trace()
    # Round 0 flies 0-10 s: its row at 1 s is in the first 12% of its flight, those at 1.5-2.5 s
    # after it; round 1 (0-20 s) rows at 3-6 s are all after 12%.
    flat = ThreatParams(warn_probability_first=0.25, warn_probability=0.25, warn_hold_s=0.0)
    thr = thresholds(tr, replace(flat, warn_probability_late=0.5, warn_late_fraction=0.12))
    assert thr[:4].tolist() == [0.25, 0.5, 0.5, 0.5]
    first = first_warnings(tr, p, thr, 0.0)
    assert first[0, 0] == 2.5  # 0.3 and 0.35 come late, below 0.5; 0.9 reaches it
    assert math.isinf(first[1, 1])  # round 1's 0.3s come late, below 0.5: not warned
    s = score(tr, first)
    assert s.recall == 1.0 and s.precision == 1.0 and s.zones_warned == 1
    one = replace(flat, warn_probability_late=0.25, warn_late_fraction=0.0)
    one_stage = first_warnings(tr, p, thresholds(tr, one), 0.0)
    np.testing.assert_array_equal(one_stage, first_warnings(tr, p, 0.25, 0.0))


def test_ceiling_and_calibration() -> None:
    tr, p = _trace()
    ceiling, late = first_prediction_ceiling(tr)
    assert ceiling == pytest.approx(0.9) and late == 0.0  # first prediction at 1 s of a 10 s flight
    rows = reliability(tr, p, (0.2, 0.5, 1.01))
    lo_bin, hi_bin = rows
    assert lo_bin[2] == 5 and lo_bin[4] == pytest.approx(2 / 5)  # 0.3, 0.35 at risk; 3 x 0.3 not
    assert hi_bin[2] == 1 and hi_bin[4] == 1.0  # the 0.9 on round 0 (1.0 comes after impact)


def test_consistency_of_the_impact_covariance_by_age() -> None:
    tr, _ = _trace()
    # Round 0's predictions (1-2.5 s after detection) miss by 1 sigma, round 1's (3-6 s) by 2;
    # the prediction after round 1's impact does not count.
    early, late = consistency(tr, (0.0, 3.0, 30.0))
    assert early[:3] == (0.0, 3.0, 4) and early[3] == early[4] == pytest.approx(1.0)
    assert late[2] == 4 and late[3] == late[4] == pytest.approx(4.0)
    assert early[5] == late[5] == pytest.approx(1.0)  # unit covariance: 1 m spread
