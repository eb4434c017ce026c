"""Converted measurement: positions agree with core geometry, Jacobian and covariance are right."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.core.geo import aer2enu
from bastion.tracking.measurement import converted_measurement, polar2enu, polar2enu_jacobian

SENSOR = np.array([120.0, -40.0, 15.0])


def test_position_matches_core_aer2enu() -> None:
    rng = np.random.default_rng(3)
    aer = np.column_stack(
        [rng.uniform(100, 30_000, 50), rng.uniform(0, 2 * np.pi, 50), rng.uniform(-0.1, 1.4, 50)]
    )
    z = polar2enu(aer[:, 0], aer[:, 1], aer[:, 2], SENSOR)
    np.testing.assert_allclose(z, aer2enu(aer, SENSOR), rtol=0, atol=1e-8)


def test_jacobian_matches_finite_differences() -> None:
    r, az, el = np.array([8_000.0]), np.array([2.1]), np.array([0.3])
    J = polar2enu_jacobian(r, az, el)[0]
    h = np.array([1e-3, 1e-7, 1e-7])
    for k in range(3):
        d = np.zeros(3)
        d[k] = h[k]
        hi = polar2enu(r + d[0], az + d[1], el + d[2], SENSOR)[0]
        lo = polar2enu(r - d[0], az - d[1], el - d[2], SENSOR)[0]
        np.testing.assert_allclose(J[:, k], (hi - lo) / (2 * h[k]), rtol=1e-6, atol=1e-6)


def test_closed_form_covariance_equals_jacobian_product() -> None:
    rng = np.random.default_rng(4)
    r = rng.uniform(100, 30_000, 40)
    az = rng.uniform(0, 2 * np.pi, 40)
    el = rng.uniform(-0.2, 1.5, 40)
    sig = np.array([12.0, 3e-3, 4e-3])
    _, R = converted_measurement(r, az, el, SENSOR, *sig)
    Js = polar2enu_jacobian(r, az, el) * sig
    np.testing.assert_allclose(R, Js @ Js.transpose(0, 2, 1), rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(R, R.transpose(0, 2, 1))
    assert np.all(np.linalg.eigvalsh(R) > 0)


@pytest.mark.parametrize(
    ("r_m", "az_rad", "el_rad"),
    [(5_000.0, 0.3, 0.05), (15_000.0, 2.5, 0.4), (30_000.0, 4.4, 1.0)],
)
def test_converted_covariance_matches_monte_carlo(r_m: float, az_rad: float, el_rad: float) -> None:
    """Sample noisy (r, az, el), convert each, and compare the sample covariance with R."""
    rng = np.random.default_rng(5)
    sig = np.array([10.0, 2e-3, 2e-3])
    n = 200_000
    noisy = np.array([r_m, az_rad, el_rad]) + rng.normal(size=(n, 3)) * sig
    samples = polar2enu(noisy[:, 0], noisy[:, 1], noisy[:, 2], SENSOR)
    cov = np.cov(samples.T)
    z, R = converted_measurement(
        np.array([r_m]), np.array([az_rad]), np.array([el_rad]), SENSOR, *sig
    )
    # Compare in the whitened frame: R^-1/2 C R^-1/2 should be I within sampling error (~3/sqrt(n)).
    w = np.linalg.inv(np.linalg.cholesky(R[0]))
    white = w @ cov @ w.T
    np.testing.assert_allclose(white, np.eye(3), atol=0.02)
    # The linearised conversion is unbiased to well under a sigma here.
    bias = samples.mean(axis=0) - z[0]
    assert float(bias @ np.linalg.solve(R[0], bias)) < 0.01


def test_per_detection_sigmas_broadcast() -> None:
    r = np.array([1_000.0, 2_000.0])
    az = np.array([0.0, 1.0])
    el = np.array([0.1, 0.2])
    _, R_arr = converted_measurement(r, az, el, SENSOR, np.array([5.0, 10.0]), 1e-3, 1e-3)
    _, R0 = converted_measurement(r[:1], az[:1], el[:1], SENSOR, 5.0, 1e-3, 1e-3)
    _, R1 = converted_measurement(r[1:], az[1:], el[1:], SENSOR, 10.0, 1e-3, 1e-3)
    np.testing.assert_allclose(R_arr, np.concatenate([R0, R1]))
