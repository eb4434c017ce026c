"""The radar model: Swerling I detection statistics, noise, clutter, volume and determinism."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bastion.core.errors import ConfigError
from bastion.core.geo import enu2aer
from bastion.core.measurements import DetectionBatch
from bastion.core.params import RadarParams
from bastion.sim import Radar, pd_swerling1

from .conftest import static_world

N_SCANS = 2000


def _scans(radar: Radar, world: object, seed: int, n: int = N_SCANS) -> list[DetectionBatch]:
    rng = np.random.default_rng(seed)
    return [radar.scan(world, 1.0 + 0.001 * i, rng) for i in range(n)]  # type: ignore[arg-type]


def test_pd_swerling1_formula() -> None:
    assert float(pd_swerling1(0.0, 1e-6)) == pytest.approx(1e-6)
    assert float(pd_swerling1(1e9, 1e-6)) == pytest.approx(1.0, abs=1e-6)
    snr = np.array([1.0, 10.0, 100.0])
    pd = pd_swerling1(snr, 1e-4)
    assert np.allclose(pd, np.exp(np.log(1e-4) / (1.0 + snr)))
    assert np.all(np.diff(pd) > 0.0)


@pytest.mark.parametrize("range_m", [4000.0, 6000.0, 7000.0])
def test_detection_rate_matches_swerling1(radar_params: RadarParams, range_m: float) -> None:
    world = static_world([(0.0, range_m, 10.0)], rcs_m2=0.01)
    snr = 10.0 ** (13.0 / 10.0) * (5000.0 / range_m) ** 4
    pd = 1e-6 ** (1.0 / (1.0 + snr))
    hits = sum(len(b) for b in _scans(Radar(radar_params), world, seed=int(range_m)))
    tolerance = 4.0 * math.sqrt(pd * (1.0 - pd) / N_SCANS)
    assert abs(hits / N_SCANS - pd) < tolerance
    assert 0.05 < pd < 0.95  # the test is sensitive at these ranges


def test_measurement_noise_matches_sigmas(radar_params: RadarParams) -> None:
    start, vel = (3000.0, 3000.0, 500.0), (20.0, -10.0, 5.0)
    world = static_world([start], rcs_m2=1.0, velocity_mps=vel)
    batches = [b for b in _scans(Radar(radar_params), world, seed=5) if len(b)]
    assert len(batches) > 0.99 * N_SCANS  # Pd = 0.996 for 1 m^2 at 4.3 km (Swerling I fades)
    t = np.array([b.t_s for b in batches])
    truth = np.asarray(start) + t[:, None] * np.asarray(vel)
    aer = enu2aer(truth, np.array([0.0, 0.0, 10.0]))
    rel = truth - (0.0, 0.0, 10.0)
    rr = rel @ np.asarray(vel) / aer[:, 0]
    meas = np.array(
        [[b.range_m[0], b.az_rad[0], b.el_rad[0], b.range_rate_mps[0]] for b in batches]
    )
    err = meas - np.column_stack([aer, rr])
    err[:, 1] = np.mod(err[:, 1] + np.pi, 2.0 * np.pi) - np.pi
    sigma = np.array([5.0, 0.01, 0.008, 1.0])
    assert np.all(np.abs(err.mean(axis=0)) < 4.0 * sigma / math.sqrt(N_SCANS))
    assert np.allclose(err.std(axis=0), sigma, rtol=0.08)
    assert rr[0] > 0.0  # receding: moving away east/up faster than it closes north


def test_rcs_estimate_is_exponential_about_truth(radar_params: RadarParams) -> None:
    world = static_world([(0.0, 2000.0, 300.0)], rcs_m2=0.5)
    batches = _scans(Radar(radar_params), world, seed=9)
    rcs = np.array([b.rcs_m2[0] for b in batches if len(b)])
    assert rcs.mean() == pytest.approx(0.5, rel=4.0 / math.sqrt(rcs.size))
    assert rcs.std() / rcs.mean() == pytest.approx(1.0, abs=0.12)


def test_clutter_is_poisson_and_inside_the_volume(radar_params: RadarParams) -> None:
    params = replace(radar_params, clutter_per_scan=3.0)
    world = static_world([(0.0, 20_000.0, 100.0)])  # beyond max range: never seen
    batches = _scans(Radar(params), world, seed=21)
    counts = np.array([len(b) for b in batches])
    assert abs(counts.mean() - 3.0) < 4.0 * math.sqrt(3.0 / N_SCANS)
    assert counts.var() == pytest.approx(3.0, rel=0.15)
    r = np.concatenate([b.range_m for b in batches])
    el = np.concatenate([b.el_rad for b in batches])
    rcs = np.concatenate([b.rcs_m2 for b in batches])
    assert np.all(np.concatenate([b.truth_id for b in batches]) == -1)
    assert r.min() >= 100.0 and r.max() <= 8000.0
    assert el.min() >= -0.05 and el.max() <= 1.4
    assert rcs.min() >= 1e-4 and rcs.max() <= 1e-1
    # Uniform in volume: half the clutter lies beyond the radius enclosing half the volume.
    r_half = ((100.0**3 + 8000.0**3) / 2.0) ** (1.0 / 3.0)
    frac = float(np.mean(r > r_half))
    assert abs(frac - 0.5) < 4.0 * math.sqrt(0.25 / r.size)


def test_no_detection_of_objects_outside_the_volume(radar_params: RadarParams) -> None:
    world = static_world(
        [
            (0.0, 9000.0, 100.0),  # beyond max range
            (30.0, 40.0, 10.0),  # inside min range
            (0.0, 150.0, 0.0),  # below min elevation (-0.066 rad)
            (0.0, 50.0, 2000.0),  # above max elevation
            (0.0, 3000.0, 200.0),  # inside
            (-2000.0, -2000.0, 800.0),  # inside
        ],
        rcs_m2=10.0,
    )
    batches = _scans(Radar(radar_params), world, seed=2, n=300)
    seen = np.concatenate([b.truth_id for b in batches])
    assert set(seen.tolist()) == {4, 5}


def test_destroyed_objects_are_not_detected(radar_params: RadarParams) -> None:
    world = static_world([(0.0, 3000.0, 200.0)], rcs_m2=10.0)
    radar, rng = Radar(radar_params), np.random.default_rng(0)
    assert len(radar.scan(world, 2.0, rng)) == 1
    world.destroy(0, 2.5)
    assert len(radar.scan(world, 2.5, rng)) == 0


def test_same_seed_gives_identical_shuffled_batches(radar_params: RadarParams) -> None:
    params = replace(radar_params, clutter_per_scan=4.0)
    positions = [(300.0 * i, 2000.0 + 100.0 * i, 150.0) for i in range(8)]
    world = static_world(positions, rcs_m2=5.0)
    a, b = _scans(Radar(params), world, 77, 50), _scans(Radar(params), world, 77, 50)
    c = _scans(Radar(params), world, 78, 50)
    for x, y in zip(a, b, strict=True):
        for name in ("range_m", "az_rad", "el_rad", "range_rate_mps", "rcs_m2", "truth_id"):
            assert np.array_equal(getattr(x, name), getattr(y, name))
    assert any(not np.array_equal(x.range_m, z.range_m) for x, z in zip(a, c, strict=True))
    # Shuffled: targets are not always reported in index order, nor clutter always last.
    ids = [x.truth_id for x in a]
    assert any(np.any(np.diff(i[i >= 0]) < 0) for i in ids)
    assert any(np.any(i[:-1] == -1) for i in ids)
    first = a[0]
    assert first.sensor_id == "radar-1" and first.t_s == 1.0
    assert np.array_equal(first.sensor_enu_m, (0.0, 0.0, 10.0))
    assert first.sigma_range_m == 5.0 and first.truth_id.dtype == np.int64


def test_bad_radar_params_are_rejected(radar_params: RadarParams) -> None:
    with pytest.raises(ConfigError, match="radar-1"):
        Radar(replace(radar_params, min_range_m=9000.0))
    with pytest.raises(ConfigError, match="pfa"):
        Radar(replace(radar_params, pfa=1.5))
