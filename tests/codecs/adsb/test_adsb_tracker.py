"""The aircraft tracker: pairing timeouts, plausibility flags, SBS input, and a feed that keeps going."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from bastion.codecs.adsb import AircraftTracker, TrackerParams
from bastion.codecs.adsb.beast import BeastFrame, encode
from bastion.core.geo import Site

DATA = Path(__file__).parents[2] / "data" / "adsb"
EVEN = bytes.fromhex("8D40058B58C901375147EFD09357")
ODD = bytes.fromhex("8D40058B58C904A87F402D3B8C59")
SITE = Site(name="lux", lat_rad=math.radians(49.8), lon_rad=math.radians(6.1), alt_m=300.0)


def _long(data: bytes) -> bytes:
    return encode(BeastFrame(kind="mode_s_long", timestamp_ticks=1, signal=100, data=data))


def test_pair_within_timeout_reports_the_newer_frame() -> None:
    tracker = AircraftTracker(SITE)
    assert tracker.feed_frame(EVEN, 0.0) is None
    report = tracker.feed_frame(ODD, 5.0)
    assert report is not None
    lla = SITE.enu2geodetic(np.array(report.position_m))
    assert math.degrees(lla[0]) == pytest.approx(49.81755143505031, abs=1e-9)
    assert math.degrees(lla[1]) == pytest.approx(6.084421518686655, abs=1e-9)
    assert lla[2] == pytest.approx(39000 * 0.3048, abs=1e-6)
    assert set(report.flags) == {"altitude_baro", "velocity_unknown"}
    assert report.velocity_mps == (0.0, 0.0, 0.0)


def test_pair_older_than_timeout_is_not_decoded() -> None:
    tracker = AircraftTracker(SITE, TrackerParams(pair_timeout_s=10.0))
    tracker.feed_frame(EVEN, 0.0)
    assert tracker.feed_frame(ODD, 10.5) is None
    assert tracker.counts["unpaired"] == 2


def test_position_jump_beyond_physics_is_flagged() -> None:
    tracker = AircraftTracker(SITE)
    tracker.feed_frame(EVEN, 0.0)
    assert tracker.feed_frame(ODD, 1.0) is not None
    # 150 km east one second later: a pair of SBS positions, already decoded by the receiver.
    far = "MSG,3,1,1,40058B,1,,,,,,39000,,,49.8176,8.17,,,0,0,0,0"
    report = tracker.feed_sbs(far, 2.0)
    assert report is not None
    assert "position_jump" in report.flags
    assert tracker.counts["position_jumps"] == 1
    near = "MSG,3,1,1,40058B,1,,,,,,39000,,,49.8176,8.171,,,0,0,0,0"
    second = tracker.feed_sbs(near, 3.0)
    assert second is not None
    assert "position_jump" not in second.flags


def test_sbs_feed_joins_callsign_velocity_and_position() -> None:
    tracker = AircraftTracker(SITE)
    tracker.feed_sbs("MSG,1,1,1,40058B,1,,,,,EZY85MH ,,,,,,,,,,,", 0.0)
    tracker.feed_sbs("MSG,4,1,1,40058B,1,,,,,,,400,90,,,0,,,,,", 0.5)
    report = tracker.feed_sbs("MSG,3,1,1,40058B,1,,,,,,39000,,,49.8,6.2,,,0,0,0,0", 1.0)
    assert report is not None
    assert report.callsign == "EZY85MH"
    assert report.velocity_mps[0] == pytest.approx(400 * 1852 / 3600)
    assert report.velocity_mps[1] == pytest.approx(0.0, abs=1e-9)
    assert report.flags == ("altitude_baro",)


def test_feed_counts_errors_and_keeps_going() -> None:
    tracker = AircraftTracker(SITE)
    corrupt = bytearray(EVEN)
    corrupt[5] ^= 0x01
    assert tracker.feed_frame(bytes(corrupt), 0.0) is None
    assert tracker.feed_sbs("MSG,3,1,1,40058B", 0.1) is None
    assert tracker.feed_frame(EVEN, 0.2) is None
    assert tracker.feed_frame(ODD, 0.3) is not None
    assert tracker.counts["decode_errors"] == 2
    assert [e.data for e in tracker.rejected] == [bytes(corrupt), b"MSG,3,1,1,40058B"]


def test_beast_feed_across_a_cut_frame_and_garbage() -> None:
    tracker = AircraftTracker(SITE)
    wire = b"noise" + _long(EVEN) + _long(ODD)
    cut = len(wire) - 6
    assert tracker.feed_beast(wire[:cut], 0.0) == []
    reports = tracker.feed_beast(wire[cut:], 0.5)
    assert len(reports) == 1
    assert tracker.counts["decode_errors"] == 1


def test_surface_and_airborne_frames_never_pair() -> None:
    tracker = AircraftTracker(SITE)
    tracker.feed_frame(EVEN, 0.0)
    surface_odd = bytes.fromhex("8C394C0F389B1667E947DB7BB8BC")
    tracker.feed_frame(surface_odd, 0.5)
    assert tracker.counts["reports"] == 0


def test_silent_aircraft_are_forgotten() -> None:
    tracker = AircraftTracker(SITE, TrackerParams(stale_s=30.0))
    tracker.feed_frame(EVEN, 0.0)
    tracker.feed_frame(bytes.fromhex("8D406B902015A678D4D220AA4BDA"), 31.0)
    assert sorted(tracker.aircraft) == ["406B90"]


def test_two_thousand_frame_stream_reports_and_never_jumps() -> None:
    """The whole 2,000-frame source stream: every line decodes and no fix is implausible."""
    site = Site(name="near", lat_rad=math.radians(51.0), lon_rad=math.radians(7.0))
    tracker = AircraftTracker(site)
    lines = (DATA / "sample_data_adsb.csv").read_text().splitlines()
    for line in lines:
        t, hex_frame, _icao, _tc = line.split(",")
        tracker.feed_frame(bytes.fromhex(hex_frame.strip('"')), float(t))
    assert tracker.counts["frames"] == len(lines) == 2000
    assert tracker.counts["decode_errors"] == 0
    assert tracker.counts["position_jumps"] == 0
    assert tracker.counts["reports"] > 100


def test_fix_without_altitude_gives_no_report() -> None:
    tracker = AircraftTracker(SITE)
    assert tracker.feed_sbs("MSG,3,1,1,40058B,1,,,,,,,,,49.8,6.2,,,0,0,0,0", 0.0) is None
    assert tracker.counts["altitude_unknown"] == 1
