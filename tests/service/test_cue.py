"""Slew-to-cue policy (`service.cue`): the top-ranked live threats shared out between cameras, a new
task for a new track, refreshes at most every period, STOP when no ranked track is left, effectors
never tasked."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bastion.codecs.sapient import decode_message, parse_frames, validate
from bastion.core.records import (
    Affiliation,
    Event,
    EventKind,
    Identity,
    RankedThreat,
    ThreatClass,
    TrackLost,
    TrackReport,
)
from bastion.service.cue import CameraCue, cueable, share_targets

from .core_inputs import EPOCH
from .live_helpers import rehearsal_config

CAMERA = {7: ("3f1c0a9e-1d2b-4c5d-8e6f-7a8b9c0d1e2f", ("NODE_TYPE_CAMERA",))}


def _ranked(t_s: float, *track_ids: int) -> list[Event]:
    return [
        Event(seq=i, t_s=t_s, kind=EventKind.THREAT_RANKED, subject_id=tid, payload=RankedThreat(
            track_id=tid, t_s=t_s, rank=i + 1, score=1.0 / (i + 1), zone="hangar", zone_value=1.0,
            threat_class=ThreatClass.MULTIROTOR, speed_mps=20.0, range_m=1000.0,
            time_to_zone_s=50.0, cpa_m=0.0, reason="test",
        ))
        for i, tid in enumerate(track_ids)
    ]  # fmt: skip


def _track(tid: int, east_m: float) -> TrackReport:
    return TrackReport(
        track_id=tid,
        t_s=0.0,
        position_m=(east_m, 500.0, 100.0),
        velocity_mps=(0.0, -20.0, 0.0),
        position_sigma_m=10.0,
        n_updates=5,
    )


def _tasks(out: list[tuple[int, bytes]]) -> list[tuple[int, str, int, str]]:
    """(connection, task id, control, description) of each Task sent."""
    got = []
    for conn, data in out:
        (payload,), _ = parse_frames(data)
        msg = decode_message(payload)
        assert validate(msg) == []  # every mandatory field of the standard is there
        task = msg.task
        got.append((conn, task.task_id, task.control, task.task_description))
    return got


@pytest.mark.parametrize(
    ("types", "ok"),
    [
        (("NODE_TYPE_CAMERA",), True),
        (("NODE_TYPE_LIDAR", "NODE_TYPE_RADAR"), True),
        (("NODE_TYPE_RADAR",), False),
        (("NODE_TYPE_CAMERA", "NODE_TYPE_JAMMER"), False),
        (("NODE_TYPE_CAMERA", "NODE_TYPE_LDEW"), False),
        (("NODE_TYPE_POINTABLE_NODE",), False),
    ],
)
def test_only_sensors_that_look_are_tasked(types: tuple[str, ...], ok: bool) -> None:
    assert cueable(types) is ok


def test_the_cue_follows_the_top_live_threat_and_stops_when_none_is_left() -> None:
    site = rehearsal_config().scenario.params.site
    cue = CameraCue(2.0, site, EPOCH, "1b4c8f0e-2a3d-4e5f-8a6b-7c8d9e0f1a2b")
    rng = np.random.default_rng(1)
    tracks = {1: _track(1, 0.0), 2: _track(2, 300.0)}
    first = _tasks(cue.step(_ranked(10.0, 1, 2), tracks, CAMERA, 10.0, rng))
    assert [(c, ctl, d) for c, _, ctl, d in first] == [(7, 1, "Bastion track 1")]  # 1: START
    task_1 = first[0][1]
    assert cue.step([], tracks, CAMERA, 11.0, rng) == []  # within the period: nothing
    again = _tasks(cue.step([], tracks, CAMERA, 12.0, rng))
    assert [(t, d) for _, t, _, d in again] == [(task_1, "Bastion track 1")]  # refreshed
    del tracks[1]  # track 1 lost: the next ranked live track, a new task
    lost = [Event(seq=9, t_s=12.5, kind=EventKind.TRACK_LOST, subject_id=1,
                  payload=TrackLost(track_id=1, t_s=12.5, reason="destroyed"))]  # fmt: skip
    moved = _tasks(cue.step(lost, tracks, CAMERA, 12.5, rng))
    assert [(c, ctl, d) for c, _, ctl, d in moved] == [(7, 1, "Bastion track 2")]
    assert moved[0][1] != task_1
    del tracks[2]
    stopped = _tasks(cue.step([], tracks, CAMERA, 13.0, rng))
    assert [(t, ctl) for _, t, ctl, _ in stopped] == [(moved[0][1], 2)]  # 2: STOP, same task
    assert cue.step([], tracks, CAMERA, 20.0, rng) == []  # stopped stays quiet
    assert cue.tasks_sent == 4


def test_a_node_that_hung_up_is_forgotten() -> None:
    site = rehearsal_config().scenario.params.site
    cue = CameraCue(1.0, site, EPOCH, "1b4c8f0e-2a3d-4e5f-8a6b-7c8d9e0f1a2b")
    rng = np.random.default_rng(2)
    tracks = {1: _track(1, 0.0)}
    assert len(cue.step(_ranked(1.0, 1), tracks, CAMERA, 1.0, rng)) == 1
    assert cue.step([], tracks, {}, 2.0, rng) == []  # gone: no task, no stop
    back = _tasks(cue.step([], tracks, CAMERA, 2.1, rng))  # back: a fresh task at once
    assert len(back) == 1 and back[0][2] == 1


@pytest.mark.parametrize(
    ("cameras", "ranked", "current", "expected"),
    [
        ([1, 2], [10, 20, 30], {}, {1: 10, 2: 20}),  # one threat each, in rank order
        ([1, 2], [20, 10], {1: 10, 2: 20}, {1: 10, 2: 20}),  # threats swap ranks: no slewing
        ([1, 2], [30, 10, 20], {1: 10, 2: 20}, {1: 10, 2: 30}),  # 30 displaces the 3rd, not the 1st
        ([1, 2, 3], [10], {}, {1: 10, 2: 10, 3: 10}),  # fewer threats: the rest on the top one
        ([1, 2], [10, 20], {1: 10, 2: 10}, {1: 10, 2: 20}),  # a doubled-up camera takes a new one
        ([1, 2], [], {1: 10}, {1: None, 2: None}),  # nothing left
    ],
)
def test_threats_are_shared_out_between_cameras(
    cameras: list[int],
    ranked: list[int],
    current: dict[int, int],
    expected: dict[int, int | None],
) -> None:
    assert share_targets(cameras, ranked, current) == expected


def test_two_cameras_watch_the_two_most_urgent_threats() -> None:
    site = rehearsal_config().scenario.params.site
    cue = CameraCue(2.0, site, EPOCH, "1b4c8f0e-2a3d-4e5f-8a6b-7c8d9e0f1a2b")
    rng = np.random.default_rng(3)
    cams = {**CAMERA, 8: ("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", ("NODE_TYPE_CAMERA",))}
    tracks = {1: _track(1, 0.0), 2: _track(2, 300.0), 3: _track(3, 600.0)}
    first = _tasks(cue.step(_ranked(10.0, 1, 2, 3), tracks, cams, 10.0, rng))
    assert sorted((c, d) for c, _, _, d in first) == [
        (7, "Bastion track 1"),
        (8, "Bastion track 2"),
    ]
    swapped = _tasks(cue.step(_ranked(12.0, 2, 1, 3), tracks, cams, 12.0, rng))
    assert sorted((c, d) for c, _, _, d in swapped) == [
        (7, "Bastion track 1"),
        (8, "Bastion track 2"),
    ]  # refreshed in place: the same task ids, no slewing across
    assert {t for _, t, _, _ in swapped} == {t for _, t, _, _ in first}
    del tracks[1]
    moved = _tasks(cue.step([], tracks, cams, 12.5, rng))
    assert [(c, d) for c, _, _, d in moved] == [(7, "Bastion track 3")]  # the next threat down


def _identity(tid: int, affiliation: Affiliation, t_s: float = 0.0) -> Event:
    ident = Identity(
        track_id=tid,
        t_s=t_s,
        threat_class=ThreatClass.MULTIROTOR,
        affiliation=affiliation,
        reason="test",
    )
    return Event(
        seq=50 + tid, t_s=t_s, kind=EventKind.IDENTITY_CHANGED, subject_id=tid, payload=ident
    )


def test_spare_cameras_look_at_unknown_tracks_nearest_first_when_asked() -> None:
    """Three cameras, one ranked threat (track 1): with `cue_unknowns` the other two look at the two
    nearest tracks of unknown identity, never at a friend or a cooperative-only track; without it
    they double up on the threat. A track identified later frees its camera."""
    site = rehearsal_config().scenario.params.site
    cams = {
        7: CAMERA[7],
        8: ("5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", ("NODE_TYPE_CAMERA",)),
        9: ("6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e", ("NODE_TYPE_LIDAR",)),
    }
    tracks = {
        1: _track(1, 0.0),
        2: _track(2, 3000.0),  # unknown, far
        3: _track(3, 900.0),  # unknown, near
        4: _track(4, 100.0),  # friend
        5: _track(5, 50.0),  # unknown, nearest
        2**31: replace(_track(2**31, 10.0), coop_source="adsb", coop_ident="4ca123"),
    }
    events = [
        *_ranked(10.0, 1),
        _identity(4, Affiliation.FRIEND),
        _identity(3, Affiliation.UNKNOWN),
    ]
    plain = CameraCue(2.0, site, EPOCH, "1b4c8f0e-2a3d-4e5f-8a6b-7c8d9e0f1a2b")
    sent = _tasks(plain.step(events, tracks, cams, 10.0, np.random.default_rng(4)))
    assert sorted(d for _, _, _, d in sent) == ["Bastion track 1"] * 3
    cue = CameraCue(2.0, site, EPOCH, "1b4c8f0e-2a3d-4e5f-8a6b-7c8d9e0f1a2b", cue_unknowns=True)
    rng = np.random.default_rng(5)
    first = _tasks(cue.step(events, tracks, cams, 10.0, rng))
    assert sorted((c, d) for c, _, _, d in first) == [
        (7, "Bastion track 1"),
        (8, "Bastion track 5"),
        (9, "Bastion track 3"),
    ]
    # Track 5 is identified (neutral): its camera moves on to the next unknown, track 2.
    later = _tasks(cue.step([_identity(5, Affiliation.NEUTRAL, 11.0)], tracks, cams, 11.0, rng))
    assert [(c, d) for c, _, _, d in later] == [(8, "Bastion track 2")]
