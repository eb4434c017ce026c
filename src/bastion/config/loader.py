"""Read a scenario YAML file into the core's frozen parameter objects.

`load_scenario(path)` reads the file, parses the YAML (rejecting duplicate keys, which PyYAML would
silently resolve to the last one), validates it against `bastion.config.schema` and the cross-field
rules of `bastion.config.checks`, and converts it: degrees become radians, positions site ENU metres
tuples, the radar's reference Pd (if given) a reference SNR. Any problem raises one `ConfigError`
naming the file, the field path and the YAML line; nothing else escapes. An advisory
(`checks.advise_scenario`: valid settings that will not do what the scenario needs) is issued as a
`ScenarioWarning` with the same file, field and line, and the scenario loads.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from pydantic import ValidationError

from bastion.config.checks import advise_scenario, check_scenario
from bastion.config.identification import identification_params, remote_id_params
from bastion.config.messages import (
    Issue,
    Loc,
    config_error,
    config_warning,
    format_loc,
    issues_from_validation,
)
from bastion.config.schema import (
    AircraftSpec,
    BirdFlockSpec,
    FixedWingSpec,
    MultirotorSpec,
    RadarSpec,
    RocketSpec,
    ScenarioSpec,
    TargetSpec,
)
from bastion.config.schema_stages import TrackerSpec
from bastion.config.terrain import terrain_params
from bastion.core.engage_params import (
    EffectorKind,
    EffectorParams,
    EngageParams,
    NoFireZoneParams,
    OperatorParams,
    RoeSectorParams,
    WeaponsState,
    WtaSolver,
)
from bastion.core.errors import ConfigError
from bastion.core.geo import Site
from bastion.core.params import (
    AdsbReceiverParams,
    BirdFlock,
    ImmModelParams,
    RadarParams,
    RocketTarget,
    ScenarioParams,
    Target,
    TargetKind,
    ThreatParams,
    TrackerParams,
    WaypointTarget,
    ZoneParams,
)
from bastion.engage.effectors import validate_effector

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadedScenario:
    """A validated scenario: its parameters, the exact file text and the SHA-256 of the file's bytes,
    the scenario's default root seed, its free-text description and where it came from (`source`,
    the path as given, for messages)."""

    params: ScenarioParams
    source_text: str
    sha256: str
    seed: int
    description: str = ""
    source: str = ""


def load_scenario(path: Path | str) -> LoadedScenario:
    """Load and validate the scenario file at `path`; raise `ConfigError` on any problem."""
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", source=source) from None
    except IsADirectoryError:
        raise ConfigError("expected a scenario file, got a directory", source=source) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file: {exc.strerror}", source=source) from None
    return parse_scenario(data, source=source)


def parse_scenario(data: bytes | str, *, source: str = "<string>") -> LoadedScenario:
    """Validate scenario YAML given as bytes or text; `source` names it in error messages."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"expected UTF-8 text, got an undecodable byte at offset {exc.start}", source=source
        ) from None
    root, tree = _read_yaml(text, source)
    if not isinstance(tree, dict):
        kind = "a list" if isinstance(tree, list) else repr(tree)
        raise ConfigError(f"expected a mapping of scenario fields, got {kind}", source=source)
    try:
        spec = ScenarioSpec.model_validate(tree)
    except ValidationError as exc:
        raise config_error(issues_from_validation(exc, tree), root, source) from None
    issues = [Issue(loc=loc, message=msg) for loc, msg in check_scenario(spec)]
    if issues:
        raise config_error(issues, root, source)
    params = to_params(spec)
    issues = [
        Issue(loc=("effectors", i), message=f"impossible effector: {why}")
        for i, eff in enumerate(params.effectors)
        for why in validate_effector(eff)
    ]
    if issues:
        raise config_error(issues, root, source)
    for loc, msg in advise_scenario(spec):
        config_warning(Issue(loc=loc, message=msg), root, source)
    return LoadedScenario(
        params=params,
        source_text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        seed=spec.seed,
        description=spec.description,
        source=source,
    )


def _read_yaml(text: str, source: str) -> tuple[yaml.Node, object]:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise ConfigError("the file is empty; expected a scenario mapping", source=source)
        _reject_duplicates(root, (), source, set())
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = "; ".join(p for p in (exc.context, exc.problem) if p)
        raise ConfigError(f"YAML syntax error{where}: {what}", source=source) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", source=source) from None
    finally:
        loader.dispose()


