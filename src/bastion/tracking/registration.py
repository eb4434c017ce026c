"""Sensor registration: each radar's azimuth bias and time offset, estimated online against ADS-B.

State, per sensor: b = [az_bias_rad, time_offset_s, range_bias_m] with covariance P (3, 3).
`az_bias_rad` and `time_offset_s` are always estimated; `range_bias_m` only when its prior sigma
(`RegistrationParams.prior_sigma_range_m`) is above zero (a component with zero prior sigma and zero
drift keeps its prior value: its rows of the Kalman gain are zero). Elevation bias is not estimated:
ADS-B heights are often barometric, tens of metres off the geometric height, so elevation is used
for gating only.

Sign conventions (the radar's own numbers versus the truth):

    az_measured(t_stamp)    = az_true(t_stamp - time_offset_s) + az_bias_rad + noise
    range_measured(t_stamp) = range_true(t_stamp - time_offset_s) + range_bias_m + noise

so `time_offset_s` > 0 means the radar's timestamp is late (the look happened `time_offset_s` before
the time the radar stamped on it), and `az_bias_rad` > 0 means the radar reads azimuths too far
clockwise. `correct` undoes both: az - az_bias, range - range_bias, t_s - time_offset.

Observations are pairs (radar detection, cooperative report of the same aircraft). For each
cooperative aircraft the report nearest in time to the look's true time (t_stamp - time_offset) is
extrapolated there with its velocity, p = p_c + v_c (t_stamp - tau - t_c), and turned into (range,
azimuth) about the radar. The Jacobian of h(b) = (|p - s| + rho, atan2(e, n) + beta) is

    d range / d(beta, tau, rho) = (0, -range_rate, 1)
    d az    / d(beta, tau, rho) = (1, -az_rate,    0),   az_rate = (n v_e - e v_n) / (e^2 + n^2)

so the offset is observable through range on an aircraft flying towards or away from the radar and
through azimuth on a crossing one; the bias through azimuth. Measurement noise per pair: radar sigma
plus the report's position sigma (`CooperativeReport.position_sigma_m`, NaN -> a default) and its
velocity error times the extrapolation time, projected on range and cross-range.

Filter: an extended Kalman filter on a random walk (Bar-Shalom, Li, Kirubarajan, *Estimation with
Applications to Tracking and Navigation*, 2001, sec. 10.3 (EKF) and 7.2.2 (information form)), one
stacked update per radar look over all the look's pairs (vectorised, no loop per detection); the
process noise Q = diag(drift^2) dt lets the estimate follow a slow drift. The formulation follows
the online registration literature (Okello and Ristic, "Maximum likelihood registration for
multiple dissimilar sensors", IEEE TAES 39(3), 2003; Fortunati et al., "Least squares estimation
and Cramer-Rao type lower bounds for relative sensor registration process", IEEE TSP 59(3), 2011),
with the cooperative target's reported position in place of a second sensor. Written here because
neither Stone Soup nor filterpy estimates sensor biases.

Pairing (`bastion.tracking.registration_pairs`): each detection against each aircraft's prediction
with a chi-square gate on (range, azimuth, elevation) whose covariance includes the estimate's own
covariance, so the gate is wide (degrees, hundreds of metres) at first and shrinks as the estimate
converges; only unambiguous pairs (one detection in the gate of one aircraft, that aircraft's gate
holding that detection only) are used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from bastion.core.errors import ConfigError
from bastion.core.measurements import CooperativeReport, DetectionBatch
from bastion.tracking.registration_pairs import (
    AZ,
    RHO,
    TAU,
    PairSet,
    cooperative_arrays,
    find_pairs,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class RegistrationParams:
    """Tuning of the bias estimator (units in the names; sigmas are 1 sigma).

    Prior: zero bias with sigmas `prior_sigma_az_rad` (2 degrees), `prior_sigma_time_s` (1 s),
    `prior_sigma_range_m` (0: range bias not estimated). Drift (random walk, per square root of
    a second): the sigma grows by drift * sqrt(dt); the defaults let the azimuth bias wander 0.07
    degree and the offset 12 ms in an hour. `default_position_sigma_m`: a report's position sigma
    when it declares none; `sigma_velocity_mps`: error of reported velocities (per axis);
    `sigma_height_m`: extra vertical uncertainty of reported heights (barometric versus geometric),
    elevation gate only. `gate_chi2`: chi-square gate on (range, azimuth, elevation), 3 degrees of
    freedom (22.1 keeps 99.99 % of true pairs). `max_report_age_s`: largest extrapolation of a
    report; `min_ground_range_m`: aircraft closer than this (nearly overhead, azimuth ill-defined)
    are not used. `reject_flags`: reports carrying any of these flags are ignored. The estimate is
    `converged` once its sigmas are below `converged_sigma_az_rad` and `converged_sigma_time_s`
    after at least `min_pairs` pairs. Invalid values raise `ConfigError`.
    """

    prior_sigma_az_rad: float = math.radians(2.0)
    prior_sigma_time_s: float = 1.0
    prior_sigma_range_m: float = 0.0
    drift_az_rad_per_sqrt_s: float = 2e-5
    drift_time_s_per_sqrt_s: float = 2e-4
    drift_range_m_per_sqrt_s: float = 0.05
    default_position_sigma_m: float = 50.0
    sigma_velocity_mps: float = 2.0
    sigma_height_m: float = 100.0
    gate_chi2: float = 22.1
    max_report_age_s: float = 3.0
    min_ground_range_m: float = 1000.0
    reject_flags: frozenset[str] = frozenset({"position_jump", "velocity_unknown"})
    converged_sigma_az_rad: float = math.radians(0.03)
    converged_sigma_time_s: float = 0.02
    min_pairs: int = 20

    def __post_init__(self) -> None:
        """Refuse values the filter cannot work with (`ConfigError` naming the field)."""
        positive: tuple[str, ...] = (
            "prior_sigma_az_rad",
            "prior_sigma_time_s",
            "default_position_sigma_m",
            "gate_chi2",
            "max_report_age_s",
            "converged_sigma_az_rad",
            "converged_sigma_time_s",
        )
        for name in positive:
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise ConfigError(f"need a finite value > 0, got {value}", path=name)
        non_negative: tuple[str, ...] = (
            "prior_sigma_range_m",
            "drift_az_rad_per_sqrt_s",
            "drift_time_s_per_sqrt_s",
            "drift_range_m_per_sqrt_s",
            "sigma_velocity_mps",
            "sigma_height_m",
            "min_ground_range_m",
        )
        for name in non_negative:
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise ConfigError(f"need a finite value >= 0, got {value}", path=name)

    def prior_cov(self) -> FloatArray:
        """The prior covariance (3, 3) of [az_bias_rad, time_offset_s, range_bias_m]."""
        s = [self.prior_sigma_az_rad, self.prior_sigma_time_s, self.prior_sigma_range_m]
        return np.diag(np.square(s))

    def drift_cov(self, dt_s: float) -> FloatArray:
        """Process noise Q (3, 3) over `dt_s` seconds; range drift only if range bias is estimated."""
        rho = self.drift_range_m_per_sqrt_s if self.prior_sigma_range_m > 0.0 else 0.0
        s = [self.drift_az_rad_per_sqrt_s, self.drift_time_s_per_sqrt_s, rho]
        return np.diag(np.square(s)) * abs(dt_s)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class SensorBias:
    """One sensor's registration estimate at radar time `t_s` (NaN before its first look).

    `bias` (3,) = [az_bias_rad, time_offset_s, range_bias_m] (see the module docstring for signs),
    `cov` (3, 3) its covariance (rad, s, m); `n_pairs` detection/report pairs used so far.
    """

    sensor_id: str
    t_s: float
    bias: FloatArray
    cov: FloatArray
    n_pairs: int = 0
    converged: bool = False

    @property
    def az_bias_rad(self) -> float:
        """Azimuth bias, rad (measured minus true)."""
        return float(self.bias[AZ])

    @property
    def time_offset_s(self) -> float:
        """Time offset, s (radar timestamp minus true time of the look)."""
        return float(self.bias[TAU])

    @property
    def range_bias_m(self) -> float:
        """Range bias, m (measured minus true); 0 when not estimated."""
        return float(self.bias[RHO])

    @property
    def sigma_az_rad(self) -> float:
        """1-sigma uncertainty of the azimuth bias, rad."""
        return math.sqrt(float(self.cov[AZ, AZ]))

    @property
    def sigma_time_s(self) -> float:
        """1-sigma uncertainty of the time offset, s."""
        return math.sqrt(float(self.cov[TAU, TAU]))


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class RegistrationStep:
    """What one look did: the new estimate and the pairs behind it.

    `det_index` (K,) the detections paired (indices into the batch), `ident` (K,) the aircraft each
    was paired with (``source:ident``); `n_aircraft` cooperative aircraft usable at this look;
    `n_ambiguous` aircraft with a detection in their gate left out by the ambiguity rule;
    `n_rejected` reports ignored for their flags.
    """

    estimate: SensorBias
    det_index: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    ident: tuple[str, ...] = ()
    n_aircraft: int = 0
    n_ambiguous: int = 0
    n_rejected: int = 0


def prior_estimate(sensor_id: str, params: RegistrationParams) -> SensorBias:
    """The estimate before any look: zero bias, prior covariance, not converged."""
    return SensorBias(sensor_id=sensor_id, t_s=math.nan, bias=np.zeros(3), cov=params.prior_cov())


def predict(estimate: SensorBias, t_s: float, params: RegistrationParams) -> SensorBias:
    """The estimate carried to radar time `t_s` (s): bias unchanged, covariance + Q |dt|."""
    if math.isnan(estimate.t_s):
        return replace(estimate, t_s=float(t_s))
    dt = float(t_s) - estimate.t_s
    return replace(estimate, t_s=float(t_s), cov=estimate.cov + params.drift_cov(dt))


def _is_converged(cov: FloatArray, n_pairs: int, params: RegistrationParams) -> bool:
    return (
        n_pairs >= params.min_pairs
        and math.sqrt(float(cov[AZ, AZ])) <= params.converged_sigma_az_rad
        and math.sqrt(float(cov[TAU, TAU])) <= params.converged_sigma_time_s
    )


def kalman_update(estimate: SensorBias, pairs: PairSet) -> SensorBias:
    """One EKF update with the look's K pairs (2K scalar measurements: range, azimuth).

    With R diagonal the stacked update is done in the 3-dimensional information form, so its cost
    is linear in K: A = H^T R^-1 H, g = H^T R^-1 nu, P+ = (I + P A)^-1 P, b+ = b + P+ g. This is
    the Kalman update K = P H^T (H P H^T + R)^-1 rewritten with the matrix inversion lemma
    (Bar-Shalom et al. 2001, sec. 7.2.2, information filter), and it stays valid when P is singular
    (a bias component held fixed by a zero prior sigma). nu = z - h(b), azimuth part wrapped.
    """
    k = pairs.innovation.shape[0]
    if k == 0:
        return estimate
    H = pairs.jacobian.reshape(2 * k, 3)
    w = 1.0 / pairs.noise_var.reshape(2 * k)
    A = H.T @ (H * w[:, None])
    g = H.T @ (w * pairs.innovation.reshape(2 * k))
    P = estimate.cov
    cov = np.linalg.solve(np.eye(3) + P @ A, P)
    cov = 0.5 * (cov + cov.T)
    return replace(estimate, bias=estimate.bias + cov @ g, cov=cov, n_pairs=estimate.n_pairs + k)


def update(
    estimate: SensorBias,
    batch: DetectionBatch,
    reports: Sequence[CooperativeReport],
    params: RegistrationParams,
) -> RegistrationStep:
    """Predict `estimate` to the look `batch` and update it with the look's unambiguous pairs.

    `reports` are the cooperative reports of the last few seconds (any order, any sources; the one
    nearest in time to the look is used per aircraft, at most `max_report_age_s` away). The batch
    must be the radar's raw look (not yet corrected).
    """
    est = predict(estimate, batch.t_s, params)
    coop, n_rejected = cooperative_arrays(reports, batch.t_s - est.time_offset_s, params)
    pairs = find_pairs(batch, coop, est.bias, est.cov, params)
    est = kalman_update(est, pairs)
    est = replace(est, converged=_is_converged(est.cov, est.n_pairs, params))
    return RegistrationStep(
        estimate=est,
        det_index=pairs.det_index,
        ident=tuple(coop.keys[i] for i in pairs.coop_index.tolist()),
        n_aircraft=len(coop.keys),
        n_ambiguous=pairs.n_ambiguous,
        n_rejected=n_rejected,
    )


def correct(batch: DetectionBatch, estimate: SensorBias) -> DetectionBatch:
    """The look with the estimated biases removed, for the tracker.

    azimuth - az_bias (wrapped to [0, 2 pi)), range - range_bias, and the look's time
    ``t_s - time_offset_s``: the tracker then predicts its tracks to the time the look really
    happened. Sigmas are unchanged (the estimate's remaining uncertainty is small against them once
    converged; before that, `estimate.converged` is False and a caller may prefer the raw batch).
    """
    return replace(
        batch,
        t_s=batch.t_s - estimate.time_offset_s,
        az_rad=np.mod(batch.az_rad - estimate.az_bias_rad, 2.0 * np.pi),
        range_m=batch.range_m - estimate.range_bias_m,
    )


class SensorBiasEstimator:
    """Per-sensor registration estimates, updated once per radar look.

    Call `update(batch, reports)` with each raw radar look and the cooperative reports of the last
    few seconds, then `correct(batch)` to get the look the tracker should see.
    """

    def __init__(self, params: RegistrationParams | None = None) -> None:
        """Start with no sensor seen; each sensor starts at the prior on its first look."""
        self.params = params if params is not None else RegistrationParams()
        self._estimates: dict[str, SensorBias] = {}

    def estimate(self, sensor_id: str) -> SensorBias:
        """The current estimate of `sensor_id` (the prior if it was never seen)."""
        found = self._estimates.get(sensor_id)
        return found if found is not None else prior_estimate(sensor_id, self.params)

    def update(
        self, batch: DetectionBatch, reports: Sequence[CooperativeReport]
    ) -> RegistrationStep:
        """Update the estimate of `batch.sensor_id` with one raw look (see `update`)."""
        step = update(self.estimate(batch.sensor_id), batch, reports, self.params)
        self._estimates[batch.sensor_id] = step.estimate
        return step

    def reset(self, sensor_id: str) -> None:
        """Forget `sensor_id`'s estimate (after the radar was realigned or its clock reset): the
        random walk follows slow drift, not steps."""
        self._estimates.pop(sensor_id, None)

    def correct(self, batch: DetectionBatch) -> DetectionBatch:
        """`batch` with its sensor's current estimate removed (see `correct`)."""
        return correct(batch, self.estimate(batch.sensor_id))


__all__ = [
    "RegistrationParams",
    "RegistrationStep",
    "SensorBias",
    "SensorBiasEstimator",
    "correct",
    "kalman_update",
    "predict",
    "prior_estimate",
    "update",
]
