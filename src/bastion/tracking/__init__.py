"""Tracking stage: detections in, tracks out, all tracks held as arrays in one `TrackTable`.

Modules follow the tracking literature's vocabulary: `measurement` (radar converted measurement),
`predictor` (constant-velocity motion), `updater` (Kalman update), `gating` (kd-tree + chi-square),
`association` (global nearest neighbour), `lifecycle` (M-of-N confirmation, deletion), `table` (the
track table) and `tracker` (the per-scan step that wires them).
"""

from bastion.tracking.table import TrackTable
from bastion.tracking.tracker import Tracker, TrackerStep

__all__ = ["TrackTable", "Tracker", "TrackerStep"]
