"""Spoof checks: one serial in two places, jumps beyond physics, reports that disagree with radar."""

from __future__ import annotations

import numpy as np

from bastion.core.identification import SpoofParams
from bastion.core.measurements import CooperativeReport
from bastion.identify.spoof import SpoofMonitor

IDS = np.array([1, 2], dtype=np.int64)
# Track 1 flies east at 20 m/s from the origin, track 2 sits 3 km north, both known at t = 0.
X = np.array([[0.0, 0.0, 100.0, 20.0, 0.0, 0.0], [0.0, 3000.0, 100.0, 0.0, 0.0, 0.0]])
T0 = np.zeros(2)


def _rid(
    t: float,
    pos: tuple[float, float, float],
    vel: tuple[float, float, float] = (20.0, 0.0, 0.0),
    *,
    source: str = "remote_id",
    ident: str = "SN-FRIEND-1",
    flags: tuple[str, ...] = (),
) -> CooperativeReport:
    return CooperativeReport(
        source=source,
        ident=ident,
        callsign="",
        t_s=t,
        position_m=pos,
        velocity_mps=vel,
        flags=flags,
    )


def _adsb(
    t: float, east_m: float, ident: str = "AE1234", flags: tuple[str, ...] = ()
) -> CooperativeReport:
    return _rid(t, (east_m, 0.0, 100.0), source="adsb", ident=ident, flags=flags)


def test_consistent_noisy_stream_raises_nothing() -> None:
    mon = SpoofMonitor(SpoofParams())
    rng = np.random.default_rng(1)
    for k in range(60):
        t = float(k)
        pos = (20.0 * t + rng.normal(0, 10), rng.normal(0, 10), 100.0 + rng.normal(0, 10))
        assert mon.check([_rid(t, pos)], np.array([1]), IDS, X, T0) == []
    assert mon.bound_track("remote_id", "SN-FRIEND-1") == 1


def test_one_serial_in_two_places_flags_both_tracks_once() -> None:
    mon = SpoofMonitor(SpoofParams())
    alerts = []
    for k in range(5):
        t = float(k)
        a = _rid(t, (20.0 * t, 0.0, 100.0))
        b = _rid(t + 0.3, (0.0, 3000.0, 100.0), vel=(0.0, 0.0, 0.0))
        alerts += mon.check([a, b], np.array([1, 2]), IDS, X, T0)
    assert {a.check for a in alerts} == {"two_places"}
    assert sorted(a.track_id for a in alerts) == [1, 2]  # once per track, not once per report
    assert "two places" in alerts[0].reason


def test_adsb_jump_beyond_physics_and_decoder_flag() -> None:
    mon = SpoofMonitor(SpoofParams())
    assert mon.check([_adsb(0.0, 0.0)], np.array([1]), IDS, X, T0) == []
    # 5 km in 2 s is 2,500 m/s: no aircraft.
    out = mon.check([_adsb(2.0, 5000.0)], np.array([-1]), IDS, X, T0)
    assert [a.check for a in out] == ["position_jump"]
    # A jump the decoder already flagged counts the same, even if small.
    mon2 = SpoofMonitor(SpoofParams())
    mon2.check([_adsb(0.0, 0.0, ident="AE9999")], np.array([1]), IDS, X, T0)
    out = mon2.check(
        [_adsb(1.0, 20.0, ident="AE9999", flags=("position_jump",))], np.array([1]), IDS, X, T0
    )
    assert [a.check for a in out] == ["position_jump"]


def test_report_that_leaves_its_track_is_a_mismatch_after_two_reports() -> None:
    mon = SpoofMonitor(SpoofParams(confirm_reports=2))
    assert mon.check([_rid(0.0, (0.0, 0.0, 100.0))], np.array([1]), IDS, X, T0) == []
    # The serial now reports 600 m south of the track it is bound to, drifting plausibly slowly.
    first = mon.check([_rid(5.0, (100.0, -600.0, 100.0))], np.array([-1]), IDS, X, T0)
    assert first == []
    second = mon.check([_rid(6.0, (120.0, -620.0, 100.0))], np.array([-1]), IDS, X, T0)
    assert [(a.check, a.track_id) for a in second] == [("position_mismatch", 1)]


def test_velocity_that_contradicts_the_track_is_a_mismatch() -> None:
    mon = SpoofMonitor(SpoofParams(confirm_reports=1))
    mon.check([_rid(0.0, (0.0, 0.0, 100.0))], np.array([1]), IDS, X, T0)
    out = mon.check(
        [_rid(1.0, (20.0, 0.0, 100.0), vel=(-60.0, 0.0, 0.0))], np.array([-1]), IDS, X, T0
    )
    assert [a.check for a in out] == ["velocity_mismatch"]
