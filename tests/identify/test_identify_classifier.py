"""Classification: evidence, features, the naive Bayes model, declared classes with hysteresis."""

from __future__ import annotations

import numpy as np

from bastion.core.measurements import DetectionBatch
from bastion.core.records import THREAT_CLASSES, ThreatClass
from bastion.identify.classbook import ClassBook, ClassRules
from bastion.identify.classifier import default_model
from bastion.identify.columns import Column, TrackColumns
from bastion.identify.evidence import EvidenceBook
from bastion.identify.features import (
    FEATURES,
    N_BINS,
    accel_fit,
    ballistic_residual,
    bin_index,
    features,
)
from bastion.identify.model import MODEL_CLASSES, N_AGES, NaiveBayes, age_bin, count_bins
from bastion.identify.model_counts import SHAPE

G = np.array([0.0, 0.0, -9.80665])


def _batch(t: float, rcs: list[float], md: list[float] | None, r: list[float]) -> DetectionBatch:
    n = len(rcs)
    return DetectionBatch(
        sensor_id="r", t_s=t, sensor_enu_m=np.zeros(3), range_m=np.array(r),
        az_rad=np.zeros(n), el_rad=np.full(n, 0.05), range_rate_mps=np.zeros(n),
        rcs_m2=np.array(rcs), sigma_range_m=5.0, sigma_az_rad=0.01, sigma_el_rad=0.01,
        sigma_range_rate_mps=1.0,
        md_rate_hz=np.array(md if md is not None else []),
        md_ratio_db=np.array([-10.0 if np.isfinite(m) else np.nan for m in md or []]),
    )  # fmt: skip


def test_columns_add_find_and_forget_rows() -> None:
    cols = TrackColumns({"a": Column(np.float64, 1.5), "b": Column(np.int64, 0, (2,))})
    rows = cols.rows(np.array([7, 3, 7]))
    assert rows[0] == rows[2] != rows[1]
    assert cols["a"].tolist() == [1.5, 1.5]
    cols["b"][rows[1]] = [4, 5]  # track 3
    cols.forget(np.array([7]))
    assert cols.find(np.array([3, 7])).tolist() == [0, -1]
    assert cols["b"][0].tolist() == [4, 5]


def test_evidence_accumulates_rcs_micro_doppler_and_plots_per_track() -> None:
    book = EvidenceBook()
    for k in range(6):
        # Detection 0 updates track 11 (a line at 150 Hz every other look), 1 is clutter, 2: track 12.
        md = [150.0 if k % 2 == 0 else np.nan, np.nan, 8.0]
        book.detections(_batch(float(k), [0.01, 0.5, 0.002], md, [1000.0, 2000.0, 1500.0 + k]),
                        np.array([11, -1, 12]))  # fmt: skip
    c = book.cols
    r11, r12 = c.find(np.array([11, 12])).tolist()
    assert c["n_looks"][r11] == 6
    assert c["n_md_looks"][r11] == 6
    assert c["n_md"][r11] == 3
    assert np.isclose(c["md_log_rate_sum"][r11] / 3, np.log10(150.0))
    assert np.isclose(c["rcs_log_sum"][r12] / 6, np.log10(0.002))
    assert np.sum(np.isfinite(c["plot_t_s"][r12])) == 6
    assert c["first_t_s"][r12] == 0.0


def test_acceleration_fit_sees_gravity_in_free_flight_and_none_in_level_flight() -> None:
    t = np.arange(0.0, 8.0)
    v0 = np.array([200.0, 50.0, 150.0])
    ballistic = v0 * t[:, None] + 0.5 * G * t[:, None] ** 2
    level = np.array([40.0, 0.0, 0.0]) * t[:, None] + np.array([0.0, 0.0, 300.0])
    plots = np.stack([ballistic, level])
    times = np.tile(t, (2, 1))
    vel, acc = accel_fit(times, plots, 7.0)
    assert np.allclose(acc[0], G, atol=1e-6)
    assert np.allclose(acc[1], 0.0, atol=1e-6)
    assert np.allclose(vel[0], v0 + G * 7.0, atol=1e-6)
    res = ballistic_residual(vel, acc)
    assert res[0] < 1e-6
    assert abs(res[1] - 9.80665) < 1e-6
    # Too few plots: no fit.
    vel, acc = accel_fit(times[:, :3], plots[:, :3], 2.0)
    assert np.isnan(acc).all()


