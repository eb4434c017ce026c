"""The tracker's state filters: one constant-velocity Kalman filter, or an IMM over four models.

Both work on a `TrackTable` in place and keep its `x` (N, 6) and `P` (N, 6, 6) columns -- position and
velocity, what every later stage reads -- up to date:

* `CvFilter` (``TrackerParams.filter = "cv"``): the converted-measurement constant-velocity filter
  (`predictor`, `updater`), process noise `process_accel_mps2`. Fastest; right for targets that
  fly straight.
* `ImmFilter` (``"imm"``): the interacting multiple model filter (`imm`) over constant velocity,
  Singer acceleration, 3-D coordinated turn and ballistic flight (or the models of
  `TrackerParams.imm_models`: see `imm_params`), on the 9-element state held in the table's
  `model_x`, `model_P`, `model_prob`; `x` and `P` are the moment-matched combination. Right for
  drones that hover, dash and turn, and for rockets and mortars.

Each filter predicts every row to a batch time, updates given rows with given converted positions,
and initialises rows just appended from single detections. The update also returns each pair's log
likelihood, which track scoring uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from bastion.core.measurements import DetectionBatch
from bastion.core.params import IMM_MODEL_KINDS, ImmModelParams, TrackerParams
from bastion.tracking.imm import (
    ImmParams,
    gaussian_loglik,
    imm_combine,
    imm_init,
    imm_mix_predict,
    imm_update,
)
from bastion.tracking.jpda import JpdaParams, pda_combine
from bastion.tracking.kalman_update import UpdateResult, log_likelihood
from bastion.tracking.motion import Hover, MotionModel
from bastion.tracking.motion_ballistic import Ballistic
from bastion.tracking.motion_level_turn import level_turn_pair
from bastion.tracking.predictor import predict_inplace
from bastion.tracking.radar_models import radar_ekf_update, radar_ukf_update
from bastion.tracking.table import TrackTable
from bastion.tracking.updater import update

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

FILTERS = ("cv", "imm")
SOJOURN_S = (60.0, 10.0, 10.0, 10.0)
"""Mean time in each model (CV, Singer, CT, ballistic) before switching, s. The long-run share of
each model when measurements cannot tell them apart is proportional to these, so constant velocity
(the most common and least noisy regime) must hold the longest. Chosen on the shipped drone scenarios
(seeds 1-3): mean GOSPA 231 m against 231 m with the IMM's own 30/5/5/30 s and 236 m with one
constant-velocity filter, and no friend ever less than friendly."""
_INIT_ACCEL_SIGMA_MPS2 = 10.0
"""1-sigma of a new IMM track's acceleration per axis, m/s^2 (about 1 g over three axes)."""


MeasurementFn = Callable[[FloatArray, FloatArray, int], UpdateResult]
"""A measurement update over K state rows (x (K, d), P (K, d, d)) whose measurements are each
repeated `rep` times in a row (the IMM passes every track's r models together)."""


@dataclass(frozen=True, slots=True)
class PdaPairs:
    """Gated (track row, detection) pairs (P,) and their association probabilities `beta`."""

    trk: IntArray
    det: IntArray
    beta: FloatArray


HOVER = Hover(speed_sigma_mps=0.5, tau_s=2.0)
"""The station-keeping model a `hover` entry of `TrackerParams.imm_models` starts from."""
DEFAULT_KINDS = ("cv", "singer", "ct", "ballistic")
"""The kinds of the default IMM, in its order."""


def kind_defaults() -> dict[str, tuple[MotionModel | None, float, float]]:
    """Kind -> (the model an `imm_models` entry of that kind starts from, its sojourn time s, its
    initial weight): the default IMM's own for its four kinds, then `hover` and `level_turn` (whose
    turn level every entry must give)."""
    d = ImmParams()
    out: dict[str, tuple[MotionModel | None, float, float]] = {
        m.name: (m, sojourn, w)
        for m, sojourn, w in zip(d.models, SOJOURN_S, d.initial_mu, strict=True)
    }
    out["hover"] = (HOVER, 10.0, 0.15)
    out["level_turn"] = (None, 5.0, 0.1)
    return out


def imm_params(params: TrackerParams) -> ImmParams:
    """The IMM the tracker runs: the models of `params.imm_models` (by default the four of
    `DEFAULT_KINDS`), each from `kind_defaults` with the settings, sojourn time and initial weight
    its entry gives (a `level_turn` entry is a left and right pair sharing its weight); the weights
    are normalised. The IMM's models have their own process noises (`process_accel_mps2` is the
    constant-velocity filter's, not the IMM's). The ballistic model takes its air density at the
    site's height (`params.site_alt_m`)."""
    entries = params.imm_models or tuple(ImmModelParams(kind=k) for k in DEFAULT_KINDS)
    defaults = kind_defaults()
    built: list[tuple[MotionModel, float, float]] = []  # (model, sojourn s, weight)
    for entry in entries:
        if entry.kind not in defaults:
            raise ValueError(
                f"unknown IMM model kind {entry.kind!r}; expected one of {IMM_MODEL_KINDS}"
            )
        start, sojourn, weight = defaults[entry.kind]
        sojourn = sojourn if entry.sojourn_s is None else entry.sojourn_s
        weight = weight if entry.weight is None else entry.weight
        kw = dict(entry.settings)
        if start is None:  # level_turn
            built += [(m, sojourn, weight / 2.0) for m in level_turn_pair(**kw)]
            continue
        if isinstance(start, Ballistic):
            kw["site_alt_m"] = params.site_alt_m
        built.append((replace(start, **kw), sojourn, weight))  # type: ignore[type-var]  # dataclasses
    total = sum(w for _, _, w in built)
    scale = 1.0 if math.isclose(total, 1.0) else 1.0 / total  # the default weights stay exact
    return ImmParams(
        models=tuple(m for m, _, _ in built),
        sojourn_s=tuple(s for _, s, _ in built),
        initial_mu=tuple(w * scale for _, _, w in built),
    )


