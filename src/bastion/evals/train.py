"""Training the track classifier on simulated tracks, reproducibly from a seed.

`bastion eval train-classifier --tracks-per-class N --seed S --out FILE` simulates N objects of each
class (`bastion.evals.classify_data`) for the counts and N / 2 more for the temperature, and writes
the model module (`bastion.identify.model_counts`): the histogram counts as plain integers, the
temperature, and the command that made it. The same N and S give a byte-identical file. The seed
streams of training ([1, S]), temperature fitting ([2, S]) and evaluation ([0, S],
`bastion.evals.classify`) are disjoint, so no evaluation object is ever trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar

from bastion.core.records import ThreatClass
from bastion.evals.classify_data import Snapshot, simulate_object
from bastion.identify.features import FEATURES, N_BINS, bin_index
from bastion.identify.model import MODEL_CLASSES, N_AGES, NaiveBayes, age_bin, count_bins

IntArray = NDArray[np.int64]
TRAIN_STREAM, TEMPERATURE_STREAM, EVAL_STREAM = 1, 2, 0
MAX_AGE_S = 20.0
"""Snapshots older than this (s of track life) are not used (they would outweigh young tracks)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainedModel:
    """Counts (N_AGES, F, N_BINS, C), the fitted temperature and what made them."""

    counts: IntArray
    temperature: float
    tracks_per_class: int
    seed: int
    n_snapshots: int


def _job(
    args: tuple[ThreatClass, int, np.random.SeedSequence, NaiveBayes | None],
) -> list[Snapshot]:
    cls, obj, ss, model = args
    return simulate_object(cls, obj, ss, model)


def simulate(
    n_per_class: int,
    stream: int,
    seed: int,
    model: NaiveBayes | None,
    workers: int = 1,
) -> list[Snapshot]:
    """Snapshots of `n_per_class` objects of every class from seed stream [stream, seed], in order."""
    root = np.random.SeedSequence([stream, seed])
    jobs: list[tuple[ThreatClass, int, np.random.SeedSequence, NaiveBayes | None]] = []
    for cls, cls_ss in zip(MODEL_CLASSES, root.spawn(len(MODEL_CLASSES)), strict=True):
        jobs.extend((cls, i, ss, model) for i, ss in enumerate(cls_ss.spawn(n_per_class)))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_job, jobs, chunksize=8))
    else:
        parts = [_job(j) for j in jobs]
    return [s for part in parts for s in part]


def arrays(snaps: Sequence[Snapshot]) -> tuple[IntArray, IntArray, IntArray]:
    """Bins (S, F), age bins (S,) and labels (S,) of snapshots."""
    if not snaps:
        return np.zeros((0, len(FEATURES)), np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    feats = np.stack([s.features for s in snaps])
    ages = age_bin(np.array([s.n_looks for s in snaps], dtype=np.int64))
    labels = np.array([s.label for s in snaps], dtype=np.int64)
    return bin_index(feats), ages, labels


def fit_temperature(counts: IntArray, snaps: Sequence[Snapshot]) -> float:
    """The temperature in [0.5, 20] minimising the log loss of held-out snapshots."""
    bins, ages, labels = arrays(snaps)
    ll = NaiveBayes.from_counts(counts, 1.0).log_evidence(bins, ages)

    def loss(t: float) -> float:
        z = ll / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(labels.size), labels].mean())

    res = minimize_scalar(loss, bounds=(0.5, 20.0), method="bounded", options={"xatol": 1e-4})
    return round(float(res.x), 4)


def train(n_per_class: int, seed: int, workers: int = 1) -> TrainedModel:
    """Simulate, count and fit; see the module docstring."""
    snaps = [s for s in simulate(n_per_class, TRAIN_STREAM, seed, None, workers) if _young(s)]
    bins, ages, labels = arrays(snaps)
    counts = count_bins(bins, ages, labels)
    held = simulate(max(n_per_class // 2, 1), TEMPERATURE_STREAM, seed, None, workers)
    temperature = fit_temperature(counts, [s for s in held if _young(s)])
    return TrainedModel(
        counts=counts,
        temperature=temperature,
        tracks_per_class=n_per_class,
        seed=seed,
        n_snapshots=len(snaps),
    )


def _young(s: Snapshot) -> bool:
    return s.age_s <= MAX_AGE_S


def module_text(m: TrainedModel) -> str:
    """The `model_counts` module for a trained model (deterministic text)."""
    flat = m.counts.reshape(-1).tolist()
    lines = []
    per_line = 16
    for i in range(0, len(flat), per_line):
        lines.append(" ".join(str(v) for v in flat[i : i + per_line]))
    body = "\n".join(lines)
    shape = (N_AGES, len(FEATURES), N_BINS, len(MODEL_CLASSES))
    classes = ", ".join(c.value for c in MODEL_CLASSES)
    return f'''"""Shipped classifier parameters, written by the training script; do not edit by hand.

Made by: bastion eval train-classifier --tracks-per-class {m.tracks_per_class} --seed {m.seed}
from {m.n_snapshots} training snapshots. `COUNTS` holds the histogram counts of shape
{shape} (age bin, feature, bin, class), row-major.
Classes: {classes}.
Features: {", ".join(FEATURES)}.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

SHAPE = {shape}
TEMPERATURE = {m.temperature!r}
COUNTS = """
{body}
"""


def counts() -> NDArray[np.int64]:
    """The counts as an array of `SHAPE`."""
    return np.array(COUNTS.split(), dtype=np.int64).reshape(SHAPE)
'''
