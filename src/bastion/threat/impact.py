"""Ballistic impact prediction from track states (threat v1).

The track's position and velocity are propagated with the point-mass model (gravity, drag with the
ICAO atmosphere; `bastion.core.ballistics`) to the site's ground plane. The drag factor is a nominal
value for the threat class (a scenario parameter); estimating it from the plots is the sense-and-warn
work that follows.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.core.ballistics import propagate_to_ground

FloatArray = NDArray[np.float64]


def predict_impact(
    x: FloatArray, drag_factor_pm: float, site_alt_m: float, dt_s: float = 0.1
) -> tuple[FloatArray, FloatArray]:
    """Impact points (N, 3) in site ENU and times to impact (N,) in seconds for states `x` (N, 6)."""
    k = np.full(x.shape[0], drag_factor_pm)
    return propagate_to_ground(x[:, :3], x[:, 3:], k, site_alt_m, dt_s=dt_s)
