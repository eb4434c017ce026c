"""The engagement book over time: magazines and reloads, channels, shoot-look-shoot, jamming, no-fire
zones, rules of engagement, refused effectors and the value-driven assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from bastion.core.engage_params import (
    EffectorKind,
    EffectorParams,
    EngageParams,
    NoFireZoneParams,
    RoeSectorParams,
    WeaponsState,
)
from bastion.core.params import ZoneParams
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Assessment,
    Authorisation,
    Decision,
    Engagement,
    EngagementRequest,
    EventKind,
    Note,
    Outcome,
    ThreatClass,
)
from bastion.engage import ENGAGEMENT_AUTHORITY, EngageBook

GUN = EffectorParams(
    name="gun",
    kind=EffectorKind.GUN,
    position_m=(0.0, 0.0, 0.0),
    min_range_m=200.0,
    max_range_m=2000.0,
    max_alt_m=1500.0,
    reaction_s=1.0,
    projectile_speed_mps=1000.0,
    pk={ThreatClass.FIXED_WING: 1.0, ThreatClass.MULTIROTOR: 1.0},
    magazine=5,
    cost_per_shot_usd=8000.0,
)
JAMMER = replace(
    GUN,
    name="jammer",
    kind=EffectorKind.JAMMER,
    projectile_speed_mps=3.0e8,
    effect_delay_s=3.0,
    pk={ThreatClass.MULTIROTOR: 1.0},
    channels=3,
    magazine=100,
)
FW = THREAT_CLASSES.index(ThreatClass.FIXED_WING)
MR = THREAT_CLASSES.index(ThreatClass.MULTIROTOR)
HOSTILE = AFFILIATIONS.index(Affiliation.HOSTILE)
SUSPECT = AFFILIATIONS.index(Affiliation.SUSPECT)


def _inbound(n: int, speed: float = 50.0, start_m: float = 3000.0) -> np.ndarray:
    """n tracks from the west, south, east, north (in that order) at 300 m, heading for the origin."""
    bearings = np.radians([270.0, 180.0, 90.0, 0.0])[:n]
    x = np.zeros((n, 6))
    x[:, 0], x[:, 1], x[:, 2] = start_m * np.sin(bearings), start_m * np.cos(bearings), 300.0
    x[:, 3], x[:, 4] = -speed * np.sin(bearings), -speed * np.cos(bearings)
    return x


@dataclass
class Run:
    """A book stepped over straight-line tracks, with a person approving every request after 1 s."""

    book: EngageBook
    x0: np.ndarray
    cls: np.ndarray
    aff: np.ndarray
    events: list[tuple[float, EventKind, object]] = field(default_factory=list)
    dead: set[int] = field(default_factory=set)

    def go(self, until_s: float, dt_s: float = 0.5, approve: bool = True) -> None:
        pending: list[Authorisation] = []
        t0 = self.events[-1][0] + dt_s if self.events else 0.0
        for t in np.arange(t0, until_s, dt_s):
            t = float(t)
            x = self.x0.copy()
            x[:, :3] += x[:, 3:] * t
            ids = np.arange(1, x.shape[0] + 1, dtype=np.int64)
            live = ~np.isin(ids, list(self.dead))
            due = [d for d in pending if d.t_s <= t]
            pending = [d for d in pending if d.t_s > t]
            out = self.book.step(t, ids[live], x[live], self.cls[live], self.aff[live], due)
            self.dead.update(out.destroyed_track_ids)
            for kind, _, payload in out.emissions:
                self.events.append((t, kind, payload))
                if approve and isinstance(payload, EngagementRequest):
                    pending.append(
                        Authorisation(
                            request_id=payload.request_id,
                            t_s=t + 1.0,
                            decision=Decision.APPROVED,
                            operator="capt-jones",
                            role=ENGAGEMENT_AUTHORITY,
                        )
                    )

    def of(self, kind: EventKind) -> list[object]:
        return [p for _, k, p in self.events if k is kind]


def _run(
    effectors: Sequence[EffectorParams],
    x0: np.ndarray,
    cls: int = FW,
    aff: int = HOSTILE,
    seed: int = 1,
    **kwargs: object,
) -> Run:
    book = EngageBook(
        effectors,
        np.random.default_rng(seed),
        request_expiry_s=30.0,
        horizon_s=120.0,
        **kwargs,  # type: ignore[arg-type]
    )
    n = x0.shape[0]
    return Run(book, x0, np.full(n, cls, dtype=np.int8), np.full(n, aff, dtype=np.int8))


def test_every_engagement_names_who_authorised_it_and_its_cost() -> None:
    run = _run([GUN], _inbound(1))
    run.go(60.0)
    fired = run.of(EventKind.ENGAGEMENT_FIRED)
    assert len(fired) == 1
    eng = fired[0]
    assert isinstance(eng, Engagement)
    assert eng.authorised_by == "capt-jones" and eng.cost_usd == 8000.0
    authorised = run.of(EventKind.ENGAGEMENT_AUTHORISED)
    assert [a.request_id for a in authorised if isinstance(a, Authorisation)] == [eng.request_id]


def test_one_channel_takes_one_track_at_a_time_and_the_magazine_runs_out() -> None:
    gun = replace(GUN, magazine=2)
    run = _run([gun], _inbound(4))
    run.go(1.0)
    assert len(run.of(EventKind.ENGAGEMENT_REQUESTED)) == 1  # one channel
    run.go(80.0)
    assert len(run.of(EventKind.ENGAGEMENT_FIRED)) == 2  # two rounds, then none
    assert run.book.rounds == [0]


def test_reload_restores_the_magazine_after_reload_time() -> None:
    gun = replace(GUN, magazine=1, reloads=1, reload_s=20.0)
    run = _run([gun], _inbound(2, start_m=3500.0))
    run.go(80.0)
    fired = [(t, p) for t, k, p in run.events if k is EventKind.ENGAGEMENT_FIRED]
    assert len(fired) == 2
    assert fired[1][0] - fired[0][0] >= 20.0
    assert run.book.rounds == [0]


def test_three_channels_engage_three_tracks_at_once() -> None:
    run = _run([JAMMER], _inbound(4), cls=MR)
    run.go(1.0)
    assert len(run.of(EventKind.ENGAGEMENT_REQUESTED)) == 3


def test_shoot_look_shoot_reengages_a_miss() -> None:
    poor = replace(GUN, pk={ThreatClass.FIXED_WING: 0.05})
    run = _run([poor], _inbound(1, start_m=4000.0), seed=3)
    run.go(75.0)
    outcomes = [
        a.outcome for a in run.of(EventKind.ENGAGEMENT_ASSESSED) if isinstance(a, Assessment)
    ]
    assert outcomes[:2] == [Outcome.MISSED, Outcome.MISSED]
    # Each miss frees the track for the next request, until the window closes.
    assert len(run.of(EventKind.ENGAGEMENT_REQUESTED)) >= len(outcomes) >= 2


def test_jammed_drone_confirmed_when_it_turns_and_refuted_when_it_does_not() -> None:
    run = _run([JAMMER], _inbound(1, speed=15.0, start_m=1500.0), cls=MR)
    run.go(12.0)
    effects = [a for a in run.of(EventKind.ENGAGEMENT_ASSESSED) if isinstance(a, Assessment)]
    assert [a.outcome for a in effects] == [Outcome.JAMMED]
    # The drone keeps coming: after the look time the jam is assessed missed, and it is re-engaged.
    run.go(40.0)
    effects = [a for a in run.of(EventKind.ENGAGEMENT_ASSESSED) if isinstance(a, Assessment)]
    assert effects[1].outcome is Outcome.MISSED and "still inbound" in effects[1].reason
    assert len(run.of(EventKind.ENGAGEMENT_REQUESTED)) >= 2

    turned = _run([JAMMER], _inbound(1, speed=15.0, start_m=1500.0), cls=MR)
    turned.go(12.0)
    turned.x0 = turned.x0.copy()
    turned.x0[0, 3] = -turned.x0[
        0, 3
    ]  # flies away west after the jam (position jumps back a little)
    turned.go(20.0)
    effects = [a for a in turned.of(EventKind.ENGAGEMENT_ASSESSED) if isinstance(a, Assessment)]
    assert [a.outcome for a in effects] == [Outcome.JAMMED, Outcome.JAMMED]
    assert "returning home" in effects[1].reason
    assert turned.book.jammed and len(turned.of(EventKind.ENGAGEMENT_REQUESTED)) == 1


ORIGIN_ZONE = ZoneParams(name="hq", polygon_m=((-50, -50), (50, -50), (50, 50), (-50, 50)))
"""A zone at the origin: intercepts must happen before a track comes within 100 m of it."""


def _intercept_points(run: Run) -> list[np.ndarray]:
    out = []
    for e in run.of(EventKind.ENGAGEMENT_FIRED):
        assert isinstance(e, Engagement)
        x = run.x0[e.track_id - 1]
        out.append(x[:3] + x[3:] * e.t_intercept_s)
    return out


def test_no_fire_zone_blocks_an_intercept_over_the_town() -> None:
    # The drone comes from the west over a town that reaches almost to the zone it attacks.
    town = NoFireZoneParams(
        name="town",
        polygon_m=((-2500.0, -400.0), (-100.0, -400.0), (-100.0, 400.0), (-2500.0, 400.0)),
    )
    free = _run([GUN], _inbound(1), zones=[ORIGIN_ZONE])
    free.go(60.0)
    barred = _run([GUN], _inbound(1), zones=[ORIGIN_ZONE], no_fire_zones=[town])
    barred.go(60.0)
    assert free.of(EventKind.ENGAGEMENT_FIRED) and not barred.of(EventKind.ENGAGEMENT_REQUESTED)
    # A smaller town: the gun waits until the debris would fall clear of it (100 m).
    small = replace(
        town, polygon_m=((-2500.0, -400.0), (-900.0, -400.0), (-900.0, 400.0), (-2500.0, 400.0))
    )
    debris = replace(GUN, debris_radius_m=100.0)
    waits = _run([debris], _inbound(1), zones=[ORIGIN_ZONE], no_fire_zones=[small])
    waits.go(60.0)
    points = _intercept_points(waits)
    assert points and all(p[0] >= -900.0 + 100.0 - 1e-6 for p in points)


def test_rules_of_engagement_hold_sector_and_suspect_tracks() -> None:
    hold_west = RoeSectorParams(
        name="west",
        state=WeaponsState.HOLD,
        az_from_rad=np.radians(225.0),
        az_width_rad=np.radians(90.0),
    )
    held = _run([GUN], _inbound(2), zones=[ORIGIN_ZONE], roe_sectors=[hold_west])
    held.go(60.0)
    hit = {e.track_id for e in held.of(EventKind.ENGAGEMENT_FIRED) if isinstance(e, Engagement)}
    assert hit == {2}  # the track from the west is held, the one from the south engaged
    tight = _run([GUN], _inbound(1), aff=SUSPECT)
    tight.go(60.0)
    assert not tight.of(EventKind.ENGAGEMENT_REQUESTED)
    free = _run([replace(GUN, weapons_state=WeaponsState.FREE)], _inbound(1), aff=SUSPECT)
    free.go(60.0)
    assert free.of(EventKind.ENGAGEMENT_FIRED)


def test_refused_effector_is_reported_once_and_never_used() -> None:
    broken = replace(GUN, name="broken", min_alt_m=2000.0, max_range_m=5000.0)
    run = _run([broken, replace(GUN, magazine=1)], _inbound(2))
    run.go(80.0)
    notes = [n for n in run.of(EventKind.INPUT_REJECTED) if isinstance(n, Note)]
    assert len(notes) == 1 and "'broken' refused" in notes[0].text and "min_alt_m" in notes[0].text
    fired = [e for e in run.of(EventKind.ENGAGEMENT_FIRED) if isinstance(e, Engagement)]
    assert [e.effector for e in fired] == ["gun"]


def test_assignment_sends_the_better_effector_to_the_more_valuable_zone() -> None:
    # Two drones, one for each zone; the sure effector goes where the value is.
    zones = [
        ZoneParams(name="hq", polygon_m=((-50, -50), (50, -50), (50, 50), (-50, 50)), value=3.0),
        ZoneParams(
            name="dump", polygon_m=((-50, 950), (50, 950), (50, 1050), (-50, 1050)), value=1.0
        ),
    ]
    sure = replace(GUN, name="sure", max_range_m=6000.0, pk={ThreatClass.FIXED_WING: 0.9})
    poor = replace(GUN, name="poor", max_range_m=6000.0, pk={ThreatClass.FIXED_WING: 0.5})
    x0 = np.array([[-3000.0, 1000.0, 300.0, 50.0, 0.0, 0.0], [-3000.0, 0.0, 300.0, 50.0, 0.0, 0.0]])
    run = _run([poor, sure], x0, zones=zones, params=EngageParams(decision_allowance_s=0.0))
    run.go(0.5)
    reqs = {
        r.track_id: r.effector
        for r in run.of(EventKind.ENGAGEMENT_REQUESTED)
        if isinstance(r, EngagementRequest)
    }
    assert reqs == {1: "poor", 2: "sure"}
    texts = [
        r.reason for r in run.of(EventKind.ENGAGEMENT_REQUESTED) if isinstance(r, EngagementRequest)
    ]
    assert any("threatening hq (value 3)" in t for t in texts)
