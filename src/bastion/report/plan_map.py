"""The plan-view map: zones, sensor and effector coverage, truth, tracks, impacts, outcomes.

Drawn in site ENU kilometres (east right, north up, equal axes).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Polygon, Rectangle
from matplotlib.path import Path as MplPath

from bastion.core.params import ScenarioParams, ZoneParams
from bastion.core.records import FloatArray, Outcome
from bastion.core.truth import TruthHistory
from bastion.report.ellipses import draw_ellipse, draw_origin, label_ellipse
from bastion.report.style import (
    EFFECTOR,
    FRIENDLY,
    HALO,
    HOSTILE,
    NEUTRAL,
    OUTCOME_STYLE,
    RADAR,
    ZONE,
    new_figure,
    track_colour,
    truth_colour,
)
from bastion.report.views import RunView

__all__ = ["draw_map"]

_KM = 1e-3


def _centroid_m(polygon_m: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a simple polygon (vertex mean if degenerate), metres."""
    p = np.asarray(polygon_m, dtype=np.float64).reshape(-1, 2)
    x, y = p[:, 0], p[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    area = cross.sum() / 2.0
    if abs(area) < 1e-9:
        return float(x.mean()), float(y.mean())
    return float(((x + xn) * cross).sum() / (6 * area)), float(
        ((y + yn) * cross).sum() / (6 * area)
    )


def _label_point_m(zone: ZoneParams, others: Sequence[ZoneParams]) -> tuple[float, float, str]:
    """Where a zone's name goes (metres) and its vertical alignment: the centroid, unless another
    zone's centroid lies inside this zone (a perimeter around a chancery), then just inside its top."""
    cx, cy = _centroid_m(zone.polygon_m)
    outline = MplPath(np.asarray(zone.polygon_m, dtype=np.float64))
    if any(outline.contains_point(_centroid_m(o.polygon_m)) for o in others if o is not zone):
        top = max(y for _, y in zone.polygon_m)
        return cx, top, "top"
    return cx, cy, "center"


def _draw_zones(ax: Axes, zones: Sequence[ZoneParams], labels: bool) -> None:
    drawable = [z for z in zones if len(z.polygon_m) >= 3]
    for zone in drawable:
        xy = np.asarray(zone.polygon_m, dtype=np.float64) * _KM
        ax.add_patch(
            Polygon(
                xy, closed=True, facecolor=ZONE, alpha=0.35, edgecolor="#c77700", lw=1.2, zorder=1
            )
        )
        if not labels:
            continue
        lx, ly, va = _label_point_m(zone, drawable)
        ax.text(
            lx * _KM,
            ly * _KM,
            zone.name,
            ha="center",
            va=va,
            fontsize=8.5,
            fontweight="bold",
            color="#7a4100",
            path_effects=HALO,
            zorder=6,
        )


def _draw_coverage(ax: Axes, scenario: ScenarioParams, labels: bool) -> None:
    for radar in scenario.radars:
        e, n = radar.position_m[0] * _KM, radar.position_m[1] * _KM
        ax.add_patch(
            Circle(
                (e, n), radar.max_range_m * _KM, fill=False, ec=RADAR, lw=1.0, alpha=0.6, zorder=2
            )
        )
        ax.plot(e, n, marker="^", ms=9, color=RADAR, mec="white", zorder=7)
        if labels:
            ax.annotate(
                radar.sensor_id,
                (e, n),
                xytext=(6, -10),
                textcoords="offset points",
                fontsize=7.5,
                color=RADAR,
                path_effects=HALO,
                zorder=7,
            )
    for eff in scenario.effectors:
        e, n = eff.position_m[0] * _KM, eff.position_m[1] * _KM
        ax.add_patch(
            Circle(
                (e, n),
                eff.max_range_m * _KM,
                fill=False,
                ec=EFFECTOR,
                lw=1.2,
                ls="--",
                alpha=0.8,
                zorder=2,
            )
        )
        ax.plot(e, n, marker="s", ms=7, color=EFFECTOR, mec="white", zorder=7)
        if labels:
            ax.annotate(
                eff.name,
                (e, n),
                xytext=(6, 4),
                textcoords="offset points",
                fontsize=7.5,
                color=EFFECTOR,
                path_effects=HALO,
                zorder=7,
            )


def _draw_truth(ax: Axes, truth: TruthHistory) -> None:
    pos = np.asarray(truth.position_m, dtype=np.float64)
    for k in range(pos.shape[1]):
        xy = pos[:, k, :2]
        ok = np.isfinite(xy).all(axis=1)
        if not ok.any():
            continue
        colour = truth_colour(truth.kinds[k], truth.hostile[k])
        ax.plot(xy[:, 0] * _KM, xy[:, 1] * _KM, color=colour, lw=0.8, alpha=0.55, zorder=3)
        first = xy[np.argmax(ok)] * _KM
        ax.plot(first[0], first[1], marker="o", ms=3.5, color=colour, alpha=0.8, zorder=3)


def _draw_tracks(ax: Axes, view: RunView) -> None:
    for tid, path in view.tracks.items():
        if path.t_s.size == 0:
            continue
        colour = track_colour(tid)
        xy = path.position_m[:, :2] * _KM
        ax.plot(xy[:, 0], xy[:, 1], ls="none", marker=".", ms=3.0, color=colour, zorder=4)
        ax.annotate(
            view.label(tid),
            (xy[-1, 0], xy[-1, 1]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7.5,
            fontweight="bold",
            color=colour,
            path_effects=HALO,
            zorder=8,
        )
    for tid, origin in view.origins.items():
        draw_origin(ax, origin, track_colour(tid))


def _draw_impacts(ax: Axes, view: RunView, labels: bool) -> None:
    """Every predicted impact point (the last one a filled X) and, per round, the ellipse of the
    prediction current at half its flight, with a note saying when it was made if `labels`."""
    for tid, impacts in view.impacts.items():
        colour = track_colour(tid)
        e = np.array([p.impact_e_m for p in impacts]) * _KM
        n = np.array([p.impact_n_m for p in impacts]) * _KM
        ax.plot(e[:-1], n[:-1], ls="none", marker="x", ms=4, mew=0.8, color=colour, zorder=5)
        ax.plot(
            e[-1:],
            n[-1:],
            ls="none",
            marker="X",
            ms=8,
            mew=0.8,
            mec="white",
            color=colour,
            zorder=7,
        )
    for tid, p in view.half_flight.items():
        colour = track_colour(tid)
        draw_ellipse(ax, p, colour)
        if labels:
            label_ellipse(ax, p, view.label(tid), colour)


def _draw_outcomes(ax: Axes, view: RunView) -> None:
    for a in view.assessments:
        path = view.tracks.get(a.track_id)
        at = path.position_at(a.t_s) if path is not None else None
        if at is None:
            continue
        s = OUTCOME_STYLE[a.outcome]
        ax.plot(
            at[0] * _KM,
            at[1] * _KM,
            ls="none",
            marker=s.marker,
            ms=s.size_pt,
            color=s.colour,
            mew=1.6,
            mfc="none" if s.hollow else s.colour,
            mec=s.colour,
            zorder=9,
        )


def _extent_m(pts: list[FloatArray], frac: float, min_pad_m: float) -> FloatArray | None:
    """(min_e, min_n, max_e, max_n) around the finite points, padded; None if there are none."""
    allp = np.concatenate([p.reshape(-1, 2) for p in pts]) if pts else np.zeros((0, 2))
    allp = allp[np.isfinite(allp).all(axis=1)]
    if allp.size == 0:
        return None
    lo, hi = allp.min(axis=0), allp.max(axis=0)
    pad = np.maximum((hi - lo) * frac, min_pad_m)
    return np.concatenate([lo - pad, hi + pad])


def _site_points(scenario: ScenarioParams) -> list[FloatArray]:
    pts = [np.asarray(z.polygon_m, dtype=np.float64).reshape(-1, 2) for z in scenario.zones]
    sites = [r.position_m for r in scenario.radars] + [e.position_m for e in scenario.effectors]
    if sites:
        pts.append(np.asarray(sites, dtype=np.float64)[:, :2])
    return pts


def _overview_m(scenario: ScenarioParams, view: RunView, truth: TruthHistory | None) -> FloatArray:
    """Bounds over zones, sensors, effectors, truth, tracks and impacts."""
    pts = _site_points(scenario)
    if truth is not None:
        pts.append(np.asarray(truth.position_m, dtype=np.float64)[..., :2])
    pts += [path.position_m[:, :2] for path in view.tracks.values()]
    pts += [np.array([[p.impact_e_m, p.impact_n_m] for p in v]) for v in view.impacts.values()]
    bounds = _extent_m(pts, 0.06, 500.0)
    if bounds is None:
        r = max((r.max_range_m for r in scenario.radars), default=5000.0)
        return np.array([-r, -r, r, r])
    return bounds


def _fit_aspect(bounds: FloatArray, width_per_height: float) -> FloatArray:
    """Grow the shorter side of `bounds` about its centre to the given width/height ratio."""
    w, h = bounds[2] - bounds[0], bounds[3] - bounds[1]
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    w, h = max(w, h * width_per_height), max(h, w / width_per_height)
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])


