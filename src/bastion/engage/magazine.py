"""The run-time state of one modelled effector: rounds, reloads, where it points, what it spent.

A load holds `magazine` shots. Firing the last shot of a load starts a reload (if any `reloads` are
left) that completes `reload_s` later, when the load is full again. While reloading the effector
cannot fire, but it can be planned for: its shots become available at `ready_t_s`. Bearings are
radians clockwise from north; times run-clock seconds; cost in US dollars.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bastion.core.engage_params import EffectorParams


@dataclass(slots=True)
class EffectorState:
    """Rounds in the current load, loads left, reload completion, pointing, shots and cost so far."""

    params: EffectorParams
    rounds: int = field(init=False)
    loads_left: int = field(init=False)
    ready_t_s: float = -math.inf
    pointing_az_rad: float = math.nan
    shots: int = 0
    cost_usd: float = 0.0

    def __post_init__(self) -> None:
        self.rounds = self.params.magazine
        self.loads_left = self.params.reloads
        if self.params.sector_width_rad < 2.0 * math.pi:  # a sector gun rests on its centre line
            self.pointing_az_rad = self.params.sector_from_rad + 0.5 * self.params.sector_width_rad

    @property
    def reloading(self) -> bool:
        """True between emptying a load and the end of its reload."""
        return self.rounds == 0 and math.isfinite(self.ready_t_s)

    def tick(self, t_s: float) -> bool:
        """Finish a reload whose time has come; True if one finished now."""
        if self.reloading and t_s >= self.ready_t_s:
            self.rounds = self.params.magazine
            self.ready_t_s = -math.inf
            return True
        return False

    def available(self) -> int:
        """Shots that can be planned: this load's, or the next load's while reloading."""
        return self.params.magazine if self.reloading else self.rounds

    def remaining(self) -> int:
        """Shots left in this load and every load still in reserve."""
        loaded = self.params.magazine if self.reloading else self.rounds
        return loaded + self.loads_left * self.params.magazine

    def fire(self, t_s: float, az_rad: float) -> None:
        """Account one shot fired at `t_s` toward bearing `az_rad`."""
        if self.rounds <= 0:
            raise ValueError(f"{self.params.name} has no rounds loaded")
        self.rounds -= 1
        self.shots += 1
        self.cost_usd += self.params.cost_per_shot_usd
        self.pointing_az_rad = az_rad
        if self.rounds == 0 and self.loads_left > 0:
            self.loads_left -= 1
            self.ready_t_s = t_s + self.params.reload_s
