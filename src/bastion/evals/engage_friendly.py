"""Fratricide and authorisation Monte Carlo: randomised track pictures with friendly traffic.

Each run draws, from its own child of the root seed: the layout's effectors with random weapons
states, up to three random rules-of-engagement sectors (random bearings, states and effectors), and
6-14 tracks (drones, rockets, aircraft) around the base heading for a zone, with affiliations drawn
from all six standard identities (at least a third friend or assumed friend: the friendly traffic).
It then runs the engagement stage for `STEPS` steps of `STEP_S`, while
- identities change at random (probability `FLIP_P` per track and step, to any identity: a hostile
  recognised as a friend, a friend misidentified), as identification does in the field;
- the stand-in human approves most requests after 0-6 s, denies some, leaves some undecided, and a
  stream of forged or mistaken decisions arrives (unknown request, role without authority, no name,
  dated before the request or after its expiry, a second decision on a request).

Counted over every run, from what the stage emitted:
- `friendly_engagements`: engagements fired at a track identified friend or assumed friend when fired;
- `roe_violations`: engagements fired at a track the binding weapons state did not permit at the
  predicted intercept point (neutral or unknown; suspect unless weapons free; anything under hold);
- `unauthorised_engagements`: engagements without an accepted approval, by the engagement authority,
  recorded for their request before they were fired.
All three must be 0. This is an assignment-level Monte Carlo: tracks fly straight lines (rockets fall
under gravity), there is no sensor or tracker, so a thousand runs take seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from bastion.core.engage_params import RoeSectorParams, WeaponsState
from bastion.core.params import ScenarioParams
from bastion.core.records import (
    AFFILIATIONS,
    FRIENDLY,
    THREAT_CLASSES,
    Affiliation,
    Authorisation,
    Decision,
    Engagement,
    EngagementRequest,
    EventKind,
    ThreatClass,
)
from bastion.core.units import G0_MPS2
from bastion.engage import ENGAGEMENT_AUTHORITY, EngageBook
from bastion.engage.roe import PERMITS

STEPS = 16
STEP_S = 1.0
FLIP_P = 0.04
_CLASSES = (
    ThreatClass.FIXED_WING,
    ThreatClass.MULTIROTOR,
    ThreatClass.ROCKET,
    ThreatClass.AIRCRAFT,
)
_SPEED = {
    ThreatClass.FIXED_WING: (40.0, 55.0),
    ThreatClass.MULTIROTOR: (10.0, 20.0),
    ThreatClass.ROCKET: (250.0, 320.0),
    ThreatClass.AIRCRAFT: (60.0, 90.0),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FriendlyResult:
    """Totals over the runs (see the module docstring)."""

    runs: int
    tracks: int
    friendly_tracks: int
    requests: int
    engagements: int
    rejected_decisions: int
    friendly_engagements: int
    roe_violations: int
    unauthorised_engagements: int


def _layout_variant(layout: ScenarioParams, rng: np.random.Generator) -> ScenarioParams:
    states = list(WeaponsState)
    effectors = tuple(
        replace(e, weapons_state=states[int(rng.integers(3))]) for e in layout.effectors
    )
    names = [e.name for e in effectors]
    sectors = []
    for j in range(int(rng.integers(0, 4))):
        chosen = tuple(n for n in names if rng.random() < 0.5) if rng.random() < 0.5 else ()
        sectors.append(
            RoeSectorParams(
                name=f"s{j}",
                state=states[int(rng.integers(3))],
                az_from_rad=float(rng.uniform(0.0, 2.0 * math.pi)),
                az_width_rad=float(rng.uniform(0.3, 3.0)),
                min_range_m=float(rng.uniform(0.0, 2000.0)),
                effectors=chosen,
            )
        )
    return replace(layout, effectors=effectors, roe_sectors=tuple(sectors))


def _tracks(
    layout: ScenarioParams, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = int(rng.integers(6, 15))
    cls = np.array([THREAT_CLASSES.index(_CLASSES[int(rng.integers(4))]) for _ in range(n)])
    aff = rng.integers(0, len(AFFILIATIONS), n)
    friendly = rng.random(n) < 1.0 / 3.0
    aff[friendly] = AFFILIATIONS.index(Affiliation.FRIEND)
    aff[friendly & (rng.random(n) < 0.5)] = AFFILIATIONS.index(Affiliation.ASSUMED_FRIEND)
    x = np.empty((n, 6))
    for i in range(n):
        tc = THREAT_CLASSES[int(cls[i])]
        zone = layout.zones[int(rng.integers(len(layout.zones)))]
        aim = np.mean(np.array(zone.polygon_m), axis=0) + rng.normal(0.0, 200.0, 2)
        bearing = rng.uniform(0.0, 2.0 * math.pi)
        dist = rng.uniform(1500.0, 7000.0)
        start = aim + dist * np.array([math.sin(bearing), math.cos(bearing)])
        speed = rng.uniform(*_SPEED[tc])
        heading = (aim - start) / np.linalg.norm(aim - start)
        alt = rng.uniform(100.0, 800.0)
        x[i, :2], x[i, 2] = start, alt
        x[i, 3:5], x[i, 5] = speed * heading, 0.0
        if tc is ThreatClass.ROCKET:  # falling onto the aim point from its height
            x[i, 5] = -alt / (dist / speed) + 0.5 * G0_MPS2 * dist / speed
    return x, cls.astype(np.int8), aff.astype(np.int8)


def _bogus(
    rng: np.random.Generator, t: float, requests: dict[int, EngagementRequest]
) -> Authorisation:
    """A forged or mistaken decision."""
    ids = list(requests)
    rid = int(rng.choice(ids)) if ids and rng.random() < 0.8 else 10_000 + int(rng.integers(99))
    req = requests.get(rid)
    role, operator, when = ENGAGEMENT_AUTHORITY, "lt-smith", t
    kind = int(rng.integers(4))
    if kind == 0:
        role = str(rng.choice(["watch_officer", "radar_operator", "Engagement_Authority", ""]))
    elif kind == 1:
        operator = ""
    elif kind == 2 and req is not None:
        when = req.t_s - 1.0
    elif kind == 3 and req is not None:
        when = req.expires_t_s + 1.0
    return Authorisation(
        request_id=rid, t_s=when, decision=Decision.APPROVED, operator=operator, role=role
    )


def _one_run(layout: ScenarioParams, rng: np.random.Generator) -> dict[str, int]:
    variant = _layout_variant(layout, rng)
    book = EngageBook.from_scenario(variant, rng.spawn(1)[0])
    x, cls, aff = _tracks(variant, rng)
    ids = np.arange(1, x.shape[0] + 1, dtype=np.int64)
    friendly_codes = [AFFILIATIONS.index(a) for a in FRIENDLY]
    n_friendly = int(np.isin(aff, friendly_codes).sum())
    counts = dict.fromkeys(
        ("requests", "engagements", "rejected", "friendly", "roe", "unauthorised"), 0
    )
    requests: dict[int, EngagementRequest] = {}
    approved: dict[int, Authorisation] = {}
    pending: list[Authorisation] = []
    falling = cls == THREAT_CLASSES.index(ThreatClass.ROCKET)
    for step in range(STEPS):
        t = step * STEP_S
        flip = rng.random(ids.size) < FLIP_P
        aff[flip] = rng.integers(0, len(AFFILIATIONS), int(flip.sum()))
        alive = x[:, 2] > 0.0
        due = [d for d in pending if d.t_s <= t]
        pending = [d for d in pending if d.t_s > t]
        if rng.random() < 0.3:
            due.append(_bogus(rng, t, requests))
        out = book.step(t, ids[alive], x[alive], cls[alive], aff[alive], due)
        for kind, _, payload in out.emissions:
            if kind is EventKind.ENGAGEMENT_REQUESTED and isinstance(payload, EngagementRequest):
                counts["requests"] += 1
                requests[payload.request_id] = payload
                u = rng.random()
                if u < 0.9:
                    pending.append(
                        Authorisation(
                            request_id=payload.request_id,
                            t_s=t + float(rng.uniform(0.0, 6.0)),
                            decision=Decision.APPROVED if u < 0.8 else Decision.DENIED,
                            operator="capt-jones",
                            role=ENGAGEMENT_AUTHORITY,
                        )
                    )
            elif kind is EventKind.ENGAGEMENT_AUTHORISED and isinstance(payload, Authorisation):
                approved[payload.request_id] = payload
            elif kind is EventKind.INPUT_REJECTED:
                counts["rejected"] += 1
            elif isinstance(payload, Engagement):
                counts["engagements"] += 1
                _check_fire(book, payload, t, x, cls, aff, approved, counts)
        x[:, :3] += x[:, 3:] * STEP_S
        x[falling, 5] -= G0_MPS2 * STEP_S
    counts["tracks"] = int(ids.size)
    counts["friendly_tracks"] = n_friendly
    return counts


def _check_fire(
    book: EngageBook,
    eng: Engagement,
    t: float,
    x: np.ndarray,
    cls: np.ndarray,
    aff: np.ndarray,
    approved: dict[int, Authorisation],
    counts: dict[str, int],
) -> None:
    i = int(eng.track_id) - 1
    identity = AFFILIATIONS[int(aff[i])]
    if identity in FRIENDLY:
        counts["friendly"] += 1
    k = next(j for j, e in enumerate(book.effectors) if e.name == eng.effector)
    paths = book.planner.paths(x[i : i + 1], cls[i : i + 1])
    j = min(round((eng.t_intercept_s - t) / float(paths.t_s[1])), paths.t_s.size - 1)
    state = book.planner.roe.state_at(k, paths.pos_m[0, j])
    if identity not in PERMITS[state]:
        counts["roe"] += 1
    auth = approved.get(eng.request_id)
    if auth is None or auth.t_s > t or auth.role != ENGAGEMENT_AUTHORITY or not auth.operator:
        counts["unauthorised"] += 1


def friendly_monte_carlo(layout: ScenarioParams, runs: int, seed: int) -> FriendlyResult:
    """Run the Monte Carlo `runs` times from root seed `seed`."""
    total: dict[str, int] = {}
    for child in np.random.SeedSequence([seed, 6]).spawn(runs):
        for key, value in _one_run(layout, np.random.default_rng(child)).items():
            total[key] = total.get(key, 0) + value
    return FriendlyResult(
        runs=runs,
        tracks=total.get("tracks", 0),
        friendly_tracks=total.get("friendly_tracks", 0),
        requests=total.get("requests", 0),
        engagements=total.get("engagements", 0),
        rejected_decisions=total.get("rejected", 0),
        friendly_engagements=total.get("friendly", 0),
        roe_violations=total.get("roe", 0),
        unauthorised_engagements=total.get("unauthorised", 0),
    )
