"""Sensor registration: azimuth bias and time offset of a radar estimated against ADS-B traffic."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.core.errors import ConfigError
from bastion.core.geo import enu2aer
from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.evals.registration import (
    Look,
    RegistrationScenario,
    looks,
    run,
    score,
)
from bastion.tracking.registration import (
    RegistrationParams,
    SensorBiasEstimator,
    correct,
    kalman_update,
    predict,
    prior_estimate,
)
from bastion.tracking.registration_pairs import PairSet, cooperative_arrays, find_pairs

AZ_TOL_RAD = math.radians(0.1)
TIME_TOL_S = 0.05


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_one_degree_half_second_corrected_within_60_s(seed: int) -> None:
    """The acceptance line: 1 degree and 0.5 s, 4 aircraft (2 radial, 2 crossing), ADS-B 2 Hz with
    20 m sigma, radar 1 Hz: after 60 s both errors are under 0.1 degree and 50 ms, inside 3 sigma."""
    r = run(seed)
    assert r.t_s[-1] == pytest.approx(59.0)
    assert abs(r.az_error_rad[-1]) < AZ_TOL_RAD
    assert abs(r.time_error_s[-1]) < TIME_TOL_S
    assert abs(r.az_error_rad[-1]) < 3.0 * r.sigma_az_rad[-1]
    assert abs(r.time_error_s[-1]) < 3.0 * r.sigma_time_s[-1]
    assert r.converged[-1]
    assert not r.converged[0]
    assert r.n_pairs.mean() > 3.0  # most aircraft paired at most looks


def test_covariance_is_consistent_over_seeds() -> None:
    """Normalised final errors over 20 seeds: mean of (error / sigma)^2 for each component is within
    the 99 % band of chi-square(20) / 20 ([0.37, 2.0]); a filter claiming too small a sigma fails."""
    z_az, z_t = [], []
    for seed in range(100, 120):
        r = run(seed)
        z_az.append(r.az_error_rad[-1] / r.sigma_az_rad[-1])
        z_t.append(r.time_error_s[-1] / r.sigma_time_s[-1])
    assert 0.37 < float(np.mean(np.square(z_az))) < 2.0
    assert 0.37 < float(np.mean(np.square(z_t))) < 2.0


def _batch(t_s: float = 10.0, n: int = 3) -> DetectionBatch:
    rng = np.random.default_rng(7)
    return DetectionBatch(
        sensor_id="r1",
        t_s=t_s,
        sensor_enu_m=np.zeros(3),
        range_m=rng.uniform(2000.0, 9000.0, n),
        az_rad=rng.uniform(0.0, 2.0 * np.pi, n),
        el_rad=rng.uniform(0.0, 0.2, n),
        range_rate_mps=np.zeros(n),
        rcs_m2=np.ones(n),
        sigma_range_m=10.0,
        sigma_az_rad=2e-3,
        sigma_el_rad=3e-3,
        sigma_range_rate_mps=1.0,
    )


def test_no_cooperative_traffic_keeps_the_prior() -> None:
    """Looks with detections but no reports: bias stays zero, sigmas only grow, never converged."""
    est = SensorBiasEstimator()
    prior = prior_estimate("r1", est.params)
    for k in range(60):
        step = est.update(_batch(t_s=float(k)), [])
    e = step.estimate
    np.testing.assert_array_equal(e.bias, np.zeros(3))
    assert e.sigma_az_rad >= prior.sigma_az_rad
    assert e.sigma_time_s >= prior.sigma_time_s
    assert e.n_pairs == 0 and not e.converged
    assert step.det_index.size == 0 and step.n_aircraft == 0


def test_single_radial_aircraft_offset_observable_in_range() -> None:
    """One inbound aircraft: its range rate exposes the offset, its (nearly constant) azimuth the
    bias; both come out consistent and the offset sigma shrinks far below its 1 s prior."""
    sc = RegistrationScenario(n_aircraft=1, radial_share=1.0)
    r = run(11, sc)
    assert r.sigma_time_s[-1] < 0.04
    assert abs(r.time_error_s[-1]) < 3.0 * r.sigma_time_s[-1]
    assert abs(r.az_error_rad[-1]) < min(AZ_TOL_RAD, 3.0 * r.sigma_az_rad[-1])


def test_single_radial_aircraft_cannot_split_offset_from_range_bias() -> None:
    """With the range bias estimated too, one radial aircraft at constant range rate sees only
    range_bias - range_rate * offset: the offset's sigma stays large and the two are correlated."""
    sc = RegistrationScenario(n_aircraft=1, radial_share=1.0)
    params = RegistrationParams(prior_sigma_range_m=100.0)
    est = SensorBiasEstimator(params)
    for batch, reports in looks(11, sc):
        e = est.update(batch, reports).estimate
    corr = e.cov[1, 2] / math.sqrt(e.cov[1, 1] * e.cov[2, 2])
    assert e.sigma_time_s > 0.3
    assert abs(corr) > 0.95


