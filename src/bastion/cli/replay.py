"""`bastion replay LOG`: a capture log fed back through the live core, giving the same events."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bastion.cli.app import app, console, fail
from bastion.core.errors import BastionError
from bastion.service import replay_capture


@app.command()
def replay(
    log: Annotated[Path, typer.Argument(help="A capture log (capture.bcap of a serve run).")],
    speed: Annotated[
        float, typer.Option(help="Times faster than recorded; 0 as fast as possible.", min=0.0)
    ] = 0.0,
    out: Annotated[
        Path | None, typer.Option(help="Run directory for the replay's store and event log.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the run directory if it exists.")] = False,
) -> None:
    """Replay every recorded input at its arrival time (scaled by --speed) through the live core.

    The replay's events.jsonl is byte-identical to the live run's (same Bastion version).
    """
    try:
        result = replay_capture(log, speed=speed, out_dir=out, force=force)
    except BastionError as exc:
        raise fail(str(exc)) from None
    console.print(f"{result.inputs} inputs replayed, {len(result.events)} events")
    if result.truncated:
        console.print("[yellow]the log ends inside a record (the run did not stop cleanly)[/]")
    if out is not None:
        console.print(f"[bold]Event log:[/] {out / 'events.jsonl'}")
