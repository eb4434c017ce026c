"""`bastion eval engage`: seeded salvos against a layout, the assignment's speed, and fratricide."""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import scipy
import typer
from rich.table import Table

from bastion import __version__
from bastion.cli.app import console, eval_app, fail
from bastion.config import load_scenario
from bastion.core.errors import BastionError
from bastion.evals.engage import evaluate

DEFAULT_LAYOUT = Path("scenarios/al-asad-layered.yaml")

_MEANING = {
    "leak_rate": "threats that reached the ground / all threats",
    "rounds_used": "shots fired per salvo",
    "cost_exchange": "defender's shot cost / assumed cost of the threats defeated",
    "expected_leakers_optimal": "static salvo plan, optimal solver, per salvo",
    "expected_leakers_greedy": "static salvo plan, greedy solver, per salvo",
    "expected_value_lost_optimal": "same plan, threats weighted by zone value",
    "expected_value_lost_greedy": "same plan, greedy",
    "optimal_never_worse": "optimal <= greedy on every salvo (both objectives)",
    "assign_ms_100x10": "ms, optimal per-look assignment, 100 threats x 10 effectors",
    "windows_ms_100x10": "ms, the 100 x 10 engagement windows it needs",
    "assign_ms_100x10_general": "ms, optimal with two shooters per threat (MILP)",
    "friendly_engagements": "salvos + Monte Carlo runs with friendly traffic",
    "unauthorised_engagements": "engagements without a recorded approval",
}
_SHOWN = (
    "salvos",
    "leak_rate",
    "rounds_used",
    "cost_exchange",
    "defender_cost_usd",
    "defeated_threat_cost_usd",
    "expected_leakers_optimal",
    "expected_leakers_greedy",
    "expected_value_lost_optimal",
    "expected_value_lost_greedy",
    "optimal_never_worse",
    "salvos_optimal_strictly_better",
    "assign_ms_100x10",
    "windows_ms_100x10",
    "assign_ms_100x10_general",
    "friendly_engagements",
    "unauthorised_engagements",
)


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def markdown(result: dict[str, Any], command: str, layout: Path) -> str:
    """The results file: machine, command, date, the figures and the Monte Carlo totals."""
    mc = result["friendly_mc"]
    lines = [
        "# Engagement evaluation",
        "",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- command: `{command}`",
        f"- machine: {platform.platform()}; {platform.processor() or platform.machine()}; "
        f"{os.cpu_count()} cores; Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}; Bastion {__version__}; load average at the end "
        + "/".join(f"{v:.1f}" for v in os.getloadavg())
        + " (timings are wall-clock and move with the load)",
        f"- layout: `{layout}`; {result['salvos']} salvos of 20 drones and 10 rockets plus friendly "
        f"traffic, seed {result['seed']}",
        "",
        "| figure | value | meaning |",
        "|---|---:|---|",
    ]
    lines += [f"| `{k}` | {_fmt(result[k])} | {_MEANING.get(k, '')} |" for k in _SHOWN]
    lines += [
        "",
        "Leak rate by class: "
        + ", ".join(f"{k} {v:.3f}" for k, v in result["leak_rate_by_class"].items())
        + ".",
        "",
        f"Fratricide Monte Carlo: {mc['runs']} randomised runs, {mc['tracks']} tracks of which "
        f"{mc['friendly_tracks']} friendly traffic, {mc['requests']} requests, "
        f"{mc['engagements']} engagements, {mc['rejected_decisions']} forged or mistaken decisions "
        f"refused; friendly engagements {mc['friendly_engagements']}, ROE violations "
        f"{mc['roe_violations']}, unauthorised engagements {mc['unauthorised_engagements']}.",
        "",
    ]
    return "\n".join(lines)


@eval_app.command("engage")
def engage_cmd(
    salvos: Annotated[int, typer.Option(min=1, help="Salvos to fire.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Root seed (same seed, same result).")] = 1,
    layout: Annotated[
        Path, typer.Option(help="Scenario whose site, zones, effectors and rules are the layout.")
    ] = DEFAULT_LAYOUT,
    friendly_runs: Annotated[
        int, typer.Option(min=0, help="Randomised fratricide runs with friendly traffic.")
    ] = 1000,
    workers: Annotated[int, typer.Option(min=1, help="Processes to fly salvos in.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    markdown_path: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the results as Markdown here.")
    ] = None,
) -> None:
    """Fire seeded salvos of 20 drones and 10 rockets at the layout through the engagement stage;
    time the 100 x 10 assignment; count friendly and unauthorised engagements."""
    try:
        loaded = load_scenario(layout)
        if not loaded.params.effectors or not loaded.params.zones:
            raise BastionError(f"{layout}: the layout needs effectors and zones")
        result = evaluate(loaded.params, salvos, seed, friendly_runs=friendly_runs, workers=workers)
    except BastionError as exc:
        raise fail(str(exc)) from None
    result.pop("per_salvo")
    if markdown_path is not None:
        command = "bastion " + shlex.join(["eval", "engage", *sys.argv[3:]])
        markdown_path.write_text(markdown(result, command, layout), encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    table = Table(title=f"Engagement: {salvos} salvos at {loaded.params.name}, seed {seed}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("meaning")
    for key in _SHOWN:
        table.add_row(key, _fmt(result[key]), _MEANING.get(key, ""))
    console.print(table)
