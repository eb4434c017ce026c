"""ADS-B reports: one noisy report per alive cooperative object."""

from __future__ import annotations

import numpy as np

from bastion.core.params import AdsbReceiverParams
from bastion.sim import adsb_reports

from .conftest import static_world


def test_reports_only_alive_objects_with_an_icao_address() -> None:
    coop = static_world([(1000.0, 2000.0, 900.0)], velocity_mps=(50.0, 0.0, 0.0), icao="4CA123")
    silent = static_world([(1000.0, 2000.0, 900.0)])
    rng = np.random.default_rng(1)
    params = AdsbReceiverParams(sigma_position_m=10.0)
    (rep,) = adsb_reports(coop, 2.0, params, rng)
    assert rep.source == "adsb" and rep.ident == "4CA123" and rep.callsign == "TEST01"
    assert rep.t_s == 2.0 and rep.velocity_mps == (50.0, 0.0, 0.0)
    assert adsb_reports(silent, 2.0, params, rng) == []
    coop.destroy(0, 3.0)
    assert adsb_reports(coop, 3.0, params, rng) == []


def test_position_noise_matches_sigma() -> None:
    world = static_world([(1000.0, 2000.0, 900.0)], icao="4CA123")
    rng = np.random.default_rng(2)
    params = AdsbReceiverParams(sigma_position_m=25.0)
    pos = np.array([adsb_reports(world, 1.0, params, rng)[0].position_m for _ in range(2000)])
    err = pos - (1000.0, 2000.0, 900.0)
    assert np.all(np.abs(err.mean(axis=0)) < 4.0 * 25.0 / np.sqrt(2000))
    assert np.allclose(err.std(axis=0), 25.0, rtol=0.08)