def _frame(ax: Axes, bounds_m: FloatArray, title: str) -> None:
    b = bounds_m * _KM
    ax.set_xlim(b[0], b[2])
    ax.set_ylim(b[1], b[3])
    ax.set_aspect("equal", adjustable="box")
    ax.grid(True, lw=0.4, alpha=0.4)
    ax.set_xlabel("east of site origin (km)")
    ax.set_ylabel("north of site origin (km)")
    ax.set_title(title, fontsize=11, loc="left")


def _draw_all(
    ax: Axes, scenario: ScenarioParams, view: RunView, truth: TruthHistory | None, labels: bool
) -> None:
    _draw_zones(ax, scenario.zones, labels)
    _draw_coverage(ax, scenario, labels)
    if truth is not None:
        _draw_truth(ax, truth)
    _draw_tracks(ax, view)
    _draw_impacts(ax, view, labels)
    _draw_outcomes(ax, view)


def _legend(
    fig: Figure, scenario: ScenarioParams, view: RunView, truth: TruthHistory | None
) -> None:
    handles: list[Line2D | Patch] = []
    if scenario.zones:
        handles.append(
            Patch(facecolor=ZONE, alpha=0.35, edgecolor="#c77700", label="defended zone")
        )
    if scenario.radars:
        handles.append(Line2D([], [], color=RADAR, marker="^", label="radar, max range"))
    if scenario.effectors:
        handles.append(
            Line2D([], [], color=EFFECTOR, marker="s", ls="--", label="effector, max range")
        )
    if truth is not None:
        present = {truth_colour(k, h) for k, h in zip(truth.kinds, truth.hostile, strict=True)}
        for colour, label in ((HOSTILE, "hostile"), (FRIENDLY, "friendly"), (NEUTRAL, "bird")):
            if colour in present:
                handles.append(
                    Line2D([], [], color=colour, lw=1, marker="o", ms=3, label=f"truth: {label}")
                )
    if view.tracks:
        handles.append(
            Line2D([], [], ls="none", marker=".", color="#555555", label="track (colour per id)")
        )
    grey = "#555555"
    if view.impacts:
        handles += [
            Line2D([], [], ls="none", marker="x", ms=4, color=grey, label="predicted impact"),
            Line2D([], [], ls="none", marker="X", ms=8, color=grey, label="last predicted impact"),
        ]
    if view.half_flight:
        handles.append(
            Patch(
                facecolor=to_rgba(grey, 0.22),
                edgecolor=grey,
                ls="--",
                label="impact ellipse at half flight (its note: when predicted)",
            )
        )
    for outcome in sorted({a.outcome for a in view.assessments}, key=list(Outcome).index):
        s = OUTCOME_STYLE[outcome]
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=s.marker,
                color=s.colour,
                ms=8,
                mfc="none" if s.hollow else s.colour,
                label=f"engagement: {outcome.value}",
            )
        )
    if handles:
        fig.legend(handles=handles, loc="outside lower center", ncols=5, fontsize=8, frameon=False)


