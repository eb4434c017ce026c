"""Sequential track score (log-likelihood ratio) for confirmation and deletion, over whole arrays.

References: S. Blackman, R. Popoli, "Design and Analysis of Modern Tracking Systems", Artech House 1999,
sec. 6.2 (track score, SPRT confirmation and deletion); R. W. Sittler, "An optimal data association
problem in surveillance theory", IEEE Trans. Military Electronics 8(2), 1964; A. Wald, "Sequential
Analysis", 1947 (the thresholds).

The score L of a track is the log of the ratio of the probability that its detections come from a true
target to the probability that they are false alarms:

* start (one detection): L = ln(beta_NT / beta_FA), with beta_NT the spatial density of new-target
  detections and beta_FA that of false alarms, both per m^3 per scan (Blackman & Popoli eq. 6.11);
* a scan with an associated detection (hit) adds
  ln(pd / beta_FA) - d2 / 2 - ln sqrt((2 pi)^m |S|)
  where d2 is the squared Mahalanobis distance of the innovation, S its covariance (m^2 units for a
  position measurement) and m = `meas_dim` (Blackman & Popoli eq. 6.12); this is the log of the
  Gaussian likelihood over the clutter density, so a hit well inside the gate raises the score and one
  at the gate edge can lower it;
* a scan without one (miss) adds ln(1 - pd pg): with `pg` = 1 (the default) this is Blackman's
  ln(1 - pd); with the gate probability it is the exact miss likelihood for a gated tracker;
* with JPDA, where there is no hard hit or miss, the soft increment ln(1 - pd pg + sum_j L_ij) over
  the track's gated detections (L_ij = pd N(z_j; H x, S) / beta_FA) can be added instead
  (`accumulate_score` with `JpdaResult.scan_llr`).

Wald's sequential probability ratio test (SPRT) with alpha = P(confirm a false track) and beta =
P(delete a true track) gives the thresholds T1 = ln((1 - beta) / alpha) (confirm when L >= T1) and
T2 = ln(beta / (1 - alpha)) (a tentative track is deleted when L <= T2). A confirmed track is deleted
when its score falls `delete_drop` below the highest score it ever had (Blackman & Popoli sec. 6.2.3:
the score of a confirmed track grows without bound, so an absolute threshold would never fire).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreParams:
    """Track-score parameters.

    `pd`: detection probability per scan (0, 1). `false_alarm_density_per_m3`: beta_FA, false alarms
    per m^3 per scan (> 0). `new_target_density_per_m3`: beta_NT, new-target detections per m^3 per
    scan (> 0). `alpha`: accepted probability of confirming a false track (0, 1). `beta`: accepted
    probability of deleting a true tentative track (0, 1); alpha + beta < 1. `delete_drop`: drop of a
    confirmed track's score below its maximum that deletes it (dimensionless, > 0). `pg`: gate
    probability used in the miss term (0, 1]. `meas_dim`: measurement dimension m (3 for position).
    """

    pd: float
    false_alarm_density_per_m3: float
    new_target_density_per_m3: float
    alpha: float = 1e-5
    beta: float = 1e-3
    delete_drop: float = 6.0
    pg: float = 1.0
    meas_dim: int = 3

    def __post_init__(self) -> None:
        ok = (
            0.0 < self.pd < 1.0
            and 0.0 < self.pg <= 1.0
            and self.false_alarm_density_per_m3 > 0.0
            and self.new_target_density_per_m3 > 0.0
            and 0.0 < self.alpha < 1.0
            and 0.0 < self.beta < 1.0
            and self.alpha + self.beta < 1.0
            and self.delete_drop > 0.0
            and self.meas_dim >= 1
        )
        if not ok:
            raise ValueError(
                "ScoreParams needs 0 < pd < 1, 0 < pg <= 1, positive densities, 0 < alpha, beta with "
                f"alpha + beta < 1, delete_drop > 0, meas_dim >= 1; got {self!r}"
            )

    @property
    def confirm_threshold(self) -> float:
        """SPRT upper threshold T1 = ln((1 - beta) / alpha): confirm at or above it."""
        return math.log((1.0 - self.beta) / self.alpha)

    @property
    def delete_threshold(self) -> float:
        """SPRT lower threshold T2 = ln(beta / (1 - alpha)): delete a tentative track at or below it."""
        return math.log(self.beta / (1.0 - self.alpha))


def initial_score(n: int, params: ScoreParams) -> FloatArray:
    """Scores of `n` tracks just started from one detection each: ln(beta_NT / beta_FA), (n,)."""
    s0 = math.log(params.new_target_density_per_m3 / params.false_alarm_density_per_m3)
    return np.full(n, s0)


def score_increment(
    hit_mask: BoolArray, d2: FloatArray, log_det_S: FloatArray, params: ScoreParams
) -> FloatArray:
    """Per-scan score change of each track (N,): the hit term where `hit_mask` (N,), else the miss
    term. `d2` (N,) squared Mahalanobis distances and `log_det_S` (N,) ln|S| (S in the measurement's
    units squared) are read only where `hit_mask` is set (other entries may be NaN)."""
    hit_const = math.log(params.pd / params.false_alarm_density_per_m3) - 0.5 * (
        params.meas_dim * _LOG_2PI
    )
    miss = math.log1p(-params.pd * params.pg)
    d2_h = np.where(hit_mask, d2, 0.0)
    ld_h = np.where(hit_mask, log_det_S, 0.0)
    out: FloatArray = np.where(hit_mask, hit_const - 0.5 * (d2_h + ld_h), miss)
    return out


def update_score(
    score: FloatArray,
    max_score: FloatArray,
    hit_mask: BoolArray,
    d2: FloatArray,
    log_det_S: FloatArray,
    params: ScoreParams,
) -> tuple[FloatArray, FloatArray]:
    """One scan of the sequential score for N tracks: returns new (score, max_score), both (N,).

    `score`, `max_score` (N,): current score and the highest score so far; `hit_mask`, `d2`,
    `log_det_S` (N,): see `score_increment`. Inputs are not modified.
    """
    new = score + score_increment(hit_mask, d2, log_det_S, params)
    return new, np.maximum(max_score, new)


def accumulate_score(
    score: FloatArray, max_score: FloatArray, increment: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Add a per-scan score `increment` (N,) computed elsewhere, e.g. JPDA's soft increment
    `JpdaResult.scan_llr` = ln(1 - pd pg + sum_j L_ij) (the PDA likelihood ratio of the scan's gated
    detections, Bar-Shalom et al. 2011 sec. 3.4; it reduces to the hit term for one clear detection
    and to the miss term for none). Returns new (score, max_score), both (N,)."""
    new = score + increment
    return new, np.maximum(max_score, new)


def judge_score(
    score: FloatArray, max_score: FloatArray, confirmed: BoolArray, params: ScoreParams
) -> tuple[BoolArray, BoolArray]:
    """Rows to confirm now and rows to delete now, both (N,).

    Confirm: tentative rows (`confirmed` False) with score >= T1. Delete: tentative rows not confirmed
    now with score <= T2, and confirmed rows whose score is more than `delete_drop` below max_score.
    """
    new_conf: BoolArray = ~confirmed & (score >= params.confirm_threshold)
    tentative_dead = ~confirmed & ~new_conf & (score <= params.delete_threshold)
    confirmed_dead = confirmed & (max_score - score > params.delete_drop)
    dead: BoolArray = tentative_dead | confirmed_dead
    return new_conf, dead
