"""`bastion eval classify` and `bastion eval train-classifier`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from bastion.cli.app import console, eval_app, fail
from bastion.core.errors import BastionError
from bastion.evals.classify import ClassifyReport, evaluate
from bastion.evals.train import module_text, train

TracksOpt = Annotated[
    int, typer.Option("--tracks-per-class", min=1, help="Simulated objects of each class.")
]
SeedOpt = Annotated[int, typer.Option(min=0, help="Root seed (the same seed, the same result).")]
WorkersOpt = Annotated[int, typer.Option(min=1, help="Processes to simulate in.")]


def print_report(r: ClassifyReport) -> None:
    """The scores and the confusion matrix as tables."""
    console.print(
        f"accuracy at 10 s of track life: [bold]{r.accuracy_10s:.3f}[/] over {r.tracks_10s} "
        f"tracks; rockets at 3 s: [bold]{r.rocket_accuracy_3s:.3f}[/] over {r.rocket_tracks_3s}"
    )
    conf = Table(title="Confusion at 10 s (rows: truth, columns: declared)")
    conf.add_column("truth")
    for name in r.declared:
        conf.add_column(name, justify="right")
    for name, row in zip(r.classes, r.confusion_10s, strict=True):
        conf.add_row(name, *(str(v) for v in row))
    console.print(conf)
    acc = Table(title="Accuracy by track life (tracks scored)")
    acc.add_column("class")
    ages = [k for k in next(iter(r.per_class_accuracy.values())) if not k.endswith("_tracks")]
    for age in ages:
        acc.add_column(age, justify="right")
    for name, scores in r.per_class_accuracy.items():
        cells = []
        for age in ages:
            a, n = scores[age], int(scores[f"{age}_tracks"])
            cells.append("-" if math.isnan(a) else f"{a:.3f} ({n})")
        acc.add_row(name, *cells)
    console.print(acc)


@eval_app.command("classify")
def classify_cmd(
    tracks_per_class: TracksOpt = 200,
    seed: SeedOpt = 1,
    workers: WorkersOpt = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Score the shipped classifier on seeded simulated tracks of every class.

    Prints accuracy_10s (all classes at 10 s of track life), rocket_accuracy_3s and the confusion
    matrix. Evaluation objects come from a seed stream the training never uses.
    """
    try:
        report = evaluate(tracks_per_class, seed, workers=workers)
    except BastionError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, sort_keys=True))
    else:
        print_report(report)


@eval_app.command("train-classifier")
def train_cmd(
    out: Annotated[Path, typer.Option(help="Model module to write (model_counts.py).")],
    tracks_per_class: TracksOpt = 400,
    seed: SeedOpt = 1,
    workers: WorkersOpt = 1,
) -> None:
    """Train the classifier on simulated tracks and write its model module (reproducible by seed).

    The shipped model is `src/bastion/identify/model_counts.py`; its docstring names the command.
    """
    try:
        model = train(tracks_per_class, seed, workers=workers)
        out.write_text(module_text(model))
    except (BastionError, OSError) as exc:
        raise fail(str(exc)) from None
    console.print(
        f"wrote {out}: {model.n_snapshots} snapshots, temperature {model.temperature:.4f}"
    )
