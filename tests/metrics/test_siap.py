"""SIAP and the track-to-truth association on hand-made runs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.metrics import NO_LABEL, StateRows, associate_tracks_to_truth, score_siap, siap
from bastion.metrics.track_truth import TrackTruthAssociation


def _rows(
    t: list[float] | np.ndarray, ids: list[int] | np.ndarray, x_m: list[float] | np.ndarray
) -> StateRows:
    """Rows on the x axis (y = z = 0), velocity 10 m/s along x, label = id."""
    n = len(t)
    pos = np.zeros((n, 3))
    pos[:, 0] = x_m
    vel = np.zeros((n, 3))
    vel[:, 0] = 10.0
    return StateRows(
        t_s=np.asarray(t, dtype=np.float64),
        object_id=np.asarray(ids, dtype=np.int64),
        position_m=pos,
        velocity_mps=vel,
        label=np.asarray(ids, dtype=np.int64),
    )


def _perfect(n_steps: int = 10) -> tuple[StateRows, StateRows]:
    t = np.repeat(np.arange(n_steps, dtype=np.float64), 3)
    ids = np.tile([0, 1, 2], n_steps)
    x = ids * 1_000.0 + t * 10.0
    truths = _rows(t, ids, x)
    tracks = _rows(t, ids + 100, x + 1.0)
    lab = np.asarray(tracks.label) - 100
    return StateRows(
        t_s=tracks.t_s,
        object_id=tracks.object_id,
        position_m=tracks.position_m,
        velocity_mps=tracks.velocity_mps,
        label=lab,
    ), truths


def test_perfect_tracking() -> None:
    tracks, truths = _perfect()
    s, assoc = score_siap(tracks, truths, threshold_m=10.0)
    assert assoc.n == 3
    np.testing.assert_array_equal(assoc.start_t_s, 0.0)  # back-dated to the first step
    np.testing.assert_array_equal(assoc.end_t_s, 9.0)
    assert (s.completeness, s.ambiguity, s.spuriousness) == (1.0, 1.0, 0.0)
    assert s.track_number_changes == 0 and s.track_number_change_rate_per_s == 0.0
    assert s.longest_track_segment == 1.0
    assert s.position_accuracy_m == pytest.approx(1.0)
    assert s.velocity_accuracy_mps == pytest.approx(0.0)
    assert (s.id_completeness, s.id_correctness, s.id_ambiguity) == (1.0, 1.0, 0.0)


def test_no_tracks() -> None:
    _, truths = _perfect()
    empty = StateRows(
        t_s=np.zeros(0), object_id=np.zeros(0, dtype=np.int64), position_m=np.zeros((0, 3))
    )
    s, assoc = score_siap(empty, truths, threshold_m=10.0)
    assert assoc.n == 0
    assert (s.completeness, s.ambiguity, s.spuriousness) == (0.0, 1.0, 0.0)
    assert s.longest_track_segment == 0.0
    assert np.isnan(s.velocity_accuracy_mps) and np.isnan(s.id_correctness)


def test_needs_three_steps_to_start_and_two_misses_to_end() -> None:
    # Truth 0 at x = 0 for 10 steps; the track is on it except at steps 4 (one miss: kept) and
    # 7, 8 (two misses: ended at step 6); it comes back at step 9 only (too short to restart).
    t = np.arange(10.0)
    truths = _rows(t, np.zeros(10, dtype=np.int64), np.zeros(10))
    off = np.zeros(10)
    off[[4, 7, 8]] = 500.0
    tracks = _rows(t, np.full(10, 7), off)
    a = associate_tracks_to_truth(tracks, truths, threshold_m=50.0)
    assert (a.n, a.track_id[0], a.truth_id[0], a.start_t_s[0], a.end_t_s[0]) == (1, 7, 0, 0.0, 6.0)
    s = siap(tracks, truths, a)
    # Associated at steps 0..6: JT = 7 of J = 10; the track is unassociated at 7, 8, 9.
    assert s.completeness == pytest.approx(0.7)
    assert s.spuriousness == pytest.approx(0.3)
    # PA over the associated steps includes the one-step miss at step 4 (500 m).
    assert s.position_accuracy_m == pytest.approx(500.0 / 7)
    assert s.longest_track_segment == pytest.approx(6.0 / 9.0)


def test_hand_over_counts_one_track_number_change() -> None:
    # Track 1 on truth 0 for steps 0..9, track 2 from step 10 to 19.
    t = np.arange(20.0)
    truths = _rows(t, np.zeros(20, dtype=np.int64), t * 10.0)
    tracks = _rows(t, np.where(t < 10, 1, 2), t * 10.0 + 2.0)
    s, a = score_siap(tracks, truths, threshold_m=10.0)
    assert a.n == 2
    assert s.completeness == 1.0 and s.ambiguity == 1.0
    assert s.track_number_changes == 1
    # Covered time: 0..9 and 10..19, but not the gap 9 -> 10, which no one association spans.
    assert s.track_number_change_rate_per_s == pytest.approx(1.0 / 18.0)
    assert s.longest_track_segment == pytest.approx(9.0 / 19.0)


def test_wrong_and_missing_labels() -> None:
    tracks, truths = _perfect()
    lab = np.asarray(tracks.label).copy()
    lab[tracks.object_id == 100] = 2  # wrong identity for truth 0
    lab[tracks.object_id == 101] = NO_LABEL  # no identity for truth 1
    relabelled = StateRows(
        t_s=tracks.t_s,
        object_id=tracks.object_id,
        position_m=tracks.position_m,
        velocity_mps=tracks.velocity_mps,
        label=lab,
    )
    s, _ = score_siap(relabelled, truths, threshold_m=10.0)
    assert s.id_completeness == pytest.approx(2 / 3)
    assert s.id_correctness == pytest.approx(1 / 3)
    assert s.id_ambiguity == 0.0


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="position_m"):
        StateRows(
            t_s=np.zeros(2), object_id=np.zeros(2, dtype=np.int64), position_m=np.zeros((2, 2))
        )
    with pytest.raises(ValueError, match="finite"):
        _rows([0.0, np.nan], [0, 1], [0.0, 0.0])
    twice = _rows([0.0, 0.0], [3, 3], [0.0, 1.0])
    with pytest.raises(ValueError, match="two track rows"):
        associate_tracks_to_truth(twice, _rows([0.0], [0], [0.0]), threshold_m=1.0)
    tracks, truths = _perfect()
    with pytest.raises(ValueError, match="threshold"):
        associate_tracks_to_truth(tracks, truths, threshold_m=0.0)
    ghost = TrackTruthAssociation(
        track_id=np.array([999]),
        truth_id=np.array([0]),
        start_t_s=np.array([0.0]),
        end_t_s=np.array([1.0]),
    )
    with pytest.raises(ValueError, match="no rows"):
        siap(tracks, truths, ghost)


def _on_truth(tid: int, steps: np.ndarray, away: np.ndarray | None = None) -> StateRows:
    """Track `tid` on truth 0 (x = 10 t) at `steps`, 1 km off it at the steps in `away`."""
    t = steps.astype(np.float64)
    off = np.where(np.isin(steps, away if away is not None else []), 1_000.0, 2.0)
    return _rows(t, np.full(t.size, tid), t * 10.0 + off)


def _concat(*rows: StateRows) -> StateRows:
    return _rows(
        np.concatenate([r.t_s for r in rows]),
        np.concatenate([r.object_id for r in rows]),
        np.concatenate([r.position_m[:, 0] for r in rows]),
    )


def test_track_number_walk_stops_where_stonesoup_stops() -> None:
    # Truth 0 over steps 0..30. Track 1 on it 0..10 (then away), track 2 on it 5..11 (then ends),
    # track 3 on it 15..30. Stone Soup's walk takes track 1 to step 10, then track 2 at step 11,
    # which is where track 2's association ends, and stops there: NU = 2, track 3 is not counted.
    t = np.arange(31)
    truths = _rows(t.astype(np.float64), np.zeros(31, dtype=np.int64), t * 10.0)
    tracks = _concat(
        _on_truth(1, np.arange(0, 13), away=np.array([11, 12])),
        _on_truth(2, np.arange(5, 12)),
        _on_truth(3, np.arange(15, 31)),
    )
    s, a = score_siap(tracks, truths, threshold_m=50.0)
    got = sorted(zip(a.track_id.tolist(), a.start_t_s.tolist(), a.end_t_s.tolist(), strict=True))
    assert got == [(1, 0.0, 10.0), (2, 5.0, 11.0), (3, 15.0, 30.0)]
    assert s.track_number_changes == 1
    assert s.longest_track_segment == pytest.approx(15.0 / 30.0)


def test_longest_segment_sums_one_tracks_intervals() -> None:
    # Track 1 on truth 0 over 0..10 and 13..20: Stone Soup merges both into one association.
    t = np.arange(21)
    truths = _rows(t.astype(np.float64), np.zeros(21, dtype=np.int64), t * 10.0)
    s, a = score_siap(_on_truth(1, t, away=np.array([11, 12])), truths, threshold_m=50.0)
    assert a.n == 2
    assert s.longest_track_segment == pytest.approx(17.0 / 20.0)
    assert s.track_number_changes == 1  # the walk counts the same track again after the gap


def test_track_number_tie_takes_the_furthest_reaching_interval() -> None:
    # Track 1 on truth 0 over 0..10 and again 13..20 (away at 11, 12); track 2 on it 0..20. Both
    # tracks' last intervals end at 20: Stone Soup picks either by set order (NU = 1 or 2); here
    # track 2, whose interval covering step 0 reaches furthest, so NU = 1.
    t = np.arange(21)
    truths = _rows(t.astype(np.float64), np.zeros(21, dtype=np.int64), t * 10.0)
    tracks = _concat(_on_truth(1, t, away=np.array([11, 12])), _on_truth(2, t))
    s, a = score_siap(tracks, truths, threshold_m=50.0)
    assert a.n == 3
    assert s.track_number_changes == 0
