"""The scenario loader: both shipped scenarios load, and every kind of bad input gets one clear
`ConfigError` naming the file, the field path and what was expected."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bastion.config import LoadedScenario, ScenarioSpec, load_scenario, parse_scenario
from bastion.config.loader import to_params
from bastion.config.schema import ALL_SPECS
from bastion.core.engage_params import EffectorKind, OperatorParams
from bastion.core.errors import ConfigError
from bastion.core.params import (
    BirdFlock,
    RocketTarget,
    TargetKind,
    ThreatParams,
    TrackerParams,
    WaypointTarget,
)
from bastion.core.records import ThreatClass

ROOT = Path(__file__).resolve().parents[2]
RAID = ROOT / "scenarios" / "al-asad-drone-raid.yaml"
ROCKET = ROOT / "scenarios" / "compound-rocket.yaml"
DOCS = ROOT / "docs" / "scenarios.md"

Mutation = Callable[[dict[str, Any]], None]


# --- the shipped scenarios -------------------------------------------------------------------------


def test_raid_loads_with_expected_content() -> None:
    loaded = load_scenario(RAID)
    p = loaded.params
    assert p.name == "al-asad-drone-raid" and loaded.seed == 1 and p.duration_s >= 300.0
    assert math.isclose(math.degrees(p.site.lat_rad), 33.786)
    kinds = [t.kind for t in p.targets if isinstance(t, WaypointTarget)]
    assert kinds.count(TargetKind.FIXED_WING) == 2 and kinds.count(TargetKind.AIRCRAFT) == 1
    drones = [t for t in p.targets if isinstance(t, WaypointTarget) and t.hostile]
    assert len(drones) == 2 and all(d.kind is TargetKind.FIXED_WING for d in drones)
    aircraft = [t for t in p.targets if isinstance(t, WaypointTarget) and not t.hostile]
    assert [(a.adsb_icao, a.callsign) for a in aircraft] == [("AE1234", "RCH123")]
    flocks = [t for t in p.targets if isinstance(t, BirdFlock)]
    assert len(flocks) == 1 and flocks[0].count == 6
    assert {z.name for z in p.zones} == {"runway", "housing", "headquarters"}
    assert sorted(e.kind for e in p.effectors) == [EffectorKind.GUN, EffectorKind.INTERCEPTOR]
    assert p.adsb is not None and len(p.radars) == 1
    radar = p.radars[0]
    assert math.isclose(radar.sigma_az_rad, math.radians(0.5))
    # Drones start inside radar range, where Pd per look is still high (Swerling I).
    for d in drones:
        start_range_m = math.dist(d.waypoints_m[0], radar.position_m)
        assert start_range_m < radar.max_range_m
        snr = 10 ** (radar.ref_snr_db / 10) * (d.rcs_m2 / radar.ref_rcs_m2)
        snr *= (radar.ref_range_m / start_range_m) ** 4
        assert radar.pfa ** (1.0 / (1.0 + snr)) > 0.6


def test_raid_reference_pd_becomes_the_reference_snr() -> None:
    radar = load_scenario(RAID).params.radars[0]
    snr = 10 ** (radar.ref_snr_db / 10)
    assert math.isclose(radar.pfa ** (1.0 / (1.0 + snr)), 0.9)


def test_rocket_scenario_loads_with_expected_content() -> None:
    loaded = load_scenario(ROCKET)
    p = loaded.params
    (rocket,) = p.targets
    assert isinstance(rocket, RocketTarget) and rocket.mass_kg == 18.8
    assert math.isclose(math.dist(rocket.launch_m[:2], rocket.aim_m[:2]), 6000.0, rel_tol=0.01)
    assert math.dist(rocket.launch_m, p.radars[0].position_m) < p.radars[0].max_range_m
    assert {"chancery", "residences", "perimeter"} <= {z.name for z in p.zones}
    assert [e.kind for e in p.effectors] == [EffectorKind.GUN]
    assert p.effectors[0].pk[ThreatClass.ROCKET] == 0.5
    assert p.adsb is None  # no adsb section: no receiver


def test_loaded_scenario_keeps_exact_text_and_hash() -> None:
    loaded = load_scenario(RAID)
    assert isinstance(loaded, LoadedScenario)
    assert loaded.source_text == RAID.read_text(encoding="utf-8")
    assert loaded.sha256 == hashlib.sha256(RAID.read_bytes()).hexdigest()
    assert loaded.source == str(RAID)


def test_optional_sections_default_to_the_core_defaults() -> None:
    bare = {k: v for k, v in _base().items() if k not in ("operator", "tracker", "threat")}
    params = to_params(ScenarioSpec.model_validate(bare))
    assert params.operator == OperatorParams()
    assert params.tracker == TrackerParams(site_alt_m=bare["site"]["alt_m"])  # site: not a default
    assert params.threat == ThreatParams()


def test_defaulted_dive_angle_is_the_core_default() -> None:
    data = _base()
    del data["targets"][0]["dive_angle_deg"]
    target = parse_scenario(yaml.safe_dump(data)).params.targets[0]
    assert isinstance(target, WaypointTarget)
    (field,) = [f for f in dataclasses.fields(WaypointTarget) if f.name == "dive_angle_rad"]
    assert isinstance(field.default, float)
    assert math.isclose(target.dive_angle_rad, field.default)


def test_docs_name_every_schema_field() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [
        f"{spec.__name__}.{name}"
        for spec in ALL_SPECS
        for name in spec.model_fields
        if f"`{name}`" not in text
    ]
    assert not missing


def test_numbers_written_as_yaml_1_1_strings_are_accepted() -> None:
    data = _base()
    data["radars"][0]["pfa"] = "1e-6"  # PyYAML reads an unquoted 1e-6 as text
    assert parse_scenario(yaml.safe_dump(data)).params.radars[0].pfa == 1e-6


# --- bad input ----------------------------------------------------------------------------------


def _base() -> dict[str, Any]:
    data = yaml.safe_load(RAID.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return copy.deepcopy(data)


def _set(path: str, value: object) -> Mutation:
    """A mutation setting the value at a dotted path (``targets.1.speed_mps``)."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return mutate


