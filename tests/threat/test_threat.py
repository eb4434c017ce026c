"""Closest approach, impact prediction and the alert lifecycle."""

import numpy as np

from bastion.core.params import ZoneParams
from bastion.core.records import Alert, AlertCleared
from bastion.threat import WarnBook, closest_approach
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


def test_an_approach_cut_by_the_horizon_is_marked_closing() -> None:
    """A track that would reach the zone only after the horizon: its nearest point is the path's end
    at the horizon, so the time is the horizon and the approach is flagged as still closing; one
    that passes by, one that enters the zone, one that dives short of it and one that hovers are
    not."""
    polys = zone_geometries([SQUARE])
    x = np.array(
        [
            [-5000.0, 0.0, 300.0, 20.0, 0.0, 0.0],  # 2.9 km short of the zone at 100 s
            [-5000.0, 1000.0, 300.0, 100.0, 0.0, 0.0],  # passes 900 m north, nearest mid-path
            [-5000.0, 0.0, 300.0, 100.0, 0.0, 0.0],  # enters the zone at 49 s
            [-3000.0, 0.0, 200.0, 20.0, 0.0, -5.0],  # reaches the ground at 40 s, 2.2 km short
            [-3000.0, 0.0, 200.0, 0.0, 0.0, 0.0],  # hovering 2.9 km away
        ]
    )
    app = closest_approach(x, polys, horizon_s=100.0)
    assert app.closing.tolist() == [[True], [False], [False], [False], [False]]
    assert app.t_cpa_s[0, 0] == 100.0 and abs(app.cpa_m[0, 0] - 2900.0) < 1e-6


def test_path_stops_at_the_ground() -> None:
    polys = zone_geometries([SQUARE])
    # Dives into the ground 1 km short of the zone.
    x = np.array([[-3000.0, 0.0, 200.0, 50.0, 0.0, -5.0]])
    app = closest_approach(x, polys, horizon_s=200.0, step_s=1.0)
    assert 850.0 < app.cpa_m[0, 0] < 1000.0


def test_alert_raised_once_then_cleared_after_expected_time() -> None:
    book = WarnBook(zone_names=("hq",), margin_s=5.0)
    ids = np.array([3], dtype=np.int64)
    warn = np.array([[True]])
    no = np.array([[False]])
    te = np.array([[20.0]])

    def why(i: int, j: int) -> str:
        return "rocket"

    first = book.step(1.0, ids, warn, no, te, why)
    assert len(first) == 1 and isinstance(first[0], Alert) and first[0].t_expected_s == 20.0
    assert book.step(2.0, ids, warn, no, te, why) == []
    assert book.step(24.0, ids, warn, no, te, why) == []
    cleared = book.step(25.5, ids, warn, no, te, why)
    assert len(cleared) == 1 and isinstance(cleared[0], AlertCleared)
    assert cleared[0].alert_id == first[0].alert_id


def test_alert_cleared_when_track_lost_or_path_moves_away() -> None:
    book = WarnBook(zone_names=("hq", "housing"), margin_s=5.0)
    ids = np.array([3], dtype=np.int64)
    te = np.array([[60.0, 60.0]])

    def why(i: int, j: int) -> str:
        return f"drone toward {book.zone_names[j]}"

    raised = book.step(1.0, ids, np.array([[True, True]]), np.array([[False, False]]), te, why)
    assert {a.zone for a in raised if isinstance(a, Alert)} == {"hq", "housing"}
    assert all(a.reason == f"drone toward {a.zone}" for a in raised)
    housing_away = (np.array([[True, False]]), np.array([[False, True]]))
    # One noisy prediction away is not an all-clear: the release must hold for release_hold_s.
    assert book.step(2.0, ids, *housing_away, te, why) == []
    assert book.step(3.0, ids, np.array([[True, True]]), np.array([[False, False]]), te, why) == []
    assert book.step(4.0, ids, *housing_away, te, why) == []
    away = book.step(14.0, ids, *housing_away, te, why)
    assert [(c.zone, type(c)) for c in away] == [("housing", AlertCleared)]
    lost = book.track_lost(15.0, ids, "track lost")
    assert [c.zone for c in lost] == ["hq"] and not book.active
