"""The track classifier: a histogram naive Bayes over the features of `bastion.identify.features`.

P(class | features) is proportional to P(class) times, over the features the track has evidence
for, P(feature's histogram bin | class, age bin), raised to 1 / `temperature`. The class-conditional
histograms are counted from simulated tracks by the training script (`bastion.evals.train`,
`bastion eval train-classifier`), separately for three track ages (fewer than 5 detections, 5 to 9,
10 or more: early RCS and micro-Doppler statistics are wider), with add-one smoothing and a 5 %
uniform floor, so no single feature can rule a class out. The temperature, fitted on held-out
tracks, tempers the naive independence assumption (speed, hover and turn rate are not independent),
so the probabilities are calibrated rather than overconfident. The prior is uniform over the
classes.

Why our own and not scikit-learn: the model is a table of counts and thirty lines of numpy; the
shipped parameters are plain integers in `bastion.identify.model_counts`, readable in review and
free of pickles, and the stage needs no extra dependency. Missing features are left out of the
product, which is the exact marginal for naive Bayes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import ThreatClass
from bastion.identify.features import FEATURES, N_BINS

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MODEL_CLASSES: Final = (
    ThreatClass.ROCKET,
    ThreatClass.FIXED_WING,
    ThreatClass.MULTIROTOR,
    ThreatClass.BIRD,
    ThreatClass.AIRCRAFT,
)
"""Classes the model tells apart (in this order); UNKNOWN is declared when none is likely enough."""
AGE_EDGES: Final = (5, 10)
"""Age bins by detections absorbed: [0, 5), [5, 10), [10, inf)."""
N_AGES: Final = len(AGE_EDGES) + 1
SMOOTHING: Final = 1.0
UNIFORM_FLOOR: Final = 0.05


def age_bin(n_looks: IntArray) -> IntArray:
    """Age bin of each track from the detections it has absorbed."""
    out: IntArray = np.searchsorted(np.asarray(AGE_EDGES), n_looks, side="right").astype(np.int64)
    return out


def count_bins(bins: IntArray, ages: IntArray, labels: IntArray) -> IntArray:
    """Counts (N_AGES, F, N_BINS, C) of feature bins per age and class; bin -1 (missing) skipped."""
    counts = np.zeros((N_AGES, len(FEATURES), N_BINS, len(MODEL_CLASSES)), dtype=np.int64)
    s, f = np.nonzero(bins >= 0)
    np.add.at(counts, (ages[s], f, bins[s, f], labels[s]), 1)
    return counts


@dataclass(frozen=True, slots=True, eq=False)
class NaiveBayes:
    """Log-likelihood tables (N_AGES, F, N_BINS, C) and the temperature; see the module docstring."""

    log_lik: FloatArray
    temperature: float

    @classmethod
    def from_counts(cls, counts: IntArray, temperature: float) -> NaiveBayes:
        """The model from per-(age, feature, bin, class) counts."""
        c = np.asarray(counts, dtype=np.float64)
        p = (c + SMOOTHING) / (c.sum(axis=2, keepdims=True) + SMOOTHING * N_BINS)
        p = (1.0 - UNIFORM_FLOOR) * p + UNIFORM_FLOOR / N_BINS
        return cls(log_lik=np.log(p), temperature=float(temperature))

    def log_evidence(self, bins: IntArray, ages: IntArray) -> FloatArray:
        """Summed log-likelihoods (N, C) over each track's known features (untempered)."""
        n, nf = bins.shape
        ll = self.log_lik[ages[:, None], np.arange(nf)[None, :], np.maximum(bins, 0)]  # (N, F, C)
        ll = np.where((bins >= 0)[..., None], ll, 0.0)
        out: FloatArray = ll.sum(axis=1) if n else np.zeros((0, self.log_lik.shape[3]))
        return out

    def predict_proba(self, bins: IntArray, ages: IntArray) -> FloatArray:
        """P(class | features) (N, C) in `MODEL_CLASSES` order."""
        z = self.log_evidence(bins, ages) / self.temperature
        z -= z.max(axis=1, keepdims=True) if z.size else 0.0
        p = np.exp(z)
        out: FloatArray = p / p.sum(axis=1, keepdims=True)
        return out
