"""Oracle: Bastion's CAT048, CAT034 and CAT062 bytes decode with a second, independent decoder.

The peer is CroatiaControl's `asterix-decoder` (C++, its own XML category definitions: CAT048 1.21,
CAT034 1.27, CAT062 1.18), run in its own environment (see conftest.py). Every value Bastion writes
must come back from the peer equal to what Bastion's own decoder reads, within one LSB.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

from bastion.codecs.asterix import (
    Cat034Message,
    Cat048Plot,
    Cat062Track,
    decode_datagram,
    encode_cat034,
    encode_cat048,
    encode_cat062,
)

PeerDecode = Callable[[Sequence[bytes]], list[list[dict[str, Any]]]]

pytestmark = pytest.mark.oracle

NM = 1852.0
FT = 0.3048


def _plots(rng: np.random.Generator, n: int) -> list[Cat048Plot]:
    return [
        Cat048Plot(
            sac=int(rng.integers(0, 256)),
            sic=int(rng.integers(0, 256)),
            tod_s=float(rng.uniform(0.0, 86_399.0)),
            range_m=float(rng.uniform(0.0, 250.0 * NM)),
            az_rad=float(rng.uniform(0.0, 2.0 * math.pi)),
            height_m=float(rng.uniform(-500.0, 20_000.0)),
            doppler_mps=float(rng.uniform(-500.0, 500.0)),
            rcs_m2=float(rng.uniform(1e-4, 10.0)),
            simulated=bool(rng.integers(0, 2)),
            detection_type=int(rng.integers(0, 8)),
            track_number=int(rng.integers(0, 4096)),
            mode3a=int(rng.integers(0, 0o10000)),
        )
        for _ in range(n)
    ]


def test_cat048_plots_decode_with_the_peer(asterix_peer: PeerDecode) -> None:
    plots = _plots(np.random.default_rng(48), 200)
    datagrams = [encode_cat048(plots[i : i + 20]) for i in range(0, len(plots), 20)]
    peer = [rec for recs in asterix_peer(datagrams) for rec in recs]
    ours = [item for d in datagrams for item in decode_datagram(d)]
    assert len(peer) == len(plots) == len(ours)
    for p, mine, theirs in zip(plots, ours, peer, strict=True):
        assert isinstance(mine, Cat048Plot)
        assert theirs["category"] == 48
        assert (theirs["I010"]["SAC"]["val"], theirs["I010"]["SIC"]["val"]) == (p.sac, p.sic)
        assert theirs["I140"]["ToD"]["val"] == pytest.approx(mine.tod_s, abs=1e-9)
        assert theirs["I140"]["ToD"]["val"] == pytest.approx(p.tod_s, abs=1 / 128)
        assert theirs["I040"]["RHO"]["val"] * NM == pytest.approx(mine.range_m, abs=1e-6)
        assert theirs["I040"]["RHO"]["val"] * NM == pytest.approx(p.range_m, abs=NM / 256)
        theta = math.radians(theirs["I040"]["THETA"]["val"])
        assert theta == pytest.approx(mine.az_rad, abs=1e-9)
        assert theirs["I110"]["3D_Height"]["val"] * FT == pytest.approx(mine.height_m, abs=1e-6)
        assert theirs["I120"]["CAL"]["CAL"]["val"] == pytest.approx(mine.doppler_mps, abs=1e-9)
        assert theirs["I020"]["TYP"]["val"] == p.detection_type
        assert theirs["I020"]["SIM"]["val"] == int(p.simulated)
        assert theirs["I161"]["Tn"]["val"] == p.track_number
        assert int(theirs["I070"]["Mode3A"]["val"], 8) == p.mode3a


def test_cat034_service_messages_decode_with_the_peer(asterix_peer: PeerDecode) -> None:
    messages = [
        Cat034Message(sac=7, sic=9, kind=1, tod_s=43_200.0078125, rotation_period_s=4.0),
        Cat034Message(sac=7, sic=9, kind=2, tod_s=43_200.5, sector_az_rad=math.pi),
    ]
    (peer,) = asterix_peer([encode_cat034(messages)])
    assert [r["category"] for r in peer] == [34, 34]
    assert [r["I000"]["MsgTyp"]["val"] for r in peer] == [1, 2]
    assert [r["I030"]["ToD"]["val"] for r in peer] == [43_200.0078125, 43_200.5]
    assert peer[0]["I041"]["RotS"]["val"] == 4.0
    assert peer[1]["I020"]["Azi"]["val"] == 180.0


def test_cat062_tracks_decode_with_the_peer(asterix_peer: PeerDecode) -> None:
    rng = np.random.default_rng(62)
    tracks = [
        Cat062Track(
            sac=1,
            sic=200,
            service_id=3,
            tod_s=float(rng.uniform(0.0, 86_399.0)),
            track_number=int(rng.integers(0, 65_536)),
            lat_rad=float(rng.uniform(-1.5, 1.5)),
            lon_rad=float(rng.uniform(-3.1, 3.1)),
            alt_m=float(rng.uniform(-100.0, 15_000.0)),
            east_m=float(rng.uniform(-100_000.0, 100_000.0)),
            north_m=float(rng.uniform(-100_000.0, 100_000.0)),
            vel_east_mps=float(rng.uniform(-700.0, 700.0)),
            vel_north_mps=float(rng.uniform(-700.0, 700.0)),
            vel_up_mps=float(rng.uniform(-300.0, 300.0)),
            sigma_east_m=float(rng.uniform(0.0, 500.0)),
            sigma_north_m=float(rng.uniform(0.0, 500.0)),
            confirmed=bool(rng.integers(0, 2)),
            first=bool(rng.integers(0, 2)),
            last=bool(rng.integers(0, 2)),
            simulated=True,
            callsign=("RCH123", "", "N 1A")[k % 3],
            target_address=-1 if k % 2 else int(rng.integers(0, 2**24)),
        )
        for k in range(100)
    ]
    datagram = encode_cat062(tracks)
    (peer,) = asterix_peer([datagram])
    ours = decode_datagram(datagram)
    assert len(peer) == len(tracks) == len(ours)
    for t, mine, theirs in zip(tracks, ours, peer, strict=True):
        assert isinstance(mine, Cat062Track)
        assert theirs["category"] == 62
        assert theirs["I040"]["TrkN"]["val"] == t.track_number
        assert theirs["I015"]["SID"]["val"] == 3
        assert theirs["I070"]["ToT"]["val"] == pytest.approx(mine.tod_s, abs=1e-9)
        assert math.radians(theirs["I105"]["Lat"]["val"]) == pytest.approx(mine.lat_rad, abs=1e-12)
        assert math.radians(theirs["I105"]["Lon"]["val"]) == pytest.approx(mine.lon_rad, abs=1e-12)
        assert math.radians(theirs["I105"]["Lat"]["val"]) == pytest.approx(t.lat_rad, abs=1e-7)
        assert theirs["I130"]["Alt"]["val"] * FT == pytest.approx(mine.alt_m, abs=1e-6)
        assert theirs["I100"]["X"]["val"] == pytest.approx(mine.east_m, abs=1e-9)
        assert theirs["I100"]["Y"]["val"] == pytest.approx(mine.north_m, abs=1e-9)
        assert theirs["I185"]["Vx"]["val"] == pytest.approx(mine.vel_east_mps, abs=1e-9)
        assert theirs["I185"]["Vy"]["val"] == pytest.approx(mine.vel_north_mps, abs=1e-9)
        assert theirs["I220"]["RoC"]["val"] * FT / 60 == pytest.approx(mine.vel_up_mps, abs=1e-9)
        assert theirs["I500"]["APC"]["APC_X"]["val"] == pytest.approx(mine.sigma_east_m, abs=1e-9)
        status = theirs["I080"]
        assert status["CNF"]["val"] == int(not t.confirmed)
        assert (status["TSB"]["val"], status["TSE"]["val"]) == (int(t.first), int(t.last))
        assert status["SIM"]["val"] == 1
        assert mine.callsign == t.callsign and mine.target_address == t.target_address
        if t.callsign:
            assert theirs["I245"]["TId"]["val"].rstrip() == t.callsign
            assert theirs["I245"]["STI"]["val"] == 0
        else:
            assert "I245" not in theirs
        if t.target_address >= 0:
            assert int(theirs["I380"]["ADR"]["ADR"]["val"], 16) == t.target_address
        else:
            assert "I380" not in theirs
