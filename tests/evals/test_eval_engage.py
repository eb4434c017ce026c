"""`bastion eval engage`: salvos, the static plan, the fratricide Monte Carlo and the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from bastion.cli import app
from bastion.config import load_scenario
from bastion.core.params import RocketTarget, ScenarioParams, WaypointTarget
from bastion.evals.engage import evaluate
from bastion.evals.engage_friendly import friendly_monte_carlo
from bastion.evals.engage_salvo import draw_salvo

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ROOT / "scenarios" / "al-asad-layered.yaml"


@pytest.fixture(scope="module")
def layout() -> ScenarioParams:
    return load_scenario(LAYOUT).params


@pytest.fixture(scope="module")
def three_salvos(layout: ScenarioParams) -> dict[str, object]:
    return evaluate(layout, 3, seed=1, friendly_runs=20, workers=1)


def test_a_salvo_is_20_drones_and_10_rockets_aimed_into_zones(layout: ScenarioParams) -> None:
    targets = draw_salvo(layout, np.random.default_rng(4))
    again = draw_salvo(layout, np.random.default_rng(4))
    assert targets == again
    drones = [t for t in targets if isinstance(t, WaypointTarget) and t.hostile]
    rockets = [t for t in targets if isinstance(t, RocketTarget)]
    friends = [t for t in targets if isinstance(t, WaypointTarget) and not t.hostile]
    assert len(drones) == 20 and len(rockets) == 10 and len(friends) == 2
    zones = [shapely.Polygon(z.polygon_m) for z in layout.zones]
    aims = [t.waypoints_m[-1][:2] for t in drones] + [t.aim_m[:2] for t in rockets]
    for e, n in aims:
        assert any(z.contains(shapely.Point(e, n)) for z in zones)


def test_salvos_never_engage_friends_and_optimal_never_worse(
    three_salvos: dict[str, object],
) -> None:
    r = three_salvos
    assert r["optimal_never_worse"] is True
    assert r["friendly_engagements"] == 0 and r["unauthorised_engagements"] == 0
    per = r["per_salvo"]
    assert isinstance(per, list) and len(per) == 3
    for s in per:
        assert s["expected_leakers_optimal"] <= s["expected_leakers_greedy"] + 1e-9
        assert s["expected_value_lost_optimal"] <= s["expected_value_lost_greedy"] + 1e-9
    # The layered defence stops most drones; rockets mostly get through (see docs/engagement.md).
    assert 0.2 < float(r["leak_rate"]) < 0.6  # type: ignore[arg-type]
    assert 15.0 < float(r["rounds_used"]) < 60.0  # type: ignore[arg-type]
    assert math.isfinite(float(r["cost_exchange"]))  # type: ignore[arg-type]
    assert r["threats_100x10"] == 100.0 and float(r["feasible_pairs_100x10"]) > 200  # type: ignore[arg-type]


def test_same_seed_same_figures(layout: ScenarioParams, three_salvos: dict[str, object]) -> None:
    again = evaluate(layout, 3, seed=1, friendly_runs=20, workers=2)
    for key in (
        "leak_rate",
        "rounds_used",
        "cost_exchange",
        "expected_leakers_optimal",
        "friendly_mc",
    ):
        assert again[key] == three_salvos[key], key


def test_fratricide_monte_carlo_1000_runs_with_friendly_traffic(layout: ScenarioParams) -> None:
    mc = friendly_monte_carlo(layout, 1000, seed=1)
    assert mc.runs == 1000 and mc.friendly_tracks > 2000
    # The runs do engage (so the zero below is not for want of shots) and refuse forged decisions.
    assert mc.engagements > 500 and mc.rejected_decisions > 1000
    assert mc.friendly_engagements == 0
    assert mc.roe_violations == 0
    assert mc.unauthorised_engagements == 0


def test_command_line_json_and_markdown(tmp_path: Path) -> None:
    md = tmp_path / "engage.md"
    args = ["eval", "engage", "--salvos", "1", "--friendly-runs", "5", "--workers", "1"]
    res = CliRunner().invoke(app, [*args, "--layout", str(LAYOUT), "--json", "--markdown", str(md)])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    for key in (
        "leak_rate",
        "rounds_used",
        "cost_exchange",
        "expected_leakers_optimal",
        "expected_leakers_greedy",
        "assign_ms_100x10",
        "friendly_engagements",
    ):
        assert key in out
    text = md.read_text(encoding="utf-8")
    assert "- machine:" in text and "- command: `bastion eval engage" in text and "- date:" in text


def test_command_line_bad_layout_exits_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["eval", "engage", "--layout", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "file not found" in res.output
