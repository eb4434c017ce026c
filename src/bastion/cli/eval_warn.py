"""`bastion eval warn`: seeded rockets and mortars against the evaluation base (sense and warn)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from bastion.cli.app import console, eval_app, fail
from bastion.core.errors import BastionError
from bastion.evals.warn import evaluate

_UNITS = {
    "warning_time_ratio_median": "warning time / (impact - first detection), median",
    "zone_recall": "zones at risk that were warned",
    "zone_precision": "zones warned that were at risk",
    "impact_cep_m": "m, 107 mm at 5-7 km, 5 s after first detection",
    "origin_cep_m": "m, every round",
    "alert_latency_p99_ms": "ms, detection in to alert out, with other tracks",
}


@eval_app.command("warn")
def warn_cmd(
    shots: Annotated[int, typer.Option(min=1, help="Rounds to fire.")] = 500,
    seed: Annotated[
        int, typer.Option(min=0, help="Root seed (the same seed, the same result).")
    ] = 1,
    workers: Annotated[int, typer.Option(min=1, help="Processes to simulate in.")] = 2,
    latency_groups: Annotated[
        int, typer.Option(min=0, help="Extra groups of rounds fired among --other-tracks objects.")
    ] = 2,
    other_tracks: Annotated[
        int, typer.Option(min=0, help="Other objects tracked during the latency groups.")
    ] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Fire seeded rockets and mortars (107/122 mm, 60/81/120 mm) at the evaluation base and score
    the warnings, impact and origin estimates and the alert latency against the truth."""
    try:
        result = evaluate(
            shots, seed, latency_groups=latency_groups, other_tracks=other_tracks, workers=workers
        )
    except BastionError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    table = Table(title=f"Sense and warn: {result['shots']} rounds, seed {seed}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("meaning")
    for key, value in result.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        table.add_row(key, shown, _UNITS.get(key, ""))
    console.print(table)
