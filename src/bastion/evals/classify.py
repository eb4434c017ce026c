"""Evaluation of the classifier: accuracy by track life on seeded simulated tracks, per class.

`bastion eval classify --tracks-per-class N --seed S [--json]` flies N objects of each class
(`bastion.evals.classify_data`, seed stream [0, S], never used for training) through radar, tracker
and the shipped classifier, and scores the class declared on each object's track when the track is
`at_s` old: the object's earliest-born confirmed track that lives that long (track life counts from
the track's first detection), at its first scan at least `at_s` after that detection. A track
declared `unknown` then counts as wrong. Objects with no track that lives `at_s` (never detected,
track lost, or landed first) have no class to score at that age: they are counted apart
(`tracks_10s`, `rocket_tracks_3s`, `<age>_tracks` out of N per class), never silently.

- `accuracy_10s`: fraction of the tracks scored at 10 s whose declared class is right;
- `rocket_accuracy_3s`: the same for rockets and mortar bombs at 3 s;
- `confusion_10s`: counts, true class (rows) by declared class (columns, `unknown` last);
- per-class accuracy and tracks scored at 3, 5, 10 and 20 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import THREAT_CLASSES, ThreatClass
from bastion.evals.classify_data import Snapshot
from bastion.evals.train import EVAL_STREAM, simulate
from bastion.identify.classifier import default_model
from bastion.identify.model import MODEL_CLASSES, NaiveBayes

AGES_S = (3.0, 5.0, 10.0, 20.0)
DECLARED = (*MODEL_CLASSES, ThreatClass.UNKNOWN)
"""Columns of the confusion matrix."""
_UNKNOWN_COL = len(DECLARED) - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifyReport:
    """Scores of one evaluation run; see the module docstring."""

    tracks_per_class: int
    seed: int
    accuracy_10s: float
    tracks_10s: int
    rocket_accuracy_3s: float
    rocket_tracks_3s: int
    confusion_10s: list[list[int]]
    per_class_accuracy: dict[str, dict[str, float]] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values."""
        return {
            "tracks_per_class": self.tracks_per_class,
            "seed": self.seed,
            "accuracy_10s": self.accuracy_10s,
            "tracks_10s": self.tracks_10s,
            "rocket_accuracy_3s": self.rocket_accuracy_3s,
            "rocket_tracks_3s": self.rocket_tracks_3s,
            "confusion_10s": {
                "rows_true": self.classes,
                "columns_declared": self.declared,
                "counts": self.confusion_10s,
            },
            "per_class_accuracy": self.per_class_accuracy,
        }


def declared_at(snaps: Sequence[Snapshot], n_objects: int, at_s: float) -> NDArray[np.int64]:
    """Column (index into `DECLARED`) declared for each object at `at_s` of track life; -1: none.

    The object's earliest-born track that lives `at_s` counts, at its first scan that old.
    """
    out = np.full(n_objects, -1, dtype=np.int64)
    best: dict[int, tuple[float, float, int]] = {}  # obj -> (track birth, age, column)
    code_to_col = {THREAT_CLASSES.index(c): i for i, c in enumerate(DECLARED)}
    for s in snaps:
        if s.age_s < at_s - 1e-9:
            continue
        key = (s.t_s - s.age_s, s.age_s, code_to_col.get(s.declared, _UNKNOWN_COL))
        if s.obj not in best or key < best[s.obj]:
            best[s.obj] = key
    for obj, (_, _, col) in best.items():
        out[obj] = col
    return out


def evaluate(
    n_per_class: int, seed: int, model: NaiveBayes | None = None, workers: int = 1
) -> ClassifyReport:
    """Run the evaluation; see the module docstring."""
    model = model or default_model()
    snaps = simulate(n_per_class, EVAL_STREAM, seed, model, workers)
    by_class: dict[int, list[Snapshot]] = {i: [] for i in range(len(MODEL_CLASSES))}
    for s in snaps:
        by_class[s.label].append(s)
    per_class: dict[str, dict[str, float]] = {}
    confusion = np.zeros((len(MODEL_CLASSES), len(DECLARED)), dtype=np.int64)
    rocket_3, rocket_3_n = 0.0, 0
    for label, cls in enumerate(MODEL_CLASSES):
        scores: dict[str, float] = {}
        for at in AGES_S:
            cols = declared_at(by_class[label], n_per_class, at)
            scored = cols[cols >= 0]
            name = f"{at:.0f}s"
            scores[name] = float(np.mean(scored == label)) if scored.size else float("nan")
            scores[f"{name}_tracks"] = int(scored.size)
            if at == 10.0:
                np.add.at(confusion[label], scored, 1)
            if at == 3.0 and cls is ThreatClass.ROCKET:
                rocket_3, rocket_3_n = scores[name], int(scored.size)
        per_class[cls.value] = scores
    scored_10 = int(confusion.sum())
    right_10 = int(np.trace(confusion[:, : len(MODEL_CLASSES)]))
    return ClassifyReport(
        tracks_per_class=n_per_class,
        seed=seed,
        accuracy_10s=right_10 / scored_10 if scored_10 else float("nan"),
        tracks_10s=scored_10,
        rocket_accuracy_3s=rocket_3,
        rocket_tracks_3s=rocket_3_n,
        confusion_10s=confusion.tolist(),
        per_class_accuracy=per_class,
        classes=[c.value for c in MODEL_CLASSES],
        declared=[c.value for c in DECLARED],
    )
