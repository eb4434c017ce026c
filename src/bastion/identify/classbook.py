"""Declared class of each track, from the classifier's probabilities, with hysteresis.

Per evaluation, the candidate class is the most probable model class if its probability is at least
`declare_p` and the track has absorbed `min_looks` detections, else UNKNOWN. A track whose declared
class is UNKNOWN takes a known candidate at once; a declared class changes only when `switch_evals`
consecutive evaluations agree on another known candidate, so one noisy estimate does not flip a
class back and forth; a declared class never falls back to UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bastion.core.records import THREAT_CLASSES, ThreatClass
from bastion.identify.columns import Column, TrackColumns
from bastion.identify.model import MODEL_CLASSES

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

UNKNOWN = THREAT_CLASSES.index(ThreatClass.UNKNOWN)
MODEL_TO_CODE = np.array([THREAT_CLASSES.index(c) for c in MODEL_CLASSES], dtype=np.int8)
"""Code (index into THREAT_CLASSES) of each model class."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassRules:
    """When a class is declared: probability, detections, and evaluations to switch."""

    declare_p: float = 0.6
    min_looks: int = 3
    switch_evals: int = 3


def full_probabilities(p_model: FloatArray) -> FloatArray:
    """Model probabilities (N, C) spread to (N, len(THREAT_CLASSES)), P(UNKNOWN) = 0."""
    out = np.zeros((p_model.shape[0], len(THREAT_CLASSES)))
    out[:, MODEL_TO_CODE] = p_model
    return out


class ClassBook:
    """Declared class, pending switch and latest probabilities per track."""

    __slots__ = ("cols", "rules")

    def __init__(self, rules: ClassRules | None = None) -> None:
        self.rules = rules or ClassRules()
        self.cols = TrackColumns(
            {
                "declared": Column(np.int8, UNKNOWN),
                "pending": Column(np.int8, UNKNOWN),
                "pending_count": Column(np.int64, 0),
                "p": Column(np.float64, 0.0, (len(THREAT_CLASSES),)),
            }
        )

    def update(
        self, ids: IntArray, p_model: FloatArray, n_looks: IntArray
    ) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
        """Fold in this evaluation; return the declared codes (N,) and which of them changed."""
        c, r = self.cols, self.rules
        rows = c.rows(ids)
        full = full_probabilities(p_model)
        c["p"][rows] = full
        best = np.argmax(p_model, axis=1) if p_model.size else np.zeros(0, dtype=np.int64)
        p_best = p_model[np.arange(best.size), best]
        cand = np.where(
            (p_best >= r.declare_p) & (n_looks >= r.min_looks), MODEL_TO_CODE[best], UNKNOWN
        ).astype(np.int8)
        cur = c["declared"][rows]
        same = cand == c["pending"][rows]
        count = np.where(same, c["pending_count"][rows] + 1, 1)
        c["pending"][rows] = cand
        c["pending_count"][rows] = count
        switch = (cand != cur) & (cand != UNKNOWN) & ((cur == UNKNOWN) | (count >= r.switch_evals))
        new = np.where(switch, cand, cur).astype(np.int8)
        c["declared"][rows] = new
        return new, switch

    def declared(self, ids: IntArray) -> NDArray[np.int8]:
        """Declared class codes of `ids` (UNKNOWN for ids never evaluated)."""
        rows = self.cols.find(ids)
        out = np.full(rows.shape, UNKNOWN, dtype=np.int8)
        out[rows >= 0] = self.cols["declared"][rows[rows >= 0]]
        return out

    def probabilities(self, ids: IntArray) -> FloatArray:
        """Latest probabilities (N, len(THREAT_CLASSES)) of `ids` (all on UNKNOWN if never seen)."""
        rows = self.cols.find(ids)
        out = np.zeros((rows.size, len(THREAT_CLASSES)))
        out[:, UNKNOWN] = 1.0
        out[rows >= 0] = self.cols["p"][rows[rows >= 0]]
        return out

    def forget(self, ids: IntArray) -> None:
        """Drop tracks that ended."""
        self.cols.forget(ids)
