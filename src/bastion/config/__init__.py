"""Scenario configuration: the YAML edge that produces the core's frozen parameter objects.

    load_scenario(path) -> LoadedScenario(params, source_text, sha256, seed, description)

Any problem in the file raises `bastion.core.errors.ConfigError` naming the file, the field path and
what was expected; a valid file whose settings will not do what it needs loads with a
`ScenarioWarning` saying what to set. The schema is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

from bastion.config.loader import LoadedScenario, load_scenario, parse_scenario
from bastion.config.messages import ScenarioWarning
from bastion.config.schema import ScenarioSpec

__all__ = ["LoadedScenario", "ScenarioSpec", "ScenarioWarning", "load_scenario", "parse_scenario"]
