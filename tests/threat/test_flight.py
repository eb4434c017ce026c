"""Forward and backward flight to the ground, flat and gridded; unscented impact ellipses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.core.ballistics import drag_factor_m2pkg, rk4_step
from bastion.core.params import TerrainParams
from bastion.threat.flight import fly_to_ground
from bastion.threat.terrain import Ground
from bastion.threat.uncertainty import chi2_2dof, ellipse_axes, ellipse_outline, to_ground

SITE_ALT_M = 35.0
K_107 = float(drag_factor_m2pkg(0.35, 0.107, 18.8))


def _launch(elev_deg: float, speed: float) -> tuple[np.ndarray, np.ndarray]:
    e = math.radians(elev_deg)
    head = np.array([-0.8, 0.6, 0.0])
    v = speed * (math.cos(e) * head + np.array([0.0, 0.0, math.sin(e)]))
    return np.array([[4800.0, -3600.0, 0.0]]), v[None, :]


def _fly(p: np.ndarray, v: np.ndarray, k: float, t_s: float, dt: float = 0.01) -> tuple:
    for _ in range(round(t_s / dt)):
        p, v = rk4_step(p, v, np.array([k]), SITE_ALT_M, dt)
    return p, v


def test_forward_impact_matches_a_fine_integration() -> None:
    p0, v0 = _launch(24.5, 350.0)
    p, v = _fly(p0, v0, K_107, 3.0)
    fine, t_fine = fly_to_ground(p, v, np.array([K_107]), SITE_ALT_M, Ground(), dt_s=0.01)
    coarse, t_coarse = fly_to_ground(p, v, np.array([K_107]), SITE_ALT_M, Ground(), dt_s=2.0)
    assert np.hypot(*(coarse[0, :2] - fine[0, :2])) < 0.5
    assert abs(t_coarse[0] - t_fine[0]) < 0.01
    assert abs(coarse[0, 2]) < 1e-3 and 20.0 < t_fine[0] < 25.0


def test_backward_flight_returns_to_the_launch_point() -> None:
    p0, v0 = _launch(60.0, 200.0)
    p, v = _fly(p0, v0, 2.5e-4, 6.0)
    origin, t_back = fly_to_ground(
        p, v, np.array([2.5e-4]), SITE_ALT_M, Ground(), backward=True, dt_s=2.0
    )
    assert np.hypot(*(origin[0, :2] - p0[0, :2])) < 0.5
    assert t_back[0] == pytest.approx(6.0, abs=0.01)


def test_states_on_the_ground_are_their_own_answer_and_no_crossing_is_nan() -> None:
    p = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 500.0]])
    v = np.array([[100.0, 0.0, -10.0], [0.0, 0.0, 50.0]])
    pts, t = fly_to_ground(p, v, np.zeros(2), SITE_ALT_M, Ground(), max_t_s=5.0)
    assert t[0] == 0.0 and np.array_equal(pts[0], p[0])
    assert np.isnan(t[1]) and np.isnan(pts[1]).all()  # still climbing after 5 s


def test_a_ridge_stops_the_round_short() -> None:
    # A 600 m ridge (one grid node, 250 m spacing) 350 m short of the flat-ground impact.
    heights = np.zeros((3, 41))
    heights[:, 30] = 600.0  # east = -8000 + 30 * 250 = -500 m
    ridge = Ground.from_params(
        TerrainParams(
            name="ridge",
            origin_m=(-8000.0, -250.0),
            spacing_m=250.0,
            heights_m=tuple(tuple(r) for r in heights.tolist()),
        )
    )
    p = np.array([[3000.0, 0.0, 1500.0]])
    v = np.array([[-250.0, 0.0, 0.0]])
    flat, _ = fly_to_ground(p, v, np.array([K_107]), SITE_ALT_M, Ground())
    hit, _ = fly_to_ground(p, v, np.array([K_107]), SITE_ALT_M, ridge, dt_s=2.0)
    assert flat[0, 0] < -800.0
    assert -750.0 < hit[0, 0] < -250.0
    assert hit[0, 2] == pytest.approx(float(ridge.height_m(hit[0, 0], hit[0, 1])), abs=0.05)


def test_terrain_is_bilinear_and_clamped_outside_the_grid() -> None:
    g = Ground.from_params(
        TerrainParams(
            name="tilt", origin_m=(0.0, 0.0), spacing_m=100.0, heights_m=((0.0, 10.0), (20.0, 30.0))
        )
    )
    assert float(g.height_m(50.0, 50.0)) == pytest.approx(15.0)
    assert float(g.height_m(-500.0, 1000.0)) == pytest.approx(20.0)
    assert g.extent_m == (0.0, 0.0, 100.0, 100.0)


def test_unscented_ellipse_matches_monte_carlo() -> None:
    p0, v0 = _launch(30.0, 320.0)
    p, v = _fly(p0, v0, K_107, 4.0)
    mean = np.concatenate([p[0], v[0], [K_107]])
    cov = np.diag([15.0, 15.0, 15.0, 2.0, 2.0, 2.0, 1.0e-5]) ** 2
    ut = to_ground(mean[None], cov[None], SITE_ALT_M, Ground())
    rng = np.random.default_rng(3)
    draws = rng.multivariate_normal(mean, cov, 4000)
    mc, _ = fly_to_ground(draws[:, :3], draws[:, 3:6], draws[:, 6], SITE_ALT_M, Ground())
    mc_mean = mc[:, :2].mean(axis=0)
    mc_cov = np.cov(mc[:, :2].T)
    assert np.hypot(*(ut.point_m[0, :2] - mc_mean)) < 10.0
    assert np.allclose(np.sqrt(np.diag(ut.cov_en_m2[0])), np.sqrt(np.diag(mc_cov)), rtol=0.1)
    # 99% of the Monte Carlo impacts fall in the unscented 99% ellipse (within sampling error).
    d = mc[:, :2] - ut.point_m[0, :2]
    m2 = np.einsum("ni,ij,nj->n", d, np.linalg.inv(ut.cov_en_m2[0]), d)
    assert 0.97 <= np.mean(m2 <= chi2_2dof(0.99)) <= 1.0


def test_ellipse_axes_and_outline_contain_the_ellipse() -> None:
    cov = np.array([[[400.0, 0.0], [0.0, 100.0]]])  # sigma 20 m east, 10 m north
    major, minor, heading = ellipse_axes(cov, 0.99)
    assert major[0] == pytest.approx(20.0 * math.sqrt(chi2_2dof(0.99)))
    assert minor[0] == pytest.approx(10.0 * math.sqrt(chi2_2dof(0.99)))
    assert heading[0] == pytest.approx(math.pi / 2)  # major axis east-west
    ring = ellipse_outline(np.zeros((1, 2)), major, minor, heading, n_vertices=16)[0]
    assert ring[:, 0].max() >= major[0] and ring[:, 1].max() >= minor[0]
