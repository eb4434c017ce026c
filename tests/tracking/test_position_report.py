"""WGS-84 position reports (ADS-B, Remote ID) to site ENU, and the linear position update."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from filterpy.kalman import KalmanFilter

from bastion.core.geo import Site
from bastion.tracking.kalman_update import log_likelihood
from bastion.tracking.position_report import position_report_measurement, position_update
from bastion.tracking.updater import update as cv_update

SITE = Site(name="test", lat_rad=math.radians(51.5), lon_rad=math.radians(-1.2), alt_m=80.0)
LAT0, LON0 = 51.5, -1.2


def test_point_north_and_east_map_to_enu() -> None:
    """0.01 deg of latitude north of the site is the meridian arc M dphi; 0.01 deg of longitude east is
    N cos(phi) dlambda (WGS-84 radii of curvature, computed here without pymap3d); both fall below
    the site's horizontal plane by about d^2 / (2 R)."""
    a, f = 6378137.0, 1.0 / 298.257223563
    e2 = f * (2.0 - f)
    phi = math.radians(LAT0)
    w = 1.0 - e2 * math.sin(phi) ** 2
    M = a * (1.0 - e2) / w**1.5
    N = a / math.sqrt(w)
    dr = math.radians(0.01)
    z, R = position_report_measurement(
        np.array([LAT0 + 0.01, LAT0]),
        np.array([LON0, LON0 + 0.01]),
        np.array([80.0, 80.0]),
        5.0,
        10.0,
        SITE,
    )
    north_m, east_m = M * dr, N * math.cos(phi) * dr
    assert z[0, 1] == pytest.approx(north_m, abs=0.05)  # ~1113 m
    assert abs(z[0, 0]) < 1e-6
    assert z[0, 2] == pytest.approx(-(north_m**2) / (2 * M), abs=0.01)
    assert z[1, 0] == pytest.approx(east_m, abs=0.05)  # ~693 m
    # the parallel curves poleward away from the tangent plane: northing e^2 tan(phi) / (2 N)
    assert z[1, 1] == pytest.approx(east_m**2 * math.tan(phi) / (2 * N), abs=1e-3)
    assert z[1, 2] == pytest.approx(-(east_m**2) / (2 * N), abs=0.01)
    np.testing.assert_array_equal(R[0], np.diag([25.0, 25.0, 100.0]))


def test_round_trip_through_pymap3d() -> None:
    rng = np.random.default_rng(31)
    enu = rng.uniform([-30_000, -30_000, -50], [30_000, 30_000, 5000], size=(200, 3))
    lat, lon, alt = pymap3d.enu2geodetic(enu[:, 0], enu[:, 1], enu[:, 2], LAT0, LON0, 80.0)
    sigma_h = rng.uniform(1.0, 50.0, 200)
    z, R = position_report_measurement(lat, lon, alt, sigma_h, 15.0, SITE)
    np.testing.assert_allclose(z, enu, rtol=0, atol=1e-6)
    np.testing.assert_allclose(R[:, 0, 0], sigma_h**2)
    np.testing.assert_allclose(R[:, 1, 1], sigma_h**2)
    np.testing.assert_allclose(R[:, 2, 2], 225.0)
    assert np.all(R[:, 0, 1] == 0.0)


def test_scalar_report() -> None:
    z, R = position_report_measurement(LAT0, LON0, 180.0, 3.0, 4.0, SITE)  # type: ignore[arg-type]
    assert z.shape == (1, 3) and R.shape == (1, 3, 3)
    np.testing.assert_allclose(z[0], [0.0, 0.0, 100.0], atol=1e-6)


def test_position_update_matches_existing_cv_update() -> None:
    rng = np.random.default_rng(32)
    k = 30
    x = rng.normal(0.0, 1000.0, size=(k, 6))
    A = rng.normal(size=(k, 6, 6))
    P = A @ np.swapaxes(A, 1, 2) * 100.0 + np.eye(6)
    B = rng.normal(size=(k, 3, 3))
    R = B @ np.swapaxes(B, 1, 2) * 25.0 + np.eye(3)
    z = x[:, 0:3] + rng.normal(0.0, 30.0, size=(k, 3))
    res = position_update(x, P, z, R)
    x_ref, P_ref = cv_update(x, P, z, R)
    np.testing.assert_allclose(res.x, x_ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res.P, P_ref, rtol=1e-7, atol=1e-9 * np.abs(P_ref).max())
    np.testing.assert_array_equal(res.P, np.swapaxes(res.P, 1, 2))


@pytest.mark.oracle
def test_position_update_d9_matches_filterpy() -> None:
    rng = np.random.default_rng(33)
    k = 5
    x = rng.normal(0.0, 100.0, size=(k, 9))
    A = rng.normal(size=(k, 9, 9))
    P = A @ np.swapaxes(A, 1, 2) + np.eye(9)
    R = np.broadcast_to(np.diag([4.0, 9.0, 16.0]), (k, 3, 3)).copy()
    z = x[:, 0:3] + rng.normal(0.0, 3.0, size=(k, 3))
    res = position_update(x, P, z, R)
    for i in range(k):
        kf = KalmanFilter(dim_x=9, dim_z=3)
        kf.x = x[i].copy()
        kf.P = P[i].copy()
        kf.R = R[i].copy()
        kf.H = np.hstack([np.eye(3), np.zeros((3, 6))])
        kf.update(z[i])
        np.testing.assert_allclose(res.x[i], kf.x, rtol=1e-10, atol=1e-9)
        np.testing.assert_allclose(res.P[i], kf.P, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(res.S[i], kf.S, rtol=1e-12)
        assert log_likelihood(res.innovation, res.S)[i] == pytest.approx(kf.log_likelihood)
