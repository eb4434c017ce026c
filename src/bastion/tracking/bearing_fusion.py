"""Bearings into tracks: associate a direction finder's bearings with confirmed tracks and update them.

A bearing has no range, so it can neither start a track nor say that a track was missed: it only
narrows an existing track across the line of sight (`bearing.bearing_update`, a partial measurement).
Association is global nearest neighbour on the angle innovation: for every (confirmed track,
bearing) pair the innovation v = wrap(z - h(x)) in azimuth (and elevation, when every bearing of the
look has one) with covariance S = H P H^T + R, and the pairs with v^T S^-1 v at most the gate
(chi-square with 1 or 2 degrees of freedom at the tracker's gate probability) compete in
`association.gnn`. The work is vectorised over all pairs; a look holds a few bearings, so the N x M
pairs stay small.

Two tracks on one line of sight are indistinguishable to a single finder; the gate then holds both
and GNN gives the bearing to the closer in Mahalanobis distance. Triangulation comes from a second
finder or a radar; docs/tracking.md warns against tracks held up by one finder alone.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from bastion.core.measurements import BearingBatch
from bastion.tracking.association import gnn
from bastion.tracking.bearing import bearing_h, bearing_jacobian, bearing_update
from bastion.tracking.filters import CvFilter, ImmFilter, MeasurementFn
from bastion.tracking.kalman_update import UpdateResult, wrap_angle
from bastion.tracking.table import TrackTable
from bastion.tracking.validate import Rejection

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_EMPTY = np.zeros(0, dtype=np.int64)


def bearing_problem(batch: BearingBatch) -> str:
    """Why a whole bearing look cannot be used ('' if it can)."""
    sid = batch.sensor_id
    pos = np.asarray(batch.sensor_enu_m, dtype=np.float64)
    if not math.isfinite(batch.t_s):
        return f"bearings from {sid!r} have a non-finite t_s"
    if pos.shape != (3,) or not np.all(np.isfinite(pos)):
        return f"bearings from {sid!r} have an invalid sensor position {pos.tolist()!r}"
    sig = (batch.sigma_az_rad, batch.sigma_el_rad)
    if not all(math.isfinite(s) and s > 0.0 for s in sig):
        return f"bearings from {sid!r} have non-positive or non-finite sigmas {sig!r}"
    if batch.el_rad.shape != batch.az_rad.shape:
        return f"bearings from {sid!r} have azimuth and elevation arrays of unequal length"
    return ""


def valid_bearings(batch: BearingBatch) -> BoolArray:
    """Bearings (M,) with a finite azimuth and an elevation that is NaN or within [-pi/2, pi/2]."""
    el = batch.el_rad
    with np.errstate(invalid="ignore"):
        el_ok = np.isnan(el) | (np.abs(el) <= np.pi / 2)
    ok: BoolArray = np.isfinite(batch.az_rad) & el_ok
    return ok


def associate(
    x: FloatArray,
    P: FloatArray,
    rows: IntArray,
    az_rad: FloatArray,
    el_rad: FloatArray | None,
    batch: BearingBatch,
    gate_probability: float,
) -> tuple[IntArray, IntArray]:
    """GNN between the track `rows` of states `x` (N, d), `P` (N, d, d) and bearings `az_rad` (M,)
    (with `el_rad` (M,) or None). Returns assigned (track rows, bearing indices)."""
    if rows.shape[0] == 0 or az_rad.shape[0] == 0:
        return _EMPTY.copy(), _EMPTY.copy()
    with_el = el_rad is not None
    m_dim = 2 if with_el else 1
    xs, Ps = x.take(rows, axis=0), P.take(rows, axis=0)
    sensor = np.asarray(batch.sensor_enu_m, dtype=np.float64)
    h = bearing_h(xs, sensor, with_el)  # (K, m)
    H = bearing_jacobian(xs, np.broadcast_to(sensor, (xs.shape[0], 3)), with_el)  # (K, m, d)
    S = H @ Ps @ np.swapaxes(H, 1, 2)  # (K, m, m)
    S[:, 0, 0] += batch.sigma_az_rad**2
    z = az_rad[:, None] if el_rad is None else np.stack([az_rad, el_rad], axis=1)
    if with_el:
        S[:, 1, 1] += batch.sigma_el_rad**2
    v = wrap_angle(z[None, :, :] - h[:, None, :])  # (K, M, m)
    if m_dim == 1:
        d2 = v[:, :, 0] ** 2 / S[:, None, 0, 0]
    else:
        a, b, c = S[:, None, 0, 0], S[:, None, 0, 1], S[:, None, 1, 1]
        det = a * c - b * b
        d2 = (c * v[:, :, 0] ** 2 - 2 * b * v[:, :, 0] * v[:, :, 1] + a * v[:, :, 1] ** 2) / det
    gate = float(chi2.ppf(gate_probability, m_dim))
    k_idx, j_idx = np.nonzero(d2 <= gate)
    if k_idx.shape[0] == 0:
        return _EMPTY.copy(), _EMPTY.copy()
    at, ad = gnn(k_idx.astype(np.int64), j_idx.astype(np.int64), d2[k_idx, j_idx], gate)
    return rows.take(at), ad


def update_fn(batch: BearingBatch, az_rad: FloatArray, el_rad: FloatArray | None) -> MeasurementFn:
    """The bearing EKF update of rows assigned the bearings `az_rad` (K,) (and `el_rad`)."""

    def fn(x: FloatArray, P: FloatArray, rep: int) -> UpdateResult:
        az = az_rad if rep == 1 else np.repeat(az_rad, rep)
        el = None if el_rad is None else (el_rad if rep == 1 else np.repeat(el_rad, rep))
        return bearing_update(
            x, P, az, el, batch.sigma_az_rad, batch.sigma_el_rad, batch.sensor_enu_m
        )

    return fn


def fuse(
    tb: TrackTable, filt: CvFilter | ImmFilter, batch: BearingBatch, gate_probability: float
) -> tuple[IntArray, IntArray, tuple[Rejection, ...]]:
    """Associate and apply one bearing look to the confirmed tracks of `tb`, already predicted to
    the look's time. Returns the updated rows, the track each bearing went to (M,; -1 none) and
    the bearings refused."""
    ok = valid_bearings(batch)
    n_bad = len(batch) - int(np.count_nonzero(ok))
    rejections: tuple[Rejection, ...] = ()
    if n_bad:
        why = "non-finite azimuth or elevation outside [-90, 90] degrees"
        rejections = (Rejection(sensor_id=batch.sensor_id, reason=why, count=n_bad),)
    idx = np.flatnonzero(ok)
    az = batch.az_rad[idx]
    el = batch.el_rad[idx] if bool(np.all(np.isfinite(batch.el_rad[idx]))) else None
    at, ad = associate(tb.x, tb.P, np.flatnonzero(tb.confirmed), az, el, batch, gate_probability)
    det_track_id = np.full(len(batch), -1, dtype=np.int64)
    if at.shape[0]:
        filt.update_with(tb, at, update_fn(batch, az[ad], None if el is None else el[ad]))
        det_track_id[idx[ad]] = tb.track_id[at]
    return at, det_track_id, rejections
