"""The engagement planner: from tracks to engagement windows, kill probabilities and an assignment.

For N tracks and K effectors it predicts each track's path once (`paths`), finds the asset each path
threatens and its deadline (`areas.AssetMap`), and for each effector the first feasible intercept
(`effectors.effector_window`) inside the envelope, before the deadline, where the rules of engagement
permit the track's affiliation (`roe`) and no predicted miss or debris falls in a no-fire zone
(`areas.NoFireMap`). The kill probability p_ik is the effector's Pk for the track's class where a
window exists, else 0. `assign` hands value, p and capacities to the greedy or optimal solver (`wta`).
Times are seconds from now, positions site ENU metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.engage_params import (
    EffectorParams,
    EngageParams,
    NoFireZoneParams,
    RoeSectorParams,
    WtaSolver,
)
from bastion.core.params import ZoneParams
from bastion.core.records import AFFILIATIONS, THREAT_CLASSES, ThreatClass
from bastion.engage.areas import AssetMap, NoFireMap
from bastion.engage.effectors import Window, effector_window
from bastion.engage.paths import Paths, predict_paths
from bastion.engage.roe import RulesOfEngagement
from bastion.engage.wta import WtaProblem, WtaResult, solve_greedy, solve_optimal

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_ROCKET = THREAT_CLASSES.index(ThreatClass.ROCKET)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Plan:
    """Windows of N tracks by K effectors: `value`, `deadline_s`, `zone` (N,); `fire_s`,
    `intercept_s`, `close_s`, `pk` (N, K) (NaN / 0 where there is no window)."""

    paths: Paths
    value: FloatArray
    deadline_s: FloatArray
    zone: IntArray
    fire_s: FloatArray
    intercept_s: FloatArray
    close_s: FloatArray
    index: IntArray
    pk: FloatArray


class Planner:
    """Everything fixed about a site's engagements: effectors, zones, no-fire zones, rules."""

    def __init__(
        self,
        effectors: Sequence[EffectorParams],
        *,
        zones: Sequence[ZoneParams] = (),
        no_fire_zones: Sequence[NoFireZoneParams] = (),
        roe_sectors: Sequence[RoeSectorParams] = (),
        params: EngageParams | None = None,
        horizon_s: float = 120.0,
        k_drag_m2pkg: float = 1.0e-4,
        site_alt_m: float = 0.0,
    ) -> None:
        self.effectors = tuple(effectors)
        self.params = params if params is not None else EngageParams()
        self.horizon_s = horizon_s
        self.k_drag_m2pkg = k_drag_m2pkg
        self.site_alt_m = site_alt_m
        self.assets = AssetMap(zones, self.params.asset_buffer_m)
        self.no_fire = NoFireMap(no_fire_zones)
        self.roe = RulesOfEngagement(self.effectors, roe_sectors)
        self.pk_table = np.array(
            [[e.pk.get(c, 0.0) for c in THREAT_CLASSES] for e in self.effectors], dtype=np.float64
        ).reshape(len(self.effectors), len(THREAT_CLASSES))

    def paths(self, x: FloatArray, class_codes: NDArray[np.int8]) -> Paths:
        """Predicted paths of states `x` (N, 6); rocket-class rows fly the ballistic model."""
        return predict_paths(
            x,
            class_codes == _ROCKET,
            self.horizon_s,
            self.params.path_step_s,
            self.k_drag_m2pkg,
            self.site_alt_m,
        )

    def plan(
        self,
        x: FloatArray,
        class_codes: NDArray[np.int8],
        aff_codes: NDArray[np.int8],
        earliest_fire_s: FloatArray,
        pointing_az_rad: FloatArray | None = None,
        effectors: Sequence[int] | None = None,
    ) -> Plan:
        """Windows of tracks `x` (N, 6) by the effectors `effectors` (default all; others get none).

        `earliest_fire_s` (K,) is each effector's earliest firing time from now (reaction, decision
        allowance, reload); `pointing_az_rad` (K,) where each points now (NaN: no slew).
        """
        paths = self.paths(x, class_codes)
        value, deadline, zone = self.assets.reach(paths, class_codes == _ROCKET)
        n, k_all = len(paths), len(self.effectors)
        fire = np.full((n, k_all), np.nan)
        inter = np.full((n, k_all), np.nan)
        close = np.full((n, k_all), np.nan)
        index = np.full((n, k_all), -1, dtype=np.int64)
        pk = np.zeros((n, k_all))
        todo = list(range(k_all)) if effectors is None else list(effectors)
        pk_rows = self.pk_table[:, class_codes.astype(np.int64)]  # (K, N)
        live = [k for k in todo if n and (pk_rows[k] > 0.0).any()]
        if live:
            permits = self.roe.permits(paths.pos_m, aff_codes)
            for k in live:
                eff = self.effectors[k]
                allowed = permits[k] & ~self.no_fire.violates(eff, paths.pos_m)
                allowed &= (pk_rows[k] > 0.0)[:, None]
                point = np.nan if pointing_az_rad is None else float(pointing_az_rad[k])
                w: Window = effector_window(
                    eff, paths, float(earliest_fire_s[k]), deadline, point, allowed
                )
                fire[:, k], inter[:, k], close[:, k] = w.fire_s, w.intercept_s, w.close_s
                index[:, k] = w.index
                pk[:, k] = np.where(w.feasible, pk_rows[k], 0.0)
        return Plan(
            paths=paths,
            value=value,
            deadline_s=deadline,
            zone=zone,
            fire_s=fire,
            intercept_s=inter,
            close_s=close,
            index=index,
            pk=pk,
        )

    def assign(
        self,
        plan: Plan,
        capacity: IntArray,
        *,
        usable: NDArray[np.bool_] | None = None,
        solver: WtaSolver | None = None,
        max_shooters: int | None = None,
        value: FloatArray | None = None,
    ) -> WtaResult:
        """Assign effectors to the plan's tracks; `usable` (N, K) masks windows out."""
        pk = plan.pk if usable is None else np.where(usable, plan.pk, 0.0)
        problem = WtaProblem(
            value=plan.value if value is None else value,
            pk=pk,
            capacity=capacity,
            max_shooters=self.params.max_shooters if max_shooters is None else max_shooters,
        )
        chosen = self.params.solver if solver is None else solver
        return solve_optimal(problem) if chosen is WtaSolver.OPTIMAL else solve_greedy(problem)

    def describe(self, plan: Plan, i: int, k: int, class_code: np.int8, aff_code: np.int8) -> str:
        """The reason given with a request: what, where, threatening what, the shot, the rule."""
        eff = self.effectors[k]
        tc = THREAT_CLASSES[int(class_code)].value
        aff = AFFILIATIONS[int(aff_code)].value
        dist_m = float(np.linalg.norm(plan.paths.pos_m[i, 0] - np.asarray(eff.position_m)))
        z = int(plan.zone[i])
        target = self.assets.zones[z].name if z >= 0 else "no zone on its straight path"
        state = self.roe.state_at(k, self.intercept_point(plan, i, k))
        return (
            f"{aff} {tc} at {dist_m / 1000:.1f} km threatening {target} "
            f"(value {plan.value[i]:g}); {eff.name} pk {plan.pk[i, k]:.2f}, fire in "
            f"{plan.fire_s[i, k]:.0f} s, intercept in {plan.intercept_s[i, k]:.0f} s; "
            f"weapons {state.value}; {self.params.solver.value} assignment"
        )

    def why_not(
        self, plan: Plan, i: int, k: int, aff_code: NDArray[np.int8], earliest_fire_s: float
    ) -> str:
        """Why effector `k` has no window on track row `i` of `plan` (for the record)."""
        eff = self.effectors[k]
        one = plan.paths.rows(np.array([i]))
        deadline = plan.deadline_s[i : i + 1]
        bare = effector_window(eff, one, earliest_fire_s, deadline)
        if not bare.feasible[0]:
            z = int(plan.zone[i])
            where = f"before it reaches {self.assets.zones[z].name}" if z >= 0 else "in time"
            return f"its path does not enter the envelope {where}"
        permits = self.roe.permits(one.pos_m, aff_code)[k]
        if not effector_window(eff, one, earliest_fire_s, deadline, allowed=permits).feasible[0]:
            return "the rules of engagement along its path do not permit it"
        return "a predicted miss or debris would fall in a no-fire zone"

    def intercept_point(self, plan: Plan, i: int, k: int) -> FloatArray:
        """Predicted intercept point (3,) of track row `i` by effector `k` (site ENU m)."""
        point: FloatArray = plan.paths.pos_m[i, int(plan.index[i, k])]
        return point
