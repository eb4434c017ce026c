"""Simulated micro-Doppler: signatures by kind, line detection statistics, radar integration."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from bastion.core.params import BirdFlock, RadarParams, TargetKind
from bastion.sim import Radar, TruthWorld
from bastion.sim.micro_doppler import FALSE_LINE_P, MD_PFA, SIGNATURES, measure, signatures

from .conftest import rocket_107, static_world


def test_signatures_lie_in_each_kinds_range_and_rockets_have_none() -> None:
    kinds = [TargetKind.MULTIROTOR, TargetKind.BIRD, TargetKind.FIXED_WING, TargetKind.ROCKET] * 500
    rate, ratio = signatures(kinds, np.random.default_rng(1))
    for kind, (lo, hi, mean_db, sd_db) in SIGNATURES.items():
        sel = np.array([k is kind for k in kinds])
        if not sel.any():
            continue
        assert np.all((rate[sel] >= lo) & (rate[sel] <= hi)), kind
        assert abs(float(np.mean(ratio[sel])) - mean_db) < 4.0 * sd_db / np.sqrt(sel.sum()), kind
    rockets = np.array([k is TargetKind.ROCKET for k in kinds])
    assert np.isnan(rate[rockets]).all()
    assert np.isnan(ratio[rockets]).all()


def test_line_found_with_swerling_probability_and_measured_near_truth() -> None:
    rng = np.random.default_rng(2)
    m = 20000
    snr_body = np.full(m, 10.0)  # 10 dB body SNR, -10 dB line, +10 dB gain: line SNR 10 (linear)
    rate_true = np.full(m, 200.0)
    out_rate, out_ratio = measure(snr_body, rate_true, np.full(m, -10.0), 10.0, rng)
    expected = MD_PFA ** (1.0 / 11.0)
    found = np.isfinite(out_rate)
    # Spurious lines are counted too: at most FALSE_LINE_P of the misses.
    assert (
        abs(found.mean() - expected) < 4.0 * np.sqrt(expected * (1 - expected) / m) + FALSE_LINE_P
    )
    near = found & (np.abs(np.log(out_rate / 200.0)) < 0.25)
    assert near.sum() / found.sum() > 0.97
    assert abs(float(np.median(out_ratio[near])) + 10.0) < 0.1


def test_objects_without_a_line_show_only_rare_spurious_ones() -> None:
    m = 20000
    out_rate, _ = measure(
        np.full(m, 1e4), np.full(m, np.nan), np.full(m, np.nan), 20.0, np.random.default_rng(3)
    )
    frac = float(np.isfinite(out_rate).mean())
    assert 0.5 * FALSE_LINE_P < frac < 1.5 * FALSE_LINE_P


def test_radar_reports_micro_doppler_without_changing_its_other_draws(
    radar_params: RadarParams,
) -> None:
    world = static_world(
        [(0.0, 2000.0, 100.0), (1000.0, 3000.0, 200.0)], rcs_m2=0.05, duration_s=30.0
    )
    world.md_rate_hz[:] = [150.0, 8.0]
    world.md_ratio_db[:] = [-10.0, -5.0]
    with_md = Radar(replace(radar_params, clutter_per_scan=2.0, micro_doppler_gain_db=15.0))
    without = Radar(replace(radar_params, clutter_per_scan=2.0, micro_doppler_gain_db=None))
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    seen = []
    for i in range(20):
        a = with_md.scan(world, 1.0 + i, rng_a)
        b = without.scan(world, 1.0 + i, rng_b)
        assert np.array_equal(a.range_m, b.range_m)
        assert np.array_equal(a.truth_id, b.truth_id)
        assert a.md_rate_hz.shape == a.range_m.shape == a.md_ratio_db.shape
        assert b.md_rate_hz.size == 0
        for j in (0, 1):
            rates = a.md_rate_hz[a.truth_id == j]
            seen.extend((j, float(r)) for r in rates[np.isfinite(rates)])
    for j, true_hz in ((0, 150.0), (1, 8.0)):
        rates = np.array([r for jj, r in seen if jj == j])
        assert rates.size >= 15, j
        assert abs(float(np.median(np.log(rates / true_hz)))) < 0.05, j


def test_world_gives_each_object_its_kinds_signature() -> None:
    flock = BirdFlock(
        target_id="b",
        centre_m=(0.0, 3000.0, 100.0),
        count=3,
        radius_m=200.0,
        speed_mps=10.0,
        rcs_m2=0.005,
    )
    world = TruthWorld.build([rocket_107(), flock], 60.0, 0.0, np.random.default_rng(5))
    assert world.kinds[0] is TargetKind.ROCKET
    assert np.isnan(world.md_rate_hz[0])
    lo, hi, _, _ = SIGNATURES[TargetKind.BIRD]
    assert np.all((world.md_rate_hz[1:] >= lo) & (world.md_rate_hz[1:] <= hi))
