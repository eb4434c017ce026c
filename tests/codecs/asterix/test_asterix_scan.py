"""CAT048 plots to per-scan `DetectionBatch`es: geometry, Doppler sign, scan delimiting."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Plot,
    RadarConfig,
    ScanAssembler,
    ServiceKind,
    batch_to_plots,
    decode_datagram,
    elevation_from_height,
    encode_cat034,
    encode_cat048,
    height_from_elevation,
)
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.measurements import DetectionBatch

SITE = Site(name="base", lat_rad=math.radians(33.78), lon_rad=math.radians(42.44), alt_m=180.0)
EPOCH = RunEpoch(utc_at_zero_s=1_700_000_000.0 - 1_700_000_000.0 % 86_400 + 86_000.0)
RADAR = RadarConfig(
    sensor_id="radar-1",
    sac=25,
    sic=1,
    site=SITE,
    sensor_enu_m=(100.0, -50.0, 12.0),
    sigma_range_m=5.0,
    sigma_az_rad=0.01,
    sigma_el_rad=0.01,
    sigma_range_rate_mps=1.0,
)


def _batch(n: int, t_s: float, rng: np.random.Generator) -> DetectionBatch:
    return DetectionBatch(
        sensor_id="radar-1",
        t_s=t_s,
        sensor_enu_m=np.array(RADAR.sensor_enu_m),
        range_m=rng.uniform(200.0, 20_000.0, n),
        az_rad=rng.uniform(0.0, 2 * math.pi, n),
        el_rad=rng.uniform(0.0, 0.5, n),
        range_rate_mps=rng.uniform(-300.0, 300.0, n),
        rcs_m2=rng.uniform(0.001, 1.0, n),
        sigma_range_m=5.0,
        sigma_az_rad=0.01,
        sigma_el_rad=0.01,
        sigma_range_rate_mps=1.0,
    )


def test_height_and_elevation_are_inverse() -> None:
    rng = np.random.default_rng(3)
    r = rng.uniform(10.0, 100_000.0, 500)
    el = rng.uniform(-0.2, 1.5, 500)
    assert np.allclose(elevation_from_height(r, height_from_elevation(r, el, RADAR), RADAR), el)


def test_elevation_matches_flat_geometry_near_the_radar() -> None:
    # 1 km out at 100 m above the radar: curvature adds under 0.1 m.
    el = elevation_from_height(np.array([1000.0]), np.array([RADAR.radar_height_m + 100.0]), RADAR)
    assert float(el[0]) == pytest.approx(math.asin(0.1), abs=1e-4)


def test_simulated_batch_survives_cat048_within_the_wire_resolution() -> None:
    rng = np.random.default_rng(7)
    batch = _batch(50, 12.0, rng)
    data = encode_cat048(batch_to_plots(batch, RADAR, EPOCH)) + encode_cat034(
        [Cat034Message(sac=25, sic=1, kind=ServiceKind.NORTH_MARKER)]
    )
    assembler = ScanAssembler([RADAR], EPOCH)
    out = assembler.push(decode_datagram(data), arrival_t_s=12.3)
    assert out.rejected == []
    (back,) = out.batches
    assert back.t_s == pytest.approx(12.0, abs=1 / 128)
    assert back.sensor_id == "radar-1"
    assert np.allclose(back.sensor_enu_m, RADAR.sensor_enu_m)
    assert np.allclose(back.range_m, batch.range_m, atol=1852 / 512 + 1e-9)
    assert np.allclose(back.el_rad, batch.el_rad, atol=(25 * 0.3048) / batch.range_m)
    assert np.allclose(back.range_rate_mps, batch.range_rate_mps, atol=0.5)
    assert np.allclose(back.rcs_m2, batch.rcs_m2, rtol=1e-6)
    assert np.all(back.truth_id == -1)
    assert back.sigma_range_m == RADAR.sigma_range_m


def _fields(radar: RadarConfig) -> dict[str, object]:
    return {name: getattr(radar, name) for name in radar.__slots__}  # type: ignore[attr-defined]


def test_north_marker_closes_the_scan_and_sector_crossings_only_when_asked() -> None:
    def plot(tod: float) -> Cat048Plot:
        return Cat048Plot(sac=25, sic=1, tod_s=tod, range_m=1000.0, az_rad=0.0, doppler_mps=5.0)

    sector = Cat034Message(sac=25, sic=1, kind=ServiceKind.SECTOR_CROSSING)
    north = Cat034Message(sac=25, sic=1, kind=ServiceKind.NORTH_MARKER)
    tod0 = EPOCH.time_of_day_s(0.0)
    stream = [plot(tod0 + 0.1), sector, plot(tod0 + 0.6), north, plot(tod0 + 1.1)]
    whole = ScanAssembler([RADAR], EPOCH).push(stream, arrival_t_s=1.2)
    assert [len(b) for b in whole.batches] == [2]
    assert whole.batches[0].t_s == pytest.approx(0.35, abs=1 / 128)
    assert float(whole.batches[0].range_rate_mps[0]) == 5.0
    split = ScanAssembler([RADAR], EPOCH, split_on_sectors=True)
    out = split.push(stream, arrival_t_s=1.2)
    assert [len(b) for b in out.batches] == [1, 1]
    assert [len(b) for b in split.flush()] == [1]
    flipped = RadarConfig(**{**_fields(RADAR), "doppler_positive_receding": False})
    (neg,) = ScanAssembler([flipped], EPOCH).push(stream[:4], arrival_t_s=1.2).batches
    assert float(neg.range_rate_mps[0]) == -5.0


def test_time_of_day_unwraps_across_midnight() -> None:
    # The epoch puts midnight 400 s after t = 0: a plot stamped 23:59:59.5 arriving at 00:00:00.5
    # belongs 1 s before its arrival.
    assembler = ScanAssembler([RADAR], EPOCH)
    plot = Cat048Plot(sac=25, sic=1, tod_s=86_399.5, range_m=1000.0, az_rad=0.0)
    assembler.push([plot], arrival_t_s=400.5)
    (batch,) = assembler.flush()
    assert batch.t_s == pytest.approx(399.5)


def test_a_radar_without_cat034_is_cut_by_time_and_unknown_radars_are_rejected() -> None:
    assembler = ScanAssembler([RADAR], EPOCH, max_span_s=2.0)
    tod0 = EPOCH.time_of_day_s(0.0)
    plots = [Cat048Plot(sac=25, sic=1, tod_s=tod0 + t, range_m=1.0, az_rad=0.0) for t in range(6)]
    stranger = Cat048Plot(sac=99, sic=9, tod_s=tod0, range_m=1.0, az_rad=0.0)
    out = assembler.push([*plots, stranger], arrival_t_s=6.0)
    assert [len(b) for b in out.batches] == [3]
    assert [len(b) for b in assembler.flush()] == [3]
    assert out.rejected == ["CAT048 plot from unconfigured radar SAC/SIC 99/9"]


def test_open_scans_are_bounded() -> None:
    assembler = ScanAssembler([RADAR], EPOCH, max_plots=10)
    plots = [Cat048Plot(sac=25, sic=1, tod_s=math.nan, range_m=1.0, az_rad=0.0)] * 35
    out = assembler.push(plots, arrival_t_s=3.0)
    assert [len(b) for b in out.batches] == [10, 10, 10]
    assert [len(b) for b in assembler.flush()] == [5]


def test_split_sectors_declare_the_azimuths_they_swept() -> None:
    """North, crossings at 90 and 180 degrees, north: the batches after the first crossing say
    which sector they cover (the first, with no known start, covers everything)."""
    import math

    def plot(tod: float, az_deg: float) -> Cat048Plot:
        az = math.radians(az_deg)
        return Cat048Plot(sac=25, sic=1, tod_s=tod, range_m=1000.0, az_rad=az)

    def crossing(az_deg: float) -> Cat034Message:
        return Cat034Message(
            sac=25, sic=1, kind=ServiceKind.SECTOR_CROSSING, sector_az_rad=math.radians(az_deg)
        )

    north = Cat034Message(sac=25, sic=1, kind=ServiceKind.NORTH_MARKER)
    t0 = EPOCH.time_of_day_s(0.0)
    stream = [plot(t0 + 0.1, 45), crossing(90), plot(t0 + 0.3, 135), crossing(180)]
    stream += [plot(t0 + 0.6, 270), north, plot(t0 + 1.1, 45), crossing(90)]
    out = ScanAssembler([RADAR], EPOCH, split_on_sectors=True).push(stream, arrival_t_s=1.2)
    sectors = [
        (round(math.degrees(b.sector_start_az_rad)), round(math.degrees(b.sector_extent_rad)))
        for b in out.batches
    ]
    assert sectors == [(0, 360), (90, 90), (180, 180), (0, 90)]
