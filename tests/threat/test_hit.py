"""Hit probability (`threat.hit`) against Monte Carlo and the exact circle integral, and the warning
rule built on it in `ThreatBook` (threshold, hold, hysteresis, the probability in the reason)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pytest
import shapely
from scipy import stats

from bastion.core.params import ThreatParams, ZoneParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Alert,
    AlertCleared,
    ThreatClass,
)
from bastion.threat import ThreatBook
from bastion.threat.ballistic import BallisticBook, Predictions
from bastion.threat.ballistic_fit import BallisticFit
from bastion.threat.hit import HitZones, hit_probability, normal_lattice

SQUARE = shapely.Polygon([(-75, -50), (75, -50), (75, 50), (-75, 50)])
L_SHAPE = shapely.Polygon([(0, 400), (300, 400), (300, 480), (80, 480), (80, 700), (0, 700)])
CIRCLE = shapely.Point(600.0, -300.0).buffer(60.0, quad_segs=64)


def _cov(sig_major: float, sig_minor: float, heading_rad: float) -> np.ndarray:
    c, s = math.cos(heading_rad), math.sin(heading_rad)
    rot = np.array([[c, -s], [s, c]])
    return rot @ np.diag([sig_major**2, sig_minor**2]) @ rot.T


CASES = [  # (mean, covariance): centred, off-centre and elongated, between zones, far away
    ((0.0, 0.0), _cov(80.0, 40.0, 0.3)),
    ((120.0, 430.0), _cov(150.0, 30.0, 1.2)),
    ((560.0, -250.0), _cov(60.0, 60.0, 0.0)),
    ((250.0, 150.0), _cov(200.0, 90.0, 2.0)),
    ((5000.0, 5000.0), _cov(100.0, 50.0, 0.5)),
]


def test_lattice_is_a_standard_normal_sample() -> None:
    u = normal_lattice(1024)
    assert np.abs(u.mean(axis=0)).max() < 0.01
    assert np.abs(np.cov(u.T) - np.eye(2)).max() < 0.02


def test_hit_probability_matches_monte_carlo() -> None:
    zones = HitZones.build([SQUARE, L_SHAPE, CIRCLE], 50.0)
    means = np.array([m for m, _ in CASES])
    covs = np.array([c for _, c in CASES])
    p = hit_probability(zones, means, covs)
    rng = np.random.default_rng(7)
    for k, (mean, cov) in enumerate(CASES):
        draws = rng.multivariate_normal(mean, cov, 100_000)
        mc = np.array(
            [shapely.contains_xy(g, draws[:, 0], draws[:, 1]).mean() for g in zones.grown]
        )
        # Monte Carlo sigma <= 0.0016 at 1e5 draws; the lattice's own error is below 0.005.
        assert np.abs(p[k] - mc).max() < 0.01, (k, p[k], mc)
    assert p[0, 0] > 0.6 and p[1, 1] > 0.3 and p[2, 2] > 0.5  # the geometries are not trivial
    assert (p[4] == 0.0).all()


def test_circle_against_the_exact_rice_integral() -> None:
    # Isotropic Gaussian and a circle: P = noncentral chi-square CDF with 2 dof.
    radius, lethal, sigma = 60.0, 40.0, 70.0
    zones = HitZones.build([shapely.Point(0.0, 0.0).buffer(radius, quad_segs=128)], lethal)
    offsets = np.array([0.0, 50.0, 120.0, 250.0])
    means = np.stack([offsets, np.zeros(4)], axis=1)
    p = hit_probability(zones, means, np.repeat(np.eye(2)[None] * sigma**2, 4, axis=0))[:, 0]
    exact = stats.ncx2.cdf(((radius + lethal) / sigma) ** 2, 2, (offsets / sigma) ** 2)
    np.testing.assert_allclose(p, exact, atol=0.006)


def test_certain_hit_widening_and_bad_rows() -> None:
    zones = HitZones.build([SQUARE], 50.0)
    mean = np.array([[0.0, 0.0], [130.0, 0.0], [np.nan, 0.0]])
    cov = np.array([np.eye(2), _cov(60.0, 20.0, 1.0), np.eye(2)])
    p = hit_probability(zones, mean, cov)[:, 0]
    assert p[0] == 1.0 and p[2] == 0.0
    wide = hit_probability(zones, mean, cov, sigma_scale=2.0)[:, 0]
    assert wide[1] < p[1]  # a mean near the edge loses mass when the distribution widens


@dataclass(slots=True)
class _Scripted(BallisticBook):
    """A ballistic book whose impact prediction for track 1 is set by the test."""

    mean_en_m: tuple[float, float] = (0.0, 0.0)
    sigma_m: float = 10.0

    def predict(self, track_ids, x, t_state_s, history, t_s) -> Predictions:  # type: ignore[no-untyped-def]
        out = Predictions.empty(track_ids.size)
        out.ok[:] = True
        out.impact_m[:] = [*self.mean_en_m, 0.0]
        out.cov_en_m2[:] = np.eye(2) * self.sigma_m**2
        out.t_impact_s[:] = t_s + 20.0
        out.sigma_t_s[:] = 0.1
        for tid in track_ids.tolist():
            self.fits[tid] = BallisticFit(
                t_s=t_s,
                position_m=x[0, :3],
                velocity_mps=x[0, 3:],
                drag_factor_m2pkg=1e-4,
                covariance=np.eye(7),
                chi2_per_dof=1.0,
                n_measurements=20,
            )
        return out


def _book(**kw: float) -> ThreatBook:
    zone = ZoneParams(name="hq", polygon_m=((-50, -50), (50, -50), (50, 50), (-50, 50)), value=1.0)
    params = replace(ThreatParams(), lethal_radius_m=20.0, **kw)
    p = params.warn_probability
    params = replace(params, warn_probability_first=p, warn_probability_late=p)  # one threshold
    book = ThreatBook.create(params, (zone,), 0.0)
    book.ballistic = _Scripted(k_nominal=1e-4, site_alt_m=0.0)
    return book


def _step(book: ThreatBook, t_s: float, east_m: float) -> list:
    assert isinstance(book.ballistic, _Scripted)
    book.ballistic.mean_en_m = (east_m, 0.0)
    aff = np.array([AFFILIATIONS.index(Affiliation.HOSTILE)], dtype=np.int8)
    cls = np.array([THREAT_CLASSES.index(ThreatClass.ROCKET)], dtype=np.int8)
    x = np.array([[5000.0, 0.0, 500.0, -300.0, 0.0, 0.0]])
    return [
        p for _, _, p in book.step(t_s, np.array([1]), x, np.array([t_s]), np.zeros(1), aff, cls)
    ]


@pytest.mark.parametrize("hold_s", [0.0, 0.5])
def test_warning_threshold_hold_and_hysteresis(hold_s: float) -> None:
    # Zone grown by 20 m: |east| <= 70 m. With sigma 10 m: P(east 70) = 0.5, P(east 95) ~ 0.006.
    book = _book(warn_probability=0.4, release_probability=0.05, warn_hold_s=hold_s)
    assert not [p for p in _step(book, 0.0, 200.0) if isinstance(p, Alert)]
    raised = []
    t = 0.1
    while not raised and t < 2.0:
        raised = [p for p in _step(book, t, 65.0) if isinstance(p, Alert)]  # P ~ 0.69
        t = round(t + 0.1, 6)
    assert raised and raised[0].zone == "hq" and "hit probability 0.6" in raised[0].reason
    assert raised[0].t_s == pytest.approx(0.1 + hold_s)
    # Between the release and warning thresholds, and flickering across the warning threshold:
    # one alert, kept.
    for k in range(40):
        out = _step(book, t + 0.1 * k, 75.0 if k % 2 else 66.0)  # P ~ 0.31 / 0.66
        assert not out or not any(isinstance(p, Alert | AlertCleared) for p in out)
    t += 4.0
    for k in range(20):  # P ~ 0.16: above the release threshold, below the warning one
        assert not any(isinstance(p, AlertCleared) for p in _step(book, t + 0.5 * k, 80.0))
    t += 10.0
    cleared: list = []
    for k in range(25):  # P < 0.01 for more than the 10 s release hold
        cleared += [p for p in _step(book, t + 0.5 * k, 100.0) if isinstance(p, AlertCleared)]
    assert len(cleared) == 1 and cleared[0].alert_id == raised[0].alert_id
    assert not book.warn.active


def test_a_short_spike_is_not_warned_with_a_hold() -> None:
    book = _book(warn_probability=0.4, warn_hold_s=0.5)
    out = []
    for k in range(10):  # above the threshold every other step only
        out += _step(book, 0.1 * k, 65.0 if k % 2 else 120.0)
    assert not any(isinstance(p, Alert) for p in out)


def test_a_fitted_round_slowing_at_apogee_gets_no_straight_line_warning() -> None:
    book = _book(warn_probability=0.4)
    assert not any(isinstance(p, Alert) for p in _step(book, 0.0, 3000.0))  # fitted, far away
    assert 1 in book.ballistic.fits
    aff = np.array([AFFILIATIONS.index(Affiliation.HOSTILE)], dtype=np.int8)
    fw = np.array([THREAT_CLASSES.index(ThreatClass.FIXED_WING)], dtype=np.int8)
    x = np.array([[1000.0, 0.0, 800.0, -60.0, 0.0, 0.0]])  # 60 m/s straight at hq
    out = [p for _, _, p in book.step(0.1, np.array([1]), x, np.array([0.1]), np.zeros(1), aff, fw)]
    assert not any(isinstance(p, Alert) for p in out)
    # The same track never fitted would be warned on its straight-line path (the drone rule).
    fresh = ThreatBook.create(replace(ThreatParams(), lethal_radius_m=20.0), book.zones, 0.0)
    out = [
        p for _, _, p in fresh.step(0.1, np.array([1]), x, np.array([0.1]), np.zeros(1), aff, fw)
    ]
    assert any(isinstance(p, Alert) and "closest" in p.reason for p in out)
