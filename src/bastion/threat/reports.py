"""Impact and origin records from the ballistic book's estimates, rate-limited per track.

IMPACT_PREDICTED comes at most once per `period_s` per track, with the impact ellipse at the warning
confidence; ORIGIN_ESTIMATED whenever the book's best origin for a track improved (the book computes
origins at most once per its `origin_period_s`). Positions are site ENU metres, times run-clock s.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import Emission, EventKind, ImpactPrediction, OriginEstimate
from bastion.threat.ballistic import BallisticBook
from bastion.threat.ballistic_fit import BallisticFit
from bastion.threat.uncertainty import ellipse_axes

FloatArray = NDArray[np.float64]


def impact_reports(
    last_t_s: dict[int, float],
    period_s: float,
    t_s: float,
    ids: NDArray[np.int64],
    impact_m: FloatArray,
    t_impact_s: FloatArray,
    sigma_t_s: FloatArray,
    axes: tuple[FloatArray, FloatArray, FloatArray],
    confidence: float,
    fits: dict[int, BallisticFit],
) -> list[Emission]:
    """IMPACT_PREDICTED emissions for the rows (aligned with `ids`) that are due; updates `last_t_s`."""
    out: list[Emission] = []
    major, minor, heading = axes
    for i, tid in enumerate(ids.tolist()):
        if t_s - last_t_s.get(tid, -np.inf) < period_s:
            continue
        fit = fits.get(tid)
        pred = ImpactPrediction(
            track_id=tid,
            t_s=t_s,
            impact_e_m=float(impact_m[i, 0]),
            impact_n_m=float(impact_m[i, 1]),
            t_impact_s=float(t_impact_s[i]),
            sigma_t_impact_s=float(sigma_t_s[i]),
            ellipse_major_m=float(major[i]),
            ellipse_minor_m=float(minor[i]),
            ellipse_heading_rad=float(heading[i]),
            confidence=confidence,
            drag_factor_m2pkg=fit.drag_factor_m2pkg if fit is not None else float("nan"),
        )
        out.append((EventKind.IMPACT_PREDICTED, tid, pred))
        last_t_s[tid] = t_s
    return out


def origin_reports(book: BallisticBook, t_s: float, confidence: float) -> list[Emission]:
    """ORIGIN_ESTIMATED emissions for the tracks whose best origin improved in this step."""
    out: list[Emission] = []
    for tid in book.new_origins:
        org = book.origins[tid]
        major, minor, heading = ellipse_axes(org.cov_en_m2[None], confidence)
        rec = OriginEstimate(
            track_id=tid,
            t_s=t_s,
            origin_e_m=float(org.point_m[0]),
            origin_n_m=float(org.point_m[1]),
            origin_u_m=float(org.point_m[2]),
            t_launch_s=org.t_launch_s,
            sigma_t_launch_s=org.sigma_t_launch_s,
            ellipse_major_m=float(major[0]),
            ellipse_minor_m=float(minor[0]),
            ellipse_heading_rad=float(heading[0]),
            confidence=confidence,
        )
        out.append((EventKind.ORIGIN_ESTIMATED, tid, rec))
    book.new_origins = []
    return out
