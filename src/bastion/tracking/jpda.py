"""Joint probabilistic data association (JPDA) with cluster decomposition, over gated pairs.

References: T. E. Fortmann, Y. Bar-Shalom, M. Scheffe, "Sonar tracking of multiple targets using joint
probabilistic data association", IEEE J. Oceanic Eng. 8(3), 1983; Y. Bar-Shalom, P. Willett, X. Tian,
"Tracking and Data Fusion", YBS Publishing 2011, ch. 6 (parametric JPDA); J. L. Williams, R. A. Lau,
"Approximate evaluation of marginal association probabilities with belief propagation", IEEE Trans.
AES 50(4), 2014 (the fallback for oversized clusters).

Model (parametric JPDA; linear position measurement z = H x + w, H = [I3 0], frames site ENU, m):
every track i is detected with probability `pd`, its detection falls in the chi-square gate with
probability `pg` (= chi2.cdf(gate_chi2, 3) for the gate `gating.gate` used), and false alarms are Poisson
with spatial density `clutter_density_per_m3` (lambda, 1/m^3). A joint event assigns each track at most
one detection and each detection at most one track, among the gated pairs only; its weight is

    prod over assigned pairs (i, j) of  L_ij = pd N(z_j; H x_i, S_ij) / lambda
    prod over unassigned tracks        of  1 - pd pg,

with S_ij = P_i,pos + R_j. The marginals beta_ij (detection j is track i's) and beta_i0 (track i has no
detection) are sums of normalised event weights. This is the same event weighting as Stone Soup's
`JPDA` with `PDAHypothesiser` (checked in tests/tracking/test_jpda_oracle.py).

Cluster decomposition: the connected components of the bipartite track-detection gate graph
(`scipy.sparse.csgraph.connected_components`) are independent. A cluster with one track (nearly all of
them in a sparse scene) is a plain PDA, solved for all such tracks at once with segment sums. A
cluster with several tracks is solved by exact enumeration of its feasible joint events
(`jpda_events.enumerate_marginals`: all such clusters at once, vectorised over events and clusters,
grown one track per stage); a cluster with more than `max_hypotheses` events falls back to loopy belief
propagation (Williams & Lau 2014; approximate, typically within a few 1e-3 of the exact marginals) and
is counted in `JpdaResult.n_lbp_clusters`.

State update (Bar-Shalom et al. 2011, sec. 6.2, generalised to one R per detection): each pair's
Kalman posterior (x_ij, P_ij) and the prediction (x_i, P_i) form a Gaussian mixture with weights beta,
reduced to its first two moments:

    x+ = x + sum_j beta_ij K_ij v_ij
    P+ = P - sum_j beta_ij K_ij H P + sum_j beta_ij d_ij d_ij^T - dbar dbar^T,  d_ij = K_ij v_ij,

which with a common R is the textbook x+ = x + K vbar, P+ = beta_0 P + (1 - beta_0) P_c + K (sum_j
beta_j v_j v_j^T - vbar vbar^T) K^T. Sums over pairs are sparse matrix products (no per-track loop).

Bookkeeping rule for new tracks: `JpdaResult.det_assoc_prob[j]` = sum_i beta_ij is the probability
that detection j belongs to some existing track; the tracker should start a tentative track from every
detection with det_assoc_prob < `new_track_threshold` (see `free_detections`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from bastion.tracking.jpda_events import enumerate_marginals
from bastion.tracking.updater import inv_sym3

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True, slots=True, kw_only=True)
class JpdaParams:
    """JPDA model parameters.

    `pd`: detection probability per track per scan (0, 1). `pg`: probability that a detected target's
    measurement is inside the gate, chi2.cdf(gate_chi2, 3) for the gate actually used (0, 1].
    `clutter_density_per_m3`: false-alarm spatial density lambda, 1/m^3 (> 0). `max_hypotheses`: the
    largest number of joint events enumerated exactly in one cluster (cost grows with it); larger
    clusters use loopy belief propagation. `lbp_tol`, `lbp_max_iter`: its convergence tolerance (on
    messages) and iteration cap.
    """

    pd: float
    pg: float
    clutter_density_per_m3: float
    max_hypotheses: int = 2_000
    lbp_tol: float = 1e-10
    lbp_max_iter: int = 200

    def __post_init__(self) -> None:
        if not (0.0 < self.pd < 1.0 and 0.0 < self.pg <= 1.0 and self.clutter_density_per_m3 > 0):
            raise ValueError(
                f"JpdaParams needs 0 < pd < 1, 0 < pg <= 1, clutter density > 0; got pd={self.pd}, "
                f"pg={self.pg}, clutter_density_per_m3={self.clutter_density_per_m3}"
            )
        if self.max_hypotheses < 1:
            raise ValueError("JpdaParams.max_hypotheses must be >= 1")


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class JpdaResult:
    """Output of `jpda` for N tracks, M detections and P gated pairs.

    `x` (N, d), `P` (N, d, d): updated states and covariances (site ENU, SI units of the state).
    `beta` (P,): marginal association probability of each input pair, in input order. `beta0` (N,):
    probability that the track has no detection (1 for a track with no gated detection).
    `best_det` (N,): index of the most likely detection of each track, -1 if "no detection" is the most
    likely. `best_d2`, `best_log_det_S` (N,): that pair's squared Mahalanobis distance and ln|S|
    (S in m^2; NaN where best_det is -1), the inputs of `score.update_score` with hit = best_det >= 0.
    `scan_llr` (N,): the track's PDA log-likelihood ratio for this scan, ln(1 - pd pg + sum_j L_ij)
    over its gated detections (ln(1 - pd pg) with none): the soft track-score increment for
    `score.accumulate_score`, equal to the hit term for one clear detection and to the miss term
    for none, without a hard hit/miss decision in a shared cluster.
    `det_assoc_prob` (M,): sum over tracks of beta for each detection. `n_clusters`: connected
    components that contain a track; `n_multi_clusters`: those with two or more tracks;
    `n_lbp_clusters`: those solved approximately by belief propagation; `n_events`: joint events
    enumerated exactly in all multi-track clusters.
    """

    x: FloatArray
    P: FloatArray
    beta: FloatArray
    beta0: FloatArray
    best_det: IntArray
    best_d2: FloatArray
    best_log_det_S: FloatArray
    scan_llr: FloatArray
    det_assoc_prob: FloatArray
    n_clusters: int
    n_multi_clusters: int
    n_lbp_clusters: int
    n_events: int


def log_det_sym3(S: FloatArray) -> FloatArray:
    """Natural log-determinants of symmetric positive-definite 3x3 matrices `S` (K, 3, 3), (K,)."""
    a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
    d, e, f = S[:, 1, 1], S[:, 1, 2], S[:, 2, 2]
    out: FloatArray = np.log(a * (d * f - e * e) + b * (c * e - b * f) + c * (b * e - c * d))
    return out


def pair_log_likelihood_ratio(
    d2: FloatArray, log_det_S: FloatArray, pd: float, clutter_density_per_m3: float
) -> FloatArray:
    """ln L_ij = ln pd - ln lambda - d2/2 - ln sqrt((2 pi)^3 |S|) for gated pairs (dimensionless)."""
    out: FloatArray = (
        math.log(pd) - math.log(clutter_density_per_m3) - 0.5 * (d2 + log_det_S + 3.0 * _LOG_2PI)
    )
    return out


def _pda_marginals(
    trk: IntArray, log_l: FloatArray, log_miss: float, n: int
) -> tuple[FloatArray, FloatArray]:
    """Single-track clusters (plain PDA, Bar-Shalom et al. 2011 sec. 3.4): beta per pair and beta0
    per track row in 0..n-1, with a per-track max shift so that nothing overflows."""
    shift = np.full(n, log_miss)
    np.maximum.at(shift, trk, log_l)
    w = np.exp(log_l - shift[trk])
    denom = np.exp(log_miss - shift) + np.bincount(trk, weights=w, minlength=n)
    return w / denom[trk], np.exp(log_miss - shift) / denom


def _local_rank(node: IntArray, group: IntArray) -> IntArray:
    """Index of each entry's `node` among the distinct nodes of its `group` (both (K,)), 0-based."""
    u, inv = np.unique(node, return_inverse=True)
    grp_u = np.empty(u.shape[0], dtype=np.int64)
    grp_u[inv] = group
    order = np.lexsort((u, grp_u))
    gs = grp_u[order]
    rank = np.empty(u.shape[0], dtype=np.int64)
    rank[order] = np.arange(u.shape[0]) - np.searchsorted(gs, gs, side="left")
    out: IntArray = rank[inv]
    return out


