"""The Typer application, its consoles and the one way a command fails on bad input (exit code 2).

Commands live in sibling modules (`run`, `eval_*`), each registering itself on `app` or `eval_app`.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

import typer
from rich.console import Console

from bastion.config import ScenarioWarning

app = typer.Typer(
    help=(
        "Bastion: open-source base air defence. Senses, tracks, identifies, warns and models "
        "engagements under human control, on simulated scenarios (all effectors are models)."
    ),
    no_args_is_help=True,
    add_completion=False,
)
eval_app = typer.Typer(
    help="Seeded Monte Carlo evaluations of one stage against simulated truth; JSON with --json.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

console = Console()
if not console.is_terminal:  # a log file or a pipe: wide enough for the summary tables
    console = Console(width=110)
err_console = Console(stderr=True, width=None if Console(stderr=True).is_terminal else 110)


def fail(message: str) -> typer.Exit:
    """Print one clear error message and return the exit (code 2) for the caller to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


STRICT_HELP = "Refuse a scenario with an advisory (a ScenarioWarning) instead of running it."


@contextlib.contextmanager
def advisories(strict: bool) -> Iterator[None]:
    """Loading a scenario inside: with `strict`, an advisory fails the command (exit 2) with its
    message; without, Python prints it to standard error and the command goes on."""
    with warnings.catch_warnings():
        if strict:
            warnings.simplefilter("error", ScenarioWarning)
        try:
            yield
        except ScenarioWarning as exc:
            raise fail(f"{exc} (--strict: advisories refuse the scenario)") from None
