"""SIAP: Single Integrated Air Picture metrics of a track picture against truth over a run.

Definitions from "Single Integrated Air Picture (SIAP) Attributes Definitions", SIAP SE TF Technical
Report 2001-001, and "SIAP Metrics Implementation", Votruba et al., 2001, as Stone Soup implements
them (`stonesoup.metricgenerator.tracktotruthmetrics.SIAPMetrics` and `IDSIAPMetrics`, 1.x), on the
track-to-truth association of `bastion.metrics.track_truth` (Stone Soup's `TrackToTruth`). Written
here rather than called from Stone Soup because Stone Soup wants one object per state per time step;
this works on arrays and agrees with it to rounding (tests/metrics/test_siap_oracle.py).

At each time step t (the distinct times of both tables): J(t) truths with a row at t, N(t) tracks with
a row at t, JT(t) truths and NA(t) tracks in an association whose interval contains t; PA(t), VA(t)
the sums over those associations of the position (m) and velocity (m/s) distance between track and
truth at t. Over the run, each a ratio of sums over time steps (not a mean of ratios):

    completeness C = sum JT / sum J          (0 if no truth)           target 1
    ambiguity    A = sum NA / sum JT         (1 if nothing tracked)    target 1
    spuriousness S = sum (N - NA) / sum N    (0 if no track)           target 0
    position accuracy PA = sum PA(t) / sum NA (m);  velocity accuracy VA likewise (m/s)
    rate of track number change R = sum_j (NU_j - 1) / sum_j TT_j (1/s)                target 0
    longest track segment LS = sum_j TL_j / sum_j T_j                                   target 1

with, per truth j: NU_j the number of tracks a greedy walk along its time steps needs, TT_j its time
covered by associations (the gaps between its consecutive time steps that one association spans),
TL_j the longest time one track was associated with it and T_j its lifetime (s). Stone Soup merges
all intervals of one (track, truth) pair into one association, so TL_j sums a track's intervals on
the truth, and the walk, at each step covered by some association, takes the track whose last
interval on the truth ends latest, counts one, and jumps past the end of that track's interval
covering the step (stopping altogether when that interval ends at the step itself, as Stone Soup
does). Where two tracks' last intervals end at the same time Stone Soup's choice follows the
iteration order of a Python set and can differ from run to run (R then takes one of two values);
here the track whose covering interval reaches further wins, which gives the smaller NU_j.

With identity labels, per step over associated truths:
JU(t) truths whose associated tracks all carry no label, JC(t) all the truth's label, JI(t) all some
other label; ID completeness (JT - JU)/JT, ID correctness JC/JT, ID ambiguity (JT - JC - JI - JU)/JT.

Where an association covers a step at which its track or truth has no row, Stone Soup raises; here the
pair adds nothing to PA/VA and its track counts as unlabelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bastion.metrics.track_truth import (
    NO_LABEL,
    FloatArray,
    IntArray,
    RunIndex,
    StateRows,
    TrackTruthAssociation,
    associate_tracks_to_truth,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Siap:
    """SIAP over a run (definitions in the module docstring), with the per-step series.

    Run values: `completeness`, `ambiguity`, `spuriousness` (ratios), `position_accuracy_m` (m),
    `velocity_accuracy_mps` (m/s, NaN without velocities), `track_number_change_rate_per_s` (R, 1/s),
    `longest_track_segment` (LS), `track_number_changes` (sum of NU_j - 1), `id_completeness`,
    `id_correctness`, `id_ambiguity` (NaN without labels). Per step (T,): `times_s` and the counts
    `n_truths` J, `n_truths_tracked` JT, `n_tracks` N, `n_tracks_associated` NA, the sums
    `position_error_sum_m` PA(t) and `velocity_error_sum_mps` VA(t).
    """

    completeness: float
    ambiguity: float
    spuriousness: float
    position_accuracy_m: float
    velocity_accuracy_mps: float
    track_number_change_rate_per_s: float
    longest_track_segment: float
    track_number_changes: int
    id_completeness: float
    id_correctness: float
    id_ambiguity: float
    times_s: FloatArray
    n_truths: IntArray
    n_truths_tracked: IntArray
    n_tracks: IntArray
    n_tracks_associated: IntArray
    position_error_sum_m: FloatArray
    velocity_error_sum_mps: FloatArray

    def completeness_at_times(self) -> FloatArray:
        """C(t) = JT/J per step (0 where J = 0)."""
        return _ratio(self.n_truths_tracked, self.n_truths, 0.0)

    def ambiguity_at_times(self) -> FloatArray:
        """A(t) = NA/JT per step (1 where JT = 0)."""
        return _ratio(self.n_tracks_associated, self.n_truths_tracked, 1.0)

    def spuriousness_at_times(self) -> FloatArray:
        """S(t) = (N - NA)/N per step (0 where N = 0)."""
        return _ratio(self.n_tracks - self.n_tracks_associated, self.n_tracks, 0.0)

    def position_accuracy_at_times(self) -> FloatArray:
        """PA(t)/NA(t) per step (m; 0 where NA = 0)."""
        return _ratio(self.position_error_sum_m, self.n_tracks_associated, 0.0)


def _ratio(num: FloatArray | IntArray, den: FloatArray | IntArray, empty: float) -> FloatArray:
    num_f, den_f = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    out = np.full(num_f.shape, empty)
    np.divide(num_f, den_f, out=out, where=den_f != 0)
    return out


def _scalar(num: float, den: float, empty: float) -> float:
    return float(num / den) if den != 0 else empty


def _active_pairs(
    idx: RunIndex, assoc: TrackTruthAssociation
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """(association, step, track index, truth index) for every step each association covers."""
    if assoc.n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    trk = np.searchsorted(idx.track_ids, assoc.track_id)
    tru = np.searchsorted(idx.truth_ids, assoc.truth_id)
    if np.any(idx.track_ids[np.minimum(trk, idx.track_ids.shape[0] - 1)] != assoc.track_id) or (
        np.any(idx.truth_ids[np.minimum(tru, idx.truth_ids.shape[0] - 1)] != assoc.truth_id)
    ):
        raise ValueError("association names a track or truth with no rows")
    s = np.searchsorted(idx.times_s, assoc.start_t_s, side="left")
    e = np.searchsorted(idx.times_s, assoc.end_t_s, side="right") - 1
    length = np.maximum(e - s + 1, 0)
    a = np.repeat(np.arange(assoc.n), length)
    offs = np.arange(a.shape[0]) - np.repeat(np.cumsum(length) - length, length)
    step = (np.repeat(s, length) + offs).astype(np.int64)
    return a.astype(np.int64), step, trk[a].astype(np.int64), tru[a].astype(np.int64)


def _pairs(idx: RunIndex, assoc: TrackTruthAssociation) -> tuple[IntArray, IntArray]:
    """Each association's (track, truth) pair as a dense index, and each pair's truth index."""
    n_tru = idx.truth_ids.shape[0]
    key = np.searchsorted(idx.track_ids, assoc.track_id) * n_tru + np.searchsorted(
        idx.truth_ids, assoc.truth_id
    )
    uniq, pair = np.unique(key, return_inverse=True)
    return pair.astype(np.int64), (uniq % n_tru).astype(np.int64)


def _pair_end(idx: RunIndex, assoc: TrackTruthAssociation, e_a: IntArray) -> IntArray:
    """Per association: the latest end step of all associations of its (track, truth) pair."""
    pair, _ = _pairs(idx, assoc)
    end = np.full(int(pair.max()) + 1, -1, dtype=np.int64)
    np.maximum.at(end, pair, e_a)
    return end[pair]


def _continuity(
    idx: RunIndex, assoc: TrackTruthAssociation, truths: StateRows
) -> tuple[IntArray, FloatArray]:
    """Per truth index: NU_j (fewest tracks to cover it) and TT_j (time covered, s)."""
    n_tru, n_t = idx.truth_ids.shape[0], idx.times_s.shape[0]
    nu = np.zeros(n_tru, dtype=np.int64)
    tt = np.zeros(n_tru)
    if assoc.n == 0 or truths.n == 0:
        return nu, tt
    tru_a = np.searchsorted(idx.truth_ids, assoc.truth_id)
    s_a = np.searchsorted(idx.times_s, assoc.start_t_s)
    e_a = np.searchsorted(idx.times_s, assoc.end_t_s, side="right") - 1
    order = np.lexsort((idx.truth_step, idx.truth_obj))
    g, st = idx.truth_obj[order], idx.truth_step[order]
    n_r = order.shape[0]
    rank = np.empty(n_r, dtype=np.int64)
    rank[order] = np.arange(n_r)
    # TT: a gap between consecutive steps of a truth is covered if one association spans it.
    span = n_t + 1
    ao = np.lexsort((s_a, tru_a))
    a_key = tru_a[ao] * span + s_a[ao]
    a_cmax = np.maximum.accumulate(tru_a[ao] * span + e_a[ao])
    same = g[1:] == g[:-1]
    k1, k2, gj = st[:-1][same], st[1:][same], g[:-1][same]
    q = np.searchsorted(a_key, gj * span + k1, side="right") - 1
    qc = np.maximum(q, 0)
    covered = (q >= 0) & (tru_a[ao][qc] == gj) & (a_cmax[qc] - gj * span >= k2)
    gap_s = idx.times_s[k2] - idx.times_s[k1]
    tt = np.bincount(gj[covered], weights=gap_s[covered], minlength=n_tru).astype(np.float64)
    # NU: per truth row, of the associations covering it take the track whose association with
    # this truth ends latest (Stone Soup merges one track's intervals on one truth into one
    # association and sorts by its final end; ties go to the furthest-reaching interval), and the
    # end of its interval there. Then walk all truths at once.
    pair_end = _pair_end(idx, assoc, e_a)
    a_of_pair, step, _, tru = _active_pairs(idx, assoc)
    rows = idx.row_lookup(tru, step, truth=True)
    ok = rows >= 0
    best = np.full(n_r, -1, dtype=np.int64)
    np.maximum.at(best, rank[rows[ok]], pair_end[a_of_pair[ok]] * span + e_a[a_of_pair[ok]])
    best = np.where(best >= 0, best % span, -1)
    cand = np.where(best >= 0, np.arange(n_r), n_r)
    nxt = np.minimum.accumulate(cand[::-1])[::-1]
    nxt = np.append(nxt, n_r)
    first = np.searchsorted(g, np.arange(n_tru))
    ptr = nxt[first]
    act = (ptr < n_r) & (g[np.minimum(ptr, n_r - 1)] == np.arange(n_tru))
    while np.any(act):
        j = np.flatnonzero(act)
        p = ptr[j]
        nu[j] += 1
        e = best[p]
        stop = e == st[p]
        at_end = idx.row_lookup(j, e, truth=True)
        nr = np.where(at_end >= 0, rank[np.maximum(at_end, 0)] + 1, n_r)
        p2 = nxt[np.minimum(nr, n_r)]
        go = ~stop & (at_end >= 0) & (p2 < n_r) & (g[np.minimum(p2, n_r - 1)] == j)
        ptr[j] = p2
        act[j] = go
    return nu, tt


def siap(tracks: StateRows, truths: StateRows, association: TrackTruthAssociation) -> Siap:
    """SIAP of `tracks` against `truths` under `association` (module docstring); tracks' and
    truths' rows in one frame (site ENU, m; velocities m/s)."""
    idx = RunIndex.build(tracks, truths)
    n_t, n_trk, n_tru = idx.times_s.shape[0], idx.track_ids.shape[0], idx.truth_ids.shape[0]
    j_t = np.bincount(idx.truth_step, minlength=n_t).astype(np.int64)
    n_t_tracks = np.bincount(idx.track_step, minlength=n_t).astype(np.int64)
    _, step, trk, tru = _active_pairs(idx, association)
    na_t = np.bincount(np.unique(step * max(n_trk, 1) + trk) // max(n_trk, 1), minlength=n_t)
    jt_t = np.bincount(np.unique(step * max(n_tru, 1) + tru) // max(n_tru, 1), minlength=n_t)
    t_row = idx.row_lookup(trk, step, truth=False)
    u_row = idx.row_lookup(tru, step, truth=True)
    both = (t_row >= 0) & (u_row >= 0)
    pa_t = np.bincount(
        step[both],
        weights=np.linalg.norm(
            tracks.position_m[t_row[both]] - truths.position_m[u_row[both]], axis=1
        ),
        minlength=n_t,
    )
    have_vel = tracks.velocity_mps is not None and truths.velocity_mps is not None
    va_t = np.full(n_t, np.nan)
    if tracks.velocity_mps is not None and truths.velocity_mps is not None:
        dv = tracks.velocity_mps[t_row[both]] - truths.velocity_mps[u_row[both]]
        va_t = np.bincount(step[both], weights=np.linalg.norm(dv, axis=1), minlength=n_t)
    nu, tt = _continuity(idx, association, truths)
    # LS: longest association per truth over each truth's lifetime.
    tl = np.zeros(n_tru)
    if association.n:
        pair, tru_of_pair = _pairs(idx, association)
        pair_s = np.bincount(pair, weights=association.end_t_s - association.start_t_s)
        np.maximum.at(tl, tru_of_pair, pair_s)
    life = _group_max(idx.truth_obj, truths.t_s, n_tru) - _group_min(
        idx.truth_obj, truths.t_s, n_tru
    )
    changes = int(np.sum(nu[nu > 0] - 1))
    id_c = id_k = id_a = float("nan")
    if tracks.label is not None and truths.label is not None:
        id_c, id_k, id_a = _id_siap(step, tru, t_row, u_row, tracks.label, truths.label, n_tru)
    na_sum, jt_sum = float(na_t.sum()), float(jt_t.sum())
    return Siap(
        completeness=_scalar(jt_sum, float(j_t.sum()), 0.0),
        ambiguity=_scalar(na_sum, jt_sum, 1.0),
        spuriousness=_scalar(float(n_t_tracks.sum()) - na_sum, float(n_t_tracks.sum()), 0.0),
        position_accuracy_m=_scalar(float(pa_t.sum()), na_sum, 0.0),
        velocity_accuracy_mps=_scalar(float(va_t.sum()), na_sum, 0.0) if have_vel else np.nan,
        track_number_change_rate_per_s=_scalar(float(changes), float(tt.sum()), 0.0),
        longest_track_segment=_scalar(float(tl.sum()), float(life.sum()), 0.0),
        track_number_changes=changes,
        id_completeness=id_c,
        id_correctness=id_k,
        id_ambiguity=id_a,
        times_s=idx.times_s,
        n_truths=j_t,
        n_truths_tracked=jt_t.astype(np.int64),
        n_tracks=n_t_tracks,
        n_tracks_associated=na_t.astype(np.int64),
        position_error_sum_m=pa_t.astype(np.float64),
        velocity_error_sum_mps=va_t.astype(np.float64),
    )


def _group_max(g: IntArray, v: FloatArray, n: int) -> FloatArray:
    out = np.full(n, -np.inf)
    np.maximum.at(out, g, v)
    return out


def _group_min(g: IntArray, v: FloatArray, n: int) -> FloatArray:
    out = np.full(n, np.inf)
    np.minimum.at(out, g, v)
    return out


def _id_siap(
    step: IntArray,
    tru: IntArray,
    t_row: IntArray,
    u_row: IntArray,
    track_label: IntArray,
    truth_label: IntArray,
    n_tru: int,
) -> tuple[float, float, float]:
    """ID completeness, correctness and ambiguity over the associated (truth, step) groups."""
    if step.shape[0] == 0:
        return 0.0, 0.0, 0.0
    lab = np.where(t_row >= 0, track_label[np.maximum(t_row, 0)], NO_LABEL)
    tl = np.where(u_row >= 0, truth_label[np.maximum(u_row, 0)], NO_LABEL)
    _, grp = np.unique(step * n_tru + tru, return_inverse=True)
    size = np.bincount(grp)
    none = np.bincount(grp, weights=lab == NO_LABEL) == size
    right = np.bincount(grp, weights=(lab == tl) & (lab != NO_LABEL)) == size
    wrong = np.bincount(grp, weights=(lab != tl) & (lab != NO_LABEL)) == size
    jt = float(size.shape[0])
    ju, jc, ji = float(none.sum()), float(right.sum()), float(wrong.sum())
    return (jt - ju) / jt, jc / jt, (jt - jc - ji - ju) / jt


def score_siap(
    tracks: StateRows,
    truths: StateRows,
    *,
    threshold_m: float,
    consec_pairs_confirm: int = 3,
    consec_misses_end: int = 2,
) -> tuple[Siap, TrackTruthAssociation]:
    """Associate (Stone Soup's `TrackToTruth` rule, `threshold_m` in metres) and score SIAP."""
    assoc = associate_tracks_to_truth(
        tracks,
        truths,
        threshold_m=threshold_m,
        consec_pairs_confirm=consec_pairs_confirm,
        consec_misses_end=consec_misses_end,
    )
    return siap(tracks, truths, assoc), assoc
