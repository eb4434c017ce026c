"""Correlation of cooperative reports with radar tracks by position and velocity gates."""

from __future__ import annotations

import numpy as np

from bastion.core.measurements import CooperativeReport
from bastion.identify.correlate import correlate


def _report(pos: tuple[float, float, float], vel: tuple[float, float, float]) -> CooperativeReport:
    return CooperativeReport(
        source="adsb", ident="AE1234", callsign="RCH123", t_s=10.0, position_m=pos, velocity_mps=vel
    )


def test_correlation_gates_position_and_velocity() -> None:
    ids = np.array([4, 5], dtype=np.int64)
    x = np.array([[0.0, 0, 500, 80, 0, 0], [5000.0, 0, 500, -50, 0, 0]])
    t = np.array([9.0, 9.0])
    match, dist = correlate([_report((90.0, 20.0, 500.0), (80.0, 0.0, 0.0))], ids, x, t, 300.0)
    assert match.tolist() == [4]
    assert dist[0] < 30
    # Same place, opposite velocity: not the same aircraft.
    match, _ = correlate([_report((90.0, 20.0, 500.0), (-80.0, 0.0, 0.0))], ids, x, t, 300.0)
    assert match.tolist() == [-1]
    # Far from every track.
    match, _ = correlate([_report((2000.0, 0.0, 500.0), (80.0, 0.0, 0.0))], ids, x, t, 300.0)
    assert match.tolist() == [-1]
