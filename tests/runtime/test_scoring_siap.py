"""Scoring.siap: SIAP of the pictures the runtime scores at every scan."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.core.params import RadarParams
from bastion.runtime.scoring import Scoring

RADAR = RadarParams(
    sensor_id="r1",
    position_m=(0.0, 0.0, 10.0),
    scan_period_s=1.0,
    min_range_m=100.0,
    max_range_m=20_000.0,
    min_el_rad=-0.1,
    max_el_rad=1.4,
    sigma_range_m=10.0,
    sigma_az_rad=2e-3,
    sigma_el_rad=2e-3,
    sigma_range_rate_mps=1.0,
    ref_range_m=10_000.0,
    ref_rcs_m2=1.0,
    ref_snr_db=15.0,
    pfa=1e-6,
    clutter_per_scan=0.0,
)


def test_siap_of_scored_scans() -> None:
    # Object 0 tracked by track 5 throughout; object 1 beyond the radar's range (not scored);
    # object 2 untracked; track 9 spurious from scan 5 on.
    scoring = Scoring(n_objects=3, radars=[RADAR])
    for k in range(10):
        t = float(k)
        truth = np.array(
            [[1_000.0 + 50 * t, 0.0, 500.0], [50_000.0, 0.0, 500.0], [0.0, 3_000.0, 500.0]]
        )
        ids = np.array([5, 9] if k >= 5 else [5], dtype=np.int64)
        pos = np.array([truth[0] + [3.0, 4.0, 0.0], [-5_000.0, -5_000.0, 800.0]])[: ids.size]
        scoring.scan(t, truth, np.ones(3, dtype=bool), ids, pos)
    s = scoring.siap()
    assert s.completeness == pytest.approx(0.5)  # object 0 of objects 0 and 2
    assert s.ambiguity == 1.0
    assert s.spuriousness == pytest.approx(5 / 15)
    assert s.position_accuracy_m == pytest.approx(5.0)
    assert s.track_number_changes == 0
    assert Scoring(n_objects=1, radars=[RADAR]).siap().completeness == 0.0
