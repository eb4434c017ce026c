"""The run clock: float seconds since the run's start (`t_s`). UTC appears only at the edges."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class RunClock:
    """A monotonically advancing simulation or live clock in seconds."""

    t_s: float = 0.0

    def advance_to(self, t_s: float) -> None:
        """Move the clock forward; time never runs backwards."""
        if t_s < self.t_s:
            raise ValueError(f"clock cannot go back from {self.t_s} s to {t_s} s")
        self.t_s = t_s
