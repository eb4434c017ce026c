"""The timeline: one row per zone (alert spans) and per track (updates, engagement steps).

Time is run-clock seconds on the x axis. Rows for zones come first; tracks follow, those with an
engagement or alert first, then hostile ones, then by id, up to a row limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bastion.core.params import ScenarioParams
from bastion.core.records import Affiliation, Decision
from bastion.report.style import OUTCOME_STYLE, ZONE, MarkerStyle, new_figure, track_colour
from bastion.report.views import EngagementChain, RunView

__all__ = ["MAX_TRACK_ROWS", "draw_timeline"]

MAX_TRACK_ROWS = 40
"""Tracks beyond this many are left off the timeline (the title says how many)."""

_STEP = {
    "requested": MarkerStyle(marker="o", colour="#e07a00", size_pt=7.0, hollow=True),
    "approved": MarkerStyle(marker="^", colour="#2a9d3a", size_pt=8.0),
    "denied": MarkerStyle(marker="v", colour="#c1121f", size_pt=8.0),
    "withdrawn": MarkerStyle(marker="X", colour="#8d8d8d", size_pt=7.0),
    "fired": MarkerStyle(marker=">", colour="#6a040f", size_pt=8.0),
}
_LABEL_PT = 6.5
_AXES_WIDTH_FRACTION = 0.68  # of the figure width, between the row labels and the legend
_HOSTILE_LIKE = frozenset({Affiliation.HOSTILE, Affiliation.SUSPECT})


@dataclass(frozen=True, slots=True)
class _Mark:
    t_s: float
    style: MarkerStyle
    label: str


def _chain_marks(c: EngagementChain) -> list[_Mark]:
    marks = [_Mark(c.request.t_s, _STEP["requested"], f"req {c.request.effector}")]
    if c.decision is not None:
        approved = c.decision.decision is Decision.APPROVED
        key = "approved" if approved else "denied"
        word = "auth" if approved else "denied"
        marks.append(_Mark(c.decision.t_s, _STEP[key], f"{word} {c.decision.operator}"))
    if c.expired is not None:
        marks.append(_Mark(c.expired.t_s, _STEP["withdrawn"], "withdrawn"))
    if c.engagement is not None:
        marks.append(_Mark(c.engagement.t_s, _STEP["fired"], "fire"))
    if c.assessment is not None:
        a = c.assessment
        marks.append(_Mark(a.t_s, OUTCOME_STYLE[a.outcome], a.outcome.value))
    return marks


def _track_rows(view: RunView) -> tuple[list[int], int]:
    """Track ids to draw, in row order, and how many were left off."""
    busy = {c.request.track_id for c in view.engagements} | {s.alert.track_id for s in view.alerts}
    ids = set(view.tracks) | busy

    def rank(tid: int) -> tuple[int, int]:
        ident = view.identities.get(tid)
        hostile = ident is not None and ident.affiliation in _HOSTILE_LIKE
        return (0 if tid in busy else 1 if hostile else 2, tid)

    ordered = sorted(ids, key=rank)
    return ordered[:MAX_TRACK_ROWS], max(len(ordered) - MAX_TRACK_ROWS, 0)


def _track_label(view: RunView, tid: int) -> str:
    ident = view.identities.get(tid)
    if ident is None:
        return view.label(tid)
    return f"{view.label(tid)} {ident.threat_class.value} ({ident.affiliation.value})"


class _LabelSlots:
    """Places short labels above or below a row's markers, skipping those that would overlap."""

    def __init__(self, seconds_per_pt: float, fontsize: float) -> None:
        self._s_per_pt = seconds_per_pt
        self._fontsize = fontsize
        self._right: dict[int, float] = {1: -np.inf, -1: -np.inf}

    def place(self, t_s: float, text: str) -> int | None:
        """+1 (above) or -1 (below) if `text` fits there at `t_s`, else None; reserves the slot."""
        width_s = (len(text) * 0.6 * self._fontsize + 4.0) * self._s_per_pt
        for side in (1, -1):
            if t_s > self._right[side]:
                self._right[side] = t_s + width_s
                return side
        return None


def _draw_track_row(ax: Axes, view: RunView, tid: int, y: float, seconds_per_pt: float) -> None:
    colour = track_colour(tid)
    path = view.tracks.get(tid)
    if path is not None and path.t_s.size:
        t_stop = view.lost_t_s.get(tid, float(path.t_s[-1]))
        ax.plot([path.t_s[0], t_stop], [y, y], color=colour, lw=1.0, alpha=0.35, zorder=1)
        ax.plot(path.t_s, [y] * path.t_s.size, ls="none", marker="|", ms=7, color=colour, zorder=2)
    if tid in view.lost_t_s:
        ax.plot(view.lost_t_s[tid], y, marker="x", ms=6, color="#444444", zorder=3)
    marks = [m for c in view.engagements if c.request.track_id == tid for m in _chain_marks(c)]
    slots = _LabelSlots(seconds_per_pt, _LABEL_PT)
    for mark in sorted(marks, key=lambda m: m.t_s):
        s = mark.style
        ax.plot(
            mark.t_s,
            y,
            ls="none",
            marker=s.marker,
            ms=s.size_pt,
            color=s.colour,
            mfc="none" if s.hollow else s.colour,
            mec=s.colour,
            mew=1.4,
            zorder=4,
        )
        side = slots.place(mark.t_s, mark.label)
        if side is None:
            continue
        ax.annotate(
            mark.label,
            (mark.t_s, y),
            xytext=(2, 5 * side),
            textcoords="offset points",
            va="bottom" if side > 0 else "top",
            fontsize=_LABEL_PT,
            color=s.colour,
            zorder=5,
            annotation_clip=False,
        )


