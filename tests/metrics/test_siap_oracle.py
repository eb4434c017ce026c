"""SIAP and its track-to-truth association against Stone Soup's SIAPMetrics / IDSIAPMetrics and
TrackToTruth, run through Stone Soup's MultiManager on the same tracks and truths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from bastion.metrics import StateRows, associate_tracks_to_truth, siap
from bastion.metrics.track_truth import TrackTruthAssociation

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TOL = {"rel": 1e-9, "abs": 1e-9}


def _stonesoup_siap(
    ss_tracks: dict[int, Any], ss_truths: dict[int, Any], threshold_m: float
) -> tuple[dict[str, Any], set[tuple[int, int, float, float]]]:
    from stonesoup.dataassociator.tracktotrack import TrackToTruth
    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.manager import MultiManager
    from stonesoup.metricgenerator.tracktotruthmetrics import IDSIAPMetrics

    position = Euclidean(mapping=(0, 2, 4))
    gen = IDSIAPMetrics(
        position_measure=position,
        velocity_measure=Euclidean(mapping=(1, 3, 5)),
        truth_id="id",
        track_id="id",
    )
    assoc = TrackToTruth(
        association_threshold=threshold_m,
        consec_pairs_confirm=3,
        consec_misses_end=2,
        measure=position,
    )
    manager = MultiManager([gen], associator=assoc)
    manager.add_data(
        {"tracks": set(ss_tracks.values()), "groundtruth_paths": set(ss_truths.values())}
    )
    metrics = manager.generate_metrics()["Id_siap_generator"]
    tid = {id(v): k for k, v in ss_tracks.items()}
    uid = {id(v): k for k, v in ss_truths.items()}
    intervals = set()
    for a in manager.association_set.associations:
        objs = list(a.objects)
        t, u = (objs[0], objs[1]) if id(objs[0]) in tid else (objs[1], objs[0])
        tr = a.time_range
        for c in getattr(tr, "time_ranges", [tr]):
            start_s = (c.start - EPOCH).total_seconds()
            intervals.add((tid[id(t)], uid[id(u)], start_s, (c.end - EPOCH).total_seconds()))
    return metrics, intervals


def _ours_intervals(a: TrackTruthAssociation) -> set[tuple[int, int, float, float]]:
    return {
        (int(t), int(u), float(s), float(e))
        for t, u, s, e in zip(a.track_id, a.truth_id, a.start_t_s, a.end_t_s, strict=True)
    }


CASES = [("scripted", s, 30.0) for s in range(4)] + [("swarm", s, 25.0) for s in range(4)]


@pytest.mark.oracle
@pytest.mark.parametrize(("kind", "seed", "threshold_m"), CASES)
def test_siap_matches_stonesoup(
    kind: str,
    seed: int,
    threshold_m: float,
    make_run: Callable[[str, int], tuple[StateRows, StateRows]],
    stonesoup_objects: Callable[..., tuple[dict[int, Any], dict[int, Any]]],
) -> None:
    tracks, truths = make_run(kind, seed)
    ss_tracks, ss_truths = stonesoup_objects(tracks, truths)
    ref, ref_intervals = _stonesoup_siap(ss_tracks, ss_truths, threshold_m)

    assoc = associate_tracks_to_truth(tracks, truths, threshold_m=threshold_m)
    assert _ours_intervals(assoc) == ref_intervals
    s = siap(tracks, truths, assoc)

    pairs = [
        ("SIAP Completeness", s.completeness),
        ("SIAP Ambiguity", s.ambiguity),
        ("SIAP Spuriousness", s.spuriousness),
        ("SIAP Position Accuracy", s.position_accuracy_m),
        ("SIAP Velocity Accuracy", s.velocity_accuracy_mps),
        ("SIAP Rate of Track Number Change", s.track_number_change_rate_per_s),
        ("SIAP Longest Track Segment", s.longest_track_segment),
        ("SIAP ID Completeness", s.id_completeness),
        ("SIAP ID Correctness", s.id_correctness),
        ("SIAP ID Ambiguity", s.id_ambiguity),
    ]
    for title, ours in pairs:
        assert ours == pytest.approx(float(ref[title].value), **TOL), title
    series = [
        ("SIAP Completeness at times", s.completeness_at_times()),
        ("SIAP Ambiguity at times", s.ambiguity_at_times()),
        ("SIAP Spuriousness at times", s.spuriousness_at_times()),
        ("SIAP Position Accuracy at times", s.position_accuracy_at_times()),
    ]
    times = [(t - EPOCH).total_seconds() for t in (m.timestamp for m in ref[series[0][0]].value)]
    np.testing.assert_array_equal(s.times_s, times)
    for title, ours_t in series:
        np.testing.assert_allclose(
            ours_t, [m.value for m in ref[title].value], rtol=1e-9, atol=1e-9
        )


def test_scripted_run_exercises_every_rule(
    make_run: Callable[[str, int], tuple[StateRows, StateRows]],
) -> None:
    """The scenario behind the oracle is not trivial: every SIAP ingredient is away from its ideal."""
    tracks, truths = make_run("scripted", 0)
    s = siap(tracks, truths, associate_tracks_to_truth(tracks, truths, threshold_m=30.0))
    assert 0.5 < s.completeness < 0.95  # truth 4 never tracked
    assert s.ambiguity > 1.05  # two tracks on truth 0
    assert 0.02 < s.spuriousness < 0.3  # track 16
    assert s.track_number_changes >= 3  # hand-over on truth 1, the swap
    assert 0.0 < s.longest_track_segment < 0.9
    assert 0.0 < s.id_correctness < s.id_completeness < 1.0
