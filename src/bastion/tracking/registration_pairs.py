"""Pairs (radar detection, cooperative aircraft) for sensor registration, and their linearisation.

Used by `bastion.tracking.registration` (see its docstring for the model and sign conventions).
Per radar look, in three array steps and no loop per detection:

1. `cooperative_arrays`: the cooperative reports of the last few seconds, without the flagged ones
   (`RegistrationParams.reject_flags`), reduced to one report per aircraft (key ``source:ident``):
   the one nearest in time to the look's estimated true time, at most `max_report_age_s` away.
2. `find_pairs`: each aircraft's report extrapolated with its velocity to the look's true time
   t_stamp - tau, turned into (range, azimuth, elevation) about the radar (flat site ENU, as
   `bastion.core.geo.enu2aer`), and the innovation of every (detection, aircraft) pair with its
   covariance S = H P H^T + R, P the bias estimate's covariance. A pair is in the gate when
   nu^T S^-1 nu <= `gate_chi2`. Only unambiguous pairs are kept: the detection is in the gate of
   that aircraft only and the aircraft's gate holds that detection only. Detections with a non-finite
   measurement are never paired. Because P is in S, the gate
   is degrees and hundreds of metres wide while the bias is unknown and shrinks as it converges.
3. The kept pairs' (range, azimuth) innovations, Jacobians d h / d(az_bias, time_offset, range_bias)
   and noise variances, for the stacked Kalman update.

Noise per pair: sigma_p^2 = sigma_report^2 + (sigma_velocity * |dt|)^2 isotropic in ENU (dt the
extrapolation time), so R = diag(sigma_r^2 + sigma_p^2, sigma_az^2 + sigma_p^2 / g^2,
sigma_el^2 + (sigma_p^2 + sigma_height^2) / r^2) with g the ground range and r the slant range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from bastion.core.geo import wrap_pi
from bastion.core.measurements import CooperativeReport, DetectionBatch

if TYPE_CHECKING:
    from bastion.tracking.registration import RegistrationParams

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

AZ, TAU, RHO = 0, 1, 2
"""Indices of az_bias_rad, time_offset_s and range_bias_m in the bias vector."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class CoopArrays:
    """One report per cooperative aircraft (A of them): `keys` ``source:ident``, report time `t_s`
    (A,) run-clock s, `position_m` (A, 3) site ENU m, `velocity_mps` (A, 3) ENU m/s, `sigma_m` (A,)
    1-sigma position error per axis, m."""

    keys: tuple[str, ...]
    t_s: FloatArray
    position_m: FloatArray
    velocity_mps: FloatArray
    sigma_m: FloatArray


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class PairSet:
    """K unambiguous pairs: `det_index`, `coop_index` (K,); `innovation` (K, 2) (range m, azimuth
    rad, wrapped); `jacobian` (K, 2, 3) d(range, az) / d(az_bias, time_offset, range_bias);
    `noise_var` (K, 2) (m^2, rad^2); `n_ambiguous` aircraft left out by the ambiguity rule."""

    det_index: IntArray
    coop_index: IntArray
    innovation: FloatArray
    jacobian: FloatArray
    noise_var: FloatArray
    n_ambiguous: int = 0


def _no_pairs(n_ambiguous: int = 0) -> PairSet:
    return PairSet(
        det_index=np.zeros(0, dtype=np.int64),
        coop_index=np.zeros(0, dtype=np.int64),
        innovation=np.zeros((0, 2)),
        jacobian=np.zeros((0, 2, 3)),
        noise_var=np.zeros((0, 2)),
        n_ambiguous=n_ambiguous,
    )


def _no_coop() -> CoopArrays:
    return CoopArrays(
        keys=(),
        t_s=np.zeros(0),
        position_m=np.zeros((0, 3)),
        velocity_mps=np.zeros((0, 3)),
        sigma_m=np.zeros(0),
    )


