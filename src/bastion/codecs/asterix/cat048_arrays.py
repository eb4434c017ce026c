"""CAT048 plots as columns: `Cat048Arrays`, one numpy array per `Cat048Plot` field.

What the fast decoder (`cat048_fast`) produces and the scan assembler consumes, so a live radar feed
costs no Python object per plot; `plots()` and `from_plots()` convert both ways without changing a
value. Same fields, units and absent-value conventions as `Cat048Plot` (NaN floats, -1 integers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bastion.codecs.asterix.cat048 import Cat048Plot

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cat048Arrays:
    """N plots, in record order: each field an (N,) array (`simulated` bool, integers int64)."""

    sac: I64
    sic: I64
    tod_s: F64
    range_m: F64
    az_rad: F64
    height_m: F64
    flight_level_m: F64
    doppler_mps: F64
    rcs_m2: F64
    detection_type: I64
    simulated: NDArray[np.bool_]
    track_number: I64
    mode3a: I64
    aircraft_address: I64

    def __len__(self) -> int:
        return len(self.range_m)

    def plots(self) -> list[Cat048Plot]:
        """The same plots as `Cat048Plot`s."""
        cols = [getattr(self, f.name).tolist() for f in fields(self)]
        names = [f.name for f in fields(self)]
        return [Cat048Plot(**dict(zip(names, row, strict=True))) for row in zip(*cols, strict=True)]

    def take(self, index: NDArray[np.intp]) -> Cat048Arrays:
        """The plots at `index`, in that order."""
        return Cat048Arrays(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def from_plots(cls, plots: Sequence[Cat048Plot]) -> Cat048Arrays:
        """Columns of `plots`."""
        kw: dict[str, Any] = {}
        for f in fields(cls):
            values = [getattr(p, f.name) for p in plots]
            if f.name == "simulated":
                kw[f.name] = np.array(values, dtype=np.bool_)
            elif f.type == "F64":
                kw[f.name] = np.array(values, dtype=np.float64)
            else:
                kw[f.name] = np.array(values, dtype=np.int64)
        return cls(**kw)

    @classmethod
    def concat(cls, parts: Sequence[Cat048Arrays]) -> Cat048Arrays:
        """The plots of `parts`, one after the other."""
        if len(parts) == 1:
            return parts[0]
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )
