"""Colours and figure helpers shared by the report's plots (matplotlib Agg, no pyplot, no display)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patheffects import withStroke

from bastion.core.records import Outcome

__all__ = [
    "EFFECTOR",
    "FRIENDLY",
    "HALO",
    "HOSTILE",
    "NEUTRAL",
    "OUTCOME_STYLE",
    "RADAR",
    "ZONE",
    "MarkerStyle",
    "new_figure",
    "png_bytes",
    "track_colour",
    "truth_colour",
]

HOSTILE: Final = "#d62728"
FRIENDLY: Final = "#1f77b4"
NEUTRAL: Final = "#2ca02c"
ZONE: Final = "#ff9f1c"
RADAR: Final = "#4a4e69"
EFFECTOR: Final = "#6a040f"

# Track colours avoid the truth colours (red, blue, green) so a track never reads as truth.
_TRACK_PALETTE: Final = (
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#7b4173",
    "#e7969c",
    "#5254a3",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkerStyle:
    """A matplotlib marker, its colour, size in points, and whether it is drawn hollow."""

    marker: str
    colour: str
    size_pt: float
    hollow: bool = False


OUTCOME_STYLE: Final = {
    Outcome.DESTROYED: MarkerStyle(marker="*", colour="#111111", size_pt=16.0),
    Outcome.MISSED: MarkerStyle(marker="o", colour="#d62728", size_pt=9.0, hollow=True),
    Outcome.ABORTED: MarkerStyle(marker="D", colour="#7f7f7f", size_pt=7.0),
    Outcome.JAMMED: MarkerStyle(marker="X", colour="#9467bd", size_pt=10.0),
}
"""Marker style per engagement outcome (map and timeline)."""

HALO: Final = [withStroke(linewidth=2.5, foreground="white")]
"""Path effect that keeps labels readable over lines and fills."""


def track_colour(track_id: int) -> str:
    """The colour of one track id, the same on every plot."""
    return _TRACK_PALETTE[track_id % len(_TRACK_PALETTE)]


def truth_colour(kind: str, hostile: bool) -> str:
    """Truth line colour: hostile red, bird (or other neutral) green, friendly blue."""
    if hostile:
        return HOSTILE
    if kind == "bird":
        return NEUTRAL
    return FRIENDLY


def new_figure(width_in: float, height_in: float) -> Figure:
    """A figure drawn by Agg, never attached to pyplot or a display."""
    fig = Figure(figsize=(width_in, height_in), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes, without the matplotlib version stamp (same input, same bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, facecolor="white")
    return buf.getvalue()
