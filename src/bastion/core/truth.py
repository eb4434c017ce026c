"""Simulated truth as the scorer and the report read it (never the pipeline)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TruthHistory:
    """Simulated truth sampled on a regular grid, for scoring and the report (never for the pipeline).

    `position_m` is (T, K, 3) site ENU with NaN where object k does not exist at sample t (not launched
    yet, landed or destroyed); `velocity_mps` likewise. `names`, `kinds` and `hostile` are per object.
    """

    t_s: FloatArray
    position_m: FloatArray
    velocity_mps: FloatArray
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    hostile: tuple[bool, ...]
