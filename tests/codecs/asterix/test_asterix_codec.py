"""CAT048 / CAT034 / CAT062 encode and decode: a published vector, round trips, golden bytes."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Plot,
    Cat062Track,
    ServiceKind,
    UnsupportedBlock,
    cat062_to_report,
    decode_datagram,
    encode_cat034,
    encode_cat048,
    encode_cat062,
    report_to_cat062,
)
from bastion.codecs.timebase import RunEpoch
from bastion.core.geo import Site
from bastion.core.records import COOPERATIVE_TRACK_ID_BASE, TrackReport

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "asterix"
NM = 1852.0
SITE = Site(
    name="al-asad", lat_rad=math.radians(33.7856), lon_rad=math.radians(42.4412), alt_m=188.0
)
EPOCH = RunEpoch(utc_at_zero_s=1_700_000_000.0)


def test_libasterix_readme_vector_decodes() -> None:
    # The datagram printed in libasterix's README: a CAT034 north marker, a sector crossing at
    # 0 deg, a CAT048 plot (rho 10 NM, theta 45 deg, Mode 3/A 7777) and a sector crossing at 45 deg.
    data = bytes.fromhex("220007c0010201220008d00102020030000c9801020a0020000fff220008d001020220")
    items = decode_datagram(data)
    kinds = [getattr(i, "kind", None) for i in items]
    assert kinds == [ServiceKind.NORTH_MARKER, ServiceKind.SECTOR_CROSSING, None, 2]
    plot = items[2]
    assert isinstance(plot, Cat048Plot)
    assert (plot.sac, plot.sic) == (1, 2)
    assert plot.range_m == pytest.approx(10.0 * NM)
    assert plot.az_rad == pytest.approx(math.radians(45.0))
    assert plot.mode3a == 0o7777
    assert math.isnan(plot.tod_s)  # the vector has no I048/140
    sector = items[3]
    assert isinstance(sector, Cat034Message)
    assert sector.sector_az_rad == pytest.approx(math.radians(45.0))


def test_cat048_round_trip_within_one_lsb() -> None:
    rng = np.random.default_rng(1)
    plots = [
        Cat048Plot(
            sac=3,
            sic=4,
            tod_s=float(rng.uniform(0, 86_399)),
            range_m=float(rng.uniform(0, 400_000)),
            az_rad=float(rng.uniform(0, 2 * math.pi)),
            height_m=float(rng.uniform(0, 10_000)),
            doppler_mps=float(rng.uniform(-500, 500)),
            rcs_m2=float(rng.uniform(0.001, 5.0)),
        )
        for _ in range(300)
    ]
    back = decode_datagram(encode_cat048(plots))
    assert len(back) == len(plots)
    for p, q in zip(plots, back, strict=True):
        assert isinstance(q, Cat048Plot)
        assert q.tod_s == pytest.approx(p.tod_s, abs=0.5 / 128)
        assert q.range_m == pytest.approx(p.range_m, abs=0.5 * NM / 256 + 1e-9)
        assert math.remainder(q.az_rad - p.az_rad, 2 * math.pi) == pytest.approx(
            0.0, abs=math.pi / 65536 + 1e-12
        )
        assert q.height_m == pytest.approx(p.height_m, abs=0.5 * 25 * 0.3048 + 1e-9)
        assert q.doppler_mps == pytest.approx(p.doppler_mps, abs=0.5)
        assert q.rcs_m2 == pytest.approx(p.rcs_m2, rel=1e-6)


def test_cat048_absent_items_decode_as_nan() -> None:
    (plot,) = decode_datagram(
        encode_cat048([Cat048Plot(sac=1, sic=1, tod_s=0.0, range_m=0.0, az_rad=0.0)])
    )
    assert isinstance(plot, Cat048Plot)
    assert math.isnan(plot.height_m) and math.isnan(plot.doppler_mps) and math.isnan(plot.rcs_m2)
    assert (plot.track_number, plot.mode3a) == (-1, -1)


def test_cat048_out_of_range_values_are_refused() -> None:
    with pytest.raises(ValueError, match="range"):
        encode_cat048([Cat048Plot(sac=1, sic=1, tod_s=0.0, range_m=500_000.0, az_rad=0.0)])
    with pytest.raises(ValueError, match="time of day"):
        encode_cat048([Cat048Plot(sac=1, sic=1, tod_s=86_400.0, range_m=1.0, az_rad=0.0)])


def test_cat048_doppler_beyond_the_item_is_left_out() -> None:
    (plot,) = decode_datagram(
        encode_cat048(
            [Cat048Plot(sac=1, sic=1, tod_s=1.0, range_m=1.0, az_rad=0.0, doppler_mps=650.0)]
        )
    )
    assert isinstance(plot, Cat048Plot)
    assert math.isnan(plot.doppler_mps)


def test_large_encodes_split_into_blocks_under_65535_bytes() -> None:
    plots = [Cat048Plot(sac=1, sic=1, tod_s=1.0, range_m=float(i), az_rad=0.0) for i in range(9000)]
    data = encode_cat048(plots)
    assert len(data) > 65_535
    assert len(decode_datagram(data, max_bytes=len(data))) == 9000


def test_cat062_report_round_trip() -> None:
    report = TrackReport(
        track_id=70_001,
        t_s=123.456,
        position_m=(-3_210.0, 5_432.1, 310.0),
        velocity_mps=(-45.0, 12.5, -3.0),
        position_sigma_m=17.0,
        n_updates=9,
    )
    track = report_to_cat062(report, site=SITE, epoch=EPOCH, sac=25, sic=1, first=True)
    (back,) = decode_datagram(encode_cat062([track]))
    assert isinstance(back, Cat062Track)
    assert back.first and not back.last and back.confirmed
    again = cat062_to_report(back, site=SITE, epoch=EPOCH, near_t_s=124.0)
    assert again.track_id == 70_001 % 65_536
    assert again.t_s == pytest.approx(123.456, abs=0.5 / 128)
    assert np.allclose(again.position_m, report.position_m, atol=1.0)
    assert np.allclose(again.velocity_mps[:2], report.velocity_mps[:2], atol=0.125)
    assert again.velocity_mps[2] == pytest.approx(-3.0, abs=6.25 * 0.3048 / 60)
    assert again.position_sigma_m == pytest.approx(17.0, abs=0.25)


def test_a_cooperative_adsb_track_carries_its_callsign_and_address() -> None:
    coop = TrackReport(
        track_id=COOPERATIVE_TRACK_ID_BASE + 2,
        t_s=10.0,
        position_m=(100.0, 200.0, 900.0),
        velocity_mps=(60.0, 0.0, 0.0),
        position_sigma_m=30.0,
        n_updates=4,
        coop_source="adsb",
        coop_ident="4CA2D1",
        callsign="rch123 ",
    )
    track = report_to_cat062(coop, site=SITE, epoch=EPOCH, sac=25, sic=1)
    assert (track.callsign, track.target_address) == ("RCH123", 0x4CA2D1)
    (back,) = decode_datagram(encode_cat062([track]))
    assert isinstance(back, Cat062Track)
    assert (back.callsign, back.target_address) == ("RCH123", 0x4CA2D1)
    again = cat062_to_report(back, site=SITE, epoch=EPOCH, near_t_s=10.0)
    assert (again.callsign, again.coop_source, again.coop_ident) == ("RCH123", "adsb", "4CA2D1")
    # Remote ID serials and radar tracks have no ICAO identity: neither item goes out
    rid = dataclasses.replace(coop, coop_source="remote_id", coop_ident="1596F3", callsign="op-7")
    radar = dataclasses.replace(coop, track_id=5, coop_source="", coop_ident="", callsign="")
    for report in (rid, radar):
        (plain,) = decode_datagram(
            encode_cat062([report_to_cat062(report, site=SITE, epoch=EPOCH, sac=25, sic=1)])
        )
        assert isinstance(plain, Cat062Track)
        assert (plain.callsign, plain.target_address) == ("", -1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"callsign": "RCH-123"}, "callsign 'RCH-123'"),
        ({"callsign": "ABCDEFGHI"}, "callsign 'ABCDEFGHI'"),
        ({"target_address": 2**24}, "target address 0x1000000 over 24 bits"),
    ],
)
def test_cat062_refuses_identities_it_cannot_carry(change: dict[str, object], message: str) -> None:
    track = dataclasses.replace(GOLDEN_TRACK, **change)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape(message)):
        encode_cat062([track])


def test_unknown_categories_are_reported_not_dropped() -> None:
    data = bytes([1, 0, 5, 0x80, 0x01]) + encode_cat034(
        [Cat034Message(sac=1, sic=1, kind=ServiceKind.NORTH_MARKER)]
    )
    items = decode_datagram(data)
    assert items[0] == UnsupportedBlock(category=1, length=5)
    assert isinstance(items[1], Cat034Message)


GOLDEN_PLOTS = [
    Cat048Plot(sac=25, sic=1, tod_s=45_296.5, range_m=3_000.0, az_rad=math.radians(270.0),
               height_m=350.0, doppler_mps=-48.0, rcs_m2=0.1, simulated=True),
    Cat048Plot(sac=25, sic=1, tod_s=45_296.625, range_m=5_500.0, az_rad=math.radians(135.0)),
]  # fmt: skip
GOLDEN_SERVICE = [
    Cat034Message(
        sac=25, sic=1, kind=ServiceKind.NORTH_MARKER, tod_s=45_297.0, rotation_period_s=1.0
    )
]
GOLDEN_TRACK = Cat062Track(
    sac=25, sic=2, service_id=1, tod_s=45_297.0, track_number=17,
    lat_rad=math.radians(33.8), lon_rad=math.radians(42.4), alt_m=400.0,
    east_m=-3_000.0, north_m=1_500.0, vel_east_mps=45.0, vel_north_mps=0.5, vel_up_mps=-1.0,
    sigma_east_m=20.0, sigma_north_m=20.0, simulated=True,
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cat048_plots.hex", lambda: encode_cat048(GOLDEN_PLOTS)),
        ("cat034_north_marker.hex", lambda: encode_cat034(GOLDEN_SERVICE)),
        ("cat062_track.hex", lambda: encode_cat062([GOLDEN_TRACK])),
    ],
)
def test_golden_bytes(name: str, data: object) -> None:
    # Regenerate deliberately (after checking with the peer) by writing `data().hex()` to the file.
    assert callable(data)
    expected = (GOLDEN / name).read_text().split()[0]
    assert data().hex() == expected


def test_cat062_track_numbers_never_collide_between_radar_and_cooperative_tracks() -> None:
    from bastion.codecs.asterix.tracks import cat062_track_number
    from bastion.core.records import COOPERATIVE_TRACK_ID_BASE

    radar = {cat062_track_number(i) for i in range(1, 2000)}
    coop = {cat062_track_number(COOPERATIVE_TRACK_ID_BASE + i) for i in range(2000)}
    assert not radar & coop
    assert all(0 <= n < 65536 for n in radar | coop)
    assert len(radar) == 1999 and len(coop) == 2000
