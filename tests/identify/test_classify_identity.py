"""Classification rules and the identity book, on hand-made track arrays."""

import numpy as np

from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    CooperativeReport,
    ThreatClass,
)
from bastion.identify import ClassifierParams, IdentityBook, classify
from bastion.identify.classify import SWERLING1_LOG10_BIAS, rcs_estimate_m2
from bastion.identify.correlate import correlate


def _log_rcs(rcs: float) -> float:
    return float(np.log10(rcs) - SWERLING1_LOG10_BIAS)


def test_rules_separate_the_primer_classes() -> None:
    speed = np.array([300.0, 50.0, 8.0, 8.0, 80.0, 25.0])
    rcs = np.array([_log_rcs(r) for r in (0.02, 0.1, 0.005, 0.03, 20.0, 0.005)])
    codes = classify(speed, rcs, np.full(6, 10), ClassifierParams())
    got = [THREAT_CLASSES[c] for c in codes]
    assert got == [
        ThreatClass.ROCKET,
        ThreatClass.FIXED_WING,
        ThreatClass.BIRD,
        ThreatClass.MULTIROTOR,
        ThreatClass.AIRCRAFT,
        ThreatClass.BIRD,  # a tiny target at 25 m/s: a bird, whatever a noisy speed says
    ]


def test_too_few_updates_stay_unknown() -> None:
    codes = classify(np.array([300.0]), np.array([-2.0]), np.array([1]), ClassifierParams())
    assert THREAT_CLASSES[codes[0]] is ThreatClass.UNKNOWN


def test_swerling_bias_removed_statistically() -> None:
    rng = np.random.default_rng(3)
    samples = rng.exponential(0.1, 20000)
    est = rcs_estimate_m2(np.array([np.log10(samples).mean()]))[0]
    assert abs(est - 0.1) / 0.1 < 0.05


def _codes(*classes: ThreatClass) -> np.ndarray:
    return np.array([THREAT_CLASSES.index(c) for c in classes], dtype=np.int8)


def test_identity_changes_only_on_change_and_friend_is_latched() -> None:
    book = IdentityBook()
    ids = np.array([1, 2], dtype=np.int64)
    speed = np.array([50.0, 80.0])
    first = book.update(ids, _codes(ThreatClass.FIXED_WING, ThreatClass.AIRCRAFT), speed, 1.0)
    assert [(i.track_id, i.affiliation) for i in first] == [
        (1, Affiliation.HOSTILE),
        (2, Affiliation.UNKNOWN),
    ]
    assert book.update(ids, _codes(ThreatClass.FIXED_WING, ThreatClass.AIRCRAFT), speed, 2.0) == []
    book.mark_friend(np.array([2]), ["correlated with ADS-B AE1234"])
    changed = book.update(ids, _codes(ThreatClass.FIXED_WING, ThreatClass.FIXED_WING), speed, 3.0)
    assert [(i.track_id, i.affiliation) for i in changed] == [(2, Affiliation.FRIEND)]
    assert "AE1234" in changed[0].reason
    # Even classified as a drone for many evaluations, a latched friend never becomes hostile.
    for t in range(4, 10):
        book.update(ids, _codes(ThreatClass.FIXED_WING, ThreatClass.FIXED_WING), speed, float(t))
    assert AFFILIATIONS[book.affiliation_of(np.array([2]))[0]] is Affiliation.FRIEND


def test_class_switch_needs_consecutive_evaluations() -> None:
    book = IdentityBook(switch_evals=3)
    ids = np.array([7], dtype=np.int64)
    s = np.array([50.0])
    book.update(ids, _codes(ThreatClass.FIXED_WING), s, 0.0)
    assert book.update(ids, _codes(ThreatClass.ROCKET), s, 1.0) == []
    assert book.update(ids, _codes(ThreatClass.FIXED_WING), s, 2.0) == []
    assert book.update(ids, _codes(ThreatClass.ROCKET), s, 3.0) == []
    assert book.update(ids, _codes(ThreatClass.ROCKET), s, 4.0) == []
    out = book.update(ids, _codes(ThreatClass.ROCKET), s, 5.0)
    assert out[0].threat_class is ThreatClass.ROCKET


def test_smoothed_speed_damps_scan_to_scan_noise() -> None:
    book = IdentityBook(speed_tau_s=6.0)
    ids = np.array([1], dtype=np.int64)
    rng = np.random.default_rng(0)
    raw, smooth = [], []
    for t in range(60):
        v = np.array([[10.0 + rng.normal(0, 5), rng.normal(0, 5), rng.normal(0, 20)]])
        raw.append(float(np.hypot(v[0, 0], v[0, 1])))
        smooth.append(float(book.smooth_speed(ids, v, float(t))[0]))
    # Vertical noise is ignored and the horizontal speed is steadier than the raw estimate.
    assert np.std(smooth[20:]) < 0.6 * np.std(raw[20:])
    assert max(smooth[20:]) < 20.0


def _report(pos: tuple[float, float, float], vel: tuple[float, float, float]) -> CooperativeReport:
    return CooperativeReport(
        source="adsb", ident="AE1234", callsign="RCH123", t_s=10.0, position_m=pos, velocity_mps=vel
    )


def test_correlation_gates_position_and_velocity() -> None:
    ids = np.array([4, 5], dtype=np.int64)
    x = np.array([[0.0, 0, 500, 80, 0, 0], [5000.0, 0, 500, -50, 0, 0]])
    t = np.array([9.0, 9.0])
    match, dist = correlate([_report((90.0, 20.0, 500.0), (80.0, 0.0, 0.0))], ids, x, t, 300.0)
    assert match.tolist() == [4] and dist[0] < 30
    # Same place, opposite velocity: not the same aircraft.
    match, _ = correlate([_report((90.0, 20.0, 500.0), (-80.0, 0.0, 0.0))], ids, x, t, 300.0)
    assert match.tolist() == [-1]
    # Far from every track.
    match, _ = correlate([_report((2000.0, 0.0, 500.0), (80.0, 0.0, 0.0))], ids, x, t, 300.0)
    assert match.tolist() == [-1]