def test_range_bias_estimated_with_mixed_traffic() -> None:
    """Inbound and outbound aircraft (range rates of both signs) separate a 30 m range bias from the
    offset."""
    sc = RegistrationScenario(n_aircraft=6, range_bias_m=30.0)
    params = RegistrationParams(prior_sigma_range_m=100.0)
    est = SensorBiasEstimator(params)
    for batch, reports in looks(5, sc):
        e = est.update(batch, reports).estimate
    sigma_rho = math.sqrt(e.cov[2, 2])
    assert sigma_rho < 2.5
    assert abs(e.range_bias_m - 30.0) < 3.0 * sigma_rho
    assert abs(e.time_offset_s - 0.5) < TIME_TOL_S
    assert abs(e.az_bias_rad - math.radians(1.0)) < AZ_TOL_RAD


def _final(run_looks: list[Look], params: RegistrationParams | None = None) -> np.ndarray:
    est = SensorBiasEstimator(params)
    for batch, reports in run_looks:
        est.update(batch, reports)
    return est.estimate("radar-1").bias


def test_flagged_reports_are_ignored() -> None:
    """Reports flagged position_jump or velocity_unknown, however wrong, change nothing."""
    clean = looks(3)
    bad: list[Look] = []
    for batch, reports in clean:
        junk = [
            replace(r, t_s=r.t_s + 0.1, position_m=(r.position_m[0] + 400.0, *r.position_m[1:]),
                    flags=(flag,))
            for r in reports[-4:]
            for flag in ("position_jump", "velocity_unknown")
        ]  # fmt: skip
        bad.append((batch, [*reports, *junk]))
    np.testing.assert_array_equal(_final(bad), _final(clean))
    step = SensorBiasEstimator().update(*bad[-1])
    assert step.n_rejected == 8


def _with_twin(batch: DetectionBatch, truth_id: int) -> DetectionBatch:
    """`batch` plus a clutter detection 0.2 degree and 30 m from object `truth_id`'s detection."""
    i = np.flatnonzero(batch.truth_id == truth_id)
    return replace(
        batch,
        range_m=np.r_[batch.range_m, batch.range_m[i] + 30.0],
        az_rad=np.r_[batch.az_rad, batch.az_rad[i] + math.radians(0.2)],
        el_rad=np.r_[batch.el_rad, batch.el_rad[i]],
        range_rate_mps=np.r_[batch.range_rate_mps, batch.range_rate_mps[i]],
        rcs_m2=np.r_[batch.rcs_m2, batch.rcs_m2[i]],
        truth_id=np.r_[batch.truth_id, np.full(i.size, -1)],
    )


def test_clutter_next_to_an_aircraft_makes_it_ambiguous_not_wrong() -> None:
    """A clutter detection beside aircraft 0 at every look: aircraft 0 is never paired (its gate
    holds two detections), so the estimate equals the one made without aircraft 0's reports."""
    sc = RegistrationScenario(n_aircraft=5)
    clean = looks(21, sc)
    twin = [(_with_twin(b, 0), reps) for b, reps in clean]
    without_0 = [(b, [r for r in reps if r.ident != "a00000"]) for b, reps in clean]
    est = SensorBiasEstimator()
    ambiguous = 0
    for batch, reports in twin:
        step = est.update(batch, reports)
        assert "adsb:a00000" not in step.ident
        ambiguous += step.n_ambiguous
    assert ambiguous >= 50
    np.testing.assert_allclose(est.estimate("radar-1").bias, _final(without_0), rtol=0, atol=1e-12)
    r = score(twin, sc)
    assert abs(r.az_error_rad[-1]) < AZ_TOL_RAD and abs(r.time_error_s[-1]) < TIME_TOL_S


def _coop(ident: str, pos: tuple[float, float, float]) -> CooperativeReport:
    return CooperativeReport(
        source="adsb", ident=ident, callsign="", t_s=10.0, position_m=pos,
        velocity_mps=(0.0, 0.0, 0.0), position_sigma_m=20.0,
    )  # fmt: skip


def _polar_batch(points: list[tuple[float, float, float]]) -> DetectionBatch:
    aer = enu2aer(np.array(points, dtype=np.float64), np.zeros(3))
    n = aer.shape[0]
    return replace(
        _batch(n=n), range_m=aer[:, 0], az_rad=aer[:, 1], el_rad=aer[:, 2], truth_id=np.arange(n)
    )


