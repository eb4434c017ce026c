"""Several sensors into one track picture: coverage-aware misses, late batches, refused input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cv_scenario import cv_truth, radar_batch

from bastion.core.measurements import DetectionBatch
from bastion.core.params import TrackerParams
from bastion.tracking import Tracker

P34 = TrackerParams(confirm_m=3, confirm_n=4, delete_misses=3)
SITE_B = np.array([30_000.0, 0.0, 0.0])


def _named(batch: DetectionBatch, sensor_id: str, max_range_m: float) -> DetectionBatch:
    return dataclasses.replace(batch, sensor_id=sensor_id, max_range_m=max_range_m)


def test_a_sensor_that_cannot_see_a_track_does_not_charge_it_misses() -> None:
    """Radar A covers the targets; radar B, 30 km away with 10 km range, sees none of them but
    reports every scan, interleaved. Without coverage, B's empty looks would kill A's tracks."""
    rng = np.random.default_rng(1)
    truth = cv_truth(rng, 6, 12, speed_mps=(30.0, 60.0))
    tr = Tracker(P34)
    for k in range(12):
        tr.step(_named(radar_batch(rng, truth[k], float(k)), "a", 25_000.0))
        empty = radar_batch(rng, truth[k][:0], k + 0.5, sensor_enu_m=SITE_B)
        tr.step(_named(empty, "b", 10_000.0))
    assert int(tr.table.confirmed.sum()) == 6
    assert np.all(tr.table.misses == 0)


def test_without_coverage_the_same_looks_kill_every_track() -> None:
    """The control for the test above: B claims to cover everything, so it charges misses."""
    rng = np.random.default_rng(1)
    truth = cv_truth(rng, 6, 12, speed_mps=(30.0, 60.0))
    tr = Tracker(P34)
    for k in range(12):
        tr.step(_named(radar_batch(rng, truth[k], float(k)), "a", 25_000.0))
        empty = radar_batch(rng, truth[k][:0], k + 0.5, sensor_enu_m=SITE_B)
        tr.step(dataclasses.replace(empty, sensor_id="b"))
    assert int(tr.table.confirmed.sum()) == 0


def test_a_track_that_leaves_all_coverage_still_dies() -> None:
    rng = np.random.default_rng(2)
    truth = cv_truth(rng, 3, 8, speed_mps=(30.0, 60.0))
    tr = Tracker(P34)
    for k in range(5):
        tr.step(_named(radar_batch(rng, truth[k], float(k)), "a", 25_000.0))
    assert int(tr.table.confirmed.sum()) == 3
    # Radar A shrinks its range (a sector blanked): the tracks are now outside every live sensor.
    lost = []
    for k in range(5, 10):
        lost.extend(tr.step(_named(radar_batch(rng, truth[0][:0], float(k)), "a", 500.0)).lost_ids)
    assert len(lost) == 3


def _stream(seed: int, n_scans: int) -> list[DetectionBatch]:
    """Two radars at different sites, interleaved looks, with clutter."""
    rng = np.random.default_rng(seed)
    truth = cv_truth(rng, 8, n_scans, speed_mps=(30.0, 200.0))
    out = []
    for k in range(n_scans):
        out.append(radar_batch(rng, truth[k], float(k), clutter=5))
        later = truth[k].copy()
        later[:, :3] += 0.4 * later[:, 3:]
        b = radar_batch(rng, later, k + 0.4, clutter=5, sensor_enu_m=np.array([5e3, 0, 0]))
        out.append(dataclasses.replace(b, sensor_id="radar-2"))
    return out


@pytest.mark.parametrize("late_index", [5, 12, 15])
def test_late_batch_gives_the_in_order_tracks(late_index: int) -> None:
    batches = _stream(3, 10)
    params = dataclasses.replace(P34, oosm_lag_s=3.0)
    in_order = Tracker(params)
    for b in batches:
        in_order.step(b)
    late = Tracker(params)
    arrival = batches[:late_index] + batches[late_index + 1 : late_index + 4]
    arrival += [batches[late_index], *batches[late_index + 4 :]]
    steps = [late.step(b) for b in arrival]
    replayed = steps[late_index + 3]
    assert replayed.n_replayed == 3 and not replayed.rejected_reason
    np.testing.assert_allclose(late.table.x, in_order.table.x, rtol=0, atol=1e-9)
    np.testing.assert_allclose(late.table.P, in_order.table.P, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(late.table.confirmed, in_order.table.confirmed)
    assert late.last_t_s == in_order.last_t_s


def test_late_batch_keeps_ids_of_tracks_already_announced() -> None:
    batches = _stream(4, 8)
    params = dataclasses.replace(P34, oosm_lag_s=2.0)
    tr = Tracker(params)
    for b in batches[:9]:
        tr.step(b)
    confirmed_before = set(tr.table.track_id[tr.table.confirmed].tolist())
    for b in batches[10:12]:
        tr.step(b)
    confirmed_mid = set(tr.table.track_id[tr.table.confirmed].tolist())
    step = tr.step(batches[9])
    after = set(tr.table.track_id[tr.table.confirmed].tolist())
    assert confirmed_before <= after
    assert confirmed_mid <= after | set(step.lost_ids.tolist())
    assert set(step.confirmed_ids.tolist()).isdisjoint(confirmed_mid)


def test_batch_later_than_the_lag_is_refused_with_the_sensor_named() -> None:
    batches = _stream(5, 6)
    tr = Tracker(dataclasses.replace(P34, oosm_lag_s=1.0))
    for b in batches[4:]:
        tr.step(b)
    x = tr.table.x.copy()
    step = tr.step(batches[0])
    assert "radar-1" in step.rejected_reason and "lag" in step.rejected_reason
    np.testing.assert_array_equal(tr.table.x, x)


def test_destroyed_track_is_not_brought_back_by_a_replay() -> None:
    batches = _stream(6, 8)
    tr = Tracker(dataclasses.replace(P34, oosm_lag_s=2.0))
    for b in batches[:10]:
        tr.step(b)
    victim = tr.table.track_id[tr.table.confirmed][:1]
    tr.remove(victim)
    tr.step(batches[11])
    tr.step(batches[10])
    assert victim[0] not in tr.table.track_id


def _with_extra(batch: DetectionBatch, rng_m: list[float], el_rad: list[float]) -> DetectionBatch:
    k = len(rng_m)
    return dataclasses.replace(
        batch,
        range_m=np.r_[batch.range_m, rng_m],
        az_rad=np.r_[batch.az_rad, np.zeros(k)],
        el_rad=np.r_[batch.el_rad, el_rad],
        range_rate_mps=np.r_[batch.range_rate_mps, np.zeros(k)],
        rcs_m2=np.r_[batch.rcs_m2, np.ones(k)],
        max_range_m=30_000.0,
    )


def test_impossible_detections_are_refused_by_reason_and_the_rest_tracked() -> None:
    rng = np.random.default_rng(7)
    good = radar_batch(rng, cv_truth(rng, 4, 1)[0], 0.0)
    bad = _with_extra(good, [-5.0, 90_000.0, 1_000.0, np.nan], [0.1, 0.1, 2.0, 0.1])
    step = Tracker(P34).step(bad)
    reasons = {r.reason: r.count for r in step.rejections}
    assert reasons == {
        "negative range": 1,
        "range beyond the sensor's maximum of 30000 m": 1,
        "elevation outside [-90, 90] degrees": 1,
        "non-finite range, azimuth or elevation": 1,
    }
    assert all("'radar-1'" in r.text() for r in step.rejections)
    assert step.n_rejected_detections == 4 and step.born_ids.size == 4


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"frame": "wgs84"}, "unknown frame"),
        ({"t_s": float("inf")}, "non-finite t_s"),
        ({"sensor_enu_m": np.array([0.0, np.nan, 0.0])}, "invalid sensor position"),
        ({"sigma_range_m": 0.0}, "sigmas"),
    ],
)
def test_uninterpretable_batch_is_refused_whole(change: dict[str, object], words: str) -> None:
    rng = np.random.default_rng(8)
    tr = Tracker(P34)
    tr.step(radar_batch(rng, cv_truth(rng, 3, 1)[0], 0.0))
    n = tr.table.n
    step = tr.step(dataclasses.replace(radar_batch(rng, cv_truth(rng, 3, 1)[0], 1.0), **change))
    assert words in step.rejected_reason and "radar-1" in step.rejected_reason
    assert tr.table.n == n and tr.last_t_s == 0.0


@pytest.mark.parametrize(
    "change",
    [
        {"association": "jpda"},
        {"management": "score"},
        {"association": "jpda", "management": "score", "filter": "imm"},
    ],
    ids=["jpda", "score", "imm-jpda-score"],
)
def test_every_association_and_management_tracks_every_target(change: dict[str, str]) -> None:
    """Eight targets, clutter, two radars: each combination tracks all eight within 100 m,
    confirms at most one other track, and keeps every covariance positive definite."""
    params = dataclasses.replace(
        P34, pd=0.95, false_alarm_density_per_m3=2e-12, new_target_density_per_m3=1e-13, **change
    )
    tr = Tracker(params)
    for b in _stream(9, 12):
        tr.step(b)
    tb = tr.table
    truth = cv_truth(np.random.default_rng(9), 8, 12, speed_mps=(30.0, 200.0))[-1]
    dist = np.linalg.norm(tb.x[tb.confirmed, None, :3] - truth[None, :, :3], axis=2)
    assert int(np.count_nonzero(dist.min(axis=0) < 100.0)) == 8
    assert int(np.count_nonzero(dist.min(axis=1) > 100.0)) <= 1
    assert np.all(np.linalg.eigvalsh(tb.P) > 0.0)


def test_score_confirms_on_likelihood_and_deletes_a_vanished_track() -> None:
    params = dataclasses.replace(
        P34,
        management="score",
        pd=0.95,
        false_alarm_density_per_m3=2e-12,
        new_target_density_per_m3=1e-13,
    )
    rng = np.random.default_rng(10)
    truth = cv_truth(rng, 3, 12, speed_mps=(30.0, 60.0))
    tr = Tracker(params)
    for k in range(6):
        tr.step(radar_batch(rng, truth[k], float(k)))
    tb = tr.table
    assert int(tb.confirmed.sum()) == 3
    assert np.all(tb.score >= params_threshold(params))
    lost = []
    for k in range(6, 12):
        lost.extend(tr.step(radar_batch(rng, truth[k][:0], float(k))).lost_confirmed_ids)
    assert len(lost) == 3


def params_threshold(params: TrackerParams) -> float:
    """Wald's confirmation threshold for the tracker's score settings."""
    return float(np.log((1 - params.score_true_track_loss_prob) / params.score_false_track_prob))


def test_unknown_association_or_management_is_refused() -> None:
    with pytest.raises(ValueError, match="association"):
        Tracker(dataclasses.replace(P34, association="mht"))
    with pytest.raises(ValueError, match="management"):
        Tracker(dataclasses.replace(P34, management="vibes"))


def test_a_new_track_never_takes_a_detection_beyond_the_fastest_plausible_speed() -> None:
    """Two detections 800 m apart one second apart: with max_speed 300 m/s they are two tracks;
    with 1000 m/s (and a wide initial velocity sigma) one track takes both."""
    rng = np.random.default_rng(11)
    a = radar_batch(rng, np.array([[5_000.0, 0.0, 500.0, 0, 0, 0]]), 0.0)
    b = radar_batch(rng, np.array([[5_000.0, 800.0, 500.0, 0, 0, 0]]), 1.0)
    for speed, tracks in ((300.0, 2), (1_000.0, 1)):
        tr = Tracker(dataclasses.replace(P34, max_speed_mps=speed, init_speed_sigma_mps=400.0))
        tr.step(a)
        tr.step(b)
        assert tr.table.n == tracks


@pytest.mark.parametrize("seed", range(1, 7))
def test_jpda_with_track_score_keeps_both_tracks_through_a_crossing(seed: int) -> None:
    """Two targets cross at 8 km (closest 0 m at t = 10 s): both confirmed tracks survive, and
    no third track is confirmed."""
    params = dataclasses.replace(
        P34,
        association="jpda",
        management="score",
        pd=0.9,
        false_alarm_density_per_m3=2e-12,
        new_target_density_per_m3=1e-13,
    )
    rng = np.random.default_rng(seed)
    start = np.array(
        [[8_000.0, -600.0, 800.0, 0.0, 60.0, 0.0], [7_400.0, 0.0, 800.0, 60.0, 0.0, 0.0]]
    )
    tr = Tracker(params)
    for k in range(20):
        truth = start.copy()
        truth[:, :3] += k * truth[:, 3:]
        tr.step(radar_batch(rng, truth, float(k), pd=0.9, clutter=3))
        if k == 6:
            before = set(tr.table.track_id[tr.table.confirmed].tolist())
    after = set(tr.table.track_id[tr.table.confirmed].tolist())
    assert len(before) == 2 and before == after


def test_track_history_follows_the_track_at_a_bounded_rate() -> None:
    """Two radars, a look every 0.4/0.6 s: the history keeps a state at most once a second, the
    last `history_points`, and they lie on the target's path."""
    params = dataclasses.replace(P34, history_points=5, history_period_s=1.0)
    tr = Tracker(params)
    for b in _stream(12, 10):
        tr.step(b)
    tid = int(tr.table.track_id[tr.table.confirmed][0])
    t, x = tr.history(tid)
    assert t.shape == (5,) and x.shape == (5, 6)
    assert np.all(np.diff(t) >= 1.0)
    assert t[-1] >= 8.4
    speed = np.linalg.norm(np.diff(x[:, :3], axis=0), axis=1) / np.diff(t)
    np.testing.assert_allclose(speed, np.linalg.norm(x[1:, 3:], axis=1), rtol=0.2)


