"""The simulated truth world: every object's trajectory, interpolated for all objects at once.

Objects are indexed k = 0..K-1 in the order of the targets (a flock of n birds gives n objects named
``<flock id>/1`` .. ``<flock id>/n``). Positions are site ENU metres, velocities ENU m/s, times
run-clock seconds. The world exists on ``[0, duration_s]``; an object is alive from its start
(take-off, launch) until it lands, strikes the ground, reaches its last waypoint or is destroyed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.errors import ConfigError
from bastion.core.params import RocketTarget, Target, TargetKind, WaypointTarget
from bastion.core.truth import TruthHistory
from bastion.sim.jam import JAMMABLE, return_home
from bastion.sim.micro_doppler import signatures
from bastion.sim.motion import flock_trajectories, waypoint_trajectory
from bastion.sim.rocket import rocket_trajectory
from bastion.sim.trajectory import FloatArray, Trajectory, check_grid, sample_times

BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TruthObject:
    """One truth object: who it is and its sampled trajectory."""

    name: str
    target_id: str
    kind: TargetKind
    hostile: bool
    rcs_m2: float
    trajectory: Trajectory
    adsb_icao: str = ""
    callsign: str = ""
    remote_id_serial: str = ""


def objects_for(
    target: Target,
    index: int,
    duration_s: float,
    site_alt_m: float,
    rng: np.random.Generator,
    dt_s: float,
) -> list[TruthObject]:
    """The truth objects of one target (`index` is its position in the scenario, for errors)."""
    where = f"targets[{index}]"
    if isinstance(target, WaypointTarget):
        traj = waypoint_trajectory(target, duration_s, dt_s, where)
        return [
            TruthObject(
                name=target.target_id,
                target_id=target.target_id,
                kind=target.kind,
                hostile=target.hostile,
                rcs_m2=target.rcs_m2,
                trajectory=traj,
                adsb_icao=target.adsb_icao,
                callsign=target.callsign,
                remote_id_serial=target.remote_id_serial,
            )
        ]
    if isinstance(target, RocketTarget):
        traj = rocket_trajectory(target, site_alt_m, dt_s, where)
        return [
            TruthObject(
                name=target.target_id,
                target_id=target.target_id,
                kind=TargetKind.ROCKET,
                hostile=True,
                rcs_m2=target.rcs_m2,
                trajectory=traj,
            )
        ]
    trajs = flock_trajectories(target, duration_s, dt_s, rng, where)
    return [
        TruthObject(
            name=f"{target.target_id}/{b + 1}",
            target_id=target.target_id,
            kind=TargetKind.BIRD,
            hostile=False,
            rcs_m2=target.rcs_m2,
            trajectory=traj,
        )
        for b, traj in enumerate(trajs)
    ]


class TruthWorld:
    """All truth objects, with vectorised state queries and engagement kills.

    Per-object attributes (index k): `names`, `target_ids`, `kinds`, `hostile`, `rcs_m2` (K,) true
    mean RCS in m^2, `adsb_icao` ("" if none), `callsign`, `remote_id_serial` ("" if none), and the
    micro-Doppler signature `md_rate_hz`, `md_ratio_db` (K,) (`bastion.sim.micro_doppler`; NaN:
    none, the default).
    """

    def __init__(self, objects: Sequence[TruthObject], duration_s: float, dt_s: float) -> None:
        """Assemble a world from objects whose trajectories are on the `dt_s` grid (s)."""
        if dt_s <= 0.0 or duration_s < 0.0:
            raise ConfigError(f"need dt_s > 0 and duration_s >= 0, got {dt_s} and {duration_s}")
        names = tuple(o.name for o in objects)
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ConfigError(f"duplicate target ids: {', '.join(dup)}", path="targets")
        for o in objects:
            check_grid(o.trajectory, dt_s)
        self.duration_s = float(duration_s)
        self.dt_s = float(dt_s)
        self.names = names
        self.target_ids = tuple(o.target_id for o in objects)
        self.kinds = tuple(o.kind for o in objects)
        self.hostile = tuple(o.hostile for o in objects)
        self.adsb_icao = tuple(o.adsb_icao for o in objects)
        self.callsign = tuple(o.callsign for o in objects)
        self.remote_id_serial = tuple(o.remote_id_serial for o in objects)
        self.rcs_m2: FloatArray = np.array([o.rcs_m2 for o in objects], dtype=np.float64)
        self.rcs_m2.setflags(write=False)
        self.md_rate_hz: FloatArray = np.full(len(objects), np.nan)
        self.md_ratio_db: FloatArray = np.full(len(objects), np.nan)
        trajs = [o.trajectory for o in objects]
        self._n = np.array([t.t_s.size for t in trajs], dtype=np.int64)
        self._offset = np.cumsum(self._n) - self._n
        self._t0 = np.array([t.t_begin_s for t in trajs], dtype=np.float64)
        self._t_last = np.array([t.t_last_s for t in trajs], dtype=np.float64)
        self._t_end = np.array([t.t_end_s for t in trajs], dtype=np.float64)
        self._t_destroy = np.full(len(trajs), math.inf)
        self._t_jam = np.full(len(trajs), math.inf)
        self._t_end_planned = self._t_end.copy()
        self._impact = np.array([t.impact_m for t in trajs], dtype=np.float64).reshape(-1, 3)
        self._pos = np.concatenate([t.position_m for t in trajs] or [np.zeros((0, 3))])
        self._vel = np.concatenate([t.velocity_mps for t in trajs] or [np.zeros((0, 3))])

    @classmethod
    def build(
        cls,
        targets: Sequence[Target],
        duration_s: float,
        site_alt_m: float,
        rng: np.random.Generator,
        dt_s: float = 0.05,
    ) -> TruthWorld:
        """Build every target's trajectory, sampled every `dt_s` (s) over `duration_s` (s).

        `site_alt_m` is the site's height above mean sea level (m), for the rockets' air density;
        `rng` seeds the birds, and a child of it the micro-Doppler signatures (spawned, so the
        birds' draws do not depend on them). Raises `ConfigError` for targets that cannot be flown.
        """
        if dt_s <= 0.0 or duration_s < 0.0:
            raise ConfigError(f"need dt_s > 0 and duration_s >= 0, got {dt_s} and {duration_s}")
        objects: list[TruthObject] = []
        for i, target in enumerate(targets):
            objects.extend(objects_for(target, i, duration_s, site_alt_m, rng, dt_s))
        world = cls(objects, duration_s, dt_s)
        world.md_rate_hz, world.md_ratio_db = signatures(world.kinds, rng.spawn(1)[0])
        return world

    def __len__(self) -> int:
        """Number of objects K."""
        return len(self.names)

    def _states(self, t_s: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Interpolated position (T, K, 3), velocity (T, K, 3), alive (T, K) at times (T,)."""
        tt = np.asarray(t_s, dtype=np.float64)[:, None]
        j = np.clip(np.floor((tt - self._t0) / self.dt_s), 0, self._n - 2).astype(np.int64)
        ta = self._t0 + j * self.dt_s
        tb = np.where(j + 2 >= self._n, self._t_last, ta + self.dt_s)
        span = tb - ta
        frac = np.zeros_like(span)
        np.divide(tt - ta, span, out=frac, where=span > 0.0)
        frac = np.clip(frac, 0.0, 1.0)[..., None]
        idx = self._offset + j
        pos = self._pos[idx] + frac * (self._pos[idx + 1] - self._pos[idx])
        vel = self._vel[idx] + frac * (self._vel[idx + 1] - self._vel[idx])
        alive = (
            (tt >= self._t0) & (tt < self._t_end) & (tt < self._t_destroy) & (tt <= self._t_last)
        )
        pos[~alive] = np.nan
        vel[~alive] = np.nan
        return pos, vel, alive

    def state_at(self, t_s: float) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Position (K, 3) ENU m, velocity (K, 3) ENU m/s and alive (K,) at run time `t_s` (s).

        Linear interpolation between samples; rows of objects that are not alive are NaN.
        """
        pos, vel, alive = self._states(np.array([t_s], dtype=np.float64))
        return pos[0], vel[0], alive[0]

    def destroy(self, k: int, t_s: float) -> None:
        """Object `k` ceases to exist from `t_s` (s) on (killed by an engagement)."""
        if not 0 <= k < len(self):
            raise IndexError(f"no truth object {k} (world has {len(self)})")
        self._t_destroy[k] = min(self._t_destroy[k], t_s)

    def jam(self, k: int, t_s: float) -> bool:
        """Object `k`'s links are jammed at `t_s` (s): a drone turns and flies home (`sim.jam`).

        Returns False, changing nothing, for an object that cannot be jammed (rocket, bird, aircraft)
        or is not alive at `t_s` or was jammed already.
        """
        if not 0 <= k < len(self):
            raise IndexError(f"no truth object {k} (world has {len(self)})")
        if self.kinds[k] not in JAMMABLE or math.isfinite(self._t_jam[k]):
            return False
        pos, vel, alive = self.state_at(t_s)
        if not alive[k]:
            return False
        off, n, t0 = int(self._offset[k]), int(self._n[k]), float(self._t0[k])
        keep = min(math.floor((t_s - t0) / self.dt_s) + 1, n - 1)
        _, _, t_home = return_home(pos[k], vel[k], self._pos[off], t_s, np.array([t_s]))
        times = sample_times(t0, min(t_home, self.duration_s), self.dt_s)[keep:]
        new_pos, new_vel, _ = return_home(pos[k], vel[k], self._pos[off], t_s, times)
        self._pos = np.concatenate([self._pos[: off + keep], new_pos, self._pos[off + n :]])
        self._vel = np.concatenate([self._vel[: off + keep], new_vel, self._vel[off + n :]])
        self._n[k] = keep + times.size
        self._offset = np.cumsum(self._n) - self._n
        self._t_last[k] = float(times[-1])
        self._t_end[k] = t_home if t_home <= self.duration_s else math.inf
        self._t_jam[k] = t_s
        return True

    def jammed_t_s(self, k: int) -> float:
        """When object `k` was jammed (s), or inf."""
        return float(self._t_jam[k])

    def start_t_s(self, k: int) -> float:
        """When object `k` starts to exist (s): take-off, launch, or the flock's start."""
        return float(self._t0[k])

    def destroyed_t_s(self, k: int) -> float:
        """When object `k` was destroyed (s), or inf."""
        return float(self._t_destroy[k])

    def impact_t_s(self, k: int, *, planned: bool = False) -> float:
        """When object `k` strikes the ground (s); NaN if it never does (or, unless `planned`,
        if it was destroyed first)."""
        if math.isnan(self._impact[k, 0]):
            return math.nan
        t = float(self._t_end_planned[k])
        return t if planned or t <= min(self._t_destroy[k], self._t_jam[k]) else math.nan

    def impact_point_m(self, k: int, *, planned: bool = False) -> FloatArray:
        """Where object `k` strikes the ground (3,) ENU m; NaN as for `impact_t_s`."""
        if math.isnan(self.impact_t_s(k, planned=planned)):
            return np.full(3, np.nan)
        out: FloatArray = self._impact[k].copy()
        return out

    def history(self, dt_s: float) -> TruthHistory:
        """All objects sampled every `dt_s` (s) over ``[0, duration_s]``, NaN where not alive."""
        if dt_s <= 0.0:
            raise ValueError(f"history step must be positive, got {dt_s}")
        n = math.floor(self.duration_s / dt_s + 1e-9) + 1
        t = dt_s * np.arange(n, dtype=np.float64)
        pos, vel, _ = self._states(t)
        return TruthHistory(
            t_s=t,
            position_m=pos,
            velocity_mps=vel,
            names=self.names,
            kinds=tuple(str(k.value) for k in self.kinds),
            hostile=self.hostile,
        )
