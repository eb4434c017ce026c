"""The scenario's terrain grid: its shape and coverage checks, and its conversion to `TerrainParams`.

A grid must hold at least 2 x 2 heights in rows of equal length (rows south to north, columns west
to east, site ENU metres), and must cover the site: the origin, every zone vertex, radar and effector.
A grid that does not is rejected when the scenario loads, with a message naming the grid and the first
point outside it. Launch points may lie outside (the threat stage holds the edge height there).
"""

from __future__ import annotations

from collections.abc import Iterator

from bastion.config.schema import ScenarioSpec, TerrainSpec
from bastion.core.params import TerrainParams

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]


def check_terrain(spec: ScenarioSpec) -> list[Problem]:
    """Problems of the scenario's terrain grid (empty without one, or when sound)."""
    t = spec.terrain
    if t is None:
        return []
    widths = {len(row) for row in t.heights_m}
    if len(t.heights_m) < 2 or len(widths) != 1 or min(widths) < 2:
        shape = f"{len(t.heights_m)} rows of " + "/".join(str(w) for w in sorted(widths))
        return [
            (
                ("terrain", "heights_m"),
                f"terrain grid {t.name!r}: expected at least 2 rows of at least 2 heights, all rows "
                f"the same length, got {shape or 'nothing'}",
            )
        ]
    e0, n0 = t.origin_m
    e1 = e0 + (widths.pop() - 1) * t.spacing_m
    n1 = n0 + (len(t.heights_m) - 1) * t.spacing_m
    for what, (e, n) in _site_points(spec):
        if not (e0 <= e <= e1 and n0 <= n <= n1):
            return [
                (
                    ("terrain",),
                    f"terrain grid {t.name!r} does not cover the site: it spans east {e0:g} to "
                    f"{e1:g} m and north {n0:g} to {n1:g} m, but {what} at ({e:g}, {n:g}) is outside",
                )
            ]
    return []


def _site_points(spec: ScenarioSpec) -> Iterator[tuple[str, tuple[float, float]]]:
    yield "the site origin", (0.0, 0.0)
    for z in spec.zones:
        for v in z.polygon_m:
            yield f"zone {z.name!r}", (v[0], v[1])
    for r in spec.radars:
        yield f"radar {r.id!r}", (r.position_m[0], r.position_m[1])
    for e in spec.effectors:
        yield f"effector {e.name!r}", (e.position_m[0], e.position_m[1])


def terrain_params(t: TerrainSpec | None) -> TerrainParams | None:
    """The core's terrain parameters of a checked grid (None without one)."""
    if t is None:
        return None
    return TerrainParams(
        name=t.name,
        origin_m=(t.origin_m[0], t.origin_m[1]),
        spacing_m=t.spacing_m,
        heights_m=tuple(tuple(float(h) for h in row) for row in t.heights_m),
    )