def test_missing_features_are_left_out_not_binned() -> None:
    f = np.full((1, len(FEATURES)), np.nan)
    f[0, 0] = -1.0
    b = bin_index(f)
    assert (b[0, 1:] == -1).all()
    assert 0 <= b[0, 0] < N_BINS
    # Out-of-range values are clipped into the end bins.
    f[0, 0] = 99.0
    assert bin_index(f)[0, 0] == N_BINS - 1


def test_naive_bayes_from_counts_prefers_the_class_whose_histogram_matches() -> None:
    bins = np.full((4, len(FEATURES)), -1, dtype=np.int64)
    bins[:, 0] = [2, 2, 15, 15]
    labels = np.array([0, 0, 3, 3])
    ages = age_bin(np.array([10, 10, 10, 10]))
    model = NaiveBayes.from_counts(count_bins(bins, ages, labels), temperature=1.0)
    p = model.predict_proba(bins, ages)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p[0].argmax() == 0
    assert p[2].argmax() == 3
    # No evidence at all: uniform.
    none = np.full((1, len(FEATURES)), -1, dtype=np.int64)
    assert np.allclose(model.predict_proba(none, ages[:1]), 1.0 / len(MODEL_CLASSES))
    # The uniform floor: one feature never rules a class out completely.
    assert p.min() > 0.0


def test_shipped_model_matches_the_feature_layout() -> None:
    assert (N_AGES, len(FEATURES), N_BINS, len(MODEL_CLASSES)) == SHAPE
    model = default_model()
    assert 0.5 <= model.temperature <= 20.0
    assert np.isfinite(model.log_lik).all()


def test_class_book_declares_at_once_then_switches_only_after_three_agreeing_evaluations() -> None:
    book = ClassBook(ClassRules(declare_p=0.6, min_looks=3, switch_evals=3))
    ids = np.array([5])
    rocket = np.array([[0.9, 0.05, 0.05, 0.0, 0.0]])
    drone = np.array([[0.05, 0.9, 0.05, 0.0, 0.0]])
    unsure = np.array([[0.3, 0.3, 0.4, 0.0, 0.0]])
    code = lambda c: THREAT_CLASSES.index(c)  # noqa: E731
    looks = np.array([2])
    assert book.update(ids, rocket, looks)[0].tolist() == [code(ThreatClass.UNKNOWN)]
    looks = np.array([3])
    assert book.update(ids, rocket, looks)[0].tolist() == [code(ThreatClass.ROCKET)]
    for p in (drone, drone, unsure, drone, drone):
        declared, changed = book.update(ids, p, looks)
        assert declared.tolist() == [code(ThreatClass.ROCKET)]
        assert not changed.any()
    declared, changed = book.update(ids, drone, looks)
    assert declared.tolist() == [code(ThreatClass.FIXED_WING)]
    assert changed.all()
    assert np.isclose(book.probabilities(ids)[0].sum(), 1.0)


def test_features_of_a_hovering_multirotor_with_rotor_lines() -> None:
    book = EvidenceBook()
    for k in range(12):
        book.detections(_batch(float(k), [0.01], [180.0], [2000.0]), np.array([1]))
        book.kinematics(np.array([1]), np.array([[0.0, 2000.0, 100.0, 0.3, -0.2, 0.0]]), float(k))
    rows = book.cols.find(np.array([1]))
    f = features(book.cols, rows, 11.0)[0]
    named = dict(zip(FEATURES, f.tolist(), strict=True))
    assert named["hover"] > 0.7
    assert named["md_frac"] > 0.9
    assert abs(named["md_rate"] - np.log10(180.0)) < 1e-9
    assert abs(named["log_rcs"] - (-2.0 + 0.2507)) < 0.01
    assert np.isnan(named["turn"])  # too slow for a heading
