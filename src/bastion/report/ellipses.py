"""Impact and origin ellipses on the plan view (site ENU kilometres, matplotlib patches).

An ellipse's heading is the major axis clockwise from north; matplotlib's angle is the width axis
counter-clockwise from east, so angle = 90 degrees - heading.
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.patches import Ellipse

from bastion.core.records import ImpactPrediction, OriginEstimate

_KM = 1e-3


def _ellipse(
    ax: Axes,
    e_m: float,
    n_m: float,
    major_m: float,
    minor_m: float,
    heading_rad: float,
    **style: object,
) -> None:
    if not all(math.isfinite(v) for v in (e_m, n_m, major_m, minor_m, heading_rad)):
        return
    ax.add_patch(
        Ellipse(
            (e_m * _KM, n_m * _KM),
            2 * major_m * _KM,
            2 * minor_m * _KM,
            angle=90.0 - math.degrees(heading_rad),
            **style,
        )
    )


def draw_ellipse(ax: Axes, p: ImpactPrediction, colour: str) -> None:
    """The impact ellipse of a prediction (dashed outline, light fill)."""
    _ellipse(
        ax,
        p.impact_e_m,
        p.impact_n_m,
        p.ellipse_major_m,
        p.ellipse_minor_m,
        p.ellipse_heading_rad,
        facecolor=colour,
        alpha=0.18,
        edgecolor=colour,
        lw=1.2,
        ls="--",
        zorder=5,
    )


def draw_origin(ax: Axes, o: OriginEstimate, colour: str) -> None:
    """The point of origin: a star and its ellipse."""
    ax.plot(
        o.origin_e_m * _KM,
        o.origin_n_m * _KM,
        marker="D",
        ms=7,
        color=colour,
        mec="white",
        zorder=6,
    )
    _ellipse(
        ax,
        o.origin_e_m,
        o.origin_n_m,
        o.ellipse_major_m,
        o.ellipse_minor_m,
        o.ellipse_heading_rad,
        facecolor="none",
        edgecolor=colour,
        lw=1.4,
        zorder=6,
    )
