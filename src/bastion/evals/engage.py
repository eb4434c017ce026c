"""`bastion eval engage`: seeded salvos against a layout, the assignment's speed, and fratricide.

Three measurements, each from its own child of the root seed:

1. Salvos (`engage_salvo`): `salvos` seeded salvos of 20 drones and 10 rockets (plus friendly
   traffic) at the layout, each flown through the engagement stage with perfect tracks. From the
   run: `leak_rate` (threats that reached the ground, over all threats; `leak_rate_by_class` per
   kind of threat), `rounds_used` (shots fired,
   mean per salvo), `cost_exchange` (defender's spend on shots over the assumed cost of the threats
   it defeated; above 1 the defender pays more), `friendly_engagements` and
   `unauthorised_engagements`. From each salvo's static plan: `expected_leakers_optimal` and
   `expected_leakers_greedy` (mean per salvo; every threat worth 1) and the expected value lost
   likewise; `optimal_never_worse` checks, salvo by salvo, that the optimal solver's expected leakers
   (and expected value lost) are no more than the greedy solver's.
2. Speed (`assign_ms_100x10`): 100 threats (70 drones, 30 rockets, as a salvo draws them) against 10
   effectors (the layout's, twice, the second set turned 180 degrees about the origin), each
   effector's whole stock as capacity: median wall time of the optimal per-look assignment (one
   shooter per threat, as the stage runs it) over `REPEATS` solves; `windows_ms_100x10` the time to
   compute the 100 x 10 engagement windows it needs; `assign_ms_100x10_general` the optimal
   assignment with up to two shooters per threat (MILP), for comparison.
3. Fratricide (`engage_friendly`): `friendly_runs` randomised runs with friendly traffic; its
   friendly engagements are added to `friendly_engagements`.

Salvos run in a process pool; every salvo's randomness comes from its own child seed, so the numbers
do not depend on the number of workers. Only the speed figures are wall-clock.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from bastion.core.engage_params import EffectorParams, WtaSolver
from bastion.core.params import ScenarioParams
from bastion.engage import EngageBook
from bastion.evals.engage_friendly import friendly_monte_carlo
from bastion.evals.engage_salvo import (
    TRUTH_DT_S,
    SalvoOutcome,
    codes,
    draw_salvo,
    fly_salvo,
    threat_states,
)
from bastion.sim import TruthWorld

REPEATS = 20
"""Timed repeats of the 100 x 10 assignment (the median is reported)."""


def _salvo(args: tuple[ScenarioParams, np.random.SeedSequence, int, int]) -> SalvoOutcome:
    layout, seq, drones, rockets = args
    rng = np.random.default_rng(seq)
    return fly_salvo(layout, draw_salvo(layout, rng, drones, rockets), rng)


def _turned(e: EffectorParams) -> EffectorParams:
    east, north, up = e.position_m
    return replace(
        e,
        name=f"{e.name}-2",
        position_m=(-east, -north, up),
        sector_from_rad=(e.sector_from_rad + math.pi) % (2.0 * math.pi),
    )


def assignment_speed(layout: ScenarioParams, seed: int) -> dict[str, float]:
    """Median times (ms) of the 100 x 10 windows and assignments (see the module docstring)."""
    big = replace(layout, effectors=(*layout.effectors, *(_turned(e) for e in layout.effectors)))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 100]))
    targets = [t for t in draw_salvo(big, rng, drones=70, rockets=30) if t.target_id[0] != "f"]
    world = TruthWorld.build(targets, 200.0, big.site.alt_m, rng, dt_s=TRUTH_DT_S)
    book = EngageBook.from_scenario(big, rng)
    ks, x = threat_states(world)
    cls_all, aff_all = codes(world)
    cls, aff = cls_all[ks], aff_all[ks]
    earliest = np.array([book.params.decision_allowance_s + e.reaction_s for e in book.effectors])
    capacity = np.array([s.remaining() for s in book.states], dtype=np.int64)
    t_win, t_one, t_gen = [], [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        plan = book.planner.plan(x, cls, aff, earliest)
        t1 = time.perf_counter()
        book.planner.assign(plan, capacity, solver=WtaSolver.OPTIMAL, max_shooters=1)
        t2 = time.perf_counter()
        t_win.append(t1 - t0)
        t_one.append(t2 - t1)
    for _ in range(max(REPEATS // 4, 1)):
        t0 = time.perf_counter()
        book.planner.assign(plan, capacity, solver=WtaSolver.OPTIMAL, max_shooters=2)
        t_gen.append(time.perf_counter() - t0)
    feasible = int((plan.pk > 0.0).sum())
    return {
        "assign_ms_100x10": 1000.0 * float(np.median(t_one)),
        "windows_ms_100x10": 1000.0 * float(np.median(t_win)),
        "assign_ms_100x10_general": 1000.0 * float(np.median(t_gen)),
        "feasible_pairs_100x10": float(feasible),
        "threats_100x10": float(ks.size),
    }


def evaluate(
    layout: ScenarioParams,
    salvos: int,
    seed: int,
    *,
    drones: int = 20,
    rockets: int = 10,
    friendly_runs: int = 1000,
    workers: int = 1,
) -> dict[str, Any]:
    """Run the whole evaluation; a flat dict of the figures (and `per_salvo` details)."""
    seqs = np.random.SeedSequence(seed).spawn(salvos)
    jobs = [(layout, s, drones, rockets) for s in seqs]
    if workers > 1 and salvos > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_salvo, jobs))
    else:
        outcomes = [_salvo(j) for j in jobs]
    threats = sum(o.threats for o in outcomes)
    leakers = sum(o.leakers for o in outcomes)
    shots = sum(o.shots for o in outcomes)
    cost = sum(o.cost_usd for o in outcomes)
    defeated = sum(o.defeated_cost_usd for o in outcomes)
    plans = [o.plan for o in outcomes]
    never_worse = all(
        p.expected_leakers_optimal <= p.expected_leakers_greedy + 1e-9
        and p.expected_value_lost_optimal <= p.expected_value_lost_greedy + 1e-9
        for p in plans
    )
    mc = friendly_monte_carlo(layout, friendly_runs, seed)
    speed = assignment_speed(layout, seed)
    n = max(salvos, 1)
    kinds = sorted({k for o in outcomes for k in o.threats_by_kind})
    by_kind = {
        k: sum(o.leakers_by_kind.get(k, 0) for o in outcomes)
        / max(sum(o.threats_by_kind.get(k, 0) for o in outcomes), 1)
        for k in kinds
    }
    return {
        "salvos": salvos,
        "seed": seed,
        "threats_per_salvo": threats / n,
        "leak_rate": leakers / max(threats, 1),
        "leak_rate_by_class": by_kind,
        "rounds_used": shots / n,
        "defender_cost_usd": cost / n,
        "defeated_threat_cost_usd": defeated / n,
        "cost_exchange": cost / defeated if defeated > 0 else math.inf,
        "expected_leakers_optimal": sum(p.expected_leakers_optimal for p in plans) / n,
        "expected_leakers_greedy": sum(p.expected_leakers_greedy for p in plans) / n,
        "expected_value_lost_optimal": sum(p.expected_value_lost_optimal for p in plans) / n,
        "expected_value_lost_greedy": sum(p.expected_value_lost_greedy for p in plans) / n,
        "optimal_never_worse": never_worse,
        "salvos_optimal_strictly_better": sum(
            p.expected_leakers_optimal < p.expected_leakers_greedy - 1e-9 for p in plans
        ),
        **speed,
        "friendly_engagements": sum(o.friendly_engagements for o in outcomes)
        + mc.friendly_engagements,
        "friendly_engagements_salvos": sum(o.friendly_engagements for o in outcomes),
        "unauthorised_engagements": sum(o.unauthorised_engagements for o in outcomes)
        + mc.unauthorised_engagements,
        "friendly_mc": asdict(mc),
        "per_salvo": [{"leakers": o.leakers, "shots": o.shots, **asdict(o.plan)} for o in outcomes],
    }