class CvFilter:
    """Constant-velocity Kalman filter on the table's `x`, `P`."""

    __slots__ = ("_accel",)
    n_models = 0

    def __init__(self, params: TrackerParams) -> None:
        self._accel = params.process_accel_mps2

    def predict(self, tb: TrackTable, t_s: float) -> None:
        """Every row to `t_s` (rows are at or before it)."""
        if tb.n:
            predict_inplace(tb.x, tb.P, t_s - tb.t_s, self._accel)
            tb.t_s[:] = t_s

    def update(
        self, tb: TrackTable, rows: IntArray, z: FloatArray, R: FloatArray, *, loglik: bool
    ) -> FloatArray | None:
        """Update `rows` (K,) with positions `z` (K, 3), covariances `R` (K, 3, 3); returns each
        pair's log likelihood (K,) if asked."""
        x, P = tb.x.take(rows, axis=0), tb.P.take(rows, axis=0)
        out = gaussian_loglik(z - x[:, :3], P[:, :3, :3] + R) if loglik else None
        tb.x[rows], tb.P[rows] = update(x, P, z, R)
        return out

    def update_with(self, tb: TrackTable, rows: IntArray, fn: MeasurementFn) -> FloatArray:
        """Update `rows` (K,) through a nonlinear measurement update `fn` (radar EKF or UKF, one
        measurement per row); returns each pair's log likelihood (K,)."""
        res = fn(tb.x.take(rows, axis=0), tb.P.take(rows, axis=0), 1)
        tb.x[rows], tb.P[rows] = res.x, res.P
        return log_likelihood(res.innovation, res.S)

    def update_pda(
        self, tb: TrackTable, pairs: PdaPairs, z: FloatArray, R: FloatArray, jp: JpdaParams
    ) -> None:
        """JPDA update: each track moves to the beta-weighted mixture of its gated detections."""
        tb.x[...], tb.P[...] = pda_combine(tb.x, tb.P, z, R, pairs.trk, pairs.det, pairs.beta)

    def init(self, tb: TrackTable, rows: slice, z: FloatArray, R: FloatArray) -> None:
        """Nothing beyond what `TrackTable.append_detections` wrote."""


