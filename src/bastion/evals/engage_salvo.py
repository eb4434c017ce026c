"""One seeded salvo against a layout, flown through the engagement stage (for `bastion eval engage`).

A salvo (`draw_salvo`): `drones` one-way attack drones (70 % fixed-wing Shahed class, 40-55 m/s at
150-500 m from 6-9 km out, diving 30-40 degrees onto their aim point; 30 % quadcopters, 12-20 m/s at
60-150 m from 3-5 km out), starting over the first 60 s, and `rockets` 107 mm-class rockets (350 m/s
burnout, low angle) launched from 4-6.5 km over the first 90 s, every one aimed at a uniformly drawn
point inside a uniformly drawn defended zone, from a uniformly drawn bearing; plus friendly traffic
(an aircraft on approach through the layout's sectors and a friendly quadcopter on patrol over the
base). The truth is the simulator's (`bastion.sim.TruthWorld`), so dives, ballistic flight and jammed
drones turning home are real trajectories.

The engagement-level run (`fly_salvo`) replaces sensing, tracking and identification by the truth:
every object becomes a track `TRACK_DELAY_S` after it appears, with its true state, its true class
and the identity a working identification would give (hostile, or friend for the friendly traffic).
It measures the engagement chain alone: the rules of engagement, the assignment, the human decisions
(the layout's operator model, recorded as events like a person's), the shots, the kill assessment and
shoot-look-shoot. Threat unit costs (for the cost exchange) are planning assumptions: `THREAT_COST_USD`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from bastion.core.engage_params import WtaSolver
from bastion.core.params import RocketTarget, ScenarioParams, Target, TargetKind, WaypointTarget
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    Assessment,
    Authorisation,
    Engagement,
    EngagementRequest,
    EventKind,
    Outcome,
    ThreatClass,
)
from bastion.engage import EngageBook, OperatorModel
from bastion.sim import TruthWorld

TRACK_DELAY_S = 3.0
"""An object becomes a track this long after it appears (detection and confirmation)."""
STEP_S = 0.5
"""Engagement step (s)."""
DURATION_S = 320.0
"""Longest salvo run (s); the last drones arrive well before."""
TRUTH_DT_S = 0.2
THREAT_COST_USD = {
    TargetKind.FIXED_WING: 35_000.0,
    TargetKind.MULTIROTOR: 5_000.0,
    TargetKind.ROCKET: 1_000.0,
}
"""Assumed unit cost of a threat (US dollars): Shahed class, commercial quadcopter, 107 mm rocket."""

_CLASS_OF = {
    TargetKind.FIXED_WING: ThreatClass.FIXED_WING,
    TargetKind.MULTIROTOR: ThreatClass.MULTIROTOR,
    TargetKind.ROCKET: ThreatClass.ROCKET,
    TargetKind.AIRCRAFT: ThreatClass.AIRCRAFT,
    TargetKind.BIRD: ThreatClass.BIRD,
}


def _zone_point(layout: ScenarioParams, rng: np.random.Generator) -> tuple[float, float]:
    """A uniformly drawn point inside a uniformly drawn zone (rejection inside its bounding box)."""
    zone = layout.zones[int(rng.integers(len(layout.zones)))]
    poly = np.array(zone.polygon_m)
    lo, hi = poly.min(axis=0), poly.max(axis=0)
    while True:
        e, n = rng.uniform(lo, hi)
        inside = False
        j = len(poly) - 1
        for i in range(len(poly)):  # even-odd rule
            (ei, ni), (ej, nj) = poly[i], poly[j]
            if (ni > n) != (nj > n) and e < (ej - ei) * (n - ni) / (nj - ni) + ei:
                inside = not inside
            j = i
        if inside:
            return float(e), float(n)


def draw_salvo(
    layout: ScenarioParams, rng: np.random.Generator, drones: int = 20, rockets: int = 10
) -> list[Target]:
    """The targets of one salvo (hostile threats first, then friendly traffic)."""
    out: list[Target] = []
    for i in range(drones):
        e, n = _zone_point(layout, rng)
        bearing = rng.uniform(0.0, 2.0 * math.pi)
        fixed_wing = rng.random() < 0.7
        dist = rng.uniform(6000.0, 9000.0) if fixed_wing else rng.uniform(3000.0, 5000.0)
        alt = rng.uniform(150.0, 500.0) if fixed_wing else rng.uniform(60.0, 150.0)
        start = (e + dist * math.sin(bearing), n + dist * math.cos(bearing), alt)
        out.append(
            WaypointTarget(
                target_id=f"drone-{i}",
                kind=TargetKind.FIXED_WING if fixed_wing else TargetKind.MULTIROTOR,
                hostile=True,
                start_t_s=float(rng.uniform(0.0, 60.0)),
                waypoints_m=(start, (e, n, 0.0)),
                speed_mps=float(rng.uniform(40.0, 55.0) if fixed_wing else rng.uniform(12.0, 20.0)),
                rcs_m2=0.1 if fixed_wing else 0.02,
                dive_angle_rad=math.radians(float(rng.uniform(30.0, 40.0))),
            )
        )
    for i in range(rockets):
        e, n = _zone_point(layout, rng)
        bearing = rng.uniform(0.0, 2.0 * math.pi)
        dist = rng.uniform(4000.0, 6500.0)
        out.append(
            RocketTarget(
                target_id=f"rocket-{i}",
                launch_m=(e + dist * math.sin(bearing), n + dist * math.cos(bearing), 0.0),
                aim_m=(e, n, 0.0),
                launch_t_s=float(rng.uniform(0.0, 90.0)),
                speed_mps=350.0,
                mass_kg=18.8,
                diameter_m=0.107,
                drag_coefficient=0.35,
                rcs_m2=0.02,
            )
        )
    out.append(
        WaypointTarget(
            target_id="friendly-aircraft",
            kind=TargetKind.AIRCRAFT,
            hostile=False,
            start_t_s=float(rng.uniform(0.0, 60.0)),
            waypoints_m=((12000.0, 600.0, 800.0), (6000.0, 600.0, 400.0), (1900.0, 600.0, 0.0)),
            speed_mps=70.0,
            rcs_m2=20.0,
        )
    )
    out.append(
        WaypointTarget(
            target_id="friendly-quad",
            kind=TargetKind.MULTIROTOR,
            hostile=False,
            start_t_s=0.0,
            waypoints_m=(
                (-1500.0, 2000.0, 120.0),
                (1500.0, 2000.0, 120.0),
                (1500.0, -2000.0, 120.0),
            ),
            speed_mps=12.0,
            rcs_m2=0.02,
        )
    )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class SalvoOutcome:
    """What happened to one salvo in the engagement-level run, and its static plan (`SalvoPlan`)."""

    plan: SalvoPlan
    threats: int
    leakers: int
    shots: int
    cost_usd: float
    defeated_cost_usd: float
    friendly_engagements: int
    unauthorised_engagements: int
    threats_by_kind: dict[str, int]
    leakers_by_kind: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class SalvoPlan:
    """The whole salvo as one static weapon-target assignment (see `plan_salvo`): expected leakers
    (every threat worth 1) and expected value lost (zone values) under each solver."""

    expected_leakers_optimal: float
    expected_leakers_greedy: float
    expected_value_lost_optimal: float
    expected_value_lost_greedy: float


def threat_states(world: TruthWorld) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Each hostile object's index and its state (N, 6) when it first becomes a track."""
    ks = np.array([k for k in range(len(world)) if world.hostile[k]], dtype=np.int64)
    x = np.empty((ks.size, 6))
    for i, k in enumerate(ks.tolist()):
        pos, vel, _ = world.state_at(world.start_t_s(k) + TRACK_DELAY_S)
        x[i] = np.concatenate([pos[k], vel[k]])
    return ks, x


