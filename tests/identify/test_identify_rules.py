"""Identity rules, flight-plan geometry and the identity book with a stub classifier."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bastion.core.identification import (
    FlightPlan,
    FriendlyAircraft,
    FriendlyDrone,
    IdentificationParams,
    IdentityRules,
)
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    ThreatClass,
)
from bastion.identify.plans import candidates, polyline_distance_m
from bastion.identify.rules import RuleInputs, Why, decide

from .book_run import Run, report, state

A = Affiliation


def _inputs(n: int = 1, **kw: object) -> RuleInputs:
    base = {f: np.zeros(n, dtype=bool) for f in RuleInputs.__dataclass_fields__}
    base["class_code"] = np.full(n, THREAT_CLASSES.index(ThreatClass.UNKNOWN), dtype=np.int8)
    for k, v in kw.items():
        if k == "class_code":
            base[k] = np.array([THREAT_CLASSES.index(v)] * n, dtype=np.int8)  # type: ignore[arg-type]
        else:
            base[k] = np.full(n, v, dtype=bool)
    return RuleInputs(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("facts", "aff", "why"),
    [
        ({"class_code": ThreatClass.ROCKET}, A.HOSTILE, Why.ROCKET),
        ({"class_code": ThreatClass.FIXED_WING, "in_grace": True}, A.UNKNOWN, Why.GRACE),
        ({"class_code": ThreatClass.MULTIROTOR}, A.HOSTILE, Why.DRONE),
        ({"class_code": ThreatClass.AIRCRAFT}, A.UNKNOWN, Why.AIRCRAFT),
        ({"class_code": ThreatClass.BIRD}, A.NEUTRAL, Why.BIRD),
        ({}, A.UNKNOWN, Why.UNCLASSIFIED),
        ({"class_code": ThreatClass.FIXED_WING, "registered": True}, A.FRIEND, Why.FRIEND),
        ({"registered": True, "off_plan": True}, A.SUSPECT, Why.OFF_PLAN),
        ({"registered": True, "spoofed": True}, A.SUSPECT, Why.SPOOF),
        ({"unregistered_adsb": True}, A.NEUTRAL, Why.UNREG_ADSB),
        ({"unregistered_rid": True}, A.SUSPECT, Why.UNREG_RID),
        ({"class_code": ThreatClass.MULTIROTOR, "planned": True}, A.ASSUMED_FRIEND, Why.PLAN),
        ({"class_code": ThreatClass.MULTIROTOR, "crowded": True}, A.SUSPECT, Why.CROWDED),
        ({"class_code": ThreatClass.MULTIROTOR, "ever_friendly": True}, A.SUSPECT, Why.FLOOR),
        ({"class_code": ThreatClass.ROCKET, "ever_friendly": True}, A.SUSPECT, Why.FLOOR),
    ],
)
def test_rule_table(facts: dict[str, object], aff: Affiliation, why: Why) -> None:
    got_aff, got_why = decide(_inputs(**facts), IdentityRules())
    assert AFFILIATIONS[int(got_aff[0])] is aff
    assert Why(int(got_why[0])) is why


def test_site_policy_is_a_parameter() -> None:
    rules = IdentityRules(drone_without_id=A.SUSPECT, unregistered_adsb=A.ASSUMED_FRIEND)
    aff, _ = decide(_inputs(class_code=ThreatClass.MULTIROTOR), rules)
    assert AFFILIATIONS[int(aff[0])] is A.SUSPECT
    aff, _ = decide(_inputs(unregistered_adsb=True), rules)
    assert AFFILIATIONS[int(aff[0])] is A.ASSUMED_FRIEND


def test_polyline_distance_and_plan_candidates() -> None:
    line = np.array([[0.0, 0.0], [1000.0, 0.0], [1000.0, 1000.0]])
    pts = np.array([[500.0, 30.0], [1100.0, 500.0], [-40.0, 0.0], [2000.0, 2000.0]])
    assert np.allclose(polyline_distance_m(pts, line), [30.0, 100.0, 40.0, np.hypot(1000, 1000)])
    plan = FlightPlan(
        name="p", threat_class=ThreatClass.MULTIROTOR, corridor_m=((0.0, 0.0), (1000.0, 0.0)),
        half_width_m=50.0, windows_s=((10.0, 20.0),), min_alt_m=20.0, max_alt_m=200.0,
    )  # fmt: skip
    pos = np.array([[500.0, 30.0, 100.0], [500.0, 30.0, 300.0], [500.0, 80.0, 100.0]])
    mr = THREAT_CLASSES.index(ThreatClass.MULTIROTOR)
    bird = THREAT_CLASSES.index(ThreatClass.BIRD)
    codes = np.array([mr, mr, mr], dtype=np.int8)
    assert candidates([plan], pos, codes, 15.0)[:, 0].tolist() == [True, False, False]
    assert not candidates([plan], pos, codes, 25.0).any()
    assert not candidates([plan], pos[:1], np.array([bird], dtype=np.int8), 15.0).any()


# --- the identity book ------------------------------------------------------------------------

PLAN = FlightPlan(
    name="north-return",
    threat_class=ThreatClass.MULTIROTOR,
    corridor_m=((0.0, 5000.0), (0.0, 0.0)),
    half_width_m=300.0,
    windows_s=((0.0, 500.0),),
    min_alt_m=50.0,
    max_alt_m=400.0,
    ident="SN-RAVEN-1",
)
PARAMS = IdentificationParams(
    aircraft=(FriendlyAircraft(icao="AE1234"),),
    drones=(FriendlyDrone(serial="SN-RAVEN-1"), FriendlyDrone(serial="SN-FREE-2")),
    flight_plans=(PLAN,),
)


def test_registered_adsb_is_friend_and_stays_friend_when_the_feed_lapses() -> None:
    run = Run({1: ThreatClass.AIRCRAFT, 2: ThreatClass.AIRCRAFT}, PARAMS)
    a, b = state(0, 8000, 1000, -80), state(3000, 8000, 1000, -80)
    reps = (
        (report("adsb", "AE1234", 1.0, a, (0, -80, 0)), 1),
        (report("adsb", "AD0001", 1.0, b, (0, -80, 0)), 2),
    )
    run.step(1.0, {1: a, 2: b}, reps)
    assert run.aff(1) is A.FRIEND
    assert "friendly register" in run.ident[1].reason
    assert run.aff(2) is A.NEUTRAL
    for t in range(2, 30):  # no more ADS-B
        run.step(float(t), {1: a, 2: b})
    assert run.aff(1) is A.FRIEND


def test_drone_without_id_waits_out_the_grace_then_is_hostile_rocket_at_once() -> None:
    run = Run({1: ThreatClass.FIXED_WING, 2: ThreatClass.ROCKET}, PARAMS)
    far = state(9000, 9000)
    run.step(1.0, {1: far, 2: state(6000, 0, 1500)})
    assert run.aff(1) is A.UNKNOWN
    assert run.aff(2) is A.HOSTILE
    run.step(3.0, {1: far, 2: state(6000, 0, 1500)})
    assert run.aff(1) is A.UNKNOWN
    run.step(4.0, {1: far, 2: state(6000, 0, 1500)})
    assert run.aff(1) is A.HOSTILE
    assert "no cooperative identification" in run.ident[1].reason


def test_serial_in_two_places_makes_both_suspect_with_an_alert() -> None:
    run = Run({1: ThreatClass.MULTIROTOR, 2: ThreatClass.MULTIROTOR}, PARAMS)
    a, b = state(6000, 6000), state(-6000, 6000)
    for t in (1.0, 2.0, 3.0):
        reps = ((report("remote_id", "SN-FREE-2", t, a), 1),)
        reps += ((report("remote_id", "SN-FREE-2", t + 0.2, b), 2),)
        run.step(t, {1: a, 2: b}, reps)
    assert {s.check for s in run.spoofs} == {"two_places"}
    assert run.aff(1) is A.SUSPECT
    assert run.aff(2) is A.SUSPECT
    assert run.ident[1].reason.startswith("spoof alert")


def test_shadow_of_a_returning_friend_is_suspect_and_the_friend_stays_friend() -> None:
    run = Run({1: ThreatClass.MULTIROTOR, 2: ThreatClass.MULTIROTOR}, PARAMS)
    for k in range(40):
        t = float(k + 1)
        f = state(0, 4000 - 15 * t)
        h = state(120, 4300 - 15 * t)  # 300 m behind, inside the corridor and the window
        run.step(t, {1: f, 2: h}, ((report("remote_id", "SN-RAVEN-1", t, f), 1),))
        assert run.aff(1) is A.FRIEND
        assert run.aff(2) in {A.UNKNOWN, A.SUSPECT}
    assert run.aff(2) is A.SUSPECT
    assert "north-return" in run.ident[2].reason
    # The shadow turns off the corridor toward its target: now it is a drone without an ID.
    run.step(50.0, {1: state(0, 3000), 2: state(2500, 3500)})
    assert run.aff(2) is A.HOSTILE


def test_plan_without_cooperative_id_gives_assumed_friend_until_crowded() -> None:
    plan = FlightPlan(
        name="east-patrol", threat_class=ThreatClass.FIXED_WING,
        corridor_m=((5000.0, 0.0), (0.0, 0.0)), half_width_m=300.0, windows_s=((0.0, 500.0),),
    )  # fmt: skip
    run = Run({1: ThreatClass.FIXED_WING, 2: ThreatClass.FIXED_WING}, IdentificationParams(
        flight_plans=(plan,)))  # fmt: skip
    run.step(1.0, {1: state(3000, 50, 200, 0)})
    assert run.aff(1) is A.ASSUMED_FRIEND
    run.step(2.0, {1: state(2970, 50, 200, 0), 2: state(3300, -80, 200, 0)})
    assert run.aff(1) is A.SUSPECT
    assert run.aff(2) is A.SUSPECT
    # Both leave the corridor: the one that was assumed friend is never made hostile by a rule.
    run.step(10.0, {1: state(2000, 2000, 200, 0), 2: state(2000, -2000, 200, 0)})
    assert run.aff(1) is A.SUSPECT
    assert run.ident[1].reason.endswith("never hostile without a person's decision")
    assert run.aff(2) is A.HOSTILE


def test_registered_drone_outside_its_plan_is_suspect() -> None:
    run = Run({1: ThreatClass.MULTIROTOR}, PARAMS)
    off = state(4000, 4000)  # 4 km east of the corridor
    run.step(1.0, {1: off}, ((report("remote_id", "SN-RAVEN-1", 1.0, off), 1),))
    assert run.aff(1) is A.SUSPECT
    assert "outside its flight plan" in run.ident[1].reason


def test_a_radar_track_names_the_cooperative_identity_bound_to_it() -> None:
    run = Run({1: ThreatClass.AIRCRAFT, 2: ThreatClass.AIRCRAFT}, PARAMS)
    a, b = state(0, 8000, 1000, -80), state(3000, 8000, 1000, -80)
    run.step(1.0, {1: a, 2: b}, ((report("adsb", "AE1234", 1.0, a, (0, -80, 0)), 1),))
    first = run.ident[1]
    assert (first.coop_source, first.coop_ident, first.callsign) == ("adsb", "AE1234", "")
    assert (run.ident[2].coop_ident, run.ident[2].callsign) == ("", "")  # nothing bound to it
    run.step(2.0, {1: a, 2: b})
    assert run.ident[1] is first  # nothing new: no event
    # the callsign arrives later: a new identity event names it, the affiliation unchanged
    named = dataclasses.replace(report("adsb", "AE1234", 3.0, a, (0, -80, 0)), callsign="RCH123 ")
    run.step(3.0, {1: a, 2: b}, ((named, 1),))
    later = run.ident[1]
    assert later.t_s == 3.0 and later.affiliation is first.affiliation is A.FRIEND
    assert (later.coop_ident, later.callsign) == ("AE1234", "RCH123")
    run.step(4.0, {1: a, 2: b}, ((named, 1),))
    assert run.ident[1] is later  # the same name again is no change
