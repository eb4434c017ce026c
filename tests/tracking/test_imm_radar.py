"""The IMM with a nonlinear radar update plugged in (`radar_models`' EKF and UKF through
`imm_update_with`) against the converted-measurement update on the same detections.

At 3-8 km with 2 mrad angles the converted measurement is accurate, so both must give nearly the same
posteriors and mode probabilities; the log-likelihoods differ per track by the log-Jacobian of the
polar-to-ENU map (the same for every model), so their differences are constant across models.
"""

from __future__ import annotations

import numpy as np
import pytest

from bastion.tracking.imm import ImmParams, imm_mix_predict, imm_update, imm_update_with
from bastion.tracking.measurement import converted_measurement
from bastion.tracking.radar_models import radar_ekf_update, radar_ukf_update

SIGMAS = np.array([10.0, 2e-3, 2e-3])


@pytest.mark.parametrize("update", [radar_ekf_update, radar_ukf_update], ids=["ekf", "ukf"])
def test_radar_update_plugs_into_the_imm(update: object) -> None:
    rng = np.random.default_rng(11)
    n = 6
    params = ImmParams()
    r = len(params.models)
    rng_m = rng.uniform(3000, 8000, n)
    az = rng.uniform(0, 2 * np.pi, n)
    truth = np.column_stack([rng_m * np.sin(az), rng_m * np.cos(az), rng.uniform(200, 1500, n)])
    x = np.zeros((n, r, 9))
    x[:, :, 0:3] = (truth + rng.normal(0, 15, (n, 3)))[:, None, :]
    x[:, :, 3:6] = rng.normal(0, 20, (n, 1, 3)) + rng.normal(0, 2, (n, r, 3))
    P = np.zeros((n, r, 9, 9))
    idx = np.arange(9)
    P[:, :, idx, idx] = np.array([400.0] * 3 + [25.0] * 3 + [4.0] * 3)
    mu = rng.dirichlet(np.ones(r), n)
    dt = np.full(n, 0.5)
    xp, Pp, c = imm_mix_predict(x, P, mu, dt, params.models, params.transition(dt))

    d = truth
    polar = (
        np.column_stack(
            [
                np.linalg.norm(d, axis=1),
                np.mod(np.arctan2(d[:, 0], d[:, 1]), 2 * np.pi),
                np.arctan2(d[:, 2], np.hypot(d[:, 0], d[:, 1])),
            ]
        )
        + rng.normal(0, 1, (n, 3)) * SIGMAS
    )

    def fn(xk: np.ndarray, Pk: np.ndarray, zk: np.ndarray):  # type: ignore[no-untyped-def]
        return update(xk, Pk, zk, SIGMAS, np.zeros(3), False, sensor_sigma_m=0.0)  # type: ignore[operator]

    xa, Pa, mua, lla = imm_update_with(fn, xp, Pp, c, polar)
    z, R = converted_measurement(polar[:, 0], polar[:, 1], polar[:, 2], np.zeros(3), *SIGMAS)
    xb, Pb, mub, llb = imm_update(xp, Pp, c, z, R)
    assert np.abs(xa[:, :, :3] - xb[:, :, :3]).max() < 0.5  # m, against 10 m range noise
    np.testing.assert_allclose(Pa[:, :, :3, :3], Pb[:, :, :3, :3], rtol=0.05, atol=0.5)
    assert np.abs(mua - mub).max() < 0.003
    assert np.ptp(lla - llb, axis=1).max() < 0.01
