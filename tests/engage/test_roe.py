"""Rules of engagement: what each weapons state permits, and the precedence of sectors."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from bastion.core.engage_params import EffectorKind, EffectorParams, RoeSectorParams, WeaponsState
from bastion.core.records import AFFILIATIONS, FRIENDLY, Affiliation, ThreatClass
from bastion.engage.roe import PERMITS, STATES, RulesOfEngagement, permitted_anywhere

GUN = EffectorParams(
    name="gun",
    kind=EffectorKind.GUN,
    position_m=(0.0, 0.0, 0.0),
    min_range_m=0.0,
    max_range_m=2000.0,
    max_alt_m=1500.0,
    reaction_s=1.0,
    projectile_speed_mps=1000.0,
    pk={ThreatClass.FIXED_WING: 0.5},
    magazine=5,
)
JAMMER = replace(GUN, name="jammer", kind=EffectorKind.JAMMER, weapons_state=WeaponsState.FREE)
EAST = np.array([1000.0, 0.0, 100.0])
NORTH = np.array([0.0, 1000.0, 100.0])


def _code(a: Affiliation) -> np.ndarray:
    return np.array([AFFILIATIONS.index(a)], dtype=np.int8)


def test_what_each_state_permits() -> None:
    assert PERMITS[WeaponsState.HOLD] == frozenset()
    assert PERMITS[WeaponsState.TIGHT] == {Affiliation.HOSTILE}
    assert PERMITS[WeaponsState.FREE] == {Affiliation.HOSTILE, Affiliation.SUSPECT}
    for state in STATES:
        assert not PERMITS[state] & FRIENDLY
        assert Affiliation.NEUTRAL not in PERMITS[state]
        assert Affiliation.UNKNOWN not in PERMITS[state]


@pytest.mark.parametrize("aff", list(Affiliation))
def test_friends_are_permitted_by_no_state_anywhere(aff: Affiliation) -> None:
    roe = RulesOfEngagement(
        [replace(GUN, weapons_state=s, name=s.value) for s in STATES],
        [RoeSectorParams(name="all-free", state=WeaponsState.FREE)],
    )
    allowed = roe.permits(np.stack([EAST, NORTH])[None], _code(aff))
    expected = aff in {Affiliation.HOSTILE, Affiliation.SUSPECT}
    assert (allowed == expected).all()
    assert bool(permitted_anywhere(_code(aff))[0]) is expected


def test_sector_for_one_effector_beats_sector_for_all_beats_default() -> None:
    sectors = [
        RoeSectorParams(
            name="east-hold",
            state=WeaponsState.HOLD,
            az_from_rad=math.radians(45),
            az_width_rad=math.radians(90),
        ),
        RoeSectorParams(
            name="east-gun-free",
            state=WeaponsState.FREE,
            az_from_rad=math.radians(60),
            az_width_rad=math.radians(60),
            effectors=("gun",),
        ),
    ]
    roe = RulesOfEngagement([GUN, JAMMER], sectors)
    assert roe.state_at(0, EAST) is WeaponsState.FREE  # the gun's own sector wins
    assert roe.state_at(1, EAST) is WeaponsState.HOLD  # the sector for all beats the jammer's free
    assert roe.state_at(0, NORTH) is WeaponsState.TIGHT  # outside every sector: the default
    assert roe.state_at(1, NORTH) is WeaponsState.FREE
    # Just inside the hold sector, outside the gun's own: hold for both.
    edge = np.array([1000.0 * math.sin(math.radians(50)), 1000.0 * math.cos(math.radians(50)), 0])
    assert roe.state_at(0, edge) is WeaponsState.HOLD


def test_overlapping_sectors_of_one_level_take_the_most_restrictive() -> None:
    sectors = [
        RoeSectorParams(name="a", state=WeaponsState.FREE),
        RoeSectorParams(name="b", state=WeaponsState.TIGHT, az_from_rad=0.0, az_width_rad=1.0),
    ]
    roe = RulesOfEngagement([replace(GUN, weapons_state=WeaponsState.HOLD)], sectors)
    assert roe.state_at(0, NORTH) is WeaponsState.TIGHT
    assert roe.state_at(0, -NORTH) is WeaponsState.FREE


def test_sector_wraps_through_north_and_has_a_distance_band() -> None:
    north_band = RoeSectorParams(
        name="n",
        state=WeaponsState.HOLD,
        az_from_rad=math.radians(350),
        az_width_rad=math.radians(20),
        min_range_m=500.0,
        max_range_m=1500.0,
    )
    roe = RulesOfEngagement([GUN], [north_band])
    assert roe.state_at(0, NORTH) is WeaponsState.HOLD
    assert roe.state_at(0, np.array([-100.0, 1000.0, 0.0])) is WeaponsState.HOLD  # 354 degrees
    assert roe.state_at(0, 3.0 * NORTH) is WeaponsState.TIGHT  # beyond the band
    assert roe.state_at(0, 0.2 * NORTH) is WeaponsState.TIGHT  # inside the band's hole
    assert roe.state_at(0, EAST) is WeaponsState.TIGHT


def test_an_unidentified_track_is_permitted_nowhere() -> None:
    """Code -1 (no identity yet) must not wrap around to the last affiliation, HOSTILE."""
    assert AFFILIATIONS[-1] is Affiliation.HOSTILE  # the wrap-around this test guards against
    roe = RulesOfEngagement(
        [replace(GUN, weapons_state=s, name=s.value) for s in STATES],
        [RoeSectorParams(name="all-free", state=WeaponsState.FREE)],
    )
    none = np.array([-1], dtype=np.int8)
    assert not roe.permits(np.stack([EAST, NORTH])[None], none).any()
    assert not permitted_anywhere(none).any()
