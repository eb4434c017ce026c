"""The ground under the site: flat at the site's height, or a height grid given in the scenario.

Heights are metres in site ENU ``up`` (0 is the site origin's height). A grid (`TerrainParams`) is
sampled bilinearly, vectorised over points; outside the grid the nearest edge height holds (the
scenario loader makes sure the grid covers the site itself, so only far launch points, for the point
of origin, ever fall outside it). scipy's `RegularGridInterpolator` would do the same job with more
call overhead per query; this is a few lines of index arithmetic on the hot path of every
propagation step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.params import TerrainParams

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Ground:
    """Ground height model: `heights_m` (R, C) on a grid with south-west node `origin_m` (east_m,
    north_m) and `spacing_m`, or flat at `flat_u_m` when `heights_m` is None."""

    name: str = "flat"
    flat_u_m: float = 0.0
    heights_m: FloatArray | None = None
    origin_m: tuple[float, float] = (0.0, 0.0)
    spacing_m: float = 1.0
    _shape: tuple[int, int] = field(default=(0, 0))

    @classmethod
    def from_params(cls, terrain: TerrainParams | None) -> Ground:
        """The ground of a scenario: its terrain grid, or flat at up = 0 when it has none."""
        if terrain is None:
            return cls()
        h = np.asarray(terrain.heights_m, dtype=np.float64)
        if h.ndim != 2 or h.shape[0] < 2 or h.shape[1] < 2 or terrain.spacing_m <= 0.0:
            raise ValueError(f"terrain {terrain.name!r}: need a grid of at least 2 x 2 heights")
        h.setflags(write=False)
        return cls(
            name=terrain.name,
            heights_m=h,
            origin_m=(float(terrain.origin_m[0]), float(terrain.origin_m[1])),
            spacing_m=float(terrain.spacing_m),
            _shape=(h.shape[0], h.shape[1]),
        )

    @property
    def extent_m(self) -> tuple[float, float, float, float]:
        """(min east, min north, max east, max north) of the grid, metres; infinite when flat."""
        if self.heights_m is None:
            return (-np.inf, -np.inf, np.inf, np.inf)
        e0, n0 = self.origin_m
        rows, cols = self._shape
        return (e0, n0, e0 + (cols - 1) * self.spacing_m, n0 + (rows - 1) * self.spacing_m)

    def height_m(self, east_m: FloatArray, north_m: FloatArray) -> FloatArray:
        """Ground height (m, site ENU up) under points (any matching shapes)."""
        e = np.asarray(east_m, dtype=np.float64)
        if self.heights_m is None:
            return np.full(np.broadcast_shapes(e.shape, np.shape(north_m)), self.flat_u_m)
        rows, cols = self._shape
        x = np.clip((e - self.origin_m[0]) / self.spacing_m, 0.0, cols - 1.0)
        y = np.clip((np.asarray(north_m) - self.origin_m[1]) / self.spacing_m, 0.0, rows - 1.0)
        j = np.minimum(np.floor(x).astype(np.int64), cols - 2)
        i = np.minimum(np.floor(y).astype(np.int64), rows - 2)
        fx, fy = x - j, y - i
        h = self.heights_m
        south = h[i, j] * (1.0 - fx) + h[i, j + 1] * fx
        north = h[i + 1, j] * (1.0 - fx) + h[i + 1, j + 1] * fx
        out: FloatArray = south * (1.0 - fy) + north * fy
        return out
