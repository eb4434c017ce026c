"""Closest approach, impact prediction and the alert lifecycle."""

import numpy as np

from bastion.core.ballistics import drag_factor_pm, propagate_to_ground
from bastion.core.params import ZoneParams
from bastion.core.records import Alert, AlertCleared
from bastion.threat import WarnBook, closest_approach, predict_impact
from bastion.threat.approach import zone_geometries

SQUARE = ZoneParams(
    name="hq", polygon_m=((-100.0, -100.0), (100.0, -100.0), (100.0, 100.0), (-100.0, 100.0))
)


def test_closest_approach_of_inbound_and_passing_tracks() -> None:
    polys = zone_geometries([SQUARE])
    x = np.array(
        [
            [-5000.0, 0.0, 300.0, 50.0, 0.0, 0.0],  # straight at the zone: reaches its edge in 98 s
            [-5000.0, 1000.0, 300.0, 50.0, 0.0, 0.0],  # passes 900 m north of it
            [-5000.0, 0.0, 300.0, -50.0, 0.0, 0.0],  # flying away
        ]
    )
    app = closest_approach(x, polys, horizon_s=200.0, step_s=1.0)
    assert app.cpa_m[0, 0] == 0.0 and 97.0 <= app.t_cpa_s[0, 0] <= 99.0
    assert abs(app.cpa_m[1, 0] - 900.0) < 1.0
    assert app.cpa_m[2, 0] == 4900.0 and app.t_cpa_s[2, 0] == 0.0


def test_path_stops_at_the_ground() -> None:
    polys = zone_geometries([SQUARE])
    # Dives into the ground 1 km short of the zone.
    x = np.array([[-3000.0, 0.0, 200.0, 50.0, 0.0, -5.0]])
    app = closest_approach(x, polys, horizon_s=200.0, step_s=1.0)
    assert 850.0 < app.cpa_m[0, 0] < 1000.0


def test_impact_prediction_matches_forward_propagation() -> None:
    k = float(drag_factor_pm(0.35, 0.107, 18.8))
    x0 = np.array([[0.0, 0.0, 1.0, 200.0, 0.0, 200.0]])
    truth, t_truth = propagate_to_ground(x0[:, :3], x0[:, 3:], np.array([k]), 35.0, dt_s=0.01)
    got, t_got = predict_impact(x0, k, 35.0)
    assert np.linalg.norm(got - truth) < 2.0 and abs(t_got[0] - t_truth[0]) < 0.05


def test_alert_raised_once_then_cleared_after_expected_time() -> None:
    book = WarnBook(zone_names=("hq",), margin_s=5.0)
    ids = np.array([3], dtype=np.int64)
    warn = np.array([[True]])
    no = np.array([[False]])
    te = np.array([[20.0]])
    first = book.step(1.0, ids, warn, no, te, ["rocket"])
    assert len(first) == 1 and isinstance(first[0], Alert) and first[0].t_expected_s == 20.0
    assert book.step(2.0, ids, warn, no, te, ["rocket"]) == []
    assert book.step(24.0, ids, warn, no, te, ["rocket"]) == []
    cleared = book.step(25.5, ids, warn, no, te, ["rocket"])
    assert len(cleared) == 1 and isinstance(cleared[0], AlertCleared)
    assert cleared[0].alert_id == first[0].alert_id


def test_alert_cleared_when_track_lost_or_path_moves_away() -> None:
    book = WarnBook(zone_names=("hq", "housing"), margin_s=5.0)
    ids = np.array([3], dtype=np.int64)
    te = np.array([[60.0, 60.0]])
    raised = book.step(1.0, ids, np.array([[True, True]]), np.array([[False, False]]), te, ["d"])
    assert {a.zone for a in raised if isinstance(a, Alert)} == {"hq", "housing"}
    housing_away = (np.array([[True, False]]), np.array([[False, True]]))
    # One noisy prediction away is not an all-clear: the release must hold for release_hold_s.
    assert book.step(2.0, ids, *housing_away, te, ["d"]) == []
    assert (
        book.step(3.0, ids, np.array([[True, True]]), np.array([[False, False]]), te, ["d"]) == []
    )
    assert book.step(4.0, ids, *housing_away, te, ["d"]) == []
    away = book.step(14.0, ids, *housing_away, te, ["d"])
    assert [(c.zone, type(c)) for c in away] == [("housing", AlertCleared)]
    lost = book.track_lost(15.0, ids, "track lost")
    assert [c.zone for c in lost] == ["hq"] and not book.active
