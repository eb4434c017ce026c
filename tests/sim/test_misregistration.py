"""The misregistered radar and the cooperative traffic used to test sensor registration."""

from __future__ import annotations

import math

import numpy as np

from bastion.sim.misregistration import cooperative_traffic, misregistered_scan, surveillance_radar
from bastion.sim.radar import Radar


def test_misregistered_scan_is_the_true_look_turned_and_restamped() -> None:
    """Same draws as a plain scan at t - offset; azimuths + bias (wrapped), ranges + range bias."""
    world = cooperative_traffic(np.random.default_rng(1), 5, 20.0)
    radar = Radar(surveillance_radar())
    plain = radar.scan(world, 9.5, np.random.default_rng(2))
    bias = math.radians(1.0)
    mis = misregistered_scan(
        radar,
        world,
        10.0,
        np.random.default_rng(2),
        az_bias_rad=bias,
        time_offset_s=0.5,
        range_bias_m=12.0,
    )
    assert mis.t_s == 10.0 and plain.t_s == 9.5
    np.testing.assert_allclose(mis.az_rad, np.mod(plain.az_rad + bias, 2 * np.pi))
    np.testing.assert_allclose(mis.range_m, plain.range_m + 12.0)
    np.testing.assert_array_equal(mis.el_rad, plain.el_rad)
    np.testing.assert_array_equal(mis.truth_id, plain.truth_id)
    assert np.all((mis.az_rad >= 0.0) & (mis.az_rad < 2 * np.pi))


def test_cooperative_traffic_mixes_radial_and_crossing_flight() -> None:
    """Half the aircraft fly radially (velocity along the bearing), the rest across it; all carry
    an ICAO address and stay outside 1 km of the radar for 60 s."""
    world = cooperative_traffic(np.random.default_rng(3), 4, 60.0)
    assert all(world.adsb_icao) and len(set(world.adsb_icao)) == 4
    pos, vel, alive = world.state_at(0.0)
    assert alive.all()
    los = pos[:, :2] / np.linalg.norm(pos[:, :2], axis=1, keepdims=True)
    along = np.abs(np.einsum("ij,ij->i", los, vel[:, :2])) / np.linalg.norm(vel[:, :2], axis=1)
    np.testing.assert_allclose(along[:2], 1.0, atol=1e-9)
    assert np.all(along[2:] < math.sin(math.radians(30.0)) + 1e-9)
    for t in np.arange(0.0, 60.0, 1.0):
        p, _, _ = world.state_at(float(t))
        assert np.all(np.hypot(p[:, 0], p[:, 1]) > 1000.0)
