"""What one tracker step changed: `TrackerStep`, and the step of a look refused whole."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bastion.tracking.validate import Rejection

IntArray = NDArray[np.int64]

EMPTY_IDS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class TrackerStep:
    """What one `Tracker.step` changed. All id arrays are int64 and sorted ascending.

    `confirmed_ids`: tracks confirmed in this step. `updated_ids`: tracks (tentative or confirmed,
    new ones excluded) updated with a detection. `born_ids`: tentative tracks started. `lost_ids`:
    every track deleted; `lost_confirmed_ids`: those of them that had been confirmed.
    `rejections`: detections dropped, by reason (`n_rejected_detections` counts them).
    `rejected_reason` is empty unless the whole batch was refused (then nothing changed).
    `det_track_id` gives, for each detection in the batch's own order, the track it updated or
    started (-1 if none). `n_replayed`: later batches reprocessed to fuse this late one.
    """

    t_s: float
    confirmed_ids: IntArray
    updated_ids: IntArray
    born_ids: IntArray
    lost_ids: IntArray
    lost_confirmed_ids: IntArray
    n_rejected_detections: int = 0
    rejected_reason: str = ""
    det_track_id: IntArray = field(default_factory=lambda: EMPTY_IDS.copy())
    rejections: tuple[Rejection, ...] = ()
    n_replayed: int = 0


def rejected(t_s: float, reason: str, n_det: int) -> TrackerStep:
    """The step of a look refused whole for `reason`: nothing changed."""
    return TrackerStep(
        t_s=t_s,
        confirmed_ids=EMPTY_IDS.copy(),
        updated_ids=EMPTY_IDS.copy(),
        born_ids=EMPTY_IDS.copy(),
        lost_ids=EMPTY_IDS.copy(),
        lost_confirmed_ids=EMPTY_IDS.copy(),
        n_rejected_detections=n_det,
        rejected_reason=reason,
    )
