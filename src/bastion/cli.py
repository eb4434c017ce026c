"""The `bastion` command line: run a scenario, (re)build a run's report.

Bad input (a scenario with a mistake, an existing run directory) ends with exit code 2 and one message
naming the file, the field and what was expected; never a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bastion import __version__
from bastion.config import load_scenario
from bastion.core.errors import BastionError, ConfigError, StoreError
from bastion.report import render_report
from bastion.runtime import RunResult, RunSummary, run_scenario, summarise
from bastion.runtime.runner import load_truth
from bastion.store import EventStore

app = typer.Typer(
    help=(
        "Bastion: open-source base air defence. Senses, tracks, identifies, warns and models "
        "engagements under human control, on simulated scenarios (all effectors are models)."
    ),
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
if not console.is_terminal:  # a log file or a pipe: wide enough for the summary tables
    console = Console(width=110)
err_console = Console(stderr=True, width=None if Console(stderr=True).is_terminal else 110)


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _fmt_t(t: float) -> str:
    return "-" if not math.isfinite(t) else f"{t:.0f}"


def print_summary(result: RunResult, summary: RunSummary) -> None:
    """The terminal summary of a run: objects, alerts, engagements, leakers, GOSPA, paths."""
    by_class = Table(title="Identified as", title_justify="left")
    by_class.add_column("class")
    by_class.add_column("objects", justify="right")
    for cls, n in summary.classes.items():
        by_class.add_row(cls, str(n))
    console.print(by_class)

    obj = Table(title="Objects (times in s from the start)", title_justify="left")
    for col in ("object", "truth", "identified", "detected", "confirmed", "lead", "fate"):
        obj.add_column(col, justify="right" if col in ("detected", "confirmed", "lead") else "left")
    for ob in summary.objects:
        obj.add_row(
            ob.name,
            f"{'hostile ' if ob.hostile else ''}{ob.kind}",
            f"{ob.identified_class} / {ob.affiliation}",
            _fmt_t(ob.first_detection_t_s),
            _fmt_t(ob.confirmed_t_s)
            + (f" (+{ob.confirm_delay_s:.0f})" if ob.confirm_delay_s >= 0 else ""),
            _fmt_t(ob.lead_s),
            ob.fate,
        )
    console.print(obj)
    console.print("  lead: seconds from confirmed track to the planned impact", style="dim")

    alerts = Table(title="Alerts", title_justify="left")
    for col in ("zone", "object", "raised", "warning"):
        alerts.add_column(col, justify="right" if col in ("raised", "warning") else "left")
    for ob in summary.objects:
        for a in ob.alerts:
            alerts.add_row(a.zone, ob.name, f"{a.raised_t_s:.0f}", f"{a.warning_s:.0f} s")
    console.print(alerts if alerts.row_count else "[bold]Alerts:[/] none")

    engs = Table(
        title="Engagements (models only; each needs a recorded human decision)",
        title_justify="left",
    )
    for col in ("req", "object", "effector", "requested", "decision", "outcome"):
        engs.add_column(col, justify="right" if col in ("req", "requested") else "left")
    for ob in summary.objects:
        for e in ob.engagements:
            who = f" by {e.operator} after {e.decided_after_s:.1f} s" if e.operator else ""
            engs.add_row(
                str(e.request_id),
                ob.name,
                e.effector,
                f"{e.requested_t_s:.0f}",
                e.decision + who,
                e.outcome,
            )
    console.print(engs if engs.row_count else "[bold]Engagements:[/] none")
    for ob in summary.objects:
        if math.isfinite(ob.impact_error_m):
            console.print(
                f"[bold]Impact prediction[/] for {ob.name} at half its flight time: "
                f"{ob.impact_error_m:.0f} m from the true impact point"
            )

    loc, miss, false = summary.gospa_parts_m
    console.print(f"[bold]Leakers:[/] {', '.join(summary.leakers) or 'none'}")
    console.print(f"[bold]Friendly objects engaged:[/] {summary.friendly_engagements}")
    console.print(
        f"[bold]GOSPA[/] (c = 100 m, p = 1, alpha = 2), mean over scans: {summary.mean_gospa_m:.1f} m "
        f"(localisation {loc:.1f}, missed {miss:.1f}, false {false:.1f})"
    )
    console.print(f"[bold]Report:[/] {result.report_path}")
    console.print(f"[bold]Database:[/] {result.db_path}")
    console.print(f"[bold]Event log:[/] {result.events_path}")


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
) -> None:
    """Run a simulated scenario through the whole chain and print what happened.

    Writes the run directory: bastion.sqlite (every event), events.jsonl (byte-stable event log),
    scenario.yaml, truth.npz and report.html. The same scenario and seed give the same event log.
    """
    try:
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
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    except BastionError as exc:
        raise _fail(str(exc)) from None
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
        raise _fail(str(exc)) from None
    console.print(f"{len(events)} events, seed {info.seed}, Bastion {info.bastion_version}")
    console.print(f"[bold]Report:[/] {path}")


@app.command()
def version() -> None:
    """Print Bastion's version."""
    console.print(__version__)
