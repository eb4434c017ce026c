"""Classification of confirmed tracks: evidence in, class probabilities and declared class out.

`Classifier` joins the three parts: the `EvidenceBook` (what each track has shown: RCS, micro-Doppler,
plots, smoothed kinematics), the `NaiveBayes` model over its features, and the `ClassBook` that
declares a class from the probabilities with hysteresis. The pipeline feeds it every sensor look
(`detections`) and evaluates the confirmed tracks once per step (`evaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch
from bastion.identify.classbook import ClassBook, ClassRules
from bastion.identify.evidence import EvidenceBook
from bastion.identify.features import bin_index, features
from bastion.identify.model import NaiveBayes, age_bin

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@cache
def default_model() -> NaiveBayes:
    """The shipped model (`bastion.identify.model_counts`, written by the training script)."""
    from bastion.identify import model_counts

    return NaiveBayes.from_counts(model_counts.counts(), model_counts.TEMPERATURE)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Evaluation:
    """One evaluation of N tracks: declared class codes, which changed, P(class) (N, 6), speeds."""

    codes: NDArray[np.int8]
    changed: NDArray[np.bool_]
    probabilities: FloatArray
    speed_mps: FloatArray
    n_looks: IntArray


class Classifier:
    """Evidence, model and declared classes of every track; see the module docstring."""

    __slots__ = ("classes", "evidence", "model")

    def __init__(self, model: NaiveBayes | None = None, rules: ClassRules | None = None) -> None:
        self.model = model or default_model()
        self.evidence = EvidenceBook()
        self.classes = ClassBook(rules)

    def detections(self, batch: DetectionBatch, det_track_id: IntArray) -> None:
        """Fold in one sensor look (`det_track_id`: the track each detection updated, or -1)."""
        self.evidence.detections(batch, det_track_id)

    def evaluate(self, ids: IntArray, x: FloatArray, t_s: float) -> Evaluation:
        """Classify tracks `ids` with ENU states `x` (N, 6) at run time `t_s` (s)."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = self.evidence.kinematics(ids, x, t_s)
        cols = self.evidence.cols
        n_looks = cols["n_looks"][rows]
        bins = bin_index(features(cols, rows, t_s))
        p = self.model.predict_proba(bins, age_bin(n_looks))
        codes, changed = self.classes.update(ids, p, n_looks)
        return Evaluation(
            codes=codes,
            changed=changed,
            probabilities=self.classes.probabilities(ids),
            speed_mps=cols["hspeed_mps"][rows],
            n_looks=n_looks,
        )

    def forget(self, ids: IntArray) -> None:
        """Drop tracks that ended."""
        self.evidence.forget(ids)
        self.classes.forget(ids)
