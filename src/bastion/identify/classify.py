"""Track classification v1: kinematic and radar-cross-section rules, vectorised over tracks.

A transparent rule set rather than a trained model: each rule is one physical fact from the domain
primer (rockets are fast, manned aircraft are large, birds are tiny and not fast, one-way attack drones
cruise at 25-120 m/s with RCS of 0.05-0.5 m^2). RCS comes first because its log-mean over a track's
detections settles quickly, while a tracker's speed estimate of a slow target is noisy: speed is taken
horizontally and time-smoothed by the caller. Micro-Doppler features and a trained classifier come
with the identification work; until then a slow drone with bird-like RCS is called a bird, the weakest
rule here.

Inputs are arrays over tracks; the output is an array of `ThreatClass` codes (indices into `CLASSES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import THREAT_CLASSES, ThreatClass

CLASSES = THREAT_CLASSES
CODE = {c: i for i, c in enumerate(CLASSES)}

# Swerling I RCS estimates are exponentially distributed: E[log10 X] = log10(mean) - gamma / ln 10.
SWERLING1_LOG10_BIAS = 0.5772156649 / np.log(10.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifierParams:
    """Thresholds of the v1 rules (SI units)."""

    min_updates: int = 3
    rocket_min_speed_mps: float = 130.0
    aircraft_min_rcs_m2: float = 1.0
    drone_min_speed_mps: float = 22.0
    bird_max_rcs_m2: float = 0.02
    bird_max_speed_mps: float = 35.0


def rcs_estimate_m2(rcs_log_mean: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean RCS (m^2) from the running mean of log10 of Swerling I RCS estimates, bias removed."""
    return np.asarray(10.0 ** (rcs_log_mean + SWERLING1_LOG10_BIAS), dtype=np.float64)


def classify(
    speed_mps: NDArray[np.float64],
    rcs_log_mean: NDArray[np.float64],
    n_updates: NDArray[np.int64],
    params: ClassifierParams,
) -> NDArray[np.int8]:
    """Class codes (indices into `CLASSES`) for N tracks.

    `speed_mps` (N,) is each track's (smoothed) speed, `rcs_log_mean` (N,) the running mean of
    log10 RCS estimates, `n_updates` (N,) the number of detections each track has absorbed.
    """
    speed = np.asarray(speed_mps, dtype=np.float64)
    rcs = rcs_estimate_m2(rcs_log_mean)
    out = np.full(speed.shape, CODE[ThreatClass.UNKNOWN], dtype=np.int8)
    big = rcs >= params.aircraft_min_rcs_m2
    fast = speed >= params.rocket_min_speed_mps
    tiny = (rcs < params.bird_max_rcs_m2) & (speed < params.bird_max_speed_mps)
    rest = ~big & ~fast & ~tiny
    out[big] = CODE[ThreatClass.AIRCRAFT]
    out[~big & fast] = CODE[ThreatClass.ROCKET]
    out[~big & ~fast & tiny] = CODE[ThreatClass.BIRD]
    out[rest & (speed >= params.drone_min_speed_mps)] = CODE[ThreatClass.FIXED_WING]
    out[rest & (speed < params.drone_min_speed_mps)] = CODE[ThreatClass.MULTIROTOR]
    out[n_updates < params.min_updates] = CODE[ThreatClass.UNKNOWN]
    return out
