"""Safety properties of the identity book under arbitrary evidence (hypothesis).

Whatever the classifier says, wherever the tracks fly and whatever the cooperative feed does:
a track that has been friend or assumed friend is never hostile, and a registered, unspoofed track
without flight plans is a friend from its first correlated report on (tracks move at most 300 m a
step, so no report jumps beyond physics).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.core.identification import (
    FlightPlan,
    FriendlyAircraft,
    FriendlyDrone,
    IdentificationParams,
)
from bastion.core.records import FRIENDLY, Affiliation, ThreatClass

from .book_run import Run, report

CLASSES = list(ThreatClass)
Step = tuple[list[ThreatClass], list[float], bool, bool]
PARAMS = IdentificationParams(
    aircraft=(FriendlyAircraft(icao="AE1234"),),
    drones=(FriendlyDrone(serial="SN-1"),),
    flight_plans=(
        FlightPlan(
            name="p", threat_class=ThreatClass.MULTIROTOR, corridor_m=((0.0, 0.0), (0.0, 3000.0)),
            half_width_m=400.0, windows_s=((0.0, 40.0),), ident="",
        ),
    ),
)  # fmt: skip


def steps(max_move_m: float) -> st.SearchStrategy[list[Step]]:
    one = st.tuples(
        st.lists(st.sampled_from(CLASSES), min_size=3, max_size=3),  # declared class, tracks 1-3
        st.lists(st.floats(-max_move_m, max_move_m), min_size=3, max_size=3),  # east move, m
        st.booleans(),  # does track 1's ADS-B (registered) arrive this step?
        st.booleans(),  # does track 2's Remote ID (unregistered serial SN-9) arrive?
    )
    return st.lists(one, min_size=1, max_size=25)


def _play(steps: list[Step], check_registered: bool) -> None:
    classes = dict.fromkeys((1, 2, 3), ThreatClass.UNKNOWN)
    run = Run(classes, PARAMS)
    ever_friendly: set[int] = set()
    bound_1 = False
    east = [0.0, 0.0, 0.0]
    for k, (cls, move, adsb, rid) in enumerate(steps):
        t = float(k + 1)
        classes.update({1: cls[0], 2: cls[1], 3: cls[2]})
        east = [e + m for e, m in zip(east, move, strict=True)]
        tracks = {i + 1: [east[i], 1500.0, 200.0, 0.0, 10.0, 0.0] for i in range(3)}
        reports = []
        if adsb:
            reports.append((report("adsb", "AE1234", t, tracks[1], (0, 10, 0)), 1))
        if rid:
            reports.append((report("remote_id", "SN-9", t, tracks[2], (0, 10, 0)), 2))
        run.step(t, tracks, tuple(reports))
        bound_1 |= adsb
        for tid, ident in run.ident.items():
            if tid in ever_friendly:
                assert ident.affiliation is not Affiliation.HOSTILE, (tid, ident)
            if ident.affiliation in FRIENDLY:
                ever_friendly.add(tid)
        if check_registered and bound_1:
            assert run.aff(1) is Affiliation.FRIEND
        if check_registered and rid:
            assert run.aff(2) is Affiliation.SUSPECT  # unregistered Remote ID: the site's rule
    assert np.isfinite(run.ident[1].class_probabilities).all()


@settings(max_examples=60, deadline=None)
@given(steps(300.0))
def test_friends_never_hostile_and_registered_tracks_friends(steps: list[Step]) -> None:
    _play(steps, check_registered=True)


@settings(max_examples=60, deadline=None)
@given(steps(5000.0))
def test_friends_never_hostile_even_when_reports_jump(steps: list[Step]) -> None:
    _play(steps, check_registered=False)