def draw_map(
    scenario: ScenarioParams, view: RunView, truth: TruthHistory | None, title: str
) -> Figure:
    """The plan-view map (site ENU km): the whole picture and, if the base is small in it, a
    second panel zoomed on the zones, sensors and effectors."""
    overview = _fit_aspect(_overview_m(scenario, view, truth), 1.0)
    detail = _extent_m(_site_points(scenario), 0.25, 400.0)
    zoom = detail is not None and (detail[2] - detail[0]) < 0.4 * (overview[2] - overview[0])
    fig = new_figure(15.0 if zoom else 9.5, 8.2)
    fig.suptitle(title, fontsize=13, x=0.01, ha="left")
    ax = fig.add_subplot(1, 2, 1) if zoom else fig.add_subplot()
    _draw_all(ax, scenario, view, truth, labels=not zoom)
    _frame(ax, overview, "plan view")
    if zoom and detail is not None:
        detail = _fit_aspect(detail, 1.0)
        b = detail * _KM
        ax.add_patch(
            Rectangle(
                (b[0], b[1]), b[2] - b[0], b[3] - b[1], fill=False, ec="#333333", lw=0.8, ls=":"
            )
        )
        inner = fig.add_subplot(1, 2, 2)
        _draw_all(inner, scenario, view, truth, labels=True)
        _frame(inner, detail, "base detail")
    _legend(fig, scenario, view, truth)
    return fig