def _reject_duplicates(node: yaml.Node, loc: Loc, source: str, seen: set[int]) -> None:
    if id(node) in seen:  # an alias to a node already walked
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            name = str(getattr(key, "value", ""))
            if key.tag == _MERGE_TAG:
                continue
            if isinstance(key, yaml.ScalarNode) and name in first:
                where = format_loc((*loc, name))
                raise ConfigError(
                    f"duplicate field (line {key.start_mark.line + 1}); "
                    f"first given on line {first[name]}",
                    source=source,
                    path=where,
                )
            first[name] = key.start_mark.line + 1
            _reject_duplicates(value, (*loc, name), source, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _reject_duplicates(item, (*loc, i), source, seen)


def to_params(spec: ScenarioSpec) -> ScenarioParams:
    """Convert a validated scenario to the core's parameter objects (degrees to radians)."""
    op, tr, th = spec.operator, spec.tracker, spec.threat
    return ScenarioParams(
        name=spec.name,
        site=Site(
            name=spec.site.name,
            lat_rad=math.radians(spec.site.lat_deg),
            lon_rad=math.radians(spec.site.lon_deg),
            alt_m=spec.site.alt_m,
        ),
        duration_s=spec.duration_s,
        radars=tuple(_radar(r) for r in spec.radars),
        targets=tuple(_target(t) for t in spec.targets),
        zones=tuple(
            ZoneParams(
                name=z.name, polygon_m=tuple(z.polygon_m), population=z.population, value=z.value
            )
            for z in spec.zones
        ),
        effectors=tuple(
            EffectorParams(
                name=e.name,
                kind=EffectorKind(e.kind),
                position_m=e.position_m,
                min_range_m=e.min_range_m,
                max_range_m=e.max_range_m,
                max_alt_m=e.max_alt_m,
                reaction_s=e.reaction_s,
                projectile_speed_mps=e.projectile_speed_mps,
                pk=dict(e.pk),
                magazine=e.magazine,
                min_alt_m=e.min_alt_m,
                sector_from_rad=math.radians(e.sector_from_deg % 360.0),
                sector_width_rad=_sweep_rad(e.sector_from_deg, e.sector_to_deg),
                slew_rate_radps=(
                    math.radians(e.slew_rate_degps) if e.slew_rate_degps is not None else math.inf
                ),
                effect_delay_s=e.effect_delay_s,
                channels=e.channels,
                reloads=e.reloads,
                reload_s=e.reload_s,
                cost_per_shot_usd=e.cost_per_shot_usd,
                debris_radius_m=e.debris_radius_m,
                miss_range_m=e.miss_range_m,
                weapons_state=WeaponsState(e.weapons_state),
            )
            for e in spec.effectors
        ),
        no_fire_zones=tuple(
            NoFireZoneParams(name=z.name, polygon_m=tuple(z.polygon_m)) for z in spec.no_fire_zones
        ),
        roe_sectors=tuple(
            RoeSectorParams(
                name=s.name,
                state=WeaponsState(s.state),
                az_from_rad=math.radians(s.az_from_deg % 360.0),
                az_width_rad=_sweep_rad(s.az_from_deg, s.az_to_deg),
                min_range_m=s.min_range_m,
                max_range_m=s.max_range_m if s.max_range_m is not None else math.inf,
                effectors=tuple(s.effectors),
            )
            for s in spec.roe_sectors
        ),
        engage=EngageParams(
            solver=WtaSolver(spec.engage.solver),
            max_shooters=spec.engage.max_shooters,
            decision_allowance_s=spec.engage.decision_allowance_s,
            jam_look_s=spec.engage.jam_look_s,
            asset_buffer_m=spec.engage.asset_buffer_m,
            path_step_s=spec.engage.path_step_s,
        ),
        adsb=(
            AdsbReceiverParams(
                period_s=spec.adsb.period_s, sigma_position_m=spec.adsb.sigma_position_m
            )
            if spec.adsb is not None
            else None
        ),
        operator=OperatorParams(
            name=op.name,
            role=op.role,
            delay_median_s=op.delay_median_s,
            delay_sigma=op.delay_sigma,
            approve_probability=op.approve_probability,
        ),
        tracker=_tracker(tr, spec.site.alt_m),
        threat=ThreatParams(**th.model_dump()),
        terrain=terrain_params(spec.terrain),
        identification=identification_params(spec.identification),
        remote_id=remote_id_params(spec.remote_id),
    )


def _tracker(tr: TrackerSpec, site_alt_m: float) -> TrackerParams:
    """Tracker settings; each IMM model entry keeps the parameters it gives, by name."""
    fields = tr.model_dump(exclude={"imm_models"})
    models = tuple(
        ImmModelParams(
            kind=m.kind,
            sojourn_s=m.sojourn_s,
            weight=m.weight,
            settings=tuple(
                m.model_dump(exclude={"kind", "sojourn_s", "weight"}, exclude_none=True).items()
            ),
        )
        for m in tr.imm_models or ()
    )
    return TrackerParams(**fields, imm_models=models, site_alt_m=site_alt_m)


def _sweep_rad(from_deg: float, to_deg: float) -> float:
    """Clockwise sweep (rad) from one bearing to another; equal bearings (0 and 360) sweep all round."""
    sweep = (to_deg - from_deg) % 360.0
    return math.radians(sweep if sweep > 0.0 else 360.0)


def ref_snr_db(radar: RadarSpec) -> float:
    """The radar's reference SNR (dB): given, or solved from Pd = Pfa^(1 / (1 + SNR)) (Swerling I)."""
    if radar.ref_snr_db is not None:
        return radar.ref_snr_db
    assert radar.ref_pd is not None  # the checks require exactly one of the two
    snr = math.log(radar.pfa) / math.log(radar.ref_pd) - 1.0
    return 10.0 * math.log10(snr)


def _radar(r: RadarSpec) -> RadarParams:
    return RadarParams(
        sensor_id=r.id,
        position_m=r.position_m,
        scan_period_s=r.scan_period_s,
        min_range_m=r.min_range_m,
        max_range_m=r.max_range_m,
        min_el_rad=math.radians(r.min_el_deg),
        max_el_rad=math.radians(r.max_el_deg),
        sigma_range_m=r.sigma_range_m,
        sigma_az_rad=math.radians(r.sigma_az_deg),
        sigma_el_rad=math.radians(r.sigma_el_deg),
        sigma_range_rate_mps=r.sigma_range_rate_mps,
        ref_range_m=r.ref_range_m,
        ref_rcs_m2=r.ref_rcs_m2,
        ref_snr_db=ref_snr_db(r),
        pfa=r.pfa,
        clutter_per_scan=r.clutter_per_scan,
        micro_doppler_gain_db=r.micro_doppler_gain_db,
    )


def _target(t: TargetSpec) -> Target:
    if isinstance(t, RocketSpec):
        return RocketTarget(
            target_id=t.id,
            launch_m=t.launch_m,
            aim_m=t.aim_m,
            launch_t_s=t.launch_t_s,
            speed_mps=t.speed_mps,
            mass_kg=t.mass_kg,
            diameter_m=t.diameter_m,
            drag_coefficient=t.drag_coefficient,
            rcs_m2=t.rcs_m2,
            high_angle=t.high_angle,
        )
    if isinstance(t, BirdFlockSpec):
        return BirdFlock(
            target_id=t.id,
            centre_m=t.centre_m,
            count=t.count,
            radius_m=t.radius_m,
            speed_mps=t.speed_mps,
            rcs_m2=t.rcs_m2,
            start_t_s=t.start_t_s,
        )
    return _waypoint_target(t)


def _waypoint_target(t: FixedWingSpec | MultirotorSpec | AircraftSpec) -> WaypointTarget:
    target = WaypointTarget(
        target_id=t.id,
        kind=TargetKind(t.kind),
        hostile=t.hostile,
        start_t_s=t.start_t_s,
        waypoints_m=tuple(t.waypoints_m),
        speed_mps=t.speed_mps,
        rcs_m2=t.rcs_m2,
        adsb_icao=t.adsb_icao,
        callsign=t.callsign,
        remote_id_serial=t.remote_id_serial,
    )
    if isinstance(t, FixedWingSpec):
        return replace(target, dive_angle_rad=math.radians(t.dive_angle_deg))
    if isinstance(t, MultirotorSpec):
        return replace(target, hover_s=t.hover_s)
    return target
