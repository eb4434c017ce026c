"""Oracle: Bastion's filter against Stone Soup's Kalman predictor and updater on the same inputs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from cv_scenario import radar_batch

from bastion.core.params import TrackerParams
from bastion.tracking import Tracker
from bastion.tracking.measurement import converted_measurement

SS = [0, 2, 4, 1, 3, 5]  # Stone Soup [x, vx, y, vy, z, vz] -> Bastion [e, n, u, ve, vn, vu]


@pytest.mark.oracle
def test_single_target_filter_matches_stonesoup() -> None:
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
        ConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.array import CovarianceMatrix, StateVector
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    params = TrackerParams(process_accel_mps2=3.0)
    rng = np.random.default_rng(1)
    x0 = np.array([7_000.0, -3_000.0, 1_200.0, -90.0, 40.0, 2.0])
    truth = np.tile(x0, (15, 1))
    truth[:, :3] += np.arange(15)[:, None] * x0[3:]

    predictor = KalmanPredictor(
        CombinedLinearGaussianTransitionModel([ConstantVelocity(params.process_accel_mps2**2)] * 3)
    )
    updater = KalmanUpdater(measurement_model=None)
    epoch = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    tracker = Tracker(params)
    state = None
    for k in range(15):
        b = radar_batch(rng, truth[k : k + 1], float(k))
        tracker.step(b)
        z, R = converted_measurement(
            b.range_m,
            b.az_rad,
            b.el_rad,
            b.sensor_enu_m,
            b.sigma_range_m,
            b.sigma_az_rad,
            b.sigma_el_rad,
        )
        ts = epoch + dt.timedelta(seconds=k)
        model = LinearGaussian(ndim_state=6, mapping=(0, 2, 4), noise_covar=CovarianceMatrix(R[0]))
        det = Detection(StateVector(z[0]), timestamp=ts, measurement_model=model)
        if state is None:
            v2 = params.init_speed_sigma_mps**2
            P0 = np.diag([0.0, v2, 0.0, v2, 0.0, v2])
            P0[np.ix_([0, 2, 4], [0, 2, 4])] = R[0]
            sv = np.zeros(6)
            sv[[0, 2, 4]] = z[0]
            state = GaussianState(StateVector(sv), CovarianceMatrix(P0), timestamp=ts)
        else:
            pred = predictor.predict(state, timestamp=ts)
            state = updater.update(SingleHypothesis(pred, det))
        x_ss = np.asarray(state.state_vector, dtype=float).ravel()[SS]
        P_ss = np.asarray(state.covar, dtype=float)[np.ix_(SS, SS)]
        assert tracker.table.n == 1
        np.testing.assert_allclose(tracker.table.x[0], x_ss, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(tracker.table.P[0], P_ss, rtol=1e-7, atol=1e-6)
