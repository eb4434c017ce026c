"""Sequential track score (LLR): increments, SPRT thresholds, confirmation and deletion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.tracking.score import (
    ScoreParams,
    accumulate_score,
    initial_score,
    judge_score,
    score_increment,
    update_score,
)

# Sigma ~ 30 m per axis: |S| = (900 m^2)^3.
LOG_DET_S = 3.0 * math.log(900.0)
PARAMS = ScoreParams(
    pd=0.9,
    false_alarm_density_per_m3=1e-9,
    new_target_density_per_m3=1e-10,
    alpha=1e-5,
    beta=1e-3,
    delete_drop=6.0,
)


def test_sprt_thresholds_follow_wald() -> None:
    p = ScoreParams(
        pd=0.8,
        false_alarm_density_per_m3=1e-8,
        new_target_density_per_m3=1e-9,
        alpha=0.01,
        beta=0.05,
    )
    assert p.confirm_threshold == pytest.approx(math.log(0.95 / 0.01), rel=1e-15)
    assert p.delete_threshold == pytest.approx(math.log(0.05 / 0.99), rel=1e-15)


def test_increments_match_blackman_popoli() -> None:
    hit = np.array([True, False, True])
    d2 = np.array([2.0, np.nan, 9.0])
    ld = np.array([LOG_DET_S, np.nan, LOG_DET_S + 1.0])
    inc = score_increment(hit, d2, ld, PARAMS)
    expect_hit = [
        math.log(0.9 / 1e-9) - dd / 2 - 0.5 * (3 * math.log(2 * math.pi) + l_)
        for dd, l_ in [(2.0, LOG_DET_S), (9.0, LOG_DET_S + 1.0)]
    ]
    np.testing.assert_allclose(inc[[0, 2]], expect_hit, rtol=1e-14)
    assert inc[1] == pytest.approx(math.log(0.1), rel=1e-14)
    gated = ScoreParams(
        pd=0.9, false_alarm_density_per_m3=1e-9, new_target_density_per_m3=1e-10, pg=0.99
    )
    miss = score_increment(np.array([False]), np.array([0.0]), np.array([0.0]), gated)
    assert miss[0] == pytest.approx(math.log(1 - 0.9 * 0.99), rel=1e-14)
    np.testing.assert_allclose(initial_score(2, PARAMS), math.log(0.1))


def _run(hits: list[bool], d2: float = 1.0) -> tuple[list[bool], list[bool], list[float]]:
    s = initial_score(1, PARAMS)
    m = s.copy()
    confirmed = np.zeros(1, dtype=bool)
    confs, deads, scores = [], [], []
    for h in hits:
        s, m = update_score(s, m, np.array([h]), np.array([d2]), np.array([LOG_DET_S]), PARAMS)
        c, d = judge_score(s, m, confirmed, PARAMS)
        confirmed |= c
        confs.append(bool(c[0]))
        deads.append(bool(d[0]))
        scores.append(float(s[0]))
        if d[0]:
            break
    return confs, deads, scores


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.floats(0.0, 3.0), min_size=8, max_size=8))
def test_track_hit_every_scan_with_small_d2_confirms(d2s: list[float]) -> None:
    s = initial_score(1, PARAMS)
    m = s.copy()
    confirmed = np.zeros(1, dtype=bool)
    for d2 in d2s:
        s, m = update_score(s, m, np.array([True]), np.array([d2]), np.array([LOG_DET_S]), PARAMS)
        c, d = judge_score(s, m, confirmed, PARAMS)
        assert not d[0]
        confirmed |= c
    # Each such hit adds at least ln(0.9e9) - 1.5 - 0.5 (3 ln 2pi + ln 900^3) ~ 6.3 > 0.
    assert confirmed[0]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 30), st.floats(0.0, 3.0))
def test_confirmed_track_missed_repeatedly_is_deleted(n_hits: int, d2: float) -> None:
    confs, deads, _ = _run([True] * (n_hits + 3) + [False] * 40, d2)
    assert any(confs), "three good hits confirm"
    assert deads[-1], "a run of misses deletes"
    # Deleted no later than ceil(delete_drop / -ln(1 - pd)) + 1 misses after the last hit.
    n_miss = len(deads) - (n_hits + 3)
    assert n_miss <= math.ceil(6.0 / -math.log(0.1)) + 1


def test_tentative_track_missed_is_deleted_at_sprt_lower_threshold() -> None:
    confs, deads, scores = _run([False] * 10)
    assert not any(confs) and deads[-1]
    assert scores[-1] <= PARAMS.delete_threshold < scores[-2]


def test_judge_vectorised_rows() -> None:
    score = np.array([20.0, -8.0, 30.0, 30.0, 0.0])
    max_score = np.array([20.0, 0.0, 40.0, 33.0, 0.0])
    confirmed = np.array([False, False, True, True, False])
    c, d = judge_score(score, max_score, confirmed, PARAMS)
    np.testing.assert_array_equal(c, [True, False, False, False, False])
    np.testing.assert_array_equal(d, [False, True, True, False, False])


def test_params_are_validated() -> None:
    with pytest.raises(ValueError, match="alpha"):
        ScoreParams(
            pd=0.9,
            false_alarm_density_per_m3=1e-9,
            new_target_density_per_m3=1e-9,
            alpha=0.6,
            beta=0.5,
        )


def test_accumulate_score_adds_and_tracks_the_maximum() -> None:
    s, m = accumulate_score(np.array([1.0, 5.0]), np.array([4.0, 5.0]), np.array([2.0, -1.0]))
    np.testing.assert_array_equal(s, [3.0, 4.0])
    np.testing.assert_array_equal(m, [4.0, 5.0])