def _lbp_marginals(
    trk: IntArray, det: IntArray, log_l: FloatArray, log_miss: float, params: JpdaParams
) -> tuple[FloatArray, FloatArray]:
    """Approximate marginals by loopy belief propagation (Williams & Lau 2014, sec. III), vectorised
    over all pairs given. Tracks and detections are compact indices. Returns (beta (Q,), beta0 (k,))."""
    nt = int(trk.max()) + 1
    nd = int(det.max()) + 1
    psi: FloatArray = np.exp(np.minimum(log_l - log_miss, 700.0))
    nu: FloatArray = np.ones_like(psi)
    for _ in range(params.lbp_max_iter):
        s_t = np.bincount(trk, weights=psi * nu, minlength=nt)
        mu = psi / (1.0 + s_t[trk] - psi * nu)
        s_d = np.bincount(det, weights=mu, minlength=nd)
        nu_new: FloatArray = (1.0 / (1.0 + s_d[det] - mu)).astype(np.float64)
        done = float(np.max(np.abs(nu_new - nu))) < params.lbp_tol
        nu = nu_new
        if done:
            break
    s_f = np.bincount(trk, weights=psi * nu, minlength=nt)
    b: FloatArray = (psi * nu / (1.0 + s_f[trk])).astype(np.float64)
    b0: FloatArray = (1.0 / (1.0 + s_f)).astype(np.float64)
    return b, b0


