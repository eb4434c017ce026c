"""`bastion run`, `bastion report` and `bastion version`."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bastion import __version__
from bastion.cli.app import STRICT_HELP, advisories, app, console, fail
from bastion.cli.summary import print_summary
from bastion.codecs.timebase import RunEpoch
from bastion.config import load_scenario
from bastion.core.errors import BastionError, StoreError
from bastion.report import render_report
from bastion.runtime import RunResult, RunSummary, run_scenario, summarise
from bastion.runtime.runner import load_truth
from bastion.service.files import write_emitted
from bastion.store import EventStore


def summarise_result(result: RunResult) -> RunSummary:
    """Summary of a finished run."""
    w = result.world
    n = len(w.names)
    return summarise(
        result.events,
        result.scoring,
        names=w.names,
        kinds=[str(k) for k in w.kinds],
        hostile=w.hostile,
        impact_t_s=[w.impact_t_s(k, planned=True) for k in range(n)],
        impact_m=np.array([w.impact_point_m(k, planned=True) for k in range(n)]).reshape(n, 3),
        launch_t_s=[w.start_t_s(k) for k in range(n)],
        launch_m=np.array([w.state_at(w.start_t_s(k))[0][k] for k in range(n)]).reshape(n, 3),
    )


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/scenarios.md).")],
    seed: Annotated[
        int | None, typer.Option(help="Root random seed; default: the scenario's.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Run directory; default: runs/<scenario name>.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the run directory if it exists.")] = False,
    emit_cot: Annotated[
        Path | None, typer.Option(help="Also write the CoT events here (concatenated XML).")
    ] = None,
    emit_asterix: Annotated[
        Path | None, typer.Option(help="Also write the CAT062 tracks here (ASTERIX blocks).")
    ] = None,
    strict: Annotated[bool, typer.Option(help=STRICT_HELP)] = False,
) -> None:
    """Run a simulated scenario through the whole chain and print what happened.

    Writes the run directory: bastion.sqlite (every event), events.jsonl (byte-stable event log),
    scenario.yaml, truth.npz and report.html. The same scenario and seed give the same event log.
    """
    try:
        with advisories(strict):
            loaded = load_scenario(scenario)
        out_dir = out if out is not None else Path("runs") / scenario.stem
        shown_seed = seed if seed is not None else loaded.seed
        console.print(f"[bold]Bastion {__version__}[/]: {loaded.params.name}, seed {shown_seed}")
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} s simulated"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("running scenario", total=loaded.params.duration_s)

            def tick(t_s: float, _total: float) -> None:
                progress.update(task, completed=t_s)

            result = run_scenario(loaded, out_dir, seed=seed, force=force, on_progress=tick)
            progress.update(task, completed=loaded.params.duration_s)
        if emit_cot is not None or emit_asterix is not None:
            epoch = RunEpoch(utc_at_zero_s=float(int(time.time())))  # the run "happens" now
            write_emitted(
                result.events, loaded.params, epoch, cot_path=emit_cot, asterix_path=emit_asterix
            )
    except BastionError as exc:
        raise fail(str(exc)) from None
    print_summary(result, summarise_result(result))


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `bastion run`.")],
) -> None:
    """Rebuild report.html of a run directory from its event store, scenario and truth."""
    try:
        if not (run_dir / "bastion.sqlite").exists():
            raise StoreError(f"{run_dir} is not a Bastion run directory (no bastion.sqlite)")
        loaded = load_scenario(run_dir / "scenario.yaml")
        with EventStore.open(run_dir / "bastion.sqlite") as store:
            events = store.events()
            info = store.run_info()
        truth = load_truth(run_dir / "truth.npz") if (run_dir / "truth.npz").exists() else None
        path = render_report(
            run_dir, loaded.params, events, truth, title=f"Bastion run: {info.scenario_name}"
        )
    except BastionError as exc:
        raise fail(str(exc)) from None
    console.print(f"{len(events)} events, seed {info.seed}, Bastion {info.bastion_version}")
    console.print(f"[bold]Report:[/] {path}")


@app.command()
def version() -> None:
    """Print Bastion's version."""
    console.print(__version__)
