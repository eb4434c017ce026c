"""Cross-field rules of a scenario that the per-field schema cannot express.

`check_scenario` returns every problem as a (location, message) pair; the location is the field path
as a tuple (``("targets", 1, "waypoints_m", 0)``), the message says what was expected and what was
found. Positions are site ENU metres; `SITE_RADIUS_M` bounds how far from the origin a zone, radar
or effector may be (the flat-earth ENU frame is only meant for a few tens of kilometres).

`advise_scenario` returns advisories in the same form: settings that are valid but will not do what
the scenario needs (a tracker whose first gate cannot hold the fastest target); the loader warns with
them and loads the scenario.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence

import numpy as np
from shapely.geometry import Polygon
from shapely.validation import explain_validity

from bastion.config.schema import (
    BirdFlockSpec,
    RadarSpec,
    RocketSpec,
    ScenarioSpec,
    TargetSpec,
)
from bastion.config.schema_defence import ZoneSpec
from bastion.config.schema_stages import TrackerSpec
from bastion.config.terrain import check_terrain
from bastion.core.ballistics import drag_factor_m2pkg, propagate_to_ground

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

SITE_RADIUS_M = 50_000.0
"""Largest horizontal distance (m) of a zone vertex, radar or effector from the site origin."""

_REACH_TOLERANCE = 1.005
"""Slack on the rocket's computed maximum range (the elevation grid slightly underestimates it)."""


def check_scenario(spec: ScenarioSpec) -> list[Problem]:
    """Every cross-field problem in a schema-valid scenario, in file order (empty when sound)."""
    problems: list[Problem] = []
    problems += _unique("radars", [r.id for r in spec.radars], "id")
    for i, radar in enumerate(spec.radars):
        at: Loc = ("radars", i)
        problems += _within_site((*at, "position_m"), radar.position_m)
        if radar.min_range_m >= radar.max_range_m:
            problems.append(
                (
                    (*at, "max_range_m"),
                    f"expected more than min_range_m ({radar.min_range_m:g} m), "
                    f"got {radar.max_range_m:g}",
                )
            )
        if radar.min_el_deg >= radar.max_el_deg:
            problems.append(
                (
                    (*at, "max_el_deg"),
                    f"expected more than min_el_deg ({radar.min_el_deg:g} degrees), "
                    f"got {radar.max_el_deg:g}",
                )
            )
        if (radar.ref_snr_db is None) == (radar.ref_pd is None):
            problems.append(
                (
                    (*at, "ref_snr_db"),
                    "expected exactly one of ref_snr_db (dB) or ref_pd (probability), got "
                    + ("both" if radar.ref_pd is not None else "neither"),
                )
            )
        elif radar.ref_pd is not None and not radar.pfa < radar.ref_pd < 1.0:
            problems.append(
                (
                    (*at, "ref_pd"),
                    f"expected a probability above pfa ({radar.pfa:g}) and below 1, "
                    f"got {radar.ref_pd:g}",
                )
            )
    problems += _unique("targets", [t.id for t in spec.targets], "id")
    for i, target in enumerate(spec.targets):
        problems += _check_target(("targets", i), target, spec.duration_s, spec.site.alt_m)
    problems += _unique("zones", [z.name for z in spec.zones], "name")
    for i, zone in enumerate(spec.zones):
        problems += _check_zone(("zones", i), zone)
    problems += _unique("effectors", [e.name for e in spec.effectors], "name")
    for i, eff in enumerate(spec.effectors):
        at = ("effectors", i)
        problems += _within_site((*at, "position_m"), eff.position_m)
        if eff.min_range_m >= eff.max_range_m:
            problems.append(
                (
                    (*at, "max_range_m"),
                    f"expected more than min_range_m ({eff.min_range_m:g} m), "
                    f"got {eff.max_range_m:g}",
                )
            )
    problems += _check_engagement_areas(spec)
    problems += check_terrain(spec)
    if spec.tracker.confirm_m > spec.tracker.confirm_n:
        problems.append(
            (
                ("tracker", "confirm_m"),
                f"expected at most confirm_n ({spec.tracker.confirm_n}), "
                f"got {spec.tracker.confirm_m}",
            )
        )
    return problems


def advise_scenario(spec: ScenarioSpec) -> list[Problem]:
    """Every advisory for a scenario that passed `check_scenario` (empty when none applies)."""
    return [*_first_gate(spec), *_speed_cap(spec)]


def first_gate_speed_mps(tracker: TrackerSpec, radar: RadarSpec) -> float:
    """The fastest target (m/s) whose second plot from `radar` falls inside a new track's gate.

    A new track starts at its first plot with velocity zero, `init_speed_sigma_mps` (sigma_v) per
    axis; one scan period T on, its predicted position variance along the line of sight is
    T^2 sigma_v^2 + sigma_r^2 and the second plot adds its own sigma_r^2 (range sigma). A target
    flying at speed s along the line of sight (a round fired at the site, where the radar is; beyond
    about a kilometre the plots are most precise that way) moves s T, inside the gate while
    (s T)^2 <= gate_chi2 (T^2 sigma_v^2 + 2 sigma_r^2). Process noise (well under 1 m^2 in a scan)
    is left out. After a missed look the gate holds a little less (the plots' sigma counts for less
    over 2T), down to sqrt(gate_chi2) sigma_v.
    """
    return math.sqrt(tracker.gate_chi2 * (tracker.init_speed_sigma_mps**2 + _plot_var(radar)))