def marginals(
    trk: IntArray,
    det: IntArray,
    log_l: FloatArray,
    n_tracks: int,
    n_dets: int,
    params: JpdaParams,
) -> tuple[FloatArray, FloatArray, tuple[int, int, int, int]]:
    """Marginal association probabilities over gated pairs, cluster by cluster.

    `trk`, `det` (P,): pairs' track rows (< n_tracks) and detection indices (< n_dets), each pair at
    most once; `log_l` (P,): their ln L_ij (`pair_log_likelihood_ratio`). Returns beta (P,) in input
    order, beta0 (n_tracks,) and (clusters, multi-track clusters, LBP clusters, events enumerated).
    """
    log_miss = math.log1p(-params.pd * params.pg)
    n_p = trk.shape[0]
    beta = np.zeros(n_p)
    beta0 = np.ones(n_tracks)
    if n_p == 0:
        return beta, beta0, (n_tracks, 0, 0, 0)
    graph = sp.csr_matrix(
        (np.ones(n_p), (trk, n_tracks + det)), shape=(n_tracks + n_dets, n_tracks + n_dets)
    )
    _, label = connected_components(graph, directed=False)
    t_label = label[:n_tracks]
    tracks_in = np.bincount(t_label, minlength=int(label.max()) + 1)
    n_clusters = int(np.count_nonzero(tracks_in))
    pair_label = t_label[trk]
    single = tracks_in[pair_label] == 1

    b_s, b0_s = _pda_marginals(trk[single], log_l[single], log_miss, n_tracks)
    beta[single] = b_s
    has_single = np.zeros(n_tracks, dtype=bool)
    has_single[trk[single]] = True
    beta0[has_single] = b0_s[has_single]

    multi = np.flatnonzero(~single)
    n_multi = n_lbp = n_events = 0
    if multi.shape[0]:
        _, cl = np.unique(pair_label[multi], return_inverse=True)
        cl = cl.astype(np.int64)
        trk_m = trk[multi]
        lt = _local_rank(trk_m, cl)
        ld = _local_rank(det[multi], cl)
        b_m, b0_slot, slot, overflow, n_events = enumerate_marginals(
            cl, lt, ld, log_l[multi], log_miss, params.max_hypotheses
        )
        n_multi = int(overflow.shape[0])
        n_lbp = int(np.count_nonzero(overflow))
        exact = ~overflow[cl]
        beta[multi[exact]] = b_m[exact]
        beta0[trk_m[exact]] = b0_slot[slot[exact]]
        if n_lbp:
            seg = multi[~exact]
            t_u, lt_l = np.unique(trk[seg], return_inverse=True)
            _, ld_l = np.unique(det[seg], return_inverse=True)
            beta[seg], beta0[t_u] = _lbp_marginals(lt_l, ld_l, log_l[seg], log_miss, params)
    return beta, beta0, (n_clusters, n_multi, n_lbp, n_events)


