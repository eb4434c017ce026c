"""Tuning the zone-warning rule offline: record every impact prediction once, then score any rule.

`trace` runs the evaluation's groups (`warn.run_group`) on a TUNING seed (never the evaluation's
seed 1) and records, for every step and every ballistic track that follows a round, the predicted
impact mean and (east, north) covariance and the predicted time of impact, with the truth of each
round (zones at risk, impact time, first detection). `score` then replays a warning rule on the
record: a zone is warned at the first step whose hit probability (`threat.hit`) reaches the rule's
threshold, which is what the live `ThreatBook` does, so the figures equal the evaluation's
`warning_time_ratio_median`, `zone_recall` and `zone_precision` for the same seeds (stray alerts on
tracks that follow no round aside; there are none in the evaluation). One trace serves a whole
sweep of thresholds and widening factors at the cost of the hit probabilities alone.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion import pipeline
from bastion.core.params import ThreatParams
from bastion.evals.warn import THREAT, GroupResult, run_group
from bastion.evals.warn_setup import ROUNDS_PER_GROUP, ZONES
from bastion.threat.approach import zone_geometries
from bastion.threat.ballistic import BallisticBook, Predictions
from bastion.threat.book import warn_thresholds
from bastion.threat.history import MeasurementHistory
from bastion.threat.hit import HitZones, hit_probability

FloatArray = NDArray[np.float64]
_Row = tuple[float, int, float, float, float, float, float, float, float, float]


@dataclass(slots=True)
class _RecordingBook(BallisticBook):
    """A `BallisticBook` that keeps its latest predictions."""

    last_ids: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    last: Predictions = field(default_factory=lambda: Predictions.empty(0))

    def predict(
        self,
        track_ids: NDArray[np.int64],
        x: FloatArray,
        t_state_s: FloatArray,
        history: MeasurementHistory,
        t_s: float,
    ) -> Predictions:
        out = BallisticBook.predict(self, track_ids, x, t_state_s, history, t_s)
        self.last_ids, self.last = track_ids.copy(), out
        return out


@dataclass(slots=True)
class Tracer:
    """A `warn.Recorder` that swaps in a recording ballistic book and keeps one row per step and
    ballistic track that follows a round: (step time s, round, impact east m, north m, covariance
    ee, en, nn m^2, predicted impact time s, track id, the track's first detection s)."""

    rows: list[_Row] = field(default_factory=list)

    def start(self, state: pipeline.PipelineState) -> None:
        b = state.threats.ballistic
        state.threats.ballistic = _RecordingBook(
            k_nominal=b.k_nominal, site_alt_m=b.site_alt_m, ground=b.ground
        )

    def step(self, state: pipeline.PipelineState, t_s: float, track_round: dict[int, int]) -> None:
        book = state.threats.ballistic
        assert isinstance(book, _RecordingBook)
        table = state.tracker.table
        born = dict(zip(table.track_id.tolist(), table.born_t_s.tolist(), strict=True))
        pred = book.last
        for i in np.flatnonzero(pred.ok).tolist():
            k = track_round.get(int(book.last_ids[i]))
            if k is None:
                continue
            e, n = pred.impact_m[i, :2].tolist()
            c = pred.cov_en_m2[i].ravel().tolist()
            tid = float(book.last_ids[i])
            t0 = born[int(tid)]
            self.rows.append((t_s, k, e, n, c[0], c[1], c[3], float(pred.t_impact_s[i]), tid, t0))
        book.last = Predictions.empty(0)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Trace:
    """Every recorded prediction (rows) and every round's truth.

    Rows: step time `t_s` (R,) s, round index `round_idx` (R,), `track_id` (R,), impact `mean_en_m` (R, 2) and
    `cov_en_m2` (R, 2, 2) site ENU m, predicted impact time `t_impact_s` (R,) s, the track's first
    detection `born_t_s` (R,) s (what the live stage counts a flight from). Rounds: true impact
    time `impact_t_s` (K,) s, first detection `first_det_t_s` (K,) s, true impact point
    `impact_en_m` (K, 2) m, `at_risk` (K, Z) zones within the lethal radius of the true impact."""

    t_s: FloatArray
    round_idx: NDArray[np.int64]
    track_id: NDArray[np.int64]
    mean_en_m: FloatArray
    cov_en_m2: FloatArray
    t_impact_s: FloatArray
    born_t_s: FloatArray
    impact_t_s: FloatArray
    first_det_t_s: FloatArray
    impact_en_m: FloatArray
    at_risk: NDArray[np.bool_]


def traced_group(
    seed: np.random.SeedSequence, n_rounds: int, threat: ThreatParams = THREAT
) -> tuple[Trace, GroupResult]:
    """Run one evaluation group (`warn.run_group`): its recorded predictions and its result."""
    tracer = Tracer()
    res = run_group(seed, n_rounds, 0, threat, recorder=tracer)
    names = [z.name for z in ZONES]
    a = np.array(tracer.rows, dtype=np.float64).reshape(-1, 10)
    tr = Trace(
        t_s=a[:, 0],
        round_idx=a[:, 1].astype(np.int64),
        track_id=a[:, 8].astype(np.int64),
        mean_en_m=a[:, 2:4],
        cov_en_m2=np.stack([a[:, 4], a[:, 5], a[:, 5], a[:, 6]], axis=1).reshape(-1, 2, 2),
        t_impact_s=a[:, 7],
        born_t_s=a[:, 9],
        impact_t_s=np.array([r.impact_t_s for r in res.rounds]),
        first_det_t_s=np.array([r.first_detection_t_s for r in res.rounds]),
        impact_en_m=np.array([r.impact_en_m for r in res.rounds], dtype=np.float64).reshape(-1, 2),
        at_risk=np.array([[n in r.at_risk for n in names] for r in res.rounds], dtype=bool).reshape(
            -1, len(ZONES)
        ),
    )
    return tr, res


def _traced(args: tuple[np.random.SeedSequence, int, ThreatParams]) -> Trace:
    return traced_group(*args)[0]


def trace(shots: int, seed: int, workers: int = 2, threat: ThreatParams = THREAT) -> Trace:
    """Run `shots` rounds on `seed` (groups as in `warn.evaluate`) and record the predictions."""
    n_groups = math.ceil(shots / ROUNDS_PER_GROUP)
    sizes = [min(ROUNDS_PER_GROUP, shots - g * ROUNDS_PER_GROUP) for g in range(n_groups)]
    main_ss = np.random.SeedSequence(seed).spawn(2)[0]
    jobs = [(s, n, threat) for s, n in zip(main_ss.spawn(n_groups), sizes, strict=True)]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return merge(list(pool.map(_traced, jobs)))
    return merge([_traced(j) for j in jobs])


def probabilities(tr: Trace, lethal_radius_m: float, sigma_scale: float = 1.0) -> FloatArray:
    """Hit probability (R, Z) of every recorded prediction against the evaluation's zones."""
    zones = HitZones.build(zone_geometries(ZONES), lethal_radius_m)
    out = np.zeros((tr.t_s.size, len(ZONES)))
    for lo in range(0, tr.t_s.size, 4096):
        sl = slice(lo, lo + 4096)
        out[sl] = hit_probability(zones, tr.mean_en_m[sl], tr.cov_en_m2[sl], sigma_scale)
    return out


EARLY_RATIO = 0.9
"""The warning-time ratio target (`warning_time_ratio_median` >= 0.9)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Score:
    """A rule's figures on a trace (as `warn.metrics` defines them), and `early_share`: the share of
    the pairs at risk warned with a ratio of at least `EARLY_RATIO`. The median ratio reaches 0.9
    exactly when that share passes one half; the ratios of the others sit far below (a zone not
    warned early is warned late), so the share, not the median, says how close a rule is to the
    edge."""

    ratio_median: float
    ratio_p10: float
    early_share: float
    recall: float
    precision: float
    zones_warned: int
    pairs_at_risk: int


def thresholds(tr: Trace, rule: ThreatParams) -> FloatArray:
    """Each row's warning threshold (R,) under `ThreatBook`'s rule (`book.warn_thresholds`) with the
    warning settings of `rule`."""
    return warn_thresholds(rule, tr.t_s, tr.born_t_s, tr.t_impact_s)


def first_warnings(
    tr: Trace, p_hit: FloatArray, threshold: float | FloatArray, hold_s: float
) -> FloatArray:
    """Time (K, Z) s of each round's first warning of each zone (inf: never) under the rule of
    `ThreatBook`: hit probability at or above `threshold` (one, or one per row: `thresholds`) for
    at least `hold_s` on one track, before the true impact. Vectorised: runs above the threshold
    start after each track's last row below."""
    order = np.lexsort((tr.t_s, tr.track_id))
    t, tid, rnd = tr.t_s[order], tr.track_id[order], tr.round_idx[order]
    thr = np.broadcast_to(np.asarray(threshold, dtype=np.float64), tr.t_s.shape)[order]
    above = p_hit[order] >= thr[:, None]
    n = t.size
    idx = np.broadcast_to(np.arange(n)[:, None], above.shape)
    new_track = np.r_[True, tid[1:] != tid[:-1]][:, None]
    below = np.where(~above, idx, -1)
    below = np.where(new_track & above, idx - 1, below)
    start = np.clip(np.maximum.accumulate(below, axis=0) + 1, 0, max(n - 1, 0))
    ok = above & (t[:, None] - t[start] >= hold_s - 1e-9)
    ok &= (t < tr.impact_t_s[rnd])[:, None]
    first = np.full(tr.at_risk.shape, np.inf)
    r, c = np.nonzero(ok)
    np.minimum.at(first, (rnd[r], c), t[r])
    return first


def score(tr: Trace, first: FloatArray) -> Score:
    """The figures of first warnings `first` (K, Z) s (see `first_warnings`)."""
    warned = np.isfinite(first)
    span = tr.impact_t_s - tr.first_det_t_s
    lead = np.where(warned, tr.impact_t_s[:, None] - first, 0.0)
    ratio = (lead / span[:, None])[tr.at_risk]
    n_warned = int(warned.sum())
    return Score(
        ratio_median=float(np.median(ratio)) if ratio.size else math.nan,
        ratio_p10=float(np.percentile(ratio, 10)) if ratio.size else math.nan,
        early_share=float(np.mean(ratio >= EARLY_RATIO)) if ratio.size else math.nan,
        recall=float(warned[tr.at_risk].mean()) if tr.at_risk.any() else math.nan,
        precision=float((warned & tr.at_risk).sum() / n_warned) if n_warned else math.nan,
        zones_warned=n_warned,
        pairs_at_risk=int(tr.at_risk.sum()),
    )


def sweep(
    tr: Trace,
    lethal_radius_m: float,
    scales: Sequence[float],
    thresholds: Sequence[float],
    holds_s: Sequence[float],
) -> list[tuple[float, float, float, Score]]:
    """Score every (sigma scale, warn probability, hold s) combination on one trace."""
    out = []
    for s in scales:
        p = probabilities(tr, lethal_radius_m, s)
        for th in thresholds:
            for h in holds_s:
                out.append((s, th, h, score(tr, first_warnings(tr, p, th, h))))
    return out


def merge(traces: Sequence[Trace]) -> Trace:
    """One trace of several (round indices and track ids kept apart)."""
    rounds = np.cumsum([0] + [t.impact_t_s.size for t in traces])
    tracks = np.cumsum([0] + [int(t.track_id.max(initial=0)) + 1 for t in traces])

    def cat(name: str) -> FloatArray:
        return np.concatenate([getattr(t, name) for t in traces]).astype(np.float64)

    return Trace(
        t_s=cat("t_s"),
        round_idx=np.concatenate([t.round_idx + r for t, r in zip(traces, rounds, strict=False)]),
        track_id=np.concatenate([t.track_id + k for t, k in zip(traces, tracks, strict=False)]),
        mean_en_m=cat("mean_en_m").reshape(-1, 2),
        cov_en_m2=cat("cov_en_m2").reshape(-1, 2, 2),
        t_impact_s=cat("t_impact_s"),
        born_t_s=cat("born_t_s"),
        impact_t_s=cat("impact_t_s"),
        first_det_t_s=cat("first_det_t_s"),
        impact_en_m=cat("impact_en_m").reshape(-1, 2),
        at_risk=np.concatenate([t.at_risk for t in traces]).reshape(-1, len(ZONES)),
    )


def reliability(
    tr: Trace, p_hit: FloatArray, edges: Sequence[float] = (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98)
) -> list[tuple[float, float, int, float, float]]:
    """Calibration of the hit probability: over every (prediction, zone) before impact whose
    probability lies in [lo, hi), (lo, hi, count, mean probability, share of them really at risk).
    Successive predictions of one round are correlated, so the counts overstate the evidence."""
    before = tr.t_s < tr.impact_t_s[tr.round_idx]
    p = p_hit[before].ravel()
    risk = tr.at_risk[tr.round_idx[before]].ravel()
    out = []
    for lo, hi in itertools.pairwise(edges):
        m = (p >= lo) & (p < hi)
        n = int(m.sum())
        out.append(
            (
                lo,
                hi,
                n,
                float(p[m].mean()) if n else math.nan,
                float(risk[m].mean()) if n else math.nan,
            )
        )
    return out


def first_prediction_ceiling(tr: Trace) -> tuple[float, float]:
    """What no rule can beat: the median warning-time ratio over the zones at risk if each were
    warned at its round's first accepted prediction, and the share of those zones whose round had
    no prediction within the first tenth of its flight (they cannot reach a ratio of 0.9)."""
    first = np.full(tr.impact_t_s.size, np.inf)
    np.minimum.at(first, tr.round_idx, tr.t_s)
    span = tr.impact_t_s - tr.first_det_t_s
    ratio = np.where(np.isfinite(first), (tr.impact_t_s - first) / span, 0.0)
    at_risk = np.repeat(ratio[:, None], tr.at_risk.shape[1], axis=1)[tr.at_risk]
    if not at_risk.size:
        return math.nan, math.nan
    return float(np.median(at_risk)), float((at_risk < 0.9).mean())


def consistency(
    tr: Trace, edges_s: Sequence[float] = (0.0, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0)
) -> list[tuple[float, float, int, float, float, float]]:
    """Is the predicted impact covariance honest? Over every prediction made in [lo, hi) s after
    its round's first detection: (lo, hi, count, mean and median squared Mahalanobis distance of
    the true impact from the predicted one, median 1-sigma spread sqrt(sqrt(det cov)) m). For a
    consistent 2-D estimate the mean is 2 and the median 2 ln 2 = 1.39; larger means over-confident,
    smaller cautious. Unlike `reliability`, this does not depend on where the rounds were aimed."""
    age = tr.t_s - tr.first_det_t_s[tr.round_idx]
    err = tr.impact_en_m[tr.round_idx] - tr.mean_en_m
    good = np.isfinite(err).all(axis=1) & (tr.t_s < tr.impact_t_s[tr.round_idx])
    d2 = np.full(age.size, np.nan)
    d2[good] = np.einsum(
        "ri,ri->r", err[good], np.linalg.solve(tr.cov_en_m2[good], err[good][..., None])[..., 0]
    )
    spread = np.sqrt(np.sqrt(np.clip(np.linalg.det(tr.cov_en_m2), 0.0, None)))
    out = []
    for lo, hi in itertools.pairwise(edges_s):
        m = good & (age >= lo) & (age < hi)
        n = int(m.sum())
        out.append(
            (
                lo,
                hi,
                n,
                float(d2[m].mean()) if n else math.nan,
                float(np.median(d2[m])) if n else math.nan,
                float(np.median(spread[m])) if n else math.nan,
            )
        )
    return out