def plan_salvo(book: EngageBook, world: TruthWorld, max_shooters: int = 2) -> SalvoPlan:
    """The salvo as one static WTA: every threat as it first becomes a track, every effector with its
    whole stock of shots (`remaining`) as capacity, up to `max_shooters` effectors per threat, kill
    probabilities where a window opens after the decision allowance and reaction time. Solved by the
    greedy and the optimal solver for two objectives: expected leakers (each threat worth 1) and
    expected value lost (each threat worth its zone's value)."""
    ks, x = threat_states(world)
    cls_all, aff_all = codes(world)
    earliest = np.array([book.params.decision_allowance_s + e.reaction_s for e in book.effectors])
    plan = book.planner.plan(x, cls_all[ks], aff_all[ks], earliest)
    capacity = np.array([s.remaining() for s in book.states], dtype=np.int64)
    ones = np.ones(ks.size)
    out = {}
    for solver in (WtaSolver.OPTIMAL, WtaSolver.GREEDY):
        count = book.planner.assign(
            plan, capacity, solver=solver, max_shooters=max_shooters, value=ones
        )
        worth = book.planner.assign(plan, capacity, solver=solver, max_shooters=max_shooters)
        out[solver] = (count.expected_leakers, float(np.sum(plan.value * worth.survival)))
    return SalvoPlan(
        expected_leakers_optimal=out[WtaSolver.OPTIMAL][0],
        expected_leakers_greedy=out[WtaSolver.GREEDY][0],
        expected_value_lost_optimal=out[WtaSolver.OPTIMAL][1],
        expected_value_lost_greedy=out[WtaSolver.GREEDY][1],
    )


