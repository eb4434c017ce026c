"""Tracker v1: converted-measurement constant-velocity Kalman filter, chi-square gating through a
kd-tree, global-nearest-neighbour association, M-of-N confirmation and deletion on misses.

One `Tracker.step(batch)` per sensor look, in time order. Per step, for the whole table at once:

1. convert the batch's (range, az, el) detections to ENU positions with their covariances
   (`measurement.converted_measurement`), after sorting them into a canonical order so that the result
   does not depend on the order the sensor listed them in;
2. predict every track to the batch time, in place (`predictor.predict_inplace`);
3. gate (`gating.gate`) and associate by GNN (`association.gnn`), confirmed tracks first, then tentative
   tracks with the detections left over (a tentative track never takes a confirmed track's detection);
4. Kalman-update the assigned tracks (`updater.update`), record hits and misses, confirm, delete
   (`lifecycle`);
5. start a tentative track from every detection left unassigned: position from the detection with its
   converted covariance, velocity zero with `init_speed_sigma_mps` standard deviation per axis.

Every batch counts as a scan for every track (v1 has no sensor coverage model). A batch earlier than the
latest one processed is rejected whole and changes nothing (out-of-sequence processing is future work);
detections with non-finite values are dropped and counted. Only the measurements, their sigmas and the
sensor position are read from a batch -- never `truth_id`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.core.params import TrackerParams
from bastion.core.records import DetectionBatch
from bastion.tracking import lifecycle
from bastion.tracking.association import gnn
from bastion.tracking.gating import gate
from bastion.tracking.measurement import converted_measurement
from bastion.tracking.predictor import predict, predict_inplace
from bastion.tracking.table import TrackTable
from bastion.tracking.updater import update

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_RCS_FLOOR_M2 = 1e-6
_EMPTY_IDS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TrackerStep:
    """What one `Tracker.step` changed. All id arrays are int64 and sorted ascending.

    `confirmed_ids`: tracks confirmed in this step. `updated_ids`: tracks (tentative or confirmed,
    new ones excluded) updated with a detection. `born_ids`: tentative tracks started. `lost_ids`:
    every track deleted; `lost_confirmed_ids`: those of them that had been confirmed.
    `n_rejected_detections`: detections dropped for non-finite values. `rejected_reason` is empty
    unless the whole batch was rejected (then nothing changed). `det_track_id` gives, for each
    detection in the batch's own order, the track it updated or started (-1 if none).
    """

    t_s: float
    confirmed_ids: IntArray
    updated_ids: IntArray
    born_ids: IntArray
    lost_ids: IntArray
    lost_confirmed_ids: IntArray
    n_rejected_detections: int = 0
    rejected_reason: str = ""
    det_track_id: IntArray = field(default_factory=lambda: _EMPTY_IDS.copy())


def _rejected(t_s: float, reason: str, n_det: int) -> TrackerStep:
    return TrackerStep(
        t_s=t_s,
        confirmed_ids=_EMPTY_IDS.copy(),
        updated_ids=_EMPTY_IDS.copy(),
        born_ids=_EMPTY_IDS.copy(),
        lost_ids=_EMPTY_IDS.copy(),
        lost_confirmed_ids=_EMPTY_IDS.copy(),
        n_rejected_detections=n_det,
        rejected_reason=reason,
    )


def _canonical_order(
    rng: FloatArray, az: FloatArray, el: FloatArray, rr: FloatArray, rcs: FloatArray
) -> IntArray:
    """A detection order that depends only on the detections' values: by range, with the other
    measurements breaking exact ties (checked, since a full lexsort costs several times more)."""
    order = np.argsort(rng, kind="stable")
    r_sorted = rng[order]
    if r_sorted.shape[0] > 1 and bool(np.any(r_sorted[1:] == r_sorted[:-1])):
        order = np.lexsort((rcs, rr, el, az, rng))
    return order.astype(np.int64, copy=False)


class Tracker:
    """Multi-target tracker over a `TrackTable`; see the module docstring for the algorithm."""

    __slots__ = ("_last_t_s", "_params", "_table")

    def __init__(self, params: TrackerParams, *, capacity: int = 64) -> None:
        if not 1 <= params.confirm_m <= params.confirm_n <= 64:
            raise ValueError(
                f"TrackerParams needs 1 <= confirm_m <= confirm_n <= 64, got "
                f"confirm_m={params.confirm_m}, confirm_n={params.confirm_n}"
            )
        if params.gate_chi2 <= 0 or params.delete_misses < 1:
            raise ValueError("TrackerParams needs gate_chi2 > 0 and delete_misses >= 1")
        self._params = params
        self._table = TrackTable(capacity)
        self._last_t_s = -math.inf

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
        return self._last_t_s

    def predict(self, t_s: float) -> tuple[FloatArray, FloatArray]:
        """Every row's state and covariance predicted to `t_s`, as new arrays (x (N, 6), P (N, 6, 6));
        the table is not changed. Rows whose own time is later than `t_s` are returned as they are
        (never predicted backwards)."""
        tb = self._table
        dt = np.maximum(t_s - tb.t_s, 0.0)
        return predict(tb.x, tb.P, dt, self._params.process_accel_mps2)

    def remove(self, track_ids: IntArray) -> IntArray:
        """Delete the given tracks (e.g. an object destroyed); returns the ids actually removed."""
        tb = self._table
        ids = np.asarray(track_ids, dtype=np.int64).ravel()
        gone = np.isin(tb.track_id, ids)
        removed = np.sort(tb.track_id[gone])
        tb.keep(~gone)
        return removed

    def step(self, batch: DetectionBatch) -> TrackerStep:
        """Process one sensor look at `batch.t_s`; returns what changed (see `TrackerStep`)."""
        p = self._params
        tb = self._table
        t_s = float(batch.t_s)
        m_all = len(batch)
        if not math.isfinite(t_s):
            return _rejected(t_s, f"batch from {batch.sensor_id!r} has non-finite t_s", m_all)
        if t_s < self._last_t_s:
            return _rejected(
                t_s,
                f"batch from {batch.sensor_id!r} at t_s={t_s} is older than the last processed "
                f"t_s={self._last_t_s} (out-of-sequence input is not supported)",
                m_all,
            )
        self._last_t_s = t_s

        # 1. Canonical detection order, finite detections only, converted to ENU.
        rng, az, el = batch.range_m, batch.az_rad, batch.el_rad
        rr, rcs = batch.range_rate_mps, batch.rcs_m2
        order = _canonical_order(rng, az, el, rr, rcs)
        finite = np.isfinite(rng + az + el)
        n_bad = int(m_all - np.count_nonzero(finite))
        if n_bad:
            order = order[finite[order]]
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

        # 2. Predict every track to the batch time (all rows are at or before it).
        n = tb.n
        if n:
            predict_inplace(tb.x, tb.P, t_s - tb.t_s, p.process_accel_mps2)
            tb.t_s[:] = t_s

        # 3. Gate, then GNN: confirmed tracks first, tentative tracks on what is left.
        at = ad = _EMPTY_IDS
        if n and m:
            trk, det, d2 = gate(tb.x[:, :3], tb.P[:, :3, :3], z, R, p.gate_chi2)
            conf = tb.confirmed[trk]
            at1, ad1 = gnn(trk[conf], det[conf], d2[conf], p.gate_chi2)
            used = np.zeros(m, dtype=bool)
            used[ad1] = True
            rest = ~conf & ~used[det]
            at2, ad2 = gnn(trk[rest], det[rest], d2[rest], p.gate_chi2)
            at = np.concatenate([at1, at2])
            ad = np.concatenate([ad1, ad2])

        det_track_id = np.full(m_all, -1, dtype=np.int64)
        if at.shape[0]:
            det_track_id[order[ad]] = tb.track_id[at]

        # 4. Update, record the scan, confirm, delete.
        updated_ids = _EMPTY_IDS
        confirmed_ids = _EMPTY_IDS
        lost_ids = lost_confirmed_ids = _EMPTY_IDS
        if n:
            if at.shape[0]:
                x_up, P_up = update(
                    tb.x.take(at, axis=0),
                    tb.P.take(at, axis=0),
                    z.take(ad, axis=0),
                    R.take(ad, axis=0),
                )
                tb.x[at] = x_up
                tb.P[at] = P_up
                nu = tb.n_updates[at] + 1
                tb.n_updates[at] = nu
                lr = np.log10(np.maximum(rcs[ad], _RCS_FLOOR_M2))
                tb.rcs_log_mean[at] += (lr - tb.rcs_log_mean[at]) / nu
                tb.range_rate_mps[at] = rr[ad]
                updated_ids = np.sort(tb.track_id[at])
            hit = np.zeros(n, dtype=bool)
            hit[at] = True
            lifecycle.record_scan(tb, hit)
            new_conf, dead = lifecycle.judge(tb, p)
            if new_conf.any():
                tb.confirmed[new_conf] = True
                tb.confirmed_t_s[new_conf] = t_s
                confirmed_ids = tb.track_id[new_conf].copy()
            if dead.any():
                lost_ids = tb.track_id[dead].copy()
                lost_confirmed_ids = tb.track_id[dead & tb.confirmed].copy()
                tb.keep(~dead)

        # 5. Start tentative tracks from unassigned detections.
        born_ids = _EMPTY_IDS
        free = np.ones(m, dtype=bool)
        free[ad] = False
        k = int(np.count_nonzero(free))
        if k:
            born_ids = tb.append_detections(
                z_m=z.compress(free, axis=0),
                R_m2=R.compress(free, axis=0),
                speed_var_m2ps2=p.init_speed_sigma_mps * p.init_speed_sigma_mps,
                t_s=t_s,
                rcs_log=np.log10(np.maximum(rcs[free], _RCS_FLOOR_M2)),
                range_rate_mps=rr[free],
            )
            det_track_id[order[free]] = born_ids

        return TrackerStep(
            t_s=t_s,
            confirmed_ids=np.sort(confirmed_ids),
            updated_ids=updated_ids,
            born_ids=born_ids,
            lost_ids=np.sort(lost_ids),
            lost_confirmed_ids=np.sort(lost_confirmed_ids),
            n_rejected_detections=n_bad,
            det_track_id=det_track_id,
        )
