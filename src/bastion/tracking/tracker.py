"""The tracker: one `Tracker.step(batch)` per sensor look, several sensors into one track picture.

Per batch, for the whole table at once:

1. check the batch (`validate`): a batch in an unknown frame, with a non-finite time or position, or
   older than the out-of-sequence lag is refused whole; impossible detections (non-finite, negative
   range, beyond the sensor's range) are dropped and reported with their reason;
2. convert the detections, in a canonical order so that the result does not depend on the order the
   sensor listed them in, to ENU positions with their covariances (`measurement`);
3. predict every track to the batch time with the configured filter (`filters`: constant velocity,
   or the IMM's mix and predict);
4. gate (`gating`) and associate, confirmed tracks first, then tentative tracks with the detections
   left over (a tentative track never takes a confirmed track's detection);
5. update the assigned tracks, record a hit or a miss for every track inside this sensor's coverage
   (range and elevation band; tracks outside are not charged), confirm and delete (`lifecycle`);
6. start a tentative track from every detection left unassigned: position from the detection with its
   converted covariance, velocity zero with `init_speed_sigma_mps` standard deviation per axis.

A batch older than the newest processed one, by at most `TrackerParams.oosm_lag_s`, is fused by
rolling back and reprocessing (`replay`): the result is the one in-order arrival would have given.
Only the measurements, their sigmas, the coverage and the sensor position are read from a batch --
never `truth_id`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from bastion.core.measurements import BearingBatch, DetectionBatch
from bastion.core.params import TrackerParams
from bastion.tracking import bearing_fusion, lifecycle
from bastion.tracking.association import gnn_confirmed_first
from bastion.tracking.coverage import Sensors
from bastion.tracking.filters import PdaPairs, make_filter, radar_update_fn
from bastion.tracking.gating import gate, speed_gate
from bastion.tracking.jpda import free_detections, jpda, shared_scan_llr
from bastion.tracking.measurement import canonical_order, converted_measurement
from bastion.tracking.predictor import predict
from bastion.tracking.replay import Processed, ReplayBuffer, reused_ids
from bastion.tracking.score import initial_score, judge_score
from bastion.tracking.step import EMPTY_IDS as _EMPTY_IDS
from bastion.tracking.step import TrackerStep, rejected
from bastion.tracking.table import TrackTable
from bastion.tracking.validate import batch_problem, valid_detections

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_RCS_FLOOR_M2 = 1e-6


class Tracker:
    """Multi-target, multi-sensor tracker over a `TrackTable`; see the module docstring."""

    __slots__ = (
        "_filter",
        "_gate_probability",
        "_jpda",
        "_last_t_s",
        "_params",
        "_removed",
        "_replay",
        "_reuse_from",
        "_score",
        "_score_hit",
        "_score_miss",
        "_sensors",
        "_table",
    )

    def __init__(self, params: TrackerParams, *, capacity: int = 64) -> None:
        if not 1 <= params.confirm_m <= params.confirm_n <= 64:
            raise ValueError(
                f"TrackerParams needs 1 <= confirm_m <= confirm_n <= 64, got "
                f"confirm_m={params.confirm_m}, confirm_n={params.confirm_n}"
            )
        if params.gate_chi2 <= 0 or params.delete_misses < 1 or params.oosm_lag_s < 0:
            raise ValueError(
                "TrackerParams needs gate_chi2 > 0, delete_misses >= 1 and oosm_lag_s >= 0"
            )
        self._params = params
        self._filter = make_filter(params)
        self._jpda, self._score = lifecycle.association_params(params)
        pg = float(chi2.cdf(params.gate_chi2, 3))
        self._score_hit = math.log(params.pd / params.false_alarm_density_per_m3)
        self._score_miss = math.log1p(-params.pd * pg)
        self._gate_probability = pg
        self._table = TrackTable(
            capacity, n_models=self._filter.n_models, history_points=params.history_points
        )
        self._last_t_s = -np.inf
        self._replay = ReplayBuffer(params.oosm_lag_s)
        self._removed: list[tuple[float, IntArray]] = []
        self._reuse_from = -1
        self._sensors = Sensors()

    @property
    def params(self) -> TrackerParams:
        """The tracker's parameters."""
        return self._params

    @property
    def table(self) -> TrackTable:
        """The live track table (read it; mutate only through the tracker)."""
        return self._table

    @property
    def last_t_s(self) -> float:
        """Time of the latest batch processed, s (-inf before the first)."""
        return float(self._last_t_s)

    def predict(self, t_s: float) -> tuple[FloatArray, FloatArray]:
        """Every row's state and covariance predicted to `t_s`, as new arrays (x (N, 6), P (N, 6, 6));
        the table is not changed. Rows whose own time is later than `t_s` are returned as they are
        (never predicted backwards)."""
        tb = self._table
        dt = np.maximum(t_s - tb.t_s, 0.0)
        return predict(tb.x, tb.P, dt, self._params.process_accel_mps2)

    def history(self, track_id: int) -> tuple[FloatArray, FloatArray]:
        """A live track's recent path, oldest first: times (k,) s and states (k, 6) [e, n, u, ve,
        vn, vu] site ENU, at most `history_points`, at least `history_period_s` apart."""
        return self._table.history(track_id)

    def remove(self, track_ids: IntArray) -> IntArray:
        """Delete the given tracks (e.g. an object destroyed); returns the ids actually removed."""
        tb = self._table
        ids = np.asarray(track_ids, dtype=np.int64).ravel()
        gone = np.isin(tb.track_id, ids)
        removed = np.sort(tb.track_id[gone])
        tb.keep(~gone)
        if self._params.oosm_lag_s > 0 and removed.size:
            self._removed.append((float(self._last_t_s), removed))
        return removed

    def step(self, batch: DetectionBatch) -> TrackerStep:
        """Process one sensor look at `batch.t_s`; returns what changed (see `TrackerStep`)."""
        t_s = float(batch.t_s)
        problem = batch_problem(batch)
        if problem:
            return rejected(t_s, problem, len(batch))
        if t_s < self._last_t_s:
            late_s = self._last_t_s - t_s
            if late_s > self._params.oosm_lag_s:
                return rejected(
                    t_s,
                    f"batch from {batch.sensor_id!r} at t_s={t_s} is older than the last processed "
                    f"t_s={self._last_t_s} by {late_s:.3f} s, more than the out-of-sequence lag "
                    f"of {self._params.oosm_lag_s} s",
                    len(batch),
                )
            return self._fuse_late(batch)
        self._last_t_s = t_s
        return self._process(batch, None)

    def step_bearings(self, batch: BearingBatch) -> TrackerStep:
        """Refine confirmed tracks with one direction finder's bearings at `batch.t_s` (see
        `bearing_fusion`): no track is started, confirmed or deleted by bearings. A look older
        than the newest processed one is fused like a late radar look (within `oosm_lag_s`)."""
        t_s = float(batch.t_s)
        problem = bearing_fusion.bearing_problem(batch)
        if not problem and t_s < self._last_t_s - self._params.oosm_lag_s:
            problem = (
                f"bearings from {batch.sensor_id!r} at t_s={t_s} are older than the last "
                f"processed t_s={self._last_t_s} by more than the out-of-sequence lag"
            )
        if problem:
            return rejected(t_s, problem, len(batch))
        if t_s < self._last_t_s:
            return self._fuse_late(batch)
        self._last_t_s = t_s
        return self._process(batch, None)

    def _process_bearings(self, batch: BearingBatch) -> TrackerStep:
        tb = self._table
        t_s = float(batch.t_s)
        if self._params.oosm_lag_s > 0:
            snapshot = tb.copy()
        self._filter.predict(tb, t_s)
        rows, det_track_id, rejections = bearing_fusion.fuse(
            tb, self._filter, batch, self._gate_probability
        )
        if self._params.oosm_lag_s > 0:
            self._replay.push(Processed(t_s, snapshot, batch, det_track_id))
        return TrackerStep(
            t_s=t_s,
            confirmed_ids=_EMPTY_IDS.copy(),
            updated_ids=np.sort(tb.track_id[rows]),
            born_ids=_EMPTY_IDS.copy(),
            lost_ids=_EMPTY_IDS.copy(),
            lost_confirmed_ids=_EMPTY_IDS.copy(),
            n_rejected_detections=sum(r.count for r in rejections),
            det_track_id=det_track_id,
            rejections=rejections,
        )

    # ---- out of sequence ------------------------------------------------------------------------
    def _fuse_late(self, batch: DetectionBatch | BearingBatch) -> TrackerStep:
        """Roll back to before the first batch later than `batch`, process it, redo the rest."""
        tb = self._table
        before_ids = tb.track_id.copy()
        conf = tb.confirmed
        conf_ids, conf_t = tb.track_id[conf].copy(), tb.confirmed_t_s[conf].copy()
        later = self._replay.split_after(batch.t_s)
        tb.restore(later[0].before)
        self._reuse_from = later[0].before.next_id
        res = self._process(batch, None)
        for item in later:
            self._process(item.batch, item.det_track_id)
        self._reuse_from = -1
        horizon = self._last_t_s - self._params.oosm_lag_s
        self._removed = [(t, ids) for t, ids in self._removed if t >= horizon]
        if self._removed:
            tb.keep(~np.isin(tb.track_id, np.concatenate([ids for _, ids in self._removed])))
        # Confirmation is never taken back: the rest of the system has been told.
        rows = np.flatnonzero(np.isin(tb.track_id, conf_ids))
        back = rows[~tb.confirmed[rows]]
        if back.size:
            tb.confirmed[back] = True
            tb.confirmed_t_s[back] = conf_t[np.searchsorted(conf_ids, tb.track_id[back])]
        live = tb.track_id
        lost = np.setdiff1d(before_ids, live)
        det = res.det_track_id
        return TrackerStep(
            t_s=res.t_s,
            confirmed_ids=np.setdiff1d(live[tb.confirmed], conf_ids),
            updated_ids=np.intersect1d(np.setdiff1d(det[det >= 0], res.born_ids), live),
            born_ids=np.setdiff1d(live, before_ids),
            lost_ids=lost,
            lost_confirmed_ids=np.intersect1d(lost, conf_ids),
            n_rejected_detections=res.n_rejected_detections,
            det_track_id=det,
            rejections=res.rejections,
            n_replayed=len(later),
        )

    # ---- one batch ------------------------------------------------------------------------------
    def _process(self, batch: DetectionBatch | BearingBatch, reuse: IntArray | None) -> TrackerStep:
        """Fuse one look at or after every row's time. `reuse` (M,): ids the look's detections
        went to the first time round (a replay re-creates tracks under the same ids)."""
        if isinstance(batch, BearingBatch):
            return self._process_bearings(batch)
        p = self._params
        tb = self._table
        t_s = float(batch.t_s)
        m_all = len(batch)
        if p.oosm_lag_s > 0:
            snapshot = tb.copy()

        # 1-2. Valid detections in canonical order, converted to ENU.
        ok, rejections = valid_detections(batch)
        rng, az, el = batch.range_m, batch.az_rad, batch.el_rad
        rr, rcs = batch.range_rate_mps, batch.rcs_m2
        order = canonical_order(rng, az, el, rr, rcs)
        n_bad = m_all - int(np.count_nonzero(ok))
        if n_bad:
            order = order[ok[order]]
        rng, az, el, rr, rcs = rng[order], az[order], el[order], rr[order], rcs[order]
        z, R = converted_measurement(
            rng,
            az,
            el,
            batch.sensor_enu_m,
            batch.sigma_range_m,
            batch.sigma_az_rad,
            batch.sigma_el_rad,
        )
        m = z.shape[0]

        # 3. Predict every track to the batch time (all rows are at or before it).
        n = tb.n
        self._filter.predict(tb, t_s)

        # 4. Gate, associate, update.
        score_inc: FloatArray | None = None
        loglik: FloatArray | None = None
        if n and m:
            trk, det, d2 = gate(tb.x[:, :3], tb.P[:, :3, :3], z, R, p.gate_chi2)
            trk, det, d2 = speed_gate(tb, trk, det, d2, z, R, t_s, p.max_speed_mps)
        else:
            trk = det = _EMPTY_IDS
            d2 = np.zeros(0)
        if self._jpda is not None and n:
            res = jpda(tb.x, tb.P, z, R, trk, det, d2, self._jpda)
            self._filter.update_pda(tb, PdaPairs(trk, det, res.beta), z, R, self._jpda)
            at = np.flatnonzero(res.best_det >= 0)
            ad = res.best_det[at]
            free = free_detections(res.det_assoc_prob)
            if self._score is not None:
                score_inc = shared_scan_llr(
                    tb.P, R, trk, det, d2, res.beta, res.det_assoc_prob, self._jpda
                )
        else:
            at, ad = gnn_confirmed_first(trk, det, d2, tb.confirmed, m, p.gate_chi2)
            free = np.ones(m, dtype=bool)
            free[ad] = False
            if at.shape[0] and p.radar_update != "converted":
                polar = np.stack([rng[ad], az[ad], el[ad], rr[ad]], axis=1)
                loglik = self._filter.update_with(tb, at, radar_update_fn(batch, polar, p))
            elif at.shape[0]:
                loglik = self._filter.update(
                    tb, at, z.take(ad, axis=0), R.take(ad, axis=0), loglik=self._score is not None
                )
            if at.shape[0] and self._score is not None and loglik is not None:
                score_inc = np.full(n, self._score_miss)
                score_inc[at] = self._score_hit + loglik

        det_track_id = np.full(m_all, -1, dtype=np.int64)
        if at.shape[0]:
            det_track_id[order[ad]] = tb.track_id[at]

        # 5. Record the scan for the tracks in coverage, confirm, delete.
        updated_ids = confirmed_ids = lost_ids = lost_confirmed_ids = _EMPTY_IDS
        if n:
            if at.shape[0]:
                nu = tb.n_updates[at] + 1
                tb.n_updates[at] = nu
                lr = np.log10(np.maximum(rcs[ad], _RCS_FLOOR_M2))
                tb.rcs_log_mean[at] += (lr - tb.rcs_log_mean[at]) / nu
                tb.range_rate_mps[at] = rr[ad]
                updated_ids = (
                    np.unique(tb.track_id[at])
                    if self._jpda is not None
                    else np.sort(tb.track_id[at])
                )
            hit = np.zeros(n, dtype=bool)
            hit[at] = True
            scanned = self._sensors.scanned(tb.x, batch)
            lifecycle.record_scan(tb, hit, scanned)
            new_conf, dead = self._judge(tb, hit, scanned, score_inc)
            if new_conf.any():
                tb.confirmed[new_conf] = True
                tb.confirmed_t_s[new_conf] = t_s
                confirmed_ids = tb.track_id[new_conf].copy()
            if dead.any():
                lost_ids = tb.track_id[dead].copy()
                lost_confirmed_ids = tb.track_id[dead & tb.confirmed].copy()
                tb.keep(~dead)

        # 6. Start tentative tracks from unassigned detections.
        born_ids = _EMPTY_IDS
        k = int(np.count_nonzero(free))
        if k:
            z_new, R_new = z.compress(free, axis=0), R.compress(free, axis=0)
            born_ids = tb.append_detections(
                z_m=z_new,
                R_m2=R_new,
                speed_var_m2ps2=p.init_speed_sigma_mps * p.init_speed_sigma_mps,
                t_s=t_s,
                rcs_log=np.log10(np.maximum(rcs[free], _RCS_FLOOR_M2)),
                range_rate_mps=rr[free],
                ids=None if reuse is None else reused_ids(tb, reuse[order[free]], self._reuse_from),
            )
            self._filter.init(tb, slice(tb.n - k, tb.n), z_new, R_new)
            if self._score is not None:
                tb.score[tb.n - k :] = tb.score_peak[tb.n - k :] = initial_score(k, self._score)
            det_track_id[order[free]] = born_ids

        tb.record_history(p.history_period_s)
        if p.oosm_lag_s > 0:
            self._replay.push(Processed(t_s, snapshot, batch, det_track_id))
        return TrackerStep(
            t_s=t_s,
            confirmed_ids=np.sort(confirmed_ids),
            updated_ids=updated_ids,
            born_ids=np.sort(born_ids),
            lost_ids=np.sort(lost_ids),
            lost_confirmed_ids=np.sort(lost_confirmed_ids),
            n_rejected_detections=n_bad,
            det_track_id=det_track_id,
            rejections=rejections,
        )

    def _judge(
        self,
        tb: TrackTable,
        hit: BoolArray,
        scanned: BoolArray | None,
        score_inc: FloatArray | None,
    ) -> tuple[BoolArray, BoolArray]:
        """Rows to confirm and rows to delete after a scan, by M-of-N or by track score (only the
        rows in the sensor's coverage, or hit, take this scan's score increment)."""
        if self._score is None:
            return lifecycle.judge(tb, self._params)
        inc = np.full(tb.n, self._score_miss) if score_inc is None else score_inc
        rows = slice(None) if scanned is None else np.flatnonzero(scanned | hit)
        tb.score[rows] += inc[rows]
        tb.score_peak[rows] = np.maximum(tb.score_peak[rows], tb.score[rows])
        return judge_score(tb.score, tb.score_peak, tb.confirmed, self._score)