def _rename(section: str, index: int, old: str, new: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        item = data[section][index]
        item[new] = item.pop(old)

    return mutate


def _delete(section: str, field: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        del data[section][field]

    return mutate


BAD_CASES: list[tuple[str, Mutation, str, str]] = [
    ("missing field", _delete("site", "lat_deg"), "site.lat_deg", "required field missing"),
    (
        "misspelt field",
        _rename("radars", 0, "scan_period_s", "scan_perid_s"),
        "radars[0].scan_perid_s",
        "unknown field; did you mean 'scan_period_s'?",
    ),
    (
        "wrong unit string",
        _set("targets.1.speed_mps", "50 kt"),
        "targets[1].speed_mps",
        "expected a number in m/s, got '50 kt'",
    ),
    (
        "wrong type",
        _set("targets.0.hostile", "maybe"),
        "targets[0].hostile",
        "expected true or false, got 'maybe'",
    ),
    (
        "boolean for a number",
        _set("zones.0.population", True),
        "zones[0].population",
        "expected a whole number, got true",
    ),
    (
        "unknown effector kind",
        _set("effectors.0.kind", "laser"),
        "effectors[0].kind",
        "unknown effector kind 'laser'; expected one of: gun, ad_gun, interceptor, jammer",
    ),
    (
        "unknown sensor kind",
        _set("radars.0.kind", "lidar"),
        "radars[0].kind",
        "unknown sensor kind 'lidar'; expected one of: radar",
    ),
    (
        "unknown target kind",
        _set("targets.3.kind", "balloon"),
        "targets[3].kind",
        "unknown target kind 'balloon'; expected one of: fixed_wing, multirotor",
    ),
    (
        "lower-case callsign",
        _set("targets.2.callsign", "rch123"),
        "targets[2].callsign",
        "expected a callsign of up to 8 characters A-Z, 0-9 or space, got 'rch123'",
    ),
    (
        "self-intersecting zone",
        _set("zones.1.polygon_m", [[0, 0], [100, 100], [100, 0], [0, 100]]),
        "zones[1].polygon_m",
        "expected a simple polygon (edges that do not cross or touch), got a self-intersection at",
    ),
    (
        "zone with two points",
        _set("zones.0.polygon_m", [[0, 0], [100, 0]]),
        "zones[0].polygon_m",
        "expected at least 3 vertices [east_m, north_m], got 2",
    ),
    (
        "zone with collinear points",
        _set("zones.0.polygon_m", [[0, 0], [100, 0], [200, 0]]),
        "zones[0].polygon_m",
        "expected a polygon with non-zero area",
    ),
    (
        "zone far from the site",
        _set("zones.2.polygon_m", [[0, 0], [60000, 0], [60000, 100]]),
        "zones[2].polygon_m[2]",
        "expected a point within 50 km of the site origin, got one 60.0 km away",
    ),
    (
        "zone vertex with three coordinates",
        _set("zones.0.polygon_m", [[0, 0, 0], [100, 0], [0, 100]]),
        "zones[0].polygon_m[0]",
        "expected [east_m, north_m] in metres, got [0, 0, 0]",
    ),
    (
        "underground start",
        _set("targets.0.waypoints_m.0", [-13000.0, 2500.0, -20.0]),
        "targets[0].waypoints_m[0]",
        "expected the first waypoint at or above the ground (up_m >= 0), got up_m = -20",
    ),
    (
        "underground flock",
        _set("targets.3.centre_m", [3000.0, 3500.0, -1.0]),
        "targets[3].centre_m",
        "expected the flock centre at or above the ground",
    ),
    (
        "negative period",
        _set("radars.0.scan_period_s", -1.0),
        "radars[0].scan_period_s",
        "expected a number in s greater than 0, got -1.0",
    ),
    (
        "pk above one",
        _set("effectors.1.pk.fixed_wing", 1.2),
        "effectors[1].pk.fixed_wing",
        "expected a probability in [0, 1], got 1.2",
    ),
    (
        "unknown threat class in pk",
        _set("effectors.0.pk.drone", 0.5),
        "effectors[0].pk.drone",
        "unknown threat class 'drone'; expected one of: rocket, fixed_wing",
    ),
    (
        "min range above max range",
        _set("effectors.1.min_range_m", 9000.0),
        "effectors[1].max_range_m",
        "expected more than min_range_m (9000 m), got 8000",
    ),
    (
        "duplicate target id",
        _set("targets.2.id", "owa-west"),
        "targets[2].id",
        "expected a unique id, got 'owa-west' again (first used by targets[0])",
    ),
    (
        "bad ICAO address",
        _set("targets.2.adsb_icao", "XYZ"),
        "targets[2].adsb_icao",
        "expected a 24-bit ICAO address as 6 hex digits",
    ),
    (
        "not a finite number",
        _set("duration_s", float("inf")),
        "duration_s",
        "expected a finite number in s, got inf",
    ),
    (
        "target starts after the end",
        _set("targets.1.start_t_s", 500.0),
        "targets[1].start_t_s",
        "expected a time before the end of the run (400 s), got 500",
    ),
    (
        "both reference SNR and Pd",
        _set("radars.0.ref_snr_db", 20.0),
        "radars[0].ref_snr_db",
        "expected exactly one of ref_snr_db (dB) or ref_pd (probability), got both",
    ),
    ("no radar", _set("radars", []), "radars", "expected at least 1 entry, got 0"),
    (
        "section not a mapping",
        _set("site", "al-Asad"),
        "site",
        "expected a mapping of fields, got 'al-Asad'",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "path", "expected"),
    [case[1:] for case in BAD_CASES],
    ids=[case[0] for case in BAD_CASES],
)
def test_bad_scenario_names_file_field_and_expectation(
    tmp_path: Path, mutate: Mutation, path: str, expected: str
) -> None:
    data = _base()
    mutate(data)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(bad)
    err = info.value
    assert err.source == str(bad)
    assert err.path == path
    assert expected in err.detail
    assert str(err).startswith(f"{bad}: {path}: ")
    assert "(line " in err.detail  # the YAML line of the field


def test_error_points_at_the_yaml_line(tmp_path: Path) -> None:
    text = RAID.read_text(encoding="utf-8").replace("scan_period_s", "scan_perid_s", 1)
    line = 1 + text.splitlines().index("    scan_perid_s: 1.0")
    bad = tmp_path / "x.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(bad)
    assert info.value.detail.endswith(f"(line {line})")


def test_several_problems_are_listed_briefly() -> None:
    data = _base()
    for target in data["targets"][:3]:
        target["speed_mps"] = "fast"
    with pytest.raises(ConfigError) as info:
        parse_scenario(yaml.safe_dump(data), source="x.yaml")
    assert info.value.path == "targets[0].speed_mps"
    assert "also targets[1].speed_mps: expected a number in m/s, got 'fast'" in info.value.detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nsite: {name: a, lat_deg: 1\n", "YAML syntax error at line 3, column 1"),
        ("name: x\nseed: 1\nname: y\n", "duplicate field (line 3); first given on line 1"),
        ("", "the file is empty"),
        ("- a\n- b\n", "expected a mapping of scenario fields, got a list"),
    ],
    ids=["malformed", "duplicate key", "empty", "top-level list"],
)
def test_unreadable_yaml(tmp_path: Path, text: str, expected: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(bad)
    assert info.value.source == str(bad)
    assert expected in info.value.detail


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as info:
        load_scenario(missing)
    assert info.value.source == str(missing) and info.value.detail == "file not found"


def test_rocket_aimed_beyond_its_reach() -> None:
    data = yaml.safe_load(ROCKET.read_text(encoding="utf-8"))
    data["targets"][0]["launch_m"] = [9000.0, 0.0, 0.0]
    with pytest.raises(ConfigError) as info:
        parse_scenario(yaml.safe_dump(data), source="r.yaml")
    assert info.value.path == "targets[0].aim_m"
    assert "expected an aim point the rocket can reach (at most 7.0" in info.value.detail
