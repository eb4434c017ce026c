"""Classifier evaluation: accuracy by track life and the confusion matrix, written as Markdown.

    python benchmarks/classify_eval.py --tracks-per-class 200 --seed 1 --workers 2 \
        --markdown benchmarks/results/classify.md

Runs `bastion.evals.classify.evaluate` (the same as `bastion eval classify`) with the shipped model,
and again with the micro-Doppler features withheld from the same model (an ablation: what the radar's
micro-Doppler is worth), and writes both with the machine, the command and the date.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bastion.evals.classify import ClassifyReport, evaluate
from bastion.identify.classifier import default_model
from bastion.identify.features import FEATURES
from bastion.identify.model import NaiveBayes

MD_FEATURES = ("md_frac", "md_rate", "md_ratio")


def without_micro_doppler(model: NaiveBayes) -> NaiveBayes:
    """The same model with the micro-Doppler features contributing nothing."""
    ll = model.log_lik.copy()
    for name in MD_FEATURES:
        ll[:, FEATURES.index(name)] = 0.0
    return NaiveBayes(log_lik=ll, temperature=model.temperature)


def _table(r: ClassifyReport) -> list[str]:
    lines = ["| truth \\ declared | " + " | ".join(r.declared) + " |"]
    lines.append("|---|" + "---:|" * len(r.declared))
    for name, row in zip(r.classes, r.confusion_10s, strict=True):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + " |")
    return lines


def _ages(r: ClassifyReport) -> list[str]:
    ages = [k for k in next(iter(r.per_class_accuracy.values())) if not k.endswith("_tracks")]
    lines = ["| class | " + " | ".join(ages) + " |", "|---|" + "---:|" * len(ages)]
    for name, scores in r.per_class_accuracy.items():
        cells = []
        for a in ages:
            v, n = scores[a], int(scores[f"{a}_tracks"])
            cells.append("-" if math.isnan(v) else f"{v:.3f} ({n})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def markdown(full: ClassifyReport, ablated: ClassifyReport, command: str, seconds: float) -> str:
    """The results file."""
    machine = (
        f"{platform.platform()}; {platform.processor() or 'unknown CPU'}; {os.cpu_count()} cores; "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    out = [
        "# Classifier evaluation",
        "",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- command: `{command}`",
        f"- machine: {machine}",
        f"- run time: {seconds:.0f} s for both runs",
        f"- objects: {full.tracks_per_class} per class, seed {full.seed} (evaluation seed stream, "
        "never used in training); radar: `bastion.evals.classify_data.EVAL_RADAR` (1 Hz, "
        "micro-Doppler dwell gain 15 dB, 3 clutter detections per scan)",
        "",
        f"**accuracy_10s = {full.accuracy_10s:.3f}** over {full.tracks_10s} tracks that lived 10 s; "
        f"**rocket_accuracy_3s = {full.rocket_accuracy_3s:.3f}** over {full.rocket_tracks_3s} rocket "
        "and mortar tracks that lived 3 s.",
        "",
        "## Confusion at 10 s of track life (counts)",
        "",
        *_table(full),
        "",
        "## Accuracy by track life (tracks scored)",
        "",
        *_ages(full),
        "",
        "An object is scored at an age when one of its tracks lives that long (track life counts",
        "from the track's first detection); objects never tracked that long (not detected, lost, or",
        "landed first) are not scored at that age: the counts in brackets show how many were.",
        "",
        "## Without micro-Doppler (same model, micro-Doppler features withheld)",
        "",
        f"accuracy_10s = {ablated.accuracy_10s:.3f}, rocket_accuracy_3s = "
        f"{ablated.rocket_accuracy_3s:.3f}",
        "",
        *_table(ablated),
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run both evaluations and print (and optionally write) the Markdown."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tracks-per-class", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--markdown", type=Path, default=None, help="also write Markdown results")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    full = evaluate(args.tracks_per_class, args.seed, workers=args.workers)
    model = without_micro_doppler(default_model())
    ablated = evaluate(args.tracks_per_class, args.seed, model=model, workers=args.workers)
    args_text = " ".join(sys.argv[1:] if argv is None else argv)
    command = f"python benchmarks/classify_eval.py {args_text}"
    text = markdown(full, ablated, command, time.perf_counter() - t0)
    print(text)
    if args.markdown is not None:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