def _sectors(batch: DetectionBatch, n: int, *, declared: bool) -> list[DetectionBatch]:
    """The look cut into `n` azimuth sectors, swept 0.25 s apart, each with only its detections
    (and, if `declared`, its sector in the batch)."""
    out = []
    width = 2 * np.pi / n
    az = np.mod(batch.az_rad, 2 * np.pi)
    for k in range(n):
        sel = (az >= k * width) & (az < (k + 1) * width)
        part = dataclasses.replace(
            batch,
            t_s=batch.t_s + 0.25 * k,
            range_m=batch.range_m[sel],
            az_rad=batch.az_rad[sel],
            el_rad=batch.el_rad[sel],
            range_rate_mps=batch.range_rate_mps[sel],
            rcs_m2=batch.rcs_m2[sel],
            truth_id=batch.truth_id[sel] if batch.truth_id.size else batch.truth_id,
        )
        if declared:
            part = dataclasses.replace(part, sector_start_az_rad=k * width, sector_extent_rad=width)
        out.append(part)
    return out


@pytest.mark.parametrize(("declared", "confirmed"), [(True, 12), (False, 0)])
def test_a_radar_sending_sectors_charges_only_the_sector_it_swept(
    declared: bool, confirmed: int
) -> None:
    """Twelve slow targets; the radar sends four sectors per 1 s rotation. With each sector
    declared, every target is confirmed; without, each sector's look kills the others' tracks."""
    rng = np.random.default_rng(13)
    truth = cv_truth(rng, 12, 10, speed_mps=(5.0, 15.0))
    tr = Tracker(P34)
    for k in range(10):
        for part in _sectors(radar_batch(rng, truth[k], float(k)), 4, declared=declared):
            tr.step(part)
    assert int(tr.table.confirmed.sum()) == confirmed