def test_ambiguity_rule() -> None:
    """Two aircraft 100 m apart with one detection between them: no pair; a lone aircraft with its
    detection: one pair; two detections in one aircraft's gate: no pair."""
    params = RegistrationParams()
    prior = prior_estimate("r1", params)
    reports = [
        _coop("a", (5000.0, 5000.0, 1000.0)),
        _coop("b", (5070.0, 5070.0, 1000.0)),
        _coop("c", (-6000.0, 2000.0, 1000.0)),
    ]
    coop, _ = cooperative_arrays(reports, 10.0, params)
    batch = _polar_batch([(5035.0, 5035.0, 1000.0), (-6000.0, 2000.0, 1000.0)])
    pairs = find_pairs(batch, coop, prior.bias, prior.cov, params)
    assert [coop.keys[j] for j in pairs.coop_index.tolist()] == ["adsb:c"]
    assert pairs.det_index.tolist() == [1]
    assert pairs.n_ambiguous == 2
    twin = _polar_batch([(-6000.0, 2000.0, 1000.0), (-6010.0, 2030.0, 1000.0)])
    assert find_pairs(twin, coop, prior.bias, prior.cov, params).det_index.size == 0


def test_nearest_report_per_aircraft_is_used() -> None:
    """Of several reports of one aircraft, the one nearest the look's estimated true time."""
    params = RegistrationParams()
    reps = [replace(_coop("a", (1.0 * k, 0.0, 0.0)), t_s=8.0 + 0.5 * k) for k in range(5)]
    coop, _ = cooperative_arrays(reps, 9.4, params)
    assert coop.keys == ("adsb:a",) and coop.t_s.tolist() == [9.5]
    stale, _ = cooperative_arrays(reps, 20.0, params)
    assert stale.keys == ()


def test_correct_removes_the_estimate() -> None:
    """correct(): azimuth minus bias (wrapped), range minus range bias, time minus offset."""
    e = replace(prior_estimate("r1", RegistrationParams()), bias=np.array([0.1, 0.5, 20.0]))
    b = replace(_batch(t_s=10.0), az_rad=np.array([0.05, 1.0, 6.2]))
    c = correct(b, e)
    assert c.t_s == pytest.approx(9.5)
    np.testing.assert_allclose(c.az_rad, np.mod(b.az_rad - 0.1, 2 * np.pi))
    assert c.az_rad.min() >= 0.0
    np.testing.assert_allclose(c.range_m, b.range_m - 20.0)
    np.testing.assert_array_equal(c.el_rad, b.el_rad)
    assert c.sensor_id == b.sensor_id and c.sigma_az_rad == b.sigma_az_rad


def test_corrected_looks_match_the_truth() -> None:
    """After 60 s the corrected looks put aircraft where ADS-B says they were at the corrected time:
    the mean azimuth residual over the last 10 looks drops from about 1 degree to under 0.1 degree,
    and the RMS range residual (0.5 s of radial motion before) drops below 40 m."""
    run_looks = looks(2)
    est = SensorBiasEstimator()
    for batch, reports in run_looks:
        est.update(batch, reports)
    params = est.params
    zero = replace(prior_estimate("radar-1", params), cov=np.diag([1e-3, 0.25, 0.0]))
    residuals: dict[str, list[np.ndarray]] = {"raw": [], "corrected": []}
    for batch, reports in run_looks[-10:]:
        for name, b in (("raw", batch), ("corrected", est.correct(batch))):
            coop, _ = cooperative_arrays(reports, b.t_s, params)
            residuals[name].append(find_pairs(b, coop, zero.bias, zero.cov, params).innovation)
    raw, cor = np.concatenate(residuals["raw"]), np.concatenate(residuals["corrected"])
    assert raw.shape[0] >= 30 and cor.shape[0] >= 30
    assert np.mean(raw[:, 1]) > math.radians(0.7)
    assert abs(np.mean(cor[:, 1])) < math.radians(0.1)
    assert np.sqrt(np.mean(raw[:, 0] ** 2)) > 40.0
    assert np.sqrt(np.mean(cor[:, 0] ** 2)) < 40.0


