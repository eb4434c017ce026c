"""CAT048 plots as columns (`Cat048Arrays`): the scan assembler makes the same batches from a data
block's columns as from its plots one by one, whatever the radars, cuts, times and refusals."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Arrays,
    Cat048Plot,
    RadarConfig,
    ScanAssembler,
    ServiceKind,
    decode_datagram,
    decode_datagram_arrays,
    encode_cat034,
    encode_cat048,
)
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.measurements import DetectionBatch

SITE = Site(name="base", lat_rad=math.radians(33.78), lon_rad=math.radians(42.44), alt_m=180.0)
EPOCH = RunEpoch(
    utc_at_zero_s=1_700_000_000.0 - 1_700_000_000.0 % 86_400 + 86_390.0
)  # midnight at t=10 s


def _radar(sic: int, default_height_m: float | None) -> RadarConfig:
    return RadarConfig(
        sensor_id=f"radar-{sic}",
        sac=25,
        sic=sic,
        site=SITE,
        sensor_enu_m=(100.0 * sic, -50.0, 12.0),
        sigma_range_m=5.0,
        sigma_az_rad=0.01,
        sigma_el_rad=0.01,
        sigma_range_rate_mps=1.0,
        default_height_m=default_height_m,
        doppler_positive_receding=sic == 1,
    )


RADARS = [_radar(1, None), _radar(2, 300.0)]


def _plot(rng: np.random.Generator, sic: int, t_s: float) -> Cat048Plot:
    def maybe(p: float, value: float) -> float:
        return value if rng.random() < p else math.nan

    return Cat048Plot(
        sac=25,
        sic=sic,
        tod_s=maybe(0.9, EPOCH.time_of_day_s(t_s + rng.uniform(-0.5, 0.5))),
        range_m=float(rng.uniform(100.0, 30_000.0)),
        az_rad=float(rng.uniform(0.0, 2 * math.pi)),
        height_m=maybe(0.5, float(rng.uniform(0.0, 3000.0))),
        flight_level_m=maybe(0.5, float(rng.uniform(0.0, 3000.0))),
        doppler_mps=maybe(0.5, float(rng.uniform(-300.0, 300.0))),
        rcs_m2=maybe(0.5, float(rng.uniform(0.001, 1.0))),
    )


def _datagrams(seed: int, n: int) -> list[tuple[float, bytes]]:
    """(arrival, datagram): blocks of one radar, of two radars, of an unknown one; markers; gaps."""
    rng = np.random.default_rng(seed)
    out = []
    t = 1.0
    for _ in range(n):
        t += float(rng.choice([0.05, 0.4, 7.0]))  # 7 s gaps cut open scans (max_span_s 10)
        sics = [[1], [2], [1, 2], [3], [1, 1, 1]][int(rng.integers(0, 5))]
        plots = [_plot(rng, int(rng.choice(sics)), t) for _ in range(int(rng.integers(1, 25)))]
        data = encode_cat048(plots)
        if rng.random() < 0.3:
            sic = int(rng.integers(1, 3))
            kind = ServiceKind.NORTH_MARKER if rng.random() < 0.7 else ServiceKind.SECTOR_CROSSING
            msg = Cat034Message(sac=25, sic=sic, kind=kind, tod_s=EPOCH.time_of_day_s(t))
            data += encode_cat034([msg])
        out.append((t, data))
    return out


def _same_batch(a: DetectionBatch, b: DetectionBatch) -> bool:
    return all(
        np.array_equal(getattr(a, f.name), getattr(b, f.name), equal_nan=True)
        if isinstance(getattr(a, f.name), np.ndarray)
        else getattr(a, f.name) == getattr(b, f.name)
        for f in fields(a)
    )


@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.integers(0, 10_000), st.sampled_from([7, 40, 100_000]), st.booleans())
def test_columns_and_plots_make_the_same_batches(seed: int, max_plots: int, sectors: bool) -> None:
    by_plot = ScanAssembler(RADARS, EPOCH, split_on_sectors=sectors, max_plots=max_plots)
    by_block = ScanAssembler(RADARS, EPOCH, split_on_sectors=sectors, max_plots=max_plots)
    batches = 0
    for arrival, data in _datagrams(seed, 30):
        a = by_plot.push(decode_datagram(data), arrival)
        b = by_block.push(decode_datagram_arrays(data), arrival)
        assert a.rejected == b.rejected
        assert len(a.batches) == len(b.batches)
        assert all(_same_batch(x, y) for x, y in zip(a.batches, b.batches, strict=True))
        batches += len(a.batches)
    final_a, final_b = by_plot.flush(), by_block.flush()
    assert len(final_a) == len(final_b)
    assert all(_same_batch(x, y) for x, y in zip(final_a, final_b, strict=True))
    assert batches + len(final_a) > 0


def test_columns_round_trip_plots() -> None:
    rng = np.random.default_rng(5)
    plots = [_plot(rng, 1 + i % 2, 3.0) for i in range(40)]
    arrays = Cat048Arrays.from_plots(plots)
    assert len(arrays) == 40
    back = arrays.plots()
    assert [repr(p) for p in back] == [repr(p) for p in plots]
    assert [repr(p) for p in Cat048Arrays.concat([arrays, arrays.take(np.arange(3))]).plots()] == [
        repr(p) for p in plots + plots[:3]
    ]