def _plot_var(radar: RadarSpec) -> float:
    """The two plots' range variance over the scan period squared, 2 sigma_r^2 / T^2 ((m/s)^2)."""
    return 2.0 * (radar.sigma_range_m / radar.scan_period_s) ** 2


def _first_gate(spec: ScenarioSpec) -> Iterator[Problem]:
    """Advise a larger `tracker.init_speed_sigma_mps` when the fastest target outruns the first
    gate of the radar with the narrowest one: each of its plots would start another tentative
    track, and the target would be confirmed late, if at all."""
    if not spec.targets:
        return
    tracker = spec.tracker
    fastest = max(spec.targets, key=lambda t: t.speed_mps)
    radar = min(spec.radars, key=lambda r: first_gate_speed_mps(tracker, r))
    held_mps, speed_mps = first_gate_speed_mps(tracker, radar), fastest.speed_mps
    if speed_mps <= held_mps:
        return
    least_mps = math.sqrt(speed_mps**2 / tracker.gate_chi2 - _plot_var(radar))
    margin_mps = speed_mps / math.sqrt(3.0)  # docs/tracking.md: the speed as a 1-sigma velocity
    suggest_mps = 10.0 * math.ceil(max(least_mps, margin_mps) / 10.0)
    yield (
        ("tracker", "init_speed_sigma_mps"),
        f"{fastest.id!r} flies at {speed_mps:g} m/s, faster than a new track's first gate holds "
        f"({held_mps:.0f} m/s at radar {radar.id!r}, {radar.scan_period_s:g} s scan): its second "
        f"plot would start another track; expected at least {math.ceil(least_mps)} m/s, got "
        f"{tracker.init_speed_sigma_mps:g}; about {suggest_mps:g} holds it with margin"
        + (" (its speed over sqrt(3))" if margin_mps >= least_mps else ""),
    )


def _speed_cap(spec: ScenarioSpec) -> Iterator[Problem]:
    """Advise a larger `tracker.max_speed_mps` when a target flies faster: the two-point initiation
    gate drops every pair of its plots, so it never forms a track at all."""
    if not spec.targets:
        return
    fastest = max(spec.targets, key=lambda t: t.speed_mps)
    cap_mps = spec.tracker.max_speed_mps
    if fastest.speed_mps <= cap_mps:
        return
    yield (
        ("tracker", "max_speed_mps"),
        f"{fastest.id!r} flies at {fastest.speed_mps:g} m/s, above the fastest plausible track "
        f"({cap_mps:g} m/s): a track started on it never takes its second plot; expected at least "
        f"{math.ceil(fastest.speed_mps)} m/s",
    )


def _check_engagement_areas(spec: ScenarioSpec) -> list[Problem]:
    """No-fire zones are valid polygons; ROE sectors name known effectors and a sane distance band."""
    problems: list[Problem] = list(
        _unique("no_fire_zones", [z.name for z in spec.no_fire_zones], "name")
    )
    for i, nfz in enumerate(spec.no_fire_zones):
        problems += _check_zone(
            ("no_fire_zones", i), ZoneSpec(name=nfz.name, polygon_m=nfz.polygon_m)
        )
    problems += _unique("roe_sectors", [s.name for s in spec.roe_sectors], "name")
    known = {e.name for e in spec.effectors}
    for i, sector in enumerate(spec.roe_sectors):
        for j, name in enumerate(sector.effectors):
            if name not in known:
                problems.append(
                    (
                        ("roe_sectors", i, "effectors", j),
                        f"expected the name of an effector, got {name!r}; effectors: "
                        + (", ".join(sorted(known)) or "none"),
                    )
                )
        if sector.max_range_m is not None and sector.max_range_m <= sector.min_range_m:
            problems.append(
                (
                    ("roe_sectors", i, "max_range_m"),
                    f"expected more than min_range_m ({sector.min_range_m:g} m), "
                    f"got {sector.max_range_m:g}",
                )
            )
    return problems


def _unique(section: str, names: Sequence[str], field: str) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            yield (
                (section, i, field),
                f"expected a unique {field}, got {name!r} again "
                f"(first used by {section}[{seen[name]}])",
            )
        else:
            seen[name] = i


def _within_site(at: Loc, pos: Sequence[float]) -> Iterator[Problem]:
    dist_m = math.hypot(pos[0], pos[1])
    if dist_m > SITE_RADIUS_M:
        yield (
            at,
            f"expected a point within {SITE_RADIUS_M / 1000:g} km of the site origin, "
            f"got one {dist_m / 1000:.1f} km away",
        )


