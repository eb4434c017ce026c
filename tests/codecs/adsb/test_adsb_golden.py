"""Golden tests: every ADS-B vector of tests/data/adsb decodes to the values pyModeS 3.6.1 gave there.

Expected values are in pyModeS's units (ft, kt, deg, ft/min, hPa); this file converts them to SI with
its own table, so the codec's conversions are checked, not reused.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bastion.codecs.adsb import AircraftStatus, AircraftTracker, cpr, decode
from bastion.codecs.adsb.modes import SPECS, spec_key
from bastion.core.geo import Site

DATA = Path(__file__).parents[2] / "data" / "adsb"
EXPECTED = json.loads((DATA / "expected.json").read_text())["messages"]
PAIRS = json.loads((DATA / "pairs.json").read_text())
STREAM = json.loads((DATA / "stream_expected.json").read_text())["messages"]

FT = 0.3048
KT = 1852.0 / 3600.0
# pyModeS key -> its value in SI, as this test reads the ICAO units.
TO_SI: dict[str, Any] = {
    "altitude": lambda v: v * FT,
    "geo_minus_baro": lambda v: v * FT,
    "selected_altitude": lambda v: v * FT,
    "groundspeed": lambda v: v * KT,
    "airspeed": lambda v: v * KT,
    "track": math.radians,
    "heading": math.radians,
    "selected_heading": math.radians,
    "vertical_rate": lambda v: v * FT / 60.0,
    "baro_pressure_setting": lambda v: v * 100.0,
    "cpr_format": bool,
    "track_status": bool,
    "airspeed_type": lambda v: v == "TAS",
    "vr_source": lambda v: v == "GNSS",
}


def _expect(key: str, value: Any) -> Any:
    return None if value is None else TO_SI.get(key, lambda v: v)(value)


def _same(got: Any, want: Any) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-9)
    return bool(got == want)


@pytest.mark.parametrize("vector", EXPECTED, ids=[v["hex"] for v in EXPECTED])
def test_known_vector_decodes_to_reference_values(vector: dict[str, Any]) -> None:
    want = vector["decoded"]
    record = decode(bytes.fromhex(vector["hex"]))
    got = asdict(record)
    spec = SPECS[spec_key(want)]
    assert type(record) is spec.record
    mismatches = {
        key: (got[spec.fields[key][0]], value)
        for key, value in want.items()
        if key in spec.fields and not _same(got[spec.fields[key][0]], _expect(key, value))
    }
    assert mismatches == {}
    assert (got["icao"], got["df"]) == (want["icao"], want["df"])


def test_every_known_vector_is_in_messages_txt() -> None:
    lines = (DATA / "messages.txt").read_text().splitlines()
    known = [ln.split("\t")[2] for ln in lines if ln.startswith("known\t")]
    assert known == [v["hex"] for v in EXPECTED]


def test_squawk_6513_is_the_gillham_reading_of_the_mode_a_bits() -> None:
    """BDS 6,1 vector: pyModeS v2.9's test asserted 6615, 3.6.1 decodes 6513. Read the 13 bits
    (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4, ME bits 12-24) by hand: 6513."""
    frame = bytes.fromhex("8DA2C1B6E112B600000000760759")
    me = int.from_bytes(frame[4:11], "big")
    bits = [(me >> (55 - i)) & 1 for i in range(11, 24)]
    c1, a1, c2, a2, c4, a4, _x, b1, d1, b2, d2, b4, d4 = bits
    digits = [
        4 * a4 + 2 * a2 + a1,
        4 * b4 + 2 * b2 + b1,
        4 * c4 + 2 * c2 + c1,
        4 * d4 + 2 * d2 + d1,
    ]
    record = decode(frame)
    assert isinstance(record, AircraftStatus)
    assert record.squawk == "".join(map(str, digits)) == "6513"


def _degrees(latlon: tuple[float, float] | None) -> list[float]:
    assert latlon is not None
    return [math.degrees(latlon[0]), math.degrees(latlon[1])]


@pytest.mark.parametrize("pair", PAIRS["airborne_pairs"], ids=lambda p: p["icao"])
def test_airborne_pair_decodes_to_reference_position(pair: dict[str, Any]) -> None:
    even, odd = decode(bytes.fromhex(pair["even"])), decode(bytes.fromhex(pair["odd"]))
    got = cpr.airborne_pair(even, odd, even_is_newer=pair["t_even"] > pair["t_odd"])  # type: ignore[arg-type]
    want = pair["position_of_newer_frame"]
    assert _degrees(got) == pytest.approx([want["lat"], want["lon"]], abs=1e-9)


@pytest.mark.parametrize("pair", PAIRS["surface_pairs"], ids=lambda p: p["icao"])
def test_surface_pair_decodes_to_reference_position(pair: dict[str, Any]) -> None:
    even, odd = decode(bytes.fromhex(pair["even"])), decode(bytes.fromhex(pair["odd"]))
    ref = [math.radians(x) for x in pair["reference"]]
    got = cpr.surface_pair(
        even,  # type: ignore[arg-type]
        odd,  # type: ignore[arg-type]
        ref_lat_rad=ref[0],
        ref_lon_rad=ref[1],
        even_is_newer=pair["t_even"] > pair["t_odd"],
    )
    want = pair["position_of_newer_frame"]
    assert _degrees(got) == pytest.approx([want["lat"], want["lon"]], abs=1e-9)


@pytest.mark.parametrize("case", PAIRS["single_frame_with_reference"], ids=lambda c: c["hex"])
def test_single_frame_with_reference(case: dict[str, Any]) -> None:
    msg = decode(bytes.fromhex(case["hex"]))
    ref = [math.radians(x) for x in case["reference"]]
    got = cpr.airborne_with_reference(msg, ref[0], ref[1])  # type: ignore[arg-type]
    assert _degrees(got) == pytest.approx([case["lat"], case["lon"]], abs=1e-9)


def test_surface_pairs_through_the_tracker_at_the_reference_site() -> None:
    """The tracker decodes surface pairs about its site: the LFBO pair at the airport reference."""
    pair = PAIRS["surface_pairs"][0]
    lat, lon = (math.radians(x) for x in pair["reference"])
    site = Site(name="LFBO", lat_rad=lat, lon_rad=lon, alt_m=150.0)
    tracker = AircraftTracker(site)
    frames = sorted(((pair["t_even"], pair["even"]), (pair["t_odd"], pair["odd"])))
    reports = [tracker.feed_frame(bytes.fromhex(h), t) for t, h in frames]
    assert reports[0] is None
    report = reports[1]
    assert report is not None
    got = site.enu2geodetic(np.array(report.position_m))
    want = pair["position_of_newer_frame"]
    assert [math.degrees(got[0]), math.degrees(got[1])] == pytest.approx(
        [want["lat"], want["lon"]], abs=1e-9
    )
    assert "surface" in report.flags
    speed = math.hypot(report.velocity_mps[0], report.velocity_mps[1])
    assert speed == pytest.approx(pair["groundspeed_kt_odd"] * KT)


def test_stream_reports_match_latest_opposite_pairing() -> None:
    """The 60-frame stream: one report exactly where plain pairing (opposite frame <= 10 s old)
    decodes, at the reference position, with EZY85MH's callsign and its BDS 0,9 velocity."""
    site = Site(name="near", lat_rad=math.radians(51.0), lon_rad=math.radians(7.0))
    tracker = AircraftTracker(site)
    last = None
    for m in STREAM:
        report = tracker.feed_frame(bytes.fromhex(m["hex"]), m["t"])
        want = m.get("pair_decode_latest_opposite_within_10s")
        assert (report is None) == (want is None)
        if m["csv_typecode"] == 19:
            velocity = m["decoded"]
        if report is None or want is None:
            continue
        lla = site.enu2geodetic(np.array(report.position_m))
        assert [math.degrees(lla[0]), math.degrees(lla[1])] == pytest.approx(
            [want["lat"], want["lon"]], abs=1e-9
        )
        speed = math.hypot(report.velocity_mps[0], report.velocity_mps[1])
        assert speed == pytest.approx(velocity["groundspeed"] * KT)
        assert (report.ident, report.source, report.flags) == ("406B90", "adsb", ())
        last = report
    assert tracker.counts["reports"] == 16
    assert last is not None
    assert last.callsign == "EZY85MH"