def cooperative_arrays(
    reports: Sequence[CooperativeReport], t_look_s: float, params: RegistrationParams
) -> tuple[CoopArrays, int]:
    """The report nearest `t_look_s` (s, the look's estimated true time) of each aircraft, and
    the number of reports rejected for their flags."""
    kept = [r for r in reports if params.reject_flags.isdisjoint(r.flags)]
    n_rejected = len(reports) - len(kept)
    if not kept:
        return _no_coop(), n_rejected
    t = np.array([r.t_s for r in kept], dtype=np.float64)
    age = np.abs(t - t_look_s)
    fresh = np.flatnonzero(age <= params.max_report_age_s)
    keys = np.array([f"{r.source}:{r.ident}" for r in kept], dtype=object)[fresh]
    names, inv = np.unique(keys, return_inverse=True)
    order = np.lexsort((age[fresh], inv))
    first = order[np.r_[True, inv[order][1:] != inv[order][:-1]]] if order.size else order
    pick = fresh[first]
    if pick.size == 0:
        return _no_coop(), n_rejected
    sigma = np.array([kept[i].position_sigma_m for i in pick.tolist()], dtype=np.float64)
    sigma = np.where(np.isfinite(sigma), sigma, params.default_position_sigma_m)
    return CoopArrays(
        keys=tuple(str(n) for n in names[inv[first]]),
        t_s=t[pick],
        position_m=np.array([kept[i].position_m for i in pick.tolist()], dtype=np.float64).reshape(
            -1, 3
        ),
        velocity_mps=np.array(
            [kept[i].velocity_mps for i in pick.tolist()], dtype=np.float64
        ).reshape(-1, 3),
        sigma_m=sigma,
    ), n_rejected


def find_pairs(
    batch: DetectionBatch,
    coop: CoopArrays,
    bias: FloatArray,
    cov: FloatArray,
    params: RegistrationParams,
) -> PairSet:
    """The unambiguous (detection, aircraft) pairs of one raw look under the bias estimate
    (`bias` (3,), `cov` (3, 3)), with what the Kalman update needs (see the module docstring)."""
    m, a = len(batch), len(coop.keys)
    if m == 0 or a == 0:
        return _no_pairs()
    dt = (batch.t_s - bias[TAU]) - coop.t_s
    d = coop.position_m + coop.velocity_mps * dt[:, None] - np.asarray(batch.sensor_enu_m)
    v = coop.velocity_mps
    ground2 = d[:, 0] ** 2 + d[:, 1] ** 2
    ground = np.sqrt(ground2)
    use = np.flatnonzero(ground >= params.min_ground_range_m)
    if use.size == 0:
        return _no_pairs()
    d, v, ground, ground2, dt = d[use], v[use], ground[use], ground2[use], dt[use]
    r2 = ground2 + d[:, 2] ** 2
    r = np.sqrt(r2)
    h = np.empty((use.size, 3))
    h[:, 0] = r + bias[RHO]
    h[:, 1] = np.arctan2(d[:, 0], d[:, 1]) + bias[AZ]
    h[:, 2] = np.arctan2(d[:, 2], ground)
    range_rate = np.einsum("ij,ij->i", d, v) / r
    az_rate = (d[:, 1] * v[:, 0] - d[:, 0] * v[:, 1]) / ground2
    ground_rate = (d[:, 0] * v[:, 0] + d[:, 1] * v[:, 1]) / ground
    el_rate = (ground * v[:, 2] - d[:, 2] * ground_rate) / r2
    H = np.zeros((use.size, 3, 3))
    H[:, 0, TAU], H[:, 0, RHO] = -range_rate, 1.0
    H[:, 1, AZ], H[:, 1, TAU] = 1.0, -az_rate
    H[:, 2, TAU] = -el_rate
    sp2 = coop.sigma_m[use] ** 2 + (params.sigma_velocity_mps * dt) ** 2
    noise = np.empty((use.size, 3))
    noise[:, 0] = batch.sigma_range_m**2 + sp2
    noise[:, 1] = batch.sigma_az_rad**2 + sp2 / ground2
    noise[:, 2] = batch.sigma_el_rad**2 + (sp2 + params.sigma_height_m**2) / r2
    S = np.einsum("aij,jk,alk->ail", H, cov, H)
    S[:, [0, 1, 2], [0, 1, 2]] += noise
    S_inv = np.linalg.inv(S)
    z = np.stack([batch.range_m, batch.az_rad, batch.el_rad], axis=1)
    finite = np.flatnonzero(np.isfinite(z).all(axis=1))
    nu = z[finite, None, :] - h[None, :, :]
    nu[..., 1] = wrap_pi(nu[..., 1])
    d2 = np.einsum("mai,aij,maj->ma", nu, S_inv, nu)
    gate = d2 <= params.gate_chi2
    per_det, per_coop = gate.sum(axis=1), gate.sum(axis=0)
    ok = gate & (per_det == 1)[:, None] & (per_coop == 1)[None, :]
    det_i, coop_j = np.nonzero(ok)
    n_ambiguous = int(np.count_nonzero(per_coop >= 1)) - det_i.size
    if det_i.size == 0:
        return _no_pairs(n_ambiguous)
    return PairSet(
        det_index=finite[det_i].astype(np.int64),
        coop_index=use[coop_j].astype(np.int64),
        innovation=nu[det_i, coop_j, :2],
        jacobian=H[coop_j, :2, :],
        noise_var=noise[coop_j, :2],
        n_ambiguous=n_ambiguous,
    )