def _above_ground(at: Loc, pos: Sequence[float], what: str) -> Iterator[Problem]:
    if pos[2] < 0.0:
        yield (at, f"expected the {what} at or above the ground (up_m >= 0), got up_m = {pos[2]:g}")


def _check_target(
    at: Loc, target: TargetSpec, duration_s: float, site_alt_m: float
) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(target, RocketSpec):
        start_field, start_t_s = "launch_t_s", target.launch_t_s
        problems += _above_ground((*at, "launch_m"), target.launch_m, "launch point")
        ground_m = math.hypot(
            target.aim_m[0] - target.launch_m[0], target.aim_m[1] - target.launch_m[1]
        )
        if ground_m < 1.0:
            problems.append(((*at, "aim_m"), "expected an aim point away from the launch point"))
        elif not problems and target.aim_m[2] <= target.launch_m[2]:
            reach_m = max_rocket_range_m(target, site_alt_m)
            if ground_m > reach_m * _REACH_TOLERANCE:
                problems.append(
                    (
                        (*at, "aim_m"),
                        f"expected an aim point the rocket can reach (at most {reach_m / 1000:.2f}"
                        f" km at {target.speed_mps:g} m/s), got one {ground_m / 1000:.2f} km away",
                    )
                )
    elif isinstance(target, BirdFlockSpec):
        start_field, start_t_s = "start_t_s", target.start_t_s
        problems += _above_ground((*at, "centre_m"), target.centre_m, "flock centre")
    else:
        start_field, start_t_s = "start_t_s", target.start_t_s
        problems += _above_ground((*at, "waypoints_m", 0), target.waypoints_m[0], "first waypoint")
        for j in range(1, len(target.waypoints_m)):
            if target.waypoints_m[j] == target.waypoints_m[j - 1]:
                problems.append(
                    ((*at, "waypoints_m", j), "expected a waypoint apart from the previous one")
                )
        if target.callsign and not target.adsb_icao:
            problems.append(((*at, "adsb_icao"), "expected an ICAO address with the callsign"))
    if start_t_s >= duration_s:
        problems.append(
            (
                (*at, start_field),
                f"expected a time before the end of the run ({duration_s:g} s), got {start_t_s:g}",
            )
        )
    return problems


def _check_zone(at: Loc, zone: ZoneSpec) -> list[Problem]:
    vertices = list(zone.polygon_m)
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()  # an explicitly closed ring
    if len(vertices) < 3:
        return [
            (
                (*at, "polygon_m"),
                f"expected at least 3 vertices [east_m, north_m], got {len(vertices)}",
            )
        ]
    far = max(range(len(vertices)), key=lambda k: math.hypot(*vertices[k]))
    outside = list(_within_site((*at, "polygon_m", far), vertices[far]))
    if outside:
        return outside
    poly = Polygon(vertices)
    if poly.convex_hull.area <= 0.0:
        return [((*at, "polygon_m"), "expected a polygon with non-zero area, got area 0")]
    if not poly.is_valid:
        return [
            (
                (*at, "polygon_m"),
                "expected a simple polygon (edges that do not cross or touch), got "
                + _explain(explain_validity(poly)),
            )
        ]
    if poly.area <= 0.0:
        return [((*at, "polygon_m"), "expected a polygon with non-zero area, got area 0")]
    return []


def _explain(reason: str) -> str:
    """Shapely's ``Self-intersection[5 5]`` as ``a self-intersection at (5, 5)``."""
    found = re.fullmatch(r"(.+)\[(\S+) (\S+)\]", reason)
    if found is None:
        return f"an invalid one ({reason})"
    what, east, north = found.groups()
    return f"a {what.lower()} at ({float(east):g}, {float(north):g})"


def max_rocket_range_m(rocket: RocketSpec, site_alt_m: float) -> float:
    """Longest ground range (m) the rocket reaches at the aim point's height, over all elevations.

    Uses the core point-mass model (`bastion.core.ballistics`), flat-earth, in still air. Meant for an
    aim point no higher than the launch point (the loader skips the check otherwise).
    """
    elev = np.radians(np.arange(1.0, 80.0, 0.25))
    n = elev.size
    pos = np.tile(np.asarray(rocket.launch_m, dtype=np.float64), (n, 1))
    # Absurd inputs (a 1e300 m diameter) give non-finite ranges, which count as unreachable.
    with np.errstate(all="ignore"):
        vel = rocket.speed_mps * np.stack([np.cos(elev), np.zeros(n), np.sin(elev)], axis=1)
        drag = drag_factor_m2pkg(rocket.drag_coefficient, rocket.diameter_m, rocket.mass_kg)
        impact, _ = propagate_to_ground(
            pos,
            vel,
            np.full(n, float(drag)),
            site_alt_m,
            ground_u_m=rocket.aim_m[2] - 1e-3,
            dt_s=0.05,
            max_t_s=600.0,
        )
        ground = np.hypot(impact[:, 0] - rocket.launch_m[0], impact[:, 1] - rocket.launch_m[1])
    ground = ground[np.isfinite(ground)]
    return float(ground.max()) if ground.size else 0.0
