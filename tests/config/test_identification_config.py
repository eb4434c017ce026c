"""The scenario's `identification` and `remote_id` sections: loaded to the core, mistakes named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bastion.config import load_scenario, parse_scenario
from bastion.core.errors import ConfigError
from bastion.core.identification import IdentificationParams, IdentityRules, SpoofParams
from bastion.core.params import WaypointTarget
from bastion.core.records import Affiliation, ThreatClass

ROOT = Path(__file__).resolve().parents[2]
RETURNING = ROOT / "scenarios" / "returning-friendly.yaml"


def test_returning_friendly_loads_register_plan_and_remote_id() -> None:
    p = load_scenario(RETURNING).params
    ident = p.identification
    assert [d.serial for d in ident.drones] == ["1581F5FKD2280001"]
    (plan,) = ident.flight_plans
    assert plan.threat_class is ThreatClass.FIXED_WING
    assert plan.ident == "1581F5FKD2280001"
    assert plan.windows_s == ((0.0, 600.0),)
    assert plan.corridor_m == ((0.0, 15000.0), (0.0, -400.0))
    assert ident.rules == IdentityRules()
    assert p.remote_id is not None
    assert p.remote_id.period_s == 1.0
    serials = [t.remote_id_serial for t in p.targets if isinstance(t, WaypointTarget)]
    assert serials == ["1581F5FKD2280001", ""]


def test_absent_sections_mean_no_register_and_no_receiver(tmp_path: Path) -> None:
    data = yaml.safe_load(RETURNING.read_text(encoding="utf-8"))
    del data["identification"], data["remote_id"]
    path = tmp_path / "bare.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    p = load_scenario(path).params
    assert p.identification == IdentificationParams()
    assert p.remote_id is None


def test_site_rules_are_read() -> None:
    data = yaml.safe_load(RETURNING.read_text(encoding="utf-8"))
    data["identification"]["rules"] = {"drone_without_id": "suspect", "grace_s": 5.0}
    rules = parse_scenario(yaml.safe_dump(data)).params.identification.rules
    assert rules.drone_without_id is Affiliation.SUSPECT
    assert rules.grace_s == 5.0


def test_spoof_thresholds_are_read_and_default_to_the_core() -> None:
    data = yaml.safe_load(RETURNING.read_text(encoding="utf-8"))
    assert load_scenario(RETURNING).params.identification.spoof == SpoofParams()
    data["identification"]["spoof"] = {"position_gate_m": 150.0, "confirm_reports": 3}
    spoof = parse_scenario(yaml.safe_dump(data)).params.identification.spoof
    assert spoof == SpoofParams(position_gate_m=150.0, confirm_reports=3)


BAD = [
    (("identification", "flight_plans", 0, "windows_s"), [[300.0, 100.0]], "start_s <= end_s"),
    (("identification", "flight_plans", 0, "threat_class"), "bird", "fixed_wing"),
    (("identification", "flight_plans", 0, "half_width_m"), 0.0, "greater than 0"),
    (("identification", "friendly_aircraft"), [{"icao": "XYZ"}], "6 hex digits"),
    (("identification", "friendly_drones"), [{"serial": "has space"}], "without spaces"),
    (("identification", "rules"), {"drone_without_id": "shoot"}, "hostile"),
    (("identification", "spoof"), {"confirm_reports": 0}, "whole number at least 1"),
    (("identification", "spoof"), {"position_gate": 100.0}, "did you mean 'position_gate_m'"),
    (("identification", "flight_plan"), [], "did you mean 'flight_plans'"),
    (("targets", 0, "remote_id_serial"), "x" * 21, "up to 20 printable characters"),
]


@pytest.mark.parametrize(("where", "value", "expected"), BAD, ids=[str(b[0][-1]) for b in BAD])
def test_mistakes_are_named(
    tmp_path: Path, where: tuple[str | int, ...], value: object, expected: str
) -> None:
    data = yaml.safe_load(RETURNING.read_text(encoding="utf-8"))
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_scenario(path)
    assert expected in str(info.value), str(info.value)
    assert "identification" in str(info.value) or "targets" in str(info.value)
