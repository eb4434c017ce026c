"""Helpers for driving the identity book by hand: a stub classifier, track states and reports."""

from __future__ import annotations

import numpy as np

from bastion.core.identification import IdentificationParams
from bastion.core.measurements import CooperativeReport
from bastion.core.records import (
    AFFILIATIONS,
    THREAT_CLASSES,
    Affiliation,
    EventKind,
    Identity,
    SpoofAlert,
    ThreatClass,
)
from bastion.identify import Classifier, IdentityBook
from bastion.identify.classifier import Evaluation

__all__ = ["AFFILIATIONS", "Run", "StubClassifier", "report", "state"]


class StubClassifier(Classifier):
    """Declares the class given per track id (probability 0.9) and nothing else."""

    def __init__(self, classes: dict[int, ThreatClass]) -> None:
        super().__init__()
        self.given = classes

    def evaluate(self, ids, x, t_s):  # type: ignore[no-untyped-def]
        codes = np.array([THREAT_CLASSES.index(self.given[int(i)]) for i in ids], dtype=np.int8)
        probs = np.zeros((ids.size, len(THREAT_CLASSES)))
        probs[np.arange(ids.size), codes] = 0.9
        return Evaluation(
            codes=codes,
            changed=np.zeros(ids.size, dtype=bool),
            probabilities=probs,
            speed_mps=np.hypot(x[:, 3], x[:, 4]),
            n_looks=np.full(ids.size, 10),
        )


def state(e: float, n: float, u: float = 150.0, vn: float = -15.0) -> list[float]:
    return [e, n, u, 0.0, vn, 0.0]


def report(
    src: str, ident: str, t: float, pos: list[float], vel: tuple[float, float, float] = (0, -15, 0)
) -> CooperativeReport:
    return CooperativeReport(
        source=src, ident=ident, callsign="", t_s=t, position_m=(pos[0], pos[1], pos[2]),
        velocity_mps=(float(vel[0]), float(vel[1]), float(vel[2])),
    )  # fmt: skip


class Run:
    """Steps a book with given track states and reports; keeps the latest identity per track."""

    def __init__(self, classes: dict[int, ThreatClass], params: IdentificationParams):
        self.book = IdentityBook(params, StubClassifier(classes))
        self.ident: dict[int, Identity] = {}
        self.spoofs: list[SpoofAlert] = []

    def step(
        self,
        t: float,
        tracks: dict[int, list[float]],
        reports: tuple[tuple[CooperativeReport, int], ...] = (),
    ) -> None:
        ids = np.array(sorted(tracks), dtype=np.int64)
        x = np.array([tracks[i] for i in ids.tolist()]).reshape(-1, 6)
        match = np.array([m for _, m in reports], dtype=np.int64)
        for kind, _, payload in self.book.step(
            t, ids, x, np.full(ids.size, t), [r for r, _ in reports], match
        ):
            if kind is EventKind.IDENTITY_CHANGED:
                assert isinstance(payload, Identity)
                self.ident[payload.track_id] = payload
            elif kind is EventKind.SPOOF_ALERT:
                assert isinstance(payload, SpoofAlert)
                self.spoofs.append(payload)

    def aff(self, tid: int) -> Affiliation:
        return self.ident[tid].affiliation
