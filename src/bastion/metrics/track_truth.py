"""Track-to-truth association over a run, the rule SIAP scoring is built on.

Rows, not objects: a run is two `StateRows` tables, one row per (object, time) with the time `t_s`
(s), the object's id, its position `position_m` (K, 3) and optionally its velocity `velocity_mps`
(K, 3) and an identity label, all in one Cartesian frame (site ENU, metres). The time steps of a run
are the distinct values of `t_s` over both tables (exact equality, as Stone Soup compares timestamps).

The association is Stone Soup's `TrackToTruth` (`stonesoup.dataassociator.tracktotrack`, 1.x), the
rule of "Single Integrated Air Picture (SIAP) Metrics Implementation", Votruba et al., SIAP SE TF
Technical Report 2001-001, reproduced step for step so that both give the same intervals. For each
track separately, at each of its time steps in order:

1. The closest truth is the truth with a row at that exact time whose position is nearest, if that
   distance is strictly below `threshold_m` (Euclidean over the three position coordinates; a tie
   between equidistant truths goes to the kd-tree's pick, where Stone Soup takes the first of an
   unordered set).
2. With no current truth: the closest truth is the *potential* truth; its count of consecutive steps
   as closest grows by one (or restarts at 1 when it differs from the previous potential truth; no
   closest truth clears it). When the count reaches `consec_pairs_confirm`, the association starts,
   back-dated to the first of those steps, and the potential truth is cleared.
3. With a current truth: if it is the closest again, the miss count is reset and the association's end
   moves to this step. Otherwise the miss count grows by one and the step feeds the potential truth
   (its count grows if the closest truth is the potential truth, else it becomes the potential truth
   with count 1 -- including "no truth", which then carries a count of 1, as in Stone Soup).
4. When the miss count reaches `consec_misses_end`, the association [start, end] is recorded; if the
   potential truth's count has reached `consec_pairs_confirm` it becomes the current truth at once
   (start back-dated to its first step, end now), else the track has no current truth. Stone Soup
   resets neither the miss count nor the potential truth here, and neither does this code: a track
   that switched truths ends its new association at its next miss.
5. When the track ends, an open association is recorded.

A track may thus be associated with at most one truth at a time (apart from the overlap that rule 4's
back-dating can create), a truth with any number of tracks. The state machine runs for all tracks at
once, one loop iteration per time step, with numpy arrays over tracks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

NO_LABEL = -1
"""The identity label of a row that carries no identity."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StateRows:
    """States of several objects over a run, one row per (object, time step).

    `t_s` (K,) seconds on the run clock; `object_id` (K,) integer ids; `position_m` (K, 3) metres in
    one Cartesian frame (site ENU); `velocity_mps` (K, 3) metres per second in the same frame, or None;
    `label` (K,) an integer identity claimed (tracks) or held (truths) by the row, `NO_LABEL` for none,
    or None for no identity data. An object has at most one row per time.
    """

    t_s: FloatArray
    object_id: IntArray
    position_m: FloatArray
    velocity_mps: FloatArray | None = None
    label: IntArray | None = None

    def __post_init__(self) -> None:
        n = np.shape(self.t_s)[0] if np.ndim(self.t_s) == 1 else -1
        if n < 0 or np.shape(self.object_id) != (n,) or np.shape(self.position_m) != (n, 3):
            raise ValueError(
                "StateRows needs t_s (K,), object_id (K,), position_m (K, 3); got "
                f"{np.shape(self.t_s)}, {np.shape(self.object_id)}, {np.shape(self.position_m)}"
            )
        if self.velocity_mps is not None and np.shape(self.velocity_mps) != (n, 3):
            raise ValueError(f"StateRows velocity_mps must be ({n}, 3)")
        if self.label is not None and np.shape(self.label) != (n,):
            raise ValueError(f"StateRows label must be ({n},)")
        if not np.all(np.isfinite(self.t_s)) or not np.all(np.isfinite(self.position_m)):
            raise ValueError("StateRows t_s and position_m must be finite")

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(np.shape(self.t_s)[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class RunIndex:
    """Dense indices of a run's rows: time steps, object indices, and (object, step) lookup.

    `times_s` (T,) the sorted distinct times of both tables; `*_step` the step of each row; `*_obj`
    each row's object as an index into `*_ids` (sorted distinct ids).
    """

    times_s: FloatArray
    track_ids: IntArray
    truth_ids: IntArray
    track_step: IntArray
    truth_step: IntArray
    track_obj: IntArray
    truth_obj: IntArray

    @classmethod
    def build(cls, tracks: StateRows, truths: StateRows) -> RunIndex:
        times = np.unique(np.concatenate([tracks.t_s, truths.t_s]).astype(np.float64))
        track_ids, track_obj = np.unique(tracks.object_id.astype(np.int64), return_inverse=True)
        truth_ids, truth_obj = np.unique(truths.object_id.astype(np.int64), return_inverse=True)
        idx = cls(
            times_s=times,
            track_ids=track_ids,
            truth_ids=truth_ids,
            track_step=np.searchsorted(times, tracks.t_s).astype(np.int64),
            truth_step=np.searchsorted(times, truths.t_s).astype(np.int64),
            track_obj=track_obj.astype(np.int64),
            truth_obj=truth_obj.astype(np.int64),
        )
        for name, obj, step in (
            ("track", idx.track_obj, idx.track_step),
            ("truth", idx.truth_obj, idx.truth_step),
        ):
            key = obj * times.shape[0] + step
            if np.unique(key).shape[0] != key.shape[0]:
                raise ValueError(f"two {name} rows for one object at one time")
        return idx

    def row_lookup(self, obj: IntArray, step: IntArray, *, truth: bool) -> IntArray:
        """Row index of each (object index, step) pair in the truth or track table, -1 if none."""
        n_t = self.times_s.shape[0]
        key = (self.truth_obj if truth else self.track_obj) * n_t + (
            self.truth_step if truth else self.track_step
        )
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        want = obj.astype(np.int64) * n_t + step.astype(np.int64)
        out = np.full(want.shape[0], -1, dtype=np.int64)
        if sorted_key.shape[0]:
            pos = np.minimum(np.searchsorted(sorted_key, want), sorted_key.shape[0] - 1)
            hit = sorted_key[pos] == want
            out[hit] = order[pos[hit]]
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackTruthAssociation:
    """Associations as closed time intervals, one row each: track `track_id` followed truth
    `truth_id` from `start_t_s` to `end_t_s` inclusive (s, run clock)."""

    track_id: IntArray
    truth_id: IntArray
    start_t_s: FloatArray
    end_t_s: FloatArray

    @property
    def n(self) -> int:
        """Number of associations."""
        return int(self.track_id.shape[0])


def _closest_truth(tp: FloatArray, up: FloatArray, u_obj: IntArray, threshold_m: float) -> IntArray:
    """Index of the closest truth object (strictly within the threshold) per track row, else -1.

    A kd-tree query (scipy `cKDTree`, bounded by the threshold): O(n log n) per step, no n x m
    distance matrix, so a 10,000-target run scores in memory proportional to its rows."""
    if tp.shape[0] == 0 or up.shape[0] == 0:
        return np.full(tp.shape[0], -1, dtype=np.int64)
    d, j = cKDTree(up).query(tp, k=1, distance_upper_bound=threshold_m)
    ok = d < threshold_m
    return np.where(ok, u_obj[np.minimum(j, up.shape[0] - 1)], -1).astype(np.int64)


def associate_tracks_to_truth(
    tracks: StateRows,
    truths: StateRows,
    *,
    threshold_m: float,
    consec_pairs_confirm: int = 3,
    consec_misses_end: int = 2,
) -> TrackTruthAssociation:
    """Stone Soup's `TrackToTruth` association over a run (rules in the module docstring).

    `threshold_m` is the association distance (m, position only); `consec_pairs_confirm` (>= 2) the
    consecutive closest steps that start an association; `consec_misses_end` (>= 1) the consecutive
    misses that end one.
    """
    if not threshold_m > 0:
        raise ValueError(f"association threshold_m must be > 0, got {threshold_m}")
    if consec_pairs_confirm < 2 or consec_misses_end < 1:
        raise ValueError("need consec_pairs_confirm >= 2 and consec_misses_end >= 1")
    idx = RunIndex.build(tracks, truths)
    n_trk, n_steps = idx.track_ids.shape[0], idx.times_s.shape[0]
    # Rows sorted by step, with step boundaries, for both tables.
    t_ord = np.argsort(idx.track_step, kind="stable")
    u_ord = np.lexsort((idx.truth_obj, idx.truth_step))
    t_b = np.searchsorted(idx.track_step[t_ord], np.arange(n_steps + 1))
    u_b = np.searchsorted(idx.truth_step[u_ord], np.arange(n_steps + 1))

    current = np.full(n_trk, -1, dtype=np.int64)
    potential = np.full(n_trk, -1, dtype=np.int64)
    n_pot = np.zeros(n_trk, dtype=np.int64)
    n_fail = np.zeros(n_trk, dtype=np.int64)
    pot_start = np.full(n_trk, np.nan)
    start = np.full(n_trk, np.nan)
    end = np.full(n_trk, np.nan)
    out: list[tuple[IntArray, IntArray, FloatArray, FloatArray]] = []

    for k in range(n_steps):
        rows = t_ord[t_b[k] : t_b[k + 1]]
        if rows.shape[0] == 0:
            continue
        t = idx.times_s[k]
        urows = u_ord[u_b[k] : u_b[k + 1]]
        trk = idx.track_obj[rows]
        m = _closest_truth(
            tracks.position_m[rows], truths.position_m[urows], idx.truth_obj[urows], threshold_m
        )
        cur, pot = current[trk], potential[trk]
        # Rule 2: no current truth.
        free = cur < 0
        a_none = free & (m < 0)
        a_new = free & (m >= 0) & (pot != m)
        a_same = free & (m >= 0) & (pot == m)
        n_pot[trk[a_none]] = 0
        potential[trk[a_none]] = -1
        pot_start[trk[a_none]] = np.nan
        potential[trk[a_new]] = m[a_new]
        n_pot[trk[a_new]] = 1
        pot_start[trk[a_new]] = t
        n_pot[trk[a_same]] += 1
        conf = free & (n_pot[trk] >= consec_pairs_confirm)
        tc = trk[conf]
        current[tc], start[tc], end[tc] = m[conf], pot_start[tc], t
        pot_start[tc], potential[tc], n_pot[tc] = np.nan, -1, 0
        # Rule 3: a current truth.
        held = ~free
        hit = held & (m == cur)
        miss = held & (m != cur)
        n_fail[trk[hit]] = 0
        end[trk[hit]] = t
        n_fail[trk[miss]] += 1
        grow = miss & (m >= 0) & (m == pot)
        reset = miss & ~grow
        n_pot[trk[grow]] += 1
        potential[trk[reset]] = m[reset]
        pot_start[trk[reset]] = t
        n_pot[trk[reset]] = 1
        # Rule 4: enough misses end the association; a confirmed potential truth takes over.
        te = trk[held & (n_fail[trk] >= consec_misses_end)]
        if te.shape[0]:
            out.append((te, current[te].copy(), start[te].copy(), end[te].copy()))
            sw = n_pot[te] >= consec_pairs_confirm
            ts, tn = te[sw], te[~sw]
            current[ts], start[ts], end[ts] = potential[ts], pot_start[ts], t
            current[tn], start[tn], end[tn] = -1, np.nan, np.nan
    # Rule 5: close what is open.
    op = np.flatnonzero(current >= 0)
    out.append((op, current[op], start[op], end[op]))
    trk_i = np.concatenate([o[0] for o in out])
    tru_i = np.concatenate([o[1] for o in out])
    return TrackTruthAssociation(
        track_id=idx.track_ids[trk_i].astype(np.int64),
        truth_id=idx.truth_ids[tru_i].astype(np.int64),
        start_t_s=np.concatenate([o[2] for o in out]).astype(np.float64),
        end_t_s=np.concatenate([o[3] for o in out]).astype(np.float64),
    )