def pda_combine(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    trk: IntArray,
    det: IntArray,
    beta: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Moment-matched mixture update (module docstring) of states `x` (N, d), `P` (N, d, d), d >= 3
    with position in columns 0:3, from detections `z` (M, 3), `R` (M, 3, 3) over pairs (trk, det)
    with weights `beta` (P,). Tracks without pairs keep (x, P). Returns new arrays."""
    n = x.shape[0]
    if trk.shape[0] == 0:
        return x.copy(), P.copy()
    Pt = P.take(trk, axis=0)
    PHt = Pt[:, :, :3]
    S = Pt[:, :3, :3] + R.take(det, axis=0)
    gain = PHt @ inv_sym3(S)
    v = z.take(det, axis=0) - x.take(trk, axis=0)[:, :3]
    dx = (gain @ v[:, :, None])[:, :, 0]
    # Weighted segment sums over each track's pairs as one sparse (N, P) matrix of the betas.
    k = trk.shape[0]
    W = sp.csr_matrix((beta, (trk, np.arange(k))), shape=(n, k))
    dbar: FloatArray = np.asarray(W @ dx)
    terms = gain @ Pt[:, :3, :]
    terms -= dx[:, :, None] * dx[:, None, :]
    P_new: FloatArray = P - np.asarray(W @ terms.reshape(k, -1)).reshape(P.shape)
    P_new -= dbar[:, :, None] * dbar[:, None, :]
    # Exact symmetry: mirror the upper triangle onto the lower one.
    iu = np.triu_indices(P.shape[1], 1)
    P_new[:, iu[1], iu[0]] = P_new[:, iu[0], iu[1]]
    return x + dbar, P_new


def free_detections(det_assoc_prob: FloatArray, new_track_threshold: float = 0.5) -> BoolArray:
    """Detections that should start tentative tracks: total association probability to existing
    tracks below `new_track_threshold` (dimensionless, in [0, 1]), shape (M,)."""
    free: BoolArray = det_assoc_prob < new_track_threshold
    return free


def jpda(
    x: FloatArray,
    P: FloatArray,
    z: FloatArray,
    R: FloatArray,
    trk: IntArray,
    det: IntArray,
    d2: FloatArray,
    params: JpdaParams,
) -> JpdaResult:
    """JPDA association and update of N predicted tracks with M position detections.

    `x` (N, d), `P` (N, d, d): predicted states, position in columns 0:3 (site ENU, m); `z` (M, 3),
    `R` (M, 3, 3): detections and their covariances (m, m^2); `trk`, `det`, `d2` (P,): gated pairs and
    their squared Mahalanobis distances as returned by `gating.gate` (which must use the gate that
    `params.pg` describes). Inputs are not modified. See `JpdaResult`.
    """
    n = x.shape[0]
    m = z.shape[0]
    trk = np.asarray(trk, dtype=np.int64)
    det = np.asarray(det, dtype=np.int64)
    log_det_S = log_det_sym3(P[trk, :3, :3] + R[det]) if trk.shape[0] else np.zeros(0)
    log_l = pair_log_likelihood_ratio(d2, log_det_S, params.pd, params.clutter_density_per_m3)
    beta, beta0, (n_c, n_multi, n_lbp, n_ev) = marginals(trk, det, log_l, n, m, params)
    x_new, P_new = pda_combine(x, P, z, R, trk, det, beta)
    # Most likely detection per track: the largest pair beta if it beats beta0.
    best_det = np.full(n, -1, dtype=np.int64)
    best_d2 = np.full(n, np.nan)
    best_log_det_S = np.full(n, np.nan)
    if trk.shape[0]:
        order = np.lexsort((det, -beta, trk))
        first = np.ones(order.shape[0], dtype=bool)
        first[1:] = trk[order[1:]] != trk[order[:-1]]
        top = order[first]
        win = beta[top] > beta0[trk[top]]
        rows, pick = trk[top[win]], top[win]
        best_det[rows] = det[pick]
        best_d2[rows] = d2[pick]
        best_log_det_S[rows] = log_det_S[pick]
    det_prob: FloatArray = np.bincount(det, weights=beta, minlength=m).astype(np.float64)
    log_miss = math.log1p(-params.pd * params.pg)
    shift = np.full(n, log_miss)
    np.maximum.at(shift, trk, log_l)
    total = np.exp(log_miss - shift) + np.bincount(trk, np.exp(log_l - shift[trk]), minlength=n)
    scan_llr: FloatArray = (shift + np.log(total)).astype(np.float64)
    return JpdaResult(
        x=x_new,
        P=P_new,
        beta=beta,
        beta0=beta0,
        best_det=best_det,
        best_d2=best_d2,
        best_log_det_S=best_log_det_S,
        scan_llr=scan_llr,
        det_assoc_prob=det_prob,
        n_clusters=n_c,
        n_multi_clusters=n_multi,
        n_lbp_clusters=n_lbp,
        n_events=n_ev,
    )


def shared_scan_llr(
    P: FloatArray,
    R: FloatArray,
    trk: IntArray,
    det: IntArray,
    d2: FloatArray,
    beta: FloatArray,
    det_assoc_prob: FloatArray,
    params: JpdaParams,
) -> FloatArray:
    """Track-score increment of each of N tracks for one JPDA scan, (N,):

        ln(1 - pd pg + sum_j s_ij L_ij),   s_ij = beta_ij / sum_k beta_kj

    the PDA scan likelihood ratio (`JpdaResult.scan_llr`) with each detection's likelihood ratio
    L_ij shared among the tracks in proportion to their association probabilities. Unshared, s = 1
    and this is `scan_llr`; a new track born from clutter beside an established track, which would
    otherwise be credited with the established track's detection and confirmed, gets only its small
    share; two tracks crossing share a detection and neither takes a miss. `P` (N, d, d) are the
    predicted covariances, `R` (M, 3, 3) the detections', the rest as in `jpda`."""
    n = P.shape[0]
    log_miss = math.log1p(-params.pd * params.pg)
    out = np.full(n, log_miss)
    if trk.shape[0] == 0:
        return out
    log_det_S = log_det_sym3(P.take(trk, axis=0)[:, :3, :3] + R.take(det, axis=0))
    log_l = pair_log_likelihood_ratio(d2, log_det_S, params.pd, params.clutter_density_per_m3)
    share = beta / np.maximum(det_assoc_prob.take(det), 1e-300)
    with np.errstate(divide="ignore"):
        log_term = log_l + np.log(share)
    shift = np.full(n, log_miss)
    np.maximum.at(shift, trk, log_term)
    total = np.exp(log_miss - shift) + np.bincount(trk, np.exp(log_term - shift[trk]), minlength=n)
    out = shift + np.log(total)
    return out
