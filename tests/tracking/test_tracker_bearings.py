"""Direction-finder bearings refine radar tracks; they never start or end one."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from cv_scenario import cv_truth, radar_batch

from bastion.core.measurements import BearingBatch, DetectionBatch
from bastion.core.params import TrackerParams
from bastion.tracking import Tracker

PARAMS = TrackerParams(process_accel_mps2=1.0, confirm_m=3, confirm_n=4)
DF_SITES = (np.array([-6_000.0, 8_000.0, 0.0]), np.array([7_000.0, -5_000.0, 0.0]))
SIGMA_DF_RAD = 3e-3


def _bearings(rng: np.random.Generator, truth: np.ndarray, t_s: float, k: int) -> BearingBatch:
    site = DF_SITES[k]
    d = truth[:, :3] - site
    az = np.arctan2(d[:, 0], d[:, 1]) + rng.normal(0.0, SIGMA_DF_RAD, len(d))
    el = np.arctan2(d[:, 2], np.hypot(d[:, 0], d[:, 1])) + rng.normal(0.0, SIGMA_DF_RAD, len(d))
    return BearingBatch(
        sensor_id=f"df-{k}",
        t_s=t_s,
        sensor_enu_m=site,
        az_rad=az,
        el_rad=el,
        sigma_az_rad=SIGMA_DF_RAD,
        sigma_el_rad=SIGMA_DF_RAD,
    )


def _coarse(batch: DetectionBatch) -> DetectionBatch:
    """The radar with 15x worse angles (a cheap 2-D radar's 30 mrad): tracks hundreds of metres
    off across the line of sight."""
    scale = 15.0
    rng = np.random.default_rng(int(batch.t_s * 1000) + 7)
    extra = rng.normal(0.0, batch.sigma_az_rad * np.sqrt(scale**2 - 1), (2, len(batch)))
    return dataclasses.replace(
        batch,
        az_rad=batch.az_rad + extra[0],
        el_rad=batch.el_rad + extra[1],
        sigma_az_rad=batch.sigma_az_rad * scale,
        sigma_el_rad=batch.sigma_el_rad * scale,
    )


def _position_rmse(with_bearings: bool, seed: int) -> float:
    rng = np.random.default_rng(seed)
    truth = cv_truth(rng, 10, 15, speed_mps=(30.0, 80.0))
    tr = Tracker(PARAMS)
    for k in range(15):
        tr.step(_coarse(radar_batch(rng, truth[k], float(k))))
        if with_bearings:
            for j in range(2):
                later = truth[k].copy()
                later[:, :3] += 0.3 * (j + 1) * later[:, 3:]
                tr.step_bearings(_bearings(rng, later, k + 0.3 * (j + 1), j))
    tb = tr.table
    x = tr.predict(14.0)[0][tb.confirmed, :3]
    err = np.linalg.norm(x[:, None, :] - truth[14][None, :, :3], axis=2).min(axis=1)
    return float(np.sqrt(np.mean(err**2)))


def test_two_direction_finders_pull_coarse_radar_tracks_in() -> None:
    raw = np.mean([_position_rmse(False, s) for s in (1, 2)])
    fused = np.mean([_position_rmse(True, s) for s in (1, 2)])
    assert fused < 0.5 * raw, (fused, raw)


def test_bearings_alone_start_nothing_and_keep_nothing_alive() -> None:
    rng = np.random.default_rng(3)
    truth = cv_truth(rng, 4, 6)
    tr = Tracker(PARAMS)
    for k in range(6):
        step = tr.step_bearings(_bearings(rng, truth[k], float(k), 0))
        assert step.born_ids.size == 0 and not step.rejected_reason
    assert tr.table.n == 0


def test_bad_bearings_are_refused_by_reason() -> None:
    rng = np.random.default_rng(4)
    truth = cv_truth(rng, 3, 1)[0]
    good = _bearings(rng, truth, 0.0, 0)
    bad = dataclasses.replace(
        good, az_rad=np.r_[good.az_rad, np.nan], el_rad=np.r_[good.el_rad, 0.0]
    )
    step = Tracker(PARAMS).step_bearings(bad)
    assert step.n_rejected_detections == 1
    assert "'df-0'" in step.rejections[0].text()


@pytest.mark.parametrize(
    ("change", "words"),
    [({"sigma_az_rad": 0.0}, "sigmas"), ({"t_s": float("nan")}, "non-finite t_s")],
)
def test_uninterpretable_bearing_look_is_refused(change: dict[str, float], words: str) -> None:
    rng = np.random.default_rng(5)
    look = dataclasses.replace(_bearings(rng, cv_truth(rng, 2, 1)[0], 0.0, 1), **change)
    step = Tracker(PARAMS).step_bearings(look)
    assert words in step.rejected_reason and "df-1" in step.rejected_reason
