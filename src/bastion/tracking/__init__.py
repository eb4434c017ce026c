"""Tracking stage: sensor looks in, tracks out, all tracks held as arrays in one `TrackTable`.

The per-look step (`tracker`, `step`) wires, in the tracking literature's vocabulary:

* input checks: `validate` (what a sensor may not send), `coverage` (which tracks a look could see),
  `replay` (late looks fused by roll-back and reprocess);
* measurements: `measurement` (radar converted measurement), `radar_models` (range, azimuth,
  elevation, radial velocity; EKF and UKF), `bearing` and `bearing_fusion` (direction finders),
  `position_report` (WGS-84 reports), `kalman_update` (the generic EKF/UKF updates), `updater`;
* motion and filters: `predictor` (constant velocity), `motion` and `motion_ballistic` (the IMM's
  models), `imm`, and `filters` (the constant-velocity or IMM filter the tracker runs);
* association: `gating` (kd-tree + chi-square), `association` (GNN), `jpda` and `jpda_events`;
* track management: `lifecycle` (M-of-N), `score` (log-likelihood-ratio track score), `table`;
* sensor alignment: `registration`, `registration_pairs` and `alignment` (bias and clock offset
  against cooperative traffic).

docs/tracking.md explains the models and every parameter.
"""

from bastion.tracking.step import TrackerStep
from bastion.tracking.table import TrackTable
from bastion.tracking.tracker import Tracker

__all__ = ["TrackTable", "Tracker", "TrackerStep"]