def _zone_lanes(view: RunView, zone: str) -> list[int]:
    """Track ids alerted in `zone`, in order of their first alert: one lane each."""
    lanes: list[int] = []
    for span in sorted(view.alerts, key=lambda s: s.alert.t_s):
        if span.alert.zone == zone and span.alert.track_id not in lanes:
            lanes.append(span.alert.track_id)
    return lanes


def _draw_zone_row(
    ax: Axes, view: RunView, zone: str, y: float, height: float, t_end_s: float
) -> None:
    ax.axhspan(y - height / 2, y + height / 2, color=ZONE, alpha=0.07, lw=0, zorder=0)
    lanes = _zone_lanes(view, zone)
    if not lanes:
        return
    lane_h = 0.8 * height / len(lanes)
    top = y - 0.4 * height
    labelled: set[int] = set()
    for span in view.alerts:
        if span.alert.zone != zone:
            continue
        tid = span.alert.track_id
        lane_y = top + (lanes.index(tid) + 0.5) * lane_h
        t0 = span.alert.t_s
        t1 = span.cleared.t_s if span.cleared is not None else t_end_s
        colour = track_colour(tid)
        ax.broken_barh(
            [(t0, max(t1 - t0, 0.0))],
            (lane_y - 0.42 * lane_h, 0.84 * lane_h),
            facecolors=colour,
            alpha=0.45,
            edgecolor=colour,
            lw=0.8,
            zorder=2,
        )
        ax.vlines(
            span.alert.t_expected_s,
            lane_y - 0.5 * lane_h,
            lane_y + 0.5 * lane_h,
            colors="#222222",
            lw=1.6,
            zorder=3,
        )
        if tid not in labelled:
            labelled.add(tid)
            ax.annotate(
                view.label(tid),
                (t0, lane_y),
                xytext=(-2, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=min(7.0, 18.0 * lane_h),
                fontweight="bold",
                color=colour,
                zorder=4,
            )


def _legend(ax: Axes) -> None:
    handles: list[Line2D | Patch] = [
        Patch(facecolor="#999999", alpha=0.45, label="alert raised \u2192 cleared"),
        Line2D(
            [], [], ls="none", marker="|", ms=12, mew=2, color="#222222", label="expected impact"
        ),
        Line2D([], [], ls="none", marker="|", ms=7, color="#555555", label="track update"),
        Line2D([], [], ls="none", marker="x", color="#444444", label="track lost"),
    ]
    steps = [*_STEP.items(), *((o.value, s) for o, s in OUTCOME_STYLE.items())]
    for name, s in steps:
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=s.marker,
                color=s.colour,
                ms=7,
                mfc="none" if s.hollow else s.colour,
                label=f"engagement {name}",
            )
        )
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False
    )


def draw_timeline(scenario: ScenarioParams, view: RunView, title: str) -> Figure:
    """The timeline figure; x spans the scenario duration and every event."""
    zones = [z.name for z in scenario.zones]
    zones += sorted({s.alert.zone for s in view.alerts} - set(zones))
    tracks, left_off = _track_rows(view)
    heights = [max(1.0, 0.4 * len(_zone_lanes(view, z))) for z in zones] + [1.0] * len(tracks)
    edges = np.concatenate([[0.0], np.cumsum(heights)])
    centres = (edges[:-1] + edges[1:]) / 2
    total = float(edges[-1])
    width_in = 10.5
    fig = new_figure(width_in, min(max(0.34 * total + 1.6, 3.2), 24.0))
    ax = fig.add_subplot()
    t0 = min(0.0, view.t_first_s)
    t_end = max(scenario.duration_s, view.t_last_s)
    pad = 0.01 * (t_end - t0 or 1.0)
    seconds_per_pt = (t_end - t0 + 2 * pad) / (width_in * 72.0 * _AXES_WIDTH_FRACTION)
    labels: list[str] = []
    for i, zone in enumerate(zones):
        _draw_zone_row(ax, view, zone, float(centres[i]), heights[i], t_end)
        labels.append(f"zone {zone}")
    for i, tid in enumerate(tracks, start=len(zones)):
        _draw_track_row(ax, view, tid, float(centres[i]), seconds_per_pt)
        labels.append(_track_label(view, tid))
    ax.set_yticks(centres, labels, fontsize=7.5)
    ax.set_ylim(max(total, 1.0), 0.0)
    if not labels:
        ax.text(
            0.5, 0.5, "no zones or tracks", transform=ax.transAxes, ha="center", color="#888888"
        )
    ax.set_xlim(t0 - pad, t_end + pad)
    ax.grid(True, axis="x", lw=0.4, alpha=0.4)
    for edge in edges[1:-1]:
        ax.axhline(edge, color="#dddddd", lw=0.6, zorder=0)
    if zones and tracks:
        ax.axhline(edges[len(zones)], color="#888888", lw=1.0, zorder=0)
    ax.set_xlabel("run time (s)")
    more = f" ({left_off} more tracks not shown)" if left_off else ""
    ax.set_title(f"{title}: timeline{more}", fontsize=11, loc="left")
    _legend(ax)
    return fig