class ImmFilter:
    """IMM over the table's per-model columns; `x`, `P` hold the combination."""

    __slots__ = ("_imm", "_vel_sigma")

    def __init__(self, params: TrackerParams) -> None:
        self._imm = imm_params(params)
        self._vel_sigma = params.init_speed_sigma_mps

    @property
    def n_models(self) -> int:
        """Models per track."""
        return len(self._imm.models)

    def _combine(self, tb: TrackTable, rows: IntArray | slice) -> None:
        tb.x[rows], tb.P[rows] = imm_combine(
            tb.model_x[rows], tb.model_P[rows], tb.model_prob[rows], dims=6
        )

    def predict(self, tb: TrackTable, t_s: float) -> None:
        """Mix and predict every row to `t_s`; `model_prob` becomes the predicted probabilities."""
        if not tb.n:
            return
        dt = t_s - tb.t_s
        if not bool(np.any(dt > 0.0)):
            return
        out = (tb.model_x, tb.model_P, tb.model_prob)  # in place: read block by block first
        imm_mix_predict(*out, dt, self._imm.models, self._imm.step_transition(dt), out=out)
        tb.t_s[:] = t_s
        self._combine(tb, slice(None))

    def update(
        self, tb: TrackTable, rows: IntArray, z: FloatArray, R: FloatArray, *, loglik: bool
    ) -> FloatArray | None:
        """Update `rows` (K,) in every model; returns the mixture log likelihood of each pair (K,)
        if asked."""
        mu_pred = tb.model_prob.take(rows, axis=0)
        x, P, mu, ll = imm_update(
            tb.model_x.take(rows, axis=0), tb.model_P.take(rows, axis=0), mu_pred, z, R
        )
        tb.model_x[rows], tb.model_P[rows], tb.model_prob[rows] = x, P, mu
        tb.x[rows], tb.P[rows] = imm_combine(x, P, mu, dims=6)  # what _combine would gather back
        if not loglik:
            return None
        top = ll.max(axis=1)
        mix: FloatArray = top + np.log(np.sum(mu_pred * np.exp(ll - top[:, None]), axis=1))
        return mix

    def update_with(self, tb: TrackTable, rows: IntArray, fn: MeasurementFn) -> FloatArray:
        """Update `rows` (K,) in every model through a nonlinear measurement update `fn` (called
        once on all K * r model rows, each measurement repeated r times); returns the mixture log
        likelihood of each pair (K,)."""
        k, r = rows.shape[0], self.n_models
        mu_pred = tb.model_prob.take(rows, axis=0)
        res = fn(
            tb.model_x.take(rows, axis=0).reshape(k * r, -1),
            tb.model_P.take(rows, axis=0).reshape(k * r, 9, 9),
            r,
        )
        ll = log_likelihood(res.innovation, res.S).reshape(k, r)
        logw = np.log(np.maximum(mu_pred, 1e-300)) + ll
        top = logw.max(axis=1)
        w = np.exp(logw - top[:, None])
        x, P, mu = (
            res.x.reshape(k, r, 9),
            res.P.reshape(k, r, 9, 9),
            w / w.sum(axis=1, keepdims=True),
        )
        tb.model_x[rows], tb.model_P[rows], tb.model_prob[rows] = x, P, mu
        tb.x[rows], tb.P[rows] = imm_combine(x, P, mu, dims=6)
        mix: FloatArray = top + np.log(w.sum(axis=1))
        return mix

    def update_pda(
        self, tb: TrackTable, pairs: PdaPairs, z: FloatArray, R: FloatArray, jp: JpdaParams
    ) -> None:
        """IMM-JPDA: every model takes the same association probabilities (computed on the
        combined state), and each model's probability is weighted by its own PDA likelihood
        1 - pd pg + sum_j pd N(z_j; x_model, S_model) / lambda over the track's gated detections
        (the IMM-JPDA of Blom & Bloem, IEEE TAC 45(2), 2000, with the combined-state betas)."""
        n, r = tb.n, self.n_models
        trk, det = pairs.trk, pairs.det
        log_miss = math.log1p(-jp.pd * jp.pg)
        log_norm = np.full((n, r), log_miss)
        for j in range(r):
            xj, Pj = tb.model_x[:, j], tb.model_P[:, j]
            if trk.shape[0]:
                ll = gaussian_loglik(
                    z.take(det, axis=0) - xj.take(trk, axis=0)[:, :3],
                    Pj.take(trk, axis=0)[:, :3, :3] + R.take(det, axis=0),
                )
                log_l = ll + math.log(jp.pd / jp.clutter_density_per_m3)
                shift = np.full(n, log_miss)
                np.maximum.at(shift, trk, log_l)
                tot = np.exp(log_miss - shift) + np.bincount(
                    trk, np.exp(log_l - shift[trk]), minlength=n
                )
                log_norm[:, j] = shift + np.log(tot)
            tb.model_x[:, j], tb.model_P[:, j] = pda_combine(xj, Pj, z, R, trk, det, pairs.beta)
        logw = np.log(np.maximum(tb.model_prob, 1e-300)) + log_norm
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        tb.model_prob[...] = w / w.sum(axis=1, keepdims=True)
        self._combine(tb, slice(None))

    def init(self, tb: TrackTable, rows: slice, z: FloatArray, R: FloatArray) -> None:
        """Start the rows just appended from their detections."""
        x, P, mu = imm_init(z, R, self._imm, self._vel_sigma, _INIT_ACCEL_SIGMA_MPS2)
        tb.model_x[rows], tb.model_P[rows], tb.model_prob[rows] = x, P, mu
        self._combine(tb, rows)


def make_filter(params: TrackerParams) -> CvFilter | ImmFilter:
    """The filter `params.filter` names."""
    if params.filter == "cv":
        return CvFilter(params)
    if params.filter == "imm":
        return ImmFilter(params)
    raise ValueError(f"TrackerParams.filter must be one of {FILTERS}, got {params.filter!r}")


def radar_update_fn(batch: DetectionBatch, polar: FloatArray, p: TrackerParams) -> MeasurementFn:
    """The EKF or UKF radar update of rows assigned detections `polar` (K, 4) [range_m, az_rad,
    el_rad, range_rate_mps], with the range rate when asked for and all finite."""
    with_rr = p.use_range_rate and bool(np.all(np.isfinite(polar[:, 3])))
    with_rr &= math.isfinite(batch.sigma_range_rate_mps) and batch.sigma_range_rate_mps > 0.0
    cols = 4 if with_rr else 3
    sig = [batch.sigma_range_m, batch.sigma_az_rad, batch.sigma_el_rad, batch.sigma_range_rate_mps]
    sigmas = np.asarray(sig[:cols])
    z = polar[:, :cols]
    update = radar_ukf_update if p.radar_update == "ukf" else radar_ekf_update

    def fn(x: FloatArray, P: FloatArray, rep: int) -> UpdateResult:
        zr = z if rep == 1 else np.repeat(z, rep, axis=0)
        return update(x, P, zr, sigmas, batch.sensor_enu_m, with_rr)

    return fn
