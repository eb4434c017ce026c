"""`bastion simulate SCENARIO --emit --config CONFIG`: the simulator's radars as live feeds."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bastion.cli.app import app, console, fail
from bastion.config import load_scenario
from bastion.core.errors import BastionError
from bastion.service import emit_scenario, load_service_config


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file (see docs/scenarios.md).")],
    emit: Annotated[
        bool, typer.Option("--emit", help="Send the radars' scans to a running `bastion serve`.")
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(help="The serve configuration: addresses, SAC/SIC, SAPIENT node."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Root seed; default: the scenario's.")] = None,
    speed: Annotated[
        float, typer.Option(help="Times faster than real time (SAPIENT needs 1).", min=0.01)
    ] = 1.0,
) -> None:
    """Run a scenario's truth and radars in real time and send them as ASTERIX and SAPIENT.

    Radars in one of CONFIG's ASTERIX feeds send CAT048 plots and CAT034 north markers over UDP;
    the others connect to CONFIG's SAPIENT address as sensor nodes. Traffic goes to CONFIG's
    addresses (a wildcard listen address is sent to on loopback).
    """
    if not emit:
        raise fail("nothing to do: give --emit (use `bastion run` for an offline run)")
    if config is None:
        raise fail("--emit needs --config, the serve configuration it sends to")
    try:
        loaded = load_scenario(scenario)
        cfg = load_service_config(config)
        console.print(f"emitting {loaded.params.name} for {loaded.params.duration_s:g} s")
        stats = asyncio.run(emit_scenario(loaded, cfg, seed=seed, speed=speed))
    except BastionError as exc:
        raise fail(str(exc)) from None
    except (OSError, TimeoutError) as exc:
        raise fail(f"cannot reach bastion serve: {exc}") from None
    console.print(
        f"{stats.scans} scans: {stats.plots} ASTERIX plots in {stats.datagrams} datagrams, "
        f"{stats.sapient_messages} SAPIENT messages; replies {stats.sapient_replies}"
    )
