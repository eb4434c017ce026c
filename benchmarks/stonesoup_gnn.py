"""Stone Soup's GNN tracker, set up as the peer for `tracker_vs_stonesoup.py`.

Its fastest fair configuration in Stone Soup 1.9: `MultiTargetTracker` with `KalmanPredictor`,
`KalmanUpdater`, a `CombinedLinearGaussianTransitionModel` of three `ConstantVelocity` (noise
diffusion q = accel^2, the same CWNA model as Bastion's), a `DistanceHypothesiser` with the squared
Mahalanobis measure and the chi-square gate as its missed distance, a kd-tree pre-gate, 2-D assignment
GNN, a `MultiMeasurementInitiator` and an `UpdateTimeStepsDeleter`. Each detection is its converted
ENU position with its own converted covariance (a `LinearGaussian` model per detection), exactly the
information Bastion's converted-measurement filter uses.
"""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
from scipy.spatial import KDTree
from stonesoup.base import Property
from stonesoup.dataassociator.tree import DetectionKDTreeGNN2D
from stonesoup.deleter.time import UpdateTimeStepsDeleter
from stonesoup.hypothesiser.distance import DistanceHypothesiser
from stonesoup.initiator.simple import MultiMeasurementInitiator
from stonesoup.measures import SquaredMahalanobis
from stonesoup.models.measurement.linear import LinearGaussian
from stonesoup.models.transition.linear import (
    CombinedLinearGaussianTransitionModel,
    ConstantVelocity,
)
from stonesoup.predictor.kalman import KalmanPredictor
from stonesoup.tracker.simple import MultiTargetTracker
from stonesoup.types.array import CovarianceMatrix, StateVector
from stonesoup.types.detection import Detection
from stonesoup.types.state import GaussianState
from stonesoup.updater.kalman import KalmanUpdater

from bastion.core.params import TrackerParams
from bastion.tracking.measurement import converted_measurement

SS_POS = [0, 2, 4]  # Stone Soup state order is [x, vx, y, vy, z, vz]
EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class KDTreeGNN2DPerDetection(DetectionKDTreeGNN2D):  # type: ignore[misc]
    """`DetectionKDTreeGNN2D` for detections that each carry their own LinearGaussian model.

    Stone Soup's kd-tree mixin refuses detections with different measurement models, because it uses
    one model to predict the measurement of each track. With position measurements the predicted
    measurement is the same for every model (H x); only R differs. So the tree is queried at each
    track's predicted position with the radius sqrt(gate * (trace(P_pos) + max trace(R))) -- the
    bound Bastion uses -- and the hypothesiser then scores the candidates with each detection's own
    model, exactly as without the tree.
    """

    gate_chi2: float = Property(default=16.0, doc="Chi-square gate (squared Mahalanobis)")

    def generate_hypotheses(self, tracks, detections, timestamp, **kwargs):  # type: ignore[no-untyped-def]
        if not tracks:
            return {}
        if not detections:
            return {t: self.hypothesiser.hypothesise(t, detections, timestamp) for t in tracks}
        dets = list(detections)
        tree = KDTree(np.vstack([d.state_vector[:, 0] for d in dets]))
        r_tr = max(float(np.trace(d.measurement_model.noise_covar)) for d in dets)
        out = {}
        for track in tracks:
            pred = self.predictor.predict(track, timestamp=timestamp)
            pos = np.asarray(pred.state_vector[SS_POS, 0], dtype=float)
            p_tr = float(np.trace(pred.covar[np.ix_(SS_POS, SS_POS)]))
            idx = tree.query_ball_point(pos, r=math.sqrt(self.gate_chi2 * (p_tr + r_tr)))
            out[track] = self.hypothesiser.hypothesise(
                track, {dets[i] for i in idx}, timestamp, **kwargs
            )
        return out


def stonesoup_detections(scn: dict[str, np.ndarray]) -> list[tuple[dt.datetime, set[Detection]]]:
    """Each scan's detections as Stone Soup Detections: converted position + its own R (not timed)."""
    s = scn["sigmas"]
    out = []
    for k, t in enumerate(scn["t_s"]):
        sel = scn["scan"] == k
        z, R = converted_measurement(
            scn["range_m"][sel],
            scn["az_rad"][sel],
            scn["el_rad"][sel],
            scn["sensor_enu_m"],
            float(s[0]),
            float(s[1]),
            float(s[2]),
        )
        ts = EPOCH + dt.timedelta(seconds=float(t))
        dets = {
            Detection(
                StateVector(z[j]),
                timestamp=ts,
                measurement_model=LinearGaussian(
                    ndim_state=6, mapping=SS_POS, noise_covar=CovarianceMatrix(R[j])
                ),
            )
            for j in range(z.shape[0])
        }
        out.append((ts, dets))
    return out


def run_stonesoup(
    scn: dict[str, np.ndarray], params: TrackerParams, ids_out: list[np.ndarray] | None = None
) -> tuple[float, list[np.ndarray]]:
    """ms per scan of Stone Soup's tracker, and its confirmed track positions (n, 3) after each scan;
    `ids_out`, if given, receives each scan's track numbers (n,) in the same order (not timed)."""
    scans = stonesoup_detections(scn)
    q = params.process_accel_mps2**2
    transition = CombinedLinearGaussianTransitionModel([ConstantVelocity(q)] * 3)
    predictor = KalmanPredictor(transition)
    updater = KalmanUpdater(measurement_model=None)
    hypothesiser = DistanceHypothesiser(
        predictor, updater, measure=SquaredMahalanobis(), missed_distance=params.gate_chi2
    )

    def associator() -> KDTreeGNN2DPerDetection:
        return KDTreeGNN2DPerDetection(
            hypothesiser=hypothesiser,
            predictor=predictor,
            updater=updater,
            gate_chi2=params.gate_chi2,
        )

    v2 = params.init_speed_sigma_mps**2
    prior = GaussianState(
        StateVector(np.zeros(6)), CovarianceMatrix(np.diag([0, v2, 0, v2, 0, v2]))
    )
    # Holding tracks: M updates confirm (the birth counts); N - M + 1 missed scans in a row delete
    # (UpdateTimeStepsDeleter(k) deletes after k consecutive misses). For 3-of-4 that is 2, exactly
    # when Bastion's tentative tracks can no longer be confirmed after a birth; Stone Soup's count is
    # cumulative, so it also confirms H-M-H-M-H, which Bastion's window does not.
    initiator = MultiMeasurementInitiator(
        prior_state=prior,
        deleter=UpdateTimeStepsDeleter(
            time_steps_since_update=params.confirm_n - params.confirm_m + 1
        ),
        data_associator=associator(),
        updater=updater,
        min_points=params.confirm_m,
    )
    tracker = MultiTargetTracker(
        initiator=initiator,
        deleter=UpdateTimeStepsDeleter(time_steps_since_update=params.delete_misses),
        detector=None,
        data_associator=associator(),
        updater=updater,
    )
    elapsed = 0.0
    numbers: dict[str, int] = {}
    pictures = []
    for ts, dets in scans:
        t0 = time.perf_counter()
        _, tracks = tracker.update_tracker(ts, dets)
        elapsed += time.perf_counter() - t0
        order = list(tracks)
        pictures.append(
            np.array([np.asarray(t.state_vector[SS_POS, 0], dtype=float) for t in order]).reshape(
                -1, 3
            )
        )
        if ids_out is not None:
            ids_out.append(np.array([numbers.setdefault(t.id, len(numbers)) for t in order]))
    return elapsed / len(scans) * 1e3, pictures
