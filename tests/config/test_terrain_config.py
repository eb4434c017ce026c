"""Scenario terrain grids: loaded into the core's parameters, refused when they do not cover the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.config import parse_scenario
from bastion.core.errors import ConfigError

ROCKET = (Path(__file__).resolve().parents[2] / "scenarios" / "compound-rocket.yaml").read_text()


def _with_terrain(block: str) -> str:
    return ROCKET + "\nterrain:\n" + block


def test_a_covering_grid_loads() -> None:
    text = _with_terrain(
        "  name: srtm-iz\n  origin_m: [-1000.0, -1000.0]\n  spacing_m: 1000.0\n"
        "  heights_m: [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]\n"
    )
    terrain = parse_scenario(text, source="x.yaml").params.terrain
    assert terrain is not None and terrain.name == "srtm-iz"
    assert terrain.heights_m[2] == (2.0, 4.0, 6.0) and terrain.spacing_m == 1000.0


def test_a_grid_that_misses_the_site_is_refused_by_name() -> None:
    text = _with_terrain(
        "  name: srtm-wrong-tile\n  origin_m: [5000.0, 5000.0]\n  spacing_m: 100.0\n"
        "  heights_m: [[0.0, 0.0], [0.0, 0.0]]\n"
    )
    with pytest.raises(
        ConfigError, match=r"terrain grid 'srtm-wrong-tile' does not cover the site"
    ):
        parse_scenario(text, source="x.yaml")


def test_a_ragged_grid_is_refused() -> None:
    text = _with_terrain(
        "  name: ragged\n  origin_m: [-5000.0, -5000.0]\n  spacing_m: 5000.0\n"
        "  heights_m: [[0.0, 0.0, 0.0], [0.0, 0.0]]\n"
    )
    with pytest.raises(ConfigError, match="terrain grid 'ragged': expected at least 2 rows"):
        parse_scenario(text, source="x.yaml")
