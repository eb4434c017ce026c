"""Scoring a run against simulated truth: GOSPA per scan and which track followed which object.

At every radar scan the confirmed track picture (states predicted to the scan time) is compared with
the truth objects that exist and lie inside some radar's coverage: GOSPA (c = 100 m, p = 1, alpha = 2)
and an assignment of tracks to objects (Hungarian, within `assoc_gate_m`). The assignments give, per
truth object, when it was first detected, when a confirmed track first followed it, and which track
ids did; the pipeline never sees any of this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from bastion.core.geo import enu2aer
from bastion.core.params import RadarParams
from bastion.metrics import Siap, StateRows, score_siap
from bastion.metrics.gospa import gospa

FloatArray = NDArray[np.float64]


@dataclass(slots=True)
class Scoring:
    """Accumulates truth-versus-track statistics over a run."""

    n_objects: int
    radars: Sequence[RadarParams]
    c_m: float = 100.0
    assoc_gate_m: float = 250.0
    gospa_sum: float = 0.0
    gospa_n: int = 0
    gospa_parts: FloatArray = field(default_factory=lambda: np.zeros(3))
    first_detection_t_s: FloatArray = field(init=False)
    first_confirmed_t_s: FloatArray = field(init=False)
    votes: list[Counter[int]] = field(init=False)
    track_truth: dict[int, int] = field(default_factory=dict)
    destroyed_t_s: dict[int, float] = field(default_factory=dict)
    jammed_t_s: dict[int, float] = field(default_factory=dict)
    pictures: list[tuple[float, NDArray[np.int64], FloatArray, NDArray[np.int64], FloatArray]] = (
        field(default_factory=list)
    )
    """Per scan: (t_s, track ids, track positions, covered object indices, their positions)."""

    def __post_init__(self) -> None:
        self.first_detection_t_s = np.full(self.n_objects, np.nan)
        self.first_confirmed_t_s = np.full(self.n_objects, np.nan)
        self.votes = [Counter() for _ in range(self.n_objects)]

    def detections(self, t_s: float, truth_id: NDArray[np.int64]) -> None:
        """Note which objects a sensor look detected."""
        k = truth_id[truth_id >= 0]
        new = k[np.isnan(self.first_detection_t_s[k])]
        self.first_detection_t_s[new] = t_s

    def covered(self, pos: FloatArray, alive: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Objects alive, above ground and inside at least one radar's volume."""
        ok = np.zeros(pos.shape[0], dtype=bool)
        for r in self.radars:
            aer = enu2aer(np.nan_to_num(pos), np.asarray(r.position_m))
            ok |= (
                (aer[:, 0] >= r.min_range_m)
                & (aer[:, 0] <= r.max_range_m)
                & (aer[:, 2] >= r.min_el_rad)
                & (aer[:, 2] <= r.max_el_rad)
            )
        return ok & alive & (pos[:, 2] > 0.0)

    def scan(
        self,
        t_s: float,
        truth_pos: FloatArray,
        alive: NDArray[np.bool_],
        track_ids: NDArray[np.int64],
        track_pos: FloatArray,
    ) -> None:
        """Score one scan: GOSPA of the picture and the track-to-object assignment."""
        cov = np.flatnonzero(self.covered(truth_pos, alive))
        g = gospa(track_pos, truth_pos[cov], c_m=self.c_m, p=1.0)
        self.gospa_sum += g.total
        self.gospa_parts += (g.localisation, g.missed, g.false)
        self.gospa_n += 1
        self.pictures.append((t_s, track_ids.copy(), track_pos.copy(), cov, truth_pos[cov].copy()))
        live = np.flatnonzero(alive)
        if track_ids.size == 0 or live.size == 0:
            return
        d = np.linalg.norm(track_pos[:, None, :] - truth_pos[None, live, :], axis=2)
        rows, cols = linear_sum_assignment(np.where(d <= self.assoc_gate_m, d, 1e9))
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            if d[r, c] > self.assoc_gate_m:
                continue
            k, tid = int(live[c]), int(track_ids[r])
            self.votes[k][tid] += 1
            self.track_truth[tid] = k
            if np.isnan(self.first_confirmed_t_s[k]):
                self.first_confirmed_t_s[k] = t_s

    @property
    def mean_gospa(self) -> float:
        """Mean GOSPA over scored scans (m)."""
        return self.gospa_sum / max(self.gospa_n, 1)

    def siap(self, threshold_m: float | None = None) -> Siap:
        """SIAP of the scored scans (bastion.metrics.siap): confirmed tracks against the covered
        objects, Stone Soup's TrackToTruth association within `threshold_m` (default `assoc_gate_m`)."""
        sizes = [(p[1].shape[0], p[3].shape[0]) for p in self.pictures]
        t = np.array([p[0] for p in self.pictures], dtype=np.float64)
        n_trk, n_tru = np.array(sizes, dtype=np.int64).reshape(-1, 2).T
        tracks = StateRows(
            t_s=np.repeat(t, n_trk),
            object_id=np.concatenate([p[1] for p in self.pictures] or [np.zeros(0, np.int64)]),
            position_m=np.concatenate([p[2] for p in self.pictures] or [np.zeros((0, 3))]),
        )
        truths = StateRows(
            t_s=np.repeat(t, n_tru),
            object_id=np.concatenate([p[3] for p in self.pictures] or [np.zeros(0, np.int64)]),
            position_m=np.concatenate([p[4] for p in self.pictures] or [np.zeros((0, 3))]),
        )
        gate = self.assoc_gate_m if threshold_m is None else threshold_m
        return score_siap(tracks, truths, threshold_m=gate)[0]

    def tracks_of(self, k: int) -> list[int]:
        """Track ids that followed object k, most often first."""
        return [tid for tid, _ in self.votes[k].most_common()]
