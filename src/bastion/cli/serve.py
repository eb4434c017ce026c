"""`bastion serve CONFIG`: the live service (feeds in, pipeline in real time, outputs, HTTP API)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from pathlib import Path
from typing import Annotated

import typer
import yaml

from bastion import __version__
from bastion.cli.app import STRICT_HELP, advisories, app, console, fail
from bastion.core.errors import BastionError
from bastion.service import LiveService, load_service_config


@app.command()
def serve(
    config: Annotated[
        Path, typer.Argument(help="Service configuration YAML (docs/integration.md).")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Run directory; default: the configuration's run_dir.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite the run directory if it exists.")] = False,
    strict: Annotated[bool, typer.Option(help=STRICT_HELP)] = False,
) -> None:
    """Run the live service until SIGTERM or Ctrl-C, then shut down without losing an input.

    Writes the run directory: bastion.sqlite (every event), events.jsonl, and capture.bcap (every
    input with its arrival time, for `bastion replay`).
    """
    try:
        with advisories(strict):
            cfg = load_service_config(config)
        run_dir = out if out is not None else cfg.run_dir
        service = LiveService(cfg, run_dir, force=force)

        async def main() -> None:
            await service.start()
            console.print(f"[bold]Bastion {__version__}[/] serving {cfg.source} -> {run_dir}")
            for name, receiver in service.receivers.items():
                console.print(
                    f"  {name}: ASTERIX UDP on {receiver.address[0]}:{receiver.address[1]}"
                )
            if service.sapient_server is not None:
                host, port = service.sapient_server.address
                console.print(f"  sapient: SAPIENT TCP on {host}:{port}")
            if service.api is not None:
                host, port = service.api.address
                scheme = "https" if cfg.spec.http_tls is not None else "http"
                console.print(f"  http: health and API on {scheme}://{host}:{port}/health")
            await service.run()

        asyncio.run(main())
    except BastionError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{config}: cannot open a socket: {exc}") from None
    console.print(
        f"stopped: {service.events_written} events, {service.core.inputs} inputs; "
        f"run directory {run_dir}"
    )


@app.command("operator-token")
def operator_token(
    operator: Annotated[str, typer.Option(help="The person's name, as decisions will record it.")],
    role: Annotated[
        str, typer.Option(help="Their role (the scenario's engagement authority role to decide).")
    ],
) -> None:
    """Make a bearer token for a person who decides engagements through `bastion serve`'s API.

    Prints the token (give it to the person; it is not stored) and the `operators` entry for the
    service configuration, which holds only the token's SHA-256.
    """
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    console.print(
        f"token (give to {operator}; shown once): {token}", highlight=False, soft_wrap=True
    )
    console.print("service configuration entry:", highlight=False)
    entry = {"operators": [{"operator": operator, "role": role, "token_sha256": digest}]}
    console.print(yaml.safe_dump(entry, sort_keys=False).rstrip(), highlight=False, soft_wrap=True)
