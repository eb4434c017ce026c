"""Impact and origin ellipses on the plan view (site ENU kilometres, matplotlib patches).

An ellipse's heading is the major axis clockwise from north; matplotlib's angle is the width axis
counter-clockwise from east, so angle = 90 degrees - heading. The impact ellipse drawn is the one of
the prediction current at half the round's flight (`bastion.core.half_flight`), labelled with when
it was made.
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.patches import Ellipse

from bastion.core.records import ImpactPrediction, OriginEstimate
from bastion.report.style import HALO

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
        facecolor=to_rgba(colour, 0.22),
        edgecolor=colour,
        lw=1.4,
        ls="--",
        zorder=5,
    )


def label_ellipse(ax: Axes, p: ImpactPrediction, track: str, colour: str) -> None:
    """Which prediction an impact ellipse is: its track, when it was made and how long before the
    predicted impact, and its semi-axes (as the run summary quotes them), in a note below-left of
    it joined by a thin line."""
    if not (math.isfinite(p.impact_e_m) and math.isfinite(p.impact_n_m)):
        return
    conf = f"{p.confidence:.0%} " if math.isfinite(p.confidence) else ""
    lead_s = p.t_impact_s - p.t_s
    lead = f", {lead_s:.1f} s before impact" if math.isfinite(lead_s) else ""
    ax.annotate(
        f"{track}: {conf}impact ellipse at half flight\n"
        f"predicted at t = {p.t_s:.1f} s{lead}\n"
        f"semi-axes {p.ellipse_major_m:.0f} x {p.ellipse_minor_m:.0f} m",
        (p.impact_e_m * _KM, p.impact_n_m * _KM),
        xytext=(-30, -70),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=7.5,
        color=colour,
        path_effects=HALO,
        arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.7},
        zorder=8,
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