def codes(world: TruthWorld) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Class and identity codes of every object, as perfect identification would give them."""
    cls = np.array([THREAT_CLASSES.index(_CLASS_OF[k]) for k in world.kinds], dtype=np.int8)
    hostile, friend = (
        AFFILIATIONS.index(Affiliation.HOSTILE),
        AFFILIATIONS.index(Affiliation.FRIEND),
    )
    aff = np.array([hostile if h else friend for h in world.hostile], dtype=np.int8)
    return cls, aff


def fly_salvo(
    layout: ScenarioParams,
    targets: list[Target],
    rng: np.random.Generator,
    solver: WtaSolver | None = None,
) -> SalvoOutcome:
    """Fly one salvo through the engagement stage; `solver` overrides the layout's WTA solver."""
    truth_rng, op_rng, eng_rng = rng.spawn(3)
    world = TruthWorld.build(targets, DURATION_S, layout.site.alt_m, truth_rng, dt_s=TRUTH_DT_S)
    params = layout if solver is None else _with_solver(layout, solver)
    book = EngageBook.from_scenario(params, eng_rng)
    plan = plan_salvo(book, world)
    operator = OperatorModel(layout.operator, op_rng)
    cls_all, aff_all = codes(world)
    approved: dict[int, Authorisation] = {}
    pending: list[Authorisation] = []
    shots = unauthorised = friendly = 0
    cost = 0.0
    k_of_track = np.arange(len(world), dtype=np.int64)
    t = 0.0
    while t <= DURATION_S:
        pos, vel, alive = world.state_at(t)
        since = np.array([t - world.start_t_s(k) for k in range(len(world))])
        seen = np.flatnonzero(alive & (since >= TRACK_DELAY_S))
        x = np.concatenate([pos[seen], vel[seen]], axis=1)
        ready = [d for d in pending if d.t_s <= t]
        pending = [d for d in pending if d.t_s > t]
        out = book.step(t, k_of_track[seen] + 1, x, cls_all[seen], aff_all[seen], ready)
        for kind, _, payload in out.emissions:
            if isinstance(payload, EngagementRequest):
                pending.append(operator.decide(payload))
            elif kind is EventKind.ENGAGEMENT_AUTHORISED and isinstance(payload, Authorisation):
                approved[payload.request_id] = payload
            elif isinstance(payload, Engagement):
                shots += 1
                cost += payload.cost_usd
                auth = approved.get(payload.request_id)
                if auth is None or auth.t_s > t or auth.role != "engagement_authority":
                    unauthorised += 1
                if not world.hostile[payload.track_id - 1]:
                    friendly += 1
            elif isinstance(payload, Assessment):
                k = payload.track_id - 1
                if payload.outcome is Outcome.DESTROYED:
                    world.destroy(k, t)
                elif payload.outcome is Outcome.JAMMED:
                    world.jam(k, t)
        if not alive[np.array(world.hostile)].any() and t > 100.0 and not book.in_flight:
            break
        t += STEP_S
    threats = [k for k in range(len(world)) if world.hostile[k]]
    leakers = [k for k in threats if math.isfinite(world.impact_t_s(k))]
    defeated = sum(THREAT_COST_USD[world.kinds[k]] for k in threats if k not in leakers)
    return SalvoOutcome(
        plan=plan,
        threats=len(threats),
        leakers=len(leakers),
        shots=shots,
        cost_usd=cost,
        defeated_cost_usd=defeated,
        friendly_engagements=friendly,
        unauthorised_engagements=unauthorised,
        threats_by_kind=dict(Counter(world.kinds[k].value for k in threats)),
        leakers_by_kind=dict(Counter(world.kinds[k].value for k in leakers)),
    )


def _with_solver(layout: ScenarioParams, solver: WtaSolver) -> ScenarioParams:
    return replace(layout, engage=replace(layout.engage, solver=solver))