@pytest.mark.parametrize("fixed_range_bias", [True, False])
def test_information_form_update_matches_filterpy(fixed_range_bias: bool) -> None:
    """The stacked update equals filterpy's KalmanFilter.update on the linearised model (z = nu +
    H b), also with a singular P (range bias held fixed by a zero prior sigma)."""
    from filterpy.kalman import KalmanFilter

    rng = np.random.default_rng(5)
    k = 6
    sigma_rho = 0.0 if fixed_range_bias else 40.0
    params = RegistrationParams(prior_sigma_range_m=sigma_rho)
    est = replace(prior_estimate("r1", params), bias=np.array([0.01, 0.3, 5.0]))
    jac = np.zeros((k, 2, 3))
    jac[:, 0, 1], jac[:, 0, 2] = rng.uniform(-150.0, 150.0, k), 1.0
    jac[:, 1, 0], jac[:, 1, 1] = 1.0, rng.uniform(-0.02, 0.02, k)
    pairs = PairSet(
        det_index=np.arange(k),
        coop_index=np.arange(k),
        innovation=np.c_[rng.normal(0.0, 30.0, k), rng.normal(0.0, 0.01, k)],
        jacobian=jac,
        noise_var=np.c_[rng.uniform(100.0, 900.0, k), rng.uniform(4e-6, 2e-5, k)],
    )
    got = kalman_update(est, pairs)
    kf = KalmanFilter(dim_x=3, dim_z=2 * k)
    kf.x = est.bias.copy()
    kf.P = est.cov.copy()
    kf.H = jac.reshape(2 * k, 3)
    kf.R = np.diag(pairs.noise_var.reshape(2 * k))
    kf.update(pairs.innovation.reshape(2 * k) + kf.H @ est.bias)
    np.testing.assert_allclose(got.bias, kf.x, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got.cov, kf.P, rtol=1e-7, atol=1e-15)
    assert got.n_pairs == k
    if fixed_range_bias:
        assert got.range_bias_m == 5.0 and got.cov[2, 2] == 0.0
    assert np.all(np.linalg.eigvalsh(got.cov) >= -1e-18)


def test_non_finite_detections_are_never_paired() -> None:
    """NaN or infinite measurements fall outside every gate: the estimate is the one made without
    them, and stays finite."""
    clean = looks(4)
    poisoned = []
    for batch, reports in clean:
        bad = replace(
            batch,
            range_m=np.r_[batch.range_m, np.nan, 5000.0],
            az_rad=np.r_[batch.az_rad, 1.0, np.inf],
            el_rad=np.r_[batch.el_rad, 0.1, 0.1],
            range_rate_mps=np.r_[batch.range_rate_mps, 0.0, 0.0],
            rcs_m2=np.r_[batch.rcs_m2, 1.0, 1.0],
            truth_id=np.r_[batch.truth_id, -1, -1],
        )
        poisoned.append((bad, reports))
    got = _final(poisoned)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, _final(clean), rtol=0, atol=1e-12)


def test_reset_returns_to_the_prior() -> None:
    """After a realignment the caller resets the sensor: back to the prior, not converged."""
    est = SensorBiasEstimator()
    for batch, reports in looks(6)[:30]:
        est.update(batch, reports)
    assert est.estimate("radar-1").n_pairs > 0
    est.reset("radar-1")
    e = est.estimate("radar-1")
    assert e.n_pairs == 0 and not e.converged and np.all(e.bias == 0.0)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    steps=st.integers(1, 40),
    range_on=st.booleans(),
)
def test_covariance_stays_symmetric_positive_semidefinite(
    seed: int, steps: int, range_on: bool
) -> None:
    """Random sequences of predicts (random gaps) and updates (random geometry, 0-8 pairs) keep the
    covariance symmetric with non-negative eigenvalues, and the bias finite."""
    rng = np.random.default_rng(seed)
    params = RegistrationParams(prior_sigma_range_m=50.0 if range_on else 0.0)
    e = prior_estimate("r1", params)
    t = 0.0
    for _ in range(steps):
        t += float(rng.exponential(2.0))
        e = predict(e, t, params)
        k = int(rng.integers(0, 9))
        jac = np.zeros((k, 2, 3))
        jac[:, 0, 1], jac[:, 0, 2] = rng.uniform(-300.0, 300.0, k), 1.0
        jac[:, 1, 0], jac[:, 1, 1] = 1.0, rng.uniform(-0.1, 0.1, k)
        noise = np.c_[10.0 ** rng.uniform(0, 5, k), 10.0 ** rng.uniform(-9, -3, k)]
        pairs = PairSet(
            det_index=np.arange(k),
            coop_index=np.arange(k),
            innovation=rng.normal(0.0, 1.0, (k, 2)) * np.sqrt(noise),
            jacobian=jac,
            noise_var=noise,
        )
        e = kalman_update(e, pairs)
        np.testing.assert_array_equal(e.cov, e.cov.T)
        scale = np.sqrt(np.maximum(np.diag(e.cov), 1e-300))
        corr_eig = np.linalg.eigvalsh(e.cov / np.outer(scale, scale))
        assert corr_eig.min() > -1e-9
        assert np.all(np.isfinite(e.bias))
        if not range_on:
            assert e.cov[2, 2] == 0.0 and e.bias[2] == 0.0


@pytest.mark.parametrize(
    ("field", "value"),
    [("prior_sigma_az_rad", 0.0), ("gate_chi2", -1.0), ("sigma_velocity_mps", math.nan)],
)
def test_invalid_params_are_refused_with_the_field(field: str, value: float) -> None:
    with pytest.raises(ConfigError, match=field):
        RegistrationParams(**{field: value})
